"""Pushing a workstation's results to the central store, in batches, without loss or duplicates.

What waits is kept locally by triggers (`unsent_answers`, `unsent_rows`: schema step m0004). Each
batch is filed by `ingest_*` in one central transaction; its answers were staged ahead, on a second
connection, while the batch before was filed (central step c0010). Only once the filing has
committed are its rows taken off the local outbox. A crash in between sends
the batch again next time, and the central `ON CONFLICT` clauses make the second filing a no-op;
two workstations filing at once take turns per person. Nothing local changes before a commit.
The summaries the dashboard reads are brought up to date after the last batch (`fold_summaries`,
central step c0008), or by the next central read if the sync stops before.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import CENTRAL_ANSWER_COLUMNS as ANSWER_COLUMNS
from trainer.core.store.central.connection import checked_url, connect, guard, shown
from trainer.core.store.central.schema import DEFAULT_UNIT, STEPS
from trainer.core.store.records import check_slug, from_iso, now, to_iso

if TYPE_CHECKING:
    import psycopg

    from trainer.core.store.sqlite import Store

_T = TypeVar("_T")
BATCH = 25_000  # answers per central transaction
_FOLD_STEP = "c0008_deferred_summaries"  # the central step that leaves summarising to a fold
_AHEAD_STEP = "c0010_one_pass_filing"  # ... that lets a sync stage answers ahead
URL_KEY, UNIT_KEY, SYNCED_KEY = "central_url", "central_unit", "central_synced_at"
_TRAINEE_COLUMNS = "id, name, staff_number, role, created_at, workstation_id"
_SESSION_COLUMNS = "id, trainee_id, mode, started_at, started_ts, finished_at, workstation_id"
_HISTORY_COLUMNS = (
    "answer_id, workstation_id, regrade_id, regraded_at, regraded_ts, regrade_bank_hash, "
    "regrade_catalogue_edition, score, findings, expected_decision, crime_groups, scenario_hash, "
    "catalogue_edition, bank_hash"
)
# The earlier grades of a batch's answers (`trainer regrade` keeps them, and queues the answer).
_HISTORY = """
    SELECT h.answer_id, ?, h.regrade_id, r.started_at, r.started_ts, r.bank_hash,
        r.catalogue_edition, h.score, h.findings, h.expected_decision, h.crime_groups,
        h.scenario_hash, h.catalogue_edition, h.bank_hash
    FROM unsent_answers u JOIN answers a ON a.seq = u.seq
    JOIN grade_history h ON h.answer_id = a.id JOIN regrades r ON r.id = h.regrade_id
    WHERE u.seq BETWEEN ? AND ?
"""


# The workstation's configuration, in its meta table ---------------------------------------------


def _meta(store: Store, key: str) -> str | None:
    rows = store.query("SELECT value FROM meta WHERE key = ?", [key])
    return str(rows[0][0]) if rows else None


def _set_meta(store: Store, key: str, value: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def configure(store: Store, url: str, unit: str | None = None) -> None:
    """Keep the central store's URL (never with a password) and the unit new people join."""
    url = checked_url(url)
    if unit is not None:
        check_slug(unit, "unit")
    _set_meta(store, URL_KEY, url)
    if unit is not None:
        _set_meta(store, UNIT_KEY, unit)


def central_url(store: Store | None, override: str | None = None) -> str | None:
    """The URL to use: `--central URL` if given, else the one configured (None: none)."""
    if override:
        return checked_url(override)
    return _meta(store, URL_KEY) if store is not None else None


@dataclass(frozen=True)
class Waiting:
    """What this workstation holds that the central store has not yet received."""

    answers: int
    trainees: int
    sessions: int
    last_synced: datetime | None

    def describe(self) -> str:
        when = f"{self.last_synced:%d %b %Y %H:%M}" if self.last_synced else "never"
        return f"Last synced {when} / {self.answers:,} answer(s) waiting"


def waiting(store: Store) -> Waiting:
    (answers,) = store.query("SELECT count(*) FROM unsent_answers")[0]
    rows = dict(store.query("SELECT tbl, count(*) FROM unsent_rows GROUP BY tbl"))
    synced = _meta(store, SYNCED_KEY)
    return Waiting(
        int(answers),
        int(rows.get("trainees", 0)),
        int(rows.get("quiz_sessions", 0)),
        from_iso(synced) if synced else None,
    )


def resend_all(store: Store) -> None:
    """Offer everything again (after the central store was restored to an older point)."""
    with store.write() as conn:
        conn.execute("INSERT OR IGNORE INTO unsent_answers (seq) SELECT seq FROM answers")
        for table in ("trainees", "quiz_sessions"):
            conn.execute(
                "INSERT INTO unsent_rows (tbl, id, version) SELECT ?, id, 1 FROM "
                f"{table} WHERE true ON CONFLICT (tbl, id) DO UPDATE SET version = version + 1",
                [table],
            )


# Sync -------------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    trainees: int = 0
    sessions: int = 0
    answers: int = 0  # sent and accepted (including any the central store already had)
    added: int = 0  # ... of which were new there
    history: int = 0  # earlier grades of regraded answers, new centrally
    round_trips: int = 0
    folded: int = 0  # answers summarised by the fold at the end (0: none, or `fold=False`)
    refused: list[str] = field(default_factory=list)
    waiting: Waiting | None = None

    def describe(self) -> str:
        left = self.waiting
        still = (
            f"{left.answers:,} answer(s), {left.sessions:,} session(s) and "
            f"{left.trainees:,} trainee(s) still waiting"
            if left
            else "nothing waiting"
        )
        history = f", {self.history:,} earlier grade(s) of regraded answers" if self.history else ""
        return (
            f"sent {self.trainees:,} trainee(s), {self.sessions:,} session(s) and "
            f"{self.answers:,} answer(s) ({self.added:,} new centrally{history}); {still}"
        )


class _Link:
    """A central connection that counts its round trips."""

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        self.conn = conn
        self.trips = 0

    def execute(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        self.trips += 1
        cursor = self.conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

    def copy(self, table: str, columns: str, batch: uuid.UUID, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        self.trips += 1
        with self.conn.cursor() as cur, cur.copy(
            f"COPY {table} (batch, {columns}) FROM STDIN"
        ) as copy:  # fmt: skip
            for row in rows:
                copy.write_row((batch, *row))


def sync(
    store: Store,
    url: str,
    batch: int = BATCH,
    after_commit: Callable[[int], None] | None = None,
    fold: bool = True,
) -> SyncReport:
    """Send everything waiting; returns what was sent, what was refused, and what still waits.

    An unreachable or refusing server raises a one-line TrainerError before anything local
    changes. `after_commit(n)` runs when the n-th batch has committed centrally but is still in
    the local outbox (tests simulate a crash there). Once the batches have committed, the central
    summaries are brought up to date (`fold_summaries`) unless `fold` is False: then the next
    central read does it (the benchmark times the two apart)."""
    url = checked_url(url)
    report = SyncReport()
    with connect(url) as conn, guard(url, "sync"):
        link = _Link(conn)
        # a store of before step c0008 keeps its summaries with the answers, in `ingest_results`
        steps = _check_schema(link, url)
        fold = fold and _FOLD_STEP in steps
        stage_ahead = _AHEAD_STEP in steps  # else each batch's answers are staged as it is filed
        conn.commit()
        unit = _meta(store, UNIT_KEY) or DEFAULT_UNIT
        trainees = store.query(
            f"SELECT {', '.join('t.' + c for c in _TRAINEE_COLUMNS.split(', '))}, "
            "coalesce(t.unit, ?), u.version "  # the profile's own unit, else the workstation's
            "FROM unsent_rows u JOIN trainees t ON t.id = u.id WHERE u.tbl = 'trainees'",
            [unit],
        )
        sessions = store.query(
            f"SELECT {', '.join('q.' + c for c in _SESSION_COLUMNS.split(', '))}, u.version "
            "FROM unsent_rows u JOIN quiz_sessions q ON q.id = u.id "
            "WHERE u.tbl = 'quiz_sessions'"
        )
        history = bool(store.query("SELECT EXISTS (SELECT 1 FROM grade_history)")[0][0])
        n = 0

        def batch_after(
            after: int, size: int = batch
        ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            answers = store.query(
                f"SELECT u.seq, {ANSWER_COLUMNS} FROM unsent_answers u "
                "JOIN answers ON answers.seq = u.seq WHERE u.seq > ? ORDER BY u.seq LIMIT ?",
                [after, size],
            )
            earlier = (
                store.query(_HISTORY, [store.workstation_id, answers[0][0], answers[-1][0]])
                if history and answers
                else []
            )
            return answers, earlier

        # While the central store files a batch (`ingest_results`, on a thread of its own), this
        # thread takes the batch before off the outbox, reads the next one from the workstation's
        # store and stages its answers through a second connection (opened only for a second
        # batch): the two sides' work overlaps. The first batch is a fifth of the others, so the
        # central store starts filing sooner. All local reads and writes stay on this thread, and
        # a batch leaves the outbox only once it has committed centrally.
        with (
            ThreadPoolExecutor(1, thread_name_prefix="central-sync") as pool,
            _Stager(url) as ahead,
        ):

            def forget_then_stage(done: _Done | None, after: int | None) -> _Batch:
                if done is not None:
                    _forget(store, report, *done)
                if after is None:
                    return _Batch([], [], None)
                answers, earlier = batch_after(after)
                staged = ahead.stage(answers) if stage_ahead else None
                return _Batch(answers, earlier, staged, len(answers) == batch)

            first = max(1, batch // 5)
            answers, earlier = batch_after(-1, first)
            nxt = _Batch(answers, earlier, None, len(answers) == first)  # staged as it is filed
            done: _Done | None = None
            while nxt.answers or trainees or sessions:
                n += 1
                rows = (trainees, sessions, nxt.answers, nxt.earlier)
                after = nxt.answers[-1][0] if nxt.full else None
                following = functools.partial(forget_then_stage, done, after)
                filed, nxt = _file(link, rows, nxt.staged, pool, following)
                (after_commit or _nothing)(n)
                done = (rows, filed)
                trainees, sessions = [], []
            if done is not None:
                _forget(store, report, *done)
            ahead_trips = ahead.trips
        if n and fold:
            # not behind another fold: that one, or the next central read, takes these answers
            report.folded = int(link.execute("SELECT fold_summaries(false)")[0][0])
            conn.commit()
        report.round_trips = link.trips + ahead_trips
    if n:
        _set_meta(store, SYNCED_KEY, to_iso(now()))
    report.waiting = waiting(store)
    return report


def _nothing(n: int) -> None:
    pass


@dataclass(frozen=True)
class _Batch:
    """A batch read from the outbox: its answers (staged centrally as `staged`, when any), the
    earlier grades of those regraded, and whether it was full (then more may wait)."""

    answers: list[tuple[Any, ...]]
    earlier: list[tuple[Any, ...]]
    staged: uuid.UUID | None
    full: bool = False


class _Stager:
    """A second central connection that stages a batch's answers while the first files the batch
    before: each staging commits on its own, recorded in `stage_batches` (central step c0010),
    and the filing deletes it. Opened on first use: a sync with nothing new opens none."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.link: _Link | None = None

    def __enter__(self) -> _Stager:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.link is not None:
            self.link.conn.close()

    @property
    def trips(self) -> int:
        return self.link.trips if self.link else 0

    def stage(self, answers: list[tuple[Any, ...]]) -> uuid.UUID | None:
        if not answers:
            return None
        if self.link is None:
            self.link = _Link(connect(self.url))
        batch = uuid.uuid4()
        with self.link.conn.transaction():
            self.link.execute("INSERT INTO stage_batches (batch) VALUES (%s)", [batch])
            self.link.copy("stage_answers", f"ord, {ANSWER_COLUMNS}", batch, answers)
        return batch


def _check_schema(link: _Link, url: str) -> set[str]:
    import psycopg

    try:
        steps = {str(r[0]) for r in link.execute("SELECT * FROM schema_steps()")}
    except psycopg.errors.UndefinedFunction as exc:
        raise TrainerError(
            f"central store {shown(url)}: holds no trainer schema; run `trainer central init` "
            "on it first"
        ) from exc
    missing = [name for name, _ in STEPS if name not in steps]
    if missing:
        raise TrainerError(
            f"central store {shown(url)}: its schema lacks step {missing[0]}; "
            "run `trainer central init` on it first"
        )
    return steps


@dataclass(frozen=True)
class _Filed:
    """What the central store made of a batch."""

    refused: dict[str, str]  # profile -> problem
    added: int
    held_sessions: set[str]
    held: set[str]
    history: int


def _file(
    link: _Link,
    rows: tuple[list[tuple[Any, ...]], ...],
    staged: uuid.UUID | None,
    pool: ThreadPoolExecutor,
    meanwhile: Callable[[], _T],
) -> tuple[_Filed, _T]:
    """One batch filed in one central transaction, with its people and sessions staged there (its
    answers were staged ahead as batch `staged`); `meanwhile` runs on this thread while the
    central store files it, and what it returns is returned with what was filed. Answers not
    staged ahead (a central store of before step c0010) are staged here."""
    trainees, sessions, answers, history = rows
    batch = staged or uuid.uuid4()
    refused: dict[str, str] = {}
    with link.conn.transaction():
        if trainees:
            link.copy("stage_trainees", _TRAINEE_COLUMNS + ", unit", batch,
                      [t[:-1] for t in trainees])  # fmt: skip
            refused = dict(link.execute("SELECT * FROM ingest_profiles(%s)", [batch]))
        link.copy("stage_sessions", _SESSION_COLUMNS, batch, [s[:-1] for s in sessions])
        if staged is None:
            link.copy("stage_answers", f"ord, {ANSWER_COLUMNS}", batch, answers)
        filing = pool.submit(link.execute, "SELECT * FROM ingest_results(%s)", [batch])
        try:
            got = meanwhile()
        finally:
            _, added, held_sessions, held = filing.result()[0]  # the connection is free again
        filed = 0
        if history:
            link.copy("stage_grade_history", _HISTORY_COLUMNS, batch, history)
            filed = int(link.execute("SELECT ingest_history(%s)", [batch])[0][0])
    return _Filed(refused, int(added), set(held_sessions), set(held), filed), got


_Done = tuple[tuple[list[tuple[Any, ...]], ...], "_Filed"]  # a batch's rows, what was filed


def _forget(
    store: Store, report: SyncReport, rows: tuple[list[tuple[Any, ...]], ...], filed: _Filed
) -> None:
    """Committed centrally: now, and only now, the outbox forgets what was filed."""
    trainees, sessions, answers, _ = rows
    sent_trainees = [(t[0], t[-1]) for t in trainees if t[0] not in filed.refused]
    sent_sessions = [(s[0], s[-1]) for s in sessions if s[0] not in filed.held_sessions]
    sent_answers = [(a[0],) for a in answers if a[1] not in filed.held]
    with store.write() as conn:
        conn.executemany(
            "DELETE FROM unsent_rows WHERE tbl = 'trainees' AND id = ? AND version = ?",
            sent_trainees,
        )
        conn.executemany(
            "DELETE FROM unsent_rows WHERE tbl = 'quiz_sessions' AND id = ? AND version = ?",
            sent_sessions,
        )
        conn.executemany("DELETE FROM unsent_answers WHERE seq = ?", sent_answers)
    report.trainees += len(sent_trainees)
    report.sessions += len(sent_sessions)
    report.answers += len(sent_answers)
    report.added += filed.added
    report.history += filed.history
    report.refused += [p for p in filed.refused.values() if p not in report.refused]
