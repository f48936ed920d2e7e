"""Start-up problems with the data folder show one line in the window, never a stuck start screen;
window.ini is readable only by its owner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from trainer.core.errors import TrainerError
from trainer.core.store import sqlite
from trainer.ui import app
from trainer.ui.main_window import MainWindow


def test_a_permission_problem_at_open_shows_one_line_in_the_window(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))

    def refuse(path: Path) -> None:  # what `chmod 000` on the data folder gives an ordinary account
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sqlite, "_connect", refuse)
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.load([bank_dir])
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    db = tmp_path / "data" / "progress.db"
    assert shown == [f"{db}: cannot be used: permission denied; " + shown[0].split("; ", 1)[1]]
    status = window.start_view.status.text()
    assert status.startswith(f"Cannot start: {db}: cannot be used: permission denied")
    assert "\n" not in status and not window.start_view.create_button.isEnabled()


def test_window_ini_is_readable_only_by_its_owner(qtbot: QtBot, tmp_path: Path) -> None:
    settings = tmp_path / app.SETTINGS_NAME
    old = os.umask(0o022)
    try:
        window = MainWindow(data_dir=tmp_path, settings_file=settings)
        qtbot.addWidget(window)
        window.show()
        window.close()
    finally:
        os.umask(old)
    assert oct(settings.stat().st_mode & 0o777) == "0o600"


def test_a_damaged_database_found_after_the_first_screen_stops_all_writing(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.test_damaged_database import _scribble, _station

    shown: list[str] = []
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda parent, msg: shown.append(msg))
    backup, _ = _station(tmp_path / "data")
    _scribble(tmp_path / "data" / "progress.db")
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    window.load([bank_dir])
    # The verdict is emitted from the checking thread; the window acts on it in the GUI thread,
    # so wait for what the window does, not for the signal (that can come first).
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert shown[0].startswith(f"{tmp_path / 'data' / 'progress.db'}: is damaged")
    assert f"trainer restore {backup}" in shown[0]
    assert window.start_view.status.text().startswith("Cannot go on: ")
    assert not window.start_view.create_button.isEnabled()
    assert window.context is not None
    with pytest.raises(TrainerError, match="is damaged"):
        window.context.store.create_trainee("New Trainee", "S9", "officer")


def test_a_hostile_scenario_file_is_skipped_and_the_bank_loads(
    qtbot: QtBot, tmp_path: Path, bank_dir: Path
) -> None:
    from tests.core.test_hostile_scenarios import HOSTILE

    for name in ("laughs.yaml", "deep.yaml", "digits.yaml", "date.yaml"):
        (bank_dir / name).write_text(HOSTILE[name][0], encoding="utf-8")
    window = MainWindow(data_dir=tmp_path / "data")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.context_ready, timeout=20_000):
        window.load([bank_dir])
    assert window.context is not None
    skipped = {Path(p).name for p in window.context.library.skipped_files}
    assert {"laughs.yaml", "deep.yaml", "digits.yaml", "date.yaml"} <= skipped
    assert window.context.library.scenarios  # the rest of the bank loaded
    assert window.start_view.create_button.isEnabled()
    window.close()
