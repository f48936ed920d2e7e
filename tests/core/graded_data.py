"""Answers to real scenarios of the bank, graded by the real grader (bundles, regrades)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from tests.core.store_data import START
from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Trap, TrapAnswer
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.grading.grade import grade
from trainer.core.store.records import AnswerRecord
from trainer.core.store.sqlite import Store


def right_answer(loaded: LoadedScenario) -> Answer:
    e = loaded.scenario.expected
    return Answer(
        decision=e.decision,
        crimes=tuple(AnsweredCrime(offence=c.offence, count=c.count) for c in e.crimes),
        flags=e.flags,
        incident_code=e.incident_code,
        cancellation_reason=e.cancellation_reason,
        refer_to=e.refer_to,
        authority=e.authority,
    )


def some_answer(loaded: LoadedScenario, rng: random.Random) -> Answer:
    """Right about half the time; otherwise the wrong decision, or a crime miscounted."""
    right = right_answer(loaded)
    roll = rng.random()
    if roll < 0.5:
        return right
    if right.decision == "crime" and roll < 0.75:
        first = right.crimes[0]
        return Answer(
            decision="crime",
            crimes=(AnsweredCrime(offence=first.offence, count=first.count + 1),),
            flags=right.flags,
        )
    options = {
        "cancellation": ("retain", "cancel"),
        "disposal-review": ("approve", "refuse"),
        "outcome": ("18", "16"),
    }.get(loaded.scenario.kind, ("crime", "incident"))
    wrong = next(d for d in options if d != right.decision)
    crimes = (right.crimes or (AnsweredCrime(offence="58A"),)) if wrong == "crime" else ()
    return Answer(decision=wrong, crimes=crimes)


def record(
    store: Store,
    trainee_id: str,
    session_id: str,
    loaded: LoadedScenario,
    answer: Answer,
    library: Library,
    catalogue: Catalogue,
    answered: datetime = START,
) -> AnswerRecord:
    """Grade `answer` and record it, as a quiz does."""
    rec = AnswerRecord.build(
        trainee_id, session_id, loaded, answer, grade(loaded.scenario, answer, catalogue),
        shown_at=answered - timedelta(seconds=40), answered_at=answered, asked=(), exam=False,
        catalogue=catalogue,
        bank_hash=bank_hash((s.scenario for s in library.scenarios), catalogue),
    )  # fmt: skip
    store.record_answer(rec)
    return rec


def seed(
    store: Store,
    library: Library,
    catalogue: Catalogue,
    trainees: int = 2,
    answers_each: int = 20,
    seed_: int = 1,
) -> list[str]:
    """Trainees with one session each answering random scenarios of the bank; their ids."""
    rng = random.Random(seed_)
    digest = bank_hash((s.scenario for s in library.scenarios), catalogue)
    ids = []
    for t in range(trainees):
        trainee = store.create_trainee(f"Trainee {t}", f"G{seed_}-{t:05d}", "officer")
        ids.append(trainee.id)
        session = store.start_session(trainee.id, "practice")
        records = []
        for i in range(answers_each):
            loaded = rng.choice(library.scenarios)
            answer = some_answer(loaded, rng)
            answered = START + timedelta(minutes=7 * i + t)
            records.append(
                AnswerRecord.build(
                    trainee.id,
                    session,
                    loaded,
                    answer,
                    grade(loaded.scenario, answer, catalogue),
                    shown_at=answered - timedelta(seconds=rng.randint(5, 300)),
                    answered_at=answered,
                    asked=(),
                    exam=i % 10 == 9,
                    catalogue=catalogue,
                    bank_hash=digest,
                )
            )
        store.record_answers(records)
    return ids


def with_malpractice_trap(loaded: LoadedScenario, name: str = "not-recorded") -> LoadedScenario:
    """A crime scenario with one more trap: recording it as an incident, malpractice."""
    expected = loaded.scenario.expected
    assert expected.decision == "crime"
    trap = Trap(
        name=name,
        answer=TrapAnswer(decision="incident"),
        rule=expected.rules[0],
        feedback="Recorded as an incident, a crime goes unrecorded.",
        malpractice=True,
    )
    scenario = dataclasses.replace(
        loaded.scenario, expected=dataclasses.replace(expected, traps=(*expected.traps, trap))
    )
    return LoadedScenario(scenario, loaded.path, loaded.content_hash)


def trapped_bank(library: Library, name: str = "not-recorded") -> tuple[Library, LoadedScenario]:
    """The bank with a malpractice trap added to its first crime scenario (and that scenario)."""
    first = next(s for s in library.scenarios if s.scenario.expected.decision == "crime")
    trapped = with_malpractice_trap(first, name)
    scenarios = [trapped if s is first else s for s in library.scenarios]
    return Library(scenarios, list(library.problems)), trapped
