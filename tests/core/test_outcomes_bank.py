"""The outcomes bank: its floors, the digest's §2.7 conditions each drilled twice, malpractice."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.disposals import permitted
from trainer.core.content.models import Scenario
from trainer.core.content.scenarios import load_library

# The offending-history malpractice the inspectorate found, by the card each trap breaks.
MALPRACTICE_CARDS = (
    "disposal-offending-history",  # a caution or conviction in the last two years
    "disposal-indictable-only",
    "disposal-intimate-partner-da",
    "disposal-child-knife-possession",
)
# Conditions of the digest's §2.7 table that disposal reviews drill, as the rules name them.
DISPOSAL_CONDITIONS = (
    "age",  # 6, 7 (and 3): 18 or over
    "admission",  # 2, 3: admission; 8: accepts responsibility
    "indictable_only",  # 2, 3: CPS; 8: never
    "intimate_partner_da",  # 8: never
    "other_da",  # 8 (and 22): Inspector
    "hate_crime",  # 8: Inspector
    "knife_possession_under_18",  # 2: not for child knife possession
    "history_within_two_years",  # 3: Inspector
)


@pytest.fixture(scope="module")
def bank(catalogue: Catalogue) -> list[Scenario]:
    library = load_library([ROOT_SCENARIOS / "outcomes"], catalogue)
    assert library.problems == []
    return [s.scenario for s in library.scenarios]


def test_floors(bank: list[Scenario]) -> None:
    kinds = Counter(s.kind for s in bank)
    assert kinds["disposal-review"] >= 20 and kinds["outcome"] >= 10
    assert set(kinds) == {"disposal-review", "outcome"}
    assert all(s.audience == ("officer",) for s in bank)
    assert all(s.report.channel == "case-file" for s in bank)


def test_every_disposal_condition_is_drilled_twice(
    bank: list[Scenario], catalogue: Catalogue
) -> None:
    drilled: Counter[str] = Counter()
    for s in bank:
        if s.case is not None:
            drilled.update({r.condition for r in permitted(s.case, catalogue).reasons})
    assert {c: drilled[c] for c in DISPOSAL_CONDITIONS if drilled[c] < 2} == {}


def test_every_disposal_decision_has_lookalikes(bank: list[Scenario]) -> None:
    decisions = Counter(s.expected.decision for s in bank if s.kind == "disposal-review")
    assert all(decisions[d] >= 5 for d in ("approve", "refuse", "escalate")), decisions
    authorities = Counter(s.expected.authority for s in bank if s.expected.authority)
    assert authorities["inspector"] >= 2 and authorities["cps"] >= 2


def test_the_offending_history_malpractice_is_drilled(bank: list[Scenario]) -> None:
    traps = [t for s in bank for t in s.expected.traps if t.malpractice]
    assert len(traps) >= 4
    assert all(t.answer.decision == "approve" for t in traps)
    by_card = Counter(t.rule for t in traps)
    assert all(by_card[card] >= 2 for card in MALPRACTICE_CARDS), by_card


def test_outcome_conditions_are_drilled_twice(bank: list[Scenario]) -> None:
    outcomes = [s for s in bank if s.kind == "outcome"]
    keys = Counter(s.expected.decision for s in outcomes)
    trapped = Counter(t.answer.decision for s in outcomes for t in s.expected.traps)
    assert keys["1A"] >= 2 and trapped["1A"] >= 2  # 1A right, and 1A where it does not apply
    assert keys["16"] >= 2 and trapped["16"] >= 2  # 16 with its record, and where it is not
    assert keys["17"] >= 2 and trapped["17"] >= 1  # 17 summary-only, and not for either-way
    assert trapped["21"] >= 2  # not normally for domestic abuse or hate crime
    assert keys["11"] >= 1 and trapped["11"] >= 1  # under 10, and a 10-year-old
    retail = [s for s in outcomes if {"robbery", "shoplifting"} <= set(s.topics)]
    assert len(retail) >= 2  # the retail robbery alternate offence
    high_risk = [
        s for s in outcomes if "domestic-abuse" in s.topics and s.expected.decision in ("15", "16")
    ]
    assert len(high_risk) >= 2  # 15/16 decided by an Inspector for high-risk domestic abuse
    deferred = [s for s in bank if "outcome-diversion-deferred" in s.expected.cards]
    assert len(deferred) >= 4  # 22-24: only once completed; domestic abuse needs an Inspector


def test_feedback_and_traps_cite_the_guidance(bank: list[Scenario]) -> None:
    def cites(text: str) -> bool:
        text = " ".join(text.split())
        return "Outcomes 2026 p" in text or "CRR 2026/27 p" in text

    assert [s.id for s in bank if not cites(s.feedback)] == []
    assert [t.name for s in bank for t in s.expected.traps if not cites(t.feedback)] == []


def test_outcome_cards_cite_the_guidance(catalogue: Catalogue) -> None:
    cards = [c for c in catalogue.rule_cards if c.id.startswith(("outcome-", "disposal-"))]
    assert len(cards) >= 20
    assert [c.id for c in cards if "Outcomes 2026 p" not in c.source] == []
    rules = {o.rule for o in catalogue.outcome_types} | {d.rule for d in catalogue.disposals}
    assert rules <= {c.id for c in cards}
