"""The one small context the application builds and hands to its windows (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.core.catalogue import Catalogue
from trainer.core.scenarios import Library

if TYPE_CHECKING:
    from trainer.core.store import Store


@dataclass
class AppContext:
    store: Store
    catalogue: Catalogue
    data_dir: Path
    library: Library = field(default_factory=Library)
