"""A trainee takes a whole quiz in the window while a bundle import holds the database in one
transaction: every answer shows its feedback at once (kept in the spool, on disk), and all of it
is in the database once the import has ended."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.core.test_spool import import_holding
from tests.ui.conftest import create_profile, fill_answer
from tests.ui.test_quiz_flow import ANSWERS, start_quiz
from trainer.core.store.sqlite import Store, open_store
from trainer.ui.main_window import MainWindow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:  # a database on disk: the import's lock is a file's
    with open_store(tmp_path / "data") as s:
        s.conn.execute("PRAGMA busy_timeout = 200")  # a write that waited fails at once
        yield s


def test_a_quiz_during_an_import_shows_each_feedback_and_is_stored_when_it_ends(
    window: MainWindow, store: Store, tmp_path: Path, qtbot: QtBot
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    [trainee] = store.trainees()
    assert store.spool is not None
    with import_holding(tmp_path / "data"):
        start_quiz(window, "topic", "fixture")
        quiz = window.quiz_screen
        assert quiz is not None
        for number in range(1, 4):
            view = quiz.scenario_view
            assert quiz.currentWidget() is view and view.scenario is not None
            fill_answer(view, *ANSWERS[view.scenario.id])
            view.submit.click()
            assert quiz.currentWidget() is quiz.feedback_view, view.error.text()
            assert quiz.feedback_view.score.text().startswith("Score ")
            kept = [op for op in store.spool.ops() if op[1] == "answer"]
            assert len(kept) == number  # on disk before the feedback showed
            quiz.feedback_view.next_button.click()
        assert quiz.currentWidget() is quiz.results_view
        assert "3 answered" in quiz.results_view.summary.text()
        quiz.results_view.done_button.click()
        assert window.pages.currentWidget() is window.practice_view
        assert store.answers() == []  # another window sees nothing of it yet
        window.actions_by_name["progress"].trigger()  # My progress says where they are
        progress = window.progress_view
        assert progress is not None
        qtbot.waitUntil(progress.waiting.isVisible, timeout=10_000)
        assert progress.waiting.text().startswith(
            "3 answer(s) you gave while results were being imported are kept"
        )
        progress.back_requested.emit()
    # the import ended without replaying the spool (its process died): My progress does
    window.actions_by_name["progress"].trigger()
    qtbot.waitUntil(lambda: progress.sessions.rowCount() == 1, timeout=10_000)
    assert not progress.waiting.isVisible()
    assert progress.figures["Answers"].text() == "3 practice, 0 exam"
    assert not store.spool.pending()
    [session] = store.sessions(trainee.id)
    assert session.finished_at is not None
    assert sorted(a.scenario_id for a in store.answers(trainee.id)) == sorted(ANSWERS)


def test_the_next_quiz_write_replays_what_an_import_left(
    window: MainWindow, store: Store, tmp_path: Path
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    [trainee] = store.trainees()
    with import_holding(tmp_path / "data"):
        start_quiz(window, "topic", "fixture")
        quiz = window.quiz_screen
        assert quiz is not None and quiz.scenario_view.scenario is not None
        fill_answer(quiz.scenario_view, *ANSWERS[quiz.scenario_view.scenario.id])
        quiz.scenario_view.submit.click()
        assert store.answers() == []
    quiz.feedback_view.next_button.click()
    view = quiz.scenario_view
    assert view.scenario is not None
    fill_answer(view, *ANSWERS[view.scenario.id])
    view.submit.click()  # the spool goes in first, then this answer
    assert [a.trainee_id for a in store.answers()] == [trainee.id] * 2
    assert store.spool is not None and not store.spool.pending()
