"""Slow store work (backups, exports, figures, sync) off the GUI thread, on a connection of its
own: the workstation's SQLite database, or the central store the dashboard reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from trainer.core.errors import TrainerError
from trainer.core.store.sqlite import Store, open_store

if TYPE_CHECKING:
    from trainer.core.store.central.reader import CentralStore

Work = Callable[[Store], str]  # does the work with a store of its own; returns a one-line report
Load = Callable[[Any], object]  # reads with a store (or central store) of its own: what to show


class _Signals(QObject):
    finished = Signal(str)
    failed = Signal(str)


def _in_place(store: Store | CentralStore) -> bool:
    """An in-memory database (tests, demonstrations) cannot be shared: jobs use it in place."""
    return isinstance(store, Store) and store.path is None


def _with_own_store(task: Callable[[Any], Any], store: Store | CentralStore) -> Any:
    """Run `task` with a connection of its own: SQLite connections belong to the thread that
    opened them; a central store's is opened again for the thread."""
    if not isinstance(store, Store):
        with store.reopen() as central:
            return task(central)
    if store.path is None:
        return task(store)
    with open_store(store.path.parent, check="shared", integrity=store.integrity) as mine:
        return task(mine)


def _failure(exc: Exception) -> str:
    """A one-line message for a failure off the GUI thread (a thread must not swallow a bug)."""
    if isinstance(exc, TrainerError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or 'file'}: {exc.strerror or exc}"
    return f"something went wrong ({type(exc).__name__}: {exc})"


class _Job(QRunnable):
    def __init__(self, work: Work, store: Store | CentralStore, signals: _Signals) -> None:
        super().__init__()
        self.work, self.store, self.signals = work, store, signals

    def run(self) -> None:
        try:
            report = _with_own_store(self.work, self.store)
        except Exception as exc:
            self.signals.failed.emit(_failure(exc))
        else:
            self.signals.finished.emit(report)


class _OneAtATime(QObject):
    """A pool of one thread for jobs on `store`; an in-memory store runs them in place."""

    def __init__(self, store: Store | CentralStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)

    def _run(self, job: QRunnable, supersede: bool = False) -> None:
        if _in_place(self.store):
            job.run()
            return
        if supersede:
            self.pool.clear()  # a job queued behind the running one is dropped before it starts
        self.pool.start(job)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


class JobRunner(_OneAtATime):
    """Runs one job at a time; emits `finished(report)` or `failed(message)` on the GUI thread."""

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(store, parent)
        self.signals = _Signals(self)
        self.signals.finished.connect(self.finished)
        self.signals.failed.connect(self.failed)

    def start(self, work: Work) -> None:
        self._run(_Job(work, self.store, self.signals))

    @property
    def busy(self) -> bool:
        return self.pool.activeThreadCount() > 0


class _LoadSignals(QObject):
    loaded = Signal(int, object)
    failed = Signal(int, str)


class _LoadJob(QRunnable):
    def __init__(
        self, load: Load, store: Store | CentralStore, generation: int, signals: _LoadSignals
    ) -> None:
        super().__init__()
        self.load, self.store, self.generation, self.signals = load, store, generation, signals

    def run(self) -> None:
        try:
            result = _with_own_store(self.load, self.store)
        except Exception as exc:  # reported on the GUI thread, like a bug in the GUI would be
            self.signals.failed.emit(self.generation, _failure(exc))
        else:
            self.signals.loaded.emit(self.generation, result)


class LoadRunner(_OneAtATime):
    """Reads for the GUI off its thread; a newer `start` supersedes any load still under way.

    Emits `loaded(result)` or `failed(message)` on the GUI thread, for the latest load only.
    """

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store | CentralStore, parent: QObject | None = None) -> None:
        super().__init__(store, parent)
        self.generation = 0
        self.pending = False
        self.signals = _LoadSignals(self)
        self.signals.loaded.connect(self._loaded)
        self.signals.failed.connect(self._failed)

    def start(self, load: Load) -> None:
        self.generation += 1
        self.pending = True
        self._run(_LoadJob(load, self.store, self.generation, self.signals), supersede=True)

    @property
    def busy(self) -> bool:
        return self.pending

    def _current(self, generation: int) -> bool:
        if generation != self.generation:
            return False  # stale: a newer load is under way or done
        self.pending = False
        return True

    def _loaded(self, generation: int, result: Any) -> None:
        if self._current(generation):
            self.loaded.emit(result)

    def _failed(self, generation: int, message: str) -> None:
        if self._current(generation):
            self.failed.emit(message)
