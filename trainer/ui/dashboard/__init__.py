"""The supervisor dashboard, opened from the main window's menu after a supervisor signs in."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trainer.ui.context import AppContext


def open_dashboard(parent: QWidget, context: AppContext) -> None:
    """Ask for the first supervisor account (first run) or a sign-in, then show the dashboard.

    Sign-in is asked for every time, so a trainee at a supervisor's workstation cannot reopen it.
    """
    from trainer.core.store.accounts import has_supervisors
    from trainer.ui.dashboard.dialogs import AccountDialog, SignInDialog
    from trainer.ui.dashboard.window import DashboardWindow

    if has_supervisors(context.store):
        supervisor = SignInDialog.ask(parent, context.store)
    else:
        supervisor = AccountDialog.ask(parent, context.store, first=True)
    if supervisor is None:
        return
    window = DashboardWindow(context, supervisor, parent)
    window.show()
    window.raise_()
    window.activateWindow()
