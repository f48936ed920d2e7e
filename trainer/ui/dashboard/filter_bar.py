"""The filter every dashboard tab shares: role, period (or a custom date range) and topic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from trainer.core.reports.team import ROLE_NAMES, TeamFilter

PERIODS: tuple[tuple[str, int | None], ...] = (
    ("All dates", None),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Custom range", -1),
)
CUSTOM = len(PERIODS) - 1
ALL_DATES = 0
DEFAULT_PERIOD = 3  # the last 90 days: what a supervisor means by "lately"


def _combo(name: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _date_edit(name: str, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setDate(QDate.currentDate())
    return edit


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class FilterBar(QWidget):
    """Emits `filter_changed` with the new `TeamFilter` whenever a control changes."""

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = _combo("Role", self)
        self.role.addItem("All roles", None)
        for role, name in ROLE_NAMES.items():
            self.role.addItem(f"{name}s", role)
        self.period = _combo("Period", self)
        for text, days in PERIODS:
            self.period.addItem(text, days)
        self.period.setCurrentIndex(DEFAULT_PERIOD)
        self.since = _date_edit("From date", self)
        self.until = _date_edit("To date", self)
        self.since.setSpecialValueText("the first answer")  # at its minimum date: all dates
        self.since.setDate(QDate.currentDate().addDays(-29))
        self.topic = _combo("Topic", self)
        self.set_topics([])

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for text, widget in (
            ("&Role:", self.role),
            ("&Period:", self.period),
            ("Fro&m:", self.since),
            ("T&o:", self.until),
            ("Top&ic:", self.topic),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
        layout.addStretch(1)
        self._sync_dates()

        self.role.currentIndexChanged.connect(self._changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.topic.currentIndexChanged.connect(self._changed)
        self.since.dateChanged.connect(self._changed)
        self.until.dateChanged.connect(self._changed)

    def set_topics(self, topics: Sequence[str], name: Callable[[str], str] = str) -> None:
        """Offer these topics by `name` (A to Z), keeping the current choice when still there."""
        current = self.topic.currentData()
        self.topic.blockSignals(True)
        self.topic.clear()
        self.topic.addItem("All topics", None)
        for topic in sorted(topics, key=lambda t: name(t).casefold()):
            self.topic.addItem(name(topic), topic)
        found = self.topic.findData(current)
        self.topic.setCurrentIndex(max(0, found))
        self.topic.blockSignals(False)

    def current(self, today: date | None = None) -> TeamFilter:
        today = today or date.today()
        days = self.period.currentData()
        since: date | None = None
        until: date | None = None
        if days == -1:
            since, until = _day(self.since), _day(self.until)
            if since > until:
                since, until = until, since
        elif days:
            since, until = today - timedelta(days=days - 1), today
        return TeamFilter(
            role=self.role.currentData(), since=since, until=until, topic=self.topic.currentData()
        )

    def _sync_dates(self) -> None:
        custom = self.period.currentIndex() == CUSTOM
        self.since.setEnabled(custom)
        self.until.setEnabled(custom)
        days = self.period.currentData()
        today = QDate.currentDate()
        if custom:  # coming from "All dates": a month to start from, not the earliest date
            if self.since.date() == self.since.minimumDate():
                self._show(self.since, today.addDays(-29))
        elif days:  # the greyed-out boxes show the preset's own range
            self._show(self.since, today.addDays(1 - days))
            self._show(self.until, today)
        else:  # all dates: no first day
            self._show(self.since, self.since.minimumDate())  # shows its special text
            self._show(self.until, today)

    @staticmethod
    def _show(edit: QDateEdit, day: QDate) -> None:
        edit.blockSignals(True)
        edit.setDate(day)
        edit.blockSignals(False)

    def _period_changed(self) -> None:
        self._sync_dates()
        self._changed()

    def _changed(self) -> None:
        self.filter_changed.emit(self.current())
