"""Progress-store benchmarks on 1,000,000 answers from 2,000 trainees (`./dev bench`).

Every figure is printed as a ratio against a baseline measured in the same run, on the same disk.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.benchmarks import store_fixture
from tests.core import store_data
from trainer.core.reports.figures import findings_by_rule, team_figures
from trainer.core.reports.statistics import summarise
from trainer.core.reports.team import TeamFilter
from trainer.core.store.records import now
from trainer.core.store.sqlite import DB_NAME, Store, open_store

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[2]
EXPORT_COLUMNS = (
    "t.name, t.staff_number, t.role, a.scenario_id, a.scenario_title, a.topics, a.decision, "
    "a.expected_decision, a.score, a.finding_kinds, a.seconds_taken, a.answered_at, a.exam, "
    # what the registrar's columns are made from: the given answer, the findings, the key's hash
    "a.answer, a.findings, a.scenario_hash, a.workstation_id, a.catalogue_edition"
)
SCAN = "SELECT sum(score), count(findings) FROM answers"  # reads every row of the table


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run; TRAINER_BENCH_DATA=DIR reuses one built before (it gains a few
    hundred answers each run)."""
    reuse = os.environ.get("TRAINER_BENCH_DATA")
    if reuse and (Path(reuse) / DB_NAME).exists():
        return Path(reuse)
    return store_fixture.build(tmp_path_factory.mktemp("big-store"))


def _times(work: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        out.append(time.perf_counter() - started)
    return out


def _report(name: str, ours: float, base: float, base_name: str, target: str) -> float:
    ratio = ours / base
    print(
        f"\n{name}: {ours * 1000:.2f} ms vs {base_name} {base * 1000:.2f} ms "
        f"= {ratio:.2f}x (target {target})"
    )
    return ratio


def _scan_time(store: Store) -> float:
    plan = store.query(f"EXPLAIN QUERY PLAN {SCAN}")
    assert "SCAN answers" in str(plan) and "INDEX" not in str(plan)
    return min(_times(lambda: store.query(SCAN), 3))


def test_recording_one_answer_durably(big: Path, tmp_path: Path) -> None:
    bare = sqlite3.connect(tmp_path / "bare.db", isolation_level=None)
    bare.execute("PRAGMA journal_mode = WAL")
    bare.execute("PRAGMA synchronous = FULL")  # as the store: durable at commit
    bare.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

    def bare_commit() -> None:
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO t (v) VALUES (?)", ["x" * 400])
        bare.execute("COMMIT")

    with open_store(big) as store:
        tid = store.trainees()[0].id
        session = store.start_session(tid, "practice")
        rng = random.Random(1)
        bank = store_data.scenarios()

        def record() -> None:
            rec = store_data.make_record(tid, session, rng.choice(bank), rng, now())
            store.record_answer(rec)

        base, ours = [], []
        for _ in range(4):  # interleaved, so both see the same disk
            base += _times(bare_commit, 50)
            ours += _times(record, 50)
    bare.close()
    ratio = _report(
        "record one answer (median)",
        statistics.median(ours),
        statistics.median(base),
        "bare sqlite3 WAL commit of one row",
        "<= 2x",
    )
    print(
        f"  means: {statistics.mean(ours) * 1000:.2f} ms vs {statistics.mean(base) * 1000:.2f} ms"
    )
    assert ratio <= 2.0


def test_progress_figures_and_team_table(big: Path) -> None:
    """What the application does: My progress reads one trainee's answers and sessions by index
    and works its figures out from them; the dashboard's team table (all dates) and its per-rule
    counts come from the summary tables."""
    with open_store(big) as store:
        scan = _scan_time(store)
        tid = store.trainees()[len(store.trainees()) // 2].id

        def my_progress() -> object:
            answers = store.answers(trainee_id=tid)
            store.sessions(tid)
            return summarise(tid, [a.as_attempt() for a in answers])

        progress = min(_times(my_progress, 5))
        every = TeamFilter()
        team = min(_times(lambda: (team_figures(store, every), findings_by_rule(store, every)), 3))
        figures = team_figures(store, every)
        assert len(figures.rows) == store_fixture.TRAINEES
        assert figures.answers >= store_fixture.ANSWERS
    results = [
        _report(
            "one trainee's progress (answers read, figures)", progress, scan, "full scan", "< 0.2x"
        ),
        _report("team table with per-rule counts", team, scan, "full scan", "< 0.2x"),
    ]
    assert all(r < 0.2 for r in results)


# name: (query through the indexes, the same answer from the quickest scan, must it win?)
DASHBOARD = {
    "per trainee": (
        "SELECT count(*), sum(score) FROM answers WHERE trainee_id = :trainee",
        "SELECT count(*), sum(score) FROM answers NOT INDEXED WHERE trainee_id = :trainee",
        True,
    ),
    "per scenario": (
        "SELECT count(*), avg(score) FROM answers WHERE scenario_id = :scenario",
        "SELECT count(*), avg(score) FROM answers NOT INDEXED WHERE scenario_id = :scenario",
        True,
    ),
    "per week": (
        "SELECT count(*), sum(score) FROM answers WHERE answered_ts >= :start "
        "AND answered_ts < :start + 7 * 86400",
        "SELECT count(*), sum(score) FROM answers NOT INDEXED WHERE answered_ts >= :start "
        "AND answered_ts < :start + 7 * 86400",
        True,
    ),
    # A topic in about a third of all answers: looking them up costs about what a scan does.
    "per topic, all time": (
        "SELECT count(*), sum(score) FROM answers WHERE seq IN "
        "(SELECT seq FROM answer_topics WHERE topic = :topic)",
        "SELECT count(*), sum(score) FROM answers NOT INDEXED "
        "WHERE instr(topics, '\"' || :topic || '\"')",
        False,
    ),
    "per topic and week": (
        "SELECT count(*), sum(score) FROM answers WHERE seq IN (SELECT seq FROM answer_topics "
        "WHERE topic = :topic AND answered_ts >= :start AND answered_ts < :start + 7 * 86400)",
        "SELECT count(*), sum(score) FROM answers NOT INDEXED WHERE answered_ts >= :start AND "
        "answered_ts < :start + 7 * 86400 AND instr(topics, '\"' || :topic || '\"')",
        True,
    ),
    "item analysis (scenario x trainee means)": (
        "SELECT scenario_id, trainee_id, avg(score) FROM answers GROUP BY 1, 2",
        "SELECT scenario_id, trainee_id, avg(score) FROM answers NOT INDEXED GROUP BY 1, 2",
        True,
    ),
}


def test_dashboard_queries_with_and_without_indexes(big: Path) -> None:
    with open_store(big) as store:
        params = {
            "trainee": store.trainees()[7].id,
            "scenario": "scenario-3",
            "topic": "fraud",
            "start": store_data.START.timestamp() + 30 * 86400,
        }
        print()
        for name, (indexed, scanned, must_win) in DASHBOARD.items():
            plan = " / ".join(r[-1] for r in store.query(f"EXPLAIN QUERY PLAN {indexed}", params))
            assert store.query(indexed, params) == store.query(scanned, params)
            fast = min(_times(lambda q=indexed: store.query(q, params), 3))  # type: ignore[misc]
            slow = min(_times(lambda q=scanned: store.query(q, params), 2))  # type: ignore[misc]
            print(f"{name}: {fast * 1000:.1f} ms with [{plan}] vs {slow * 1000:.1f} ms scanning "
                  f"= {fast / slow:.3f}x")  # fmt: skip
            assert fast < slow or not must_win


# Runs a command in a fresh Python and reports its peak resident memory (VmHWM: this process
# only; ru_maxrss would include the pytest process the child was forked from).
PEAK = """
import sys
from trainer.cli import main
code = main(sys.argv[1:]) if sys.argv[1:] else 0
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(peak, file=sys.stderr)
sys.exit(code)
"""


def _run(command: list[str], out: Path) -> tuple[float, int]:
    """Wall time, and peak memory in KiB for the PEAK wrapper (else 0)."""
    started = time.perf_counter()
    with out.open("wb") as stdout:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    return seconds, int(done.stderr.split()[-1]) if command[1:2] == ["-c"] else 0


def test_export_against_the_sqlite3_cli(big: Path, tmp_path: Path) -> None:
    ours_csv, cli_csv, log = tmp_path / "ours.csv", tmp_path / "cli.csv", tmp_path / "log"
    query = (
        f"SELECT {EXPORT_COLUMNS} FROM answers AS a JOIN trainees AS t ON t.id = a.trainee_id "
        "ORDER BY a.seq"
    )
    ours_cmd = [sys.executable, "-c", PEAK, "--data-dir", str(big), "export", str(ours_csv)]
    cli_cmd = ["sqlite3", "-csv", str(big / DB_NAME), query]
    ours, cli = [], []
    for _ in range(3):  # alternated: both see the same load on the machine
        cli.append(_run(cli_cmd, cli_csv)[0])
        seconds, memory = _run(ours_cmd, log)
        ours.append(seconds)
    _, idle = _run([sys.executable, "-c", "import trainer.core.store.export\n" + PEAK], log)
    lines = sum(1 for _ in ours_csv.open(encoding="utf-8-sig"))
    assert lines == sum(1 for _ in cli_csv.open(encoding="utf-8")) + 1 > store_fixture.ANSWERS
    print(f"\n  runs: trainer export {[round(t, 2) for t in ours]} s, "
          f"sqlite3 -csv {[round(t, 2) for t in cli]} s")  # fmt: skip
    ratio = _report(
        "trainer export, all rows (best of 3)", min(ours), min(cli), "sqlite3 -csv", "<= 1.5x"
    )
    size = ours_csv.stat().st_size
    print(
        f"  export peak memory: {memory / 1024:.0f} MiB resident, of which "
        f"{(memory - idle) / 1024:.0f} MiB beyond Python with the trainer imported, "
        f"for a {size / 2**20:.0f} MiB file"
    )
    assert (memory - idle) * 1024 < size / 2  # it streams: far less than the file it writes
    assert ratio <= 1.5
