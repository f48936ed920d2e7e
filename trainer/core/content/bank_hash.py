"""The bank's content hash: names exactly what grading depends on, the scenarios and the catalogue.

Stored with every graded answer, so a changed key, a new trap or a changed catalogue shows which
answers were graded under something else (and `trainer regrade` grades them again). It is taken
over the validated content, not the files: reformatting a file, moving it or adding a comment
changes nothing; changing a key, a scenario's text or a rule card does.

Scenarios and the catalogue are frozen, so the same objects always hash the same: the last answer
is kept and given again for the very same objects (a quiz start, a resume, the regrade check and
an import each ask, about 60 ms a time over the whole bank).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from trainer.core.content import model_cache
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Scenario


def _canonical(value: object) -> bytes:
    return json.dumps(
        model_cache.dump(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


_last: tuple[tuple[object, ...], str] | None = None  # (catalogue, *scenarios), their hash


def _objects(scenarios: Iterable[Scenario], catalogue: Catalogue) -> tuple[object, ...]:
    return (catalogue, *sorted(scenarios, key=lambda s: s.id))


def remember(scenarios: Iterable[Scenario], catalogue: Catalogue, value: str) -> None:
    """Take `value` as the hash of these very objects (one kept for the same files: see
    `bank_hash_cache`)."""
    global _last
    _last = (_objects(scenarios, catalogue), value)


def bank_hash(scenarios: Iterable[Scenario], catalogue: Catalogue) -> str:
    """16 hex digits over every scenario (in id order) and the catalogue, canonical JSON each."""
    global _last
    objects = _objects(scenarios, catalogue)
    ordered = objects[1:]
    last = _last
    same = last is not None and len(last[0]) == len(objects)
    if last is not None and same and all(a is b for a, b in zip(last[0], objects, strict=True)):
        return last[1]
    digest = hashlib.sha256()
    for scenario in ordered:
        part = _canonical(scenario)
        digest.update(len(part).to_bytes(8, "big") + part)
    digest.update(b"catalogue" + _canonical(catalogue))
    _last = (objects, digest.hexdigest()[:16])
    return _last[1]
