"""Results of a quiz, an exam or a past session: every answer, each one re-openable read-only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.grading.feedback import score_words
from trainer.core.reports.statistics import mean_score, recording_rate
from trainer.core.store.records import AnswerRecord, AnswerRow
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.trainee.feedback_view import FeedbackView, Shown
from trainer.ui.widgets import button, heading, table_view, wrapped


def _taken(r: AnswerRecord) -> str:
    minutes, seconds = divmod(round(r.seconds_taken), 60)
    return f"{minutes}:{seconds:02d}"


ANSWER_COLUMNS = (
    Column("Scenario", lambda r: r.scenario_title),
    Column("Score", lambda r: str(r.score), numeric=True),
    Column("Result", lambda r: score_words(r.score)),
    Column("Questions asked", lambda r: str(len(r.asked)), numeric=True),
    Column("Time taken", _taken, numeric=True),
)


def shown_from_record(record: AnswerRecord, bank: Mapping[str, LoadedScenario]) -> Shown:
    """What the feedback screen shows for a stored answer, with the key as the bank has it now."""
    loaded = bank.get(record.scenario_id)
    note = ""
    if loaded is None:
        note = "This scenario is no longer in the bank; only your answer and its findings are kept."
    elif loaded.content_hash != record.scenario_hash:
        note = "This scenario has been revised since you answered it; the key shown is the new one."
    return Shown(
        title=record.scenario_title,
        score=record.score,
        answer=record.answer,
        findings=record.findings,
        expected=loaded.scenario.expected if loaded else None,
        feedback=loaded.scenario.feedback if loaded else None,
        asked=record.asked,
        note=note,
    )


def results_summary(rows: Sequence[AnswerRow]) -> str:
    attempts = [r.as_attempt() for r in rows]
    mean = mean_score(attempts)
    if mean is None:
        return "No answers."
    text = f"{len(rows)} answered · mean score {mean:.0f}"
    rate = recording_rate(attempts)
    if rate.n:
        text += f" · crimes recorded when they should have been: {rate.describe()}"
    return text


class ResultsView(QWidget):
    done = Signal()

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.bank: Mapping[str, LoadedScenario] = {}
        self.title = heading("Results", self)
        self.summary = wrapped("", "Summary", self)
        self.answers = RowTableModel(ANSWER_COLUMNS, self)
        self.table = table_view(self.answers, "Answers", self, stretch=0)
        self.open_button = button("&Open answer", "Open answer", self)
        self.done_button = button("&Done", "Done", self)
        self.done_button.setDefault(True)
        label = QLabel("&Answers (open one to see its feedback):", self)
        label.setBuddy(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.activated.connect(self.open_answer)
        self.open_button.clicked.connect(lambda: self.open_answer(self.table.currentIndex()))
        self.done_button.clicked.connect(self.done)

    def show_results(
        self, title: str, records: Sequence[AnswerRow], bank: Mapping[str, LoadedScenario]
    ) -> None:
        self.bank = bank
        self.title.setText(title)
        self.title.setAccessibleName(title)
        summary = results_summary(records)
        self.summary.setText(summary)
        self.summary.setAccessibleName(summary)
        self.answers.set_rows(records)
        self.open_button.setEnabled(bool(records))
        if records:
            self.table.setCurrentIndex(self.answers.index(0, 0))
        self.done_button.setFocus()

    def open_answer(self, index: QModelIndex) -> None:
        if index.isValid():
            ReviewDialog.show_answer(
                self, self.catalogue, shown_from_record(self.answers.row_at(index), self.bank)
            )


class ReviewDialog(QDialog):
    """One stored answer's feedback, read-only."""

    def __init__(self, parent: QWidget, catalogue: Catalogue, shown: Shown) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Your answer — {shown.title}")
        self.view = FeedbackView(catalogue, self)
        self.view.show_result(shown, next_text="&Close")
        self.view.next_requested.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        self.resize(parent.window().size() * 0.9)

    @classmethod
    def show_answer(cls, parent: QWidget, catalogue: Catalogue, shown: Shown) -> None:
        cls(parent, catalogue, shown).exec()
