"""Sortable tables for the dashboard: the shared row model with a sort key per column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView, QWidget

from trainer.core.reports.statistics import Proportion
from trainer.ui.table_model import Column, Index, RowTableModel
from trainer.ui.widgets import table_view

SORT_ROLE = Qt.ItemDataRole.UserRole
WARNING = "⚠"


@dataclass(frozen=True)
class SortColumn(Column):
    """A column whose rows sort by `key` (numbers as numbers), not by the text shown."""

    key: Callable[[Any], float | str] | None = None


class SortableTableModel(RowTableModel):
    """`RowTableModel` answering `SORT_ROLE` with each column's sort key."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self._sort_columns = tuple(columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SORT_ROLE and index.isValid():
            column = self._sort_columns[index.column()]
            value = self.row_at(index)
            key = column.key if isinstance(column, SortColumn) else None
            return key(value) if key else column.text(value).casefold()
        return super().data(index, role)


def sorted_view(
    model: SortableTableModel,
    name: str,
    parent: QWidget | None = None,
    stretch: int = -1,
    sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder),
) -> tuple[QTableView, QSortFilterProxyModel]:
    """A table over `model` through a sorting proxy, first sorted by `sort` (-1: model order)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view = table_view(proxy, name, parent, stretch)
    view.horizontalHeader().setSortIndicator(*sort)
    view.setSortingEnabled(True)
    return view, proxy


def percent(p: Proportion) -> str:
    """'75.0% (9/12)', or 'no data'."""
    return "no data" if p.value is None else f"{p.value:.1%} ({p.k}/{p.n})"


def interval(p: Proportion) -> str:
    """'46.8–91.1%', with a warning sign when the sample is too small to judge."""
    if p.interval is None:
        return ""
    low, high = p.interval
    text = f"{100 * low:.1f}–{100 * high:.1f}%"
    return f"{text} {WARNING}" if p.small_sample else text


def interval_tooltip(p: Proportion) -> str:
    if p.interval is None:
        return "No answers in this sample."
    note = (
        "\nThe sample is too small to judge on its own (fewer than 30 answers, or an interval "
        "wider than 20 points): treat with caution."
        if p.small_sample
        else ""
    )
    return f"95% Wilson confidence interval: {p.describe()}{note}"


def sort_value(value: float | None) -> float:
    """A sort key that puts 'no data' below every number."""
    return -1.0 if value is None else value
