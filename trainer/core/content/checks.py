"""Consistency checks of scenarios and answers against each other and the catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import (
    AUTHORITIES,
    CANCELLATION_DECISIONS,
    CLASSIFY_DECISIONS,
    DISPOSAL_DECISIONS,
    Answer,
    AnsweredCrime,
    Decision,
    ExpectedCrime,
    Kind,
    Scenario,
)
from trainer.core.content.traps import NO_CODE, implied_answer, matches

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str]


def decisions_for(kind: Kind, catalogue: Catalogue | None = None) -> tuple[Decision, ...]:
    """The decisions a scenario of `kind` takes (for outcome: the catalogue's outcome types)."""
    if kind == "outcome":
        return tuple(o.code for o in catalogue.outcome_types) if catalogue else ()
    if kind == "disposal-review":
        return DISPOSAL_DECISIONS
    return CLASSIFY_DECISIONS if kind == "classify" else CANCELLATION_DECISIONS


def _decision_issue(kind: Kind, decision: str, catalogue: Catalogue) -> str | None:
    allowed = decisions_for(kind, catalogue)
    if decision in allowed:
        return None
    if kind == "outcome":
        return f"{decision!r} is not an outcome type in the {catalogue.edition_id} catalogue"
    return f"{decision!r} is not a {kind} decision; use {' or '.join(allowed)}"


def incident_code_known(code: str, catalogue: Catalogue) -> bool:
    return any(
        code == i.code or code in {s.code for s in i.subcodes} for i in catalogue.incident_codes
    )


def _check_record(
    kind: Kind,
    record: Scenario | Answer,
    catalogue: Catalogue,
    base: Loc,
) -> list[Issue]:
    """Checks shared by an expected answer and a trainee's answer.

    A key must be complete and coherent; an answer need only be usable (its gaps are graded).
    """
    key = isinstance(record, Scenario)
    expected = record.expected if isinstance(record, Scenario) else record
    crimes: Sequence[ExpectedCrime | AnsweredCrime] = expected.crimes
    issues: list[Issue] = []
    decision = expected.decision
    problem = _decision_issue(kind, decision, catalogue)
    if problem is not None:
        issues.append(((*base, "decision"), problem))
    if decision == "escalate" and expected.authority is None:
        issues.append(
            ((*base, "authority"), f"an escalate decision needs one of {', '.join(AUTHORITIES)}")
        )
    if expected.authority is not None and decision != "escalate":
        issues.append(((*base, "authority"), "goes only with an escalate decision"))
    if key and decision == "crime" and not expected.crimes:
        issues.append(((*base, "crimes"), "a crime decision needs at least one crime"))
    if decision != "crime" and expected.crimes:
        issues.append(((*base, "crimes"), f"must be empty when the decision is {decision!r}"))
    for i, crime in enumerate(crimes):
        if crime.offence not in catalogue.offence_by_code:
            issues.append(
                (
                    (*base, "crimes", i, "offence"),
                    f"unknown offence code {crime.offence!r} "
                    f"(not in the {catalogue.edition_id} catalogue)",
                )
            )
    for i, flag in enumerate(expected.flags):
        if flag not in catalogue.flag_by_id:
            issues.append(((*base, "flags", i), f"unknown flag {flag!r}"))
    if len(set(expected.flags)) != len(expected.flags):
        issues.append(((*base, "flags"), "a flag is given twice"))
    if key and expected.flags and decision != "crime":
        issues.append(((*base, "flags"), "flags go only with a crime decision"))
    cse_alone = "child-sexual-exploitation" in expected.flags and (
        "child-sexual-abuse" not in expected.flags
    )
    if key and cse_alone:
        issues.append(((*base, "flags"), "child-sexual-exploitation needs child-sexual-abuse too"))
    code = expected.incident_code
    if code is not None:
        if decision != "incident":
            issues.append(((*base, "incident_code"), "goes only with an incident decision"))
        elif not incident_code_known(code, catalogue):
            issues.append(((*base, "incident_code"), f"unknown incident code {code!r}"))
    reason = expected.cancellation_reason
    if key and decision == "cancel" and reason is None:
        issues.append(((*base, "cancellation_reason"), "a cancel decision needs a reason (C1-C5)"))
    if reason is not None:
        if decision != "cancel":
            issues.append(((*base, "cancellation_reason"), "goes only with a cancel decision"))
        elif reason not in catalogue.cancellation_by_code:
            issues.append(((*base, "cancellation_reason"), f"unknown cancellation code {reason!r}"))
    if key and decision == "refer" and expected.refer_to is None:
        issues.append(((*base, "refer_to"), "a refer decision needs report-fraud or other-force"))
    if expected.refer_to is not None and decision != "refer":
        issues.append(((*base, "refer_to"), "goes only with a refer decision"))
    return issues


def check_scenario(scenario: Scenario, catalogue: Catalogue) -> list[Issue]:
    """Everything a scenario's key must satisfy beyond its shape."""
    issues = _check_record(scenario.kind, scenario, catalogue, ("expected",))
    for i, rule in enumerate(scenario.expected.rules):
        if rule not in catalogue.rule_by_id:
            issues.append((("expected", "rules", i), f"unknown rule card {rule!r}"))
    decision_rule = scenario.expected.decision_rule
    if decision_rule is not None and decision_rule not in catalogue.rule_by_id:
        issues.append((("expected", "decision_rule"), f"unknown rule card {decision_rule!r}"))
    issues += _check_traps(scenario, catalogue)
    sexual = any(
        catalogue.group_of(c.offence) == "sexual-offences" for c in scenario.expected.crimes
    ) or (scenario.expected.incident_code or "").startswith("N100")
    if sexual and "sexual-offences" not in scenario.topics:
        issues.append(
            (("topics",), "a sexual-offence scenario must carry the 'sexual-offences' topic")
        )
    if len(set(scenario.audience)) != len(scenario.audience):
        issues.append((("audience",), "an audience is given twice"))
    issues += _check_outcome_kinds(scenario, catalogue)
    return issues


def _check_outcome_kinds(scenario: Scenario, catalogue: Catalogue) -> list[Issue]:
    """Outcome decisions are officers' (never call-handlers'); a disposal review's case facts
    must be in the catalogue and its key must be what the permitted-disposal rules give."""
    issues: list[Issue] = []
    decides_outcomes = scenario.kind in ("disposal-review", "outcome")
    if decides_outcomes and "call-handler" in scenario.audience:
        issues.append(
            (("audience",), f"a {scenario.kind} scenario is for officers, not call-handlers")
        )
    case = scenario.case
    if case is None:
        return issues
    if scenario.kind != "disposal-review":
        issues.append((("case",), "goes only with kind disposal-review"))
        return issues
    if case.offence not in catalogue.offence_by_code:
        issues.append((("case", "offence"), f"unknown offence code {case.offence!r}"))
        return issues
    if catalogue.ho_code(case.offence, case.ho_code) is None:
        issues.append(
            (("case", "ho_code"), f"{case.ho_code!r} is not filed under class {case.offence}")
        )
        return issues
    for i, entry in enumerate(case.history):
        if entry.date > case.decided_on:
            issues.append((("case", "history", i, "date"), "is after the decision date"))
    if issues:
        return issues
    from trainer.core.content.disposals import permitted

    rules = permitted(case, catalogue)
    key = scenario.expected
    if rules.verdict == "unclear":
        why = "; ".join(r.text for r in rules.reasons if r.permission == "unclear")
        issues.append(
            (("case",), f"the outcomes guidance does not decide this case ({why}); leave it out")
        )
    elif (rules.verdict, rules.authority) != (key.decision, key.authority):
        want = rules.verdict + (f" ({rules.authority})" if rules.authority else "")
        issues.append(
            (
                ("expected", "decision"),
                f"the disposal rules give {want} for this case "
                f"({'; '.join(r.text for r in rules.reasons) or 'no condition stands in the way'})",
            )
        )
    return issues


def unnamed_topics(scenario: Scenario, catalogue: Catalogue) -> list[Issue]:
    """Topics the catalogue gives no plain name: warnings, as the scenario still works."""
    return [
        (
            ("topics", i),
            f"warning: topic {topic!r} has no name in the {catalogue.edition_id} catalogue, so "
            f"it is shown as {catalogue.topic_name(topic)!r} (add it under topics: there)",
        )
        for i, topic in enumerate(scenario.topics)
        if topic not in catalogue.topics
    ]


def _check_traps(scenario: Scenario, catalogue: Catalogue) -> list[Issue]:
    """Each trap: a known rule card, a unique name, codes in the catalogue, an answer that a
    trainee could give, and one that is really wrong against the key."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for i, trap in enumerate(scenario.expected.traps):
        base: Loc = ("expected", "traps", i)
        if trap.name in seen:
            issues.append(((*base, "name"), f"trap name {trap.name!r} is used twice"))
        seen.add(trap.name)
        if trap.rule not in catalogue.rule_by_id:
            issues.append(((*base, "rule"), f"unknown rule card {trap.rule!r}"))
        implied = implied_answer(trap.answer, scenario.expected)
        # The least wrong answer the trap matches must be one a trainee could give.
        issues += _check_record(scenario.kind, implied, catalogue, (*base, "answer"))
        if matches(trap.answer, scenario.expected):
            issues.append(
                ((*base, "answer"), "the key itself matches this trap; a trap must be wrong")
            )
    return issues


def check_answer(scenario: Scenario, answer: Answer, catalogue: Catalogue) -> list[Issue]:
    """Problems that make an answer unusable for this scenario (not mistakes to be graded)."""
    return _check_record(scenario.kind, answer, catalogue, ())


def reference_issues(data: object, catalogue: Catalogue) -> list[Issue]:
    """Unknown codes, flags, reasons and rule cards in a scenario's raw data, found even when its
    shape is wrong, so one pass of the validator reports both kinds of problem."""
    expected = data.get("expected") if isinstance(data, dict) else None
    if not isinstance(expected, dict):
        return []
    issues = _raw_record_references(expected, catalogue, ("expected",))
    for i, rule in _items(expected.get("rules")):
        if isinstance(rule, str) and rule not in catalogue.rule_by_id:
            issues.append((("expected", "rules", i), f"unknown rule card {rule!r}"))
    rule = expected.get("decision_rule")
    if isinstance(rule, str) and rule not in catalogue.rule_by_id:
        issues.append((("expected", "decision_rule"), f"unknown rule card {rule!r}"))
    for i, trap in _items(expected.get("traps")):
        if not isinstance(trap, dict):
            continue
        rule = trap.get("rule")
        if isinstance(rule, str) and rule not in catalogue.rule_by_id:
            issues.append((("expected", "traps", i, "rule"), f"unknown rule card {rule!r}"))
        answer = trap.get("answer")
        if isinstance(answer, dict):
            issues += _raw_record_references(answer, catalogue, ("expected", "traps", i, "answer"))
    return issues


def _items(value: object) -> list[tuple[int, object]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _raw_record_references(
    record: dict[str, object], catalogue: Catalogue, base: Loc
) -> list[Issue]:
    issues: list[Issue] = []
    for i, crime in _items(record.get("crimes")):
        code = crime.get("offence") if isinstance(crime, dict) else None
        if isinstance(code, str) and code not in catalogue.offence_by_code:
            issues.append(
                (
                    (*base, "crimes", i, "offence"),
                    f"unknown offence code {code!r} (not in the {catalogue.edition_id} catalogue)",
                )
            )
    for i, flag in _items(record.get("flags")):
        if isinstance(flag, str) and flag not in catalogue.flag_by_id:
            issues.append(((*base, "flags", i), f"unknown flag {flag!r}"))
    code = record.get("incident_code")
    if (base[-1:] == ("answer",) and code == NO_CODE) or not isinstance(code, str):
        pass
    elif not incident_code_known(code, catalogue):
        issues.append(((*base, "incident_code"), f"unknown incident code {code!r}"))
    reason = record.get("cancellation_reason")
    if isinstance(reason, str) and reason not in catalogue.cancellation_by_code:
        issues.append(((*base, "cancellation_reason"), f"unknown cancellation code {reason!r}"))
    return issues
