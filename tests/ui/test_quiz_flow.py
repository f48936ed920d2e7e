"""Whole flows through the trainee application: profile, quiz, feedback, results, the database."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import create_profile, fill_answer
from trainer.core.store.sqlite import Store
from trainer.ui import errors
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee import content_note

# Hand-worked scores (trainer/core/grading/grade.py): the right answer scores 100; the right class
# with the wrong count loses the miscount penalty of 20 for the one expected class; a crime
# recorded where only an incident should be is a wrong decision, which scores 0.
RIGHT, PARTLY, WRONG = 100, 80, 0
ANSWERS = {
    "fx-burglary": ("crime", (("28J", 1),)),
    "fx-theft": ("crime", (("39 Theft from the person", 2),)),
    "fx-incident": ("crime", (("Theft from the person", 1),)),
}


def start_quiz(window: MainWindow, mode: str, value: str | None = None, count: int = 3) -> None:
    practice = window.practice_view
    assert practice is not None
    practice.select(mode, value)  # type: ignore[arg-type]
    practice.count.setValue(count)
    practice.start.click()


def test_profile_quiz_of_three_scores_on_screen_and_in_the_database(
    window: MainWindow, store: Store, qtbot: QtBot
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    assert window.pages.currentWidget() is window.practice_view
    [trainee] = store.trainees()
    assert (trainee.name, trainee.staff_number, trainee.role) == (
        "Alex Morgan",
        "CH1001",
        "call-handler",
    )

    start_quiz(window, "topic", "fixture")
    quiz = window.quiz_screen
    assert quiz is not None and quiz.currentWidget() is quiz.scenario_view
    shown_scores = {}
    for number in range(1, 4):
        view = quiz.scenario_view
        assert view.scenario is not None
        sid = view.scenario.id
        assert view.position.text().startswith(f"Scenario {number} of 3")
        decision, crimes = ANSWERS[sid]
        fill_answer(view, decision, crimes)
        before = len(store.answers())
        view.submit.click()
        assert len(store.answers()) == before + 1  # stored by the time feedback shows
        assert quiz.currentWidget() is quiz.feedback_view
        shown_scores[sid] = quiz.feedback_view.score.text()
        quiz.feedback_view.next_button.click()

    assert shown_scores == {
        "fx-burglary": "Score 100 — Fully right",
        "fx-theft": "Score 80 — Partly right",
        "fx-incident": "Score 0 — Wrong",
    }
    stored = {row.scenario_id: row.score for row in store.answers(trainee_id=trainee.id)}
    assert stored == {"fx-burglary": RIGHT, "fx-theft": PARTLY, "fx-incident": WRONG}
    assert quiz.currentWidget() is quiz.results_view
    results = quiz.results_view
    table = {
        results.answers.index(r, 0).data(): results.answers.index(r, 1).data()
        for r in range(results.answers.rowCount())
    }
    assert table == {
        "Broken kitchen window": "100",
        "Phone from a zipped bag": "80",
        "Noisy party next door": "0",
    }
    assert "3 answered · mean score 60" in results.summary.text()
    [session] = store.sessions(trainee.id)
    assert session.mode == "topic" and session.finished_at is not None

    results.done_button.click()
    assert window.pages.currentWidget() is window.practice_view


def test_feedback_shows_answer_beside_key_and_rule_cards(window: MainWindow, store: Store) -> None:
    create_profile(window, "Sam Lee", "CH2002")
    start_quiz(window, "group", "theft", count=1)
    quiz = window.quiz_screen
    assert quiz is not None
    fill_answer(quiz.scenario_view, "crime", (("39", 2),), flags=("online",))
    quiz.scenario_view.submit.click()
    feedback = quiz.feedback_view
    rows = {
        feedback.comparison.index(r, 0).data(): (
            feedback.comparison.index(r, 1).data(),
            feedback.comparison.index(r, 2).data(),
        )
        for r in range(feedback.comparison.rowCount())
    }
    assert rows["Crimes"] == ("2 × 39 Theft from the Person", "1 × 39 Theft from the Person")
    assert rows["Flags"] == ("Online crime", "—")
    links = [feedback.links.index(r, 0).data() for r in range(feedback.links.rowCount())]
    assert links[0].startswith("✗ Wrong count: Recorded 2 × 39")
    assert any(link.startswith("✗ Flag that does not apply") for link in links)
    # One click on a finding shows its rule card: title, explanation and source.
    feedback.links_view.setCurrentIndex(feedback.links.index(1, 0))
    card = feedback.card.toPlainText()
    assert card.startswith("The online flag\n") and "Source: CRR 2026/27" in card
    assert "theft from the person (39)" in feedback.feedback.toPlainText()
    assert feedback.next_button.text() == "See &results"


def test_call_handler_details_are_asked_and_recorded(window: MainWindow, store: Store) -> None:
    create_profile(window, "Jo Patel", "CH3003")
    start_quiz(window, "topic", "burglary", count=1)
    quiz = window.quiz_screen
    assert quiz is not None
    view = quiz.scenario_view
    assert [b.text() for b in view.ask_buttons] == [
        "Was anything taken?",
        "Is the window at ground level?",
    ]
    assert "laptop" not in view.report.toPlainText()  # not revealed until asked
    view.ask_buttons[0].click()
    assert "You asked: Was anything taken?" in view.report.toPlainText()
    assert "the laptop is still on the table" in view.report.toPlainText()
    assert not view.ask_buttons[0].isEnabled()
    assert "ground level?\nAnswer" not in view.report.toPlainText()
    fill_answer(view, "crime", (("28J", 1),))
    view.submit.click()
    [row] = store.answers()
    assert row.asked == ("Was anything taken?",)
    assert quiz.feedback_view.note.text().startswith("Questions asked: 1.")


def test_an_unfinished_answer_is_explained_and_not_stored(window: MainWindow, store: Store) -> None:
    create_profile(window, "Kim Ito", "CH4004")
    start_quiz(window, "topic", "burglary", count=1)
    quiz = window.quiz_screen
    assert quiz is not None
    quiz.scenario_view.submit.click()
    assert "Choose a decision first" in quiz.scenario_view.error.text()
    fill_answer(quiz.scenario_view, "crime", (("not an offence", 1),))
    quiz.scenario_view.submit.click()
    assert "is not an offence in the catalogue" in quiz.scenario_view.error.text()
    assert store.answers() == []
    assert quiz.currentWidget() is quiz.scenario_view


def test_exam_gives_no_feedback_until_the_end(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(lambda parent: "show"))
    create_profile(window, "Pat Quinn", "CH5005")
    start_quiz(window, "exam", None, count=3)  # the exam for the trainee's own role
    quiz = window.quiz_screen
    assert quiz is not None
    pages = []
    quiz.currentChanged.connect(lambda _: pages.append(quiz.currentWidget()))
    seen = []
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        assert "call-handler" in view.scenario.audience
        seen.append(view.scenario.id)
        assert view.position.text().startswith(f"Exam question {len(seen)} of 3")
        decision = "retain" if view.scenario.kind == "cancellation" else "incident"
        fill_answer(view, decision)
        view.submit.click()
    assert quiz.feedback_view not in pages
    assert quiz.currentWidget() is quiz.results_view
    assert quiz.results_view.title.text().startswith(
        "Exam results: Exam: call-handler (3 scenarios)"
    )
    rows = store.answers()
    assert len(rows) == 3 == len(set(seen))
    assert all(r.exam for r in rows)
    [session] = store.sessions(rows[0].trainee_id)
    assert session.mode == "exam"


def test_exam_time_limit_ends_the_exam(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(lambda parent: "skip"))
    create_profile(window, "Lee Hart", "CH6006")
    practice = window.practice_view
    assert practice is not None
    practice.select("exam")
    practice.minutes.setValue(5)
    practice.count.setValue(3)
    practice.start.click()
    quiz = window.quiz_screen
    assert quiz is not None and quiz.deadline is not None
    assert quiz.scenario_view.clock.text().startswith("Time left 5:00")
    fill_answer(quiz.scenario_view, "incident")
    quiz.scenario_view.submit.click()
    quiz.deadline -= 10 * 60  # the clock runs out
    quiz._tick()
    assert quiz.currentWidget() is quiz.results_view
    assert "time ran out" in quiz.results_view.title.text()
    assert len(store.answers()) == 1


@pytest.mark.parametrize(("choice", "shown"), [("show", True), ("skip", False)])
def test_content_note_before_sexual_offence_scenarios(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, choice: str, shown: bool
) -> None:
    asked = []

    def ask(parent: object) -> str:
        asked.append(parent)
        return choice

    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(ask))
    create_profile(window, "Ash Doe", "OF7007", "officer")
    start_quiz(window, "audience", "officer", count=5)
    quiz = window.quiz_screen
    assert quiz is not None
    ids = []
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        ids.append(view.scenario.id)
        fill_answer(view, "retain" if view.scenario.kind == "cancellation" else "incident")
        view.submit.click()
        quiz.feedback_view.next_button.click()
    assert len(asked) >= 1
    assert ("fx-sexual" in ids) is shown


def test_store_errors_become_one_message_box(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message: shown.append(message))
    create_profile(window, "Alex Morgan", "CH1001")
    window.show_start()
    create_profile(window, "Another Person", "CH1001")
    assert shown == ["staff number: CH1001 is already used by Alex Morgan"]
    create_profile(window, "   ", "CH9")
    assert shown[-1] == "name: must not be empty"


def test_empty_pool_is_explained(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message: shown.append(message))
    create_profile(window, "New Starter", "CH8008")
    start_quiz(window, "weak")
    assert shown == ["No weak rules yet: answer a few scenarios first, then try again."]
    assert window.pages.currentWidget() is window.practice_view


def test_choosing_a_trainee_and_starting_a_quiz_never_read_the_whole_history(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The practice screen's record and the quiz's choice come from index reads (`standing`)."""
    create_profile(window, "Alex Morgan", "CH1001")
    start_quiz(window, "topic", "fixture", count=1)
    quiz = window.quiz_screen
    assert quiz is not None and quiz.scenario_view.scenario is not None
    sid = quiz.scenario_view.scenario.id
    fill_answer(quiz.scenario_view, *ANSWERS[sid])
    quiz.scenario_view.submit.click()

    def whole_history(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole history was read")

    monkeypatch.setattr(Store, "answers", whole_history)
    quiz.feedback_view.next_button.click()
    quiz.results_view.done_button.click()
    practice = window.practice_view
    assert practice is not None and window.standing is not None
    assert "1 practice and 0 exam answers" in practice.record.text()
    start_quiz(window, "topic", "fixture", count=1)
    assert window.pages.currentWidget() is window.quiz_screen


def test_the_start_screen_finds_a_profile_among_2000_as_you_type(
    window: MainWindow, store: Store
) -> None:
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO trainees (id, name, staff_number, role, created_at, workstation_id) "
            "VALUES (?, ?, ?, 'officer', '2026-11-01T09:00:00.000+00:00', 'w')",
            [(f"id{n}", f"Trainee {n:04d}", f"S{n:05d}") for n in range(2000)],
        )
    window.show_start()
    view = window.start_view
    assert view.list.model().rowCount() == 2000
    view.search.setText("s01234")
    assert view.list.model().rowCount() == 1
    assert "Trainee 1234" in view.list.currentIndex().data()
    view.search.returnPressed.emit()
    assert window.trainee is not None and window.trainee.staff_number == "S01234"


def test_a_search_keeps_the_chosen_profile_the_one_shown(window: MainWindow, store: Store) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    create_profile(window, "Zed Other", "CH9999")
    window.show_start()
    view = window.start_view
    chosen: list[str] = []
    view.trainee_selected.connect(lambda trainee: chosen.append(trainee.name))
    view.search.setText("zed")  # the only profile found is the second of the list
    assert chosen[-1] == "Zed Other"


def test_a_review_names_what_it_reviews_and_how_that_first_came_in(window: MainWindow) -> None:
    """A cancellation review is not a call: its channel is how the crime was first reported (it
    read '· Officer attendance · cancellation review', and '999 call' on others)."""
    assert window.context is not None and window.quiz_screen is not None
    by_id = window.context.library.by_id
    view = window.quiz_screen.scenario_view
    view.show_scenario(by_id["fx-review"].scenario, 2, 5, exam=False)
    assert view.position.text() == (
        "Scenario 2 of 5 · cancellation review (first report: Officer attendance)"
    )
    view.show_scenario(by_id["fx-burglary"].scenario, 3, 5, exam=False)
    assert view.position.text().startswith("Scenario 3 of 5 · ")
    assert "review" not in view.position.text()


def test_a_log_audit_names_itself_and_the_logs_first_channel() -> None:
    from tests.core.conftest import ROOT_SCENARIOS
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import load_library
    from trainer.core.grading.feedback import scenario_source

    library = load_library([ROOT_SCENARIOS / "log-audits"], load_catalogue())
    audit = library.by_id["rev-audit-lost-wallet-correctly-closed"].scenario
    assert scenario_source(audit) == "incident log audit (first report: 101 call)"
