"""One dashboard opening in a process of its own, for `test_dashboard_bench`: prints JSON with the
seconds from building the window to the end of the team table's first paint with its figures (the
window's own paint, none forced), and to every tab's figures; the longest gap between ticks of a
5 ms timer on the GUI thread while the figures loaded; and the PSS.

Run: QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.dashboard_probe DATA_DIR
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def pss_kib() -> int:
    """Proportional set size of this process (what it really costs the machine)."""
    with open("/proc/self/smaps_rollup", encoding="ascii") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError("no Pss line in /proc/self/smaps_rollup")


def main(data_dir: Path) -> None:
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import Library
    from trainer.core.store.sqlite import open_store
    from trainer.ui.context import AppContext
    from trainer.ui.dashboard.window import DashboardWindow

    app = QApplication(sys.argv[:1])  # noqa: F841 - kept alive while the window lives
    store = open_store(data_dir)
    context = AppContext(store, load_catalogue(), data_dir, Library())
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        moment = time.perf_counter()
        gaps.append(moment - last[0])
        last[0] = moment

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def wait(busy: Callable[[], bool]) -> None:
        """Run the event loop until `busy` says done. (Not a processEvents loop: PySide6 6.12
        drops a reference to None on every call of a Qt function that returns nothing.)"""
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(1)
        poll.timeout.connect(lambda: loop.quit() if not busy() else None)
        poll.start()
        loop.exec()
        poll.stop()

    painted: list[float] = []

    class PaintedWithFigures(QObject):
        """Notes when the team table's first paint after its figures arrived is done."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and window.data is not None and not painted:
                QTimer.singleShot(
                    0, lambda: painted.append(time.perf_counter()) if not painted else None
                )
            return False

    started = time.perf_counter()
    window = DashboardWindow(context, "bench")
    watcher = PaintedWithFigures()
    window.team.table.viewport().installEventFilter(watcher)
    window.show()
    window.repaint()  # its first paint, empty or not, is not the figures' doing: not measured
    last[0] = time.perf_counter()
    timer.start()
    wait(lambda: not painted)  # the window's own paint, as a supervisor sees it (none forced)
    team = painted[0] - started
    wait(lambda: window.loading)
    everything = time.perf_counter() - started
    timer.stop()
    print(
        json.dumps(
            {
                "team_painted_s": team,
                "all_tabs_s": everything,
                "longest_stall_s": max(gaps, default=0.0),
                "pss_kib": pss_kib(),
                "rows": window.team.model.rowCount(),
            }
        )
    )
    window.close()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
