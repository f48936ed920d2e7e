"""Feedback wording: the answer beside the key, and the rule cards behind the findings."""

from __future__ import annotations

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Finding
from trainer.core.grading.feedback import (
    cited_cards,
    comparison,
    describe,
    finding_line,
    score_words,
)
from trainer.core.grading.grade import grade


def test_describe_names_every_part_in_words(catalogue: Catalogue) -> None:
    answer = Answer(
        decision="crime", crimes=(AnsweredCrime(offence="28J", count=2),), flags=("online",)
    )
    words = describe(answer, catalogue)
    assert words["Decision"] == "Record a crime"
    assert words["Crimes"] == f"2 × {catalogue.offence_by_code['28J'].label}"
    assert words["Flags"] == "Online crime"
    assert words["Incident code"] == "—"


def test_comparison_shows_the_decision_and_whatever_differs(catalogue: Catalogue) -> None:
    scenario = make_scenario()
    answer = Answer(decision="incident", incident_code="N100")
    rows = comparison(answer, scenario.expected, catalogue)
    assert [(r.field, r.same) for r in rows] == [
        ("Decision", False),
        ("Crimes", False),
        ("Incident code", False),
    ]


def test_a_right_answer_compares_equal(catalogue: Catalogue) -> None:
    scenario = make_scenario()
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))
    assert all(r.same for r in comparison(answer, scenario.expected, catalogue))


def test_cards_put_the_findings_first(catalogue: Catalogue) -> None:
    scenario = make_scenario(rules=["burglary-entry-point-damage", "ncrs-when-to-record"])
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),), flags=("online",))
    result = grade(scenario, answer, catalogue)
    assert [c.id for c in cited_cards(scenario.expected, result, catalogue)] == [
        "online-flag",
        "burglary-entry-point-damage",
        "ncrs-when-to-record",
    ]


def test_score_words() -> None:
    assert [score_words(s) for s in (100, 60, 0)] == ["Fully right", "Partly right", "Wrong"]


def test_a_finding_line_marks_malpractice_and_classic_wrong_answers() -> None:
    plain = Finding(kind="miscount", rule="one-crime-per-victim", message="2 for 1")
    trap = Finding(kind="miscount", rule="one-crime-per-victim", message="2 for 1", trap="x")
    worst = Finding(
        kind="misclassification", rule="r", message="58A for 28J", trap="y", malpractice=True
    )
    assert finding_line(plain) == "✗ Wrong count: 2 for 1"
    assert finding_line(trap) == "✗ Wrong count: 2 for 1 (a classic wrong answer)"
    assert finding_line(worst) == "✗ Wrong classification: 58A for 28J ⚠ HMIC malpractice"
    assert score_words(25, [plain, worst]) == "Partly right, an HMIC malpractice answer"
    assert score_words(25, [plain]) == "Partly right"
