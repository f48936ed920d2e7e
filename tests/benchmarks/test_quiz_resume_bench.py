"""Keeping a half-filled answer (`./dev bench -k keep_draft`): a ratio against a bare durable
SQLite commit of a row the same size, on the same disk, in the same run."""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from pathlib import Path

import pytest

from tests.core.quiz_kill_child import bank, draft
from trainer.core.content.catalogue import load_catalogue
from trainer.core.practice.quiz import QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.core.store.sqlite import open_store

pytestmark = pytest.mark.benchmark
REPEAT = 200
ASKED = ("Was anything taken?",)


def _median_ms(work: list[float]) -> float:
    return statistics.median(work) * 1000


def test_keep_draft_against_a_bare_durable_commit(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    trainee = store.create_trainee("Bench Mark", "B1", "call-handler")
    plan = QuizPlan("mixed", count=3)
    run = QuizRun.start(store, trainee, plan, bank(), load_catalogue(), random.Random(1))
    size = len(run.state().to_json())

    bare = sqlite3.connect(tmp_path / "bare.db", isolation_level=None)
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("PRAGMA synchronous = FULL")  # as the store: durable at commit
    bare.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)")

    ours, base = [], []
    for n in range(REPEAT):  # interleaved, so both see the same disk and load
        started = time.perf_counter()
        run.keep_draft(draft(n + 1), ASKED)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT OR REPLACE INTO t VALUES ('k', ?)", ["x" * size])
        bare.execute("COMMIT")
        base.append(time.perf_counter() - started)
    ratio = _median_ms(ours) / _median_ms(base)
    print(
        f"\nkeep a half-filled answer ({size} B of state): {_median_ms(ours):.2f} ms vs a bare "
        f"durable commit {_median_ms(base):.2f} ms = {ratio:.2f}x (target <= 3x; the screen "
        f"keeps at most one every 500 ms)"
    )
    store.close()
    assert ratio <= 3
