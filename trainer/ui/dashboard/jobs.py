"""Slow store work (exports, imports) off the GUI thread, on a database connection of its own."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from trainer.core.errors import TrainerError
from trainer.core.store import Store, open_store

Work = Callable[[Store], str]  # does the work with a store of its own; returns a one-line report


class _Signals(QObject):
    finished = Signal(str)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, work: Work, store: Store, signals: _Signals) -> None:
        super().__init__()
        self.work, self.store, self.signals = work, store, signals

    def run(self) -> None:
        # SQLite connections belong to the thread that opened them: open one here, for this job.
        # An in-memory database (tests, demonstrations) cannot be shared, so it is used in place.
        try:
            if self.store.path is None:
                report = self.work(self.store)
            else:
                with open_store(self.store.path.parent) as mine:
                    report = self.work(mine)
        except TrainerError as exc:
            self.signals.failed.emit(str(exc))
        except OSError as exc:
            self.signals.failed.emit(f"{exc.filename or 'file'}: {exc.strerror or exc}")
        except Exception as exc:  # a thread must not swallow a bug: report it like the GUI would
            self.signals.failed.emit(f"something went wrong ({type(exc).__name__}: {exc})")
        else:
            self.signals.finished.emit(report)


class JobRunner(QObject):
    """Runs one job at a time; emits `finished(report)` or `failed(message)` on the GUI thread."""

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals(self)
        self.signals.finished.connect(self.finished)
        self.signals.failed.connect(self.failed)

    def start(self, work: Work) -> None:
        job = _Job(work, self.store, self.signals)
        if self.store.path is None:
            job.run()
        else:
            self.pool.start(job)

    @property
    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
