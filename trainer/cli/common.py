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


def load_bank() -> tuple[Catalogue, Library]:
    """The catalogue and the scenario bank, as the application loads them (files with problems
    are skipped and counted on standard error)."""
    from trainer.core import paths
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import load_library

    catalogue = load_catalogue()
    library = load_library([paths.scenarios_dir()], catalogue)
    if library.problems:
        out(
            f"trainer: {len(library.skipped_files)} scenario file(s) with problems were skipped "
            "(see trainer validate)",
            sys.stderr,
        )
    return catalogue, library
