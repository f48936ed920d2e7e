"""`trainer supervisors`: the first account from the command line; passwords only by getpass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from trainer.cli import main
from trainer.core.store import accounts
from trainer.core.store.sqlite import open_store

PASSWORD = "correct horse battery"


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Answer getpass prompts with these passwords, in order; returns the prompts seen."""

    def answer(*passwords: str) -> list[str]:
        prompts: list[str] = []
        given = iter(passwords)

        def getpass(prompt: str = "") -> str:
            prompts.append(prompt)
            return next(given)

        monkeypatch.setattr("getpass.getpass", getpass)
        return prompts

    return answer


def run(tmp_path: Path, *args: str) -> int:
    return main(["supervisors", *args, "--data-dir", str(tmp_path)])


def test_add_asks_for_the_password_twice(
    tmp_path: Path, typed: Callable[..., list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = typed(PASSWORD, PASSWORD)
    assert run(tmp_path, "add", "Sgt.Price") == 0
    assert prompts == ["New password for sgt.price: ", "The same password again: "]
    assert "Added supervisor sgt.price" in capsys.readouterr().out
    with open_store(tmp_path) as store:
        assert accounts.sign_in(store, "sgt.price", PASSWORD).ok


@pytest.mark.parametrize(
    ("passwords", "message"),
    [
        ((PASSWORD, "something else"), "The two passwords differ; nothing was changed."),
        (("short",), "The password must be at least 10 characters."),
    ],
)
def test_add_refuses_a_bad_password_in_plain_english(
    tmp_path: Path,
    typed: Callable[..., list[str]],
    capsys: pytest.CaptureFixture[str],
    passwords: tuple[str, ...],
    message: str,
) -> None:
    typed(*passwords)
    assert run(tmp_path, "add", "sgt.price") == 1
    assert capsys.readouterr().err.strip() == f"trainer: {message}"
    with open_store(tmp_path) as store:
        assert not accounts.has_supervisors(store)


def test_the_password_is_never_an_argument(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run(tmp_path, "add", "sgt.price", PASSWORD)


def test_list_passwd_disable_enable_remove(
    tmp_path: Path, typed: Callable[..., list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "list") == 0
    assert "trainer supervisors add USERNAME" in capsys.readouterr().out
    for name in ("sgt.price", "insp.khan"):
        typed(PASSWORD, PASSWORD)
        assert run(tmp_path, "add", name) == 0
    assert run(tmp_path, "disable", "insp.khan") == 0
    capsys.readouterr()
    assert run(tmp_path, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("insp.khan  disabled  created ")
    assert lines[1].startswith("sgt.price  active  created ") and lines[1].endswith("never")
    assert run(tmp_path, "disable", "sgt.price") == 1
    assert "last active supervisor" in capsys.readouterr().err
    assert run(tmp_path, "enable", "insp.khan") == 0
    typed("a new passphrase", "a new passphrase")
    assert run(tmp_path, "passwd", "insp.khan") == 0
    with open_store(tmp_path) as store:
        assert accounts.sign_in(store, "insp.khan", "a new passphrase").ok
    assert run(tmp_path, "remove", "sgt.price") == 0
    assert run(tmp_path, "remove", "insp.khan") == 1
    assert "cannot be removed" in capsys.readouterr().err
    assert run(tmp_path, "passwd", "nobody") == 1
    assert "no supervisor account called 'nobody'" in capsys.readouterr().err
