"""The start screen: choose your trainee profile, or create one (one workstation, many trainees);
a quiz the chosen trainee left unfinished is offered for resuming."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.widgets import button, heading, wrapped

if TYPE_CHECKING:
    from trainer.core.practice.quiz_state import Unfinished
    from trainer.core.store.records import Trainee

ROLE_NAMES = {"call-handler": "Call-handler", "officer": "Officer"}  # models.AUDIENCES, named


def describe_trainee(trainee: Trainee) -> str:
    """A profile as the list shows it: name, staff number, role and (when known) unit."""
    role = ROLE_NAMES.get(trainee.role, trainee.role)
    unit = f", {trainee.unit}" if trainee.unit else ""
    return f"{trainee.name} — {trainee.staff_number} ({role}{unit})"


TRAINEE_COLUMNS = (Column("Trainee", describe_trainee),)


class UnitDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, trainee: Trainee) -> str | None:
        """The unit typed for this profile ("" for none), or None when cancelled."""
        text, ok = QInputDialog.getText(
            parent, "Change unit",
            f"Unit of {trainee.name} ({trainee.staff_number}), e.g. north-custody; "
            "leave it empty for none:",
            text=trainee.unit or "",
        )  # fmt: skip
        return text if ok else None


def describe_unfinished(left: Unfinished) -> str:
    """What the resume offer says: the quiz, how far it got, and an exam's clock."""
    if left.problem is not None:
        return f"An unfinished quiz cannot be resumed ({left.problem}). Discard it to start afresh."
    when = f", started {left.started_at:%a %d %b %H:%M}" if left.started_at else ""
    text = f"Unfinished: {left.title} — {left.answered} of {left.total} answered{when}."
    if left.seconds_left is not None:
        minutes, seconds = divmod(left.seconds_left, 60)
        text += (
            f"\nThe exam's clock kept running from its start: {minutes}:{seconds:02d} left."
            if left.seconds_left
            else "\nThe exam's time ran out while you were away: resume it to see your results."
        )
    return text


class StartView(QWidget):
    trainee_chosen = Signal(object)  # Trainee
    profile_requested = Signal(str, str, str, str)  # name, staff number, role, unit
    unit_requested = Signal(object, str)  # Trainee, the unit typed for it ("" for none)
    trainee_selected = Signal(object)  # Trainee: the list's current profile changed
    resume_requested = Signal(object)  # Trainee
    discard_requested = Signal(object)  # Trainee

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trainees = RowTableModel(TRAINEE_COLUMNS, self)
        self.found = QSortFilterProxyModel(self)  # the profiles matching the search, as typed
        self.found.setSourceModel(self.trainees)
        self.found.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit(self)
        self.search.setAccessibleName("Find your profile")
        self.search.setPlaceholderText("Type part of your name or staff number")
        self.search.setClearButtonEnabled(True)
        self.list = QListView(self)
        self.list.setModel(self.found)
        self.list.setUniformItemSizes(True)  # 2,000 profiles: no size asked of every row
        self.list.setAccessibleName("Trainee profiles")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAlternatingRowColors(True)
        self.continue_button = button("&Continue as this trainee", "Continue as this trainee", self)
        self.continue_button.setEnabled(False)
        self.unit_button = button("Chan&ge unit…", "Change the unit of this profile", self)
        self.unit_button.setToolTip(
            "The unit this profile belongs to on this workstation (shown in the answers CSV)"
        )
        self.unit_button.setEnabled(False)
        self.status = wrapped("Loading the scenario bank…", "Status", self)
        self.resume_box = QGroupBox("Unfinished quiz", self)
        self.resume_text = wrapped("", "Unfinished quiz", self.resume_box)
        self.resume_button = button("Res&ume this quiz", "Resume the unfinished quiz", self)
        self.discard_button = button("&Discard it", "Discard the unfinished quiz", self)
        self.discard_button.setToolTip("End it here; the answers already given stay in the record")
        resume_buttons = QHBoxLayout()
        resume_buttons.addStretch(1)
        resume_buttons.addWidget(self.discard_button)
        resume_buttons.addWidget(self.resume_button)
        resume_layout = QVBoxLayout(self.resume_box)
        resume_layout.addWidget(self.resume_text)
        resume_layout.addLayout(resume_buttons)
        self.resume_box.hide()
        self._resumable = False

        choose = QGroupBox("Choose your profile", self)
        choose_layout = QVBoxLayout(choose)
        search_label = QLabel("Fin&d your profile:", choose)
        search_label.setBuddy(self.search)
        choose_layout.addWidget(search_label)
        choose_layout.addWidget(self.search)
        list_label = QLabel("&Profiles on this workstation:", choose)
        list_label.setBuddy(self.list)
        choose_layout.addWidget(list_label)
        choose_layout.addWidget(self.list, 1)
        self.empty_hint = QLabel("No profiles yet on this workstation: create yours on the right.")
        self.empty_hint.setWordWrap(True)
        choose_layout.addWidget(self.empty_hint)
        profile_buttons = QHBoxLayout()
        profile_buttons.addWidget(self.unit_button)
        profile_buttons.addStretch(1)
        profile_buttons.addWidget(self.continue_button)
        choose_layout.addLayout(profile_buttons)
        choose_layout.addWidget(self.resume_box)

        self.name = QLineEdit(self)
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(100)
        self.staff_number = QLineEdit(self)
        self.staff_number.setAccessibleName("Staff number")
        self.staff_number.setMaxLength(32)
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role")
        for role, role_name in ROLE_NAMES.items():
            self.role.addItem(role_name, role)
        self.unit = QLineEdit(self)
        self.unit.setAccessibleName("Unit")
        self.unit.setMaxLength(80)
        self.unit.setPlaceholderText("optional, e.g. north-custody")
        self._default_unit = ""
        self.create_button = button("C&reate profile", "Create profile", self)
        create = QGroupBox("New trainee", self)
        form = QFormLayout(create)
        for text, field in (
            ("&Name:", self.name),
            ("&Staff number:", self.staff_number),
            ("R&ole:", self.role),
            ("Un&it:", self.unit),
        ):
            label = QLabel(text, create)
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow(self.create_button)

        columns = QHBoxLayout()
        columns.addWidget(choose, 3)
        columns.addWidget(create, 2, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Crime Recording Trainer", self, scale=1.6))
        layout.addWidget(
            wrapped(
                "Practise recording and classifying crime under the Home Office Counting Rules. "
                "Choose your profile to carry on where you left off, or create one.",
                "Welcome",
                self,
            )
        )
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)

        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.search.textChanged.connect(self._search)
        self.search.returnPressed.connect(self._continue)
        self.list.activated.connect(self._activated)
        self.continue_button.clicked.connect(self._continue)
        self.resume_button.clicked.connect(lambda: self._emit_current(self.resume_requested))
        self.discard_button.clicked.connect(lambda: self._emit_current(self.discard_requested))
        self.create_button.clicked.connect(self._create)
        self.staff_number.returnPressed.connect(self._create)
        self.unit.returnPressed.connect(self._create)
        self.unit_button.clicked.connect(self._change_unit)
        QWidget.setTabOrder(self.search, self.list)
        QWidget.setTabOrder(self.list, self.unit_button)
        QWidget.setTabOrder(self.unit_button, self.continue_button)
        QWidget.setTabOrder(self.continue_button, self.resume_button)
        QWidget.setTabOrder(self.resume_button, self.discard_button)
        QWidget.setTabOrder(self.discard_button, self.name)
        QWidget.setTabOrder(self.name, self.staff_number)
        QWidget.setTabOrder(self.staff_number, self.role)
        QWidget.setTabOrder(self.role, self.unit)
        QWidget.setTabOrder(self.unit, self.create_button)

    def set_trainees(self, trainees: Sequence[Trainee], select_id: str | None = None) -> None:
        self.trainees.set_rows(trainees)
        rows = [i for i, t in enumerate(trainees) if t.id == select_id]
        if rows:
            self.search.clear()
            self.list.setCurrentIndex(self.found.mapFromSource(self.trainees.index(rows[0], 0)))
        elif self.found.rowCount():
            self.list.setCurrentIndex(self.found.index(0, 0))
        self.continue_button.setEnabled(bool(trainees))
        self.unit_button.setEnabled(self.list.currentIndex().isValid())
        self.empty_hint.setVisible(not trainees)
        self.offer_resume(None)
        self._emit_current(self.trainee_selected)

    def offer_resume(self, text: str | None, resumable: bool = True) -> None:
        """Offer the selected trainee's unfinished quiz (None: there is none)."""
        self.resume_box.setVisible(text is not None)
        self.resume_text.setText(text or "")
        self.resume_text.setAccessibleName(f"Unfinished quiz: {text or ''}")
        self._resumable = resumable
        self._enable_resume()

    def _enable_resume(self) -> None:
        ready = self.create_button.isEnabled()
        self.resume_button.setEnabled(ready and self._resumable)
        self.discard_button.setEnabled(ready)

    def _search(self, text: str) -> None:
        """Keep only the profiles containing `text`, and offer the first of them."""
        self.found.setFilterFixedString(text)
        if self.found.rowCount():
            self.list.setCurrentIndex(self.found.index(0, 0))

    def set_ready(self, ready: bool, status: str) -> None:
        """Profiles can be used once the bank has loaded."""
        self.status.setText(status)
        self.status.setAccessibleName(status)
        self.continue_button.setEnabled(ready and self.trainees.rowCount() > 0)
        self.create_button.setEnabled(ready)
        self._enable_resume()

    def clear_form(self) -> None:
        self.name.clear()
        self.staff_number.clear()
        self.unit.setText(self._default_unit)

    def set_default_unit(self, unit: str | None) -> None:
        """Offer the unit this workstation's new profiles join (`trainer central set --unit`)."""
        if self.unit.text() == self._default_unit:
            self.unit.setText(unit or "")
        self._default_unit = unit or ""

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.continue_button.setEnabled(current.isValid() and self.create_button.isEnabled())
        self.unit_button.setEnabled(current.isValid())
        self.offer_resume(None)
        self._emit_current(self.trainee_selected)

    def _emit_current(self, signal: SignalInstance) -> None:
        index = self.list.currentIndex()
        if index.isValid():
            signal.emit(self.trainees.row_at(self.found.mapToSource(index)))

    def _activated(self, index: QModelIndex) -> None:
        if self.create_button.isEnabled():
            self.trainee_chosen.emit(self.trainees.row_at(self.found.mapToSource(index)))

    def _continue(self) -> None:
        index = self.list.currentIndex()
        if index.isValid() and self.create_button.isEnabled():
            self.trainee_chosen.emit(self.trainees.row_at(self.found.mapToSource(index)))

    def _create(self) -> None:
        if self.create_button.isEnabled():
            self.profile_requested.emit(
                self.name.text(), self.staff_number.text(), self.role.currentData(),
                self.unit.text(),
            )  # fmt: skip

    def _change_unit(self) -> None:
        index = self.list.currentIndex()
        if not index.isValid():
            return
        trainee = self.trainees.row_at(self.found.mapToSource(index))
        unit = UnitDialog.ask(self, trainee)
        if unit is not None:
            self.unit_requested.emit(trainee, unit)
