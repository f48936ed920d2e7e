"""Backups through SQLite's online backup API: daily, before migrations and imports, on request.

A backup is written under a temporary name (readable only by its owner, and locked while it is
written), checked with `quick_check`, synced, then renamed, so a backup with a final name is always
whole. The newest `KEEP` are kept; what a killed backup left behind goes at the next start.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from trainer.core import paths
from trainer.core.errors import TrainerError
from trainer.core.store.files import (
    BUSY_TIMEOUT_S,
    DB_NAME,
    FILE_MODE,
    is_busy,
    os_problem,
    private_file,
    private_folder,
)

if TYPE_CHECKING:
    from trainer.core.store.salvage import Salvage

try:  # an advisory lock marks a backup being written; Windows refuses to delete an open file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class _OpenDatabase(Protocol):
    """What a backup needs of an open store: its connection and its file (None in memory)."""

    conn: sqlite3.Connection
    path: Path | None


BACKUP_DIR = "backups"
KEEP = 10
HEADER = b"SQLite format 3\x00"
_NAME = re.compile(r"^progress-(\d{8}T\d{6}\.\d{6}Z)-([a-z-]+)\.db$")
_STAMP = "%Y%m%dT%H%M%S.%fZ"


def backups_folder(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIR


def backup_time(backup: Path) -> datetime | None:
    match = _NAME.match(backup.name)
    return datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC) if match else None


def list_backups(db_path: Path) -> list[Path]:
    """Backups of this database, newest first."""
    folder = backups_folder(db_path)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if _NAME.match(p.name)), reverse=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _verdict(conn: sqlite3.Connection, most: int = 100) -> str:
    """'ok', or the first problems `PRAGMA quick_check` finds, on one line."""
    found = [str(r[0]) for r in conn.execute(f"PRAGMA quick_check({most})")]
    text = " ".join(found).replace("*** in database main ***", "")
    return " ".join(text.split())


def integrity_problem(conn: sqlite3.Connection, db_path: Path) -> str | None:
    """Why the database fails `PRAGMA quick_check` (naming the newest good backup), or None."""
    verdict = _verdict(conn, 1)
    if verdict == "ok":
        return None
    return damage_message(db_path, f"is damaged (quick_check: {verdict})")


def check_integrity(conn: sqlite3.Connection, db_path: Path) -> None:
    """Refuse a database that fails `PRAGMA quick_check`, naming the newest good backup."""
    problem = integrity_problem(conn, db_path)
    if problem:
        raise TrainerError(problem)


def _locked_part(part: Path) -> int:
    """Create the temporary backup file, owner-only, and lock it while this process writes it."""
    fd = os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def backup_database(conn: sqlite3.Connection, db_path: Path, reason: str) -> Path:
    """Copy the open database into a new, verified backup file; returns its path."""
    folder = backups_folder(db_path)
    try:
        private_folder(folder)
    except OSError as exc:
        raise TrainerError(os_problem(folder, exc, "cannot make the backups folder")) from exc
    while True:
        stamp = datetime.now(UTC).strftime(_STAMP)
        final = folder / f"progress-{stamp}-{reason}.db"
        if not final.exists():
            break
        time.sleep(0.001)
    part = final.with_name(final.name + ".part")
    lock: int | None = None
    try:
        lock = _locked_part(part)
        try:
            copy = sqlite3.connect(part)
        except sqlite3.Error as exc:
            raise OSError(13, str(exc), str(part)) from exc
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            verdict = _verdict(copy)
        finally:
            copy.close()
        if verdict != "ok":
            raise TrainerError(damage_message(db_path, f"is damaged ({verdict}); no backup made"))
        _fsync(part)
        os.replace(part, final)
    except OSError as exc:
        raise TrainerError(os_problem(folder, exc, "cannot write a backup")) from exc
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorname", "")
        if code.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR")):
            raise TrainerError(f"{folder}: cannot write a backup: {exc}") from exc
        raise TrainerError(describe_failure(db_path, exc)) from exc
    finally:
        part.unlink(missing_ok=True)
        Path(f"{part}-journal").unlink(missing_ok=True)
        if lock is not None:
            os.close(lock)
    prune(db_path)
    return final


def prune(db_path: Path, keep: int = KEEP) -> None:
    """Delete all but the newest `keep` backups."""
    for old in list_backups(db_path)[keep:]:
        old.unlink(missing_ok=True)


def _in_use(part: Path) -> bool:
    """Whether another process is still writing this temporary backup (it holds the lock)."""
    if fcntl is None:  # pragma: no cover - Windows: deleting a file in use fails instead
        return False
    try:
        fd = os.open(part, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def clean_leftovers(db_path: Path) -> list[Path]:
    """Delete the `.part` and `.part-journal` files of killed backups; returns what was deleted."""
    folder = backups_folder(db_path)
    removed: list[Path] = []
    try:
        leftovers = sorted(folder.glob("*.part")) + sorted(folder.glob("*.part-journal"))
    except OSError:
        return removed
    for left in leftovers:
        part = left.with_name(left.name.removesuffix("-journal"))
        if _in_use(part):
            continue
        with contextlib.suppress(OSError):
            left.unlink()
            removed.append(left)
    return removed


def make_backup(store: _OpenDatabase, reason: str = "manual") -> Path:
    if store.path is None:
        raise TrainerError("database: an in-memory database has no backups")
    return backup_database(store.conn, store.path, reason)


def daily_backup(store: _OpenDatabase, today: date | None = None) -> Path | None:
    """Back up when the application starts, at most once a (local) day; the new backup or None."""
    if store.path is None:
        return None
    today = today or datetime.now().astimezone().date()
    for backup in list_backups(store.path):
        made = backup_time(backup)
        if made and made.astimezone().date() == today:
            return None
    return make_backup(store, "daily")


# Damaged files ------------------------------------------------------------------------------


def is_good(path: Path) -> bool:
    """A readable SQLite file that passes quick_check (opened read-only, never changed)."""
    try:
        with path.open("rb") as f:
            if f.read(16) != HEADER:
                return False
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _verdict(conn) == "ok"
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False


def newest_good_backup(db_path: Path) -> Path | None:
    return next((b for b in list_backups(db_path) if is_good(b)), None)


def damage_message(db_path: Path, what: str) -> str:
    good = newest_good_backup(db_path)
    advice = (
        f"the newest good backup is {good}; restore it with: trainer restore {good}"
        if good
        else "no good backup was found; move the file aside to start a new database"
    )
    return f"{db_path}: {what}; {advice}"


def check_database_file(path: Path) -> None:
    """Refuse, naming the newest good backup, a file at the database path that is not SQLite."""
    if not path.exists():
        return
    if path.is_dir():
        raise TrainerError(f"{path}: is a folder, not a database")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise TrainerError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if not head:
        wal = path.with_name(path.name + "-wal")
        if (wal.exists() and wal.stat().st_size) or not list_backups(path):
            return  # a new database whose first pages are still in the WAL, or a fresh one
        raise TrainerError(damage_message(path, "is empty (0 bytes)"))
    if not head.startswith(HEADER) or len(head) < 100:
        raise TrainerError(damage_message(path, "is not a SQLite database (damaged or replaced)"))


def describe_failure(path: Path | None, exc: sqlite3.DatabaseError) -> str:
    """One line for a SQLite failure: what happened to which file, and what to do."""
    where = str(path) if path else "database"
    code = getattr(exc, "sqlite_errorname", "")
    if is_busy(exc):
        return f"{where}: is busy (another trainer is writing to it); try again in a moment"
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) and path:
        return damage_message(path, f"is damaged ({exc})")
    if code.startswith("SQLITE_FULL"):
        return f"{where}: the disk is full; nothing more can be saved until space is freed"
    if code.startswith("SQLITE_READONLY"):
        return f"{where}: is read-only; check the file's permissions"
    return f"{where}: {exc}"


# Restoring ------------------------------------------------------------------------------------


def _check_restorable(source: Path) -> None:
    from sqlite_utils import Database

    from trainer.core.store.versions import applied_steps, refuse_newer

    if not source.is_file():
        raise TrainerError(f"{source}: no such file")
    if not is_good(source):
        raise TrainerError(f"{source}: is not a readable SQLite database (damaged or wrong file)")
    conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        db = Database(conn, execute_plugins=False, recursive_triggers=False)
        if "answers" not in db.table_names() or not applied_steps(db):
            raise TrainerError(f"{source}: is not a trainer progress database")
        refuse_newer(db, source)
    finally:
        conn.close()


@dataclass(frozen=True)
class Restored:
    """What a restore did besides restoring: the backup of a healthy database it replaced, or
    where a damaged one was moved and what only it held."""

    safety: Path | None = None
    damaged: Path | None = None
    salvage: Salvage | None = None


def restore_backup(source: Path | str, data_dir: Path | str | None = None) -> Restored:
    """Replace the database with a backup.

    A healthy database is first backed up, then overwritten through the backup API (so other
    connections stay consistent); a damaged one is moved aside, never deleted, after the answers
    it holds and the backup lacks are read (as far as they can be) into a CSV file beside it.
    """
    from trainer.core.store.salvage import salvage_answers

    source = Path(source)
    _check_restorable(source)
    db_path = paths.user_data_dir(data_dir) / DB_NAME
    staged = db_path.with_name(DB_NAME + ".restoring")
    try:
        private_folder(db_path.parent)
        staged.unlink(missing_ok=True)
        _copy(source, private_file(staged))
        if not db_path.exists():
            os.replace(staged, db_path)
            return Restored()
        if not is_good(db_path):
            stamp = datetime.now(UTC).strftime(_STAMP)
            aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
            salvage = salvage_answers(db_path, source, Path(f"{aside}-answers.csv"))
            for suffix in ("", "-wal", "-shm"):
                part = db_path.with_name(db_path.name + suffix)
                if part.exists():
                    os.replace(part, part.with_name(f"{part.name}.damaged-{stamp}"))
            os.replace(staged, db_path)
            return Restored(damaged=aside, salvage=salvage)
        live = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
        try:
            safety = backup_database(live, db_path, "before-restore")
            _copy(staged, live)
        finally:
            live.close()
        return Restored(safety=safety)
    except OSError as exc:
        raise TrainerError(os_problem(db_path, exc, "cannot restore")) from exc
    except sqlite3.DatabaseError as exc:
        raise TrainerError(describe_failure(db_path, exc)) from exc
    finally:
        staged.unlink(missing_ok=True)


def _copy(source: Path, target: Path | sqlite3.Connection) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = target if isinstance(target, sqlite3.Connection) else sqlite3.connect(target)
    try:
        src.backup(dst)
        if not isinstance(target, sqlite3.Connection):
            _fsync(target)
    finally:
        src.close()
        if dst is not target:
            dst.close()
