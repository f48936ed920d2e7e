"""The Export tab: the CLI's CSV exports for the current filter, and results bundles.

File dialogs start in the folder last used (kept in window.ini beside the database), or the
first time in the user's documents folder, never in the program's working folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer.core.errors import TrainerError
from trainer.core.reports import team_export
from trainer.core.reports.figures import TeamFigures
from trainer.core.reports.team import TeamFilter
from trainer.core.store import bundles
from trainer.core.store.keys import UntrustedKey
from trainer.core.store.regrade_status import LastRegrade
from trainer.ui.context import AppContext
from trainer.ui.errors import confirm
from trainer.ui.jobs import JobRunner, Work
from trainer.ui.widgets import button, wrapped

CSV_FILTER = "CSV files (*.csv)"
BUNDLE_FILTER = "Results bundles (*.bundle *.json);;All files (*)"
SETTINGS_NAME = "window.ini"  # as trainer.ui.app keeps the window's place, beside the database
LAST_FOLDER_KEY = "files/last_folder"


class LastFolder:
    """Where file dialogs start: the folder last used, else the user's documents folder."""

    def __init__(self, settings_file: Path) -> None:
        self.settings_file = settings_file

    def _settings(self) -> QSettings:
        return QSettings(str(self.settings_file), QSettings.Format.IniFormat)

    def start(self) -> Path:
        last = self._settings().value(LAST_FOLDER_KEY)
        if isinstance(last, str) and last and Path(last).is_dir():
            return Path(last)
        location = QStandardPaths.StandardLocation.DocumentsLocation
        documents = QStandardPaths.writableLocation(location)
        return Path(documents) if documents else Path.home()

    def remember(self, chosen: Path) -> None:
        settings = self._settings()
        settings.setValue(LAST_FOLDER_KEY, str(chosen.parent))
        settings.sync()


class SaveFileDialog:
    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        suggested: str,
        start: Path | None = None,
        filters: str = CSV_FILTER,
    ) -> Path | None:
        """Where to write a file (suggested name in `start`), or None if cancelled."""
        where = str(start / suggested) if start is not None else suggested
        name, _ = QFileDialog.getSaveFileName(parent, title, where, filters)
        return Path(name) if name else None


class OpenBundleDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, start: Path | None = None) -> Path | None:
        """A results bundle to import, or None if cancelled."""
        where = str(start) if start is not None else ""
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import a results bundle", where, BUNDLE_FILTER
        )
        return Path(name) if name else None


class TrustKeyDialog:
    @classmethod
    def ask(
        cls, parent: QWidget | None, fingerprint: str | None, workstation_id: str
    ) -> bool | None:
        """True when the supervisor accepts the key with this fingerprint (None: an unsigned,
        version-1 bundle) as the workstation's; its bundles are then imported without asking."""
        if fingerprint is None:
            question = (
                "This bundle is unsigned (written by an older trainer), so nothing shows who wrote "
                "it or that it is unchanged. Import it only if you know where it came from. "
                "Import it?"
            )
        else:
            question = (
                f"This bundle is signed by a workstation this one does not know yet "
                f"({workstation_id}). Its key's fingerprint is:\n\n{fingerprint}\n\n"
                "Compare it with the fingerprint shown on that workstation ("
                "“trainer key”). Accept this key? Its bundles will then be imported without "
                "asking; refuse if you are not sure."
            )
        return confirm(parent, question, "Accept key" if fingerprint else "Import") or None


class ExportView(QWidget):
    """Emits `imported` after a bundle has been imported, so the figures can be read again."""

    imported = Signal()

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, supervisor: str = "supervisor"
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.supervisor = supervisor
        self.filter = TeamFilter()
        self.runner = JobRunner(context.store, self)
        self.importing = False
        self.folders = LastFolder(context.data_dir / SETTINGS_NAME)

        self.filter_text = wrapped("", "Current filter", self)
        self.answers_button = button("Export ans&wers (CSV)…", "Export answers as CSV", self)
        self.summary_button = button("Export summar&y (CSV)…", "Export summary as CSV", self)
        self.bundle_button = button("Export results bu&ndle…", "Export a results bundle", self)
        self.import_button = button("Import results &bundle…", "Import a results bundle", self)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Working")
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = wrapped("", "Export status", self)
        self.regraded = wrapped("", "Regrades", self)

        exports = QGroupBox("Export the answers the current filter shows", self)
        exports_layout = QVBoxLayout(exports)
        exports_layout.addWidget(self.filter_text)
        exports_layout.addWidget(
            wrapped(
                "Answers: one row per stored answer, as “trainer export” writes it. Summary: one "
                "row per trainee, as “trainer export --summary” writes it. Both open in a "
                "spreadsheet.",
                "About the exports",
                exports,
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.answers_button)
        row.addWidget(self.summary_button)
        row.addStretch(1)
        exports_layout.addLayout(row)

        imports = QGroupBox("Results from other workstations", self)
        imports_layout = QVBoxLayout(imports)
        imports_layout.addWidget(
            wrapped(
                "Each workstation keeps its own database. Export a results bundle there (this "
                "button, or “trainer export-bundle”) and import it here to see the whole team; "
                "answers already imported are not counted twice. Bundles are signed: the first "
                "from another workstation shows its key's fingerprint for you to accept or refuse "
                "(compare it with “trainer key” there). Every imported answer is graded again by "
                "this workstation's scenario bank: a score written into a bundle is never trusted.",
                "About importing",
                imports,
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.bundle_button)
        row.addWidget(self.import_button)
        row.addStretch(1)
        imports_layout.addLayout(row)

        layout = QVBoxLayout(self)
        layout.addWidget(exports)
        layout.addWidget(imports)
        layout.addWidget(self.regraded)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.answers_button.clicked.connect(self.export_answers)
        self.summary_button.clicked.connect(self.export_summary)
        self.bundle_button.clicked.connect(self.export_bundle)
        self.import_button.clicked.connect(self.import_bundle)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)

    @property
    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.answers_button, self.summary_button, self.bundle_button, self.import_button)

    def show_pending(self, flt: TeamFilter) -> None:
        """A new filter was chosen: exports follow it at once, while its figures still load."""
        self.filter = flt
        self.filter_text.setText(f"Current filter: {flt.describe()}. Counting its answers…")
        self.filter_text.setAccessibleName(self.filter_text.text())

    def show_filter(self, data: TeamFigures) -> None:
        self.filter = data.filter
        self.filter_text.setText(
            f"Current filter: {data.filter.describe()}. It holds {data.answers} answer(s) "
            f"from {len(data.trainees)} trainee(s)."
        )
        self.filter_text.setAccessibleName(self.filter_text.text())

    def show_regrade(self, last: LastRegrade | None) -> None:
        """When stored answers were last graded again after the bank or catalogue changed."""
        text = (
            last.describe()
            if last is not None
            else "No stored answers have been regraded: every grade is as first given."
        )
        self.regraded.setText(text)
        self.regraded.setAccessibleName(text)

    def _save_to(self, title: str, suggested: str, filters: str = CSV_FILTER) -> Path | None:
        path = SaveFileDialog.ask(self, title, suggested, self.folders.start(), filters)
        if path is not None:
            self.folders.remember(path)
        return path

    def export_answers(self) -> None:
        path = self._save_to("Export answers", "answers.csv")
        if path is not None:
            flt, bank = self.filter, self.context.library.by_id
            self._start(lambda store: team_export.export_answers(store, path, flt, bank))

    def export_summary(self) -> None:
        path = self._save_to("Export summary", "summary.csv")
        if path is not None:
            flt = self.filter
            self._start(lambda store: team_export.export_summary(store, path, flt))

    def export_bundle(self) -> None:
        path = self._save_to("Export a results bundle", "results.bundle", BUNDLE_FILTER)
        if path is not None:
            self._start(lambda store: team_export.export_bundle(store, path))

    def import_bundle(self) -> None:
        path = OpenBundleDialog.ask(self, self.folders.start())
        if path is None:
            return
        self.folders.remember(path)
        trust = False
        try:  # the header, signature and digest: quick, and a dialog may follow
            header = bundles.read_header(path)
            bundles.check_trust(self.context.store, path, header, trust=False)
        except UntrustedKey as untrusted:
            trust = bool(TrustKeyDialog.ask(self, untrusted.fingerprint, untrusted.workstation_id))
            if not trust:
                self._done(f"Not imported: the key {untrusted.fingerprint} was refused.")
                return
        except TrainerError as exc:
            if header_missing(exc):  # an unsigned bundle: the supervisor may vouch for it
                trust = bool(TrustKeyDialog.ask(self, None, ""))
                if not trust:
                    self._done("Not imported: the unsigned bundle was refused.")
                    return
            else:
                self._failed(str(exc))
                return
        library, catalogue = self.context.library, self.context.catalogue
        who = f"supervisor {self.supervisor}"
        self._start(
            lambda store: team_export.import_bundle(
                store, path, library, catalogue, trust=trust, accepted_by=who
            ),
            importing=True,
        )

    def wait_for_work(self) -> None:
        """Let a running export or import finish (the window is closing)."""
        self.runner.wait()

    def _start(self, work: Work, importing: bool = False) -> None:
        self.importing = importing
        for b in self.buttons:
            b.setEnabled(False)
        self.progress.show()
        self.status.setText("Working…")
        self.runner.start(work)

    def _done(self, text: str) -> None:
        for b in self.buttons:
            b.setEnabled(True)
        self.progress.hide()
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def _finished(self, report: str) -> None:
        self._done(report)
        if self.importing:
            self.imported.emit()

    def _failed(self, message: str) -> None:
        self._done(f"Not done: {message}")


def header_missing(exc: TrainerError) -> bool:
    """Whether the import was refused only for being an unsigned, version-1 bundle."""
    return isinstance(exc, bundles.UnsignedBundle)
