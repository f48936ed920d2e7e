"""A reopened answer (exam results, dashboard), question headings, the No findings card."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.core.conftest import ROOT_SCENARIOS
from tests.ui.conftest import create_profile, fill_answer
from tests.ui.test_progress import take_fixture_quiz
from tests.ui.test_quiz_flow import start_quiz
from trainer.core.content.models import Answer, AnsweredCrime
from trainer.core.content.scenarios import load_library
from trainer.core.grading.review import AnswerReview
from trainer.core.store import accounts
from trainer.ui.answer_review import AnswerReviewDialog
from trainer.ui.context import AppContext
from trainer.ui.dashboard.window import DashboardWindow
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee import content_note
from trainer.ui.trainee.feedback_view import FeedbackView, Shown
from trainer.ui.trainee.scenario_view import ScenarioView

Opened = list[tuple[AnswerReview, str]]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Opened:
    calls: Opened = []
    monkeypatch.setattr(
        AnswerReviewDialog,
        "show_review",
        lambda _parent, review, who="": calls.append((review, who)),
    )
    return calls


def test_an_exam_answer_reopens_in_full(
    window: MainWindow, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content_note.ContentNote, "ask", staticmethod(lambda parent: "show"))
    create_profile(window, "Pat Quinn", "CH5005")
    start_quiz(window, "exam", None, count=5)  # every call-handler scenario of the bank
    quiz = window.quiz_screen
    assert quiz is not None
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        if view.ask_buttons:
            view.ask_buttons[-1].click()
        fill_answer(view, "retain" if view.scenario.kind == "cancellation" else "incident")
        view.submit.click()
    results = quiz.results_view
    assert quiz.currentWidget() is results
    row = next(i for i, r in enumerate(results.answers.rows()) if r.scenario_id == "fx-burglary")
    results.table.activated.emit(results.answers.index(row, 0))
    [(review, _who)] = opened
    assert review.title == "Broken kitchen window" and review.score == 0
    assert [(a.question, a.answer) for a in review.asked] == [
        ("Is the window at ground level?", "Yes, next to the back door.")
    ]
    assert "little window by my back door" in review.report
    assert [f.kind for f in review.findings] == ["Under-recording"]
    assert review.findings[0].card is not None


def test_a_double_click_in_the_dashboard_answer_tables_opens_the_answer(
    window: MainWindow, context: AppContext, qtbot: QtBot, opened: Opened
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    accounts.create_supervisor(context.store, "sgt.price", "kettle on at six")
    dashboard = DashboardWindow(context, "sgt.price")
    qtbot.addWidget(dashboard)
    dashboard.show()
    qtbot.waitUntil(lambda: not dashboard.loading, timeout=10_000)

    trainee_table = dashboard.trainee.answers
    lines = trainee_table.lines()
    at = next(i for i, line in enumerate(lines) if line.scenario_id == "fx-burglary")
    trainee_table.table.activated.emit(trainee_table.model.index(at, 0))
    [(review, who)] = opened
    assert who == "Alex Morgan's"
    assert review.title == "Broken kitchen window" and review.channel == "101 call"
    assert [a.question for a in review.asked] == ["Was anything taken?"]

    rules = dashboard.rules
    bars = rules.bar_model.rows()  # findings by kind
    with_answers = next(i for i, bar in enumerate(bars) if bar.value)  # one with findings
    rules.select_bar(with_answers)
    drill = rules.answers
    assert drill.lines()
    drill.table.activated.emit(drill.model.index(0, 0))
    review, who = opened[-1]
    assert who == "Alex Morgan's" and review.findings  # the answers behind a finding
    assert review.title == drill.lines()[0].title


def test_the_review_dialog_is_read_only_and_closes(qtbot: QtBot, window: MainWindow) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.context is not None
    from trainer.ui.answer_review import review_of

    row = next(r for r in window.context.store.answers() if r.scenario_id == "fx-theft")
    review = review_of(row, window.context.library.by_id, window.context.catalogue)
    dialog = AnswerReviewDialog(window, review, "Alex Morgan's")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Alex Morgan's answer — Phone from a zipped bag"
    assert dialog.text.isReadOnly()
    page = dialog.text.toPlainText()
    assert "2 × 39 Theft from the Person" in page and "1 × 39 Theft from the Person" in page
    assert "Wrong count" in page
    dialog.reject()
    assert not dialog.isVisible()


@pytest.fixture(scope="module")
def real_bank(catalogue):  # type: ignore[no-untyped-def]
    return {s.scenario.id: s.scenario for s in load_library([ROOT_SCENARIOS], catalogue).scenarios}


def test_a_log_audit_is_headed_check_the_log(qtbot: QtBot, catalogue, real_bank) -> None:  # type: ignore[no-untyped-def]
    view = ScenarioView(catalogue)
    qtbot.addWidget(view)
    view.show_scenario(real_bank["rev-audit-bag-snatch-closed-as-lost"], 1, 5, exam=False)
    assert view.asks_box.title() == "Check the log"
    assert view.ask_buttons[0].accessibleName().startswith("Check: ")
    view.ask_buttons[0].click()
    assert "You checked: Did he push" in view.report.toPlainText()
    assert "Found: From the call recording" in view.report.toPlainText()
    view.show_scenario(real_bank["burglary-smashed-kitchen-window"], 2, 5, exam=False)
    assert view.asks_box.title() == "Ask the caller"
    assert view.ask_buttons[0].accessibleName().startswith("Ask: ")


def test_no_findings_shows_the_rule_card_that_decides_it(
    qtbot: QtBot, catalogue, real_bank
) -> None:  # type: ignore[no-untyped-def]
    scenario = real_bank["burglary-smashed-kitchen-window"]
    view = FeedbackView(catalogue)
    qtbot.addWidget(view)
    crimes = tuple(
        AnsweredCrime(offence=c.offence, count=c.count) for c in scenario.expected.crimes
    )
    answer = Answer(decision="crime", crimes=crimes)
    view.show_result(Shown(scenario.title, 100, answer, (), scenario.expected, scenario.feedback))
    first = view.links.row_at(view.links.index(0, 0))
    assert first.text.startswith("✓ No findings")
    card = catalogue.rule_by_id[scenario.expected.rules[0]]
    assert view.links_view.currentIndex().row() == 0
    assert card.title in view.card.toPlainText()
    view.links_view.clicked.emit(view.links.index(0, 0))
    assert card.title in view.card.toPlainText()
