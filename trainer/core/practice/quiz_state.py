"""An unfinished quiz as plain JSON: what it asks, where it stands, the half-filled answer; and
what the start screen says of one, or discarding it.

The store keeps one such document per trainee (`save_unfinished`), rewritten on every change, so a
quiz left by quitting or by a crash can be resumed where it stood (`QuizRun.resume`). Reading one
back checks every field: a damaged or foreign document is a TrainerError naming the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast, get_args

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import (
    AUTHORITIES,
    DECISION_PATTERN,
    Authority,
    ReferTo,
)
from trainer.core.errors import TrainerError
from trainer.core.grading.drafts import AnswerDraft, DraftCrime
from trainer.core.practice.quiz import MODES, Mode, Quiz, QuizPlan
from trainer.core.store.records import Trainee, from_iso, now

if TYPE_CHECKING:
    from trainer.core.store.protocol import ResultsStore

VERSION = 1
WHAT = "unfinished quiz"


def _fail(field: str, problem: str) -> TrainerError:
    return TrainerError(f"{WHAT}: {field}: {problem}")


def _text(value: object, field: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _fail(field, "must be text")
    return value


def _int(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(field, "must be a whole number")
    return value


def _texts(value: object, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(field, "must be a list of text")
    return list(value)


def plan_state(plan: QuizPlan) -> dict[str, Any]:
    return {
        "mode": plan.mode,
        "value": plan.value,
        "count": plan.count,
        "time_limit_minutes": plan.time_limit_minutes,
        "require_certainty": plan.require_certainty,
    }


def plan_from(data: object) -> QuizPlan:
    if not isinstance(data, dict):
        raise _fail("plan", "must be an object")
    mode = data.get("mode")
    if mode not in MODES:
        raise _fail("plan.mode", f"{mode!r} is not one of {', '.join(MODES)}")
    minutes = data.get("time_limit_minutes")
    return QuizPlan(
        cast(Mode, mode),
        _text(data.get("value"), "plan.value", optional=True),
        _int(data.get("count"), "plan.count"),
        None if minutes is None else _int(minutes, "plan.time_limit_minutes"),
        data.get("require_certainty") is True,  # absent from states kept before it existed
    )


def draft_state(draft: AnswerDraft) -> dict[str, Any]:
    return {
        "decision": draft.decision,
        "crimes": [{"offence": c.offence, "count": c.count} for c in draft.crimes],
        "flags": list(draft.flags),
        "incident_code": draft.incident_code,
        "cancellation_reason": draft.cancellation_reason,
        "refer_to": draft.refer_to,
        "authority": draft.authority,
        "certainty": draft.certainty,
    }


def draft_from(data: object) -> AnswerDraft:
    if not isinstance(data, dict):
        raise _fail("draft", "must be an object")
    decision = data.get("decision")
    if decision is not None and not (
        isinstance(decision, str) and re.fullmatch(DECISION_PATTERN, decision)
    ):
        raise _fail("draft.decision", f"{decision!r} is not a decision")
    authority = data.get("authority")  # older saved quizzes have none
    if authority is not None and authority not in AUTHORITIES:
        raise _fail("draft.authority", f"{authority!r} is not an authority")
    refer_to = data.get("refer_to")
    if refer_to is not None and refer_to not in get_args(ReferTo):
        raise _fail("draft.refer_to", f"{refer_to!r} is not a referral target")
    certainty = data.get("certainty")
    if certainty not in (None, 1, 2, 3) or isinstance(certainty, bool):
        raise _fail("draft.certainty", f"{certainty!r} is not 1, 2 or 3")
    crimes = data.get("crimes")
    if not isinstance(crimes, list) or not all(isinstance(c, dict) for c in crimes):
        raise _fail("draft.crimes", "must be a list of objects")
    return AnswerDraft(
        decision=decision,
        crimes=[
            DraftCrime(
                _text(c.get("offence"), "draft.crimes.offence") or "",
                _int(c.get("count"), "draft.crimes.count"),
            )
            for c in crimes
        ],
        flags=_texts(data.get("flags"), "draft.flags"),
        incident_code=_text(data.get("incident_code"), "draft.incident_code", optional=True),
        cancellation_reason=_text(
            data.get("cancellation_reason"), "draft.cancellation_reason", optional=True
        ),
        refer_to=cast(ReferTo | None, refer_to),
        authority=cast(Authority | None, authority),
        certainty=certainty,  # absent from states kept before it existed
    )


@dataclass(frozen=True)
class QuizState:
    """What is kept of an unfinished quiz (`quiz` is `Quiz.state()`, read by `Quiz.from_state`)."""

    session_id: str
    plan: QuizPlan
    started_at: datetime
    quiz: dict[str, Any]
    current: str | None = None  # the scenario the draft and the questions asked belong to
    draft: AnswerDraft | None = None
    asked: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": VERSION,
                "session_id": self.session_id,
                "plan": plan_state(self.plan),
                "started_at": self.started_at.isoformat(),
                "quiz": self.quiz,
                "current": self.current,
                "draft": None if self.draft is None else draft_state(self.draft),
                "asked": list(self.asked),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> QuizState:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _fail("document", f"not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise _fail("document", "must be an object")
        if data.get("version") != VERSION:
            raise _fail("version", f"{data.get('version')!r} is not {VERSION}")
        started = _text(data.get("started_at"), "started_at") or ""
        try:
            started_at = from_iso(started)
        except ValueError as exc:
            raise _fail("started_at", f"{started!r} is not an ISO time") from exc
        if started_at.utcoffset() is None:
            raise _fail("started_at", "has no UTC offset")
        quiz = data.get("quiz")
        if not isinstance(quiz, dict):
            raise _fail("quiz", "must be an object")
        Quiz.from_state(quiz, {})  # its shape, checked before anyone relies on it
        draft = data.get("draft")
        return cls(
            session_id=_text(data.get("session_id"), "session_id") or "",
            plan=plan_from(data.get("plan")),
            started_at=started_at,
            quiz=quiz,
            current=_text(data.get("current"), "current", optional=True),
            draft=None if draft is None else draft_from(draft),
            asked=tuple(_texts(data.get("asked"), "asked")),
        )


@dataclass(frozen=True)
class Unfinished:
    """What the start screen says of a quiz left unfinished (`problem` if it cannot be resumed)."""

    session_id: str
    title: str = ""
    answered: int = 0
    total: int = 0
    exam: bool = False
    seconds_left: int | None = None
    started_at: datetime | None = None
    problem: str | None = None


def unfinished(
    store: ResultsStore, trainee: Trainee, catalogue: Catalogue, at: datetime | None = None
) -> Unfinished | None:
    """The trainee's unfinished quiz, summed up; None if there is none."""
    kept = store.unfinished_quiz(trainee.id)
    if kept is None:
        return None
    session_id, text = kept
    try:
        state = QuizState.from_json(text)
        quiz = state.quiz
        answered, total = len(quiz["results"]), int(quiz["total"])
    except TrainerError as exc:  # offered for discarding only
        return Unfinished(session_id, problem=str(exc))
    return Unfinished(
        session_id,
        state.plan.describe(catalogue),
        answered,
        total,
        state.plan.exam,
        seconds_left(state.plan, state.started_at, at),
        state.started_at,
    )


def seconds_left(plan: QuizPlan, started_at: datetime, at: datetime | None) -> int | None:
    """An exam's time left at `at` (now), counted from its first start; None if untimed."""
    minutes = plan.time_limit_minutes if plan.exam else None
    if not minutes:
        return None
    spent = ((at or now()) - started_at).total_seconds()
    return max(0, round(60 * minutes - spent))


def discard_unfinished(store: ResultsStore, trainee: Trainee) -> None:
    """End the trainee's unfinished quiz without resuming it (the answers given are kept)."""
    kept = store.unfinished_quiz(trainee.id)
    if kept is not None:
        store.finish_session(kept[0])
