"""The progress store: profiles, sessions, answers, filters and the summaries kept beside them."""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.core import store_data
from tests.core.summary_counts import team_counts, team_findings, trainee_counts
from trainer.cli import main
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import AUDIENCES, Answer, AnsweredCrime
from trainer.core.content.scenarios import load_file
from trainer.core.errors import TrainerError
from trainer.core.grading.grade import grade
from trainer.core.store.records import ROLES, AnswerRecord, new_id
from trainer.core.store.schema import SUMMARY_TABLES, rebuild_summaries
from trainer.core.store.sqlite import DB_NAME, Store, open_store

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios/burglary/smashed-kitchen-window.yaml"


@pytest.fixture
def store() -> Store:
    return Store.memory()


def _record(store: Store, when: datetime = store_data.START, **changes: object) -> AnswerRecord:
    trainee = store.create_trainee("Ann Able", f"A{new_id()[:8]}", "officer")
    session = store.start_session(trainee.id, "practice")
    rec = store_data.make_record(
        trainee.id, session, store_data.scenarios()[0], random.Random(1), when
    )
    return AnswerRecord(**{**rec.__dict__, **changes})  # type: ignore[arg-type]


def test_trainees_are_created_listed_and_found(store: Store) -> None:
    bo = store.create_trainee("  Bo Brown ", "1234", "call-handler")
    al = store.create_trainee("al Archer", "99", "officer")
    assert bo.name == "Bo Brown" and bo.role == "call-handler"
    assert bo.created_at.utcoffset() is not None
    assert [t.name for t in store.trainees()] == ["al Archer", "Bo Brown"]
    assert store.trainee(al.id) == al
    assert store.trainee("1234") == bo  # by staff number too


@pytest.mark.parametrize(
    ("name", "number", "role", "message"),
    [
        ("", "1", "officer", "name: must not be empty"),
        ("x" * 101, "1", "officer", "name: is 101 characters long; the limit is 100"),
        ("Al", " ", "officer", "staff number: must not be empty"),
        ("Al", "1", "sergeant", "role: must be one of call-handler, officer, not 'sergeant'"),
    ],
)
def test_bad_trainee_details_are_refused(
    store: Store, name: str, number: str, role: str, message: str
) -> None:
    with pytest.raises(TrainerError, match=message):
        store.create_trainee(name, number, role)


def test_a_staff_number_is_used_once(store: Store) -> None:
    store.create_trainee("Al", "77", "officer")
    with pytest.raises(TrainerError, match="staff number: 77 is already used by Al"):
        store.create_trainee("Other", "77", "officer")


def test_sessions_start_and_finish(store: Store) -> None:
    trainee = store.create_trainee("Al", "1", "officer")
    first = store.start_session(trainee.id, "practice")
    second = store.start_session(trainee.id, "exam")
    store.finish_session(first)
    store.finish_session(first)  # finishing twice keeps the first time
    rows = store.sessions(trainee.id)
    assert [(r.id, r.mode) for r in rows] == [(first, "practice"), (second, "exam")]
    assert rows[0].finished_at is not None and rows[1].finished_at is None
    assert rows[0].workstation_id == store.workstation_id
    with pytest.raises(TrainerError, match="session: no quiz session with id 'nope'"):
        store.finish_session("nope")
    with pytest.raises(TrainerError, match="trainee: no trainee with id 'ghost'"):
        store.start_session("ghost", "practice")
    with pytest.raises(TrainerError, match="mode: 'Exam!' must use only lowercase"):
        store.start_session(trainee.id, "Exam!")


def test_a_graded_answer_is_recorded_with_everything_the_figures_need(
    store: Store, catalogue: Catalogue
) -> None:
    loaded, problems = load_file(SCENARIO, catalogue)
    assert loaded is not None, problems
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="58A"),))
    result = grade(loaded.scenario, answer, catalogue)
    trainee = store.create_trainee("Al", "1", "call-handler")
    session = store.start_session(trainee.id, "practice")
    shown = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    rec = AnswerRecord.build(
        trainee.id, session, loaded, answer, result, shown, shown + timedelta(seconds=42.5),
        ["Was anything taken?"], False, catalogue,
    )  # fmt: skip
    assert store.record_answer(rec) == rec.id
    [row] = store.answers()
    assert row.id == rec.id and row.workstation_id == store.workstation_id
    assert row.scenario_title == "Smashed kitchen window"
    assert row.kind == "classify" and row.expected_decision == "crime" and row.decision == "crime"
    assert row.crime_groups == ("burglary",)
    assert row.topics == loaded.scenario.topics
    assert row.asked == ("Was anything taken?",)
    assert row.score == result.score < 100
    assert row.finding_kinds == tuple(f.kind for f in result.findings)
    assert row.finding_rules == tuple(f.rule for f in result.findings)
    assert row.findings == result.findings
    assert row.answer == answer
    assert row.catalogue_edition == catalogue.edition_id
    assert row.scenario_hash == loaded.content_hash
    assert row.answered_at == shown + timedelta(seconds=42.5)
    assert row.seconds_taken == 42.5
    assert row.as_attempt().score == row.score


def test_recorded_answer_is_visible_to_another_connection_at_once(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    rec = _record(store)
    store.record_answer(rec)
    other = sqlite3.connect(tmp_path / DB_NAME)
    assert other.execute("SELECT count(*) FROM answers WHERE id = ?", [rec.id]).fetchone() == (1,)
    assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store.conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    other.close()
    store.close()


def test_recording_the_same_answer_twice_keeps_one(store: Store) -> None:
    rec = _record(store)
    store.record_answer(rec)
    store.record_answer(rec)
    assert len(store.answers()) == 1
    assert trainee_counts(store, rec.trainee_id).total.attempts == 1


def test_an_answer_needs_its_own_session(store: Store) -> None:
    rec = _record(store)
    other = store.create_trainee("Other", "O1", "officer")
    with pytest.raises(TrainerError, match="session: no quiz session with id 'gone'"):
        store.record_answer(AnswerRecord(**{**rec.__dict__, "session_id": "gone"}))
    with pytest.raises(TrainerError, match="belongs to another trainee"):
        store.record_answer(AnswerRecord(**{**rec.__dict__, "trainee_id": other.id}))
    assert store.answers() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answered_at": datetime(2026, 1, 1)}, "answered_at: .* has no time zone"),
        ({"score": 101}, "score: must be between 0 and 100"),
        ({"kind": "quiz"}, "kind: must be one of classify, cancellation"),
        ({"decision": "arrest"}, "decision: 'arrest' is not a decision"),
        ({"topics": ("Bad Tag",)}, "topics: 'Bad Tag' must use only lowercase"),
    ],
)
def test_a_malformed_record_is_refused_before_it_reaches_the_database(
    store: Store, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(TrainerError, match=message):
        _record(store, **changes)


def test_answers_filter_by_trainee_period_and_topic(store: Store) -> None:
    ids = store_data.seed(store, trainees=3, answers_each=40)
    every = store.answers()
    assert len(every) == 120
    assert [a.answered_at for a in every] == sorted(a.answered_at for a in every)
    mine = store.answers(trainee_id=ids[1])
    assert {a.trainee_id for a in mine} == {ids[1]} and len(mine) == 40
    since = store_data.START + timedelta(hours=1)
    until = store_data.START + timedelta(hours=3)
    window = store.answers(since=since, until=until)
    assert window == [a for a in every if since <= a.answered_at < until]
    burglary = store.answers(topic="burglary", since=since)
    assert burglary == [a for a in every if "burglary" in a.topics and a.answered_at >= since]
    assert burglary


def test_session_answers(store: Store) -> None:
    rec = _record(store)
    store.record_answer(rec)
    assert [a.id for a in store.session_answers(rec.session_id)] == [rec.id]
    assert store.session_answers("nope") == []


def test_one_answer_by_its_id(store: Store) -> None:
    rec = _record(store)
    store.record_answer(rec)
    row = store.answer(rec.id)
    assert (row.id, row.answer_json, row.asked) == (rec.id, rec.answer_json, rec.asked)
    with pytest.raises(TrainerError, match="answer: no stored answer has the id 'nope'"):
        store.answer("nope")


def _summaries(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {t: sorted(store.query(f"SELECT * FROM {t}")) for t in SUMMARY_TABLES}


def test_summaries_kept_while_recording_equal_a_rebuild(store: Store) -> None:
    ids = store_data.seed(store, trainees=4, answers_each=30)
    session = store.start_session(ids[0], "exam")
    rng = random.Random(3)
    for i, scenario in enumerate(store_data.scenarios()[:12]):
        when = store_data.START + timedelta(days=3, minutes=i)
        store.record_answer(store_data.make_record(ids[0], session, scenario, rng, when, True))
    kept = _summaries(store)
    rebuild_summaries(store.db)
    assert _summaries(store) == kept


def test_team_and_trainee_counts_agree_with_the_answers(store: Store) -> None:
    ids = store_data.seed(store, trainees=3, answers_each=50)
    empty = store.create_trainee("No Answers", "N0", "officer")
    counts = {c.trainee_id: c for c in team_counts(store, findings=True)}
    assert counts[empty.id].total.attempts == 0 and counts[empty.id].total.mean_score is None
    for tid in ids:
        rows = store.answers(trainee_id=tid)
        total = counts[tid].total
        assert total.attempts == len(rows)
        assert counts[tid].exam.attempts == sum(r.exam for r in rows)
        assert total.score_sum == sum(r.score for r in rows)
        due = [r for r in rows if r.kind == "classify" and r.expected_decision == "crime"]
        assert total.recording_rate.n == len(due)
        assert total.recording_rate.k == sum(r.decision == "crime" for r in due)
        assert total.last_answered_at == max(r.answered_at for r in rows)
        rules = [rule for r in rows for rule in r.finding_rules]
        assert counts[tid].by_rule() == {r: rules.count(r) for r in set(rules)}
        assert trainee_counts(store, tid) == counts[tid]
    team = team_findings(store)
    every = [
        (r, k)
        for a in store.answers()
        for r, k in zip(a.finding_rules, a.finding_kinds, strict=True)
    ]
    assert team == {pair: every.count(pair) for pair in set(every)}
    assert [c.findings for c in team_counts(store)] == [{}] * 4  # detail only when asked


def test_data_folder_comes_from_the_argument_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "env"))
    with open_store() as store:
        assert store.path == tmp_path / "env" / DB_NAME
        workstation = store.workstation_id
    with open_store() as again:
        assert again.workstation_id == workstation  # kept in the meta table
    with open_store(tmp_path / "arg") as other:
        assert other.path == tmp_path / "arg" / DB_NAME
        assert other.workstation_id != workstation


def test_an_unwritable_data_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TrainerError, match="cannot create or use the data folder"):
        open_store(blocker / "sub")


def test_roles_match_the_scenario_audiences() -> None:
    assert ROLES == AUDIENCES


def test_trainees_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("Cal Cole", "C-7", "officer")
    assert main(["trainees", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"{trainee.id}  C-7  officer  Cal Cole\n"


def test_ids_are_uuid7_ordered_by_time() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()
    assert uuid.UUID(first).version == 7 and str(uuid.UUID(first)) == first
    assert first < second


def test_a_finding_from_a_trap_keeps_its_trap_and_malpractice(
    store: Store, catalogue: Catalogue
) -> None:
    loaded, problems = load_file(SCENARIO, catalogue)
    assert loaded is not None, problems
    # A wrong class the scenario names no trap for, and the downgrade the scenario's trap names.
    answer = Answer(decision="crime", crimes=(AnsweredCrime(offence="28I"),))
    downgrade = Answer(decision="crime", crimes=(AnsweredCrime(offence="58A"),))
    result = grade(loaded.scenario, answer, catalogue)
    fell = grade(loaded.scenario, downgrade, catalogue)
    assert result.findings and all(f.trap is None for f in result.findings)
    assert any(f.trap == "downgraded-to-damage" and f.malpractice for f in fell.findings)
    trainee = store.create_trainee("Al", "1", "call-handler")
    session = store.start_session(trainee.id, "practice")
    shown = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    plain = AnswerRecord.build(
        trainee.id, session, loaded, answer, result, shown, shown, [], False, catalogue
    )
    trapped = AnswerRecord.build(
        trainee.id, session, loaded, downgrade, fell, shown, shown, [], False, catalogue
    )
    assert '"trap"' not in plain.findings_json  # stored only when set, as `trainer grade` prints
    assert '"trap":"downgraded-to-damage","malpractice":true' in trapped.findings_json
    store.record_answer(plain)
    store.record_answer(trapped)
    rows = {row.id: row for row in store.answers()}
    assert rows[plain.id].findings == result.findings
    assert rows[trapped.id].findings == fell.findings


def _closing_work(folder: Path, answers: int) -> int:
    """SQLite's steps (in thousands) to close a store after a read of its answers."""
    with open_store(folder) as store:
        store_data.seed(store, 2, answers // 2)
    store = open_store(folder)
    store.query("SELECT count(*) FROM answers WHERE trainee_id = ?", ["x"])
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(step, 1000)
    store.close()
    return steps[0]


def test_closing_a_store_does_not_read_every_answer(tmp_path: Path) -> None:
    """`PRAGMA optimize` at close analyses a sample of the answers, not all of them (it analyses
    them at every close: the empty partial indexes never get statistics)."""
    small = _closing_work(tmp_path / "small", 1_000)
    big = _closing_work(tmp_path / "big", 4_000)
    assert big < 1.5 * small + 20
