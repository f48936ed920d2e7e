"""The database file's name, how long a connection waits for another writer, and the files the
store creates: readable only by their owner (folders 0700, files 0600), with plain messages when
the operating system refuses."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no waiting-writer signal; chunked jobs always pause
    fcntl = None  # type: ignore[assignment]

DB_NAME = "progress.db"
BUSY_TIMEOUT_S = 15.0
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (SQLITE_BUSY or _LOCKED)."""
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) readable only by its owner; raises OSError."""
    if not path.is_dir():
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(path, FOLDER_MODE)  # mkdir's mode is masked by the umask
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty, readable only by its owner, unless it exists; raises OSError."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


def os_problem(path: Path | str, exc: OSError, doing: str = "cannot be used") -> str:
    """One line for an operating-system refusal: which path, what happened, what to do."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"{path}: {doing}: permission denied; this user account must be able to read and "
            f"write it (its owner can run: chmod u+rwX '{path}'), or start the trainer with "
            f"--data-dir pointing to a folder of your own"
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"{path}: {doing}: the disk is full; free some space and try again"
    if code == errno.EROFS:
        return (
            f"{path}: {doing}: the disk is read-only; start the trainer with --data-dir "
            f"pointing to a writable folder"
        )
    return f"{path}: {doing}: {exc.strerror or exc}"


def check_folder_access(folder: Path) -> None:
    """Raise PermissionError unless this account can list, read and write `folder`."""
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))


# Waiting writers -------------------------------------------------------------------------------
# SQLite does not say whether another connection is waiting for the write lock, so a writer says
# it: while it waits to begin its transaction it holds a shared lock on `<database>-writers`. A
# long job that writes in chunks (a bundle import) pauses between chunks only when it cannot take
# that lock exclusively, so it runs at full speed when nobody else wants to write.


def writers_file(database: Path) -> Path:
    return database.with_name(f"{database.name}-writers")


@contextmanager
def waiting_to_write(database: Path | None) -> Iterator[None]:
    """Hold the shared `-writers` lock for the duration (a writer about to wait for SQLite)."""
    fd = _open_writers(database)
    if fd is None:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def writer_waiting(database: Path | None) -> bool:
    """Whether another writer is waiting to write `database` (True when it cannot be told; an
    in-memory database has no other writers)."""
    if database is None:
        return False
    fd = _open_writers(database)
    return True if fd is None else _held(fd, fcntl.LOCK_EX)  # held shared by a waiting writer


def _open_writers(database: Path | None) -> int | None:
    if database is None:
        return None
    return _open_lock(writers_file(database))  # None in a read-only folder: a chunked job pauses


def _open_lock(file: Path, flags: int = os.O_RDWR | os.O_CREAT) -> int | None:
    """A descriptor of a lock file, or None where there are no such locks or it cannot open."""
    if fcntl is None:
        return None
    try:
        return os.open(file, flags, FILE_MODE)
    except OSError:
        return None


def _held(fd: int, how: int) -> bool:
    """Whether another holds the lock on `fd` so that it cannot be taken `how` (`fd` closed)."""
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError
        return True
    finally:
        os.close(fd)
    return False


# An import under way ---------------------------------------------------------------------------
# A bundle import going into the database in one transaction holds `<database>-importing`
# exclusively; a trainee's quiz writes, finding it held, go to the spool (`spool`) instead of
# waiting for the whole import.


def importing_file(database: Path) -> Path:
    return database.with_name(f"{database.name}-importing")


@contextmanager
def holding_import(database: Path | None) -> Iterator[bool]:
    """Hold `<database>-importing` exclusively for the duration (waiting for another import to
    finish); yields whether it is held (False where it cannot be: no spool then)."""
    fd = None if database is None else _open_lock(importing_file(database))
    if fd is None:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def import_under_way(database: Path | None) -> bool:
    """Whether an import holds `database` in one transaction (in this process or another)."""
    # None when no import has ever run here (the file is not made by asking) or it cannot be read
    fd = None if database is None else _open_lock(importing_file(database), os.O_RDONLY)
    return fd is not None and _held(fd, fcntl.LOCK_SH)
