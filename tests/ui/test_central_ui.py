"""The central store in the application: background sync and its status, the central dashboard."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.core.team_data import seed_team
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.sync import configure, waiting
from trainer.core.store.sqlite import Store, open_store
from trainer.ui import central as central_ui
from trainer.ui.context import AppContext
from trainer.ui.dashboard.filter_bar import ALL_DATES
from trainer.ui.dashboard.window import DashboardWindow
from trainer.ui.main_window import MainWindow


def test_the_status_bar_says_when_it_last_synced_and_what_waits(
    qtbot: QtBot, context: AppContext, central_url: str
) -> None:
    seed_team(context.store)
    n = len(context.store.answers())
    configure(context.store, central_url)
    window = MainWindow(context)
    qtbot.addWidget(window)
    label = window.background_sync.label if window.background_sync else None
    assert label is not None and label.text() == f"Last synced never / {n} answer(s) waiting"
    window.background_sync.sync_now()  # type: ignore[union-attr]  # in place: in-memory store
    assert label.text().startswith("Last synced ") and label.text().endswith(
        "/ 0 answer(s) waiting"
    )
    with CentralStore(central_url) as central:
        assert central.query("SELECT count(*) FROM answers") == [(n,)]


def test_an_unreachable_store_only_changes_the_status(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trainer.ui.errors.show_error", lambda *a: pytest.fail(f"dialog: {a}"))
    seed_team(context.store)
    configure(context.store, "postgresql://nobody@127.0.0.1:1/none")
    window = MainWindow(context)
    qtbot.addWidget(window)
    assert window.background_sync is not None
    window.background_sync.sync_now()
    label = window.background_sync.label
    n = len(context.store.answers())
    assert label.text() == f"Not synced: central store unreachable / {n} answer(s) waiting"
    assert "cannot connect" in label.toolTip()
    assert waiting(context.store).answers == n


def test_sync_runs_on_its_own_soon_after_start_then_every_five_minutes(
    qtbot: QtBot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's schedule: a first push 10 s after start (here shortened), then every 5 min."""
    assert (central_ui.FIRST_SYNC_MS, central_ui.SYNC_EVERY_MS) == (10_000, 300_000)
    monkeypatch.setattr(central_ui, "FIRST_SYNC_MS", 50)
    calls: list[int] = []
    monkeypatch.setattr(central_ui.BackgroundSync, "sync_now", lambda self: calls.append(1))
    configure(context.store, "postgresql://nobody@127.0.0.1:1/none")
    window = MainWindow(context)
    qtbot.addWidget(window)
    sync = window.background_sync  # started with the window
    assert sync is not None and calls == []
    assert sync.timer.isActive() and sync.timer.interval() == 300_000
    qtbot.waitUntil(lambda: calls == [1], timeout=2_000)


def test_no_central_store_means_no_sync_status(qtbot: QtBot, context: AppContext) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    assert window.background_sync is not None and window.background_sync.url is None
    assert window.background_sync.label.text() == ""


def test_the_central_dashboard_shows_people_from_every_workstation(
    qtbot: QtBot, context: AppContext, central_url: str, tmp_path: Path
) -> None:
    from trainer.core.store.central.sync import sync

    for n in range(2):  # the same team recorded on two workstations: one set of people centrally
        with open_store(tmp_path / f"ws{n}") as ws:
            seed_team(ws)
            sync(ws, central_url)
    window = central_ui.open_central_dashboard(None, context, central_url)
    assert isinstance(window, DashboardWindow)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    window.filters.period.setCurrentIndex(ALL_DATES)
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert tabs == [
        "&Team",
        "Rules and crime &groups",
        "Tr&ainee",
        "&Scenarios",
        "&HMIC malpractice",
    ]
    assert "central store" in window.windowTitle() and "postgres" in window.windowTitle()
    local = Store.memory()
    seed_team(local)
    model = window.team.model
    names = sorted(model.index(r, 0).data() for r in range(model.rowCount()))
    assert names == sorted(t.name for t in local.trainees())
    assert window.data is not None and window.data.answers == 2 * len(local.answers())
    assert not window.trainee.reset.isVisible()
    window.close()


def test_the_menu_offers_the_central_dashboard(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(central_ui, "ask_url", lambda parent, store: "service=force")
    monkeypatch.setattr(central_ui, "open_central_dashboard", lambda *a: opened.append(a[2]))
    action = window.actions_by_name["central"]
    assert action.isEnabled() and action.text() == "C&entral dashboard…"
    action.trigger()
    assert opened == ["service=force"]


def test_no_sync_round_while_an_import_holds_the_database(
    qtbot: QtBot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its local write would roll the import's one transaction back: the round waits for the
    next (five minutes on)."""
    from tests.core.test_spool import import_holding

    monkeypatch.setattr("trainer.ui.errors.show_error", lambda *a: pytest.fail(f"dialog: {a}"))
    with open_store(tmp_path / "data") as store:
        configure(store, "postgresql://nobody@127.0.0.1:1/none")
        window = MainWindow(dataclasses.replace(context, store=store))
        qtbot.addWidget(window)
        sync = window.background_sync
        assert sync is not None
        with import_holding(tmp_path / "data"):
            sync.sync_now()
            assert not sync.runner.busy and sync.error is None  # not tried
        sync.sync_now()
        sync.wait()
        qtbot.waitUntil(lambda: sync.error is not None, timeout=10_000)  # tried, unreachable
