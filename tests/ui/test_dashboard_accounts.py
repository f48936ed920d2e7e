"""The Supervisors tab: one's own password, disabling and removing another supervisor (never the
last active one, never oneself), and "Last signed in" right while signed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.test_dashboard import PASSWORD, opened
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library
from trainer.core.store import accounts
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext
from trainer.ui.dashboard import accounts_view, open_dashboard
from trainer.ui.dashboard.accounts_view import AccountsView
from trainer.ui.dashboard.dialogs import ConfirmRemoveDialog, PasswordDialog, SignInDialog


@pytest.fixture
def dash_context(store: Store, catalogue: Catalogue, tmp_path: Path) -> AppContext:
    return AppContext(store=store, catalogue=catalogue, data_dir=tmp_path, library=Library())


@pytest.fixture
def view(qtbot: QtBot, dash_context: AppContext) -> AccountsView:
    for name in ("sgt.price", "insp.khan"):
        accounts.create_supervisor(dash_context.store, name, PASSWORD)
    view = AccountsView(dash_context.store, "sgt.price")
    qtbot.add_widget(view)
    view.show()
    return view


def choose(view: AccountsView, username: str) -> None:
    proxy = view.supervisor_proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == username)
    view.supervisors.setCurrentIndex(proxy.index(row, 0))


def status(view: AccountsView) -> dict[str, str]:
    proxy = view.supervisor_proxy
    return {proxy.index(r, 0).data(): proxy.index(r, 1).data() for r in range(proxy.rowCount())}


def test_a_supervisor_changes_their_own_password(qtbot: QtBot, view: AccountsView) -> None:
    dialog = PasswordDialog(view.store, "sgt.price")
    qtbot.add_widget(dialog)
    dialog.current.setText("not the password")
    dialog.password.setText("a new passphrase")
    dialog.again.setText("a new passphrase")
    dialog.ok.click()
    assert dialog.message.text() == "The current password is wrong."
    dialog.current.setText(PASSWORD)
    dialog.password.setText("too short")
    dialog.again.setText("too short")
    dialog.ok.click()
    assert dialog.message.text() == "The password must be at least 10 characters."
    dialog.password.setText("a new passphrase")
    dialog.again.setText("a new passphrase")
    dialog.ok.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert accounts.sign_in(view.store, "sgt.price", "a new passphrase").ok


def test_the_password_button_asks_for_ones_own_account(
    view: AccountsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(PasswordDialog, "ask", classmethod(lambda c, p, s, u: asked.append(u)))
    view.password_button.click()
    assert asked == ["sgt.price"]


def test_disable_enable_and_remove_another_supervisor(
    view: AccountsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(accounts_view, "show_error", lambda parent, message: errors.append(message))
    choose(view, "sgt.price")  # one's own row: neither button acts on it
    assert not view.active_button.isEnabled() and not view.remove_button.isEnabled()
    choose(view, "insp.khan")
    assert view.active_button.isEnabled() and view.active_button.text() == "Disa&ble this account"
    view.active_button.click()
    assert status(view) == {"insp.khan": "disabled", "sgt.price": "active"}
    assert not accounts.sign_in(view.store, "insp.khan", PASSWORD).ok
    choose(view, "insp.khan")
    assert view.active_button.text() == "Ena&ble this account"
    view.active_button.click()
    assert status(view)["insp.khan"] == "active"
    monkeypatch.setattr(ConfirmRemoveDialog, "ask", classmethod(lambda c, p, u: None))
    choose(view, "insp.khan")
    view.remove_button.click()
    assert "insp.khan" in status(view)  # not confirmed
    monkeypatch.setattr(ConfirmRemoveDialog, "ask", classmethod(lambda c, p, u: True))
    choose(view, "insp.khan")
    view.remove_button.click()
    assert status(view) == {"sgt.price": "active"} and errors == []


def test_the_last_active_supervisor_cannot_be_removed(
    view: AccountsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(accounts_view, "show_error", lambda parent, message: errors.append(message))
    monkeypatch.setattr(ConfirmRemoveDialog, "ask", classmethod(lambda c, p, u: True))
    accounts.set_active(view.store, "sgt.price", False)  # e.g. from the command line meanwhile
    choose(view, "insp.khan")
    view.remove_button.click()
    assert errors == ["insp.khan is the last active supervisor and cannot be removed."]
    assert set(status(view)) == {"insp.khan", "sgt.price"}


def test_last_signed_in_is_right_while_signed_in(
    qtbot: QtBot, dash_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_supervisor(dash_context.store, "sgt.price", PASSWORD)
    parent = QWidget()
    qtbot.add_widget(parent)

    def sign_in(cls, parent_, store):  # type: ignore[no-untyped-def]
        assert accounts.sign_in(store, "sgt.price", PASSWORD).ok
        return "sgt.price"

    monkeypatch.setattr(SignInDialog, "ask", classmethod(sign_in))
    open_dashboard(parent, dash_context)
    [window] = opened(parent)
    proxy = window.accounts.supervisor_proxy
    last = proxy.index(0, 3).data()
    assert last != "never"
    [me] = accounts.supervisors(dash_context.store)
    assert me.last_sign_in_at is not None and last == f"{me.last_sign_in_at:%Y-%m-%d %H:%M}"
