"""The content note shown before a sexual-offences scenario, with the choice to skip the topic."""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QMessageBox, QWidget

Choice = Literal["show", "skip"]
NOTE = (
    "The next scenario concerns a sexual offence. It is written factually and briefly, with no "
    "more detail than the recording decision needs.\n\n"
    "You can go on, or skip sexual-offence scenarios for the rest of this quiz."
)


class ContentNote:
    @staticmethod
    def ask(parent: QWidget | None) -> Choice:
        """'show' to go on, 'skip' to leave out the topic for the rest of the quiz."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Content note")
        box.setText("Content note: sexual offences")
        box.setInformativeText(NOTE)
        box.setAccessibleName("Content note")
        box.setAccessibleDescription(NOTE)
        show = box.addButton("&Show the scenario", QMessageBox.ButtonRole.AcceptRole)
        skip = box.addButton("S&kip this topic", QMessageBox.ButtonRole.RejectRole)
        show.setAccessibleName("Show the scenario")
        skip.setAccessibleName("Skip sexual-offence scenarios for the rest of the quiz")
        box.setDefaultButton(show)
        box.setEscapeButton(skip)
        box.exec()
        return "show" if box.clickedButton() is show else "skip"
