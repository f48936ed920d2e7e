"""A trainee's quiz writes made while a bundle import holds the database in one transaction
(minutes, at a million answers): the session, its resumable state and its answers go to
`<database>-spool`, a small SQLite file of their own, on disk (synchronous FULL) before the call
returns. So a submit never waits for an import, and another window sees the import whole or not at
all. The spool is replayed into the database in order (`drain`) when the import ends: by the
importer, or, after an importer that died, by the next quiz write or opening of the database.
Replaying an operation twice changes nothing, so a drain cut short is simply done again.

Until it is replayed, a spooled answer is in the trainee's quiz (it is resumed where it stood,
`unfinished`, `session_answers`) but not yet in the figures, the history or the rule schedule.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import INSERT_ANSWER, summarise_after
from trainer.core.store.files import BUSY_TIMEOUT_S, os_problem, private_file

SESSION, UNFINISHED, FINISHED, ANSWER = "session", "unfinished", "finished", "answer"
DRAIN_BATCH = 200  # operations replayed per transaction: a submit meanwhile waits for one

INSERT_SESSION = (
    "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, workstation_id) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)
UPSERT_UNFINISHED = (
    "INSERT INTO unfinished_quizzes (trainee_id, session_id, state, saved_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (trainee_id) DO UPDATE SET "
    "session_id = excluded.session_id, state = excluded.state, saved_at = excluded.saved_at"
)
FINISH_SESSION = "UPDATE quiz_sessions SET finished_at = coalesce(finished_at, ?) WHERE id = ?"
FORGET_UNFINISHED = "DELETE FROM unfinished_quizzes WHERE session_id = ?"


def spool_file(database: Path) -> Path:
    return database.with_name(f"{database.name}-spool")


Op = tuple[int, str, str, str, list[Any], float]  # n, kind, trainee, session, body, when kept


class Spool:
    """The spool beside one database, through one connection (opened when first needed)."""

    def __init__(self, database: Path) -> None:
        self.path = spool_file(database)
        self._conn: sqlite3.Connection | None = None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn the spool's SQLite and disk failures into one line naming it."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorname", "")
            if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                raise TrainerError(
                    f"{self.path}: is damaged ({exc}); move it aside (the answers in it cannot be "
                    "read) and try again"
                ) from exc
            from trainer.core.store.backups import describe_failure

            raise TrainerError(describe_failure(self.path, exc)) from exc
        except OSError as exc:
            raise TrainerError(os_problem(self.path, exc)) from exc

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        with self._guard():
            return self._open(create)

    def _open(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is None:
            if not create and not self.path.exists():
                return None
            private_file(self.path)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS ops (n INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
                "trainee_id TEXT NOT NULL, session_id TEXT NOT NULL, body TEXT NOT NULL, "
                "at REAL NOT NULL)"
            )
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def append(self, kind: str, trainee_id: str, session_id: str, body: list[Any]) -> None:
        """Keep one operation, committed and synced before this returns."""
        conn = self._connection(create=True)
        assert conn is not None
        with self._guard():
            conn.execute(
                "INSERT INTO ops (kind, trainee_id, session_id, body, at) VALUES (?, ?, ?, ?, ?)",
                [kind, trainee_id, session_id, json.dumps(body), time.time()],
            )

    def ops(self, trainee_id: str | None = None) -> list[Op]:
        """The operations kept, in order (a trainee's only, when given)."""
        return self._ops("?1 IS NULL OR trainee_id = ?1", [trainee_id])

    def _ops(self, where: str, params: list[Any], limit: int = -1) -> list[Op]:
        rows = self._query(
            f"SELECT n, kind, trainee_id, session_id, body, at FROM ops WHERE {where} "
            "ORDER BY n LIMIT ?",
            [*params, limit],
        )
        return [(n, kind, t, s, json.loads(body), at) for n, kind, t, s, body, at in rows]

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        conn = self._connection(create=False)
        if conn is None:
            return []
        with self._guard():
            return conn.execute(sql, params).fetchall()

    def pending(self) -> bool:
        return bool(self._query("SELECT 1 FROM ops LIMIT 1", []))

    @contextmanager
    def taken(self, limit: int = DRAIN_BATCH) -> Iterator[list[Op]]:
        """The first `limit` operations kept, under the spool's write lock; they leave it when
        the block ends without an exception (after the caller has committed them to the
        database)."""
        conn = self._connection(create=False)
        if conn is None:
            yield []
            return
        with self._guard():
            conn.execute("BEGIN IMMEDIATE")
        try:
            ops = self._ops("1", [], limit)
            yield ops
            with self._guard():
                if ops:
                    conn.execute("DELETE FROM ops WHERE n <= ?", [ops[-1][0]])
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def session(self, session_id: str) -> tuple[str | None, bool]:
        """The trainee of a session started in the spool (None if it was not), and whether the
        session was finished in it."""
        rows = self._query(
            "SELECT max(CASE WHEN kind = ? THEN trainee_id END), coalesce(max(kind = ?), 0) "
            "FROM ops WHERE session_id = ?",
            [SESSION, FINISHED, session_id],
        )
        return (rows[0][0], bool(rows[0][1])) if rows else (None, False)

    def unfinished(self, trainee_id: str, stored: tuple[str, str] | None) -> tuple[str, str] | None:
        """The trainee's unfinished quiz (session id, state) after the spooled operations."""
        kept = stored
        ops = self._ops("trainee_id = ? AND kind IN (?, ?)", [trainee_id, UNFINISHED, FINISHED])
        for _, kind, _, session, body, _ in ops:
            if kind == UNFINISHED:
                kept = (session, body[0])
            elif kept is not None and kept[0] == session:
                kept = None
        return kept

    def session_answers(
        self, session_id: str, besides: Iterable[str] = ()
    ) -> list[tuple[Any, ...]]:
        """The answers spooled for a session but those with an id in `besides` (stored already),
        in order, as INSERT_ANSWER parameters (the columns of `answer_rows.ANSWER_COLUMNS`)."""
        stored = set(besides)
        ops = self._ops("session_id = ? AND kind = ?", [session_id, ANSWER])
        return [tuple(op[4]) for op in ops if op[4][0] not in stored]

    def answers_waiting(self, trainee_id: str) -> int:
        """How many of the trainee's answers wait in the spool."""
        rows = self._query(
            "SELECT count(*) FROM ops WHERE trainee_id = ? AND kind = ?", [trainee_id, ANSWER]
        )
        return int(rows[0][0]) if rows else 0


def apply(conn: sqlite3.Connection, op: Op, summarise: bool = True) -> bool:
    """Replay one spooled operation inside a write transaction; False when it no longer applies:
    its trainee's profile was reset or removed after it was kept (which would have taken it out
    had it been stored), as an import leaves out answers given before a reset. Without
    `summarise`, the caller brings the summaries up to date after a batch (`summarise_after`)."""
    _, kind, trainee_id, session_id, body, at = op
    reset = conn.execute(
        "SELECT max(reset_ts) FROM trainee_resets WHERE trainee_id = ?", [trainee_id]
    ).fetchone()[0]
    if reset is not None and at <= reset:
        return False
    if kind == SESSION:
        if conn.execute("SELECT 1 FROM trainees WHERE id = ?", [trainee_id]).fetchone() is None:
            return False
        conn.execute(INSERT_SESSION, body)
        return True
    owner = conn.execute(
        "SELECT trainee_id, finished_at IS NULL FROM quiz_sessions WHERE id = ?", [session_id]
    ).fetchone()
    if owner is None or owner[0] != trainee_id:
        return False
    if kind == UNFINISHED:
        if not owner[1]:
            return False  # finished meanwhile: nothing to resume
        conn.execute(UPSERT_UNFINISHED, [trainee_id, session_id, *body])
    elif kind == FINISHED:
        conn.execute(FINISH_SESSION, [body[0], session_id])
        conn.execute(FORGET_UNFINISHED, [session_id])
    elif kind == ANSWER:
        cursor = conn.execute(INSERT_ANSWER, body)
        if summarise and cursor.rowcount == 1 and cursor.lastrowid is not None:  # 0: replayed
            summarise_after(conn, cursor.lastrowid - 1)
    else:
        return False
    return True
