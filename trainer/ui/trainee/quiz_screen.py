"""A quiz under way: scenario, feedback (practice only), then the results of the whole quiz.

The half-filled answer and the questions asked are kept in the store as the trainee works (at most
`DRAFT_DELAY_MS` behind), so a quiz left by quitting or a crash resumes as it was.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from trainer.core.content.models import Answer
from trainer.core.grading.drafts import AnswerDraft
from trainer.core.practice.quiz import SENSITIVE_TOPIC
from trainer.core.practice.quiz_run import QuizRun
from trainer.ui.context import AppContext
from trainer.ui.errors import reports_errors
from trainer.ui.trainee.content_note import ContentNote
from trainer.ui.trainee.leave_quiz import LeaveQuizDialog
from trainer.ui.trainee.scenario_view import ScenarioView

if TYPE_CHECKING:
    from trainer.ui.trainee.feedback_view import FeedbackView
    from trainer.ui.trainee.results_view import ResultsView

DRAFT_DELAY_MS = 500  # a crash loses at most this much typing (plus one write)


class QuizScreen(QStackedWidget):
    """Runs one `QuizRun`; emits `closed` when the trainee leaves the results, `kept` when the
    trainee leaves the quiz unfinished to resume later."""

    closed = Signal()
    kept = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.run: QuizRun | None = None
        self.deadline: float | None = None
        self.ended_by_clock = False
        self.scenario_view = ScenarioView(context.catalogue, self)
        self.addWidget(self.scenario_view)
        # The feedback and results pages are built when first needed, so that the first scenario
        # appears sooner.
        self._feedback_view: FeedbackView | None = None
        self._results_view: ResultsView | None = None
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.draft_timer = QTimer(self)
        self.draft_timer.setSingleShot(True)
        self.draft_timer.setInterval(DRAFT_DELAY_MS)
        self.draft_timer.timeout.connect(self.keep_draft)
        self.scenario_view.answer_submitted.connect(self._answered)
        self.scenario_view.end_requested.connect(self._end_early)
        self.scenario_view.draft_changed.connect(self._draft_changed)

    @property
    def feedback_view(self) -> FeedbackView:
        if self._feedback_view is None:
            from trainer.ui.trainee.feedback_view import FeedbackView

            self._feedback_view = FeedbackView(self.context.catalogue, self)
            self.addWidget(self._feedback_view)
            self._feedback_view.next_requested.connect(self.show_current)
        return self._feedback_view

    @property
    def results_view(self) -> ResultsView:
        if self._results_view is None:
            from trainer.ui.trainee.results_view import ResultsView

            self._results_view = ResultsView(self.context.catalogue, self)
            self.addWidget(self._results_view)
            self._results_view.done.connect(self.closed)
        return self._results_view

    @property
    def running(self) -> bool:
        results = self._results_view  # None until the first quiz finishes
        return self.run is not None and (results is None or self.currentWidget() is not results)

    def start(self, run: QuizRun) -> None:
        """Run a new quiz, or a resumed one where it stood (an exam's clock ran on meanwhile)."""
        self.run = run
        self.scenario_view.require_certainty = run.plan.require_certainty
        self.ended_by_clock = False
        left = run.seconds_left()
        self.deadline = time.monotonic() + left if left is not None else None
        if self.deadline is not None:
            self.clock.start()
        self.scenario_view.set_time_left(self._seconds_left())
        self.show_current()
        if self.deadline is not None:
            self._tick()  # a resumed exam whose time ran out while it was away ends now

    def show_current(self) -> None:
        run = self.run
        assert run is not None
        loaded = run.current
        while loaded is not None and loaded.scenario.is_sensitive:
            if ContentNote.ask(self.window()) == "show":
                break
            run.skip(whole_topic=SENSITIVE_TOPIC)
            loaded = run.current
        if loaded is None:
            self.finish()
            return
        quiz = run.quiz
        view = self.scenario_view
        view.show_scenario(loaded.scenario, quiz.number, quiz.total, run.plan.exam, quiz.repeat)
        if run.draft is not None or run.asked:  # resumed: the answer as it was left
            view.restore(run.draft or AnswerDraft(), run.asked)
        self.draft_timer.stop()  # a fresh or restored form holds nothing new to keep
        self.setCurrentWidget(view)
        run.mark_shown()

    def _draft_changed(self) -> None:
        if not self.draft_timer.isActive():  # not restarted while typing: never more than the
            self.draft_timer.start()  # delay behind

    @reports_errors
    def keep_draft(self) -> None:
        """Keep the half-filled answer and the questions asked (only while they are on screen)."""
        self.draft_timer.stop()
        run, view = self.run, self.scenario_view
        if run is None or self.currentWidget() is not view or view.scenario is None:
            return
        current = run.current
        if current is not None and current.scenario.id == view.scenario.id:
            run.keep_draft(view.draft(), view.asked)

    def keep_for_later(self) -> None:
        """Leave the quiz unfinished: what is on screen is kept and the session stays open."""
        self.keep_draft()
        self.clock.stop()
        self.scenario_view.set_time_left(None)
        self.run = None

    @reports_errors
    def _answered(self, answer: Answer, asked: tuple[str, ...]) -> None:
        run = self.run
        assert run is not None
        self.draft_timer.stop()
        done = run.submit(answer, asked)  # returns once the answer is on disk
        if run.plan.exam:
            self.show_current()
            return
        from trainer.ui.trainee.feedback_view import Shown

        self.feedback_view.show_result(
            Shown(
                title=done.loaded.scenario.title,
                score=done.grade.score,
                answer=done.answer,
                findings=done.grade.findings,
                expected=done.loaded.scenario.expected,
                feedback=done.loaded.scenario.feedback,
                asked=asked,
            ),
            next_text="&Next" if not run.quiz.finished else "See &results",
        )
        self.setCurrentWidget(self.feedback_view)

    def _end_early(self) -> None:
        run = self.run
        if run is None:
            return
        choice = LeaveQuizDialog.ask(self.window(), quitting=False, exam=run.plan.exam)
        if choice == "end":
            self.finish()
        elif choice == "keep":
            self.keep_for_later()
            self.kept.emit()

    @reports_errors
    def finish(self) -> None:
        run = self.run
        assert run is not None
        self.draft_timer.stop()
        self.clock.stop()
        self.scenario_view.set_time_left(None)
        run.finish()
        rows = self.context.store.session_answers(run.session_id)
        kind = "Exam results" if run.plan.exam else "Quiz finished"
        clock = " — time ran out" if self.ended_by_clock else ""
        if not clock and run.quiz.ended_early:
            clock = f" after {len(run.quiz.results)} of {run.quiz.total}, nothing left to ask"
        title = f"{kind}{clock}: {run.plan.describe(self.context.catalogue)}"
        self.results_view.show_results(title, rows, self.context.library.by_id)
        self.setCurrentWidget(self.results_view)

    def _seconds_left(self) -> int | None:
        return None if self.deadline is None else round(self.deadline - time.monotonic())

    def _tick(self) -> None:
        left = self._seconds_left()
        self.scenario_view.set_time_left(left)
        if left is not None and left <= 0 and self.running:
            self.ended_by_clock = True
            self.finish()
