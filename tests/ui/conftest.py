"""UI fixtures: a small bank of scenario files written per test, an in-memory store, a window."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.scenarios import load_library
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee import leave_quiz
from trainer.ui.trainee.scenario_view import ScenarioView

SCENARIOS = {
    "burglary.yaml": """
id: fx-burglary
title: Broken kitchen window
kind: classify
audience: [call-handler, officer]
topics: [burglary, fixture]
difficulty: 1
report:
  channel: phone-101
  text: |
    The little window by my back door is smashed and the handle inside is turned.
    Nothing seems to be missing.
  details:
    - ask: Was anything taken?
      answer: No, the laptop is still on the table.
    - ask: Is the window at ground level?
      answer: Yes, next to the back door.
expected:
  decision: crime
  crimes: [{offence: "28J", count: 1}]
  rules: [burglary-entry-point-damage]
feedback: Record one attempted burglary of a home (28J).
""",
    "theft.yaml": """
id: fx-theft
title: Phone from a zipped bag
kind: classify
audience: [call-handler]
topics: [theft, fixture]
difficulty: 2
report:
  channel: phone-101
  text: My phone was in my zipped bag on the bus and now it has gone.
expected:
  decision: crime
  crimes: [{offence: "39", count: 1}]
  rules: [theft-vs-lost-property]
feedback: Record one theft from the person (39).
""",
    "incident.yaml": """
id: fx-incident
title: Noisy party next door
kind: classify
audience: [call-handler]
topics: [fixture, no-crime]
difficulty: 1
report:
  channel: phone-101
  text: The people next door are playing loud music again. Nobody has threatened anyone.
expected:
  decision: incident
  rules: [ncrs-when-to-record]
feedback: An incident, not a crime.
""",
    "review.yaml": """
id: fx-review
title: Victim withdraws support
kind: cancellation
audience: [officer]
topics: [cancellation]
difficulty: 2
report:
  channel: officer-attendance
  text: You are asked to cancel an assault because the victim no longer supports a prosecution.
expected:
  decision: retain
  rules: [cancellation-not-for-withdrawal]
feedback: Retain the crime; withdrawal is not a reason to cancel.
""",
    "sexual.yaml": """
id: fx-sexual
title: Touched on the train
kind: classify
audience: [call-handler, officer]
topics: [sexual-offences]
difficulty: 2
report:
  channel: phone-101
  text: A man aged 30 says another passenger deliberately touched him sexually on the train.
expected:
  decision: crime
  crimes: [{offence: "17A", count: 1}]
  rules: [sexual-assault-classes]
feedback: Record one sexual assault on a male aged 13 and over (17A).
""",
}
BAD_FILE = ("broken.yaml", "id: [unclosed\n")


NONE_COUNT = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Count the references to None before any of the test's fixtures is set up, after letting
    go of the bank an earlier test left in the bank hash's memo (freed during this test, its
    references to None would look lost)."""
    from trainer.core.content import bank_hash

    bank_hash._last = None
    gc.collect()
    item.stash[NONE_COUNT] = sys.getrefcount(None)
    return (yield)


@pytest.fixture(autouse=True)
def _none_refcount_kept(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a UI test during which a reference to None was dropped.

    PySide6 6.12.0 on Python 3.11 loses a reference to None each time a Qt call hands None back
    (any void method, an empty item data role); a few thousand later the process aborts with
    "Fatal Python error: none_dealloc". From Python 3.12 None is immortal and its count is fixed.
    Counted from before the fixtures are set up to after they are finished (this one, set up
    first, finishes last), and before pytest finishes module and session fixtures.
    """
    yield
    # Widgets closed by qtbot are deleted later: delete them now so that what they held is freed.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    fell = request.node.stash[NONE_COUNT] - sys.getrefcount(None)
    assert fell <= 0, f"sys.getrefcount(None) fell by {fell} during the test"


@pytest.fixture(autouse=True)
def leaving_keeps_the_quiz(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """A window closed with a quiz under way (as every test's teardown does) keeps it rather than
    waiting on the modal question; the list records each time it was asked (quitting, exam)."""
    asked: list[tuple[bool, bool]] = []

    def ask(parent: object, quitting: bool, exam: bool) -> str:
        asked.append((quitting, exam))
        return "keep"

    monkeypatch.setattr(leave_quiz.LeaveQuizDialog, "ask", staticmethod(ask))
    return asked


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    for name, text in SCENARIOS.items():
        (folder / name).write_text(text.lstrip(), encoding="utf-8")
    (folder / BAD_FILE[0]).write_text(BAD_FILE[1], encoding="utf-8")
    return folder


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.memory() as s:
        yield s


@pytest.fixture
def context(store: Store, catalogue: Catalogue, bank_dir: Path, tmp_path: Path) -> AppContext:
    library = load_library([bank_dir], catalogue)
    assert len(library.scenarios) == len(SCENARIOS)
    return AppContext(store=store, catalogue=catalogue, data_dir=tmp_path, library=library)


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> MainWindow:
    w = MainWindow(context)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def create_profile(window: MainWindow, name: str, staff: str, role: str = "call-handler") -> None:
    """Fill in the new-trainee form and press Create, as a trainee would."""
    start = window.start_view
    start.name.setText(name)
    start.staff_number.setText(staff)
    start.role.setCurrentIndex(start.role.findData(role))
    start.create_button.click()


def fill_answer(
    view: ScenarioView,
    decision: str,
    crimes: tuple[tuple[str, int], ...] = (),
    flags: tuple[str, ...] = (),
) -> None:
    """Fill in the answer form with its own widgets (typing the offence text)."""
    form = view.form
    form.decision_buttons[decision].click()
    for i, (offence, count) in enumerate(crimes):
        row = form.rows[i] if i < len(form.rows) else None
        if row is None:
            form.add_crime.click()
            row = form.rows[-1]
        row.offence.edit.setText(offence)
        row.count.setValue(count)
    for flag in flags:
        form.flag_boxes[flag].setChecked(True)


@pytest.fixture(autouse=True)
def _no_regrade_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question would hang an offscreen test: decline unless a test says otherwise."""
    from trainer.ui.regrade_offer import RegradeDialog

    monkeypatch.setattr(RegradeDialog, "ask", classmethod(lambda cls, parent, count: False))
