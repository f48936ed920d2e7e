"""Nothing a trainee submitted is lost: not to SIGKILL mid-commit, not to a second writer."""

from __future__ import annotations

import os
import random
import select
import signal
import time
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.core.store.records import now
from trainer.core.store.schema import SUMMARY_TABLES, rebuild_summaries
from trainer.core.store.sqlite import open_store

KILLS = 120  # children, each killed once at a random moment after its first acknowledged answer
READY_TIMEOUT_S = 30.0


def _record_forever(data_dir: Path, trainee_id: str, session_id: str, out: int) -> None:
    """The child: record answers until killed, printing each id once record_answer returned."""
    store = open_store(data_dir)
    rng = random.Random(os.getpid())
    bank = store_data.scenarios()
    while True:
        rec = store_data.make_record(trainee_id, session_id, rng.choice(bank), rng, now())
        store.record_answer(rec)
        os.write(out, f"{rec.id}\n".encode())


def _fork(work: object, *args: object) -> tuple[int, int]:
    """Run work(*args, write_end) in a forked child; returns (pid, read_end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(read)
            work(*args, write)  # type: ignore[operator]
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _first_line(fd: int) -> bytes:
    """Block until the child has acknowledged its first answer (a whole line), and return it."""
    seen = b""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while b"\n" not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            pytest.fail(f"the recording child acknowledged nothing in {READY_TIMEOUT_S:.0f} s")
        chunk = os.read(fd, 65536)
        if not chunk:
            pytest.fail("the recording child ended before acknowledging an answer")
        seen += chunk
    return seen


def _drain(fd: int, head: bytes = b"") -> list[str]:
    """The ids the child finished printing (a line cut short by the kill is not one)."""
    chunks = [head]
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    text = b"".join(chunks).decode()
    return text.split("\n")[:-1]


def _setup(data_dir: Path) -> tuple[str, str]:
    with open_store(data_dir) as store:
        trainee = store.create_trainee("Kim Kill", "K1", "call-handler")
        return trainee.id, store.start_session(trainee.id, "practice")


def _check_whole(data_dir: Path, confirmed: set[str]) -> None:
    with open_store(data_dir) as store:
        assert store.query("PRAGMA integrity_check") == [("ok",)]
        assert store.query("PRAGMA foreign_key_check") == []
        stored = {row[0] for row in store.query("SELECT id FROM answers")}
        assert confirmed <= stored, f"{len(confirmed - stored)} confirmed answers lost"
        for row in store.answers():  # every row parses back into a whole record
            assert row.answer.decision == row.decision and row.findings is not None
        kept = {t: sorted(store.query(f"SELECT * FROM {t}")) for t in SUMMARY_TABLES}
        with store.write():
            rebuild_summaries(store.db)
        assert kept == {t: sorted(store.query(f"SELECT * FROM {t}")) for t in SUMMARY_TABLES}


@pytest.mark.slow
def test_answers_survive_sigkill_at_random_moments(tmp_path: Path) -> None:
    """Each kill lands while answers are being recorded, however long a child takes to start.

    The clock starts only once the child has acknowledged its first answer (opening the store
    and building its validators can take longer than the kill window on a loaded machine), so
    every one of the KILLS children is killed mid-stream, at a random moment of its commit loop.
    """
    trainee_id, session_id = _setup(tmp_path)
    rng = random.Random(20261122)
    for scenario in store_data.scenarios()[:6]:  # warm what the forked children inherit
        store_data.make_record(trainee_id, session_id, scenario, rng, now())
    confirmed: set[str] = set()
    for _ in range(KILLS):
        pid, out = _fork(_record_forever, tmp_path, trainee_id, session_id)
        head = _first_line(out)
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        ids = _drain(out, head)
        assert ids, "a killed child had acknowledged an answer"
        confirmed.update(ids)
    assert len(confirmed) >= KILLS
    _check_whole(tmp_path, confirmed)


def _record_some(data_dir: Path, trainee_id: str, session_id: str, count: int, out: int) -> None:
    store = open_store(data_dir)
    rng = random.Random(os.getpid())
    for scenario in rng.choices(store_data.scenarios(), k=count):
        rec = store_data.make_record(trainee_id, session_id, scenario, rng, now())
        store.record_answer(rec)
        os.write(out, f"{rec.id}\n".encode())
    store.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    trainee_id, session_id = _setup(tmp_path)
    children = [_fork(_record_some, tmp_path, trainee_id, session_id, 150) for _ in range(2)]
    confirmed: set[str] = set()
    for pid, out in children:
        confirmed.update(_drain(out))
        assert os.waitpid(pid, 0)[1] == 0
    assert len(confirmed) == 300
    _check_whole(tmp_path, confirmed)
    with open_store(tmp_path) as store:
        assert len(store.answers()) == 300


def test_the_write_ahead_log_shrinks_back_after_a_large_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import leaves a log as large as itself; once copied back, the next write cuts
    the file down to WAL_LIMIT instead of keeping it until the application closes."""
    from trainer.core.store import sqlite

    monkeypatch.setattr(sqlite, "WAL_LIMIT", 256 * 1024, raising=False)
    store = open_store(tmp_path)
    wal = tmp_path / "progress.db-wal"
    with store.write() as conn:
        conn.execute("CREATE TABLE bulk (x BLOB)")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
            "INSERT INTO bulk SELECT randomblob(1000) FROM n"
        )
    assert wal.stat().st_size > 4_000_000
    store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    with store.write() as conn:
        conn.execute("INSERT INTO bulk VALUES (1)")
    assert wal.stat().st_size <= 256 * 1024
    store.close()
