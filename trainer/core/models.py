"""Domain types: scenarios (the public YAML format), answers (the public JSON format), grades."""

from __future__ import annotations

from typing import Annotated, Literal, NewType

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, StringConstraints

ScenarioId = NewType("ScenarioId", str)
OffenceCode = NewType("OffenceCode", str)
RuleId = NewType("RuleId", str)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

Kind = Literal["classify", "cancellation"]
Audience = Literal["call-handler", "officer"]
Channel = Literal[
    "phone-999", "phone-101", "online", "front-counter", "officer-attendance", "third-party"
]
Decision = Literal["crime", "incident", "refer", "retain", "cancel"]
ReferTo = Literal["report-fraud", "other-force"]

CLASSIFY_DECISIONS: tuple[Decision, ...] = ("crime", "incident", "refer")
CANCELLATION_DECISIONS: tuple[Decision, ...] = ("retain", "cancel")
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
)


class _Strict(BaseModel):
    # Validators are built when first used, not on import: a start-up served from the caches
    # never validates (see model_cache), and building them all costs more than the rest of it.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Detail(_Strict):
    """A further fact a call-handler learns only by asking."""

    ask: NonBlank
    answer: NonBlank


class Report(_Strict):
    channel: Channel
    text: NonBlank
    details: tuple[Detail, ...] = ()


class ExpectedCrime(_Strict):
    offence: str
    count: PositiveInt = 1
    victim: str | None = None


class Expected(_Strict):
    decision: Decision
    crimes: tuple[ExpectedCrime, ...] = ()
    flags: tuple[str, ...] = ()
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None
    rules: tuple[str, ...] = Field(default=(), min_length=1)


class Scenario(_Strict):
    id: Slug
    title: NonBlank
    kind: Kind
    audience: tuple[Audience, ...] = Field(min_length=1)
    topics: tuple[Slug, ...] = ()
    difficulty: Literal[1, 2, 3]
    report: Report
    expected: Expected
    feedback: NonBlank

    @property
    def is_sensitive(self) -> bool:
        """Sexual-offence content: the application warns before showing it."""
        return "sexual-offences" in self.topics


class AnsweredCrime(BaseModel):
    """One crime in a trainee's answer; a `victim` note is accepted and ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    offence: str
    count: PositiveInt = 1
    victim: str | None = None


class Answer(_Strict):
    """A trainee's answer: the shape of `expected` without `rules` and `victim`."""

    decision: Decision
    crimes: tuple[AnsweredCrime, ...] = ()
    flags: tuple[str, ...] = ()
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None

    def to_json_dict(self) -> dict[str, object]:
        """The public JSON form, without empty victim notes."""
        return {
            "decision": self.decision,
            "crimes": [{"offence": c.offence, "count": c.count} for c in self.crimes],
            "flags": list(self.flags),
            "incident_code": self.incident_code,
            "cancellation_reason": self.cancellation_reason,
            "refer_to": self.refer_to,
        }


class Finding(_Strict):
    kind: FindingKind
    rule: str
    message: str


class Grade(_Strict):
    scenario: str
    score: int = Field(ge=0, le=100)
    findings: tuple[Finding, ...] = ()

    def to_json_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "score": self.score,
            "findings": [f.model_dump() for f in self.findings],
        }
