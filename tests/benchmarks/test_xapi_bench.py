"""`trainer export --xapi` against the plain CSV export of the same answers (`./dev bench -k xapi`).

Both run as the command a supervisor types, in a fresh Python, alternated three times on the
same database; the figure is the ratio of the best times (target <= 2x), with each one's peak
resident memory at 100,000 and at 1,000,000 answers (flat: the export streams).
"""

from __future__ import annotations

import json
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


def _run(args: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of `trainer ARGS` in a fresh Python."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], capture_output=True, cwd=ROOT, check=True
    )
    return time.perf_counter() - started, int(done.stderr.split()[-1])


def _finish_sessions(folder: Path) -> None:
    """Every quiz finished, so the export has its `completed` statements too."""
    with open_store(folder) as store, store.write() as conn:
        conn.execute(
            "UPDATE quiz_sessions SET finished_at = (SELECT max(answered_at) FROM answers "
            "WHERE session_id = quiz_sessions.id)"
        )


@pytest.mark.parametrize("answers", [100_000, 1_000_000])
def test_xapi_export_against_the_csv_export(
    answers: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = store_fixture.build(tmp_path_factory.mktemp(f"xapi-{answers}"), answers=answers)
    _finish_sessions(folder)
    out = tmp_path_factory.mktemp("out")
    csv_args = ["--data-dir", str(folder), "export", str(out / "a.csv")]
    xapi_args = ["--data-dir", str(folder), "export", "--xapi", str(out / "a.jsonl")]
    _run(csv_args)  # the first run builds the bank's cache beside the database
    csv_runs, xapi_runs = [], []
    for _ in range(3):
        csv_runs.append(_run(csv_args))
        xapi_runs.append(_run(xapi_args))
    with (out / "a.jsonl").open(encoding="utf-8") as f:
        first = json.loads(f.readline())
        lines = 1 + sum(1 for _ in f)
    assert first["verb"]["id"].endswith("/answered")
    assert lines > answers  # one per answer, and one per finished quiz
    csv_best, xapi_best = min(t for t, _ in csv_runs), min(t for t, _ in xapi_runs)
    ratio = xapi_best / csv_best
    print(
        f"\n{answers:,} answers: trainer export --xapi {xapi_best:.2f} s "
        f"({lines:,} statements, {(out / 'a.jsonl').stat().st_size / 2**20:.0f} MiB) vs "
        f"trainer export (CSV) {csv_best:.2f} s = {ratio:.2f}x (target <= 2x)\n"
        f"  peak RSS: --xapi {max(m for _, m in xapi_runs) / 1024:.0f} MiB, "
        f"CSV {max(m for _, m in csv_runs) / 1024:.0f} MiB"
    )
    assert ratio <= 2.0
