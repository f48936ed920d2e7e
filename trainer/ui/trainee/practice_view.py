"""Choosing what to practise: mixed, by group, topic, rule or audience, weak rules, or an exam."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue
from trainer.core.practice.quiz import (
    AUDIENCE_PLURALS,
    DEFAULT_COUNT,
    OUTCOMES_ROLE,
    Mode,
    PracticeChoices,
    QuizPlan,
    audience_note,
)
from trainer.core.practice.schedule import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION
from trainer.core.store.records import Trainee
from trainer.ui.trainee.start_view import ROLE_NAMES
from trainer.ui.widgets import button, heading, wrapped

if TYPE_CHECKING:
    from trainer.core.practice.standing import Standing

MODE_TEXT: dict[Mode, tuple[str, str]] = {
    "mixed": (
        "&Quick mixed quiz",
        "Scenarios written for your role from the whole bank, ones you have not mastered first.",
    ),
    "due": (
        "Due &now",
        "The rules most in need of review, least likely remembered first, each through a "
        "scenario you have not yet got fully right.",
    ),
    "group": ("By crime &group", "Scenarios whose crimes fall in one Home Office crime group."),
    "topic": ("By to&pic", "Scenarios tagged with one topic, such as lost property or attempts."),
    "rule": ("By r&ule", "Scenarios that turn on one counting rule."),
    "audience": ("By au&dience", "Scenarios written for call-handlers or for officers."),
    "weak": (
        "My &weak rules",
        "Scenarios on the rules you have missed most in your latest answers.",
    ),
    "outcomes": (
        "&Outcomes and disposals",
        "Reviewing proposed out-of-court disposals (community resolutions, cautions, penalty "
        "notices, warnings) and choosing the outcome type a crime is finalised with.",
    ),
    "exam": (
        "&Exam",
        "A fixed set with no feedback until the end, optionally timed; "
        "kept as an exam in your record.",
    ),
}
MAX_COUNT = 100
MAX_MINUTES = 180


class PracticeView(QWidget):
    plan_chosen = Signal(object)  # QuizPlan
    progress_requested = Signal()
    switch_requested = Signal()

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.choices = PracticeChoices((), (), (), ())
        self.role: str | None = None
        self._offered_for: Mode | None = None  # the mode whose choices the list holds
        self.weak: tuple[str, ...] = ()  # the trainee's weak rules, once their record is read
        self.greeting = heading("", self)
        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[Mode, QRadioButton] = {}
        modes_box = QGroupBox("What would you like to practise?", self)
        modes_layout = QVBoxLayout(modes_box)
        for mode, (text, help_text) in MODE_TEXT.items():
            radio = QRadioButton(text, modes_box)
            radio.setAccessibleName(text.replace("&", ""))
            radio.setAccessibleDescription(help_text)
            radio.setToolTip(help_text)
            self.modes.addButton(radio)
            self.mode_buttons[mode] = radio
            modes_layout.addWidget(radio)
        self.help = wrapped("", "About this choice", self)

        self.value = QComboBox(self)
        self.value.setAccessibleName("Choice")
        self.value.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.value.setMinimumContentsLength(30)
        self.count = QSpinBox(self)
        self.count.setRange(1, MAX_COUNT)
        self.count.setValue(DEFAULT_COUNT)
        self.count.setAccessibleName("Number of scenarios")
        self.minutes = QSpinBox(self)
        self.minutes.setRange(0, MAX_MINUTES)
        self.minutes.setSpecialValueText("No time limit")
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Exam time limit in minutes")
        self.minutes.setMinimumWidth(
            self.minutes.fontMetrics().horizontalAdvance("No time limit") + 48
        )
        self.retention = QDoubleSpinBox(self)
        self.retention.setRange(MIN_RETENTION, MAX_RETENTION)
        self.retention.setSingleStep(0.01)
        self.retention.setDecimals(2)
        self.retention.setValue(DEFAULT_RETENTION)
        self.retention.setAccessibleName("Desired retention")
        self.retention.setToolTip(
            "How likely you should still be to apply a rule right when it comes round again "
            "(this workstation's setting): higher means more frequent reviews."
        )
        self.require_certainty = QCheckBox("Require &certainty", self)
        self.require_certainty.setAccessibleName("Exam: require certainty on every answer")
        self.due_info = wrapped("", "Rules due for review", self)
        settings = QGroupBox("Settings", self)
        form = QFormLayout(settings)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self._value_label = QLabel("Cho&ice:", settings)
        self._minutes_label = QLabel("Time &limit:", settings)
        count_label = QLabel("&Number of scenarios:", settings)
        retention_label = QLabel("Desired re&tention:", settings)
        for label, field in (
            (self._value_label, self.value),
            (count_label, self.count),
            (self._minutes_label, self.minutes),
            (retention_label, self.retention),
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow(self.require_certainty)
        form.addRow(self.help)
        self.audience_note = wrapped("", "Audiences", self)
        form.addRow(self.audience_note)

        self.start = button("&Start", "Start", self)
        self.start.setDefault(True)
        self.progress = button("My p&rogress", "My progress", self)
        self.switch = button("Swit&ch trainee", "Switch trainee", self)
        self.record = wrapped("", "Your record so far", self)
        record_box = QGroupBox("Your record so far", self)
        record_layout = QVBoxLayout(record_box)
        record_layout.addWidget(self.record)
        record_layout.addWidget(self.due_info)

        columns = QHBoxLayout()
        columns.addWidget(modes_box, 1)
        columns.addWidget(settings, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.switch)
        actions.addWidget(self.progress)
        actions.addStretch(1)
        actions.addWidget(self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addLayout(columns)
        layout.addWidget(record_box)
        layout.addStretch(1)
        layout.addLayout(actions)

        self.modes.buttonToggled.connect(self._mode_changed)
        self.value.currentIndexChanged.connect(self._show_audience_note)
        self.count.valueChanged.connect(self._show_audience_note)
        self.start.clicked.connect(self._start)
        self.progress.clicked.connect(self.progress_requested)
        self.switch.clicked.connect(self.switch_requested)
        self.mode_buttons["mixed"].setChecked(True)
        self._offer_outcomes()

    def set_trainee(self, trainee: Trainee, known: Standing | None = None) -> None:
        """Greet the trainee and sum up their record so far (`known`: while it is still being
        read, say so), with the rules they miss most."""
        self.greeting.setText(f"{trainee.name} · {ROLE_NAMES.get(trainee.role, trainee.role)}")
        self.greeting.setAccessibleName(f"Trainee {trainee.name}")
        self.role = trainee.role
        self.weak = known.weak_rules if known is not None else ()
        self._offer_outcomes()
        self._mode_changed()
        if known is None:
            text = "Reading your record so far…"
            self.record.setText(text)
            self.record.setAccessibleName(text)
            return
        summary = known.summary
        if summary.mean_score is None:
            text = "No answers yet. A quick mixed quiz is a good start."
        else:
            text = (
                f"{summary.attempts} practice and {summary.exam_attempts} exam answers, "
                f"mean score {summary.mean_score:.0f}.\n"
                f"Crimes recorded when they should have been: {summary.recording_rate.describe()}"
            )
            cards = self.catalogue.rule_by_id
            weak = [cards[r].title if r in cards else r for r in known.weak_rules[:3]]
            if weak:
                text += "\nRules you have missed most lately: " + "; ".join(weak) + "."
        self.record.setText(text)
        self.record.setAccessibleName(f"Your record so far: {text}")

    def set_due(self, due: int, next_due: datetime | None) -> None:
        """Say how many rules are due for review now, and when the next falls due."""
        rules = "1 rule is" if due == 1 else f"{due} rules are"
        text = f"{rules} due for review now." if due else "No rules are due for review now."
        if next_due is not None:
            text += f" The next falls due on {next_due.astimezone():%a %d %b %Y, %H:%M}."
        self.due_info.setText(text)
        self.due_info.setAccessibleName(text)

    def set_choices(self, choices: PracticeChoices) -> None:
        self.choices = choices
        self._offer_outcomes()
        self._mode_changed()

    def _offer_outcomes(self) -> None:
        """Outcome decisions are officers' to make: the choice is offered only to officers."""
        offered = self.role == OUTCOMES_ROLE and self.choices.outcomes > 0
        radio = self.mode_buttons["outcomes"]
        if radio.isChecked() and not offered:
            self.mode_buttons["mixed"].setChecked(True)
        radio.setVisible(offered)
        radio.setText(f"{MODE_TEXT['outcomes'][0]} ({self.choices.outcomes})")

    @property
    def mode(self) -> Mode:
        return next(m for m, radio in self.mode_buttons.items() if radio.isChecked())

    def select(self, mode: Mode, value: str | None = None) -> None:
        """Choose a mode (and its group, topic, rule or audience) as the trainee would."""
        self.mode_buttons[mode].setChecked(True)
        if value is not None:
            self.value.setCurrentIndex(self.value.findData(value))

    def plan(self) -> QuizPlan:
        mode = self.mode
        value = self.value.currentData() if self.value.isEnabled() else None
        if mode == "mixed":
            value = self.role  # a quick quiz keeps to the trainee's own audience
        minutes = self.minutes.value() if mode == "exam" and self.minutes.value() else None
        required = mode == "exam" and self.require_certainty.isChecked()
        return QuizPlan(mode, value, self.count.value(), minutes, required)

    def _mode_changed(self) -> None:
        """Offer the mode's choices. The same mode offered again (the trainee's record or the
        bank's choices arriving from a worker) keeps what the trainee had picked."""
        mode = self.mode
        kept = self.value.currentIndex() >= 0 and self._offered_for == mode
        picked = self.value.currentData() if kept else None
        options = self.choices.for_mode(mode)
        self.value.clear()
        if mode == "exam":
            self.value.addItem("All audiences", None)
        for choice in options:
            self.value.addItem(f"{choice.label} ({choice.scenarios})", choice.value)
        self._offered_for = mode
        again = self.value.findData(picked)
        if kept and again >= 0:
            self.value.setCurrentIndex(again)
        elif mode in ("audience", "exam") and self.value.findData(self.role) >= 0:
            self.value.setCurrentIndex(self.value.findData(self.role))  # the trainee's own role
        self.value.setEnabled(self.value.count() > 0)
        self._value_label.setEnabled(self.value.isEnabled())
        self.minutes.setEnabled(mode == "exam")
        self.require_certainty.setEnabled(mode == "exam")
        self._minutes_label.setEnabled(mode == "exam")
        self.help.setText(MODE_TEXT[mode][1])
        self.help.setAccessibleName(MODE_TEXT[mode][1])
        self._show_audience_note()

    def _show_audience_note(self) -> None:
        """Say when the choice draws on scenarios written for the other audience."""
        if self.role is None:
            return
        plan = self.plan()
        if plan.mode == "mixed":
            note = f"Only scenarios written for {AUDIENCE_PLURALS.get(self.role, self.role)}."
        else:
            bank = self.choices.bank
            note = audience_note(bank, plan, self.role, self.catalogue, weak_known=self.weak)
        self.audience_note.setText(note)
        self.audience_note.setAccessibleName(note or "Audiences")
        self.audience_note.setVisible(bool(note))

    def _start(self) -> None:
        self.plan_chosen.emit(self.plan())
