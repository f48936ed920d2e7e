"""The child process of test_quiz_resume_kill: plays a quiz until killed, or resumes one.

`play DIR SEED`: start a quiz, answer one scenario, then keep changing the half-filled answer to
the next, printing each change once it is kept. `resume DIR`: print the resumed quiz as JSON.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import load_catalogue
from trainer.core.content.models import Answer, Scenario
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.content.validation import validate
from trainer.core.grading.drafts import AnswerDraft, DraftCrime
from trainer.core.practice.quiz import QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.core.store.sqlite import open_store

IDS = ("kill-a", "kill-b", "kill-c", "kill-d")
ASKED = ("Was anything taken?", "Is the window at ground level?")


def bank() -> Library:
    lib = Library()
    for sid in IDS:
        data = scenario_data()
        data["id"] = sid
        data["report"]["details"] = [{"ask": q, "answer": "Yes."} for q in ASKED]
        lib.scenarios.append(LoadedScenario(validate(Scenario, data), Path(f"{sid}.yaml"), sid))
    return lib


def draft(n: int) -> AnswerDraft:
    """The n-th change to the form: a count typed, a flag ticked, an offence being typed."""
    return AnswerDraft(
        decision="crime",
        crimes=[DraftCrime("28J Attempted burglary"), DraftCrime("Theft"[: 1 + n % 5], n)],
        flags=["online"] if n % 2 else [],
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def play(data_dir: Path, seed: int) -> None:
    store = open_store(data_dir)
    trainee = store.create_trainee("Kim Kill", f"K{seed}", "call-handler")
    plan = QuizPlan("mixed", count=3)
    run = QuizRun.start(store, trainee, plan, bank(), load_catalogue(), random.Random(seed))
    run.mark_shown()
    run.submit(Answer(decision="incident"))  # a miss: it will come round again
    say("answered " + json.dumps(run.quiz.state()))
    run.keep_draft(draft(0), ASKED[:1])
    say("draft 0")
    n = 0
    while True:
        n += 1
        run.keep_draft(draft(n), ASKED[:1])
        say(f"draft {n}")


def resume(data_dir: Path) -> None:
    store = open_store(data_dir)
    [trainee] = store.trainees()
    run = QuizRun.resume(store, trainee, bank(), load_catalogue())
    assert run is not None and run.draft is not None and run.current is not None
    say(
        json.dumps(
            {
                "quiz": run.quiz.state(),
                "current": run.current.scenario.id,
                "number": run.quiz.number,
                "total": run.quiz.total,
                "draft_count": run.draft.crimes[1].count,
                "draft_matches": run.draft == draft(run.draft.crimes[1].count),
                "asked": list(run.asked),
                "session": run.session_id,
                "sessions": [s.id for s in store.sessions(trainee.id)],
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "play":
        play(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        resume(Path(sys.argv[2]))
