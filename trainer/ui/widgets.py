"""Small building blocks every screen uses, so they look and behave alike."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTextBrowser,
    QWidget,
)

from trainer.core.grading.review import paragraphs_html

__all__ = ["button", "heading", "paragraphs_html", "table_view", "text_pane", "wrapped"]


def heading(text: str, parent: QWidget | None = None, scale: float = 1.4) -> QLabel:
    """A title in the system font, scaled rather than fixed so it follows the user's font size."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def wrapped(text: str = "", name: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name or text)
    return label


def button(text: str, name: str, parent: QWidget | None = None) -> QPushButton:
    """A push button; `text` carries the mnemonic (&Next), `name` is read out by screen readers."""
    b = QPushButton(text, parent)
    b.setAccessibleName(name)
    return b


def text_pane(name: str, parent: QWidget | None = None) -> QTextBrowser:
    """Read-only text that the keyboard can reach, scroll and select."""
    pane = QTextBrowser(parent)
    pane.setAccessibleName(name)
    pane.setOpenLinks(False)
    pane.setReadOnly(True)
    pane.setFrameShape(QFrame.Shape.StyledPanel)
    pane.setTabChangesFocus(True)
    pane.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
        | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    return pane


def table_view(
    model: QAbstractItemModel, name: str, parent: QWidget | None = None, stretch: int = -1
) -> QTableView:
    """A read-only, row-selecting table; column `stretch` takes the spare width (-1: the last)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setWordWrap(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch == -1)
    if stretch >= 0:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setHighlightSections(False)
    return view
