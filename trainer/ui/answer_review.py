"""One stored answer reopened, read-only: from progress, exam results and the dashboard."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.grading.review import AnswerReview, answer_review, review_html
from trainer.core.store.records import AnswerRecord
from trainer.ui.widgets import text_pane


def review_of(
    record: AnswerRecord, bank: Mapping[str, LoadedScenario], catalogue: Catalogue
) -> AnswerReview:
    """A stored answer's review, with the scenario as the bank has it now."""
    loaded = bank.get(record.scenario_id)
    return answer_review(
        record.scenario_title,
        record.score,
        record.answer,
        record.findings,
        record.asked,
        loaded.scenario if loaded else None,
        catalogue,
        revised=loaded is not None and loaded.content_hash != record.scenario_hash,
    )


class AnswerReviewDialog(QDialog):
    """The report, the questions asked, both answers and every finding with its rule card."""

    def __init__(self, parent: QWidget, review: AnswerReview, who: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{who or 'Your'} answer — {review.title}")
        self.text = text_pane("The answer in full", self)
        self.text.setHtml(review_html(review))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(parent.window().size() * 0.85)
        self.text.setFocus()

    @classmethod
    def show_review(cls, parent: QWidget, review: AnswerReview, who: str = "") -> None:
        """Open it modally (tests replace this one method)."""
        cls(parent, review, who).exec()
