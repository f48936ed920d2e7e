"""The scenario bank's validated scenarios kept as JSON, so the application starts without
parsing and validating every YAML file.

An entry is used only while its file has the same path, size, modification and change times, and
the whole cache only for the same trainer version, the same installed pydantic and the same
scenario types. A cached scenario is rebuilt without validation (see `model_cache`) but still
checked against the catalogue, which is cheap and may have changed since. Everything else (a new,
changed or broken file, as files with problems are never cached) is loaded from its YAML as
before, so problems are found and reported exactly as without the cache.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer import __version__
from trainer.core.content import model_cache
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import check_scenario
from trainer.core.content.models import Scenario
from trainer.core.content.scenarios import Library, LoadedScenario, Problem, load_file, load_library

CACHE_NAME = "scenarios.json"
# Files changed in the last two seconds are not cached: file times tick coarsely, so a second edit
# of the same size within one tick would otherwise look unchanged.
SETTLED_NS = 2_000_000_000


def _key() -> str:
    return "|".join([__version__, model_cache.validator_stamp(), model_cache.fingerprint(Scenario)])


def _stat(path: Path) -> list[int] | None:
    # ctime too: it changes on every write, and unlike mtime cannot be set back by a copy tool
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def _settled(stat: list[int]) -> bool:
    return time.time_ns() - max(stat[1:]) >= SETTLED_NS


def _entries(cache: Path, key: str) -> dict[str, Any]:
    """The cached entries by path, or none if the cache is missing, damaged or for other models."""
    try:
        stored = model_cache.read_sealed(cache)
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("key") != key:
        return {}
    files = stored.get("files")
    return files if isinstance(files, dict) else {}


def _hit(entry: Any, path: Path, stat: list[int], catalogue: Catalogue) -> LoadedScenario | None:
    if not isinstance(entry, dict) or entry.get("stat") != stat:
        return None
    try:
        loaded = LoadedScenario(
            model_cache.rebuild(Scenario, entry["scenario"]), path, str(entry["hash"])
        )
    except (KeyError, ValueError):
        return None
    return None if check_scenario(loaded.scenario, catalogue) else loaded


def load_library_cached(
    paths: Sequence[str | Path], catalogue: Catalogue, cache_dir: Path
) -> Library:
    """`load_library(paths, catalogue)`, reusing what is still current in `cache_dir`."""
    cache, key = cache_dir / CACHE_NAME, _key()
    cached = _entries(cache, key)
    kept: dict[str, Any] = {}

    def load(path: Path, catalogue: Catalogue) -> tuple[LoadedScenario | None, list[Problem]]:
        name, stat = str(path), _stat(path)  # stat before reading: a later edit then misses
        if stat is None:
            return load_file(path, catalogue)
        loaded = _hit(cached.get(name), path, stat, catalogue)
        if loaded is not None:
            kept[name] = cached[name]
            return loaded, []
        loaded, problems = load_file(path, catalogue)
        if loaded is not None and _settled(stat):
            kept[name] = {
                "stat": stat,
                "hash": loaded.content_hash,
                "scenario": model_cache.dump(loaded.scenario),
            }
        return loaded, problems

    library = load_library(paths, catalogue, load)
    if kept != cached:
        with contextlib.suppress(OSError):
            cache_dir.mkdir(parents=True, exist_ok=True)
            model_cache.write_sealed(cache, {"key": key, "files": kept})
    return library
