"""A sortable list of stored answers: who gave them and what went wrong (drill-down, history)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from trainer.core.reports.team import Answered
from trainer.core.store.records import AnswerRow
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, sorted_view


@dataclass(frozen=True)
class AnswerLine:
    """One answer as the table shows it, from the dashboard's light rows or a full stored row."""

    answered_at: datetime
    trainee: str
    scenario_id: str
    title: str
    exam: bool
    expected: str
    decided: str
    score: int
    findings: tuple[str, ...]
    answer_id: str = ""

    @property
    def findings_text(self) -> str:
        return "; ".join(self.findings) if self.findings else "—"

    @classmethod
    def of_answered(
        cls, a: Answered, names: Mapping[str, str], messages: Sequence[str]
    ) -> AnswerLine:
        t = a.attempt
        return cls(
            t.answered_at, names.get(t.trainee_id, t.trainee_id), t.scenario_id, a.title, t.exam,
            t.expected_decision, t.decision, t.score, tuple(messages), a.id,
        )  # fmt: skip

    @classmethod
    def of_row(cls, r: AnswerRow, trainee: str) -> AnswerLine:
        return cls(
            r.answered_at, trainee, r.scenario_id, r.scenario_title, r.exam, r.expected_decision,
            r.decision, r.score, tuple(f.message for f in r.findings), r.id,
        )  # fmt: skip


TRAINEE_COLUMN = 1
COLUMNS = (
    SortColumn(
        "Answered",
        lambda a: f"{a.answered_at:%Y-%m-%d %H:%M}",
        key=lambda a: a.answered_at.timestamp(),
    ),
    SortColumn("Trainee", lambda a: a.trainee),
    SortColumn("Scenario", lambda a: a.title, tooltip=lambda a: a.scenario_id),
    SortColumn("Mode", lambda a: "exam" if a.exam else "practice"),
    SortColumn("Expected", lambda a: a.expected),
    SortColumn("Decided", lambda a: a.decided),
    SortColumn("Score", lambda a: str(a.score), numeric=True, key=lambda a: float(a.score)),
    SortColumn("Findings", lambda a: a.findings_text),
)
SCENARIO_COLUMN = 2
FINDINGS_COLUMN = len(COLUMNS) - 1


class DrillDownTable(QWidget):
    """The answers behind a figure, newest first until the user sorts otherwise.

    A double-click (or Enter) on a row emits `answer_opened` with the stored answer's id.
    """

    answer_opened = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SortableTableModel(COLUMNS, self)
        self.table, self.proxy = sorted_view(
            self.model, name, self, FINDINGS_COLUMN, (0, Qt.SortOrder.DescendingOrder)
        )
        # The scenario's title and the findings share the spare width.
        self.table.horizontalHeader().setSectionResizeMode(
            SCENARIO_COLUMN, QHeaderView.ResizeMode.Stretch
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.table.setToolTip("Double-click an answer (or press Enter) to open it in full")
        self.table.activated.connect(self._open)  # a double-click or Enter, as the style has it

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            line: AnswerLine = self.model.row_at(self.proxy.mapToSource(index))
            if line.answer_id:
                self.answer_opened.emit(line.answer_id)

    def set_lines(self, lines: Sequence[AnswerLine]) -> None:
        self.model.set_rows(lines)

    def lines(self) -> list[AnswerLine]:
        """The lines in the order shown."""
        return [
            self.model.row_at(self.proxy.mapToSource(self.proxy.index(i, 0)))
            for i in range(self.proxy.rowCount())
        ]
