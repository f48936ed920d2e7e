"""The only module that knows where things live: bundled data, scenarios, assets, user data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _bundle_root() -> Path:
    """The project root from a source checkout, or the unpacked PyInstaller bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else _PACKAGE.parent


def catalogue_dir() -> Path:
    return _PACKAGE / "data" / "catalogue"


def scenarios_dir() -> Path:
    return _bundle_root() / "scenarios"


def assets_dir() -> Path:
    return _bundle_root() / "assets"


def user_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where the database lives: --data-dir, then TRAINER_DATA_DIR, then the platform's folder."""
    if override:
        return Path(override)
    env = os.environ.get("TRAINER_DATA_DIR")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("crime-recording-trainer", appauthor=False)
