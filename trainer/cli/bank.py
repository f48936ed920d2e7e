"""The scenario bank for commands that need the expected keys, through the app's caches."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.core.content.scenarios import LoadedScenario


def bank_by_id(data_dir: str | None) -> dict[str, LoadedScenario]:
    """The installed bank's valid scenarios by id (files with problems are left out)."""
    from trainer.core import paths
    from trainer.core.content.catalogue_cache import load_catalogue_cached
    from trainer.core.content.library_cache import load_library_cached

    cache = paths.user_data_dir(data_dir) / "cache"
    catalogue = load_catalogue_cached(cache)
    library = load_library_cached([Path(paths.scenarios_dir())], catalogue, cache)
    return library.by_id
