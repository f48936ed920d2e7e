"""Spaced repetition by rule: one FSRS card per trainee and rule card, reviewed by every answer.

Each graded answer reviews every rule card its scenario exercises (and any card a finding names):
a card a finding is blamed on rates Again (a wrong decision's finding names the scenario's
decision rule); any other rates by the trainee's certainty, Hard when low, Easy when high, Good
when middling or not stated. The schedule is a function of the stored answers alone (fuzzing off,
reviews at the answers' `answered_at`, in the order of that time then answer id), so a rebuild, an
imported bundle or another workstation's store give the same cards.

The `rule_schedule` table is a cache of it: `update_schedules` folds in the answers stored since
the last call (the meta key `schedule_seq`), rebuilding a trainee from their answers when new ones
are older than the last folded (an import), and everything when the desired retention changes
or a regrade dropped it (a few trainees per short transaction: see `_rebuild_all`).
Its writes skip the fsync (`synchronous = NORMAL` under WAL): a cache lost in a power cut is
rebuilt from the answers, which are durable. `fsrs` is imported only here, when first needed.
"""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import TRAINEE_COUNTS, trainee_batches
from trainer.core.store.files import import_under_way

if TYPE_CHECKING:
    import fsrs

    from trainer.core.content.catalogue import Catalogue
    from trainer.core.content.scenarios import Library
    from trainer.core.store.regrade import RegradeResult
    from trainer.core.store.sqlite import Store

DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.7, 0.99
LEECH_LAPSES = 4  # a rule failed this often is a leech: the dashboard lists it as at risk
FORECAST_DAYS = 30

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # fsrs.Rating's values
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}
_BY_CERTAINTY = {None: GOOD, 1: HARD, 2: GOOD, 3: EASY}
LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State's values

_ANSWERS = "SELECT trainee_id, id, answered_ts, cards, finding_rules, certainty FROM answers"


def ratings(
    cards: Sequence[str] | None, blamed: Sequence[str], certainty: int | None
) -> dict[str, int]:
    """The rating each reviewed rule card gets from one answer."""
    if certainty not in _BY_CERTAINTY:
        raise TrainerError(f"certainty: must be 1, 2 or 3, not {certainty!r}")
    passed = _BY_CERTAINTY[certainty]
    failed = set(blamed)
    return {c: AGAIN if c in failed else passed for c in dict.fromkeys((*(cards or ()), *blamed))}


@dataclass(frozen=True)
class RuleCard:
    """One rule card of one trainee: its FSRS memory state, when it is due, how often failed."""

    trainee_id: str
    rule: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime
    reviews: int
    lapses: int  # Again ratings: how often the rule was broken

    @property
    def leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES

    def retrievability(self, at: datetime, retention: float = DEFAULT_RETENTION) -> float:
        """The chance (0-1) the trainee still applies the rule right at `at`."""
        return _scheduler(retention).get_card_retrievability(self._fsrs(), at.astimezone(UTC))

    def is_due(self, at: datetime) -> bool:
        return self.due <= at

    def _fsrs(self) -> fsrs.Card:
        import fsrs

        return fsrs.Card(
            card_id=0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


@functools.lru_cache(maxsize=4)
def _scheduler(retention: float) -> fsrs.Scheduler:
    import fsrs

    check_retention(retention)
    # No learning steps (minutes apart, for flashcards drilled in one sitting): a rule comes
    # back days later, in another scenario, so every review is scheduled by the memory model.
    return fsrs.Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


def check_retention(retention: float) -> float:
    if not MIN_RETENTION <= retention <= MAX_RETENTION:
        raise TrainerError(
            f"desired retention: must be between {MIN_RETENTION} and {MAX_RETENTION}, "
            f"not {retention}"
        )
    return retention


# Folding answers into cards ---------------------------------------------------------------------


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@functools.lru_cache(maxsize=4096)
def _reviews(card_json: str | None, rules_json: str, certainty: int | None) -> tuple[Any, ...]:
    """(rule, fsrs.Rating) pairs of one answer; the same few strings recur across answers."""
    import fsrs

    exercised = json.loads(card_json) if card_json else None
    found = ratings(exercised, json.loads(rules_json), certainty)
    return tuple((rule, fsrs.Rating(rating)) for rule, rating in found.items())


def fold(
    cards: dict[str, RuleCard], rows: Iterable[tuple[Any, ...]], retention: float
) -> dict[str, RuleCard]:
    """One trainee's cards after the answers `rows` (`_ANSWERS` columns, in answer order).

    The fold works on fsrs cards and counters (a RuleCard is built once per rule at the end):
    a rebuild reviews millions of times.
    """
    import fsrs

    review = _scheduler(retention).review_card
    again = fsrs.Rating.Again
    live: dict[str, list[Any]] = {r: [c._fsrs(), c.reviews, c.lapses] for r, c in cards.items()}
    trainee_id = ""
    for owner, _id, ts, card_json, rules_json, certainty in rows:
        trainee_id, at = owner, _utc(ts)
        for rule, rating in _reviews(card_json, rules_json, certainty):
            state = live.get(rule)
            if state is None:
                state = live[rule] = [fsrs.Card(card_id=0, due=at), 0, 0]
            state[0] = review(state[0], rating, at)[0]
            state[1] += 1
            state[2] += rating == again
    for rule, (card, reviews, lapses) in live.items():
        old = cards.get(rule)
        if old is not None and old.reviews == reviews:
            continue  # not reviewed by these rows: kept as it was
        cards[rule] = RuleCard(
            old.trainee_id if old else trainee_id, rule, int(card.state), card.step,
            card.stability, card.difficulty, card.due, card.last_review, reviews, lapses,
        )  # fmt: skip
    return cards


def schedule_of(
    rows: Iterable[tuple[Any, ...]], retention: float = DEFAULT_RETENTION
) -> dict[str, dict[str, RuleCard]]:
    """Every trainee's cards from answer rows in (trainee, answered_ts, id) order: a pure fold."""
    return {
        trainee: fold({}, group, retention)
        for trainee, group in itertools.groupby(rows, key=lambda r: r[0])
    }


# The cache table -----------------------------------------------------------------------------

_COLUMNS = "trainee_id, rule, state, step, stability, difficulty, due_ts, last_ts, reviews, lapses"


def _row(card: RuleCard) -> tuple[Any, ...]:
    return (
        card.trainee_id, card.rule, card.state, card.step, card.stability, card.difficulty,
        card.due.timestamp(), card.last_review.timestamp(), card.reviews, card.lapses,
    )  # fmt: skip


def _card(row: tuple[Any, ...]) -> RuleCard:
    trainee, rule, state, step, stability, difficulty, due, last, reviews, lapses = row
    return RuleCard(
        trainee, rule, state, step, stability, difficulty, _utc(due), _utc(last), reviews, lapses
    )


@contextmanager
def _cache_write(store: Store) -> Iterator[sqlite3.Connection]:
    """A write transaction without the fsync (see the module docstring)."""
    store.conn.execute("PRAGMA synchronous = NORMAL")
    try:
        with store.write() as conn:
            yield conn
    finally:
        store.conn.execute("PRAGMA synchronous = FULL")


def _meta(conn: sqlite3.Connection, key: str) -> str:
    return str(conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()[0])


def _save(conn: sqlite3.Connection, trainee_id: str, cards: dict[str, RuleCard]) -> None:
    conn.executemany(
        f"INSERT OR REPLACE INTO rule_schedule ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_row(c) for c in cards.values()],
    )


_ONE_TRAINEE = f"{_ANSWERS} WHERE trainee_id = ? ORDER BY answered_ts, id"


def _rebuild_trainee(conn: sqlite3.Connection, trainee_id: str, retention: float) -> None:
    rows = conn.execute(_ONE_TRAINEE, [trainee_id]).fetchall()
    _replace(conn, trainee_id, fold({}, rows, retention), rows[-1] if rows else None)


def _replace(
    conn: sqlite3.Connection,
    trainee_id: str,
    cards: dict[str, RuleCard],
    last: tuple[Any, ...] | None,
) -> None:
    """The trainee's cards, all of them, folded up to their answer `last`."""
    conn.execute("DELETE FROM rule_schedule WHERE trainee_id = ?", [trainee_id])
    _save(conn, trainee_id, cards)
    _mark(conn, trainee_id, last)


def _folded(conn: sqlite3.Connection, top: int, retention: float) -> None:
    """Every answer up to seq `top` is folded in under `retention` (0: none is)."""
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schedule_seq'", [str(top)])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schedule_retention'", [repr(retention)])


def _mark(conn: sqlite3.Connection, trainee_id: str, last: tuple[Any, ...] | None) -> None:
    if last is None:
        conn.execute("DELETE FROM schedule_marks WHERE trainee_id = ?", [trainee_id])
    else:
        conn.execute(
            "INSERT OR REPLACE INTO schedule_marks (trainee_id, last_ts, last_id) VALUES (?, ?, ?)",
            [trainee_id, last[2], last[1]],
        )


# A full rebuild goes a few trainees at a time (about REBUILD_ANSWERS answers): their answers
# are read and folded outside any transaction, and each batch's cards are written in a short one,
# so that a trainee's submit meanwhile never waits long (one transaction for every schedule held
# the write lock two minutes at a million answers). Its progress is kept in the meta key
# `schedule_rebuild` (the retention, the highest seq when it began, the last trainee done), so
# whoever calls next goes on from there. Until a trainee is rebuilt, their old cards are read.
REBUILD_ANSWERS = 5_000


def _rebuild_all(store: Store, retention: float) -> int:
    """Every trainee's cards from every answer, batch by batch; returns the answers folded."""
    folded = 0
    while (progress := _progress(store, retention)) is not None:
        top, after = progress
        for batch in trainee_batches(store.query(TRAINEE_COUNTS, [after]), REBUILD_ANSWERS):
            rows = store.query(
                f"{_ANSWERS} WHERE trainee_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY trainee_id, answered_ts, id",
                [json.dumps(batch)],
            )
            built = {
                trainee: (fold({}, answers, retention), answers[-1])
                for trainee, answers in (
                    (t, list(g)) for t, g in itertools.groupby(rows, key=lambda r: r[0])
                )
            }
            with _cache_write(store) as conn:
                if _progress_in(conn, retention) != (top, after):
                    break  # another caller went on meanwhile: on from where it is now
                for trainee in batch:
                    _replace(conn, trainee, *built.get(trainee, ({}, None)))
                after = batch[-1]
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schedule_rebuild'",
                    [json.dumps([repr(retention), top, after])],
                )
            folded += len(rows)
        else:  # every trainee done
            with _cache_write(store) as conn:
                if _progress_in(conn, retention) == (top, after):  # nobody finished it first
                    conn.execute("DELETE FROM meta WHERE key = 'schedule_rebuild'")
                    _folded(conn, top, retention)
            return folded
    return folded


def _progress_in(conn: sqlite3.Connection, retention: float) -> tuple[int, str] | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'schedule_rebuild'").fetchone()
    if row is None:
        return None
    kept, top, after = json.loads(row[0])
    return (int(top), str(after)) if kept == repr(retention) else None


def _progress(store: Store, retention: float) -> tuple[int, str] | None:
    """The rebuild under way for this retention (the seq it runs to, the last trainee done);
    one is begun when the cache needs it; None when none is needed."""
    with _cache_write(store) as conn:
        progress = _progress_in(conn, retention)
        if progress is not None:
            return progress
        done = int(_meta(conn, "schedule_seq"))
        if done != 0 and _meta(conn, "schedule_retention") == repr(retention):
            return None  # up to date but for new answers: folded in as they come
        top = int(conn.execute("SELECT coalesce(max(seq), 0) FROM answers").fetchone()[0])
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schedule_rebuild', ?)",
            [json.dumps([repr(retention), top, ""])],
        )
        return top, ""


def _dropped(store: Store, retention: float) -> bool:
    """Whether the cache, kept under this retention, waits for (or is in) a rebuild of every
    schedule: dropped by a regrade, or a rebuild begun and not finished."""
    ((done, kept, progress),) = store.query(
        "SELECT (SELECT value FROM meta WHERE key = 'schedule_seq'), "
        "(SELECT value FROM meta WHERE key = 'schedule_retention'), "
        "(SELECT value FROM meta WHERE key = 'schedule_rebuild')"
    )
    if progress is not None:
        return bool(json.loads(progress)[0] == repr(retention))
    return done is not None and int(done) == 0 and kept == repr(retention)


def _rebuild_one(store: Store, trainee_id: str, retention: float) -> int:
    """One trainee's cards from their answers (read and folded outside the transaction)."""
    rows = store.query(_ONE_TRAINEE, [trainee_id])
    cards = fold({}, rows, retention)
    with _cache_write(store) as conn:
        _replace(conn, trainee_id, cards, rows[-1] if rows else None)
    return len(rows)


def _up_to_date(store: Store, retention: float) -> bool:
    """Whether the cache has folded in every answer under this retention (one read)."""
    ((done, kept, top),) = store.query(
        "SELECT (SELECT value FROM meta WHERE key = 'schedule_seq'), "
        "(SELECT value FROM meta WHERE key = 'schedule_retention'), "
        "(SELECT coalesce(max(seq), 0) FROM answers)"
    )
    return done is not None and int(done) == top and kept == repr(retention)


def update_schedules(
    store: Store, retention: float = DEFAULT_RETENTION, trainee_id: str | None = None
) -> int:
    """Fold the answers stored since the last update into the cache; returns how many.

    With `trainee_id` (a trainee's own screens and submits), while a rebuild of every schedule
    under this retention waits (after a regrade dropped the cache), only that trainee's cards are
    rebuilt, in a moment: the rest is left to a call without one (the dashboard's risk tab)."""
    check_retention(retention)
    if _up_to_date(store, retention):
        return 0  # nothing to write, so nothing to wait for (the database's check, a writer)
    if import_under_way(store.path):
        return 0  # a cache: it catches up after the import (whose answers it would fold anyway)
    if trainee_id is not None and _dropped(store, retention):
        return _rebuild_one(store, trainee_id, retention)
    count = _rebuild_all(store, retention)  # when the cache was dropped or the retention changed
    with _cache_write(store) as conn:
        done = int(_meta(conn, "schedule_seq"))
        top = conn.execute("SELECT coalesce(max(seq), 0) FROM answers").fetchone()[0]
        if top == done and _meta(conn, "schedule_retention") == repr(retention):
            return count
        if done == 0 or _meta(conn, "schedule_retention") != repr(retention):
            return count  # another retention's rebuild began meanwhile: it goes on next time
        else:
            # The rowid range (NOT INDEXED: an index scan for the ORDER BY would read them all).
            new = sorted(
                conn.execute(f"{_ANSWERS} NOT INDEXED WHERE seq > ?", [done]),
                key=lambda r: (r[0], r[2], r[1]),
            )
            for trainee, group in itertools.groupby(new, key=lambda r: r[0]):
                _fold_new(conn, trainee, list(group), retention)
            count += len(new)
        _folded(conn, top, retention)
    return int(count)


def _fold_new(
    conn: sqlite3.Connection, trainee_id: str, rows: list[tuple[Any, ...]], retention: float
) -> None:
    mark = conn.execute(
        "SELECT last_ts, last_id FROM schedule_marks WHERE trainee_id = ?", [trainee_id]
    ).fetchone()
    if mark is not None and (rows[0][2], rows[0][1]) <= tuple(mark):
        # Older answers arrived (an import), or ones folded before come round again (after a
        # profile reset elsewhere lowered schedule_seq): replay the trainee's answers in order.
        _rebuild_trainee(conn, trainee_id, retention)
        return
    cards = {
        c.rule: c
        for c in map(
            _card,
            conn.execute(
                f"SELECT {_COLUMNS} FROM rule_schedule WHERE trainee_id = ?", [trainee_id]
            ),
        )
    }
    before = dict(cards)
    fold(cards, rows, retention)
    _save(conn, trainee_id, {r: c for r, c in cards.items() if before.get(r) is not c})
    _mark(conn, trainee_id, rows[-1])


def regrade_and_reschedule(
    store: Store, library: Library, catalogue: Catalogue, stop: Callable[[], bool]
) -> RegradeResult:
    """The application's background regrade, then (unless stopped) every rule schedule it
    dropped rebuilt on the same thread, in short transactions: meanwhile a trainee's own screens
    rebuild only their own cards (`update_schedules` with a trainee), in a moment."""
    from trainer.core.store.regrade import regrade

    result = regrade(store, library, catalogue, stop=stop)
    if not result.stopped and not stop():
        update_schedules(store, desired_retention(store))
    return result


def rebuild_schedules(store: Store, retention: float = DEFAULT_RETENTION) -> int:
    """Throw the cache away and derive every schedule again from the answers."""
    from trainer.core.store.schema import forget_schedules

    with _cache_write(store) as conn:
        forget_schedules(conn)
    return update_schedules(store, retention)


def trainee_cards(
    store: Store, trainee_id: str, retention: float = DEFAULT_RETENTION
) -> list[RuleCard]:
    """The trainee's rule cards, brought up to date, in no particular order."""
    update_schedules(store, retention, trainee_id)
    rows = store.query(
        f"SELECT {_COLUMNS} FROM rule_schedule WHERE trainee_id = ? ORDER BY rule", [trainee_id]
    )
    return [_card(r) for r in rows]


# What the trainee sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CardStatus:
    card: RuleCard
    retrievability: float

    @property
    def rule(self) -> str:
        return self.card.rule


def by_urgency(
    cards: Iterable[RuleCard], at: datetime, retention: float = DEFAULT_RETENTION
) -> list[CardStatus]:
    """Cards with their retrievability at `at`: those due first, least likely recalled first;
    then the rest by due date."""
    statuses = [CardStatus(c, c.retrievability(at, retention)) for c in cards]
    return sorted(
        statuses,
        key=lambda s: (
            not s.card.is_due(at),
            s.retrievability if s.card.is_due(at) else s.card.due.timestamp(),
            s.rule,
        ),
    )


@dataclass(frozen=True)
class DueSummary:
    due: tuple[str, ...]  # the rules due now, most in need of review first
    next_due: datetime | None  # when the next rule not yet due falls due


def due_summary(statuses: Sequence[CardStatus], at: datetime) -> DueSummary:
    later = [s.card.due for s in statuses if not s.card.is_due(at)]
    return DueSummary(
        tuple(s.rule for s in statuses if s.card.is_due(at)), min(later) if later else None
    )


def forecast(cards: Iterable[RuleCard], at: datetime, days: int = FORECAST_DAYS) -> list[int]:
    """Reviews falling due on each of the next `days` days (day 0 also holds the overdue)."""
    counts = [0] * days
    start = at.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    for card in cards:
        day = (card.due.astimezone(start.tzinfo) - start) // timedelta(days=1)
        if day < days:
            counts[max(0, day)] += 1
    return counts


# The workstation's setting --------------------------------------------------------------------


def desired_retention(store: Store) -> float:
    """The workstation's desired retention (meta `desired_retention`), by default 0.9."""
    rows = store.query("SELECT value FROM meta WHERE key = 'desired_retention'")
    try:
        return check_retention(float(rows[0][0])) if rows else DEFAULT_RETENTION
    except (TrainerError, ValueError):
        return DEFAULT_RETENTION  # a damaged setting falls back to the default


def set_desired_retention(store: Store, retention: float) -> None:
    """Keep the retention; the cache, kept under another, is dropped for this one, so that a
    trainee's screens rebuild only their own cards (`update_schedules` with a trainee) and a call
    without one rebuilds everyone's."""
    check_retention(retention)
    with store.write(bookkeeping=True) as conn:  # a setting: need not wait for the check
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('desired_retention', ?)",
            [repr(retention)],
        )
        if _meta(conn, "schedule_retention") != repr(retention):
            _folded(conn, 0, retention)
            conn.execute("DELETE FROM meta WHERE key = 'schedule_rebuild'")


def due_counts(store: Store, trainee_id: str, at: datetime) -> tuple[int, datetime | None]:
    """How many of the trainee's rules are due at `at`, and when the next one falls due after it
    (plain SQL on the cache: no fsrs needed while the cache is up to date)."""
    [(due, later)] = store.query(
        "SELECT sum(due_ts <= ?1), min(CASE WHEN due_ts > ?1 THEN due_ts END) "
        "FROM rule_schedule WHERE trainee_id = ?2",
        [at.timestamp(), trainee_id],
    )
    return int(due or 0), None if later is None else _utc(later)
