"""Choosing a quiz's scenarios and running it: pools, ordering, repeats, exams, skipped topics."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Scenario
from trainer.core.content.validation import validate
from trainer.core.practice.quiz import (
    Quiz,
    QuizPlan,
    audience_note,
    practice_choices,
    scenario_groups,
    select_scenarios,
)
from trainer.core.reports.statistics import Attempt

T0 = datetime(2026, 11, 1, 9, 0).astimezone()


def make(sid: str, **changes: Any) -> Scenario:
    data = scenario_data()
    data["id"] = sid
    expected = changes.pop("expected", None)
    if expected:
        data["expected"].update(expected)
    data.update(changes)
    return validate(Scenario, data)


BURGLARY = make("burglary-one", topics=["burglary"], audience=["call-handler", "officer"])
THEFT = make(
    "theft-one",
    topics=["theft", "hmic-lost-property"],
    audience=["call-handler"],
    expected={"crimes": [{"offence": "39"}], "rules": ["theft-vs-lost-property"]},
)
SEXUAL = make(
    "sexual-one",
    topics=["sexual-offences"],
    audience=["officer"],
    expected={"crimes": [{"offence": "17A"}], "rules": ["sexual-assault-classes"]},
)
INCIDENT = make(
    "incident-one",
    topics=["no-crime"],
    expected={"decision": "incident", "crimes": [], "rules": ["ncrs-when-to-record"]},
)
BANK = [BURGLARY, THEFT, SEXUAL, INCIDENT]


def attempt(sid: str, score: int, minutes: int = 0, rules: tuple[str, ...] = ()) -> Attempt:
    return Attempt(
        trainee_id="t1",
        scenario_id=sid,
        kind="classify",
        expected_decision="crime",
        decision="crime",
        score=score,
        answered_at=T0 + timedelta(minutes=minutes),
        finding_rules=rules,
    )


def ids(scenarios: list[Scenario]) -> list[str]:
    return [s.id for s in scenarios]


def test_groups_follow_the_expected_crimes(catalogue: Catalogue) -> None:
    assert scenario_groups(BURGLARY, catalogue) == ("burglary",)
    assert scenario_groups(SEXUAL, catalogue) == ("sexual-offences",)
    assert scenario_groups(INCIDENT, catalogue) == ()


def test_topics_are_offered_by_their_plain_names_a_to_z(catalogue: Catalogue) -> None:
    topics = practice_choices(BANK, catalogue).topics
    labels = [c.label for c in topics]
    assert "Lost property (HMIC finding)" in labels
    assert not any("-" in c.label and c.label == c.value for c in topics)
    assert labels == sorted(labels, key=str.casefold)
    plan = QuizPlan("topic", "hmic-lost-property", 5)
    assert plan.describe(catalogue) == "Topic: Lost property (HMIC finding) (5 scenarios)"


def test_choices_count_the_scenarios_behind_each_option(catalogue: Catalogue) -> None:
    choices = practice_choices(BANK, catalogue)
    assert [(c.value, c.scenarios) for c in choices.groups] == [
        ("sexual-offences", 1),
        ("burglary", 1),
        ("theft", 1),
    ]
    assert ("burglary", 1) in [(c.value, c.scenarios) for c in choices.topics]
    assert [(c.value, c.scenarios) for c in choices.audiences] == [
        ("call-handler", 3),
        ("officer", 2),
    ]
    assert {c.value for c in choices.rules} == {
        "burglary-entry-point-damage",
        "theft-vs-lost-property",
        "sexual-assault-classes",
        "ncrs-when-to-record",
    }
    assert choices.for_mode("mixed") == ()


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (QuizPlan("group", "theft"), {"theft-one"}),
        (QuizPlan("topic", "burglary"), {"burglary-one"}),
        (QuizPlan("rule", "ncrs-when-to-record"), {"incident-one"}),
        (QuizPlan("audience", "officer"), {"burglary-one", "sexual-one"}),
        (QuizPlan("mixed"), {"burglary-one", "theft-one", "sexual-one", "incident-one"}),
    ],
)
def test_each_mode_draws_on_its_own_pool(
    catalogue: Catalogue, plan: QuizPlan, expected: set[str]
) -> None:
    assert set(ids(select_scenarios(BANK, plan, catalogue))) == expected


def test_scenarios_never_answered_right_come_first(catalogue: Catalogue) -> None:
    history = [attempt("burglary-one", 100), attempt("theft-one", 100), attempt("sexual-one", 40)]
    for seed in range(10):
        order = ids(
            select_scenarios(BANK, QuizPlan("mixed"), catalogue, history, random.Random(seed))
        )
        assert set(order[:2]) == {"sexual-one", "incident-one"}


def test_weak_rules_draw_scenarios_citing_the_most_missed_rules(catalogue: Catalogue) -> None:
    history = [
        attempt("theft-one", 40, 1, ("theft-vs-lost-property",)),
        attempt("theft-one", 40, 2, ("theft-vs-lost-property",)),
        attempt("incident-one", 0, 3, ("ncrs-when-to-record",)),
    ]
    order = ids(select_scenarios(BANK, QuizPlan("weak"), catalogue, history, random.Random(1)))
    assert order == ["theft-one", "incident-one"]


def test_weak_rules_with_no_history_is_empty(catalogue: Catalogue) -> None:
    assert select_scenarios(BANK, QuizPlan("weak"), catalogue) == []


def test_an_exam_is_the_same_fixed_set_for_everyone(catalogue: Catalogue) -> None:
    plan = QuizPlan("exam", count=3)
    first = ids(select_scenarios(BANK, plan, catalogue, [], random.Random(1)))
    history = [attempt(s, 100) for s in first]
    again = ids(select_scenarios(list(reversed(BANK)), plan, catalogue, history, random.Random(2)))
    assert first == again
    assert len(first) == 3


def test_an_exam_for_one_audience_keeps_to_it(catalogue: Catalogue) -> None:
    plan = QuizPlan("exam", value="call-handler", count=10)
    assert set(ids(select_scenarios(BANK, plan, catalogue))) == {
        "burglary-one",
        "theft-one",
        "incident-one",
    }


def answer_all(quiz: Quiz, scores: dict[str, list[int]]) -> list[str]:
    asked = []
    while quiz.current is not None:
        sid = quiz.current.id
        asked.append(sid)
        quiz.record(scores[sid].pop(0))
    return asked


def test_a_quiz_asks_count_scenarios_from_a_large_pool() -> None:
    quiz = Quiz(BANK, count=2)
    assert quiz.total == 2
    asked = answer_all(quiz, {s.id: [0] for s in BANK})
    assert asked == ["burglary-one", "theft-one"]
    assert quiz.finished


def test_missed_scenarios_come_round_again_but_right_ones_never_do() -> None:
    quiz = Quiz([BURGLARY, THEFT], count=5)
    asked = answer_all(quiz, {"burglary-one": [100], "theft-one": [40, 0, 100]})
    assert asked == ["burglary-one", "theft-one", "theft-one", "theft-one"]
    assert quiz.results == [
        ("burglary-one", 100),
        ("theft-one", 40),
        ("theft-one", 0),
        ("theft-one", 100),
    ]


def positions(quiz: Quiz, scores: dict[str, list[int]]) -> list[str]:
    """What the scenario screen says before each answer: number of total, and repeats."""
    shown = []
    while quiz.current is not None:
        shown.append(f"{quiz.number} of {quiz.total}" + (" (repeat)" if quiz.repeat else ""))
        quiz.record(scores[quiz.current.id].pop(0))
    return shown


def test_the_total_is_fixed_when_the_quiz_starts_and_misses_repeat_within_it() -> None:
    quiz = Quiz([BURGLARY, THEFT, INCIDENT], count=5)
    shown = positions(quiz, {"burglary-one": [100], "theft-one": [40, 100], "incident-one": [0, 0]})
    assert shown == ["1 of 5", "2 of 5", "3 of 5", "4 of 5 (repeat)", "5 of 5 (repeat)"]
    assert quiz.finished and not quiz.ended_early


def test_a_quiz_with_nothing_left_to_repeat_ends_early_within_its_total() -> None:
    quiz = Quiz([BURGLARY, THEFT], count=5)
    shown = positions(quiz, {"burglary-one": [100], "theft-one": [40, 100]})
    assert shown == ["1 of 5", "2 of 5", "3 of 5 (repeat)"]
    assert quiz.ended_early


def test_a_large_pool_asks_exactly_its_count_and_never_repeats() -> None:
    quiz = Quiz(BANK, count=3)
    assert positions(quiz, {s.id: [0] for s in BANK}) == ["1 of 3", "2 of 3", "3 of 3"]


def test_an_exam_asks_each_scenario_once() -> None:
    quiz = Quiz([BURGLARY, THEFT, INCIDENT], count=2, exam=True)
    asked = answer_all(quiz, {s.id: [0] for s in BANK})
    assert asked == ["burglary-one", "theft-one"]
    assert quiz.total == 2


def test_skipping_a_topic_drops_every_scenario_carrying_it() -> None:
    quiz = Quiz([SEXUAL, BURGLARY, dataclasses.replace(SEXUAL, id="sexual-two")], count=3)
    assert quiz.current is SEXUAL
    quiz.skip_topic("sexual-offences")
    assert quiz.current is BURGLARY
    assert quiz.total == 3  # fixed at the start; the quiz may end early instead
    quiz.record(40)
    assert quiz.current is BURGLARY and quiz.repeat  # missed, and nothing else is left
    quiz.record(100)
    assert quiz.finished and quiz.ended_early


def test_skip_leaves_out_one_scenario() -> None:
    quiz = Quiz([SEXUAL, BURGLARY], count=2)
    quiz.skip()
    assert quiz.current is BURGLARY
    assert quiz.number == 1


def test_a_finished_quiz_cannot_take_more_answers() -> None:
    quiz = Quiz([BURGLARY], count=1)
    quiz.record(100)
    with pytest.raises(IndexError):
        quiz.record(100)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("call-handler", {"burglary-one", "theft-one", "incident-one"}),
        ("officer", {"burglary-one", "sexual-one"}),
    ],
)
def test_a_quick_quiz_keeps_to_the_trainees_audience(
    catalogue: Catalogue, role: str, expected: set[str]
) -> None:
    plan = QuizPlan("mixed", role)
    for seed in range(5):
        assert set(ids(select_scenarios(BANK, plan, catalogue, rng=random.Random(seed)))) == (
            expected
        )
    assert audience_note(BANK, plan, role, catalogue) == ""


ONE_FOR_OFFICERS = "Includes 1 scenario written for officers, not call-handlers."
ONE_FOR_HANDLERS = "Includes 1 scenario written for call-handlers, not officers."


@pytest.mark.parametrize(
    ("plan", "role", "note"),
    [
        (QuizPlan("topic", "sexual-offences"), "call-handler", ONE_FOR_OFFICERS),
        (QuizPlan("topic", "burglary"), "call-handler", ""),
        (QuizPlan("audience", "officer"), "call-handler", ONE_FOR_OFFICERS),
        (
            QuizPlan("mixed"),
            "officer",
            "Includes 2 scenarios written for call-handlers, not officers.",
        ),
        (QuizPlan("rule", "theft-vs-lost-property"), "officer", ONE_FOR_HANDLERS),
        (QuizPlan("group", "burglary"), "officer", ""),
        (QuizPlan("exam", None, count=1), "officer", ""),
        (
            QuizPlan("exam", None, count=4),
            "officer",
            "Includes 2 of 4 scenarios written for call-handlers, not officers.",
        ),
    ],
)
def test_choices_that_mix_audiences_say_so(
    catalogue: Catalogue, plan: QuizPlan, role: str, note: str
) -> None:
    if plan.exam and plan.count == 1:  # the exam's own set decides, not the pool it comes from
        assert ids(select_scenarios(BANK, plan, catalogue)) == ["sexual-one"]
    assert audience_note(BANK, plan, role, catalogue) == note


def test_weak_rules_say_when_they_mix_audiences(catalogue: Catalogue) -> None:
    history = [attempt("sexual-one", 40, 1, ("sexual-assault-classes",))]
    note = audience_note(BANK, QuizPlan("weak"), "call-handler", catalogue, history)
    assert note == ONE_FOR_OFFICERS
    assert audience_note(BANK, QuizPlan("weak"), "officer", catalogue, history) == ""


def test_plans_describe_themselves(catalogue: Catalogue) -> None:
    assert (
        QuizPlan("mixed", "officer", 5).describe(catalogue)
        == "Mixed quiz for officers (5 scenarios)"
    )
    assert (
        QuizPlan("group", "burglary", 5).describe(catalogue)
        == "Crime group: Burglary (5 scenarios)"
    )
    assert QuizPlan("exam", None, 10, 20).describe(catalogue) == "Exam (10 scenarios, 20 min)"
    assert QuizPlan("rule", "theft-classes", 3).describe(catalogue).startswith("Rule: ")
