"""The offence picker: police words find their classes, and nothing is filled in unless picked."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Scenario
from trainer.core.content.offence_search import find_offences
from trainer.core.content.validation import validate
from trainer.core.errors import TrainerError
from trainer.core.grading.drafts import build_answer
from trainer.ui.trainee.answer_form import AnswerForm
from trainer.ui.trainee.offence_picker import MAX_SHOWN, NO_MATCH, OffencePicker


def press(widget: QWidget, key: Qt.Key, text: str = "") -> None:
    """A key press and release, sent as the platform would (QTest's helpers are not used: in
    PySide6 6.12 each of their calls drops a reference to None)."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def type_text(picker: OffencePicker, text: str) -> None:
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Space
        press(picker, key, char)


@pytest.fixture
def picker(catalogue: Catalogue, qtbot: QtBot) -> Iterator[OffencePicker]:
    box = QWidget()
    layout = QVBoxLayout(box)
    found = OffencePicker(catalogue, parent=box)
    layout.addWidget(found)
    layout.addWidget(found.note)
    qtbot.addWidget(box)
    box.resize(500, 120)
    box.show()
    found.setFocus()
    yield found  # `box` stays referenced (and so alive) until the test ends


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("affray", ["66"]),
        ("GBH", ["5D", "8N"]),
        ("ABH", ["8N"]),
        ("wounding", ["5D", "8N"]),
        ("common assault", ["105A"]),
        ("28J", ["28J"]),
        ("burglary of a home", ["28I", "28J"]),
    ],
)
def test_typing_finds_the_right_classes_code_first_with_the_full_name(
    picker: OffencePicker, catalogue: Catalogue, text: str, first: list[str]
) -> None:
    type_text(picker, text)
    assert picker.matches.codes()[: len(first)] == first
    assert picker.popup.isVisible()
    assert not picker.note.isVisible()
    offence = catalogue.offence_by_code[first[0]]
    assert picker.matches.texts()[0] == f"{offence.code}   {offence.name}"
    tip = picker.matches.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"{offence.label}\n{offence.group_name}\nFound by ")
    assert picker.text() == text  # nothing is filled in by typing


def test_the_list_is_wide_enough_for_the_longest_name(picker: OffencePicker) -> None:
    type_text(picker, "emergency worker")
    longest = max(picker.popup.fontMetrics().horizontalAdvance(t) for t in picker.matches.texts())
    assert picker.popup.width() > longest
    assert picker.popup.textElideMode() == Qt.TextElideMode.ElideNone


def test_where_names_must_wrap_the_list_is_tall_enough_for_every_row(
    picker: OffencePicker,
) -> None:
    picker.window().resize(260, 120)
    picker.window().move(picker.screen().availableGeometry().right() - 200, 0)
    type_text(picker, "wounding")
    assert picker.popup.wordWrap()
    line = picker.popup.sizeHintForRow(0)
    rows = picker.matches.rowCount()
    assert picker.popup.width() < max(  # too narrow for one line each ...
        picker.popup.fontMetrics().horizontalAdvance(t) for t in picker.matches.texts()
    )
    assert picker.popup.height() > rows * line + line  # ... so taller than one line each


def test_down_then_enter_picks_the_best_match(picker: OffencePicker, qtbot: QtBot) -> None:
    type_text(picker, "affray")
    with qtbot.waitSignal(picker.picked) as picked:
        press(picker.popup, Qt.Key.Key_Down)
        assert picker.text() == "affray"  # moving onto a row does not fill the field
        press(picker.popup, Qt.Key.Key_Return)
    assert picked.args == ["66"]
    assert picker.text() == "66 Other Offences against the State or Public Order"
    assert picker.code() == "66"
    assert picker.toolTip().startswith(picker.text() + "\n")  # the whole name, even if cut
    assert not picker.popup.isVisible()


def test_no_match_shows_a_note_and_down_or_enter_fill_in_nothing(picker: OffencePicker) -> None:
    type_text(picker, "zzzz")
    assert picker.matches.rowCount() == 0
    assert picker.note.isVisible() and picker.note.text().startswith(NO_MATCH)
    assert not picker.popup.isVisible()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Up, Qt.Key.Key_Enter):
        press(picker, key)
    assert picker.text() == "zzzz"
    assert picker.code() == ""
    assert not picker.popup.isVisible()
    press(picker, Qt.Key.Key_Backspace)
    for _ in range(3):
        press(picker, Qt.Key.Key_Backspace)
    assert not picker.note.isVisible()  # an empty field is not a failed search


def test_enter_without_moving_onto_a_match_picks_nothing(picker: OffencePicker) -> None:
    type_text(picker, "28")
    assert picker.popup.isVisible() and picker.matches.codes()[0] == "28I"
    assert not picker.popup.currentIndex().isValid()  # no row is preselected
    press(picker.popup, Qt.Key.Key_Return)
    assert picker.text() == "28"
    assert picker.code() == ""
    assert not picker.popup.isVisible()


def test_escape_after_moving_onto_a_match_leaves_the_typed_text(picker: OffencePicker) -> None:
    type_text(picker, "ABH")
    press(picker.popup, Qt.Key.Key_Down)
    press(picker.popup, Qt.Key.Key_Escape)
    assert picker.text() == "ABH"
    assert picker.code() == ""


def test_down_in_an_empty_field_lists_every_class(
    picker: OffencePicker, catalogue: Catalogue
) -> None:
    press(picker, Qt.Key.Key_Down)
    assert picker.popup.isVisible()
    assert picker.matches.codes() == [o.code for o in catalogue.offences]


def test_typing_drops_no_reference_to_none_per_listed_class(picker: OffencePicker) -> None:
    """The list is refilled on every keystroke (130 rows for "a") without a void call per row,
    each of which would drop a reference to None in PySide6 6.12; a few calls per keystroke
    remain (hiding, showing), hence the allowance."""
    before = sys.getrefcount(None)
    for text in ("a", "common assault", "zzzz", "ABH"):
        picker.clear()
        type_text(picker, text)
        press(picker.popup, Qt.Key.Key_Escape)
    picker.show_all()
    assert sys.getrefcount(None) >= before - 100


def _form(catalogue: Catalogue, qtbot: QtBot) -> AnswerForm:
    form = AnswerForm(catalogue)
    qtbot.addWidget(form)
    form.show()
    form.decision_buttons["crime"].click()
    return form


def test_the_form_records_only_a_class_the_trainee_picked(
    catalogue: Catalogue, qtbot: QtBot
) -> None:
    scenario = validate(Scenario, scenario_data())
    form = _form(catalogue, qtbot)
    picker = form.rows[0].offence
    picker.setFocus()
    type_text(picker, "zzzz")
    press(picker, Qt.Key.Key_Down)
    press(picker, Qt.Key.Key_Return)
    assert form.rows[0].offence.note.isVisible()
    with pytest.raises(TrainerError, match="'zzzz' is not an offence in the catalogue"):
        build_answer(form.draft(), scenario, catalogue)
    picker.clear()
    type_text(picker, "ABH")
    press(picker.popup, Qt.Key.Key_Down)
    press(picker.popup, Qt.Key.Key_Return)
    answer = build_answer(form.draft(), scenario, catalogue)
    assert [c.offence for c in answer.crimes] == ["8N"]


def test_a_single_letter_lists_the_best_matches_only(
    picker: OffencePicker, catalogue: Catalogue
) -> None:
    type_text(picker, "a")
    best = [m.offence.code for m in find_offences(catalogue, "a")]
    assert len(best) > MAX_SHOWN
    assert picker.matches.codes() == best[:MAX_SHOWN]
