"""The one place a TrainerError becomes a message box."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from trainer.core.errors import TrainerError

F = TypeVar("F", bound=Callable[..., Any])


def show_error(
    parent: QWidget | None, message: str, title: str = "Crime Recording Trainer"
) -> None:
    """Tell the user about a problem they can act on (tests replace this function)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setAccessibleName("Problem")
    box.setAccessibleDescription(message)
    box.exec()


def reports_errors(slot: F) -> F:
    """Decorate a widget's slot: a TrainerError it raises is shown to the user, not lost."""

    @functools.wraps(slot)
    def wrapper(self: QWidget, *args: Any, **kwargs: Any) -> Any:
        try:
            return slot(self, *args, **kwargs)
        except TrainerError as exc:
            show_error(self.window(), str(exc))
            return None

    return wrapper  # type: ignore[return-value]


def install_excepthook() -> None:
    """Anything else that escapes a slot is shown once too, and printed for a bug report."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if isinstance(exc, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        traceback.print_exception(kind, exc, tb)
        message = (
            str(exc)
            if isinstance(exc, TrainerError)
            else (
                f"Something went wrong inside the application ({kind.__name__}: {exc}). "
                "Your answers so far are saved."
            )
        )
        show_error(QApplication.activeWindow(), message)

    sys.excepthook = hook


def confirm(parent: QWidget | None, question: str, title: str = "Crime Recording Trainer") -> bool:
    """Ask a yes/no question (tests replace this function)."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
