"""Picking an offence class by code or by words: a search field whose matches drop down below it.

The matches come from the core's offence search (codes, class names, the Home Office offence
wording and everyday police words such as ABH or affray), best first, each as its code then its full
class name. Nothing is filled in unless the trainee picks a match (Down then Enter, or a click):
with no match the list stays shut and a note says so. The items live in a QStandardItemModel, so
the view reads them in C++ and no Python `None` ever passes through Qt.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue, Offence
from trainer.core.content.offence_search import OffenceMatch, offence_index

CodeRole = Qt.ItemDataRole.UserRole + 1
LabelRole = Qt.ItemDataRole.UserRole + 2  # what a pick puts in the field: "28J Attempted ..."
# What QCompleter compares its prefix with; the two never match, so it never preselects a row.
_UNTYPED_ROLE = Qt.ItemDataRole.UserRole + 3
_NEVER_TYPED = "\x1e"
NO_MATCH = "No class matches"
SETUP_AFTER_MS = 300
MAX_SHOWN = 50  # the best matches of a letter or two; typing on narrows them
HELP = (
    "Type a class code (28J), police words (ABH, affray, TWOC) or words from the offence;"
    " Down lists the matches, Enter picks one"
)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class OffenceMatchModel(QStandardItemModel):
    """The classes a search found (or every class), one row each: code first, full name.

    Filled through calls that return a value (`insertRows`, `setItemData`): PySide6 6.12 on
    Python 3.11 drops a reference to None on every call of a method returning void (PLATFORM.md),
    and the list is refilled on every keystroke."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, 1, parent)
        self._rows: list[tuple[str, str, str]] = []  # (code, shown text, tooltip), as filled

    def set_offences(self, offences: list[tuple[Offence, str]]) -> None:
        rows = []
        for offence, why in offences:
            tip = f"{offence.label}\n{offence.group_name}"
            rows.append(
                (
                    offence.code,
                    f"{offence.code}   {offence.name}",
                    f"{tip}\nFound by {why}" if why else tip,
                )
            )
        if rows == self._rows:
            return  # typing on through the same matches: nothing to redraw
        self._rows = rows
        labels = {o.code: o.label for o, _ in offences}
        self.removeRows(0, self.rowCount())
        self.insertRows(0, len(rows))
        for row, (code, text, tip) in enumerate(rows):
            self.setItemData(
                self.index(row, 0),
                {
                    Qt.ItemDataRole.DisplayRole: text,
                    Qt.ItemDataRole.ToolTipRole: tip,
                    CodeRole: code,
                    LabelRole: labels[code],
                    _UNTYPED_ROLE: f"\x1f{labels[code]}",
                },
            )

    def set_matches(self, matches: list[OffenceMatch]) -> None:
        self.set_offences([(m.offence, m.matched) for m in matches])

    def texts(self) -> list[str]:
        return [text for _, text, _ in self._rows]

    def codes(self) -> list[str]:
        return [code for code, _, _ in self._rows]


class OffencePicker(QLineEdit):
    """A search field for one offence class; `note` (placed by the owner) says when nothing
    matches. The drop-down arrow, or Down in an empty field, lists every class."""

    picked = Signal(str)  # the code of the class the trainee picked

    def __init__(self, catalogue: Catalogue, name: str = "Offence", parent: QWidget | None = None):
        super().__init__(parent)
        self._catalogue = catalogue
        self.matches = OffenceMatchModel(self)
        self.note = QLabel(NO_MATCH, parent)
        self.note.setAccessibleName(NO_MATCH)
        self.note.setVisible(False)
        self._popup: QListView | None = None
        self._completer: QCompleter | None = None
        self._wrapping = False
        self._browse: QAction | None = None
        self.installEventFilter(self)  # Down and Up in the field (no override: see PLATFORM.md)
        self.textEdited.connect(self._search)
        self.set_name(name)
        self.setToolTip(HELP)
        self.setPlaceholderText("Code or words, e.g. 28J, ABH or burglary")
        # The search index (some 15 ms), the list and the arrow's icon (each some 12 ms the first
        # time) are made just after the form is on screen, not while it is put there; whatever
        # the trainee reaches first is made then.
        QTimer.singleShot(SETUP_AFTER_MS, self, self._finish_setup)

    def _finish_setup(self) -> None:
        offence_index(self._catalogue)
        if self._browse is None:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
            self._browse = QAction(icon, "", self)
            self._browse.setToolTip("List every offence class")
            self._browse.triggered.connect(self.show_all)
            self.addAction(self._browse, QLineEdit.ActionPosition.TrailingPosition)
        self._list()

    @property
    def popup(self) -> QListView:
        return self._list()[0]

    def _list(self) -> tuple[QListView, QCompleter]:
        """The drop-down list and the completer that shows it, made on first use."""
        if self._popup is None or self._completer is None:
            popup = QListView()
            popup.setAccessibleName("Matching offence classes")
            popup.setTextElideMode(Qt.TextElideMode.ElideNone)  # a name is never cut
            popup.setUniformItemSizes(True)  # one line each, unless the screen is too narrow
            popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            popup.setResizeMode(QListView.ResizeMode.Adjust)
            popup.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            # The completer only shows the list and passes keys on: it is not the field's own
            # completer, so moving through the list never fills the field; only a pick does.
            completer = QCompleter(self.matches, self)
            completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            completer.setCompletionRole(_UNTYPED_ROLE)
            completer.setCompletionPrefix(_NEVER_TYPED)  # so it never preselects a row itself
            completer.setMaxVisibleItems(12)
            completer.setPopup(popup)
            completer.setWidget(self)
            completer.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
            popup.installEventFilter(self)  # after the completer's: sees keys first
            self._popup, self._completer = popup, completer
        return self._popup, self._completer

    @property
    def edit(self) -> QLineEdit:
        return self

    def set_name(self, name: str) -> None:
        self.setAccessibleName(name)

    def set_text(self, text: str) -> None:
        """Show `text` (a stored answer's class) without searching."""
        self.setText(text)
        self._show_note(False)
        self.matches.set_offences([])

    def code(self) -> str:
        """The class the field names exactly (its code or its label), or "" if none."""
        text = " ".join(self.text().split()).casefold()
        for offence in self._catalogue.offences:
            if text in (offence.code.casefold(), offence.label.casefold()):
                return offence.code
        return ""

    # Searching and picking --------------------------------------------------------------------

    def _search(self, text: str) -> None:
        if self.toolTip() != HELP:
            self.setToolTip(HELP)
        found = offence_index(self._catalogue).search(text)
        self.matches.set_matches(found[:MAX_SHOWN])
        self._show_note(bool(text.strip()) and not found)
        if found:
            self._open()
        elif self._popup is not None and self._popup.isVisible():
            self._popup.hide()

    def _show_note(self, shown: bool) -> None:
        if self.note.isVisible() != shown:
            self.note.setVisible(shown)

    def show_all(self) -> None:
        """Every class in the Home Office list's order, to browse."""
        self.matches.set_offences([(o, "") for o in self._catalogue.offences])
        self._open()

    def _open(self) -> None:
        if not self.matches.rowCount():
            return
        # As wide as the longest name needs (so names wrap only on a small screen): the completer
        # sizes its list as if every row were one line high.
        metrics = self.popup.fontMetrics()
        widest = max(metrics.horizontalAdvance(t) for t in self.matches.texts())
        chrome = 4 * metrics.averageCharWidth() + self.popup.verticalScrollBar().sizeHint().width()
        room = self.screen().availableGeometry().right() - self.mapToGlobal(QPoint(0, 0)).x()
        width = max(self.width(), min(widest + chrome, room))
        wrap = widest + chrome > width
        if wrap != self._wrapping:  # long names wrap where the screen is too narrow for them
            self._wrapping = wrap
            self.popup.setWordWrap(wrap)
            self.popup.setUniformItemSizes(not wrap)
        self._list()[1].complete(QRect(0, 0, width, self.height()))
        if wrap:
            self._fit_wrapped_rows()

    def _fit_wrapped_rows(self) -> None:
        """Make the list tall enough for its wrapped rows (the completer counts one line each)."""
        view = self.popup
        metrics = view.fontMetrics()
        style = view.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        text_width = view.viewport().width() - margin
        padding = max(0, view.sizeHintForRow(0) - metrics.height())
        wrap = Qt.TextFlag.TextWordWrap
        rows = self.matches.texts()[: self._list()[1].maxVisibleItems()]
        height = 2 * view.frameWidth() + sum(
            metrics.boundingRect(QRect(0, 0, text_width, 10_000), wrap, t).height() + padding
            for t in rows
        )
        if height > view.height():
            view.resize(view.width(), height)

    def _picked(self, index: QModelIndex) -> None:
        label, code = index.data(LabelRole), index.data(CodeRole)
        if isinstance(label, str) and isinstance(code, str):
            self.setText(label)
            self.setToolTip(f"{label}\n\n{HELP}")  # the whole name, should the field cut it
            self._show_note(False)
            self.picked.emit(code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the field, Down or Up opens the list (every class when the field is empty, else the
        matches, if any). On the list, no row is chosen until the trainee moves onto one; Enter
        on no row only closes the list."""
        if watched is self:
            if (
                isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
                and not self.popup.isVisible()
            ):
                if self.text().strip():
                    self._open()
                else:
                    self.show_all()
                return True
        elif watched is self._popup and self._popup is not None:
            if event.type() == QEvent.Type.Show:
                self.popup.selectionModel().clear()
                self.popup.setCurrentIndex(QModelIndex())
            elif (
                isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() in _ENTER
                and not self.popup.selectionModel().hasSelection()
            ):
                self.popup.hide()
                return True
        return super().eventFilter(watched, event)
