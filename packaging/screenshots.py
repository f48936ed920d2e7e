"""Take the README's screenshots from the real application: offscreen, a temporary data folder,
the real scenario bank. Run: QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/screenshots.py

Saves assets/screenshots/{start,practice,scenario,feedback,exam-results,progress}.png and
offence-search.png; arguments OUT_DIR and WIDTHxHEIGHT (e.g. `/tmp/small 1024x700`) check the
smallest supported size.
Look at them: with fonts missing every glyph is a box while all the tests still pass.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QPoint, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from trainer.core import paths
from trainer.core.practice.quiz import Quiz, QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.ui.main_window import MainWindow
from trainer.ui.trainee import content_note, leave_quiz

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.assets_dir() / "screenshots"
SIZE = tuple(int(n) for n in sys.argv[2].split("x")) if len(sys.argv) > 2 else (1100, 760)


def settle(app: QApplication, ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def save(app: QApplication, window: MainWindow, name: str) -> None:
    settle(app)
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    print(f"saved {path}")


def wait_for(app: QApplication, ready: Callable[[], bool], seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if ready():
            return
        settle(app, 50)
    raise SystemExit("the application did not load in time")


def save_with_popup(app: QApplication, window: MainWindow, popup: QWidget, name: str) -> None:
    """The window with an open drop-down list painted where it shows (a grab leaves it out)."""
    settle(app)
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0))), popup.grab())
    painter.end()
    path = OUT / f"{name}.png"
    picture.save(str(path))
    print(f"saved {path}")


def type_into(widget: QWidget, text: str) -> None:
    """Key presses, as typing sends them (the search runs on each)."""
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_Space
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def answer(window: MainWindow, decision: str, crimes: list[tuple[str, int]], flags=()) -> None:  # type: ignore[no-untyped-def]
    assert window.quiz_screen is not None
    form = window.quiz_screen.scenario_view.form
    if decision in form.decision_buttons:
        form.decision_buttons[decision].click()
    else:  # an outcome type
        form.outcome.setCurrentIndex(max(0, form.outcome.findData(decision)))
    for i, (code, count) in enumerate(crimes):
        if i >= len(form.rows):
            form.add_crime.click()
        offence = window.context.catalogue.offence_by_code[code]  # type: ignore[union-attr]
        form.rows[i].offence.set_text(offence.label)
        form.rows[i].count.setValue(count)
    for flag in flags:
        form.flag_boxes[flag].setChecked(True)


def run_on(window: MainWindow, ids: list[str], plan: QuizPlan) -> None:
    """A quiz over chosen scenarios of the real bank, so each picture shows a known case."""
    ctx, trainee = window.context, window.trainee
    assert ctx is not None and trainee is not None and window.quiz_screen is not None
    by_id = ctx.library.by_id
    quiz = Quiz([by_id[i].scenario for i in ids], len(ids), exam=plan.exam)
    session = ctx.store.start_session(trainee.id, plan.mode)
    run = QuizRun(ctx.store, trainee, plan, quiz, session, ctx.catalogue, by_id)
    window.pages.setCurrentWidget(window.quiz_screen)
    window.quiz_screen.start(run)


def history(window: MainWindow) -> None:
    """Some earlier practice, so the progress screen has lines to draw."""
    ctx = window.context
    assert ctx is not None and window.practice_view is not None
    rng = random.Random(7)
    for _ in range(3):
        window.practice_view.select("mixed")
        window.practice_view.count.setValue(6)
        window.practice_view.start.click()
        quiz = window.quiz_screen
        assert quiz is not None
        while quiz.currentWidget() is quiz.scenario_view:
            scenario = quiz.scenario_view.scenario
            assert scenario is not None
            key = scenario.expected
            if rng.random() < 0.6:  # right
                answer(window, key.decision, [(c.offence, c.count) for c in key.crimes], key.flags)
                form = quiz.scenario_view.form
                form.incident_code.setCurrentIndex(
                    max(0, form.incident_code.findData(key.incident_code))
                )
                form.reason.setCurrentIndex(max(0, form.reason.findData(key.cancellation_reason)))
                form.refer_to.setCurrentIndex(max(0, form.refer_to.findData(key.refer_to)))
                form.authority.setCurrentIndex(max(0, form.authority.findData(key.authority or "")))
            else:
                wrong = "retain" if scenario.kind == "cancellation" else "incident"
                answer(
                    window,
                    wrong if key.decision != wrong else "cancel" if wrong == "retain" else "crime",
                    [("49", 1)] if wrong == "incident" == key.decision else [],
                )
                form = quiz.scenario_view.form
                form.reason.setCurrentIndex(1)
            quiz.scenario_view.submit.click()
            if quiz.currentWidget() is quiz.scenario_view:  # the form said "not yet": skip it
                quiz.run.skip()  # type: ignore[union-attr]
                quiz.show_current()
                continue
            quiz.feedback_view.next_button.click()
        quiz.results_view.done_button.click()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    content_note.ContentNote.ask = staticmethod(lambda parent: "skip")  # type: ignore[method-assign]
    leave_quiz.LeaveQuizDialog.ask = staticmethod(  # type: ignore[method-assign]
        lambda parent, quitting, exam: "keep"  # closing at the end leaves a quiz under way
    )
    with tempfile.TemporaryDirectory(prefix="trainer-shots-") as tmp:
        window = MainWindow(data_dir=Path(tmp))
        window.resize(SIZE[0], SIZE[1])
        window.show()
        window.load()
        wait_for(app, lambda: window.context is not None)
        store = window.context.store  # type: ignore[union-attr]
        store.create_trainee("Priya Shah", "CH2231", "call-handler", "north-contact-centre")
        store.create_trainee("Tom Evans", "PC4410", "officer", "south-response")
        window.show_start()
        window.start_view.name.setText("Sam Okafor")
        window.start_view.staff_number.setText("CH2307")
        window.start_view.unit.setText("north-contact-centre")
        save(app, window, "start")

        window.start_view.create_button.click()
        history(window)
        window.practice_view.select("group", "burglary")  # type: ignore[union-attr]
        window.practice_view.count.setValue(5)  # type: ignore[union-attr]
        save(app, window, "practice")

        run_on(window, ["burglary-smashed-kitchen-window"], QuizPlan("topic", "burglary", 1))
        view = window.quiz_screen.scenario_view  # type: ignore[union-attr]
        view.ask_buttons[0].click()
        answer(window, "crime", [("58A", 1)])
        save(app, window, "scenario")

        view.submit.click()
        save(app, window, "feedback")
        window.quiz_screen.feedback_view.next_button.click()  # type: ignore[union-attr]
        window.quiz_screen.results_view.done_button.click()  # type: ignore[union-attr]

        exam = [
            "burglary-smashed-kitchen-window",
            "theft-phone-from-zipped-bag-on-bus",
            "cancellation-victim-withdraws-support",
        ]
        run_on(window, exam, QuizPlan("exam", "call-handler", 3, 20))
        answer(window, "crime", [("28J", 1)])
        window.quiz_screen.scenario_view.submit.click()  # type: ignore[union-attr]
        answer(window, "incident", [])
        window.quiz_screen.scenario_view.submit.click()  # type: ignore[union-attr]
        answer(window, "retain", [])
        window.quiz_screen.scenario_view.submit.click()  # type: ignore[union-attr]
        save(app, window, "exam-results")
        window.quiz_screen.results_view.done_button.click()  # type: ignore[union-attr]

        window.show_progress()
        save(app, window, "progress")

        run_on(window, ["vio-single-punch-broken-jaw"], QuizPlan("topic", "violence", 1))
        form = window.quiz_screen.scenario_view.form  # type: ignore[union-attr]
        form.decision_buttons["crime"].click()
        picker = form.rows[0].offence
        picker.setFocus()
        type_into(picker, "wounding")
        save_with_popup(app, window, picker.popup, "offence-search")
        picker.popup.hide()
        window.close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
