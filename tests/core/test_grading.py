"""The grader: one example per finding kind, and the scoring laws as properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.models import Answer, Scenario
from trainer.core.content.validation import validate
from trainer.core.grading.grade import MALPRACTICE_CAP, grade


def answer(decision: str = "crime", crimes: Any = (), **rest: Any) -> Answer:
    return validate(
        Answer,
        {"decision": decision, "crimes": [{"offence": c, "count": n} for c, n in crimes], **rest},
    )


def kinds(scenario: Scenario, given_answer: Answer, catalogue: Catalogue) -> list[str]:
    return [f.kind for f in grade(scenario, given_answer, catalogue).findings]


BURGLARY = make_scenario()
MIRRORS = make_scenario(
    crimes=[{"offence": "58C", "count": 4}],
    rules=["vehicle-damage-not-road-collision", "one-crime-per-victim"],
)
DOMESTIC = make_scenario(
    crimes=[{"offence": "8N", "count": 1}],
    flags=["domestic-abuse"],
    rules=["finished-incident-rule", "principal-crime-rule", "domestic-abuse-flag"],
)
FRAUD = make_scenario(
    decision="refer", crimes=[], refer_to="report-fraud", rules=["fraud-report-fraud"]
)
LOST = make_scenario(decision="incident", crimes=[], rules=["theft-vs-lost-property"])
RAPE_REPORT = make_scenario(
    decision="incident", crimes=[], incident_code="N100", rules=["n100-reported-rape"]
)
CANCEL_C2 = make_scenario(
    decision="cancel", crimes=[], cancellation_reason="C2", rules=["cancellation-c2-avi"]
)
RETAIN = make_scenario(decision="retain", crimes=[], rules=["cancellation-not-for-withdrawal"])


def test_a_fully_correct_answer_scores_100_with_no_findings(catalogue: Catalogue) -> None:
    result = grade(BURGLARY, answer(crimes=[("28J", 1)]), catalogue)
    assert (result.score, result.findings) == (100, ())
    assert grade(FRAUD, answer("refer", refer_to="report-fraud"), catalogue).score == 100
    assert grade(RAPE_REPORT, answer("incident", incident_code="N100/01"), catalogue).score == 100
    assert grade(CANCEL_C2, answer("cancel", cancellation_reason="C2"), catalogue).score == 100
    assert grade(RETAIN, answer("retain"), catalogue).score == 100


@pytest.mark.parametrize(
    ("scenario", "given_answer", "kind", "rule"),
    [
        (BURGLARY, answer("incident"), "under-recording", "burglary-entry-point-damage"),
        (
            BURGLARY,
            answer("refer", refer_to="other-force"),
            "under-recording",
            "burglary-entry-point-damage",
        ),
        (LOST, answer(crimes=[("49", 1)]), "over-recording", "theft-vs-lost-property"),
        (CANCEL_C2, answer("retain"), "over-recording", "cancellation-c2-avi"),
        (
            RETAIN,
            answer("cancel", cancellation_reason="C2"),
            "wrong-cancellation",
            "cancellation-not-for-withdrawal",
        ),
        (FRAUD, answer(crimes=[("49", 1)]), "wrong-referral", "fraud-report-fraud"),
        (FRAUD, answer("refer", refer_to="other-force"), "wrong-referral", "fraud-report-fraud"),
    ],
)
def test_a_wrong_decision_scores_zero(
    catalogue: Catalogue, scenario: Scenario, given_answer: Answer, kind: str, rule: str
) -> None:
    result = grade(scenario, given_answer, catalogue)
    assert result.score == 0
    assert [(f.kind, f.rule) for f in result.findings] == [(kind, rule)]
    assert result.findings[0].message


def test_fewer_crimes_than_expected_is_under_recording(catalogue: Catalogue) -> None:
    two = make_scenario(crimes=[{"offence": "28J", "count": 1}, {"offence": "58C", "count": 1}])
    result = grade(two, answer(crimes=[("28J", 1)]), catalogue)
    assert [f.kind for f in result.findings] == ["under-recording"]
    assert 0 < result.score < 100


def test_an_extra_crime_is_over_recording_naming_the_principal_crime_rule(
    catalogue: Catalogue,
) -> None:
    result = grade(
        DOMESTIC, answer(crimes=[("8N", 1), ("58A", 1)], flags=["domestic-abuse"]), catalogue
    )
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("over-recording", "principal-crime-rule")
    ]
    assert result.score == 75


def test_misclassification_gives_more_credit_in_the_right_crime_group(catalogue: Catalogue) -> None:
    same = grade(BURGLARY, answer(crimes=[("28I", 1)]), catalogue)
    other = grade(BURGLARY, answer(crimes=[("58A", 1)]), catalogue)
    assert (
        [f.kind for f in same.findings] == [f.kind for f in other.findings] == ["misclassification"]
    )
    assert "right crime group" in same.findings[0].message
    assert 0 < other.score < same.score < 100


def test_miscount_names_the_classs_counting_rule(catalogue: Catalogue) -> None:
    result = grade(MIRRORS, answer(crimes=[("58C", 1)]), catalogue)
    assert catalogue.offence_by_code["58C"].counting_rule == "criminal-damage-classes"
    assert [(f.kind, f.rule) for f in result.findings] == [("miscount", "criminal-damage-classes")]
    assert "right number is 4" in result.findings[0].message
    assert result.score == 80


def test_same_codes_in_an_answer_are_added_together(catalogue: Catalogue) -> None:
    assert grade(MIRRORS, answer(crimes=[("58C", 1), ("58C", 3)]), catalogue).score == 100


def test_flags(catalogue: Catalogue) -> None:
    missed = grade(DOMESTIC, answer(crimes=[("8N", 1)]), catalogue)
    assert [(f.kind, f.rule) for f in missed.findings] == [("missed-flag", "domestic-abuse-flag")]
    extra = grade(BURGLARY, answer(crimes=[("28J", 1)], flags=["hate-race"]), catalogue)
    assert [(f.kind, f.rule) for f in extra.findings] == [("extra-flag", "hate-crime-flag")]
    assert 0 < missed.score < 100 and 0 < extra.score < 100


def test_wrong_cancellation_reason(catalogue: Catalogue) -> None:
    result = grade(CANCEL_C2, answer("cancel", cancellation_reason="C4"), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("wrong-cancellation", "cancellation-c2-avi")
    ]
    assert result.score == 50


def test_wrong_incident_code(catalogue: Catalogue) -> None:
    result = grade(RAPE_REPORT, answer("incident"), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("misclassification", "n100-reported-rape")
    ]


# --- Scoring laws, as properties -----------------------------------------------------------------

CAT = load_catalogue()
CODES = sorted(CAT.offence_by_code)
FLAGS = sorted(CAT.flag_by_id)


@st.composite
def keys(draw: st.DrawFn) -> Scenario:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True))
    crimes = [{"offence": c, "count": draw(st.integers(1, 6))} for c in codes]
    flags = draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True))
    if "child-sexual-exploitation" in flags and "child-sexual-abuse" not in flags:
        flags.append("child-sexual-abuse")
    return make_scenario(crimes=crimes, flags=flags, rules=["one-crime-per-victim"])


def correct_answer(scenario: Scenario) -> dict[str, Any]:
    return {
        "decision": "crime",
        "crimes": [{"offence": c.offence, "count": c.count} for c in scenario.expected.crimes],
        "flags": list(scenario.expected.flags),
    }


def add_error(
    data: dict[str, Any], scenario: Scenario, choice: int, pick: int
) -> dict[str, Any] | None:
    """Introduce one new mistake into an answer without correcting any other; None if impossible."""
    expected = {c.offence: c.count for c in scenario.expected.crimes}
    crimes = [dict(c) for c in data["crimes"]]
    given = {c["offence"] for c in crimes}
    right = [c for c in crimes if expected.get(c["offence"]) == c["count"]]
    unused = [c for c in CODES if c not in expected and c not in given]
    nothing_missing = set(expected) <= given
    flags = list(data["flags"])
    if choice == 0 and right:  # wrong count on a right crime
        right[pick % len(right)]["count"] += 1
    elif choice == 1 and right:  # wrong code on a right crime
        right[pick % len(right)]["offence"] = unused[pick % len(unused)]
    elif choice == 2 and right:  # leave out a right crime
        crimes.remove(right[pick % len(right)])
    elif choice == 3 and nothing_missing:  # record an extra crime
        crimes.append({"offence": unused[pick % len(unused)], "count": 1})
    elif choice == 4 and set(scenario.expected.flags) & set(flags):  # miss a flag
        present = sorted(set(scenario.expected.flags) & set(flags))
        flags.remove(present[pick % len(present)])
    elif choice == 5:  # set a flag that does not apply
        spare = [f for f in FLAGS if f not in flags and f not in scenario.expected.flags]
        flags.append(spare[pick % len(spare)])
    elif choice == 6:  # the wrong decision
        return {"decision": "incident", "crimes": [], "flags": []}
    else:
        return None
    return {**data, "crimes": crimes, "flags": flags}


@settings(max_examples=300, deadline=None)
@given(keys(), st.lists(st.tuples(st.integers(0, 6), st.integers(0, 1000)), max_size=8))
def test_every_extra_error_lowers_or_keeps_the_score(
    scenario: Scenario, steps: list[tuple[int, int]]
) -> None:
    data = correct_answer(scenario)
    previous = grade(scenario, validate(Answer, data), CAT)
    assert previous.score == 100 and previous.findings == ()
    for choice, pick in steps:
        mutated = add_error(data, scenario, choice, pick)
        if mutated is None:
            continue
        result = grade(scenario, validate(Answer, mutated), CAT)
        assert result.score <= previous.score, (data, mutated)
        assert len(result.findings) >= 1
        if mutated["decision"] != "crime":
            assert result.score == 0
            break
        data, previous = mutated, result


@settings(max_examples=200, deadline=None)
@given(keys(), st.randoms(use_true_random=False), st.data())
def test_the_order_of_crimes_does_not_matter(
    scenario: Scenario, rnd: Any, data: st.DataObject
) -> None:
    crimes = [
        {"offence": c, "count": data.draw(st.integers(1, 4))}
        for c in data.draw(st.lists(st.sampled_from(CODES), max_size=5, unique=True))
    ]
    shuffled = list(crimes)
    rnd.shuffle(shuffled)
    first = grade(scenario, validate(Answer, {"decision": "crime", "crimes": crimes}), CAT)
    second = grade(scenario, validate(Answer, {"decision": "crime", "crimes": shuffled}), CAT)
    assert first == second


@settings(max_examples=200, deadline=None)
@given(keys(), st.data())
def test_scores_stay_between_0_and_100_and_100_means_no_findings(
    scenario: Scenario, data: st.DataObject
) -> None:
    crimes = [
        {"offence": c, "count": data.draw(st.integers(1, 6))}
        for c in data.draw(st.lists(st.sampled_from(CODES), max_size=6, unique=True))
    ]
    flags = data.draw(st.lists(st.sampled_from(FLAGS), max_size=4, unique=True))
    result = grade(
        scenario,
        validate(Answer, {"decision": "crime", "crimes": crimes, "flags": flags}),
        CAT,
    )
    assert 0 <= result.score <= 100
    assert (result.score == 100) == (result.findings == ())
    assert (
        grade(
            scenario,
            validate(Answer, {"decision": "crime", "crimes": crimes, "flags": flags}),
            CAT,
        )
        == result
    )


@settings(max_examples=200, deadline=None)
@given(keys(), st.lists(st.tuples(st.integers(0, 5), st.integers(0, 1000)), min_size=1, max_size=4))
def test_an_answer_in_a_malpractice_trap_scores_at_most_the_cap_and_names_the_trap(
    scenario: Scenario, steps: list[tuple[int, int]]
) -> None:
    data = correct_answer(scenario)
    for choice, pick in steps:
        data = add_error(data, scenario, choice, pick) or data
    if grade(scenario, validate(Answer, data), CAT).score == 100:
        return
    partial = {
        "crimes": [{"offence": c["offence"]} for c in data["crimes"]],
        "flags": data["flags"],
    }
    trapped = make_scenario(
        crimes=[{"offence": c.offence, "count": c.count} for c in scenario.expected.crimes],
        flags=list(scenario.expected.flags),
        rules=["one-crime-per-victim"],
        traps=[
            {
                "name": "the-trap",
                "answer": partial,
                "rule": "ncrs-when-to-record",
                "feedback": "Fell in.",
                "malpractice": True,
            }
        ],
    )
    result = grade(trapped, validate(Answer, data), CAT)
    assert result.score <= MALPRACTICE_CAP
    assert any(f.trap == "the-trap" and f.malpractice for f in result.findings)
    assert all(f.rule == "ncrs-when-to-record" for f in result.findings if f.trap)
    assert [f.kind for f in result.findings] == [
        f.kind for f in grade(scenario, validate(Answer, data), CAT).findings
    ]
