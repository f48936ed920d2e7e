"""HMIC malpractice answers: answers that fell into a trap marked as a recording failure the
inspectorate named (a burglary downgraded to damage, a theft logged as lost property ...).

Counted on their own, by trap, per trainee and for the team, with SQL GROUP BYs over the answers'
`malpractice_trap` column (set when an answer is recorded, imported or regraded; a partial index
holds only these answers, so the counts stay quick however many answers there are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainer.core.reports.team import TeamFilter
from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.sqlite import Store


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
    where, params = answer_filter(since=since, until=until, topic=flt.topic)
    if flt.role is not None:
        where += " AND answers.trainee_id IN (SELECT id FROM trainees WHERE role = ?)"
        params.append(flt.role)
    return f"answers.malpractice_trap IS NOT NULL AND {where}", params


# INDEXED BY: without statistics the planner would rather walk a whole index in trainee order.
_FROM = "FROM answers INDEXED BY answers_by_malpractice WHERE {where}"
BY_TRAP = (
    "SELECT scenario_id, max(scenario_title), malpractice_trap, count(*), "
    f"count(DISTINCT trainee_id) {_FROM} "
    "GROUP BY malpractice_trap, scenario_id ORDER BY 4 DESC, 1, 3"
)
BY_TRAINEE = f"SELECT trainee_id, count(*) {_FROM} GROUP BY trainee_id"


def malpractice_counts(store: Store, flt: TeamFilter) -> MalpracticeCounts:
    """The malpractice answers the filter admits, by trap (scenario and trap name) and trainee."""
    where, params = _where(flt)
    traps = store.query(BY_TRAP.format(where=where), params)
    trainees = store.query(BY_TRAINEE.format(where=where), params)
    return MalpracticeCounts(
        tuple(TrapCount(s, title, trap, int(n), int(k)) for s, title, trap, n, k in traps),
        {tid: int(n) for tid, n in trainees},
    )
