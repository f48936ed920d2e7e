"""The supervisor dashboard's filter (role, dates, topic) and the topics it offers.

`figures` turns the filter into SQL and reads the counts; `statistics` does the arithmetic and
`team_breakdown` shapes the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from trainer.core.store.records import Trainee

if TYPE_CHECKING:
    from trainer.core.content.scenarios import Library
    from trainer.core.store.central.reader import CentralStore

ROLE_NAMES = {"call-handler": "Call-handler", "officer": "Officer"}
DEFAULT_DAYS = 90  # what a supervisor means by "lately": the dashboard opens on it


class Reader(Protocol):
    """What the figures need of a store: read queries (`?` parameters) and the trainees."""

    def query(
        self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]: ...

    def trainees(self) -> list[Trainee]: ...


@dataclass(frozen=True)
class TeamFilter:
    """The dashboard's filter: a role, a date range (both days inclusive, local time), a topic."""

    role: str | None = None
    since: date | None = None
    until: date | None = None
    topic: str | None = None

    @classmethod
    def last_days(cls, days: int = DEFAULT_DAYS, today: date | None = None) -> TeamFilter:
        """The last `days` days up to today, both included."""
        end = today or date.today()
        return cls(since=end - timedelta(days=days - 1), until=end)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The filter's dates as the store's bounds: `since` inclusive, `until` exclusive."""
        low = _local_midnight(self.since) if self.since else None
        high = _local_midnight(self.until + timedelta(days=1)) if self.until else None
        return low, high

    def admits_trainee(self, trainee: Trainee) -> bool:
        return self.role is None or trainee.role == self.role

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


# The distinct topics by one index look-up each (a loose index scan), not a scan of every answer.
_TOPICS = """
    WITH RECURSIVE found (topic) AS (
        SELECT min(topic) FROM answer_topics
        UNION ALL
        SELECT (SELECT min(topic) FROM answer_topics WHERE topic > found.topic)
        FROM found WHERE found.topic IS NOT NULL
    )
    SELECT topic FROM found WHERE topic IS NOT NULL
"""


def known_topics(db: Reader, library: Library) -> list[str]:
    """Every topic of an answered scenario or of one in the bank, for the topic filter."""
    stored = {str(r[0]) for r in db.query(_TOPICS)}
    return sorted(stored | {t for s in library.scenarios for t in s.scenario.topics})


if TYPE_CHECKING:  # mypy checks here that the central store serves the figures as SQLite does

    def _central_reads(store: CentralStore) -> Reader:
        return store
