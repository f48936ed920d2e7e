"""Start-up: the bank loads in the background, bad files are listed, the real bank loads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import BAD_FILE, SCENARIOS
from tests.ui.test_quality import unnamed_controls
from trainer.core import paths
from trainer.core.errors import TrainerError
from trainer.ui import app, main_window
from trainer.ui.bench_hook import SLOW_IMPORTS_MARK
from trainer.ui.loader import BankLoader
from trainer.ui.main_window import MainWindow
from trainer.ui.skipped_files import SkippedFilesDialog


def loaded_window(qtbot: QtBot, tmp_path: Path, scenario_paths: list[Path] | None) -> MainWindow:
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.show()
    assert not window.start_view.create_button.isEnabled()  # nothing to do until the bank is in
    with qtbot.waitSignal(window.context_ready, timeout=20_000):
        window.load(scenario_paths)
    return window


def test_bad_files_are_skipped_and_listed(qtbot: QtBot, tmp_path: Path, bank_dir: Path) -> None:
    window = loaded_window(qtbot, tmp_path, [bank_dir])
    context = window.context
    assert context is not None
    assert len(context.library.scenarios) == len(SCENARIOS)
    assert (tmp_path / "data" / "progress.db").exists()
    assert window.start_view.create_button.isEnabled()
    assert "1 scenario file(s) were skipped" in window.start_view.status.text()
    assert window.actions_by_name["skipped"].isEnabled()
    dialog = SkippedFilesDialog(window, context.library.problems)
    qtbot.addWidget(dialog)
    [problem] = dialog.problems.rows()
    assert problem.path.endswith(BAD_FILE[0]) and problem.field == "yaml"
    assert unnamed_controls(dialog) == []
    window.close()


def test_the_real_bank_loads(qtbot: QtBot, tmp_path: Path) -> None:
    window = loaded_window(qtbot, tmp_path, None)
    context = window.context
    assert context is not None
    bank = sorted(paths.scenarios_dir().rglob("*.yaml"))
    assert len(context.library.scenarios) == len(bank) > 0
    assert context.library.problems == []
    assert window.practice_view is not None
    assert window.practice_view.choices.groups  # crime groups to choose from
    window.close()


def test_a_store_that_cannot_open_is_reported(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = []
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "progress.db").write_bytes(b"this is not a database at all" * 100)
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.load([bank_dir])
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert "progress.db" in shown[0]
    assert window.start_view.status.text().startswith("Cannot start:")
    assert not window.start_view.create_button.isEnabled()


def test_the_loader_thread_has_ended_once_the_window_hears_from_it(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window torn down straight after the loader's last signal must not take a running thread
    with it (Qt aborts the process): the thread has ended by the time the window acts on it."""
    shown: list[str] = []
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))
    loader_run = BankLoader.run

    def lingering_run(self: BankLoader) -> None:  # the thread is still returning after its signal
        loader_run(self)
        time.sleep(0.5)

    monkeypatch.setattr(BankLoader, "run", lingering_run)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "progress.db").write_bytes(b"this is not a database at all" * 100)
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.load([bank_dir])
    loader = window.loader
    assert loader is not None
    try:
        qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
        assert not loader.isRunning()
    finally:
        loader.wait()


def test_run_app_opens_loads_backs_up_and_closes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    backups = tmp_path / "data" / "backups"
    deadline = time.monotonic() + 20

    def close_when_backed_up() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        done = any(backups.glob("progress-*-daily.db"))
        if not done and time.monotonic() < deadline:
            QTimer.singleShot(50, close_when_backed_up)
            return
        for window in windows:
            window.close()  # the last window closed ends run_app
        if not windows:  # quit() posts an event a later test's event loop would receive
            QApplication.quit()

    monkeypatch.setattr(app, "install_excepthook", lambda: None)
    monkeypatch.setattr(main_window, "DAILY_BACKUP_DELAY_MS", 0)
    QTimer.singleShot(50, close_when_backed_up)
    assert app.run_app(tmp_path / "data") == 0
    assert (tmp_path / "data" / "progress.db").exists()
    assert list(backups.glob("progress-*-daily.db"))


def test_the_daily_backup_runs_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []

    def backup(store: object) -> None:
        threads.append(threading.get_ident())
        return None

    monkeypatch.setattr(main_window, "DAILY_BACKUP_DELAY_MS", 0)
    monkeypatch.setattr("trainer.core.store.backups.daily_backup", backup)
    window = loaded_window(qtbot, tmp_path, [bank_dir])
    qtbot.waitUntil(lambda: bool(threads), timeout=10_000)
    assert threads != [threading.get_ident()]
    window.close()


def test_a_failed_daily_backup_is_reported(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def backup(store: object) -> None:
        raise TrainerError("backups: cannot write a backup: disk full")

    monkeypatch.setattr(main_window, "DAILY_BACKUP_DELAY_MS", 0)
    monkeypatch.setattr("trainer.core.store.backups.daily_backup", backup)
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))
    window = loaded_window(qtbot, tmp_path, [bank_dir])
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown == ["backups: cannot write a backup: disk full"]
    window.close()


def test_the_window_reopens_at_the_size_it_was_closed_at(qtbot: QtBot, tmp_path: Path) -> None:
    settings = tmp_path / "data" / app.SETTINGS_NAME
    first = MainWindow(data_dir=tmp_path / "data", settings_file=settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 560)  # within the offscreen test screen (800 x 600)
    qtbot.waitUntil(lambda: first.size().width() == 780)
    first.close()
    assert settings.exists()
    again = MainWindow(data_dir=tmp_path / "data", settings_file=settings)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (780, 560)
    settings.write_bytes(b"\x00 not settings at all \xff")
    damaged = MainWindow(data_dir=tmp_path / "data", settings_file=settings)
    qtbot.addWidget(damaged)
    assert (damaged.width(), damaged.height()) == (1100, 760)  # the default size, no error


def test_a_warm_start_shows_the_first_scenario_without_the_slow_imports(tmp_path: Path) -> None:
    """The real application, started twice: once to write its caches, then as any later start."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", app.BENCH_ENV: "1"}
    command = [sys.executable, "-m", "trainer", "--data-dir", str(tmp_path / "data")]

    def slow_imports() -> list[str]:
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120).stdout
        [line] = [line for line in out.splitlines() if line.startswith(SLOW_IMPORTS_MARK)]
        return line.split()[1:]

    assert slow_imports() == ["pydantic", "sqlite_utils", "yaml"]  # the first start validates
    assert slow_imports() == []


def test_the_bank_hash_is_known_before_the_first_quiz(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiz start asks for the bank's hash: the loading thread has it ready, worked out on the
    first start and read from the cache folder on the next (not worked out on the GUI thread)."""
    from trainer.core.content import bank_hash as module

    monkeypatch.setattr(module, "_last", None)
    first = loaded_window(qtbot, tmp_path, [bank_dir])
    assert first.context is not None
    digest = module.bank_hash(
        (s.scenario for s in first.context.library.scenarios), first.context.catalogue
    )
    assert (tmp_path / "data" / "cache" / "bank-hash.json").exists()
    first.close()
    monkeypatch.setattr(module, "_last", None)  # as in a new process

    def refuse(value: object) -> bytes:
        raise AssertionError("the bank was hashed again")

    monkeypatch.setattr(module, "_canonical", refuse)
    second = loaded_window(qtbot, tmp_path, [bank_dir])
    assert second.context is not None
    library, catalogue = second.context.library, second.context.catalogue
    assert module.bank_hash((s.scenario for s in library.scenarios), catalogue) == digest
