"""The main window: start screen, practice choice, the quiz, progress; menus and shortcuts."""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from trainer.core.errors import TrainerError
from trainer.ui import errors
from trainer.ui.context import AppContext
from trainer.ui.errors import reports_errors, show_error
from trainer.ui.loader import BankLoader, LoadedBank
from trainer.ui.trainee.start_view import StartView

if TYPE_CHECKING:
    from trainer.core.practice.quiz import QuizPlan
    from trainer.core.practice.standing import Standing
    from trainer.core.store.records import AnswerRow, SessionRow, Trainee
    from trainer.core.store.sqlite import Store
    from trainer.ui.central import BackgroundSync
    from trainer.ui.jobs import JobRunner, LoadRunner
    from trainer.ui.progress.progress_view import ProgressView
    from trainer.ui.regrade_offer import RegradeOffer
    from trainer.ui.trainee.practice_view import PracticeView
    from trainer.ui.trainee.quiz_screen import QuizScreen

TITLE = "Crime Recording Trainer"
GEOMETRY_KEY = "main-window/geometry"
DAILY_BACKUP_DELAY_MS = 5000  # not in the way of the first screens
Shortcut = QKeySequence.StandardKey | str | None
# Every action with its shortcut, in one table: (name, text, shortcut, slot, menu).
ACTIONS: tuple[tuple[str, str, Shortcut, str, str], ...] = (
    ("practice", "&Choose practice…", QKeySequence.StandardKey.New, "show_practice", "trainer"),
    ("progress", "My &progress", "Ctrl+P", "show_progress", "trainer"),
    ("switch", "&Switch trainee", "Ctrl+Shift+S", "show_start", "trainer"),
    ("dashboard", "Supervisor &dashboard…", "Ctrl+D", "open_dashboard", "trainer"),
    ("central", "C&entral dashboard…", None, "open_central_dashboard", "trainer"),
    ("skipped", "S&kipped scenario files…", None, "show_skipped", "trainer"),
    ("quit", "&Quit", QKeySequence.StandardKey.Quit, "close", "trainer"),
    ("keys", "&Keyboard shortcuts", QKeySequence.StandardKey.HelpContents, "show_keys", "help"),
    ("about", "&About", None, "show_about", "help"),
)
KEYS_HELP = """Everything works from the keyboard:
Tab / Shift+Tab — move between controls; Alt + underlined letter — jump to a control
Ctrl+Enter — submit your answer on a scenario
Enter — the highlighted button (Next on feedback, Start on practice)
Ctrl+N — choose practice   Ctrl+P — my progress   Ctrl+Shift+S — switch trainee
Ctrl+D — supervisor dashboard   F1 — this list   Ctrl+Q — quit"""


class MainWindow(QMainWindow):
    context_ready = Signal()
    damage_found = Signal(str)  # from the thread that checks the database as it opens

    def __init__(
        self,
        context: AppContext | None = None,
        data_dir: Path | None = None,
        settings_file: Path | None = None,
        central: str | None = None,
    ) -> None:
        """With a `context`, ready at once; otherwise call `load()` to load in the background.
        With a `settings_file`, the window reopens at the size and place it was closed at.
        `central` (--central URL) overrides the central store this workstation syncs to."""
        super().__init__()
        self.central = central
        self.background_sync: BackgroundSync | None = None
        self.setWindowTitle(TITLE)
        self.data_dir = data_dir
        self.settings_file = settings_file
        self.context: AppContext | None = None
        self.trainee: Trainee | None = None
        self.loader: BankLoader | None = None
        self.practice_view: PracticeView | None = None
        self.quiz_screen: QuizScreen | None = None
        self.progress_view: ProgressView | None = None
        self.backup_job: JobRunner | None = None
        self.standing_loader: LoadRunner | None = None
        self.history_loader: LoadRunner | None = None
        self.standing: Standing | None = None  # the chosen trainee's record, once read
        self.regrade_offer: RegradeOffer | None = None
        self.pages = QStackedWidget(self)
        self.start_view = StartView(self)
        self.pages.addWidget(self.start_view)
        self.setCentralWidget(self.pages)
        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self.start_view.trainee_chosen.connect(self.choose_trainee)
        self.start_view.profile_requested.connect(self.create_profile)
        self.start_view.unit_requested.connect(self.change_unit)
        self.start_view.trainee_selected.connect(self._offer_resume)
        self.start_view.resume_requested.connect(self.resume_quiz)
        self.start_view.discard_requested.connect(self.discard_quiz)
        self.start_view.set_ready(False, "Loading the scenario bank…")
        self.resize(1100, 760)
        self._restore_geometry()
        self._update_actions()
        if context is not None:
            self.set_context(context)

    def _build_menus(self) -> None:
        menus = {
            "trainer": self.menuBar().addMenu("&Trainer"),
            "help": self.menuBar().addMenu("&Help"),
        }
        for name, text, keys, slot, menu in ACTIONS:
            action = QAction(text, self)
            if keys is not None:
                action.setShortcut(QKeySequence(keys))
            action.triggered.connect(getattr(self, slot))
            menus[menu].addAction(action)
            self.actions_by_name[name] = action

    # Loading -----------------------------------------------------------------------------------

    def load(self, scenario_paths: Sequence[Path] | None = None) -> None:
        """Load the bank in the background; the store opens when it is ready."""
        from trainer.core import paths

        cache = paths.user_data_dir(self.data_dir) / "cache"
        self.loader = BankLoader(scenario_paths, cache, self)
        self.loader.loaded.connect(self._bank_loaded)
        self.loader.failed.connect(self._load_failed)
        self.loader.start()

    def _bank_loaded(self, bank: LoadedBank) -> None:
        from trainer.core.store.sqlite import open_store

        self._loader_done()
        try:
            store = open_store(self.data_dir, check="background")  # writes wait for the check
        except TrainerError as exc:
            self._load_failed(str(exc))
            return
        from trainer.core import paths

        self.set_context(
            AppContext(
                store=store,
                catalogue=bank.catalogue,
                data_dir=store.path.parent if store.path else paths.user_data_dir(self.data_dir),
                library=bank.library,
            )
        )
        self.damage_found.connect(self._damage_found)
        store.integrity.on_done(self._checked)  # after the screens are built: may call at once
        self._offer_regrade()
        QTimer.singleShot(DAILY_BACKUP_DELAY_MS, self._daily_backup)  # once the trainee is busy

    def _offer_regrade(self) -> None:
        """If answers were graded under another bank or catalogue, offer to grade them again."""
        from trainer.ui.regrade_offer import RegradeOffer

        assert self.context is not None
        self.regrade_offer = RegradeOffer(self.context, self)
        self.regrade_offer.done.connect(
            lambda report: self.statusBar().showMessage(report.splitlines()[0])
        )
        self.regrade_offer.start()

    def _daily_backup(self) -> None:
        """Off the GUI thread: copying a large database must not freeze the window."""
        from trainer.core.store.backups import daily_backup
        from trainer.ui.jobs import JobRunner

        assert self.context is not None
        if self.context.store.integrity.problem:
            return  # a damaged database is not backed up (its newest good backup was named)
        self.backup_job = JobRunner(self.context.store, self)
        self.backup_job.failed.connect(lambda message: show_error(self, message))
        self.backup_job.start(lambda store: str(daily_backup(store) or ""))

    def _checked(self, problem: str | None) -> None:
        """The verdict of the database's check, from its thread: a signal takes it to this one."""
        if problem:
            self.damage_found.emit(problem)

    def _damage_found(self, message: str) -> None:
        """The database failed its check: nothing more is written; say which backup to restore."""
        self.trainee = None
        self._show(self.start_view)
        self.start_view.set_ready(False, f"Cannot go on: {message}")
        self.statusBar().showMessage(message)
        show_error(self, message)

    def _loader_done(self) -> None:
        """The loader has sent its last signal: let its thread end now, so nothing that follows
        (a window closed or destroyed at once) can take a running thread with it."""
        if self.loader is not None:
            self.loader.wait()

    def _load_failed(self, message: str) -> None:
        self._loader_done()
        self.start_view.set_ready(False, f"Cannot start: {message}")
        show_error(self, message)

    def set_context(self, context: AppContext) -> None:
        """Everything is loaded: build the screens that need the catalogue and the store."""
        from trainer.core.practice.quiz import practice_choices
        from trainer.ui.skipped_files import skipped_text
        from trainer.ui.trainee.practice_view import PracticeView
        from trainer.ui.trainee.quiz_screen import QuizScreen

        self.context = context
        library = context.library
        self.practice_view = PracticeView(context.catalogue, self)
        self.quiz_screen = QuizScreen(context, self)
        self.pages.addWidget(self.practice_view)
        self.pages.addWidget(self.quiz_screen)
        self.practice_view.plan_chosen.connect(self.start_quiz)
        self.practice_view.progress_requested.connect(self.show_progress)
        self.practice_view.switch_requested.connect(self.show_start)
        self.quiz_screen.closed.connect(self.show_practice)
        self.quiz_screen.kept.connect(self._quiz_kept)
        self.quiz_screen.currentChanged.connect(self._update_actions)
        bank = (
            f"{len(library.scenarios)} scenarios in the bank (rules {context.catalogue.edition})."
        )
        skipped = skipped_text(library.problems)
        note = f"{skipped} See Trainer → Skipped scenario files." if skipped else ""
        bank = f"{bank} {note}".strip()
        self.practice_view.set_choices(
            practice_choices([s.scenario for s in library.scenarios], context.catalogue)
        )
        self.statusBar().showMessage(bank)
        self.start_view.set_trainees(context.store.trainees())
        self.start_view.set_default_unit(context.store.workstation_unit())
        self.start_view.set_ready(True, note)
        self._start_sync(context)
        self._update_actions()
        self.context_ready.emit()

    def _start_sync(self, context: AppContext) -> None:
        """Sync in the background when a central store is configured (or given)."""
        from trainer.ui.central import BackgroundSync

        self.background_sync = BackgroundSync(context.store, self.central, self)
        self.statusBar().addPermanentWidget(self.background_sync.label)
        self.background_sync.start()

    # Pages -------------------------------------------------------------------------------------

    @reports_errors
    def create_profile(self, name: str, staff_number: str, role: str, unit: str = "") -> None:
        assert self.context is not None
        trainee = self.context.store.create_trainee(name, staff_number, role, unit)
        self.start_view.clear_form()
        self.start_view.set_trainees(self.context.store.trainees(), trainee.id)
        self.choose_trainee(trainee)

    @reports_errors
    def change_unit(self, trainee: Trainee, unit: str) -> None:
        """Put the profile in a unit on this workstation; the list keeps it selected."""
        assert self.context is not None
        changed = self.context.store.set_trainee_unit(trainee.id, unit)
        self.start_view.set_trainees(self.context.store.trainees(), changed.id)

    def choose_trainee(self, trainee: Trainee) -> None:
        self.trainee = trainee
        self.setWindowTitle(f"{TITLE} — {trainee.name}")
        self.show_practice()

    def show_start(self) -> None:
        self._show_start(None)

    def _show_start(self, select_id: str | None) -> None:
        if self._quiz_running():
            return
        self.trainee = None
        self.setWindowTitle(TITLE)
        if self.context is not None:
            self.start_view.set_trainees(self.context.store.trainees(), select_id)
        self._show(self.start_view)
        self.start_view.list.setFocus()

    def _quiz_kept(self) -> None:
        """The quiz was left to resume later: back to the start, its trainee's offer shown."""
        self._show_start(self.trainee.id if self.trainee else None)

    @reports_errors
    def _offer_resume(self, trainee: Trainee) -> None:
        from trainer.core.practice.quiz_state import unfinished
        from trainer.ui.trainee.start_view import describe_unfinished

        if self.context is None:
            return
        left = unfinished(self.context.store, trainee, self.context.catalogue)
        if left is None:
            self.start_view.offer_resume(None)
        else:
            self.start_view.offer_resume(describe_unfinished(left), left.problem is None)

    @reports_errors
    def resume_quiz(self, trainee: Trainee) -> None:
        from trainer.core.practice.quiz_run import QuizRun

        assert self.context is not None and self.quiz_screen is not None
        ctx = self.context
        from trainer.core.practice.schedule import desired_retention

        run = QuizRun.resume(
            ctx.store, trainee, ctx.library, ctx.catalogue, desired_retention(ctx.store)
        )
        if run is None:
            self._offer_resume(trainee)
            return
        self.trainee = trainee
        self.setWindowTitle(f"{TITLE} — {trainee.name}")
        self.quiz_screen.start(run)
        self._show(self.quiz_screen)

    @reports_errors
    def discard_quiz(self, trainee: Trainee) -> None:
        from trainer.core.practice.quiz_state import discard_unfinished

        assert self.context is not None
        discard_unfinished(self.context.store, trainee)
        self._offer_resume(trainee)

    @reports_errors
    def show_practice(self) -> None:
        if self.context is None or self.practice_view is None or self.trainee is None:
            return
        if self._quiz_running():
            return
        if self.background_sync is not None and self.pages.currentWidget() is self.quiz_screen:
            self.background_sync.sync_now()  # a quiz has just ended: its answers go now
        self.standing = None
        self.practice_view.set_trainee(self.trainee)
        from trainer.core.practice.schedule import desired_retention, due_counts, update_schedules
        from trainer.core.store.records import now

        store = self.context.store
        retention = desired_retention(store)
        self.practice_view.retention.setValue(retention)
        update_schedules(store, retention, self.trainee.id)  # only what is new (an import)
        self.practice_view.set_due(*due_counts(store, self.trainee.id, now()))
        self._show(self.practice_view)
        self.practice_view.start.setFocus()
        self._read_standing(self.trainee)

    def _read_standing(self, trainee: Trainee) -> None:
        """The trainee's record, read through the indexes on a thread of its own."""
        from trainer.core.practice.standing import standing
        from trainer.ui.jobs import LoadRunner

        assert self.context is not None
        if self.standing_loader is None:
            self.standing_loader = LoadRunner(self.context.store, self)
            self.standing_loader.loaded.connect(self._standing_read)
            self.standing_loader.failed.connect(lambda message: show_error(self, message))
        self.standing_loader.start(lambda store: standing(store, trainee.id))

    def _read_history(self, trainee: Trainee) -> None:
        """The progress screen's answers and sessions, read on a thread of their own."""
        from trainer.ui.jobs import LoadRunner

        assert self.context is not None
        if self.history_loader is None:
            self.history_loader = LoadRunner(self.context.store, self)
            self.history_loader.loaded.connect(self._history_read)
            self.history_loader.failed.connect(lambda message: show_error(self, message))
        tid = trainee.id

        def history(store: Store) -> tuple[str, list[AnswerRow], list[SessionRow], int]:
            store.replay_kept()  # after an import that died before it replayed the spool
            answers, sessions = store.answers(trainee_id=tid), store.sessions(tid)
            return tid, answers, sessions, store.answers_waiting(tid)

        self.history_loader.start(history)

    def _history_read(self, history: tuple[str, list[AnswerRow], list[SessionRow], int]) -> None:
        tid, answers, sessions, waiting = history
        if self.trainee is None or self.trainee.id != tid or self.progress_view is None:
            return  # another trainee was chosen meanwhile
        assert self.context is not None
        self.progress_view.show_progress(
            self.trainee, answers, sessions, self.context.library.by_id, waiting
        )

    def _standing_read(self, known: Standing) -> None:
        if self.trainee is None or known.trainee_id != self.trainee.id:
            return  # another trainee was chosen meanwhile
        self.standing = known
        if self.practice_view is not None:
            self.practice_view.set_trainee(self.trainee, known)

    @reports_errors
    def start_quiz(self, plan: QuizPlan) -> None:
        from trainer.core.practice.quiz_run import QuizRun
        from trainer.core.practice.quiz_state import unfinished

        assert self.context is not None and self.trainee is not None
        assert self.quiz_screen is not None
        from trainer.core.practice.schedule import desired_retention, set_desired_retention

        ctx = self.context
        left = unfinished(ctx.store, self.trainee, ctx.catalogue)
        if left is not None and not errors.confirm(
            self,
            f"You have an unfinished quiz ({left.title or 'cannot be resumed'}). Starting a new "
            "one ends it; the answers you gave stay in your record. Start the new quiz?",
        ):
            return
        retention = round(self.practice_view.retention.value(), 2) if self.practice_view else 0.9
        if retention != desired_retention(ctx.store):
            set_desired_retention(ctx.store, retention)
        run = QuizRun.start(
            ctx.store,
            self.trainee,
            plan,
            ctx.library,
            ctx.catalogue,
            retention=retention,
            known=self.standing,
        )
        self.quiz_screen.start(run)
        self._show(self.quiz_screen)

    @reports_errors
    def show_progress(self) -> None:
        if self.context is None or self.trainee is None or self._quiz_running():
            return
        if self.progress_view is None:
            from trainer.ui.progress.progress_view import ProgressView

            self.progress_view = ProgressView(self.context.catalogue, self)
            self.progress_view.back_requested.connect(self.show_practice)
            self.pages.addWidget(self.progress_view)
        self._read_history(self.trainee)
        self._show_reviews(self.progress_view)
        self._show(self.progress_view)

    def _show_reviews(self, view: ProgressView) -> None:
        from trainer.core.practice import schedule
        from trainer.core.reports.certainty import calibration
        from trainer.core.store.records import now

        assert self.context is not None and self.trainee is not None
        store, at = self.context.store, now()
        retention = schedule.desired_retention(store)
        cards = schedule.trainee_cards(store, self.trainee.id, retention)
        view.review_tab.show_schedule(
            schedule.by_urgency(cards, at, retention),
            schedule.forecast(cards, at),
            calibration(store, self.trainee.id),
            at,
        )

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self._update_actions()

    def _quiz_running(self) -> bool:
        return (
            self.quiz_screen is not None
            and self.pages.currentWidget() is self.quiz_screen
            and self.quiz_screen.running
        )

    def _update_actions(self) -> None:
        quiz = self._quiz_running()
        chosen = self.context is not None and self.trainee is not None
        for name in ("practice", "progress"):
            self.actions_by_name[name].setEnabled(chosen and not quiz)
        self.actions_by_name["switch"].setEnabled(self.context is not None and not quiz)
        self.actions_by_name["dashboard"].setEnabled(self.context is not None and not quiz)
        self.actions_by_name["central"].setEnabled(self.context is not None and not quiz)
        problems = self.context is not None and bool(self.context.library.problems)
        self.actions_by_name["skipped"].setEnabled(problems)

    # Menu actions ------------------------------------------------------------------------------

    @reports_errors
    def open_dashboard(self) -> None:
        if self.context is None:
            return
        try:  # imported when first asked for: supervisors only
            dashboard = importlib.import_module("trainer.ui.dashboard")
            open_dashboard = dashboard.open_dashboard
        except (ImportError, AttributeError):
            show_error(self, "The supervisor dashboard is not part of this installation.")
            return
        open_dashboard(self, self.context)

    @reports_errors
    def open_central_dashboard(self) -> None:
        """The dashboard on the central store, signed in with a PostgreSQL login."""
        if self.context is None:
            return
        from trainer.ui.central import ask_url, open_central_dashboard

        url = self.central or ask_url(self, self.context.store)
        if url:
            open_central_dashboard(self, self.context, url)

    def show_skipped(self) -> None:
        from trainer.ui.skipped_files import SkippedFilesDialog

        if self.context is not None:
            SkippedFilesDialog.show_problems(self, self.context.library.problems)

    def show_keys(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", KEYS_HELP)

    def show_about(self) -> None:
        from trainer import __version__

        edition = self.context.catalogue.edition if self.context else "not loaded yet"
        QMessageBox.about(
            self,
            f"About {TITLE}",
            f"{TITLE} {__version__}\nOffline practice in recording and classifying crime.\n"
            f"Counting rules: {edition}.",
        )

    def _settings(self) -> QSettings | None:
        if self.settings_file is None:
            return None
        return QSettings(str(self.settings_file), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        settings = self._settings()
        geometry = settings.value(GEOMETRY_KEY) if settings is not None else None
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)  # Qt keeps it on a screen that is still there

    def closeEvent(self, event):  # type: ignore[no-untyped-def]
        """Ctrl+Q and closing the window: a quiz under way is kept for later, if the trainee
        agrees (its answers are already stored and its session stays open)."""
        quiz = self.quiz_screen
        if quiz is not None and quiz.run is not None and self._quiz_running():
            from trainer.ui.trainee.leave_quiz import LeaveQuizDialog

            if LeaveQuizDialog.ask(self, quitting=True, exam=quiz.run.plan.exam) != "keep":
                event.ignore()
                return
            quiz.keep_for_later()
        settings = self._settings()
        if settings is not None and self.settings_file is not None:
            settings.setValue(GEOMETRY_KEY, self.saveGeometry())
            settings.sync()
            with contextlib.suppress(OSError):  # readable only by the account that wrote it
                os.chmod(self.settings_file, 0o600)
        if self.loader is not None and self.loader.isRunning():
            self.loader.wait()
        for runner in (self.standing_loader, self.history_loader, self.background_sync):
            if runner is not None:
                runner.wait()
        if self.regrade_offer is not None:
            self.regrade_offer.stop()  # a regrade under way stops after its current page
        super().closeEvent(event)
