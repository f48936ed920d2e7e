"""For the start-up benchmark only (TRAINER_BENCH_FIRST_SCENARIO=1): start a one-scenario quiz as
soon as the bank is loaded, print the wall-clock times when the start screen and then the scenario
are first painted (and which slow imports had been loaded by then), and quit. Nothing in the
normal application calls this."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from trainer.ui.main_window import MainWindow
from trainer.ui.trainee.content_note import Choice, ContentNote
from trainer.ui.trainee.leave_quiz import Leave, LeaveQuizDialog

WINDOW_MARK = "window-painted"
SCENARIO_MARK = "first-scenario-painted"
SLOW_IMPORTS_MARK = "slow-imports"  # which of these were loaded by the time the scenario showed
SLOW_IMPORTS = frozenset({"pydantic", "yaml", "sqlite_utils", "fsrs"})


class _FirstPaint(QObject):
    """Prints `mark` and the time when the watched widget is first painted."""

    def __init__(self, mark: str, then_quit: bool, parent: QObject) -> None:
        super().__init__(parent)
        self.mark = mark
        self.then_quit = then_quit
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            print(f"{self.mark} {time.time():.6f}", flush=True)
            if self.then_quit:
                print(SLOW_IMPORTS_MARK, *sorted(SLOW_IMPORTS & sys.modules.keys()), flush=True)
                QTimer.singleShot(0, QApplication.quit)
        return False


def _skip(parent: QWidget | None) -> Choice:
    return "skip"  # the benchmark measures the first scenario, not a content note


def _keep(parent: QWidget | None, quitting: bool, exam: bool) -> Leave:
    return "keep"  # quitting mid-quiz is the benchmark's way out: no question asked


def quit_on_first_scenario(window: MainWindow) -> None:
    window.start_view.installEventFilter(_FirstPaint(WINDOW_MARK, False, window))

    def go() -> None:
        from trainer.core.practice.quiz import (
            QuizPlan,  # after the window shows, like the rest of the core
        )
        from trainer.core.practice.quiz_state import discard_unfinished

        assert window.context is not None and window.quiz_screen is not None
        store = window.context.store
        trainee = next(iter(store.trainees()), None) or store.create_trainee(
            "Benchmark", "BENCH-1", "call-handler"
        )
        discard_unfinished(store, trainee)  # the quiz an earlier run left open: no question
        window.choose_trainee(trainee)
        ContentNote.ask = _skip  # type: ignore[method-assign]
        LeaveQuizDialog.ask = _keep  # type: ignore[method-assign]
        report = window.quiz_screen.scenario_view.report.viewport()
        assert report is not None
        report.installEventFilter(_FirstPaint(SCENARIO_MARK, True, window))
        window.start_quiz(QuizPlan("mixed", count=1))

    window.context_ready.connect(go)
