"""The figures trainees and supervisors see, defined once (see STATISTICS.md).

Everything here works on plain `Attempt` values (one per stored answer), so the application, the
CSV summary and the tests compute the same numbers.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trainer.core.grading.attempt import Attempt as Attempt  # re-exported: figures take it

Z95 = 1.959964
SMALL_SAMPLE_N = 30
WIDE_INTERVAL = 0.20
MIN_TRAINEES_FOR_DISCRIMINATION = 10
WEAK_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class Proportion:
    """k of n, with its 95% Wilson score interval and the small-sample warning."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.k, self.n)

    @property
    def small_sample(self) -> bool:
        interval = self.interval
        return (
            self.n < SMALL_SAMPLE_N or interval is None or interval[1] - interval[0] > WIDE_INTERVAL
        )

    def describe(self) -> str:
        """E.g. '91.7% (110/120; 95% CI 85.3–95.4%)', with a note when the sample is small."""
        if not self.n or self.value is None or self.interval is None:
            return "no data"
        low, high = self.interval
        text = f"{self.value:.1%} ({self.k}/{self.n}; 95% CI {low:.1%}–{high:.1%})"
        return f"{text} — small sample, treat with caution" if self.small_sample else text


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for k successes in n trials (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"k={k} must be between 0 and n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 and n the interval touches the boundary exactly; rounding must not pull it inside.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def _should_record(a: Attempt) -> bool:
    return a.kind == "classify" and a.expected_decision == "crime"


def recording_rate(attempts: Iterable[Attempt]) -> Proportion:
    """Of classify scenarios where a crime should be recorded, the share where it was."""
    due = [a for a in attempts if _should_record(a)]
    return Proportion(sum(a.decision == "crime" for a in due), len(due))


def recording_accuracy(attempts: Iterable[Attempt]) -> Proportion:
    """Of the same scenarios, the share recorded and fully right (score 100)."""
    due = [a for a in attempts if _should_record(a)]
    return Proportion(sum(a.decision == "crime" and a.score == 100 for a in due), len(due))


def cancellation_accuracy(attempts: Iterable[Attempt]) -> Proportion:
    """Of cancellation reviews, the share decided correctly (and with the right reason)."""
    reviews = [a for a in attempts if a.kind == "cancellation"]
    return Proportion(sum(a.score == 100 for a in reviews), len(reviews))


def mean_score(attempts: Iterable[Attempt]) -> float | None:
    scores = [a.score for a in attempts]
    return sum(scores) / len(scores) if scores else None


@dataclass
class TraineeSummary:
    trainee_id: str
    attempts: int
    exam_attempts: int
    mean_score: float | None
    recording_rate: Proportion
    recording_accuracy: Proportion
    cancellation_accuracy: Proportion
    last_active: datetime | None
    trend: float | None  # mean of the latest half minus mean of the earlier half


def summarise(trainee_id: str, attempts: Sequence[Attempt]) -> TraineeSummary:
    ordered = sorted(attempts, key=lambda a: a.answered_at)
    return TraineeSummary(
        trainee_id=trainee_id,
        attempts=sum(not a.exam for a in ordered),
        exam_attempts=sum(a.exam for a in ordered),
        mean_score=mean_score(ordered),
        recording_rate=recording_rate(ordered),
        recording_accuracy=recording_accuracy(ordered),
        cancellation_accuracy=cancellation_accuracy(ordered),
        last_active=ordered[-1].answered_at if ordered else None,
        trend=_trend(ordered),
    )


def _trend(ordered: Sequence[Attempt]) -> float | None:
    if len(ordered) < 4:
        return None
    half = len(ordered) // 2
    early, late = mean_score(ordered[:half]), mean_score(ordered[half:])
    return None if early is None or late is None else late - early


def team_table(attempts: Iterable[Attempt]) -> list[TraineeSummary]:
    by_trainee: dict[str, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_trainee[a.trainee_id].append(a)
    return [summarise(t, rows) for t, rows in sorted(by_trainee.items())]


@dataclass
class Breakdown:
    """Accuracy per key (crime group or rule card) in time order, for progress charts."""

    key: str
    attempts: int = 0
    correct: int = 0
    scores: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def accuracy(self) -> Proportion:
        return Proportion(self.correct, self.attempts)


def by_group(attempts: Iterable[Attempt]) -> dict[str, Breakdown]:
    out: dict[str, Breakdown] = {}
    for a in sorted(attempts, key=lambda a: a.answered_at):
        for g in a.groups or ("(no crime)",):
            b = out.setdefault(g, Breakdown(g))
            b.attempts += 1
            b.correct += a.score == 100
            b.scores.append((a.answered_at, a.score))
    return out


def findings_by_kind(attempts: Iterable[Attempt]) -> Counter[str]:
    return Counter(k for a in attempts for k in a.finding_kinds)


def findings_by_rule(attempts: Iterable[Attempt]) -> Counter[str]:
    return Counter(r for a in attempts for r in a.finding_rules)


def weak_rules(attempts: Iterable[Attempt], recent: int = 30, limit: int = 5) -> list[str]:
    """The rule cards a trainee has missed most in their latest answers."""
    latest = sorted(attempts, key=lambda a: a.answered_at)[-recent:]
    return [rule for rule, _ in findings_by_rule(latest).most_common(limit)]


@dataclass
class ItemStats:
    scenario_id: str
    attempts: int
    trainees: int
    facility: float | None
    discrimination: float | None

    @property
    def flagged(self) -> bool:
        """Strong trainees do worse than weak ones: suspect the key or the report."""
        return self.discrimination is not None and self.discrimination < 0


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def item_analysis(attempts: Iterable[Attempt]) -> list[ItemStats]:
    """Facility and corrected item-total discrimination for every scenario answered."""
    # Each trainee's mean score per scenario (a scenario answered twice counts as its mean).
    per: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for a in attempts:
        per[a.trainee_id][a.scenario_id].append(a.score)
    trainee_item: dict[str, dict[str, float]] = {
        t: {s: sum(v) / len(v) for s, v in items.items()} for t, items in per.items()
    }
    # Each trainee's total and count over all their scenarios, so "the mean of all *other*
    # scenarios" is (total - own) / (count - 1): linear in the answers, not quadratic.
    totals = {t: (sum(items.values()), len(items)) for t, items in trainee_item.items()}
    xs: dict[str, list[float]] = defaultdict(list)
    ys: dict[str, list[float]] = defaultdict(list)
    trainees: Counter[str] = Counter()
    for t, items in trainee_item.items():
        total, count = totals[t]
        for sid, own in items.items():
            trainees[sid] += 1
            if count > 1:
                xs[sid].append(own)
                ys[sid].append((total - own) / (count - 1))
    scores: dict[str, list[int]] = defaultdict(list)
    for answered in per.values():
        for sid, values in answered.items():
            scores[sid].extend(values)
    result = []
    for sid in sorted(scores):
        enough = len(xs[sid]) >= MIN_TRAINEES_FOR_DISCRIMINATION
        discrimination = _pearson(xs[sid], ys[sid]) if enough else None
        facility = sum(scores[sid]) / len(scores[sid]) / 100
        result.append(ItemStats(sid, len(scores[sid]), trainees[sid], facility, discrimination))
    return result
