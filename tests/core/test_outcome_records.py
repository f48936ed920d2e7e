"""Answers to disposal reviews and outcome decisions in the store, CSV, bundles and figures."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.core import store_data
from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.coverage import measure_coverage
from trainer.core.content.models import Answer
from trainer.core.content.scenarios import Library, LoadedScenario, load_library
from trainer.core.content.validation import validate
from trainer.core.grading.grade import grade
from trainer.core.practice.quiz import QuizPlan, practice_choices, select_scenarios
from trainer.core.reports import figures
from trainer.core.reports.statistics import (
    DISPOSAL_ERROR_KINDS,
    disposal_errors,
    outcome_accuracy,
)
from trainer.core.reports.team import TeamFilter
from trainer.core.reports.trainee_figures import trainee_page
from trainer.core.store.answer_rows import INSERT_ANSWER, SUMMARY_TABLES, answer_params
from trainer.core.store.bundles import export_bundle, import_bundle
from trainer.core.store.export import ANSWER_HEADER, export_answers
from trainer.core.store.records import AnswerRecord
from trainer.core.store.schema import migrations, rebuild_summaries
from trainer.core.store.sqlite import DB_NAME, Store, open_store

WHEN = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def library(catalogue: Catalogue) -> Library:
    return load_library([ROOT_SCENARIOS / "outcomes"], catalogue)


@pytest.fixture(scope="module")
def bank(library: Library) -> dict[str, LoadedScenario]:
    return library.by_id


def record(
    store: Store,
    trainee_id: str,
    session_id: str,
    loaded: LoadedScenario,
    given: dict[str, str],
    catalogue: Catalogue,
    minutes: int = 0,
) -> AnswerRecord:
    answer = validate(Answer, given)
    result = grade(loaded.scenario, answer, catalogue)
    at = WHEN + timedelta(minutes=minutes)
    rec = AnswerRecord.build(
        trainee_id, session_id, loaded, answer, result, at, at, [], False, catalogue
    )
    store.record_answer(rec)
    return rec


# One officer's answers: an escalation to the wrong authority, a malpractice approval, a right
# outcome, a wrong outcome and a right escalation.
ANSWERS = [
    ("dr-cr-hate-crime-s4a", {"decision": "escalate", "authority": "cps"}),
    ("dr-cr-robbery-indictable-only", {"decision": "approve"}),
    ("oc-nine-year-old-damage", {"decision": "11"}),
    ("oc-shed-burglary-no-suspect", {"decision": "14"}),
    ("dr-cr-brother-non-intimate-da", {"decision": "escalate", "authority": "inspector"}),
]


@pytest.fixture
def station(
    tmp_path: Path, bank: dict[str, LoadedScenario], catalogue: Catalogue
) -> tuple[Store, list[AnswerRecord]]:
    store = open_store(tmp_path / "a")
    officer = store.create_trainee("Olu Adeyemi", "4471", "officer")
    session = store.start_session(officer.id, "outcomes")
    records = [
        record(store, officer.id, session, bank[sid], given, catalogue, minutes=i)
        for i, (sid, given) in enumerate(ANSWERS)
    ]
    return store, records


def test_answers_of_the_new_kinds_are_stored_with_their_decisions(
    station: tuple[Store, list[AnswerRecord]],
) -> None:
    store, records = station
    rows = store.answers()
    assert [(r.kind, r.decision, r.expected_decision, r.score) for r in rows] == [
        ("disposal-review", "escalate-cps", "escalate-inspector", 50),
        ("disposal-review", "approve", "refuse", 0),
        ("outcome", "11", "11", 100),
        ("outcome", "14", "18", 0),
        ("disposal-review", "escalate-inspector", "escalate-inspector", 100),
    ]
    assert rows[0].answer.authority == "cps"  # the stored answer JSON keeps the authority
    assert rows[1].findings[0].malpractice and rows[1].finding_kinds == ("wrong-disposal",)
    assert [r.id for r in rows] == [r.id for r in records]


def test_the_csv_carries_the_new_kinds(
    tmp_path: Path, station: tuple[Store, list[AnswerRecord]]
) -> None:
    store, _ = station
    assert export_answers(store, tmp_path / "out.csv") == 5
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == list(ANSWER_HEADER)
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["decision given"], c["expected decision"], c["finding kinds"]) for c in cells] == [
        ("escalate-cps", "escalate-inspector", "wrong-authority"),
        ("approve", "refuse", "wrong-disposal"),
        ("11", "11", ""),
        ("14", "18", "wrong-outcome"),
        ("escalate-inspector", "escalate-inspector", ""),
    ]


def test_a_bundle_of_the_new_kinds_round_trips(
    tmp_path: Path,
    station: tuple[Store, list[AnswerRecord]],
    library: Library,
    catalogue: Catalogue,
) -> None:
    store, _ = station
    assert export_bundle(store, tmp_path / "b.json") == 5
    other = open_store(tmp_path / "b")
    result = import_bundle(other, tmp_path / "b.json", library, catalogue, trust=True)
    assert result.answers == 5

    def seen(s: Store) -> list[tuple[object, ...]]:
        return [
            (r.id, r.kind, r.decision, r.expected_decision, r.answer, r.findings, r.score)
            for r in s.answers()
        ]

    assert seen(other) == seen(store)  # graded again with this bank: the same grades
    assert import_bundle(other, tmp_path / "b.json", library, catalogue).answers == 0  # trusted


def test_a_bundle_with_a_made_up_authority_is_refused(
    tmp_path: Path,
    station: tuple[Store, list[AnswerRecord]],
    library: Library,
    catalogue: Catalogue,
) -> None:
    from tests.core.bundle_v1 import seal, write_v1
    from trainer.core.errors import TrainerError

    store, _ = station
    data = write_v1(store, tmp_path / "b.json")  # unsigned, so the test can edit it
    data["payload"]["answers"][0]["answer"]["authority"] = "sergeant"
    seal(data)
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TrainerError) as caught:
        import_bundle(
            open_store(tmp_path / "c"), tmp_path / "bad.json", library, catalogue, trust=True
        )
    assert "answers[0].answer.authority" in str(caught.value) and "\n" not in str(caught.value)


def test_disposal_errors_counted_in_sql_equal_a_hand_count(
    station: tuple[Store, list[AnswerRecord]],
) -> None:
    store, _ = station
    other = store.create_trainee("Cal Handler", "9", "call-handler")  # answers nothing here
    data = figures.team_figures(store, TeamFilter())
    [officer] = [t for t in data.trainees if t.role == "officer"]
    by_hand = sum(k in DISPOSAL_ERROR_KINDS for r in store.answers() for k in r.finding_kinds)
    assert by_hand == 3  # wrong authority, approval, outcome
    assert data.disposal_errors == {officer.id: 3}
    assert data.team_disposal_errors == 3
    assert {r.trainee.id: r.disposal_errors for r in data.rows} == {officer.id: 3, other.id: 0}
    assert figures.team_figures(store, TeamFilter(role="call-handler")).disposal_errors == {}
    later = TeamFilter(since=(WHEN + timedelta(minutes=3)).astimezone().date() + timedelta(days=1))
    assert figures.team_figures(store, later).disposal_errors == {}
    page = trainee_page(store, officer, TeamFilter())
    assert page.disposal_errors == 3
    assert (page.summary.outcome_accuracy.k, page.summary.outcome_accuracy.n) == (2, 5)
    attempts = [r.as_attempt() for r in store.answers()]  # the trainee's own view counts so
    assert disposal_errors(attempts) == 3
    assert outcome_accuracy(attempts) == page.summary.outcome_accuracy


def _answers_schema(db: Database) -> set[tuple[str, str]]:
    """The indexes and triggers on answers, as the database states them."""
    return {
        (name, " ".join(sql.split()))
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'answers' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).fetchall()
    }


def _summaries(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in SUMMARY_TABLES}


def test_an_older_database_takes_the_new_kinds_after_migrating(
    tmp_path: Path, bank: dict[str, LoadedScenario], catalogue: Catalogue
) -> None:
    path = tmp_path / DB_NAME
    db = Database(path)
    migrations.apply(db, stop_before="m0010_outcome_kinds")  # from m0008 (certainty) and m0009
    ws = db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()[0]
    db.execute(
        "INSERT INTO trainees VALUES ('t1', 'Old Timer', '42', 'officer', "
        "'2026-04-01T09:00:00.000+00:00', ?)",
        [ws],
    )
    db.execute(
        "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, workstation_id)"
        " VALUES ('s1', 't1', 'mixed', '2026-04-01T09:00:00.000+00:00', 0, ?)",
        [ws],
    )
    rng = random.Random(3)
    old = [
        store_data.make_record("t1", "s1", s, rng, store_data.START)
        for s in store_data.scenarios()[:6]
    ]
    for rec in old:
        db.execute(INSERT_ANSWER, answer_params(rec, ws))
    seqs = [seq for (seq,) in db.execute("SELECT seq FROM answers ORDER BY seq").fetchall()]
    for seq, certainty in zip(seqs, (3, 1, None, 2, 3), strict=False):  # the last one unsaid
        db.execute("UPDATE answers SET certainty = ? WHERE seq = ?", [certainty, seq])
    db.execute("UPDATE answers SET decision = 'refer' WHERE seq = ?", [seqs[0]])  # sure, wrong
    db.execute("UPDATE answers SET cards = ? WHERE seq = ?", ['["victim-based"]', seqs[1]])
    rebuild_summaries(db)
    db.conn.commit()
    before = _answers_schema(db)
    assert {"answers_unsent", "answers_gone", "answers_regraded", "answers_confident_wrong"} <= {
        n for n, _ in before
    }
    adaptive = db.execute("SELECT seq, certainty, cards FROM answers ORDER BY seq").fetchall()
    assert [c for _, c, _ in adaptive] == [3, 1, None, 2, 3, None]
    summaries = _summaries(db)
    unsent = db.execute("SELECT seq FROM unsent_answers ORDER BY seq").fetchall()
    assert len(unsent) == 6
    db.close()
    with open_store(tmp_path) as store:
        assert [r.id for r in store.answers()] == [r.id for r in old]  # kept, in order
    db = Database(path)
    assert _answers_schema(db) == before  # every index and trigger, as it was
    # the adaptive columns keep their values, their check and their partial index
    assert (
        db.execute("SELECT seq, certainty, cards FROM answers ORDER BY seq").fetchall() == adaptive
    )
    with pytest.raises(sqlite3.IntegrityError, match="certainty"):
        db.execute("UPDATE answers SET certainty = 4 WHERE seq = ?", [seqs[2]])
    confident_wrong = "SELECT seq FROM answers INDEXED BY answers_confident_wrong " + (
        "WHERE trainee_id = 't1' AND certainty = 3 AND decision <> expected_decision"
    )
    assert db.execute(confident_wrong).fetchall() == [(seqs[0],)]
    assert _summaries(db) == summaries
    assert db.execute("SELECT seq FROM unsent_answers ORDER BY seq").fetchall() == unsent
    db.execute("DELETE FROM unsent_answers")  # as after a sync
    db.conn.commit()
    db.close()
    with open_store(tmp_path) as store:
        record(store, "t1", "s1", bank["oc-nine-year-old-damage"], {"decision": "11"}, catalogue)
        record(store, "t1", "s1", bank["dr-cr-hate-crime-s4a"], {"decision": "approve"}, catalogue)
        assert len(store.answers()) == 8
        new = store.query("SELECT seq FROM answers WHERE seq > ? ORDER BY seq", [unsent[-1][0]])
        assert store.query("SELECT seq FROM unsent_answers ORDER BY seq") == new  # still queued
    db = Database(path)
    fresh = _summaries(db)
    rebuild_summaries(db)
    assert _summaries(db) == fresh  # the summaries kept up with the new answers
    with db.atomic():  # the regrade and delete triggers still work too
        db.execute("DELETE FROM unsent_answers")
        db.execute("UPDATE answers SET score = 0 WHERE seq = ?", [new[0][0]])
        db.execute("DELETE FROM answers WHERE seq = ?", [new[1][0]])
        db.execute("UPDATE answers SET decision = 'crime' WHERE seq = ?", [new[1][0] - 2])
    assert db.execute("SELECT seq FROM unsent_answers").fetchall() == new[:1]


def test_the_schema_still_refuses_a_decision_that_is_none_of_these(
    station: tuple[Store, list[AnswerRecord]],
) -> None:
    from trainer.core.errors import TrainerError

    store, records = station
    params = list(answer_params(records[0], "ws"))
    params[0] = "another-id"
    params[10] = "escalate-sergeant"  # the decision column
    refused = pytest.raises(TrainerError, match="CHECK constraint failed: decision")
    with refused, store.write() as conn:
        conn.execute(INSERT_ANSWER, params)


def test_outcomes_practice_draws_only_disposal_reviews_and_outcome_decisions(
    catalogue: Catalogue,
) -> None:
    library = load_library([ROOT_SCENARIOS], catalogue)
    scenarios = [s.scenario for s in library.scenarios]
    pool = select_scenarios(scenarios, QuizPlan("outcomes", count=50), catalogue)
    assert pool and {s.kind for s in pool} == {"disposal-review", "outcome"}
    choices = practice_choices(scenarios, catalogue)
    assert choices.outcomes == len(pool) >= 30
    assert QuizPlan("outcomes", count=10).describe(catalogue) == (
        "Outcomes and disposals (10 scenarios)"
    )


def test_coverage_reports_the_new_kinds(catalogue: Catalogue) -> None:
    library = load_library([ROOT_SCENARIOS / "outcomes"], catalogue)
    cov = measure_coverage([s.scenario for s in library.scenarios], catalogue)
    data = cov.to_json_dict()
    assert data["kinds"] == {"disposal-review": 29, "outcome": 17}
    assert data["outcome_types"]["1A"] == 3
    assert data["disposals"]["community-resolution: refuse"] == 5


def test_a_regrade_keeps_the_new_kinds_as_they_were(
    station: tuple[Store, list[AnswerRecord]], library: Library, catalogue: Catalogue
) -> None:
    from trainer.core.store.regrade import regrade

    store, _ = station
    before = [(r.decision, r.expected_decision, r.score, r.findings) for r in store.answers()]
    result = regrade(store, library, catalogue)
    assert result.changed == 0
    after = [(r.decision, r.expected_decision, r.score, r.findings) for r in store.answers()]
    assert after == before  # an escalation's key is still stored with its authority
