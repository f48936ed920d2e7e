"""What the answer form holds, turned into an `Answer` (or one plain-English reason it cannot be).

The form mirrors a crime record; only the parts that go with the chosen decision are kept, so a
trainee who ticks a flag and then decides "incident" is graded on the incident alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import check_answer, decisions_for
from trainer.core.content.models import (
    Answer,
    AnsweredCrime,
    Authority,
    Certainty,
    Decision,
    ReferTo,
    Scenario,
)
from trainer.core.errors import TrainerError

_CODE_THEN_NAME = re.compile(r"^\s*(\S+)(?:\s+.*)?$")


@dataclass
class DraftCrime:
    offence: str  # as typed or picked: "28J", "28J Attempted burglary ...", or the class name
    count: int = 1


@dataclass
class AnswerDraft:
    decision: Decision | None = None
    crimes: list[DraftCrime] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    incident_code: str | None = None
    cancellation_reason: str | None = None
    refer_to: ReferTo | None = None
    authority: Authority | None = None
    certainty: Certainty | None = None  # how sure of the decision, when the trainee said


def resolve_offence(text: str, catalogue: Catalogue) -> str | None:
    """The offence code meant by `text`: a code, a 'code name' label, or a class's exact name."""
    text = " ".join(text.split())
    if not text:
        return None
    by_code = {code.casefold(): code for code in catalogue.offence_by_code}
    match = _CODE_THEN_NAME.match(text)
    if match and match.group(1).casefold() in by_code:
        code = by_code[match.group(1).casefold()]
        label = catalogue.offence_by_code[code].label
        if text.casefold() in (code.casefold(), label.casefold()):
            return code
    named = [o.code for o in catalogue.offences if o.name.casefold() == text.casefold()]
    return named[0] if len(named) == 1 else None


def build_answer(draft: AnswerDraft, scenario: Scenario, catalogue: Catalogue) -> Answer:
    """The answer the draft stands for; TrainerError says what the trainee must still fill in."""
    decision = draft.decision
    if decision is None or decision not in decisions_for(scenario.kind, catalogue):
        raise TrainerError(
            "Choose the outcome type first."
            if scenario.kind == "outcome"
            else "Choose a decision first."
        )
    crimes: list[AnsweredCrime] = []
    if decision == "crime":
        for number, crime in enumerate(draft.crimes, start=1):
            if not crime.offence.strip():
                continue
            code = resolve_offence(crime.offence, catalogue)
            if code is None:
                raise TrainerError(
                    f"Crime {number}: {crime.offence.strip()!r} is not an offence in the "
                    f"catalogue; pick one from the list."
                )
            crimes.append(AnsweredCrime(offence=code, count=max(1, crime.count)))
        if not crimes:
            raise TrainerError("Add at least one crime to record, or choose another decision.")
    answer = Answer(
        decision=decision,
        crimes=tuple(crimes),
        flags=tuple(dict.fromkeys(draft.flags)) if decision == "crime" else (),
        incident_code=draft.incident_code or None if decision == "incident" else None,
        cancellation_reason=draft.cancellation_reason or None if decision == "cancel" else None,
        refer_to=draft.refer_to if decision == "refer" else None,
        authority=draft.authority if decision == "escalate" else None,
        certainty=draft.certainty,
    )
    if decision == "escalate" and answer.authority is None:
        raise TrainerError("Choose who must authorise the disposal.")
    if decision == "cancel" and answer.cancellation_reason is None:
        raise TrainerError("Choose the cancellation reason.")
    if decision == "refer" and answer.refer_to is None:
        raise TrainerError("Choose where to refer the report.")
    issues = check_answer(scenario, answer, catalogue)
    if issues:
        raise TrainerError(issues[0][1])
    return answer


def draft_of(answer: Answer) -> AnswerDraft:
    """The form contents that show a stored answer again (for read-only review)."""
    return AnswerDraft(
        decision=answer.decision,
        crimes=[DraftCrime(c.offence, c.count) for c in answer.crimes],
        flags=list(answer.flags),
        incident_code=answer.incident_code,
        cancellation_reason=answer.cancellation_reason,
        refer_to=answer.refer_to,
        authority=answer.authority,
        certainty=answer.certainty,
    )
