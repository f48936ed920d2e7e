"""The answers behind a figure (a bar, a trainee), newest first, a page at a time as the user
scrolls: the model asks the store for the next page (`answer_pages`) when the view needs it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from trainer.core.reports.answer_pages import PAGE, AnswerLine
from trainer.ui.table_model import Index, header_data
from trainer.ui.widgets import table_view

Fetch = Callable[[tuple[float, int] | None], list[AnswerLine]]  # the page after (ts, seq)

TRAINEE_COLUMN = 1
COLUMNS: tuple[tuple[str, Callable[[AnswerLine], str]], ...] = (
    ("Answered", lambda a: f"{a.answered_at:%Y-%m-%d %H:%M}"),
    ("Trainee", lambda a: a.trainee),
    ("Scenario", lambda a: a.title),
    ("Mode", lambda a: "exam" if a.exam else "practice"),
    ("Expected", lambda a: a.expected),
    ("Decided", lambda a: a.decided),
    ("Score", lambda a: str(a.score)),
    ("Findings", lambda a: a.findings_text),
)
SCENARIO_COLUMN = 2
SCORE_COLUMN = 6
FINDINGS_COLUMN = len(COLUMNS) - 1
_TITLES = tuple(title for title, _ in COLUMNS)


class AnswerPagesModel(QAbstractTableModel):
    """Loaded pages of answers; `fetchMore` reads the next page when the view scrolls to the end."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[AnswerLine] = []
        self._texts: list[tuple[str, ...]] = []
        self._fetch: Fetch | None = None
        self._fetching = False

    def start(self, fetch: Fetch | None, first: Sequence[AnswerLine] | None = None) -> None:
        """Show the answers `fetch` pages through (`first`: its first page, read already)."""
        self.beginResetModel()
        self._lines, self._texts, self._fetch = [], [], None
        self.endResetModel()  # views may ask for more while it is signalled: nothing yet
        self._fetch = fetch
        if first is not None:
            self._append(first)
        elif fetch is not None:
            self.fetchMore(QModelIndex())

    def lines(self) -> list[AnswerLine]:
        return list(self._lines)

    def line_at(self, row: int) -> AnswerLine:
        return self._lines[row]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._fetch is not None and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._fetch is None or self._fetching:
            return
        last = self._lines[-1] if self._lines else None
        self._fetching = True  # a view may ask again while the rows go in
        try:
            self._append(self._fetch((last.answered_ts, last.seq) if last else None))
        finally:
            self._fetching = False

    def _append(self, page: Sequence[AnswerLine]) -> None:
        if len(page) < PAGE:
            self._fetch = None  # the last page was read
        if not page:
            return
        start = len(self._lines)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._lines += page
        self._texts += [tuple(text(a) for _, text in COLUMNS) for a in page]
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            if role == Qt.ItemDataRole.ToolTipRole and index.column() == SCENARIO_COLUMN:
                return self._lines[index.row()].scenario_id
            return self._texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = (
                Qt.AlignmentFlag.AlignRight
                if index.column() == SCORE_COLUMN
                else Qt.AlignmentFlag.AlignLeft
            )
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(_TITLES, len(self._lines), section, orientation, role)


class DrillDownTable(QWidget):
    """The answers behind a figure, newest first, read a page at a time as the user scrolls.

    A double-click (or Enter) on a row emits `answer_opened` with the stored answer's id.
    """

    answer_opened = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnswerPagesModel(self)
        self.table = table_view(self.model, name, self, FINDINGS_COLUMN)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The scenario's title and the findings share the spare width.
        header.setSectionResizeMode(SCENARIO_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(FINDINGS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(("2026-12-31 23:59", "M" * 12, "", "practice", "incident",
                                         "incident", "Score", "")):  # fmt: skip
            if sample:
                self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.table.setToolTip("Double-click an answer (or press Enter) to open it in full")
        self.table.activated.connect(self._open)  # a double-click or Enter, as the style has it

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            line = self.model.line_at(index.row())
            if line.answer_id:
                self.answer_opened.emit(line.answer_id)

    def show_pages(self, fetch: Fetch | None, first: Sequence[AnswerLine] | None = None) -> None:
        self.model.start(fetch, first)

    def lines(self) -> list[AnswerLine]:
        """The lines loaded so far, in the order shown."""
        return self.model.lines()
