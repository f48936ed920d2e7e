"""The shipped scenario bank: valid, consistent with the catalogue, and holding its floors."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.coverage import Coverage, measure_coverage
from trainer.core.content.models import Scenario
from trainer.core.content.scenarios import load_library

HMIC_TAGS = [
    "hmic-entry-point-damage",
    "hmic-vehicle-damage-street",
    "hmic-lost-property",
    "hmic-shoplifting",
    "hmic-sexual-disclosure",
    "hmic-violence-unrecorded",
    "hmic-wrong-cancellation",
]
GENERAL_RULES = [
    "ncrs-when-to-record",
    "victim-account-balance-of-probabilities",
    "third-party-reports",
    "one-crime-per-victim",
    "one-crime-per-victim-exceptions",
    "finished-incident-rule",
    "principal-crime-rule",
    "crime-location",
    "fraud-report-fraud",
    "decision-within-24-hours",
]


@pytest.fixture(scope="module")
def bank(catalogue: Catalogue) -> list[Scenario]:
    library = load_library([ROOT_SCENARIOS], catalogue)
    assert [str(p) for p in library.problems] == []
    return [s.scenario for s in library.scenarios]


@pytest.fixture(scope="module")
def coverage(bank: list[Scenario], catalogue: Catalogue) -> Coverage:
    return measure_coverage(bank, catalogue)


def test_the_bank_is_large_enough(bank: list[Scenario]) -> None:
    assert len(bank) >= 120


@pytest.mark.parametrize("tag", HMIC_TAGS)
def test_every_hmic_finding_has_three_scenarios(coverage: Coverage, tag: str) -> None:
    assert coverage.topics[tag] >= 3


@pytest.mark.parametrize("rule", GENERAL_RULES)
def test_every_general_rule_is_exercised_three_times(coverage: Coverage, rule: str) -> None:
    assert coverage.rules[rule] >= 3


def test_every_crime_group_has_three_scenarios(coverage: Coverage, catalogue: Catalogue) -> None:
    thin = {g: coverage.groups[g] for g in catalogue.groups() if coverage.groups[g] < 3}
    assert thin == {}


def test_cancellation_reviews(
    bank: list[Scenario], coverage: Coverage, catalogue: Catalogue
) -> None:
    reviews = [s for s in bank if s.kind == "cancellation"]
    assert len(reviews) >= 15
    for reason in catalogue.cancellation_reasons:
        assert coverage.cancellation_reasons[reason.code] >= 1, reason.code
    assert sum(s.expected.decision == "retain" for s in reviews) >= 5


def test_sexual_offence_disclosures_span_ages_and_routes(bank: list[Scenario]) -> None:
    sexual = [s for s in bank if s.is_sensitive]
    codes = {c.offence for s in sexual for c in s.expected.crimes}
    assert codes & {"19E", "19H", "20B", "17B", "21"}, "children under 13"
    assert codes & {"19D", "19G", "22B"}, "children aged 13 to 15"
    assert codes & {"19C", "19F", "20A", "17A"}, "adults"
    assert any((s.expected.incident_code or "").startswith("N100") for s in sexual)
    assert sum(s.report.channel == "third-party" for s in sexual) >= 2


def test_flags_are_drilled(coverage: Coverage) -> None:
    assert coverage.flags["domestic-abuse"] >= 3
    assert coverage.flags["child-sexual-abuse"] >= 3
    assert sum(n for f, n in coverage.flags.items() if f.startswith("hate-")) >= 3


def test_both_audiences_and_all_difficulties(bank: list[Scenario], coverage: Coverage) -> None:
    with_details = [s for s in bank if "call-handler" in s.audience and s.report.details]
    assert len(with_details) >= 30
    assert coverage.audiences["officer"] >= 30
    assert all(coverage.difficulties[d] >= 15 for d in (1, 2, 3)), coverage.difficulties


def test_decisions_are_mixed(coverage: Coverage) -> None:
    for decision in ("crime", "incident", "refer", "retain", "cancel"):
        assert coverage.decisions[decision] >= 3, decision


def _words(text: str) -> int:
    return len(text.split())


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", text.strip()) if s])


def test_reports_and_feedback_are_the_right_length(bank: list[Scenario]) -> None:
    long_or_short = {
        s.id: _words(s.report.text) for s in bank if not 60 <= _words(s.report.text) <= 200
    }
    assert long_or_short == {}
    wordy = {s.id: _sentences(s.feedback) for s in bank if not 2 <= _sentences(s.feedback) <= 5}
    assert wordy == {}


def test_reports_never_name_the_answer(bank: list[Scenario], catalogue: Catalogue) -> None:
    giveaways = re.compile(
        r"attempted burglary|criminal damage|theft from the person|robbery of|\bHOCR\b|\bNCRS\b"
        r"|principal crime|finished incident|one crime per",
        re.IGNORECASE,
    )
    leaks = {}
    for s in bank:
        if s.kind in ("cancellation", "disposal-review", "outcome"):
            continue  # a review or a finalisation describes the crime as it was recorded
        text = s.report.text + " ".join(d.answer for d in s.report.details)
        if m := giveaways.search(text):
            leaks[s.id] = m.group(0)
        codes = {c.offence for c in s.expected.crimes}
        for code in codes:
            if len(code) > 2 and re.search(rf"\b{re.escape(code)}\b", text):
                leaks[s.id] = code
    assert leaks == {}


def test_ids_are_unique_and_titles_distinct(bank: list[Scenario]) -> None:
    titles = Counter(s.title for s in bank)
    assert [t for t, n in titles.items() if n > 1] == []


def test_every_trap_in_the_bank_is_wrong_and_names_itself_when_fallen_into(
    bank: list[Scenario], catalogue: Catalogue
) -> None:
    from trainer.core.content.traps import implied_answer
    from trainer.core.grading.grade import grade

    for scenario in bank:
        for trap in scenario.expected.traps:
            result = grade(scenario, implied_answer(trap.answer, scenario.expected), catalogue)
            assert result.score < 100, (scenario.id, trap.name)
            named = {f.trap for f in result.findings}
            assert trap.name in named or named & {t.name for t in scenario.expected.traps}, (
                scenario.id,
                trap.name,
            )


# Classes split by the victim's sex (CRR 2026/27 p62, p65). A key in one of them is derivable only
# if the report or a detail's answer states the victim's sex; each entry is the words that state it.
FEMALE_CLASSES = {"19C", "19D", "19E", "19J", "20A", "20B"}
MALE_CLASSES = {"19F", "19G", "19H", "19K", "17A", "17B"}
SEX_SPLIT_CLASSES = FEMALE_CLASSES | MALE_CLASSES
VICTIM_SEX_STATED_BY = {
    "sex-adult-wants-it-on-record": "Karen Wells",
    "sex-attempted-rape-park": "Laura Finch",
    "sex-autistic-boy-experimentation": "SON NOAH",
    "sex-boy-eight-uncle-babysitting": "my son Ethan",
    "sex-bus-hand-between-legs": "Sophie Kendall",
    "sex-ex-partner-after-handover": "Kayleigh Moss",
    "sex-girl-eleven-swimming-pool": "My daughter Grace",
    "sex-girl-fourteen-school-nurse": "she told me that on Friday night",
    "sex-girl-twelve-boyfriend-fourteen": "She says it was her choice",
    "sex-gp-patient-said-stop": "a woman of 24",
    "sex-historic-football-coach": "touched my penis",
    "sex-historic-mothers-boyfriend": "Emma Hartley",
    "sex-man-asleep-flatmates-friend": "being a man",
    "sex-sarc-details-passed": "A woman aged 20",
    "sex-social-worker-childrens-home": "when she turned away",
    "sex-spiked-lemonade": "Ms Shauna Pike",
}


def test_keys_split_by_sex_state_the_victims_sex(bank: list[Scenario]) -> None:
    unstated = {}
    for s in bank:
        if s.kind != "classify" or not {c.offence for c in s.expected.crimes} & SEX_SPLIT_CLASSES:
            continue
        told = " ".join([s.report.text, *(d.answer for d in s.report.details)])
        evidence = VICTIM_SEX_STATED_BY.get(s.id)
        if evidence is None or evidence not in " ".join(told.split()):
            unstated[s.id] = evidence
    assert unstated == {}


# Scenarios tagged with an HMIC finding whose right answer IS the tempting "downgrade" (the phone
# really was lost, the damage really was only damage, the cancellation really is right, a willing
# teenage relationship reported by a neighbour, an old caution that needs no Inspector): their
# traps are the over-recording (or over-escalating) ones instead.
HMIC_LOOKALIKES = {
    "dr-adult-caution-da-older-caution",  # approve: the caution is over two years old
    "acq-drive-off-driver-came-back",
    "acq-phone-cctv-fell-from-pocket",
    "acq-phone-left-somewhere",
    "prop-graffiti-on-front-door",
    "prop-neighbour-throws-brick-through-window",
    "prop-paint-thrown-over-shop-front",
    "rev-audit-lost-wallet-correctly-closed",
    "rev-c1-transferred-reference-held",
    "rev-c2-car-repossessed",
    "rev-c2-cctv-shows-fall",
    "rev-c2-drive-off-paid-next-morning",
    "rev-c2-phone-under-car-seat",
    "rev-c3-duplicate-999-and-online",
    "rev-c4-crime-on-wrong-log",
    "rev-c4-powder-not-a-controlled-drug",
    "rev-c5-taxi-rank-self-defence",
    "sex-willing-teens-neighbour",
}


def test_every_scenario_drilling_an_hmic_finding_has_it_as_a_malpractice_trap(
    bank: list[Scenario],
) -> None:
    drilling = [s for s in bank if any(t.startswith("hmic-") for t in s.topics)]
    without = {s.id for s in drilling if not any(t.malpractice for t in s.expected.traps)}
    assert without == HMIC_LOOKALIKES
    for s in drilling:
        if s.id in HMIC_LOOKALIKES:  # a lookalike still teaches the opposite mistake
            assert s.expected.traps, s.id
