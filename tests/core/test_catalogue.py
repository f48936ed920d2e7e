"""The counting-rules catalogue: complete for the digest's classes, nothing invented."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core import paths
from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.errors import TrainerError

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "domain" / "sources"

# Every class named in section 3 of the 2026/27 digest.
DIGEST_CLASSES = """
1 2 4/1 3B 5D 5E 8N 105A 8P 105B 8S 104 8T 8L 8Q 8M 8U 8R 19C 19F
19D 19G 19E 19H 19J 19K 17A 20A 17B 20B 21 22A 22B 88E 88A 88C 86 34B 34A 28I
28M 28J 28N 28K 28L 28O 28P 29B 29C 31A 30C 30D 37/2 37/1 48 45 126 39 46 44
40 41 42 49 54 33 49A 58A 58B 58C 58D 58J 56A 56B 59 9A 9B 62A 66 10A
10B 10C 10D 81 92A 92D 92E 92C 106 11A 36 35 79 4/4 4/6 4/8 4/9 802
""".split()  # noqa: SIM905

REQUIRED_FLAGS = [
    "domestic-abuse",
    "hate-race",
    "hate-religion",
    "hate-disability",
    "hate-sexual-orientation",
    "hate-transgender",
    "online",
    "child-sexual-abuse",
]
REQUIRED_RULES = [
    "ncrs-when-to-record",
    "victim-account-balance-of-probabilities",
    "third-party-reports",
    "decision-within-24-hours",
    "one-crime-per-victim",
    "finished-incident-rule",
    "principal-crime-rule",
    "crime-location",
    "n100-reported-rape",
    "cancellation-c1-transferred",
    "cancellation-c2-avi",
    "cancellation-c3-duplicate",
    "cancellation-c4-error",
    "cancellation-c5-self-defence",
    "burglary-entry-point-damage",
    "theft-vs-lost-property",
    "shoplifting-recorded",
    "sexual-offence-disclosures",
]


def test_every_digest_class_is_in_the_catalogue(catalogue: Catalogue) -> None:
    missing = [c for c in DIGEST_CLASSES if c not in catalogue.offence_by_code]
    assert missing == []


def test_offences_carry_group_and_home_office_codes(catalogue: Catalogue) -> None:
    abh = catalogue.offence_by_code["8N"]
    assert abh.group == "violence-against-the-person"
    assert {"008/06", "008/01"} <= {h.code for h in abh.ho_codes}
    assert catalogue.offence_by_code["28J"].group == "burglary"
    assert catalogue.offence_by_code["58C"].group == "arson-and-criminal-damage"
    assert catalogue.offence_by_code["19H"].group == "sexual-offences"


def test_flags_cancellations_incidents_and_rules(catalogue: Catalogue) -> None:
    assert set(REQUIRED_FLAGS) <= set(catalogue.flag_by_id)
    assert [c.code for c in catalogue.cancellation_reasons] == ["C1", "C2", "C3", "C4", "C5"]
    assert all(c.authorised_by for c in catalogue.cancellation_reasons)
    assert "N100" in catalogue.incident_by_code
    assert set(REQUIRED_RULES) <= set(catalogue.rule_by_id)
    assert all(
        r.source.startswith(("CRR", "NSIR", "Outcomes", "HOCR")) for r in catalogue.rule_cards
    )


@pytest.mark.skipif(
    not SOURCES.exists(), reason="the shared Home Office sources are not beside the project"
)
def test_no_invented_codes_every_class_is_on_the_notifiable_offence_list(
    catalogue: Catalogue,
) -> None:
    with (SOURCES / "notifiable-offences-2026-27.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["Current"].strip() == "Y"]
    listed: dict[str, set[str]] = {}
    for row in rows:
        m = re.match(r"^(\d+[A-Z]?(?:/\d+)?)\s", row["Offence category"].strip())
        if m:
            listed.setdefault(m.group(1), set()).add(row["Home Office code"].strip())
    for offence in catalogue.offences:
        assert offence.code in listed, offence.code
        assert {h.code for h in offence.ho_codes} <= listed[offence.code], offence.code


def test_a_missing_edition_is_a_clear_error() -> None:
    with pytest.raises(TrainerError, match="no catalogue for edition '1999-00'"):
        load_catalogue("1999-00")


def test_every_topic_in_the_bank_has_a_plain_name(catalogue: Catalogue) -> None:
    used = set()
    for path in ROOT_SCENARIOS.rglob("*.yaml"):
        used |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("topics", []))
    assert used and used <= catalogue.topics.keys()
    assert catalogue.topic_name("hmic-lost-property") == "Lost property (HMIC finding)"
    for tag in used:
        assert catalogue.topic_name(tag)[0].isupper() and catalogue.topic_name(tag) != tag


def test_an_unnamed_topic_still_reads_as_words(catalogue: Catalogue) -> None:
    assert catalogue.topic_name("garden-sheds") == "Garden sheds"


def test_a_topic_name_must_be_text(tmp_path: Path) -> None:
    for source in paths.catalogue_dir().glob("*-2026-27.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.name.startswith("rules"):
            text = text.replace("  arson: Arson\n", "  arson: [Arson]\n", 1)
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    with pytest.raises(TrainerError, match=r"rules-2026-27.yaml: topics\.arson: "):
        load_catalogue("2026-27", tmp_path)


def test_every_class_names_the_card_holding_its_counting_rule(catalogue: Catalogue) -> None:
    for offence in catalogue.offences:
        assert offence.counting_rule in catalogue.rule_by_id, offence.code


def test_every_flag_and_reason_names_its_own_card(catalogue: Catalogue) -> None:
    assert all(f.rule in catalogue.rule_by_id for f in catalogue.flags)
    assert all(c.rule in catalogue.rule_by_id for c in catalogue.cancellation_reasons)
    assert catalogue.incident_by_code["N100"].rule == "n100-reported-rape"


def test_distinctions_pair_two_known_classes_with_a_card(catalogue: Catalogue) -> None:
    assert catalogue.distinctions
    for d in catalogue.distinctions:
        assert len(set(d.classes)) == 2 and set(d.classes) <= catalogue.offence_by_code.keys()
        assert d.rule in catalogue.rule_by_id
    assert catalogue.distinction("58A", "28J") == catalogue.distinction("28J", "58A")
    assert catalogue.distinction("28J", "58A") == "burglary-entry-point-damage"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "counting_rule: making-off-without-payment",
            "counting_rule: no-such-card",
            "offence 49A: counting_rule 'no-such-card' is not a rule card",
        ),
        ("rule: online-flag}", "rule: nope}", "flag online: rule 'nope' is not a rule card"),
        (
            '{classes: ["28J", "58A"], rule: burglary-entry-point-damage}',
            '{classes: ["28J", "99Z"], rule: burglary-entry-point-damage}',
            "distinction 28J/99Z: needs two different offence classes",
        ),
        (
            '{classes: ["28J", "58A"], rule: burglary-entry-point-damage}',
            '{classes: ["28J", "58A"], rule: nope}',
            "distinction 28J/58A: rule 'nope' is not a rule card",
        ),
        (
            "disposals: [community-resolution]}",
            "disposals: [community-resolutions]}",
            "condition intimate_partner_da: disposal 'community-resolutions' is not a disposal",
        ),
    ],
)
def test_a_catalogue_naming_a_missing_card_or_class_is_refused(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    source = paths.catalogue_dir()
    for path in source.glob("*-2026-27.yaml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(TrainerError, match=re.escape(message)):
        load_catalogue("2026-27", tmp_path)


# Rules that decide keys in the bank and must be on a card, not only in a scenario's feedback
# (pages of the Crime Recording Rules 2026/27 unless stated).
CARD_HOLDS = {
    "firearms-and-imitation-firearms": ["10B", "imitation firearm in a public place", "10A"],
    "shoplifting-recorded": ["theft by an employee (41)", "non-public area", "till", "(30C)"],
    "rape-classes-by-age": ["12-year-old girl", "15-year-old boyfriend"],  # p20 Example 1
    "threats-and-communications": ["grossly offensive", "A single message can be"],  # p59
    "crime-location": ["suspect's most recent confirmed residence"],  # p15
    "fraud-report-fraud": ["PNC-registered", "NFIB passes", "always recorded locally"],  # p97-98
    "weapons-and-drugs": ["group of offenders", "10B", "approved field test", "admission"],
    "other-flags": ["forensically confirmed attempt", "honour of a person, family or community"],
    "cancellation-c4-error": ["C2, not C4"],
    "one-crime-per-victim-exceptions": ["once for each business robbed"],  # p72
}


@pytest.mark.parametrize("card", sorted(CARD_HOLDS))
def test_rule_cards_hold_the_deciding_rules(catalogue: Catalogue, card: str) -> None:
    text = catalogue.rule_by_id[card].explanation
    assert [p for p in CARD_HOLDS[card] if p not in text] == []


def test_the_c2_card_uses_only_the_sources_examples(catalogue: Catalogue) -> None:
    c2 = catalogue.rule_by_id["cancellation-c2-avi"]
    assert "finance company" not in c2.explanation
    assert "simply fell" in c2.explanation and "before any police involvement" in c2.explanation


def _nol_modes() -> Any:
    spec = importlib.util.spec_from_file_location(
        "nol_modes", Path(__file__).resolve().parents[2] / "packaging" / "nol_modes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_mode_script_reads_each_codes_own_row(tmp_path: Path) -> None:
    modes = _nol_modes()
    listing = tmp_path / "list.csv"
    listing.write_text(
        "Home Office code,Mode,Offence category,Offence,Current\n"
        "034/01,I,34B Robbery of Personal Property,Robbery -  personal,Y\n"
        "149/00,E,58B Criminal Damage to a building ,Other criminal damage under £5000,Y\n"
        "149/00,S,58B Criminal Damage to a building ,Other criminal damage (summary),Y\n"
        "105/01,I ,105A Assault without Injury,Common assault and battery,N\n",
        encoding="utf-8",
    )
    found = modes.listed_modes(listing)
    assert found == {
        ("34B", "034/01", "Robbery - personal"): "I",
        ("58B", "149/00", "Other criminal damage under £5000"): "E",
        ("58B", "149/00", "Other criminal damage (summary)"): "S",
    }  # rows no longer current are left out
    entry = modes.with_mode({"code": "1", "name": "x", "other_offences": [], "basis": "v"}, "E")
    assert list(entry) == ["code", "name", "basis", "mode", "other_offences"]


@pytest.mark.skipif(
    not SOURCES.exists(), reason="the shared Home Office sources are not beside the project"
)
def test_every_mode_is_the_one_on_the_list(catalogue: Catalogue) -> None:
    found = _nol_modes().listed_modes(SOURCES / "notifiable-offences-2026-27.csv")
    for offence in catalogue.offences:
        for ho in offence.ho_codes:
            assert found[(offence.code, ho.code, " ".join(ho.name.split()))] == ho.mode
