"""The bank hash names what grading depends on: content, not file layout."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from tests.core.conftest import ROOT_SCENARIOS, real_bank
from trainer.core.content import library_cache
from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.library_cache import load_library_cached
from trainer.core.content.scenarios import Library, load_library

FILE = "miscellaneous/tools-by-parked-cars.yaml"


def _hash(library: Library, catalogue: Catalogue) -> str:
    return bank_hash((s.scenario for s in library.scenarios), catalogue)


def test_the_same_content_gives_the_same_hash(tmp_path: Path) -> None:
    library, catalogue = real_bank()
    digest = _hash(library, catalogue)
    assert len(digest) == 16 and digest == _hash(Library(library.scenarios[::-1]), catalogue)
    folder = tmp_path / "bank"
    shutil.copytree(ROOT_SCENARIOS, folder)
    path = folder / FILE
    path.write_text("# reviewed\n" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    path.rename(folder / "moved.yaml")
    assert _hash(load_library([folder], catalogue), catalogue) == digest


def test_the_cache_gives_the_hash_the_files_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, catalogue = real_bank()
    monkeypatch.setattr(library_cache, "SETTLED_NS", 0)  # cache files copied just now
    folder = tmp_path / "bank"
    shutil.copytree(ROOT_SCENARIOS, folder)
    load_library_cached([folder], catalogue, tmp_path / "cache")  # writes the cache
    monkeypatch.setattr(library_cache, "load_file", None)  # every scenario from the cache now
    cached = load_library_cached([folder], catalogue, tmp_path / "cache")
    assert len(cached.scenarios) == len(library.scenarios)
    assert _hash(cached, catalogue) == _hash(library, catalogue)


def test_a_changed_key_or_catalogue_changes_the_hash(tmp_path: Path) -> None:
    library, catalogue = real_bank()
    digest = _hash(library, catalogue)
    folder = tmp_path / "bank"
    shutil.copytree(ROOT_SCENARIOS, folder)
    path = folder / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("count: 1\n", "count: 2\n"), "utf-8")
    assert _hash(load_library([folder], catalogue), catalogue) != digest
    card = dataclasses.replace(catalogue.rule_cards[0], explanation="Reworded.")
    edited = dataclasses.replace(catalogue, rule_cards=(card, *catalogue.rule_cards[1:]))
    assert _hash(library, edited) != digest


def test_the_same_objects_are_hashed_once_and_others_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trainer.core.content import bank_hash as module

    library, catalogue = real_bank()
    digest = _hash(library, catalogue)
    done: list[object] = []
    canonical = module._canonical

    def counted(value: object) -> bytes:
        done.append(value)
        return canonical(value)

    monkeypatch.setattr(module, "_canonical", counted)
    assert _hash(Library(library.scenarios[::-1]), catalogue) == digest  # same objects: kept
    assert done == []
    first = library.scenarios[0]
    edited = dataclasses.replace(first.scenario, title=first.scenario.title + " (edited)")
    changed = Library([dataclasses.replace(first, scenario=edited), *library.scenarios[1:]])
    assert _hash(changed, catalogue) != digest  # one object differs: all hashed again
    assert len(done) == len(library.scenarios) + 1
    equal = dataclasses.replace(first.scenario)  # equal content, another object
    again = Library([dataclasses.replace(first, scenario=equal), *library.scenarios[1:]])
    assert _hash(again, catalogue) == digest
    card = dataclasses.replace(catalogue.rule_cards[0], explanation="Reworded.")
    edited_catalogue = dataclasses.replace(catalogue, rule_cards=(card, *catalogue.rule_cards[1:]))
    assert _hash(library, edited_catalogue) != digest
