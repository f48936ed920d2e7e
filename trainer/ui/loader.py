"""Loading the catalogue and the scenario bank off the GUI thread, so the window never freezes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal

from trainer.core.errors import TrainerError

if TYPE_CHECKING:  # the GUI thread imports no domain modules before the window shows
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import Library


@dataclass(frozen=True)
class LoadedBank:
    catalogue: Catalogue
    library: Library


class BankLoader(QThread):
    """Loads once, then emits `loaded(LoadedBank)` or `failed(message)` on the GUI thread."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        scenario_paths: Sequence[Path] | None,
        cache_dir: Path | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scenario_paths = scenario_paths
        self.cache_dir = cache_dir

    def run(self) -> None:
        try:
            from trainer.core import paths
            from trainer.core.content.bank_hash_cache import kept_bank_hash
            from trainer.core.content.catalogue import load_catalogue
            from trainer.core.content.catalogue_cache import load_catalogue_cached
            from trainer.core.content.library_cache import load_library_cached
            from trainer.core.content.scenarios import load_library

            scenario_paths = self.scenario_paths or [paths.scenarios_dir()]
            if self.cache_dir is None:
                catalogue = load_catalogue()
                library = load_library(scenario_paths, catalogue)
            else:
                catalogue = load_catalogue_cached(self.cache_dir)
                library = load_library_cached(scenario_paths, catalogue, self.cache_dir)
                kept_bank_hash(library, catalogue, self.cache_dir)  # a quiz start asks for it
            import trainer.core.store.sqlite  # noqa: F401  (opened on the GUI thread, imported here)
        except TrainerError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the window must still say why it cannot go on
            self.failed.emit(f"The scenario bank could not be loaded: {type(exc).__name__}: {exc}")
        else:
            self.loaded.emit(LoadedBank(catalogue, library))
