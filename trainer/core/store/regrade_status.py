"""What the application and the dashboard ask about regrades: is one due, and when was the last."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library
from trainer.core.store.records import from_iso
from trainer.core.store.regrade import RUNNING_KEY, STALE_KEY
from trainer.core.store.sqlite import Store


@dataclass(frozen=True)
class LastRegrade:
    changed: int
    checked: int
    finished_at: datetime

    def describe(self) -> str:
        """E.g. '1,234 answers regraded on 2026-12-02 after a bank change.'"""
        return (
            f"{self.changed:,} answer(s) regraded on {self.finished_at:%Y-%m-%d} after a bank "
            f"change ({self.checked:,} checked)."
        )


def last_regrade(store: Store) -> LastRegrade | None:
    """The latest finished regrade that changed something, if any."""
    rows = store.query(
        "SELECT changed, checked, finished_at FROM regrades WHERE finished_at IS NOT NULL "
        "AND changed > 0 ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return None
    changed, checked, finished = rows[0]
    return LastRegrade(int(changed), int(checked), from_iso(finished))


# Ranges either side of the current hash rather than "IS NOT": answers_by_bank then finds the few
# answers graded under another bank without reading the others (the application asks on start).
DUE = (
    "SELECT count(*) FROM answers WHERE (bank_hash IS NULL OR bank_hash < ?1 OR bank_hash > ?1) "
    "AND scenario_id IN (SELECT value FROM json_each(?2))"
)


def answers_to_regrade(store: Store, library: Library, catalogue: Catalogue) -> int:
    """How many answers to scenarios in the bank were graded under another bank or catalogue
    (answers recorded before bank hashes were kept count too); -1 if only the summaries are
    stale from an interrupted regrade."""
    current = bank_hash((s.scenario for s in library.scenarios), catalogue)
    ids = json.dumps(sorted(library.by_id))
    [(count,)] = store.query(DUE, [current, ids])
    if count:
        return int(count)
    stale = store.query("SELECT 1 FROM meta WHERE key IN (?, ?)", [STALE_KEY, RUNNING_KEY])
    return -1 if stale else 0
