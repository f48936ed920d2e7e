"""The progress store: one SQLite database per workstation, its schema kept by sqlite-utils.

Every write runs in its own `BEGIN IMMEDIATE` transaction (so two processes sharing a workstation
queue on the busy timeout instead of failing), with WAL and `synchronous=FULL`: when
`record_answer` returns, the answer is on disk.

sqlite-utils takes longer to import than the rest of start-up, and the store's own queries are
plain SQL: it is imported only to create or migrate a database, or when `Store.db` is first used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from trainer.core import paths
from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import (
    ANSWER_COLUMNS,
    INSERT_ANSWER,
    answer_params,
    answer_row,
    read_answer,
    read_answers,
    summarise_after,
)
from trainer.core.store.files import (
    BUSY_TIMEOUT_S,
    DB_NAME,
    check_folder_access,
    import_under_way,
    is_busy,
    os_problem,
    private_file,
    private_folder,
    waiting_to_write,
)
from trainer.core.store.integrity import IntegrityGate
from trainer.core.store.records import (
    AnswerRecord,
    AnswerRow,
    SessionRow,
    Trainee,
    check_slug,
    check_unit,
    from_iso,
    new_id,
    now,
    to_iso,
)
from trainer.core.store.spool import (
    ANSWER,
    DRAIN_BATCH,
    FINISH_SESSION,
    FINISHED,
    FORGET_UNFINISHED,
    INSERT_SESSION,
    SESSION,
    UNFINISHED,
    UPSERT_UNFINISHED,
    Spool,
    apply,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

    from trainer.core.store.protocol import ResultsStore

ANALYSIS_LIMIT = 400  # rows per index that PRAGMA optimize reads (as SQLite advises)
CACHE_SIZE = -32768  # KiB: 32 MiB of page cache keeps a big database's index look-ups quick
# Bytes of write-ahead log kept once it has been copied back: without a limit the file stays as
# large as the largest transaction ever (a million-answer import: 1.5 GB) until the last close.
WAL_LIMIT = 64 * 2**20
# The names of the migrations in schema.py (test_store_migrations keeps them in step): a database
# with exactly these applied opens with plain SQL. sqlite-utils records them in this table.
SCHEMA_STEPS = (
    "m0001_progress",
    "m0002_dashboard",
    "m0003_regrades",
    "m0004_unfinished_quizzes",
    "m0005_supervisor_status",
    "m0006_figures",
    "m0007_central_outbox",
    "m0008_schedule_certainty",
    "m0009_xapi_sent",
    "m0010_outcome_kinds",
    "m0011_trusted_keys",
    "m0012_trainee_unit",
    "m0013_history_outbox",
)
# The meta key `trainer central set --unit` writes (central.sync.UNIT_KEY; a test reads it back).
CENTRAL_UNIT_KEY = "central_unit"
MIGRATIONS_QUERY = (
    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'trainer' ORDER BY rowid"
)


class Store:
    """The progress database of one workstation (or an in-memory one for tests)."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, integrity: IntegrityGate | None = None
    ) -> None:
        self.conn = conn
        self.path = path
        self.integrity = integrity or IntegrityGate()  # writes wait for its verdict
        self.workstation_id: str = self._meta("workstation_id")
        # Where a quiz's writes go while an import holds the database (`spool`).
        self.spool = Spool(path) if path is not None else None

    @classmethod
    def memory(cls) -> Store:
        from sqlite_utils import Database

        from trainer.core.store.schema import migrations

        db = Database(memory=True, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
        return cls(db.conn, None)

    @functools.cached_property
    def db(self) -> Database:
        """sqlite-utils over the same connection, for schema and maintenance work."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False, recursive_triggers=False)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # a planner hint; closing must not fail on it
            # A sampled ANALYZE: the partial indexes on answers have no statistics while no
            # answer is in them, so `optimize` re-analyses the whole answers table at every close
            # (over a second of CPU at a million answers, on every dashboard loading thread).
            self.conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            self.conn.execute("PRAGMA optimize")
        self.conn.close()
        if self.spool is not None:
            self.spool.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _meta(self, key: str) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        if row is None:
            raise TrainerError(f"{self.path or 'database'}: meta: {key} is missing")
        return str(row[0])

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite failures into one-line TrainerErrors naming the database."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            from trainer.core.store.backups import describe_failure

            raise TrainerError(describe_failure(self.path, exc)) from exc

    @contextmanager
    def write(self, bookkeeping: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so concurrent writers wait instead of failing;
        never before the database has passed its check, except a quiz's `bookkeeping` (its
        session, its resumable state, a setting), which only a check that found damage stops."""
        if bookkeeping:
            self.integrity.refuse_if_damaged()
        else:
            self.integrity.wait()
        with self.guard():
            with waiting_to_write(self.path):  # a chunked import pauses for us
                self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    @contextmanager
    def unchecked_references(self) -> Iterator[None]:
        """Around a `write()` that deletes quiz sessions after their answers (a profile reset).
        SQLite checks each deleted session against every answer, a full scan each (there is no
        index on answers.session_id: it would slow every insert), so the checks are off, and the
        caller deletes what would cascade itself."""
        self.conn.execute("PRAGMA foreign_keys = OFF")  # (outside a transaction, or a no-op)
        try:
            yield
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def query(
        self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """All rows of a read query (parameters by position, or by :name from a mapping)."""
        bound = params if isinstance(params, Mapping) else list(params)
        with self.guard():
            return self.conn.execute(sql, bound).fetchall()

    # Trainees and sessions ------------------------------------------------------------------

    def create_trainee(
        self, name: str, staff_number: str, role: str, unit: str | None = None
    ) -> Trainee:
        name, staff_number, role = Trainee.checked(name, staff_number, role)
        trainee = Trainee(new_id(), name, staff_number, role, now(), check_unit(unit))
        with self.write() as conn:
            taken = conn.execute(
                "SELECT name FROM trainees WHERE staff_number = ?", [staff_number]
            ).fetchone()
            if taken:
                raise TrainerError(f"staff number: {staff_number} is already used by {taken[0]}")
            conn.execute(
                "INSERT INTO trainees (id, name, staff_number, role, created_at, workstation_id,"
                " unit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [trainee.id, name, staff_number, role, to_iso(trainee.created_at),
                 self.workstation_id, trainee.unit],
            )  # fmt: skip
        return trainee

    def set_trainee_unit(self, trainee_id: str, unit: str | None) -> Trainee:
        """Put a profile in a unit (None: no unit) on this workstation; returns it changed."""
        trainee = self.trainee(trainee_id)
        unit = check_unit(unit)
        with self.write() as conn:
            conn.execute(
                "UPDATE trainees SET unit = ? WHERE id = ? AND unit IS NOT ?",
                [unit, trainee.id, unit],
            )
        return dataclasses.replace(trainee, unit=unit)

    def workstation_unit(self) -> str | None:
        """The unit this workstation's new profiles join (`trainer central set --unit`), if set."""
        rows = self.query("SELECT value FROM meta WHERE key = ?", [CENTRAL_UNIT_KEY])
        return str(rows[0][0]) if rows else None

    def trainees(self) -> list[Trainee]:
        rows = self.query(
            "SELECT id, name, staff_number, role, created_at, unit FROM trainees "
            "ORDER BY name COLLATE NOCASE, staff_number"
        )
        return [Trainee(r[0], r[1], r[2], r[3], from_iso(r[4]), r[5]) for r in rows]

    def trainee(self, trainee_id: str) -> Trainee:
        """The trainee with this id (or, failing that, this staff number)."""
        rows = self.query(
            "SELECT id, name, staff_number, role, created_at, unit FROM trainees "
            "WHERE id = ? OR staff_number = ? ORDER BY id = ? DESC LIMIT 1",
            [trainee_id, trainee_id, trainee_id],
        )
        if not rows:
            raise TrainerError(f"trainee: no trainee with id or staff number {trainee_id!r}")
        r = rows[0]
        return Trainee(r[0], r[1], r[2], r[3], from_iso(r[4]), r[5])

    def start_session(self, trainee_id: str, mode: str) -> str:
        check_slug(mode, "mode")
        session_id, started = new_id(), now()
        body = [session_id, trainee_id, mode, to_iso(started), started.timestamp(),
                self.workstation_id]  # fmt: skip
        spool = self._spooling()
        if spool is not None:
            if not self.query("SELECT 1 FROM trainees WHERE id = ?", [trainee_id]):
                raise TrainerError(f"trainee: no trainee with id {trainee_id!r}")
            spool.append(SESSION, trainee_id, session_id, body)
            return session_id
        with self.write(bookkeeping=True) as conn:
            if not conn.execute("SELECT 1 FROM trainees WHERE id = ?", [trainee_id]).fetchone():
                raise TrainerError(f"trainee: no trainee with id {trainee_id!r}")
            conn.execute(INSERT_SESSION, body)
        return session_id

    def finish_session(self, session_id: str) -> None:
        """Close a quiz session; an unfinished quiz kept for it is gone with it."""
        spool = self._spooling()
        if spool is not None:
            owner = self._session_owner(session_id, spool)
            if owner is None:
                raise TrainerError(f"session: no quiz session with id {session_id!r}")
            spool.append(FINISHED, owner[0], session_id, [to_iso(now())])
            return
        with self.write(bookkeeping=True) as conn:
            done = conn.execute(FINISH_SESSION, [to_iso(now()), session_id])
            if done.rowcount == 0:
                raise TrainerError(f"session: no quiz session with id {session_id!r}")
            conn.execute(FORGET_UNFINISHED, [session_id])

    def save_unfinished(self, trainee_id: str, session_id: str, state: str) -> None:
        """Keep the trainee's quiz under way (one per trainee), durably, to resume after a crash."""
        spool = self._spooling()
        if spool is not None:
            owner = self._session_owner(session_id, spool)
            if owner is None or owner != (trainee_id, True):
                raise self._not_open(trainee_id, session_id)
            spool.append(UNFINISHED, trainee_id, session_id, [state, to_iso(now())])
            return
        with self.write(bookkeeping=True) as conn:
            owner = conn.execute(
                "SELECT trainee_id FROM quiz_sessions WHERE id = ? AND finished_at IS NULL",
                [session_id],
            ).fetchone()
            if owner is None or owner[0] != trainee_id:
                raise self._not_open(trainee_id, session_id)
            conn.execute(UPSERT_UNFINISHED, [trainee_id, session_id, state, to_iso(now())])

    @staticmethod
    def _not_open(trainee_id: str, session_id: str) -> TrainerError:
        return TrainerError(
            f"session: no open quiz session {session_id!r} for trainee {trainee_id!r}"
        )

    def unfinished_quiz(self, trainee_id: str) -> tuple[str, str] | None:
        """The session id and state document of the trainee's unfinished quiz, if any."""
        rows = self.query(
            "SELECT session_id, state FROM unfinished_quizzes WHERE trainee_id = ?", [trainee_id]
        )
        kept = (rows[0][0], rows[0][1]) if rows else None
        return kept if self.spool is None else self.spool.unfinished(trainee_id, kept)

    # While an import holds the database -------------------------------------------------------

    def _spooling(self) -> Spool | None:
        """The spool, when an import holds the database in one transaction (a quiz's write goes
        there instead of waiting); None otherwise, once what an import left in it is replayed."""
        if self.spool is None:
            return None
        if import_under_way(self.path):
            self.integrity.refuse_if_damaged()
            return self.spool
        self.replay_kept()
        return None

    def replay_kept(self) -> int:
        """Replay what an import left in the spool (one that died before replaying it), unless
        an import holds the database now; returns how many operations."""
        if self.spool is None or not self.spool.pending():
            return 0
        return self.drain_spool()

    def drain_spool(self) -> int:
        """Replay the quiz writes kept in the spool (unless an import still holds the database);
        returns how many were replayed."""
        if self.spool is None or import_under_way(self.path):
            return 0
        done = 0
        while True:  # in batches, so that a submit meanwhile waits for one at most
            with self.spool.taken(DRAIN_BATCH) as ops:
                if ops:
                    with self.write() as conn:
                        first = conn.execute("SELECT coalesce(max(seq), 0) FROM answers")
                        after = int(first.fetchone()[0])
                        for op in ops:
                            apply(conn, op, summarise=False)
                        summarise_after(conn, after)
            done += len(ops)
            if len(ops) < DRAIN_BATCH:
                return done

    def _session_owner(self, session_id: str, spool: Spool) -> tuple[str, bool] | None:
        """A session's trainee and whether it is still open, stored or spooled."""
        rows = self.query(
            "SELECT trainee_id, finished_at IS NULL FROM quiz_sessions WHERE id = ?", [session_id]
        )
        spooled, finished = spool.session(session_id)
        trainee, open_ = (rows[0][0], bool(rows[0][1])) if rows else (spooled, True)
        return None if trainee is None else (trainee, open_ and not finished)

    def sessions(self, trainee_id: str) -> list[SessionRow]:
        rows = self.query(
            "SELECT id, trainee_id, mode, started_at, finished_at, workstation_id "
            "FROM quiz_sessions WHERE trainee_id = ? ORDER BY started_ts, rowid",
            [trainee_id],
        )
        return [
            SessionRow(r[0], r[1], r[2], from_iso(r[3]), from_iso(r[4]) if r[4] else None, r[5])
            for r in rows
        ]

    # Answers ----------------------------------------------------------------------------------

    def record_answer(self, record: AnswerRecord) -> str:
        """Store one answer durably (committed and synced before this returns); returns its id.
        While an import holds the database it goes to the spool, as durably (`spool`)."""
        params = answer_params(record, self.workstation_id)
        spool = self._spooling()
        if spool is not None:
            owner = self._session_owner(record.session_id, spool)
            self._check_owner(record, owner[0] if owner else None)
            spool.append(ANSWER, record.trainee_id, record.session_id, list(params))
            return record.id
        with self.write() as conn:
            owner = conn.execute(
                "SELECT trainee_id FROM quiz_sessions WHERE id = ?", [record.session_id]
            ).fetchone()
            self._check_owner(record, owner[0] if owner else None)
            cursor = conn.execute(INSERT_ANSWER, params)
            if cursor.rowcount == 1 and cursor.lastrowid is not None:  # 0: recorded before
                summarise_after(conn, cursor.lastrowid - 1)
        return record.id

    @staticmethod
    def _check_owner(record: AnswerRecord, owner: str | None) -> None:
        if owner is None:
            raise TrainerError(f"session: no quiz session with id {record.session_id!r}")
        if owner != record.trainee_id:
            raise TrainerError(
                f"session: quiz session {record.session_id} belongs to another trainee"
            )

    def record_answers(self, records: Iterable[AnswerRecord]) -> int:
        """The bulk path: many answers in one transaction (imports, fixtures); returns the count."""
        rows = (answer_params(r, self.workstation_id) for r in records)
        with self.write() as conn:
            return self.insert_answer_rows(conn, rows)

    def insert_answer_rows(self, conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert `answer_params` rows and update the summaries, inside a `write()` block."""
        after = conn.execute("SELECT coalesce(max(seq), 0) FROM answers").fetchone()[0]
        conn.execute("PRAGMA cache_size = -131072")  # 128 MiB while index pages churn
        try:
            added = conn.executemany(INSERT_ANSWER, rows).rowcount
            summarise_after(conn, after)
        finally:
            conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
        return added

    def answers(
        self,
        trainee_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
    ) -> list[AnswerRow]:
        """Stored answers in the order they were given; `since` inclusive, `until` exclusive."""
        return read_answers(self.query, ANSWER_COLUMNS, trainee_id, since, until, topic)

    def answers_waiting(self, trainee_id: str) -> int:
        """How many of the trainee's answers wait in the spool for an import to end."""
        return 0 if self.spool is None else self.spool.answers_waiting(trainee_id)

    def answer(self, answer_id: str) -> AnswerRow:
        """One stored answer in full; TrainerError when there is none with this id."""
        return read_answer(self.query, ANSWER_COLUMNS, answer_id)

    def session_answers(self, session_id: str) -> list[AnswerRow]:
        # Through the trainee's index: a session index would slow every insert for a rare view.
        rows = self.query(
            f"SELECT {ANSWER_COLUMNS} FROM answers WHERE trainee_id = (SELECT trainee_id "
            "FROM quiz_sessions WHERE id = ?1) AND session_id = ?1 ORDER BY answered_ts, seq",
            [session_id],
        )
        if self.spool is not None:  # and those kept while an import holds the database
            rows += self.spool.session_answers(session_id, (r[0] for r in rows))
        return [answer_row(r) for r in rows]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
    conn.execute("PRAGMA recursive_triggers = ON")  # as a sqlite-utils Database sets it
    conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT}")
    return conn


def _check_version(path: Path) -> None:
    """Refuse a newer trainer's database through a read-only connection: it stays untouched."""
    from sqlite_utils import Database

    from trainer.core.store.versions import refuse_newer

    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        refuse_newer(Database(conn, execute_plugins=False, recursive_triggers=False), path)
    finally:
        conn.close()


def _prepare(conn: sqlite3.Connection, timeout: float = BUSY_TIMEOUT_S) -> None:
    """WAL with full sync: a committed answer survives a crash or a power cut.

    Turning an older rollback-journal database into WAL needs an exclusive lock, taken from the
    shared lock the statement reads with. When two processes open such a database at once, SQLite
    fails the one that would deadlock at once, without its busy timeout: so that one waits here
    (up to `timeout` seconds) and tries again; by then the other has made the file WAL.
    """
    old = conn.isolation_level
    conn.isolation_level = None
    deadline = time.monotonic() + timeout
    pause = 0.005
    try:
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
        conn.execute("PRAGMA synchronous = FULL")
    finally:
        conn.isolation_level = old


def _up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether exactly this version's migrations are applied (a read: nothing is changed)."""
    try:
        return tuple(name for (name,) in conn.execute(MIGRATIONS_QUERY)) == SCHEMA_STEPS
    except sqlite3.Error:  # no migrations table: new, or not a trainer database
        return False


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply pending migrations in one transaction, backing up first (when there is data)."""
    from sqlite_utils import Database

    from trainer.core.store.backups import backup_database
    from trainer.core.store.schema import migrations
    from trainer.core.store.versions import applied_steps

    db = Database(conn, execute_plugins=False, recursive_triggers=False)
    if not migrations.pending(db):
        return
    if applied_steps(db):
        backup_database(conn, path, "migration")
    conn.execute("BEGIN IMMEDIATE")  # a second process opening at once waits, then finds none
    try:
        migrations.apply(db)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def open_store(
    data_dir: Path | str | None = None, check: str = "now", integrity: IntegrityGate | None = None
) -> Store:
    """Open (creating or migrating if need be) the progress database in the user data folder.

    The folder and the files are created readable only by their owner; what an interrupted backup
    left behind is deleted. An existing database must pass `PRAGMA quick_check` (a damaged one is
    refused, naming the newest good backup): with `check="now"` before this returns; with
    "background" on a thread of its own, every write waiting for the verdict; with "shared", as
    `integrity` (another connection's check of the same file) decides.
    """
    from trainer.core.store.backups import (
        check_database_file,
        check_integrity,
        clean_leftovers,
        describe_failure,
    )

    folder = paths.user_data_dir(data_dir)
    try:
        private_folder(folder)
        check_folder_access(folder)
    except OSError as exc:
        raise TrainerError(os_problem(folder, exc, "cannot create or use the data folder")) from exc
    path = folder / DB_NAME
    check_database_file(path)
    conn: sqlite3.Connection | None = None
    try:
        clean_leftovers(path)
        existed = path.exists() and path.stat().st_size > 0
        private_file(path)  # SQLite gives its -wal and -shm files the database's mode
        conn = _connect(path)
        gate = integrity if check == "shared" and integrity is not None else IntegrityGate()
        if existed and check == "now":
            check_integrity(conn, path)
        elif existed and check == "background":
            gate = IntegrityGate(done=False)
            gate.start(path)
        current = existed and _up_to_date(conn)  # the usual start: no sqlite-utils needed
        if existed and not current:
            _check_version(path)
        _prepare(conn)
        if not current:
            gate.wait()  # a migration writes
            _migrate(conn, path)
        store = Store(conn, path, gate)
        if conn.execute("SELECT 1 FROM import_journal LIMIT 1").fetchone():
            from trainer.core.store.import_journal import undo_import

            undo_import(store)  # an import killed half-way is taken out
        if check == "now":
            store.replay_kept()
        return store
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise TrainerError(describe_failure(path, exc)) from exc
    except OSError as exc:
        if conn is not None:
            conn.close()
        raise TrainerError(os_problem(exc.filename or path, exc)) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise


if TYPE_CHECKING:  # mypy checks here that the SQLite store keeps to the protocol

    def _keeps_to_the_protocol(store: Store) -> ResultsStore:
        return store
