"""A trainee submitting every quarter of a second while a bundle of 10k, 100k or 1M answers is
imported into the same workstation's database, by another process (`./dev bench -k
submit_during_import -s`).

Printed for each size: the longest and the median submit while the import ran, as ratios of the
longest submit on the same database with no import running (measured in the same run); the
import's time against the same import with nobody submitting; and what another window counted of
the bundle's answers each time it looked (the import is whole or absent: 0 and then all of them).
TRAINER_BENCH_SIZES=10000,100000 measures fewer sizes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks import graded_fixture
from tests.core import graded_data
from tests.core.conftest import real_bank
from trainer.core.store.bundles import export_bundle
from trainer.core.store.files import import_under_way
from trainer.core.store.sqlite import DB_NAME, Store, open_store

pytestmark = pytest.mark.benchmark
ROOT = Path(__file__).resolve().parents[2]
SIZES = [int(n) for n in os.environ.get("TRAINER_BENCH_SIZES", "10000,100000,1000000").split(",")]
EVERY = 0.25  # seconds between submits


def _import(bundle: Path, dest: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bundle_worker", "import", str(dest),
         str(bundle), str(dest)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _finished(worker: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = worker.communicate()
    assert worker.returncode == 0, err
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def _workstation(folder: Path) -> tuple[Store, str, str]:
    """A workstation with one trainee in a quiz session: (store, trainee id, session id)."""
    shutil.rmtree(folder, ignore_errors=True)
    store = open_store(folder)
    trainee = store.create_trainee("Pat Jones", "BENCH1", "call-handler")
    return store, trainee.id, store.start_session(trainee.id, "mixed")


def _submit(store: Store, trainee: str, session: str, n: int) -> float:
    library, catalogue = real_bank()
    loaded = library.scenarios[n % len(library.scenarios)]
    right = graded_data.right_answer(loaded)
    started = time.perf_counter()
    graded_data.record(store, trainee, session, loaded, right, library, catalogue)
    return time.perf_counter() - started


def _seen(path: Path, workstation: str) -> int:
    """What another window counts of the imported answers (read-only, no lock taken): the rows
    after the workstation's own first answer (a rowid range, not a scan of the whole table)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        [(n,)] = conn.execute(
            "SELECT count(*) FROM answers WHERE seq > (SELECT coalesce(min(seq), 0) FROM answers"
            " WHERE workstation_id = ?1) AND workstation_id <> ?1",
            [workstation],
        ).fetchall()
    return int(n)


def test_submits_while_a_bundle_is_imported(tmp_path: Path) -> None:
    data, bundle = tmp_path / "data", tmp_path / "a.bundle"
    lines = []
    for size in graded_fixture.growing(data, SIZES):
        with open_store(data) as source:
            export_bundle(source, bundle)

        alone_store, trainee, session = _workstation(tmp_path / "alone")
        alone = max(_submit(alone_store, trainee, session, n) for n in range(20))
        alone_store.close()
        quiet = _finished(_import(bundle, tmp_path / "alone"))["seconds"]

        store, trainee, session = _workstation(tmp_path / "busy")
        waits: list[float] = []
        seen: set[int] = set()
        worker = _import(bundle, tmp_path / "busy")
        held = 0  # submits made while the import held the database in one transaction
        while worker.poll() is None:
            held += import_under_way(store.path)
            waits.append(_submit(store, trainee, session, len(waits)))
            seen.add(_seen(tmp_path / "busy" / DB_NAME, store.workstation_id))
            time.sleep(EVERY)
        busy = _finished(worker)["seconds"]
        store.drain_spool()
        assert busy and len(store.session_answers(session)) == len(waits)
        assert seen <= {0, size}, sorted(seen)
        store.close()
        lines.append(
            f"{size:>9,} answers  {len(waits)} submits during the import ({held} while it held "
            f"the database): longest "
            f"{max(waits) * 1000:.0f} ms ({max(waits) / alone:.1f}x the longest with no import, "
            f"{alone * 1000:.0f} ms), median {statistics.median(waits) * 1000:.0f} ms; "
            f"import {busy:.1f} s ({busy / quiet:.2f}x with nobody submitting, {quiet:.1f} s); "
            f"imported answers another window counted: {sorted(seen)}"
        )
        print("\n" + lines[-1], flush=True)
    print("\nsubmit-during-import benchmark:\n" + "\n".join(lines))
