"""Picking an offence class by code or by words: a list grouped by crime group, with type-ahead."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from trainer.core.content.catalogue import Catalogue, Offence

Index = QModelIndex | QPersistentModelIndex
CodeRole = Qt.ItemDataRole.UserRole + 1


class OffenceListModel(QAbstractListModel):
    """The catalogue's offence classes; with `headers`, each crime group opens with a title row."""

    def __init__(self, catalogue: Catalogue, headers: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Offence | str] = []
        self._with_group = not headers  # a flat list names each class's group instead
        for group in catalogue.groups():
            offences = [o for o in catalogue.offences if o.group == group]
            if headers:
                self._rows.append(offences[0].group_name)
            self._rows.extend(offences)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], str):
            return Qt.ItemFlag.NoItemFlags  # a group title: shown, never chosen
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if isinstance(row, str):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return row
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.label}   ({row.group_name})" if self._with_group else row.label
        if role in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.label}\n{row.group_name}: {row.subgroup}".rstrip(": ")
        if role == CodeRole:
            return row.code
        return None


class OffencePicker(QComboBox):
    """An editable combo: the drop-down lists classes under their groups; typing any part of a code
    or name offers the matching classes."""

    def __init__(
        self,
        grouped: OffenceListModel,
        flat: OffenceListModel,
        name: str = "Offence",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setModel(grouped)
        self.setMaxVisibleItems(20)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        completer = QCompleter(flat, self)
        completer.setCompletionRole(Qt.ItemDataRole.EditRole)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        popup = completer.popup()
        if popup is not None:
            popup.setAccessibleName("Matching offence classes")
        self.set_name(name)
        self.setToolTip("Type a class code (28J) or words from its name, or open the list")
        self.edit.setPlaceholderText("Code or words, e.g. 28J or burglary")
        self.setCurrentIndex(-1)
        self.clearEditText()

    @property
    def edit(self) -> QLineEdit:
        edit = self.lineEdit()
        assert edit is not None  # the picker is always editable
        return edit

    def set_name(self, name: str) -> None:
        """The accessible name, on the combo and on the line edit that takes the typing."""
        self.setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def text(self) -> str:
        return self.currentText()

    def set_text(self, text: str) -> None:
        self.setEditText(text)
