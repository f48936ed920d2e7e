"""The Supervisors tab: who can open the dashboard; adding, disabling or removing another, one's
own password, and recent failed sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from trainer.core.errors import TrainerError
from trainer.core.store import accounts
from trainer.core.store.sqlite import Store
from trainer.ui.dashboard.dialogs import AccountDialog, ConfirmRemoveDialog, PasswordDialog
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, sorted_view
from trainer.ui.errors import reports_errors, show_error
from trainer.ui.widgets import button, wrapped


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _ts(moment: datetime | None) -> float:
    return -1.0 if moment is None else moment.timestamp()


SUPERVISOR_COLUMNS = (
    SortColumn("Username", lambda s: s.username),
    SortColumn("Status", lambda s: "active" if s.active else "disabled"),
    SortColumn("Created", lambda s: _when(s.created_at), key=lambda s: _ts(s.created_at)),
    SortColumn(
        "Last signed in", lambda s: _when(s.last_sign_in_at), key=lambda s: _ts(s.last_sign_in_at)
    ),
)
FAILURE_COLUMNS = (
    SortColumn("When", lambda f: _when(f.at), key=lambda f: _ts(f.at)),
    SortColumn("Username tried", lambda f: f.username),
    SortColumn("Why", lambda f: f.reason),
)


class AccountsView(QWidget):
    def __init__(self, store: Store, supervisor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.supervisor = supervisor
        self.intro = wrapped(
            f"Signed in as {supervisor}. Supervisors sign in every time they open the dashboard; "
            f"passwords are stored only as salted scrypt hashes, so nobody can read them. A "
            f"forgotten password cannot be recovered: another supervisor removes the account and "
            f"adds a new one (or, at this computer's account, run: trainer supervisors passwd "
            f"USERNAME). The last active account can be neither disabled nor removed.",
            "About supervisor accounts",
            self,
        )
        self.add_button = button("A&dd supervisor…", "Add a supervisor", self)
        self.password_button = button("&Change my password…", "Change my password", self)
        self.active_button = button("Disa&ble this account", "Disable or enable the account", self)
        self.remove_button = button("Remove this acco&unt…", "Remove the chosen account", self)
        self.supervisor_model = SortableTableModel(SUPERVISOR_COLUMNS, self)
        self.supervisors, self.supervisor_proxy = sorted_view(
            self.supervisor_model, "Supervisors", self, stretch=0
        )
        self.failure_model = SortableTableModel(FAILURE_COLUMNS, self)
        self.failures, _ = sorted_view(
            self.failure_model, "Recent failed sign-ins", self, stretch=2
        )

        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.password_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        label = QLabel("Supervisor accou&nts:", self)
        label.setBuddy(self.supervisors)
        layout.addWidget(label)
        layout.addWidget(self.supervisors, 1)
        chosen = QHBoxLayout()
        chosen.addStretch(1)
        chosen.addWidget(self.active_button)
        chosen.addWidget(self.remove_button)
        layout.addLayout(chosen)
        label = QLabel(
            f"Recent fai&led sign-ins (after {accounts.FREE_TRIES} in a row, each further try "
            f"has to wait longer):",
            self,
        )
        label.setBuddy(self.failures)
        layout.addWidget(label)
        layout.addWidget(self.failures, 1)

        self.add_button.clicked.connect(self.add_supervisor)
        self.password_button.clicked.connect(self.change_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.remove_button.clicked.connect(self.remove)
        self.supervisors.selectionModel().currentRowChanged.connect(self._show_choice)
        self.refresh()

    @reports_errors
    def refresh(self) -> None:
        self.supervisor_model.set_rows(accounts.supervisors(self.store))
        self.failure_model.set_rows(accounts.failed_sign_ins(self.store))
        self._show_choice()

    def chosen(self) -> accounts.Supervisor | None:
        """The supervisor of the current row, if any."""
        index = self.supervisors.currentIndex()
        if not index.isValid():
            return None
        row: accounts.Supervisor = self.supervisor_model.row_at(
            self.supervisor_proxy.mapToSource(index)
        )
        return row

    def _show_choice(self) -> None:
        """Disabling and removing act on another supervisor's row, never one's own."""
        row = self.chosen()
        other = row is not None and row.username != self.supervisor
        self.active_button.setEnabled(other)
        self.remove_button.setEnabled(other)
        enable = row is not None and not row.active
        self.active_button.setText("Ena&ble this account" if enable else "Disa&ble this account")

    def add_supervisor(self) -> None:
        if AccountDialog.ask(self, self.store) is not None:
            self.refresh()

    def change_password(self) -> None:
        if PasswordDialog.ask(self, self.store, self.supervisor):
            self.refresh()

    def toggle_active(self) -> None:
        row = self.chosen()
        if row is None:
            return
        self._act(lambda: accounts.set_active(self.store, row.username, not row.active,
                                              by=self.supervisor))  # fmt: skip

    def remove(self) -> None:
        row = self.chosen()
        if row is None or not ConfirmRemoveDialog.ask(self, row.username):
            return
        self._act(lambda: accounts.remove_supervisor(self.store, row.username, by=self.supervisor))

    def _act(self, change: Callable[[], None]) -> None:
        try:
            change()
        except TrainerError as exc:
            show_error(self, str(exc))
        self.refresh()
