"""The rows an import under way has added so far, so that one that fails or is killed half-way
can be taken out again: an import is all or nothing once it has returned (see `bundles`)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol

from trainer.core.store.answer_rows import delete_answers


class Store(Protocol):  # the store's write transaction (sqlite.Store)
    def write(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def unchecked_references(self) -> AbstractContextManager[None]: ...


def undo_import(store: Store, import_id: str | None = None) -> int:
    """Take out what an unfinished import added (`import_id`), or every import whose process is
    gone (None: at start, and before the next import); returns how many imports were taken out.

    Its work grows with what the import added, not with the database: its answers leave the
    summaries by key, the running sums of their trainees are counted again, and a session or
    trainee is looked up in the answers through the trainee index."""
    with store.unchecked_references(), store.write() as conn:
        if import_id is None:
            ids = [i for i, pid in conn.execute(_UNFINISHED).fetchall() if not _alive(pid)]
        else:
            ids = [import_id]
        for one in ids:
            ranges = conn.execute(
                "SELECT tbl, after_row, last_row FROM import_journal WHERE import_id = ? "
                "ORDER BY tbl = 'answers' DESC, tbl = 'quiz_sessions' DESC",
                [one],
            ).fetchall()
            for table, after, last in ranges:
                if table == "answers":
                    delete_answers(conn, after, last)
                    continue
                if table == "quiz_sessions":  # (checks are off: what would cascade goes too)
                    conn.execute(
                        "DELETE FROM unfinished_quizzes WHERE session_id IN (SELECT id FROM "
                        f"quiz_sessions WHERE rowid > ? AND rowid <= ?{_STILL_NEEDED[table]})",
                        [after, last],
                    )
                conn.execute(
                    f"DELETE FROM {table} WHERE rowid > ? AND rowid <= ?{_STILL_NEEDED[table]}",
                    [after, last],
                )
            conn.execute("DELETE FROM import_journal WHERE import_id = ?", [one])
    return len(ids)


class Reader(Protocol):  # a store's read queries
    def query(self, sql: str) -> list[tuple[Any, ...]]: ...


def answers_being_imported(store: Reader) -> int | None:
    """How many answers imports still under way have added so far, as readers see them; None when
    no import is under way. An import in one transaction shows nothing until it ends; one that
    yielded to another writer goes in in steps, each visible as it lands (see `import_pace`)."""
    rows = store.query(
        "SELECT pid, sum(CASE WHEN tbl = 'answers' THEN last_row - after_row ELSE 0 END) "
        "FROM import_journal GROUP BY import_id, pid"
    )
    live = [int(n or 0) for pid, n in rows if _alive(int(pid))]
    return sum(live) if live else None


_UNFINISHED = "SELECT DISTINCT import_id, pid FROM import_journal"
_STILL_NEEDED = {  # a session or trainee that something else uses by now stays
    "quiz_sessions": " AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.trainee_id = "
    "quiz_sessions.trainee_id AND a.session_id = quiz_sessions.id)",
    "trainees": " AND NOT EXISTS (SELECT 1 FROM quiz_sessions s WHERE s.trainee_id = trainees.id)"
    " AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.trainee_id = trainees.id)"
    " AND NOT EXISTS (SELECT 1 FROM trainee_resets r WHERE r.trainee_id = trainees.id)",
}


def _alive(pid: int) -> bool:
    """Whether a process with this id still runs (then its import may be under way)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another account's process: alive
        return True
    return True
