"""One Qt table model for every list and table: rows of plain core values, columns of getters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

Index = QModelIndex | QPersistentModelIndex


def header_data(
    titles: Sequence[str], rows: int, section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """`headerData` for a table of `rows` rows: column titles across, row numbers down."""
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if orientation == Qt.Orientation.Horizontal and 0 <= section < len(titles):
        return titles[section]
    if orientation == Qt.Orientation.Vertical and 0 <= section < rows:
        return str(section + 1)
    return None


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    numeric: bool = False  # right-aligned
    tooltip: Callable[[Any], str] | None = None


class RowTableModel(QAbstractTableModel):
    """Rows of one kind of value (a Trainee, an AnswerRow, a Track...) shown column by column."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._titles = tuple(c.title for c in self._columns)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, index: Index | int) -> Any:
        return self._rows[index if isinstance(index, int) else index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        value = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(value) if column.tooltip else column.text(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(self._titles, len(self._rows), section, orientation, role)
