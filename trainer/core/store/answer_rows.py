"""Answers as SQL rows: the column list, the INSERT, row <-> record conversion, filters."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from trainer.core.content.catalogue import NO_CRIME_GROUP
from trainer.core.errors import TrainerError
from trainer.core.store.records import AnswerRecord, AnswerRow, compact, from_iso, to_iso

ANSWER_COLUMNS = (
    "id, session_id, trainee_id, scenario_id, scenario_hash, catalogue_edition, scenario_title, "
    "kind, topics, expected_decision, decision, crime_groups, answer, score, findings, "
    "finding_kinds, finding_rules, asked, exam, shown_at, answered_at, answered_ts, "
    "seconds_taken, workstation_id, bank_hash, malpractice_trap, certainty, cards"
)
# What the central store keeps of an answer: the trainee's certainty travels inside `answer` (the
# answer JSON), and the rule cards serve only the workstation's own rule schedule.
CENTRAL_ANSWER_COLUMNS = ANSWER_COLUMNS.removesuffix(", certainty, cards")
INSERT_ANSWER = (
    f"INSERT INTO answers ({ANSWER_COLUMNS}) VALUES ({', '.join('?' * 28)}) "
    "ON CONFLICT (id) DO NOTHING"
)


def slug_list(values: tuple[str, ...]) -> str:
    """`compact` for slugs (checked by AnswerRecord), which never need escaping."""
    return '["' + '","'.join(values) + '"]' if values else "[]"


def answer_params(record: AnswerRecord, workstation_id: str) -> tuple[Any, ...]:
    """The INSERT_ANSWER parameters for one record."""
    return (
        record.id,
        record.session_id,
        record.trainee_id,
        record.scenario_id,
        record.scenario_hash,
        record.catalogue_edition,
        record.scenario_title,
        record.kind,
        slug_list(record.topics),
        record.expected_decision,
        record.decision,
        slug_list(record.crime_groups),
        record.answer_json,
        record.score,
        record.findings_json,
        slug_list(record.finding_kinds),
        slug_list(record.finding_rules),
        compact(record.asked),
        int(record.exam),
        to_iso(record.shown_at, "shown_at"),
        to_iso(record.answered_at, "answered_at"),
        record.answered_at.timestamp(),
        round(record.seconds_taken, 3),
        workstation_id,
        record.bank_hash,
        record.malpractice_trap,
        record.certainty,
        None if record.cards is None else slug_list(record.cards),
    )


def answer_row(row: tuple[Any, ...]) -> AnswerRow:
    if len(row) == 26:  # CENTRAL_ANSWER_COLUMNS: no certainty or cards columns
        row = (*row, None, None)
    (id_, session, trainee, scenario, digest, edition, title, kind, topics, expected, decision,
     groups, answer, score, findings, kinds, rules, asked, exam, shown, answered, _ts, _taken,
     workstation, bank, malpractice, certainty, cards) = row  # fmt: skip
    return AnswerRow(
        id=id_, session_id=session, trainee_id=trainee, scenario_id=scenario,
        scenario_hash=digest, catalogue_edition=edition, scenario_title=title, kind=kind,
        topics=tuple(json.loads(topics)), expected_decision=expected, decision=decision,
        crime_groups=tuple(json.loads(groups)), answer_json=answer, score=score,
        findings_json=findings, finding_kinds=tuple(json.loads(kinds)),
        finding_rules=tuple(json.loads(rules)), asked=tuple(json.loads(asked)), exam=bool(exam),
        shown_at=from_iso(shown), answered_at=from_iso(answered), workstation_id=workstation,
        bank_hash=bank, malpractice_trap=malpractice,
        certainty=certainty, cards=None if cards is None else tuple(json.loads(cards)),
    )  # fmt: skip


def answer_filter(
    trainee_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    topic: str | None = None,
    alias: str = "answers",
    by_time: bool = True,
) -> tuple[str, list[Any]]:
    """A WHERE clause (and its parameters) for answers: `since` inclusive, `until` exclusive.

    Without `by_time` the period is tested row by row (`+answered_ts`, in both engines), so that
    a planner reads another index (a small partial one) rather than every answer of the period.
    """
    clauses: list[str] = ["1 = 1"]  # a condition in both engines' dialects
    params: list[Any] = []
    if trainee_id is not None:
        clauses.append(f"{alias}.trainee_id = ?")
        params.append(trainee_id)
    low = since.timestamp() if since else float("-inf")
    high = until.timestamp() if until else float("inf")
    if topic is not None:
        clauses.append(
            f"{alias}.seq IN (SELECT seq FROM answer_topics WHERE topic = ? "
            "AND answered_ts >= ? AND answered_ts < ?)"
        )
        params += [topic, low, high]
    ts = f"{alias}.answered_ts" if by_time else f"+{alias}.answered_ts"
    if since is not None:
        clauses.append(f"{ts} >= ?")
        params.append(low)
    if until is not None:
        clauses.append(f"{ts} < ?")
        params.append(high)
    return " AND ".join(clauses), params


# Summaries are kept by the store's insert paths, in the same transaction as the answers they
# count (set-wise, so one answer and a million cost the same statements).
_SUMMARISE = (
    """
    INSERT INTO answer_topics (topic, answered_ts, seq)
    SELECT value, answered_ts, seq FROM answers NOT INDEXED, json_each(answers.topics)
    WHERE seq > ?
    """,
    """
    INSERT INTO trainee_totals
    SELECT trainee_id, exam, count(*), sum(score),
        sum(kind = 'classify' AND expected_decision = 'crime'),
        sum(kind = 'classify' AND expected_decision = 'crime' AND decision = 'crime'),
        sum(kind = 'classify' AND expected_decision = 'crime' AND decision = 'crime'
            AND score = 100),
        sum(kind = 'cancellation'),
        sum(kind = 'cancellation' AND score = 100),
        answered_at, max(answered_ts)
    FROM answers NOT INDEXED WHERE seq > ? GROUP BY trainee_id, exam
    ON CONFLICT (trainee_id, exam) DO UPDATE SET
        attempts = attempts + excluded.attempts,
        score_sum = score_sum + excluded.score_sum,
        record_n = record_n + excluded.record_n,
        record_k = record_k + excluded.record_k,
        exact_k = exact_k + excluded.exact_k,
        cancel_n = cancel_n + excluded.cancel_n,
        cancel_k = cancel_k + excluded.cancel_k,
        last_answered_at = CASE WHEN excluded.last_ts > last_ts
            THEN excluded.last_answered_at ELSE last_answered_at END,
        last_ts = max(last_ts, excluded.last_ts)
    """,
    """
    INSERT INTO trainee_findings (trainee_id, rule, kind, n)
    SELECT trainee_id, json_extract(value, '$.rule'), json_extract(value, '$.kind'), count(*)
    FROM answers NOT INDEXED, json_each(answers.findings) WHERE seq > ?
    GROUP BY trainee_id, json_extract(value, '$.rule'), json_extract(value, '$.kind')
    ON CONFLICT (trainee_id, rule, kind) DO UPDATE SET n = n + excluded.n
    """,
)

# The dashboard's summaries (m0003): one row per answer and finding kind, rule card or crime group,
# keyed so that a GROUP BY over a period reads one index in order and a drill-down pages through it.
_SUMMARISE_FIGURES = (
    """
    INSERT INTO answer_kinds (kind, answered_ts, seq, trainee_id, n)
    SELECT value, answered_ts, seq, trainee_id, count(*)
    FROM answers NOT INDEXED, json_each(answers.finding_kinds) WHERE seq > ?
    GROUP BY seq, value
    """,
    """
    INSERT INTO answer_rules (rule, answered_ts, seq, trainee_id, n)
    SELECT value, answered_ts, seq, trainee_id, count(*)
    FROM answers NOT INDEXED, json_each(answers.finding_rules) WHERE seq > ?
    GROUP BY seq, value
    """,
    """
    INSERT INTO answer_groups (crime_group, answered_ts, seq, trainee_id, n, perfect)
    SELECT value, answered_ts, seq, trainee_id, count(*), score = 100
    FROM answers NOT INDEXED, json_each(answers.crime_groups) WHERE seq > ?
    GROUP BY seq, value
    """,
    f"""
    INSERT INTO answer_groups (crime_group, answered_ts, seq, trainee_id, n, perfect)
    SELECT '{NO_CRIME_GROUP}', answered_ts, seq, trainee_id, 1, score = 100
    FROM answers NOT INDEXED WHERE seq > ? AND crime_groups = '[]'
    """,
)
FIGURE_TABLES = ("answer_kinds", "answer_rules", "answer_groups", "trainee_running")
SUMMARY_TABLES = ("answer_topics", "trainee_totals", "trainee_findings", *FIGURE_TABLES)
_STATEMENTS: dict[str, tuple[str, ...]] = {
    "answer_topics": _SUMMARISE[:1],
    "trainee_totals": _SUMMARISE[1:2],
    "trainee_findings": _SUMMARISE[2:],
    "answer_kinds": _SUMMARISE_FIGURES[:1],
    "answer_rules": _SUMMARISE_FIGURES[1:2],
    "answer_groups": _SUMMARISE_FIGURES[2:],
    "trainee_running": (),  # `_run_on`
}

# Each trainee's answers in time order with running sums of the team table's counts: any period's
# counts for a trainee are the difference between its last and first answers' sums (two index
# look-ups, whatever the number of answers). New answers are usually the trainee's latest and are
# appended; an imported older one renumbers that trainee's later answers.
_SHOULD_RECORD = "kind = 'classify' AND expected_decision = 'crime'"
# Set-wise over every trainee with new answers (one statement for one trainee or thousands): the
# trainees' first new times; their running rows from then on are counted again from the answers,
# on from each trainee's last row before (the highest position left).
_STARTS = """
    WITH starts (trainee_id, since) AS (
        SELECT trainee_id, min(answered_ts) FROM answers NOT INDEXED WHERE seq > ?
        GROUP BY trainee_id
    )
"""
_RUNNING_CLEAR = f"""
    {_STARTS}
    DELETE FROM trainee_running WHERE (trainee_id, answered_ts, seq) IN (
        SELECT r.trainee_id, r.answered_ts, r.seq FROM starts s
        JOIN trainee_running r ON r.trainee_id = s.trainee_id AND r.answered_ts >= s.since
    )
"""
_RUNNING_FROM = f"""
    {_STARTS}
    INSERT INTO trainee_running
    SELECT trainee_id, answered_ts, seq, p0 + row_number() OVER w, exam, score, rn, rk, xk, cn, ck,
        e0 + sum(exam) OVER w, s0 + sum(score) OVER w, rn0 + sum(rn) OVER w,
        rk0 + sum(rk) OVER w, xk0 + sum(xk) OVER w, cn0 + sum(cn) OVER w, ck0 + sum(ck) OVER w
    FROM (
        SELECT a.trainee_id, a.answered_ts, a.seq, a.exam, a.score,
            CASE WHEN {_SHOULD_RECORD} THEN 1 ELSE 0 END AS rn,
            CASE WHEN {_SHOULD_RECORD} AND decision = 'crime' THEN 1 ELSE 0 END AS rk,
            CASE WHEN {_SHOULD_RECORD} AND decision = 'crime' AND a.score = 100
                THEN 1 ELSE 0 END AS xk,
            CASE WHEN kind = 'cancellation' THEN 1 ELSE 0 END AS cn,
            CASE WHEN kind = 'cancellation' AND a.score = 100 THEN 1 ELSE 0 END AS ck,
            coalesce(b.position, 0) AS p0, coalesce(b.c_exam, 0) AS e0,
            coalesce(b.c_score, 0) AS s0, coalesce(b.c_record_n, 0) AS rn0,
            coalesce(b.c_record_k, 0) AS rk0, coalesce(b.c_exact_k, 0) AS xk0,
            coalesce(b.c_cancel_n, 0) AS cn0, coalesce(b.c_cancel_k, 0) AS ck0
        FROM starts s
        LEFT JOIN trainee_running b ON b.trainee_id = s.trainee_id AND b.position =
            (SELECT max(position) FROM trainee_running m WHERE m.trainee_id = s.trainee_id)
        JOIN answers a ON a.trainee_id = s.trainee_id AND a.answered_ts >= s.since
    ) AS own
    WINDOW w AS (PARTITION BY trainee_id ORDER BY answered_ts, seq ROWS UNBOUNDED PRECEDING)
"""


def _run_on(conn: sqlite3.Connection, after_seq: int) -> None:
    """Bring `trainee_running` up to date for the trainees of the answers after `after_seq`."""
    conn.execute(_RUNNING_CLEAR, [after_seq])
    conn.execute(_RUNNING_FROM, [after_seq])


def summarise_after(
    conn: sqlite3.Connection, after_seq: int, tables: tuple[str, ...] = SUMMARY_TABLES
) -> None:
    """Add the answers with seq > after_seq to the summaries (call inside the same transaction).

    The one place summaries are kept: recording, importing, a rebuild or a regrade all call it.
    """
    for table in tables:
        for statement in _STATEMENTS[table]:
            conn.execute(statement, [after_seq])
    if "trainee_running" in tables:
        _run_on(conn, after_seq)


# A regrade changes answers in place: in the same transaction their summary rows are taken out
# (read from the answers before the update: each row's key is known from them) and put back (after
# it), by key, so that every summary but the running sums stays right throughout. `seq > ?`
# becomes a JSON list of seqs; the running sums are counted again per trainee afterwards.
_ANY_NEW, _THESE = "answers NOT INDEXED", "answers"
_AFTER, _IN_SEQS = "seq > ?", "seq IN (SELECT value FROM json_each(?))"
_OF_TRAINEES = "trainee_id IN (SELECT value FROM json_each(?))"


def _of_these(sql: str, which: str = _IN_SEQS) -> str:
    assert sql.count(_ANY_NEW) == 1 and sql.count(_AFTER) == 1, sql
    return sql.replace(_ANY_NEW, _THESE).replace(_AFTER, which)


def _negated(sql: str) -> str:
    """An adding INSERT ... ON CONFLICT that subtracts instead (its counts and sums negated)."""
    head, conflict = sql.split("ON CONFLICT")
    assert "count(*)" in head, sql
    return head.replace("count(*)", "-count(*)").replace("sum(", "-sum(") + "ON CONFLICT" + conflict


def _keyed(which: str) -> tuple[str, ...]:
    """Deletes of the per-answer summary rows of the answers `which` picks (a condition on
    `answers`), each by its key as the answer's current values give it: an index look-up each,
    where a condition on the summary tables' other columns would read them whole."""
    rows = "SELECT j.value, a.answered_ts, a.seq FROM answers a, json_each(a.{}) j WHERE a.{}"
    return (
        *(
            f"DELETE FROM {table} WHERE ({key}, answered_ts, seq) IN ({rows.format(values, which)})"
            for table, key, values in (
                ("answer_topics", "topic", "topics"),
                ("answer_kinds", "kind", "finding_kinds"),
                ("answer_rules", "rule", "finding_rules"),
                ("answer_groups", "crime_group", "crime_groups"),
            )
        ),
        f"DELETE FROM answer_groups WHERE crime_group = '{NO_CRIME_GROUP}' AND (answered_ts, seq) "
        f"IN (SELECT answered_ts, seq FROM answers WHERE {which} AND crime_groups = '[]')",
    )


# A trainee's per-answer summary rows, by key (`schema.forget_trainee`; the parameter: their id).
FORGET_TRAINEE_ROWS = _keyed("trainee_id = ?")
_UNCOUNT = (
    *_keyed(_IN_SEQS),
    _negated(_of_these(_SUMMARISE[1])),  # trainee_totals
    _negated(_of_these(_SUMMARISE[2])),  # trainee_findings
)
_RECOUNT = (
    *(_of_these(sql) for t in SUMMARY_TABLES for sql in _STATEMENTS[t]),
    "DELETE FROM trainee_findings WHERE n = 0 AND trainee_id IN "
    f"(SELECT trainee_id FROM answers WHERE {_IN_SEQS})",
)
_RUNNING_AGAIN = (
    f"DELETE FROM trainee_running WHERE {_OF_TRAINEES}",
    _of_these(_RUNNING_FROM, _OF_TRAINEES),
)


def uncount_answers(conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """Take these answers out of every summary but the running sums (before they change)."""
    listed = json.dumps(list(seqs))
    for statement in _UNCOUNT:
        conn.execute(statement, [listed])


def count_answers(conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """Put these answers back into every summary but the running sums (after they changed)."""
    listed = json.dumps(list(seqs))
    for statement in _RECOUNT:
        conn.execute(statement, [listed])


def count_running_again(conn: sqlite3.Connection, trainee_ids: Sequence[str]) -> None:
    """Count these trainees' running sums again from their answers (their rows only)."""
    listed = json.dumps(list(trainee_ids))
    for statement in _RUNNING_AGAIN:
        conn.execute(statement, [listed])


# Taking answers out for good (an import undone): what subtracting leaves otherwise than counting
# afresh would, for their trainees (a JSON list): findings and totals at nought, and a last answer
# that may have been one of them.
_TIDY = (
    f"DELETE FROM trainee_findings WHERE n = 0 AND {_OF_TRAINEES}",
    f"DELETE FROM trainee_totals WHERE attempts = 0 AND {_OF_TRAINEES}",
    "UPDATE trainee_totals SET (last_answered_at, last_ts) = (SELECT answered_at, answered_ts "
    "FROM answers a WHERE a.trainee_id = trainee_totals.trainee_id AND a.exam = "
    f"trainee_totals.exam ORDER BY answered_ts DESC LIMIT 1) WHERE {_OF_TRAINEES}",
)


def delete_answers(conn: sqlite3.Connection, after_seq: int, last_seq: int) -> None:
    """Delete the answers after_seq < seq <= last_seq and take them out of every summary (their
    work grows with them, not with the database)."""
    seqs = [s for (s,) in conn.execute(_SEQ_RANGE.format("seq"), [after_seq, last_seq])]
    trainees = [t for (t,) in conn.execute(_SEQ_RANGE.format("DISTINCT trainee_id"),
                                            [after_seq, last_seq])]  # fmt: skip
    uncount_answers(conn, seqs)
    conn.execute("DELETE FROM answers WHERE seq > ? AND seq <= ?", [after_seq, last_seq])
    listed = json.dumps(trainees)
    for statement in _TIDY:
        conn.execute(statement, [listed])
    count_running_again(conn, trainees)


_SEQ_RANGE = "SELECT {} FROM answers WHERE seq > ? AND seq <= ?"

# Trainees in id order with how many answers each has, from after a trainee id ('' for all).
TRAINEE_COUNTS = (
    "SELECT trainee_id, count(*) FROM answers WHERE trainee_id > ? GROUP BY trainee_id "
    "ORDER BY trainee_id"
)


def trainee_batches(counts: Iterable[tuple[Any, ...]], answers: int) -> Iterator[list[str]]:
    """`TRAINEE_COUNTS` rows as batches of trainees whose answers come to about `answers` each
    (a batch ends once it reaches that; the last may be smaller)."""
    batch: list[str] = []
    size = 0
    for trainee_id, count in counts:
        batch.append(str(trainee_id))
        size += int(count)
        if size >= answers:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# The reads both stores give (`sqlite.Store` and the central store, each through its `query`).
Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def read_answers(
    query: Query,
    columns: str,
    trainee_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    topic: str | None = None,
) -> list[AnswerRow]:
    """Stored answers in the order they were given; `since` inclusive, `until` exclusive."""
    where, params = answer_filter(trainee_id, since, until, topic)
    rows = query(f"SELECT {columns} FROM answers WHERE {where} ORDER BY answered_ts, seq", params)
    return [answer_row(r) for r in rows]


def read_answer(query: Query, columns: str, answer_id: str) -> AnswerRow:
    """One stored answer in full; TrainerError when there is none with this id."""
    rows = query(f"SELECT {columns} FROM answers WHERE id = ?", [answer_id])
    if not rows:
        raise TrainerError(f"answer: no stored answer has the id {answer_id!r}")
    return answer_row(rows[0])
