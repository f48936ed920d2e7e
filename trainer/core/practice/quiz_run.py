"""One quiz taken by one trainee: grade each answer and store it before anyone sees feedback.

While the quiz runs, its state (position, what comes next, the half-filled answer and the questions
asked) is kept in the store on every change, so quitting or a crash leaves it resumable; finishing
the quiz's session removes it.
"""

from __future__ import annotations

import dataclasses
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
from trainer.core.grading.drafts import AnswerDraft
from trainer.core.grading.grade import grade
from trainer.core.practice.quiz import Quiz, QuizPlan, due_scenarios, select_from
from trainer.core.practice.quiz_state import QuizState, discard_unfinished, seconds_left
from trainer.core.practice.schedule import (
    DEFAULT_RETENTION,
    by_urgency,
    trainee_cards,
    update_schedules,
)
from trainer.core.practice.standing import Standing, standing
from trainer.core.store.records import AnswerRecord, Trainee, now
from trainer.core.store.sqlite import Store

if TYPE_CHECKING:
    from trainer.core.store.protocol import ResultsStore


def answered_scenarios(store: ResultsStore, trainee_id: str) -> set[str]:
    """The scenarios the trainee has answered at all (through the trainee's index)."""
    rows = store.query(
        "SELECT DISTINCT scenario_id FROM answers WHERE trainee_id = ?", [trainee_id]
    )
    return {str(r[0]) for r in rows}


def due_rules(store: ResultsStore, trainee_id: str, retention: float) -> list[str]:
    """The trainee's rules due for review now, least likely recalled first."""
    if not isinstance(store, Store):
        return []
    at = now()
    statuses = by_urgency(trainee_cards(store, trainee_id, retention), at, retention)
    return [s.rule for s in statuses if s.card.is_due(at)]


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
    submitted: list[Submitted] = field(default_factory=list)  # in this sitting
    shown_at: datetime | None = None
    bank_hash: str | None = None  # what the answers are graded under (see `content.bank_hash`)
    started_at: datetime = field(default_factory=now)
    draft: AnswerDraft | None = None  # the half-filled answer to the current scenario
    asked: tuple[str, ...] = ()  # the questions asked about the current scenario
    retention: float = DEFAULT_RETENTION

    @classmethod
    def start(
        cls,
        store: ResultsStore,
        trainee: Trainee,
        plan: QuizPlan,
        library: Library,
        catalogue: Catalogue,
        rng: random.Random | None = None,
        retention: float = DEFAULT_RETENTION,
        known: Standing | None = None,
    ) -> QuizRun:
        """Choose the scenarios from the trainee's standing (`known`, or read through the
        indexes now) and open a session in the store.

        A quiz the trainee left unfinished ends here (its answers are kept): one at a time.
        """
        if plan.mode == "mixed" and plan.value is None:
            plan = dataclasses.replace(plan, value=trainee.role)  # a quick quiz keeps to the role
        if known is None or known.trainee_id != trainee.id:
            known = standing(store, trainee.id)
        pool = due_scenarios(
            [s.scenario for s in library.scenarios],
            due_rules(store, trainee.id, retention),
            known.mastered,
            answered_scenarios(store, trainee.id),
            rng,
        ) if plan.mode == "due" else select_from(
            [s.scenario for s in library.scenarios], plan, catalogue, known.mastered,
            known.weak_rules, rng,
        )  # fmt: skip
        if not pool:
            raise TrainerError(
                "No rules are due for review now (or none has a scenario left to practise)."
                if plan.mode == "due"
                else f"No scenarios in the bank match this choice ({plan.describe(catalogue)})."
                if plan.mode != "weak"
                else "No weak rules yet: answer a few scenarios first, then try again."
            )
        quiz = Quiz(pool, plan.count, exam=plan.exam)
        discard_unfinished(store, trainee)
        session_id = store.start_session(trainee.id, plan.mode)
        digest = bank_hash((s.scenario for s in library.scenarios), catalogue)
        run = cls(
            store, trainee, plan, quiz, session_id, catalogue, library.by_id, bank_hash=digest,
            retention=retention,
        )  # fmt: skip
        run.save()
        return run

    @classmethod
    def resume(
        cls,
        store: ResultsStore,
        trainee: Trainee,
        library: Library,
        catalogue: Catalogue,
        retention: float = DEFAULT_RETENTION,
    ) -> QuizRun | None:
        """The quiz the trainee left unfinished, where it stood; None if there is none."""
        kept = store.unfinished_quiz(trainee.id)
        if kept is None:
            return None
        session_id, text = kept
        state = QuizState.from_json(text)
        quiz = Quiz.from_state(state.quiz, {s.scenario.id: s.scenario for s in library.scenarios})
        run = cls(
            store, trainee, state.plan, quiz, session_id, catalogue, library.by_id,
            bank_hash=bank_hash((s.scenario for s in library.scenarios), catalogue),
            started_at=state.started_at, retention=retention,
        )  # fmt: skip
        if run._catch_up() or state.current is None or state.current != run._current_id:
            run.save()  # the answer stored last, or a scenario gone from the bank: start afresh
        else:
            run.draft, run.asked = state.draft, state.asked
        return run

    def _catch_up(self) -> bool:
        """Count answers stored after the state was last kept (a crash between the two)."""
        rows = self.store.query(  # through the trainee's index, as Store.session_answers does
            "SELECT id, scenario_id, score FROM answers WHERE trainee_id = ? AND session_id = ? "
            "ORDER BY answered_ts, seq",
            [self.trainee.id, self.session_id],
        )
        if isinstance(self.store, Store) and self.store.spool is not None:  # kept meanwhile
            spooled = self.store.spool.session_answers(self.session_id, (r[0] for r in rows))
            rows += [(p[0], p[3], p[13]) for p in spooled]  # (parameters) id, scenario, score
        caught = 0
        for _, scenario_id, score in rows[len(self.quiz.results) :]:
            if scenario_id != self._current_id:
                break
            self.quiz.record(int(score))
            caught += 1
        return caught > 0

    @property
    def _current_id(self) -> str | None:
        scenario = self.quiz.current
        return scenario.id if scenario is not None else None

    def state(self) -> QuizState:
        return QuizState(
            session_id=self.session_id,
            plan=self.plan,
            started_at=self.started_at,
            quiz=self.quiz.state(),
            current=self._current_id,
            draft=self.draft,
            asked=self.asked,
        )

    def save(self) -> None:
        """Keep the quiz as it stands now, so that it can be resumed after quitting or a crash."""
        self.store.save_unfinished(self.trainee.id, self.session_id, self.state().to_json())

    def keep_draft(self, draft: AnswerDraft, asked: Sequence[str]) -> None:
        """The trainee changed the half-filled answer or asked a question: keep it."""
        if draft == self.draft and tuple(asked) == self.asked:
            return
        self.draft, self.asked = draft, tuple(asked)
        self.save()

    def seconds_left(self, at: datetime | None = None) -> int | None:
        """An exam's time left, counted from its first start (quitting does not stop the clock)."""
        return seconds_left(self.plan, self.started_at, at)

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
        if self.plan.require_certainty and answer.certainty is None:
            raise TrainerError("Say how sure you are of the recording decision.")
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
        if isinstance(self.store, Store):  # the rule schedule is kept beside the SQLite store
            update_schedules(self.store, self.retention, self.trainee.id)
        self.quiz.record(result.score)
        self.shown_at = None
        self.draft, self.asked = None, ()
        self.save()
        done = Submitted(record, loaded, answer, result)
        self.submitted.append(done)
        return done

    def skip(self, whole_topic: str | None = None) -> None:
        if whole_topic:
            self.quiz.skip_topic(whole_topic)
        else:
            self.quiz.skip()
        self.shown_at = None
        self.draft, self.asked = None, ()
        self.save()

    def finish(self) -> None:
        """End the quiz: its session is closed and nothing is left to resume."""
        self.store.finish_session(self.session_id)

    @property
    def mean_score(self) -> float | None:
        scores = [s.grade.score for s in self.submitted]
        return sum(scores) / len(scores) if scores else None
