"""Outcomes and disposals in the trainee application: the practice choice, the form, the record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.core.conftest import ROOT_SCENARIOS
from tests.ui.conftest import create_profile
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import load_library
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee.answer_form import AnswerForm

CHOSEN = (
    "dr-cr-hate-crime-s4a",  # escalate to an Inspector; answered with the CPS: partial credit
    "dr-cr-robbery-indictable-only",  # refuse; answered approve: the malpractice trap
    "oc-nine-year-old-damage",  # outcome 11
)
# What the trainee answers, and the score the feedback shows for it.
ANSWERS = {
    "dr-cr-hate-crime-s4a": (("escalate", "cps"), "Score 50 — Partly right"),
    # approving a caution for an indictable-only offence: the feedback names the malpractice
    "dr-cr-robbery-indictable-only": (
        ("approve", None),
        "Score 0 — Wrong, an HMIC malpractice answer",
    ),
    "oc-nine-year-old-damage": (("11", None), "Score 100 — Fully right"),
}


@pytest.fixture
def outcome_window(
    qtbot: QtBot, store: Store, catalogue: Catalogue, tmp_path: Path, bank_dir: Path
) -> MainWindow:
    for sid in CHOSEN:
        shutil.copy(ROOT_SCENARIOS / "outcomes" / f"{sid}.yaml", bank_dir / f"{sid}.yaml")
    library = load_library([bank_dir], catalogue)
    context = AppContext(store=store, catalogue=catalogue, data_dir=tmp_path, library=library)
    w = MainWindow(context)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def answer(form: AnswerForm, decision: str, authority: str | None) -> None:
    if decision in form.decision_buttons:
        form.decision_buttons[decision].click()
    else:
        form.outcome.setCurrentIndex(form.outcome.findData(decision))
    if authority is not None:
        form.authority.setCurrentIndex(form.authority.findData(authority))


def test_an_officer_practises_outcomes_and_disposals(
    outcome_window: MainWindow, store: Store
) -> None:
    window = outcome_window
    create_profile(window, "Olu Adeyemi", "4471", "officer")
    practice = window.practice_view
    assert practice is not None
    radio = practice.mode_buttons["outcomes"]
    assert radio.isVisible() and radio.text() == "&Outcomes and disposals (3)"
    practice.select("outcomes")
    practice.count.setValue(3)
    practice.start.click()
    quiz = window.quiz_screen
    assert quiz is not None
    shown = {}
    for _ in CHOSEN:
        view = quiz.scenario_view
        assert view.scenario is not None
        sid, form = view.scenario.id, view.form
        review = view.scenario.kind == "disposal-review"
        visible = {d for d, r in form.decision_buttons.items() if r.isVisible()}
        assert visible == ({"approve", "refuse", "escalate"} if review else set())
        assert form.outcome.isVisible() is not review
        assert not form.authority.isVisible() and not form.crimes_box.isVisible()
        (decision, authority), _ = ANSWERS[sid]
        answer(form, decision, authority)
        assert form.authority.isVisible() is (decision == "escalate")
        view.submit.click()
        assert quiz.currentWidget() is quiz.feedback_view
        shown[sid] = quiz.feedback_view.score.text()
        quiz.feedback_view.next_button.click()
    assert shown == {sid: score for sid, (_, score) in ANSWERS.items()}
    stored = {r.scenario_id: r for r in store.answers()}
    assert stored["dr-cr-hate-crime-s4a"].answer.authority == "cps"
    assert stored["dr-cr-hate-crime-s4a"].finding_kinds == ("wrong-authority",)
    robbery = stored["dr-cr-robbery-indictable-only"].findings[0]
    assert (robbery.kind, robbery.malpractice) == ("wrong-disposal", True)
    assert stored["oc-nine-year-old-damage"].decision == "11"
    [session] = store.sessions(store.trainees()[0].id)
    assert session.mode == "outcomes"


def test_call_handlers_are_not_offered_outcomes(outcome_window: MainWindow) -> None:
    create_profile(outcome_window, "Cal Handler", "CH9", "call-handler")
    practice = outcome_window.practice_view
    assert practice is not None
    assert not practice.mode_buttons["outcomes"].isVisible()
    assert practice.mode_buttons["mixed"].isChecked()


def test_the_form_needs_an_authority_to_escalate_and_a_code_for_an_outcome(
    outcome_window: MainWindow, catalogue: Catalogue
) -> None:
    library = outcome_window.context.library
    review = library.by_id["dr-cr-hate-crime-s4a"].scenario
    outcome = library.by_id["oc-nine-year-old-damage"].scenario
    from trainer.core.errors import TrainerError
    from trainer.core.grading.drafts import build_answer

    form = AnswerForm(catalogue)
    form.clear("disposal-review")
    form.decision_buttons["escalate"].click()
    with pytest.raises(TrainerError, match="Choose who must authorise"):
        build_answer(form.draft(), review, catalogue)
    answer(form, "escalate", "inspector")
    built = build_answer(form.draft(), review, catalogue)
    assert (built.decision, built.authority) == ("escalate", "inspector")
    form.decision_buttons["approve"].click()  # the authority goes with escalate only
    assert build_answer(form.draft(), review, catalogue).authority is None

    form.clear("outcome")
    with pytest.raises(TrainerError, match="Choose the outcome type"):
        build_answer(form.draft(), outcome, catalogue)
    labels = [form.outcome.itemText(i) for i in range(form.outcome.count())]
    assert "16  Victim not able to support action: suspect identified" in labels
    assert all(form.outcome.itemData(i) is not None for i in range(form.outcome.count()))
    answer(form, "16", None)
    assert build_answer(form.draft(), outcome, catalogue).decision == "16"

    form.set_draft(form.draft(), catalogue)  # a stored answer shown again keeps its code
    assert form.outcome.currentData() == "16"
    form.deleteLater()
