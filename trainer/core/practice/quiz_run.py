"""One quiz taken by one trainee: grade each answer and store it before anyone sees feedback."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, Grade
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.errors import TrainerError
from trainer.core.grading.grade import grade
from trainer.core.practice.quiz import Quiz, QuizPlan, select_scenarios
from trainer.core.store.records import AnswerRecord, Trainee, now

if TYPE_CHECKING:
    from trainer.core.store.protocol import ResultsStore


@dataclass(frozen=True)
class Submitted:
    """A graded answer, already durable in the store."""

    record: AnswerRecord
    loaded: LoadedScenario
    answer: Answer
    grade: Grade


@dataclass
class QuizRun:
    store: ResultsStore
    trainee: Trainee
    plan: QuizPlan
    quiz: Quiz
    session_id: str
    catalogue: Catalogue
    loaded_by_id: dict[str, LoadedScenario]
    submitted: list[Submitted] = field(default_factory=list)
    shown_at: datetime | None = None
    bank_hash: str | None = None  # what the answers are graded under (see `content.bank_hash`)

    @classmethod
    def start(
        cls,
        store: ResultsStore,
        trainee: Trainee,
        plan: QuizPlan,
        library: Library,
        catalogue: Catalogue,
        rng: random.Random | None = None,
    ) -> QuizRun:
        """Choose the scenarios from the trainee's history and open a session in the store."""
        history = [row.as_attempt() for row in store.answers(trainee_id=trainee.id)]
        pool = select_scenarios(
            [s.scenario for s in library.scenarios], plan, catalogue, history, rng
        )
        if not pool:
            raise TrainerError(
                f"No scenarios in the bank match this choice ({plan.describe(catalogue)})."
                if plan.mode != "weak"
                else "No weak rules yet: answer a few scenarios first, then try again."
            )
        quiz = Quiz(pool, plan.count, exam=plan.exam)
        session_id = store.start_session(trainee.id, plan.mode)
        digest = bank_hash((s.scenario for s in library.scenarios), catalogue)
        return cls(
            store, trainee, plan, quiz, session_id, catalogue, library.by_id, bank_hash=digest
        )

    @property
    def current(self) -> LoadedScenario | None:
        scenario = self.quiz.current
        return self.loaded_by_id[scenario.id] if scenario is not None else None

    def mark_shown(self, moment: datetime | None = None) -> None:
        """The current scenario has just appeared: its answer time runs from here."""
        self.shown_at = moment or now()

    def submit(self, answer: Answer, asked: Sequence[str] = ()) -> Submitted:
        """Grade the answer to the current scenario and store it; the quiz moves on."""
        loaded = self.current
        if loaded is None:
            raise IndexError("the quiz is finished")
        result = grade(loaded.scenario, answer, self.catalogue)
        answered_at = now()
        record = AnswerRecord.build(
            self.trainee.id,
            self.session_id,
            loaded,
            answer,
            result,
            shown_at=self.shown_at or answered_at,
            answered_at=answered_at,
            asked=asked,
            exam=self.plan.exam,
            catalogue=self.catalogue,
            bank_hash=self.bank_hash,
        )
        self.store.record_answer(record)  # durable before the trainee sees any feedback
        self.quiz.record(result.score)
        self.shown_at = None
        done = Submitted(record, loaded, answer, result)
        self.submitted.append(done)
        return done

    def skip(self, whole_topic: str | None = None) -> None:
        if whole_topic:
            self.quiz.skip_topic(whole_topic)
        else:
            self.quiz.skip()
        self.shown_at = None

    def finish(self) -> None:
        self.store.finish_session(self.session_id)

    @property
    def mean_score(self) -> float | None:
        scores = [s.grade.score for s in self.submitted]
        return sum(scores) / len(scores) if scores else None
