"""Where answers go wrong: the dashboard's bar charts, the answers behind a bar, weekly progress.

Counting is `statistics`' (findings by kind and rule, accuracy by group); this module shapes the
results into bars and picks the answers behind one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trainer.core.content.catalogue import GROUP_NAMES, Catalogue
from trainer.core.content.models import FINDING_KINDS
from trainer.core.reports.statistics import (
    Attempt,
    Proportion,
    by_group,
    findings_by_kind,
    findings_by_rule,
    mean_score,
    recording_rate,
)
from trainer.core.reports.team import Answered

NO_CRIME_GROUP = "(no crime)"  # the key `statistics.by_group` uses for answers with no crime
KIND_NAMES = {
    "under-recording": "Under-recording",
    "over-recording": "Over-recording",
    "misclassification": "Misclassification",
    "miscount": "Miscount",
    "missed-flag": "Missed flag",
    "extra-flag": "Extra flag",
    "wrong-cancellation": "Wrong cancellation",
    "wrong-referral": "Wrong referral",
    "wrong-incident-code": "Wrong incident code",
}


@dataclass(frozen=True)
class Bar:
    """One bar of a breakdown chart: its key, its label and the value drawn."""

    key: str
    label: str
    value: float
    shown: str  # the value as a table shows it, e.g. "12" or "87.5% (7/8)"
    detail: str  # what the bar means in words, for tooltips and screen readers


def kind_bars(attempts: Iterable[Attempt]) -> list[Bar]:
    """Findings by kind, every kind in the catalogue's order (a zero is worth seeing)."""
    counts = findings_by_kind(attempts)
    return [
        Bar(k, KIND_NAMES.get(k, k), counts[k], str(counts[k]), f"{counts[k]} {k} finding(s)")
        for k in FINDING_KINDS
    ]


def rule_title(rule: str, catalogue: Catalogue) -> str:
    card = catalogue.rule_by_id.get(rule)
    return card.title if card else rule


def rule_bars(attempts: Iterable[Attempt], catalogue: Catalogue, limit: int = 10) -> list[Bar]:
    """The rule cards the team's findings concern most, most first."""
    bars = []
    for rule, n in findings_by_rule(attempts).most_common(limit):
        title = rule_title(rule, catalogue)
        bars.append(Bar(rule, title, n, str(n), f"{n} finding(s) under “{title}”"))
    return bars


def group_bars(attempts: Iterable[Attempt]) -> list[Bar]:
    """Share of answers fully right per crime group, in the Home Office order."""
    breakdown = by_group(attempts)
    order = [*GROUP_NAMES, NO_CRIME_GROUP]
    bars = []
    for key in sorted(breakdown, key=lambda g: order.index(g) if g in order else len(order)):
        accuracy = breakdown[key].accuracy
        value = accuracy.value or 0.0
        name = GROUP_NAMES.get(key, "No crime to record" if key == NO_CRIME_GROUP else key)
        shown = f"{value:.1%} ({accuracy.k}/{accuracy.n})"
        bars.append(
            Bar(key, name, round(100 * value, 1), shown, f"fully right: {accuracy.describe()}")
        )
    return bars


def behind_kind(answers: Iterable[Answered], kind: str) -> list[Answered]:
    return [a for a in answers if kind in a.attempt.finding_kinds]


def behind_rule(answers: Iterable[Answered], rule: str) -> list[Answered]:
    return [a for a in answers if rule in a.attempt.finding_rules]


def behind_group(answers: Iterable[Answered], group: str) -> list[Answered]:
    return [a for a in answers if group in (a.attempt.groups or (NO_CRIME_GROUP,))]


# One trainee ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    """One week of a trainee's answers (weeks start on Monday)."""

    week: date
    answers: int
    mean_score: float
    recording: Proportion


def weekly_progress(attempts: Iterable[Attempt]) -> list[ProgressPoint]:
    weeks: dict[date, list[Attempt]] = {}
    for a in attempts:
        day = a.answered_at.date()
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(a)
    return [
        ProgressPoint(week, len(chunk), mean_score(chunk) or 0.0, recording_rate(chunk))
        for week, chunk in sorted(weeks.items())
    ]


@dataclass(frozen=True)
class RuleLine:
    """One rule card in a trainee's findings: how often, and as which kinds of finding."""

    rule: str
    title: str
    findings: int
    kinds: Counter[str]

    @property
    def kinds_text(self) -> str:
        return ", ".join(
            f"{KIND_NAMES.get(k, k).lower()} ×{n}" for k, n in self.kinds.most_common()
        )


def rule_lines(attempts: Sequence[Attempt], catalogue: Catalogue) -> list[RuleLine]:
    """Findings per rule card, most first (an answer's kinds and rules are listed in step)."""
    kinds: dict[str, Counter[str]] = {}
    for a in attempts:
        for rule, kind in zip(a.finding_rules, a.finding_kinds, strict=False):
            kinds.setdefault(rule, Counter())[kind] += 1
    return [
        RuleLine(rule, rule_title(rule, catalogue), n, kinds.get(rule, Counter()))
        for rule, n in findings_by_rule(attempts).most_common()
    ]
