"""The supervisor dashboard's figures, as counts and sums the database returns.

Every query here is a GROUP BY over an index or a summary table kept as answers are recorded
(`store.answer_rows.summarise_after`), written in SQL that SQLite and PostgreSQL both run; the
arithmetic on the counts is `statistics`'. Nothing reads the answers one by one into Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trainer.core.reports.statistics import (
    DISPOSAL_ERROR_KINDS,
    WEAK_DISCRIMINATION,
    ItemStats,
    ItemSums,
    Tally,
    TraineeSummary,
    item_stats,
    summary_of,
)
from trainer.core.reports.team import Reader, TeamFilter
from trainer.core.store.records import Trainee


def where(
    flt: TeamFilter, trainee_id: str | None = None, table: str = "", by_time: bool = True
) -> tuple[str, list[Any]]:
    """The filter as a WHERE clause over a table with answered_ts, seq and trainee_id columns.

    Without `by_time` the period is tested row by row (`+answered_ts`), so that the planner reads
    a covering index in the order a GROUP BY wants rather than the time index and every row.
    """
    col = f"{table}." if table else ""
    ts = f"{col}answered_ts" if by_time else f"+{col}answered_ts"
    clauses, params = ["1 = 1"], list[Any]()
    low, high = flt.window()
    if trainee_id is not None:
        clauses.append(f"{col}trainee_id = ?")
        params.append(trainee_id)
    if low is not None:
        clauses.append(f"{ts} >= ?")
        params.append(low.timestamp())
    if high is not None:
        clauses.append(f"{ts} < ?")
        params.append(high.timestamp())
    if flt.role is not None and trainee_id is None:
        clauses.append(f"{col}trainee_id IN (SELECT id FROM trainees WHERE role = ?)")
        params.append(flt.role)
    if flt.topic is not None:
        topic = "SELECT seq FROM answer_topics WHERE topic = ?"
        params.append(flt.topic)
        if low is not None:
            topic += " AND answered_ts >= ?"
            params.append(low.timestamp())
        if high is not None:
            topic += " AND answered_ts < ?"
            params.append(high.timestamp())
        clauses.append(f"{col}seq IN ({topic})")
    return " AND ".join(clauses), params


def moment(ts: float | None) -> datetime | None:
    """A stored answered_ts as a local time, to the millisecond as stored."""
    return None if ts is None else datetime.fromtimestamp(round(ts, 3), UTC).astimezone()


# The team table: one pass over the trainee index, in its order (trainee, time, seq) ------------

_SHOULD_RECORD = "kind = 'classify' AND expected_decision = 'crime'"
TALLY = f"""
    count(*), sum(exam), sum(score),
    sum(CASE WHEN {_SHOULD_RECORD} THEN 1 ELSE 0 END),
    sum(CASE WHEN {_SHOULD_RECORD} AND decision = 'crime' THEN 1 ELSE 0 END),
    sum(CASE WHEN {_SHOULD_RECORD} AND decision = 'crime' AND score = 100 THEN 1 ELSE 0 END),
    sum(CASE WHEN kind = 'cancellation' THEN 1 ELSE 0 END),
    sum(CASE WHEN kind = 'cancellation' AND score = 100 THEN 1 ELSE 0 END),
    max(answered_ts)"""


def tally(row: tuple[Any, ...], early_sum: int = 0) -> Tally:
    """A `Tally` from the TALLY columns of a row."""
    n, exam, total, rn, rk, xk, cn, ck, last = row
    return Tally(n, exam, total, rn, rk, xk, cn, ck, moment(last), early_sum)


def tallies(db: Reader, flt: TeamFilter, trainee_id: str | None = None) -> dict[str, Tally]:
    """Each trainee's counts under the filter, with the sum of the earlier half of their scores
    (for the trend)."""
    if flt.topic is None:
        return _running_tallies(db, flt, trainee_id)
    return _topic_tallies(db, flt, trainee_id)


# Each trainee's last answer within the period (its position in the running sums).
_LAST_AT = """(SELECT position FROM trainee_running r WHERE r.trainee_id = t.id{bounds}
             ORDER BY r.answered_ts DESC, r.seq DESC LIMIT 1) AS last_at"""


# A trainee's answers in a period are consecutive in their history: their counts are the running
# sums at the period's last answer less those before its first (`trainee_running`). The ends are
# materialised so that the joins below compare plain columns: under row-level security (a central
# supervisor) PostgreSQL looks a row up by index only through leakproof conditions, and a
# condition holding a sub-select or arithmetic is not one (it would hash the whole table instead).
# Each end is looked up once: `found` is materialised too, or the planner would copy its
# sub-selects into every expression that uses an end (PostgreSQL looked each one up twice).
_ENDS = """
    found AS MATERIALIZED (
        SELECT id AS trainee_id,
            (SELECT position FROM trainee_running r WHERE r.trainee_id = t.id{bounds}
             ORDER BY r.answered_ts, r.seq LIMIT 1) AS first_at,
            {last_at}
        FROM trainees t WHERE {who}
    ), ends AS MATERIALIZED (
        SELECT trainee_id, first_at, last_at,
            first_at + (last_at - first_at + 1) / 2 - 1 AS mid_at
        FROM found
    )
"""
_RUNNING = """
    WITH {ends}
    SELECT e.trainee_id, l.position - f.position + 1,
        {differences},
        l.answered_ts,
        coalesce(m.c_score, f.c_score - f.score) - f.c_score + f.score
    FROM ends e
    JOIN trainee_running f ON f.trainee_id = e.trainee_id AND f.position = e.first_at
    JOIN trainee_running l ON l.trainee_id = e.trainee_id AND l.position = e.last_at
    LEFT JOIN trainee_running m ON m.trainee_id = e.trainee_id AND m.position = e.mid_at
"""
# Without a first day the period starts with each trainee's first answer (position 1, nothing
# before it): the running sums at its last answer are the counts; the first end is not looked up.
_FROM_START_ENDS = """
    found AS MATERIALIZED (
        SELECT id AS trainee_id,
            {last_at}
        FROM trainees t WHERE {who}
    ), ends AS MATERIALIZED (
        SELECT trainee_id, last_at, last_at / 2 AS mid_at FROM found
    )
"""
_FROM_START = """
    WITH {ends}
    SELECT e.trainee_id, l.position, {differences}, l.answered_ts, coalesce(m.c_score, 0)
    FROM ends e
    JOIN trainee_running l ON l.trainee_id = e.trainee_id AND l.position = e.last_at
    LEFT JOIN trainee_running m ON m.trainee_id = e.trainee_id AND m.position = e.mid_at
"""
_COUNTED = ("exam", "score", "record_n", "record_k", "exact_k", "cancel_n", "cancel_k")


def _running_tallies(db: Reader, flt: TeamFilter, trainee_id: str | None) -> dict[str, Tally]:
    low, high = flt.window()
    bounds, params = "", list[Any]()
    for op, moment_ in ((">=", low), ("<", high)):
        if moment_ is not None:
            bounds += f" AND r.answered_ts {op} ?"
            params.append(moment_.timestamp())
    if trainee_id is not None:
        who, who_params = "t.id = ?", [trainee_id]
    elif flt.role is not None:
        who, who_params = "t.role = ?", [flt.role]
    else:
        who, who_params = "1 = 1", []
    if low is None:
        ends = _FROM_START_ENDS.format(last_at=_LAST_AT.format(bounds=bounds), who=who)
        totals = ", ".join(f"l.c_{c}" for c in _COUNTED)
        sql, bound = _FROM_START.format(ends=ends, differences=totals), [*params, *who_params]
    else:
        ends = _ENDS.format(bounds=bounds, last_at=_LAST_AT.format(bounds=bounds), who=who)
        differences = ", ".join(f"l.c_{c} - f.c_{c} + f.{c}" for c in _COUNTED)
        sql = _RUNNING.format(ends=ends, differences=differences)
        bound = [*params, *params, *who_params]
    rows = db.query(sql, bound)
    return {r[0]: tally(r[1:10], r[10]) for r in rows}


def _topic_tallies(db: Reader, flt: TeamFilter, trainee_id: str | None) -> dict[str, Tally]:
    """A topic picks answers here and there in a history: count them one by one."""
    clause, params = where(flt, trainee_id)
    rows = db.query(
        f"""
        SELECT trainee_id, {TALLY},
            sum(CASE WHEN position <= answers / 2 THEN score ELSE 0 END)
        FROM (
            SELECT trainee_id, exam, kind, expected_decision, decision, score, answered_ts,
                row_number() OVER (PARTITION BY trainee_id ORDER BY answered_ts, seq) AS position,
                count(*) OVER (PARTITION BY trainee_id) AS answers
            FROM answers WHERE {clause}
        ) AS ranked
        GROUP BY trainee_id
        """,
        params,
    )
    return {r[0]: tally(r[1:10], r[10]) for r in rows}


def disposal_errors(db: Reader, flt: TeamFilter, trainee_id: str | None = None) -> dict[str, int]:
    """Per trainee, the out-of-court disposal errors under the filter: findings of a wrong
    disposal decision, authority or outcome type (a GROUP BY over `answer_kinds`)."""
    clause, params = where(flt, trainee_id)
    marks = ", ".join("?" for _ in DISPOSAL_ERROR_KINDS)
    rows = db.query(
        f"SELECT trainee_id, sum(n) FROM answer_kinds WHERE kind IN ({marks}) AND {clause} "
        "GROUP BY trainee_id",
        [*DISPOSAL_ERROR_KINDS, *params],
    )
    return {str(t): int(n) for t, n in rows}


@dataclass(frozen=True)
class TeamRow:
    trainee: Trainee
    summary: TraineeSummary
    disposal_errors: int = 0  # out-of-court disposal errors


def team_rows(
    trainees: Iterable[Trainee],
    counts: Mapping[str, Tally],
    errors: Mapping[str, int] | None = None,
) -> list[TeamRow]:
    """One row per trainee, with no answers too (their figures say so)."""
    errors = errors or {}
    return [
        TeamRow(t, summary_of(t.id, counts.get(t.id, Tally())), errors.get(t.id, 0))
        for t in trainees
    ]


# Findings by kind and rule card, crime groups: GROUP BY over the summary tables ----------------


def _all_time(flt: TeamFilter) -> tuple[str, list[Any]] | None:
    """For a filter without dates or topic: the WHERE clause over `trainee_findings` (each
    trainee's findings of all time, a few rows per trainee), else None."""
    if flt.since is not None or flt.until is not None or flt.topic is not None:
        return None
    if flt.role is None:
        return "1 = 1", []
    return "trainee_id IN (SELECT id FROM trainees WHERE role = ?)", [flt.role]


def findings_by_kind(db: Reader, flt: TeamFilter, trainee_id: str | None = None) -> Counter[str]:
    whole = _all_time(flt) if trainee_id is None else None
    if whole is not None:
        rows = db.query(
            f"SELECT kind, sum(n) FROM trainee_findings WHERE {whole[0]} GROUP BY kind", whole[1]
        )
    else:
        clause, params = where(flt, trainee_id)
        rows = db.query(
            f"SELECT kind, sum(n) FROM answer_kinds WHERE {clause} GROUP BY kind", params
        )
    return Counter({k: int(n) for k, n in rows})


def findings_by_rule(db: Reader, flt: TeamFilter, trainee_id: str | None = None) -> Counter[str]:
    """Findings per rule card, most first (ties by rule id)."""
    whole = _all_time(flt) if trainee_id is None else None
    table, (clause, params) = ("trainee_findings", whole) if whole else (
        "answer_rules", where(flt, trainee_id))  # fmt: skip
    rows = db.query(
        f"SELECT rule, sum(n) FROM {table} WHERE {clause} GROUP BY rule ORDER BY sum(n) DESC, rule",
        params,
    )
    return Counter({r: int(n) for r, n in rows})


@dataclass(frozen=True)
class GroupCount:
    """Answers in one crime group and how many of them were fully right."""

    crime_group: str
    answers: int
    perfect: int


def by_group(db: Reader, flt: TeamFilter, trainee_id: str | None = None) -> list[GroupCount]:
    clause, params = where(flt, trainee_id)
    rows = db.query(
        f"SELECT crime_group, sum(n), sum(n * perfect) FROM answer_groups WHERE {clause} "
        "GROUP BY crime_group ORDER BY crime_group",
        params,
    )
    return [GroupCount(g, int(n), int(k)) for g, n, k in rows]


# Item analysis: per (scenario, trainee) means, then sums of x, y, x², y², xy per scenario -------

_ITEMS = """
    WITH own AS (
        SELECT scenario_id, trainee_id, count(*) AS answers, sum(score) AS score_sum,
            1.0 * sum(score) / count(*) AS x
        FROM answers WHERE {clause}
        GROUP BY scenario_id, trainee_id
    ), overall AS (
        SELECT trainee_id, sum(x) AS total, count(*) AS items FROM own GROUP BY trainee_id
    ), pairs AS (
        SELECT own.scenario_id, own.answers, own.score_sum, overall.items, own.x,
            CASE WHEN overall.items > 1
                THEN (overall.total - own.x) / (overall.items - 1) END AS y
        FROM own JOIN overall ON overall.trainee_id = own.trainee_id
    )
    SELECT scenario_id, sum(answers), sum(score_sum), count(*),
        sum(CASE WHEN items > 1 THEN 1 ELSE 0 END),
        sum(CASE WHEN items > 1 THEN x ELSE 0 END), sum(coalesce(y, 0)),
        sum(CASE WHEN items > 1 THEN x * x ELSE 0 END), sum(coalesce(y * y, 0)),
        sum(coalesce(x * y, 0))
    FROM pairs GROUP BY scenario_id ORDER BY scenario_id
"""


@dataclass(frozen=True)
class ItemRow:
    stats: ItemStats
    title: str

    @property
    def review(self) -> str:
        """Why the scenario needs looking at, or '' when nothing suggests it."""
        d = self.stats.discrimination
        if d is None:
            return ""
        if d < 0:
            return "Review: check the key and the report"
        if d < WEAK_DISCRIMINATION:
            return "Weak discrimination"
        return ""


def item_sums(db: Reader, flt: TeamFilter) -> list[ItemSums]:
    clause, params = where(flt, by_time=False)  # through answers_by_scenario, in its order
    rows = db.query(_ITEMS.format(clause=clause), params)
    return [
        ItemSums(sid, int(a), int(s), int(t), int(n), float(sx), float(sy), float(sxx),
                 float(syy), float(sxy))
        for sid, a, s, t, n, sx, sy, sxx, syy, sxy in rows
    ]  # fmt: skip


def scenario_titles(db: Reader, scenario_ids: Iterable[str]) -> dict[str, str]:
    """A stored title for each scenario (one index look-up each)."""
    out = {}
    for sid in scenario_ids:
        rows = db.query("SELECT scenario_title FROM answers WHERE scenario_id = ? LIMIT 1", [sid])
        out[sid] = str(rows[0][0]) if rows else sid
    return out


def item_rows(db: Reader, flt: TeamFilter) -> list[ItemRow]:
    sums = item_sums(db, flt)
    titles = scenario_titles(db, [s.scenario_id for s in sums])
    return [ItemRow(item_stats(s), titles[s.scenario_id]) for s in sums]


# What each dashboard tab shows, read in one go off the GUI thread ------------------------------


@dataclass(frozen=True)
class TeamFigures:
    """The Team tab: the trainees of the filter's role, their rows and the team's counts."""

    filter: TeamFilter
    trainees: tuple[Trainee, ...]
    rows: tuple[TeamRow, ...]
    team: TraineeSummary
    answers: int
    # Out-of-court disposal errors per trainee (of the filter's role), counted in SQL.
    disposal_errors: Mapping[str, int] = field(default_factory=dict)

    @property
    def team_disposal_errors(self) -> int:
        return sum(self.disposal_errors.values())


def team_figures(db: Reader, flt: TeamFilter) -> TeamFigures:
    trainees = tuple(t for t in db.trainees() if flt.admits_trainee(t))
    counts = tallies(db, flt)
    errors = disposal_errors(db, flt)
    total = sum(counts.values(), Tally())
    return TeamFigures(
        flt,
        trainees,
        tuple(team_rows(trainees, counts, errors)),
        summary_of("team", total, with_trend=False),
        total.answers,
        errors,
    )


@dataclass(frozen=True)
class BreakdownFigures:
    """The Rules and crime groups tab: findings by kind and rule card, answers by crime group."""

    filter: TeamFilter
    kinds: Counter[str]
    rules: Counter[str]
    groups: tuple[GroupCount, ...]


def breakdown_figures(db: Reader, flt: TeamFilter) -> BreakdownFigures:
    return BreakdownFigures(
        flt, findings_by_kind(db, flt), findings_by_rule(db, flt), tuple(by_group(db, flt))
    )


@dataclass(frozen=True)
class ItemFigures:
    """The Scenarios tab: item analysis."""

    filter: TeamFilter
    rows: tuple[ItemRow, ...]


def item_figures(db: Reader, flt: TeamFilter) -> ItemFigures:
    return ItemFigures(flt, tuple(item_rows(db, flt)))
