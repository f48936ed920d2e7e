"""CSV exports for spreadsheets: one row per answer, or one row per trainee.

Files are UTF-8 with a byte-order mark (so Excel reads the accents right), with a header row and
CRLF line ends. A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or
carriage return) gets a leading apostrophe. Rows stream from SQLite in chunks: memory stays flat
however many answers there are.

Speed (the answers export is within about 1.5x of `sqlite3 -csv`): SQL joins the columns the
schema guarantees need no quoting; Python formats the free text and tag lists, each distinct value
once (a trainee's name, a scenario's title), and writes a chunk of lines at a time. Building every
cell in SQL, or using `csv.writer`, measured slower.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.export_cells import (
    FORMULA_STARTS,
    REGISTRAR_HEADER,
    RegistrarCells,
    cell,
    optional_sql,
    units,
)
from trainer.core.store.sqlite import Store

if TYPE_CHECKING:
    from trainer.core.content.scenarios import LoadedScenario

ANSWER_HEADER = (
    "trainee", "staff number", "role", "scenario id", "scenario title", "topics",
    "decision given", "expected decision", "score", "finding kinds", "seconds taken",
    "answered at", "mode", *REGISTRAR_HEADER,
)  # fmt: skip
BASE_ANSWER_HEADER = ANSWER_HEADER[: ANSWER_HEADER.index("offences given")]  # the first layout
SUMMARY_HEADER = (
    "trainee", "staff number", "role", "attempts", "exam attempts", "mean score",
    "recording rate %", "recorded", "should have been recorded", "last active",
    "recording accuracy %", "accuracy 95% low", "accuracy 95% high", "recorded and fully right",
    "malpractice answers", "leeches",
)  # fmt: skip
BASE_SUMMARY_HEADER = SUMMARY_HEADER[: SUMMARY_HEADER.index("recording accuracy %")]
LEECH_LAPSES = 4  # as the rule schedule counts a leech (adaptive practice)
Interval = Callable[[int, int], "tuple[float, float] | None"]
CHUNK = 10_000
_CACHE_LIMIT = 50_000


def tags(json_list: str) -> str:
    """A stored JSON list of slugs as a readable cell: ["a","b"] -> a; b."""
    if json_list == "[]":
        return ""
    if json_list.startswith('["') and json_list.endswith('"]'):
        return cell("; ".join(json_list[2:-2].split('","')))
    return cell(json_list)


class _Cache(dict[str, str]):
    """Formats each distinct value once; forgets everything if a hostile file has too many."""

    def __init__(self, render: Callable[[str], str]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, key: str) -> str:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        value = self[key] = self.render(key)
        return value


class _Queries(Protocol):
    def query(self, sql: str) -> list[tuple[Any, ...]]: ...


class _People(dict[str, str]):
    """A trainee's "name,number,role" cells by id (empty cells for an unknown id)."""

    def __missing__(self, key: str) -> str:
        return ",,"

    @classmethod
    def of(cls, store: _Queries) -> _People:
        """Every trainee of `store` (a workstation's or the central one)."""
        return cls(
            (tid, f"{cell(name)},{cell(number)},{role}")
            for tid, name, number, role in store.query(
                "SELECT id, name, staff_number, role FROM trainees"
            )
        )


# The columns the schema constrains (slugs, decisions, numbers, times) are joined in SQL; Python
# formats only the free text and the tag lists, each distinct value once.
_ANSWER_QUERY = """
    SELECT trainee_id, scenario_id, scenario_title, topics,
        decision || ',' || expected_decision || ',' || score,
        finding_kinds,
        printf('%.1f,%s,%s', seconds_taken, answered_at,
               CASE exam WHEN 1 THEN 'exam' ELSE 'practice' END),
        answer, scenario_hash, findings, workstation_id, catalogue_edition, {optional}
    FROM answers AS a WHERE {where} ORDER BY seq"""


def _answer_chunks(
    store: Store,
    where: str,
    params: list[object],
    bank: Mapping[str, LoadedScenario] | None = None,
) -> Iterator[tuple[int, bytes]]:
    """(rows, their CSV lines as UTF-8), a chunk at a time."""
    people = _People.of(store)
    titles, lists = _Cache(cell), _Cache(tags)
    more = RegistrarCells(bank).row
    with store.guard():
        unit = units(store.conn)
        query = _ANSWER_QUERY.format(where=where, optional=optional_sql(store.conn))
        cursor = store.conn.execute(query, params)
        while rows := cursor.fetchmany(CHUNK):
            lines = [
                f"{people[t]},{s},{titles[ti]},{lists[tp]},{mid},{lists[k]},{tail},"
                f"{more(c, an, s, sh, fi, hi, ws, unit.get(t, ''), ed, bh)}\r\n"
                for t, s, ti, tp, mid, k, tail, an, sh, fi, ws, ed, c, hi, bh in rows
            ]
            yield len(rows), "".join(lines).encode("utf-8")


def _write_atomically(dest: Path, write: Callable[[BinaryIO], int], bom: bool = True) -> int:
    """Write (after a BOM, for spreadsheets) to a temporary file beside `dest`, then rename:
    never half a file."""
    part = dest.with_name(f".{dest.name}.part")
    try:
        with part.open("wb") as out:
            if bom:
                out.write(codecs.BOM_UTF8)
            count = write(out)
        os.replace(part, dest)
    except OSError as exc:
        raise TrainerError(f"{dest}: cannot write the export: {exc.strerror or exc}") from exc
    finally:
        part.unlink(missing_ok=True)
    return count


def write_rows(dest: Path, header: Sequence[str], chunks: Iterable[tuple[int, bytes]]) -> int:
    """The CSV header, then each chunk of encoded rows, written atomically; returns the rows."""

    def write(out: BinaryIO) -> int:
        out.write((",".join(header) + "\r\n").encode())
        count = 0
        for rows, chunk in chunks:
            out.write(chunk)
            count += rows
        return count

    return _write_atomically(dest, write)


def write_table(
    dest: Path, header: Sequence[object], rows: Sequence[Sequence[object]], bom: bool = True
) -> int:
    """A small CSV (header, then rows with formula-like cells neutralised), written atomically."""

    def write(out: BinaryIO) -> int:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_neutral(v) for v in row])
        text.flush()
        text.detach()
        return len(rows)

    return _write_atomically(dest, write, bom)


def export_answers(
    store: Store,
    dest: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
    bank: Mapping[str, LoadedScenario] | None = None,
) -> int:
    """Write one row per answer (oldest first) to `dest`; returns the number of rows.

    `bank` (scenarios by id) fills the expected columns; without it they stay empty."""
    if trainee_id is not None:
        trainee_id = store.trainee(trainee_id).id
    where, params = answer_filter(trainee_id, since, until, topic, alias="a")
    return write_rows(dest, ANSWER_HEADER, _answer_chunks(store, where, params, bank))


def summary_rows(
    store: Store,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> list[tuple[object, ...]]:
    """Per trainee (filtered or not, all trainees listed): SUMMARY_HEADER's columns.

    Recording rate as STATISTICS.md defines it: of the classify answers whose expected decision
    was crime, the share where the decision given was crime.
    """
    if trainee_id is not None:
        trainee_id = store.trainee(trainee_id).id
    params: list[object] = []
    if since is None and until is None and topic is None:
        source = "SELECT * FROM trainee_totals"  # kept up to date as answers are recorded
    else:
        where, params = answer_filter(trainee_id, since, until, topic, alias="a")
        source = f"""
            SELECT trainee_id, exam, count(*) AS attempts, sum(score) AS score_sum,
                sum(kind = 'classify' AND expected_decision = 'crime') AS record_n,
                sum(kind = 'classify' AND expected_decision = 'crime' AND decision = 'crime')
                    AS record_k,
                sum(kind = 'classify' AND expected_decision = 'crime' AND decision = 'crime'
                    AND score = 100) AS exact_k,
                answered_at AS last_answered_at, max(answered_ts) AS last_ts
            FROM answers AS a WHERE {where} GROUP BY trainee_id, exam"""
    # The bare s.last_answered_at comes from the row holding max(s.last_ts) (SQLite's rule).
    query = f"""
        WITH s AS ({source})
        SELECT t.name, t.staff_number, t.role,
            coalesce(sum(s.attempts), 0),
            coalesce(sum(CASE WHEN s.exam THEN s.attempts END), 0),
            round(1.0 * sum(s.score_sum) / sum(s.attempts), 1),
            round(100.0 * sum(s.record_k) / nullif(sum(s.record_n), 0), 1),
            coalesce(sum(s.record_k), 0), coalesce(sum(s.record_n), 0),
            s.last_answered_at, coalesce(sum(s.exact_k), 0), t.id, max(s.last_ts)
        FROM trainees AS t LEFT JOIN s ON s.trainee_id = t.id
        WHERE ? IS NULL OR t.id = ?
        GROUP BY t.id ORDER BY t.name COLLATE NOCASE, t.staff_number"""
    rows = store.query(query, [*params, trainee_id, trainee_id])
    malpractice, leeches = _malpractice_and_leeches(store, since, until, trainee_id, topic)
    out = []
    for row in rows:
        *first, exact_k, tid, _ = row
        out.append((*first, exact_k, malpractice.get(tid, 0), leeches.get(tid, "")))
    return out


def _malpractice_and_leeches(
    store: Store,
    since: datetime | None,
    until: datetime | None,
    trainee_id: str | None,
    topic: str | None,
) -> tuple[dict[str, int], dict[str, object]]:
    """Answers caught by an HMIC malpractice trap, and (when the rule schedule exists) leeches."""
    where, params = answer_filter(trainee_id, since, until, topic, alias="a")
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(answers)")}
    caught = (
        "a.malpractice_trap IS NOT NULL"
        if "malpractice_trap" in columns
        else "instr(a.findings, '\"malpractice\":true') > 0"
    )
    malpractice = dict(
        store.query(
            f"SELECT trainee_id, sum({caught}) FROM answers AS a WHERE {where} GROUP BY trainee_id",
            params,
        )
    )
    leeches: dict[str, object] = {}
    tables = {name for (name,) in store.conn.execute("SELECT name FROM sqlite_master")}
    if "rule_schedule" in tables:
        leeches = dict(
            store.query(
                "SELECT trainee_id, sum(lapses >= ?) FROM rule_schedule GROUP BY trainee_id",
                [LEECH_LAPSES],
            )
        )
    return malpractice, leeches


def export_summary(
    store: Store,
    dest: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
    interval: Interval | None = None,
) -> int:
    """Write one row per trainee to `dest`; returns the number of rows.

    `interval(k, n)` gives the recording accuracy's 95% interval (reports.statistics'
    `wilson_interval`, which the store may not import); without it those cells stay empty."""
    rows = [
        _with_accuracy(row, interval)
        for row in summary_rows(store, since, until, trainee_id, topic)
    ]
    return write_table(dest, SUMMARY_HEADER, rows)


def _with_accuracy(row: tuple[object, ...], interval: Interval | None) -> tuple[object, ...]:
    """Insert recording accuracy and its interval before the recorded-and-fully-right count."""
    *first, exact_k, malpractice, leeches = row
    n, k = int(first[8]), int(exact_k)  # type: ignore[call-overload]
    bounds = interval(k, n) if interval is not None and n else None
    accuracy = round(100.0 * k / n, 1) if n else None
    low, high = (round(100 * b, 1) for b in bounds) if bounds else (None, None)
    return (*first, accuracy, low, high, k, malpractice, leeches)


def _neutral(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
