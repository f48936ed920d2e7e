"""The offence search: codes, police words and plain words find the right classes, best first."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from trainer.core import paths
from trainer.core.content.catalogue import (
    Catalogue,
    HomeOfficeCode,
    Offence,
    SearchTerm,
    load_catalogue,
)
from trainer.core.content.offence_search import OffenceIndex, find_offences
from trainer.core.errors import TrainerError

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "domain" / "sources"


def codes(catalogue: Catalogue, text: str) -> list[str]:
    return [m.offence.code for m in find_offences(catalogue, text)]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("affray", ["66"]),
        ("Affray", ["66"]),
        ("GBH", ["5D", "8N"]),
        ("gbh with intent", ["5D"]),
        ("ABH", ["8N"]),
        ("actual bodily harm", ["8N"]),
        ("wounding", ["5D", "8N"]),
        ("common assault", ["105A", "104"]),
        ("s.47", ["8N"]),
        ("s47", ["8N"]),
        ("S 47", ["8N"]),
        ("section 47", ["8N"]),
        ("s.18", ["5D"]),
        ("s.20", ["8N"]),
        ("TWOC", ["48"]),
        ("bilking", ["49A"]),
        ("mugging", ["34B", "39"]),
        ("flashing", ["88E"]),
        ("malicious comms", ["8R"]),
        ("coercive control", ["8U"]),
        ("criminal damage", ["58A", "58B", "58C", "58D"]),
        ("shoplifting", ["46"]),
        ("burglary dwelling", ["28I", "28J", "28K", "28L"]),
        ("going equipped", ["33"]),
        ("PWITS", ["92A"]),
        ("harassment", ["8L"]),
        ("stalking", ["8Q"]),
        ("upskirting", ["88E"]),
        ("revenge porn", ["88C"]),
        ("sexting", ["86", "22B"]),
        ("threats to kill", ["3B", "8R"]),  # by text or online more likely 8R (CRR p38)
        ("burglary", ["28I", "28M", "30C"]),  # a home first, not the business class
        ("attempted burglary", ["28J", "28N", "30D"]),
        ("break-in", ["28I"]),
        ("spiking", ["8N", "5E", "88C"]),  # intent unknown 8N, sexual 88C (CRR p46)
        ("s4", ["9A", "8L", "9B"]),  # public order s.4 and harassment s.4, not s.47
        ("cannabis", ["92E", "92A"]),  # not 92D, which excludes cannabis
        ("28J", ["28J"]),
        ("28j", ["28J"]),
        ("28J Attempted Residential Burglary of a Home", ["28J"]),
        ("8N assault with", ["8N"]),
        ("4/1", ["4/1"]),
        ("008/06", ["8N", "8S", "8T"]),
        ("burglary of a home", ["28I", "28J"]),
        ("  Theft from the person ", ["39"]),
    ],
)
def test_everyday_words_find_the_right_classes_first(
    catalogue: Catalogue, text: str, first: list[str]
) -> None:
    assert codes(catalogue, text)[: len(first)] == first


@pytest.mark.parametrize("text", ["", "   ", "zzzz", "affray qqq", "!!"])
def test_no_match_is_an_empty_list(catalogue: Catalogue, text: str) -> None:
    assert find_offences(catalogue, text) == []


def test_typing_a_word_shows_its_class_from_the_first_letters(catalogue: Catalogue) -> None:
    assert codes(catalogue, "aff")[0] == "66"
    assert codes(catalogue, "GB")[:2] == ["5D", "8N"]
    assert "105A" in codes(catalogue, "common ass")[:2]


def test_what_matched_is_reported_with_the_source_of_a_police_word(catalogue: Catalogue) -> None:
    [first, *_] = find_offences(catalogue, "ABH")
    assert first.matched == "police word: ABH"
    assert "008/06" in first.source
    assert first.to_json_dict() == {
        "code": "8N",
        "name": "Assault with Injury",
        "group": "violence-against-the-person",
        "matched": "police word: ABH",
        "source": first.source,
    }
    affray = find_offences(catalogue, "public order act 1986 sec 3")
    assert affray[0].offence.code == "66"
    assert affray[0].matched == ("Home Office offence 066/01: Affray Public Order Act 1986 Sec 3")


def _offence(code: str, name: str, listed: str = "") -> Offence:
    ho = (HomeOfficeCode(code="999/99", name=listed),) if listed else ()
    return Offence(code=code, name=name, group="theft", ho_codes=ho)


def test_ranking_exact_code_then_word_then_name_start_then_name_words_then_listed() -> None:
    catalogue = Catalogue(
        edition="t",
        edition_id="t",
        in_force_from="2026-04-01",
        offences=(
            _offence("9Z", "Other things", listed="Something abc thing"),
            _offence("10", "Thing abc"),
            _offence("11", "Abc thing"),
            _offence("12", "Unrelated"),
            _offence("ABC", "Zed"),
            _offence("13", "Second abc"),
        ),
        incident_codes=(),
        flags=(),
        cancellation_reasons=(),
        rule_cards=(),
        search_terms=(SearchTerm(words=("abc",), classes=("12",), source="CRR p.1"),),
    )
    index = OffenceIndex(catalogue)
    found = index.search("abc")
    assert [m.offence.code for m in found] == ["ABC", "12", "11", "10", "13", "9Z"]
    assert [m.matched for m in found][:4] == [
        "code",
        "police word: abc",
        "start of the name",
        "words of the name",
    ]
    assert index.search("abc") == found  # the same text, the same list


def test_police_words_are_checked_against_the_catalogue(tmp_path: Path) -> None:
    for source in paths.catalogue_dir().glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    terms = tmp_path / "search-terms-2026-27.yaml"
    terms.write_text(
        "search_terms:\n- words: [ABH]\n  classes: [8N]\n  source: NOL 105/01 wrong code\n",
        encoding="utf-8",
    )
    with pytest.raises(TrainerError, match=r"search-terms-2026-27.yaml: .*105/01 is not filed"):
        load_catalogue(folder=tmp_path)
    terms.write_text(
        "search_terms:\n- words: [ABH]\n  classes: [8N]\n  source: a friend said so\n",
        encoding="utf-8",
    )
    with pytest.raises(TrainerError, match=r"search-terms-2026-27.yaml: search_terms.0.source"):
        load_catalogue(folder=tmp_path)


def test_hate_crime_is_a_flag_not_a_police_word_for_a_class(catalogue: Catalogue) -> None:
    words = {w.casefold() for t in catalogue.search_terms for w in t.words}
    assert "hate crime" not in words
    assert {"abh", "gbh", "affray", "common assault", "twoc", "bilking"} <= words


def test_listed_offences_carry_act_and_section(catalogue: Catalogue) -> None:
    [abh] = [h for h in catalogue.offence_by_code["8N"].ho_codes if h.code == "008/06"]
    assert (abh.act, abh.section) == ("Offences against the Person Act 1861", "Sec 47")
    [murder] = [h for h in catalogue.offence_by_code["1"].ho_codes if h.code == "001/01"]
    assert [o.name for o in murder.offences] == [
        "Murder of persons aged 1 yr or over",
        "Genocide or crime against humanity",
    ]


@pytest.mark.skipif(
    not SOURCES.exists(), reason="the shared Home Office sources are not beside the project"
)
def test_every_rules_page_cited_for_a_police_word_names_it_or_its_class(
    catalogue: Catalogue,
) -> None:
    text = (SOURCES / "crime-recording-rules-2026_27-April-v2.txt").read_text(encoding="utf-8")
    parts = re.split(r"--- page (\d+) ---", text)
    pages = {
        int(n): " ".join(body.split()).casefold()
        for n, body in zip(parts[1::2], parts[2::2], strict=True)
    }
    for term in catalogue.search_terms:
        for page in re.findall(r"p\.(\d+)", term.source):
            body = pages[int(page)]
            named = [w for w in term.words if w.casefold() in body]
            classes = [c for c in term.classes if re.search(rf"\b{c.casefold()}\b", body)]
            assert named or classes, f"{term.words[0]}: CRR p.{page}"
