"""Backups: daily, before migrations and imports, kept to ten; restore; damaged files."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store import backups
from trainer.core.store.backups import (
    KEEP,
    daily_backup,
    is_good,
    list_backups,
    make_backup,
    restore_backup,
)
from trainer.core.store.sqlite import DB_NAME, Store, open_store


def _store_with_answers(folder: Path, answers: int = 5) -> Store:
    store = open_store(folder)
    store_data.seed(store, trainees=1, answers_each=answers)
    return store


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM answers").fetchone()[0])
    finally:
        conn.close()


def test_a_backup_is_a_whole_checked_sqlite_file(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path) as store:
        backup = make_backup(store)
    assert backup.parent == tmp_path / "backups" and backup.name.endswith("-manual.db")
    assert is_good(backup) and _count(backup) == 5
    assert not backup.with_name(backup.name + "-wal").exists()  # one self-contained file
    assert list(backup.parent.glob("*.part")) == []


def test_daily_backup_runs_at_most_once_a_day(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path) as store:
        today = date.today()
        first = daily_backup(store, today)
        assert first is not None and first.name.endswith("-daily.db")
        assert daily_backup(store, today) is None
        assert daily_backup(store, today + timedelta(days=1)) is not None
        assert len(list_backups(store.path or tmp_path)) == 2
    assert daily_backup(Store.memory()) is None


def test_only_the_newest_ten_backups_are_kept(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path) as store:
        made = [make_backup(store) for _ in range(KEEP + 3)]
        kept = list_backups(tmp_path / DB_NAME)
    assert kept == sorted(made[-KEEP:], reverse=True)
    assert all(not p.exists() for p in made[:3])


def test_restore_replaces_a_healthy_database_after_backing_it_up(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path) as store:
        saved = make_backup(store)
        store_data.seed(store, trainees=1, answers_each=7, seed_=9)
        assert len(store.answers()) == 12
    safety = restore_backup(saved, tmp_path).safety
    assert safety is not None and _count(safety) == 12
    with open_store(tmp_path) as store:
        assert len(store.answers()) == 5
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(
    "damage",
    [
        b"this is a spreadsheet, not a database" * 10,
        b"",  # emptied
        b"SQLite format 3\x00" + b"\xff" * 50,  # cut short
    ],
)
def test_a_damaged_database_names_the_newest_good_backup(
    tmp_path: Path, damage: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    with _store_with_answers(tmp_path) as store:
        older = make_backup(store)
        newest = make_backup(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    newest.write_bytes(b"junk")  # a bad backup is skipped
    path = tmp_path / DB_NAME
    path.write_bytes(damage)
    for name in (DB_NAME + "-wal", DB_NAME + "-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(TrainerError) as caught:
        open_store(tmp_path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert f"the newest good backup is {older}" in message
    assert f"trainer restore {older}" in message
    assert path.read_bytes() == damage  # never replaced by a new empty database

    assert main(["--data-dir", str(tmp_path), "export", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and str(older) in err

    assert main(["restore", str(older), "--data-dir", str(tmp_path)]) == 0
    with open_store(tmp_path) as store:
        assert len(store.answers()) == 5
    assert list(tmp_path.glob(f"{DB_NAME}.damaged-*"))  # kept aside, not deleted


def test_corruption_found_later_is_one_line_too(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path, answers=400) as store:
        good = make_backup(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 9] = b"\x07" * (4096 * 6)  # smash pages behind the schema
    path.write_bytes(bytes(data))
    # Opening may notice already, or the first read does.
    with pytest.raises(TrainerError) as caught, open_store(tmp_path) as store:
        store.answers()
    assert str(good) in str(caught.value) and "damaged" in str(caught.value)


def test_backups_of_a_damaged_database_are_refused(tmp_path: Path) -> None:
    with _store_with_answers(tmp_path, answers=400) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 9] = b"\x07" * (4096 * 6)
    path.write_bytes(bytes(data))
    with pytest.raises(TrainerError, match="damaged"), open_store(tmp_path) as store:
        make_backup(store)
    assert list_backups(path) == []


@pytest.mark.parametrize("content", [b"not sqlite at all", None])
def test_restore_refuses_what_is_not_a_trainer_backup(
    tmp_path: Path, content: bytes | None
) -> None:
    source = tmp_path / "other.db"
    if content is None:
        conn = sqlite3.connect(source)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    else:
        source.write_bytes(content)
    with pytest.raises(TrainerError, match=f"{source}: is not"):
        restore_backup(source, tmp_path / "data")
    assert not (tmp_path / "data" / DB_NAME).exists()


def test_restore_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrainerError, match="no such file"):
        restore_backup(tmp_path / "gone.db", tmp_path)


def test_backup_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_with_answers(tmp_path).close()
    assert main(["backup", "--data-dir", str(tmp_path)]) == 0
    [backup] = list_backups(tmp_path / DB_NAME)
    assert str(backup) in capsys.readouterr().out
    assert backups.backup_time(backup) is not None
