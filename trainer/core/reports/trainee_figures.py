"""One trainee's page of the dashboard: their figures under the filter, as the database counts
them (the trainee index keeps each query to their own answers)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trainer.core.reports.figures import TALLY, disposal_errors, moment, tallies, where
from trainer.core.reports.statistics import (
    OUTCOME_KINDS,
    Proportion,
    Tally,
    TraineeSummary,
    summary_of,
    weak_rules_of,
)
from trainer.core.reports.team import Reader, TeamFilter
from trainer.core.reports.team_breakdown import DayCount
from trainer.core.store.records import Trainee, from_iso

RECENT = 30  # "lately": the answers `weak_rules` looks at


def slugs(text: str) -> tuple[str, ...]:
    """A stored slug list, '["a","b"]' (the schema allows no other shape), as a tuple."""
    return tuple(text[2:-2].split('","')) if text != "[]" else ()


def summary(db: Reader, trainee_id: str, flt: TeamFilter) -> TraineeSummary:
    return summary_of(trainee_id, tallies(db, flt, trainee_id).get(trainee_id, Tally()))


def weak_rules(db: Reader, trainee_id: str, flt: TeamFilter, limit: int = 3) -> list[str]:
    """The rule cards missed most in the trainee's latest answers under the filter."""
    clause, params = where(flt, trainee_id)
    rows = db.query(
        f"SELECT finding_rules FROM answers WHERE {clause} "
        f"ORDER BY answered_ts DESC, seq DESC LIMIT {RECENT}",
        params,
    )
    return weak_rules_of([slugs(r[0]) for r in reversed(rows)], limit)


_SHOULD_RECORD = "kind = 'classify' AND expected_decision = 'crime'"


def days(db: Reader, trainee_id: str, flt: TeamFilter) -> list[DayCount]:
    """Answers per day (as recorded, in local time), for the weekly chart."""
    clause, params = where(flt, trainee_id)
    rows = db.query(
        f"""
        SELECT substr(answered_at, 1, 10), count(*), sum(score),
            sum(CASE WHEN {_SHOULD_RECORD} THEN 1 ELSE 0 END),
            sum(CASE WHEN {_SHOULD_RECORD} AND decision = 'crime' THEN 1 ELSE 0 END)
        FROM answers WHERE {clause} GROUP BY substr(answered_at, 1, 10)
        """,
        params,
    )
    return [DayCount(date.fromisoformat(d), n, s, rn, rk) for d, n, s, rn, rk in rows]


def rule_pairs(
    db: Reader, trainee_id: str, flt: TeamFilter
) -> list[tuple[tuple[str, ...], tuple[str, ...], int]]:
    """(rules, kinds, answers) for each distinct pair of finding lists, for `rule_lines`."""
    clause, params = where(flt, trainee_id)
    rows = db.query(
        f"SELECT finding_rules, finding_kinds, count(*) FROM answers "
        f"WHERE {clause} AND finding_rules <> '[]' GROUP BY finding_rules, finding_kinds",
        params,
    )
    return [(slugs(r), slugs(k), int(n)) for r, k, n in rows]


@dataclass(frozen=True)
class SessionLine:
    """One quiz session: when, what mode, and its answers' counts under the filter."""

    started_at: datetime
    mode: str
    tally: Tally

    @property
    def answers(self) -> int:
        return self.tally.answers

    @property
    def mean_score(self) -> float | None:
        return summary_of("", self.tally, with_trend=False).mean_score

    @property
    def recording(self) -> Proportion:
        return Proportion(self.tally.record_k, self.tally.record_n)


def sessions(db: Reader, trainee_id: str, flt: TeamFilter) -> list[SessionLine]:
    """The trainee's sessions with answers under the filter, newest first."""
    clause, params = where(flt, trainee_id, table="answers")
    rows = db.query(
        f"""
        SELECT q.started_at, q.mode, c.*
        FROM (SELECT session_id, {TALLY} FROM answers WHERE {clause} GROUP BY session_id) AS c
        JOIN quiz_sessions q ON q.id = c.session_id
        ORDER BY q.started_ts DESC
        """,
        params,
    )
    return [SessionLine(from_iso(r[0]), r[1], _tally(r[3:])) for r in rows]


def _tally(row: tuple[Any, ...]) -> Tally:
    n, exam, total, rn, rk, xk, cn, ck, last = row
    return Tally(n, exam, total, rn, rk, xk, cn, ck, moment(last))


@dataclass(frozen=True)
class TraineePage:
    """Everything the Trainee tab shows for one trainee, but their answers (paged)."""

    trainee: Trainee
    filter: TeamFilter
    summary: TraineeSummary
    weak_rules: list[str]
    days: list[DayCount]
    rule_pairs: list[tuple[tuple[str, ...], tuple[str, ...], int]]
    sessions: list[SessionLine]
    answers: int
    disposal_errors: int = 0  # out-of-court disposal errors under the filter

    @property
    def findings(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for rules, _, n in self.rule_pairs:
            for r in rules:
                out[r] += n
        return out


def outcome_accuracy(db: Reader, trainee_id: str, flt: TeamFilter) -> Proportion:
    """Of the trainee's disposal reviews and outcome decisions, the share decided fully right."""
    clause, params = where(flt, trainee_id)
    marks = ", ".join("?" for _ in OUTCOME_KINDS)
    rows = db.query(
        "SELECT count(*), sum(CASE WHEN score = 100 THEN 1 ELSE 0 END) FROM answers "
        f"WHERE kind IN ({marks}) AND {clause}",
        [*OUTCOME_KINDS, *params],
    )
    n, k = rows[0] if rows else (0, 0)
    return Proportion(int(k or 0), int(n or 0))


def trainee_page(db: Reader, trainee: Trainee, flt: TeamFilter) -> TraineePage:
    s = dataclasses.replace(
        summary(db, trainee.id, flt), outcome_accuracy=outcome_accuracy(db, trainee.id, flt)
    )
    return TraineePage(
        trainee,
        flt,
        s,
        weak_rules(db, trainee.id, flt),
        days(db, trainee.id, flt),
        rule_pairs(db, trainee.id, flt),
        sessions(db, trainee.id, flt),
        s.attempts + s.exam_attempts,
        disposal_errors(db, flt, trainee.id).get(trainee.id, 0),
    )
