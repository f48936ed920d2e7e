"""Grading: a pure, deterministic comparison of a trainee's answer with a scenario's key.

Scoring:
- a wrong recording decision (crime / incident / refer, retain / cancel, or the wrong body to refer
  to) scores 0: nothing after it can be right;
- otherwise the score starts at 100 and each finding takes off a penalty. Crime penalties are
  shares of the crimes expected, so a scenario with three crimes does not punish one slip three
  times as hard as a scenario with one. Penalties are chosen so that a mistake never earns more
  than leaving the crime out (see `PENALTY`), which keeps "every extra error lowers or keeps the
  score" true; the order of crimes in an answer never matters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.models import Answer, Finding, FindingKind, Grade, Scenario

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
WRONG_INCIDENT_CODE = 30.0
WRONG_CANCELLATION_REASON = 50.0

_FLAG_CARDS = {
    "domestic-abuse": "domestic-abuse-flag",
    "online": "online-flag",
    "child-sexual-abuse": "child-sexual-abuse-flag",
    "child-sexual-exploitation": "child-sexual-abuse-flag",
}
_COUNTING_CARDS = (
    "one-crime-per-victim",
    "one-crime-per-victim-exceptions",
    "finished-incident-rule",
    "vehicle-damage-not-road-collision",
)
_EXTRA_CRIME_CARDS = ("principal-crime-rule", "finished-incident-rule", "conduct-crimes")


def _rule(scenario: Scenario, preferred: Iterable[str] = ()) -> str:
    """The cited rule card that best explains a finding: a preferred one, else the first."""
    cited = scenario.expected.rules
    return next((r for r in preferred if r in cited), cited[0])


def _flag_card(flag: str) -> str:
    if flag.startswith("hate-"):
        return "hate-crime-flag"
    return _FLAG_CARDS.get(flag, "other-flags")


def _merge(crimes: Iterable[tuple[str, int]]) -> Counter[str]:
    merged: Counter[str] = Counter()
    for code, count in crimes:
        merged[code] += count
    return merged


class _Grader:
    def __init__(self, scenario: Scenario, answer: Answer, catalogue: Catalogue) -> None:
        self.scenario = scenario
        self.answer = answer
        self.catalogue = catalogue
        self.findings: list[Finding] = []
        self.penalty = 0.0

    def add(self, kind: FindingKind, rule: str, message: str, penalty: float = 0.0) -> None:
        self.findings.append(Finding(kind=kind, rule=rule, message=message))
        self.penalty += penalty

    def label(self, code: str) -> str:
        offence = self.catalogue.offence_by_code.get(code)
        return offence.label if offence else code

    # Decision ---------------------------------------------------------------------------------

    def decision_is_wrong(self) -> bool:
        """Record the finding for a wrong decision; True when the answer scores 0."""
        expected, given = self.scenario.expected, self.answer
        if expected.decision == given.decision:
            if given.decision == "refer" and given.refer_to != expected.refer_to:
                self.add(
                    "wrong-referral",
                    _rule(self.scenario, ("fraud-report-fraud", "crime-location")),
                    f"Referred to {given.refer_to or 'nobody'}; this should go to "
                    f"{_refer_name(expected.refer_to)}.",
                )
                return True
            return False
        kind, message = self._wrong_decision()
        preferred = {
            "wrong-referral": ("fraud-report-fraud", "crime-location"),
            "wrong-cancellation": ("cancellation-not-for-withdrawal",),
        }.get(kind, ())
        self.add(kind, _rule(self.scenario, preferred), message)
        return True

    def _wrong_decision(self) -> tuple[FindingKind, str]:
        want, got = self.scenario.expected.decision, self.answer.decision
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
                "Not recorded as a crime, but the report meets the recording test: "
                "this is the under-recording the inspectors found."
            )
        if want == "incident":
            return "over-recording", "Recorded as a crime, but this report is an incident only."
        if want == "cancel":
            return "over-recording", "Kept the crime, but it meets a cancellation reason."
        return "wrong-cancellation", "Cancelled a crime that must stay recorded."

    # Crimes -------------------------------------------------------------------------------------

    def grade_crimes(self) -> None:
        expected = _merge((c.offence, c.count) for c in self.scenario.expected.crimes)
        given = _merge((c.offence, c.count) for c in self.answer.crimes)
        unit = 1.0 / max(1, len(expected))
        for code in sorted(expected.keys() & given.keys()):
            if expected[code] != given[code]:
                self.add(
                    "miscount",
                    _rule(self.scenario, _COUNTING_CARDS),
                    f"Recorded {given[code]} × {self.label(code)}; the right number is "
                    f"{expected[code]}.",
                    PENALTY["miscount"] * unit,
                )
        missing = sorted(expected.keys() - given.keys())
        extra = sorted(given.keys() - expected.keys())
        for want, got in self._pair(missing, extra):
            same = self.catalogue.group_of(want) == self.catalogue.group_of(got)
            where = "the right crime group, but" if same else "a different crime group:"
            self.add(
                "misclassification",
                _rule(self.scenario),
                f"Recorded {self.label(got)} ({where} the right class is {self.label(want)}).",
                PENALTY["same-group" if same else "other-group"] * unit,
            )
            missing.remove(want)
            extra.remove(got)
        for code in missing:
            self.add(
                "under-recording",
                _rule(self.scenario),
                f"Did not record {expected[code]} × {self.label(code)}.",
                PENALTY["missing"] * unit,
            )
        for code in extra:
            self.add(
                "over-recording",
                _rule(self.scenario, _EXTRA_CRIME_CARDS),
                f"Recorded {self.label(code)} as well; it should not be recorded separately here.",
                PENALTY["extra"] * unit,
            )

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
                "missed-flag", _flag_card(flag), f"Missed the {self._flag(flag)} flag.", MISSED_FLAG
            )
        for flag in sorted(got - want):
            self.add(
                "extra-flag",
                _flag_card(flag),
                f"Set the {self._flag(flag)} flag, which does not apply.",
                EXTRA_FLAG,
            )

    def _flag(self, flag: str) -> str:
        found = self.catalogue.flag_by_id.get(flag)
        return found.name.lower() if found else flag

    def grade_incident_code(self) -> None:
        want, got = self.scenario.expected.incident_code, self.answer.incident_code
        if _incident_class(want) == _incident_class(got):
            return
        message = (
            f"Logged the incident as {got}; it should be {want}."
            if want and got
            else f"The incident should be logged as {want}."
            if want
            else f"Logged the incident as {got}, which does not apply here."
        )
        self.add(
            "misclassification",
            _rule(self.scenario, ("n100-reported-rape",)),
            message,
            WRONG_INCIDENT_CODE,
        )

    def grade_cancellation_reason(self) -> None:
        want, got = self.scenario.expected.cancellation_reason, self.answer.cancellation_reason
        if want == got:
            return
        card = f"cancellation-{(want or '').lower()}"
        rule = next((r for r in self.scenario.expected.rules if r.startswith(card)), None)
        self.add(
            "wrong-cancellation",
            rule or _rule(self.scenario),
            f"Cancelled with {got or 'no reason'}; the reason that applies is {want}.",
            WRONG_CANCELLATION_REASON,
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
        return Grade(scenario=self.scenario.id, score=score, findings=tuple(self.findings))


def _incident_class(code: str | None) -> str | None:
    return code.split("/")[0] if code else None


def _refer_name(target: str | None) -> str:
    return {"report-fraud": "Report Fraud", "other-force": "the force where it happened"}.get(
        target or "", "nobody"
    )


def grade(scenario: Scenario, answer: Answer, catalogue: Catalogue | None = None) -> Grade:
    """Score an answer 0-100 and list its findings, each naming the rule card it concerns."""
    return _Grader(scenario, answer, catalogue or load_catalogue()).run()
