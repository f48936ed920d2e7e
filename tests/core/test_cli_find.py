"""`trainer rules --find`: the offence search on the command line, a public contract."""

from __future__ import annotations

import json

import pytest

from trainer.cli import main


def test_find_prints_code_tab_name_best_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--find", "ABH"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "8N\tAssault with Injury",
        "8S\tAssault with injury on a constable",
        "8T\tAssault with Injury on an Emergency Worker (other than a constable)",
    ]
    assert err == ""


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("affray", "66"),
        ("GBH", "5D"),
        ("wounding", "5D"),
        ("common assault", "105A"),
        ("28j", "28J"),
    ],
)
def test_find_puts_the_right_class_first(
    capsys: pytest.CaptureFixture[str], text: str, first: str
) -> None:
    assert main(["rules", "--find", text]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[0] == first


def test_find_with_no_match_exits_1_with_a_note_on_stderr_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--find", "zzzz"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "trainer: no offence class matches 'zzzz'\n"
    assert main(["rules", "--find", "zzzz", "--json"]) == 1
    assert capsys.readouterr().out == ""


def test_find_json_says_what_matched(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--find", "common assault", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in data][:2] == ["105A", "104"]
    assert {k: data[0][k] for k in ("code", "name", "group", "matched")} == {
        "code": "105A",
        "name": "Assault without Injury",
        "group": "violence-against-the-person",
        "matched": "police word: common assault",
    }
    assert "105/01" in data[0]["source"]
    assert all({"code", "name", "group", "matched"} <= set(d) for d in data)


def test_rules_without_find_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    assert "offences" in json.loads(capsys.readouterr().out)
