"""The start screen: a profile's unit, given when it is made and changed afterwards."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from trainer.core.store.central.sync import configure
from trainer.core.store.records import Trainee
from trainer.core.store.sqlite import Store
from trainer.ui import errors
from trainer.ui.context import AppContext
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee.start_view import UnitDialog


def _make(window: MainWindow, name: str, staff: str, unit: str) -> None:
    start = window.start_view
    start.name.setText(name)
    start.staff_number.setText(staff)
    start.role.setCurrentIndex(start.role.findData("officer"))
    start.unit.setText(unit)
    start.create_button.click()


def _shown(window: MainWindow) -> list[str]:
    model = window.start_view.list.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_a_new_profile_is_made_in_the_unit_typed(window: MainWindow, store: Store) -> None:
    _make(window, "Jane Smith", "4411", "North Custody")
    assert window.trainee is not None and window.trainee.unit == "north-custody"
    assert store.trainee("4411").unit == "north-custody"
    window.show_start()
    assert _shown(window) == ["Jane Smith — 4411 (Officer, north-custody)"]
    assert window.start_view.unit.text() == ""  # the form is ready for the next person


def test_a_unit_left_empty_is_none_and_a_bad_one_is_one_message(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message: shown.append(message))
    _make(window, "Sam Jones", "4412", "north/custody")
    assert shown == ["unit: 'north/custody' must use only lowercase letters, digits and single "
                     "hyphens"]  # fmt: skip
    assert store.trainees() == [] and window.trainee is None
    _make(window, "Sam Jones", "4412", "")
    assert store.trainee("4412").unit is None
    window.show_start()
    assert _shown(window) == ["Sam Jones — 4412 (Officer)"]


def test_a_chosen_profiles_unit_is_changed_and_stays_selected(
    window: MainWindow, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_trainee("Alex Morgan", "1001", "call-handler")
    store.create_trainee("Zed Other", "9999", "officer", "north")
    window.show_start()
    view = window.start_view
    view.search.setText("zed")
    asked: list[Trainee] = []

    def ask(parent: object, trainee: Trainee) -> str:
        asked.append(trainee)
        return "South Response"

    monkeypatch.setattr(UnitDialog, "ask", ask)
    assert view.unit_button.isEnabled()
    view.unit_button.click()
    assert [t.staff_number for t in asked] == ["9999"] and asked[0].unit == "north"
    assert store.trainee("9999").unit == "south-response"
    assert view.list.currentIndex().data() == "Zed Other — 9999 (Officer, south-response)"
    assert store.trainee("1001").unit is None

    monkeypatch.setattr(UnitDialog, "ask", lambda parent, trainee: None)  # cancelled
    view.unit_button.click()
    assert store.trainee("9999").unit == "south-response"
    monkeypatch.setattr(UnitDialog, "ask", lambda parent, trainee: "")  # emptied: no unit
    view.unit_button.click()
    assert store.trainee("9999").unit is None
    assert view.list.currentIndex().data() == "Zed Other — 9999 (Officer)"


def test_the_form_offers_the_unit_this_workstation_sends(
    qtbot: QtBot, context: AppContext, store: Store
) -> None:
    configure(store, "service=trainer", unit="north-custody")
    window = MainWindow(context)
    qtbot.addWidget(window)
    assert window.start_view.unit.text() == "north-custody"
    _make(window, "Jane Smith", "4411", window.start_view.unit.text())
    assert store.trainee("4411").unit == "north-custody"
    window.show_start()
    assert window.start_view.unit.text() == "north-custody"  # offered again for the next one


def test_change_unit_is_off_with_no_profile_chosen(window: MainWindow) -> None:
    window.show_start()
    assert window.start_view.list.model().rowCount() == 0
    assert not window.start_view.unit_button.isEnabled()
