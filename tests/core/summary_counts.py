"""What the summary tables hold, per trainee, read straight from them: the tests compare it with
the answers (after recording, importing, regrading, migrating), so a summary kept wrong is caught.
The application's figures are in `trainer.core.reports.figures`, which reads the same tables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime

from trainer.core.reports.statistics import Proportion
from trainer.core.store.protocol import ResultsStore
from trainer.core.store.records import from_iso


@dataclass(frozen=True)
class Counts:
    """Raw counts behind the figures in STATISTICS.md."""

    attempts: int = 0
    score_sum: int = 0
    record_n: int = 0  # classify answers whose expected decision is crime
    record_k: int = 0  # ... where the decision given was crime
    exact_k: int = 0  # ... recorded and fully right (score 100)
    cancel_n: int = 0  # cancellation reviews
    cancel_k: int = 0  # ... scoring 100
    last_answered_at: datetime | None = None

    def __add__(self, other: Counts) -> Counts:
        times = [t for t in (self.last_answered_at, other.last_answered_at) if t is not None]
        sums = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "last_answered_at"
        }
        return Counts(**sums, last_answered_at=max(times) if times else None)

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.attempts if self.attempts else None

    @property
    def recording_rate(self) -> Proportion:
        return Proportion(self.record_k, self.record_n)

    @property
    def recording_accuracy(self) -> Proportion:
        return Proportion(self.exact_k, self.record_n)

    @property
    def cancellation_accuracy(self) -> Proportion:
        return Proportion(self.cancel_k, self.cancel_n)


@dataclass(frozen=True)
class TraineeCounts:
    trainee_id: str
    practice: Counts = Counts()
    exam: Counts = Counts()
    findings: dict[tuple[str, str], int] = field(default_factory=dict)  # (rule, kind) -> count

    @property
    def total(self) -> Counts:
        return self.practice + self.exam

    def by_rule(self) -> Counter[str]:
        """Findings per rule card."""
        out: Counter[str] = Counter()
        for (rule, _), n in self.findings.items():
            out[rule] += n
        return out

    def by_kind(self) -> Counter[str]:
        """Findings per kind (under-recording, miscount ...)."""
        out: Counter[str] = Counter()
        for (_, kind), n in self.findings.items():
            out[kind] += n
        return out


_TOTALS = (
    "SELECT trainee_id, exam, attempts, score_sum, record_n, record_k, exact_k, cancel_n, "
    "cancel_k, last_answered_at FROM trainee_totals"
)


def _collect(
    store: ResultsStore, trainee_ids: list[str], where: str, params: list[object], findings: bool
) -> list[TraineeCounts]:
    counts: dict[str, dict[int, Counts]] = {t: {} for t in trainee_ids}
    for tid, exam, n, total, rn, rk, xk, cn, ck, last in store.query(f"{_TOTALS} {where}", params):
        if tid in counts:
            counts[tid][exam] = Counts(n, total, rn, rk, xk, cn, ck, from_iso(last))
    detail: dict[str, dict[tuple[str, str], int]] = {t: {} for t in trainee_ids}
    if findings:
        rows = store.query(
            f"SELECT trainee_id, rule, kind, n FROM trainee_findings {where}", params
        )
        for tid, rule, kind, n in rows:
            if tid in detail:
                detail[tid][(rule, kind)] = n
    return [
        TraineeCounts(t, counts[t].get(0, Counts()), counts[t].get(1, Counts()), detail[t])
        for t in trainee_ids
    ]


def trainee_counts(store: ResultsStore, trainee_id: str) -> TraineeCounts:
    """One trainee's counts and findings (a TrainerError if there is no such trainee)."""
    tid = store.trainee(trainee_id).id
    return _collect(store, [tid], "WHERE trainee_id = ?", [tid], findings=True)[0]


def team_counts(store: ResultsStore, findings: bool = False) -> list[TraineeCounts]:
    """Every trainee's counts, including trainees with no answers yet, in name order; with
    `findings`, each trainee's findings by rule and kind too (slower: one row per pair)."""
    return _collect(store, [t.id for t in store.trainees()], "", [], findings)


def team_findings(store: ResultsStore) -> dict[tuple[str, str], int]:
    """The whole team's findings: (rule card, kind) -> count."""
    rows = store.query(
        "SELECT rule, kind, sum(n) FROM trainee_findings GROUP BY rule, kind ORDER BY 3 DESC"
    )
    return {(rule, kind): int(n) for rule, kind, n in rows}
