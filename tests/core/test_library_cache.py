"""The JSON copy of the validated bank: equal to a fresh load, and refreshed by any change."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.core.conftest import ROOT_SCENARIOS
from trainer.core.content import library_cache
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.library_cache import CACHE_NAME, load_library_cached
from trainer.core.content.model_cache import dump
from trainer.core.content.scenarios import Library, load_file, load_library
from trainer.core.content.validation import validate

GOOD = sorted(ROOT_SCENARIOS.rglob("*.yaml"))[:3]
BAD = ("broken.yaml", "id: [unclosed\n")


def assert_same(cached: Library, fresh: Library) -> None:
    assert cached == fresh  # dataclass equality: a list where a tuple belongs would differ


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read from YAML (every other file came from the cache)."""
    read: list[str] = []

    def spy(path: Path, catalogue: Catalogue) -> Any:
        read.append(path.name)
        return load_file(path, catalogue)

    monkeypatch.setattr(library_cache, "load_file", spy)
    return read


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A few real scenario files and a broken one; files count as settled at once."""
    monkeypatch.setattr(library_cache, "SETTLED_NS", 0)
    folder = tmp_path / "bank"
    folder.mkdir()
    for source in GOOD:
        shutil.copy(source, folder / source.name)
    (folder / BAD[0]).write_text(BAD[1], encoding="utf-8")
    return folder


def test_the_real_bank_from_the_cache_equals_a_fresh_load(
    tmp_path: Path, catalogue: Catalogue, loads: list[str]
) -> None:
    fresh = load_library([ROOT_SCENARIOS], catalogue)
    assert fresh.scenarios and not fresh.problems
    assert_same(load_library_cached([ROOT_SCENARIOS], catalogue, tmp_path), fresh)
    assert len(loads) == len(fresh.scenarios)
    loads.clear()
    assert_same(load_library_cached([ROOT_SCENARIOS], catalogue, tmp_path), fresh)
    assert loads == []  # every scenario came from the cache


def test_bad_files_are_never_cached_and_always_reported(
    bank: Path, tmp_path: Path, catalogue: Catalogue, loads: list[str]
) -> None:
    fresh = load_library([bank], catalogue)
    assert fresh.skipped_files == [str(bank / BAD[0])]
    for _ in range(2):
        loads.clear()
        assert_same(load_library_cached([bank], catalogue, tmp_path), fresh)
    assert loads == [BAD[0]]


def test_an_edited_file_misses_the_cache(
    bank: Path, tmp_path: Path, catalogue: Catalogue, loads: list[str]
) -> None:
    load_library_cached([bank], catalogue, tmp_path)
    edited = bank / GOOD[0].name
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    (bank / BAD[0]).write_text(GOOD[1].read_text(encoding="utf-8"), encoding="utf-8")  # now valid
    loads.clear()
    library = load_library_cached([bank], catalogue, tmp_path)
    assert sorted(loads) == sorted([GOOD[0].name, BAD[0]])
    assert_same(library, load_library([bank], catalogue))  # the duplicate id is reported too
    loads.clear()
    assert_same(load_library_cached([bank], catalogue, tmp_path), load_library([bank], catalogue))
    assert loads == []


def test_an_edit_that_keeps_size_and_time_still_misses(
    bank: Path, tmp_path: Path, catalogue: Catalogue, loads: list[str]
) -> None:
    path = bank / GOOD[0].name
    load_library_cached([bank], catalogue, tmp_path)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    at = text.index("title: ") + len("title: ")
    path.write_text(text[:at] + ("X" if text[at] != "X" else "Y") + text[at + 1 :], "utf-8")
    time.sleep(0.05)  # past the file system's clock tick
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time still moves
    assert path.stat().st_size == before.st_size
    loads.clear()
    assert_same(load_library_cached([bank], catalogue, tmp_path), load_library([bank], catalogue))
    assert GOOD[0].name in loads


def test_a_recently_changed_file_is_not_cached_until_it_settles(
    bank: Path,
    tmp_path: Path,
    catalogue: Catalogue,
    loads: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(library_cache, "SETTLED_NS", 3600 * 10**9)
    load_library_cached([bank], catalogue, tmp_path)
    loads.clear()
    load_library_cached([bank], catalogue, tmp_path)
    assert len(loads) == len(GOOD) + 1


def test_scenarios_from_the_cache_are_checked_against_the_catalogue(
    bank: Path, tmp_path: Path, catalogue: Catalogue
) -> None:
    load_library_cached([bank], catalogue, tmp_path)
    scenario = load_file(bank / GOOD[0].name, catalogue)[0]
    assert scenario is not None
    rule = scenario.scenario.expected.rules[0]
    data = dump(catalogue)
    data["rule_cards"] = [r for r in data["rule_cards"] if r["id"] != rule]
    narrower = validate(Catalogue, data)
    library = load_library_cached([bank], narrower, tmp_path)
    assert any(f"unknown rule card {rule!r}" in p.message for p in library.problems)
    assert_same(library, load_library([bank], narrower))


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # cut short
        lambda b: b.replace(b'"title":"', b'"title":"Tampered ', 1),  # its digest no longer fits
        lambda b: b"not a cache at all",
        lambda b: b"",
    ],
)
def test_a_damaged_cache_is_ignored_and_replaced(
    bank: Path, tmp_path: Path, catalogue: Catalogue, loads: list[str], damage: Any
) -> None:
    load_library_cached([bank], catalogue, tmp_path)
    cache = tmp_path / CACHE_NAME
    cache.write_bytes(damage(cache.read_bytes()))
    loads.clear()
    assert_same(load_library_cached([bank], catalogue, tmp_path), load_library([bank], catalogue))
    assert len(loads) == len(GOOD) + 1
    loads.clear()
    load_library_cached([bank], catalogue, tmp_path)
    assert loads == [BAD[0]]


def test_other_versions_or_models_miss_the_cache(
    bank: Path,
    tmp_path: Path,
    catalogue: Catalogue,
    loads: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_library_cached([bank], catalogue, tmp_path)
    monkeypatch.setattr(library_cache, "_key", lambda: "another version")
    loads.clear()
    load_library_cached([bank], catalogue, tmp_path)
    assert len(loads) == len(GOOD) + 1


def test_an_unwritable_cache_folder_still_loads(
    bank: Path, tmp_path: Path, catalogue: Catalogue
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    library = load_library_cached([bank], catalogue, blocked / "cache")
    assert_same(library, load_library([bank], catalogue))
