"""Traps and attribution: each finding names the rule card actually broken."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.models import Answer, Scenario
from trainer.core.content.traps import implied_answer, matches, trap_for
from trainer.core.content.validation import validate
from trainer.core.grading.feedback import feedback_text
from trainer.core.grading.grade import MALPRACTICE_CAP, grade


def answer(decision: str = "crime", crimes: Any = (), **rest: Any) -> Answer:
    return validate(
        Answer,
        {"decision": decision, "crimes": [{"offence": c, "count": n} for c, n in crimes], **rest},
    )


def trap(name: str, rule: str, malpractice: bool = False, **partial: Any) -> dict[str, Any]:
    return {
        "name": name,
        "answer": partial,
        "rule": rule,
        "feedback": f"You fell into {name}.",
        "malpractice": malpractice,
    }


BURGLARY = make_scenario(
    rules=["burglary-home-and-outbuildings", "burglary-entry-point-damage"],
    decision_rule="burglary-entry-point-damage",
    traps=[
        trap(
            "downgraded-to-damage",
            "burglary-entry-point-damage",
            malpractice=True,
            decision="crime",
            crimes=[{"offence": "58A"}],
        ),
        trap("logged-as-incident", "ncrs-when-to-record", True, decision="incident"),
    ],
)
MIRRORS = make_scenario(
    crimes=[{"offence": "58C", "count": 4}],
    rules=["vehicle-damage-not-road-collision"],
    traps=[
        trap("one-for-the-street", "one-crime-per-victim", crimes=[{"offence": "58C", "count": 1}])
    ],
)
DOMESTIC = make_scenario(
    crimes=[{"offence": "8N", "count": 1}],
    flags=["domestic-abuse"],
    rules=["assault-injury-levels"],
    traps=[trap("ex-partner-not-flagged", "domestic-abuse-flag", flags=[])],
)
RAPE_OTHER_FORCE = make_scenario(
    decision="incident",
    crimes=[],
    incident_code="N100/03",
    rules=["n100-reported-rape", "crime-location"],
    traps=[trap("not-confirmed", "crime-location", incident_code="N100/01")],
)
CANCEL_C1 = make_scenario(
    decision="cancel",
    crimes=[],
    cancellation_reason="C1",
    rules=["cancellation-c1-transferred"],
    traps=[trap("no-crime-c2", "cancellation-c2-avi", True, cancellation_reason="C2")],
)
OUT_OF_AREA = make_scenario(
    decision="refer",
    crimes=[],
    refer_to="other-force",
    rules=["crime-location"],
    traps=[trap("sent-to-report-fraud", "fraud-report-fraud", refer_to="report-fraud")],
)


# --- Matching -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "given", "name"),
    [  # one per kind of field a trap can give
        (BURGLARY, answer("incident"), "logged-as-incident"),  # decision
        (BURGLARY, answer(crimes=[("58A", 2)]), "downgraded-to-damage"),  # crimes, any count
        (MIRRORS, answer(crimes=[("58C", 1)]), "one-for-the-street"),  # crimes with a count
        (DOMESTIC, answer(crimes=[("8N", 1)]), "ex-partner-not-flagged"),  # flags
        (RAPE_OTHER_FORCE, answer("incident", incident_code="N100/01"), "not-confirmed"),
        (CANCEL_C1, answer("cancel", cancellation_reason="C2"), "no-crime-c2"),
        (OUT_OF_AREA, answer("refer", refer_to="report-fraud"), "sent-to-report-fraud"),
    ],
)
def test_a_trap_of_each_field_kind_is_matched_and_names_its_card(
    catalogue: Catalogue, scenario: Scenario, given: Answer, name: str
) -> None:
    found = trap_for(scenario.expected, given)
    assert found is not None and found.name == name
    result = grade(scenario, given, catalogue)
    assert result.findings
    assert all(f.trap == name and f.rule == found.rule for f in result.findings)
    assert all(f.malpractice == found.malpractice for f in result.findings)


@pytest.mark.parametrize(
    ("scenario", "given"),
    [
        (BURGLARY, answer(crimes=[("58A", 1), ("49", 1)])),  # crimes compared as a set
        (MIRRORS, answer(crimes=[("58C", 2)])),  # the trap's count differs
        (MIRRORS, answer(crimes=[("58C", 4)])),  # the right answer
        (DOMESTIC, answer(crimes=[("8N", 1)], flags=["alcohol"])),  # flags compared as a set
        (RAPE_OTHER_FORCE, answer("incident", incident_code="N100/02")),
        (CANCEL_C1, answer("cancel", cancellation_reason="C4")),
    ],
)
def test_an_answer_that_differs_in_a_field_the_trap_gives_is_not_matched(
    scenario: Scenario, given: Answer
) -> None:
    assert trap_for(scenario.expected, given) is None


def test_counts_of_one_code_are_added_before_matching() -> None:
    assert trap_for(MIRRORS.expected, answer(crimes=[("58C", 1)])) is not None
    assert trap_for(MIRRORS.expected, answer(crimes=[("58C", 1), ("58C", 1)])) is None


def test_the_first_matching_trap_in_file_order_is_reported(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        traps=[
            trap("first", "criminal-damage-classes", crimes=[{"offence": "58A"}]),
            trap(
                "second",
                "burglary-entry-point-damage",
                decision="crime",
                crimes=[{"offence": "58A"}],
            ),
        ]
    )
    result = grade(scenario, answer(crimes=[("58A", 1)]), catalogue)
    assert [(f.trap, f.rule) for f in result.findings] == [("first", "criminal-damage-classes")]


def test_only_findings_on_the_traps_fields_are_claimed(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        flags=["domestic-abuse"],
        traps=[trap("downgraded", "burglary-entry-point-damage", crimes=[{"offence": "58A"}])],
    )
    result = grade(scenario, answer(crimes=[("58A", 1)]), catalogue)
    assert [(f.kind, f.trap, f.rule) for f in result.findings] == [
        ("misclassification", "downgraded", "burglary-entry-point-damage"),
        ("missed-flag", None, "domestic-abuse-flag"),
    ]


# --- Malpractice ----------------------------------------------------------------------------------


def test_a_malpractice_trap_caps_the_score(catalogue: Catalogue) -> None:
    plain = make_scenario(rules=["burglary-entry-point-damage"])
    without_trap = grade(plain, answer(crimes=[("58A", 1)]), catalogue)
    with_trap = grade(BURGLARY, answer(crimes=[("58A", 1)]), catalogue)
    assert without_trap.score > MALPRACTICE_CAP
    assert with_trap.score == MALPRACTICE_CAP == 25
    assert [f.malpractice for f in with_trap.findings] == [True]


def test_a_trap_that_is_not_malpractice_does_not_cap(catalogue: Catalogue) -> None:
    result = grade(MIRRORS, answer(crimes=[("58C", 1)]), catalogue)
    assert result.score == 80
    assert [f.malpractice for f in result.findings] == [False]


def test_grade_json_names_the_trap_only_when_there_is_one(catalogue: Catalogue) -> None:
    fell = grade(BURGLARY, answer(crimes=[("58A", 1)]), catalogue).to_json_dict()
    assert fell["findings"] == [
        {
            "kind": "misclassification",
            "rule": "burglary-entry-point-damage",
            "message": fell["findings"][0]["message"],  # type: ignore[index]
            "trap": "downgraded-to-damage",
            "malpractice": True,
        }
    ]
    plain = grade(MIRRORS, answer(crimes=[("58C", 1)], flags=["alcohol"]), catalogue)
    plain_json = plain.to_json_dict()
    findings: list[dict[str, object]] = plain_json["findings"]  # type: ignore[assignment]
    assert {"kind", "rule", "message"} == set(findings[1])
    assert findings[0]["trap"] == "one-for-the-street" and "malpractice" not in findings[0]
    assert json.loads(json.dumps(fell)) == fell


# --- Attribution without a trap -----------------------------------------------------------------


def test_a_wrong_decision_is_blamed_on_the_decision_rule(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        rules=["burglary-home-and-outbuildings"], decision_rule="burglary-entry-point-damage"
    )
    result = grade(scenario, answer("refer", refer_to="other-force"), catalogue)
    assert [(f.kind, f.rule, f.trap) for f in result.findings] == [
        ("under-recording", "burglary-entry-point-damage", None)
    ]
    default = make_scenario(rules=["theft-vs-lost-property", "theft-from-person-and-robbery"])
    assert grade(default, answer("incident"), catalogue).findings[0].rule == (
        "theft-vs-lost-property"
    )


@pytest.mark.parametrize(
    ("want", "got", "card"),
    [
        ("28J", "58A", "burglary-entry-point-damage"),
        ("34B", "39", "theft-from-person-and-robbery"),
        ("8N", "105A", "assault-injury-levels"),
        ("10D", "10C", "weapons-and-drugs"),
    ],
)
def test_a_misclassification_is_blamed_on_the_card_separating_the_classes(
    catalogue: Catalogue, want: str, got: str, card: str
) -> None:
    scenario = make_scenario(crimes=[{"offence": want, "count": 1}], rules=["ncrs-when-to-record"])
    result = grade(scenario, answer(crimes=[(got, 1)]), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [("misclassification", card)]


def test_a_misclassification_with_no_distinction_falls_back_to_the_first_rule(
    catalogue: Catalogue,
) -> None:
    assert catalogue.distinction("28J", "96") is None
    scenario = make_scenario(rules=["classify-on-what-is-known", "burglary-entry-point-damage"])
    result = grade(scenario, answer(crimes=[("96", 1)]), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("misclassification", "classify-on-what-is-known")
    ]


@pytest.mark.parametrize(
    ("code", "card"),
    [
        ("28J", "one-crime-per-victim-exceptions"),
        ("46", "one-crime-per-victim-exceptions"),
        ("8R", "threats-and-communications"),
        ("19C", "rape-classes-by-age"),
        ("49A", "making-off-without-payment"),
        ("92D", "weapons-and-drugs"),  # drug crimes: one per offender (CRR p91)
        ("43", "one-crime-per-offender"),  # dishonest use of electricity (CRR p81)
        ("79", "one-crime-per-offender"),  # perverting the course of justice (CRR p95)
    ],
)
def test_a_miscount_is_blamed_on_the_classs_counting_rule(
    catalogue: Catalogue, code: str, card: str
) -> None:
    scenario = make_scenario(crimes=[{"offence": code, "count": 2}], rules=["ncrs-when-to-record"])
    result = grade(scenario, answer(crimes=[(code, 1)]), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [("miscount", card)]


@pytest.mark.parametrize(
    ("flag", "card"),
    [
        ("domestic-abuse", "domestic-abuse-flag"),
        ("hate-religion", "hate-crime-flag"),
        ("child-sexual-exploitation", "child-sexual-abuse-flag"),
        ("spiking", "other-flags"),
    ],
)
def test_a_flag_finding_is_blamed_on_the_flags_own_card(
    catalogue: Catalogue, flag: str, card: str
) -> None:
    assert catalogue.flag_by_id[flag].rule == card
    scenario = make_scenario(rules=["ncrs-when-to-record"])
    result = grade(scenario, answer(crimes=[("28J", 1)], flags=[flag]), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [("extra-flag", card)]


def test_a_wrong_cancellation_reason_is_blamed_on_the_right_reasons_card(
    catalogue: Catalogue,
) -> None:
    scenario = make_scenario(
        decision="cancel", crimes=[], cancellation_reason="C3", rules=["ncrs-when-to-record"]
    )
    result = grade(scenario, answer("cancel", cancellation_reason="C2"), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("wrong-cancellation", "cancellation-c3-duplicate")
    ]


# --- N100 sub-codes -----------------------------------------------------------------------------

N100_SUBCODES = ["N100/01", "N100/02", "N100/03"]
SUBCODES = [
    (incident.code, sub.code)
    for incident in load_catalogue().incident_codes
    for sub in incident.subcodes
]


def test_the_catalogue_has_the_n100_subcodes_tested_here(catalogue: Catalogue) -> None:
    assert [s.code for s in catalogue.incident_by_code["N100"].subcodes] == N100_SUBCODES
    assert {code for _, code in SUBCODES} >= set(N100_SUBCODES)


@pytest.mark.parametrize(("main", "want"), SUBCODES)
def test_each_subcode_is_graded_in_full(catalogue: Catalogue, main: str, want: str) -> None:
    scenario = make_scenario(
        decision="incident", crimes=[], incident_code=want, rules=["ncrs-when-to-record"]
    )
    card = catalogue.incident_by_code[main].rule or "ncrs-when-to-record"
    assert grade(scenario, answer("incident", incident_code=want), catalogue).score == 100
    siblings = [code for m, code in SUBCODES if m == main and code != want]
    for got in [*siblings, main]:
        result = grade(scenario, answer("incident", incident_code=got), catalogue)
        assert [(f.kind, f.rule) for f in result.findings] == [("wrong-incident-code", card)], got
        assert 0 < result.score < 100
        assert want in result.findings[0].message
    other = next(code for m, code in SUBCODES if m != main)
    wrong_class = grade(scenario, answer("incident", incident_code=other), catalogue)
    assert [f.kind for f in wrong_class.findings] == ["misclassification"]
    assert wrong_class.score < result.score


def test_a_wrong_n100_reason_is_blamed_on_the_n100_card(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        decision="incident", crimes=[], incident_code="N100/03", rules=["crime-location"]
    )
    result = grade(scenario, answer("incident", incident_code="N100/01"), catalogue)
    assert [(f.kind, f.rule) for f in result.findings] == [
        ("wrong-incident-code", "n100-reported-rape")
    ]


def test_a_key_without_a_subcode_accepts_any(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        decision="incident", crimes=[], incident_code="N100", rules=["n100-reported-rape"]
    )
    for got in ["N100", *N100_SUBCODES]:
        assert grade(scenario, answer("incident", incident_code=got), catalogue).score == 100


# --- Feedback and implied answers --------------------------------------------------------------


def test_a_fallen_traps_feedback_comes_first(catalogue: Catalogue) -> None:
    result = grade(BURGLARY, answer("incident"), catalogue)
    text = feedback_text("Record an attempted burglary.", BURGLARY.expected, result.findings)
    assert text == "You fell into logged-as-incident.\n\nRecord an attempted burglary."
    right = grade(BURGLARY, answer(crimes=[("28J", 1)]), catalogue)
    assert feedback_text("Why.", BURGLARY.expected, right.findings) == "Why."
    assert feedback_text("Why.", None, result.findings) == "Why."


def test_the_implied_answer_keeps_the_key_where_the_trap_is_silent() -> None:
    implied = implied_answer(DOMESTIC.expected.traps[0].answer, DOMESTIC.expected)
    assert implied == answer(crimes=[("8N", 1)], flags=[])
    other = implied_answer(BURGLARY.expected.traps[1].answer, BURGLARY.expected)
    assert other == answer("incident")
    assert matches(BURGLARY.expected.traps[1].answer, other)


# --- Coverage -----------------------------------------------------------------------------------


def test_coverage_counts_traps_per_card_and_lists_scenarios_without(catalogue: Catalogue) -> None:
    from dataclasses import replace

    from trainer.core.content.coverage import coverage_report, measure_coverage

    plain = replace(make_scenario(), id="no-traps-here")
    cov = measure_coverage([BURGLARY, MIRRORS, plain], catalogue)
    assert cov.traps == {
        "burglary-entry-point-damage": 1,
        "ncrs-when-to-record": 1,
        "one-crime-per-victim": 1,
    }
    assert cov.malpractice_traps == {"burglary-entry-point-damage": 1, "ncrs-when-to-record": 1}
    assert cov.without_traps == ["no-traps-here"]
    data = cov.to_json_dict()
    assert data["traps"] == dict(cov.traps) and data["without_traps"] == ["no-traps-here"]
    assert {"rules", "unused_rules", "offences"} <= data.keys()  # the old keys stay
    text = coverage_report(cov, catalogue)
    assert "     1  burglary-entry-point-damage (1)" in text
    assert "Scenarios without traps (1):\n  no-traps-here" in text


def test_incident_code_none_matches_only_an_incident_with_no_code(catalogue: Catalogue) -> None:
    scenario = make_scenario(
        decision="incident",
        crimes=[],
        incident_code="N100/01",
        rules=["n100-reported-rape"],
        traps=[
            trap("no-n100", "n100-reported-rape", True, decision="incident", incident_code="none")
        ],
    )
    plain = answer("incident")
    assert trap_for(scenario.expected, plain) is not None
    assert trap_for(scenario.expected, answer("incident", incident_code="N100/02")) is None
    assert trap_for(scenario.expected, answer("incident", incident_code="N100/01")) is None
    assert (
        implied_answer(scenario.expected.traps[0].answer, scenario.expected).incident_code is None
    )
    result = grade(scenario, plain, catalogue)
    assert result.score <= MALPRACTICE_CAP
    assert [f.trap for f in result.findings] == ["no-n100"]
    assert all(f.malpractice and f.rule == "n100-reported-rape" for f in result.findings)
