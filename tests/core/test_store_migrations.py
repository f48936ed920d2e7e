"""Schema versions: an older database is backed up and migrated; a newer one is left alone."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.core import store_data
from tests.core.summary_counts import team_counts
from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import ANSWER_COLUMNS, answer_params
from trainer.core.store.backups import list_backups
from trainer.core.store.schema import STEPS, migrations
from trainer.core.store.sqlite import DB_NAME, SCHEMA_STEPS, open_store
from trainer.core.store.versions import applied_steps, schema_version

V1_COLUMNS = ANSWER_COLUMNS.split(", ")[:24]  # the answers' columns in the first schema
INSERT_V1 = f"INSERT INTO answers ({', '.join(V1_COLUMNS)}) VALUES ({', '.join('?' * 24)})"


def _old_database(folder: Path, version: int = 1, findings: str | None = None) -> Path:
    """A database at an old schema version, with a trainee and some answers in it (each with
    `findings` as stored, when given)."""
    path = folder / DB_NAME
    db = Database(path)
    migrations.apply(db, stop_before=STEPS[version])
    ws = db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()[0]
    db.execute(
        "INSERT INTO trainees VALUES ('t1', 'Old Timer', '42', 'officer', "
        "'2026-04-01T09:00:00.000+00:00', ?)",
        [ws],
    )
    db.execute(
        "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, workstation_id)"
        " VALUES ('s1', 't1', 'practice', '2026-04-01T09:00:00.000+00:00', 0, ?)",
        [ws],
    )
    rng = random.Random(2)
    for scenario in store_data.scenarios()[:10]:
        rec = store_data.make_record("t1", "s1", scenario, rng, store_data.START)
        params = answer_params(rec, ws)[:24]
        if findings is not None:
            params = (*params[:14], findings, *params[15:])
        db.execute(INSERT_V1, params)
    db.close()
    return path


def test_a_new_database_gets_every_step(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        assert applied_steps(store.db) == STEPS
        assert schema_version(store.db) == len(STEPS) >= 2
    assert list_backups(tmp_path / DB_NAME) == []  # nothing to back up yet


def test_the_store_knows_every_migration_by_name() -> None:
    assert tuple(STEPS) == SCHEMA_STEPS  # else every start takes the slower, migrating path


def test_a_reopened_database_is_set_up_as_when_it_was_created(tmp_path: Path) -> None:
    pragmas = ("foreign_keys", "recursive_triggers", "synchronous", "journal_mode", "cache_size")

    def settings() -> list[object]:
        with open_store(tmp_path) as store:
            return [store.conn.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]

    assert settings() == settings() == [1, 1, 2, "wal", -32768]


def test_an_older_database_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = _old_database(tmp_path)
    before = path.read_bytes()
    with open_store(tmp_path) as store:
        assert applied_steps(store.db) == STEPS
        [counts] = team_counts(store)  # the new summaries were filled from the old answers
        assert counts.total.attempts == 10
    [backup] = list_backups(path)
    assert "-migration.db" in backup.name
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT count(*) FROM answers").fetchone() == (10,)
    assert [r[0] for r in copy.execute("SELECT name FROM _sqlite_migrations")] == STEPS[:1]
    copy.close()
    assert len(before) > 0


def test_a_database_from_a_newer_trainer_is_refused_untouched(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.create_trainee("Al", "1", "officer")
        store.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('trainer', 'm9999_from_the_future', '2030-01-01')"
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / DB_NAME
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(TrainerError) as caught:
        open_store(tmp_path)
    message = str(caught.value)
    assert str(path) in message and "newer version of the trainer" in message
    assert "m9999_from_the_future" in message and "\n" not in message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert list_backups(path) == []


def test_two_processes_opening_an_old_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    _old_database(tmp_path)
    go_read, go_write = os.pipe()
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                os.read(go_read, 1)
                open_store(tmp_path).close()
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    os.write(go_write, b"go")
    assert [os.waitpid(pid, 0)[1] for pid in children] == [0, 0]
    with open_store(tmp_path) as store:
        assert applied_steps(store.db) == STEPS
        assert len(store.query("SELECT * FROM _sqlite_migrations")) == len(STEPS)
        assert team_counts(store)[0].total.attempts == 10  # summarised once, not twice


def test_an_old_database_opens_while_another_process_writes_to_it(tmp_path: Path) -> None:
    """Switching a rollback-journal file to WAL while another connection holds a write lock fails
    at once in SQLite, busy timeout or not: the opener waits for the writer instead."""
    path = _old_database(tmp_path)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE trainees SET name = 'Old Timer Jr' WHERE id = 't1'")
    finish = threading.Timer(0.3, writer.execute, ["COMMIT"])
    finish.start()
    try:
        with open_store(tmp_path) as store:
            assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert applied_steps(store.db) == STEPS
            assert store.trainees()[0].name == "Old Timer Jr"  # the writer's change, kept
    finally:
        finish.join()
        writer.close()


def test_some_other_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(TrainerError, match="is a SQLite database, but not a trainer progress"):
        open_store(tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_malpractice_answers_are_found_in_the_stored_findings(tmp_path: Path) -> None:
    trap = (
        '[{"kind":"misclassification","rule":"burglary-entry-point-damage","message":"x",'
        '"trap":"downgraded-to-damage","malpractice":true}]'
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _old_database(tmp_path / "a", version=2, findings=trap)
    plain = '[{"kind":"miscount","rule":"one-crime-per-victim","message":"x","trap":"t"}]'
    _old_database(tmp_path / "b", version=2, findings=plain)
    with open_store(tmp_path / "a") as a, open_store(tmp_path / "b") as b:
        assert a.query("SELECT DISTINCT malpractice_trap, bank_hash FROM answers") == [
            ("downgraded-to-damage", None)
        ]
        assert b.query("SELECT DISTINCT malpractice_trap FROM answers") == [(None,)]
