"""Central store benchmarks (`./dev bench -k central`), each a ratio against a baseline measured in
the same run on the same throwaway PostgreSQL server (fsync off: the ratios, not the absolute times,
are what carries over to a real server)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.benchmarks import store_fixture
from tests.conftest import _sql
from tests.core import store_data
from trainer.core.reports.figures import findings_by_rule, item_figures, team_figures
from trainer.core.reports.team import TeamFilter
from trainer.core.store.answer_rows import CENTRAL_ANSWER_COLUMNS as ANSWER_COLUMNS
from trainer.core.store.central.admin import grant_units
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.sync import sync
from trainer.core.store.records import new_id
from trainer.core.store.sqlite import DB_NAME, open_store

pytestmark = pytest.mark.benchmark
ANSWERS = 100_000
BIG = 1_000_000
WORKSTATIONS, EACH, AT_ONCE = 1_000, 200, 16
RUNS = 3  # the sync and its baseline, each the best of this many


def fresh(server: Any, template: str, name: str) -> str:
    _sql(server.url(), f"DROP DATABASE IF EXISTS {name}")
    _sql(server.url(), f"CREATE DATABASE {name} TEMPLATE {template}")
    return str(server.url(name))


def best(fn: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.fixture(scope="module")
def workstation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_fixture.build(tmp_path_factory.mktemp("ws"), trainees=500, answers=ANSWERS)


def test_central_sync_against_psql_copy(
    workstation: Path, postgres_server: Any, central_template: str, tmp_path: Path
) -> None:
    """Sync of 100,000 answers into an empty central store vs psql's COPY of the same rows: each
    the best of RUNS runs, taken in turns (so a busy moment on the machine hits both alike)."""
    scratch = tmp_path / "copy"
    shutil.copytree(workstation, scratch)
    # The baseline: the same rows COPYed by psql into the answers table of a central store that
    # already holds their people and sessions (as sync's own first step leaves it).
    url = fresh(postgres_server, central_template, "bench_copy_people")
    csv_file = tmp_path / "answers.csv"
    with open_store(scratch) as store:
        with store.write() as conn:
            conn.execute("DELETE FROM unsent_answers")
        sync(store, url)  # people and sessions only
        with csv_file.open("w", newline="", encoding="utf-8") as text:
            writer = csv.writer(text)
            for row in store.conn.execute(f"SELECT {ANSWER_COLUMNS} FROM answers ORDER BY seq"):
                writer.writerow(row)
    _sql(postgres_server.url(), "ALTER DATABASE bench_copy_people IS_TEMPLATE true")

    def copy_once(run: int) -> float:
        target = fresh(postgres_server, "bench_copy_people", f"bench_copy_{run}")
        psql = [shutil.which("psql") or "psql", target, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                f"\\copy trainer.answers ({ANSWER_COLUMNS}) FROM '{csv_file}' CSV"]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(psql, check=True, capture_output=True)
        return time.perf_counter() - started

    # The sync as `trainer sync` runs it leaves summarising to its own end (or to the next read,
    # should it stop before): the target is the sync's; the fold after it is timed and shown too.
    def sync_once(run: int) -> tuple[float, float, str, Path, int]:
        target = fresh(postgres_server, central_template, f"bench_sync_{run}")
        folder = tmp_path / f"sync-{run}"
        shutil.copytree(workstation, folder)
        with open_store(folder) as store:
            started = time.perf_counter()
            report = sync(store, target, fold=False)
            sync_s = time.perf_counter() - started
            assert report.answers == ANSWERS and report.waiting and report.waiting.answers == 0
        started = time.perf_counter()
        with CentralStore(target) as central:
            assert central.fold() == ANSWERS
        return sync_s, time.perf_counter() - started, target, folder, report.round_trips

    copies, syncs, folds = [], [], []
    for run in range(RUNS):
        copies.append(copy_once(run))
        sync_s, fold_s, target, folder, trips = sync_once(run)
        syncs.append(sync_s)
        folds.append(fold_s)
    copy_s, sync_s, fold_s = min(copies), min(syncs), min(folds)
    with open_store(folder) as store:
        again = sync(store, target)
    both_s = sync_s + fold_s
    each = (
        f"runs {'/'.join(f'{s:.2f}' for s in syncs)} against {'/'.join(f'{c:.2f}' for c in copies)}"
    )
    print(
        f"\ncentral sync of {ANSWERS:,} answers (best of {RUNS}; load {os.getloadavg()[0]:.1f}): "
        f"{sync_s:.2f} s against psql COPY {copy_s:.2f} s = {sync_s / copy_s:.2f}x (target <= 2x; "
        f"{each}); "
        f"{trips} round trips; then summarising them (at the sync's end or the next "
        f"read) {fold_s:.2f} s: sync and summaries {both_s:.2f} s = {both_s / copy_s:.2f}x COPY"
    )
    print(
        f"central sync with nothing new at {ANSWERS:,} answers: {again.round_trips} round trip(s)"
    )
    _nothing_new_is_constant(postgres_server, central_template, tmp_path, again.round_trips)
    assert sync_s <= 2 * copy_s


def _nothing_new_is_constant(server: Any, template: str, tmp_path: Path, trips: int) -> None:
    url = fresh(server, template, "bench_small")
    with open_store(tmp_path / "small") as store:
        store_data.seed(store, trainees=3, answers_each=10)
        sync(store, url)
        small = sync(store, url).round_trips
    print(f"central sync with nothing new at 30 answers: {small} round trip(s)")
    assert small == trips == 1


def _make_workstations(folder: Path, count: int) -> list[Path]:
    """`count` workstations of EACH answers: one person of their own and one shared with nine
    others (same staff number and name), copied from one migrated empty database."""
    import random

    template = folder / "template"
    open_store(template).close()
    rng = random.Random(4)
    bank = store_data.scenarios()
    out = []
    for n in range(count):
        ws = folder / f"ws{n:04d}"
        ws.mkdir()
        shutil.copy(template / DB_NAME, ws / DB_NAME)
        with open_store(ws) as store, store.write() as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'workstation_id'", [new_id()])
        with open_store(ws) as store:
            people = [
                store.create_trainee(f"Own {n}", f"OWN{n:05d}", "officer"),
                store.create_trainee(f"Shared {n // 10}", f"SH{n // 10:04d}", "call-handler"),
            ]
            sessions = [store.start_session(p.id, "practice") for p in people]
            store.record_answers(
                store_data.make_record(people[i % 2].id, sessions[i % 2], rng.choice(bank), rng,
                                       store_data.START + store_data.timedelta(minutes=i + n))
                for i in range(EACH)
            )  # fmt: skip
        out.append(ws)
    return out


def test_central_many_workstations_at_once(
    postgres_server: Any, central_template: str, tmp_path: Path
) -> None:
    started = time.perf_counter()
    folders = _make_workstations(tmp_path, WORKSTATIONS)
    made = time.perf_counter() - started
    url = fresh(postgres_server, central_template, "bench_many")
    failures: list[str] = []
    lock = threading.Lock()

    def one(folder: Path) -> int:
        try:
            with open_store(folder) as store:
                return sync(store, url).answers
        except Exception as exc:
            with lock:
                failures.append(f"{folder.name}: {exc}")
            return 0

    started = time.perf_counter()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        sent = sum(pool.map(one, folders))
    with CentralStore(url) as central:  # a sync's fold never queues behind another's: the
        left = central.fold()  # answers none took are summarised by the next read, timed here
    took = time.perf_counter() - started
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM answers"
        ).fetchone()  # type: ignore[misc]
        people = conn.execute("SELECT count(*) FROM trainees").fetchone()[0]  # type: ignore[index]
        whole = conn.execute(
            "SELECT count(*) FROM (SELECT trainee_id, count(*) AS n, max(position) AS p "
            "FROM trainee_running GROUP BY trainee_id) r WHERE n <> p"
        ).fetchone()[0]  # type: ignore[index]
    expected = WORKSTATIONS * EACH
    print(
        f"\ncentral: {WORKSTATIONS:,} workstations of {EACH} answers, {AT_ONCE} at a time: "
        f"{took:.1f} s in all ({took / WORKSTATIONS * 1000:.0f} ms each; "
        f"{expected / took:,.0f} answers/s); lost {expected - distinct}, "
        f"duplicated {total - distinct}; {people:,} people (setup {made:.0f} s); {left:,} "
        "answer(s) left for the first read to summarise"
    )
    assert failures == [] and sent == expected
    assert (total, distinct, whole) == (expected, expected, 0)
    assert people == WORKSTATIONS + WORKSTATIONS // 10


def test_central_team_table_at_a_million_answers(
    workstation: Path, postgres_server: Any, central_template: str
) -> None:
    """Team table with per-rule counts vs one full scan of the answers table, same server."""
    url = fresh(postgres_server, central_template, "bench_million")
    with open_store(workstation) as store:
        with store.write() as conn:  # as if never sent (an earlier benchmark sent them)
            conn.execute("INSERT OR IGNORE INTO unsent_answers SELECT seq FROM answers")
            conn.execute(
                "INSERT OR IGNORE INTO unsent_rows SELECT 'trainees', id, 1 FROM trainees "
                "UNION ALL SELECT 'quiz_sessions', id, 1 FROM quiz_sessions"
            )
        sync(store, url)
    started = time.perf_counter()
    _grow(url, BIG // ANSWERS)
    print(f"\ncentral: grown to {BIG:,} answers in {time.perf_counter() - started:.0f} s")
    scan = "SELECT count(*), avg(score) FROM answers"
    _sql(url, "DO $$ BEGIN CREATE ROLE bench_supervisor LOGIN; "
              "EXCEPTION WHEN duplicate_object THEN NULL; END $$")  # fmt: skip
    grant_units(url, "bench_supervisor", ["default"])
    with CentralStore(url) as store:
        assert store.query("SELECT count(*) FROM answers") == [(BIG,)]
        size = store.query("SELECT pg_database_size(current_database())")[0][0]
        print(f"central store at {BIG:,} answers: {size / 2**30:.2f} GiB on disk "
              f"({size / BIG:,.0f} bytes per answer, indexes and summaries included)")  # fmt: skip
        scan_s = best(lambda: store.query(scan))
        timings = []
        for flt, label in ((TeamFilter(), "all dates"), (TeamFilter.last_days(), "last 90 days")):
            s = best(lambda flt=flt: (team_figures(store, flt), findings_by_rule(store, flt)))
            print(f"central team table + per-rule counts ({label}) at {BIG:,} answers: "
                  f"{s * 1000:.0f} ms = {s / scan_s:.3f}x one full scan ({scan_s * 1000:.0f} ms; "
                  "target < 0.2x)")  # fmt: skip
            timings.append(s)
        for flt, label in ((TeamFilter(), "all dates"), (TeamFilter.last_days(), "last 90 days")):
            s = best(lambda flt=flt: item_figures(store, flt))
            print(f"central item analysis ({label}) at {BIG:,} answers: {s * 1000:.0f} ms = "
                  f"{s / scan_s:.2f}x one full scan (target <= 2x)")  # fmt: skip
    with CentralStore(url.replace("postgres@", "bench_supervisor@")) as supervisor:
        assert supervisor.query("SELECT count(*) FROM answers") == [(BIG,)]  # granted them all
        for flt, label in ((TeamFilter(), "all dates"), (TeamFilter.last_days(), "last 90 days")):
            s = best(lambda flt=flt: (team_figures(supervisor, flt),
                                      findings_by_rule(supervisor, flt)))  # fmt: skip
            print(f"... the same as a supervisor through row-level security ({label}): "
                  f"{s * 1000:.0f} ms = {s / scan_s:.3f}x the owner's full scan")  # fmt: skip
            timings.append(s)
    print(f"load: {os.getloadavg()[0]:.1f}")
    assert max(timings[0], timings[2]) < 0.2 * scan_s  # all dates, as the owner and a supervisor


def _grow(url: str, times: int) -> None:
    """Copies of the synced answers, later in time, filed through `ingest_results` and summarised
    by `fold_summaries` (the sync path without the wire): the central store at a million answers
    without a million-answer SQLite."""
    import uuid

    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        span = conn.execute(
            "SELECT max(answered_ts) - min(answered_ts) + 60 FROM answers"
        ).fetchone()[0]  # type: ignore[index]
        for k in range(1, times):
            batch = uuid.uuid4()
            cols = ANSWER_COLUMNS.replace("answered_ts", f"answered_ts + {k} * {span}").replace(
                "id, session_id", f"id || '-{k}', session_id", 1
            )
            conn.execute(
                f"INSERT INTO stage_answers (batch, ord, {ANSWER_COLUMNS}) "
                f"SELECT %s, seq, {cols} FROM answers WHERE seq <= %s",
                [batch, ANSWERS],
            )
            conn.execute("SELECT * FROM ingest_results(%s)", [batch])
            conn.commit()
            conn.execute("SELECT fold_summaries()")  # as the sync's end does
            conn.commit()
    with psycopg.connect(url, autocommit=True, options="-c search_path=trainer") as conn:
        conn.execute("VACUUM ANALYZE")
