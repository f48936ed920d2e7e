"""The supervisor dashboard window: one filter over tabs of team figures, charts and exports."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent, QWindow
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.scenarios import Library
from trainer.core.reports.figures import (
    BreakdownFigures,
    ItemFigures,
    TeamFigures,
    breakdown_figures,
    item_figures,
    team_figures,
)
from trainer.core.reports.malpractice import MalpracticeCounts, malpractice_counts
from trainer.core.reports.team import Reader, TeamFilter, known_topics
from trainer.core.store import backups  # noqa: F401 - see DashboardWindow.__init__
from trainer.core.store.accounts import reset_profile
from trainer.core.store.import_journal import answers_being_imported
from trainer.core.store.regrade_status import LastRegrade, last_regrade
from trainer.core.store.sqlite import Store
from trainer.ui.answer_review import AnswerReviewDialog, review_of
from trainer.ui.context import AppContext
from trainer.ui.dashboard.accounts_view import AccountsView
from trainer.ui.dashboard.dialogs import ConfirmResetDialog
from trainer.ui.dashboard.export_view import ExportView
from trainer.ui.dashboard.filter_bar import FilterBar
from trainer.ui.dashboard.items_view import ItemsView, item_cells
from trainer.ui.dashboard.malpractice_view import MalpracticeView
from trainer.ui.dashboard.risk_view import Risks, RiskView, load_risks
from trainer.ui.dashboard.rules_view import RulesView
from trainer.ui.dashboard.tables import Cells
from trainer.ui.dashboard.team_view import TeamView, team_cells
from trainer.ui.dashboard.trainee_view import TraineeView
from trainer.ui.errors import reports_errors, show_error
from trainer.ui.jobs import LoadRunner
from trainer.ui.widgets import button

if TYPE_CHECKING:
    from trainer.core.store.central.reader import CentralStore

MIN_SIZE = (1024, 700)
GIL_SWITCH_S = 0.001  # how soon a loading thread hands Python back to the GUI thread
LOADING = "Loading the figures…"
# The other tabs are read once the team table has painted (their reading would hold up its paint);
# should no paint come (a minimised window), this long after the team's figures arrived.
TABS_FALLBACK_MS = 250
# The first reading starts once the window is on screen (its first layout and paint are the
# GUI thread's heaviest work: a loading thread beside them only slows them down); should it never
# be exposed (a window not shown), this long after it was made.
FIRST_FALLBACK_MS = 250


@dataclass(frozen=True)
class Figures:
    """One refresh's reading of the store for the Team tab: topics to offer and the figures."""

    topics: list[str]
    data: TeamFigures
    malpractice: MalpracticeCounts = field(default_factory=lambda: MalpracticeCounts((), {}))
    last_regrade: LastRegrade | None = None
    team_cells: Cells | None = None  # the team table's texts, worked out off the GUI thread
    importing: int | None = None  # answers an import under way has added so far (None: none)


@dataclass(frozen=True)
class TabFigures:
    """The other tabs' figures, read after the team table is on screen."""

    breakdowns: BreakdownFigures
    items: ItemFigures
    item_cells: Cells | None = None  # the item table's texts, worked out off the GUI thread
    risks: Risks = field(default_factory=lambda: Risks((), (), (), {}))


LEAN_CACHE = -4096  # KiB: a loading thread's connection reads each page about once


def lean(store: Reader) -> None:
    """A small page cache on a loading thread's own connection (closed when its job ends): a
    32 MiB cache per thread would only fill up with pages read once and swell the process."""
    if isinstance(store, Store) and store.path is not None:
        store.conn.execute(f"PRAGMA cache_size = {LEAN_CACHE}")


def load_figures(store: Reader, library: Library, flt: TeamFilter) -> Figures:
    """The Team tab's part of a refresh: run by a `LoadRunner`, off the GUI thread (the last
    regrade is a workstation's: a central store has none)."""
    lean(store)
    data, malpractice = team_figures(store, flt), malpractice_counts(store, flt)
    return Figures(
        known_topics(store, library),
        data,
        malpractice,
        last_regrade(store) if isinstance(store, Store) else None,
        team_cells(data, malpractice),
        answers_being_imported(store) if isinstance(store, Store) else None,
    )


def load_tab_figures(store: Reader, flt: TeamFilter) -> TabFigures:
    """The other tabs' part of a refresh, read once the team table is on screen."""
    lean(store)
    items = item_figures(store, flt)
    return TabFigures(
        breakdown_figures(store, flt),
        items,
        item_cells(items),
        # The rule schedule is a workstation's cache: a central store has none.
        load_risks(store) if isinstance(store, Store) else Risks((), (), (), {}),
    )


class DashboardWindow(QMainWindow):
    """Opened only through `open_dashboard`, after a supervisor has signed in; or, with a
    `central` store, on the force's results as the supervisor's PostgreSQL login may read them
    (read-only: no exports to files from here, no accounts, no profile resets)."""

    def __init__(
        self,
        context: AppContext,
        supervisor: str,
        parent: QWidget | None = None,
        central: CentralStore | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.supervisor = supervisor
        self.central = central
        self.source: Store | CentralStore = central if central is not None else context.store
        self.data: TeamFigures | None = None
        self.tabs_pending = False  # the team's figures are shown; the other tabs' are to be read
        where = f" — central store {central.name}" if central is not None else ""
        self.setWindowTitle(f"Supervisor dashboard — signed in as {supervisor}{where}")
        self.setAccessibleName("Supervisor dashboard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(*MIN_SIZE)
        self.setMinimumSize(*MIN_SIZE)

        # The figures load on threads that run Python too: the GUI thread waits for them at most
        # this long (CPython's default, 5 ms, let a busy machine's stalls pile up to 100 ms+).
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        # Each loading thread opens the store, which imports `backups` when first asked: done at
        # the top of this module instead, as an import in a thread holds the GUI thread up.
        self.loader = LoadRunner(self.source, self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._failed)
        self.tab_loader = LoadRunner(self.source, self)
        self.tab_loader.loaded.connect(self._tabs_loaded)
        self.tab_loader.failed.connect(self._failed)
        self.tabs_timer = QTimer(self)  # owned: it goes with the window
        self.tabs_timer.setSingleShot(True)
        self.tabs_timer.setInterval(0)
        self.tabs_timer.timeout.connect(self._load_tabs)
        self.tabs_after_paint = False  # the team table is to paint before the other tabs load
        self.filters = FilterBar(self)
        self.refresh_button = button("Re&fresh", "Refresh the figures", self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Dashboard views")
        self.team = TeamView(self)
        self.rules = RulesView(context.catalogue, self.source, self)
        self.trainee = TraineeView(context.catalogue, self.source, self)
        self.items = ItemsView(self)
        self.malpractice = MalpracticeView(self)
        self.risks = RiskView(context.catalogue, self)
        self.export = ExportView(context, self, supervisor)
        self.accounts = AccountsView(context.store, supervisor, self)
        for view, title in (
            (self.team, "&Team"),
            (self.rules, "Rules and crime &groups"),
            (self.trainee, "Tr&ainee"),
            (self.items, "&Scenarios"),
            (self.malpractice, "&HMIC malpractice"),
            (self.risks, "Rules at risk: retrain ne&xt"),
            (self.export, "&Export and import"),
            (self.accounts, "Super&visors"),
        ):
            if central is None or view not in (self.export, self.accounts, self.risks):
                self.tabs.addTab(view, title)
        self.trainee.reset.setVisible(central is None)

        body = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(lambda: self.refresh())
        close = QAction("Close", self)
        close.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        close.triggered.connect(self.close)
        self.addActions([refresh, close])
        self.team.table.viewport().installEventFilter(self)

        self.filters.filter_changed.connect(lambda _filter: self.refresh())
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.team.trainee_chosen.connect(self.show_trainee)
        self.rules.answers.answer_opened.connect(self.open_answer)
        self.trainee.answers.answer_opened.connect(self.open_answer)
        self.trainee.reset_requested.connect(self.reset_trainee)
        self.export.imported.connect(lambda: self.refresh())
        self.first_timer = QTimer(self)
        self.first_timer.setSingleShot(True)
        self.first_timer.timeout.connect(self.refresh)
        if isinstance(self.source, Store) and self.source.path is None:
            self.refresh()  # read in place anyway (tests, demonstrations)
        else:
            self.statusBar().showMessage(LOADING)
            self.first_timer.start(FIRST_FALLBACK_MS)

    @property
    def filter(self) -> TeamFilter:
        return self.filters.current()

    @property
    def loading(self) -> bool:
        return (
            self.first_timer.isActive()
            or self.loader.busy
            or self.tabs_pending
            or self.tab_loader.busy
            or self.trainee.loading
        )

    def refresh(self) -> None:
        """Read the store again through the current filter, off the GUI thread; `_loaded` redraws.

        The window stays usable meanwhile; a newer refresh supersedes one still under way.
        """
        self.first_timer.stop()
        self.refresh_button.setEnabled(False)
        self.statusBar().showMessage(LOADING)
        library, flt = self.context.library, self.filter
        self.export.show_pending(flt)
        self.loader.start(lambda mine: load_figures(mine, library, flt))

    def _loaded(self, figures: Figures) -> None:
        self.filters.set_topics(figures.topics, self.context.catalogue.topic_name)
        self.data = figures.data
        self.team.show_malpractice(figures.malpractice)
        self.team.show_data(self.data, figures.team_cells)
        self.malpractice.show_counts(figures.malpractice)
        self.export.show_regrade(figures.last_regrade)
        self.export.show_filter(self.data)
        # The other tabs once the team table is painted: their reading must not slow it down.
        self.tabs_pending = True
        if isinstance(self.source, Store) and self.source.path is None:
            self._load_tabs()  # an in-memory store is read in place anyway (tests, demonstrations)
        elif self.team.table.isVisible():
            self.tabs_after_paint = True
            self.tabs_timer.start(TABS_FALLBACK_MS)
        else:
            self.tabs_timer.start(0)
        self.refresh_button.setEnabled(True)
        shown = self.data.filter.describe(self.context.catalogue.topic_name)
        message = f"Showing {shown}."
        if figures.importing is not None:
            message += (
                f" An import is under way ({figures.importing:,} answers in so far): the figures "
                "include them and will change until it ends; Refresh once it has."
            )
        self.statusBar().showMessage(message)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if self.first_timer.isActive() and handle is not None:
            handle.installEventFilter(self)  # the first reading waits for it to be exposed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow):
            if self.first_timer.isActive() and watched.isExposed():
                self.first_timer.start(0)  # fires once the exposed window has painted
                watched.removeEventFilter(self)
        elif self.tabs_after_paint and event.type() == QEvent.Type.Paint:
            self.tabs_after_paint = False
            self.tabs_timer.start(0)  # fires once this paint is done
        return super().eventFilter(watched, event)

    def _load_tabs(self) -> None:
        self.tabs_pending = False
        self.tabs_after_paint = False
        if self.data is None:
            return
        flt = self.data.filter
        self.tab_loader.start(lambda mine: load_tab_figures(mine, flt))
        self.trainee.show_data(self.data)

    def _tabs_loaded(self, figures: TabFigures) -> None:
        self.rules.show_data(figures.breakdowns)
        self.items.show_data(figures.items, figures.item_cells)
        self.risks.show_risks(figures.risks)

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
        row = self.source.answer(answer_id)
        people = self.data.trainees if self.data else ()
        who = next((t.name for t in people if t.id == row.trainee_id), None)
        review = review_of(row, self.context.library.by_id, self.context.catalogue)
        AnswerReviewDialog.show_review(self, review, f"{who}'s" if who else "The")

    @reports_errors
    def reset_trainee(self, trainee_id: str) -> None:
        if self.central is not None:
            return  # a central profile is each workstation's to reset
        trainee = self.context.store.trainee(trainee_id)
        if not ConfirmResetDialog.ask(self, trainee.name):
            return
        reset_profile(self.context.store, trainee_id, self.supervisor)
        self.statusBar().showMessage(f"{trainee.name}'s profile was reset.")
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.loader.wait()
        self.tab_loader.wait()
        self.trainee.loader.wait()
        self.export.wait_for_work()
        if self.central is not None:
            self.central.close()
        super().closeEvent(event)
