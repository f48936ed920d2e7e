"""The one small context the application builds and hands to its windows (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily: the window shows before the core has loaded
    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import Library
    from trainer.core.store.sqlite import Store


def _no_scenarios() -> Library:
    from trainer.core.content.scenarios import Library

    return Library()


@dataclass
class AppContext:
    store: Store
    catalogue: Catalogue
    data_dir: Path
    library: Library = field(default_factory=_no_scenarios)
