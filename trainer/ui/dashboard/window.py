"""The supervisor dashboard window: one filter over tabs of team figures, charts and exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.scenarios import Library
from trainer.core.reports.malpractice import MalpracticeCounts, malpractice_counts
from trainer.core.reports.team import TeamData, TeamFilter, known_topics, load
from trainer.core.store.accounts import reset_profile
from trainer.core.store.regrade_status import LastRegrade, last_regrade
from trainer.core.store.sqlite import Store
from trainer.ui.answer_review import AnswerReviewDialog, review_of
from trainer.ui.context import AppContext
from trainer.ui.dashboard.accounts_view import AccountsView
from trainer.ui.dashboard.dialogs import ConfirmResetDialog
from trainer.ui.dashboard.export_view import ExportView
from trainer.ui.dashboard.filter_bar import FilterBar
from trainer.ui.dashboard.items_view import ItemsView
from trainer.ui.dashboard.malpractice_view import MalpracticeView
from trainer.ui.dashboard.rules_view import RulesView
from trainer.ui.dashboard.team_view import TeamView
from trainer.ui.dashboard.trainee_view import TraineeView
from trainer.ui.errors import reports_errors, show_error
from trainer.ui.jobs import LoadRunner
from trainer.ui.widgets import button

MIN_SIZE = (1024, 700)
LOADING = "Loading the figures…"


@dataclass(frozen=True)
class Figures:
    """One refresh's reading of the store: the topics to offer and the figures to show."""

    topics: list[str]
    data: TeamData
    malpractice: MalpracticeCounts = field(default_factory=lambda: MalpracticeCounts((), {}))
    last_regrade: LastRegrade | None = None


def load_figures(store: Store, library: Library, flt: TeamFilter) -> Figures:
    """The slow part of a refresh (~2 s at 100,000 answers): run by a `LoadRunner`, off the GUI."""
    return Figures(
        known_topics(store, library),
        load(store, flt).prepare(),
        malpractice_counts(store, flt),
        last_regrade(store),
    )


class DashboardWindow(QMainWindow):
    """Opened only through `open_dashboard`, after a supervisor has signed in."""

    def __init__(self, context: AppContext, supervisor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.supervisor = supervisor
        self.data: TeamData | None = None
        self.setWindowTitle(f"Supervisor dashboard — signed in as {supervisor}")
        self.setAccessibleName("Supervisor dashboard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(*MIN_SIZE)
        self.setMinimumSize(*MIN_SIZE)

        self.loader = LoadRunner(context.store, self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self.filters = FilterBar(self)
        self.refresh_button = button("Re&fresh", "Refresh the figures", self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Dashboard views")
        self.team = TeamView(self)
        self.rules = RulesView(context.catalogue, self)
        self.trainee = TraineeView(context.catalogue, context.store, self)
        self.items = ItemsView(self)
        self.malpractice = MalpracticeView(self)
        self.export = ExportView(context, self, supervisor)
        self.accounts = AccountsView(context.store, supervisor, self)
        for view, title in (
            (self.team, "&Team"),
            (self.rules, "Rules and crime &groups"),
            (self.trainee, "Tr&ainee"),
            (self.items, "&Scenarios"),
            (self.malpractice, "&HMIC malpractice"),
            (self.export, "&Export and import"),
            (self.accounts, "Super&visors"),
        ):
            self.tabs.addTab(view, title)

        central = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(lambda: self.refresh())
        close = QAction("Close", self)
        close.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        close.triggered.connect(self.close)
        self.addActions([refresh, close])

        self.filters.filter_changed.connect(lambda _filter: self.refresh())
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.team.trainee_chosen.connect(self.show_trainee)
        self.rules.answers.answer_opened.connect(self.open_answer)
        self.trainee.answers.answer_opened.connect(self.open_answer)
        self.trainee.reset_requested.connect(self.reset_trainee)
        self.export.imported.connect(lambda: self.refresh())
        self.refresh()

    @property
    def filter(self) -> TeamFilter:
        return self.filters.current()

    @property
    def loading(self) -> bool:
        return self.loader.busy

    def refresh(self) -> None:
        """Read the store again through the current filter, off the GUI thread; `_loaded` redraws.

        The window stays usable meanwhile; a newer refresh supersedes one still under way.
        """
        self.refresh_button.setEnabled(False)
        self.statusBar().showMessage(LOADING)
        library, flt = self.context.library, self.filter
        self.export.show_pending(flt)
        self.loader.start(lambda mine: load_figures(mine, library, flt))

    def _loaded(self, figures: Figures) -> None:
        self.filters.set_topics(figures.topics, self.context.catalogue.topic_name)
        self.data = figures.data
        self.team.show_malpractice(figures.malpractice)
        self.team.show_data(self.data)
        self.malpractice.show_counts(figures.malpractice)
        self.export.show_regrade(figures.last_regrade)
        self.rules.show_data(self.data)
        self.trainee.show_data(self.data)
        self.items.show_data(self.data)
        self.export.show_filter(self.data)
        self.refresh_button.setEnabled(True)
        shown = self.data.filter.describe(self.context.catalogue.topic_name)
        self.statusBar().showMessage(f"Showing {shown}.")

    def _failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.statusBar().showMessage("The figures could not be loaded.")
        show_error(self, message)

    def show_trainee(self, trainee_id: str) -> None:
        self.trainee.choose(trainee_id)
        self.tabs.setCurrentWidget(self.trainee)

    @reports_errors
    def open_answer(self, answer_id: str) -> None:
        """One answer in full, read-only: the report, the questions asked, the findings."""
        row = self.context.store.answer(answer_id)
        who = self.data.names.get(row.trainee_id) if self.data else None
        review = review_of(row, self.context.library.by_id, self.context.catalogue)
        AnswerReviewDialog.show_review(self, review, f"{who}'s" if who else "The")

    @reports_errors
    def reset_trainee(self, trainee_id: str) -> None:
        trainee = self.context.store.trainee(trainee_id)
        if not ConfirmResetDialog.ask(self, trainee.name):
            return
        reset_profile(self.context.store, trainee_id, self.supervisor)
        self.statusBar().showMessage(f"{trainee.name}'s profile was reset.")
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.loader.wait()
        self.export.wait_for_work()
        super().closeEvent(event)
