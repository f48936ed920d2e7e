"""The permitted-disposal rules against the outcomes guidance's own conditions (Outcomes 2026)."""

from __future__ import annotations

from typing import Any

import pytest

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.disposals import permitted, permitted_disposals, within_two_years
from trainer.core.content.models import CaseFacts
from trainer.core.content.validation import validate

ASSAULT = {"offence": "105A", "ho_code": "105/01"}  # common assault: summary-only (mode S)
ROBBERY = {"offence": "34B", "ho_code": "034/01"}  # robbery: indictable-only (mode I)
SHOPLIFTING = {"offence": "46", "ho_code": "046/00"}  # either-way (mode E)
KNIFE = {"offence": "10D", "ho_code": "008/26"}  # having a blade in public: knife possession
CANNABIS = {"offence": "92E", "ho_code": "092/61"}
COCAINE = {"offence": "92D", "ho_code": "092/50"}


def case(offence: dict[str, str], disposal: str, **facts: Any) -> CaseFacts:
    data: dict[str, Any] = {
        **offence,
        "disposal": disposal,
        "suspect_age": 30,
        "admits": True,
        "decided_on": "2026-10-01",
    }
    data.update(facts)
    return validate(CaseFacts, data)


def decision(catalogue: Catalogue, facts: CaseFacts) -> tuple[str, str | None]:
    found = permitted(facts, catalogue)
    return found.verdict, found.authority


KHAT = {"offence": "92D", "ho_code": "093/74"}

EXAMPLES = [
    # p11: the adult simple caution is "For Domestic Abuse or Hate Crime only" (p12: the
    # conditional caution is not so restricted)
    ("simple-caution-neither-da-nor-hate", case(ASSAULT, "adult-simple-caution"), ("refuse", None)),
    (
        "simple-caution-hate",
        case(ASSAULT, "adult-simple-caution", hate_crime=True),
        ("approve", None),
    ),
    # p14: a warning is for a small quantity of cannabis or khat
    ("khat-warning", case(KHAT, "cannabis-warning"), ("approve", None)),
    # p15: never a community resolution for an indictable-only offence or intimate-partner DA
    ("cr-indictable-only", case(ROBBERY, "community-resolution", suspect_age=15), ("refuse", None)),
    (
        "cr-intimate-partner",
        case(ASSAULT, "community-resolution", domestic_abuse="intimate-partner"),
        ("refuse", None),
    ),
    # p15: hate crime and non-intimate DA only exceptionally, with an Inspector
    (
        "cr-family-da",
        case(ASSAULT, "community-resolution", domestic_abuse="family"),
        ("escalate", "inspector"),
    ),
    ("cr-hate", case(ASSAULT, "community-resolution", hate_crime=True), ("escalate", "inspector")),
    ("cr-plain", case(SHOPLIFTING, "community-resolution", suspect_age=19), ("approve", None)),
    ("cr-denied", case(SHOPLIFTING, "community-resolution", admits=False), ("refuse", None)),
    # p15 and p10: a child's knife possession takes neither a community resolution nor a caution
    ("cr-child-knife", case(KNIFE, "community-resolution", suspect_age=16), ("refuse", None)),
    ("child-caution-knife", case(KNIFE, "youth-caution", suspect_age=15), ("refuse", None)),
    (
        "child-conditional-knife",
        case(KNIFE, "youth-conditional-caution", suspect_age=15),
        ("approve", None),
    ),
    # p10: a youth caution for an indictable-only offence needs the CPS
    ("youth-caution-robbery", case(ROBBERY, "youth-caution", suspect_age=14), ("escalate", "cps")),
    ("youth-caution-theft", case(SHOPLIFTING, "youth-caution", suspect_age=13), ("approve", None)),
    (
        "youth-caution-no-admission",
        case(SHOPLIFTING, "youth-caution", suspect_age=16, admits=False),
        ("refuse", None),
    ),
    ("youth-caution-adult", case(SHOPLIFTING, "youth-caution", suspect_age=18), ("refuse", None)),
    # p11: adults; history in the last two years needs an Inspector; indictable-only the CPS
    (
        "adult-caution-17",
        case(ASSAULT, "adult-simple-caution", suspect_age=17, hate_crime=True),
        ("refuse", None),
    ),
    (
        "adult-caution-recent",
        case(
            ASSAULT,
            "adult-simple-caution",
            domestic_abuse="intimate-partner",
            history=[{"type": "caution", "date": "2025-07-14", "offence": "common assault"}],
        ),
        ("escalate", "inspector"),
    ),
    (
        "adult-caution-old",
        case(
            ASSAULT,
            "adult-simple-caution",
            domestic_abuse="intimate-partner",
            history=[{"type": "caution", "date": "2024-08-02", "offence": "common assault"}],
        ),
        ("approve", None),
    ),
    ("adult-conditional-robbery", case(ROBBERY, "adult-conditional-caution"), ("escalate", "cps")),
    # p14: penalty notices and cannabis warnings only from 18; a warning only for cannabis
    ("pnd-17", case(SHOPLIFTING, "penalty-notice", suspect_age=17), ("refuse", None)),
    ("cannabis-16", case(CANNABIS, "cannabis-warning", suspect_age=16), ("refuse", None)),
    ("cannabis-24", case(CANNABIS, "cannabis-warning", suspect_age=24), ("approve", None)),
    ("cannabis-for-cocaine", case(COCAINE, "cannabis-warning"), ("refuse", None)),
    # p22-23: diversion needs no admission; domestic abuse needs an Inspector
    (
        "diversion-da",
        case(ASSAULT, "diversion", admits=False, domestic_abuse="family"),
        ("escalate", "inspector"),
    ),
    ("diversion-plain", case(SHOPLIFTING, "diversion", admits=False), ("approve", None)),
]


@pytest.mark.parametrize(("facts", "want"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES])
def test_the_rules_give_what_the_guidance_says(
    catalogue: Catalogue, facts: CaseFacts, want: tuple[str, str | None]
) -> None:
    assert decision(catalogue, facts) == want


UNCLEAR = [
    # p10 and p14 say nothing of domestic abuse or hate crime for these disposals
    ("youth-caution-hate", case(SHOPLIFTING, "youth-caution", suspect_age=15, hate_crime=True)),
    (
        "cannabis-warning-partner",
        case(CANNABIS, "cannabis-warning", domestic_abuse="intimate-partner"),
    ),
    # p11: offences in Appendix B need an Inspector, and the list is not in the guidance
    ("adult-caution-either-way", case(SHOPLIFTING, "adult-conditional-caution")),
    # p14: the penalty notice scheme's offences are not listed
    ("pnd-adult", case(SHOPLIFTING, "penalty-notice")),
    # p15: "check PNC ... eligible" without a rule for a community resolution
    (
        "cr-with-history",
        case(
            SHOPLIFTING,
            "community-resolution",
            history=[{"type": "caution", "date": "2026-01-01", "offence": "theft"}],
        ),
    ),
    # two different authorities are not ranked
    (
        "recent-history-and-indictable-only",
        case(
            ROBBERY,
            "adult-conditional-caution",
            history=[{"type": "conviction", "date": "2026-01-01", "offence": "robbery"}],
        ),
    ),
]


@pytest.mark.parametrize("facts", [e[1] for e in UNCLEAR], ids=[e[0] for e in UNCLEAR])
def test_cases_the_guidance_does_not_decide_are_unclear(
    catalogue: Catalogue, facts: CaseFacts
) -> None:
    assert permitted(facts, catalogue).verdict == "unclear"


def test_a_refusal_outweighs_what_is_unclear(catalogue: Catalogue) -> None:
    # a penalty notice's scope is unclear, but no one under 18 may have one at all
    assert decision(catalogue, case(ASSAULT, "penalty-notice", suspect_age=16)) == ("refuse", None)


def test_the_deciding_card_is_the_condition_that_decides(catalogue: Catalogue) -> None:
    assert permitted(case(ROBBERY, "community-resolution"), catalogue).rule == (
        "disposal-indictable-only"
    )
    recent = case(
        ASSAULT,
        "adult-simple-caution",
        hate_crime=True,
        history=[{"type": "conviction", "date": "2026-09-01", "offence": "assault"}],
    )
    assert permitted(recent, catalogue).rule == "disposal-offending-history"


def test_a_condition_card_teaches_only_the_disposals_it_speaks_of(catalogue: Catalogue) -> None:
    """The intimate-partner card is about community resolutions (Outcomes 2026 p15); a diversion
    course for a partner's harassment is decided by outcome 22's own rule (p23)."""
    partner = {"domestic_abuse": "intimate-partner"}
    resolution = permitted(case(ASSAULT, "community-resolution", **partner), catalogue)
    assert resolution.rule == "disposal-intimate-partner-da"
    diversion = permitted(case(ASSAULT, "diversion", **partner), catalogue)
    assert (diversion.verdict, diversion.authority) == ("escalate", "inspector")
    assert diversion.rule == "outcome-diversion-deferred"
    recent = [{"type": "caution", "date": "2026-09-01", "offence": "theft"}]
    youth = permitted(case(SHOPLIFTING, "youth-caution", suspect_age=15, history=recent), catalogue)
    assert youth.rule != "disposal-offending-history"  # that card is about adult cautions


def test_every_disposal_is_judged_for_a_case(catalogue: Catalogue) -> None:
    found = {
        p.disposal: p.verdict for p in permitted_disposals(case(ROBBERY, "diversion"), catalogue)
    }
    assert found["community-resolution"] == "refuse"
    assert found["youth-caution"] == "refuse"  # a 30-year-old
    assert found["adult-conditional-caution"] == "escalate"
    assert set(found) == {d.id for d in catalogue.disposals}


@pytest.mark.parametrize(
    ("when", "decided", "inside"),
    [
        ("2024-10-01", "2026-10-01", True),  # exactly two years
        ("2024-09-30", "2026-10-01", False),
        ("2026-10-01", "2026-10-01", True),
        ("2024-02-29", "2026-02-28", True),
    ],
)
def test_two_years_before_the_decision(when: str, decided: str, inside: bool) -> None:
    assert within_two_years(when, decided) is inside


def test_every_home_office_code_has_its_mode_of_trial(catalogue: Catalogue) -> None:
    modes = [h.mode for o in catalogue.offences for h in o.ho_codes]
    assert "" not in modes and set(modes) == {"I", "E", "S"}
    assert catalogue.ho_code("34B", "034/01").mode == "I"  # type: ignore[union-attr]
    assert catalogue.ho_code("105A", "105/01").mode == "S"  # type: ignore[union-attr]
    assert catalogue.ho_code("8N", "008/06").mode == "E"  # type: ignore[union-attr]
