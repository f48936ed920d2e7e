"""An unfinished quiz is kept on every change and resumes where it stood: order, position, totals,
the half-filled answer and the questions asked; finishing or discarding it removes it."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import timedelta
from pathlib import Path

import pytest

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Scenario
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.content.validation import validate
from trainer.core.errors import TrainerError
from trainer.core.grading.drafts import AnswerDraft, DraftCrime
from trainer.core.practice.quiz import QuizPlan
from trainer.core.practice.quiz_run import QuizRun
from trainer.core.practice.quiz_state import QuizState, discard_unfinished, unfinished
from trainer.core.store.accounts import reset_profile
from trainer.core.store.records import Trainee
from trainer.core.store.sqlite import Store, open_store

RIGHT = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))
WRONG = Answer(decision="incident")
DRAFT = AnswerDraft(
    decision="crime",
    crimes=[DraftCrime("28J Attempted burglary", 2), DraftCrime("39", 1)],
    flags=["online"],
    incident_code="N100",
    cancellation_reason=None,
    refer_to="report-fraud",
)
ASKED = ("Was anything taken?",)


def library(*ids: str, audience: tuple[str, ...] = ("call-handler",)) -> Library:
    lib = Library()
    for sid in ids:
        data = scenario_data()
        data["id"] = sid
        data["audience"] = list(audience)
        lib.scenarios.append(LoadedScenario(validate(Scenario, data), Path(f"{sid}.yaml"), sid))
    return lib


def order(run: QuizRun) -> list[str]:
    state = run.quiz.state()
    return [*state["queue"], *state["missed"]]


@pytest.fixture
def store() -> Store:
    return Store.memory()


@pytest.fixture
def trainee(store: Store) -> Trainee:
    return store.create_trainee("Alex Morgan", "CH1", "call-handler")


def started(store: Store, trainee: Trainee, catalogue: Catalogue, bank: Library) -> QuizRun:
    plan = QuizPlan("mixed", count=5)
    return QuizRun.start(store, trainee, plan, bank, catalogue, random.Random(3))


def test_a_quiz_resumes_where_it_stood_with_its_draft_and_questions(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    bank = library("a", "b", "c")
    run = started(store, trainee, catalogue, bank)
    run.submit(WRONG)
    run.submit(RIGHT)
    run.keep_draft(DRAFT, ASKED)
    before = (order(run), run.quiz.results, run.quiz.number, run.quiz.total, run.current)

    again = QuizRun.resume(store, trainee, bank, catalogue)
    assert again is not None
    assert (order(again), again.quiz.results, again.quiz.number, again.quiz.total) == before[:4]
    assert again.current == before[4]
    assert (again.draft, again.asked) == (DRAFT, ASKED)
    assert (again.session_id, again.plan, again.started_at) == (
        run.session_id,
        run.plan,
        run.started_at,
    )
    again.submit(RIGHT)  # carries on in the same session
    assert [r.session_id for r in store.answers()] == [run.session_id] * 3
    assert again.quiz.number == 4 and again.quiz.repeat  # the missed one comes round


def test_the_kept_state_is_plain_json_and_reads_back_the_same(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    run = started(store, trainee, catalogue, library("a", "b"))
    run.keep_draft(DRAFT, ASKED)
    state = run.state()
    text = state.to_json()
    assert json.loads(text)["draft"]["crimes"][0] == {
        "offence": "28J Attempted burglary",
        "count": 2,
    }
    assert QuizState.from_json(text) == state
    assert store.unfinished_quiz(trainee.id) == (run.session_id, text)


def test_every_change_is_kept_at_once(store: Store, trainee: Trainee, catalogue: Catalogue) -> None:
    bank = library("a", "b")
    run = started(store, trainee, catalogue, bank)

    def kept() -> QuizState:
        found = store.unfinished_quiz(trainee.id)
        assert found is not None
        return QuizState.from_json(found[1])

    assert kept().quiz["results"] == [] and kept().draft is None  # from the start
    run.keep_draft(DRAFT, ())
    assert kept().draft == DRAFT and kept().asked == ()
    run.keep_draft(DRAFT, ASKED)
    assert kept().asked == ASKED
    run.submit(RIGHT)
    assert len(kept().quiz["results"]) == 1 and kept().draft is None and kept().asked == ()
    run.skip()
    assert kept().quiz["queue"] == []


def test_finishing_or_discarding_removes_the_unfinished_quiz(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    bank = library("a", "b")
    run = started(store, trainee, catalogue, bank)
    run.submit(RIGHT)
    run.finish()
    assert store.unfinished_quiz(trainee.id) is None
    assert QuizRun.resume(store, trainee, bank, catalogue) is None

    run = started(store, trainee, catalogue, bank)
    run.submit(WRONG)
    discard_unfinished(store, trainee)
    assert store.unfinished_quiz(trainee.id) is None
    assert len(store.answers()) == 2  # the answers given are kept
    assert all(s.finished_at is not None for s in store.sessions(trainee.id))


def test_a_new_quiz_ends_the_one_left_unfinished(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    bank = library("a", "b")
    first = started(store, trainee, catalogue, bank)
    second = started(store, trainee, catalogue, bank)
    assert store.unfinished_quiz(trainee.id) == (second.session_id, second.state().to_json())
    [old] = [s for s in store.sessions(trainee.id) if s.id == first.session_id]
    assert old.finished_at is not None


def test_an_answer_stored_just_before_a_crash_is_counted_on_resume(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    bank = library("a", "b", "c")
    run = started(store, trainee, catalogue, bank)
    run.keep_draft(DRAFT, ASKED)
    kept = store.unfinished_quiz(trainee.id)
    first = run.current
    run.submit(RIGHT)
    assert kept is not None  # as if the process died after the answer, before the state
    store.save_unfinished(trainee.id, kept[0], kept[1])

    again = QuizRun.resume(store, trainee, bank, catalogue)
    assert again is not None and first is not None
    assert again.quiz.results == [(first.scenario.id, 100)]
    assert again.current == run.current and again.quiz.number == 2
    assert (again.draft, again.asked) == (None, ())  # that draft was for the answered scenario


def test_a_scenario_gone_from_the_bank_is_left_out_with_its_draft(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    run = started(store, trainee, catalogue, library("a", "b", "c"))
    current = run.current
    assert current is not None
    run.keep_draft(DRAFT, ASKED)
    rest = [sid for sid in ("a", "b", "c") if sid != current.scenario.id]
    again = QuizRun.resume(store, trainee, library(*rest), catalogue)
    assert again is not None and again.current is not None
    assert again.current.scenario.id == order(run)[1]
    assert (again.draft, again.asked) == (None, ())
    assert again.quiz.total == 5


def test_a_quick_quiz_keeps_to_the_trainees_role(store: Store, catalogue: Catalogue) -> None:
    officer = store.create_trainee("Sam Lee", "OF1", "officer")
    bank = library("for-handlers")
    bank.scenarios += library("for-officers", audience=("officer",)).scenarios
    run = QuizRun.start(store, officer, QuizPlan("mixed", count=5), bank, catalogue)
    assert run.plan.value == "officer"
    assert order(run) == ["for-officers"]


def test_an_exam_clock_runs_from_the_first_start(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    bank = library("a", "b")
    plan = QuizPlan("exam", count=2, time_limit_minutes=20)
    run = QuizRun.start(store, trainee, plan, bank, catalogue)
    at = run.started_at + timedelta(minutes=15)
    assert run.seconds_left(run.started_at) == 1200
    again = QuizRun.resume(store, trainee, bank, catalogue)
    assert again is not None and again.seconds_left(at) == 300
    summary = unfinished(store, trainee, catalogue, at)
    assert summary is not None
    assert (summary.exam, summary.seconds_left, summary.answered, summary.total) == (
        True,
        300,
        0,
        2,
    )
    assert again.seconds_left(at + timedelta(hours=1)) == 0
    assert started(store, trainee, catalogue, bank).seconds_left() is None  # practice: untimed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: "not json", "unfinished quiz: document: not JSON"),
        (lambda d: {**d, "version": 99}, "unfinished quiz: version: 99 is not 1"),
        (lambda d: {**d, "plan": {**d["plan"], "mode": "x"}}, "unfinished quiz: plan.mode: 'x'"),
        (lambda d: {**d, "draft": {**d["draft"], "flags": [1]}}, "unfinished quiz: draft.flags:"),
        (lambda d: {**d, "started_at": "soon"}, "unfinished quiz: started_at: 'soon' is not"),
        (lambda d: {**d, "quiz": {**d["quiz"], "queue": 3}}, "unfinished quiz: quiz: cannot be"),
    ],
)
def test_a_damaged_state_is_one_line_naming_the_field(
    store: Store, trainee: Trainee, catalogue: Catalogue, change, message: str
) -> None:  # type: ignore[no-untyped-def]
    bank = library("a", "b")
    run = started(store, trainee, catalogue, bank)
    run.keep_draft(DRAFT, ASKED)
    data = json.loads(run.state().to_json())
    changed = change(data)
    store.save_unfinished(
        trainee.id, run.session_id, changed if isinstance(changed, str) else json.dumps(changed)
    )
    with pytest.raises(TrainerError) as caught:
        QuizRun.resume(store, trainee, bank, catalogue)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    summary = unfinished(store, trainee, catalogue)
    assert summary is not None and summary.problem is not None
    discard_unfinished(store, trainee)  # a damaged one can still be thrown away
    assert store.unfinished_quiz(trainee.id) is None


def test_only_an_open_session_of_the_same_trainee_is_kept(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    other = store.create_trainee("Kim Ito", "CH2", "call-handler")
    run = started(store, trainee, catalogue, library("a"))
    with pytest.raises(TrainerError, match="no open quiz session"):
        store.save_unfinished(other.id, run.session_id, "{}")
    run.finish()
    with pytest.raises(TrainerError, match="no open quiz session"):
        run.save()


def test_a_profile_reset_takes_the_unfinished_quiz_with_it(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("Alex Morgan", "CH1", "call-handler")
        run = started(store, trainee, catalogue, library("a"))
        run.keep_draft(DRAFT, ASKED)
        reset_profile(store, trainee.id, "supervisor")
        assert store.unfinished_quiz(trainee.id) is None


def test_the_plan_and_draft_survive_every_field(
    store: Store, trainee: Trainee, catalogue: Catalogue
) -> None:
    plan = QuizPlan("exam", "call-handler", 2, 45)
    run = QuizRun.start(store, trainee, plan, library("a", "b"), catalogue)
    empty = dataclasses.replace(DRAFT, decision=None, crimes=[], flags=[], refer_to=None)
    for draft in (DRAFT, empty):
        run.keep_draft(draft, ASKED)
        state = QuizState.from_json(run.state().to_json())
        assert (state.plan, state.draft) == (plan, draft)
