"""xAPI statements: valid against Ralph's models, stable ids, and sent to a real LRS once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.export_data import BANK, seed
from trainer.cli import main
from trainer.core.content.catalogue import Catalogue
from trainer.core.errors import TrainerError
from trainer.core.store import lrs, xapi
from trainer.core.store.sqlite import open_store

statements_model = pytest.importorskip(
    "ralph.models.xapi.base.statements", reason="ralph-malph (dev group) is not installed"
)
verbs = pytest.importorskip("ralph.models.xapi.concepts.verbs.adl_vocabulary")
scorm = pytest.importorskip("ralph.models.xapi.concepts.verbs.scorm_profile")
BaseXapiStatement = statements_model.BaseXapiStatement


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_statement_ids_are_uuid5_of_the_answer_id() -> None:
    for name in ("0193a0b2-0000-7000-8000-000000000001", "completed:x", "Zoë"):
        assert xapi.statement_id(name) == str(uuid.uuid5(xapi.NAMESPACE, name))


def test_every_statement_validates_and_says_what_was_answered(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    s = seed(catalogue)
    xapi.set_home_page(s.store, "https://learning.force.example/")
    count = xapi.export_xapi(s.store, tmp_path / "x.jsonl")
    got = _lines(tmp_path / "x.jsonl")
    assert count == len(got) == len(s.records) + 3  # three finished quizzes
    for st in got:
        BaseXapiStatement.model_validate(st)
    answered = [st for st in got if st["verb"]["id"] == xapi.ANSWERED]
    completed = [st for st in got if st["verb"]["id"] == xapi.COMPLETED]
    for st in answered:
        verbs.AnsweredVerb.model_validate(st["verb"])
    for st in completed:
        scorm.CompletedVerb.model_validate(st["verb"])
    by_id = {rec.id: rec for rec in s.records}
    for st, rec in zip(answered, s.records, strict=True):
        assert st["id"] == str(uuid.uuid5(xapi.NAMESPACE, rec.id))
        actor = st["actor"]
        assert actor == {  # never an email invented for them
            "objectType": "Agent",
            "account": {
                "homePage": "https://learning.force.example",
                "name": actor["account"]["name"],
            },
        }
        result = st["result"]
        assert result["score"] == {
            "scaled": rec.score / 100,
            "raw": rec.score,
            "min": 0,
            "max": 100,
        }
        assert result["success"] is (rec.score == 100)
        assert json.loads(result["response"]) == json.loads(rec.answer_json)
        assert result["duration"] == "PT42.5S"
        findings = result["extensions"][
            "https://learning.force.example/xapi/crime-recording-trainer/extensions/findings"
        ]
        assert findings == json.loads(by_id[rec.id].findings_json)
        ctx = st["context"]
        assert ctx["registration"] == rec.session_id
        assert ctx["contextActivities"]["parent"][0]["id"].endswith(f"/quizzes/{rec.session_id}")
        grouping = {g["id"].rsplit("/", 2)[-2] for g in ctx["contextActivities"]["grouping"]}
        assert grouping == {"crime-recording-trainer", "editions"}
        base = "https://learning.force.example/xapi/crime-recording-trainer"
        assert ctx["extensions"][f"{base}/extensions/bank-hash"] == BANK
        assert ctx["extensions"][f"{base}/extensions/scenario-hash"] == rec.scenario_hash
        assert st["object"]["id"].endswith(f"/scenarios/{rec.scenario_id}")
        assert st["object"]["definition"]["name"] == {"en-GB": rec.scenario_title}
    assert {st["context"]["registration"] for st in completed} == set(s.sessions[:3])


def test_certainty_goes_in_the_result_extensions_when_stated(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    s = seed(catalogue)
    s.store.conn.execute("UPDATE answers SET certainty = 2 WHERE seq % 2 = 0")
    xapi.export_xapi(s.store, tmp_path / "x.jsonl")
    key = f"{xapi.DEFAULT_HOME}/xapi/crime-recording-trainer/extensions/certainty"
    stated = [st["result"].get("extensions", {}).get(key) for st in _lines(tmp_path / "x.jsonl")]
    assert stated[: len(s.records)].count(2) == len(s.records) // 2
    assert stated.count(None) == len(stated) - len(s.records) // 2


def test_exporting_twice_gives_identical_files(tmp_path: Path, catalogue: Catalogue) -> None:
    s = seed(catalogue)
    xapi.export_xapi(s.store, tmp_path / "1.jsonl")
    xapi.export_xapi(s.store, tmp_path / "2.jsonl")
    assert (tmp_path / "1.jsonl").read_bytes() == (tmp_path / "2.jsonl").read_bytes()
    raw = (tmp_path / "1.jsonl").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # JSON lines: no BOM


def test_each_line_is_exactly_the_json_of_its_statement_whatever_the_ids_and_home(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """The lines are filled-in templates: they must be the bytes `json` gives for the same
    statement, with quotes, backslashes and accents in the home page and the session ids."""
    s = seed(catalogue)
    with s.store.write() as conn:  # as stored before `set-home` refused such characters
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [xapi.HOME_KEY, 'https://lms.exämple.invalid/a"b\\c'],
        )
    odd, upper = 's-1"é\\', s.sessions[1].upper()
    with s.store.write() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for old, new in ((s.sessions[0], odd), (s.sessions[1], upper)):
            conn.execute("UPDATE quiz_sessions SET id = ? WHERE id = ?", [new, old])
            conn.execute("UPDATE answers SET session_id = ? WHERE session_id = ?", [new, old])
    xapi.export_xapi(s.store, tmp_path / "x.jsonl")
    lines = (tmp_path / "x.jsonl").read_text(encoding="ascii").splitlines()
    for line in lines:
        statement = json.loads(line)
        assert json.dumps(statement, separators=(",", ":")) == line
    got = [json.loads(line) for line in lines]
    registrations = {st["context"]["registration"] for st in got}
    assert registrations >= {s.sessions[1], xapi.registration(odd)}  # the UUID, in lowercase
    quizzes = {st["object"]["id"] for st in got if st["verb"]["id"] == xapi.COMPLETED}
    home = 'https://lms.exämple.invalid/a"b\\c/xapi/crime-recording-trainer/quizzes/'
    assert {home + odd, home + upper} <= quizzes


def test_a_session_id_that_is_not_a_uuid_gets_a_derived_registration() -> None:
    assert xapi.registration("abc") == str(uuid.uuid5(xapi.NAMESPACE, "session:abc"))
    u = "0193a0b2-0000-7000-8000-000000000001"
    assert xapi.registration(u) == u


@pytest.mark.parametrize("url", ["lms.example", "ftp://x", "https://"])
def test_a_bad_home_page_is_refused(url: str) -> None:
    with pytest.raises(TrainerError, match=r"home page: .* must be an absolute http"):
        xapi.check_home(url)


@pytest.mark.parametrize(
    "char", [" ", '"', "<", ">", "\\", "^", "`", "{", "|", "}", "\x00", "\x1b"]
)
def test_a_home_page_with_a_character_urls_may_not_hold_is_refused(char: str) -> None:
    with pytest.raises(TrainerError, match=r"home page: .* which a URL may not hold") as caught:
        xapi.check_home(f"https://lms.force.example/a{char}b")
    assert "\n" not in str(caught.value)


def test_an_accepted_home_page_makes_statements_an_lrs_takes(catalogue: Catalogue) -> None:
    s = seed(catalogue)
    xapi.set_home_page(s.store, "https://lms.exämple.invalid/a%22b~c?x=1&y=2#top")
    got = list(xapi.statements(s.store))
    assert got
    for _, text in got:
        BaseXapiStatement.model_validate(json.loads(text))


def test_credentials_file_must_be_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "lrs.cred"
    f.write_text("trainer:s3cret\n")
    f.chmod(0o644)
    with pytest.raises(TrainerError, match="readable by others"):
        lrs.credentials(f)
    f.chmod(0o600)
    assert lrs.credentials(f) == ("trainer", "s3cret")
    monkeypatch.delenv(lrs.USER_ENV, raising=False)
    with pytest.raises(TrainerError, match="TRAINER_LRS_USER"):
        lrs.credentials(None)
    monkeypatch.setenv(lrs.USER_ENV, "u")
    monkeypatch.setenv(lrs.PASSWORD_ENV, "p")
    assert lrs.credentials(None) == ("u", "p")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def ralph_lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Ralph's LRS (FastAPI under uvicorn) with its file-system backend, on a loopback port."""
    bcrypt = pytest.importorskip("bcrypt", reason="ralph-malph[lrs] is not installed")
    pytest.importorskip("uvicorn", reason="ralph-malph[lrs] is not installed")
    home = tmp_path_factory.mktemp("lrs")
    (home / "data").mkdir()
    users = [
        {
            "username": "trainer",
            "hash": bcrypt.hashpw(b"s3cret", bcrypt.gensalt(4)).decode(),
            "scopes": ["all"],
            "agent": {
                "objectType": "Agent",
                "account": {"homePage": "https://lrs.invalid", "name": "trainer"},
            },
        }
    ]
    (home / "auth.json").write_text(json.dumps(users))
    port = _free_port()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(home),
        "RALPH_AUTH_FILE": str(home / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
    }
    # Ralph's file-system backend creates its one statements file on the first POST and refuses
    # every later write with its default operation (create); appending is its documented other
    # mode, so the server runs with that as the default (nothing else is changed).
    launch = (
        "import uvicorn\n"
        "from ralph.backends.data.base import BaseOperationType\n"
        "from ralph.backends.lrs.fs import FSLRSBackend\n"
        "FSLRSBackend.default_operation_type = BaseOperationType.APPEND\n"
        f"uvicorn.run('ralph.api:app', host='127.0.0.1', port={port}, log_level='warning')\n"
    )
    with (home / "log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", launch], env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=log
        )
    url = f"http://127.0.0.1:{port}/xAPI/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the LRS did not start: {(home / 'log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield url, home
    finally:
        server.terminate()
        server.wait(10)


def _stored(url: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{url}statements?limit=1000",
        headers={
            "Authorization": "Basic dHJhaW5lcjpzM2NyZXQ=",  # trainer:s3cret
            "X-Experience-API-Version": "1.0.3",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.load(response)["statements"])


def test_send_posts_each_statement_once_and_resumes(
    tmp_path: Path,
    catalogue: Catalogue,
    ralph_lrs: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = ralph_lrs
    with open_store(tmp_path) as store:
        s = seed(catalogue, store)
        total = len(s.records) + 3
        # Cut short after the first batch: what was acknowledged is remembered.
        real_post, calls = lrs._post, []

        def flaky(endpoint: str, auth: str, body: bytes) -> int:
            if calls:
                raise TrainerError(f"{endpoint}: cannot reach the LRS: connection refused")
            calls.append(body)
            return real_post(endpoint, auth, body)

        monkeypatch.setattr(lrs, "_post", flaky)
        with pytest.raises(TrainerError, match="cannot reach the LRS"):
            lrs.send(store, url, "trainer", "s3cret", batch_size=5)
        monkeypatch.setattr(lrs, "_post", real_post)
        assert store.conn.execute("SELECT count(*) FROM xapi_sent").fetchone()[0] == 5
        result = lrs.send(store, url, "trainer", "s3cret", batch_size=5)
        assert (result.sent, result.already_sent) == (total - 5, 5)
        again = lrs.send(store, url, "trainer", "s3cret", batch_size=5)
        assert (again.sent, again.already_sent) == (0, total)
        # Forget what was sent: re-sending the same ids is a no-op at the LRS.
        store.conn.execute("DELETE FROM xapi_sent")
        assert lrs.send(store, url, "trainer", "s3cret").sent == total
    stored = _stored(url)
    assert len(stored) == total
    assert len({st["id"] for st in stored}) == total
    for st in stored:
        BaseXapiStatement.model_validate(
            {k: v for k, v in st.items() if k not in ("authority", "stored")}
        )


def test_cli_send_reads_credentials_from_the_environment(
    tmp_path: Path,
    catalogue: Catalogue,
    ralph_lrs: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = ralph_lrs
    with open_store(tmp_path) as store:
        seed(catalogue, store)
    monkeypatch.setenv(lrs.USER_ENV, "trainer")
    monkeypatch.setenv(lrs.PASSWORD_ENV, "s3cret")
    assert main(["xapi", "--data-dir", str(tmp_path), "send", "--lrs", url]) == 0
    assert "sent 15 statement(s)" in capsys.readouterr().out
    monkeypatch.setenv(lrs.PASSWORD_ENV, "wrong")
    assert main(["xapi", "--data-dir", str(tmp_path), "send", "--lrs", url]) == 0  # nothing left


def test_an_unreachable_lrs_is_one_line_and_exit_1(
    tmp_path: Path,
    catalogue: Catalogue,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with open_store(tmp_path) as store:
        seed(catalogue, store)
    port = _free_port()  # nothing listens there
    monkeypatch.setenv(lrs.USER_ENV, "u")
    monkeypatch.setenv(lrs.PASSWORD_ENV, "p")
    code = main(
        ["xapi", "--data-dir", str(tmp_path), "send", "--lrs", f"http://127.0.0.1:{port}/xAPI/"]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "cannot reach the LRS" in err
    with open_store(tmp_path) as store:
        assert store.conn.execute("SELECT count(*) FROM xapi_sent").fetchone()[0] == 0


def test_set_home_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path)
    assert main(["xapi", "--data-dir", d, "home"]) == 0
    assert capsys.readouterr().out.strip() == xapi.DEFAULT_HOME
    assert main(["xapi", "--data-dir", d, "set-home", "https://lms.force.example/"]) == 0
    capsys.readouterr()
    assert main(["xapi", "--data-dir", d, "home"]) == 0
    assert capsys.readouterr().out.strip() == "https://lms.force.example"
    assert main(["xapi", "--data-dir", d, "set-home", "not a url"]) == 1
    assert "home page: 'not a url' must be an absolute http" in capsys.readouterr().err


def test_the_trainer_never_imports_ralph() -> None:
    """Ralph (a development dependency) only validates in the tests."""
    code = (
        "import sys, trainer.cli, trainer.core.store.xapi, trainer.core.store.lrs; "
        "assert not [m for m in sys.modules if m.startswith('ralph')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_filters_choose_the_answers_and_their_quizzes(tmp_path: Path, catalogue: Catalogue) -> None:
    s = seed(catalogue)
    xapi.export_xapi(s.store, tmp_path / "one.jsonl", trainee_id=s.trainees[1])
    got = _lines(tmp_path / "one.jsonl")
    mine = [r for r in s.records if r.trainee_id == s.trainees[1]]
    assert [st["id"] for st in got[: len(mine)]] == [xapi.statement_id(r.id) for r in mine]
    assert [st["verb"]["id"] for st in got[len(mine) :]] == [xapi.COMPLETED]
    assert got[-1]["context"]["registration"] == s.sessions[1]
    assert got[-1]["result"]["extensions"][
        f"{xapi.DEFAULT_HOME}/xapi/crime-recording-trainer/extensions/answers"
    ] == len(mine)
    xapi.export_xapi(s.store, tmp_path / "last.jsonl", trainee_id=s.trainees[3])
    verbs_seen = {st["verb"]["id"] for st in _lines(tmp_path / "last.jsonl")}
    assert verbs_seen == {xapi.ANSWERED}  # the fourth trainee's quiz is not finished
