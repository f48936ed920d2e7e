"""Sortable tables for the dashboard: the shared row model with a sort key per column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from trainer.core.reports.statistics import Proportion
from trainer.ui.table_model import Column, Index, RowTableModel, header_data
from trainer.ui.widgets import table_view

SORT_ROLE = Qt.ItemDataRole.UserRole
WARNING = "⚠"
SAMPLE_ROWS = 200  # the rows whose texts size a big table's columns (the first shown)


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


# Big tables: every cell worked out once, off the GUI thread; sorting and finding in Python ------


class Cells:
    """A table's rows; each cell's text is worked out when first asked for, then kept, or every
    text at once by `fill` on a loading thread; a column's sort keys all at once, when the table is
    first sorted by it. Plain Python: no Qt."""

    def __init__(self, columns: Sequence[SortColumn], rows: Sequence[Any]) -> None:
        self.columns = tuple(columns)
        self.rows = tuple(rows)
        self._texts: list[list[str | None]] = [[None] * len(self.rows) for _ in self.columns]
        self._keys: list[list[tuple[int, float | str]] | None] = [None] * len(self.columns)

    def text(self, row: int, column: int) -> str:
        known = self._texts[column]
        text = known[row]
        if text is None:
            text = known[row] = self.columns[column].text(self.rows[row])
        return text

    def key(self, row: int, column: int) -> tuple[int, float | str]:
        """The cell's sort key: numbers before text, so a column of mixed keys still sorts."""
        keys = self._keys[column]
        if keys is None:
            keys = self._keys[column] = self._column_keys(column)
        return keys[row]

    def _column_keys(self, column: int) -> list[tuple[int, float | str]]:
        by = self.columns[column].key
        if by is not None:
            return [_comparable(by(row)) for row in self.rows]
        return [_comparable(self.text(row, column).casefold()) for row in range(len(self.rows))]

    def fill(self, first: int | None = None) -> Cells:
        """Work out the texts of the `first` rows (all rows: None) now, off the GUI thread, a
        column at a time: the GUI then only looks them up."""
        end = len(self.rows) if first is None else min(first, len(self.rows))
        for column, spec in enumerate(self.columns):
            known = self._texts[column]
            for row in range(end):
                if known[row] is None:
                    known[row] = spec.text(self.rows[row])
        return self


def cells(columns: Sequence[SortColumn], rows: Sequence[Any]) -> Cells:
    return Cells(columns, rows)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_SORT = int(SORT_ROLE.value)
_ANSWERED = frozenset((_DISPLAY, _ACCESSIBLE, _TOOLTIP, _ALIGNMENT, _SORT))


class CellTableModel(QAbstractTableModel):
    """A table over `Cells`: `data` only looks values up; `sort` and `find` reorder in Python."""

    def __init__(self, columns: Sequence[SortColumn], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._titles = tuple(c.title for c in self._columns)
        self._align = tuple(
            int(
                (Qt.AlignmentFlag.AlignRight if c.numeric else Qt.AlignmentFlag.AlignLeft)
                | Qt.AlignmentFlag.AlignVCenter
            )
            for c in columns
        )
        self._cells = cells(columns, ())
        self._order: list[int] = []
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._find = ""
        self._find_column = 0

    def set_cells(self, table: Cells) -> None:
        self.beginResetModel()
        self._cells = table
        self._order = self._ordered()
        self.endResetModel()

    def row_at(self, index: Index | int) -> Any:
        row = index if isinstance(index, int) else index.row()
        return self._cells.rows[self._order[row]]

    def rows(self) -> list[Any]:
        return [self._cells.rows[i] for i in self._order]

    def sample(self, column: int, count: int = SAMPLE_ROWS, longest: int = 8) -> list[str]:
        """The longest texts of a column in the first `count` rows shown, for sizing it."""
        texts = {self._cells.text(i, column) for i in self._order[:count]}
        return sorted(texts, key=len, reverse=True)[:longest]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks for ten roles or so of every cell it paints: the common ones come first,
        # compared as plain numbers.
        role = int(role)
        if role not in _ANSWERED or not index.isValid():
            return None  # a painted cell is asked for font, colours, icon...: none of ours
        if role in (_DISPLAY, _ACCESSIBLE):
            return self._cells.text(self._order[index.row()], index.column())
        if role == _ALIGNMENT:
            return self._align[index.column()]
        if role == _TOOLTIP:
            row, column = self._order[index.row()], index.column()
            tip = self._cells.columns[column].tooltip
            return tip(self._cells.rows[row]) if tip else self._cells.text(row, column)
        if role == _SORT:
            return self._cells.key(self._order[index.row()], index.column())[1]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(self._titles, len(self._order), section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._relayout()

    def find(self, text: str, column: int = 0) -> None:
        """Show only the rows whose text in `column` contains `text` (any case)."""
        self._find, self._find_column = text.casefold(), column
        self._relayout()

    def _relayout(self) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self._order
        self._order = self._ordered()
        where = {source: row for row, source in enumerate(self._order)}
        persistent = self.persistentIndexList()
        moved = []
        for index in persistent:
            row = where.get(old[index.row()], -1) if index.row() < len(old) else -1
            moved.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _ordered(self) -> list[int]:
        found, at = self._find, self._find_column
        order = [
            i
            for i in range(len(self._cells.rows))
            if not found or found in self._cells.text(i, at).casefold()
        ]
        column, direction = self._sort
        if 0 <= column < len(self._columns):
            key = self._cells.key
            order.sort(
                key=lambda i: key(i, column), reverse=direction == Qt.SortOrder.DescendingOrder
            )
        return order


def _comparable(key: float | str) -> tuple[int, float | str]:
    """Numbers before text, so a column of mixed keys still sorts."""
    return (1, key) if isinstance(key, str) else (0, key)


def cell_view(
    model: CellTableModel,
    name: str,
    parent: QWidget | None = None,
    sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder),
) -> QTableView:
    """A table over a `CellTableModel`, its columns sized by `size_columns` (not every cell)."""
    view = table_view(model, name, parent)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    view.setWordWrap(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header.setSortIndicator(*sort)
    view.setSortingEnabled(True)
    return view


def size_columns(view: QTableView, model: CellTableModel) -> None:
    """Each column as wide as its title and a sample of its texts, plus a margin."""
    metrics = view.fontMetrics()
    bold = QFontMetrics(view.horizontalHeader().font())
    for column in range(model.columnCount()):
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        widest = max((bold.horizontalAdvance(line) for line in title.split("\n")), default=0)
        for text in model.sample(column):
            widest = max(widest, metrics.horizontalAdvance(text))
        view.setColumnWidth(column, min(widest + 24, 360))
