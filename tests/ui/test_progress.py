"""The progress screen after a known set of answers, against figures worked out by hand."""

from __future__ import annotations

import pytest

from tests.ui.conftest import create_profile, fill_answer
from tests.ui.test_quiz_flow import ANSWERS, start_quiz
from trainer.core.grading.review import AnswerReview
from trainer.core.store.sqlite import Store
from trainer.ui.answer_review import AnswerReviewDialog, review_of
from trainer.ui.main_window import MainWindow
from trainer.ui.progress.progress_view import SessionDialog


def take_fixture_quiz(window: MainWindow) -> None:
    """Burglary right (100, one question asked), theft miscounted (80), the incident recorded as
    a crime (0)."""
    start_quiz(window, "topic", "fixture")
    quiz = window.quiz_screen
    assert quiz is not None
    while quiz.currentWidget() is quiz.scenario_view:
        view = quiz.scenario_view
        assert view.scenario is not None
        if view.scenario.id == "fx-burglary":
            view.ask_buttons[0].click()  # "Was anything taken?"
        fill_answer(view, *ANSWERS[view.scenario.id])
        view.submit.click()
        quiz.feedback_view.next_button.click()
    quiz.results_view.done_button.click()


def cells(model, columns: int) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return [
        tuple(model.index(r, c).data() for c in range(columns)) for r in range(model.rowCount())
    ]


def test_progress_figures_match_hand_worked_numbers(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.practice_view is not None
    window.practice_view.progress.click()
    view = window.progress_view
    assert view is not None and window.pages.currentWidget() is view
    figures = {name: label.text() for name, label in view.figures.items()}
    # Recording rate: burglary and theft should be recorded and both were: 2/2.
    # Wilson, z = 1.959964, n = 2, p = 1: centre = (1 + z²/4) / (1 + z²/2) = 0.6712,
    # half = z·sqrt(z²/16) / (1 + z²/2) = 0.3288, so 34.2% to 100.0%.
    assert figures["Recording rate"] == (
        "100.0% (2/2; 95% CI 34.2%–100.0%) — small sample, treat with caution"
    )
    # Recording accuracy: only burglary was also fully right: 1/2, centre 0.5,
    # half = z·sqrt(0.125 + z²/16) / (1 + z²/2) = 0.4055, so 9.5% to 90.5%.
    assert figures["Recording accuracy"] == (
        "50.0% (1/2; 95% CI 9.5%–90.5%) — small sample, treat with caution"
    )
    assert figures["Mean score"] == "60"  # (100 + 80 + 0) / 3
    assert figures["Answers"] == "3 practice, 0 exam"
    assert figures["Cancellation reviews"] == "no data"

    groups = {row[0]: row[1:3] for row in cells(view.groups, 3)}
    # the review names its row as the dashboard does, not by the stored key "(no crime)"
    none = "No crime class (incidents, reviews, outcomes)"
    assert groups == {"Burglary": ("1", "1"), "Theft": ("1", "0"), none: ("1", "0")}
    chart_lines = {s.name(): [p.y() for p in s.points()] for s in view.chart.chart().series()}
    assert chart_lines == {"Burglary": [100.0], "Theft": [0.0], none: [0.0]}

    rules = {row[0]: row[2:4] for row in cells(view.rules, 4)}
    cards = window.context.catalogue.rule_by_id  # type: ignore[union-attr]
    assert rules == {
        cards["burglary-entry-point-damage"].title: ("1", "1"),
        cards["theft-vs-lost-property"].title: ("1", "1"),  # cited; no finding names it
        cards["one-crime-per-victim"].title: ("1", "0"),  # 39's counting rule: the miscount
        cards["ncrs-when-to-record"].title: ("1", "0"),  # the over-recording finding names it
    }

    [session] = cells(view.sessions, 5)
    assert session[1:] == ("Practice (topic)", "3", "60", "Yes")


def test_a_past_session_reopens_read_only(window: MainWindow, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.practice_view is not None
    window.practice_view.progress.click()
    view = window.progress_view
    assert view is not None
    summary = view.sessions.row_at(0)
    dialog = SessionDialog(view, view.catalogue, summary, view.bank)
    qtbot.addWidget(dialog)
    results = dialog.view
    assert results.answers.rowCount() == 3
    assert "3 answered · mean score 60" in results.summary.text()
    row = next(i for i, r in enumerate(results.answers.rows()) if r.scenario_id == "fx-burglary")
    opened: list[AnswerReview] = []
    monkeypatch.setattr(
        AnswerReviewDialog, "show_review", lambda _parent, review, who="": opened.append(review)
    )
    results.table.activated.emit(results.answers.index(row, 0))
    [review] = opened
    assert review.score_line == "Score 100 — Fully right"
    assert review.channel == "101 call" and "little window" in review.report
    assert [(a.question, a.answer) for a in review.asked] == [
        ("Was anything taken?", "No, the laptop is still on the table.")
    ]
    review_dialog = AnswerReviewDialog(results, review)  # what show_review opens
    qtbot.addWidget(review_dialog)
    page = review_dialog.text.toPlainText()
    for text in ("Broken kitchen window", "The report: 101 call", "Was anything taken?",
                 "No, the laptop is still on the table.", "Not asked:", "No findings",
                 "Rule card: ", "Source: "):  # fmt: skip
        assert text in page, text
    assert review_dialog.text.isReadOnly()


def test_history_survives_a_scenario_leaving_the_bank(window: MainWindow) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.context is not None
    row = window.context.store.answers()[0]
    review = review_of(row, {}, window.context.catalogue)
    assert review.report == "" and review.feedback == ""
    assert "no longer in the bank" in review.note
