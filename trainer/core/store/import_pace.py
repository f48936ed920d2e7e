"""How long a bundle import's write transactions (chunks) are: long while nobody else wants to
write (each chunk rewrites the index and summary pages it touches, so fewer chunks are quicker),
short while somebody does, so that a trainee's submit never waits long (see `bundles`).

A long chunk watches for a writer that starts waiting (`files.writer_waiting`): once the chunk
has held the lock for WATCH_AFTER seconds it is interrupted, rolled back and done again in short
chunks, and the writer gets in between them.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trainer.core.store.files import writer_waiting

CHUNK_SECONDS = 0.25  # how long a chunk holds the write lock while another writer waits
LONG_SECONDS = 2.0  # how long a chunk may take while nobody waits (interrupted if one comes)
WATCH_AFTER = 0.1  # a long chunk is interrupted for a waiting writer once it has run this long
POLITE_SECONDS = 5.0  # after an interruption, chunks stay short this long
FIRST_CHUNK, MIN_CHUNK, MAX_CHUNK = 500, 100, 200_000  # answers per chunk, adapted to its time
# A bundle of up to this many answers (any) is imported in one transaction when nobody else
# writes, in steps of STEP answers (what a long chunk takes at a million answers): each step's
# sorts stay small, so a waiting writer interrupts it at once and memory does not grow with the
# bundle. SQLite's cache spills to the WAL as it fills, so the commit flushes at most the cache.
ONE_GO = 2**62
STEP = 25_000
# A bundle of one step interrupted by a writer is tried again in one go, this many times in all,
# before it too goes in by chunks (each try wastes at most a step's work, a second or two).
ONE_GO_TRIES = 3
GROWTH = 4  # a chunk is at most this many times the one before (rates measured on little vary)
# Between chunks, while another writer waits: poll until it has begun its transaction, for at
# most 0.3 s (longer than SQLite's longest busy sleep, 0.1 s, so a waiting writer always gets in).
PAUSE_STEP, PAUSE_POLLS = 0.01, 30
CHECK_STEPS = 5_000  # SQLite virtual machine steps between looks for a waiting writer ...
CHECK_EVERY = 0.01  # ... and at most one look (a lock attempt) this often, in seconds


class Pace:
    """The size of an import's next chunk, and the watch over a long one."""

    def __init__(self, database: Path | None) -> None:
        self.database = database
        self.size = FIRST_CHUNK
        self.rate = 0.0  # answers a second, measured on the last chunk that finished
        self.polite_until = 0.0
        self.interrupted = False
        self._started = 0.0
        self._taken = 0  # answers in the chunk under way

    @contextmanager
    def chunk(
        self, conn: sqlite3.Connection, size: int | None = None, watched: bool = False
    ) -> Iterator[int]:
        """Inside a write transaction: yields how many answers this chunk takes (`size` when
        given). A long one is interrupted (sqlite3.OperationalError, `interrupted` set) when a
        writer comes to wait; a `watched` one always is (a whole import in one go: a writer
        already waiting interrupts it once it has run WATCH_AFTER)."""
        self.interrupted = False
        self._started = started = time.perf_counter()
        long = watched or (started >= self.polite_until and not writer_waiting(self.database))
        if size is None:
            if self.rate:
                wanted = self.rate * (LONG_SECONDS if long else CHUNK_SECONDS)
                self.size = max(MIN_CHUNK, min(MAX_CHUNK, self.size * GROWTH, int(wanted)))
            size = self.size
        self._taken = size
        look_at = started + WATCH_AFTER

        def watch() -> int:
            nonlocal look_at
            now = time.perf_counter()
            if now < look_at:
                return 0
            look_at = now + CHECK_EVERY
            self.interrupted = writer_waiting(self.database)
            return int(self.interrupted)

        if long:
            conn.set_progress_handler(watch, CHECK_STEPS)
        try:
            yield size
        finally:
            if long:
                conn.set_progress_handler(None, 0)  # never during the commit

    def finished(self) -> None:
        """After a chunk's commit: measure its rate."""
        self.rate = self._taken / max(time.perf_counter() - self._started, 1e-3)

    def let_writers_in(self) -> None:
        """Between chunks: pause while another writer waits (see `files.waiting_to_write`);
        after an interruption, keep the chunks short for a while."""
        if self.interrupted:
            self.polite_until = time.perf_counter() + POLITE_SECONDS
        for _ in range(PAUSE_POLLS):
            if not writer_waiting(self.database):
                return
            time.sleep(PAUSE_STEP)
