"""Domain types: scenarios (the public YAML format), answers (the public JSON format), grades.

Plain frozen dataclasses: cheap to build, so the application starts without pydantic. Input in the
public formats is validated into them by `validation`, which applies the `Constraints` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, NewType

from trainer.core.content import limits
from trainer.core.content.constraints import (
    FORBID_EXTRA,
    Constraints,
    Count,
    DetailText,
    FeedbackText,
    Question,
    ReportText,
    Slug,
    Title,
)

ScenarioId = NewType("ScenarioId", str)
OffenceCode = NewType("OffenceCode", str)
RuleId = NewType("RuleId", str)

Kind = Literal["classify", "cancellation", "disposal-review", "outcome"]
Audience = Literal["call-handler", "officer"]
Channel = Literal[
    "phone-999",
    "phone-101",
    "online",
    "front-counter",
    "officer-attendance",
    "third-party",
    "case-file",
]
# A recording decision, a disposal-review decision, or (kind outcome) an outcome type code from
# the catalogue: which of them a scenario takes is checked against its kind, not by the type.
Decision = str
DECISION_PATTERN = (
    r"^(crime|incident|refer|retain|cancel|approve|refuse|escalate|[1-9][0-9]?[A-Z]?)$"
)
DecisionText = Annotated[str, Constraints(pattern=DECISION_PATTERN)]
ReferTo = Literal["report-fraud", "other-force"]
Authority = Literal["inspector", "superintendent", "cps"]
Certainty = Literal[1, 2, 3]  # CBM levels: C1 below 67%, C2 67-80%, C3 above 80%

CLASSIFY_DECISIONS: tuple[Decision, ...] = ("crime", "incident", "refer")
CANCELLATION_DECISIONS: tuple[Decision, ...] = ("retain", "cancel")
DISPOSAL_DECISIONS: tuple[Decision, ...] = ("approve", "refuse", "escalate")
AUTHORITIES: tuple[Authority, ...] = ("inspector", "superintendent", "cps")
# The finding kinds of out-of-court disposal and outcome decisions (the dashboard's figure).
DISPOSAL_FINDING_KINDS = ("wrong-disposal", "wrong-authority", "wrong-outcome")
AUDIENCES: tuple[Audience, ...] = ("call-handler", "officer")
REFER_TARGETS: tuple[ReferTo, ...] = ("report-fraud", "other-force")

FindingKind = Literal[
    "under-recording",
    "over-recording",
    "misclassification",
    "miscount",
    "missed-flag",
    "extra-flag",
    "wrong-cancellation",
    "wrong-referral",
    "wrong-incident-code",
    "wrong-disposal",
    "wrong-authority",
    "wrong-outcome",
]
FINDING_KINDS: tuple[FindingKind, ...] = (
    "under-recording",
    "over-recording",
    "misclassification",
    "miscount",
    "missed-flag",
    "extra-flag",
    "wrong-cancellation",
    "wrong-referral",
    "wrong-incident-code",
    "wrong-disposal",
    "wrong-authority",
    "wrong-outcome",
)


@dataclass(frozen=True, kw_only=True)
class Detail:
    """A further fact a call-handler learns only by asking."""

    __pydantic_config__ = FORBID_EXTRA

    ask: Question
    answer: DetailText


@dataclass(frozen=True, kw_only=True)
class Report:
    __pydantic_config__ = FORBID_EXTRA

    channel: Channel
    text: ReportText
    details: Annotated[tuple[Detail, ...], Constraints(max_length=limits.DETAILS)] = ()


@dataclass(frozen=True, kw_only=True)
class ExpectedCrime:
    __pydantic_config__ = FORBID_EXTRA

    offence: str
    count: Count = 1
    victim: str | None = None


@dataclass(frozen=True, kw_only=True)
class TrapCrime:
    """A crime in a trap's partial answer; without a count, any count matches."""

    __pydantic_config__ = FORBID_EXTRA

    offence: str
    count: Count | None = None


@dataclass(frozen=True, kw_only=True)
class TrapAnswer:
    """The part of an answer a trap looks at: a field left out (or null) is not compared."""

    __pydantic_config__ = FORBID_EXTRA

    decision: DecisionText | None = None
    crimes: tuple[TrapCrime, ...] | None = None
    flags: tuple[str, ...] | None = None
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None
    authority: Authority | None = None


@dataclass(frozen=True, kw_only=True)
class Trap:
    """A classic wrong answer to a scenario, the rule card it breaks and what to tell a trainee."""

    __pydantic_config__ = FORBID_EXTRA

    name: Slug
    answer: TrapAnswer
    rule: str
    feedback: FeedbackText
    malpractice: bool = False


@dataclass(frozen=True, kw_only=True)
class Expected:
    __pydantic_config__ = FORBID_EXTRA

    decision: DecisionText
    crimes: tuple[ExpectedCrime, ...] = ()
    flags: tuple[str, ...] = ()
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None
    authority: Authority | None = None  # disposal-review: who must authorise an escalation
    rules: Annotated[tuple[str, ...], Constraints(min_length=1)] = ()
    decision_rule: str | None = None
    traps: tuple[Trap, ...] = ()

    @property
    def blamed_rule(self) -> str:
        """The card a wrong recording decision is blamed on: `decision_rule`, else `rules[0]`."""
        return self.decision_rule or self.rules[0]

    @property
    def cards(self) -> tuple[str, ...]:
        """The scenario's rule cards: `rules`, and its decision rule when that is not among them."""
        if self.decision_rule is None or self.decision_rule in self.rules:
            return self.rules
        return (*self.rules, self.decision_rule)


DisposalId = Literal[
    "community-resolution",
    "youth-caution",
    "youth-conditional-caution",
    "adult-simple-caution",
    "adult-conditional-caution",
    "penalty-notice",
    "cannabis-warning",
    "diversion",
]
DomesticAbuse = Literal["none", "intimate-partner", "family"]
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True, kw_only=True)
class PriorOutcome:
    """One entry of the suspect's offending history as PNC shows it."""

    __pydantic_config__ = FORBID_EXTRA

    type: Literal["caution", "conviction"]
    date: Annotated[str, Constraints(pattern=ISO_DATE)]
    offence: Title


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """A disposal review's facts in structured form (the report text states them in words), so
    the validator can check the key against the permitted-disposal rules."""

    __pydantic_config__ = FORBID_EXTRA

    offence: str  # the class code
    ho_code: str  # the Home Office offence code under it
    disposal: DisposalId  # what the officer in the case proposes
    suspect_age: Annotated[int, Constraints(ge=0, le=120)]
    admits: bool
    decided_on: Annotated[str, Constraints(pattern=ISO_DATE)]
    history: tuple[PriorOutcome, ...] = ()
    domestic_abuse: DomesticAbuse = "none"
    hate_crime: bool = False


@dataclass(frozen=True, kw_only=True)
class Scenario:
    __pydantic_config__ = FORBID_EXTRA

    id: Slug
    title: Title
    kind: Kind
    audience: Annotated[tuple[Audience, ...], Constraints(min_length=1)]
    topics: Annotated[tuple[Slug, ...], Constraints(max_length=limits.TOPICS)] = ()
    difficulty: Literal[1, 2, 3]
    report: Report
    expected: Expected
    feedback: FeedbackText
    case: CaseFacts | None = None  # disposal-review only

    @property
    def is_sensitive(self) -> bool:
        """Sexual-offence content: the application warns before showing it."""
        return "sexual-offences" in self.topics


@dataclass(frozen=True, kw_only=True)
class AnsweredCrime:
    """One crime in a trainee's answer; a `victim` note is accepted and ignored."""

    __pydantic_config__ = FORBID_EXTRA

    offence: str
    count: Count = 1
    victim: str | None = None


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A trainee's answer: the shape of `expected` without `rules` and `victim`."""

    __pydantic_config__ = FORBID_EXTRA

    decision: DecisionText
    crimes: tuple[AnsweredCrime, ...] = ()
    flags: tuple[str, ...] = ()
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None
    authority: Authority | None = None
    # How sure the trainee was of the decision (certainty-based marking): 1 below 67%, 2 67-80%,
    # 3 above 80%; never part of the score.
    certainty: Certainty | None = None

    def to_json_dict(self) -> dict[str, object]:
        """The public JSON form, no empty victim notes; `authority`, `certainty` only when given."""
        data: dict[str, object] = {
            "decision": self.decision,
            "crimes": [{"offence": c.offence, "count": c.count} for c in self.crimes],
            "flags": list(self.flags),
            "incident_code": self.incident_code,
            "cancellation_reason": self.cancellation_reason,
            "refer_to": self.refer_to,
        }
        if self.authority is not None:
            data["authority"] = self.authority
        if self.certainty is not None:
            data["certainty"] = self.certainty
        return data


@dataclass(frozen=True, kw_only=True)
class Finding:
    __pydantic_config__ = FORBID_EXTRA

    kind: FindingKind
    rule: str
    message: str
    trap: str | None = None  # the name of the scenario's trap the answer fell into
    malpractice: bool = False  # that trap is a recording failure the inspectorate named

    def to_json_dict(self) -> dict[str, object]:
        """The public JSON form: `trap` and `malpractice` only when set."""
        data: dict[str, object] = {"kind": self.kind, "rule": self.rule, "message": self.message}
        if self.trap is not None:
            data["trap"] = self.trap
        if self.malpractice:
            data["malpractice"] = True
        return data


@dataclass(frozen=True, kw_only=True)
class Grade:
    __pydantic_config__ = FORBID_EXTRA

    scenario: str
    score: Annotated[int, Constraints(ge=0, le=100)]
    findings: tuple[Finding, ...] = ()

    def to_json_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "score": self.score,
            "findings": [f.to_json_dict() for f in self.findings],
        }
