"""Start-up: process start to the first scenario on screen, against a bare PySide6 window (target
<= 1.5x). Both run as fresh processes in the same test, alternately, and report the wall-clock time
of their first paint; the figures are medians. Run: ./dev bench -k startup (or
QT_QPA_PLATFORM=offscreen .venv/bin/pytest -m benchmark -s tests/benchmarks/test_startup.py)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.ui.app import BENCH_ENV
from trainer.ui.bench_hook import SCENARIO_MARK, WINDOW_MARK

pytestmark = pytest.mark.benchmark
RUNS = 11
TARGET = 1.5
GUARD = 6.0  # fail only on a clear regression; the figures themselves are printed

BARE_WINDOW = f"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

class FirstPaint(QObject):
    seen = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            print("{SCENARIO_MARK}", f"{{time.time():.6f}}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
label = QLabel("Hello")
window.setCentralWidget(label)
window.resize(1100, 760)
watcher = FirstPaint()
label.installEventFilter(watcher)
window.show()
app.exec()
"""


# Floors, measured in the same run: the bare window after the one import every Qt widget
# application needs (the `Qt` namespace, whose ~90 enums PySide6 builds as Python enums on first
# use), and after importing the application's modules with nothing built or loaded yet.
FLOORS = {
    "bare window + the Qt namespace": BARE_WINDOW.replace(
        "from PySide6.QtCore import", "from PySide6.QtCore import Qt,"
    ),
    "bare window + the application's modules imported": BARE_WINDOW.replace(
        "app = QApplication",
        "import trainer.ui.main_window, trainer.ui.trainee.quiz_screen\n"
        "import trainer.ui.trainee.practice_view\n"
        "app = QApplication",
    ),
}


def paint_times(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning `command` to each first-paint mark it prints."""
    start = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True)
    lines = (line.split() for line in done.stdout.splitlines())
    marks = {p[0]: p[1] for p in lines if len(p) == 2 and p[0] in (WINDOW_MARK, SCENARIO_MARK)}
    return {mark: float(stamp) - start for mark, stamp in marks.items()}


def test_first_scenario_against_a_bare_window(tmp_path: Path) -> None:
    # Both run as installed software does: with its bytecode written on the first start (and
    # so read, not compiled, afterwards), whatever this shell says about writing bytecode.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", BENCH_ENV: "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = [sys.executable, "-m", "trainer", "--data-dir", str(tmp_path / "data")]
    bare = [sys.executable, "-c", BARE_WINDOW]
    paint_times(app, env)  # the first start creates the database, a profile and the caches
    paint_times(bare, env)
    floors = {name: [sys.executable, "-c", code] for name, code in FLOORS.items()}
    for command in floors.values():
        paint_times(command, env)
    bare_s, window_s, scenario_s = [], [], []
    floor_s: dict[str, list[float]] = {name: [] for name in floors}
    for _ in range(RUNS):
        bare_s.append(paint_times(bare, env)[SCENARIO_MARK])
        marks = paint_times(app, env)
        window_s.append(marks[WINDOW_MARK])
        scenario_s.append(marks[SCENARIO_MARK])
        for name, command in floors.items():
            floor_s[name].append(paint_times(command, env)[SCENARIO_MARK])
    b, w, s = (statistics.median(x) for x in (bare_s, window_s, scenario_s))
    ratio = s / b
    print(
        f"\nstart-up, median of {RUNS}: bare PySide6 window {b * 1000:.0f} ms; trainer start "
        f"screen {w * 1000:.0f} ms ({w / b:.2f}x); first scenario {s * 1000:.0f} ms "
        f"({ratio:.2f}x; target <= {TARGET}x: {'met' if ratio <= TARGET else 'missed'})"
    )
    for name, times in floor_s.items():
        f = statistics.median(times)
        print(f"  floor: {name}: {f * 1000:.0f} ms ({f / b:.2f}x)")
    assert ratio <= GUARD
