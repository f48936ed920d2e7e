"""The Trainee tab: one trainee's figures, progress over time, answers, findings and sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

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
from trainer.core.reports.answer_pages import AnswerLine, Behind, answer_page
from trainer.core.reports.figures import TeamFigures
from trainer.core.reports.team import ROLE_NAMES, TeamFilter
from trainer.core.reports.team_breakdown import rule_lines, rule_title, weekly_progress
from trainer.core.reports.trainee_figures import TraineePage, trainee_page
from trainer.core.store.records import Trainee
from trainer.core.store.sqlite import Store

if TYPE_CHECKING:
    from trainer.core.store.central.reader import CentralStore
from trainer.ui.dashboard.answers_table import TRAINEE_COLUMN, DrillDownTable
from trainer.ui.dashboard.charts import ProgressChart
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, percent, sorted_view
from trainer.ui.errors import show_error
from trainer.ui.jobs import LoadRunner
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
        lambda s: f"{s.started_at:%Y-%m-%d %H:%M}",
        key=lambda s: s.started_at.timestamp(),
    ),
    SortColumn("Mode", lambda s: s.mode),
    SortColumn("Answers", lambda s: str(s.answers), numeric=True, key=lambda s: float(s.answers)),
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

    def __init__(
        self, catalogue: Catalogue, store: Store | CentralStore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.store = store
        self.filter = TeamFilter()
        self.people: list[Trainee] = []  # the combo's trainees, in its order (no item data)
        self.page: TraineePage | None = None
        self.loader = LoadRunner(store, self)
        self.trainee = QComboBox(self)
        self.trainee.setAccessibleName("Trainee")
        self.trainee.setMinimumContentsLength(24)
        # Sized by that length: sizing to the contents measures every trainee's name (2,000 of
        # them in a force) whenever the window lays itself out.
        self.trainee.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
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

        self.trainee.currentIndexChanged.connect(lambda _index: self._load())
        self.reset.clicked.connect(self._reset_clicked)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(lambda message: show_error(self.window(), message))

    @property
    def loading(self) -> bool:
        return self.loader.busy

    def show_data(self, data: TeamFigures) -> None:
        """The trainees of a new refresh: keep the one chosen if they are still there."""
        chosen = self.trainee_id()
        self.filter = data.filter
        self.people = list(data.trainees)
        self.trainee.blockSignals(True)
        self.trainee.clear()
        self.trainee.addItems([f"{t.name} ({t.staff_number})" for t in self.people])
        self.trainee.setCurrentIndex(max(0, self._index_of(chosen)))
        self.trainee.blockSignals(False)
        self._load()

    def _index_of(self, trainee_id: str | None) -> int:
        return next((i for i, t in enumerate(self.people) if t.id == trainee_id), -1)

    def trainee_id(self) -> str | None:
        index = self.trainee.currentIndex()
        return self.people[index].id if 0 <= index < len(self.people) else None

    def choose(self, trainee_id: str) -> None:
        self.trainee.setCurrentIndex(max(0, self._index_of(trainee_id)))

    def _load(self) -> None:
        """Read the chosen trainee's figures and first answers off the GUI thread."""
        index = self.trainee.currentIndex()
        self.reset.setEnabled(0 <= index < len(self.people))
        if not 0 <= index < len(self.people):
            self.page = None
            self._show_nobody()
            return
        trainee, flt = self.people[index], self.filter
        self.loader.start(lambda mine: _Loaded(
            trainee_page(mine, trainee, flt), answer_page(mine, flt, Behind(trainee_id=trainee.id))
        ))  # fmt: skip

    def _show_nobody(self) -> None:
        facts = [("", "No trainees match the filter.")]
        self.summary.setHtml(_facts_html(facts))
        self.summary.setAccessibleDescription("No trainees match the filter.")
        self.chart.show_points([], "Mean score by week")
        self.answers.show_pages(None)
        self.rule_model.set_rows([])
        self.week_model.set_rows([])
        self.session_model.set_rows([])

    def _loaded(self, loaded: _Loaded) -> None:
        page = self.page = loaded.page
        trainee, s = page.trainee, page.summary
        weak = [rule_title(r, self.catalogue) for r in page.weak_rules]
        facts = [
            ("Trainee", f"{trainee.name} ({trainee.staff_number})"),
            ("Role", ROLE_NAMES.get(trainee.role, trainee.role)),
            ("Answers", f"{s.attempts} practice, {s.exam_attempts} exam"),
            ("Mean score", "no data" if s.mean_score is None else f"{s.mean_score:.1f}"),
            ("Recording rate", s.recording_rate.describe()),
            ("Recording accuracy", s.recording_accuracy.describe()),
            ("Cancellation accuracy", s.cancellation_accuracy.describe()),
            ("Outcome and disposal accuracy", s.outcome_accuracy.describe()),
            ("Out-of-court disposal errors", str(page.disposal_errors)),
            ("Last active", f"{s.last_active:%Y-%m-%d %H:%M}" if s.last_active else "never"),
            ("Most missed rules lately", "; ".join(weak) if weak else "none"),
        ]
        points = weekly_progress(page.days)
        self.summary.setHtml(_facts_html(facts))
        self.summary.setAccessibleDescription(". ".join(f"{k}: {v}" for k, v in facts))
        self.chart.show_points(points, "Mean score by week")
        store, flt, behind = self.store, page.filter, Behind(trainee_id=trainee.id)
        self.answers.show_pages(lambda after: answer_page(store, flt, behind, after), loaded.first)
        self.rule_model.set_rows(rule_lines(page.rule_pairs, self.catalogue))
        self.week_model.set_rows(points)
        self.session_model.set_rows(page.sessions)

    def _reset_clicked(self) -> None:
        trainee_id = self.trainee_id()
        if trainee_id is not None:
            self.reset_requested.emit(trainee_id)


@dataclass(frozen=True)
class _Loaded:
    page: TraineePage
    first: list[AnswerLine]


def _facts_html(facts: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><th align='left' valign='top'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in facts
    )
    return f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
