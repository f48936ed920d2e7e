"""The core's rooms import one way only, and no module imports another in a circle.

Rooms, lowest first: content <- grading <- store <- reports <- practice. A room may import the rooms
below it (and `trainer.core.errors`, `trainer.core.paths`), never those above; every import counts,
including the ones made lazily inside functions or only for type checking.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "trainer" / "core"
ROOMS = ("content", "grading", "store", "reports", "practice")
SHARED = ("trainer.core.errors", "trainer.core.paths")
WATCHED = ("trainer", "PySide6")


def imports_of(source: str, module: str) -> set[str]:
    """Every trainer or Qt module that `source` (the text of `module`) imports, as dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(WATCHED))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.rsplit(".", node.level)[0]
                base = f"{parent}.{base}" if base else parent
            if base.startswith(WATCHED):
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
    return found


def room_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["trainer", "core"] and len(parts) > 2 and parts[2] in ROOMS:
        return parts[2]
    return None


def layer_violations(module: str, imported: set[str]) -> list[str]:
    """Imports of `module` that break the rooms' order (or leave the core for the UI or CLI)."""
    room = room_of(module)
    if room is None:
        return []
    rank = ROOMS.index(room)
    bad = []
    for name in sorted(imported):
        if name.startswith(("trainer.ui", "trainer.cli", "PySide6")):
            bad.append(f"{module} imports {name}")
            continue
        other = room_of(name)
        if other is not None and ROOMS.index(other) > rank:
            bad.append(f"{module} ({room}) imports {name} ({other})")
    return bad


def core_modules() -> dict[str, set[str]]:
    modules = {}
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE.parents[1]).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = imports_of(path.read_text(encoding="utf-8"), name)
    return modules


def test_every_core_module_is_in_a_room_or_shared() -> None:
    loose = [m for m in core_modules() if room_of(m) is None and m not in (*SHARED, "trainer.core")]
    assert loose == []


def test_rooms_import_one_way() -> None:
    modules = core_modules()
    problems = [v for name, imported in modules.items() for v in layer_violations(name, imported)]
    assert problems == []


def test_no_import_cycles_between_core_modules() -> None:
    modules = core_modules()
    graph = {
        name: {i for i in imported if i in modules and i != name}
        for name, imported in modules.items()
    }
    # a package's __init__ is imported by its modules; only module-to-module edges make a circle
    graph = {n: {i for i in deps if not n.startswith(i + ".")} for n, deps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("trainer.core.content.catalogue", "from trainer.core.store.sqlite import Store"),
        ("trainer.core.grading.grade", "def f():\n    from trainer.core.reports import team\n"),
        ("trainer.core.store.records", "import trainer.core.reports.statistics"),
        ("trainer.core.reports.team", "from trainer.core.practice.quiz import select_scenarios"),
        ("trainer.core.store.bundles", "from ..practice import quiz_run"),
        ("trainer.core.content.models", "from PySide6.QtCore import Qt"),
        ("trainer.core.grading.feedback", "from trainer.ui.widgets import RuleCardLabel"),
    ],
)
def test_a_deliberately_wrong_import_is_caught(module: str, source: str) -> None:
    assert layer_violations(module, imports_of(source, module)) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("trainer.core.practice.quiz", "from trainer.core.reports.statistics import weak_rules"),
        ("trainer.core.store.records", "from trainer.core.grading.attempt import Attempt"),
        ("trainer.core.content.catalogue", "from trainer.core import paths"),
    ],
)
def test_a_downward_import_is_allowed(module: str, source: str) -> None:
    assert layer_violations(module, imports_of(source, module)) == []
