"""The cost of `PRAGMA quick_check` at open on 1,000,000 answers (`./dev bench -k quick_check`),
printed against one full scan of the answers table and against opening without the check, all
measured in the same run on the same file. TRAINER_BENCH_DATA=DIR reuses a database built before.

The command line waits for the check; the application runs it on a thread of its own (writes wait
for the verdict), so its open costs what an open without the check costs.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.benchmarks import store_fixture
from trainer.core.store import backups
from trainer.core.store.sqlite import DB_NAME, open_store

pytestmark = pytest.mark.benchmark
SCAN = "SELECT sum(score), count(findings) FROM answers"  # reads every row of the table


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reuse = os.environ.get("TRAINER_BENCH_DATA")
    if reuse and (Path(reuse) / DB_NAME).exists():
        return Path(reuse)
    return store_fixture.build(tmp_path_factory.mktemp("big-store"))


def _best(work: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def test_quick_check_at_open_against_a_full_scan(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = big / DB_NAME
    conn = sqlite3.connect(db)
    try:
        scan = _best(lambda: conn.execute(SCAN).fetchall())
        check = _best(lambda: conn.execute("PRAGMA quick_check(1)").fetchall())
    finally:
        conn.close()
    checked_open = _best(lambda: open_store(big).close(), repeat=1)
    app_open = _best(lambda: open_store(big, check="background").close())
    monkeypatch.setattr(backups, "check_integrity", lambda conn, path: None)
    plain_open = _best(lambda: open_store(big).close())
    size = db.stat().st_size / 2**20
    print(
        f"\nquick_check on {size:,.0f} MiB: {check * 1000:.0f} ms vs one full scan of the answers "
        f"{scan * 1000:.0f} ms = {check / scan:.1f}x; open_store: command line (waits for the "
        f"check) {checked_open * 1000:.0f} ms, application (checks on a thread) "
        f"{app_open * 1000:.1f} ms, without any check {plain_open * 1000:.1f} ms"
    )
    assert app_open < plain_open + 0.05  # the window never waits for the check
