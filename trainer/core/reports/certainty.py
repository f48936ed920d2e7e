"""Certainty and risk figures for supervisors, counted in SQL: calibration, "confident and wrong"
(very sure of a wrong recording decision), and rules at risk (leeches in the rule schedule)."""

from __future__ import annotations

from dataclasses import dataclass

from trainer.core.grading.certainty import LEVELS, Calibration
from trainer.core.store.protocol import ResultsStore

LEECH_LAPSES = 4  # as trainer.core.practice.schedule.LEECH_LAPSES (reports may not import it)
_WRONG = "certainty = 3 AND decision <> expected_decision"  # answers_confident_wrong's condition


def calibration(store: ResultsStore, trainee_id: str | None = None) -> list[Calibration]:
    """Per certainty level, the decisions given at it and how many were right."""
    where, params = ("trainee_id = ? AND", [trainee_id]) if trainee_id else ("", [])
    rows = store.query(
        f"SELECT certainty, count(*), sum(decision = expected_decision) FROM answers "
        f"WHERE {where} certainty IS NOT NULL GROUP BY certainty",
        params,
    )
    found = {level: (n, k) for level, n, k in rows}
    return [Calibration(level, *found.get(level, (0, 0))) for level in LEVELS]


def confident_and_wrong_counts(store: ResultsStore) -> dict[str, int]:
    """Per trainee id, the answers given very sure (C3) with a wrong recording decision."""
    rows = store.query(
        f"SELECT trainee_id, count(*) FROM answers INDEXED BY answers_confident_wrong "
        f"WHERE {_WRONG} GROUP BY trainee_id"
    )
    return {trainee: n for trainee, n in rows}


@dataclass(frozen=True)
class ConfidentWrong:
    trainee_id: str
    scenario_id: str
    scenario_title: str
    decision: str
    expected_decision: str
    answered_at: str


def confident_and_wrong(store: ResultsStore, trainee_id: str | None = None) -> list[ConfidentWrong]:
    """Those answers themselves, newest first (one trainee's, or the team's)."""
    where, params = ("AND trainee_id = ?", [trainee_id]) if trainee_id else ("", [])
    rows = store.query(
        f"SELECT trainee_id, scenario_id, scenario_title, decision, expected_decision, "
        f"answered_at FROM answers INDEXED BY answers_confident_wrong WHERE {_WRONG} {where} "
        f"ORDER BY answered_ts DESC",
        params,
    )
    return [ConfidentWrong(*r) for r in rows]


@dataclass(frozen=True)
class RuleAtRisk:
    rule: str
    trainees: int  # how many trainees have it as a leech
    lapses: int  # their lapses on it, summed


def leeches(store: ResultsStore, trainee_id: str) -> list[tuple[str, int]]:
    """One trainee's leech rules with their lapses, most lapses first."""
    rows = store.query(
        "SELECT rule, lapses FROM rule_schedule WHERE trainee_id = ? AND lapses >= ? "
        "ORDER BY lapses DESC, rule",
        [trainee_id, LEECH_LAPSES],
    )
    return [(rule, n) for rule, n in rows]


def rules_at_risk(store: ResultsStore) -> list[RuleAtRisk]:
    """The team's leech rules: how many trainees keep failing each, most trainees first."""
    rows = store.query(
        "SELECT rule, count(*), sum(lapses) FROM rule_schedule WHERE lapses >= ? "
        "GROUP BY rule ORDER BY count(*) DESC, sum(lapses) DESC, rule",
        [LEECH_LAPSES],
    )
    return [RuleAtRisk(*r) for r in rows]


def leeches_by_trainee(store: ResultsStore) -> dict[str, int]:
    """Per trainee id, how many leech rules they have."""
    rows = store.query(
        "SELECT trainee_id, count(*) FROM rule_schedule WHERE lapses >= ? GROUP BY trainee_id",
        [LEECH_LAPSES],
    )
    return {trainee: n for trainee, n in rows}
