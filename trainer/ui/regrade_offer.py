"""The offer, on start, to grade stored answers again when the bank or the catalogue has changed.

The check and the regrade both run off the GUI thread on a connection of their own (a regrade of
many answers takes minutes); only the question is asked on the GUI thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from trainer.ui.errors import confirm, show_error
from trainer.ui.jobs import JobRunner, LoadRunner

if TYPE_CHECKING:
    from trainer.ui.context import AppContext


def question(count: int) -> str:
    if count < 0:
        return (
            "A regrade of the stored answers was interrupted before the figures were brought up "
            "to date. Finish it now? It runs in the background."
        )
    return (
        f"The scenario bank or the counting rules have changed since {count:,} stored answer(s) "
        "were graded. Grade them again now against the current bank? It runs in the background; "
        "each changed grade is kept in the answer's history."
    )


class RegradeDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, count: int) -> bool:
        """True when the user wants the answers graded again now."""
        return confirm(parent, question(count), "Grade stored answers again?")


class RegradeOffer(QObject):
    """Checks after the bank has loaded; asks; regrades. Emits `done(report)` after a regrade."""

    done = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.window = parent
        self.checker = LoadRunner(context.store, self)
        self.runner = JobRunner(context.store, self)
        self.stopping = threading.Event()
        self.checker.loaded.connect(self._checked)
        self.checker.failed.connect(self._failed)
        self.runner.finished.connect(self.done)
        self.runner.failed.connect(self._failed)

    def start(self) -> None:
        from trainer.core.store.regrade_status import answers_to_regrade

        library, catalogue = self.context.library, self.context.catalogue
        self.checker.start(lambda store: answers_to_regrade(store, library, catalogue))

    def _checked(self, count: object) -> None:
        if not isinstance(count, int) or count == 0:
            return
        if not RegradeDialog.ask(self.window, count):
            return
        from trainer.core.practice.schedule import regrade_and_reschedule

        library, catalogue = self.context.library, self.context.catalogue
        stop = self.stopping.is_set
        self.runner.start(
            lambda store: regrade_and_reschedule(store, library, catalogue, stop).describe()
        )

    def _failed(self, message: str) -> None:
        show_error(self.window, f"The stored answers could not be graded again: {message}")

    def stop(self) -> None:
        """The window is closing: a regrade under way stops after its page (the next start
        offers to finish it)."""
        self.stopping.set()
        self.checker.wait()
        self.runner.wait()
