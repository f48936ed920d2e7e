"""The dashboard's figures the old way, in Python from every stored answer: the test oracle.

The application computes these in the database (`trainer.core.reports.figures`); the tests
compare the two on seeded databases, so the speed-up changes no number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from trainer.core.reports import statistics
from trainer.core.reports.statistics import Attempt, ItemStats, TraineeSummary
from trainer.core.reports.team import TeamFilter
from trainer.core.store.records import AnswerRow, Trainee
from trainer.core.store.sqlite import Store


@dataclass(frozen=True)
class Oracle:
    trainees: list[Trainee]
    rows: list[AnswerRow]

    @property
    def attempts(self) -> list[Attempt]:
        return [r.as_attempt() for r in self.rows]

    def of(self, trainee_id: str) -> list[Attempt]:
        return [a for a in self.attempts if a.trainee_id == trainee_id]


def load(store: Store, flt: TeamFilter) -> Oracle:
    """Every answer read, then filtered in memory."""
    trainees = [t for t in store.trainees() if flt.admits_trainee(t)]
    roles = {t.id for t in trainees}
    low, high = flt.window()
    kept = [
        r
        for r in store.answers()
        if r.trainee_id in roles
        and (low is None or r.answered_at >= low)
        and (high is None or r.answered_at < high)
        and (flt.topic is None or flt.topic in r.topics)
    ]
    return Oracle(trainees, kept)


def summarise(trainee_id: str, attempts: Sequence[Attempt]) -> TraineeSummary:
    """`statistics.summarise` with the trend worked out the old way (two means)."""
    ordered = sorted(attempts, key=lambda a: a.answered_at)
    s = statistics.summarise(trainee_id, ordered)
    trend = None
    if len(ordered) >= 4:
        half = len(ordered) // 2
        early = statistics.mean_score(ordered[:half])
        late = statistics.mean_score(ordered[half:])
        assert early is not None and late is not None
        trend = late - early
    s.trend = trend
    return s


def disposal_errors(attempts: Sequence[Attempt]) -> dict[str, int]:
    """Per trainee, findings of a wrong disposal decision, authority or outcome type, counted
    one finding at a time (trainees with none left out)."""
    out: Counter[str] = Counter()
    for a in attempts:
        for kind in a.finding_kinds:
            if kind in ("wrong-disposal", "wrong-authority", "wrong-outcome"):
                out[a.trainee_id] += 1
    return dict(out)


def outcome_accuracy(attempts: Sequence[Attempt]) -> statistics.Proportion:
    """Disposal reviews and outcome decisions answered fully right, of all of them."""
    decided = [a for a in attempts if a.kind in ("disposal-review", "outcome")]
    return statistics.Proportion(sum(a.score == 100 for a in decided), len(decided))


def findings_by_kind(attempts: Sequence[Attempt]) -> Counter[str]:
    return Counter(k for a in attempts for k in a.finding_kinds)


def findings_by_rule(attempts: Sequence[Attempt]) -> Counter[str]:
    return Counter(r for a in attempts for r in a.finding_rules)


def groups(attempts: Sequence[Attempt]) -> dict[str, tuple[int, int]]:
    """Crime group -> (answers, fully right)."""
    return {g: (b.attempts, b.correct) for g, b in statistics.by_group(attempts).items()}


def weekly(attempts: Sequence[Attempt]) -> list[tuple[str, int, float, int, int]]:
    """(week, answers, mean score, recording k, recording n) per week, weeks from Monday."""
    weeks: dict[str, list[Attempt]] = {}
    for a in attempts:
        day = a.answered_at.date()
        weeks.setdefault(str(day.toordinal() - day.weekday()), []).append(a)
    out = []
    for week, chunk in sorted(weeks.items()):
        rate = statistics.recording_rate(chunk)
        out.append((week, len(chunk), statistics.mean_score(chunk) or 0.0, rate.k, rate.n))
    return out


def rule_kinds(attempts: Sequence[Attempt]) -> dict[str, Counter[str]]:
    kinds: dict[str, Counter[str]] = {}
    for a in attempts:
        for rule, kind in zip(a.finding_rules, a.finding_kinds, strict=False):
            kinds.setdefault(rule, Counter())[kind] += 1
    return kinds


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


def item_analysis(attempts: Sequence[Attempt]) -> list[ItemStats]:
    """Facility and corrected item-total discrimination, with centred sums (two passes)."""
    per: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for a in attempts:
        per[a.trainee_id][a.scenario_id].append(a.score)
    trainee_item = {t: {s: sum(v) / len(v) for s, v in items.items()} for t, items in per.items()}
    xs: dict[str, list[float]] = defaultdict(list)
    ys: dict[str, list[float]] = defaultdict(list)
    trainees: Counter[str] = Counter()
    for items in trainee_item.values():
        total, count = sum(items.values()), len(items)
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
        enough = len(xs[sid]) >= statistics.MIN_TRAINEES_FOR_DISCRIMINATION
        discrimination = _pearson(xs[sid], ys[sid]) if enough else None
        facility = sum(scores[sid]) / len(scores[sid]) / 100
        result.append(
            ItemStats(sid, len(scores[sid]), trainees[sid], facility, discrimination, len(xs[sid]))
        )
    return result
