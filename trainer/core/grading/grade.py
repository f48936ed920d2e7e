"""Grading: a pure, deterministic comparison of a trainee's answer with a scenario's key.

Scoring:
- a wrong recording decision (crime / incident / refer, retain / cancel, or the wrong body to refer
  to) scores 0: nothing after it can be right;
- otherwise the score starts at 100 and each finding takes off a penalty. Crime penalties are
  shares of the crimes expected, so a scenario with three crimes does not punish one slip three
  times as hard as a scenario with one. Penalties are chosen so that a mistake never earns more
  than leaving the crime out (see `PENALTY`), which keeps "every extra error lowers or keeps the
  score" true; the order of crimes in an answer never matters;
- an answer that falls into one of the scenario's malpractice traps scores at most
  `MALPRACTICE_CAP`.

Each finding names the rule card actually broken: the card of the trap the answer fell into (for
the findings on the fields the trap gives); otherwise the scenario's decision rule for a wrong
decision, the card separating the two classes for a misclassification (the catalogue's
distinctions), the class's counting-rule card for a miscount, the flag's own card for a flag, the
incident code's card for an incident code, the reason's card for a cancellation reason; failing
those, the scenario's first rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.disposals import authority_suffices
from trainer.core.content.models import Answer, Finding, FindingKind, Grade, Scenario, Trap
from trainer.core.content.traps import crime_counts, trap_for

# Per expected crime (multiplied by 1 / number of distinct expected codes).
PENALTY = {
    "missing": 40.0,  # an expected crime not recorded at all
    "same-group": 40.0,  # the wrong code from the right crime group
    "other-group": 60.0,  # the wrong code from an unrelated crime group
    "extra": 25.0,  # a crime recorded beyond those expected
    "miscount": 20.0,  # the right code with the wrong number of crimes
}
# Flat penalties.
MISSED_FLAG = 15.0
EXTRA_FLAG = 10.0
WRONG_INCIDENT_CODE = 30.0  # no incident code, or one of the wrong class (N300 for N100)
WRONG_INCIDENT_SUBCODE = 15.0  # the right class with the wrong reason (N100/01 for N100/03)
WRONG_CANCELLATION_REASON = 50.0
WRONG_AUTHORITY = 50.0  # a disposal rightly escalated, but to the wrong authority
MALPRACTICE_CAP = 25  # the most an answer can score that falls into a malpractice trap

_EXTRA_CRIME_CARDS = ("principal-crime-rule", "finished-incident-rule", "conduct-crimes")

# The answer field a finding is about: a trap that gives that field claims the finding.
Field = Literal["decision", "crimes", "flags", "incident_code", "cancellation_reason"]
_DECISION: Field = "decision"


def _rule(scenario: Scenario, preferred: Iterable[str] = ()) -> str:
    """The cited rule card that best explains a finding: a preferred one, else the first."""
    cited = scenario.expected.rules
    return next((r for r in preferred if r in cited), cited[0])


class _Grader:
    def __init__(self, scenario: Scenario, answer: Answer, catalogue: Catalogue) -> None:
        self.scenario = scenario
        self.answer = answer
        self.catalogue = catalogue
        self.findings: list[Finding] = []
        self.penalty = 0.0
        self.trap: Trap | None = trap_for(scenario.expected, answer)
        self.fell_in = False  # a finding was put down to the trap

    def add(
        self, kind: FindingKind, rule: str, message: str, penalty: float = 0.0, *, field: Field
    ) -> None:
        """Record a finding on one answer field, claimed by the matched trap if it gives that
        field (or, for a decision finding, the decision or the referral target)."""
        trap = self.trap
        if trap is not None and _gives(trap, field):
            self.fell_in = True
            finding = Finding(
                kind=kind,
                rule=trap.rule,
                message=message,
                trap=trap.name,
                malpractice=trap.malpractice,
            )
        else:
            finding = Finding(kind=kind, rule=rule, message=message)
        self.findings.append(finding)
        self.penalty += penalty

    def label(self, code: str) -> str:
        offence = self.catalogue.offence_by_code.get(code)
        return offence.label if offence else code

    # Decision ---------------------------------------------------------------------------------

    def decision_is_wrong(self) -> bool:
        """Record the finding for a wrong decision; True when the answer scores 0."""
        expected, given = self.scenario.expected, self.answer
        if expected.decision == given.decision:
            if given.decision == "escalate" and not authority_suffices(
                self.scenario.case, self.catalogue, given.authority, expected.authority
            ):
                self.add(
                    "wrong-authority",
                    expected.blamed_rule,
                    f"Escalated to {_authority_name(given.authority)}; this disposal needs the "
                    f"authority of {_authority_name(expected.authority)}.",
                    WRONG_AUTHORITY,
                    field=_DECISION,
                )
                return False
            if given.decision == "refer" and given.refer_to != expected.refer_to:
                self.add(
                    "wrong-referral",
                    expected.blamed_rule,
                    f"Referred to {given.refer_to or 'nobody'}; this should go to "
                    f"{_refer_name(expected.refer_to)}.",
                    field=_DECISION,
                )
                return True
            return False
        kind, message = self._wrong_decision()
        self.add(kind, expected.blamed_rule, message, field=_DECISION)
        return True

    def _wrong_decision(self) -> tuple[FindingKind, str]:
        want, got = self.scenario.expected.decision, self.answer.decision
        if self.scenario.kind == "disposal-review":
            return "wrong-disposal", _disposal_message(want, got, self.scenario.expected.authority)
        if self.scenario.kind == "outcome":
            return "wrong-outcome", (
                f"Finalised with outcome {self._outcome(got)}; the outcome that applies is "
                f"{self._outcome(want)}."
            )
        if want == "refer":
            return "wrong-referral", (
                f"Decided {got!r}; this report should be referred to "
                f"{_refer_name(self.scenario.expected.refer_to)}."
            )
        if got == "refer":
            if want == "crime":
                return "under-recording", (
                    "Referred elsewhere, but this force must record the crime itself."
                )
            return "wrong-referral", "Referred elsewhere, but this force keeps it as an incident."
        if want == "crime":
            return "under-recording", (
                "Not recorded as a crime, but the report meets the recording test (CRR p7): "
                "leaving it unrecorded is under-recording."
            )
        if want == "incident":
            return "over-recording", "Recorded as a crime, but this report is an incident only."
        if want == "cancel":
            return "over-recording", "Kept the crime, but it meets a cancellation reason."
        return "wrong-cancellation", "Cancelled a crime that must stay recorded."

    def _outcome(self, code: str) -> str:
        found = self.catalogue.outcome_by_code.get(code)
        return f"{code} ({found.name})" if found else code

    # Crimes -------------------------------------------------------------------------------------

    def grade_crimes(self) -> None:
        expected = crime_counts(self.scenario.expected.crimes)
        given = crime_counts(self.answer.crimes)
        unit = 1.0 / max(1, len(expected))
        for code in sorted(expected.keys() & given.keys()):
            if expected[code] != given[code]:
                self.add(
                    "miscount",
                    self._counting_card(code),
                    f"Recorded {given[code]} × {self.label(code)}; the right number is "
                    f"{expected[code]}.",
                    PENALTY["miscount"] * unit,
                    field="crimes",
                )
        missing = sorted(expected.keys() - given.keys())
        extra = sorted(given.keys() - expected.keys())
        for want, got in self._pair(missing, extra):
            same = self.catalogue.group_of(want) == self.catalogue.group_of(got)
            where = "the right crime group, but" if same else "a different crime group:"
            self.add(
                "misclassification",
                self.catalogue.distinction(want, got) or _rule(self.scenario),
                f"Recorded {self.label(got)} ({where} the right class is {self.label(want)}).",
                PENALTY["same-group" if same else "other-group"] * unit,
                field="crimes",
            )
            missing.remove(want)
            extra.remove(got)
        for code in missing:
            self.add(
                "under-recording",
                _rule(self.scenario),
                f"Did not record {expected[code]} × {self.label(code)}.",
                PENALTY["missing"] * unit,
                field="crimes",
            )
        for code in extra:
            self.add(
                "over-recording",
                _rule(self.scenario, _EXTRA_CRIME_CARDS),
                f"Recorded {self.label(code)} as well; it should not be recorded separately here.",
                PENALTY["extra"] * unit,
                field="crimes",
            )

    def _counting_card(self, code: str) -> str:
        offence = self.catalogue.offence_by_code.get(code)
        return offence.counting_rule if offence and offence.counting_rule else _rule(self.scenario)

    def _pair(self, missing: list[str], extra: list[str]) -> list[tuple[str, str]]:
        """Match wrong codes to the expected codes they stand in for: same crime group first."""
        pairs: list[tuple[str, str]] = []
        free = list(extra)
        for want in missing:
            group = self.catalogue.group_of(want)
            got = next((g for g in free if self.catalogue.group_of(g) == group), None)
            if got is not None:
                pairs.append((want, got))
                free.remove(got)
        left = [m for m in missing if m not in {p[0] for p in pairs}]
        pairs.extend(zip(left, free, strict=False))
        return pairs

    # Flags, incident codes, cancellation reasons ----------------------------------------------

    def grade_flags(self) -> None:
        want, got = set(self.scenario.expected.flags), set(self.answer.flags)
        for flag in sorted(want - got):
            self.add(
                "missed-flag",
                self._flag_card(flag),
                f"Missed the {self._flag(flag)} flag.",
                MISSED_FLAG,
                field="flags",
            )
        for flag in sorted(got - want):
            self.add(
                "extra-flag",
                self._flag_card(flag),
                f"Set the {self._flag(flag)} flag, which does not apply.",
                EXTRA_FLAG,
                field="flags",
            )

    def _flag(self, flag: str) -> str:
        found = self.catalogue.flag_by_id.get(flag)
        return found.name.lower() if found else flag

    def _flag_card(self, flag: str) -> str:
        found = self.catalogue.flag_by_id.get(flag)
        return found.rule if found and found.rule else _rule(self.scenario)

    def grade_incident_code(self) -> None:
        """The class (N100, N300) and, where the key gives one, the reason sub-code too."""
        want, got = self.scenario.expected.incident_code, self.answer.incident_code
        if want == got or (want and got and "/" not in want and _incident_class(got) == want):
            return  # a key without a sub-code accepts any reason
        card = self._incident_card(want or got)
        if want and got and _incident_class(want) == _incident_class(got):
            self.add(
                "wrong-incident-code",
                card,
                f"Logged the incident as {got}; the reason code is {want}"
                f" ({self._incident_name(want)}).",
                WRONG_INCIDENT_SUBCODE,
                field="incident_code",
            )
            return
        message = (
            f"Logged the incident as {got}; it should be {want}."
            if want and got
            else f"The incident should be logged as {want}."
            if want
            else f"Logged the incident as {got}, which does not apply here."
        )
        self.add("misclassification", card, message, WRONG_INCIDENT_CODE, field="incident_code")

    def _incident_card(self, code: str | None) -> str:
        incident = self.catalogue.incident_by_code.get(_incident_class(code) or "")
        if incident is not None and incident.rule:
            return incident.rule
        return _rule(self.scenario, ("n100-reported-rape",))

    def _incident_name(self, code: str) -> str:
        incident = self.catalogue.incident_by_code.get(_incident_class(code) or "")
        sub = next((s for s in incident.subcodes if s.code == code), None) if incident else None
        return sub.name if sub else code

    def grade_cancellation_reason(self) -> None:
        want, got = self.scenario.expected.cancellation_reason, self.answer.cancellation_reason
        if want == got:
            return
        reason = self.catalogue.cancellation_by_code.get(want or "")
        self.add(
            "wrong-cancellation",
            reason.rule if reason and reason.rule else _rule(self.scenario),
            f"Cancelled with {got or 'no reason'}; the reason that applies is {want}.",
            WRONG_CANCELLATION_REASON,
            field="cancellation_reason",
        )

    def run(self) -> Grade:
        if self.decision_is_wrong():
            score = 0
        else:
            decision = self.scenario.expected.decision
            if decision == "crime":
                self.grade_crimes()
            elif decision == "incident":
                self.grade_incident_code()
            elif decision == "cancel":
                self.grade_cancellation_reason()
            self.grade_flags()
            score = max(0, min(100, round(100.0 - self.penalty)))
        if self.fell_in and self.trap is not None and self.trap.malpractice:
            score = min(score, MALPRACTICE_CAP)
        return Grade(scenario=self.scenario.id, score=score, findings=tuple(self.findings))


def _gives(trap: Trap, field: Field) -> bool:
    """Whether a trap gives the answer field a finding is about."""
    given = trap.answer
    if field == _DECISION:
        return any(v is not None for v in (given.decision, given.refer_to, given.authority))
    return getattr(given, field) is not None


def _authority_name(authority: str | None) -> str:
    return {
        "inspector": "an Inspector",
        "superintendent": "a Superintendent",
        "cps": "the CPS",
    }.get(authority or "", "nobody")


def _disposal_message(want: str, got: str, authority: str | None) -> str:
    if want == "refuse":
        return (
            f"Decided {got!r}, but the rules do not permit this disposal here at any level: "
            "refuse it."
        )
    if want == "escalate":
        return (
            f"Decided {got!r}; this disposal is permitted only with the authority of "
            f"{_authority_name(authority)}."
        )
    return f"Decided {got!r}, but this disposal is permitted at your level: approve it."


def _incident_class(code: str | None) -> str | None:
    return code.split("/")[0] if code else None


def _refer_name(target: str | None) -> str:
    return {"report-fraud": "Report Fraud", "other-force": "the force where it happened"}.get(
        target or "", "nobody"
    )


def grade(scenario: Scenario, answer: Answer, catalogue: Catalogue | None = None) -> Grade:
    """Score an answer 0-100 and list its findings, each naming the rule card it concerns."""
    return _Grader(scenario, answer, catalogue or load_catalogue()).run()
