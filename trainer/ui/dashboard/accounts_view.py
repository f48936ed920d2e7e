"""The Supervisors tab: who can open the dashboard, adding another, and recent failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from trainer.core.store import accounts
from trainer.core.store.sqlite import Store
from trainer.ui.dashboard.dialogs import AccountDialog
from trainer.ui.dashboard.tables import SortableTableModel, SortColumn, sorted_view
from trainer.ui.errors import reports_errors
from trainer.ui.widgets import button, wrapped


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _ts(moment: datetime | None) -> float:
    return -1.0 if moment is None else moment.timestamp()


SUPERVISOR_COLUMNS = (
    SortColumn("Username", lambda s: s.username),
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
        self.intro = wrapped(
            f"Signed in as {supervisor}. Supervisors sign in every time they open the dashboard; "
            f"passwords are stored only as salted scrypt hashes, so nobody can read them. A "
            f"forgotten password cannot be recovered: another supervisor adds a new account.",
            "About supervisor accounts",
            self,
        )
        self.add_button = button("A&dd supervisor…", "Add a supervisor", self)
        self.supervisor_model = SortableTableModel(SUPERVISOR_COLUMNS, self)
        self.supervisors, _ = sorted_view(self.supervisor_model, "Supervisors", self, stretch=0)
        self.failure_model = SortableTableModel(FAILURE_COLUMNS, self)
        self.failures, _ = sorted_view(
            self.failure_model, "Recent failed sign-ins", self, stretch=2
        )

        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        label = QLabel("Supervisor accou&nts:", self)
        label.setBuddy(self.supervisors)
        layout.addWidget(label)
        layout.addWidget(self.supervisors, 1)
        label = QLabel(
            f"Recent fai&led sign-ins (after {accounts.FREE_TRIES} in a row, each further try "
            f"has to wait longer):",
            self,
        )
        label.setBuddy(self.failures)
        layout.addWidget(label)
        layout.addWidget(self.failures, 1)

        self.add_button.clicked.connect(self.add_supervisor)
        self.refresh()

    @reports_errors
    def refresh(self) -> None:
        self.supervisor_model.set_rows(accounts.supervisors(self.store))
        self.failure_model.set_rows(accounts.failed_sign_ins(self.store))

    def add_supervisor(self) -> None:
        if AccountDialog.ask(self, self.store) is not None:
            self.refresh()
