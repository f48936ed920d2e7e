"""The certainty question on the answer form, and the "Due now" quiz on the practice screen."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.ui.conftest import create_profile, fill_answer
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime
from trainer.core.grading.grade import grade
from trainer.core.store.records import AnswerRecord, now
from trainer.core.store.sqlite import Store
from trainer.ui.main_window import MainWindow


def _quiz_view(window: MainWindow, mode: str = "topic", value: str | None = "fixture"):  # type: ignore[no-untyped-def]
    practice = window.practice_view
    assert practice is not None
    practice.select(mode, value)  # type: ignore[arg-type]
    practice.count.setValue(1)
    return practice


def test_the_certainty_chosen_is_stored_with_the_answer(
    window: MainWindow, store: Store, qtbot: QtBot
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    _quiz_view(window).start.click()
    assert window.quiz_screen is not None
    view = window.quiz_screen.scenario_view
    form = view.form
    assert form.certainty_box.isVisibleTo(view) and form.certainty is None
    fill_answer(view, "incident")
    form.certainty_buttons[3].click()
    assert form.certainty == 3
    view.submit.click()
    [stored] = store.answers()
    assert stored.certainty == 3 and '"certainty":3' in stored.answer_json
    assert stored.cards  # the scenario's rule cards travel with the answer
    form.clear("classify")
    assert form.certainty is None  # the next scenario starts unanswered


def test_an_exam_can_require_the_certainty_question(
    window: MainWindow, store: Store, qtbot: QtBot
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    practice = _quiz_view(window, "exam", None)
    assert practice.require_certainty.isEnabled()
    practice.require_certainty.setChecked(True)
    practice.start.click()
    assert window.quiz_screen is not None
    view = window.quiz_screen.scenario_view
    fill_answer(view, "incident")
    view.submit.click()
    assert store.answers() == [] and "how sure" in view.error.text()
    view.form.certainty_buttons[1].click()
    view.submit.click()
    [stored] = store.answers()
    assert stored.certainty == 1


def test_due_now_asks_the_weakest_due_rule_through_a_scenario_not_yet_mastered(
    window: MainWindow, store: Store, catalogue: Catalogue, qtbot: QtBot
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    assert window.context is not None and window.practice_view is not None
    [trainee] = store.trainees()
    session = store.start_session(trainee.id, "mixed")
    by_id = window.context.library.by_id
    month_ago = now() - timedelta(days=30)
    for sid, answer in (
        ("fx-burglary", Answer(decision="incident")),  # wrong: its rule rates Again
        ("fx-theft", Answer(decision="crime", crimes=(AnsweredCrime(offence="39"),))),
    ):
        loaded = by_id[sid]
        result = grade(loaded.scenario, answer, catalogue)
        store.record_answer(
            AnswerRecord.build(
                trainee.id,
                session,
                loaded,
                answer,
                result,
                month_ago,
                month_ago,
                (),
                False,
                catalogue,
            )
        )
    assert [a.score for a in store.answers()] == [0, 100]
    window.show_practice()
    assert window.practice_view.due_info.text().startswith("2 rules are due for review now.")
    window.practice_view.select("due")
    window.practice_view.count.setValue(5)
    window.practice_view.start.click()
    assert window.quiz_screen is not None and window.quiz_screen.run is not None
    run = window.quiz_screen.run
    # The burglary rule (failed) is least likely recalled; the theft rule's only scenario was
    # answered fully right, so it has none left to practise through.
    assert [s.id for s in run.quiz.pool] == ["fx-burglary"]
    assert window.quiz_screen.scenario_view.scenario is not None
    assert window.quiz_screen.scenario_view.scenario.id == "fx-burglary"


def test_progress_shows_the_rule_schedule_forecast_and_calibration(
    window: MainWindow,
    store: Store,
    catalogue: Catalogue,
    qtbot: QtBot,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    assert window.context is not None
    [trainee] = store.trainees()
    session = store.start_session(trainee.id, "mixed")
    loaded = window.context.library.by_id["fx-burglary"]
    week_ago = now() - timedelta(days=7)
    for certainty, answer in ((3, Answer(decision="incident")), (3, Answer(decision="incident"))):
        answer = Answer(decision=answer.decision, certainty=certainty)
        result = grade(loaded.scenario, answer, catalogue)
        store.record_answer(
            AnswerRecord.build(
                trainee.id,
                session,
                loaded,
                answer,
                result,
                week_ago,
                week_ago,
                (),
                False,
                catalogue,
            )
        )
    window.show_progress()
    view = window.progress_view
    assert view is not None
    tab = view.review_tab
    for model in (tab.schedule, tab.forecast, tab.calibration):
        qtmodeltester.check(model)
    [status] = tab.schedule.rows()
    assert (status.rule, status.card.lapses) == ("burglary-entry-point-damage", 2)
    assert tab.schedule.index(0, 1).data().endswith("%")
    assert tab.forecast.rowCount() == 30
    assert tab.forecast.index(0, 1).data() == "1"  # overdue: counted today
    very_sure = tab.calibration.rows()[2]
    assert (very_sure.answers, very_sure.right, very_sure.verdict) == (2, 0, "over-confident")
    assert tab.calibration.index(2, 5).data() == "-6.00"


def test_the_dashboard_lists_rules_at_risk_and_confident_and_wrong(
    qtbot: QtBot,
    store: Store,
    catalogue: Catalogue,
    tmp_path: Path,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    from tests.core.team_data import START, record
    from trainer.core.content.scenarios import Library
    from trainer.ui.context import AppContext
    from trainer.ui.dashboard.window import DashboardWindow

    rule = "burglary-entry-point-damage"
    dana = store.create_trainee("Dana Dale", "CH009", "call-handler")
    eve = store.create_trainee("Eve Ely", "CH010", "call-handler")
    for trainee, certainty in ((dana, 3), (eve, 1)):
        session = store.start_session(trainee.id, "practice")
        store.record_answers(
            dataclasses.replace(
                record(
                    trainee.id,
                    session,
                    f"s-{day}",
                    START + timedelta(days=day),
                    score=0,
                    decision="incident",
                    findings=(("under-recording", rule, "No."),),
                ),
                certainty=certainty,
                cards=(rule, "one-crime-per-victim"),
            )
            for day in range(4 if trainee is dana else 2)
        )
    window = DashboardWindow(AppContext(store, catalogue, tmp_path, Library()), "sgt.price")
    qtbot.add_widget(window)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    view = window.risks
    for model in (view.rules, view.trainees, view.wrong):
        qtmodeltester.check(model)
    [at_risk] = view.rules.rows()
    assert (at_risk.rule, at_risk.trainees, at_risk.lapses) == (rule, 1, 4)
    [dana_row] = view.trainees.rows()  # Eve: two lapses, never very sure: not listed
    assert (dana_row.name, dana_row.leeches, dana_row.confident_wrong) == (
        "Dana Dale",
        ((rule, 4),),
        4,
    )
    assert view.wrong.rowCount() == 4
    assert view.wrong.index(0, 0).data() == "Dana Dale"


def test_a_choice_made_while_the_record_is_read_is_kept(window: MainWindow) -> None:
    """The trainee's record (and the bank's choices) arrive from workers after the practice screen
    shows: a crime group picked meanwhile stays picked. It fell back to the first group, so the
    quiz drew on another group than the trainee chose."""
    create_profile(window, "Alex Morgan", "CH1001")
    window.show_practice()
    view = window.practice_view
    assert view is not None and window.standing is not None
    view.select("group")
    last = view.value.itemData(view.value.count() - 1)
    assert view.value.count() > 1 and last != view.value.itemData(0)
    view.select("group", last)
    window._standing_read(window.standing)  # what the record's worker delivers
    assert view.mode == "group" and view.plan().value == last
    view.set_choices(view.choices)  # what the bank's worker delivers
    assert view.mode == "group" and view.plan().value == last
    view.select("topic")  # a new mode offers its own list, from the top
    assert view.value.currentIndex() == 0
