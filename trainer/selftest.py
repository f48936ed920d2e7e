"""`trainer --self-test`: prove an installation (source or bundle) works, step by step.

Loads the catalogue and the bank, opens a database in a temporary folder, records one graded
answer and reads it back, checks that Qt calls keep None's reference count, and builds the main
window offscreen. Exit 0, or print what failed and exit 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _step(name: str, action: Callable[[], str]) -> bool:
    start = time.perf_counter()
    try:
        detail = action()
    except Exception as exc:  # a self-test reports every failure rather than crash
        print(f"FAIL  {name}: {type(exc).__name__}: {exc}")
        return False
    print(f"ok    {name}: {detail} ({(time.perf_counter() - start) * 1000:.0f} ms)")
    return True


def run_self_test() -> int:
    from trainer import __version__

    print(f"Crime Recording Trainer {__version__} self-test")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    state: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="trainer-self-test-") as tmp:
        steps: list[tuple[str, Callable[[], str]]] = [
            ("catalogue", lambda: _catalogue(state)),
            ("scenario bank", lambda: _bank(state)),
            ("database", lambda: _database(state, Path(tmp))),
            ("bundle signing", _signing),
            ("Qt and None", _none_references),
            ("main window", lambda: _window(state)),
        ]
        ok = all(_step(name, action) for name, action in steps)
        store = state.get("store")
        if store is not None:
            store.close()  # type: ignore[attr-defined]
    print("self-test passed" if ok else "self-test FAILED")
    return 0 if ok else 1


def _signing() -> str:
    """The Ed25519 signing of results bundles (libsodium's native code, through PyNaCl)."""
    from trainer.core.store import keys

    key = keys.SigningKey.generate()
    keys.verify(key.public, key.sign(b"self-test"), b"self-test", "self-test")
    return f"Ed25519 key {keys.fingerprint(key.public)[:19]}… signs and verifies"


def _catalogue(state: dict[str, object]) -> str:
    from trainer.core.content.catalogue import load_catalogue

    catalogue = load_catalogue()
    state["catalogue"] = catalogue
    return (
        f"{catalogue.edition}: {len(catalogue.offences)} offence classes, "
        f"{len(catalogue.rule_cards)} rule cards"
    )


def _bank(state: dict[str, object]) -> str:
    from trainer.core import paths
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import load_library

    catalogue = state["catalogue"]
    assert isinstance(catalogue, Catalogue)
    library = load_library([paths.scenarios_dir()], catalogue)
    if not library.scenarios:
        raise RuntimeError(f"no scenarios found in {paths.scenarios_dir()}")
    if library.problems:
        raise RuntimeError(f"{len(library.problems)} problem(s), first: {library.problems[0]}")
    state["library"] = library
    return f"{len(library.scenarios)} scenarios"


def _database(state: dict[str, object], folder: Path) -> str:
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.models import Answer
    from trainer.core.content.scenarios import Library
    from trainer.core.grading.grade import grade
    from trainer.core.store.records import AnswerRecord, now
    from trainer.core.store.sqlite import open_store

    catalogue, library = state["catalogue"], state["library"]
    assert isinstance(catalogue, Catalogue) and isinstance(library, Library)
    store = open_store(folder)
    state["store"] = store
    loaded = library.scenarios[0]
    answer = Answer(decision="incident" if loaded.scenario.kind == "classify" else "retain")
    trainee = store.create_trainee("Self Test", "ST-0001", "officer")
    session = store.start_session(trainee.id, "self-test")
    shown = now()
    result = grade(loaded.scenario, answer, catalogue)
    record = AnswerRecord.build(
        trainee.id, session, loaded, answer, result, shown, now(), (), False, catalogue
    )
    answer_id = store.record_answer(record)
    back = [row for row in store.answers(trainee_id=trainee.id) if row.id == answer_id]
    if len(back) != 1 or back[0].score != result.score or back[0].answer != answer:
        raise RuntimeError("the answer read back differs from the one recorded")
    return f"recorded and read back one answer (score {result.score}) in {folder}"


NONE_PROBE_CALLS = 1000


def _none_references(call: Callable[[], object] | None = None) -> str:
    """Qt calls that return None must keep None's reference count (PySide6 6.12.0 on Python 3.11
    drops one a call, and the application aborts a few thousand calls later)."""
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import QObject

    if sys.version_info >= (3, 12):
        return f"PySide6 {pyside}; None is immortal on this Python"
    if call is None:
        probe = QObject()
        call = lambda: probe.setObjectName("probe")  # noqa: E731 - a void method
    before = sys.getrefcount(None)
    for _ in range(NONE_PROBE_CALLS):
        call()
    lost = before - sys.getrefcount(None)
    if lost > 0:
        raise RuntimeError(
            f"PySide6 {pyside} lost {lost} references to None in {NONE_PROBE_CALLS} calls: "
            "the application would abort; install the PySide6 version in uv.lock"
        )
    return f"PySide6 {pyside}: {NONE_PROBE_CALLS} Qt calls kept None's reference count"


def _window(state: dict[str, object]) -> str:
    from PySide6.QtWidgets import QApplication

    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import Library
    from trainer.core.store.sqlite import Store
    from trainer.ui.context import AppContext
    from trainer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store, catalogue, library = state["store"], state["catalogue"], state["library"]
    assert isinstance(store, Store) and isinstance(catalogue, Catalogue)
    assert isinstance(library, Library)
    context = AppContext(store=store, catalogue=catalogue, data_dir=Path(store.path or "."))
    context.library = library
    window = MainWindow(context)
    window.resize(1024, 700)
    window.show()
    app.processEvents()
    size = window.size()
    window.close()
    return f"built and showed {type(window).__name__} at {size.width()}x{size.height()}"
