"""The answers behind a figure (a bar, a trainee), a page at a time, newest first.

Pages are keyset queries: each page starts after the last answer of the one before, through the
index the filter names (a finding kind's, a rule card's or a crime group's summary table, or the
trainee index), so the hundredth page costs what the first does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainer.core.reports.figures import where
from trainer.core.reports.team import Reader, TeamFilter
from trainer.core.store.records import from_iso

PAGE = 200


@dataclass(frozen=True)
class Behind:
    """Which answers: those with a finding of `kind`, under `rule`, in `crime_group`, or of a
    trainee (all None: every answer the filter admits)."""

    kind: str | None = None
    rule: str | None = None
    crime_group: str | None = None
    trainee_id: str | None = None

    def source(self) -> tuple[str, str, list[Any]]:
        """The table to walk, its alias's condition and parameters."""
        for table, column, value in (
            ("answer_kinds", "kind", self.kind),
            ("answer_rules", "rule", self.rule),
            ("answer_groups", "crime_group", self.crime_group),
        ):
            if value is not None:
                return table, f"s.{column} = ?", [value]
        return "answers", "1 = 1", []


@dataclass(frozen=True)
class AnswerLine:
    """One answer as a drill-down table shows it."""

    seq: int
    answered_ts: float
    answered_at: datetime
    trainee: str
    scenario_id: str
    title: str
    exam: bool
    expected: str
    decided: str
    score: int
    findings: tuple[str, ...]
    answer_id: str = ""  # the stored answer's, to open it in full

    @property
    def findings_text(self) -> str:
        return "; ".join(self.findings) if self.findings else "—"


def _messages(findings_json: str, behind: Behind) -> tuple[str, ...]:
    return tuple(
        f["message"]
        for f in json.loads(findings_json)
        if (behind.kind is None or f["kind"] == behind.kind)
        and (behind.rule is None or f["rule"] == behind.rule)
    )


def answer_page(
    db: Reader,
    flt: TeamFilter,
    behind: Behind,
    after: tuple[float, int] | None = None,
    limit: int = PAGE,
) -> list[AnswerLine]:
    """Up to `limit` answers, newest first, older than `after` (answered_ts, seq) when given."""
    table, condition, params = behind.source()
    clause, filter_params = where(flt, behind.trainee_id, table="s")
    keyset = ""
    if after is not None:
        keyset = " AND (s.answered_ts < ? OR (s.answered_ts = ? AND s.seq < ?))"
        filter_params += [after[0], after[0], after[1]]
    join = "" if table == "answers" else " JOIN answers a ON a.seq = s.seq"
    a = "s" if table == "answers" else "a"
    rows = db.query(
        f"SELECT s.seq, s.answered_ts, {a}.answered_at, t.name, {a}.scenario_id, "
        f"{a}.scenario_title, {a}.exam, {a}.expected_decision, {a}.decision, {a}.score, "
        f"{a}.findings, {a}.id FROM {table} s{join} JOIN trainees t ON t.id = s.trainee_id "
        f"WHERE {condition} AND {clause}{keyset} "
        f"ORDER BY s.answered_ts DESC, s.seq DESC LIMIT {int(limit)}",
        [*params, *filter_params],
    )
    return [
        AnswerLine(seq, ts, from_iso(at), name, sid, title, bool(exam), expected, decided, score,
                   _messages(findings, behind), answer_id)
        for seq, ts, at, name, sid, title, exam, expected, decided, score, findings, answer_id
        in rows
    ]  # fmt: skip


def answer_count(db: Reader, flt: TeamFilter, behind: Behind) -> int:
    """How many answers `answer_page` walks through in all."""
    table, condition, params = behind.source()
    clause, filter_params = where(flt, behind.trainee_id, table="s")
    rows = db.query(
        f"SELECT count(*) FROM {table} s WHERE {condition} AND {clause}", [*params, *filter_params]
    )
    return int(rows[0][0])
