"""The CSV exports from the central store: the same rows as `store.export` writes, in the first
layout of its columns (the registrar's columns and the summary's accuracy figures, which
`store.export` appends, are not yet read from the central store).

PostgreSQL's dialect differs from SQLite's where the workstation query leans on SQLite (`printf`,
a bare column beside `max`, `COLLATE NOCASE`, sums of comparisons), so the two queries sit side by
side; the cells are formatted by the same Python (`export.cell`, `export.tags`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.export import (
    BASE_ANSWER_HEADER as ANSWER_HEADER,
)
from trainer.core.store.export import (
    BASE_SUMMARY_HEADER as SUMMARY_HEADER,
)
from trainer.core.store.export import (
    CHUNK,
    _Cache,
    _People,
    tags,
    write_rows,
    write_table,
)
from trainer.core.store.export_cells import cell

_SHOULD_RECORD = "kind = 'classify' AND expected_decision = 'crime'"


def _filter(
    store: CentralStore,
    since: datetime | None,
    until: datetime | None,
    trainee_id: str | None,
    topic: str | None,
) -> tuple[str | None, str, list[object]]:
    if trainee_id is not None:
        trainee_id = store.trainee(trainee_id).id
    where, params = answer_filter(trainee_id, since, until, topic, alias="a")
    return trainee_id, where, params


def _answer_chunks(
    store: CentralStore, where: str, params: list[object]
) -> Iterator[tuple[int, bytes]]:
    people = _People.of(store)
    titles, lists = _Cache(cell), _Cache(tags)
    query = f"""
        SELECT trainee_id, scenario_id, scenario_title, topics,
            decision || ',' || expected_decision || ',' || score, finding_kinds,
            seconds_taken, answered_at, exam, coalesce(answer::jsonb ->> 'certainty', '')
        FROM answers AS a WHERE {where} ORDER BY seq"""
    for rows in store.stream(query, params, CHUNK):
        yield (
            len(rows),
            "".join(
                f"{people[t]},{s},{titles[ti]},{lists[tp]},{mid},{lists[k]},"
                f"{secs:.1f},{at},{'exam' if exam == 1 else 'practice'},{sure}\r\n"
                for t, s, ti, tp, mid, k, secs, at, exam, sure in rows
            ).encode("utf-8"),
        )


def export_answers(
    store: CentralStore,
    dest: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> int:
    """Write one row per answer (in the order the central store received them) to `dest`."""
    _, where, params = _filter(store, since, until, trainee_id, topic)
    return write_rows(dest, ANSWER_HEADER, _answer_chunks(store, where, params))


def summary_rows(
    store: CentralStore,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> list[tuple[object, ...]]:
    """Per person: SUMMARY_HEADER's columns, as `export.summary_rows` gives them."""
    trainee_id, where, params = _filter(store, since, until, trainee_id, topic)
    if since is None and until is None and topic is None:
        source, params = "SELECT * FROM trainee_totals", []
    else:
        source = f"""
            SELECT trainee_id, exam, count(*) AS attempts, sum(score) AS score_sum,
                count(*) FILTER (WHERE {_SHOULD_RECORD}) AS record_n,
                count(*) FILTER (WHERE {_SHOULD_RECORD} AND decision = 'crime') AS record_k,
                (array_agg(answered_at ORDER BY answered_ts DESC))[1] AS last_answered_at,
                max(answered_ts) AS last_ts
            FROM answers AS a WHERE {where} GROUP BY trainee_id, exam"""
    who = "" if trainee_id is None else "WHERE t.id = ?"
    query = f"""
        WITH s AS ({source})
        SELECT t.name, t.staff_number, t.role,
            coalesce(sum(s.attempts), 0)::bigint,
            coalesce(sum(CASE WHEN s.exam = 1 THEN s.attempts END), 0)::bigint,
            round(1.0 * sum(s.score_sum) / sum(s.attempts), 1),
            round(100.0 * sum(s.record_k) / nullif(sum(s.record_n), 0), 1),
            coalesce(sum(s.record_k), 0)::bigint, coalesce(sum(s.record_n), 0)::bigint,
            (array_agg(s.last_answered_at ORDER BY s.last_ts DESC NULLS LAST))[1]
        FROM trainees AS t LEFT JOIN s ON s.trainee_id = t.id {who}
        GROUP BY t.id ORDER BY lower(t.name) COLLATE "C", t.staff_number"""
    return store.query(query, [*params, *([trainee_id] if trainee_id else [])])


def export_summary(
    store: CentralStore,
    dest: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> int:
    rows = summary_rows(store, since, until, trainee_id, topic)
    return write_table(dest, SUMMARY_HEADER, rows)
