"""HMIC malpractice answers: answers that fell into a trap marked as a recording failure the
inspectorate named (a burglary downgraded to damage, a theft logged as lost property ...).

Counted on their own, by trap, per trainee and for the team, with a SQL GROUP BY over the answers'
`malpractice_trap` column (set when an answer is recorded, imported or regraded; a partial index
holds only these answers, so the counts stay quick however many answers there are).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from trainer.core.reports.team import Reader, TeamFilter
from trainer.core.store.answer_rows import answer_filter


@dataclass(frozen=True)
class TrapCount:
    scenario_id: str
    scenario_title: str
    trap: str
    answers: int
    trainees: int


@dataclass(frozen=True)
class MalpracticeCounts:
    by_trap: tuple[TrapCount, ...]  # most answers first
    by_trainee: dict[str, int]  # trainee id -> answers; trainees with none are left out

    @property
    def team(self) -> int:
        return sum(t.answers for t in self.by_trap)

    def of(self, trainee_id: str) -> int:
        return self.by_trainee.get(trainee_id, 0)


def _where(flt: TeamFilter) -> tuple[str, list[Any]]:
    """The dashboard filter (role, period, topic) over the malpractice answers."""
    since, until = flt.window()
    # The partial index holds only malpractice answers: the period is not to steer the planner
    # to the time index (an empty partial index has no statistics to tell it how few there are).
    where, params = answer_filter(since=since, until=until, topic=flt.topic, by_time=False)
    if flt.role is not None:
        where += " AND answers.trainee_id IN (SELECT id FROM trainees WHERE role = ?)"
        params.append(flt.role)
    return f"answers.malpractice_trap IS NOT NULL AND {where}", params


# One GROUP BY in the partial index's own order (trap, scenario, trainee), so any engine's planner
# reads just that index; the few groups are then summed by trap and by trainee.
GROUPS = (
    "SELECT malpractice_trap, scenario_id, trainee_id, count(*), max(scenario_title) "
    "FROM answers WHERE {where} GROUP BY malpractice_trap, scenario_id, trainee_id"
)


def malpractice_counts(store: Reader, flt: TeamFilter) -> MalpracticeCounts:
    """The malpractice answers the filter admits, by trap (scenario and trap name) and trainee."""
    where, params = _where(flt)
    answers: Counter[tuple[str, str]] = Counter()
    trainees: Counter[tuple[str, str]] = Counter()
    titles: dict[str, str] = {}
    by_trainee: Counter[str] = Counter()
    for trap, scenario, trainee, n, title in store.query(GROUPS.format(where=where), params):
        answers[scenario, trap] += n
        trainees[scenario, trap] += 1
        titles[scenario] = title
        by_trainee[trainee] += n
    traps = sorted(answers, key=lambda k: (-answers[k], k))
    return MalpracticeCounts(
        tuple(TrapCount(s, titles[s], t, answers[s, t], trainees[s, t]) for s, t in traps),
        dict(by_trainee),
    )
