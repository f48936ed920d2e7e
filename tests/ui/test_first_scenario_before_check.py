"""The first scenario does not wait for the database's check (at a million answers it takes
seconds); a trainee's answer still does, and a damaged database refuses it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import fill_answer
from tests.ui.test_quiz_flow import ANSWERS, start_quiz
from trainer.core.practice.schedule import update_schedules
from trainer.core.store.integrity import IntegrityGate
from trainer.core.store.sqlite import open_store
from trainer.ui.main_window import MainWindow

DAMAGE = "progress.db: is damaged (quick_check: held back by the test)"


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[IntegrityGate]]:
    """Every background check is held back until the test gives its verdict (or, so that a
    write waiting for it fails the test rather than hanging it, for 10 s)."""
    gates: list[IntegrityGate] = []
    fallbacks: list[threading.Timer] = []

    def start(gate: IntegrityGate, path: Path) -> None:
        gates.append(gate)
        fallbacks.append(threading.Timer(10.0, gate.finish, [None]))
        fallbacks[-1].start()

    monkeypatch.setattr(IntegrityGate, "start", start)
    yield gates
    for timer in fallbacks:
        timer.cancel()
    for gate in gates:  # nothing may be left waiting on a verdict that never comes
        if not gate.done:
            gate.finish(None)


def _quiz_on_screen(qtbot: QtBot, tmp_path: Path, bank_dir: Path) -> MainWindow:
    with open_store(tmp_path / "data") as store:  # a workstation in use: schedules up to date
        store.create_trainee("Alex Morgan", "CH1001", "call-handler")
        update_schedules(store)
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    window.load([bank_dir])
    qtbot.waitUntil(lambda: window.context is not None, timeout=20_000)
    assert window.context is not None
    [trainee] = window.context.store.trainees()
    window.choose_trainee(trainee)
    start_quiz(window, "topic", "fixture", count=1)
    return window


def _submit_later(
    qtbot: QtBot, window: MainWindow, gate: IntegrityGate, problem: str | None
) -> float:
    """Submit the right answer while the check is held; the verdict comes 0.3 s later. Returns
    how long the submit returned after the verdict (negative: before it)."""
    quiz = window.quiz_screen
    assert quiz is not None
    view = quiz.scenario_view
    assert view.scenario is not None
    decision, crimes = ANSWERS[view.scenario.id]
    fill_answer(view, decision, crimes)
    given: list[float] = []

    def verdict() -> None:
        given.append(time.monotonic())
        gate.finish(problem)

    timer = threading.Timer(0.3, verdict)
    timer.start()
    view.submit.click()
    returned = time.monotonic()
    timer.join()
    return returned - given[0]


def test_the_first_scenario_shows_while_the_check_runs_and_the_answer_waits_for_it(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, held: list[IntegrityGate]
) -> None:
    window = _quiz_on_screen(qtbot, tmp_path, bank_dir)
    [gate] = held
    quiz = window.quiz_screen
    assert quiz is not None and window.context is not None
    assert not gate.done  # the scenario is on screen and the check has not reported
    assert window.pages.currentWidget() is quiz and quiz.currentWidget() is quiz.scenario_view
    store = window.context.store
    assert store.unfinished_quiz(store.trainees()[0].id) is not None  # resumable already

    assert _submit_later(qtbot, window, gate, None) >= 0  # the answer waited for the verdict
    assert len(store.answers()) == 1
    assert quiz.currentWidget() is quiz.feedback_view


def test_an_answer_given_before_the_check_finds_damage_is_refused(
    qtbot: QtBot,
    tmp_path: Path,
    bank_dir: Path,
    held: list[IntegrityGate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("trainer.ui.errors.show_error", lambda parent, msg: shown.append(msg))
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))
    window = _quiz_on_screen(qtbot, tmp_path, bank_dir)
    [gate] = held
    assert window.context is not None
    store = window.context.store

    _submit_later(qtbot, window, gate, DAMAGE)
    assert shown and shown[0] == DAMAGE  # the submit is refused with the check's message
    assert store.answers() == []
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.start_view)
    assert window.start_view.status.text() == f"Cannot go on: {DAMAGE}"
    # The quiz's bookkeeping is refused too, now that the damage is known.
    with pytest.raises(Exception, match="held back by the test"):
        store.start_session(store.trainees()[0].id, "topic")
