"""The rows an import under way has added so far, so that one that fails or is killed half-way
can be taken out again: an import is all or nothing once it has returned (see `bundles`)."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import AbstractContextManager
from typing import Protocol

from trainer.core.store.answer_rows import count_running_again, uncount_answers


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
                    _take_out_answers(conn, after, last)
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


def _take_out_answers(conn: sqlite3.Connection, after: int, last: int) -> None:
    seqs = [s for (s,) in conn.execute(_SEQS, [after, last]).fetchall()]
    trainees = [t for (t,) in conn.execute(_TRAINEES, [after, last]).fetchall()]
    uncount_answers(conn, seqs)
    conn.execute("DELETE FROM answers WHERE seq > ? AND seq <= ?", [after, last])
    listed = json.dumps(trainees)
    for statement in _TIDY:
        conn.execute(statement, [listed])
    count_running_again(conn, trainees)


_THEIRS = "trainee_id IN (SELECT value FROM json_each(?))"
_TIDY = (  # what taking answers out of the totals leaves otherwise than counting afresh would
    f"DELETE FROM trainee_findings WHERE n = 0 AND {_THEIRS}",
    f"DELETE FROM trainee_totals WHERE attempts = 0 AND {_THEIRS}",
    "UPDATE trainee_totals SET (last_answered_at, last_ts) = (SELECT answered_at, answered_ts "
    "FROM answers a WHERE a.trainee_id = trainee_totals.trainee_id AND a.exam = "
    f"trainee_totals.exam ORDER BY answered_ts DESC LIMIT 1) WHERE {_THEIRS}",
)
_SEQS = "SELECT seq FROM answers WHERE seq > ? AND seq <= ?"
_TRAINEES = "SELECT DISTINCT trainee_id FROM answers WHERE seq > ? AND seq <= ?"
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
