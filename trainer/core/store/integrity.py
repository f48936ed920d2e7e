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

import contextlib
import os
import sqlite3
import sys
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
        self._path: Path | None = None
        self._hurried = False  # a write waits: the check runs at normal priority
        self._idle_conn: sqlite3.Connection | None = None  # the check at idle priority
        if done:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def start(self, path: Path) -> None:
        """Check `path` on a thread of its own (through a read-only connection).

        On Linux the thread runs at idle priority, so that on a busy two-core machine the window
        is not slowed while it starts (the first scenario appears as soon with a million answers
        as with none). An idle thread may starve behind other work, so as soon as a write waits
        for the verdict (`wait`), the check is started again at normal priority.
        """
        self._path = path
        self._spawn(path, idle=sys.platform == "linux")

    def _spawn(self, path: Path, idle: bool) -> None:
        threading.Thread(
            target=self._run, args=(path, idle), name="quick_check", daemon=True
        ).start()

    def _run(self, path: Path, idle: bool) -> None:
        from trainer.core.store.backups import describe_failure, integrity_problem

        if idle:
            with contextlib.suppress(OSError):  # lowering one's own priority is always allowed
                os.sched_setscheduler(threading.get_native_id(), os.SCHED_IDLE, os.sched_param(0))
        try:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=15.0)
            try:
                with self._lock:
                    if idle and self._hurried:
                        return  # the check at normal priority has begun: it decides
                    if idle:
                        self._idle_conn = conn
                problem = integrity_problem(conn, path)
            finally:
                with self._lock:
                    if self._idle_conn is conn:
                        self._idle_conn = None
                conn.close()
        except sqlite3.DatabaseError as exc:
            if idle and self._hurried:
                return  # interrupted for the check at normal priority, which decides
            problem = describe_failure(path, exc)
        except Exception as exc:  # a check that cannot run must not pass for a good one
            problem = f"{path}: cannot be checked: {exc}"
        self.finish(problem)

    def _hurry(self) -> None:
        """A write waits for the verdict: a check at idle priority gives way to one at normal
        priority (a thread cannot raise its own priority again without privileges)."""
        with self._lock:
            if self._hurried or self._path is None or self._done.is_set():
                return
            self._hurried = True
            idle = self._idle_conn
        if idle is not None:
            idle.interrupt()  # if it had not yet begun, it runs on at idle priority, harmlessly
        self._spawn(self._path, idle=False)

    def finish(self, problem: str | None) -> None:
        """Give the verdict (the first one given stands)."""
        with self._lock:
            if self._done.is_set():
                return
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
        if not self._done.is_set():
            self._hurry()
        self._done.wait()
        if self.problem:
            raise TrainerError(self.problem)
