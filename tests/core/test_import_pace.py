"""How an import paces its chunks: long while nobody else wants to write, interrupted and done
again in short chunks when a writer comes to wait; the summaries it keeps are those counted
afresh from the answers, however the chunks fell."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks import graded_fixture
from tests.core import graded_data
from tests.core.conftest import real_bank
from trainer.core.store import bundles, import_pace
from trainer.core.store.answer_rows import SUMMARY_TABLES
from trainer.core.store.bundles import export_bundle, import_bundle
from trainer.core.store.import_journal import answers_being_imported
from trainer.core.store.records import SessionRow, Trainee
from trainer.core.store.regrade import rebuild_summaries
from trainer.core.store.sqlite import DB_NAME, Store, open_store


def _summaries(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(store.query(f"SELECT * FROM {t}")) for t in SUMMARY_TABLES}


def _counted_afresh(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    kept = _summaries(store)
    with store.write() as conn:
        rebuild_summaries(conn)
    assert kept, "nothing to compare"
    return _summaries(store)


def _imported_into_seeded(folder: Path, bundle: Path) -> Store:
    """A workstation with 20 answers of its own, after `bundle` (3,000 answers) was imported."""
    b = open_store(folder)
    graded_data.seed(b, *real_bank(), trainees=2, answers_each=10)
    assert import_bundle(b, bundle, *real_bank(), trust=True).answers == 3_000
    return b


def _all_in(b: Store) -> None:
    """The whole bundle is in, the journal is empty and the summaries are right."""
    assert len(b.answers()) == 3_020
    assert b.query("SELECT * FROM import_journal") == []
    assert _summaries(b) == _counted_afresh(b)


@pytest.fixture
def large_bundle(tmp_path: Path) -> Path:
    with open_store(graded_fixture.build(tmp_path / "a", 3_000, trainees=5)) as a:
        export_bundle(a, tmp_path / "a.bundle")
    return tmp_path / "a.bundle"


def test_a_writer_coming_to_wait_interrupts_a_long_chunk_which_is_done_again(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_pace, "FIRST_CHUNK", 1_000)
    monkeypatch.setattr(import_pace, "WATCH_AFTER", 0.0)  # look for writers at once
    monkeypatch.setattr(import_pace, "CHUNK_SECONDS", 0.0)  # short chunks as short as can be
    monkeypatch.setattr(import_pace, "CHECK_STEPS", 100)
    monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks, however small the bundle
    # Nobody waits as the first chunk begins (so it is a long one); then a writer comes.
    script: Iterator[bool] = iter([False, True])
    monkeypatch.setattr(import_pace, "writer_waiting", lambda db: next(script, False))
    sizes: list[int] = []
    finished = import_pace.Pace.finished
    monkeypatch.setattr(import_pace.Pace, "finished", lambda p: (sizes.append(p.size), finished(p)))
    interrupted: list[bool] = []
    pause = import_pace.Pace.let_writers_in
    monkeypatch.setattr(
        import_pace.Pace, "let_writers_in", lambda p: (interrupted.append(p.interrupted), pause(p))
    )
    b = open_store(tmp_path / "b")
    graded_data.seed(b, *real_bank(), trainees=2, answers_each=10)
    result = import_bundle(b, large_bundle, *real_bank(), trust=True)
    assert result.answers == 3_000
    assert interrupted[0] and not any(interrupted[1:])  # the first chunk, once
    assert sizes[0] == 1_000  # ... rolled back and done again
    assert set(sizes[1:]) == {import_pace.MIN_CHUNK}  # then short chunks (no time to hold it)
    assert len(b.answers()) == 3_020
    assert b.query("SELECT * FROM import_journal") == []
    assert _summaries(b) == _counted_afresh(b)  # nothing of the rolled-back chunk counted


@pytest.mark.parametrize("chunked", [True, False], ids=["in chunks", "in one go, in steps"])
def test_summaries_after_an_import_equal_those_counted_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunked: bool
) -> None:
    a = open_store(tmp_path / "a")
    graded_data.seed(a, *real_bank(), trainees=3, answers_each=40, seed_=1)
    export_bundle(a, tmp_path / "a.bundle")
    b = open_store(tmp_path / "b")  # answers of its own, given after some of the bundle's
    graded_data.seed(b, *real_bank(), trainees=2, answers_each=15, seed_=2)
    for name in ("FIRST_CHUNK", "MIN_CHUNK", "MAX_CHUNK"):
        monkeypatch.setattr(import_pace, name, 25)
    if chunked:
        monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks, however small the bundle
    else:
        monkeypatch.setattr(bundles, "STEP", 25)
    assert import_bundle(b, tmp_path / "a.bundle", *real_bank(), trust=True).answers == 120
    assert _summaries(b) == _counted_afresh(b)
    assert sorted(b.query("SELECT * FROM trainee_running")) == _running_sums(b)


def _running_sums(store: Store) -> list[tuple[Any, ...]]:
    """trainee_running worked out in Python: each trainee's answers in time order, numbered,
    with running sums of the team table's counts."""
    rows = store.query(
        "SELECT trainee_id, answered_ts, seq, exam, score, kind, expected_decision, decision "
        "FROM answers ORDER BY trainee_id, answered_ts, seq"
    )
    out: list[tuple[Any, ...]] = []
    sums: list[int] = []
    for i, (trainee, ts, seq, exam, score, kind, expected, decision) in enumerate(rows):
        if i == 0 or rows[i - 1][0] != trainee:
            sums = [0] * 8
        record = kind == "classify" and expected == "crime"
        counts = [
            exam, score, int(record), int(record and decision == "crime"),
            int(record and decision == "crime" and score == 100), int(kind == "cancellation"),
            int(kind == "cancellation" and score == 100),
        ]  # fmt: skip
        sums = [sums[0] + 1] + [a + b for a, b in zip(sums[1:], counts, strict=True)]
        out.append((trainee, ts, seq, sums[0], *counts, *sums[1:]))
    return sorted(out)


def test_an_import_with_nobody_waiting_takes_ever_longer_chunks(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    finished = import_pace.Pace.finished
    monkeypatch.setattr(import_pace.Pace, "finished", lambda p: (sizes.append(p.size), finished(p)))
    monkeypatch.setattr(import_pace, "FIRST_CHUNK", 100)
    monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks, however small the bundle
    b = open_store(tmp_path / "b")
    assert import_bundle(b, large_bundle, *real_bank(), trust=True).answers == 3_000
    assert sizes[:2] == [100, 400]  # grown by GROWTH while nobody waits


def test_a_stop_during_a_chunk_a_writer_interrupted_still_stops_the_import(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only SQLite's interruption of a long chunk is done again: anything else raised meanwhile
    (here Ctrl+C, as a waiting writer was seen) ends the import, which is taken out whole."""
    calls: list[int] = []
    chunk = import_pace.Pace.chunk

    @contextmanager
    def stopped(
        pace: import_pace.Pace, conn: Any, size: int | None = None, watched: bool = False
    ) -> Iterator[int]:
        calls.append(1)
        with chunk(pace, conn, size, watched) as taken:
            yield taken
        if len(calls) > 3:
            pace.interrupted = False
            pytest.fail("the stop was swallowed and the chunk done again")
        pace.interrupted = True  # as the watch leaves it when a writer came to wait
        raise KeyboardInterrupt

    monkeypatch.setattr(import_pace.Pace, "chunk", stopped)
    b = open_store(tmp_path / "b")
    graded_data.seed(b, *real_bank(), trainees=2, answers_each=10)
    with pytest.raises(KeyboardInterrupt):
        import_bundle(b, large_bundle, *real_bank(), trust=True)
    assert len(calls) == 1
    assert len(b.answers()) == 20
    assert b.query("SELECT * FROM import_journal") == []


@contextmanager
def _no_spool(database: Path | None) -> Iterator[bool]:
    yield False  # as where `flock` is missing


def test_without_a_spool_a_writer_coming_to_wait_during_an_import_in_one_go_sends_it_to_chunks(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundles, "holding_import", _no_spool)
    monkeypatch.setattr(bundles, "STEP", 1_000)  # three steps: not tried again in one go
    monkeypatch.setattr(import_pace, "WATCH_AFTER", 0.0)
    monkeypatch.setattr(import_pace, "CHECK_STEPS", 100)
    # Nobody waits as the import begins (so it goes in one go); then a writer comes.
    script: Iterator[bool] = iter([False, True])
    monkeypatch.setattr(import_pace, "writer_waiting", lambda db: next(script, False))
    monkeypatch.setattr(bundles, "writer_waiting", lambda db: next(script, False))
    sizes: list[int] = []
    finished = import_pace.Pace.finished
    monkeypatch.setattr(import_pace.Pace, "finished", lambda p: (sizes.append(p.size), finished(p)))
    b = _imported_into_seeded(tmp_path / "b", large_bundle)
    assert sizes and sizes[0] == import_pace.FIRST_CHUNK  # rolled back, then in chunks
    _all_in(b)


def _one_trainee(folder: Path) -> tuple[Store, Trainee, SessionRow]:
    """A workstation with one trainee, their one session and one answer."""
    b = open_store(folder)
    graded_data.seed(b, *real_bank(), trainees=1, answers_each=1)
    [trainee] = b.trainees()
    [session] = b.sessions(trainee.id)
    return b, trainee, session


def test_a_trainee_submitting_half_way_through_an_import_in_one_go_is_kept_in_the_spool(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However large the one transaction has grown (here 4 of its 10 steps done), a submit is on
    disk in the spool while it still runs, without waiting for it; another window never sees a
    part of the import; the answer goes in when the import ends, and the summaries are right."""
    monkeypatch.setattr(bundles, "STEP", 300)
    library, catalogue = real_bank()
    b, trainee, session = _one_trainee(tmp_path / "b")
    half_way, stored = threading.Event(), threading.Event()
    real, steps = bundles.summarise, [0]
    seen: list[int | None] = []  # what another window reads of the import at each step
    in_time: list[bool] = []

    def counted(conn: Any, after: int) -> None:
        real(conn, after)
        steps[0] += 1
        seen.append(len(_Window(tmp_path / "b" / DB_NAME).query("SELECT id FROM answers")))
        if steps[0] == 4:
            half_way.set()
            in_time.append(stored.wait(20))  # the import's transaction stays open meanwhile

    def submit() -> None:
        half_way.wait(60)
        with open_store(tmp_path / "b", check="shared") as mine:
            mine.conn.execute("PRAGMA busy_timeout = 200")  # a submit that waited would fail
            loaded = library.scenarios[0]
            graded_data.record(
                mine, trainee.id, session.id, loaded, graded_data.right_answer(loaded),
                library, catalogue,
            )  # fmt: skip
            assert mine.spool is not None and len(mine.spool.ops()) == 1
        stored.set()

    monkeypatch.setattr(bundles, "summarise", counted)
    _import_while(b, large_bundle, submit)
    assert in_time == [True] and steps[0] == 10  # stored during the import, done in one go
    assert set(seen) == {1}, seen  # the seeded answer alone, at every step
    [(ours, theirs)] = b.query(
        "SELECT max(CASE WHEN trainee_id = ?1 THEN seq END), "
        "max(CASE WHEN trainee_id <> ?1 THEN seq END) FROM answers",
        [trainee.id],
    )
    assert ours > theirs  # replayed after the import
    assert len(b.answers()) == 3_002
    assert b.spool is not None and not b.spool.pending()
    assert b.query("SELECT * FROM import_journal") == []
    assert _summaries(b) == _counted_afresh(b)


def test_without_a_spool_a_trainee_submitting_half_way_through_an_import_gets_in_at_once(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However large the one transaction has grown (here 4 of its 10 steps done), a submit that
    comes to wait interrupts it and is stored well within a second; the import then goes on in
    chunks and its summaries are right."""
    monkeypatch.setattr(bundles, "holding_import", _no_spool)
    monkeypatch.setattr(bundles, "STEP", 300)
    library, catalogue = real_bank()
    b, trainee, session = _one_trainee(tmp_path / "b")
    half_way, waited = threading.Event(), list[float]()
    real, steps = bundles.summarise, [0]
    seen: list[int | None] = []  # what another window reads of the import at each step

    def counted(conn: Any, after: int) -> None:
        real(conn, after)
        steps[0] += 1
        seen.append(answers_being_imported(_Window(tmp_path / "b" / DB_NAME)))
        if steps[0] == 4:
            half_way.set()
            time.sleep(0.3)  # the trainee comes to wait meanwhile

    def submit() -> None:
        half_way.wait(60)
        with open_store(tmp_path / "b") as mine:
            started = time.perf_counter()
            loaded = library.scenarios[0]
            graded_data.record(
                mine, trainee.id, session.id, loaded, graded_data.right_answer(loaded),
                library, catalogue,
            )  # fmt: skip
            waited.append(time.perf_counter() - started)

    monkeypatch.setattr(bundles, "summarise", counted)
    _import_while(b, large_bundle, submit)
    assert half_way.is_set() and len(waited) == 1 and waited[0] < 1.0, waited
    [(ours, theirs)] = b.query(
        "SELECT max(CASE WHEN trainee_id = ?1 THEN seq END), "
        "min(CASE WHEN trainee_id <> ?1 THEN seq END) FROM answers",
        [trainee.id],
    )
    assert ours < theirs and steps[0] > 4  # the 4 steps were rolled back, then chunks went in
    # in one go nothing shows; in chunks, the answers landed so far are named as an import
    assert seen[:4] == [None] * 4 and seen[-1] is not None and seen[-1] > 0, seen
    assert answers_being_imported(b) is None
    assert len(b.answers()) == 3_002
    assert b.query("SELECT * FROM import_journal") == []
    assert _summaries(b) == _counted_afresh(b)


def _import_while(b: Store, bundle: Path, submit: Callable[[], None]) -> None:
    """Import `bundle` (3,000 answers) into `b` while `submit` runs on a thread of its own."""
    worker = threading.Thread(target=submit)
    worker.start()
    try:
        assert import_bundle(b, bundle, *real_bank(), trust=True).answers == 3_000
    finally:
        worker.join()


class _Window:
    """Another window's reading of the database: read-only, no lock taken."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as conn:
            return conn.execute(sql).fetchall()


def _tries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the import's attempts: each try in one go, and the chunks, copy the people once."""
    tries: list[int] = []
    people = bundles._Import._publish_people
    monkeypatch.setattr(
        bundles._Import, "_publish_people", lambda job, *a: (tries.append(1), people(job, *a))[1]
    )
    return tries


@pytest.mark.parametrize("steps", [1, 3])
def test_a_bundle_interrupted_by_a_writer_is_tried_again_in_one_go(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch, steps: int
) -> None:
    """With the spool, however large the bundle: its trainees' quizzes no longer wait for it, so
    the writer who does is rare (a supervisor's change)."""
    monkeypatch.setattr(bundles, "STEP", 3_000 // steps)
    monkeypatch.setattr(import_pace, "WATCH_AFTER", 0.0)
    monkeypatch.setattr(import_pace, "CHECK_STEPS", 100)
    script: Iterator[bool] = iter([False, True])  # nobody as it begins, then a writer comes
    monkeypatch.setattr(import_pace, "writer_waiting", lambda db: next(script, False))
    monkeypatch.setattr(bundles, "writer_waiting", lambda db: next(script, False))
    chunks: list[int] = []
    monkeypatch.setattr(import_pace.Pace, "finished", lambda p: chunks.append(p.size))
    tries = _tries(monkeypatch)
    b = _imported_into_seeded(tmp_path / "b", large_bundle)
    assert len(tries) == 2 and chunks == []  # rolled back, then whole in one go again
    _all_in(b)


def test_a_bundle_interrupted_at_every_try_goes_in_chunks_after_the_last(
    tmp_path: Path, large_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_pace, "WATCH_AFTER", 0.0)
    monkeypatch.setattr(import_pace, "CHECK_STEPS", 100)
    monkeypatch.setattr(import_pace, "PAUSE_POLLS", 1)
    monkeypatch.setattr(import_pace, "writer_waiting", lambda db: True)  # a writer, always
    monkeypatch.setattr(bundles, "writer_waiting", lambda db: False)  # (not as it begins)
    tries = _tries(monkeypatch)
    b = _imported_into_seeded(tmp_path / "b", large_bundle)
    assert len(tries) == import_pace.ONE_GO_TRIES + 1  # the tries in one go, then the chunks
    _all_in(b)
