"""Certainty-based marking (as Moodle's quiz does it): how sure the trainee was of the decision.

Three levels: C1 below 67% sure, C2 67-80%, C3 above 80%. A right recording decision marks
+1/+2/+3, a wrong one 0/-2/-6, so guessing confidently costs more than it gains. The mark is
shown beside the score and never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = (1, 2, 3)
LEVEL_NAMES = {
    1: "C1: not sure (below 67%)",
    2: "C2: fairly sure (67-80%)",
    3: "C3: very sure (above 80%)",
}
BANDS = {1: (0.0, 0.67), 2: (0.67, 0.80), 3: (0.80, 1.0)}  # share right that fits each level
RIGHT_MARK = {1: 1, 2: 2, 3: 3}
WRONG_MARK = {1: 0, 2: -2, 3: -6}


def cbm_mark(certainty: int, right: bool) -> int:
    """The certainty mark of one recording decision."""
    return (RIGHT_MARK if right else WRONG_MARK)[certainty]


@dataclass(frozen=True)
class Calibration:
    """At one certainty level: how many decisions, how many right, against the level's band."""

    level: int
    answers: int
    right: int

    @property
    def share(self) -> float | None:
        return self.right / self.answers if self.answers else None

    @property
    def verdict(self) -> str:
        """'over-confident' below the level's band, 'under-confident' above it, else 'well
        judged'."""
        share = self.share
        if share is None:
            return "no answers"
        low, high = BANDS[self.level]
        below = share <= low if self.level == 3 else share < low  # C3 is "above 80%"
        above = share >= high if self.level == 1 else share > high  # C1 is "below 67%"
        return "over-confident" if below else "under-confident" if above else "well judged"

    @property
    def mean_mark(self) -> float | None:
        if not self.answers:
            return None
        wrong = self.answers - self.right
        total = self.right * RIGHT_MARK[self.level] + wrong * WRONG_MARK[self.level]
        return total / self.answers
