"""The bank hash names what grading depends on: content, not file layout."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from tests.core.conftest import ROOT_SCENARIOS, real_bank
from trainer.core.content import bank_hash_cache, library_cache
from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.bank_hash_cache import CACHE_NAME as HASH_CACHE
from trainer.core.content.bank_hash_cache import kept_bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.library_cache import load_library_cached
from trainer.core.content.model_cache import read_sealed, write_sealed
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


# The hash kept beside the content caches (bank_hash_cache) -------------------------------------


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new process: nothing hashed yet."""
    from trainer.core.content import bank_hash as module

    monkeypatch.setattr(module, "_last", None)


def _never(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing the content from here on fails the test."""
    from trainer.core.content import bank_hash as module

    def refuse(value: object) -> bytes:
        raise AssertionError("the bank was hashed again")

    monkeypatch.setattr(module, "_canonical", refuse)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    shutil.copytree(ROOT_SCENARIOS, folder)
    return folder


def test_a_kept_hash_is_the_one_the_files_give_and_is_not_worked_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, catalogue = real_bank()
    _fresh(monkeypatch)
    digest = _hash(library, catalogue)
    folder, cache = _copy(tmp_path), tmp_path / "cache"
    _fresh(monkeypatch)
    assert kept_bank_hash(load_library([folder], catalogue), catalogue, cache) == digest
    assert (cache / HASH_CACHE).exists()
    _fresh(monkeypatch)  # a new process: other objects, the same files
    again = load_library([folder], catalogue)
    _never(monkeypatch)
    assert kept_bank_hash(again, catalogue, cache) == digest
    assert _hash(again, catalogue) == digest  # a quiz start then asks, and it is known


def test_a_changed_file_or_catalogue_misses_the_kept_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, catalogue = real_bank()
    folder, cache = _copy(tmp_path), tmp_path / "cache"
    _fresh(monkeypatch)
    before = kept_bank_hash(load_library([folder], catalogue), catalogue, cache)
    path = folder / FILE
    path.write_text(path.read_text(encoding="utf-8").replace("count: 1\n", "count: 2\n"), "utf-8")
    changed = load_library([folder], catalogue)
    _fresh(monkeypatch)
    after = kept_bank_hash(changed, catalogue, cache)
    _fresh(monkeypatch)
    assert after == _hash(changed, catalogue) != before
    # the catalogue's source files, as the catalogue cache names them, are in the key too
    keyed = bank_hash_cache._key(changed, "2026-27")
    monkeypatch.setattr(bank_hash_cache.catalogue_cache, "catalogue_key", lambda edition: "other")
    assert bank_hash_cache._key(changed, "2026-27") != keyed


@pytest.mark.parametrize(
    "kept",
    [b"not a sealed file at all", "forged", "wrong key", "not a hash", "not a mapping"],
)
def test_a_damaged_or_foreign_kept_hash_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: bytes | str
) -> None:
    library, catalogue = real_bank()
    _fresh(monkeypatch)
    digest = _hash(library, catalogue)
    cache = tmp_path / "cache"
    cache.mkdir()
    key = bank_hash_cache._key(library, "2026-27")
    if isinstance(kept, bytes):
        (cache / HASH_CACHE).write_bytes(kept)
    elif kept == "forged":  # the right key, the digest line not matching the body
        sealed = tmp_path / "sealed.json"
        write_sealed(sealed, {"key": key, "hash": "0123456789abcdef"})
        head, body = sealed.read_bytes().split(b"\n", 1)
        (cache / HASH_CACHE).write_bytes(head + b"\n" + body.replace(b"0123", b"fedc"))
    elif kept == "not a mapping":  # sealed, but a list
        write_sealed(cache / HASH_CACHE, [key, "0123456789abcdef"])
    else:
        value = "0123456789abcdef" if kept == "wrong key" else "not hex at all!!"
        write_sealed(cache / HASH_CACHE, {"key": key + "x" if kept == "wrong key" else key,
                                          "hash": value})  # fmt: skip
    _fresh(monkeypatch)
    assert kept_bank_hash(library, catalogue, cache) == digest
    assert read_sealed(cache / HASH_CACHE) == {"key": key, "hash": digest}  # kept afresh
