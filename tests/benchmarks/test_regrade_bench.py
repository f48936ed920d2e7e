"""`trainer regrade` of 1,000,000 stored answers (`./dev bench -k regrade`).

Printed as a ratio against grading the same (scenario, answer) pairs in memory in the same run,
each in a process of its own, with the regrade's peak memory at 100,000 and at 1,000,000 answers
(flat: answers are read in pages). TRAINER_BENCH_ANSWERS=N measures a smaller database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks import graded_fixture
from trainer.core.store.sqlite import DB_NAME

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[2]
ANSWERS = int(os.environ.get("TRAINER_BENCH_ANSWERS", "1000000"))
SMALL = ANSWERS // 10


def _worker(mode: str, data: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.regrade_worker", mode, str(data)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_regrade_of_a_million_answers(tmp_path: Path) -> None:
    data = graded_fixture.build(tmp_path / "big", SMALL)
    (tmp_path / "small").mkdir()
    shutil.copy(data / DB_NAME, tmp_path / "small" / DB_NAME)
    small = _worker("regrade", tmp_path / "small")
    graded_fixture.grow(data, ANSWERS - SMALL)

    base = _worker("grade", data)
    ours = _worker("regrade", data)
    again = _worker("regrade", data)
    assert ours["checked"] == base["graded"] == ANSWERS
    assert 0 < ours["changed"] < ANSWERS and again["changed"] == 0
    ratio = ours["seconds"] / base["seconds"]
    print(
        f"\nregrade of {ANSWERS:,} stored answers ({ours['changed']:,} changed): "
        f"{ours['seconds']:.1f} s vs grading the same pairs in memory {base['seconds']:.1f} s "
        f"= {ratio:.2f}x"
        f"\nlongest write transaction (the lock a trainee's submit waits for): "
        f"{ours['longest_write']:.2f} s ({small['longest_write']:.2f} s at {SMALL:,})"
        f"\nregrade again, nothing to change: {again['seconds']:.1f} s "
        f"= {again['seconds'] / base['seconds']:.2f}x"
        f"\npeak memory of the regrade: {small['peak_mib']:.0f} MiB at {SMALL:,} answers, "
        f"{ours['peak_mib']:.0f} MiB at {ANSWERS:,} (after loading the bank: "
        f"{small['before_mib']:.0f} / {ours['before_mib']:.0f} MiB); grading in memory, pairs "
        f"held: {base['peak_mib']:.0f} MiB"
    )
    assert ours["peak_mib"] < small["peak_mib"] * 1.25  # flat: pages, not the whole table
