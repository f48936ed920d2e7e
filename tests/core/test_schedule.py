"""The rule schedule: ratings from findings and certainty, FSRS due dates, an exact rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime, Scenario
from trainer.core.content.scenarios import LoadedScenario
from trainer.core.content.validation import validate
from trainer.core.grading.grade import grade
from trainer.core.practice.schedule import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    by_urgency,
    due_summary,
    forecast,
    ratings,
    rebuild_schedules,
    schedule_of,
    set_desired_retention,
    trainee_cards,
    update_schedules,
)
from trainer.core.store.records import AnswerRecord
from trainer.core.store.sqlite import Store

BURGLARY = "burglary-entry-point-damage"
VICTIM = "one-crime-per-victim"
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
RIGHT = Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))
WRONG = Answer(decision="incident")


def loaded(sid: str, rules: list[str]) -> LoadedScenario:
    data = scenario_data(rules=rules)
    data["id"] = sid
    return LoadedScenario(validate(Scenario, data), Path(f"{sid}.yaml"), sid)


def record(
    store: Store, trainee: str, session: str, item: LoadedScenario, answer: Answer, at: datetime,
    catalogue: Catalogue,
) -> AnswerRecord:  # fmt: skip
    result = grade(item.scenario, answer, catalogue)
    rec = AnswerRecord.build(trainee, session, item, answer, result, at, at, (), False, catalogue)
    store.record_answer(rec)
    return rec


def _trainees_answering(
    store: Store, catalogue: Catalogue, trainees: int, answers: tuple[Answer, ...], spread: bool
) -> list[tuple[str, str]]:
    """Trainees answering the burglary item on successive days (each a day later than the one
    before when `spread`); their (trainee, session)."""
    item = loaded("burglary", [BURGLARY, VICTIM])
    people = []
    for n in range(trainees):
        trainee = store.create_trainee(f"Alex {n}", f"CH{n}", "call-handler").id
        session = store.start_session(trainee, "mixed")
        for day, answer in enumerate(answers):
            at = START + timedelta(days=day + (n if spread else 0))
            record(store, trainee, session, item, answer, at, catalogue)
        people.append((trainee, session))
    return people


@pytest.mark.parametrize(("certainty", "passed"), [(None, GOOD), (1, HARD), (2, GOOD), (3, EASY)])
def test_a_card_no_finding_touches_rates_by_certainty(certainty: int | None, passed: int) -> None:
    assert ratings(["a", "b"], ["b", "c"], certainty) == {"a": passed, "b": AGAIN, "c": AGAIN}


def _scripted(store: Store, catalogue: Catalogue) -> str:
    """Right, wrong, wrong, right a week apart on the burglary card; the victim card always
    right."""
    trainee = store.create_trainee("Alex", "CH1", "call-handler").id
    session = store.start_session(trainee, "mixed")
    burglary, victim = loaded("burglary", [BURGLARY]), loaded("victim", [VICTIM])
    for week, answer in enumerate((RIGHT, WRONG, WRONG, RIGHT)):
        at = START + timedelta(weeks=week)
        record(store, trainee, session, burglary, answer, at, catalogue)
        record(store, trainee, session, victim, RIGHT, at + timedelta(minutes=5), catalogue)
    return trainee


def test_a_failed_rule_falls_due_before_a_passed_one(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = _scripted(store, catalogue)
        update_schedules(store)
        rows = store.query("SELECT finding_rules FROM answers ORDER BY answered_ts")
        assert [r[0] for r in rows][::2] == ["[]", f'["{BURGLARY}"]', f'["{BURGLARY}"]', "[]"]
        cards = {c.rule: c for c in trainee_cards(store, trainee)}
        failed, passed = cards[BURGLARY], cards[VICTIM]
        assert (failed.reviews, failed.lapses, passed.reviews, passed.lapses) == (4, 2, 4, 0)
        assert failed.due < passed.due
        assert failed.stability is not None and passed.stability is not None
        assert failed.stability < passed.stability
        assert not failed.leech


def test_rebuilding_from_the_answers_gives_the_identical_schedule(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = _scripted(store, catalogue)
        incremental = trainee_cards(store, trainee)
        rebuild_schedules(store)
        assert trainee_cards(store, trainee) == incremental
        rows = store.query(
            "SELECT trainee_id, id, answered_ts, cards, finding_rules, certainty FROM answers "
            "ORDER BY trainee_id, answered_ts, id"
        )
        assert sorted(schedule_of(rows)[trainee].values(), key=lambda c: c.rule) == incremental


def test_answer_by_answer_updates_equal_a_rebuild(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler").id
        session = store.start_session(trainee, "mixed")
        item = loaded("burglary", [BURGLARY, VICTIM])
        for day, answer in enumerate((RIGHT, WRONG, RIGHT, WRONG, WRONG)):
            at = START + timedelta(days=3 * day)
            rec = record(store, trainee, session, item, answer, at, catalogue)
            assert update_schedules(store) == 1
        assert update_schedules(store) == 0
        assert rec.cards == (BURGLARY, VICTIM)
        one_by_one = trainee_cards(store, trainee)
        rebuild_schedules(store)
        assert trainee_cards(store, trainee) == one_by_one
        assert [(c.rule, c.reviews, c.lapses) for c in one_by_one] == [
            (BURGLARY, 5, 3),
            (VICTIM, 5, 0),
        ]


def test_an_older_answer_arriving_later_replays_the_trainee(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler").id
        session = store.start_session(trainee, "mixed")
        item = loaded("burglary", [BURGLARY])
        record(store, trainee, session, item, RIGHT, START + timedelta(days=20), catalogue)
        update_schedules(store)
        record(store, trainee, session, item, WRONG, START, catalogue)  # e.g. from a bundle
        update_schedules(store)
        cards = trainee_cards(store, trainee)
        rebuild_schedules(store)
        assert trainee_cards(store, trainee) == cards
        [card] = cards
        assert (card.reviews, card.lapses) == (2, 1)
        assert card.last_review == START + timedelta(days=20)


def test_a_new_retention_reschedules_everything(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = _scripted(store, catalogue)
        loose = {c.rule: c.due for c in trainee_cards(store, trainee, retention=0.8)}
        strict = {c.rule: c.due for c in trainee_cards(store, trainee, retention=0.95)}
        assert strict[VICTIM] < loose[VICTIM]


def test_due_now_the_next_due_and_the_forecast(catalogue: Catalogue) -> None:
    with Store.memory() as store:
        trainee = _scripted(store, catalogue)
        cards = trainee_cards(store, trainee)
        by_rule = {c.rule: c for c in cards}
        between = by_rule[BURGLARY].due + timedelta(hours=1)
        assert between < by_rule[VICTIM].due
        statuses = by_urgency(cards, between)
        assert [s.rule for s in statuses] == [BURGLARY, VICTIM]
        assert 0 < statuses[0].retrievability < 1
        summary = due_summary(statuses, between)
        assert summary.due == (BURGLARY,) and summary.next_due == by_rule[VICTIM].due
        days = forecast(cards, between, days=400)
        assert days[0] == 1 and sum(days) == 2
        assert forecast(cards, between, days=1) == [1]


def test_a_reset_trainee_loses_their_schedule(catalogue: Catalogue) -> None:
    from trainer.core.store.accounts import reset_profile

    with Store.memory() as store:
        trainee = _scripted(store, catalogue)
        assert trainee_cards(store, trainee)
        reset_profile(store, trainee, "sup")
        assert trainee_cards(store, trainee) == []


def test_the_schedule_command_lists_cards_most_urgent_first(
    catalogue: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from trainer.cli import main
    from trainer.core.store.sqlite import open_store

    with open_store(tmp_path) as store:
        _scripted(store, catalogue)
    assert main(["schedule", "--trainee", "CH1", "--data-dir", str(tmp_path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["rule"], r["lapses"], r["leech"], r["due_now"]) for r in rows] == [
        (BURGLARY, 2, False, True),  # both fell due long ago (2026); the weaker is first
        (VICTIM, 0, False, True),
    ]
    assert rows[0]["retrievability"] < rows[1]["retrievability"]
    assert main(["schedule", "--trainee", "CH1", "--data-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{BURGLARY}  retrievability 0.")
    assert "lapses 2" in lines[0] and "due now" in lines[0]
    assert main(["schedule", "--trainee", "nobody", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nobody" in err


def test_a_leech_is_marked_after_four_lapses(catalogue: Catalogue) -> None:
    from trainer.core.reports.certainty import leeches, leeches_by_trainee, rules_at_risk

    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler").id
        session = store.start_session(trainee, "mixed")
        item = loaded("burglary", [BURGLARY, VICTIM])
        for day in range(4):
            record(store, trainee, session, item, WRONG, START + timedelta(days=day), catalogue)
            update_schedules(store)
            assert leeches(store, trainee) == ([(BURGLARY, 4)] if day == 3 else [])
        assert [c.leech for c in trainee_cards(store, trainee)] == [True, False]
        assert [(r.rule, r.trainees, r.lapses) for r in rules_at_risk(store)] == [(BURGLARY, 1, 4)]
        assert leeches_by_trainee(store) == {trainee: 1}


def test_an_imported_bundle_gives_the_same_schedule_and_an_old_bundle_still_imports(
    tmp_path: Path,
) -> None:
    import dataclasses
    import json

    from tests.core import graded_data
    from tests.core.bundle_v1 import seal, write_v1
    from tests.core.conftest import real_bank
    from trainer.core.store.bundles import export_bundle, import_bundle
    from trainer.core.store.sqlite import open_store

    library, catalogue = real_bank()
    with open_store(tmp_path / "a") as a, open_store(tmp_path / "b") as b:
        [trainee] = graded_data.seed(a, library, catalogue, trainees=1, answers_each=60)
        session = a.start_session(trainee, "mixed")
        loaded = library.scenarios[0]
        sure = dataclasses.replace(graded_data.right_answer(loaded), certainty=3)
        graded_data.record(a, trainee, session, loaded, sure, library, catalogue, now_ish())
        update_schedules(a)
        export_bundle(a, tmp_path / "a.json")
        graded_data.seed(b, library, catalogue, trainees=1, answers_each=5, seed_=3)
        update_schedules(b)
        import_bundle(b, tmp_path / "a.json", library, catalogue, trust=True)
        assert trainee_cards(b, trainee) == trainee_cards(a, trainee)
        assert [(r.certainty, r.cards) for r in b.answers(trainee)] == [
            (r.certainty, r.cards) for r in a.answers(trainee)
        ]
        assert b.answers(trainee)[-1].certainty == 3
        data = write_v1(a, tmp_path / "v1.json")
    for answer in data["payload"]["answers"]:  # as a bundle from before certainty and cards
        answer.pop("cards", None)
        answer["answer"].pop("certainty", None)
    seal(data)
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    with open_store(tmp_path / "c") as c:
        result = import_bundle(c, tmp_path / "old.json", library, catalogue, trust=True)
        assert result.answers == 61
        assert {r.certainty for r in c.answers()} == {None}
        assert all(r.cards for r in c.answers())  # from this workstation's bank, as the grade


def now_ish() -> datetime:
    return START + timedelta(days=30)


def test_the_desired_retention_is_kept_per_workstation() -> None:
    from trainer.core.errors import TrainerError
    from trainer.core.practice.schedule import desired_retention, set_desired_retention

    with Store.memory() as store:
        assert desired_retention(store) == 0.9
        set_desired_retention(store, 0.85)
        assert desired_retention(store) == 0.85
        with pytest.raises(TrainerError, match="desired retention"):
            set_desired_retention(store, 1.5)
        store.conn.execute("UPDATE meta SET value = 'x' WHERE key = 'desired_retention'")
        assert desired_retention(store) == 0.9


def test_due_now_takes_new_scenarios_before_repeats_and_skips_mastered_ones() -> None:
    from trainer.core.practice.quiz import due_scenarios

    def scenario(sid: str, rules: list[str]) -> Scenario:
        return loaded(sid, rules).scenario

    bank = [
        scenario("seen", [BURGLARY]),
        scenario("fresh", [BURGLARY]),
        scenario("mastered", [VICTIM]),
        scenario("victim-seen", [VICTIM, BURGLARY]),
    ]

    answered, mastered = {"seen", "mastered", "victim-seen"}, {"mastered"}
    chosen = due_scenarios(bank, [VICTIM, BURGLARY], mastered, answered)
    assert [s.id for s in chosen] == ["victim-seen", "fresh"]
    assert [s.id for s in due_scenarios(bank, ["no-such-rule"], mastered, answered)] == []


def test_answers_numbered_after_a_reset_are_not_missed(catalogue: Catalogue) -> None:
    from trainer.core.store.accounts import reset_profile

    with Store.memory() as store:
        first = _scripted(store, catalogue)
        other = store.create_trainee("Sam", "CH2", "call-handler").id
        update_schedules(store)
        reset_profile(store, first, "sup")  # frees the highest answer numbers
        session = store.start_session(other, "mixed")
        item = loaded("burglary", [BURGLARY])
        for day in range(9):  # numbered again from where the reset freed them, and beyond
            record(store, other, session, item, WRONG, START + timedelta(days=day), catalogue)
        update_schedules(store)
        [card] = trainee_cards(store, other)
        assert (card.reviews, card.lapses) == (9, 9)
        rebuild_schedules(store)
        assert trainee_cards(store, other) == [card]


def test_a_regrade_that_changes_findings_or_cards_rebuilds_the_schedule(tmp_path: Path) -> None:
    """The application's background regrade rebuilds the schedules it dropped, after it."""
    import dataclasses

    from tests.core import graded_data
    from tests.core.conftest import real_bank
    from trainer.core.content.scenarios import Library
    from trainer.core.practice.schedule import regrade_and_reschedule

    library, catalogue = real_bank()
    with Store.memory() as store:
        trainee = store.create_trainee("Alex", "CH1", "call-handler").id
        session = store.start_session(trainee, "mixed")
        loaded = next(s for s in library.scenarios if s.scenario.expected.decision == "crime")
        graded_data.record(
            store, trainee, session, loaded, Answer(decision="refer", refer_to="other-force"),
            library, catalogue,
        )  # fmt: skip
        before = {c.rule: c for c in trainee_cards(store, trainee)}
        # The scenario now also exercises another card: the regrade restamps its cards.
        expected = loaded.scenario.expected
        extra = next(r for r in catalogue.rule_by_id if r not in expected.cards)
        cards = (*expected.rules, extra)
        changed = dataclasses.replace(
            loaded.scenario, expected=dataclasses.replace(expected, rules=cards)
        )
        bank = Library(
            [
                LoadedScenario(changed, loaded.path, "changed") if s is loaded else s
                for s in library.scenarios
            ]
        )
        result = regrade_and_reschedule(store, bank, catalogue, lambda: False)
        assert result.changed + result.restamped == 1
        assert update_schedules(store) == 0  # rebuilt by the regrade's thread already
        [stored] = store.answers()
        assert extra in (stored.cards or ())
        after = {c.rule: c for c in trainee_cards(store, trainee)}
        assert set(after) == set(before) | {extra}


def test_a_full_rebuild_goes_a_few_trainees_per_transaction(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction for every schedule held the write lock two minutes at a million answers.
    The rebuild writes a batch of trainees per transaction, reading and folding outside any; an
    answer recorded between two batches is folded in too, and the cards equal those kept answer
    by answer."""
    from trainer.core.practice import schedule

    monkeypatch.setattr(schedule, "REBUILD_ANSWERS", 4)
    with Store.memory() as store:
        item = loaded("burglary", [BURGLARY, VICTIM])
        # three answers each: a batch of two trainees
        people = _trainees_answering(store, catalogue, 5, (RIGHT, WRONG, RIGHT), spread=True)
        update_schedules(store)
        by_one = {t: trainee_cards(store, t) for t, _ in people}
        writes, real = [], store.write

        def write(*args: object, **kwargs: object) -> object:
            rebuilding = store.query("SELECT value FROM meta WHERE key = 'schedule_rebuild'")
            writes.append(bool(rebuilding))
            if writes.count(True) == 2:  # between two batches, the last trainee answers again
                trainee, session = people[-1]
                record(store, trainee, session, item, WRONG, START + timedelta(days=30),
                       catalogue)  # fmt: skip
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "write", write)
        assert rebuild_schedules(store) >= 16  # (one answered meanwhile may be folded twice)
        monkeypatch.undo()
        assert writes.count(True) >= 4  # (the batches, and the one that ends the rebuild)
        assert store.query("SELECT value FROM meta WHERE key = 'schedule_rebuild'") == []
        assert update_schedules(store) == 0
        for trainee, _ in people[:-1]:
            assert trainee_cards(store, trainee) == by_one[trainee]
        [(reviews,)] = store.query(
            "SELECT sum(reviews) FROM rule_schedule WHERE trainee_id = ?", [people[-1][0]]
        )
        assert reviews == 8  # its four answers, two rules each


def test_after_a_regrade_a_trainee_rebuilds_only_their_own_cards(catalogue: Catalogue) -> None:
    """A regrade dropped every schedule: a trainee's submit or screen rebuilds only that trainee
    (a moment, not every trainee's answers); the rest waits for a call without a trainee (the
    background regrade's, or the dashboard's), which rebuilds them all."""
    from trainer.core.store.schema import forget_schedules

    with Store.memory() as store:
        people = [t for t, _ in _trainees_answering(store, catalogue, 3, (RIGHT, WRONG), False)]
        update_schedules(store)
        kept = {t: trainee_cards(store, t) for t in people}
        with store.write() as conn:
            forget_schedules(conn)  # as a regrade that changed findings does
        assert update_schedules(store, trainee_id=people[0]) == 2  # their two answers only
        assert trainee_cards(store, people[0]) == kept[people[0]]
        owners = {t for (t,) in store.query("SELECT DISTINCT trainee_id FROM rule_schedule")}
        assert owners == {people[0]}
        assert update_schedules(store) == 6  # everyone's, without a trainee
        assert {t: trainee_cards(store, t) for t in people} == kept
        assert update_schedules(store, trainee_id=people[1]) == 0  # up to date: nothing to do


def test_a_new_desired_retention_rebuilds_a_trainees_own_cards_first(catalogue: Catalogue) -> None:
    """Changing the desired retention on the practice screen used to rebuild every schedule
    before the quiz began; the trainee's own cards come first now, everyone's on a call without a
    trainee, and both equal a rebuild under that retention."""
    with Store.memory() as store:
        answers = (RIGHT, WRONG, RIGHT)
        people = [t for t, _ in _trainees_answering(store, catalogue, 3, answers, False)]
        update_schedules(store)
        loose = {t: trainee_cards(store, t, retention=0.8) for t in people}  # a full rebuild
        update_schedules(store)  # back to 0.9 for everyone
        set_desired_retention(store, 0.8)
        assert update_schedules(store, 0.8, trainee_id=people[1]) == 3  # their answers only
        assert trainee_cards(store, people[1], retention=0.8) == loose[people[1]]
        assert update_schedules(store, 0.8) == 9
        assert {t: trainee_cards(store, t, retention=0.8) for t in people} == loose
