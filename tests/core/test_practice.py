"""A quiz run against an in-memory store: answers are stored before feedback; sessions close."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Scenario
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.content.validation import validate
from trainer.core.errors import TrainerError
from trainer.core.practice.quiz import QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.core.store.sqlite import Store


def library(*ids: str) -> Library:
    lib = Library()
    for sid in ids:
        data = scenario_data()
        data["id"] = sid
        lib.scenarios.append(LoadedScenario(validate(Scenario, data), Path(f"{sid}.yaml"), sid))
    return lib


RIGHT = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))
WRONG = Answer(decision="incident")


def test_each_answer_is_stored_when_submit_returns(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler")
        run = QuizRun.start(
            store,
            trainee,
            QuizPlan("mixed", count=2),
            library("a", "b"),
            catalogue,
            random.Random(0),
        )
        first = run.current
        assert first is not None
        run.mark_shown()
        done = run.submit(RIGHT, asked=("Was anything taken?",))
        [stored] = store.answers(trainee_id=trainee.id)
        assert (stored.id, stored.score, stored.asked) == (
            done.record.id,
            100,
            ("Was anything taken?",),
        )
        run.submit(WRONG)
        assert run.current is None
        assert run.mean_score == 50
        run.finish()
        [session] = store.sessions(trainee.id)
        assert session.mode == "mixed" and session.finished_at is not None


def test_later_quizzes_start_with_what_is_not_yet_mastered(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler")
        bank = library("a", "b")
        run = QuizRun.start(store, trainee, QuizPlan("mixed", count=1), bank, catalogue)
        mastered = run.current
        assert mastered is not None
        run.submit(RIGHT)
        for seed in range(5):
            again = QuizRun.start(
                store, trainee, QuizPlan("mixed", count=1), bank, catalogue, random.Random(seed)
            )
            assert again.current is not None
            assert again.current.scenario.id != mastered.scenario.id


def test_an_exam_is_recorded_as_an_exam(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "officer")
        run = QuizRun.start(store, trainee, QuizPlan("exam", count=1), library("a"), catalogue)
        run.submit(WRONG)
        [row] = store.answers()
        assert row.exam and row.score == 0


def test_no_matching_scenarios_opens_no_session(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "officer")
        with pytest.raises(TrainerError, match="No scenarios in the bank match"):
            QuizRun.start(store, trainee, QuizPlan("topic", "nothing"), library("a"), catalogue)
        assert store.sessions(trainee.id) == []
