"""A whole day in one window: hundreds of answers, My progress and the dashboard opened again and
again for a trainee with 10,000 answers, and the process is still alive.

On PySide6 6.12.0 (Python 3.11) this sitting aborted with "Fatal Python error: none_dealloc": each
Qt call that hands None back drops a reference to None (tests/ui/test_pyside_none_refcount.py).
"""

from __future__ import annotations

import gc
import sys

import pytest
from pytestqt.qtbot import QtBot

from tests.core.store_data import seed
from tests.ui.conftest import fill_answer
from tests.ui.test_quiz_flow import start_quiz
from trainer.core.store import accounts
from trainer.core.store.sqlite import Store
from trainer.ui.dashboard.window import DashboardWindow
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee.scenario_view import ScenarioView

HISTORY = 10_000  # answers the trainee has before the sitting
PASSWORD = "kettle on at six"


def answer_with_second_thoughts(view: ScenarioView) -> None:
    """Try every decision, start a record of two crimes, reset the form, then record an incident
    (right for one fixture scenario only, so the others come back and the quiz runs its length)."""
    form = view.form
    assert view.scenario is not None
    for radio in form.decision_buttons.values():
        if radio.isVisible():
            radio.click()
    fill_answer(view, "crime", (("28J", 1), ("39", 2)))
    form.clear(view.scenario.kind)  # the form reset each new scenario starts with
    fill_answer(view, "incident")
    form.incident_code.setCurrentIndex(1)
    form.incident_code.setCurrentIndex(0)
    view.submit.click()


def none_count() -> int:
    gc.collect()
    return sys.getrefcount(None)


def sitting(window: MainWindow, store: Store, qtbot: QtBot, answers: int, openings: int) -> None:
    [trainee_id] = seed(store, trainees=1, answers_each=HISTORY)
    accounts.create_supervisor(store, "sgt.price", PASSWORD)
    window.start_view.set_trainees(store.trainees(), select_id=trainee_id)
    window.start_view.continue_button.click()
    assert window.pages.currentWidget() is window.practice_view
    per_quiz = answers // openings
    start = none_count()
    for opening in range(openings):
        start_quiz(window, "topic", "fixture", count=per_quiz)
        quiz = window.quiz_screen
        assert quiz is not None
        for _ in range(per_quiz):
            assert quiz.currentWidget() is quiz.scenario_view
            answer_with_second_thoughts(quiz.scenario_view)
            assert quiz.currentWidget() is quiz.feedback_view, quiz.scenario_view.error.text()
            quiz.feedback_view.next_button.click()
        assert quiz.currentWidget() is quiz.results_view
        quiz.results_view.done_button.click()

        window.actions_by_name["progress"].trigger()
        progress = window.progress_view
        assert progress is not None and window.pages.currentWidget() is progress
        assert sum(len(s.points()) for s in progress.chart.chart().series()) >= HISTORY // 2
        progress.back_requested.emit()

        assert window.context is not None
        dashboard = DashboardWindow(window.context, "sgt.price")
        qtbot.addWidget(dashboard)
        dashboard.show()
        qtbot.waitUntil(lambda d=dashboard: not d.loading, timeout=30_000)  # type: ignore[misc]
        dashboard.show_trainee(trainee_id)
        assert dashboard.trainee.chart.chart().series()[0].count() > 0
        dashboard.close()
        # Fail here, cleanly, before None's count can reach 0 and abort the whole run.
        fell = start - none_count()
        assert fell <= 0, f"after round {opening + 1} None's reference count fell by {fell}"
    done = store.answers(trainee_id=trainee_id)
    assert len(done) == HISTORY + per_quiz * openings


def test_a_sitting_of_20_answers_and_one_opening_of_progress_and_dashboard(
    window: MainWindow, store: Store, qtbot: QtBot
) -> None:
    sitting(window, store, qtbot, answers=20, openings=1)


@pytest.mark.slow
def test_a_sitting_of_500_answers_and_20_openings_of_progress_and_dashboard(
    window: MainWindow, store: Store, qtbot: QtBot
) -> None:
    sitting(window, store, qtbot, answers=500, openings=20)
