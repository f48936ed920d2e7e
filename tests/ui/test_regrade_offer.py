"""On start, the application offers to grade stored answers again after the bank has changed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.core import graded_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import load_library
from trainer.core.store import regrade as regrade_module
from trainer.core.store.sqlite import open_store
from trainer.ui.main_window import MainWindow
from trainer.ui.regrade_offer import RegradeDialog


def _answers_then_a_corrected_key(data: Path, bank_dir: Path, catalogue: Catalogue) -> str:
    """Two right answers to the first scenario, then its key gains a crime; returns its id."""
    library = load_library([bank_dir], catalogue)
    loaded = library.scenarios[0]
    with open_store(data) as store:
        trainee = store.create_trainee("Ada", "A1", "officer")
        session = store.start_session(trainee.id, "practice")
        for _ in range(2):
            answer = graded_data.right_answer(loaded)
            graded_data.record(store, trainee.id, session, loaded, answer, library, catalogue)
    text = loaded.path.read_text(encoding="utf-8")
    assert "count: 1" in text
    loaded.path.write_text(text.replace("count: 1", "count: 2", 1), encoding="utf-8")
    return loaded.scenario.id


def _start(qtbot: QtBot, data: Path, bank_dir: Path) -> MainWindow:
    window = MainWindow(data_dir=data)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.context_ready, timeout=20_000):
        window.load([bank_dir])
    return window


def test_accepting_the_offer_regrades_off_the_gui_thread(
    qtbot: QtBot,
    tmp_path: Path,
    bank_dir: Path,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    _answers_then_a_corrected_key(data, bank_dir, catalogue)
    asked: list[int] = []
    monkeypatch.setattr(
        RegradeDialog, "ask", classmethod(lambda cls, parent, count: asked.append(count) or True)
    )
    threads: list[threading.Thread] = []
    real = regrade_module.regrade

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(regrade_module, "regrade", spy)
    window = _start(qtbot, data, bank_dir)
    assert window.regrade_offer is not None
    with qtbot.waitSignal(window.regrade_offer.done, timeout=20_000) as done:
        pass
    assert asked == [2]
    assert threads and threads[0] is not threading.main_thread()
    assert "2 changed" in done.args[0]
    assert window.statusBar().currentMessage().startswith("2 answer(s) checked")
    window.close()
    with open_store(data) as store:
        assert store.query("SELECT score, finding_kinds FROM answers") == [(80, '["miscount"]')] * 2
        assert store.query("SELECT count(*) FROM grade_history") == [(2,)]


def test_declining_changes_nothing_and_nothing_is_asked_when_up_to_date(
    qtbot: QtBot,
    tmp_path: Path,
    bank_dir: Path,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    asked: list[int] = []
    monkeypatch.setattr(
        RegradeDialog, "ask", classmethod(lambda cls, parent, count: asked.append(count) or False)
    )
    window = _start(qtbot, data, bank_dir)  # no answers yet: nothing to offer
    assert window.regrade_offer is not None
    qtbot.waitUntil(lambda: not window.regrade_offer.checker.busy, timeout=20_000)
    window.close()
    assert asked == []
    _answers_then_a_corrected_key(data, bank_dir, catalogue)
    window = _start(qtbot, data, bank_dir)
    assert window.regrade_offer is not None
    qtbot.waitUntil(lambda: bool(asked), timeout=20_000)
    window.close()
    assert asked == [2]
    with open_store(data) as store:
        assert store.query("SELECT DISTINCT score FROM answers") == [(100,)]
        assert store.query("SELECT count(*) FROM regrades") == [(0,)]
