"""The scenario files the bank skipped, each with its problem (the application opens regardless)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from trainer.core.content.scenarios import Problem
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.widgets import table_view, wrapped

PROBLEM_COLUMNS = (
    Column("File", lambda p: p.path),
    Column("Line", lambda p: str(p.line), numeric=True),
    Column("Field", lambda p: p.field),
    Column("Problem", lambda p: p.message),
)


def skipped_text(problems: Sequence[Problem]) -> str:
    files = len({p.path for p in problems})
    return f"{files} scenario file(s) were skipped because of problems." if files else ""


class SkippedFilesDialog(QDialog):
    def __init__(self, parent: QWidget | None, problems: Sequence[Problem]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Skipped scenario files")
        self.problems = RowTableModel(PROBLEM_COLUMNS, self)
        self.problems.set_rows(problems)
        self.table = table_view(self.problems, "Problems in scenario files", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped(
                skipped_text(problems)
                + " The rest of the bank is in use. Scenario authors can check "
                "a file with `trainer validate FILE`.",
                "About skipped files",
                self,
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 400)

    @classmethod
    def show_problems(cls, parent: QWidget | None, problems: Sequence[Problem]) -> None:
        cls(parent, problems).exec()
