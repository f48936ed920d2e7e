"""The scenario screen: the report as it arrived, the questions a call-handler may ask, the form."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, Scenario
from trainer.core.errors import TrainerError
from trainer.core.grading.drafts import AnswerDraft, build_answer
from trainer.core.grading.feedback import (
    LOG_AUDIT_TOPIC,
    asked_words,
    questions_heading,
    scenario_source,
)
from trainer.ui.trainee.answer_form import AnswerForm
from trainer.ui.widgets import button, heading, paragraphs_html, text_pane, wrapped

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class ScenarioView(QWidget):
    """Shows one scenario; emits `answer_submitted` with a complete, checked answer."""

    answer_submitted = Signal(object, tuple)  # Answer, the asks opened (in order)
    end_requested = Signal()
    draft_changed = Signal()  # the half-filled answer or the questions asked changed

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.scenario: Scenario | None = None
        self.asked: list[str] = []

        self.title = heading("", self)
        self.position = wrapped("", "Position in the quiz", self)
        self.clock = wrapped("", "Time left", self)
        self.clock.hide()
        self.end_button = button("&End quiz", "End quiz", self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.clock)
        top.addWidget(self.end_button)

        self.report = text_pane("Report", self)
        self.asks_box = QGroupBox("Ask the caller", self)
        self.asks_box.setAccessibleName("Questions you can ask")
        self._asks_layout = QVBoxLayout(self.asks_box)
        self.ask_buttons: list[QPushButton] = []
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.position)
        left_layout.addWidget(self.report, 1)
        left_layout.addWidget(self.asks_box)

        self.form = AnswerForm(catalogue, self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setAccessibleName("Your record")
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = scroll.verticalScrollBar()
        # The form never scrolls sideways: its column is at least as wide as the form needs.
        scroll.setMinimumWidth(self.form.widest() + (bar.sizeHint().width() if bar else 0))
        self.error = wrapped("", "Problem with the answer", self)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.submit = button("&Submit answer", "Submit answer", self)
        self.submit.setToolTip("Submit (Ctrl+Enter)")
        self.submit.setDefault(True)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(heading("Your record", right, scale=1.1))
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.error)
        right_layout.addWidget(self.submit, 0, Qt.AlignmentFlag.AlignRight)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        for keys in SUBMIT_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit.click)
        self.submit.clicked.connect(self._submit)
        self.end_button.clicked.connect(self.end_requested)
        self.form.changed.connect(self.draft_changed)

    require_certainty = False  # an exam may require the certainty question

    def show_scenario(
        self, scenario: Scenario, number: int, total: int, exam: bool, repeat: bool = False
    ) -> None:
        """Show a scenario with an empty form; a `repeat` is one missed earlier in the quiz."""
        self.scenario = scenario
        self.asked = []
        self.title.setText(scenario.title)
        self.title.setAccessibleName(f"Scenario: {scenario.title}")
        kind = "Exam question" if exam else "Scenario"
        again = " (repeat)" if repeat else ""
        self.position.setText(f"{kind} {number} of {total}{again} · {scenario_source(scenario)}")
        self.report.setHtml(paragraphs_html(scenario.report.text))
        self._show_asks(scenario)
        self.form.clear(scenario.kind)
        self.error.clear()
        self.end_button.setText("&End exam" if exam else "&End quiz")
        self.report.setFocus()

    def _show_asks(self, scenario: Scenario) -> None:
        for old in self.ask_buttons:
            self._asks_layout.removeWidget(old)
            old.deleteLater()
        self.ask_buttons = []
        self.asks_box.setTitle(questions_heading(scenario))
        log = LOG_AUDIT_TOPIC in scenario.topics
        for detail in scenario.report.details:
            ask = QPushButton(detail.ask, self.asks_box)
            ask.setAccessibleName(f"{'Check' if log else 'Ask'}: {detail.ask}")
            ask.setToolTip(
                "Look this up in the log; what it shows appears in the report"
                if log
                else "Ask this question; the answer appears in the report"
            )
            ask.clicked.connect(lambda _=False, d=detail, b=ask: self._ask(d.ask, d.answer, b))
            self._asks_layout.addWidget(ask)
            self.ask_buttons.append(ask)
        self.asks_box.setVisible(bool(scenario.report.details))

    def restore(self, draft: AnswerDraft, asked: Sequence[str]) -> None:
        """Fill the form and ask the questions again, as they were left (a resumed quiz)."""
        assert self.scenario is not None
        details = list(zip(self.scenario.report.details, self.ask_buttons, strict=True))
        for question in asked:  # in the order they were asked
            for detail, source in details:
                if detail.ask == question:
                    self._ask(detail.ask, detail.answer, source)
        self.form.set_draft(draft, self.catalogue)

    def _ask(self, question: str, answer: str, source: QPushButton) -> None:
        if question in self.asked:
            return
        self.asked.append(question)
        self.draft_changed.emit()
        source.setEnabled(False)
        source.setText(f"Asked: {question}")
        assert self.scenario is not None
        asked, answered = asked_words(self.scenario)
        asked_html = "".join(
            f"<p><b>{asked}:</b> {html.escape(q)}<br><b>{answered}:</b> {html.escape(a)}</p>"
            for q, a in self._answers()
        )
        self.report.setHtml(paragraphs_html(self.scenario.report.text) + "<hr>" + asked_html)
        self.report.verticalScrollBar().setValue(self.report.verticalScrollBar().maximum())
        self.report.setFocus()

    def _answers(self) -> list[tuple[str, str]]:
        assert self.scenario is not None
        answers = {d.ask: d.answer for d in self.scenario.report.details}
        return [(q, answers[q]) for q in self.asked]

    def set_time_left(self, seconds: int | None) -> None:
        if seconds is None:
            self.clock.hide()
            return
        minutes, secs = divmod(max(0, seconds), 60)
        self.clock.setText(f"Time left {minutes}:{secs:02d}")
        self.clock.setAccessibleName(f"Time left: {minutes} minutes {secs} seconds")
        self.clock.show()

    def answer(self) -> Answer:
        """The form as a checked answer; TrainerError says what is missing."""
        assert self.scenario is not None
        answer = build_answer(self.form.draft(), self.scenario, self.catalogue)
        if self.require_certainty and answer.certainty is None:
            raise TrainerError("Say how sure you are of the recording decision.")
        return answer

    def draft(self) -> AnswerDraft:
        return self.form.draft()

    def _submit(self) -> None:
        if self.scenario is None:
            return
        try:
            answer = self.answer()
        except TrainerError as exc:  # an unfinished form is shown beside it, not in a box
            self.error.setText(f"<b>Not yet:</b> {html.escape(str(exc))}")
            self.error.setAccessibleName(f"Not yet: {exc}")
            return
        self.error.clear()
        self.answer_submitted.emit(answer, tuple(self.asked))
