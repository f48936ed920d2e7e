"""Traps: the classic wrong answers a scenario names, how one is matched and how one is checked.

A trap matches an answer when every field the trap gives agrees with it: `decision`,
`incident_code`, `cancellation_reason`, `refer_to` and `authority` equal; `flags` equal as sets;
`crimes` equal as sets of offence codes, and where the trap gives a count, the answer's count for
that code equal too (an answer's crimes of one code are added together, as grading does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from trainer.core.content.models import (
    Answer,
    AnsweredCrime,
    Decision,
    Expected,
    ExpectedCrime,
    Trap,
    TrapAnswer,
)


def crime_counts(crimes: Iterable[AnsweredCrime | ExpectedCrime]) -> Counter[str]:
    """Crimes of one code added together: `{code: count}`."""
    merged: Counter[str] = Counter()
    for crime in crimes:
        merged[crime.offence] += crime.count
    return merged


# A trap's `incident_code: none` matches an answer that gives no incident code at all (an N100
# written off as a plain incident); a trap without the field does not look at the code.
NO_CODE = "none"


def matches(trap: TrapAnswer, answer: Answer | Expected) -> bool:
    """Whether `answer` (a trainee's answer, or a key) agrees with every field `trap` gives."""
    for name in ("decision", "incident_code", "cancellation_reason", "refer_to", "authority"):
        wanted = getattr(trap, name)
        if name == "incident_code" and wanted == NO_CODE:
            if answer.incident_code is not None:
                return False
            continue
        if wanted is not None and wanted != getattr(answer, name):
            return False
    if trap.flags is not None and set(trap.flags) != set(answer.flags):
        return False
    if trap.crimes is not None:
        given = crime_counts(answer.crimes)
        if {c.offence for c in trap.crimes} != given.keys():
            return False
        if any(c.count is not None and given[c.offence] != c.count for c in trap.crimes):
            return False
    return True


def trap_for(expected: Expected, answer: Answer) -> Trap | None:
    """The first of the key's traps (in file order) that the answer falls into, if any."""
    return next((t for t in expected.traps if matches(t.answer, answer)), None)


def implied_answer(trap: TrapAnswer, expected: Expected) -> Answer:
    """The key's answer with the trap's fields put in: the least wrong answer the trap matches.

    Fields of the key that do not go with the trap's decision are left out (crimes and flags go
    with a crime decision, an incident code with an incident, and so on).
    """
    decision: Decision = trap.decision or expected.decision
    keep = decision == expected.decision
    crimes: tuple[AnsweredCrime, ...]
    if trap.crimes is not None:
        key_counts = crime_counts(expected.crimes) if keep else Counter[str]()
        crimes = tuple(
            AnsweredCrime(offence=c.offence, count=c.count or key_counts.get(c.offence) or 1)
            for c in dict((c.offence, c) for c in trap.crimes).values()
        )
    else:
        crimes = (
            tuple(AnsweredCrime(offence=c.offence, count=c.count) for c in expected.crimes)
            if keep
            else ()
        )
    flags = trap.flags if trap.flags is not None else (expected.flags if keep else ())
    return Answer(
        decision=decision,
        crimes=crimes,
        flags=tuple(dict.fromkeys(flags)),
        incident_code=None
        if trap.incident_code == NO_CODE
        else trap.incident_code or (expected.incident_code if keep else None),
        cancellation_reason=trap.cancellation_reason
        or (expected.cancellation_reason if keep else None),
        refer_to=trap.refer_to or (expected.refer_to if keep else None),
        authority=trap.authority
        or (expected.authority if keep and decision == "escalate" else None),
    )
