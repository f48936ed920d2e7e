"""The Rules and crime groups tab: where the team goes wrong, as bar charts with drill-down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.reports.answer_pages import Behind, answer_count, answer_page
from trainer.core.reports.figures import BreakdownFigures
from trainer.core.reports.team import Reader
from trainer.core.reports.team_breakdown import Bar, group_bars, kind_bars, rule_bars
from trainer.ui.dashboard.answers_table import DrillDownTable
from trainer.ui.dashboard.charts import BarChart
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, sorted_view
from trainer.ui.widgets import wrapped


@dataclass(frozen=True)
class Breakdown:
    title: str
    key_title: str  # what each bar is, e.g. "Rule card"
    axis: str  # what its length measures
    bars: Callable[[BreakdownFigures, Catalogue], list[Bar]]
    behind: Callable[[str], Behind]
    ceiling: float | None = None  # a fixed top for the value axis (100 for percentages)

    def columns(self) -> tuple[SortColumn, ...]:
        return (
            SortColumn(self.key_title, lambda b: b.label, tooltip=lambda b: b.detail),
            SortColumn(self.axis, lambda b: b.shown, numeric=True, key=lambda b: b.value),
        )


BREAKDOWNS = (
    Breakdown(
        "Findings by kind",
        "Kind of finding",
        "Findings",
        lambda d, _c: kind_bars(d.kinds),
        lambda key: Behind(kind=key),
    ),
    Breakdown(
        "Findings by rule card",
        "Rule card",
        "Findings",
        lambda d, c: rule_bars(d.rules, c),
        lambda key: Behind(rule=key),
    ),
    Breakdown(
        "Answers fully right by crime group",
        "Crime group",
        "Fully right (%)",
        lambda d, _c: group_bars(d.groups),
        lambda key: Behind(crime_group=key),
        ceiling=100,
    ),
)


CAPTION = "Click a bar, or select a row of the table, to see the answers behind it."


class RulesView(QWidget):
    def __init__(self, catalogue: Catalogue, store: Reader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.store = store
        self.data: BreakdownFigures | None = None
        self.breakdown = QComboBox(self)
        self.breakdown.setAccessibleName("Breakdown")
        for b in BREAKDOWNS:
            self.breakdown.addItem(b.title)
        self.chart = BarChart("Bar chart of the breakdown", self)
        self.bar_models = [SortableTableModel(b.columns(), self) for b in BREAKDOWNS]
        self.bar_table, self.bar_proxy = sorted_view(
            self.bar_models[0], "Breakdown values (select one to list its answers)", self, stretch=0
        )
        self.bar_table.setMinimumWidth(220)
        self.bar_table.setWordWrap(False)  # long rule titles are elided, in full in the tooltip
        rows = self.bar_table.verticalHeader()  # one line a row, so every bar's row fits beside it
        rows.setDefaultSectionSize(self.bar_table.fontMetrics().height() + 8)
        self.caption = wrapped(CAPTION, "Answers behind the selected bar", self)
        self.answers = DrillDownTable("Answers behind the selected bar", self)

        top = QHBoxLayout()
        label = QLabel("&Breakdown:", self)
        label.setBuddy(self.breakdown)
        top.addWidget(label)
        top.addWidget(self.breakdown)
        top.addStretch(1)
        charts = QSplitter(Qt.Orientation.Horizontal, self)
        charts.addWidget(self.chart)
        charts.addWidget(self.bar_table)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 1)
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.caption)
        below_layout.addWidget(self.answers, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(charts)
        split.addWidget(below)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.breakdown.currentIndexChanged.connect(self._redraw)
        self.chart.bar_clicked.connect(self.select_bar)
        self.bar_table.selectionModel().selectionChanged.connect(self._bar_selected)

    @property
    def current(self) -> Breakdown:
        return BREAKDOWNS[self.breakdown.currentIndex()]

    @property
    def bar_model(self) -> SortableTableModel:
        return self.bar_models[self.breakdown.currentIndex()]

    def show_data(self, data: BreakdownFigures) -> None:
        self.data = data
        self._redraw()

    def select_bar(self, index: int) -> None:
        """Show the answers behind the chart's bar `index` (0 = the top bar)."""
        source = self.bar_model.index(index, 0)
        self.bar_table.selectRow(self.bar_proxy.mapFromSource(source).row())

    def _redraw(self) -> None:
        if self.data is None:
            return
        b = self.current
        bars = b.bars(self.data, self.catalogue)
        self.chart.show_bars(bars, b.title, b.axis, b.ceiling)
        self.bar_model.set_rows(bars)
        if self.bar_proxy.sourceModel() is not self.bar_model:
            self.bar_proxy.setSourceModel(self.bar_model)
        self.answers.show_pages(None)
        self.caption.setText(CAPTION if bars else "No answers match the filter.")

    def _bar_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self.data is None or not selected.indexes():
            return
        bar: Bar = self.bar_model.row_at(self.bar_proxy.mapToSource(selected.indexes()[0]))
        store, flt, behind = self.store, self.data.filter, self.current.behind(bar.key)
        self.answers.show_pages(lambda after: answer_page(store, flt, behind, after))
        count = answer_count(store, flt, behind)
        self.caption.setText(f"{count} answer(s) behind “{bar.label}” ({bar.detail}).")
        self.caption.setAccessibleName(self.caption.text())
