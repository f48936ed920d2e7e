"""Disposal reviews and outcome decisions: the format, its checks, answers and grading."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import check_scenario
from trainer.core.content.models import Answer, Scenario
from trainer.core.content.scenarios import load_file, load_library
from trainer.core.content.validation import validate
from trainer.core.errors import TrainerError
from trainer.core.grading.answers import parse_answer
from trainer.core.grading.feedback import comparison
from trainer.core.grading.grade import MALPRACTICE_CAP, grade

REVIEW: dict[str, Any] = {
    "id": "dr-test",
    "title": "Community resolution for a push between partners",
    "kind": "disposal-review",
    "audience": ["officer"],
    "topics": ["out-of-court-disposals"],
    "difficulty": 1,
    "report": {"channel": "case-file", "text": "Common assault (105/01) on his partner, 29."},
    "case": {
        "offence": "105A",
        "ho_code": "105/01",
        "disposal": "community-resolution",
        "suspect_age": 29,
        "admits": True,
        "decided_on": "2026-10-12",
        "domestic_abuse": "intimate-partner",
    },
    "expected": {
        "decision": "refuse",
        "rules": ["disposal-intimate-partner-da"],
        "traps": [
            {
                "name": "approved",
                "answer": {"decision": "approve"},
                "rule": "disposal-intimate-partner-da",
                "feedback": "Never for intimate partners (Outcomes 2026 p15).",
                "malpractice": True,
            }
        ],
    },
    "feedback": "Refuse it (Outcomes 2026 p15).",
}
OUTCOME: dict[str, Any] = {
    "id": "oc-test",
    "title": "Nine-year-old",
    "kind": "outcome",
    "audience": ["officer"],
    "topics": ["outcomes"],
    "difficulty": 1,
    "report": {"channel": "case-file", "text": "The named suspect is 9."},
    "expected": {"decision": "11", "rules": ["outcome-prosecution-prevented"]},
    "feedback": "Outcome 11 (Outcomes 2026 p16).",
}


def changed(base: dict[str, Any], *path: str | int, value: Any = None, drop: bool = False) -> Any:
    data = copy.deepcopy(base)
    target = data
    for key in path[:-1]:
        target = target[key]
    if drop:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def problems(tmp_path: Path, catalogue: Catalogue, data: dict[str, Any]) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    loaded, found = load_file(path, catalogue)
    assert (loaded is None) == bool(found)
    return [f"{p.field}: {p.message}" for p in found]


@pytest.mark.parametrize("data", [REVIEW, OUTCOME], ids=["disposal-review", "outcome"])
def test_a_good_file_of_each_new_kind_is_valid(
    tmp_path: Path, catalogue: Catalogue, data: dict[str, Any]
) -> None:
    assert problems(tmp_path, catalogue, data) == []


def test_expected_needs_no_other_key(tmp_path: Path, catalogue: Catalogue) -> None:
    plain = changed(REVIEW, "case", drop=True)
    plain["expected"] = {"decision": "escalate", "authority": "inspector", "rules": ["outcome-tic"]}
    assert problems(tmp_path, catalogue, plain) == []


BAD = [
    ("wrong-key", changed(REVIEW, "expected", "decision", value="approve"),
     "expected.decision: the disposal rules give refuse"),
    ("escalate-without-authority", changed(REVIEW, "expected", "decision", value="escalate"),
     "expected.authority: an escalate decision needs one of inspector, superintendent, cps"),
    ("authority-without-escalate", changed(REVIEW, "expected", "authority", value="cps"),
     "expected.authority: goes only with an escalate decision"),
    ("unknown-authority", changed(REVIEW, "expected", "authority", value="sergeant"),
     "expected.authority: must be one of 'inspector', 'superintendent' or 'cps'"),
    ("outcome-as-disposal", changed(REVIEW, "expected", "decision", value="16"),
     "expected.decision: '16' is not a disposal-review decision"),
    ("unknown-outcome", changed(OUTCOME, "expected", "decision", value="19"),
     "expected.decision: '19' is not an outcome type"),
    ("disposal-as-outcome", changed(OUTCOME, "expected", "decision", value="approve"),
     "expected.decision: 'approve' is not an outcome type"),
    ("call-handlers", changed(OUTCOME, "audience", value=["call-handler", "officer"]),
     "audience: a outcome scenario is for officers, not call-handlers"),
    ("case-on-an-outcome", changed(OUTCOME, "case", value=REVIEW["case"]),
     "case: goes only with kind disposal-review"),
    ("code-not-under-class", changed(REVIEW, "case", "ho_code", value="034/01"),
     "case.ho_code: '034/01' is not filed under class 105A"),
    ("unknown-disposal", changed(REVIEW, "case", "disposal", value="telling-off"),
     "case.disposal: must be one of"),
    ("bad-date", changed(REVIEW, "case", "decided_on", value="12/10/2026"),
     "case.decided_on: '12/10/2026' must be a date as YYYY-MM-DD"),
    ("history-after-decision",
     changed(REVIEW, "case", "history",
             value=[{"type": "caution", "date": "2027-01-01", "offence": "assault"}]),
     "case.history[0].date: is after the decision date"),
    ("left-unclear", changed(REVIEW, "case", "disposal", value="penalty-notice"),
     "the outcomes guidance does not decide this case"),
    ("unknown-channel", changed(REVIEW, "report", "channel", value="case-folder"),
     "report.channel: must be one of"),
    ("trap-not-wrong",
     changed(REVIEW, "expected", "traps", 0, "answer", value={"decision": "refuse"}),
     "the key itself matches this trap"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_file_is_reported_by_field(
    tmp_path: Path, catalogue: Catalogue, data: dict[str, Any], message: str
) -> None:
    found = problems(tmp_path, catalogue, data)
    assert any(message in p for p in found), found


def test_every_bank_review_agrees_with_the_rules_and_states_its_facts(catalogue: Catalogue) -> None:
    library = load_library([ROOT_SCENARIOS / "outcomes"], catalogue)
    assert library.problems == []
    reviews = [s.scenario for s in library.scenarios if s.scenario.kind == "disposal-review"]
    for review in reviews:
        assert review.case is not None, review.id  # the bank's keys are all checked by the rules
        assert check_scenario(review, catalogue) == []
        text = review.report.text
        assert review.case.ho_code in text and str(review.case.suspect_age) in text, review.id


def scenario(data: dict[str, Any]) -> Scenario:
    return validate(Scenario, data)


def answer(data: dict[str, Any], text: str, catalogue: Catalogue) -> Answer:
    return parse_answer(text, scenario(data), catalogue)


def test_answer_json_of_the_new_kinds(catalogue: Catalogue) -> None:
    given = answer(REVIEW, '{"decision": "escalate", "authority": "inspector"}', catalogue)
    assert (given.decision, given.authority) == ("escalate", "inspector")
    assert given.to_json_dict()["authority"] == "inspector"
    assert answer(OUTCOME, '{"decision": "16"}', catalogue).decision == "16"
    old = answer(
        changed(OUTCOME, "kind", value="classify")
        | {"expected": {"decision": "incident", "rules": ["outcome-tic"]}},
        '{"decision": "incident"}',
        catalogue,
    )
    assert "authority" not in old.to_json_dict()  # an old kind's answer JSON is unchanged


def test_a_disposal_or_outcome_answer_may_say_how_sure(catalogue: Catalogue) -> None:
    from trainer.core.grading.drafts import AnswerDraft, build_answer, draft_of

    text = '{"decision": "escalate", "authority": "inspector", "certainty": 2}'
    given = answer(REVIEW, text, catalogue)
    assert (given.authority, given.certainty) == ("inspector", 2)
    data = given.to_json_dict()
    assert (data["authority"], data["certainty"]) == ("inspector", 2)  # both in the answer JSON
    assert answer(OUTCOME, '{"decision": "16", "certainty": 3}', catalogue).certainty == 3
    unsure = graded(REVIEW, {"decision": "approve", "certainty": 1}, catalogue)
    sure = graded(REVIEW, {"decision": "approve", "certainty": 3}, catalogue)
    assert unsure == sure  # certainty never changes the score
    draft = AnswerDraft(decision="escalate", authority="cps", certainty=3)
    built = build_answer(draft, scenario(REVIEW), catalogue)
    assert (built.decision, built.authority, built.certainty) == ("escalate", "cps", 3)
    assert draft_of(built).certainty == 3
    outcome = build_answer(AnswerDraft(decision="16", certainty=1), scenario(OUTCOME), catalogue)
    assert (outcome.decision, outcome.certainty) == ("16", 1)


@pytest.mark.parametrize(
    ("data", "text", "message"),
    [
        (REVIEW, '{"decision": "escalate"}', "authority: an escalate decision needs one of"),
        (REVIEW, '{"decision": "approve", "authority": "cps"}', "authority: goes only with"),
        (REVIEW, '{"decision": "16"}', "decision: '16' is not a disposal-review decision"),
        (OUTCOME, '{"decision": "99"}', "decision: '99' is not an outcome type"),
        (OUTCOME, '{"decision": "maybe"}', "decision: must be one of"),
    ],
)
def test_an_unusable_answer_is_one_line(
    catalogue: Catalogue, data: dict[str, Any], text: str, message: str
) -> None:
    with pytest.raises(TrainerError) as caught:
        answer(data, text, catalogue)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def graded(data: dict[str, Any], given: dict[str, Any], catalogue: Catalogue) -> Any:
    return grade(scenario(data), validate(Answer, given), catalogue)


def test_gold_answers_score_100(catalogue: Catalogue) -> None:
    library = load_library([ROOT_SCENARIOS / "outcomes"], catalogue)
    for loaded in library.scenarios:
        key = loaded.scenario.expected
        gold = {"decision": key.decision, "authority": key.authority}
        result = grade(loaded.scenario, validate(Answer, gold), catalogue)
        assert (result.score, result.findings) == (100, ()), loaded.scenario.id


ESCALATE = changed(REVIEW, "case", "domestic_abuse", value="family") | {
    "expected": {"decision": "escalate", "authority": "inspector", "rules": ["outcome-tic"]}
}


def test_escalating_to_the_wrong_authority_earns_partial_credit(catalogue: Catalogue) -> None:
    result = graded(ESCALATE, {"decision": "escalate", "authority": "cps"}, catalogue)
    assert result.score == 50
    [finding] = result.findings
    assert (finding.kind, finding.rule) == ("wrong-authority", "outcome-tic")
    assert "this disposal needs the authority of an Inspector" in finding.message


_CAUTION = changed(REVIEW, "case", "disposal", value="adult-simple-caution")
_HISTORY = [{"type": "caution", "date": "2026-03-01", "offence": "assault"}]
RECENT_CAUTION = changed(
    changed(_CAUTION, "case", "domestic_abuse", value="family"), "case", "history", value=_HISTORY
) | {"expected": {"decision": "escalate", "authority": "inspector", "rules": ["outcome-tic"]}}


def test_a_higher_rank_will_do_where_the_guidance_says_inspector_or_higher(
    catalogue: Catalogue,
) -> None:
    """An adult caution after a recent caution needs "Inspector or higher" (Outcomes 2026 p11): a
    Superintendent's authority is right too. A community resolution names an Inspector (p15)."""
    superintendent = {"decision": "escalate", "authority": "superintendent"}
    caution = graded(RECENT_CAUTION, superintendent, catalogue)
    assert (caution.score, caution.findings) == (100, ())
    rows = comparison(
        validate(Answer, superintendent), scenario(RECENT_CAUTION).expected, catalogue,
        caution.findings,
    )  # fmt: skip
    assert [(r.field, r.match) for r in rows] == [
        ("Decision", "✓ Same"), ("Authority", "✓ Also right")
    ]  # fmt: skip
    resolution = graded(ESCALATE, superintendent, catalogue)
    assert resolution.score == 50
    assert [f.kind for f in resolution.findings] == ["wrong-authority"]
    rows = comparison(
        validate(Answer, superintendent), scenario(ESCALATE).expected, catalogue,
        resolution.findings,
    )  # fmt: skip
    assert [r.match for r in rows] == ["✓ Same", "✗ Differs"]


@pytest.mark.parametrize(
    ("given", "kind"),
    [({"decision": "approve"}, "wrong-disposal"), ({"decision": "refuse"}, "wrong-disposal")],
)
def test_a_wrong_disposal_decision_scores_nothing(
    catalogue: Catalogue, given: dict[str, Any], kind: str
) -> None:
    result = graded(ESCALATE, given, catalogue)
    assert result.score == 0 and [f.kind for f in result.findings] == [kind]
    assert "Inspector" in result.findings[0].message


def test_approving_a_forbidden_disposal_is_the_malpractice_trap(catalogue: Catalogue) -> None:
    result = graded(REVIEW, {"decision": "approve"}, catalogue)
    [finding] = result.findings
    assert result.score == 0
    assert (finding.kind, finding.trap, finding.malpractice) == ("wrong-disposal", "approved", True)
    assert finding.rule == "disposal-intimate-partner-da"
    escalated = graded(REVIEW, {"decision": "escalate", "authority": "inspector"}, catalogue)
    assert escalated.score == 0 and not escalated.findings[0].malpractice  # wrong, but not that


def test_a_malpractice_trap_caps_a_partial_score(catalogue: Catalogue) -> None:
    trap = {
        "name": "stopped-at-superintendent",
        "answer": {"decision": "escalate", "authority": "superintendent"},
        "rule": "disposal-indictable-only",
        "feedback": "The CPS authorises it (Outcomes 2026 p11).",
        "malpractice": True,
    }
    data = changed(ESCALATE, "expected", "traps", value=[trap])
    capped = graded(data, {"decision": "escalate", "authority": "superintendent"}, catalogue)
    assert capped.score == MALPRACTICE_CAP < 50
    assert capped.findings[0].trap == "stopped-at-superintendent"
    assert graded(data, {"decision": "escalate", "authority": "cps"}, catalogue).score == 50


def test_a_wrong_outcome_type(catalogue: Catalogue) -> None:
    result = graded(OUTCOME, {"decision": "18"}, catalogue)
    [finding] = result.findings
    assert result.score == 0
    assert (finding.kind, finding.rule) == ("wrong-outcome", "outcome-prosecution-prevented")
    assert "18 (No suspect identified" in finding.message and "11 (Suspect below" in finding.message


def test_the_grade_command_prints_the_new_kinds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainer.cli import main

    path = tmp_path / "a.json"
    path.write_text('{"decision": "approve"}', encoding="utf-8")
    review = ROOT_SCENARIOS / "outcomes" / "dr-cr-robbery-indictable-only.yaml"
    assert main(["grade", str(review), str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"] == 0
    assert out["findings"][0] | {"message": ""} == {
        "kind": "wrong-disposal",
        "rule": "disposal-indictable-only",
        "message": "",
        "trap": "approved-as-phone-returned",
        "malpractice": True,
    }


def test_feedback_sets_the_answer_beside_the_key_in_words(catalogue: Catalogue) -> None:
    from trainer.core.grading.feedback import comparison

    key = scenario(ESCALATE).expected
    rows = comparison(
        validate(Answer, {"decision": "escalate", "authority": "cps"}), key, catalogue
    )
    assert [(r.field, r.given, r.expected) for r in rows] == [
        ("Decision", "Escalate for authority", "Escalate for authority"),
        ("Authority", "CPS", "Inspector"),
    ]
    key = scenario(OUTCOME).expected
    [row] = comparison(validate(Answer, {"decision": "18"}), key, catalogue)
    assert (row.given, row.expected) == (
        "Outcome 18: No suspect identified: investigation complete",
        "Outcome 11: Suspect below the age of criminal responsibility",
    )


@pytest.mark.parametrize(
    "draft",
    [
        {"decision": "escalate", "authority": "superintendent"},
        {"decision": "escalate", "authority": "cps", "certainty": 3},
        {"decision": "16"},
        {"decision": "16", "certainty": 1},
        {"decision": "crime"},
    ],
)
def test_an_unfinished_quiz_keeps_a_disposal_or_outcome_draft(draft: dict[str, Any]) -> None:
    from trainer.core.grading.drafts import AnswerDraft
    from trainer.core.practice.quiz_state import draft_from, draft_state

    saved = json.loads(json.dumps(draft_state(AnswerDraft(**draft))))
    assert draft_from(saved) == AnswerDraft(**draft)


@pytest.mark.parametrize(
    ("saved", "where"),
    [({"decision": "escalate", "authority": "sergeant"}, "draft.authority"),
     ({"decision": "shrug"}, "draft.decision")],
)  # fmt: skip
def test_a_damaged_draft_is_refused(saved: dict[str, Any], where: str) -> None:
    from trainer.core.practice.quiz_state import draft_from

    with pytest.raises(TrainerError, match=where):
        draft_from({**saved, "crimes": [], "flags": []})
