"""The feedback screen after an answer that fell into one of the scenario's traps."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime
from trainer.core.grading.grade import grade
from trainer.ui.trainee.feedback_view import FeedbackView, Shown


def test_the_traps_feedback_comes_first_and_its_card_heads_the_list(
    qtbot: QtBot, catalogue: Catalogue
) -> None:
    scenario = make_scenario(
        rules=["burglary-home-and-outbuildings"],
        traps=[
            {
                "name": "downgraded-to-damage",
                "answer": {"crimes": [{"offence": "58A"}]},
                "rule": "burglary-entry-point-damage",
                "feedback": "A forced door is attempted burglary, not damage.",
                "malpractice": True,
            }
        ],
    )
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="58A"),))
    result = grade(scenario, answer, catalogue)
    view = FeedbackView(catalogue)
    qtbot.add_widget(view)
    view.show_result(
        Shown(
            title=scenario.title,
            score=result.score,
            answer=answer,
            findings=result.findings,
            expected=scenario.expected,
            feedback=scenario.feedback,
        )
    )
    text = view.feedback.toPlainText()
    assert text.index("A forced door is attempted burglary") < text.index(scenario.feedback)
    first = view.links.row_at(view.links.index(0, 0))
    assert first.card is not None and first.card.id == "burglary-entry-point-damage"
    assert "Score 25" in view.score.text()
