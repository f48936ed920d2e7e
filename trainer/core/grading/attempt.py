"""`Attempt`: one graded, stored answer reduced to what the figures need.

It lives with grading (not with the statistics that read it) so the store can build one from a
row without importing the reports room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Attempt:
    """One stored answer, reduced to what the figures need."""

    trainee_id: str
    scenario_id: str
    kind: str  # classify | cancellation
    expected_decision: str
    decision: str
    score: int
    answered_at: datetime
    finding_kinds: tuple[str, ...] = ()
    finding_rules: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    exam: bool = False
