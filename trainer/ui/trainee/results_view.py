"""Results of a quiz, an exam or a past session: every answer, each one re-openable read-only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.grading.feedback import score_words
from trainer.core.reports.statistics import mean_score, recording_rate
from trainer.core.store.records import AnswerRecord, AnswerRow
from trainer.ui.answer_review import AnswerReviewDialog, review_of
from trainer.ui.table_model import Column, RowTableModel
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
            review = review_of(self.answers.row_at(index), self.bank, self.catalogue)
            AnswerReviewDialog.show_review(self, review)
