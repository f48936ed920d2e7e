"""Schema step c0008: a sync files answers and queues them; `fold_summaries` summarises them, once,
whoever calls it and however many call it at once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.core import store_data
from tests.core.test_central_sync import _pusher, _workstations, central_counts
from trainer.core.reports.figures import team_figures
from trainer.core.reports.team import TeamFilter
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.sync import sync
from trainer.core.store.sqlite import Store, open_store

# The summaries as sums that any double count (or any answer left out) changes.
_SUMS = """
    SELECT (SELECT count(*) FROM answer_topics), (SELECT sum(n) FROM answer_kinds),
        (SELECT sum(n) FROM answer_rules), (SELECT sum(n) FROM answer_groups),
        (SELECT sum(attempts) FROM trainee_totals), (SELECT sum(score_sum) FROM trainee_totals),
        (SELECT sum(n) FROM trainee_findings), (SELECT count(*) FROM trainee_running)
"""


def central_sums(url: str) -> tuple[Any, ...]:
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        row = conn.execute(_SUMS).fetchone()
        assert row is not None
        return tuple(row)


def local_sums(stores: list[Store]) -> tuple[Any, ...]:
    rows = [s.query(_SUMS)[0] for s in stores]
    return tuple(sum(r[n] or 0 for r in rows) for n in range(len(rows[0])))


def pending(url: str) -> tuple[int, int]:
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pending_summary), (SELECT count(*) FROM pending_people)"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def fold(url: str) -> int:
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        row = conn.execute("SELECT fold_summaries()").fetchone()
        assert row is not None
        return int(row[0])


def test_a_read_right_after_an_unfolded_sync_sees_every_answer(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=4, answers_each=30)
        report = sync(store, central_url, batch=50, fold=False)
        assert (report.added, report.folded) == (120, 0)
        assert pending(central_url) == (120, 0)
        assert central_sums(central_url)[4] is None  # nothing summarised yet
        with CentralStore(central_url) as central:
            assert team_figures(central, TeamFilter()).answers == 120
        assert pending(central_url) == (0, 0)
        assert central_sums(central_url) == local_sums([store])
        assert fold(central_url) == 0  # nothing left: a second fold changes nothing
        assert central_sums(central_url) == local_sums([store])
    assert central_counts(central_url)["running whole"] == (True,)


def test_a_sync_folds_at_its_end(central_url: str, tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=3, answers_each=20)
        assert sync(store, central_url, batch=25).folded == 60
        assert pending(central_url) == (0, 0)
        assert central_sums(central_url) == local_sums([store])


def test_a_crash_between_the_commit_and_the_fold_loses_nothing(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=3, answers_each=20)

        def crash(n: int) -> None:
            if n == 4:  # (5, 25, 25, 5: the first is a fifth) the last has committed; no fold
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            sync(store, central_url, batch=25, after_commit=crash)
        assert pending(central_url) == (60, 0)
        with CentralStore(central_url) as central:  # the next read folds
            assert team_figures(central, TeamFilter()).answers == 60
        assert central_sums(central_url) == local_sums([store])
        again = sync(store, central_url, batch=25)  # the last batch again: nothing new to fold
        assert (again.answers, again.added, again.folded) == (5, 0, 0)
        assert central_sums(central_url) == local_sums([store])


def test_folds_at_once_count_each_answer_once(central_url: str, tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=20, answers_each=100)
        sync(store, central_url, batch=500, fold=False)
        barrier = threading.Barrier(4)
        done: list[int] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                barrier.wait()
                done.append(fold(central_url))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and sorted(done) == [0, 0, 0, 2_000]  # one folded, the rest waited
        assert central_sums(central_url) == local_sums([store])
    assert central_counts(central_url)["running whole"] == (True,)


def test_folds_while_workstations_sync_count_each_answer_once(
    central_url: str, tmp_path: Path
) -> None:
    """Shared people's answers arrive from several workstations while folds run meanwhile."""
    folders = _workstations(tmp_path)
    errors: list[BaseException] = []
    syncing = threading.Event()
    push = _pusher(central_url, errors, fold=False)

    def folding() -> None:
        try:
            while syncing.is_set():
                fold(central_url)
        except BaseException as exc:  # reported below
            errors.append(exc)

    syncing.set()
    folders_ = [threading.Thread(target=folding) for _ in range(2)]
    pushes = [threading.Thread(target=push, args=(f,)) for f in folders]
    for t in [*folders_, *pushes]:
        t.start()
    for t in pushes:
        t.join()
    syncing.clear()
    for t in folders_:
        t.join()
    assert errors == []
    fold(central_url)
    assert pending(central_url) == (0, 0)
    stores = [open_store(f) for f in folders]
    try:
        central = central_sums(central_url)
        mine = local_sums(stores)
        # people are merged centrally, so running positions and totals are per person: the sums
        # of counts agree whatever the merge, and each person's running sums end at their totals
        assert central[:7] == mine[:7] and central[7] == mine[7] == 4 * 5 * 20
    finally:
        for s in stores:
            s.close()
    assert central_counts(central_url)["running whole"] == (True,)


def test_a_store_of_before_the_fold_is_still_read(
    postgres_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until `central init` adds step c0008, the dashboard reads the summaries filed with the
    answers (and a sync of this trainer files them as that store's `ingest_results` does)."""
    import os

    import trainer.core.store.central.sync as syncing
    from tests.conftest import _sql
    from trainer.core.store.central.connection import connect
    from trainer.core.store.central.schema import STEPS, migrate

    name = f"before_fold_{os.getpid()}"
    _sql(postgres_server.url(), f"CREATE DATABASE {name}")
    url = postgres_server.url(name)
    before = [n for n, _ in STEPS].index("c0008_deferred_summaries")
    with connect(url) as conn:
        migrate(conn, upto=before)
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=2, answers_each=10)
        with monkeypatch.context() as patched:
            patched.setattr(syncing, "STEPS", STEPS[:before])
            assert sync(store, url).folded == 0
        with CentralStore(url) as central:
            assert team_figures(central, TeamFilter()).answers == 20
            assert central.fold() == 0
        assert central_sums(url) == local_sums([store])


def test_a_sync_does_not_wait_behind_another_fold(central_url: str, tmp_path: Path) -> None:
    from trainer.core.store.central.schema import FOLD_LOCK_KEY

    with open_store(tmp_path) as store, psycopg.connect(central_url, autocommit=True) as other:
        store_data.seed(store, trainees=2, answers_each=10)
        other.execute("SELECT pg_advisory_lock(%s)", [FOLD_LOCK_KEY])  # a fold under way
        assert sync(store, central_url).folded == 0  # it returned at once, leaving them queued
        assert pending(central_url) == (20, 0)
        other.execute("SELECT pg_advisory_unlock(%s)", [FOLD_LOCK_KEY])
        with CentralStore(central_url) as central:
            assert team_figures(central, TeamFilter()).answers == 20
        assert central_sums(central_url) == local_sums([store])


def test_a_supervisors_read_folds_and_a_workstation_login_may_fold(
    central_url: str, tmp_path: Path
) -> None:
    from tests.core.test_central_access import as_login, login
    from trainer.core.store.central.admin import grant_units, grant_workstation

    sup, ws = login(central_url, "sup"), login(central_url, "ws")
    grant_units(central_url, sup, ["default"])
    grant_workstation(central_url, ws)
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=2, answers_each=10)
        assert sync(store, as_login(central_url, ws), fold=False).added == 20
        assert fold(as_login(central_url, ws)) == 20  # allowed: only a count comes back
        store_data.seed(store, trainees=1, answers_each=5, seed_=3)
        sync(store, as_login(central_url, ws), fold=False)
        assert pending(central_url)[0] > 0
        with CentralStore(as_login(central_url, sup)) as central:
            assert team_figures(central, TeamFilter()).answers == 25
        assert pending(central_url) == (0, 0)
        assert central_sums(central_url) == local_sums([store])
