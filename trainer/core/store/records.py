"""Plain values the progress store takes and returns: trainees, sessions, recorded answers."""

from __future__ import annotations

import functools
import json
import os
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trainer.core.content import limits
from trainer.core.errors import TrainerError

if TYPE_CHECKING:  # domain types load lazily: the CLI export and the store do not need them
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.models import Answer, Expected, Finding, Grade
    from trainer.core.content.scenarios import LoadedScenario
    from trainer.core.grading.attempt import Attempt

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KINDS = ("classify", "cancellation", "disposal-review", "outcome")
DECISIONS = (
    "crime", "incident", "refer", "retain", "cancel", "approve", "refuse",
    "escalate-inspector", "escalate-superintendent", "escalate-cps",
)  # fmt: skip
OUTCOME_CODE = re.compile(r"^[1-9][0-9]?[A-Z]?$")  # an outcome type code: 8, 16, 1A
ROLES = ("call-handler", "officer")  # models.AUDIENCES
MAX_NAME = limits.NAME
MAX_STAFF_NUMBER = limits.STAFF_NUMBER


def stored_decision(record: Answer | Expected) -> str:
    """The decision as the decision columns keep it: an escalation names its authority."""
    authority = getattr(record, "authority", None)
    return f"{record.decision}-{authority}" if record.decision == "escalate" else record.decision


def now() -> datetime:
    """The current local time, with its UTC offset, to the millisecond (as stored)."""
    moment = datetime.now().astimezone()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def to_iso(moment: datetime, what: str = "time") -> str:
    """ISO 8601 with milliseconds and the UTC offset, e.g. 2026-11-22T10:15:00.000+00:00."""
    offset = moment.utcoffset()
    if offset is None:
        raise TrainerError(f"{what}: {moment} has no time zone; times must carry their UTC offset")
    if offset.total_seconds() % 60:  # historic offsets with seconds do not fit the format
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact(value: object) -> str:
    """JSON without spaces, as stored."""
    return _ENCODER.encode(value)


def findings_json(findings: Sequence[Finding]) -> str:
    """Findings as stored: their public JSON form, without spaces."""
    return compact([f.to_json_dict() for f in findings])


def malpractice_trap(findings: Sequence[Finding]) -> str | None:
    """The trap an answer fell into when it is a recording failure the inspectorate named."""
    return next((f.trap for f in findings if f.malpractice and f.trap), None)


def new_id() -> str:
    """A UUID version 7 (RFC 9562): random, but ordered by time, so index inserts stay local."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (millis & (1 << 48) - 1) << 80
        | 0x7 << 76
        | (rand >> 62 & 0xFFF) << 64
        | 0b10 << 62
        | rand & (1 << 62) - 1
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=4096)
def _is_slug(value: str) -> bool:
    return SLUG.match(value) is not None


def check_slug(value: str, what: str) -> str:
    if not _is_slug(value):
        raise TrainerError(
            f"{what}: {value!r} must use only lowercase letters, digits and single hyphens"
        )
    return value


# Characters that would let a name or staff number hide or reorder what people read: line breaks,
# NUL and the other control characters (Unicode category Cc), and the bidirectional overrides,
# embeddings, isolates and marks.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unprintable(value: str) -> str | None:
    """A description of the first control or bidi character in `value`, or None."""
    for i, ch in enumerate(value):
        if ch in _BIDI or unicodedata.category(ch) == "Cc":
            return f"character {i + 1} is U+{ord(ch):04X} (a control or direction character)"
    return None


def plain_text(value: str, what: str) -> str:
    """`value` unless it holds a control or bidi character (one check for every way in: forms,
    the command line and bundles); TrainerError otherwise."""
    problem = unprintable(value)
    if problem is not None:
        raise TrainerError(f"{what}: {problem} is not allowed")
    return value


def _check_text(value: str, what: str, limit: int) -> str:
    value = plain_text(value, what).strip()
    if not value:
        raise TrainerError(f"{what}: must not be empty")
    if len(value) > limit:
        raise TrainerError(f"{what}: is {len(value)} characters long; the limit is {limit}")
    return value


def _check_size(record: AnswerRecord) -> None:
    """Refuse what a results bundle could not carry (the limits `trainer validate` applies)."""
    sized: tuple[tuple[str, int, int], ...] = (
        ("scenario title", len(record.scenario_title), limits.TITLE),
        ("scenario id", len(record.scenario_id), limits.SLUG),
        ("topics", len(record.topics), limits.TOPICS),
        ("asked", len(record.asked), limits.DETAILS),
        ("asked question", max(map(len, record.asked), default=0), limits.QUESTION),
        ("finding kinds", len(record.finding_kinds), limits.FINDINGS),
    )
    for what, size, limit in sized:
        if size > limit:
            raise TrainerError(f"{what}: has {size:,} (characters or items); the limit is {limit}")


def check_unit(text: str | None) -> str | None:
    """A unit as typed ("North Custody") made a unit slug ("north-custody"); None when blank."""
    value = re.sub(r"[\s_]+", "-", (text or "").strip().lower())
    if not value:
        return None
    if len(value) > limits.SLUG:
        raise TrainerError(f"unit: is {len(value)} characters long; the limit is {limits.SLUG}")
    return check_slug(value, "unit")


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    staff_number: str
    role: str  # call-handler | officer
    created_at: datetime
    unit: str | None = None  # as this workstation knows it; a central store keeps its own

    @staticmethod
    def checked(name: str, staff_number: str, role: str) -> tuple[str, str, str]:
        """The cleaned name, staff number and role, or a TrainerError naming the bad field."""
        if role not in ROLES:
            raise TrainerError(f"role: must be one of {', '.join(ROLES)}, not {role!r}")
        return (
            _check_text(name, "name", MAX_NAME),
            _check_text(staff_number, "staff number", MAX_STAFF_NUMBER),
            role,
        )


@dataclass(frozen=True)
class SessionRow:
    id: str
    trainee_id: str
    mode: str
    started_at: datetime
    finished_at: datetime | None
    workstation_id: str


@dataclass(frozen=True)
class AnswerRecord:
    """One submitted answer with what exports and figures need, so they never need the bank."""

    id: str
    session_id: str
    trainee_id: str
    scenario_id: str
    scenario_hash: str
    catalogue_edition: str
    scenario_title: str
    kind: str  # classify | cancellation | disposal-review | outcome
    topics: tuple[str, ...]
    expected_decision: str
    decision: str
    crime_groups: tuple[str, ...]  # of the expected crimes
    answer_json: str
    score: int
    findings_json: str
    finding_kinds: tuple[str, ...]
    finding_rules: tuple[str, ...]
    asked: tuple[str, ...]  # the `ask` questions the trainee opened
    exam: bool
    shown_at: datetime
    answered_at: datetime
    # Keyword-only, so positional construction (fixtures, older callers) keeps working.
    bank_hash: str | None = field(default=None, kw_only=True)  # `content.bank_hash` graded under
    malpractice_trap: str | None = field(default=None, kw_only=True)  # see `malpractice_trap`
    certainty: int | None = field(default=None, kw_only=True)  # 1-3: how sure of the decision
    # The rule cards the scenario exercises (None for answers recorded before they were kept).
    cards: tuple[str, ...] | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        for moment, what in ((self.shown_at, "shown_at"), (self.answered_at, "answered_at")):
            if moment.utcoffset() is None:
                to_iso(moment, what)  # raises the one-line error
        if not 0 <= self.score <= 100:
            raise TrainerError(f"score: must be between 0 and 100, not {self.score}")
        if self.kind not in KINDS:
            raise TrainerError(f"kind: must be one of {', '.join(KINDS)}, not {self.kind!r}")
        for value, what in ((self.decision, "decision"), (self.expected_decision, "expected")):
            if value not in DECISIONS and not OUTCOME_CODE.match(value):
                raise TrainerError(f"{what}: {value!r} is not a decision")
        check_slug(self.scenario_id, "scenario id")
        _check_size(self)
        for values, what in (
            (self.topics, "topics"),
            (self.crime_groups, "crime groups"),
            (self.finding_kinds, "finding kinds"),
            (self.finding_rules, "finding rules"),
        ):
            for value in values:
                check_slug(value, what)
        for card in self.cards or ():
            check_slug(card, "cards")
        if self.certainty not in (None, 1, 2, 3):
            raise TrainerError(f"certainty: must be 1, 2 or 3, not {self.certainty!r}")

    @property
    def seconds_taken(self) -> float:
        return max(0.0, (self.answered_at - self.shown_at).total_seconds())

    @property
    def answer(self) -> Answer:
        from trainer.core.content.model_cache import rebuild
        from trainer.core.content.models import Answer

        return rebuild(Answer, json.loads(self.answer_json))  # validated before it was stored

    @property
    def findings(self) -> tuple[Finding, ...]:
        from trainer.core.content.model_cache import rebuild
        from trainer.core.content.models import Finding

        return tuple(rebuild(Finding, f) for f in json.loads(self.findings_json))

    @classmethod
    def build(
        cls,
        trainee_id: str,
        session_id: str,
        loaded_scenario: LoadedScenario,
        answer: Answer,
        grade: Grade,
        shown_at: datetime,
        answered_at: datetime,
        asked: Sequence[str],
        exam: bool,
        catalogue: Catalogue,
        bank_hash: str | None = None,
    ) -> AnswerRecord:
        """The record of one graded answer, ready for `Store.record_answer`."""
        scenario = loaded_scenario.scenario
        if grade.scenario != scenario.id:
            raise TrainerError(f"grade: is for {grade.scenario!r}, not scenario {scenario.id!r}")
        groups = (catalogue.group_of(c.offence) for c in scenario.expected.crimes)
        return cls(
            id=new_id(),
            session_id=session_id,
            trainee_id=trainee_id,
            scenario_id=scenario.id,
            scenario_hash=loaded_scenario.content_hash,
            catalogue_edition=catalogue.edition_id,
            scenario_title=scenario.title,
            kind=scenario.kind,
            topics=tuple(scenario.topics),
            expected_decision=stored_decision(scenario.expected),
            decision=stored_decision(answer),
            crime_groups=tuple(dict.fromkeys(g for g in groups if g)),
            answer_json=compact(answer.to_json_dict()),
            score=grade.score,
            findings_json=findings_json(grade.findings),
            finding_kinds=tuple(f.kind for f in grade.findings),
            finding_rules=tuple(f.rule for f in grade.findings),
            asked=tuple(asked),
            exam=exam,
            shown_at=shown_at,
            answered_at=answered_at,
            bank_hash=bank_hash,
            malpractice_trap=malpractice_trap(grade.findings),
            certainty=answer.certainty,
            cards=scenario.expected.cards,
        )


@dataclass(frozen=True)
class AnswerRow(AnswerRecord):
    """A stored answer, with the workstation that recorded it."""

    workstation_id: str

    def as_attempt(self) -> Attempt:
        """The answer as `statistics.Attempt`, the value the figures are computed from."""
        from trainer.core.grading.attempt import Attempt

        return Attempt(
            trainee_id=self.trainee_id,
            scenario_id=self.scenario_id,
            kind=self.kind,
            expected_decision=self.expected_decision,
            decision=self.decision,
            score=self.score,
            answered_at=self.answered_at,
            finding_kinds=self.finding_kinds,
            finding_rules=self.finding_rules,
            groups=self.crime_groups,
            topics=self.topics,
            exam=self.exam,
        )
