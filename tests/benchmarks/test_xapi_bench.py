"""`trainer export --xapi` against the plain CSV export of the same answers (`./dev bench -k xapi`).

Both run as the command a supervisor types, in a fresh Python, alternated three times on the
same database, at 10,000, 100,000 and 1,000,000 answers (`-k "xapi and 100000"` for one size).
The figure is the ratio of the best times (target <= 2x), with the range of the three paired
ratios, the machine's load average, and each export's peak resident memory; the 1,000,000 run
also prints the peak memory against the 100,000 one (flat: both exports stream).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.benchmarks import store_fixture
from trainer.core.store.sqlite import open_store

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[2]
PEAK = """
import sys
from trainer.cli import main
code = main(sys.argv[1:])
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(peak, file=sys.stderr)
sys.exit(code)
"""
PEAKS: dict[int, tuple[float, float]] = {}  # answers: (xAPI, CSV) peak RSS in MiB, this run


def _run(args: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of `trainer ARGS` in a fresh Python."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], capture_output=True, cwd=ROOT, check=True
    )
    return time.perf_counter() - started, int(done.stderr.split()[-1])


def _finish_sessions(folder: Path) -> None:
    """Every quiz finished at its last answer, so the export has its `completed` statements too
    (one GROUP BY: a look-up per session has no index on session_id to use)."""
    with open_store(folder) as store, store.write() as conn:
        conn.execute(
            "UPDATE quiz_sessions SET finished_at = last.at FROM (SELECT session_id, "
            "max(answered_at) AS at FROM answers GROUP BY session_id) AS last "
            "WHERE last.session_id = quiz_sessions.id"
        )


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


@pytest.mark.parametrize("answers", [10_000, 100_000, 1_000_000])
def test_xapi_export_against_the_csv_export(
    answers: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = store_fixture.build(tmp_path_factory.mktemp(f"xapi-{answers}"), answers=answers)
    _finish_sessions(folder)
    out = tmp_path_factory.mktemp("out")
    csv_args = ["--data-dir", str(folder), "export", str(out / "a.csv")]
    xapi_args = ["--data-dir", str(folder), "export", "--xapi", str(out / "a.jsonl")]
    _run(csv_args)  # the first run builds the bank's cache beside the database
    load_before = _load()
    csv_runs, xapi_runs = [], []
    for _ in range(3):
        csv_runs.append(_run(csv_args))
        xapi_runs.append(_run(xapi_args))
    load_after = _load()
    with (out / "a.jsonl").open(encoding="utf-8") as f:
        first = json.loads(f.readline())
        lines = 1 + sum(1 for _ in f)
    assert first["verb"]["id"].endswith("/answered")
    assert lines > answers  # one per answer, and one per finished quiz
    csv_best, xapi_best = min(t for t, _ in csv_runs), min(t for t, _ in xapi_runs)
    ratio = xapi_best / csv_best
    paired = sorted(x / c for (x, _), (c, _) in zip(xapi_runs, csv_runs, strict=True))
    xapi_peak = max(m for _, m in xapi_runs) / 1024
    csv_peak = max(m for _, m in csv_runs) / 1024
    PEAKS[answers] = (xapi_peak, csv_peak)
    print(
        f"\n{answers:,} answers: trainer export --xapi {xapi_best:.2f} s "
        f"({lines:,} statements, {(out / 'a.jsonl').stat().st_size / 2**20:.0f} MiB) vs "
        f"trainer export (CSV) {csv_best:.2f} s "
        f"({(out / 'a.csv').stat().st_size / 2**20:.0f} MiB) = {ratio:.2f}x best of 3 "
        f"(paired {paired[0]:.2f}x-{paired[-1]:.2f}x; target <= 2x) "
        f"[{load_before} before, {load_after} after]\n"
        f"  peak RSS: --xapi {xapi_peak:.0f} MiB, CSV {csv_peak:.0f} MiB"
    )
    if answers == 1_000_000 and 100_000 in PEAKS:
        small_xapi, small_csv = PEAKS[100_000]
        print(
            f"  peak RSS at 1,000,000 against 100,000 answers: --xapi {xapi_peak:.0f} / "
            f"{small_xapi:.0f} MiB = {xapi_peak / small_xapi:.2f}x, CSV {csv_peak:.0f} / "
            f"{small_csv:.0f} MiB = {csv_peak / small_csv:.2f}x (flat: <= 1.5x)"
        )
        assert xapi_peak / small_xapi <= 1.5
    assert ratio <= 2.0
