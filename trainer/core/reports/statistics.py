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
from functools import cached_property

from trainer.core.content.catalogue import NO_CRIME_GROUP
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

    @cached_property
    def interval(self) -> tuple[float, float] | None:
        """Worked out once: a table shows it, its warning and its tooltip from the one value."""
        return wilson_interval(self.k, self.n)

    @cached_property
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


OUTCOME_KINDS = ("disposal-review", "outcome")
DISPOSAL_ERROR_KINDS = ("wrong-disposal", "wrong-authority", "wrong-outcome")


def outcome_accuracy(attempts: Iterable[Attempt]) -> Proportion:
    """Of disposal reviews and outcome decisions, the share decided fully right."""
    decided = [a for a in attempts if a.kind in OUTCOME_KINDS]
    return Proportion(sum(a.score == 100 for a in decided), len(decided))


def disposal_errors(attempts: Iterable[Attempt]) -> int:
    """Findings of a wrong disposal decision, authority or outcome type (the SQL count's twin)."""
    return sum(k in DISPOSAL_ERROR_KINDS for a in attempts for k in a.finding_kinds)


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
    outcome_accuracy: Proportion = Proportion(0, 0)  # disposal reviews and outcome decisions


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
        outcome_accuracy=outcome_accuracy(ordered),
    )


def _trend(ordered: Sequence[Attempt]) -> float | None:
    half = len(ordered) // 2
    return trend(len(ordered), sum(a.score for a in ordered), sum(a.score for a in ordered[:half]))


def trend(n: int, score_sum: float, early_sum: float) -> float | None:
    """Mean of the later half of n answers minus the earlier half (the first n // 2), from sums."""
    if n < 4:
        return None
    half = n // 2
    return (score_sum - early_sum) / (n - half) - early_sum / half


@dataclass(frozen=True)
class Tally:
    """The counts behind one `TraineeSummary`, as a database's GROUP BY returns them."""

    answers: int = 0
    exam_answers: int = 0
    score_sum: int = 0
    record_n: int = 0  # classify answers whose expected decision is crime
    record_k: int = 0  # ... where the decision given was crime
    exact_k: int = 0  # ... recorded and fully right (score 100)
    cancel_n: int = 0  # cancellation reviews
    cancel_k: int = 0  # ... scoring 100
    last_active: datetime | None = None
    early_sum: int = 0  # the scores of the first answers // 2 answers in time order

    def __add__(self, other: Tally) -> Tally:
        """Two groups' counts together (the trend's half-split does not add up: left out)."""
        times = [t for t in (self.last_active, other.last_active) if t is not None]
        return Tally(
            self.answers + other.answers,
            self.exam_answers + other.exam_answers,
            self.score_sum + other.score_sum,
            self.record_n + other.record_n,
            self.record_k + other.record_k,
            self.exact_k + other.exact_k,
            self.cancel_n + other.cancel_n,
            self.cancel_k + other.cancel_k,
            max(times) if times else None,
        )


def summary_of(trainee_id: str, t: Tally, with_trend: bool = True) -> TraineeSummary:
    """`summarise` from counts: the same figures without the answers."""
    return TraineeSummary(
        trainee_id=trainee_id,
        attempts=t.answers - t.exam_answers,
        exam_attempts=t.exam_answers,
        mean_score=t.score_sum / t.answers if t.answers else None,
        recording_rate=Proportion(t.record_k, t.record_n),
        recording_accuracy=Proportion(t.exact_k, t.record_n),
        cancellation_accuracy=Proportion(t.cancel_k, t.cancel_n),
        last_active=t.last_active,
        trend=trend(t.answers, t.score_sum, t.early_sum) if with_trend else None,
    )


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
        for g in a.groups or (NO_CRIME_GROUP,):
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
    return weak_rules_of([a.finding_rules for a in latest], limit)


def weak_rules_of(rule_lists: Iterable[Sequence[str]], limit: int = 5) -> list[str]:
    """The rule cards named most in these answers' findings (oldest answer first), most first."""
    counts = Counter(r for rules in rule_lists for r in rules)
    return [rule for rule, _ in counts.most_common(limit)]


@dataclass
class ItemStats:
    scenario_id: str
    attempts: int
    trainees: int
    facility: float | None
    discrimination: float | None
    paired: int = 0  # trainees who also answered another scenario: the pairs discrimination uses

    @property
    def flagged(self) -> bool:
        """Strong trainees do worse than weak ones: suspect the key or the report."""
        return self.discrimination is not None and self.discrimination < 0


@dataclass(frozen=True)
class ItemSums:
    """One scenario's sums, as a database returns them: its answers, and over the trainees who
    answered it and something else, x (their mean on it) and y (their mean on all the others)."""

    scenario_id: str
    attempts: int
    score_sum: int
    trainees: int
    n: int  # trainees with at least one other scenario: the pairs (x, y)
    sx: float
    sy: float
    sxx: float
    syy: float
    sxy: float


def pearson_from_sums(
    n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float
) -> float | None:
    """Pearson's r from the sums of x, y, x², y² and xy over n pairs (None when undefined)."""
    if n < 2:
        return None
    cxx, cyy, cxy = sxx - sx * sx / n, syy - sy * sy / n, sxy - sx * sy / n
    # Rounding leaves a constant series a whisker above zero: treat it as constant.
    if cxx <= 1e-12 * max(1.0, sxx) or cyy <= 1e-12 * max(1.0, syy):
        return None
    return max(-1.0, min(1.0, cxy / math.sqrt(cxx * cyy)))


def item_stats(sums: ItemSums) -> ItemStats:
    """Facility and corrected item-total discrimination from one scenario's sums."""
    enough = sums.n >= MIN_TRAINEES_FOR_DISCRIMINATION
    r = pearson_from_sums(sums.n, sums.sx, sums.sy, sums.sxx, sums.syy, sums.sxy)
    facility = sums.score_sum / sums.attempts / 100 if sums.attempts else None
    return ItemStats(
        sums.scenario_id, sums.attempts, sums.trainees, facility, r if enough else None, sums.n
    )
