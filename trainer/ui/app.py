"""Start the application: one QApplication, one main window, the bank loading in the background."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from trainer.ui.errors import install_excepthook

BENCH_ENV = "TRAINER_BENCH_FIRST_SCENARIO"  # see tests/benchmarks/test_startup.py
SETTINGS_NAME = "window.ini"  # window size and place, beside the database


def run_app(data_dir: str | Path | None = None, central: str | None = None) -> int:
    """Open the main window and run until it closes; returns the exit code."""
    os.umask(0o077)  # the database, backups, caches and window.ini: readable only by their owner
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Crime Recording Trainer")
    app.setOrganizationName("crime-recording-trainer")
    install_excepthook()

    from trainer.core import paths
    from trainer.ui.main_window import MainWindow

    folder = Path(data_dir) if data_dir else None
    window = MainWindow(
        data_dir=folder,
        settings_file=paths.user_data_dir(folder) / SETTINGS_NAME,
        central=central,
    )
    if os.environ.get(BENCH_ENV):
        from trainer.ui.bench_hook import quit_on_first_scenario

        quit_on_first_scenario(window)
    window.show()
    window.load()
    try:
        return app.exec()
    finally:
        if window.context is not None:
            window.context.store.close()


def run_dashboard(url: str | None, data_dir: str | Path | None = None) -> int:
    """`trainer dashboard --central URL`: the supervisor dashboard on the central store."""
    from trainer.ui.central import run_dashboard as run

    return run(url, data_dir)
