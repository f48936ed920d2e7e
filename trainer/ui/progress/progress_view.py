"""A trainee's progress: headline figures, accuracy per crime group and per rule, past sessions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue, group_title
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.practice.progress import (
    SessionSummary,
    Track,
    group_tracks,
    rule_tracks,
    session_summaries,
)
from trainer.core.reports.statistics import disposal_errors, summarise
from trainer.core.store.records import AnswerRow, SessionRow, Trainee
from trainer.ui.progress.review_tab import ReviewTab
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.trainee.results_view import ResultsView
from trainer.ui.widgets import button, heading, table_view, wrapped

WHEN = "%d %b %Y %H:%M"


def _when(track: Track) -> str:
    return track.last_at.strftime(WHEN) if track.last_at else ""


GROUP_COLUMNS = (
    Column("Crime group", lambda t: group_title(t.key)),
    Column("Answers", lambda t: str(t.accuracy.n), numeric=True),
    Column("Fully right", lambda t: str(t.accuracy.k), numeric=True),
    Column("Accuracy (95% CI)", lambda t: t.accuracy.describe()),
    Column("Last answered", _when),
)
SESSION_COLUMNS = (
    Column("Started", lambda s: s.session.started_at.strftime(WHEN)),
    Column("Kind", lambda s: "Exam" if s.exam else f"Practice ({s.session.mode})"),
    Column("Answers", lambda s: str(len(s.answers)), numeric=True),
    Column(
        "Mean score",
        lambda s: f"{s.mean_score:.0f}" if s.mean_score is not None else "",
        numeric=True,
    ),
    Column("Finished", lambda s: "Yes" if s.session.finished_at else "No (ended early)"),
)


def rule_columns(catalogue: Catalogue) -> tuple[Column, ...]:
    def title(t: Track) -> str:
        card = catalogue.rule_by_id.get(t.key)
        return card.title if card else t.key

    def source(t: Track) -> str:
        card = catalogue.rule_by_id.get(t.key)
        return card.source if card else ""

    return (
        Column("Rule", title),
        Column("Source", source),
        Column("Answers", lambda t: str(t.accuracy.n), numeric=True),
        Column("Right on this rule", lambda t: str(t.accuracy.k), numeric=True),
        Column("Accuracy (95% CI)", lambda t: t.accuracy.describe()),
    )


class ProgressView(QWidget):
    back_requested = Signal()

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from trainer.ui.progress.accuracy_chart import (
            AccuracyChart,  # QtCharts loads only when needed
        )

        self.catalogue = catalogue
        self.bank: Mapping[str, LoadedScenario] = {}
        self.title = heading("My progress", self)
        self.figures: dict[str, QLabel] = {}
        figures = QFormLayout()
        for name in (
            "Answers",
            "Mean score",
            "Recording rate",
            "Recording accuracy",
            "Cancellation reviews",
            "Outcomes and disposals",
        ):
            value = wrapped("", name, self)
            self.figures[name] = value
            figures.addRow(f"{name}:", value)
        self.explain = wrapped(
            "Recording rate: of the scenarios where a crime should have been recorded, the share "
            "you recorded as a crime. Recording accuracy: the share also fully right (every class, "
            "count and flag). Intervals are 95% Wilson intervals.",
            "What the figures mean",
            self,
        )
        self.waiting = wrapped("", "Answers not shown yet", self)
        self.waiting.setVisible(False)

        self.groups = RowTableModel(GROUP_COLUMNS, self)
        self.groups_view = table_view(self.groups, "Accuracy per crime group", self, stretch=3)
        self.chart = AccuracyChart(self)
        group_tab = QWidget(self)
        group_layout = QVBoxLayout(group_tab)
        group_layout.addWidget(self.groups_view, 1)
        group_layout.addWidget(self.chart, 2)

        self.rules = RowTableModel(rule_columns(catalogue), self)
        self.rules_view = table_view(self.rules, "Accuracy per rule", self, stretch=0)

        self.sessions = RowTableModel(SESSION_COLUMNS, self)
        self.sessions_view = table_view(self.sessions, "Past sessions", self, stretch=1)
        self.open_session = button("&Open session", "Open session", self)
        session_tab = QWidget(self)
        session_layout = QVBoxLayout(session_tab)
        session_layout.addWidget(self.sessions_view, 1)
        session_layout.addWidget(self.open_session)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Progress details")
        self.tabs.addTab(group_tab, "By crime &group")
        self.tabs.addTab(self.rules_view, "By r&ule")
        self.tabs.addTab(session_tab, "&Sessions")
        self.review_tab = ReviewTab(catalogue, self)
        self.tabs.addTab(self.review_tab, "Re&views and certainty")
        self.back = button("&Back", "Back", self)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.back)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(figures)
        layout.addWidget(self.explain)
        layout.addWidget(self.waiting)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(footer)

        self.back.clicked.connect(self.back_requested)
        self.sessions_view.activated.connect(self.open_session_at)
        self.open_session.clicked.connect(
            lambda: self.open_session_at(self.sessions_view.currentIndex())
        )

    def show_progress(
        self,
        trainee: Trainee,
        answers: Sequence[AnswerRow],
        sessions: Sequence[SessionRow],
        bank: Mapping[str, LoadedScenario],
        waiting: int = 0,
    ) -> None:
        """`waiting`: answers kept aside while a results import holds the database (`spool`)."""
        self.bank = bank
        self.title.setText(f"Progress — {trainee.name}")
        self.waiting.setText(
            f"{waiting} answer(s) you gave while results were being imported are kept, and will "
            "show here when the import has finished."
        )
        self.waiting.setVisible(waiting > 0)
        self.title.setAccessibleName(f"Progress of {trainee.name}")
        attempts = [a.as_attempt() for a in answers]
        summary = summarise(trainee.id, attempts)
        mean = f"{summary.mean_score:.0f}" if summary.mean_score is not None else "no answers yet"
        self._set("Answers", f"{summary.attempts} practice, {summary.exam_attempts} exam")
        self._set("Mean score", mean)
        self._set("Recording rate", summary.recording_rate.describe())
        self._set("Recording accuracy", summary.recording_accuracy.describe())
        self._set("Cancellation reviews", summary.cancellation_accuracy.describe())
        self._set(
            "Outcomes and disposals",
            f"{summary.outcome_accuracy.describe()}; out-of-court disposal errors: "
            f"{disposal_errors(attempts)}",
        )
        groups = group_tracks(attempts)
        self.groups.set_rows(groups)
        self.chart.set_tracks(groups)
        cited = {sid: loaded.scenario.expected.cards for sid, loaded in bank.items()}
        self.rules.set_rows(rule_tracks(attempts, cited))
        self.sessions.set_rows(session_summaries(sessions, answers))
        self.open_session.setEnabled(self.sessions.rowCount() > 0)
        if self.sessions.rowCount():
            self.sessions_view.setCurrentIndex(self.sessions.index(0, 0))
        self.back.setFocus()

    def _set(self, name: str, text: str) -> None:
        self.figures[name].setText(text)
        self.figures[name].setAccessibleName(f"{name}: {text}")

    def open_session_at(self, index: QModelIndex) -> None:
        if index.isValid():
            SessionDialog.show_session(self, self.catalogue, self.sessions.row_at(index), self.bank)


class SessionDialog(QDialog):
    """A past session, read-only: its answers, each re-openable with its feedback."""

    def __init__(
        self,
        parent: QWidget,
        catalogue: Catalogue,
        summary: SessionSummary,
        bank: Mapping[str, LoadedScenario],
    ) -> None:
        super().__init__(parent)
        kind = "Exam" if summary.exam else "Practice"
        title = f"{kind} session of {summary.session.started_at.strftime(WHEN)}"
        self.setWindowTitle(title)
        self.view = ResultsView(catalogue, self)
        self.view.show_results(title, summary.answers, bank)
        self.view.done_button.setText("&Close")
        self.view.done_button.setAccessibleName("Close")
        self.view.done.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        self.resize(parent.window().size() * 0.85)

    @classmethod
    def show_session(
        cls,
        parent: QWidget,
        catalogue: Catalogue,
        summary: SessionSummary,
        bank: Mapping[str, LoadedScenario],
    ) -> None:
        cls(parent, catalogue, summary, bank).exec()
