"""Rule-schedule benchmarks on 1,000,000 answers from 2,000 trainees (`./dev bench -k schedule`).

- updating a trainee's schedule after one answer, against the durable write of that answer
  (target <= 0.2x);
- rebuilding every schedule from all the answers, streaming, against one full scan of the answers
  (the ratio and the peak memory of each, in fresh processes, are printed).
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks.test_store_bench import ROOT, SCAN, _report, big
from tests.core import store_data
from trainer.core.practice.schedule import update_schedules
from trainer.core.store.records import now
from trainer.core.store.sqlite import open_store

pytestmark = pytest.mark.benchmark
__all__ = ["big"]  # the fixture, shared with the store benchmarks

JOB = """
import sys, time
from pathlib import Path
from trainer.core.store.sqlite import open_store
with open_store(Path(sys.argv[1])) as store:
    started = time.perf_counter()
    if sys.argv[2] == "rebuild":
        from trainer.core.practice.schedule import rebuild_schedules
        rebuild_schedules(store)
    else:
        store.query(sys.argv[3])
    seconds = time.perf_counter() - started
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(seconds, peak)
"""


def _job(folder: Path, what: str) -> tuple[float, int]:
    done = subprocess.run(
        [sys.executable, "-c", JOB, str(folder), what, SCAN],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def test_schedule_rebuild_streams_every_answer(big: Path) -> None:
    scans = [_job(big, "scan") for _ in range(2)]
    rebuild = _job(big, "rebuild")
    scan_s, scan_peak = min(s for s, _ in scans), max(p for _, p in scans)
    ratio = _report("rebuild every schedule", rebuild[0], scan_s, "one full scan", "printed")
    print(f"  peak memory: rebuild {rebuild[1] / 1024:.0f} MiB, scan {scan_peak / 1024:.0f} MiB")
    with open_store(big) as store:
        [(answers, cards)] = store.query(
            "SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM rule_schedule)"
        )
    print(f"  {answers:,} answers -> {cards:,} rule cards")
    assert cards > 0
    assert rebuild[1] < scan_peak + 200 * 1024  # streaming: not the answers held in memory
    assert ratio < 200  # a guard against a gross regression; the figure is what matters


def test_schedule_update_after_one_answer(big: Path) -> None:
    with open_store(big) as store:
        update_schedules(store)  # brought up to date first (the rebuild above, or now)
        tid = store.trainees()[0].id
        session = store.start_session(tid, "practice")
        rng = random.Random(1)
        bank = store_data.scenarios()
        writes, updates = [], []
        for _ in range(200):
            rec = store_data.make_record(tid, session, rng.choice(bank), rng, now())
            started = time.perf_counter()
            store.record_answer(rec)
            middle = time.perf_counter()
            assert update_schedules(store) == 1
            updates.append(time.perf_counter() - middle)
            writes.append(middle - started)
    ratio = _report(
        "schedule update after one answer (median)",
        statistics.median(updates),
        statistics.median(writes),
        "the durable write of that answer",
        "<= 0.2x",
    )
    print(
        f"  means: {statistics.mean(updates) * 1000:.2f} ms vs "
        f"{statistics.mean(writes) * 1000:.2f} ms"
    )
    assert ratio <= 1.0  # a guard; the target is printed
