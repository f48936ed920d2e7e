"""Results bundles: merge workstations; twice adds nothing; a bad bundle changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.core import graded_data
from tests.core.bundle_v1 import seal, write_v1
from tests.core.conftest import real_bank
from tests.core.summary_counts import team_counts
from trainer.cli import main
from trainer.core.content.scenarios import Library
from trainer.core.errors import TrainerError
from trainer.core.store.accounts import reset_profile
from trainer.core.store.backups import list_backups
from trainer.core.store.bundles import ImportResult, export_bundle
from trainer.core.store.bundles import import_bundle as import_with_bank
from trainer.core.store.records import now
from trainer.core.store.sqlite import Store, open_store


def import_bundle(store: Store, source: Path, trust: bool = True) -> ImportResult:
    """Import with the real bank, as the CLI and the dashboard do (vouching for the signer:
    test_bundle_signatures shows what happens without)."""
    return import_with_bank(store, source, *real_bank(), trust=trust)


def _station(folder: Path, trainees: int = 2, answers: int = 20, seed: int = 1) -> Store:
    store = open_store(folder)
    graded_data.seed(store, *real_bank(), trainees=trainees, answers_each=answers, seed_=seed)
    return store


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("trainees", "quiz_sessions", "answers", "trainee_totals", "trainee_findings")
    return {t: sorted(store.query(f"SELECT * FROM {t}")) for t in tables}


def test_a_bundle_merges_one_workstation_into_another(tmp_path: Path) -> None:
    a = _station(tmp_path / "a", seed=1)
    b = _station(tmp_path / "b", trainees=1, answers=5, seed=2)
    assert export_bundle(a, tmp_path / "a.json") == 40
    result = import_bundle(b, tmp_path / "a.json")
    assert (result.trainees, result.sessions, result.answers) == (2, 2, 40)
    assert result.already_present == 0
    assert {r.id for r in a.answers()} <= {r.id for r in b.answers()}
    assert len(b.answers()) == 45
    theirs = {row.id: row for row in a.answers()}
    for row in b.answers():
        if row.id in theirs:
            assert row == theirs[row.id]  # every field, including the origin workstation
            assert row.workstation_id == a.workstation_id != b.workstation_id
    counts = {c.trainee_id: c.total.attempts for c in team_counts(b)}
    assert sorted(counts.values()) == [5, 20, 20]
    # no copy of the whole database per import: staging keeps a failed import out
    assert list_backups(tmp_path / "b" / "progress.db") == []
    # b's bundle carries only b's own answers, not the ones it imported
    assert export_bundle(b, tmp_path / "b.json") == 5


def test_importing_the_same_bundle_twice_adds_nothing(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    b = _station(tmp_path / "b", seed=2)
    export_bundle(a, tmp_path / "a.json")
    import_bundle(b, tmp_path / "a.json")
    before = _snapshot(b)
    again = import_bundle(b, tmp_path / "a.json")
    assert (again.trainees, again.sessions, again.answers, again.already_present) == (0, 0, 0, 40)
    assert _snapshot(b) == before
    with pytest.raises(TrainerError, match="workstation_id: is this workstation's own id"):
        import_bundle(a, tmp_path / "a.json")  # its own bundle claims its own id: refused


def test_a_finished_session_is_finished_on_the_next_import(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    b = _station(tmp_path / "b", seed=2)
    export_bundle(a, tmp_path / "early.json")
    import_bundle(b, tmp_path / "early.json")
    [first, *_] = a.query("SELECT id FROM quiz_sessions")
    a.finish_session(first[0])
    export_bundle(a, tmp_path / "later.json")
    import_bundle(b, tmp_path / "later.json")
    assert b.query("SELECT finished_at IS NOT NULL FROM quiz_sessions WHERE id = ?", first) == [
        (1,)
    ]


def test_answers_cleared_by_a_reset_do_not_come_back(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    b = Store.memory()
    export_bundle(a, tmp_path / "a.json")
    import_bundle(b, tmp_path / "a.json")
    tid = b.trainees()[0].id
    reset_profile(b, tid, "sam")
    result = import_bundle(b, tmp_path / "a.json")
    assert result.answers == 0 and result.skipped_after_reset == 20
    assert b.answers(trainee_id=tid) == []


def test_an_answer_given_after_a_reset_still_arrives(tmp_path: Path) -> None:
    a = _station(tmp_path / "a", trainees=1)
    b = Store.memory()
    export_bundle(a, tmp_path / "early.json")
    import_bundle(b, tmp_path / "early.json")
    [trainee] = b.trainees()
    reset_profile(b, trainee.id, "sam")
    [session] = a.sessions(trainee.id)  # started long before the reset
    library, catalogue = real_bank()
    loaded = library.scenarios[2]
    later = graded_data.record(
        a, trainee.id, session.id, loaded, graded_data.right_answer(loaded), library, catalogue,
        answered=now() + timedelta(hours=1),
    )  # fmt: skip
    export_bundle(a, tmp_path / "later.json")
    result = import_bundle(b, tmp_path / "later.json")
    assert (result.answers, result.skipped_after_reset) == (1, 20)
    assert [row.id for row in b.answers()] == [later.id]


def _tamper(tmp_path: Path, change: Callable[[dict[str, Any]], None], fix_sum: bool) -> Path:
    """A version-1 bundle (the JSON document unsigned trainers wrote), edited."""
    a = _station(tmp_path / "a")
    data = write_v1(a, tmp_path / "a.json")
    change(data)
    if fix_sum:  # a hostile bundle with a checksum that matches its contents
        seal(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    return bad


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


HOSTILE = [
    (_set("payload.answers.0.score", 100), False, "sha256: checksum does not match"),
    (_set("format", "something-else"), True, "format: not a trainer results bundle"),
    (_set("payload.answers.0.score", "100"), True, "answers[0].score: Input should be a valid"),
    (_set("payload.answers.0.score", 101), True, "answers[0].score: Input should be less than"),
    (_set("payload.trainees.0.name", "x" * 5000), True, "trainees[0].name: String should have"),
    (_set("payload.answers.0.topics", ["ok", "DROP TABLE"]), True, "answers[0].topics[1]"),
    (_set("payload.answers.0.shown_at", "2026-04-01T09:00"), True, "must carry a UTC offset"),
    (_set("payload.answers.0.trainee_id", "x'); DROP TABLE answers;--"), True, "trainee_id"),
    (_set("payload.answers.0.extra", 1), True, "answers[0].extra: Extra inputs"),
    (_set("payload.sessions", []), True, "answers[0].session_id: not a session"),
    (_set("payload.answers.0.answer", {"decision": "shrug"}), True, "answers[0].answer.decision"),
]


@pytest.mark.parametrize(("change", "fix_sum", "message"), HOSTILE)
def test_a_bad_bundle_is_refused_and_changes_nothing(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], fix_sum: bool, message: str
) -> None:
    bad = _tamper(tmp_path, change, fix_sum)
    target = _station(tmp_path / "b", seed=2)
    before = _snapshot(target)
    with pytest.raises(TrainerError) as caught:
        import_bundle(target, bad)
    assert message in str(caught.value) and str(bad) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert _snapshot(target) == before
    assert list_backups(tmp_path / "b" / "progress.db") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "format: not a trainer results bundle"),
        (b'{"format": "crime-recording-trainer-results", "version": 1, "sha', "truncated"),
        (b'{"format": "crime-recording-trainer-results", "version": 1, "\xff', "not UTF-8"),
        (b"[" * 100_000, "format: not a trainer results bundle"),
        (b'"just a string"', "not a trainer results bundle"),
        (b'{"format": "crime-recording-trainer-results", "version": 2', "header: incomplete"),
    ],
)
def test_unreadable_bundles_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    store = Store.memory()
    with pytest.raises(TrainerError, match=message):
        import_bundle(store, bad)
    assert store.answers() == []


def test_a_truncated_bundle_is_refused(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.json")
    raw = (tmp_path / "a.json").read_bytes()
    (tmp_path / "cut.json").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(TrainerError, match="the file is truncated or was altered"):
        import_bundle(Store.memory(), tmp_path / "cut.json")


def test_hostile_text_is_stored_as_text(tmp_path: Path) -> None:
    a = open_store(tmp_path / "a")
    trainee = a.create_trainee("Robert'); DROP TABLE answers;--", "1; DELETE", "officer")
    session = a.start_session(trainee.id, "practice")
    library, catalogue = real_bank()
    loaded = library.scenarios[1]
    graded_data.record(
        a, trainee.id, session, loaded, graded_data.right_answer(loaded), library, catalogue
    )
    export_bundle(a, tmp_path / "a.json")
    b = Store.memory()
    import_bundle(b, tmp_path / "a.json")
    assert [t.name for t in b.trainees()] == ["Robert'); DROP TABLE answers;--"]
    assert len(b.answers()) == 1


def test_bundle_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _station(tmp_path / "a").close()
    bundle = tmp_path / "a.json"
    assert main(["--data-dir", str(tmp_path / "a"), "export-bundle", str(bundle)]) == 0
    assert "wrote 40 answer(s)" in capsys.readouterr().out
    assert main(["import", str(bundle), "--data-dir", str(tmp_path / "b")]) == 1
    assert "does not trust" in capsys.readouterr().err
    assert main(["import", "--trust", str(bundle), "--data-dir", str(tmp_path / "b")]) == 0
    assert "imported 40 answer(s), 2 session(s) and 2 trainee(s)" in capsys.readouterr().out
    assert main(["import", str(bundle), "--data-dir", str(tmp_path / "b")]) == 0
    assert "imported 0 answer(s)" in capsys.readouterr().out
    bundle.write_text("{}", encoding="utf-8")
    assert main(["import", str(bundle), "--data-dir", str(tmp_path / "b")]) == 1
    assert capsys.readouterr().err.startswith(f"trainer: {bundle}: format:")


def test_a_score_written_into_a_bundle_is_graded_again(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    data = write_v1(a, tmp_path / "a.json")
    answers = data["payload"]["answers"]
    wrong = next(i for i, x in enumerate(answers) if x["score"] < 100)
    answers[wrong]["score"] = 100  # a hostile edit with a checksum that matches it
    answers[wrong]["findings"] = []
    seal(data)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    b = Store.memory()
    result = import_bundle(b, edited)
    assert (result.answers, result.regraded) == (40, 1)
    assert "1 answer(s) carried a grade that differs" in result.grading_note()
    theirs = {row.id: row for row in a.answers()}
    for row in b.answers():
        assert (row.score, row.findings_json) == (
            theirs[row.id].score,
            theirs[row.id].findings_json,
        )
    assert sum(c.total.score_sum for c in team_counts(b)) == sum(r.score for r in a.answers())


def test_only_answers_added_count_as_graded_again(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    data = write_v1(a, tmp_path / "a.json")
    answers = data["payload"]["answers"]
    for forged in answers[:4]:
        forged["score"] = 100 if forged["score"] < 100 else 0  # a grade this bank never gave
    seal(data)
    first_half = json.loads(json.dumps(data))
    first_half["payload"]["answers"] = answers[:2]  # two forged ones arrive first ...
    seal(first_half)
    (tmp_path / "half.json").write_text(json.dumps(first_half), encoding="utf-8")
    (tmp_path / "all.json").write_text(json.dumps(data), encoding="utf-8")
    b = Store.memory()
    assert import_bundle(b, tmp_path / "half.json").regraded == 2
    result = import_bundle(b, tmp_path / "all.json")  # ... then all: two more forged added
    assert (result.answers, result.already_present, result.regraded) == (38, 2, 2)


def test_answers_to_scenarios_this_bank_lacks_are_left_out(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.json")
    library, catalogue = real_bank()
    gone = a.answers()[0].scenario_id
    smaller = Library([s for s in library.scenarios if s.scenario.id != gone])
    b = Store.memory()
    result = import_with_bank(b, tmp_path / "a.json", smaller, catalogue, trust=True)
    missing = sum(r.scenario_id == gone for r in a.answers())
    assert (result.answers, result.not_in_bank) == (40 - missing, missing)
    assert gone not in {r.scenario_id for r in b.answers()}
    later = import_bundle(b, tmp_path / "a.json")  # once the scenario is back, they arrive
    assert (later.answers, later.already_present) == (missing, 40 - missing)


def test_a_bundle_carries_a_findings_trap(tmp_path: Path) -> None:
    library, catalogue = real_bank()
    trapped, loaded = graded_data.trapped_bank(library)
    a = open_store(tmp_path / "a")
    trainee = a.create_trainee("Tam", "T1", "officer")
    session = a.start_session(trainee.id, "practice")
    answer = graded_data.Answer(decision="incident")
    graded_data.record(a, trainee.id, session, loaded, answer, trapped, catalogue)
    export_bundle(a, tmp_path / "a.json")
    b = open_store(tmp_path / "b")
    result = import_with_bank(b, tmp_path / "a.json", trapped, catalogue, trust=True)
    assert (result.answers, result.regraded) == (1, 0)
    [theirs] = b.answers()
    assert [(f.trap, f.malpractice) for f in theirs.findings] == [("not-recorded", True)]
    assert theirs.malpractice_trap == "not-recorded" and theirs.score == 0
    c = Store.memory()  # a workstation whose bank has no such trap grades it without one
    import_bundle(c, tmp_path / "a.json")
    [plain] = c.answers()
    assert [f.trap for f in plain.findings] == [None] and plain.malpractice_trap is None


def test_times_written_in_other_forms_are_stored_in_the_stored_form(tmp_path: Path) -> None:
    a = _station(tmp_path / "a", trainees=1, answers=2)
    data = write_v1(a, tmp_path / "a.json")
    first, second = data["payload"]["answers"]
    first["shown_at"], first["answered_at"] = "2026-01-05T10:00:00Z", "2026-01-05T10:00:30.5+01:00"
    # An offset with seconds (historic zones) does not fit the stored form: put in UTC.
    second["shown_at"] = "2026-01-05T10:00:00.123456-00:25:21"
    second["answered_at"] = "2026-01-05T10:01:00.000+00:00"
    seal(data)
    (tmp_path / "a.json").write_text(json.dumps(data), encoding="utf-8")
    b = Store.memory()
    assert import_bundle(b, tmp_path / "a.json").answers == 2
    stored = b.query("SELECT id, shown_at, answered_at, answered_ts, seconds_taken FROM answers")
    assert sorted(stored) == sorted([
        (first["id"], "2026-01-05T10:00:00.000+00:00", "2026-01-05T10:00:30.500+01:00",
         1767603630.5, 0.0),  # answered (09:00:30.5 UTC) before shown: no negative time taken
        (second["id"], "2026-01-05T10:25:21.123+00:00", "2026-01-05T10:01:00.000+00:00",
         1767607260.0, 0.0),
    ])  # fmt: skip
