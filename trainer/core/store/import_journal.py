"""The rows an import under way has added so far, so that one that fails or is killed half-way
can be taken out again: an import is all or nothing once it has returned (see `bundles`)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from typing import Protocol

from trainer.core.store.answer_rows import SUMMARY_TABLES, summarise_after


class Store(Protocol):  # the store's write transaction (sqlite.Store)
    def write(self) -> AbstractContextManager[sqlite3.Connection]: ...


def undo_import(store: Store, import_id: str | None = None) -> int:
    """Take out what an unfinished import added (`import_id`), or every import whose process is
    gone (None: at start, and before the next import); returns how many imports were taken out."""
    with store.write() as conn:
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
                key = "seq" if table == "answers" else "rowid"
                conn.execute(
                    f"DELETE FROM {table} WHERE {key} > ? AND {key} <= ?{_STILL_NEEDED[table]}",
                    [after, last],
                )
            conn.execute("DELETE FROM import_journal WHERE import_id = ?", [one])
        if ids:  # the summaries, counted again from the answers that stay
            for table in SUMMARY_TABLES:
                conn.execute(f"DELETE FROM {table}")
            summarise_after(conn, -(2**63))
    return len(ids)


_UNFINISHED = "SELECT DISTINCT import_id, pid FROM import_journal"
_STILL_NEEDED = {  # a session or trainee that something else uses by now stays
    "answers": "",
    "quiz_sessions": " AND id NOT IN (SELECT session_id FROM answers)",
    "trainees": " AND id NOT IN (SELECT trainee_id FROM quiz_sessions UNION "
    "SELECT trainee_id FROM answers UNION SELECT trainee_id FROM trainee_resets)",
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
