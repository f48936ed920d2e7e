"""Signed bundles: a workstation accepts a bundle only from a key it trusts; a bundle changed after
signing, truncated or re-signed is refused with one line and changes nothing; imports meet the rules
of local writes; a large import leaves a trainee's submit waiting well under a second."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks import graded_fixture
from tests.core import graded_data
from tests.core.bundle_v1 import seal, write_v1
from tests.core.conftest import real_bank
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store import bundles, import_pace, keys
from trainer.core.store.answer_rows import SUMMARY_TABLES
from trainer.core.store.bundles import HEADER_BYTES, canonical, export_bundle, import_bundle
from trainer.core.store.records import Trainee
from trainer.core.store.regrade import rebuild_summaries
from trainer.core.store.sqlite import Store, open_store


def _import(store: Store, source: Path, trust: bool = False) -> bundles.ImportResult:
    return import_bundle(store, source, *real_bank(), trust=trust)


def _station(folder: Path, trainees: int = 2, answers: int = 10, seed: int = 1) -> Store:
    store = open_store(folder)
    graded_data.seed(store, *real_bank(), trainees=trainees, answers_each=answers, seed_=seed)
    return store


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("trainees", "quiz_sessions", "answers", "trust", "unfinished_quizzes",
              *SUMMARY_TABLES)  # fmt: skip
    return {
        t: sorted(store.query(f"SELECT * FROM {'trusted_keys' if t == 'trust' else t}"))
        for t in tables
    }


def _parts(path: Path) -> tuple[dict[str, Any], bytes]:
    raw = path.read_bytes()
    return json.loads(raw[:HEADER_BYTES]), raw[HEADER_BYTES:]


def _write(path: Path, head: dict[str, Any], payload: bytes) -> Path:
    path.write_bytes(json.dumps(head).encode().ljust(HEADER_BYTES - 1) + b"\n" + payload)
    return path


def test_the_workstation_key_is_made_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    with open_store(tmp_path / "data") as store:
        first = bundles.store_key(store).public
        assert bundles.store_key(store).public == first  # the same key every time
        export_bundle(store, tmp_path / "out.bundle")
    key = tmp_path / "data" / keys.KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "out.bundle").stat().st_mode) == 0o600  # results inside
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_the_key_file_is_a_standard_ed25519_key_that_openssl_reads(tmp_path: Path) -> None:
    key = keys.signing_key(tmp_path)
    shown = subprocess.run(
        ["openssl", "pkey", "-in", str(tmp_path / keys.KEY_NAME), "-pubout", "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    assert shown[-32:] == key.public  # SubjectPublicKeyInfo ends with the raw key
    message = tmp_path / "message"
    message.write_bytes(b"header")
    signature = tmp_path / "signature"
    signature.write_bytes(base64.b64decode(key.sign(b"header")))
    subprocess.run(  # openssl verifies our signature with our key file: plain Ed25519
        ["openssl", "pkeyutl", "-verify", "-inkey", str(tmp_path / keys.KEY_NAME), "-rawin",
         "-in", str(message), "-sigfile", str(signature)],
        capture_output=True,
        check=True,
    )  # fmt: skip
    assert keys.signing_key(tmp_path).public == key.public  # read back as written


@pytest.mark.parametrize(
    "content", [b"", b"junk", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "\u00e9".encode(), b"\xff\xfe"]
)  # fmt: skip
def test_a_damaged_key_file_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    (tmp_path / keys.KEY_NAME).write_bytes(content)
    with pytest.raises(TrainerError) as caught:
        keys.signing_key(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / keys.KEY_NAME}: not an Ed25519 workstation key")
    assert "\n" not in message


def test_an_untrusted_key_is_refused_until_someone_vouches_for_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _station(tmp_path / "a").close()
    bundle = tmp_path / "a.bundle"
    assert main(["export-bundle", str(bundle), "--data-dir", str(tmp_path / "a")]) == 0
    with open_store(tmp_path / "a") as a:
        printed = keys.fingerprint(bundles.store_key(a).public)
    capsys.readouterr()
    b = ["--data-dir", str(tmp_path / "b")]
    assert main(["import", str(bundle), *b]) == 1
    err = capsys.readouterr().err
    assert "does not trust" in err and printed in err and err.count("\n") == 1
    with open_store(tmp_path / "b") as store:
        assert store.answers() == []
    assert main(["import", "--trust", str(bundle), *b]) == 0
    assert f"the workstation key {printed} is now trusted" in capsys.readouterr().out
    with open_store(tmp_path / "b") as store:
        assert len(store.answers()) == 20
        [(fp, by)] = store.query("SELECT fingerprint, accepted_by FROM trusted_keys")
        assert (fp, by) == (printed, "command line")
    assert main(["import", str(bundle), *b]) == 0  # trusted from now on
    assert "imported 0 answer(s)" in capsys.readouterr().out


def _edit_score(head: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    lines = gzip.decompress(payload).decode().splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith("A "))
    answer = json.loads(lines[i][2:])
    answer["score"] = 100 - answer["score"] or 1
    lines[i] = "A " + json.dumps(answer) + "\n"
    payload = gzip.compress("".join(lines).encode())
    head = {**head, "payload_sha256": hashlib.sha256(payload).hexdigest()}
    return {**head, "payload_bytes": len(payload)}, payload


def _swap_key(head: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    other = keys.SigningKey.generate()
    return {**head, "public_key": keys.encode_key(other.public)}, payload


def _wrong_signature(head: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    forged = keys.SigningKey.generate().sign(b"something else")
    return {**head, "signature": forged}, payload


def _truncate(head: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    return head, payload[: len(payload) // 2]


def _edit_counts(head: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    return {**head, "counts": {**head["counts"], "answers": 1}}, payload


TAMPERING = [
    (_edit_score, "signature: does not match the bundle"),
    (_swap_key, "signature: does not match the bundle"),
    (_wrong_signature, "signature: does not match the bundle"),
    (_truncate, "the file is truncated or was altered"),
    (_edit_counts, "signature: does not match the bundle"),
]


@pytest.mark.parametrize(("change", "message"), TAMPERING)
def test_a_tampered_bundle_is_refused_with_one_line(
    tmp_path: Path,
    change: Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]],
    message: str,
) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.bundle")
    b = open_store(tmp_path / "b")
    _import(b, tmp_path / "a.bundle", trust=True)  # a's key is trusted here
    before = _snapshot(b)
    bad = _write(tmp_path / "bad.bundle", *change(*_parts(tmp_path / "a.bundle")))
    for trust in (False, True):  # vouching does not make a broken signature good
        with pytest.raises(TrainerError) as caught:
            _import(b, bad, trust=trust)
        assert message in str(caught.value) and "\n" not in str(caught.value)
        assert _snapshot(b) == before


def test_a_bundle_re_signed_with_another_key_is_not_trusted(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.bundle")
    b = open_store(tmp_path / "b")
    _import(b, tmp_path / "a.bundle", trust=True)
    head, payload = _edit_score(*_parts(tmp_path / "a.bundle"))
    forger = keys.SigningKey.generate()
    head = {k: v for k, v in head.items() if k != "signature"}
    head["public_key"] = keys.encode_key(forger.public)
    head["signature"] = forger.sign(canonical(head).encode())
    bad = _write(tmp_path / "forged.bundle", head, payload)
    before = _snapshot(b)
    with pytest.raises(keys.UntrustedKey) as caught:
        _import(b, bad)
    assert keys.fingerprint(forger.public) in str(caught.value)
    assert _snapshot(b) == before


def test_a_version_1_bundle_imports_only_when_vouched_for(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    write_v1(a, tmp_path / "old.json")
    b = Store.memory()
    with pytest.raises(bundles.UnsignedBundle, match=r"unsigned .version 1. bundle; import it"):
        _import(b, tmp_path / "old.json")
    assert b.answers() == []
    assert _import(b, tmp_path / "old.json", trust=True).answers == 20


# Consistency: the rules of a local write -------------------------------------------------------


def _v1_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    a = _station(tmp_path / "a")
    data = write_v1(a, tmp_path / "a.json")
    change(data["payload"])
    seal(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _other_session(p: dict[str, Any]) -> None:
    p["answers"][0]["session_id"] = next(
        s["id"] for s in p["sessions"] if s["trainee_id"] != p["answers"][0]["trainee_id"]
    )


def _decision(p: dict[str, Any]) -> None:
    a = p["answers"][0]
    a["decision"] = "incident" if a["answer"]["decision"] != "incident" else "crime"


CONSISTENCY = [
    (_other_session, "answers[0].session_id: not a session of this trainee"),
    (_decision, "differs from answer.decision"),
    (lambda p: p["trainees"][0].update(name="   "), "trainees[0].name: Value error, must not"),
    (lambda p: p["trainees"][0].update(name="Sam\nSmith"), "U+000A"),
    (lambda p: p["trainees"][0].update(name="Sam\x00"), "U+0000"),
    (lambda p: p["trainees"][0].update(staff_number="12\r3"), "U+000D"),
    (lambda p: p["trainees"][0].update(name="Sam \u202egnp.exe"), "U+202E"),
]


@pytest.mark.parametrize(("change", "message"), CONSISTENCY)
def test_an_import_meets_the_rules_of_a_local_write(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    bad = _v1_with(tmp_path, change)
    b = _station(tmp_path / "b", seed=3)
    before = _snapshot(b)
    with pytest.raises(TrainerError) as caught:
        _import(b, bad, trust=True)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert _snapshot(b) == before


def test_answers_claiming_this_workstation_are_refused(tmp_path: Path) -> None:
    b = _station(tmp_path / "b", seed=3)
    bad = _v1_with(tmp_path, lambda p: p["answers"][3].update(workstation_id=b.workstation_id))
    before = _snapshot(b)
    with pytest.raises(TrainerError, match=r"answers\[3\].workstation_id: is this workstation's"):
        _import(b, bad, trust=True)
    assert _snapshot(b) == before


def test_a_staff_number_held_here_by_another_name_is_refused(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.bundle")
    theirs = a.trainees()[0]
    b = open_store(tmp_path / "b")
    b.create_trainee("Somebody Else", theirs.staff_number, "officer")
    before = _snapshot(b)
    with pytest.raises(TrainerError) as caught:
        _import(b, tmp_path / "a.bundle", trust=True)
    assert f"staff_number: {theirs.staff_number} is already held here by Somebody Else" in str(
        caught.value
    )
    assert _snapshot(b) == before


def test_the_same_name_and_staff_number_is_the_same_person(tmp_path: Path) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.bundle")
    theirs = a.trainees()[0]
    b = open_store(tmp_path / "b")
    ours = b.create_trainee(f"  {theirs.name.upper()} ", theirs.staff_number, theirs.role)
    result = _import(b, tmp_path / "a.bundle", trust=True)
    assert (result.linked, result.trainees, result.answers) == (1, 1, 20)
    assert len(b.trainees()) == 2
    assert len(b.answers(trainee_id=ours.id)) == len(a.answers(trainee_id=theirs.id)) == 10
    again = _import(b, tmp_path / "a.bundle")
    assert (again.answers, again.already_present) == (0, 20)


@pytest.mark.parametrize("bad", ["Sam\nSmith", "Sam\r", "Sam\x00", "Sam\u202e", "\u2066Sam"])
def test_names_with_control_or_direction_characters_are_refused_everywhere(bad: str) -> None:
    with pytest.raises(TrainerError, match="is not allowed"):
        Trainee.checked(bad, "S1", "officer")
    with pytest.raises(TrainerError, match=r"staff number: .* is not allowed"):
        Trainee.checked("Sam", bad, "officer")


# All or nothing, and never in a trainee's way --------------------------------------------------


@pytest.mark.parametrize("in_chunks", [True, False])
def test_an_import_failing_half_way_leaves_a_linked_trainees_summaries_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_chunks: bool
) -> None:
    """The bundle's first trainee is a profile here too (same name and staff number): its answers
    join that profile, before, between and after the answers given here, so its totals, last
    answer and running sums change; taking the import out puts every summary back exactly."""
    a = _station(tmp_path / "a", trainees=3, answers=40)
    export_bundle(a, tmp_path / "a.bundle")
    b = _station(tmp_path / "b", seed=3)
    library, catalogue = real_bank()
    linked = b.create_trainee("Trainee 0", "G1-00000", "officer")
    session = b.start_session(linked.id, "practice")
    for moment in (-24 * 60, -60, 30, 90):  # minutes from START (the bundle's run from it on)
        loaded = library.scenarios[moment % len(library.scenarios)]
        graded_data.record(
            b, linked.id, session, loaded, graded_data.right_answer(loaded), library, catalogue,
            answered=graded_data.START + timedelta(minutes=moment),
        )  # fmt: skip
    before = _snapshot(b)
    if in_chunks:
        for name in ("FIRST_CHUNK", "MIN_CHUNK", "MAX_CHUNK"):
            monkeypatch.setattr(import_pace, name, 50)
        monkeypatch.setattr(bundles, "ONE_GO", 0)
    real, calls = bundles.summarise, []

    def failing(conn: Any, after: int) -> None:
        calls.append(after)
        if len(calls) == 3:
            raise OSError("disk full")
        real(conn, after)

    monkeypatch.setattr(bundles, "summarise", failing)
    monkeypatch.setattr(bundles, "STEP", 50)
    with pytest.raises(OSError):
        _import(b, tmp_path / "a.bundle", trust=True)
    assert _snapshot(b) == before
    assert b.query("SELECT * FROM import_journal") == []
    monkeypatch.undo()
    assert _import(b, tmp_path / "a.bundle", trust=True).linked == 1
    kept = _snapshot(b)
    with b.write() as conn:
        rebuild_summaries(conn)
    assert _snapshot(b) == kept  # (and the import's own summaries were right)


def test_taking_a_half_import_out_reads_what_it_added_not_the_whole_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write lock is held while a half import is taken out: its work (SQLite's virtual
    machine steps) stays the same when this workstation has 40 times the answers. It used to
    count every summary again (half a minute at a million answers)."""
    a = _station(tmp_path / "a", trainees=3, answers=40)
    export_bundle(a, tmp_path / "a.bundle")
    for name in ("FIRST_CHUNK", "MIN_CHUNK", "MAX_CHUNK"):
        monkeypatch.setattr(import_pace, name, 50)
    monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks: two go in, the third fails
    real, undo = bundles.summarise, bundles.undo_import

    def failing(conn: Any, after: int) -> None:
        if conn.execute("SELECT count(*) FROM import_journal").fetchone()[0] >= 4:
            raise OSError("disk full")
        real(conn, after)

    def steps(others: int) -> int:
        b = _station(tmp_path / str(others), trainees=4, answers=others // 4, seed=3)
        before = _snapshot(b)
        count = [0]

        def step() -> int:
            count[0] += 1
            return 0

        def counted(store: Store, import_id: str | None = None) -> int:
            store.conn.set_progress_handler(step, 100)
            try:
                return undo(store, import_id)
            finally:
                store.conn.set_progress_handler(None, 0)

        monkeypatch.setattr(bundles, "undo_import", counted)
        with pytest.raises(OSError):
            _import(b, tmp_path / "a.bundle", trust=True)
        assert _snapshot(b) == before and count[0]
        return count[0]

    monkeypatch.setattr(bundles, "summarise", failing)
    few, many = steps(100), steps(4_000)
    assert many < few * 1.5, (few, many)


@pytest.mark.parametrize("in_chunks", [True, False])
def test_an_import_failing_half_way_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_chunks: bool
) -> None:
    a = _station(tmp_path / "a", trainees=3, answers=40)
    export_bundle(a, tmp_path / "a.bundle")
    b = _station(tmp_path / "b", seed=3)
    before = _snapshot(b)
    if in_chunks:
        monkeypatch.setattr(import_pace, "FIRST_CHUNK", 50)  # chunks of 50 answers
        monkeypatch.setattr(import_pace, "MIN_CHUNK", 50)
        monkeypatch.setattr(import_pace, "MAX_CHUNK", 50)
        monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks, however small the bundle
    fail_at = 2 if in_chunks else 1  # after a chunk was committed; or in the one transaction
    real, calls = bundles.summarise, []

    def failing(conn: Any, after: int) -> None:
        calls.append(after)
        if len(calls) == fail_at:
            raise OSError("disk full")
        real(conn, after)

    monkeypatch.setattr(bundles, "summarise", failing)
    with pytest.raises(OSError):
        _import(b, tmp_path / "a.bundle", trust=True)
    assert len(calls) == fail_at  # (a committed first chunk was undone)
    assert _snapshot(b) == before
    assert b.query("SELECT * FROM import_journal") == []


def test_an_import_while_nobody_else_writes_is_seen_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While nobody else writes, a bundle goes in as one transaction, however many steps it takes
    (here 30 of 10 answers): another connection reading meanwhile sees the answers before it or
    all of them, never part (chunks of 10 answers would show 30 states)."""
    a = _station(tmp_path / "a", trainees=3, answers=100)
    export_bundle(a, tmp_path / "a.bundle")
    b = _station(tmp_path / "b", seed=3)
    before = len(b.answers())
    for name in ("FIRST_CHUNK", "MIN_CHUNK", "MAX_CHUNK"):
        monkeypatch.setattr(import_pace, name, 10)
    monkeypatch.setattr(bundles, "STEP", 10)
    seen: set[int] = set()
    reads = 0
    stop = threading.Event()

    def watch() -> None:
        nonlocal reads
        reader = sqlite3.connect(b.path)
        while not stop.is_set():
            seen.add(reader.execute("SELECT count(*) FROM answers").fetchone()[0])
            reads += 1
            time.sleep(0.001)
        reader.close()

    real = bundles.summarise

    steps = []

    def slowly(conn: Any, after: int) -> None:
        real(conn, after)
        steps.append(after)
        time.sleep(0.02)  # the reader gets a look between steps

    monkeypatch.setattr(bundles, "summarise", slowly)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert _import(b, tmp_path / "a.bundle", trust=True).answers == 300
    finally:
        stop.set()
        watcher.join()
    assert reads > 10 and before in seen and seen <= {before, before + 300}
    assert len(b.answers()) == before + 300 and len(steps) == 30


LARGE = 40_000


@pytest.mark.parametrize(
    ("size", "spool"),
    [(LARGE, True), (LARGE, False), (20_000, False)],
    ids=["40k, spooled", "40k, no spool", "20k, no spool"],
)
def test_a_trainee_submitting_during_a_large_import_never_waits_a_second(
    tmp_path: Path, size: int, spool: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LARGE is big enough that copying it in one transaction holds the write lock for seconds:
    the submits meanwhile go to the spool; without one (as where `flock` is missing) both sizes
    are tried in one go first, interrupted by the submits, then chunked."""
    if not spool:
        from tests.core.test_import_pace import _no_spool

        monkeypatch.setattr(bundles, "holding_import", _no_spool)
    with open_store(graded_fixture.build(tmp_path / "a", size, trainees=50)) as a:
        export_bundle(a, tmp_path / "a.bundle")
    b = _station(tmp_path / "b", trainees=1, answers=1, seed=3)
    [trainee] = b.trainees()
    [session] = b.sessions(trainee.id)
    library, catalogue = real_bank()
    waits: list[float] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def submit() -> None:
        with open_store(tmp_path / "b") as mine:
            while not stop.is_set():
                loaded = library.scenarios[len(waits) % len(library.scenarios)]
                started = time.perf_counter()
                try:
                    graded_data.record(
                        mine, trainee.id, session.id, loaded, graded_data.right_answer(loaded),
                        library, catalogue,
                    )  # fmt: skip
                except BaseException as exc:
                    errors.append(exc)
                    return
                waits.append(time.perf_counter() - started)
                time.sleep(0.02)

    worker = threading.Thread(target=submit)
    worker.start()
    try:
        started = time.perf_counter()
        result = _import(b, tmp_path / "a.bundle", trust=True)
        took = time.perf_counter() - started
    finally:
        stop.set()
        worker.join()
    assert result.answers == size and not errors
    assert len(waits) > 10, took
    print(f"import {took:.2f} s, {len(waits)} submits, longest wait {max(waits):.3f} s")
    assert max(waits) < 1.0, (max(waits), took)
    assert len(b.answers()) == size + 1 + len(waits)
    assert b.spool is not None and not b.spool.pending()
    assert os.path.exists(tmp_path / "b" / "progress.db")


def test_a_profile_made_here_comes_back_with_answers_given_elsewhere(tmp_path: Path) -> None:
    here = _station(tmp_path / "here", trainees=1, answers=2)
    [trainee] = here.trainees()
    export_bundle(here, tmp_path / "here.bundle")
    there = open_store(tmp_path / "there")
    _import(there, tmp_path / "here.bundle", trust=True)
    session = there.start_session(trainee.id, "practice")  # the trainee practises there
    library, catalogue = real_bank()
    loaded = library.scenarios[0]
    answer = graded_data.right_answer(loaded)
    graded_data.record(there, trainee.id, session, loaded, answer, library, catalogue)
    export_bundle(there, tmp_path / "there.bundle")
    result = _import(here, tmp_path / "there.bundle", trust=True)
    assert (result.trainees, result.sessions, result.answers) == (0, 1, 1)
    assert len(here.answers(trainee_id=trainee.id)) == 3


def test_an_import_killed_half_way_is_taken_out_at_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _station(tmp_path / "a", trainees=3, answers=40)
    export_bundle(a, tmp_path / "a.bundle")
    b = _station(tmp_path / "b", seed=3)
    before = _snapshot(b)
    for name, value in (("FIRST_CHUNK", 50), ("MIN_CHUNK", 50), ("MAX_CHUNK", 50)):
        monkeypatch.setattr(import_pace, name, value)
    monkeypatch.setattr(bundles, "ONE_GO", 0)  # in chunks, however small the bundle
    real, calls = bundles.summarise, []

    def killed(conn: Any, after: int) -> None:
        calls.append(after)
        if len(calls) == 2:
            raise SystemExit("killed")  # as if the process died: nothing cleans up
        real(conn, after)

    monkeypatch.setattr(bundles, "summarise", killed)
    monkeypatch.setattr(bundles, "undo_import", lambda *args: 0)
    with pytest.raises(SystemExit):
        _import(b, tmp_path / "a.bundle", trust=True)
    b.close()
    monkeypatch.undo()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    with open_store(tmp_path / "b") as b:
        assert len(b.answers()) == len(before["answers"]) + 50  # the first chunk stayed
        b.conn.execute("UPDATE import_journal SET pid = ?", [int(gone.stdout)])  # now dead
        b.conn.commit()
    with open_store(tmp_path / "b") as b:  # the next start takes the half import out
        assert _snapshot(b) == before
        assert b.query("SELECT * FROM import_journal") == []
        again = _import(b, tmp_path / "a.bundle", trust=True)
        assert again.answers == 120  # the half import was taken out, then all came in
        assert len(b.answers()) == len(before["answers"]) + 120
        assert b.query("SELECT * FROM import_journal") == []
        [(attempts,)] = b.query("SELECT sum(attempts) FROM trainee_totals")
        assert attempts == len(b.answers())  # the summaries count what stayed


def test_a_bundle_replaced_after_its_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _station(tmp_path / "a")
    export_bundle(a, tmp_path / "a.bundle")
    c = _station(tmp_path / "c", seed=5)  # the same counts, other answers, another key
    export_bundle(c, tmp_path / "c.bundle")
    b = open_store(tmp_path / "b")
    before = _snapshot(b)
    real = bundles.read_header

    def then_swapped(source: Path) -> bundles.Header | None:
        header = real(source)
        source.write_bytes((tmp_path / "c.bundle").read_bytes())
        return header

    monkeypatch.setattr(bundles, "read_header", then_swapped)
    with pytest.raises(TrainerError, match="payload_sha256: the file changed while being read"):
        _import(b, tmp_path / "a.bundle", trust=True)
    assert _snapshot(b) == before


def test_trainer_key_shows_the_fingerprint_another_workstation_is_asked_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["key", "--data-dir", str(tmp_path / "a")]) == 0
    with open_store(tmp_path / "a") as a:
        printed = keys.fingerprint(bundles.store_key(a).public)
        assert printed in capsys.readouterr().out
        export_bundle(a, tmp_path / "a.bundle")
    with pytest.raises(keys.UntrustedKey) as caught:
        _import(Store.memory(), tmp_path / "a.bundle")
    assert caught.value.fingerprint == printed


def test_an_escalation_travels(tmp_path: Path) -> None:
    """A disposal review escalated to an authority keeps `escalate-<authority>` in its decision
    column while its answer says `escalate`: the bundle carries both and they agree."""
    library, catalogue = real_bank()
    review = next(s for s in library.scenarios if s.scenario.expected.decision == "escalate")
    a = open_store(tmp_path / "a")
    sam = a.create_trainee("Sam Smith", "S1", "officer")
    session = a.start_session(sam.id, "practice")
    graded_data.record(
        a, sam.id, session, review, graded_data.right_answer(review), library, catalogue
    )
    [stored] = a.answers()
    assert stored.decision.startswith("escalate-")
    export_bundle(a, tmp_path / "a.bundle")
    b = open_store(tmp_path / "b")
    assert _import(b, tmp_path / "a.bundle", trust=True).answers == 1
    assert [r.decision for r in b.answers()] == [stored.decision]


def test_an_import_pauses_between_chunks_only_while_a_writer_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core.test_import_pace import _no_spool
    from trainer.core.store import files

    with open_store(graded_fixture.build(tmp_path / "a", 3_000, trainees=5)) as a:
        export_bundle(a, tmp_path / "a.bundle")
    monkeypatch.setattr(bundles, "holding_import", _no_spool)  # the chunks' pauses, as without
    monkeypatch.setattr(import_pace, "FIRST_CHUNK", 100)
    monkeypatch.setattr(import_pace, "MAX_CHUNK", 100)  # thirty chunks
    pauses: list[float] = []
    monkeypatch.setattr(import_pace.time, "sleep", pauses.append)
    b = open_store(tmp_path / "b")
    assert _import(b, tmp_path / "a.bundle", trust=True).answers == 3_000
    assert pauses == []  # nobody waiting: no pause
    c = open_store(tmp_path / "c")
    assert c.path is not None
    with files.waiting_to_write(c.path):  # as a trainee's submit does while it waits
        assert files.writer_waiting(c.path)
        assert _import(c, tmp_path / "a.bundle", trust=True).answers == 3_000
    # after each of the 29 chunks but the last, polled until the waiting writer began (here never)
    assert pauses == [import_pace.PAUSE_STEP] * 29 * import_pace.PAUSE_POLLS
    assert not files.writer_waiting(c.path)
