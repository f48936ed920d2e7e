"""The dashboard window: access (first run, sign-in every time, back-off), filters, reset, export
and import, keyboard and accessibility."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.core import graded_data
from tests.core.conftest import real_bank
from tests.core.team_data import START, seed_team
from tests.ui.test_quality import unnamed_controls
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library
from trainer.core.store import accounts
from trainer.core.store.bundles import export_bundle, store_key
from trainer.core.store.keys import fingerprint
from trainer.core.store.sqlite import Store, open_store
from trainer.ui.context import AppContext
from trainer.ui.dashboard import open_dashboard
from trainer.ui.dashboard import window as window_module
from trainer.ui.dashboard.dialogs import (
    AccountDialog,
    ConfirmResetDialog,
    NoSupervisorNotice,
    SignInDialog,
)
from trainer.ui.dashboard.export_view import OpenBundleDialog, SaveFileDialog, TrustKeyDialog
from trainer.ui.dashboard.filter_bar import ALL_DATES, CUSTOM
from trainer.ui.dashboard.tables import SortableTableModel
from trainer.ui.dashboard.window import MIN_SIZE, DashboardWindow, Figures

PASSWORD = "kettle on at six"


@pytest.fixture
def dash_context(store: Store, catalogue: Catalogue, tmp_path: Path) -> AppContext:
    return AppContext(store=store, catalogue=catalogue, data_dir=tmp_path, library=Library())


def make_dashboard(qtbot: QtBot, context: AppContext) -> DashboardWindow:
    seed_team(context.store)
    accounts.create_supervisor(context.store, "sgt.price", PASSWORD)
    window = DashboardWindow(context, "sgt.price")
    qtbot.add_widget(window)
    window.show()
    settle(qtbot, window)
    window.filters.period.setCurrentIndex(ALL_DATES)  # the team's answers are from March 2026
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: DashboardWindow) -> None:
    """Wait for a refresh's figures (loaded on a thread of their own over a database on disk)."""
    qtbot.waitUntil(lambda: not window.loading, timeout=10_000)


@pytest.fixture
def dashboard(qtbot: QtBot, dash_context: AppContext) -> DashboardWindow:
    return make_dashboard(qtbot, dash_context)


@pytest.fixture
def file_dashboard(qtbot: QtBot, catalogue: Catalogue, tmp_path: Path) -> Iterator[DashboardWindow]:
    """Over a database on disk: exports and imports run on a thread and connection of their own."""
    with open_store(tmp_path / "data") as store:
        context = AppContext(store, catalogue, tmp_path / "data", Library())
        window = make_dashboard(qtbot, context)
        yield window  # closing the window (pytest-qt does) waits for a running job


def team_of(window: DashboardWindow) -> dict[str, str]:
    return {t.name: t.id for t in window.context.store.trainees()}


def team_names(window: DashboardWindow) -> list[str]:
    model = window.team.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


# Access ------------------------------------------------------------------------------------------


def opened(parent: QWidget) -> list[DashboardWindow]:
    return parent.findChildren(DashboardWindow)


def test_without_accounts_it_says_how_to_make_one(qtbot, dash_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Whoever opens the dashboard first (a trainee, say) cannot make themselves its supervisor."""
    parent = QWidget()
    qtbot.add_widget(parent)
    shown: list[str] = []
    monkeypatch.setattr(NoSupervisorNotice, "show", staticmethod(lambda p, c: shown.append(c)))
    monkeypatch.setattr(AccountDialog, "ask", classmethod(lambda *a: pytest.fail("no account")))
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda *a: pytest.fail("no sign-in")))
    open_dashboard(parent, dash_context)
    assert opened(parent) == [] and not accounts.has_supervisors(dash_context.store)
    assert shown == [f'trainer supervisors add USERNAME --data-dir "{dash_context.data_dir}"']
    assert "trainer supervisors add USERNAME" in NoSupervisorNotice.text(shown[0])
    monkeypatch.setenv("TRAINER_DATA_DIR", str(dash_context.data_dir))
    open_dashboard(parent, dash_context)
    assert shown[1] == "trainer supervisors add USERNAME"  # the default folder needs no option


def test_sign_in_is_asked_for_every_time(qtbot, dash_context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    accounts.create_supervisor(dash_context.store, "sgt.price", PASSWORD)
    parent = QWidget()
    qtbot.add_widget(parent)
    answers = iter([None, "sgt.price", "sgt.price"])
    calls: list[Store] = []

    def sign_in(cls, parent_, store):  # type: ignore[no-untyped-def]
        calls.append(store)
        return next(answers)

    monkeypatch.setattr(SignInDialog, "ask", classmethod(sign_in))
    open_dashboard(parent, dash_context)
    assert opened(parent) == []  # cancelled: a trainee cannot get in
    open_dashboard(parent, dash_context)
    open_dashboard(parent, dash_context)
    assert len(calls) == 3 and len(opened(parent)) == 2


def test_account_dialog_checks_the_passwords(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    dialog = AccountDialog(store)
    qtbot.add_widget(dialog)
    dialog.username.setText("insp.khan")
    dialog.password.setText(PASSWORD)
    dialog.again.setText("something else")
    dialog.ok.click()
    assert "differ" in dialog.message.text() and not accounts.has_supervisors(store)
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.ok.click()
    assert dialog.message.text() == "The password must be at least 10 characters."
    assert not accounts.has_supervisors(store)
    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD)
    dialog.ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.created == "insp.khan"
    assert accounts.sign_in(store, "insp.khan", PASSWORD).ok
    stored = store.query("SELECT password_hash FROM supervisors")[0][0]
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_sign_in_backs_off_after_failures_and_logs_them(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    accounts.create_supervisor(store, "sgt.price", PASSWORD)
    dialog = SignInDialog(store)
    qtbot.add_widget(dialog)
    dialog.username.setText("sgt.price")
    for _ in range(accounts.FREE_TRIES - 1):
        dialog.password.setText("wrong guess")
        dialog.ok.click()
        assert dialog.ok.isEnabled()  # the first tries are free
    dialog.password.setText("wrong guess")
    dialog.ok.click()
    assert not dialog.ok.isEnabled() and dialog.wait_left >= 1
    assert dialog.ok.text().startswith("Sign in (")
    assert "Wrong username or password" in dialog.message.text()
    dialog.password.setText(PASSWORD)
    dialog.submit()  # pressing Enter during the wait does nothing
    assert dialog.signed_in is None
    failures = accounts.failed_sign_ins(store)
    assert len(failures) == accounts.FREE_TRIES
    assert {f.username for f in failures} == {"sgt.price"}
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=5000)
    dialog.password.setText(PASSWORD)
    dialog.ok.click()
    assert dialog.signed_in == "sgt.price"
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_main_window_menu_opens_the_dashboard(window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    accounts.create_supervisor(window.context.store, "sgt.price", PASSWORD)
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda cls, parent, store: "sgt.price"))
    window.actions_by_name["dashboard"].trigger()
    [dashboard] = opened(window)
    assert dashboard.isWindow() and dashboard.isVisible()
    dashboard.close()


# The window ------------------------------------------------------------------------------------


def test_every_model_passes_the_model_tester(dashboard, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    dashboard.rules.select_bar(0)
    models = dashboard.findChildren(SortableTableModel)
    assert len(models) >= 7
    for model in models:
        qtmodeltester.check(model)
    qtmodeltester.check(dashboard.team.model)
    qtmodeltester.check(dashboard.items.model)
    qtmodeltester.check(dashboard.rules.answers.model)


def test_filters_reach_every_tab(dashboard) -> None:  # type: ignore[no-untyped-def]
    assert team_names(dashboard) == ["Alice Archer", "Bob Baker", "Carol Cole"]
    dashboard.filters.role.setCurrentIndex(dashboard.filters.role.findData("officer"))
    assert team_names(dashboard) == ["Bob Baker", "Carol Cole"]
    assert "Bob Baker" in dashboard.trainee.trainee.currentText()
    bars = dashboard.rules.bar_proxy
    kinds = {bars.index(r, 0).data(): bars.index(r, 1).data() for r in range(bars.rowCount())}
    assert kinds["Under-recording"] == "2" and kinds["Miscount"] == "0"  # Bob's only
    assert "Officers" in dashboard.export.filter_text.text()
    assert "40 answer(s) from 2 trainee(s)" in dashboard.export.filter_text.text()
    dashboard.filters.topic.setCurrentIndex(dashboard.filters.topic.findData("burglary"))
    row = dashboard.team.model.index(0, 0)
    assert row.data() == "Bob Baker"
    assert dashboard.team.model.index(0, 3).data() == "0"  # no burglary answers


def test_the_topic_filter_offers_plain_names(qtbot, dashboard) -> None:  # type: ignore[no-untyped-def]
    topic = dashboard.filters.topic
    at = topic.findData("cancellation")
    assert topic.itemText(at) == "Cancelling a recorded crime"
    names = [topic.itemText(i) for i in range(1, topic.count())]
    assert names == sorted(names, key=str.casefold)
    topic.setCurrentIndex(at)
    settle(qtbot, dashboard)
    assert "topic Cancelling a recorded crime" in dashboard.statusBar().currentMessage()


def test_date_range_filter_recomputes_the_figures(dashboard) -> None:  # type: ignore[no-untyped-def]
    bar = dashboard.filters
    first = START.astimezone().date()
    bar.since.setDate(first)
    bar.until.setDate(date.fromordinal(first.toordinal() + 2))  # Alice: 3 answers, all right
    bar.period.setCurrentIndex(CUSTOM)
    alice = dashboard.team.model.index(0, 0)
    assert alice.data() == "Alice Archer"
    assert dashboard.team.model.index(0, 5).data() == "100.0% (3/3)"


def test_the_greyed_dates_show_the_chosen_periods_range(dashboard) -> None:  # type: ignore[no-untyped-def]
    bar = dashboard.filters
    bar.period.setCurrentIndex(bar.period.findText("Last 7 days"))
    today = date.today()
    assert not bar.since.isEnabled()
    assert bar.until.date().toPython() == today
    assert (today - bar.since.date().toPython()).days == 6
    assert bar.current(today).since == bar.since.date().toPython()


def test_all_dates_shows_no_first_day_and_custom_then_starts_a_month_back(dashboard) -> None:  # type: ignore[no-untyped-def]
    bar = dashboard.filters
    bar.period.setCurrentIndex(bar.period.findText("Last 90 days"))
    bar.period.setCurrentIndex(ALL_DATES)
    today = date.today()
    assert bar.since.text() == "the first answer" and not bar.since.isEnabled()
    assert bar.until.date().toPython() == today
    assert bar.current(today).since is None
    bar.period.setCurrentIndex(CUSTOM)
    assert bar.since.isEnabled() and (today - bar.since.date().toPython()).days == 29
    assert bar.current(today).since == today - timedelta(days=29)


def test_double_click_opens_the_trainee_tab(dashboard) -> None:  # type: ignore[no-untyped-def]
    dashboard.team.table.activated.emit(dashboard.team.model.index(1, 0))
    assert dashboard.tabs.currentWidget() is dashboard.trainee
    assert dashboard.trainee.trainee_id() == team_of(dashboard)["Bob Baker"]


def test_reset_profile(dashboard, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ConfirmResetDialog, "ask", classmethod(lambda cls, parent, name: True))
    alice = team_of(dashboard)["Alice Archer"]
    dashboard.trainee.choose(alice)
    dashboard.trainee.reset.click()
    assert dashboard.context.store.answers(trainee_id=alice) == []
    row = dashboard.team.model.index(0, 0)
    assert row.data() == "Alice Archer"
    assert dashboard.team.model.index(0, 3).data() == "0"
    reset_by = dashboard.context.store.query("SELECT reset_by FROM trainee_resets")
    assert reset_by == [("sgt.price",)]


def test_reset_needs_confirmation(dashboard, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ConfirmResetDialog, "ask", classmethod(lambda cls, parent, name: None))
    alice = team_of(dashboard)["Alice Archer"]
    dashboard.trainee.choose(alice)
    dashboard.trainee.reset.click()
    assert len(dashboard.context.store.answers(trainee_id=alice)) == 15


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export_writes_the_filtered_rows(qtbot, file_dashboard, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    file_dashboard.filters.role.setCurrentIndex(file_dashboard.filters.role.findData("officer"))
    settle(qtbot, file_dashboard)
    target = tmp_path / "officers.csv"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: target))
    with qtbot.wait_signal(file_dashboard.export.runner.finished, timeout=10_000):
        file_dashboard.export.answers_button.click()
    rows = read_csv(target)
    assert len(rows) == 40 and {r["trainee"] for r in rows} == {"Bob Baker"}
    assert {r["role"] for r in rows} == {"officer"}
    assert "Wrote 40 answer row(s)" in file_dashboard.export.status.text()
    assert file_dashboard.export.answers_button.isEnabled()

    summary = tmp_path / "summary.csv"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: summary))
    with qtbot.wait_signal(file_dashboard.export.runner.finished, timeout=10_000):
        file_dashboard.export.summary_button.click()
    rows = read_csv(summary)
    assert [r["trainee"] for r in rows] == ["Bob Baker", "Carol Cole"]
    assert rows[0]["recording rate %"] == "95.0" and rows[0]["attempts"] == "40"


def test_export_follows_a_filter_chosen_while_figures_load(
    qtbot, file_dashboard, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settle(qtbot, file_dashboard)
    file_dashboard.filters.role.setCurrentIndex(file_dashboard.filters.role.findData("officer"))
    assert "Officers" in file_dashboard.export.filter_text.text()  # before its figures are in
    assert "Counting its answers" in file_dashboard.export.filter_text.text()
    target = tmp_path / "officers.csv"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: target))
    with qtbot.wait_signal(file_dashboard.export.runner.finished, timeout=10_000):
        file_dashboard.export.answers_button.click()  # at once, not waiting for the refresh
    assert {r["role"] for r in read_csv(target)} == {"officer"}
    settle(qtbot, file_dashboard)
    assert "40 answer(s) from 2 trainee(s)" in file_dashboard.export.filter_text.text()


def test_export_follows_the_topic_and_dates(qtbot, file_dashboard, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    file_dashboard.filters.topic.setCurrentIndex(file_dashboard.filters.topic.findData("theft"))
    settle(qtbot, file_dashboard)
    target = tmp_path / "theft.csv"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: target))
    with qtbot.wait_signal(file_dashboard.export.runner.finished, timeout=10_000):
        file_dashboard.export.answers_button.click()
    assert [r["scenario id"] for r in read_csv(target)] == ["lost-property-12", "lost-property-13"]


def test_export_failure_is_reported(qtbot, file_dashboard, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "missing-folder" / "x.csv"
    monkeypatch.setattr(SaveFileDialog, "ask", classmethod(lambda cls, *a: target))
    with qtbot.wait_signal(file_dashboard.export.runner.failed, timeout=10_000):
        file_dashboard.export.answers_button.click()
    assert file_dashboard.export.status.text().startswith("Not done:")
    assert file_dashboard.export.answers_button.isEnabled()


def test_import_a_bundle_from_another_workstation(
    qtbot, file_dashboard, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    library, catalogue = real_bank()
    with open_store(tmp_path / "other") as other:
        dana = other.create_trainee("Dana Dyer", "CH777", "call-handler")
        session = other.start_session(dana.id, "practice")
        for loaded in library.scenarios[:4]:
            answer = graded_data.right_answer(loaded)
            graded_data.record(other, dana.id, session, loaded, answer, library, catalogue)
        bundle = tmp_path / "other.json"
        export_bundle(other, bundle)
        printed = fingerprint(store_key(other).public)
    file_dashboard.context.library = library  # answers are graded again by this bank
    monkeypatch.setattr(OpenBundleDialog, "ask", classmethod(lambda cls, *a: bundle))
    shown: list[str | None] = []

    def refuse(cls, parent, fingerprint, workstation_id):  # type: ignore[no-untyped-def]
        shown.append(fingerprint)
        return None

    monkeypatch.setattr(TrustKeyDialog, "ask", classmethod(refuse))
    file_dashboard.export.import_button.click()  # an unknown key: the supervisor is asked
    assert shown == [printed]
    assert f"Not imported: the key {printed} was refused" in file_dashboard.export.status.text()
    assert "Dana Dyer" not in team_of(file_dashboard)
    monkeypatch.setattr(TrustKeyDialog, "ask", classmethod(lambda cls, *a: True))
    with qtbot.wait_signal(file_dashboard.export.imported, timeout=10_000):
        file_dashboard.export.import_button.click()
    settle(qtbot, file_dashboard)
    assert "Dana Dyer" in team_names(file_dashboard)
    assert "Imported 4 answer(s)" in file_dashboard.export.status.text()
    assert f"the workstation key {printed} is now trusted" in file_dashboard.export.status.text()
    store = file_dashboard.context.store
    trusted = store.query("SELECT fingerprint, accepted_by FROM trusted_keys")
    assert trusted == [(printed, f"supervisor {file_dashboard.supervisor}")]
    monkeypatch.setattr(TrustKeyDialog, "ask", classmethod(refuse))  # trusted: not asked again
    with qtbot.wait_signal(file_dashboard.export.imported, timeout=10_000):
        file_dashboard.export.import_button.click()
    assert shown == [printed]


def test_refresh_loads_off_the_gui_thread(qtbot, file_dashboard, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    threads: list[threading.Thread] = []
    real = window_module.load_figures

    def spy(*args):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(window_module, "load_figures", spy)
    role = file_dashboard.filters.role
    with qtbot.wait_signal(file_dashboard.loader.loaded, timeout=10_000) as blocker:
        role.setCurrentIndex(role.findData("call-handler"))  # superseded by the next refresh
        role.setCurrentIndex(role.findData("officer"))
        assert file_dashboard.loading and not file_dashboard.refresh_button.isEnabled()
        assert file_dashboard.statusBar().currentMessage() == window_module.LOADING
    assert isinstance(blocker.args[0], Figures) and blocker.args[0].data.filter.role == "officer"
    assert blocker.args[0].data.filter.since is None  # all dates, as the fixture chose
    settle(qtbot, file_dashboard)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert team_names(file_dashboard) == ["Bob Baker", "Carol Cole"]
    assert file_dashboard.data is not None and file_dashboard.data.filter.role == "officer"
    assert file_dashboard.refresh_button.isEnabled()
    assert "Officers" in file_dashboard.statusBar().currentMessage()


# Keyboard, accessibility, size -------------------------------------------------------------------


def test_every_control_is_named(dashboard) -> None:  # type: ignore[no-untyped-def]
    assert unnamed_controls(dashboard) == []


def mnemonics(widgets: list[QWidget]) -> list[str]:
    keys = []
    for w in widgets:
        text = w.text() if isinstance(w, QAbstractButton | QLabel) else ""
        if "&" in text.replace("&&", ""):
            keys.append(text[text.index("&") + 1].lower())
    return keys


def test_access_keys_do_not_clash_on_any_tab(dashboard, qtbot) -> None:  # type: ignore[no-untyped-def]
    tabs: QTabWidget = dashboard.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        visible = [w for w in dashboard.findChildren(QWidget) if w.isVisible()]
        tab_keys = [
            tabs.tabText(j)[tabs.tabText(j).index("&") + 1].lower() for j in range(tabs.count())
        ]
        keys = mnemonics(visible) + tab_keys
        inner = tabs.currentWidget().findChildren(QTabWidget)
        for t in inner:
            keys += [t.tabText(j)[t.tabText(j).index("&") + 1].lower() for j in range(t.count())]
        assert len(keys) == len(set(keys)), f"{tabs.tabText(i)}: {sorted(keys)}"


def test_fits_the_smallest_window(dashboard) -> None:  # type: ignore[no-untyped-def]
    dashboard.resize(*MIN_SIZE)
    assert dashboard.minimumSizeHint().width() <= MIN_SIZE[0]
    assert dashboard.minimumSizeHint().height() <= MIN_SIZE[1]
    assert (dashboard.width(), dashboard.height()) == MIN_SIZE


def test_keyboard_reaches_the_tabs_and_refresh(dashboard) -> None:  # type: ignore[no-untyped-def]
    shortcuts = {a.text(): a.shortcut() for a in dashboard.actions()}
    assert "Refresh" in shortcuts and not shortcuts["Refresh"].isEmpty()
    assert dashboard.tabs.focusPolicy() != Qt.FocusPolicy.NoFocus
    for view in (dashboard.team.table, dashboard.rules.bar_table, dashboard.items.table):
        assert view.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_an_unsigned_bundle_is_imported_only_if_the_supervisor_vouches(
    qtbot, file_dashboard, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tests.core.bundle_v1 import write_v1

    library, catalogue = real_bank()
    with open_store(tmp_path / "other") as other:
        dana = other.create_trainee("Dana Dyer", "CH777", "call-handler")
        session = other.start_session(dana.id, "practice")
        loaded = library.scenarios[0]
        answer = graded_data.right_answer(loaded)
        graded_data.record(other, dana.id, session, loaded, answer, library, catalogue)
        bundle = tmp_path / "old.json"
        write_v1(other, bundle)
    file_dashboard.context.library = library
    monkeypatch.setattr(OpenBundleDialog, "ask", classmethod(lambda cls, *a: bundle))
    asked: list[str | None] = []
    monkeypatch.setattr(
        TrustKeyDialog, "ask", classmethod(lambda cls, parent, fp, ws: asked.append(fp))
    )
    file_dashboard.export.import_button.click()
    assert asked == [None]  # no key to show: the supervisor is told it is unsigned
    assert "the unsigned bundle was refused" in file_dashboard.export.status.text()
    assert "Dana Dyer" not in team_of(file_dashboard)
    monkeypatch.setattr(TrustKeyDialog, "ask", classmethod(lambda cls, *a: True))
    with qtbot.wait_signal(file_dashboard.export.imported, timeout=10_000):
        file_dashboard.export.import_button.click()
    assert "Imported 1 answer(s)" in file_dashboard.export.status.text()


def test_the_first_reading_waits_for_the_window_on_screen(qtbot, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Its first layout and paint are the GUI thread's heaviest work: a loading thread beside
    them only slowed them down. A window never shown still reads its figures."""
    with open_store(tmp_path / "data") as store:
        seed_team(store)
        context = AppContext(store, catalogue, tmp_path / "data", Library())
        shown = DashboardWindow(context, "sgt.price")
        qtbot.add_widget(shown)
        assert shown.loading and not shown.loader.busy and shown.data is None
        shown.show()
        qtbot.waitExposed(shown)
        settle(qtbot, shown)
        assert shown.data is not None and len(shown.data.trainees) == 3
        hidden = DashboardWindow(context, "sgt.price")
        qtbot.add_widget(hidden)
        settle(qtbot, hidden)
        assert hidden.data is not None and not hidden.isVisible()
        shown.close()
        hidden.close()


def test_an_import_under_way_in_steps_is_named_on_the_status_line(qtbot, dashboard) -> None:  # type: ignore[no-untyped-def]
    """An import that yielded to another writer goes in in steps, each visible as it lands: the
    dashboard says so rather than showing growing figures as if they were whole."""
    import os

    store = dashboard.context.store
    assert "import" not in dashboard.statusBar().currentMessage()
    with store.write() as conn:  # what a stepped import has committed so far: 250 answers
        conn.execute(
            "INSERT INTO import_journal VALUES ('bundle-1', ?, 'answers', 100, 350)", [os.getpid()]
        )
    dashboard.refresh()
    settle(qtbot, dashboard)
    message = dashboard.statusBar().currentMessage()
    assert "An import is under way (250 answers in so far)" in message
    with store.write() as conn:  # a journal left by a process that has gone is not an import
        conn.execute("UPDATE import_journal SET pid = 2147483646")
    dashboard.refresh()
    settle(qtbot, dashboard)
    assert "import" not in dashboard.statusBar().currentMessage()
