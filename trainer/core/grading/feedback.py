"""Feedback in plain words: the trainee's answer beside the expected one, and the rule cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainer.core.content.catalogue import Catalogue, RuleCard
from trainer.core.content.models import Answer, Expected, Finding, Grade, Scenario, Trap

DECISION_NAMES = {
    "crime": "Record a crime",
    "incident": "Incident (no crime)",
    "refer": "Refer elsewhere",
    "retain": "Retain the crime",
    "cancel": "Cancel the crime",
    "approve": "Approve the disposal",
    "refuse": "Refuse the disposal",
    "escalate": "Escalate for authority",
}
AUTHORITY_NAMES = {"inspector": "Inspector", "superintendent": "Superintendent", "cps": "CPS"}
REFER_NAMES = {"report-fraud": "Report Fraud", "other-force": "The force where it happened"}
FINDING_NAMES = {
    "under-recording": "Under-recording",
    "over-recording": "Over-recording",
    "misclassification": "Wrong classification",
    "miscount": "Wrong count",
    "missed-flag": "Missed flag",
    "extra-flag": "Flag that does not apply",
    "wrong-cancellation": "Wrong cancellation decision",
    "wrong-referral": "Wrong referral",
    "wrong-incident-code": "Wrong incident code",
    "wrong-disposal": "Wrong disposal decision",
    "wrong-authority": "Wrong authority for the disposal",
    "wrong-outcome": "Wrong outcome type",
}
NONE = "—"
CHANNEL_NAMES = {
    "phone-999": "999 call",
    "phone-101": "101 call",
    "online": "Online report",
    "front-counter": "Front counter",
    "officer-attendance": "Officer attendance",
    "third-party": "Third-party report",
    "case-file": "Case file",
}
LOG_AUDIT_TOPIC = "incident-audit"  # the trainee audits a closed log rather than takes a report
ASK_HEADINGS = {
    "phone-999": "Ask the caller",
    "phone-101": "Ask the caller",
    "third-party": "Ask the person reporting",
    "front-counter": "Ask the person at the counter",
    "online": "Ask the person who reported it",
    "officer-attendance": "Ask at the scene",
    "case-file": "Check the case file",
}


@dataclass(frozen=True)
class ComparisonRow:
    field: str
    given: str
    expected: str
    accepted: bool = False  # differs from the key, but the grading counts it right

    @property
    def same(self) -> bool:
        return self.given == self.expected

    @property
    def match(self) -> str:
        """The Match column's words."""
        return "✓ Same" if self.same else "✓ Also right" if self.accepted else "✗ Differs"


def _crimes(record: Answer | Expected, catalogue: Catalogue) -> str:
    lines = []
    for crime in record.crimes:
        offence = catalogue.offence_by_code.get(crime.offence)
        lines.append(f"{crime.count} × {offence.label if offence else crime.offence}")
    return "\n".join(sorted(lines)) or NONE


def _flags(record: Answer | Expected, catalogue: Catalogue) -> str:
    names = [catalogue.flag_by_id[f].name if f in catalogue.flag_by_id else f for f in record.flags]
    return ", ".join(sorted(names)) or NONE


def _incident(code: str | None, catalogue: Catalogue) -> str:
    if not code:
        return NONE
    main = catalogue.incident_by_code.get(code.split("/")[0])
    return f"{code} {main.name}" if main else code


def _reason(code: str | None, catalogue: Catalogue) -> str:
    if not code:
        return NONE
    reason = catalogue.cancellation_by_code.get(code)
    return f"{code} {reason.name}" if reason else code


def _decision(code: str, catalogue: Catalogue) -> str:
    outcome = catalogue.outcome_by_code.get(code)
    if outcome is not None and code not in DECISION_NAMES:
        return f"Outcome {code}: {outcome.name}"
    return DECISION_NAMES.get(code, code)


def describe(record: Answer | Expected, catalogue: Catalogue) -> dict[str, str]:
    """Each part of a crime record in words, keyed by its field name on the form."""
    return {
        "Decision": _decision(record.decision, catalogue),
        "Authority": AUTHORITY_NAMES.get(record.authority or "", NONE),
        "Crimes": _crimes(record, catalogue),
        "Flags": _flags(record, catalogue),
        "Incident code": _incident(record.incident_code, catalogue),
        "Cancellation reason": _reason(record.cancellation_reason, catalogue),
        "Referred to": REFER_NAMES.get(record.refer_to or "", NONE),
    }


def comparison(
    answer: Answer,
    expected: Expected,
    catalogue: Catalogue,
    findings: Sequence[Finding] | None = None,
) -> list[ComparisonRow]:
    """The rows worth showing: the decision, and every other part either side filled in. With the
    answer's `findings`, an authority the grading accepted (a Superintendent where "Inspector or
    higher" will do) reads as right."""
    given, wanted = describe(answer, catalogue), describe(expected, catalogue)
    authority_accepted = (
        findings is not None
        and answer.decision == expected.decision == "escalate"
        and not any(f.kind == "wrong-authority" for f in findings)
    )
    return [
        ComparisonRow(name, given[name], wanted[name], name == "Authority" and authority_accepted)
        for name in given
        if name == "Decision"
        or NONE not in (given[name], wanted[name])
        or given[name] != wanted[name]
    ]


def rule_card(finding: Finding, catalogue: Catalogue) -> RuleCard | None:
    return catalogue.rule_by_id.get(finding.rule)


def cited_cards(expected: Expected, grade: Grade, catalogue: Catalogue) -> list[RuleCard]:
    """The rule cards behind a scenario: those its findings name first, then those it cites."""
    ids = [f.rule for f in grade.findings] + list(expected.cards)
    return [catalogue.rule_by_id[r] for r in dict.fromkeys(ids) if r in catalogue.rule_by_id]


def fallen_trap(expected: Expected, findings: Sequence[Finding]) -> Trap | None:
    """The scenario's trap the graded answer fell into, if any."""
    names = {f.trap for f in findings if f.trap is not None}
    return next((t for t in expected.traps if t.name in names), None)


def finding_line(finding: Finding) -> str:
    """One finding as the feedback list shows it: malpractice and classic wrong answers marked."""
    text = f"{FINDING_NAMES.get(finding.kind, finding.kind)}: {finding.message}"
    if finding.malpractice:
        return f"✗ {text} ⚠ HMIC malpractice"
    if finding.trap is not None:
        return f"✗ {text} (a classic wrong answer)"
    return f"✗ {text}"


def feedback_text(feedback: str, expected: Expected | None, findings: Sequence[Finding]) -> str:
    """The scenario's feedback, after the feedback paragraph of a trap the answer fell into."""
    trap = fallen_trap(expected, findings) if expected is not None else None
    if trap is None:
        return feedback
    return f"{trap.feedback.strip()}\n\n{feedback}" if feedback.strip() else trap.feedback


def score_words(score: int, findings: Sequence[Finding] = ()) -> str:
    """A score in words; an answer that fell into an HMIC malpractice trap says so too."""
    if any(f.malpractice for f in findings):
        return f"{score_words(score)}, an HMIC malpractice answer"
    if score == 100:
        return "Fully right"
    if score == 0:
        return "Wrong"
    return "Partly right"


def scenario_source(scenario: Scenario) -> str:
    """The scenario's channel and kind in words. A cancellation review or a log audit looks back
    at a crime or an incident already on record: its channel is how that first came in."""
    channel = CHANNEL_NAMES[scenario.report.channel]
    if scenario.kind == "cancellation":
        return f"cancellation review (first report: {channel})"
    if LOG_AUDIT_TOPIC in scenario.topics:
        return f"incident log audit (first report: {channel})"
    review = {
        "disposal-review": " · out-of-court disposal review",
        "outcome": " · outcome decision",
    }.get(scenario.kind, "")
    return f"{channel}{review}"


def questions_heading(scenario: Scenario) -> str:
    """What the buttons of further details are headed: who is asked, or where to look."""
    if LOG_AUDIT_TOPIC in scenario.topics:
        return "Check the log"
    return ASK_HEADINGS.get(scenario.report.channel, "Ask a question")


def asked_words(scenario: Scenario) -> tuple[str, str]:
    """How a question opened and its answer are introduced: asked of someone, or looked up."""
    if LOG_AUDIT_TOPIC in scenario.topics:
        return "You checked", "Found"
    return "You asked", "Answer"
