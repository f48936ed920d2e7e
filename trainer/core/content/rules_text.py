"""The catalogue as readable text and as the public JSON of `trainer rules --json`."""

from __future__ import annotations

import textwrap

from trainer.core.content.catalogue import GROUP_NAMES, Catalogue


def catalogue_as_json(catalogue: Catalogue) -> dict[str, object]:
    return {
        "edition": catalogue.edition,
        "offences": [
            {"code": o.code, "name": o.name, "group": o.group} for o in catalogue.offences
        ],
        "incident_codes": [{"code": i.code, "name": i.name} for i in catalogue.incident_codes],
        "flags": [{"id": f.id, "name": f.name} for f in catalogue.flags],
        "cancellation_reasons": [
            {"code": c.code, "name": c.name} for c in catalogue.cancellation_reasons
        ],
        "outcome_types": [
            {"code": o.code, "name": o.name, "rule": o.rule} for o in catalogue.outcome_types
        ],
        "disposals": [
            {"id": d.id, "name": d.name, "outcome": d.outcome, "rule": d.rule}
            for d in catalogue.disposals
        ],
        "rule_cards": [
            {"id": r.id, "title": r.title, "source": r.source} for r in catalogue.rule_cards
        ],
    }


def catalogue_as_text(catalogue: Catalogue) -> str:
    lines = [
        f"Counting-rules catalogue: {catalogue.edition} (in force from {catalogue.in_force_from})"
    ]
    for group in catalogue.groups():
        lines += ["", f"{GROUP_NAMES[group]}"]
        lines += [f"  {o.code:<6} {o.name}" for o in catalogue.offences if o.group == group]
    lines += ["", "Incident classifications (not crimes)"]
    lines += [f"  {i.code:<6} {i.name}" for i in catalogue.incident_codes]
    lines += ["", "Crime flags"]
    lines += [f"  {f.id:<32} {f.name}" for f in catalogue.flags]
    lines += ["", "Cancellation reasons"]
    for c in catalogue.cancellation_reasons:
        lines += [
            f"  {c.code}  {c.name}",
            *_wrap(f"When: {c.when}"),
            *_wrap(f"Who: {c.authorised_by}"),
        ]
    lines += ["", "Outcome types (Outcomes for Recorded Crimes)"]
    for o in catalogue.outcome_types:
        lines += [f"  {o.code:<4} {o.name}", *_wrap(o.conditions)]
    lines += ["", "Out-of-court disposals an officer may propose (outcome type)"]
    lines += [f"  {d.id:<28} {d.name} ({d.outcome})" for d in catalogue.disposals]
    lines += ["", "Classes trainees confuse, and the rule card that tells them apart"]
    lines += [f"  {'/'.join(d.classes):<10} {d.rule}" for d in catalogue.distinctions]
    lines += ["", "Rule cards"]
    for r in catalogue.rule_cards:
        lines += ["", f"  {r.title}  [{r.id}]  ({r.source})", *_wrap(r.explanation)]
    return "\n".join(lines)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=96, initial_indent="      ", subsequent_indent="      ")
