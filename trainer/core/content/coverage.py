"""What a scenario bank exercises, per rule card, code, group, flag, reason, audience, level."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from trainer.core.content.catalogue import GROUP_NAMES, Catalogue
from trainer.core.content.models import Scenario


@dataclass
class Coverage:
    scenarios: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    offences: Counter[str] = field(default_factory=Counter)
    groups: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    cancellation_reasons: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    outcome_types: Counter[str] = field(default_factory=Counter)  # keys of outcome decisions
    disposals: Counter[str] = field(default_factory=Counter)  # disposals reviewed, by decision
    audiences: Counter[str] = field(default_factory=Counter)
    difficulties: Counter[int] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    with_details: Counter[str] = field(default_factory=Counter)
    unused_rules: list[str] = field(default_factory=list)
    unused_offences: list[str] = field(default_factory=list)
    traps: Counter[str] = field(default_factory=Counter)  # traps per rule card they break
    malpractice_traps: Counter[str] = field(default_factory=Counter)
    without_traps: list[str] = field(default_factory=list)  # ids of scenarios with no trap

    def to_json_dict(self) -> dict[str, object]:
        return {
            "scenarios": self.scenarios,
            "rules": dict(self.rules),
            "offences": dict(self.offences),
            "groups": dict(self.groups),
            "flags": dict(self.flags),
            "cancellation_reasons": dict(self.cancellation_reasons),
            "decisions": dict(self.decisions),
            "kinds": dict(self.kinds),
            "outcome_types": dict(self.outcome_types),
            "disposals": dict(self.disposals),
            "audiences": dict(self.audiences),
            "difficulties": {str(k): v for k, v in sorted(self.difficulties.items())},
            "topics": dict(self.topics),
            "with_details": dict(self.with_details),
            "unused_rules": self.unused_rules,
            "unused_offences": self.unused_offences,
            "traps": dict(self.traps),
            "malpractice_traps": dict(self.malpractice_traps),
            "without_traps": self.without_traps,
        }


def measure_coverage(scenarios: Sequence[Scenario], catalogue: Catalogue) -> Coverage:
    cov = Coverage(scenarios=len(scenarios))
    for s in scenarios:
        key = s.expected
        cov.rules.update(set(key.cards))
        codes = {c.offence for c in key.crimes}
        cov.offences.update(codes)
        cov.groups.update({g for c in codes if (g := catalogue.group_of(c))})
        cov.flags.update(set(key.flags))
        if key.cancellation_reason:
            cov.cancellation_reasons[key.cancellation_reason] += 1
        cov.decisions[key.decision] += 1
        cov.kinds[s.kind] += 1
        if s.kind == "outcome":
            cov.outcome_types[key.decision] += 1
        if s.case is not None:
            cov.disposals[f"{s.case.disposal}: {_disposal_key(key.decision, key.authority)}"] += 1
        cov.audiences.update(set(s.audience))
        cov.difficulties[s.difficulty] += 1
        cov.topics.update(set(s.topics))
        if s.report.details:
            cov.with_details.update(set(s.audience))
        cov.traps.update(t.rule for t in key.traps)
        cov.malpractice_traps.update(t.rule for t in key.traps if t.malpractice)
        if not key.traps:
            cov.without_traps.append(s.id)
    cov.unused_rules = [r.id for r in catalogue.rule_cards if r.id not in cov.rules]
    cov.unused_offences = [o.code for o in catalogue.offences if o.code not in cov.offences]
    return cov


def _disposal_key(decision: str, authority: str | None) -> str:
    return f"{decision} ({authority})" if authority else decision


def _table(title: str, rows: list[tuple[str, int]]) -> list[str]:
    lines = ["", title]
    lines += [f"  {count:>4}  {name}" for name, count in rows]
    return lines


def coverage_report(cov: Coverage, catalogue: Catalogue) -> str:
    lines = [f"Scenario bank coverage: {cov.scenarios} scenarios ({catalogue.edition})"]
    lines += _table("By rule card", [(r.id, cov.rules[r.id]) for r in catalogue.rule_cards])
    lines += _table("By crime group", [(GROUP_NAMES[g], cov.groups[g]) for g in catalogue.groups()])
    lines += _table(
        "By offence code (those used)",
        [(o.label, cov.offences[o.code]) for o in catalogue.offences if cov.offences[o.code]],
    )
    lines += _table("By flag", [(f.id, cov.flags[f.id]) for f in catalogue.flags])
    lines += _table(
        "By cancellation reason",
        [(c.code, cov.cancellation_reasons[c.code]) for c in catalogue.cancellation_reasons],
    )
    lines += _table("By kind", sorted(cov.kinds.items()))
    lines += _table("By decision", sorted(cov.decisions.items()))
    lines += _table(
        "By outcome type (outcome decisions)",
        [(f"{o.code} {o.name}", cov.outcome_types[o.code]) for o in catalogue.outcome_types],
    )
    lines += _table("By disposal reviewed and its key", sorted(cov.disposals.items()))
    lines += _table("By audience", sorted(cov.audiences.items()))
    lines += _table("By audience, with details to ask", sorted(cov.with_details.items()))
    lines += _table("By difficulty", [(str(k), v) for k, v in sorted(cov.difficulties.items())])
    lines += _table("By topic", sorted(cov.topics.items()))
    trapped = [r for r in catalogue.rule_cards if cov.traps[r.id]]
    lines += _table(
        "Traps by rule card (of them malpractice, in brackets)",
        [(f"{r.id} ({cov.malpractice_traps[r.id]})", cov.traps[r.id]) for r in trapped],
    ) + ([] if trapped else ["  (none)"])
    lines += ["", f"Scenarios without traps ({len(cov.without_traps)}):"]
    lines += [f"  {sid}" for sid in sorted(cov.without_traps)] or ["  (none)"]
    lines += ["", "Rule cards no scenario exercises:"]
    lines += [f"  {r}" for r in cov.unused_rules] or ["  (none)"]
    lines += ["", f"Offence codes no scenario exercises ({len(cov.unused_offences)}):"]
    lines += [f"  {', '.join(cov.unused_offences)}" if cov.unused_offences else "  (none)"]
    return "\n".join(lines)
