"""What the trainee side needs of a trainee's history, read through the indexes, never whole:
their summary (running sums), the rules they missed lately and the scenarios they have mastered."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.core.practice.quiz import WEAK_RULES
from trainer.core.reports.figures import tallies
from trainer.core.reports.statistics import Tally, TraineeSummary, summary_of, weak_rules_of
from trainer.core.reports.team import Reader, TeamFilter
from trainer.core.reports.trainee_figures import slugs

RECENT = 30  # the latest answers "my weak rules" looks at (as `statistics.weak_rules`)
WEAK_LIMIT = WEAK_RULES


@dataclass(frozen=True)
class Standing:
    """A trainee's record so far, as the practice screen shows it and a quiz is chosen from."""

    trainee_id: str
    summary: TraineeSummary
    weak_rules: tuple[str, ...]  # most missed first, up to WEAK_LIMIT
    mastered: frozenset[str]  # scenarios answered fully right at least once


def standing(db: Reader, trainee_id: str) -> Standing:
    counts = tallies(db, TeamFilter(), trainee_id).get(trainee_id, Tally())
    recent = db.query(
        "SELECT finding_rules FROM answers WHERE trainee_id = ? "
        f"ORDER BY answered_ts DESC, seq DESC LIMIT {RECENT}",
        [trainee_id],
    )
    mastered = db.query(
        "SELECT DISTINCT scenario_id FROM answers WHERE trainee_id = ? AND score = 100",
        [trainee_id],
    )
    return Standing(
        trainee_id,
        summary_of(trainee_id, counts),
        tuple(weak_rules_of([slugs(r[0]) for r in reversed(recent)], WEAK_LIMIT)),
        frozenset(str(r[0]) for r in mastered),
    )
