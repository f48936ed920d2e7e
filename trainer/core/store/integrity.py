"""`PRAGMA quick_check` of the progress database when it is opened.

At 1,000,000 answers (772 MiB) the check takes 7-10 s, about 18 full scans of the answers table
(`./dev bench -k quick_check`): the command line waits for it before doing anything, while the
application starts it on a thread of its own as the database opens, shows the first screen at
once, and makes every write of results (answers, imports, regrading, profiles, accounts) wait for
the verdict, so no answer is written into a damaged file. A quiz's own bookkeeping (its session,
the state kept to resume it, the retention setting) is written before the verdict, so that the
first scenario need not wait for a check of a large file; once the check has found damage, that
too is refused.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from trainer.core.errors import TrainerError

Notify = Callable[[str | None], None]  # called with the problem, or None when the file is sound


class IntegrityGate:
    """The verdict of one quick_check; `wait()` blocks until it is known, then raises if bad."""

    def __init__(self, problem: str | None = None, done: bool = True) -> None:
        self.problem = problem
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._waiting: list[Notify] = []
        if done:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self, path: Path) -> None:
        """Check `path` on a thread of its own (through a read-only connection)."""
        threading.Thread(target=self._run, args=(path,), name="quick_check", daemon=True).start()

    def _run(self, path: Path) -> None:
        from trainer.core.store.backups import describe_failure, integrity_problem

        try:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=15.0)
            try:
                problem = integrity_problem(conn, path)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            problem = describe_failure(path, exc)
        except Exception as exc:  # a check that cannot run must not pass for a good one
            problem = f"{path}: cannot be checked: {exc}"
        self.finish(problem)

    def finish(self, problem: str | None) -> None:
        with self._lock:
            self.problem = problem
            self._done.set()
            waiting, self._waiting = self._waiting, []
        for notify in waiting:
            notify(problem)

    def on_done(self, notify: Notify) -> None:
        """Call `notify` with the verdict: now if it is known, else from the checking thread."""
        with self._lock:
            if not self._done.is_set():
                self._waiting.append(notify)
                return
        notify(self.problem)

    def refuse_if_damaged(self) -> None:
        """Raise the damage as a TrainerError if the check has found some; never wait for it."""
        if self._done.is_set() and self.problem:
            raise TrainerError(self.problem)

    def wait(self) -> None:
        """Block until the verdict is known; raise the damage as a TrainerError."""
        self._done.wait()
        if self.problem:
            raise TrainerError(self.problem)
