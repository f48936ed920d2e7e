"""A trainee's rule schedule and calibration: retrievability and next due date per rule, reviews
falling due over the next 30 days, and how well their certainty matched their decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.grading.certainty import BANDS, LEVEL_NAMES, Calibration
from trainer.core.practice.schedule import CardStatus
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.widgets import table_view, wrapped

DAY = "%a %d %b"


def schedule_columns(catalogue: Catalogue) -> tuple[Column, ...]:
    def title(s: CardStatus) -> str:
        card = catalogue.rule_by_id.get(s.rule)
        return card.title if card else s.rule

    return (
        Column("Rule", title),
        Column("Retrievability now", lambda s: f"{s.retrievability:.0%}", numeric=True),
        Column("Next due", lambda s: s.card.due.astimezone().strftime("%d %b %Y")),
        Column("Reviews", lambda s: str(s.card.reviews), numeric=True),
        Column("Lapses", lambda s: str(s.card.lapses), numeric=True),
        Column("Leech", lambda s: "Yes: keeps being missed" if s.card.leech else ""),
    )


FORECAST_COLUMNS = (
    Column("Day", lambda d: d[0]),
    Column("Reviews due", lambda d: str(d[1]), numeric=True),
    Column("", lambda d: "█" * min(d[1], 40)),
)
CALIBRATION_COLUMNS = (
    Column("Certainty", lambda c: LEVEL_NAMES[c.level]),
    Column("Answers", lambda c: str(c.answers), numeric=True),
    Column("Right decisions", lambda c: "" if c.share is None else f"{c.share:.0%}", numeric=True),
    Column("Band", lambda c: "{:.0%}-{:.0%}".format(*BANDS[c.level])),
    Column("Verdict", lambda c: c.verdict),
    Column(
        "Mean mark",
        lambda c: "" if c.mean_mark is None else f"{c.mean_mark:+.2f}",
        numeric=True,
    ),
)


class ReviewTab(QWidget):
    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schedule = RowTableModel(schedule_columns(catalogue), self)
        self.schedule_view = table_view(self.schedule, "Rule schedule", self, stretch=0)
        self.forecast = RowTableModel(FORECAST_COLUMNS, self)
        self.forecast_view = table_view(self.forecast, "Reviews due in the next 30 days", self)
        self.calibration = RowTableModel(CALIBRATION_COLUMNS, self)
        self.calibration_view = table_view(self.calibration, "Calibration", self, stretch=4)
        self.summary = wrapped("", "Reviews", self)
        lower = QHBoxLayout()
        lower.addWidget(self.forecast_view, 1)
        lower.addWidget(self.calibration_view, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.schedule_view, 2)
        layout.addLayout(lower, 1)

    def show_schedule(
        self,
        statuses: Sequence[CardStatus],
        forecast: Sequence[int],
        calibration: Sequence[Calibration],
        at: datetime,
    ) -> None:
        self.schedule.set_rows(statuses)
        start = at.astimezone()
        self.forecast.set_rows(
            [((start + timedelta(days=i)).strftime(DAY), n) for i, n in enumerate(forecast)]
        )
        self.calibration.set_rows(calibration)
        due = sum(1 for s in statuses if s.card.is_due(at))
        text = (
            f"{len(statuses)} rules in your schedule, {due} due for review now. Retrievability "
            "is the chance you would still apply a rule right today. Calibration compares the "
            "share of right decisions at each certainty with that level's band."
        )
        self.summary.setText(text)
        self.summary.setAccessibleName(text)
