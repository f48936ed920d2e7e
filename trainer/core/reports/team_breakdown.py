"""Where answers go wrong: the dashboard's bar charts, the answers behind a bar, weekly progress.

Counting is the database's (`figures`); this module shapes the counts into bars and weeks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from trainer.core.content.catalogue import GROUP_NAMES, NO_CRIME_GROUP, Catalogue, group_title
from trainer.core.content.models import FINDING_KINDS
from trainer.core.reports.figures import GroupCount
from trainer.core.reports.statistics import Proportion

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
    "wrong-disposal": "Wrong disposal",
    "wrong-authority": "Wrong authority",
    "wrong-outcome": "Wrong outcome",
}


@dataclass(frozen=True)
class Bar:
    """One bar of a breakdown chart: its key, its label and the value drawn."""

    key: str
    label: str
    value: float
    shown: str  # the value as a table shows it, e.g. "12" or "87.5% (7/8)"
    detail: str  # what the bar means in words, for tooltips and screen readers


def kind_bars(counts: Mapping[str, int]) -> list[Bar]:
    """Findings by kind, every kind in the catalogue's order (a zero is worth seeing)."""
    return [
        Bar(k, KIND_NAMES.get(k, k), n, str(n), f"{n} {k} finding(s)")
        for k in FINDING_KINDS
        for n in [counts.get(k, 0)]
    ]


def rule_title(rule: str, catalogue: Catalogue) -> str:
    card = catalogue.rule_by_id.get(rule)
    return card.title if card else rule


def rule_bars(counts: Counter[str], catalogue: Catalogue, limit: int | None = 10) -> list[Bar]:
    """The rule cards the team's findings concern most, most first (ties by rule id)."""
    bars = []
    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        title = rule_title(rule, catalogue)
        bars.append(Bar(rule, title, n, str(n), f"{n} finding(s) under “{title}”"))
    return bars


def group_bars(groups: Iterable[GroupCount]) -> list[Bar]:
    """Share of answers fully right per crime group, in the Home Office order."""
    order = [*GROUP_NAMES, NO_CRIME_GROUP]
    bars = []
    for g in sorted(groups, key=lambda g: order.index(g.crime_group) if g.crime_group in order
                    else len(order)):  # fmt: skip
        accuracy = Proportion(g.perfect, g.answers)
        value = accuracy.value or 0.0
        key = g.crime_group
        name = group_title(key)
        shown = f"{value:.1%} ({accuracy.k}/{accuracy.n})"
        bars.append(
            Bar(key, name, round(100 * value, 1), shown, f"fully right: {accuracy.describe()}")
        )
    return bars


# One trainee ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressPoint:
    """One week of a trainee's answers (weeks start on Monday)."""

    week: date
    answers: int
    mean_score: float
    recording: Proportion


@dataclass(frozen=True)
class DayCount:
    """One day's answers (the date as recorded, in the recording's local time)."""

    day: date
    answers: int
    score_sum: int
    record_n: int
    record_k: int


def weekly_progress(days: Iterable[DayCount]) -> list[ProgressPoint]:
    weeks: dict[date, list[DayCount]] = {}
    for d in days:
        weeks.setdefault(d.day - timedelta(days=d.day.weekday()), []).append(d)
    points = []
    for week, chunk in sorted(weeks.items()):
        n = sum(d.answers for d in chunk)
        rate = Proportion(sum(d.record_k for d in chunk), sum(d.record_n for d in chunk))
        points.append(ProgressPoint(week, n, sum(d.score_sum for d in chunk) / n, rate))
    return points


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


def rule_lines(
    pairs: Iterable[tuple[tuple[str, ...], tuple[str, ...], int]], catalogue: Catalogue
) -> list[RuleLine]:
    """Findings per rule card, most first (ties by rule id), from (rules, kinds, answers) rows:
    an answer's kinds and rules are listed in step."""
    kinds: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for rules, kinds_of, n in pairs:
        for rule in rules:
            totals[rule] += n
        for rule, kind in zip(rules, kinds_of, strict=False):
            kinds.setdefault(rule, Counter())[kind] += n
    return [
        RuleLine(rule, rule_title(rule, catalogue), n, kinds.get(rule, Counter()))
        for rule, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
