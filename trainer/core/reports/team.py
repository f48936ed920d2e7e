"""What the supervisor dashboard shows, chosen from the stored answers.

This module decides which answers go into the figures (the current filter, one trainee's answers)
and reads them quickly; `statistics` does the arithmetic, `team_breakdown` shapes the charts.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from trainer.core.reports.statistics import (
    WEAK_DISCRIMINATION,
    Attempt,
    ItemStats,
    TraineeSummary,
    item_analysis,
    summarise,
)
from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.records import AnswerRow, Trainee, from_iso

if TYPE_CHECKING:
    from trainer.core.content.scenarios import Library
    from trainer.core.store.protocol import ResultsStore

ROLE_NAMES = {"call-handler": "Call-handler", "officer": "Officer"}


@dataclass(frozen=True)
class TeamFilter:
    """The dashboard's filter: a role, a date range (both days inclusive, local time), a topic."""

    role: str | None = None
    since: date | None = None
    until: date | None = None
    topic: str | None = None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The filter's dates as the store's bounds: `since` inclusive, `until` exclusive."""
        low = _local_midnight(self.since) if self.since else None
        high = _local_midnight(self.until + timedelta(days=1)) if self.until else None
        return low, high

    def admits_trainee(self, trainee: Trainee) -> bool:
        return self.role is None or trainee.role == self.role

    def admits(self, attempt: Attempt, roles: Mapping[str, str]) -> bool:
        """The same test as the store's query, for answers already in memory."""
        low, high = self.window()
        return (
            (self.role is None or roles.get(attempt.trainee_id) == self.role)
            and (low is None or attempt.answered_at >= low)
            and (high is None or attempt.answered_at < high)
            and (self.topic is None or self.topic in attempt.topics)
        )

    def describe(self, topic_name: Callable[[str], str] = str) -> str:
        """E.g. 'Officers; 1 Mar 2026 to 31 Mar 2026; topic Burglary' (with the topic's name)."""
        role = f"{ROLE_NAMES.get(self.role, self.role)}s" if self.role else "All roles"
        if self.since and self.until:
            dates = f"{_day(self.since)} to {_day(self.until)}"
        elif self.since:
            dates = f"from {_day(self.since)}"
        elif self.until:
            dates = f"up to {_day(self.until)}"
        else:
            dates = "all dates"
        topic = f"topic {topic_name(self.topic)}" if self.topic else "all topics"
        return f"{role}; {dates}; {topic}"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Answered:
    """One stored answer as the dashboard lists it: its figures (`attempt`) and its words."""

    title: str
    findings_json: str  # parsed only for the answers a supervisor drills down to
    attempt: Attempt
    id: str = ""  # the stored answer's, to open it in full

    def messages(self, kind: str | None = None, rule: str | None = None) -> list[str]:
        """The answer's findings (those of one kind or rule card, when given) in words."""
        return [
            f["message"]
            for f in json.loads(self.findings_json)
            if (kind is None or f["kind"] == kind) and (rule is None or f["rule"] == rule)
        ]


@dataclass(frozen=True)
class TeamData:
    """The trainees and the answers the current filter admits, loaded once per refresh."""

    filter: TeamFilter
    trainees: tuple[Trainee, ...]
    answers: tuple[Answered, ...]

    @functools.cached_property
    def attempts(self) -> list[Attempt]:
        return [a.attempt for a in self.answers]

    @functools.cached_property
    def names(self) -> dict[str, str]:
        return {t.id: t.name for t in self.trainees}

    @functools.cached_property
    def _by_trainee(self) -> dict[str, list[Attempt]]:
        out: dict[str, list[Attempt]] = {t.id: [] for t in self.trainees}
        for a in self.attempts:
            out.setdefault(a.trainee_id, []).append(a)
        return out

    def attempts_of(self, trainee_id: str) -> list[Attempt]:
        return self._by_trainee.get(trainee_id, [])

    @functools.cached_property
    def team_summary(self) -> TraineeSummary:
        return summarise("team", self.attempts)

    @functools.cached_property
    def _team_rows(self) -> tuple[TeamRow, ...]:
        return tuple(TeamRow(t, summarise(t.id, self.attempts_of(t.id))) for t in self.trainees)

    @functools.cached_property
    def _item_rows(self) -> tuple[ItemRow, ...]:
        titles = {a.attempt.scenario_id: a.title for a in self.answers}
        return tuple(
            ItemRow(s, titles.get(s.scenario_id, s.scenario_id))
            for s in item_analysis(self.attempts)
        )

    def prepare(self) -> TeamData:
        """Work out the figures now (on a loading thread), so that showing them is quick."""
        _ = self.team_summary, self._team_rows, self._item_rows
        return self


def select(trainees: Iterable[Trainee], answers: Iterable[Answered], flt: TeamFilter) -> TeamData:
    """The trainees of the filter's role and their answers that pass the filter (in memory)."""
    kept = tuple(t for t in trainees if flt.admits_trainee(t))
    roles = {t.id: t.role for t in kept}
    return TeamData(flt, kept, tuple(a for a in answers if flt.admits(a.attempt, roles)))


_COLUMNS = (
    "trainee_id, scenario_id, scenario_title, kind, expected_decision, decision, score, "
    "answered_at, finding_kinds, finding_rules, crime_groups, topics, exam, findings, id"
)


@functools.lru_cache(maxsize=4096)
def _slugs(text: str) -> tuple[str, ...]:
    """A stored slug list, '["a","b"]' (the schema allows no other shape), as a tuple.

    Cached: the same few lists (a scenario's topics, its crime groups) come back on every row.
    """
    return tuple(text[2:-2].split('","')) if text != "[]" else ()


def _answered(
    trainee: str, scenario: str, title: str, kind: str, expected: str, decision: str,
    score: int, at: str, kinds: str, rules: str, groups: str, topics: str, exam: int,
    findings: str, answer_id: str,
) -> Answered:  # fmt: skip
    attempt = Attempt(
        trainee, scenario, kind, expected, decision, score, from_iso(at), _slugs(kinds),
        _slugs(rules), _slugs(groups), _slugs(topics), bool(exam),
    )  # fmt: skip
    return Answered(title, findings, attempt, answer_id)


def load(store: ResultsStore, flt: TeamFilter) -> TeamData:
    """Read what the filter admits, only the columns the figures need (quick at 100,000 rows)."""
    since, until = flt.window()
    where, params = answer_filter(since=since, until=until, topic=flt.topic)
    if flt.role is not None:
        where += " AND answers.trainee_id IN (SELECT id FROM trainees WHERE role = ?)"
        params.append(flt.role)
    rows = store.query(
        f"SELECT {_COLUMNS} FROM answers WHERE {where} ORDER BY answered_ts, seq", params
    )
    answers = tuple(_answered(*row) for row in rows)
    trainees = tuple(t for t in store.trainees() if flt.admits_trainee(t))
    return TeamData(flt, trainees, answers)


def trainee_answers(store: ResultsStore, trainee_id: str, flt: TeamFilter) -> list[AnswerRow]:
    """One trainee's answers under the filter, in full (for their own tab)."""
    since, until = flt.window()
    return store.answers(trainee_id=trainee_id, since=since, until=until, topic=flt.topic)


# The team table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    trainee: Trainee
    summary: TraineeSummary


def team_rows(data: TeamData) -> list[TeamRow]:
    """One row per trainee of the filter's role, with no answers too (their figures say so)."""
    return list(data._team_rows)


# Item analysis ---------------------------------------------------------------------------------


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


def item_rows(data: TeamData) -> list[ItemRow]:
    return list(data._item_rows)


def known_topics(store: ResultsStore, library: Library) -> list[str]:
    """Every topic of an answered scenario or of one in the bank, for the topic filter."""
    stored = {str(r[0]) for r in store.query("SELECT DISTINCT topic FROM answer_topics")}
    return sorted(stored | {t for s in library.scenarios for t in s.scenario.topics})
