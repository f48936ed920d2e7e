"""The Scenarios tab: item analysis (facility, discrimination), flagging scenarios to review."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from trainer.core.reports.figures import ItemFigures, ItemRow
from trainer.core.reports.statistics import MIN_TRAINEES_FOR_DISCRIMINATION, WEAK_DISCRIMINATION
from trainer.ui.dashboard.tables import (
    WARNING,
    Cells,
    CellTableModel,
    SortColumn,
    cell_view,
    cells,
    size_columns,
    sort_value,
)
from trainer.ui.widgets import wrapped


def _facility(r: ItemRow) -> str:
    f = r.stats.facility
    return "" if f is None else f"{f:.2f}"


def _discrimination(r: ItemRow) -> str:
    d = r.stats.discrimination
    if d is not None:
        return f"{d:+.2f}"
    if r.stats.trainees < MIN_TRAINEES_FOR_DISCRIMINATION:
        return f"n/a (fewer than {MIN_TRAINEES_FOR_DISCRIMINATION} trainees)"
    if r.stats.paired < MIN_TRAINEES_FOR_DISCRIMINATION:
        return f"n/a (fewer than {MIN_TRAINEES_FOR_DISCRIMINATION} who answered others too)"
    return "n/a (scores do not vary)"


def _review(r: ItemRow) -> str:
    return f"{WARNING} {r.review}" if r.review else ""


REVIEW_HELP = (
    "Negative discrimination: trainees who do well overall do worse on this scenario than those "
    "who do badly, a sign of a wrong key or an unclear report. Weak: below 0.2."
)


def _review_rank(r: ItemRow) -> float:
    """Most suspect first: negative, then weak, then the rest by discrimination, then n/a."""
    d = r.stats.discrimination
    if d is None:
        return 100.0
    return (0.0 if r.stats.flagged else 10.0 if r.review else 20.0) + d


COLUMNS = (
    SortColumn("Scenario", lambda r: r.title, tooltip=lambda r: r.stats.scenario_id),
    SortColumn(
        "Answers",
        lambda r: str(r.stats.attempts),
        numeric=True,
        key=lambda r: float(r.stats.attempts),
    ),
    SortColumn(
        "Trainees",
        lambda r: str(r.stats.trainees),
        numeric=True,
        key=lambda r: float(r.stats.trainees),
    ),
    SortColumn(
        "Facility",
        _facility,
        numeric=True,
        key=lambda r: sort_value(r.stats.facility),
        tooltip=lambda r: "Mean score ÷ 100: 0 = nobody gets it, 1 = everybody does.",
    ),
    SortColumn(
        "Discrimination",
        _discrimination,
        numeric=True,
        key=lambda r: -2.0 if r.stats.discrimination is None else r.stats.discrimination,
        tooltip=lambda r: (
            "Correlation between trainees' scores on this scenario and their mean "
            "score on all the others."
        ),
    ),
    SortColumn("Review", _review, key=lambda r: _review_rank(r), tooltip=lambda r: REVIEW_HELP),
)
REVIEW_COLUMN = len(COLUMNS) - 1


def item_cells(data: ItemFigures) -> Cells:
    """The table's texts and sort keys, worked out on the loading thread."""
    return cells(COLUMNS, data.rows).fill()


class ItemsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = wrapped("", "Scenarios summary", self)
        self.only_flagged = QCheckBox("Show only scenarios flagged for revie&w", self)
        self.only_flagged.setAccessibleName("Show only scenarios flagged for review")
        self.model = CellTableModel(COLUMNS, self)
        self.table = cell_view(
            self.model, "Item analysis", self, (REVIEW_COLUMN, Qt.SortOrder.AscendingOrder)
        )
        self.sized = False
        self.note = wrapped(
            f"Facility is the mean score ÷ 100. Discrimination is the correlation between "
            f"trainees' scores on a scenario and their mean on all the others, shown once "
            f"{MIN_TRAINEES_FOR_DISCRIMINATION} trainees have answered it and other scenarios too. "
            f"Below {WEAK_DISCRIMINATION} it separates strong and weak trainees poorly; below 0, "
            f"strong trainees do worse than weak ones, the sign of a wrong key or an unclear "
            f"report.",
            "About item analysis",
            self,
        )
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.only_flagged)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self.only_flagged.toggled.connect(self._only_flagged)

    def _only_flagged(self, on: bool) -> None:
        self.model.find(WARNING if on else "", REVIEW_COLUMN)

    def show_data(self, data: ItemFigures, table: Cells | None = None) -> None:
        """Show the figures: `table` from `item_cells` (else worked out here)."""
        rows = data.rows
        self.model.set_cells(table or cells(COLUMNS, rows))
        if not self.sized and self.model.rowCount():
            size_columns(self.table, self.model)  # once: then the supervisor's widths stay
            self.sized = True
        flagged = sum(r.stats.flagged for r in rows)
        weak = sum(bool(r.review) for r in rows) - flagged
        self.headline.setText(
            f"{len(rows)} scenario(s) answered; {flagged} flagged for review "
            f"(negative discrimination), {weak} with weak discrimination."
        )
        self.headline.setAccessibleName(self.headline.text())
