"""The dashboard's choice of answers: filters, team rows, chart bars, drill-down, item review."""

from __future__ import annotations

import math
import statistics as stdlib_stats
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.core.team_data import START, Team, seed_items, seed_team
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library
from trainer.core.reports import figures, team, team_breakdown, team_export, trainee_figures
from trainer.core.reports.answer_pages import Behind, answer_count, answer_page
from trainer.core.reports.team import TeamFilter
from trainer.core.store.answer_rows import NO_CRIME_GROUP
from trainer.core.store.sqlite import Store


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


@pytest.fixture
def store() -> Store:
    return Store.memory()


@pytest.fixture
def seeded(store: Store) -> Team:
    return seed_team(store)


def rows_by_name(data: figures.TeamFigures) -> dict[str, figures.TeamRow]:
    return {r.trainee.name: r for r in data.rows}


def test_team_rows_match_the_hand_computed_figures(store: Store, seeded: Team) -> None:
    rows = rows_by_name(figures.team_figures(store, TeamFilter()))
    alice, bob, carol = (
        rows["Alice Archer"].summary,
        rows["Bob Baker"].summary,
        rows["Carol Cole"].summary,
    )
    assert (alice.attempts, alice.recording_rate.k, alice.recording_rate.n) == (15, 9, 12)
    assert alice.recording_rate.value == 0.75
    assert alice.recording_rate.interval == pytest.approx(wilson_by_hand(9, 12))
    assert alice.recording_rate.small_sample
    assert (alice.recording_accuracy.k, alice.recording_accuracy.n) == (6, 12)
    assert alice.mean_score == pytest.approx(980 / 15)
    assert (bob.recording_rate.k, bob.recording_rate.n) == (38, 40)
    assert bob.recording_rate.interval == pytest.approx(wilson_by_hand(38, 40))
    assert not bob.recording_rate.small_sample  # n = 40 and the interval is narrower than 20 points
    assert bob.recording_accuracy.small_sample  # 30/40: the interval is wider than 20 points
    assert bob.mean_score == pytest.approx(91.0)
    assert carol.attempts == 0 and carol.recording_rate.value is None


@pytest.mark.parametrize(
    ("flt", "names"),
    [
        (TeamFilter(role="officer"), {"Bob Baker", "Carol Cole"}),
        (TeamFilter(role="call-handler"), {"Alice Archer"}),
        (TeamFilter(), {"Alice Archer", "Bob Baker", "Carol Cole"}),
    ],
)
def test_role_filter_keeps_trainees_of_that_role(
    store: Store, seeded: Team, flt: TeamFilter, names: set[str]
) -> None:
    data = figures.team_figures(store, flt)
    assert {t.name for t in data.trainees} == names
    assert data.answers == sum(r.summary.attempts for r in data.rows)


def test_date_range_includes_both_days(store: Store, seeded: Team) -> None:
    # Alice answers once a day from START (9:00 UTC): days 3 to 5 hold three of her answers.
    first = (START + timedelta(days=3)).astimezone().date()
    flt = TeamFilter(role="call-handler", since=first, until=first + timedelta(days=2))
    assert figures.team_figures(store, flt).answers == 3


def test_topic_filter(store: Store, seeded: Team) -> None:
    page = answer_page(store, TeamFilter(topic="theft"), Behind())
    assert [a.scenario_id for a in page] == ["lost-property-13", "lost-property-12"]


def test_default_filter_is_the_last_90_days() -> None:
    flt = TeamFilter.last_days(today=date(2026, 12, 2))
    assert (flt.since, flt.until) == (date(2026, 9, 4), date(2026, 12, 2))
    assert flt.until is not None and flt.since is not None
    assert flt.until - flt.since == timedelta(days=89)


def test_window_runs_from_local_midnight_to_the_next(store: Store) -> None:
    low, high = TeamFilter(since=date(2026, 3, 1), until=date(2026, 3, 1)).window()
    assert low is not None and high is not None
    assert (low.hour, low.minute, high - low) == (0, 0, timedelta(days=1))
    assert low.utcoffset() is not None


def test_describe_filter() -> None:
    flt = TeamFilter(role="officer", since=date(2026, 3, 1), until=date(2026, 3, 31), topic="theft")
    assert flt.describe() == "Officers; 1 Mar 2026 to 31 Mar 2026; topic theft"
    assert TeamFilter().describe() == "All roles; all dates; all topics"


def test_kind_bars_count_every_kind_in_order(store: Store, seeded: Team) -> None:
    kinds = figures.findings_by_kind(store, TeamFilter())
    bars = {b.key: b.value for b in team_breakdown.kind_bars(kinds)}
    assert bars == {
        "under-recording": 5,
        "over-recording": 0,
        "misclassification": 0,
        "miscount": 3,
        "missed-flag": 8,
        "extra-flag": 0,
        "wrong-cancellation": 1,
        "wrong-referral": 0,
        "wrong-incident-code": 0,
        "wrong-disposal": 0,
        "wrong-authority": 0,
        "wrong-outcome": 0,
    }


def test_rule_bars_most_first_with_titles(store: Store, seeded: Team, catalogue: Catalogue) -> None:
    bars = team_breakdown.rule_bars(figures.findings_by_rule(store, TeamFilter()), catalogue)
    assert [(b.key, b.value) for b in bars][:3] == [
        ("domestic-abuse-flag", 8),
        ("burglary-entry-point-damage", 3),  # ties in order of rule id
        ("one-crime-per-victim", 3),
    ]
    assert bars[0].label == catalogue.rule_by_id["domestic-abuse-flag"].title


def test_group_bars_show_share_fully_right(store: Store, seeded: Team) -> None:
    groups = figures.by_group(store, TeamFilter())
    bars = {b.key: b for b in team_breakdown.group_bars(groups)}
    assert bars["burglary"].value == pytest.approx(50.0)  # 6 of Alice's 12
    assert bars["burglary"].shown == "50.0% (6/12)"
    assert bars["violence-against-the-person"].value == pytest.approx(75.0)  # 30 of 40
    assert bars[NO_CRIME_GROUP].shown == "66.7% (2/3)"  # two incidents right, one review wrong


def test_drill_down_lists_the_answers_behind_a_bar(store: Store, seeded: Team) -> None:
    flt = TeamFilter()
    behind = answer_page(store, flt, Behind(kind="under-recording"))
    assert len(behind) == 5 == answer_count(store, flt, Behind(kind="under-recording"))
    assert {a.trainee for a in behind} == {"Alice Archer", "Bob Baker"}
    alice = [a for a in behind if a.trainee == "Alice Archer"]
    assert alice[0].findings == ("Did not record the burglary.",)
    assert answer_page(store, flt, Behind(kind="miscount"))[0].findings == (
        "Recorded 1; the right number is 2.",
    )
    assert len(answer_page(store, flt, Behind(rule="one-crime-per-victim"))) == 3
    assert len(answer_page(store, flt, Behind(crime_group=NO_CRIME_GROUP))) == 3


def test_weekly_progress(store: Store, seeded: Team) -> None:
    points = team_breakdown.weekly_progress(trainee_figures.days(store, seeded.alice, TeamFilter()))
    assert sum(p.answers for p in points) == 15
    assert points[0].week.weekday() == 0
    # Alice answers daily from Monday 2 March: 100 x6, then 60 on Sunday 8 March.
    assert points[0].answers == 7
    assert points[0].mean_score == pytest.approx((600 + 60) / 7)


def test_item_review_flags_negative_discrimination(store: Store) -> None:
    seed_items(store)
    items = {i.stats.scenario_id: i for i in figures.item_rows(store, TeamFilter())}
    bad = items["bad-key"]
    # By hand: each trainee's score on bad-key against their mean on the two good items.
    ability = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    expected = stdlib_stats.correlation([110 - a for a in ability], ability)
    assert bad.stats.discrimination == pytest.approx(expected)
    assert bad.stats.flagged and bad.review.startswith("Review")
    assert bad.stats.facility == pytest.approx(sum(110 - a for a in ability) / 10 / 100)
    assert items["good-one"].review == ""
    assert items["good-one"].title == "Good one"


def test_known_topics_join_the_store_and_the_bank(store: Store, seeded: Team) -> None:
    assert team.known_topics(store, Library()) == ["burglary", "cancellation", "theft", "violence"]


def test_trainee_answers_follow_the_filter(store: Store, seeded: Team) -> None:
    rows = answer_page(store, TeamFilter(topic="theft"), Behind(trainee_id=seeded.alice))
    assert [r.scenario_id for r in rows] == ["lost-property-13", "lost-property-12"]
    assert answer_page(store, TeamFilter(topic="theft"), Behind(trainee_id=seeded.bob)) == []


def test_rule_lines_pair_kinds_with_rules(store: Store, seeded: Team, catalogue: Catalogue) -> None:
    pairs = trainee_figures.rule_pairs(store, seeded.alice, TeamFilter())
    lines = team_breakdown.rule_lines(pairs, catalogue)
    assert [(line.rule, line.findings) for line in lines] == [
        ("burglary-entry-point-damage", 3),
        ("one-crime-per-victim", 3),
        ("cancellation-not-for-withdrawal", 1),
    ]
    assert lines[1].kinds_text == "miscount ×3"


def test_role_export_keeps_the_cli_format(store: Store, seeded: Team, tmp_path: Path) -> None:
    """For a role, the rows are exactly the CLI's rows for that role, byte for byte."""
    everything, officers = tmp_path / "all.csv", tmp_path / "officers.csv"
    team_export.export_answers(store, everything, TeamFilter())
    report = team_export.export_answers(store, officers, TeamFilter(role="officer"))
    assert report == f"Wrote 40 answer row(s) to {officers}."
    lines = everything.read_bytes().split(b"\r\n")
    kept = [line for line in lines[1:] if b",officer," in line]
    assert officers.read_bytes().split(b"\r\n") == [lines[0], *kept, b""]
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
