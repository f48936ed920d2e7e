"""HMIC malpractice answers: counted by trap, per trainee and for the team, as worked by hand."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.core import graded_data
from tests.core.conftest import real_bank
from trainer.core.content.models import Answer, Finding, Grade, Scenario
from trainer.core.reports import malpractice
from trainer.core.reports.malpractice import malpractice_counts
from trainer.core.reports.team import TeamFilter
from trainer.core.store import bundles, regrade
from trainer.core.store.records import AnswerRecord
from trainer.core.store.sqlite import Store

S1, S2 = 0, 1  # scenarios of the bank, by position


def _grade(scenario: Scenario, trap: str | None, malpractice: bool) -> Grade:
    finding = Finding(
        kind="under-recording",
        rule=scenario.expected.rules[0],
        message="Fell into a trap.",
        trap=trap,
        malpractice=malpractice,
    )
    return Grade(
        scenario=scenario.id, score=0 if trap else 100, findings=(finding,) if trap else ()
    )


def _add(
    store: Store, trainee: str, which: int, trap: str | None, malpractice: bool = True, day: int = 0
) -> None:
    library, catalogue = real_bank()
    loaded = library.scenarios[which]
    session = store.start_session(trainee, "practice")
    answered = graded_data.START + timedelta(days=day)
    store.record_answer(
        AnswerRecord.build(
            trainee, session, loaded, graded_data.right_answer(loaded),
            _grade(loaded.scenario, trap, malpractice), shown_at=answered - timedelta(seconds=9),
            answered_at=answered, asked=(), exam=False, catalogue=catalogue,
        )
    )  # fmt: skip


@pytest.fixture
def team() -> tuple[Store, str, str, str]:
    """Ann (officer): S1 trap one twice, S2 trap two, a trap that is not malpractice, a right
    answer. Bob (call-handler): S1 trap one, ten days later. Cy (officer): nothing wrong."""
    store = Store.memory()
    ann, bob, cy = (
        store.create_trainee(name, name, role).id
        for name, role in (("Ann", "officer"), ("Bob", "call-handler"), ("Cy", "officer"))
    )
    _add(store, ann, S1, "trap-one")
    _add(store, ann, S1, "trap-one")
    _add(store, ann, S2, "trap-two")
    _add(store, ann, S2, "minor-slip", malpractice=False)
    _add(store, ann, S2, None)
    _add(store, bob, S1, "trap-one", day=10)
    _add(store, cy, S1, None)
    return store, ann, bob, cy


def test_counts_by_trap_trainee_and_team(team: tuple[Store, str, str, str]) -> None:
    store, ann, bob, cy = team
    library, _ = real_bank()
    s1, s2 = (library.scenarios[i].scenario for i in (S1, S2))
    counts = malpractice_counts(store, TeamFilter())
    rows = [
        (t.scenario_id, t.scenario_title, t.trap, t.answers, t.trainees) for t in counts.by_trap
    ]
    assert rows == [(s1.id, s1.title, "trap-one", 3, 2), (s2.id, s2.title, "trap-two", 1, 1)]
    assert counts.by_trainee == {ann: 3, bob: 1}
    assert (counts.team, counts.of(cy)) == (4, 0)


def test_counts_follow_the_dashboard_filter(team: tuple[Store, str, str, str]) -> None:
    store, ann, bob, _ = team
    officers = malpractice_counts(store, TeamFilter(role="officer"))
    assert [(t.trap, t.answers, t.trainees) for t in officers.by_trap] == [
        ("trap-one", 2, 1),
        ("trap-two", 1, 1),
    ]
    assert (officers.team, officers.by_trainee) == (3, {ann: 3})
    first = graded_data.START.date()
    later = malpractice_counts(store, TeamFilter(since=first + timedelta(days=5)))
    assert (later.team, later.by_trainee) == (1, {bob: 1})
    early = malpractice_counts(store, TeamFilter(until=date(first.year, first.month, first.day)))
    assert early.team == 3
    library, _ = real_bank()
    topic = library.scenarios[S2].scenario.topics[0]
    if topic not in library.scenarios[S1].scenario.topics:
        assert malpractice_counts(store, TeamFilter(topic=topic)).team == 1


@pytest.mark.parametrize("flt", [TeamFilter(), TeamFilter(since=graded_data.START.date())])
def test_the_counts_read_only_the_partial_index(
    team: tuple[Store, str, str, str], flt: TeamFilter
) -> None:
    store, *_ = team
    where, params = malpractice._where(flt)
    query = f"EXPLAIN QUERY PLAN {malpractice.GROUPS}".format(where=where)
    plan = " ".join(str(r[-1]) for r in store.query(query, params))
    assert "SEARCH answers USING INDEX answers_by_malpractice" in plan
    assert "SCAN answers" not in plan and "TEMP B-TREE" not in plan


def test_regrade_and_import_set_the_malpractice_trap(tmp_path: Path) -> None:
    library, catalogue = real_bank()
    trapped, loaded = graded_data.trapped_bank(library, "written-off")
    store = Store.memory()
    ann = store.create_trainee("Ann", "A", "officer").id
    session = store.start_session(ann, "practice")
    incident = Answer(decision="incident")
    plain = library.by_id[loaded.scenario.id]
    graded_data.record(store, ann, session, plain, incident, library, catalogue)
    bundles.export_bundle(store, tmp_path / "b.json")
    assert malpractice_counts(store, TeamFilter()).team == 0  # graded before the trap existed

    result = regrade.regrade(store, trapped, catalogue)  # the bank gains the trap
    assert result.changed == 1
    counts = malpractice_counts(store, TeamFilter())
    assert (counts.team, counts.by_trap[0].trap, counts.by_trainee) == (1, "written-off", {ann: 1})

    other = Store.memory()
    bundles.import_bundle(other, tmp_path / "b.json", trapped, catalogue, trust=True)
    assert malpractice_counts(other, TeamFilter()).by_trainee == {ann: 1}


def test_a_period_reads_the_partial_index_when_it_is_empty() -> None:
    """With no malpractice answers yet, ANALYZE writes no statistics for the partial index: the
    period's bounds then steered the planner to every answer of the period (a time index)."""
    from tests.core import store_data

    store = Store.memory()
    store_data.seed(store, 4, 300)
    store.conn.execute("ANALYZE")
    # The statistics of a million answers (as the benchmark database has them), read afresh.
    store.conn.execute(
        "UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' '))"
        " WHERE tbl = 'answers'"
    )
    store.conn.execute("ANALYZE sqlite_schema")
    first = store_data.START.date()
    where, params = malpractice._where(TeamFilter(since=first, until=first + timedelta(days=90)))
    query = f"EXPLAIN QUERY PLAN {malpractice.GROUPS}".format(where=where)
    plan = " ".join(str(r[-1]) for r in store.query(query, params))
    assert "answers_by_malpractice" in plan and "answers_by_time" not in plan
