"""The supervisor figures of STATISTICS.md, checked against hand-worked values."""

from __future__ import annotations

import statistics as stdlib_stats
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainer.core.reports.statistics import (
    Attempt,
    Proportion,
    cancellation_accuracy,
    item_analysis,
    recording_accuracy,
    recording_rate,
    summarise,
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


def test_item_analysis_facility_and_corrected_item_total_correlation() -> None:
    # 12 trainees; scenario "x" tracks their ability, scenario "bad" runs against it.
    attempts = []
    for i in range(12):
        ability = 10 + 7 * i
        attempts += [
            attempt(trainee=f"t{i}", scenario=s, score=min(100, ability + d))
            for s, d in (("a", 0), ("b", 5), ("x", 3))
        ]
        attempts.append(attempt(trainee=f"t{i}", scenario="bad", score=100 - ability))
    stats = {s.scenario_id: s for s in item_analysis(attempts)}
    assert stats["x"].facility == pytest.approx(
        sum(min(100, 13 + 7 * i) for i in range(12)) / 12 / 100
    )
    # By hand: each trainee's score on x against their mean on the other three scenarios.
    xs = [min(100, 13 + 7 * i) for i in range(12)]
    rest = [
        (min(100, 10 + 7 * i) + min(100, 15 + 7 * i) + 100 - (10 + 7 * i)) / 3 for i in range(12)
    ]
    assert stats["x"].discrimination == pytest.approx(stdlib_stats.correlation(xs, rest))
    assert stats["bad"].discrimination is not None and stats["bad"].discrimination < 0
    assert stats["bad"].flagged and not stats["x"].flagged
    assert stats["x"].trainees == 12 and stats["x"].attempts == 12


def test_discrimination_needs_ten_trainees() -> None:
    attempts = [
        attempt(trainee=f"t{i}", scenario=s, score=10 * i) for i in range(9) for s in ("a", "b")
    ]
    assert all(s.discrimination is None for s in item_analysis(attempts))
