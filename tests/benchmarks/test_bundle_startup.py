"""Start-up of the bundled application against `python -m trainer --self-test` (target <= 1.2x).

Builds the one-folder bundle (or uses the one in $TRAINER_BUNDLE_DIR, e.g. dist/trainer) and
times `--self-test` of each, alternating, median of seven runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.packaging.test_bundle import build

pytestmark = pytest.mark.benchmark
RUNS = 7


def _seconds(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stdout + done.stderr
    return elapsed


def test_bundle_start_up_against_python_dash_m(tmp_path_factory: pytest.TempPathFactory) -> None:
    given = os.environ.get("TRAINER_BUNDLE_DIR")
    tmp = tmp_path_factory.mktemp("bundle")
    app = Path(given) / "trainer" if given else build(tmp, bare=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TRAINER_DATA_DIR": str(tmp / "data")}
    bundle, source = [], []
    for _ in range(RUNS):
        bundle.append(_seconds([str(app), "--self-test"], env, tmp))
        source.append(_seconds([sys.executable, "-m", "trainer", "--self-test"], env, tmp))
    ours, baseline = statistics.median(bundle), statistics.median(source)
    print(f"\nbundle --self-test: median {ours * 1000:.0f} ms over {RUNS} runs")
    print(f"python -m trainer --self-test: median {baseline * 1000:.0f} ms")
    print(f"ratio: {ours / baseline:.2f}x (target <= 1.2x)")
