"""The Trainee tab: one trainee's figures, progress over time, answers, findings and sessions."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue
from trainer.core.practice.progress import SessionSummary, session_summaries
from trainer.core.reports.statistics import summarise, weak_rules
from trainer.core.reports.team import ROLE_NAMES, TeamData, trainee_answers
from trainer.core.reports.team_breakdown import rule_lines, rule_title, weekly_progress
from trainer.core.store.records import AnswerRow
from trainer.core.store.sqlite import Store
from trainer.ui.dashboard.answers_table import TRAINEE_COLUMN, AnswerLine, DrillDownTable
from trainer.ui.dashboard.charts import ProgressChart
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, percent, sorted_view
from trainer.ui.errors import reports_errors
from trainer.ui.widgets import button, text_pane

RULE_COLUMNS = (
    SortColumn("Rule card", lambda r: r.title, tooltip=lambda r: r.rule),
    SortColumn(
        "Findings", lambda r: str(r.findings), numeric=True, key=lambda r: float(r.findings)
    ),
    SortColumn("Kinds of finding", lambda r: r.kinds_text),
)
WEEK_COLUMNS = (
    SortColumn("Week beginning", lambda p: f"{p.week:%Y-%m-%d}", key=lambda p: p.week.toordinal()),
    SortColumn("Answers", lambda p: str(p.answers), numeric=True, key=lambda p: float(p.answers)),
    SortColumn(
        "Mean score", lambda p: f"{p.mean_score:.1f}", numeric=True, key=lambda p: p.mean_score
    ),
    SortColumn(
        "Recording rate",
        lambda p: percent(p.recording),
        numeric=True,
        key=lambda p: p.recording.value if p.recording.value is not None else -1.0,
    ),
)
SESSION_COLUMNS = (
    SortColumn(
        "Started",
        lambda s: f"{s.session.started_at:%Y-%m-%d %H:%M}",
        key=lambda s: s.session.started_at.timestamp(),
    ),
    SortColumn("Mode", lambda s: s.session.mode),
    SortColumn(
        "Answers", lambda s: str(len(s.answers)), numeric=True, key=lambda s: float(len(s.answers))
    ),
    SortColumn(
        "Mean score",
        lambda s: "" if s.mean_score is None else f"{s.mean_score:.1f}",
        numeric=True,
        key=lambda s: s.mean_score if s.mean_score is not None else -1.0,
    ),
    SortColumn("Recording rate", lambda s: percent(s.recording)),
)


class TraineeView(QWidget):
    """Emits `reset_requested(trainee_id)` when the supervisor asks to reset the profile."""

    reset_requested = Signal(str)

    def __init__(self, catalogue: Catalogue, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.store = store
        self.data: TeamData | None = None
        self.trainee = QComboBox(self)
        self.trainee.setAccessibleName("Trainee")
        self.trainee.setMinimumContentsLength(24)
        self.reset = button("Reset profi&le…", "Reset this trainee's profile", self)
        self.summary = text_pane("Trainee summary", self)
        self.chart = ProgressChart("Weekly mean score chart", self)
        self.answers = DrillDownTable("The trainee's answers", self)
        self.answers.table.setColumnHidden(TRAINEE_COLUMN, True)
        self.rule_model = SortableTableModel(RULE_COLUMNS, self)
        self.rules, _ = sorted_view(self.rule_model, "Findings by rule card", self, stretch=2)
        self.week_model = SortableTableModel(WEEK_COLUMNS, self)
        self.weeks, _ = sorted_view(self.week_model, "Progress by week", self)
        self.session_model = SortableTableModel(SESSION_COLUMNS, self)
        self.session_table, _ = sorted_view(self.session_model, "Sessions", self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Trainee details")
        self.tabs.addTab(self.answers, "Ans&wers")
        self.tabs.addTab(self.rules, "Findings by r&ule")
        self.tabs.addTab(self.weeks, "Wee&ks")
        self.tabs.addTab(self.session_table, "Sessio&ns")

        top = QHBoxLayout()
        label = QLabel("&Choose trainee:", self)
        label.setBuddy(self.trainee)
        top.addWidget(label)
        top.addWidget(self.trainee)
        top.addStretch(1)
        top.addWidget(self.reset)
        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(self.summary)
        upper.addWidget(self.chart)
        upper.setStretchFactor(0, 2)
        upper.setStretchFactor(1, 3)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.trainee.currentIndexChanged.connect(lambda _index: self._redraw())
        self.reset.clicked.connect(self._reset_clicked)

    def show_data(self, data: TeamData) -> None:
        self.data = data
        chosen = self.trainee_id()
        self.trainee.blockSignals(True)
        self.trainee.clear()
        for t in data.trainees:
            self.trainee.addItem(f"{t.name} ({t.staff_number})", t.id)
        self.trainee.setCurrentIndex(max(0, self.trainee.findData(chosen)))
        self.trainee.blockSignals(False)
        self._redraw()

    def trainee_id(self) -> str | None:
        value = self.trainee.currentData()
        return value if isinstance(value, str) else None

    def choose(self, trainee_id: str) -> None:
        self.trainee.setCurrentIndex(max(0, self.trainee.findData(trainee_id)))

    @reports_errors
    def _redraw(self) -> None:
        trainee_id = self.trainee_id()
        self.reset.setEnabled(trainee_id is not None)
        if self.data is None or trainee_id is None:
            self._show("", [], [], [("", "No trainees match the filter.")])
            return
        trainee = next(t for t in self.data.trainees if t.id == trainee_id)
        rows = trainee_answers(self.store, trainee_id, self.data.filter)
        attempts = [r.as_attempt() for r in rows]
        s = summarise(trainee_id, attempts)
        weak = [rule_title(r, self.catalogue) for r in weak_rules(attempts, limit=3)]
        facts = [
            ("Trainee", f"{trainee.name} ({trainee.staff_number})"),
            ("Role", ROLE_NAMES.get(trainee.role, trainee.role)),
            ("Answers", f"{s.attempts} practice, {s.exam_attempts} exam"),
            ("Mean score", "no data" if s.mean_score is None else f"{s.mean_score:.1f}"),
            ("Recording rate", s.recording_rate.describe()),
            ("Recording accuracy", s.recording_accuracy.describe()),
            ("Cancellation accuracy", s.cancellation_accuracy.describe()),
            ("Outcome and disposal accuracy", s.outcome_accuracy.describe()),
            ("Out-of-court disposal errors", str(self.data.disposal_errors.get(trainee_id, 0))),
            ("Last active", f"{s.last_active:%Y-%m-%d %H:%M}" if s.last_active else "never"),
            ("Most missed rules lately", "; ".join(weak) if weak else "none"),
        ]
        summaries = session_summaries(self.store.sessions(trainee_id), rows)
        self._show(trainee.name, rows, summaries, facts)

    def _show(
        self,
        name: str,
        rows: Sequence[AnswerRow],
        summaries: Sequence[SessionSummary],
        facts: Sequence[tuple[str, str]],
    ) -> None:
        attempts = [r.as_attempt() for r in rows]
        points = weekly_progress(attempts)
        self.summary.setHtml(_facts_html(facts))
        self.summary.setAccessibleDescription(". ".join(f"{k}: {v}" for k, v in facts))
        self.chart.show_points(points, "Mean score by week")
        self.answers.set_lines([AnswerLine.of_row(r, name) for r in rows])
        self.rule_model.set_rows(rule_lines(attempts, self.catalogue))
        self.week_model.set_rows(points)
        self.session_model.set_rows(summaries)

    def _reset_clicked(self) -> None:
        trainee_id = self.trainee_id()
        if trainee_id is not None:
            self.reset_requested.emit(trainee_id)


def _facts_html(facts: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in facts
    )
    return f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
