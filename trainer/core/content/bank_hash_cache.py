"""The bank's hash kept beside the other content caches, so starting a quiz does not work it out.

`bank_hash` dumps every scenario and the catalogue as canonical JSON (about 60 ms, most of it the
catalogue), and the first quiz of every start asked for it on the GUI thread. The value is kept
under a key naming exactly what it was taken over: this version and its content types, the
catalogue's source files (as the catalogue cache names them) and every loaded scenario file's
content hash (a digest of its bytes). The same files give the same validated content and so the
same hash; any change misses the key and the hash is worked out again. A kept file that cannot
be read, is damaged or names another key is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path

from trainer.core.content import catalogue_cache, model_cache
from trainer.core.content.bank_hash import bank_hash, remember
from trainer.core.content.catalogue import DEFAULT_EDITION, Catalogue
from trainer.core.content.models import Scenario
from trainer.core.content.scenarios import Library

CACHE_NAME = "bank-hash.json"
_HASH = re.compile(r"[0-9a-f]{16}")


def _key(library: Library, edition: str) -> str:
    # The catalogue's key names this version, the installed validator and the catalogue's type.
    parts = [catalogue_cache.catalogue_key(edition), model_cache.fingerprint(Scenario)]
    parts += sorted(f"{s.scenario.id}:{s.content_hash}" for s in library.scenarios)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def kept_bank_hash(
    library: Library, catalogue: Catalogue, cache_dir: Path, edition: str = DEFAULT_EDITION
) -> str:
    """`bank_hash` of the library's scenarios and the catalogue, read from `cache_dir` when kept
    for the same files (else worked out and kept); `bank_hash` then answers for these very
    objects at once."""
    scenarios = [s.scenario for s in library.scenarios]
    try:
        key = _key(library, edition)
    except OSError:
        return bank_hash(scenarios, catalogue)
    cache = cache_dir / CACHE_NAME
    with contextlib.suppress(OSError, ValueError):
        stored = model_cache.read_sealed(cache)
        kept = stored if isinstance(stored, dict) else {}
        value = kept.get("hash")
        if kept.get("key") == key and isinstance(value, str) and _HASH.fullmatch(value):
            remember(scenarios, catalogue, value)
            return value
    value = bank_hash(scenarios, catalogue)
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        model_cache.write_sealed(cache, {"key": key, "hash": value})
    return value
