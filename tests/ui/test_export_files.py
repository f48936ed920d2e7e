"""The Export tab's results bundle, and where its file dialogs start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths
from pytestqt.qtbot import QtBot

from tests.core.team_data import START, record
from tests.ui.test_dashboard import make_dashboard, settle
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library
from trainer.core.store.bundles import import_bundle
from trainer.core.store.sqlite import open_store
from trainer.ui.context import AppContext
from trainer.ui.dashboard.export_view import LastFolder, OpenBundleDialog, SaveFileDialog
from trainer.ui.dashboard.window import DashboardWindow

DOCUMENTS = QStandardPaths.StandardLocation.DocumentsLocation


@pytest.fixture
def window(qtbot: QtBot, catalogue: Catalogue, tmp_path: Path) -> Iterator[DashboardWindow]:
    with open_store(tmp_path / "data") as store:
        dana = store.create_trainee("Dana Dyer", "CH777", "call-handler")
        session = store.start_session(dana.id, "practice")
        store.record_answers(
            [record(dana.id, session, f"burglary-{i}", START, score=100) for i in range(3)]
        )
        context = AppContext(store, catalogue, tmp_path / "data", Library())
        yield make_dashboard(qtbot, context)


def test_export_a_results_bundle_that_another_workstation_imports(
    qtbot: QtBot, window: DashboardWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settle(qtbot, window)
    target = tmp_path / "out" / "results.bundle"
    target.parent.mkdir()
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: target))
    with qtbot.wait_signal(window.export.runner.finished, timeout=10_000):
        window.export.bundle_button.click()
    total = len(window.context.store.answers())
    assert f"Wrote {total} answer(s) from this workstation" in window.export.status.text()
    with open_store(tmp_path / "elsewhere") as other:  # signed and complete: another imports it
        ctx = window.context
        result = import_bundle(other, target, ctx.library, ctx.catalogue, trust=True)
        # Every answer read back (this window's bank is empty, so none is graded in).
        assert result.not_in_bank == total and result.trainees == 3


def test_dialogs_start_in_documents_then_in_the_last_folder(
    window: DashboardWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[Path | None] = []
    chosen = tmp_path / "reports" / "answers.csv"
    chosen.parent.mkdir()

    def ask(cls, parent, title, suggested, start=None, filters=""):  # type: ignore[no-untyped-def]
        starts.append(start)
        return None if len(starts) > 1 else chosen

    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(ask))
    monkeypatch.setattr(
        OpenBundleDialog, "ask", classmethod(lambda cls, parent, start=None: starts.append(start))
    )
    window.export.runner.wait()
    window.export._save_to("Export answers", "answers.csv")  # chosen, remembered
    window.export.summary_button.click()  # cancelled
    window.export.import_button.click()  # cancelled
    documents = QStandardPaths.writableLocation(DOCUMENTS)
    assert starts[0] == (Path(documents) if documents else Path.home())
    assert starts[1:] == [chosen.parent, chosen.parent]
    # Kept beside the database, with the window's place, for the next time.
    again = LastFolder(tmp_path / "data" / "window.ini")
    assert again.start() == chosen.parent
    assert "last_folder" in (tmp_path / "data" / "window.ini").read_text()


def test_a_remembered_folder_that_has_gone_falls_back_to_documents(tmp_path: Path) -> None:
    folders = LastFolder(tmp_path / "window.ini")
    gone = tmp_path / "gone"
    gone.mkdir()
    folders.remember(gone / "x.csv")
    gone.rmdir()
    documents = QStandardPaths.writableLocation(DOCUMENTS)
    assert folders.start() == (Path(documents) if documents else Path.home())
