"""The supervisor dashboard, opened from the main window's menu after a supervisor signs in."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trainer.ui.context import AppContext


def open_dashboard(parent: QWidget, context: AppContext) -> None:
    """Ask for a sign-in, then show the dashboard; with no account yet, say how to make one.

    Sign-in is asked for every time, so a trainee at a supervisor's workstation cannot reopen it.
    The first account is made on the command line, so whoever opens the dashboard first cannot
    make themselves its supervisor.
    """
    from trainer.core import paths
    from trainer.core.store.accounts import has_supervisors
    from trainer.ui.dashboard.dialogs import (
        NoSupervisorNotice,
        SignInDialog,
        first_account_command,
    )
    from trainer.ui.dashboard.window import DashboardWindow

    if not has_supervisors(context.store):
        command = first_account_command(context.data_dir, paths.user_data_dir())
        NoSupervisorNotice.show(parent, command)
        return
    supervisor = SignInDialog.ask(parent, context.store)
    if supervisor is None:
        return
    window = DashboardWindow(context, supervisor, parent)
    window.show()
    window.raise_()
    window.activateWindow()
