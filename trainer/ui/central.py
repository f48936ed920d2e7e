"""The central store in the application: background sync with its status, the central dashboard.

Sync runs on a `JobRunner` thread with its own SQLite connection, a few seconds after start, every
few minutes, and after each quiz; a failure only changes the status bar text (a trainee is never
interrupted). Nothing here is imported until the bank has loaded: psycopg stays off the start path.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QLineEdit, QWidget

from trainer.core.errors import TrainerError
from trainer.core.store.central.sync import central_url, sync, waiting
from trainer.core.store.files import import_under_way
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext
from trainer.ui.errors import show_error
from trainer.ui.jobs import JobRunner

FIRST_SYNC_MS = 10_000  # once the first screen is up and the trainee busy
SYNC_EVERY_MS = 5 * 60_000


class BackgroundSync(QObject):
    """Pushes results to the configured central store; `label` says how far it has got."""

    def __init__(self, store: Store, override: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        self.error: str | None = None
        try:
            self.url = central_url(store, override)
        except TrainerError as exc:
            self.url, self.error = None, str(exc)
        self.label = QLabel(parent)
        self.label.setAccessibleName("Sync status")
        self.runner = JobRunner(store, self)
        self.runner.finished.connect(self._synced)
        self.runner.failed.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_now)

    def start(self) -> None:
        if self.url is None:
            self.label.setVisible(self.error is not None)
            self.label.setText(f"Not syncing: {self.error}" if self.error else "")
            return
        self.show_status()
        QTimer.singleShot(FIRST_SYNC_MS, self, self.sync_now)
        self.timer.start()

    def sync_now(self) -> None:
        if self.url is None or self.runner.busy or import_under_way(self.store.path):
            return  # (an import in one transaction would be rolled back for it: next round)
        url = self.url
        self.runner.start(lambda mine: sync(mine, url).describe())

    def wait(self) -> None:
        self.runner.wait()

    def _synced(self, report: str) -> None:
        self.error = None
        self.show_status()

    def _failed(self, message: str) -> None:
        self.error = message
        self.show_status()

    def show_status(self) -> None:
        """'Last synced 2 Dec 2026 10:15 / 12 answer(s) waiting' (or why it did not sync)."""
        try:
            left = waiting(self.store)
        except TrainerError as exc:
            self.label.setText(f"Sync status unknown: {exc}")
            return
        text = left.describe()
        if self.error:
            text = f"Not synced: central store unreachable / {left.answers:,} answer(s) waiting"
        self.label.setText(text)
        self.label.setToolTip(self.error or "")


def ask_url(parent: QWidget, store: Store) -> str | None:
    """The central store to open, asked for with the configured one offered."""
    try:
        offered = central_url(store) or ""
    except TrainerError:
        offered = ""
    url, ok = QInputDialog.getText(
        parent, "Central dashboard",
        "Central store (postgresql://login@host/database or service=NAME):", text=offered,
    )  # fmt: skip
    return url.strip() if ok and url.strip() else None


def open_central_dashboard(parent: QWidget | None, context: AppContext, url: str) -> QWidget | None:
    """Sign in to the central store with the supervisor's PostgreSQL login; show the dashboard.

    The password comes from ~/.pgpass or PGPASSWORD, or is asked for here and kept only by the
    open connection."""
    from trainer.core.store.central.connection import checked_url
    from trainer.core.store.central.reader import CentralStore
    from trainer.ui.dashboard.window import DashboardWindow

    try:
        try:
            store = CentralStore(checked_url(url))
        except TrainerError as exc:
            if "password" not in str(exc):
                raise
            password, ok = QInputDialog.getText(
                parent, "Central dashboard", "PostgreSQL password:", QLineEdit.EchoMode.Password
            )
            if not ok:
                return None
            store = CentralStore(url, password=password)
    except TrainerError as exc:
        show_error(parent, str(exc))
        return None
    window = DashboardWindow(context, store.login, parent, central=store)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def run_dashboard(url: str | None, data_dir: str | Path | None = None) -> int:
    """`trainer dashboard --central URL`: the central dashboard on its own, until it closes."""
    import sys

    from trainer.core import paths
    from trainer.core.store.sqlite import open_store
    from trainer.ui.errors import install_excepthook
    from trainer.ui.loader import BankLoader, LoadedBank

    if url is None:
        raise TrainerError(
            "dashboard: give --central URL (or `trainer central set URL`); a workstation's own "
            "dashboard opens from the application's menu after a supervisor signs in"
        )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_excepthook()
    folder = Path(data_dir) if data_dir else None
    loader = BankLoader(None, paths.user_data_dir(folder) / "cache")
    windows: list[QWidget] = []

    def loaded(bank: LoadedBank) -> None:
        store = open_store(folder)
        context = AppContext(store, bank.catalogue, paths.user_data_dir(folder), bank.library)
        window = open_central_dashboard(None, context, url)
        if window is None:
            app.quit()
            return
        windows.append(window)
        window.destroyed.connect(app.quit)

    def failed(message: str) -> None:
        show_error(None, message)
        app.quit()

    loader.loaded.connect(loaded)
    loader.failed.connect(failed)
    loader.start()
    return int(app.exec())
