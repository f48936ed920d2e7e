"""Per-group and per-rule tracks, running accuracy and session summaries, worked by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from trainer.core.practice.progress import group_tracks, rule_tracks, session_summaries
from trainer.core.reports.statistics import Attempt
from trainer.core.store.records import AnswerRow, SessionRow

T0 = datetime(2026, 11, 2, 9, 0).astimezone()


def attempt(
    minute: int,
    score: int,
    groups: tuple[str, ...] = (),
    rules: tuple[str, ...] = (),
    sid: str = "s",
) -> Attempt:
    return Attempt(
        "t",
        sid,
        "classify",
        "crime",
        "crime",
        score,
        T0 + timedelta(minutes=minute),
        finding_rules=rules,
        groups=groups,
    )


def test_group_tracks_count_fully_right_answers_in_time_order() -> None:
    tracks = {
        t.key: t
        for t in group_tracks(
            [
                attempt(2, 100, ("burglary",)),
                attempt(1, 60, ("burglary", "theft")),
                attempt(3, 100, ("burglary",)),
            ]
        )
    }
    burglary = tracks["burglary"]
    # Answers in time order: 60, 100, 100 -> running accuracy 0/1, 1/2, 2/3.
    assert [(p.answers, p.correct) for p in burglary.series()] == [(1, 0), (2, 1), (3, 2)]
    assert burglary.series()[-1].accuracy == 2 / 3
    assert (burglary.accuracy.k, burglary.accuracy.n) == (2, 3)
    assert (tracks["theft"].accuracy.k, tracks["theft"].accuracy.n) == (0, 1)
    assert burglary.last_at == T0 + timedelta(minutes=3)


def test_rule_tracks_count_right_when_no_finding_names_the_rule() -> None:
    cited = {"a": ("rule-x",), "b": ("rule-x", "rule-y")}
    tracks = {
        t.key: t
        for t in rule_tracks(
            [
                attempt(1, 100, sid="a"),
                attempt(2, 70, rules=("rule-y",), sid="b"),
                attempt(3, 85, rules=("other-flags",), sid="gone"),  # no longer in the bank
            ],
            cited,
        )
    }
    assert {k: (t.accuracy.k, t.accuracy.n) for k, t in tracks.items()} == {
        "rule-x": (2, 2),
        "rule-y": (0, 1),
        "other-flags": (0, 1),
    }


def row(session: str, score: int, minute: int) -> AnswerRow:
    at = T0 + timedelta(minutes=minute)
    return AnswerRow(
        id=f"{session}-{minute}", session_id=session, trainee_id="t", scenario_id="s",
        scenario_hash="h", catalogue_edition="2026-27", scenario_title="S", kind="classify",
        topics=(), expected_decision="crime", decision="crime", crime_groups=(),
        answer_json="{}", score=score, findings_json="[]", finding_kinds=(), finding_rules=(),
        asked=(), exam=False, shown_at=at, answered_at=at, workstation_id="w",
    )  # fmt: skip


def test_sessions_newest_first_with_their_answers() -> None:
    sessions = [
        SessionRow("one", "t", "mixed", T0, T0, "w"),
        SessionRow("two", "t", "exam", T0 + timedelta(hours=1), None, "w"),
        SessionRow("empty", "t", "mixed", T0 + timedelta(hours=2), None, "w"),
    ]
    summaries = session_summaries(
        sessions, [row("one", 100, 1), row("one", 50, 2), row("two", 0, 61)]
    )
    assert [(s.session.id, len(s.answers), s.mean_score, s.exam) for s in summaries] == [
        ("two", 1, 0.0, True),
        ("one", 2, 75.0, False),
    ]
