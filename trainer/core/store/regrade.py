"""Grade every stored answer again against the current bank and catalogue (`trainer regrade`).

A corrected key, a new trap or a changed rule card changes what past answers deserve. Answers are
read in pages in `seq` order (bounded memory at any size) and graded again; a changed answer is
updated in place and its previous grade kept in `grade_history`, with the regrade (in `regrades`:
when, and the bank hash and catalogue edition it graded against). Each page is its own short
transaction, so the application can go on recording answers meanwhile. The page's transaction
takes its changed answers out of the summaries and puts them back as they now are; only the
trainees' running sums are counted again at the end, a few trainees per short transaction. An
interrupted regrade leaves `meta.running_sums_stale` set, and the next regrade (which finds the
answers already done) finishes the job. Answers whose scenario is no longer in
the bank are left as they are, and counted.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.model_cache import StaleCache, rebuild
from trainer.core.content.models import Answer, Grade
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.grading.grade import grade
from trainer.core.store.answer_rows import (
    SUMMARY_TABLES,
    TRAINEE_COUNTS,
    count_answers,
    count_running_again,
    slug_list,
    summarise_after,
    trainee_batches,
    uncount_answers,
)
from trainer.core.store.records import (
    findings_json,
    malpractice_trap,
    now,
    stored_decision,
    to_iso,
)
from trainer.core.store.sqlite import Store

PAGE = 5_000
GRADE_CACHE = 20_000  # (scenario, answer) pairs: most answers to a scenario are one of a few
STALE_KEY = "summaries_stale"  # left by an interrupted regrade of an earlier version: all stale
RUNNING_KEY = "running_sums_stale"  # the running sums wait to be counted again
RUNNING_ANSWERS = 20_000  # answers whose running sums are counted again per transaction

_SELECT = (
    "SELECT seq, id, scenario_id, answer, score, findings, expected_decision, crime_groups, "
    "scenario_hash, catalogue_edition, bank_hash, scenario_title, kind, topics, cards "
    "FROM answers WHERE seq > ? ORDER BY seq LIMIT ?"
)
_UPDATE = (
    "UPDATE answers SET scenario_hash = ?, catalogue_edition = ?, scenario_title = ?, kind = ?, "
    "topics = ?, expected_decision = ?, crime_groups = ?, score = ?, findings = ?, "
    "finding_kinds = ?, finding_rules = ?, malpractice_trap = ?, bank_hash = ?, cards = ? "
    "WHERE seq = ?"
)
# Most answers keep their grade and only learn the bank they were graded under: of the indexes,
# only answers_by_bank is rewritten.
_RESTAMP = (
    "UPDATE answers SET scenario_hash = ?, catalogue_edition = ?, scenario_title = ?, kind = ?, "
    "topics = ?, bank_hash = ?, cards = ? WHERE seq = ?"
)
_HISTORY = (
    "INSERT OR IGNORE INTO grade_history (answer_id, regrade_id, score, findings, "
    "expected_decision, crime_groups, scenario_hash, catalogue_edition, bank_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class RegradeResult:
    checked: int
    changed: int  # score, findings or the key's decision or crime groups differ
    unchanged: int
    missing_scenario: int  # no longer in the bank: left as they were
    bank_hash: str
    catalogue_edition: str
    dry_run: bool
    changed_by_scenario: dict[str, int] = field(default_factory=dict)
    stopped: bool = False  # asked to stop between pages: the next regrade finishes the job
    restamped: int = 0  # unchanged, but graded under another bank: now marked with this one

    def describe(self) -> str:
        """The command's report: counts, and on a dry run what would change."""
        verb = "would change" if self.dry_run else "changed"
        lines = [
            f"{self.checked:,} answer(s) checked against bank {self.bank_hash} "
            f"(rules {self.catalogue_edition}): {self.changed:,} {verb}, "
            f"{self.unchanged:,} unchanged, {self.missing_scenario:,} left as they were "
            "(scenario no longer in the bank)"
        ]
        if self.restamped:
            verb = "would be" if self.dry_run else "were"
            lines.append(
                f"{self.restamped:,} unchanged answer(s) graded under another bank {verb} "
                "marked as graded under this one"
            )
        if self.dry_run and self.changed:
            top = sorted(self.changed_by_scenario.items(), key=lambda kv: (-kv[1], kv[0]))
            lines += [f"  {sid}: {n:,} answer(s) would change" for sid, n in top[:20]]
            if len(top) > 20:
                lines.append(f"  ... and {len(top) - 20} more scenario(s)")
            lines.append("nothing was changed (dry run)")
        if self.stopped:
            lines.append("stopped before the end: run the regrade again to finish it")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Key:
    """What a stored answer copies from its scenario and catalogue, as stored."""

    scenario_hash: str
    edition: str
    title: str
    kind: str
    topics: str
    expected_decision: str
    crime_groups: str
    cards: str  # the rule cards the scenario exercises (what the rule schedule reviews)

    @classmethod
    def of(cls, loaded: LoadedScenario, catalogue: Catalogue) -> _Key:
        s = loaded.scenario
        groups = (catalogue.group_of(c.offence) for c in s.expected.crimes)
        return cls(
            loaded.content_hash, catalogue.edition_id, s.title, s.kind, slug_list(s.topics),
            stored_decision(s.expected), slug_list(tuple(dict.fromkeys(g for g in groups if g))),
            slug_list(s.expected.cards),
        )  # fmt: skip


def _normal(findings: str) -> list[tuple[Any, ...]]:
    """Findings compared by meaning: a key left out means its default (older rows lack `trap`)."""
    try:
        items = json.loads(findings)
    except ValueError:
        return []
    return [
        (f.get("kind"), f.get("rule"), f.get("message"), f.get("trap"), bool(f.get("malpractice")))
        for f in items
        if isinstance(f, dict)
    ]


def same_findings(old: str, new: str) -> bool:
    return old == new or _normal(old) == _normal(new)


class _Regrader:
    def __init__(self, store: Store, library: Library, catalogue: Catalogue) -> None:
        self.store = store
        self.catalogue = catalogue
        self.by_id = library.by_id
        self.keys = {sid: _Key.of(loaded, catalogue) for sid, loaded in self.by_id.items()}
        self.bank_hash = bank_hash((s.scenario for s in library.scenarios), catalogue)
        self.grade: Callable[[str, str], tuple[Grade, str] | None] = functools.lru_cache(
            GRADE_CACHE
        )(self._grade)

    def _grade(self, scenario_id: str, answer_json: str) -> tuple[Grade, str] | None:
        """The grade, and its findings as stored."""
        try:
            answer = rebuild(Answer, json.loads(answer_json))
        except (ValueError, TypeError, StaleCache):
            return None  # not an answer this trainer wrote: left as it is
        result = grade(self.by_id[scenario_id].scenario, answer, self.catalogue)
        return result, findings_json(result.findings)

    def page(self, after: int) -> list[tuple[Any, ...]]:
        return self.store.query(_SELECT, [after, PAGE])


@dataclass
class _Tally:
    checked: int = 0
    changed: int = 0
    missing: int = 0
    restamped: int = 0
    reviews_changed: bool = False  # findings or exercised cards changed: the schedule is stale
    by_scenario: Counter[str] = field(default_factory=Counter)


def regrade(
    store: Store,
    library: Library,
    catalogue: Catalogue,
    dry_run: bool = False,
    stop: Callable[[], bool] | None = None,
) -> RegradeResult:
    """Grade every stored answer again; update the changed ones (unless `dry_run`). `stop` is
    asked between pages (the application closing); a stopped regrade leaves the summaries to the
    next one."""
    job = _Regrader(store, library, catalogue)
    tally = _Tally()
    regrade_id: int | None = None
    after = -(2**63)
    stopped = False
    with store.guard():
        while rows := job.page(after):
            if stop is not None and stop():
                stopped = True
                break
            after = rows[-1][0]
            updates, restamps, history, counted = _page(job, rows, tally)
            if dry_run or not (updates or restamps):
                continue
            if regrade_id is None:
                regrade_id = _begin(store, job)
            with store.write() as conn:
                uncount_answers(conn, counted)  # as they were ...
                conn.executemany(_UPDATE, updates)
                conn.executemany(_RESTAMP, restamps)
                count_answers(conn, counted)  # ... and as they are now
                conn.executemany(_HISTORY, [(*h[:1], regrade_id, *h[1:]) for h in history])
                if tally.reviews_changed:
                    from trainer.core.store.schema import forget_schedules

                    forget_schedules(conn)  # rebuilt from the regraded answers when next read
        if not dry_run and not stopped:
            stopped = not _finish(store, regrade_id, tally, stop)
    return RegradeResult(
        checked=tally.checked,
        changed=tally.changed,
        unchanged=tally.checked - tally.changed - tally.missing,
        missing_scenario=tally.missing,
        bank_hash=job.bank_hash,
        catalogue_edition=catalogue.edition_id,
        dry_run=dry_run,
        changed_by_scenario=dict(tally.by_scenario),
        stopped=stopped,
        restamped=tally.restamped,
    )


Params = list[tuple[Any, ...]]


def _page(
    job: _Regrader, rows: Sequence[tuple[Any, ...]], tally: _Tally
) -> tuple[Params, Params, Params, list[int]]:
    """The parameters of `_UPDATE` for the changed rows, of `_RESTAMP` for the rows that keep
    their grade but were graded under another bank, the changed rows' history, and the seqs of
    the rows whose summaries change (a new grade, or a restamp with another kind or topics)."""
    updates: Params = []
    restamps: Params = []
    history: Params = []
    counted: list[int] = []
    for (seq, answer_id, sid, answer_json, score, findings, expected, groups, digest, edition,
         graded_under, title, kind, topics, cards) in rows:  # fmt: skip
        tally.checked += 1
        key = job.keys.get(sid)
        graded = job.grade(sid, answer_json) if key is not None else None
        if key is None or graded is None:
            tally.missing += 1
            continue
        result, new_findings = graded
        changed = (
            score != result.score
            or expected != key.expected_decision
            or groups != key.crime_groups
            or not same_findings(findings, new_findings)
        )
        if changed:
            tally.changed += 1
            tally.by_scenario[sid] += 1
            history.append(
                (answer_id, score, findings, expected, groups, digest, edition, graded_under)
            )
            updates.append(
                (key.scenario_hash, key.edition, key.title, key.kind, key.topics,
                 key.expected_decision, key.crime_groups, result.score, new_findings,
                 slug_list(tuple(f.kind for f in result.findings)),
                 slug_list(tuple(f.rule for f in result.findings)),
                 malpractice_trap(result.findings), job.bank_hash, key.cards, seq)
            )  # fmt: skip
            tally.reviews_changed = True
            counted.append(seq)
        elif (digest, edition, title, kind, topics, graded_under, cards) != (
            key.scenario_hash, key.edition, key.title, key.kind, key.topics, job.bank_hash,
            key.cards,
        ):  # fmt: skip
            tally.restamped += 1
            tally.reviews_changed |= cards != key.cards
            if (kind, topics) != (key.kind, key.topics):
                counted.append(seq)
            restamps.append(
                (key.scenario_hash, key.edition, key.title, key.kind, key.topics, job.bank_hash,
                 key.cards, seq)
            )  # fmt: skip
    return updates, restamps, history, counted


def _begin(store: Store, job: _Regrader) -> int:
    """Back up (before the first change), then log the regrade and mark the summaries stale."""
    if store.path is not None:
        from trainer.core.store.backups import backup_database

        backup_database(store.conn, store.path, "regrade")
    started = now()
    with store.write() as conn:
        cursor = conn.execute(
            "INSERT INTO regrades (started_at, started_ts, bank_hash, catalogue_edition) "
            "VALUES (?, ?, ?, ?)",
            [to_iso(started), started.timestamp(), job.bank_hash, job.catalogue.edition_id],
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING",
            [RUNNING_KEY],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _finish(
    store: Store, regrade_id: int | None, tally: _Tally, stop: Callable[[], bool] | None
) -> bool:
    """Count the running sums again if anything changed (now or in an interrupted run) and log
    it; False if `stop` said to stop first (the rest is left to the next regrade).

    Every other summary was kept right page by page. The running sums are counted a few trainees
    at a time (about RUNNING_ANSWERS answers), each batch a short transaction of its own: at a
    million answers rebuilding every summary in one held the write lock half a minute, and a
    trainee's submit meanwhile failed as busy. An answer recorded meanwhile is counted either
    way."""
    legacy = store.query("SELECT 1 FROM meta WHERE key = ?", [STALE_KEY])
    stale = store.query("SELECT 1 FROM meta WHERE key = ?", [RUNNING_KEY])
    if regrade_id is None and not stale and not legacy:
        return True
    if legacy:  # every summary may be stale: counted again in one go (once, after an upgrade)
        with store.write() as conn:
            rebuild_summaries(conn)
    else:
        counts = store.query(TRAINEE_COUNTS, [""])
        for batch in trainee_batches(counts, RUNNING_ANSWERS):
            if stop is not None and stop():
                return False
            with store.write() as conn:
                count_running_again(conn, batch)
    with store.write() as conn:
        conn.execute("DELETE FROM meta WHERE key IN (?, ?)", [STALE_KEY, RUNNING_KEY])
        if regrade_id is not None:
            conn.execute(
                "UPDATE regrades SET finished_at = ?, checked = ?, changed = ?, "
                "missing_scenario = ? WHERE id = ?",
                [to_iso(now()), tally.checked, tally.changed, tally.missing, regrade_id],
            )
    return True


def rebuild_summaries(conn: sqlite3.Connection) -> None:
    """Recompute every summary table from the answers (inside a `Store.write()` block)."""
    for table in SUMMARY_TABLES:
        conn.execute(f"DELETE FROM {table}")
    summarise_after(conn, -(2**63))
