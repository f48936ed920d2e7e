"""The HMIC malpractice tab: answers that fell into a recording failure the inspectorate named,
by trap, for the current filter (each trainee's count is a column of the Team table)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from trainer.core.reports.malpractice import MalpracticeCounts, TrapCount
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, sorted_view
from trainer.ui.widgets import wrapped

COLUMNS = (
    SortColumn("Scenario", lambda t: t.scenario_title, tooltip=lambda t: t.scenario_id),
    SortColumn("Trap", lambda t: t.trap),
    SortColumn("Answers", lambda t: str(t.answers), numeric=True, key=lambda t: float(t.answers)),
    SortColumn(
        "Trainees", lambda t: str(t.trainees), numeric=True, key=lambda t: float(t.trainees)
    ),
)
ANSWERS_COLUMN = 2
ABOUT = (
    "A malpractice answer fell into one of the recording failures the inspectorate named: a "
    "burglary attempt downgraded to damage, vehicle damage logged as a collision, theft logged "
    "as lost property, shoplifting not recorded, a rape disclosure written off, a crime closed "
    "because the victim wants no action, a cancellation without additional verifiable "
    "information. They are counted here on their own, whatever else the answer got right."
)


def headline(counts: MalpracticeCounts) -> str:
    trainees = len(counts.by_trainee)
    if not counts.team:
        return "No HMIC malpractice answers in this filter."
    return (
        f"{counts.team:,} HMIC malpractice answer(s) in this filter, from {trainees} "
        f"trainee(s), in {len(counts.by_trap)} trap(s)."
    )


class MalpracticeView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = wrapped("", "HMIC malpractice answers", self)
        self.model = SortableTableModel(COLUMNS, self)
        self.table, self.proxy = sorted_view(
            self.model,
            "HMIC malpractice answers by trap",
            self,
            0,
            (ANSWERS_COLUMN, Qt.SortOrder.DescendingOrder),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(wrapped(ABOUT, "About malpractice answers", self))

    def show_counts(self, counts: MalpracticeCounts) -> None:
        rows: list[TrapCount] = list(counts.by_trap)
        self.model.set_rows(rows)
        self.headline.setText(headline(counts))
        self.headline.setAccessibleName(self.headline.text())
