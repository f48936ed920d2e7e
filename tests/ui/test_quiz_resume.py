"""Leaving a quiz asks first; an unfinished quiz (half-filled answer and questions included) is
offered on the start screen and resumes as it was; a quick quiz keeps to the trainee's audience;
the position never grows mid-quiz."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.ui.conftest import create_profile, fill_answer
from trainer.core.practice.quiz_state import QuizState
from trainer.core.store.records import Trainee
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee import content_note, leave_quiz
from trainer.ui.trainee.leave_quiz import Leave
from trainer.ui.trainee.quiz_screen import DRAFT_DELAY_MS, QuizScreen


def start_quiz(
    window: MainWindow, mode: str, value: str | None = None, count: int = 3
) -> QuizScreen:
    practice = window.practice_view
    assert practice is not None
    practice.select(mode, value)  # type: ignore[arg-type]
    practice.count.setValue(count)
    practice.start.click()
    assert window.quiz_screen is not None
    return window.quiz_screen


def answer_leaving(monkeypatch: pytest.MonkeyPatch, choice: Leave) -> list[tuple[bool, bool]]:
    asked: list[tuple[bool, bool]] = []

    def ask(parent: object, quitting: bool, exam: bool) -> Leave:
        asked.append((quitting, exam))
        return choice

    monkeypatch.setattr(leave_quiz.LeaveQuizDialog, "ask", staticmethod(ask))
    return asked


def kept_state(store: Store, trainee: Trainee) -> QuizState | None:
    kept = store.unfinished_quiz(trainee.id)
    return None if kept is None else QuizState.from_json(kept[1])


def half_fill(window: MainWindow, store: Store, qtbot: QtBot) -> int:
    """Answer (wrongly) the scenarios before the burglary, then half-fill the burglary: a question
    asked and a draft. Returns how many were answered first."""
    quiz = window.quiz_screen
    assert quiz is not None
    view = quiz.scenario_view
    answered = 0
    while view.scenario is not None and view.scenario.id != "fx-burglary":
        fill_answer(view, "refer")
        view.form.refer_to.setCurrentIndex(1)
        view.submit.click()
        quiz.feedback_view.next_button.click()
        answered += 1
    view.ask_buttons[1].click()
    fill_answer(view, "crime", (("28J", 2), ("39", 1)), flags=("online",))
    [trainee] = store.trainees()

    def kept() -> None:
        state = kept_state(store, trainee)
        assert state is not None and state.draft is not None and len(state.draft.crimes) == 2
        assert state.asked == ("Is the window at ground level?",)

    qtbot.waitUntil(kept, timeout=DRAFT_DELAY_MS + 1000)  # kept within the delay, no action
    return answered


@pytest.fixture
def alex(window: MainWindow, store: Store) -> Trainee:
    create_profile(window, "Alex Morgan", "CH1001")
    [trainee] = store.trainees()
    return trainee


def test_a_quick_quiz_keeps_to_the_trainees_audience(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(lambda parent: "skip"))
    create_profile(window, "Ash Doe", "OF7007", "officer")
    practice = window.practice_view
    assert practice is not None
    assert practice.audience_note.text() == "Only scenarios written for officers."
    quiz = start_quiz(window, "mixed", count=10)
    seen = set()
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        seen.add(view.scenario.id)
        fill_answer(view, "retain" if view.scenario.kind == "cancellation" else "incident")
        view.submit.click()
        quiz.feedback_view.next_button.click()
    assert seen == {"fx-burglary", "fx-review"}  # fx-sexual is for officers too, but skipped


def test_choices_that_mix_audiences_say_so(window: MainWindow, alex: Trainee) -> None:
    practice = window.practice_view
    assert practice is not None
    practice.select("audience", "officer")
    assert practice.audience_note.text() == (
        "Includes 1 scenario written for officers, not call-handlers."
    )
    assert practice.audience_note.isVisibleTo(practice)
    practice.select("topic", "fixture")
    assert practice.audience_note.text() == "" and not practice.audience_note.isVisibleTo(practice)
    practice.select("topic", "cancellation")
    assert "1 scenario written for officers" in practice.audience_note.text()
    practice.select("exam")
    practice.value.setCurrentIndex(0)  # all audiences
    practice.count.setValue(5)
    assert practice.audience_note.text() == (
        "Includes 1 of 5 scenarios written for officers, not call-handlers."
    )


def test_the_position_keeps_its_total_and_marks_repeats(
    window: MainWindow, alex: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz = start_quiz(window, "topic", "fixture", count=5)
    shown = []
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        shown.append(view.position.text().split(" · ")[0])
        fill_answer(view, "refer")  # wrong for all three: each comes round again
        view.form.refer_to.setCurrentIndex(1)
        view.submit.click()
        quiz.feedback_view.next_button.click()
    assert shown == [
        "Scenario 1 of 5",
        "Scenario 2 of 5",
        "Scenario 3 of 5",
        "Scenario 4 of 5 (repeat)",
        "Scenario 5 of 5 (repeat)",
    ]


@pytest.mark.parametrize("how", ["ctrl+q", "close"])
def test_quitting_mid_quiz_asks_first_and_staying_stays(
    window: MainWindow, alex: Trainee, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    quiz = start_quiz(window, "topic", "fixture")
    asked = answer_leaving(monkeypatch, "stay")
    if how == "ctrl+q":
        window.actions_by_name["quit"].trigger()
    else:
        window.close()
    assert asked == [(True, False)]
    assert window.isVisible() and quiz.running and quiz.currentWidget() is quiz.scenario_view


@pytest.mark.parametrize("how", ["ctrl+q", "close"])
def test_quitting_mid_quiz_keeps_it_for_the_start_screen(
    window: MainWindow,
    context: AppContext,
    store: Store,
    alex: Trainee,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    start_quiz(window, "topic", "fixture")
    first = half_fill(window, store, qtbot)
    asked = answer_leaving(monkeypatch, "keep")
    window.actions_by_name["quit"].trigger() if how == "ctrl+q" else window.close()
    assert asked == [(True, False)] and not window.isVisible()
    [session] = store.sessions(alex.id)
    assert session.finished_at is None  # left open to be resumed

    again = MainWindow(context)  # the next start, on the same database
    qtbot.addWidget(again)
    again.show()
    offer = again.start_view
    assert offer.resume_box.isVisibleTo(offer) and offer.resume_button.isEnabled()
    assert offer.resume_text.text().startswith(
        f"Unfinished: Topic: Fixture (3 scenarios) — {first} of 3 answered, started "
    )
    offer.resume_button.click()
    quiz = again.quiz_screen
    assert quiz is not None and again.pages.currentWidget() is quiz
    view = quiz.scenario_view
    assert view.scenario is not None and view.scenario.id == "fx-burglary"
    assert view.position.text().startswith(f"Scenario {first + 1} of 3")
    draft = view.draft()
    assert draft.decision == "crime"
    assert [(c.offence.split()[0], c.count) for c in draft.crimes] == [("28J", 2), ("39", 1)]
    assert draft.flags == ["online"]
    assert view.asked == ["Is the window at ground level?"]
    assert not view.ask_buttons[1].isEnabled() and view.ask_buttons[0].isEnabled()
    assert "Yes, next to the back door." in view.report.toPlainText()
    view.form.rows[1].remove.click()
    view.form.rows[0].count.setValue(1)
    view.submit.click()  # the resumed answer is graded and stored in the same session
    assert [r.session_id for r in store.answers()] == [session.id] * (first + 1)
    assert store.answers()[-1].asked == ("Is the window at ground level?",)


def test_end_quiz_asks_and_can_end_keep_or_stay(
    window: MainWindow, store: Store, alex: Trainee, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz = start_quiz(window, "topic", "fixture")
    asked = answer_leaving(monkeypatch, "stay")
    quiz.scenario_view.end_button.click()
    assert asked == [(False, False)] and quiz.currentWidget() is quiz.scenario_view

    first = half_fill(window, store, qtbot)
    answer_leaving(monkeypatch, "keep")
    quiz.scenario_view.end_button.click()
    assert window.pages.currentWidget() is window.start_view
    assert window.start_view.resume_box.isVisibleTo(window.start_view)
    assert kept_state(store, alex) is not None

    window.start_view.resume_button.click()
    assert quiz.scenario_view.position.text().startswith(f"Scenario {first + 1} of 3")
    answer_leaving(monkeypatch, "end")
    quiz.scenario_view.end_button.click()
    assert quiz.currentWidget() is quiz.results_view
    assert kept_state(store, alex) is None
    assert all(s.finished_at is not None for s in store.sessions(alex.id))


def test_discard_removes_the_unfinished_quiz(
    window: MainWindow, store: Store, alex: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_quiz(window, "topic", "fixture")
    answer_leaving(monkeypatch, "keep")
    assert window.quiz_screen is not None
    window.quiz_screen.scenario_view.end_button.click()
    offer = window.start_view
    assert offer.resume_box.isVisibleTo(offer)
    offer.discard_button.click()
    assert not offer.resume_box.isVisibleTo(offer)
    assert store.unfinished_quiz(alex.id) is None
    [session] = store.sessions(alex.id)
    assert session.finished_at is not None


def test_the_offer_follows_the_selected_trainee(
    window: MainWindow, store: Store, alex: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_quiz(window, "topic", "fixture")
    answer_leaving(monkeypatch, "keep")
    assert window.quiz_screen is not None
    window.quiz_screen.scenario_view.end_button.click()
    create_profile(window, "Zed Other", "CH9999")
    window.show_start()
    view = window.start_view
    rows = {view.trainees.row_at(view.trainees.index(r, 0)).name: r for r in range(2)}
    shown = view.found.mapFromSource  # the list shows the profiles found by the search box
    view.list.setCurrentIndex(shown(view.trainees.index(rows["Zed Other"], 0)))
    assert not view.resume_box.isVisibleTo(view)
    view.list.setCurrentIndex(shown(view.trainees.index(rows["Alex Morgan"], 0)))
    assert view.resume_box.isVisibleTo(view)


def test_a_resumed_exam_keeps_its_clock_from_the_first_start(
    window: MainWindow, store: Store, alex: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(lambda parent: "skip"))
    practice = window.practice_view
    assert practice is not None
    practice.select("exam")
    practice.minutes.setValue(20)
    practice.count.setValue(3)
    practice.start.click()
    quiz = window.quiz_screen
    assert quiz is not None and quiz.run is not None
    asked = answer_leaving(monkeypatch, "keep")
    quiz.scenario_view.end_button.click()
    assert asked == [(False, True)]

    def away(minutes: int) -> None:
        """As if the exam had been started `minutes` earlier."""
        kept = store.unfinished_quiz(alex.id)
        assert kept is not None
        state = QuizState.from_json(kept[1])
        earlier = state.started_at - timedelta(minutes=minutes)
        store.save_unfinished(
            alex.id, kept[0], dataclasses.replace(state, started_at=earlier).to_json()
        )
        window.start_view.set_trainees(store.trainees(), alex.id)

    away(15)
    text = window.start_view.resume_text.text()
    assert "The exam's clock kept running from its start: 5:00 left." in text
    window.start_view.resume_button.click()
    assert quiz.scenario_view.clock.text() in ("Time left 5:00", "Time left 4:59")

    quiz.scenario_view.end_button.click()  # kept again; now the time runs out while away
    away(60)
    assert "time ran out while you were away" in window.start_view.resume_text.text()
    window.start_view.resume_button.click()
    assert quiz.currentWidget() is quiz.results_view
    assert "time ran out" in quiz.results_view.title.text()


def test_starting_a_new_quiz_over_an_unfinished_one_asks(
    window: MainWindow, store: Store, alex: Trainee, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.ui import errors

    start_quiz(window, "topic", "fixture")
    answer_leaving(monkeypatch, "keep")
    assert window.quiz_screen is not None
    window.quiz_screen.scenario_view.end_button.click()
    window.start_view.continue_button.click()
    questions: list[str] = []
    replies = iter([False, True])
    monkeypatch.setattr(
        errors, "confirm", lambda parent, question: questions.append(question) or next(replies)
    )
    start_quiz(window, "topic", "burglary", count=1)
    assert window.pages.currentWidget() is window.practice_view  # said no
    start_quiz(window, "topic", "burglary", count=1)
    assert window.pages.currentWidget() is window.quiz_screen
    assert questions[0].startswith("You have an unfinished quiz (Topic: Fixture (3 scenarios))")
    assert len(store.sessions(alex.id)) == 2


@pytest.mark.parametrize(
    ("quitting", "exam", "button", "choice"),
    [
        (False, False, "&End the quiz, see results", "end"),
        (False, False, "&Keep it for later", "keep"),
        (False, True, "&Stay in the exam", "stay"),
        (True, False, "&Quit, keep it for later", "keep"),
        (True, True, "&Stay in the exam", "stay"),
    ],
)
def test_the_leave_dialog_offers_its_choices(
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    quitting: bool,
    exam: bool,
    button: str,
    choice: str,
) -> None:
    monkeypatch.undo()  # the real dialog, not the autouse stand-in
    seen: dict[str, object] = {}

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["text"] = box.informativeText()
        [wanted] = [b for b in box.buttons() if b.text() == button]
        wanted.click()

    QTimer.singleShot(0, click)
    assert leave_quiz.LeaveQuizDialog.ask(window, quitting=quitting, exam=exam) == choice
    assert len(seen["buttons"]) == (2 if quitting else 3)  # type: ignore[arg-type]
    assert ("keeps running while you are away" in str(seen["text"])) is exam


def test_a_quiz_with_nothing_left_to_repeat_says_why_it_ended(
    window: MainWindow, alex: Trainee
) -> None:
    quiz = start_quiz(window, "topic", "fixture", count=5)
    right = {"fx-burglary": ("crime", (("28J", 1),)), "fx-theft": ("crime", (("39", 1),))}
    shown = []
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        shown.append(view.position.text().split(" · ")[0])
        decision, crimes = right.get(view.scenario.id, ("incident", ()))
        fill_answer(view, decision, crimes)
        view.submit.click()
        quiz.feedback_view.next_button.click()
    assert shown == ["Scenario 1 of 5", "Scenario 2 of 5", "Scenario 3 of 5"]
    assert quiz.results_view.title.text().startswith(
        "Quiz finished after 3 of 5, nothing left to ask: Topic: Fixture (5 scenarios)"
    )


def test_typing_is_kept_while_it_goes_on_not_only_when_it_stops(
    window: MainWindow, store: Store, alex: Trainee, qtbot: QtBot
) -> None:
    quiz = start_quiz(window, "topic", "fixture")
    form = quiz.scenario_view.form
    form.decision_buttons["crime"].click()
    step_ms = 100
    lags = []
    for count in range(1, 21):  # two seconds of steady changes, one every 100 ms
        form.rows[0].count.setValue(count)
        qtbot.wait(step_ms)
        state = kept_state(store, alex)
        kept = state.draft.crimes[0].count if state and state.draft and state.draft.crimes else 0
        lags.append(count - kept)
    # Never restarted by the next change: at most the delay behind, however long the typing goes.
    assert max(lags) <= DRAFT_DELAY_MS // step_ms + 1
