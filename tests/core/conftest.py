"""Fixtures for core tests: the catalogue and a scenario factory."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.models import Scenario
from trainer.core.content.scenarios import Library, load_library
from trainer.core.content.validation import validate


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


ROOT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@functools.cache
def real_bank() -> tuple[Library, Catalogue]:
    """The real scenario bank and the catalogue, loaded once (treat as read-only)."""
    catalogue = load_catalogue()
    return load_library([ROOT_SCENARIOS], catalogue), catalogue


@pytest.fixture
def bank() -> Library:
    return real_bank()[0]


def scenario_data(**expected: Any) -> dict[str, Any]:
    """A valid classify scenario as plain data; keyword arguments replace keys of `expected`."""
    key: dict[str, Any] = {
        "decision": "crime",
        "crimes": [{"offence": "28J", "count": 1, "victim": "the householder"}],
        "flags": [],
        "rules": ["burglary-entry-point-damage"],
    }
    key.update(expected)
    return {
        "id": "test-scenario",
        "title": "A test scenario",
        "kind": "cancellation" if key["decision"] in ("retain", "cancel") else "classify",
        "audience": ["call-handler"],
        "topics": ["burglary"],
        "difficulty": 1,
        "report": {"channel": "phone-101", "text": "Someone smashed my kitchen window."},
        "expected": key,
        "feedback": "Record an attempted burglary.",
    }


def make_scenario(**expected: Any) -> Scenario:
    return validate(Scenario, scenario_data(**expected))


@pytest.fixture
def write_yaml(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
