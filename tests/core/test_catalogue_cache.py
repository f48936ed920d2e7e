"""The JSON copy of the catalogue: the same catalogue, refreshed when the sources change."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.core.content import catalogue_cache
from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.catalogue_cache import load_catalogue_cached


def test_the_cached_catalogue_equals_the_loaded_one(tmp_path: Path, catalogue: Catalogue) -> None:
    first = load_catalogue_cached(tmp_path)
    [cache] = tmp_path.glob("catalogue-*.json")
    second = load_catalogue_cached(tmp_path)
    assert first == second == catalogue
    assert first.topics == second.topics == catalogue.topics != {}  # not compared by ==
    assert list(tmp_path.glob("catalogue-*.json")) == [cache]


def test_a_damaged_cache_is_replaced(tmp_path: Path, catalogue: Catalogue) -> None:
    load_catalogue_cached(tmp_path)
    [cache] = tmp_path.glob("catalogue-*.json")
    cache.write_text('{"edition": "tampered"}', encoding="utf-8")
    assert load_catalogue_cached(tmp_path) == catalogue
    assert cache.read_text(encoding="utf-8") != '{"edition": "tampered"}'


def test_a_changed_source_misses_the_cache(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalogue_cached(tmp_path)
    monkeypatch.setattr(catalogue_cache, "catalogue_key", lambda edition: "changed")
    assert load_catalogue_cached(tmp_path) == load_catalogue()
    assert [p.name for p in tmp_path.glob("catalogue-*.json")] == ["catalogue-2026-27-changed.json"]


def test_an_unwritable_cache_folder_still_loads(tmp_path: Path, catalogue: Catalogue) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert load_catalogue_cached(blocked / "cache") == catalogue
