"""Supervisor access: further accounts, sign-in with back-off, passwords, confirmations.

The first account is made on the command line (`trainer supervisors add`); without one the
dashboard only says how (`NoSupervisorNotice`), so whoever opens it first cannot claim it.

Each dialog offers `ask(parent, ...) -> value | None`, so tests replace one method instead of
clicking through a modal. Passwords only ever go to the accounts module, which stores hashes.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer.core.errors import TrainerError
from trainer.core.store import accounts
from trainer.core.store.sqlite import Store
from trainer.ui.errors import confirm
from trainer.ui.widgets import wrapped

SIGN_IN = "&Sign in"


def _field(name: str, parent: QWidget, secret: bool = False) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _Form(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.intro = wrapped(intro, intro, self)
        self.form = QFormLayout()
        self.message = wrapped("", "Message", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(420)

    @property
    def ok(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def add_field(self, label: str, edit: QLineEdit) -> None:
        self.form.addRow(label, edit)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAccessibleName(text or "Message")

    def submit(self) -> None:  # pragma: no cover - each form defines its own
        raise NotImplementedError


def first_account_command(data_dir: Path, default: Path) -> str:
    """The command that creates the first supervisor account for this data folder."""
    command = accounts.ADD_COMMAND
    return command if data_dir == default else f'{command} --data-dir "{data_dir}"'


class NoSupervisorNotice:
    """Says how the first supervisor account is made (on the command line, not here)."""

    @staticmethod
    def text(command: str) -> str:
        return (
            "No supervisor account exists on this workstation yet, so the dashboard cannot "
            "open. Whoever installed the application creates the first one from a command "
            f"prompt, signed in to this computer's account:\n\n    {command}\n\nIt asks for "
            "the password twice. That supervisor can then add others here."
        )

    @classmethod
    def show(cls, parent: QWidget | None, command: str) -> None:
        QMessageBox.information(parent, "No supervisor account yet", cls.text(command))


class AccountDialog(_Form):
    """Adds one more supervisor account (the first one is made on the command line)."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        title = "Add a supervisor"
        intro = "The new supervisor signs in with this username and password."
        super().__init__(title, intro, parent)
        self.store = store
        self.username = _field("Username", self)
        self.password = _field("Password", self, secret=True)
        self.again = _field("Password again", self, secret=True)
        self.add_field("&Username:", self.username)
        self.add_field("&Password:", self.password)
        self.add_field("Password &again:", self.again)
        self.ok.setText("C&reate account")
        self.created: str | None = None

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            self.say("The two passwords differ. Type the same password twice.")
            self.again.clear()
            self.again.setFocus()
            return
        try:
            self.created = accounts.create_supervisor(
                self.store, self.username.text(), self.password.text()
            )
        except TrainerError as exc:
            self.say(str(exc))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, store: Store) -> str | None:
        """The new supervisor's username, or None if cancelled."""
        dialog = cls(store, parent)
        return dialog.created if dialog.exec() == QDialog.DialogCode.Accepted else None


class PasswordDialog(_Form):
    """A signed-in supervisor changes their own password (typing the current one first)."""

    def __init__(self, store: Store, username: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Change my password",
            f"Change the password of {username}: type the current one, then the new one twice.",
            parent,
        )
        self.store = store
        self.username = username
        self.current = _field("Current password", self, secret=True)
        self.password = _field("New password", self, secret=True)
        self.again = _field("New password again", self, secret=True)
        self.add_field("&Current password:", self.current)
        self.add_field("&New password:", self.password)
        self.add_field("New password &again:", self.again)
        self.ok.setText("C&hange password")
        self.changed = False

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            self.say("The two new passwords differ. Type the same password twice.")
            self.again.clear()
            self.again.setFocus()
            return
        try:
            accounts.change_own_password(
                self.store, self.username, self.current.text(), self.password.text()
            )
        except TrainerError as exc:
            self.say(str(exc))
            return
        self.changed = True
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, store: Store, username: str) -> bool | None:
        """True once the password is changed, None if cancelled."""
        dialog = cls(store, username, parent)
        return True if dialog.exec() == QDialog.DialogCode.Accepted else None


class ConfirmRemoveDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, username: str) -> bool | None:
        """True when the supervisor confirms removing `username`'s account."""
        question = f"Remove the supervisor account {username}? They can no longer sign in."
        return confirm(parent, question, "Remove supervisor") or None


class SignInDialog(_Form):
    """Asks for a supervisor's username and password; after failures, waits before the next try."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            "Supervisor sign-in",
            "The dashboard shows every trainee's results: sign in as a supervisor.",
            parent,
        )
        self.store = store
        self.username = _field("Username", self)
        self.password = _field("Password", self, secret=True)
        self.add_field("&Username:", self.username)
        self.add_field("&Password:", self.password)
        self.ok.setText(SIGN_IN)
        self.signed_in: str | None = None
        self.wait_left = 0
        self.deadline = 0.0
        self.timer = QTimer(self)
        # Count down to a fixed deadline: a coarse 1 s timer may fire early, and re-enabling the
        # button before the store's back-off has passed would just start another wait.
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._tick)

    def submit(self) -> None:
        if self.wait_left > 0:
            return
        username = self.username.text().strip()
        try:
            result = accounts.sign_in(self.store, username, self.password.text())
        except TrainerError as exc:
            self.say(str(exc))
            return
        self.password.clear()
        if result.ok:
            self.signed_in = username
            self.accept()
            return
        self.start_wait(result.wait_seconds, result.message)

    def start_wait(self, seconds: float, message: str) -> None:
        """Show `message`; refuse sign-in for `seconds`, counting down on the button."""
        self.say(message)
        self.wait_left = max(0, math.ceil(seconds))
        self.deadline = time.monotonic() + seconds + 0.05
        if self.wait_left:
            self.ok.setEnabled(False)
            self.timer.start()
        self._show_wait()

    def _tick(self) -> None:
        self.wait_left = max(0, math.ceil(self.deadline - time.monotonic()))
        if not self.wait_left:
            self.timer.stop()
            self.ok.setEnabled(True)
            self.password.setFocus()
        self._show_wait()

    def _show_wait(self) -> None:
        self.ok.setText(f"Sign in ({self.wait_left} s)" if self.wait_left else SIGN_IN)

    @classmethod
    def ask(cls, parent: QWidget | None, store: Store) -> str | None:
        """The signed-in supervisor's username, or None if cancelled."""
        dialog = cls(store, parent)
        return dialog.signed_in if dialog.exec() == QDialog.DialogCode.Accepted else None


class ConfirmResetDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, name: str) -> bool | None:
        """True when the supervisor confirms resetting `name`'s profile."""
        question = (
            f"Reset {name}'s profile? Their answers and sessions are deleted (a backup of the "
            f"database is made first) and their progress starts again; the profile itself stays. "
            f"Their answers leave the team figures too."
        )
        return confirm(parent, question, "Reset profile") or None
