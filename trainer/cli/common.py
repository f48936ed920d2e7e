"""What every command module shares: the handler type, output, and the subparsers' type."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:  # argparse's class is generic only to type checkers
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import Library

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


def out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def load_bank(data_dir: str | None) -> tuple[Catalogue, Library]:
    """The catalogue and the scenario bank, as the application loads them, through its caches
    beside the database (files with problems are skipped and counted on standard error)."""
    from trainer.core import paths
    from trainer.core.content.bank_hash_cache import kept_bank_hash
    from trainer.core.content.catalogue_cache import load_catalogue_cached
    from trainer.core.content.library_cache import load_library_cached

    cache = paths.user_data_dir(data_dir) / "cache"
    catalogue = load_catalogue_cached(cache)
    library = load_library_cached([paths.scenarios_dir()], catalogue, cache)
    kept_bank_hash(library, catalogue, cache)  # what an import or a regrade stamps answers with
    if library.problems:
        out(
            f"trainer: {len(library.skipped_files)} scenario file(s) with problems were skipped "
            "(see trainer validate)",
            sys.stderr,
        )
    return catalogue, library
