"""A damaged database is refused at open with the newest good backup named; `restore` says which
answers only the damaged file held and writes them to a CSV file; killed backups leave nothing."""

from __future__ import annotations

import csv
import fcntl
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store.backups import backups_folder, clean_leftovers, make_backup
from trainer.core.store.sqlite import DB_NAME, open_store


def _station(folder: Path) -> tuple[Path, set[str]]:
    """A database with a good backup, then answers given after it; returns the backup and the
    ids of the answers only the database holds."""
    with open_store(folder) as store:
        store_data.seed(store, trainees=3, answers_each=100, seed_=3)
        backup = make_backup(store)
        before = {a.id for a in store.answers()}
        store_data.seed(store, trainees=1, answers_each=40, seed_=4)
        after = {a.id for a in store.answers()} - before
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return backup, after


def _scribble(db: Path, seed: int = 1, size: int = 512) -> None:
    """Random bytes written into the middle of the file, as a failing disk or a stray tool might."""
    rng = random.Random(seed)
    length = db.stat().st_size
    with db.open("r+b") as f:
        f.seek(length // 2 - 2048)
        f.write(rng.randbytes(size))


def test_random_bytes_in_the_middle_are_refused_at_open(tmp_path: Path) -> None:
    backup, _ = _station(tmp_path)
    _scribble(tmp_path / DB_NAME)
    with pytest.raises(TrainerError) as caught:
        open_store(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / DB_NAME}: is damaged (quick_check: ")
    assert f"restore it with: trainer restore {backup}" in message
    assert "\n" not in message


def test_no_answer_is_written_into_a_damaged_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _station(tmp_path)
    _scribble(tmp_path / DB_NAME)
    before = (tmp_path / DB_NAME).read_bytes()
    assert main(["trainees", "--data-dir", str(tmp_path)]) == 1
    assert "is damaged" in capsys.readouterr().err
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_restore_names_and_exports_the_answers_only_the_damaged_file_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup, only_here = _station(tmp_path)
    _scribble(tmp_path / DB_NAME, size=256)
    assert main(["restore", str(backup), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    [listed] = [line for line in out.splitlines() if "existed only in the damaged" in line]
    csv_name = listed.rsplit(" written to ", 1)[1].rstrip(":")
    with open(csv_name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    salvaged = {r["id"] for r in rows}
    assert salvaged <= only_here and len(salvaged) >= len(only_here) - 20  # a damaged page's worth
    assert f"{len(salvaged)} answer(s) existed only in the damaged database" in listed
    assert all(f"  {r['answered_at']}  Trainee 0  {r['scenario_id']}  {r['id']}" in out
               for r in rows[:20])  # fmt: skip
    assert oct(os.stat(csv_name).st_mode & 0o777) == "0o600"
    assert list(tmp_path.glob(f"{DB_NAME}.damaged-*")) != []  # moved aside, never deleted
    with open_store(tmp_path) as store:
        assert not only_here & {a.id for a in store.answers()}


def test_a_killed_backup_leaves_nothing_at_the_next_start(tmp_path: Path) -> None:
    _station(tmp_path)
    folder = backups_folder(tmp_path / DB_NAME)
    left = [folder / "progress-20261201T000000.000000Z-daily.db.part",
            folder / "progress-20261201T000000.000000Z-daily.db.part-journal",
            folder / "progress-20261130T000000.000000Z-import.db.part-journal"]  # fmt: skip
    for path in left:
        path.write_bytes(b"\0" * 100_000)
    busy = folder / "progress-20261202T000000.000000Z-manual.db.part"  # another process's
    busy.write_bytes(b"")
    fd = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open_store(tmp_path):
            pass
        assert [p for p in left if p.exists()] == [] and busy.exists()
    finally:
        os.close(fd)
    assert clean_leftovers(tmp_path / DB_NAME) == [busy]


def test_before_the_verdict_a_quiz_keeps_its_bookkeeping_but_no_answer_is_written(
    tmp_path: Path,
) -> None:
    from trainer.core.practice.schedule import update_schedules
    from trainer.core.store.integrity import IntegrityGate
    from trainer.core.store.sqlite import Store

    with open_store(tmp_path) as ready:
        trainee = ready.create_trainee("Alex Morgan", "CH1001", "call-handler")
        update_schedules(ready)
    with open_store(tmp_path) as opened:
        gate = IntegrityGate(done=False)  # a check still running
        store = Store(opened.conn, opened.path, gate)
        hanging = threading.Timer(5.0, gate.finish, [None])  # a wait fails the test, not hangs
        hanging.start()
        session = store.start_session(trainee.id, "topic")
        store.save_unfinished(trainee.id, session, "{}")
        assert update_schedules(store) == 0  # nothing new: nothing written, nothing waited for
        hanging.cancel()
        assert not gate.done
        answer = store_data.make_record(
            trainee.id, session, store_data.scenarios(1)[0], random.Random(1), datetime.now(UTC)
        )
        refused = threading.Timer(0.2, gate.finish, ["progress.db: is damaged (test)"])
        refused.start()
        with pytest.raises(TrainerError, match="is damaged"):
            store.record_answer(answer)  # waits for the verdict, then refuses
        refused.join()
        assert store.answers() == []
        with pytest.raises(TrainerError, match="is damaged"):  # the damage is known now
            store.save_unfinished(trainee.id, session, "{}")


@pytest.mark.skipif(sys.platform != "linux", reason="the check runs at idle priority on Linux")
def test_a_write_does_not_wait_for_a_check_starved_at_idle_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    with open_store(tmp_path) as ready:
        ready.create_trainee("Alex Morgan", "CH1001", "call-handler")
    starved = threading.Event()
    demoted: list[int] = []

    def starve(tid: int, policy: int, param: object) -> None:
        demoted.append(policy)
        starved.wait(10.0)  # a thread at idle priority that other work keeps off the processor

    monkeypatch.setattr(os, "sched_setscheduler", starve)
    try:
        with open_store(tmp_path, check="background") as store:
            began = time.monotonic()
            store.create_trainee("Sam Patel", "CH1002", "officer")  # waits for the verdict
            assert time.monotonic() - began < 5.0  # from a check at normal priority
            assert store.integrity.done and store.integrity.problem is None
            assert demoted == [os.SCHED_IDLE]  # only the first check was put at idle priority
    finally:
        starved.set()
