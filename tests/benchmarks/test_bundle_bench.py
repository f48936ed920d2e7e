"""`export-bundle` and `import` at 10k, 100k and 1M answers (`./dev bench -k bundle_bench`).

Each direction runs in a process of its own (its peak memory is its own) and is printed as a ratio
against the plain way of moving the same rows, measured in the same run: the rows written as JSON
lines, and those lines loaded and inserted with one `executemany` (target <= 1.5x). Peak memory
should stay flat as the bundle grows. Up to 100,000 answers each direction and its plain way are
timed three times, in turns, and the best of each is compared (a single run of a second or less
varies by half with the disk's flushes); at 1,000,000 once. TRAINER_BENCH_SIZES=10000,100000
measures fewer sizes.
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

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[2]
SIZES = [int(n) for n in os.environ.get("TRAINER_BENCH_SIZES", "10000,100000,1000000").split(",")]


def _worker(*args: Path | str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bundle_worker", *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest run's time, the largest peak and the rows every run agreed on."""
    assert len({r["rows"] for r in runs}) == 1, runs
    return {
        **runs[0],
        "seconds": min(r["seconds"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def test_bundle_export_and_import(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = []
    for size in graded_fixture.growing(data, SIZES):
        bundle, plain = tmp_path / "a.bundle", tmp_path / "a.jsonl"
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(3 if size <= 100_000 else 1):
            runs.setdefault("export", []).append(_worker("export", data, bundle))
            runs.setdefault("write", []).append(_worker("plain-write", data, plain))
            for folder in ("in", "plain-in"):
                shutil.rmtree(tmp_path / folder, ignore_errors=True)
            runs.setdefault("import", []).append(_worker("import", data, bundle, tmp_path / "in"))
            runs.setdefault("load", []).append(
                _worker("plain-import", data, plain, tmp_path / "plain-in")
            )
        export, write, imported, loaded = (_best(runs[k]) for k in runs)
        assert export["rows"] == imported["rows"] == write["rows"] == loaded["rows"] == size
        lines.append(
            f"{size:>9,} answers  export {export['seconds']:7.1f} s "
            f"({export['seconds'] / write['seconds']:.2f}x plain JSON lines "
            f"{write['seconds']:.1f} s), peak {export['peak_mib']:.0f} MiB, "
            f"bundle {export['bytes'] / 2**20:.0f} MiB (plain {write['bytes'] / 2**20:.0f} MiB)\n"
            f"{'':>18}import {imported['seconds']:7.1f} s "
            f"({imported['seconds'] / loaded['seconds']:.2f}x JSON load + executemany "
            f"{loaded['seconds']:.1f} s), peak {imported['peak_mib']:.0f} MiB "
            f"(plain {loaded['peak_mib']:.0f} MiB)"
        )
        print("\n" + lines[-1], flush=True)
    print("\nbundle benchmark:\n" + "\n".join(lines))
