"""A benchmark database of answers to the real bank, graded by the real grader, built in bulk.

A few answers per scenario are graded once as templates; each stored row copies one with new
ids and times (raw `executemany` in one transaction, as the platform notes advise). Every row is
stored under an older bank hash, and one template in ten carries a wrong score, so a regrade has
real work to do: every row gets the new bank hash and about a tenth change grade.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.core import graded_data
from tests.core.conftest import real_bank
from tests.core.store_data import START
from trainer.core.grading.grade import grade
from trainer.core.store.answer_rows import answer_params
from trainer.core.store.records import AnswerRecord, new_id, to_iso
from trainer.core.store.sqlite import Store, open_store

OLD_BANK = "0" * 16
TRAINEES = 2_000
ID, SESSION, TRAINEE, SCORE, SHOWN, ANSWERED, TS, TAKEN, BANK = 0, 1, 2, 13, 19, 20, 21, 22, 24


def templates(per_scenario: int = 4) -> list[tuple[Any, ...]]:
    """`answer_params` rows for a few answers to each scenario; one in ten with a wrong score."""
    library, catalogue = real_bank()
    rng = random.Random(3)
    out = []
    for loaded in library.scenarios:
        for _ in range(per_scenario):
            answer = graded_data.some_answer(loaded, rng)
            rec = AnswerRecord.build(
                "t", "s", loaded, answer, grade(loaded.scenario, answer, catalogue),
                shown_at=START, answered_at=START, asked=(), exam=False, catalogue=catalogue,
                bank_hash=OLD_BANK,
            )  # fmt: skip
            row = list(answer_params(rec, "w"))
            if len(out) % 10 == 0:
                row[SCORE] = (row[SCORE] + 50) % 101  # a grade the bank no longer gives
            out.append(tuple(row))
    return out


def _rows(
    store: Store, start: int, count: int, sessions: list[tuple[str, str]]
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(start)
    rows = templates()
    for i in range(start, start + count):
        row = list(rows[rng.randrange(len(rows))])
        session, trainee = sessions[rng.randrange(len(sessions))]
        answered = START + timedelta(seconds=20 * i)
        row[ID], row[SESSION], row[TRAINEE] = new_id(), session, trainee
        row[SHOWN] = to_iso(answered - timedelta(seconds=30 + i % 200))
        row[ANSWERED], row[TS], row[TAKEN] = to_iso(answered), answered.timestamp(), 30 + i % 200
        row[23] = store.workstation_id
        yield tuple(row)


def _people(store: Store, trainees: int) -> list[tuple[str, str]]:
    """Trainees with one session each, inserted in one go: (session, trainee) pairs."""
    created, ts = to_iso(START), START.timestamp()
    people = [(new_id(), new_id()) for _ in range(trainees)]
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO trainees (id, name, staff_number, role, created_at, workstation_id) "
            "VALUES (?, ?, ?, 'officer', ?, ?)",
            [(t, f"Trainee {n}", f"B{n:05d}", created, store.workstation_id)
             for n, (_, t) in enumerate(people)],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, "
            "workstation_id) VALUES (?, ?, 'practice', ?, ?, ?)",
            [(s, t, created, ts, store.workstation_id) for s, t in people],
        )
    return people


def build(folder: Path, answers: int, trainees: int = TRAINEES) -> Path:
    """Create the database under `folder` with `answers` rows; returns the data folder."""
    started = time.perf_counter()
    with open_store(folder) as store:
        people = _people(store, trainees)
        with store.write() as conn:
            store.insert_answer_rows(conn, _rows(store, 0, answers, people))
        store.conn.execute("ANALYZE")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"\nfixture: {answers:,} graded answers in {time.perf_counter() - started:.1f} s")
    return folder


def grow(folder: Path, more: int) -> None:
    """Add `more` answers from the same trainees."""
    with open_store(folder) as store:
        people = [(s, t) for s, t in store.query("SELECT id, trainee_id FROM quiz_sessions")]
        [(have,)] = store.query("SELECT count(*) FROM answers")
        with store.write() as conn:
            store.insert_answer_rows(conn, _rows(store, have, more, people))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def growing(folder: Path, sizes: Iterable[int]) -> Iterator[int]:
    """The database under `folder` at each of `sizes` answers in turn, smallest first (built,
    then grown): yields each size once the database holds it."""
    have = 0
    for size in sorted(sizes):
        if have == 0:
            build(folder, size, trainees=TRAINEES)
        else:
            grow(folder, size - have)
        have = size
        yield size
