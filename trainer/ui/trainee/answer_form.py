"""The answer form, laid out like a crime record: decision, crimes and counts, flags, codes."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import decisions_for
from trainer.core.content.models import REFER_TARGETS, Decision, Kind
from trainer.core.grading.drafts import AnswerDraft, DraftCrime
from trainer.core.grading.feedback import DECISION_NAMES, REFER_NAMES
from trainer.ui.trainee.offence_picker import OffencePicker

DECISION_TEXT = {
    "crime": "&Crime",
    "incident": "&Incident (no crime)",
    "refer": "Re&fer elsewhere",
    "retain": "&Retain the crime",
    "cancel": "C&ancel the crime",
}
MAX_COUNT = 99


class CrimeRow(QWidget):
    """One crime on the record: its class and how many."""

    remove_requested = Signal(object)

    def __init__(self, catalogue: Catalogue, parent: QWidget) -> None:
        super().__init__(parent)
        self.offence = OffencePicker(catalogue, parent=self)
        self.count = QSpinBox(self)
        self.count.setRange(1, MAX_COUNT)
        self.count.setPrefix("× ")
        self.remove = QPushButton("Remove", self)
        line = QHBoxLayout()
        line.addWidget(self.offence, 1)
        line.addWidget(self.count)
        line.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(line)
        layout.addWidget(self.offence.note)  # shown only when the typed text matches no class
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def set_number(self, number: int) -> None:
        self.offence.set_name(f"Offence of crime {number}")
        self.count.setAccessibleName(f"Number of crimes of this class, crime {number}")
        self.remove.setAccessibleName(f"Remove crime {number}")


class AnswerForm(QWidget):
    changed = Signal()  # anything on the form changed (so that a half-filled answer can be kept)

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Answer form")
        self._catalogue = catalogue
        self._kind: Kind = "classify"
        self.rows: list[CrimeRow] = []

        self.decision_box = QGroupBox("Decision", self)
        self.decision_box.setAccessibleName("Decision")
        self.decisions = QButtonGroup(self)
        self.decision_buttons: dict[str, QRadioButton] = {}
        decision_layout = QVBoxLayout(self.decision_box)
        for decision, text in DECISION_TEXT.items():
            radio = QRadioButton(text, self.decision_box)
            radio.setAccessibleName(DECISION_NAMES[decision])
            self.decisions.addButton(radio)
            self.decision_buttons[decision] = radio
            decision_layout.addWidget(radio)

        self.crimes_box = QGroupBox("Crimes to record", self)
        self.crimes_box.setAccessibleName("Crimes to record")
        self._crime_rows = QVBoxLayout()
        self.add_crime = QPushButton("A&dd crime", self.crimes_box)
        self.add_crime.setAccessibleName("Add crime")
        crimes_layout = QVBoxLayout(self.crimes_box)
        crimes_layout.addLayout(self._crime_rows)
        crimes_layout.addWidget(self.add_crime, 0, Qt.AlignmentFlag.AlignLeft)

        self.flags_box = QGroupBox("Flags", self)
        self.flags_box.setAccessibleName("Flags")
        self.flag_boxes: dict[str, QCheckBox] = {}
        flags_layout = QGridLayout(self.flags_box)
        for i, flag in enumerate(catalogue.flags):
            check = QCheckBox(flag.name, self.flags_box)
            check.setAccessibleName(f"Flag: {flag.name}")
            check.setToolTip(flag.explanation)
            self.flag_boxes[flag.id] = check
            flags_layout.addWidget(check, i // 2, i % 2)

        self.details_box = QWidget(self)
        details = QFormLayout(self.details_box)
        details.setContentsMargins(0, 0, 0, 0)
        self.incident_code = self._combo(
            "Incident code",
            [(None, "No N-code: an ordinary incident")]
            + [
                (code, f"{code} {name}")
                for i in catalogue.incident_codes
                for code, name in [(i.code, i.name), *((s.code, s.name) for s in i.subcodes)]
            ],
        )
        self.reason = self._combo(
            "Cancellation reason",
            [(None, "Choose a reason")]
            + [(c.code, f"{c.code} {c.name}") for c in catalogue.cancellation_reasons],
        )
        self.refer_to = self._combo(
            "Refer to", [(None, "Choose where")] + [(t, REFER_NAMES[t]) for t in REFER_TARGETS]
        )
        self._detail_labels: dict[QComboBox, QLabel] = {}
        for combo, text in (
            (self.incident_code, "Incident c&ode:"),
            (self.reason, "Cancellation reaso&n:"),
            (self.refer_to, "Refer to (&body):"),
        ):
            label = QLabel(text, self.details_box)
            label.setBuddy(combo)
            self._detail_labels[combo] = label
            details.addRow(label, combo)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (self.decision_box, self.crimes_box, self.flags_box, self.details_box):
            layout.addWidget(box)
        layout.addStretch(1)

        self.decisions.buttonToggled.connect(self._decision_toggled)
        self.add_crime.clicked.connect(self._add_clicked)
        for check in self.flag_boxes.values():
            check.toggled.connect(self.changed)
        for combo in (self.incident_code, self.reason, self.refer_to):
            combo.currentIndexChanged.connect(self.changed)
        self.clear("classify")

    def _combo(self, name: str, items: list[tuple[str | None, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(20)
        for value, text in items:
            combo.addItem(text, value)
        return combo

    def widest(self) -> int:
        """The width the form needs with every part shown (most parts are hidden at first)."""
        parts = (self.decision_box, self.crimes_box, self.flags_box, self.details_box)
        return max(p.sizeHint().width() for p in parts)

    # Contents ----------------------------------------------------------------------------------

    def clear(self, kind: Kind) -> None:
        """An empty record for a scenario of this kind (classify or cancellation review)."""
        self._kind = kind
        allowed = decisions_for(kind)
        self.decisions.setExclusive(False)
        for decision, radio in self.decision_buttons.items():
            radio.setChecked(False)
            radio.setVisible(decision in allowed)
        self.decisions.setExclusive(True)
        for row in list(self.rows):
            self._remove_row(row)
        self.add_row()
        for check in self.flag_boxes.values():
            check.setChecked(False)
        for combo in (self.incident_code, self.reason, self.refer_to):
            combo.setCurrentIndex(0)
        self._show_parts()

    def draft(self) -> AnswerDraft:
        checked = [d for d, radio in self.decision_buttons.items() if radio.isChecked()]
        decision: Decision | None = checked[0] if checked else None  # type: ignore[assignment]
        return AnswerDraft(
            decision=decision,
            crimes=[DraftCrime(r.offence.text(), r.count.value()) for r in self.rows],
            flags=[f for f, check in self.flag_boxes.items() if check.isChecked()],
            incident_code=self.incident_code.currentData(),
            cancellation_reason=self.reason.currentData(),
            refer_to=self.refer_to.currentData(),
        )

    def set_draft(self, draft: AnswerDraft, catalogue: Catalogue) -> None:
        """Fill the form with an answer (to show a stored one again)."""
        if draft.decision:
            self.decision_buttons[draft.decision].setChecked(True)
        for row in list(self.rows):
            self._remove_row(row)
        for crime in draft.crimes or [DraftCrime("")]:
            row = self.add_row()
            offence = catalogue.offence_by_code.get(crime.offence)
            row.offence.set_text(offence.label if offence else crime.offence)
            row.count.setValue(crime.count)
        for flag, check in self.flag_boxes.items():
            check.setChecked(flag in draft.flags)
        for combo, value in (
            (self.incident_code, draft.incident_code),
            (self.reason, draft.cancellation_reason),
            (self.refer_to, draft.refer_to),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self._show_parts()

    # Crime rows --------------------------------------------------------------------------------

    def add_row(self) -> CrimeRow:
        row = CrimeRow(self._catalogue, self.crimes_box)
        row.remove_requested.connect(self._remove_row)
        row.offence.textChanged.connect(self.changed)
        row.count.valueChanged.connect(self.changed)
        self.rows.append(row)
        self._crime_rows.addWidget(row)
        self._renumber()
        self.changed.emit()
        return row

    def _add_clicked(self) -> None:
        self.add_row().offence.setFocus()

    def _remove_row(self, row: CrimeRow) -> None:
        self.rows.remove(row)
        self._crime_rows.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        self.changed.emit()

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.set_number(number)
            row.remove.setEnabled(len(self.rows) > 1)
        chain: list[QWidget] = [*self.decision_buttons.values()]
        for row in self.rows:  # tab order follows the form as shown, new rows included
            chain += [row.offence, row.count, row.remove]
        chain += [self.add_crime, *self.flag_boxes.values()]
        chain += [self.incident_code, self.reason, self.refer_to]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # Which parts apply -------------------------------------------------------------------------

    def _decision_toggled(self) -> None:
        self._show_parts()
        self.changed.emit()

    def _show_parts(self) -> None:
        decision = self.draft().decision
        self.crimes_box.setVisible(decision == "crime")
        self.flags_box.setVisible(decision == "crime")
        for combo, wanted in (
            (self.incident_code, "incident"),
            (self.reason, "cancel"),
            (self.refer_to, "refer"),
        ):
            combo.setVisible(decision == wanted)
            self._detail_labels[combo].setVisible(decision == wanted)
        self.details_box.setVisible(decision in ("incident", "cancel", "refer"))
