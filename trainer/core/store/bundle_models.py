"""The shape of a results bundle's payload, strictly typed and bounded: nothing hostile gets in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from trainer.core.content import limits
from trainer.core.content.models import Answer, Decision, FindingKind, Kind
from trainer.core.store.records import stored_decision, unprintable

UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Id = Annotated[str, StringConstraints(pattern=UUID)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=limits.SLUG)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=limits.TITLE)]


def _moment(value: object) -> datetime:
    """An ISO 8601 time with its UTC offset (the only form the trainer writes); in UTC if the
    offset has seconds, as `to_iso` stores it (so its `isoformat` is the stored form)."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("must be an ISO 8601 time with a UTC offset")
    moment = datetime.fromisoformat(value)
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("must carry a UTC offset")
    return moment.astimezone(UTC) if offset.total_seconds() % 60 else moment


Moment = Annotated[datetime, BeforeValidator(_moment)]


def _plain(value: str) -> str:
    """A name or staff number as the store takes it: not blank, no control or bidi characters
    (the same check as `Trainee.checked`)."""
    problem = unprintable(value)
    if problem is not None:
        raise ValueError(f"{problem} is not allowed")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class BundleTrainee(_Strict):
    id: Id
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=limits.NAME), AfterValidator(_plain)
    ]
    staff_number: Annotated[
        str,
        StringConstraints(min_length=1, max_length=limits.STAFF_NUMBER),
        AfterValidator(_plain),
    ]
    role: Literal["call-handler", "officer"]
    created_at: Moment
    workstation_id: Id


class BundleSession(_Strict):
    id: Id
    trainee_id: Id
    mode: Slug
    started_at: Moment
    finished_at: Moment | None
    workstation_id: Id


class BundleFinding(_Strict):
    kind: FindingKind
    rule: Slug
    message: Annotated[str, StringConstraints(max_length=limits.FINDING_MESSAGE)]
    trap: Slug | None = None
    malpractice: bool = False


class BundleAnswer(_Strict):
    id: Id
    session_id: Id
    trainee_id: Id
    scenario_id: Slug
    scenario_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{1,64}$")]
    catalogue_edition: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    scenario_title: Text
    kind: Kind
    topics: tuple[Slug, ...] = Field(max_length=limits.TOPICS)
    expected_decision: Decision
    decision: Decision
    crime_groups: tuple[Slug, ...] = Field(max_length=limits.TOPICS)
    answer: Answer
    score: int = Field(ge=0, le=100)
    findings: tuple[BundleFinding, ...] = Field(max_length=limits.FINDINGS)
    asked: tuple[Annotated[str, StringConstraints(max_length=limits.QUESTION)], ...] = Field(
        max_length=limits.DETAILS
    )
    exam: bool
    shown_at: Moment
    answered_at: Moment
    workstation_id: Id
    # The rule cards the scenario exercises (the schedule's reviews); absent from older bundles.
    # The trainee's certainty travels inside `answer`.
    cards: tuple[Slug, ...] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _one_decision(self) -> BundleAnswer:
        # The store keeps both; they must agree (an escalation's column names its authority).
        if self.decision != stored_decision(self.answer):
            raise ValueError(
                f"decision: {self.decision!r} differs from answer.decision {self.answer.decision!r}"
            )
        return self


class Bundle(_Strict):
    workstation_id: Id
    trainees: tuple[BundleTrainee, ...] = Field(max_length=100_000)
    sessions: tuple[BundleSession, ...] = Field(max_length=1_000_000)
    answers: tuple[BundleAnswer, ...] = Field(max_length=2_000_000)
