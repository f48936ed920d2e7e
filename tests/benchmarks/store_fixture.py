"""The benchmark database: 1,000,000 answers from 2,000 trainees, loaded through the bulk path."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.core import store_data
from trainer.core.store.records import AnswerRecord, new_id, to_iso
from trainer.core.store.sqlite import Store, open_store

TRAINEES = 2_000
ANSWERS = 1_000_000
SESSION_LENGTH = 20


def _records(
    trainees: list[str], sessions: dict[str, list[str]], count: int, start: datetime
) -> Iterator[AnswerRecord]:
    """Answers in time order from random trainees, varied from a few hundred graded templates."""
    rng = random.Random(11)
    templates = [
        store_data.make_record("t", "s", scenario, rng, store_data.START)
        for scenario in store_data.scenarios()
        for _ in range(6)
    ]
    for i in range(count):
        trainee = trainees[rng.randrange(len(trainees))]
        answered = start + timedelta(seconds=20 * i)
        t = templates[rng.randrange(len(templates))]
        yield AnswerRecord(
            new_id(), sessions[trainee][i % len(sessions[trainee])], trainee, t.scenario_id,
            t.scenario_hash, t.catalogue_edition, t.scenario_title, t.kind, t.topics,
            t.expected_decision, t.decision, t.crime_groups, t.answer_json, t.score,
            t.findings_json, t.finding_kinds, t.finding_rules, t.asked, i % 10 == 9,
            answered - timedelta(seconds=30 + i % 200), answered,
            certainty=t.certainty, cards=t.cards,
        )  # fmt: skip


def build(
    folder: Path, trainees: int = TRAINEES, answers: int = ANSWERS, ending_now: bool = False
) -> Path:
    """Create the database under `folder`; returns the data folder. Answers come every 20 s from
    store_data.START, or (`ending_now`) up to now, so that recent periods hold answers."""
    start = store_data.START
    if ending_now:
        start = datetime.now(UTC) - timedelta(seconds=20 * answers)
    started = time.perf_counter()
    rng = random.Random(5)
    with open_store(folder) as store:
        ids = [
            store.create_trainee(
                f"Trainee {n}", f"S{n:05d}", rng.choice(("officer", "call-handler"))
            ).id
            for n in range(trainees)
        ]
        sessions = _bulk_sessions(store, ids, max(1, answers // trainees // SESSION_LENGTH))
        store.record_answers(_records(ids, sessions, answers, start))
        store.conn.execute("ANALYZE")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"\nfixture: {answers:,} answers from {trainees:,} trainees in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return folder


def _bulk_sessions(store: Store, trainees: list[str], per_trainee: int) -> dict[str, list[str]]:
    """Quiz sessions are not what is measured: insert them in one go."""
    sessions = {t: [new_id() for _ in range(per_trainee)] for t in trainees}
    started = to_iso(store_data.START)
    rows = [
        (s, t, "practice", started, store_data.START.timestamp(), store.workstation_id)
        for t, ids in sessions.items()
        for s in ids
    ]
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, "
            "workstation_id) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return sessions
