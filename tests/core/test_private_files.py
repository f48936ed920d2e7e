"""What the store creates is readable only by its owner (0700 folders, 0600 files), whatever the
umask; permission and disk problems name the right path and what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store import sqlite
from trainer.core.store.backups import make_backup
from trainer.core.store.sqlite import DB_NAME, open_store

NOBODY = 65534


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask of a desktop session, under which files come out world-readable."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_the_database_its_wal_and_backups_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    with open_store(data) as store:
        store_data.seed(store, trainees=1, answers_each=3)
        backup = make_backup(store)
        wal = data / f"{DB_NAME}-wal"
        shm = data / f"{DB_NAME}-shm"
        assert wal.exists() and shm.exists()
        found = {p.name: mode(p) for p in (data, data / DB_NAME, wal, shm, backup.parent, backup)}
    assert found == {
        "data": "0o700",
        DB_NAME: "0o600",
        f"{DB_NAME}-wal": "0o600",
        f"{DB_NAME}-shm": "0o600",
        "backups": "0o700",
        backup.name: "0o600",
    }


@pytest.mark.usefixtures("open_umask")
def test_a_restored_database_is_private(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as store:
        store_data.seed(store, trainees=1, answers_each=3)
        backup = make_backup(store)
    assert main(["restore", str(backup), "--data-dir", str(tmp_path / "b")]) == 0
    assert mode(tmp_path / "b" / DB_NAME) == "0o600"


def test_an_os_refusal_at_open_names_the_path_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sqlite, "_connect", refuse)
    with pytest.raises(TrainerError) as caught:
        open_store(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / DB_NAME}: cannot be used: permission denied")
    assert "chmod u+rwX" in str(caught.value)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (28, "the disk is full; free some space and try again"),  # ENOSPC
        (30, "the disk is read-only; start the trainer with --data-dir"),  # EROFS
    ],
)
def test_a_full_or_read_only_disk_at_open_is_one_line_naming_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def refuse(path: Path) -> None:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(sqlite, "_connect", refuse)
    with pytest.raises(TrainerError) as caught:
        open_store(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / DB_NAME}: cannot be used: {words}")
    assert "\n" not in message


# As another user account: root reads everything, so the refusals need an ordinary account -------


def _as_other_user(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "trainer", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to run as an ordinary account")
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder the other account owns (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="trainer-perm-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            os.chmod(path, 0o700)
        shutil.rmtree(folder)


def _owned(path: Path) -> None:
    if os.geteuid() == 0:
        for p in (path, *path.rglob("*")):
            os.chown(p, NOBODY, NOBODY)


def test_an_unreadable_data_folder_is_one_line_naming_it(shared_tmp: Path) -> None:
    data = shared_tmp / "data"
    data.mkdir()
    _owned(data)
    os.chmod(data, 0o000)
    run = _as_other_user("trainees", "--data-dir", str(data))
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith(f"trainer: {data}: cannot create or use the data folder: ")
    assert "permission denied" in run.stderr and "chmod u+rwX" in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1


def test_a_read_only_backups_folder_is_named(shared_tmp: Path) -> None:
    data = shared_tmp / "data"
    (data / "backups").mkdir(parents=True)
    with open_store(data) as store:
        store_data.seed(store, trainees=1, answers_each=3)
    _owned(data)
    os.chmod(data / "backups", 0o500)
    run = _as_other_user("backup", "--data-dir", str(data))
    assert run.returncode == 1, run.stdout
    assert run.stderr.startswith(f"trainer: {data / 'backups'}: cannot write a backup: ")
    assert "permission denied" in run.stderr and DB_NAME not in run.stderr
