"""Qt models pass the model tester; every control is named and reachable; screens fit 1024×700."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.ui.conftest import create_profile, fill_answer
from tests.ui.test_progress import take_fixture_quiz
from tests.ui.test_quiz_flow import start_quiz
from trainer.ui.main_window import ACTIONS, MainWindow
from trainer.ui.table_model import RowTableModel
from trainer.ui.trainee.offence_picker import OffencePicker

CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QTextEdit)


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls with no accessible name (a combo's or spin box's inner line edit shares it)."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            continue
        if parent is not None and isinstance(parent.parentWidget(), QComboBox):
            continue  # a combo's own drop-down list: the combo carries the name
        if type(widget).__module__.startswith("PySide6") and widget.objectName().startswith("qt_"):
            continue  # Qt's own internals (scroll area viewports, tab bar scrollers)
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} in {type(parent).__name__} {_text(widget)!r}")
    return missing


def _text(widget: QWidget) -> str:
    return widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""


def test_every_item_model_passes_the_model_tester(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.practice_view is not None
    window.practice_view.progress.click()
    quiz = window.quiz_screen
    assert quiz is not None and window.progress_view is not None
    checked = 0
    for root in (window, quiz.feedback_view, quiz.results_view, window.progress_view):
        for model in root.findChildren(RowTableModel):
            qtmodeltester.check(model)
            checked += 1
    assert checked >= 6
    picker = OffencePicker(window.context.catalogue)  # type: ignore[union-attr]
    picker.show_all()
    qtmodeltester.check(picker.matches)
    picker.popup.hide()


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    take_fixture_quiz(window)
    assert window.practice_view is not None
    window.practice_view.progress.click()
    missing = unnamed_controls(window)
    assert missing == [], "\n".join(missing)


def test_submit_with_ctrl_enter(window: MainWindow, qtbot: QtBot) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    start_quiz(window, "topic", "burglary", count=1)
    quiz = window.quiz_screen
    assert quiz is not None
    fill_answer(quiz.scenario_view, "crime", (("28J", 1),))
    window.activateWindow()
    quiz.scenario_view.report.setFocus()
    with qtbot.waitSignal(quiz.scenario_view.answer_submitted, timeout=2000):
        qtbot.keyClick(
            quiz.scenario_view.report, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    assert quiz.currentWidget() is quiz.feedback_view


def test_actions_have_shortcuts_or_menus(window: MainWindow) -> None:
    texts = [window.actions_by_name[name].text() for name, *_ in ACTIONS]
    assert all("&" in t for t in texts)
    assert window.actions_by_name["practice"].shortcut().toString() == "Ctrl+N"


def test_tab_order_runs_through_the_answer_form(window: MainWindow, qtbot: QtBot) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    start_quiz(window, "topic", "burglary", count=1)
    quiz = window.quiz_screen
    assert quiz is not None
    form = quiz.scenario_view.form
    fill_answer(quiz.scenario_view, "crime", (("28J", 1), ("39", 1)))
    qtbot.wait(1)  # a row added to a shown form appears once events run
    order = []
    widget: QWidget = form.decision_buttons["cancel"]
    for _ in range(20):
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisible():
            widget = widget.nextInFocusChain()
        order.append(widget)
    rows = form.rows
    expected = [
        rows[0].offence,
        rows[0].count,
        rows[0].remove,
        rows[1].offence,
        rows[1].count,
        rows[1].remove,
        form.add_crime,
    ]
    assert [w for w in order if w in expected][: len(expected)] == expected


@pytest.mark.parametrize("page", ["start", "practice", "scenario", "feedback", "progress"])
def test_every_screen_fits_1024_by_700(window: MainWindow, page: str) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    quiz = window.quiz_screen
    assert quiz is not None
    if page == "start":
        window.show_start()
    elif page in ("scenario", "feedback"):
        start_quiz(window, "topic", "burglary", count=1)
        if page == "feedback":
            fill_answer(quiz.scenario_view, "crime", (("28J", 2),), flags=("online",))
            quiz.scenario_view.submit.click()
    elif page == "progress":
        take_fixture_quiz(window)
        assert window.practice_view is not None
        window.practice_view.progress.click()
    window.resize(1024, 700)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, hint


def test_menu_actions_open_their_screens(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    window.actions_by_name["progress"].trigger()
    assert window.pages.currentWidget() is window.progress_view
    window.actions_by_name["practice"].trigger()
    assert window.pages.currentWidget() is window.practice_view
    window.actions_by_name["switch"].trigger()
    assert window.pages.currentWidget() is window.start_view
    assert window.trainee is None
    assert not window.actions_by_name["progress"].isEnabled()


def test_actions_wait_while_a_quiz_runs(window: MainWindow) -> None:
    create_profile(window, "Alex Morgan", "CH1001")
    start_quiz(window, "topic", "burglary", count=1)
    assert not window.actions_by_name["switch"].isEnabled()
    assert not window.actions_by_name["progress"].isEnabled()
    window.show_start()  # even if called directly, a running quiz is not abandoned
    assert window.pages.currentWidget() is window.quiz_screen


def test_the_dashboard_opens_lazily(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    opened = []
    fake = types.ModuleType("trainer.ui.dashboard")
    fake.open_dashboard = lambda parent, context: opened.append((parent, context))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "trainer.ui.dashboard", fake)
    window.actions_by_name["dashboard"].trigger()
    assert opened == [(window, window.context)]


def test_a_missing_dashboard_is_explained(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from trainer.ui import errors

    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, message: shown.append(message))
    monkeypatch.setattr("trainer.ui.main_window.show_error", lambda p, m: shown.append(m))
    monkeypatch.setitem(sys.modules, "trainer.ui.dashboard", None)  # import raises ImportError
    window.actions_by_name["dashboard"].trigger()
    assert shown == ["The supervisor dashboard is not part of this installation."]


def test_an_empty_workstation_says_how_to_begin(qtbot) -> None:  # type: ignore[no-untyped-def]
    from trainer.core.store.records import Trainee, now
    from trainer.ui.trainee.start_view import StartView

    view = StartView()
    qtbot.add_widget(view)
    view.show()
    view.set_trainees([])
    assert view.empty_hint.isVisible() and "create yours" in view.empty_hint.text()
    view.set_trainees([Trainee("t1", "Sam Okafor", "CH1", "call-handler", now())])
    assert not view.empty_hint.isVisible()
