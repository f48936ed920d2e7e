"""The answer form, laid out like a crime record: decision, crimes and counts, flags, codes."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

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
from trainer.core.content.models import (
    AUTHORITIES,
    REFER_TARGETS,
    Authority,
    Certainty,
    Kind,
)
from trainer.core.grading.certainty import LEVEL_NAMES
from trainer.core.grading.drafts import AnswerDraft, DraftCrime
from trainer.core.grading.feedback import DECISION_NAMES, REFER_NAMES
from trainer.ui.trainee.offence_picker import OffencePicker

DECISION_TEXT = {
    "crime": "&Crime",
    "incident": "&Incident (no crime)",
    "refer": "Re&fer elsewhere",
    "retain": "&Retain the crime",
    "cancel": "C&ancel the crime",
    "approve": "A&pprove the disposal",
    "refuse": "Re&fuse the disposal",
    "escalate": "&Escalate: permitted only with authority",
}
AUTHORITY_TEXT = {
    "inspector": "Inspector",
    "superintendent": "Superintendent",
    "cps": "Crown Prosecution Service (CPS)",
}
NOT_CHOSEN = ""  # the "choose ..." entry of a combo: never None as Qt item data (PySide6 6.12)
MAX_COUNT = 99
CERTAINTY_QUESTION = "How sure are you of the recording decision?"
CERTAINTY_TEXT = {1: "Not sure (below 67%)", 2: "Fairly sure (67-80%)", 3: "Very sure (above 80%)"}


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
        self.outcome = self._combo(
            "Outcome type",
            [(NOT_CHOSEN, "Choose the outcome type")]
            + [(o.code, f"{o.code}  {o.name}") for o in catalogue.outcome_types],
        )
        self.outcome.setToolTip("The Home Office outcome type the crime is finalised with")
        self._outcome_label = QLabel("&Outcome type:", self.decision_box)
        self._outcome_label.setBuddy(self.outcome)
        decision_layout.addWidget(self._outcome_label)
        decision_layout.addWidget(self.outcome)
        self.authority = self._combo(
            "Authority needed",
            [(NOT_CHOSEN, "Choose who must authorise it")]
            + [(a, AUTHORITY_TEXT[a]) for a in AUTHORITIES],
        )
        self._authority_label = QLabel("Authorised &by:", self.decision_box)
        self._authority_label.setBuddy(self.authority)
        decision_layout.addWidget(self._authority_label)
        decision_layout.addWidget(self.authority)

        self.certainty_box = QGroupBox(CERTAINTY_QUESTION, self)
        self.certainty_box.setAccessibleName(CERTAINTY_QUESTION)
        self.certainties = QButtonGroup(self)
        self.certainty_buttons: dict[int, QRadioButton] = {}
        certainty_layout = QHBoxLayout(self.certainty_box)
        for level, text in CERTAINTY_TEXT.items():
            radio = QRadioButton(text, self.certainty_box)
            radio.setAccessibleName(LEVEL_NAMES[level])
            radio.setToolTip(LEVEL_NAMES[level])
            self.certainties.addButton(radio)
            self.certainty_buttons[level] = radio
            certainty_layout.addWidget(radio)
        certainty_layout.addStretch(1)

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
        for box in (
            self.decision_box, self.certainty_box, self.crimes_box, self.flags_box,
            self.details_box,
        ):  # fmt: skip
            layout.addWidget(box)
        layout.addStretch(1)

        self.decisions.buttonToggled.connect(self._decision_toggled)
        self.add_crime.clicked.connect(self._add_clicked)
        for check in self.flag_boxes.values():
            check.toggled.connect(self.changed)
        for combo in (self.incident_code, self.reason, self.refer_to):
            combo.currentIndexChanged.connect(self.changed)
        self.clear("classify")

    def _combo(self, name: str, items: Sequence[tuple[str | None, str]]) -> QComboBox:
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
        """An empty record for a scenario of this kind (classify, cancellation review, disposal
        review or outcome decision)."""
        self._kind = kind
        allowed = decisions_for(kind, self._catalogue) if kind != "outcome" else ()
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
        for combo in (self.incident_code, self.reason, self.refer_to, self.outcome, self.authority):
            combo.setCurrentIndex(0)
        self._set_certainty(None)
        self._show_parts()

    def draft(self) -> AnswerDraft:
        if self._kind == "outcome":
            return AnswerDraft(decision=self.outcome.currentData() or None)
        checked = [d for d, radio in self.decision_buttons.items() if radio.isChecked()]
        decision = checked[0] if checked else None
        authority: Authority | None = self.authority.currentData() or None
        return AnswerDraft(
            authority=authority,
            decision=decision,
            crimes=[DraftCrime(r.offence.text(), r.count.value()) for r in self.rows],
            flags=[f for f, check in self.flag_boxes.items() if check.isChecked()],
            incident_code=self.incident_code.currentData(),
            cancellation_reason=self.reason.currentData(),
            refer_to=self.refer_to.currentData(),
            certainty=self.certainty,
        )

    def set_draft(self, draft: AnswerDraft, catalogue: Catalogue) -> None:
        """Fill the form with an answer (to show a stored one again)."""
        if draft.decision in self.decision_buttons:
            self.decision_buttons[draft.decision].setChecked(True)
        elif draft.decision:
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(draft.decision)))
        self.authority.setCurrentIndex(max(0, self.authority.findData(draft.authority or "")))
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
        self._set_certainty(draft.certainty)
        self._show_parts()

    @property
    def certainty(self) -> Certainty | None:
        """The certainty level chosen (1-3), or None when the trainee did not say."""
        chosen = [c for c, radio in self.certainty_buttons.items() if radio.isChecked()]
        return chosen[0] if chosen else None  # type: ignore[return-value]

    def set_certainty_asked(self, asked: bool) -> None:
        """Show or hide the certainty question (an unanswered question is simply not stated)."""
        self.certainty_box.setVisible(asked)
        if not asked:
            self._set_certainty(None)

    def _set_certainty(self, level: int | None) -> None:
        self.certainties.setExclusive(False)
        for c, radio in self.certainty_buttons.items():
            radio.setChecked(c == level)
        self.certainties.setExclusive(True)

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
        chain: list[QWidget] = [
            *self.decision_buttons.values(),
            self.outcome,
            self.authority,
            *self.certainty_buttons.values(),
        ]
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
        outcome = self._kind == "outcome"
        self.outcome.setVisible(outcome)
        self._outcome_label.setVisible(outcome)
        decision = self.draft().decision
        escalate = decision == "escalate"
        self.authority.setVisible(escalate)
        self._authority_label.setVisible(escalate)
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
