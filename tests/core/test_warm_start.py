"""A warm start (caches written, database current) leaves the slow imports out of start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_warm_start_imports_no_pydantic_yaml_or_sqlite_utils(tmp_path: Path) -> None:
    """What the application's loader does at start-up, once the caches are written."""
    script = f"""
import sys
from pathlib import Path
from trainer.core import paths
from trainer.core.content.catalogue_cache import load_catalogue_cached
from trainer.core.content.library_cache import load_library_cached
from trainer.core.store.sqlite import open_store

cache = Path({str(tmp_path / "cache")!r})
catalogue = load_catalogue_cached(cache)
library = load_library_cached([paths.scenarios_dir()], catalogue, cache)
open_store(Path({str(tmp_path / "data")!r})).close()
print(len(library.scenarios), *sorted({{"pydantic", "yaml", "sqlite_utils"}} & sys.modules.keys()))
"""
    run = [sys.executable, "-c", script]
    cold = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    warm = subprocess.run(run, capture_output=True, text=True, check=True).stdout.split()
    assert cold[1:] == ["pydantic", "sqlite_utils", "yaml"]  # the first start parses and creates
    assert warm == cold[:1]
