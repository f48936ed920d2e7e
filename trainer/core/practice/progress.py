"""A trainee's own progress: accuracy per crime group and per rule over time, and past sessions.

The arithmetic is `statistics`; this module only decides what counts as right for a rule and
how answers group into sessions, so the progress screen and the tests agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trainer.core.reports.statistics import (
    Attempt,
    Proportion,
    by_group,
    mean_score,
    recording_rate,
)
from trainer.core.store.records import AnswerRow, SessionRow


@dataclass(frozen=True)
class Point:
    """The running accuracy after one more answer: right answers so far ÷ answers so far."""

    at: datetime
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers


@dataclass
class Track:
    """Right-or-wrong outcomes under one key (a crime group or a rule card), in time order."""

    key: str
    outcomes: list[tuple[datetime, bool]] = field(default_factory=list)

    @property
    def accuracy(self) -> Proportion:
        return Proportion(sum(ok for _, ok in self.outcomes), len(self.outcomes))

    @property
    def last_at(self) -> datetime | None:
        return self.outcomes[-1][0] if self.outcomes else None

    def series(self) -> list[Point]:
        points, right = [], 0
        for n, (at, ok) in enumerate(self.outcomes, start=1):
            right += ok
            points.append(Point(at, n, right))
        return points


def group_tracks(attempts: Iterable[Attempt]) -> list[Track]:
    """Per crime group: an answer is right when it scored 100 (as `statistics.by_group` counts)."""
    return [
        Track(key, [(at, score == 100) for at, score in breakdown.scores])
        for key, breakdown in by_group(attempts).items()
    ]


def rule_tracks(attempts: Iterable[Attempt], cited: Mapping[str, Sequence[str]]) -> list[Track]:
    """Per rule card: every answer to a scenario citing the rule, or with a finding naming it.

    The answer is right on that rule when none of its findings names the rule. `cited` maps a
    scenario id to the rules its key cites (scenarios no longer in the bank count by findings).
    """
    tracks: dict[str, Track] = {}
    for a in sorted(attempts, key=lambda a: a.answered_at):
        for rule in dict.fromkeys([*cited.get(a.scenario_id, ()), *a.finding_rules]):
            tracks.setdefault(rule, Track(rule)).outcomes.append(
                (a.answered_at, rule not in a.finding_rules)
            )
    return sorted(tracks.values(), key=lambda t: (t.accuracy.value or 0.0, t.key))


@dataclass(frozen=True)
class SessionSummary:
    session: SessionRow
    answers: tuple[AnswerRow, ...]

    @property
    def exam(self) -> bool:
        return self.session.mode == "exam" or any(a.exam for a in self.answers)

    @property
    def mean_score(self) -> float | None:
        return mean_score(a.as_attempt() for a in self.answers)

    @property
    def recording(self) -> Proportion:
        return recording_rate(a.as_attempt() for a in self.answers)


def session_summaries(
    sessions: Iterable[SessionRow], answers: Iterable[AnswerRow]
) -> list[SessionSummary]:
    """Each session with its answers, newest first; sessions with no answers are left out."""
    by_session: dict[str, list[AnswerRow]] = {}
    for row in answers:
        by_session.setdefault(row.session_id, []).append(row)
    summaries = [SessionSummary(s, tuple(by_session[s.id])) for s in sessions if s.id in by_session]
    return sorted(summaries, key=lambda s: s.session.started_at, reverse=True)
