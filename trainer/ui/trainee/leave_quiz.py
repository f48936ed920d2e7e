"""Asked before a quiz under way is left (Ctrl+Q, closing the window, End quiz)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QMessageBox, QWidget

Leave = Literal["end", "keep", "stay"]  # end it now; keep it to resume later; carry on
KEPT = (
    "Your answers so far are saved. Kept for later, the quiz stays as it stands, your half-filled "
    "answer and the questions you asked included: choose your profile on the start screen to "
    "resume it."
)
EXAM_CLOCK = " The exam's time limit keeps running while you are away."


class LeaveQuizDialog:
    """Asks whether to end the quiz, keep it for later or stay; tests replace `ask`."""

    @classmethod
    def ask(cls, parent: QWidget | None, quitting: bool, exam: bool) -> Leave:
        """`quitting`: the application is closing, so the quiz can only be kept (or stayed in)."""
        what = "exam" if exam else "quiz"
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(f"Leave the {what}?")
        box.setText(f"Quit with the {what} unfinished?" if quitting else f"End the {what} now?")
        info = KEPT.replace("quiz", what) + (EXAM_CLOCK if exam else "")
        if not quitting:
            info = f"End it to see your results now, or keep it for later. {info}"
        box.setInformativeText(info)
        box.setAccessibleName(f"Leave the {what}?")
        box.setAccessibleDescription(info)
        role = QMessageBox.ButtonRole
        choices: dict[object, Leave] = {}
        if not quitting:
            end = box.addButton(f"&End the {what}, see results", role.AcceptRole)
            choices[end] = "end"
        keep = box.addButton(
            "&Quit, keep it for later" if quitting else "&Keep it for later",
            role.AcceptRole if quitting else role.ActionRole,
        )
        choices[keep] = "keep"
        stay = box.addButton(f"&Stay in the {what}", role.RejectRole)
        choices[stay] = "stay"
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        return choices.get(box.clickedButton(), "stay")
