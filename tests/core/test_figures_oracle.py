"""Every dashboard figure from the database equals the figure worked out in Python the old way."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.core import store_data, team_oracle
from tests.core.team_data import seed_items, seed_team
from trainer.core.content.catalogue import Catalogue
from trainer.core.reports import figures, trainee_figures
from trainer.core.reports.answer_pages import Behind, answer_count, answer_page
from trainer.core.reports.statistics import Proportion, TraineeSummary
from trainer.core.reports.team import TeamFilter
from trainer.core.reports.team_breakdown import rule_lines, weekly_progress
from trainer.core.store.sqlite import Store

START = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
FILTERS = [
    TeamFilter(),
    TeamFilter(role="officer"),
    TeamFilter(role="call-handler", topic="burglary"),
    TeamFilter(topic="theft"),
    TeamFilter(since=date(2026, 3, 5), until=date(2026, 3, 9)),
    TeamFilter(since=date(2026, 4, 2)),
    TeamFilter(role="officer", until=date(2026, 4, 21)),
    TeamFilter(until=date(2026, 4, 3), topic="violence"),
    TeamFilter(role="officer", since=date(2026, 4, 1), until=date(2026, 4, 2), topic="fraud"),
]


@pytest.fixture(scope="module")
def store(catalogue: Catalogue) -> Store:
    """The hand-worked team, the item-analysis team, 40 random trainees and officers reviewing
    disposals and choosing outcomes, in one database."""
    store = Store.memory()
    seed_team(store)
    seed_items(store)
    seed_spread(store, trainees=40, answers_each=60)
    seed_out_of_order(store)
    seed_outcomes(store, catalogue)
    return store


# Answers a disposal review or an outcome decision may be given, right or wrong.
REVIEW_ANSWERS = [
    {"decision": "approve"},
    {"decision": "refuse"},
    {"decision": "escalate", "authority": "inspector"},
    {"decision": "escalate", "authority": "superintendent"},
    {"decision": "escalate", "authority": "cps"},
]
OUTCOME_ANSWERS = [{"decision": c} for c in ("1", "1A", "8", "11", "14", "15", "16", "18")]


def seed_outcomes(store: Store, catalogue: Catalogue, officers: int = 4, each: int = 15) -> None:
    """Officers' graded answers to the bank's disposal reviews and outcome decisions, over the
    same six weeks, some of them exams."""
    from tests.core.conftest import ROOT_SCENARIOS
    from trainer.core.content.models import Answer
    from trainer.core.content.scenarios import load_library
    from trainer.core.content.validation import validate
    from trainer.core.grading.grade import grade
    from trainer.core.store.records import AnswerRecord

    bank = load_library([ROOT_SCENARIOS / "outcomes"], catalogue).scenarios
    rng = random.Random(12)
    for t in range(officers):
        trainee = store.create_trainee(f"Outcomes {t}", f"D{t:04d}", "officer")
        session = store.start_session(trainee.id, "outcomes")
        for i in range(each):
            loaded = rng.choice(bank)
            choices = (
                REVIEW_ANSWERS if loaded.scenario.kind == "disposal-review" else OUTCOME_ANSWERS
            )
            answer = validate(Answer, rng.choice(choices))
            result = grade(loaded.scenario, answer, catalogue)
            at = START + timedelta(minutes=rng.randrange(6 * 7 * 24 * 60))
            store.record_answer(
                AnswerRecord.build(
                    trainee.id, session, loaded, answer, result, at, at, [], i % 5 == 4, catalogue
                )
            )


def seed_out_of_order(store: Store) -> None:
    """Answers recorded one at a time in a shuffled time order, as imports from other
    workstations bring older answers after newer ones."""
    rng = random.Random(9)
    bank = store_data.scenarios()
    for t in range(3):
        trainee = store.create_trainee(f"Shuffled {t}", f"X{t:04d}", "officer")
        session = store.start_session(trainee.id, "practice")
        times = [START + timedelta(hours=rng.randrange(40 * 24)) for _ in range(30)]
        for i, at in enumerate(times):
            record = store_data.make_record(trainee.id, session, rng.choice(bank), rng, at)
            if i % 3:
                store.record_answer(record)
            else:
                store.record_answers([record])


def seed_spread(store: Store, trainees: int, answers_each: int) -> None:
    """Random answers over six weeks from 2026-03-20, two sessions per trainee, some exams."""
    rng = random.Random(3)
    bank = store_data.scenarios()
    for t in range(trainees):
        role = rng.choice(("call-handler", "officer"))
        trainee = store.create_trainee(f"Random {t}", f"R{t:04d}", role)
        sessions = [store.start_session(trainee.id, m) for m in ("practice", "exam")]
        store.record_answers(
            store_data.make_record(
                trainee.id, sessions[i % 2], rng.choice(bank), rng,
                START + timedelta(minutes=rng.randrange(6 * 7 * 24 * 60)), exam=i % 2 == 1,
            )
            for i in range(answers_each)
        )  # fmt: skip


def same_proportion(a: Proportion, b: Proportion) -> None:
    assert (a.k, a.n) == (b.k, b.n)
    assert a.interval == b.interval and a.small_sample == b.small_sample


def same_summary(new: TraineeSummary, old: TraineeSummary, trend: bool = True) -> None:
    assert (new.attempts, new.exam_attempts) == (old.attempts, old.exam_attempts)
    assert new.mean_score == pytest.approx(old.mean_score)
    same_proportion(new.recording_rate, old.recording_rate)
    same_proportion(new.recording_accuracy, old.recording_accuracy)
    same_proportion(new.cancellation_accuracy, old.cancellation_accuracy)
    if old.last_active is None:
        assert new.last_active is None
    else:
        assert new.last_active is not None
        assert abs(new.last_active - old.last_active) < timedelta(milliseconds=1)
    if trend:
        assert new.trend == pytest.approx(old.trend)


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_team_table(store: Store, flt: TeamFilter) -> None:
    old = team_oracle.load(store, flt)
    new = figures.team_figures(store, flt)
    assert [t.id for t in new.trainees] == [t.id for t in old.trainees]
    assert new.answers == len(old.rows)
    for row in new.rows:
        same_summary(row.summary, team_oracle.summarise(row.trainee.id, old.of(row.trainee.id)))
    same_summary(new.team, team_oracle.summarise("team", old.attempts), trend=False)
    hand = team_oracle.disposal_errors(old.attempts)
    assert new.disposal_errors == hand
    assert {r.trainee.id: r.disposal_errors for r in new.rows} == {
        t.id: hand.get(t.id, 0) for t in old.trainees
    }
    assert new.team_disposal_errors == sum(hand.values())
    assert hand or flt != TeamFilter()  # there are some to count


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_outcome_figures_of_each_trainee(store: Store, flt: TeamFilter) -> None:
    old = team_oracle.load(store, flt)
    hand = team_oracle.disposal_errors(old.attempts)
    for trainee in old.trainees:
        page = trainee_figures.trainee_page(store, trainee, flt)
        assert page.disposal_errors == hand.get(trainee.id, 0)
        same_proportion(
            page.summary.outcome_accuracy, team_oracle.outcome_accuracy(old.of(trainee.id))
        )


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_breakdowns(store: Store, flt: TeamFilter) -> None:
    old = team_oracle.load(store, flt).attempts
    new = figures.breakdown_figures(store, flt)
    assert new.kinds == team_oracle.findings_by_kind(old)
    assert new.rules == team_oracle.findings_by_rule(old)
    assert list(new.rules.values()) == sorted(new.rules.values(), reverse=True)
    assert {g.crime_group: (g.answers, g.perfect) for g in new.groups} == team_oracle.groups(old)


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_item_analysis(store: Store, flt: TeamFilter) -> None:
    old = {
        s.scenario_id: s for s in team_oracle.item_analysis(team_oracle.load(store, flt).attempts)
    }
    new = {r.stats.scenario_id: r.stats for r in figures.item_figures(store, flt).rows}
    assert new.keys() == old.keys()
    for sid, stats in new.items():
        was = old[sid]
        assert (stats.attempts, stats.trainees, stats.paired) == (
            was.attempts,
            was.trainees,
            was.paired,
        )
        assert stats.facility == pytest.approx(was.facility)
        if was.discrimination is None:
            assert stats.discrimination is None
        else:
            assert stats.discrimination == pytest.approx(was.discrimination, abs=1e-9)
    assert any(s.discrimination is not None for s in new.values()) or flt.topic or flt.since


@pytest.mark.parametrize("flt", FILTERS[:5], ids=str)
def test_trainee_pages(store: Store, flt: TeamFilter, catalogue: Catalogue) -> None:
    old = team_oracle.load(store, flt)
    for trainee in old.trainees[:12]:
        mine = old.of(trainee.id)
        page = trainee_figures.trainee_page(store, trainee, flt)
        same_summary(page.summary, team_oracle.summarise(trainee.id, mine))
        from trainer.core.reports.statistics import weak_rules

        assert page.weak_rules == weak_rules(mine, limit=3)
        weeks = weekly_progress(page.days)
        assert [(p.week.toordinal(), p.answers, p.recording.k, p.recording.n) for p in weeks] == [
            (int(w), n, k, rn) for w, n, _, k, rn in team_oracle.weekly(mine)
        ]
        assert [p.mean_score for p in weeks] == pytest.approx(
            [m for _, _, m, _, _ in team_oracle.weekly(mine)]
        )
        lines = rule_lines(page.rule_pairs, catalogue)
        assert {line.rule: line.findings for line in lines} == team_oracle.findings_by_rule(mine)
        assert {line.rule: line.kinds for line in lines} == team_oracle.rule_kinds(mine)
        per_session = Counter(r.session_id for r in old.rows if r.trainee_id == trainee.id)
        assert sorted(s.answers for s in page.sessions) == sorted(per_session.values())
        rows = [r for r in old.rows if r.trainee_id == trainee.id]
        assert walk(store, flt, Behind(trainee_id=trainee.id)) == newest_first(rows)


def newest_first(rows: list) -> list[tuple[datetime, str]]:  # type: ignore[type-arg]
    return sorted(((r.answered_at, r.scenario_id) for r in rows), reverse=True)


def walk(store: Store, flt: TeamFilter, behind: Behind) -> list[tuple[datetime, str]]:
    """Every page, seven answers at a time: each page starts where the last one ended."""
    out, after = [], None
    while page := answer_page(store, flt, behind, after, limit=7):
        out += [(line.answered_at, line.scenario_id) for line in page]
        after = (page[-1].answered_ts, page[-1].seq)
    assert len(out) == answer_count(store, flt, behind)
    return sorted(out, reverse=True)


@pytest.mark.parametrize("flt", FILTERS[:4], ids=str)
def test_drill_down_pages(store: Store, flt: TeamFilter) -> None:
    rows = team_oracle.load(store, flt).rows
    for kind in ("under-recording", "miscount", "missed-flag"):
        behind = [r for r in rows if kind in r.finding_kinds]
        assert walk(store, flt, Behind(kind=kind)) == newest_first(behind)
    for rule in ("one-crime-per-victim", "hate-crime-flag"):
        behind = [r for r in rows if rule in r.finding_rules]
        assert walk(store, flt, Behind(rule=rule)) == newest_first(behind)
    for group in ("burglary", "(no crime)"):
        behind = [r for r in rows if group in (r.crime_groups or ("(no crime)",))]
        assert walk(store, flt, Behind(crime_group=group)) == newest_first(behind)


def test_drill_down_messages_follow_the_bar(store: Store) -> None:
    page = answer_page(store, TeamFilter(), Behind(kind="under-recording"), limit=500)
    assert "Did not record the burglary." in {m for line in page for m in line.findings}
    assert all(line.findings for line in page)


def test_a_trainees_standing_reads_only_what_the_practice_screen_shows(store: Store) -> None:
    from trainer.core.practice.quiz import WEAK_RULES
    from trainer.core.practice.standing import standing
    from trainer.core.reports.statistics import weak_rules

    everything = team_oracle.load(store, TeamFilter())
    for trainee in everything.trainees[::5]:
        mine = everything.of(trainee.id)
        known = standing(store, trainee.id)
        same_summary(known.summary, team_oracle.summarise(trainee.id, mine))
        assert list(known.weak_rules) == weak_rules(mine, limit=WEAK_RULES)
        assert known.mastered == {a.scenario_id for a in mine if a.score == 100}


def test_recording_an_answer_reads_only_the_new_rows(store: Store) -> None:
    """Summaries are kept through the rowid range of the new answers (a planner that walked an
    index instead, after ANALYZE, made recording one answer take 0.4 s at 1,000,000 answers)."""
    from trainer.core.store.answer_rows import (
        _RUNNING_CLEAR,
        _RUNNING_FROM,
        _SUMMARISE,
        _SUMMARISE_FIGURES,
    )

    store.conn.execute("ANALYZE")
    for statement in (*_SUMMARISE, *_SUMMARISE_FIGURES, _RUNNING_CLEAR, _RUNNING_FROM):
        plan = " ".join(str(row) for row in store.query(f"EXPLAIN QUERY PLAN {statement}", [1]))
        assert "INTEGER PRIMARY KEY (rowid>?)" in plan, (statement, plan)
        # The running sums: only the new answers' trainees, from their first new time on.
        assert "SCAN answers" not in plan and "SCAN trainee_running" not in plan, plan
