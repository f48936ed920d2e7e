"""The validated catalogue kept as JSON, so the application starts without re-parsing its YAML.

Parsing the 230 kB of catalogue YAML and validating it costs more than the rest of loading the
scenario bank; the JSON form is rebuilt without validation in a few milliseconds (see
`model_cache`). The cache is keyed by the source files' names, sizes and modification times and by
the versions and models that shape it, so any change simply misses it; a cache that cannot be read
or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from trainer import __version__
from trainer.core import paths
from trainer.core.content import model_cache
from trainer.core.content.catalogue import DEFAULT_EDITION, Catalogue, load_catalogue


def catalogue_key(edition: str) -> str:
    """Names the catalogue's source files as they are now (raises OSError)."""
    parts = [
        __version__,
        model_cache.validator_stamp(),
        model_cache.fingerprint(Catalogue),
        edition,
    ]
    for source in sorted(paths.catalogue_dir().glob(f"*-{edition}.yaml")):
        stat = source.stat()
        parts.append(f"{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def load_catalogue_cached(cache_dir: Path, edition: str = DEFAULT_EDITION) -> Catalogue:
    """`load_catalogue(edition)`, through a JSON copy in `cache_dir` when one is current."""
    try:
        cache = cache_dir / f"catalogue-{edition}-{catalogue_key(edition)}.json"
    except OSError:
        return load_catalogue(edition)
    with contextlib.suppress(OSError, ValueError):
        return model_cache.rebuild(Catalogue, model_cache.read_sealed(cache))
    catalogue = load_catalogue(edition)
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob(f"catalogue-{edition}-*.json"):
            old.unlink()
        model_cache.write_sealed(cache, model_cache.dump(catalogue))
    return catalogue
