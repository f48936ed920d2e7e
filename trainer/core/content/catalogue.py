"""The counting-rules catalogue: offence classes, incident codes, flags, cancellations, rule cards.

The catalogue is data (YAML under trainer/data/catalogue), named for the edition of the Home Office
rules it follows, and validated with pydantic (see `validation`) when loaded from its YAML.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from trainer.core import paths
from trainer.core.content.constraints import FORBID_EXTRA, SLUG_PATTERN, Constraints, NonBlank
from trainer.core.errors import TrainerError

DEFAULT_EDITION = "2026-27"
# A search term's source: a Crime Recording Rules page or a Home Office code on the list, or both.
SOURCE_PATTERN = r"^(CRR p\.\d+|NOL \d{3}/\d{2})\b.*$"

GROUP_NAMES = {
    "violence-against-the-person": "Violence against the person",
    "sexual-offences": "Sexual offences",
    "robbery": "Robbery",
    "burglary": "Burglary",
    "vehicle-offences": "Vehicle offences",
    "theft": "Theft",
    "arson-and-criminal-damage": "Arson and criminal damage",
    "drug-offences": "Drug offences",
    "possession-of-weapons": "Possession of weapons",
    "public-order-offences": "Public order offences",
    "miscellaneous-crimes-against-society": "Miscellaneous crimes against society",
}
# The crime group of answers whose key records no crime class (incidents, referrals, cancellation
# reviews, outcome decisions), as the summary tables store it, and the name it is shown by.
NO_CRIME_GROUP = "(no crime)"
NO_CRIME_GROUP_NAME = "No crime class (incidents, reviews, outcomes)"


def group_title(key: str) -> str:
    """A crime group's name as trainees and supervisors read it."""
    return NO_CRIME_GROUP_NAME if key == NO_CRIME_GROUP else GROUP_NAMES.get(key, key)


@dataclass(frozen=True, kw_only=True)
class ListedOffence:
    """A further offence the Notifiable Offence List files under the same Home Office code."""

    __pydantic_config__ = FORBID_EXTRA

    name: str
    act: str = ""
    section: str = ""


@dataclass(frozen=True, kw_only=True)
class HomeOfficeCode:
    """A Home Office offence code under a class: the list's wording, Act and section."""

    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str
    act: str = ""
    section: str = ""
    max_sentence: str = ""
    basis: Literal["victim", "state", "both", ""] = ""
    # Mode of trial from the list's Mode column: I indictable-only, E either-way, S summary.
    mode: Literal["I", "E", "S", ""] = ""
    other_offences: tuple[ListedOffence, ...] = ()

    @property
    def offences(self) -> tuple[ListedOffence, ...]:
        """Every offence listed under this code, its own first."""
        own = ListedOffence(name=self.name, act=self.act, section=self.section)
        return (own, *self.other_offences)


@dataclass(frozen=True, kw_only=True)
class Offence:
    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str
    group: str
    subgroup: str = ""
    victim_based: bool = True
    counting_rule: str = ""  # the rule card that holds this class's counting rule
    ho_codes: tuple[HomeOfficeCode, ...] = ()

    @property
    def group_name(self) -> str:
        return GROUP_NAMES.get(self.group, self.group)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True, kw_only=True)
class IncidentSubcode:
    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class IncidentCode:
    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str
    explanation: str
    subcodes: tuple[IncidentSubcode, ...] = ()
    rule: str = ""  # the rule card a wrong code of this class is blamed on, if any


@dataclass(frozen=True, kw_only=True)
class Flag:
    __pydantic_config__ = FORBID_EXTRA

    id: str
    name: str
    explanation: str
    rule: str = ""  # the flag's own rule card


@dataclass(frozen=True, kw_only=True)
class CancellationReason:
    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str
    when: str
    authorised_by: str
    rule: str = ""  # the rule card for this reason


@dataclass(frozen=True, kw_only=True)
class OutcomeType:
    """A Home Office outcome type a crime is finalised with, and its conditions (OG26)."""

    __pydantic_config__ = FORBID_EXTRA

    code: str
    name: str
    conditions: str
    rule: str  # the rule card that holds its conditions


# What a condition means for a proposed disposal: allowed at the reviewer's level, refused,
# allowed only with that authority, or a case the outcomes guidance does not decide.
Permission = Literal["allow", "refuse", "inspector", "superintendent", "cps", "unclear"]


@dataclass(frozen=True, kw_only=True)
class DisposalType:
    """An out-of-court disposal an officer may propose, with its conditions as data (OG26).

    Each condition names the rule card that holds it; `disposals.permitted` applies them."""

    __pydantic_config__ = FORBID_EXTRA

    id: str
    name: str
    outcome: str  # the outcome type code it finalises the crime with
    rule: str
    min_age: int = 10
    max_age: int = 120
    needs_admission: bool = True
    only_ho_codes: tuple[str, ...] = ()  # when given, the only offences it may be used for
    summary: Permission = "allow"
    either_way: Permission = "allow"
    indictable_only: Permission = "allow"
    intimate_partner_da: Permission = "allow"
    other_da: Permission = "allow"
    hate_crime: Permission = "allow"
    neither_da_nor_hate: Permission = "allow"
    knife_possession_under_18: Permission = "allow"
    history_within_two_years: Permission = "allow"
    older_history: Permission = "allow"
    # The guidance says "Inspector or higher" (an adult caution, p11-12): a Superintendent's
    # authority then does as well as an Inspector's.
    higher_rank_may_authorise: bool = False


@dataclass(frozen=True, kw_only=True)
class ConditionCard:
    """The rule card a disposal condition is taught (and a wrong decision blamed) by: for the
    disposals it names, or for every disposal when it names none."""

    __pydantic_config__ = FORBID_EXTRA

    condition: str
    rule: str
    disposals: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Distinction:
    """The rule card that separates two offence classes trainees confuse (e.g. 28J and 58A)."""

    __pydantic_config__ = FORBID_EXTRA

    classes: Annotated[tuple[str, ...], Constraints(min_length=2, max_length=2)]
    rule: str


@dataclass(frozen=True, kw_only=True)
class RuleCard:
    __pydantic_config__ = FORBID_EXTRA

    id: Annotated[str, Constraints(pattern=SLUG_PATTERN)]
    title: str
    source: str
    explanation: str


@dataclass(frozen=True, kw_only=True)
class SearchTerm:
    """Everyday police words for an offence, the classes they name (most likely first) and the
    source that says so: a page of the Crime Recording Rules or a Home Office code on the list."""

    __pydantic_config__ = FORBID_EXTRA

    words: Annotated[tuple[NonBlank, ...], Constraints(min_length=1)]
    classes: Annotated[tuple[str, ...], Constraints(min_length=1)]
    source: Annotated[str, Constraints(pattern=SOURCE_PATTERN)]


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    __pydantic_config__ = FORBID_EXTRA

    edition: str
    edition_id: str
    in_force_from: str
    offences: tuple[Offence, ...]
    incident_codes: tuple[IncidentCode, ...]
    flags: tuple[Flag, ...]
    cancellation_reasons: tuple[CancellationReason, ...]
    rule_cards: tuple[RuleCard, ...]
    search_terms: tuple[SearchTerm, ...] = ()
    distinctions: tuple[Distinction, ...] = ()
    outcome_types: tuple[OutcomeType, ...] = ()
    disposals: tuple[DisposalType, ...] = ()
    condition_cards: tuple[ConditionCard, ...] = ()
    knife_possession_codes: tuple[str, ...] = ()  # Home Office codes of knife possession
    # Scenario topic tag -> the plain name shown for it. Left out of equality and hashing
    # (a dict is not hashable), as the edition already tells two catalogues apart.
    topics: dict[Annotated[str, Constraints(pattern=SLUG_PATTERN)], str] = field(
        default_factory=dict, compare=False
    )

    def check(self) -> None:
        """Raise ValueError if an id is used twice, an offence names an unknown crime group, or
        a reference (a class's counting rule, a flag's card, a distinction) names nothing."""
        for what, ids in (
            ("offence code", [o.code for o in self.offences]),
            ("incident code", [i.code for i in self.incident_codes]),
            ("flag", [f.id for f in self.flags]),
            ("cancellation code", [c.code for c in self.cancellation_reasons]),
            ("rule card", [r.id for r in self.rule_cards]),
            ("outcome type", [o.code for o in self.outcome_types]),
            ("disposal", [d.id for d in self.disposals]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {what}: {', '.join(dupes)}")
        unknown = sorted({o.group for o in self.offences} - GROUP_NAMES.keys())
        if unknown:
            raise ValueError(f"unknown crime group: {', '.join(unknown)}")
        self._check_search_terms()
        self._check_references()

    def _check_search_terms(self) -> None:
        """Each word once; each class known; each Home Office code cited filed under one of the
        term's classes (a word must not be tied to a class its source does not support)."""
        words = [" ".join(w.casefold().split()) for t in self.search_terms for w in t.words]
        dupes = sorted({w for w in words if words.count(w) > 1})
        if dupes:
            raise ValueError(f"search term listed twice: {', '.join(dupes)}")
        for term in self.search_terms:
            unknown = [c for c in term.classes if c not in self.offence_by_code]
            if unknown:
                raise ValueError(f"search term {term.words[0]!r}: unknown class {unknown[0]}")
            filed = {h.code for c in term.classes for h in self.offence_by_code[c].ho_codes}
            cited = re.findall(r"\b\d{3}/\d{2}\b", term.source)
            stray = [code for code in cited if code not in filed]
            if stray:
                raise ValueError(
                    f"search term {term.words[0]!r}: {stray[0]} is not filed under "
                    f"{', '.join(term.classes)}"
                )

    def _check_references(self) -> None:
        cards = {r.id for r in self.rule_cards}
        for offence in self.offences:
            if offence.counting_rule not in cards:
                raise ValueError(
                    f"offence {offence.code}: counting_rule {offence.counting_rule!r} "
                    "is not a rule card"
                )
        for flag in self.flags:
            if flag.rule not in cards:
                raise ValueError(f"flag {flag.id}: rule {flag.rule!r} is not a rule card")
        for what, code, rule in [
            *(("incident code", i.code, i.rule) for i in self.incident_codes),
            *(("cancellation reason", c.code, c.rule) for c in self.cancellation_reasons),
        ]:
            if rule and rule not in cards:
                raise ValueError(f"{what} {code}: rule {rule!r} is not a rule card")
        outcomes = {o.code for o in self.outcome_types}
        for what, code, rule in [
            *(("outcome type", o.code, o.rule) for o in self.outcome_types),
            *(("disposal", d.id, d.rule) for d in self.disposals),
            *(("condition", c.condition, c.rule) for c in self.condition_cards),
        ]:
            if rule not in cards:
                raise ValueError(f"{what} {code}: rule {rule!r} is not a rule card")
        known = {d.id for d in self.disposals}
        for c in self.condition_cards:
            for name in c.disposals:
                if name not in known:
                    raise ValueError(
                        f"condition {c.condition}: disposal {name!r} is not a disposal"
                    )
        for disposal in self.disposals:
            if disposal.outcome not in outcomes:
                raise ValueError(
                    f"disposal {disposal.id}: outcome {disposal.outcome!r} is not an outcome type"
                )
        codes = {o.code for o in self.offences}
        pairs: set[frozenset[str]] = set()
        for d in self.distinctions:
            pair = frozenset(d.classes)
            where = f"distinction {'/'.join(d.classes)}"
            if len(pair) != 2 or not pair <= codes:
                raise ValueError(f"{where}: needs two different offence classes in the list")
            if d.rule not in cards:
                raise ValueError(f"{where}: rule {d.rule!r} is not a rule card")
            if pair in pairs:
                raise ValueError(f"{where}: given twice")
            pairs.add(pair)

    # Look-ups -------------------------------------------------------------------------------

    @functools.cached_property
    def offence_by_code(self) -> dict[str, Offence]:
        return {o.code: o for o in self.offences}

    @functools.cached_property
    def flag_by_id(self) -> dict[str, Flag]:
        return {f.id: f for f in self.flags}

    @functools.cached_property
    def rule_by_id(self) -> dict[str, RuleCard]:
        return {r.id: r for r in self.rule_cards}

    @functools.cached_property
    def cancellation_by_code(self) -> dict[str, CancellationReason]:
        return {c.code: c for c in self.cancellation_reasons}

    @functools.cached_property
    def incident_by_code(self) -> dict[str, IncidentCode]:
        return {i.code: i for i in self.incident_codes}

    @functools.cached_property
    def outcome_by_code(self) -> dict[str, OutcomeType]:
        return {o.code: o for o in self.outcome_types}

    @functools.cached_property
    def disposal_by_id(self) -> dict[str, DisposalType]:
        return {d.id: d for d in self.disposals}

    def condition_card(self, condition: str, disposal: DisposalType) -> str:
        """The card that teaches `condition` for `disposal`: the condition's own card where it
        covers that disposal, else the disposal's card."""
        for c in self.condition_cards:
            if c.condition == condition and (not c.disposals or disposal.id in c.disposals):
                return c.rule
        return disposal.rule

    def ho_code(self, offence: str, ho_code: str) -> HomeOfficeCode | None:
        """A Home Office code as filed under one class, if it is."""
        found = self.offence_by_code.get(offence)
        return next((h for h in found.ho_codes if h.code == ho_code), None) if found else None

    def topic_name(self, tag: str) -> str:
        """The plain name of a scenario topic, e.g. 'Lost property (HMIC finding)'."""
        return self.topics.get(tag) or tag.replace("-", " ").capitalize()

    @functools.cached_property
    def distinction_by_pair(self) -> dict[frozenset[str], str]:
        return {frozenset(d.classes): d.rule for d in self.distinctions}

    def distinction(self, one: str, other: str) -> str | None:
        """The rule card that separates two offence classes, if the catalogue names one."""
        return self.distinction_by_pair.get(frozenset((one, other)))

    def group_of(self, code: str) -> str | None:
        offence = self.offence_by_code.get(code)
        return offence.group if offence else None

    def groups(self) -> list[str]:
        """Crime groups in the order of the Home Office list."""
        present = {o.group for o in self.offences}
        return [g for g in GROUP_NAMES if g in present]


def _read_yaml(path: Path) -> object:
    import yaml  # here, not at the top: a start-up served from the caches never needs it

    from trainer.core.content.yaml_source import Refused, SafeLoader, check_events

    try:
        text = path.read_text(encoding="utf-8")
        check_events(text)
        return yaml.load(text, Loader=SafeLoader)
    except Refused as exc:
        where = ".".join(str(p) for p in exc.loc[:4]) or "yaml"
        raise TrainerError(f"{path}:{exc.line}: {where}: {exc.message}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise TrainerError(f"{path}: cannot read the catalogue: {exc}") from exc


@functools.cache
def load_catalogue(edition: str = DEFAULT_EDITION, folder: Path | None = None) -> Catalogue:
    """Load and validate one edition of the catalogue (cached: it never changes while running)."""
    base = folder or paths.catalogue_dir()
    rules_path = base / f"rules-{edition}.yaml"
    offences_path = base / f"offences-{edition}.yaml"
    terms_path = base / f"search-terms-{edition}.yaml"
    if not rules_path.exists():
        raise TrainerError(f"{rules_path}: no catalogue for edition {edition!r}")
    rules = _read_yaml(rules_path)
    offences = _read_yaml(offences_path)
    terms = _read_yaml(terms_path) if terms_path.exists() else {}
    if not isinstance(rules, dict) or not isinstance(offences, dict) or not isinstance(terms, dict):
        raise TrainerError(f"{base}: catalogue files must be YAML mappings")
    from trainer.core.content.validation import ValidationError, validate

    try:
        catalogue = validate(
            Catalogue,
            {
                **rules,
                "offences": offences.get("offences", []),
                "search_terms": terms.get("search_terms", []),
            },
        )
        catalogue.check()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        path = {"offences": offences_path, "search_terms": terms_path}.get(
            str(first["loc"][0]) if first["loc"] else "", rules_path
        )
        raise TrainerError(f"{path}: {where}: {first['msg']}") from exc
    except ValueError as exc:
        path = terms_path if str(exc).startswith("search term") else rules_path
        raise TrainerError(f"{path}: {exc}") from exc
    return catalogue
