"""A reopened answer: the whole report, the questions asked, both answers, every finding's card."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Scenario
from trainer.core.content.scenarios import load_library
from trainer.core.grading.feedback import questions_heading
from trainer.core.grading.grade import grade
from trainer.core.grading.review import GONE, REVISED, answer_review, review_html


@pytest.fixture(scope="module")
def bank(catalogue: Catalogue) -> dict[str, Scenario]:
    return {s.scenario.id: s.scenario for s in load_library([ROOT_SCENARIOS], catalogue).scenarios}


def test_a_review_holds_everything_the_trainee_saw_and_was_told(
    bank: dict[str, Scenario], catalogue: Catalogue
) -> None:
    scenario = bank["rev-audit-bag-snatch-closed-as-lost"]
    answer = Answer(decision="incident")
    result = grade(scenario, answer, catalogue)
    asked = (scenario.report.details[1].ask,)
    review = answer_review(
        scenario.title, result.score, answer, result.findings, asked, scenario, catalogue
    )
    assert review.channel == "incident log audit (first report: 101 call)"  # as the quiz showed it
    assert review.report == scenario.report.text
    assert review.questions_heading == "What was checked in the log"
    assert [(a.question, a.answer) for a in review.asked] == [
        (scenario.report.details[1].ask, scenario.report.details[1].answer)
    ]
    assert len(review.not_asked) == len(scenario.report.details) - 1
    assert "He never touched me" not in review_html(review)  # what was not asked stays unsaid
    decision = next(r for r in review.comparison if r.field == "Decision")
    assert (decision.given, decision.expected) == ("Incident (no crime)", "Record a crime")
    assert result.findings and [f.message for f in review.findings] == [
        f.message for f in result.findings
    ]
    assert all(f.card is not None for f in review.findings)
    named = {f.rule for f in review.findings}
    assert {c.id for c in review.cited} == set(scenario.expected.rules) - named

    page = review_html(review)
    for text in (
        scenario.title,
        "Score 0 — Wrong",
        "The report: incident log audit (first report: 101 call)",
        "INCIDENT 0587",
        "What was checked in the log",
        "You checked:</b> Did he say anything",
        "Found:</b> From the call recording: &quot;No, not a word",
        "Not asked:",
        "Incident (no crime)",
        "Record a crime",
        "✗ Under-recording",
        "Why",
    ):
        assert text.replace('"', "&quot;") in page, text
    for f in review.findings:
        assert f.card is not None
        for part in (f.card.title, f.card.explanation, f.card.source):
            assert part.replace("'", "&#x27;").replace('"', "&quot;") in page


def test_a_right_answer_says_so_and_still_shows_the_rules(
    bank: dict[str, Scenario], catalogue: Catalogue
) -> None:
    scenario = bank["burglary-smashed-kitchen-window"]
    crimes = tuple(
        AnsweredCrime(offence=c.offence, count=c.count) for c in scenario.expected.crimes
    )
    answer = Answer(
        decision=scenario.expected.decision, crimes=crimes, flags=scenario.expected.flags
    )
    result = grade(scenario, answer, catalogue)
    review = answer_review(scenario.title, 100, answer, result.findings, (), scenario, catalogue)
    page = review_html(review)
    assert "No findings" in page and "None asked." in page
    assert review.asked_words == ("You asked", "Answer")
    assert [c.id for c in review.cited] == list(scenario.expected.rules)
    assert review.questions_heading == "Questions asked"


def test_a_scenario_gone_from_the_bank_keeps_the_answer_and_findings(
    catalogue: Catalogue,
) -> None:
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))
    review = answer_review("Old one", 40, answer, (), ("Was anything taken?",), None, catalogue)
    assert review.note == GONE
    assert [(a.question, a.answer) for a in review.asked] == [("Was anything taken?", "")]
    assert {r.expected for r in review.comparison} == {"(not available)"}
    page = review_html(review)
    assert "Was anything taken?" in page and "(not available)" in page


def test_a_revised_scenario_is_noted(bank: dict[str, Scenario], catalogue: Catalogue) -> None:
    scenario = bank["burglary-smashed-kitchen-window"]
    answer = Answer(decision="incident")
    review = answer_review("x", 0, answer, (), (), scenario, catalogue, revised=True)
    assert review.note == REVISED


def test_log_audits_are_checked_not_asked(bank: dict[str, Scenario]) -> None:
    audits = [s for s in bank.values() if s.id.startswith("rev-audit-")]
    assert audits
    assert {questions_heading(s) for s in audits} == {"Check the log"}


@pytest.mark.parametrize(
    ("channel", "heading"),
    [
        ("phone-999", "Ask the caller"),
        ("phone-101", "Ask the caller"),
        ("officer-attendance", "Ask at the scene"),
        ("third-party", "Ask the person reporting"),
        ("front-counter", "Ask the person at the counter"),
        ("online", "Ask the person who reported it"),
    ],
)
def test_questions_are_headed_by_channel(
    bank: dict[str, Scenario], channel: str, heading: str
) -> None:
    scenario = next(
        s for s in bank.values() if s.report.channel == channel and "incident-audit" not in s.topics
    )
    assert questions_heading(scenario) == heading


def test_the_log_audit_folder_is_what_the_heading_keys_on() -> None:
    folder = ROOT_SCENARIOS / "log-audits"
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.yaml"))]
    assert texts and all("incident-audit" in t for t in texts)


def test_a_malpractice_answer_is_named_and_its_trap_explained_first(
    bank: dict[str, Scenario], catalogue: Catalogue
) -> None:
    scenario = bank["burglary-smashed-kitchen-window"]
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="58A", count=1),))
    result = grade(scenario, answer, catalogue)
    review = answer_review(
        scenario.title, result.score, answer, result.findings, (), scenario, catalogue
    )
    trap = next(t for t in scenario.expected.traps if t.name == "downgraded-to-damage")
    assert review.score_line == f"Score {result.score} — Partly right, an HMIC malpractice answer"
    assert any(f.malpractice for f in review.findings)
    assert review.feedback.startswith(trap.feedback.strip())
    assert "⚠ HMIC malpractice" in review_html(review)
