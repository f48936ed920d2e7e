"""While a bundle import holds the database in one transaction, a trainee's quiz goes on: its
session, resumable state and answers are kept in the spool, on disk before the call returns, and
replayed in order once the import ends; replaying twice changes nothing, and what a profile reset
took out meanwhile stays out."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.core import graded_data
from tests.core.conftest import real_bank
from tests.core.test_import_pace import _counted_afresh, _summaries
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.errors import TrainerError
from trainer.core.practice.quiz import QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.core.practice.schedule import update_schedules
from trainer.core.store.accounts import reset_profile
from trainer.core.store.files import holding_import, import_under_way
from trainer.core.store.records import Trainee
from trainer.core.store.spool import ANSWER, FINISHED, SESSION, UNFINISHED, apply
from trainer.core.store.sqlite import DB_NAME, Store, open_store


@contextmanager
def import_holding(folder: Path) -> Iterator[None]:
    """As a bundle import in one go holds the database: the importing lock and the write lock."""
    path = folder / DB_NAME
    with holding_import(path) as held:
        assert held and import_under_way(path)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    assert not import_under_way(path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path) as opened:
        opened.conn.execute("PRAGMA busy_timeout = 200")  # a write that waited fails at once
        yield opened


def _answer(store: Store, trainee_id: str, session_id: str, loaded: LoadedScenario) -> None:
    library, catalogue = real_bank()
    right = graded_data.right_answer(loaded)
    graded_data.record(store, trainee_id, session_id, loaded, right, library, catalogue)


def _answers_kept(folder: Path, store: Store, answers: int = 1) -> tuple[Trainee, str]:
    """A new trainee who starts a session and answers while an import holds the database;
    returns the trainee and the session."""
    trainee = store.create_trainee("Pat Jones", "1234", "call-handler")
    with import_holding(folder):
        session = store.start_session(trainee.id, "mixed")
        for loaded in real_bank()[0].scenarios[:answers]:
            _answer(store, trainee.id, session, loaded)
    return trainee, session


def _kinds(store: Store) -> list[str]:
    assert store.spool is not None
    return [op[1] for op in store.spool.ops()]


def test_a_quiz_taken_while_an_import_holds_the_database_is_spooled_then_replayed(
    tmp_path: Path, store: Store
) -> None:
    library, catalogue = real_bank()
    trainee = store.create_trainee("Pat Jones", "1234", "call-handler")
    with import_holding(tmp_path):
        run = QuizRun.start(
            store, trainee, QuizPlan("mixed", count=3), library, catalogue, random.Random(1)
        )
        assert run.current is not None
        first = run.submit(graded_data.right_answer(run.current))
        # nothing reached the database; all of it is in the spool, in order
        assert store.query("SELECT count(*) FROM quiz_sessions") == [(0,)]
        assert store.query("SELECT count(*) FROM answers") == [(0,)]
        assert _kinds(store) == [SESSION, UNFINISHED, ANSWER, UNFINISHED]
        # the quiz resumes where it stood, from another window
        with open_store(tmp_path) as other:
            again = QuizRun.resume(other, trainee, library, catalogue)
            assert again is not None and again.session_id == run.session_id
            assert again.quiz.results == run.quiz.results
            assert [score for _, score in run.quiz.results] == [first.grade.score]
            assert again.current is not None and again.current is run.current
        assert run.current is not None
        second = run.submit(graded_data.right_answer(run.current))
        assert update_schedules(store, run.retention, trainee.id) == 0  # a cache: later
    # the import has ended: the next write replays the spool before its own
    run.finish()
    stored = store.session_answers(run.session_id)
    assert [a.id for a in stored] == [first.record.id, second.record.id]
    assert [s.finished_at is not None for s in store.sessions(trainee.id)] == [True]
    assert store.unfinished_quiz(trainee.id) is None
    assert store.spool is not None and not store.spool.pending()
    assert _summaries(store) == _counted_afresh(store)
    assert update_schedules(store, run.retention, trainee.id) == 2


def test_the_spool_keeps_the_checks_of_a_direct_write(tmp_path: Path, store: Store) -> None:
    library = real_bank()[0]
    pat = store.create_trainee("Pat Jones", "1234", "call-handler")
    sam = store.create_trainee("Sam Lee", "5678", "officer")
    session = store.start_session(pat.id, "mixed")
    with import_holding(tmp_path):
        with pytest.raises(TrainerError, match="belongs to another trainee"):
            _answer(store, sam.id, session, library.scenarios[0])
        with pytest.raises(TrainerError, match="no quiz session with id 'nope'"):
            store.finish_session("nope")
        with pytest.raises(TrainerError, match="no trainee with id 'nobody'"):
            store.start_session("nobody", "mixed")
        store.finish_session(session)
        with pytest.raises(TrainerError, match="no open quiz session"):
            store.save_unfinished(pat.id, session, "{}")
        assert _kinds(store) == [FINISHED]


def test_the_importer_replays_the_spool_when_it_ends_and_so_does_the_next_opening(
    tmp_path: Path, store: Store
) -> None:
    _answers_kept(tmp_path, store)
    # the importer died without replaying it: opening the database does
    with open_store(tmp_path) as other:
        assert len(other.answers()) == 1
        assert other.spool is not None and not other.spool.pending()


def test_replaying_twice_changes_nothing(tmp_path: Path, store: Store) -> None:
    """A drain cut short after the database committed and before the spool let go of its
    operations does them again: the database is as after one replay."""
    trainee, session = _answers_kept(tmp_path, store, answers=3)
    with import_holding(tmp_path):
        store.save_unfinished(trainee.id, session, '{"at": 3}')
        store.finish_session(session)
    assert store.spool is not None
    ops = store.spool.ops()
    with store.write() as conn:  # the first drain's database transaction
        assert all(apply(conn, op) for op in ops)
    once = _summaries(store)
    assert store.drain_spool() == len(ops) == 6
    assert len(store.answers()) == 3
    assert _summaries(store) == once == _counted_afresh(store)
    assert store.unfinished_quiz(trainee.id) is None


def test_a_profile_reset_after_the_answers_were_kept_keeps_them_out(
    tmp_path: Path, store: Store
) -> None:
    trainee, _ = _answers_kept(tmp_path, store)
    reset_profile(store, trainee.id, "supervisor")
    assert store.drain_spool() == 2
    assert store.answers() == [] and store.sessions(trainee.id) == []
    again = store.start_session(trainee.id, "mixed")  # nothing stuck: the quiz goes on
    assert [s.id for s in store.sessions(trainee.id)] == [again]


def test_a_spool_that_cannot_be_written_is_one_line_naming_it(tmp_path: Path, store: Store) -> None:
    trainee = store.create_trainee("Pat Jones", "1234", "call-handler")
    assert store.spool is not None
    store.spool.path.mkdir()  # not a file SQLite can open
    with import_holding(tmp_path), pytest.raises(TrainerError) as caught:
        store.start_session(trainee.id, "mixed")
    message = str(caught.value)
    assert message.startswith(f"{store.spool.path}: ") and "\n" not in message, message


def test_a_long_spool_is_replayed_in_batches(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that a submit made as it is replayed waits for one batch, not the whole spool."""
    from trainer.core.store import sqlite as sqlite_store

    _answers_kept(tmp_path, store, answers=5)
    monkeypatch.setattr(sqlite_store, "DRAIN_BATCH", 2)
    writes: list[int] = []
    write = store.write
    monkeypatch.setattr(store, "write", lambda *a: (writes.append(1), write(*a))[1])
    assert store.drain_spool() == 6
    assert len(writes) == 3 and len(store.answers()) == 5
    assert _summaries(store) == _counted_afresh(store)
