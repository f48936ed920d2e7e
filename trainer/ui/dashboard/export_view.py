"""The Export tab: the CLI's CSV exports for the current filter, and results bundles to import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
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


class SaveFileDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, suggested: str) -> Path | None:
        """Where to write a CSV file, or None if cancelled."""
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, CSV_FILTER)
        return Path(name) if name else None


class OpenBundleDialog:
    @classmethod
    def ask(cls, parent: QWidget | None) -> Path | None:
        """A results bundle to import, or None if cancelled."""
        name, _ = QFileDialog.getOpenFileName(parent, "Import a results bundle", "", BUNDLE_FILTER)
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

        self.filter_text = wrapped("", "Current filter", self)
        self.answers_button = button("Export ans&wers (CSV)…", "Export answers as CSV", self)
        self.summary_button = button("Export summar&y (CSV)…", "Export summary as CSV", self)
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
                "Each workstation keeps its own database. Export a bundle there (“trainer "
                "export-bundle”) and import it here to see the whole team; answers already "
                "imported are not counted twice. Bundles are signed: the first from another "
                "workstation shows its key's fingerprint for you to accept or refuse (compare it "
                "with “trainer key” there). Every imported answer is graded again by this "
                "workstation's scenario bank: a score written into a bundle is never trusted.",
                "About importing",
                imports,
            )
        )
        row = QHBoxLayout()
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
        self.import_button.clicked.connect(self.import_bundle)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)

    @property
    def buttons(self) -> tuple[QPushButton, ...]:
        return (self.answers_button, self.summary_button, self.import_button)

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

    def export_answers(self) -> None:
        path = SaveFileDialog.ask(self, "Export answers", "answers.csv")
        if path is not None:
            flt = self.filter
            self._start(lambda store: team_export.export_answers(store, path, flt))

    def export_summary(self) -> None:
        path = SaveFileDialog.ask(self, "Export summary", "summary.csv")
        if path is not None:
            flt = self.filter
            self._start(lambda store: team_export.export_summary(store, path, flt))

    def import_bundle(self) -> None:
        path = OpenBundleDialog.ask(self)
        if path is None:
            return
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
