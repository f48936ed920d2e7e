"""The supervisor figures of STATISTICS.md, checked against hand-worked values."""

from __future__ import annotations

import statistics as stdlib_stats
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.core.reports.statistics import (
    Attempt,
    ItemSums,
    Proportion,
    cancellation_accuracy,
    item_stats,
    pearson_from_sums,
    recording_accuracy,
    recording_rate,
    summarise,
    trend,
    weak_rules,
    wilson_interval,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def attempt(
    n: int = 0,
    trainee: str = "t1",
    scenario: str = "s1",
    *,
    expected: str = "crime",
    decision: str = "crime",
    score: int = 100,
    kind: str = "classify",
    rules: tuple[str, ...] = (),
    exam: bool = False,
) -> Attempt:
    return Attempt(
        trainee,
        scenario,
        kind,
        expected,
        decision,
        score,
        T0 + timedelta(minutes=n),
        finding_rules=rules,
        exam=exam,
    )


def test_wilson_worked_check_from_the_definition() -> None:
    interval = wilson_interval(110, 120)
    assert interval is not None
    low, high = interval
    assert round(low, 3) == 0.853 and round(high, 3) == 0.954


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (0, 1), (1, 1), (3, 7)])
def test_wilson_stays_inside_0_1_at_the_edges(k: int, n: int) -> None:
    low, high = wilson_interval(k, n) or (None, None)
    assert low is not None and high is not None
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_observed_proportion(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = wilson_interval(k, n) or (2.0, -1.0)
    assert low - 1e-12 <= k / n <= high + 1e-12


def test_no_data_and_bad_input() -> None:
    assert wilson_interval(0, 0) is None
    assert Proportion(0, 0).describe() == "no data"
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_small_sample_warning() -> None:
    assert Proportion(9, 12).small_sample  # n < 30
    assert not Proportion(110, 120).small_sample
    assert Proportion(15, 30).small_sample  # n = 30 but the interval is wider than 20 points
    assert "small sample" in Proportion(9, 12).describe()
    assert Proportion(110, 120).describe() == "91.7% (110/120; 95% CI 85.3%–95.4%)"


def test_recording_rate_and_accuracy_use_only_classify_scenarios_that_should_be_crimes() -> None:
    attempts = [
        attempt(1, decision="crime", score=100),
        attempt(2, decision="crime", score=60),
        attempt(3, decision="incident", score=0),
        attempt(4, expected="incident", decision="incident"),  # not due: no crime expected
        attempt(5, kind="cancellation", expected="retain", decision="cancel", score=0),
        attempt(6, kind="cancellation", expected="cancel", decision="cancel", score=100),
    ]
    assert recording_rate(attempts) == Proportion(2, 3)
    assert recording_accuracy(attempts) == Proportion(1, 3)
    assert cancellation_accuracy(attempts) == Proportion(1, 2)


def test_summary_counts_exams_apart_and_finds_the_trend() -> None:
    attempts = [
        attempt(i, score=s, exam=(i == 5)) for i, s in enumerate([20, 40, 80, 100, 100, 90])
    ]
    summary = summarise("t1", attempts)
    assert (summary.attempts, summary.exam_attempts) == (5, 1)
    assert summary.mean_score == pytest.approx(430 / 6)
    assert summary.trend == pytest.approx((100 + 100 + 90) / 3 - (20 + 40 + 80) / 3)
    assert summary.last_active == T0 + timedelta(minutes=5)


def test_weak_rules_are_the_most_missed_recently() -> None:
    attempts = [attempt(1, rules=("old-rule",))] + [
        attempt(i, rules=("a", "b") if i % 2 else ("a",)) for i in range(2, 40)
    ]
    assert weak_rules(attempts, recent=30, limit=2) == ["a", "b"]


def sums(sid: str, xs: Sequence[float], ys: Sequence[float], scores: list[int]) -> ItemSums:
    sxy = sum(x * y for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum(x * x for x in xs), sum(y * y for y in ys)
    return ItemSums(
        sid, len(scores), sum(scores), len(xs), len(xs), sum(xs), sum(ys), sxx, syy, sxy
    )


def test_discrimination_from_sums_is_the_correlation() -> None:
    # 12 trainees: their score on x against their mean on the other scenarios.
    xs = [min(100, 13 + 7 * i) for i in range(12)]
    rest = [
        (min(100, 10 + 7 * i) + min(100, 15 + 7 * i) + 100 - (10 + 7 * i)) / 3 for i in range(12)
    ]
    stats = item_stats(sums("x", xs, rest, [int(x) for x in xs]))
    assert stats.discrimination == pytest.approx(stdlib_stats.correlation(xs, rest))
    assert stats.facility == pytest.approx(sum(xs) / 12 / 100)
    assert not stats.flagged
    bad = item_stats(sums("bad", [100 - x for x in xs], rest, [100 - x for x in xs]))
    assert bad.discrimination is not None and bad.discrimination < 0 and bad.flagged


def test_discrimination_needs_ten_trainees_and_varying_scores() -> None:
    xs = [10.0 * i for i in range(9)]
    assert item_stats(sums("a", xs, xs, [int(x) for x in xs])).discrimination is None
    same = [70.0] * 12
    ys = [10.0 * i for i in range(12)]
    sxy = sum(x * y for x, y in zip(same, ys, strict=True))
    sxx, syy = sum(x * x for x in same), sum(y * y for y in ys)
    assert pearson_from_sums(12, sum(same), sum(ys), sxx, syy, sxy) is None


def test_trend_from_sums_is_later_half_minus_earlier() -> None:
    scores = [40, 50, 60, 90, 100]  # earlier half: the first two
    assert trend(5, sum(scores), 90) == pytest.approx((60 + 90 + 100) / 3 - (40 + 50) / 2)
    assert trend(3, 150, 40) is None
