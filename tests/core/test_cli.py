"""The `trainer` command: exit codes and output are a public contract."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.core.conftest import ROOT_SCENARIOS, scenario_data
from trainer import __version__
from trainer.cli import main


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def test_validate_warns_of_a_topic_the_catalogue_does_not_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = scenario_data()
    data["topics"] = ["burglary", "garden-sheds"]
    path = write(tmp_path, "a.yaml", yaml.safe_dump(data, sort_keys=False))
    assert main(["validate", str(path)]) == 0  # the scenario still loads and works
    out, err = capsys.readouterr()
    line = next(n for n, x in enumerate(path.read_text().splitlines(), 1) if "garden" in x)
    assert out == (
        f"{path}:{line}: topics[1]: warning: topic 'garden-sheds' has no name in the 2026-27 "
        "catalogue, so it is shown as 'Garden sheds' (add it under topics: there)\n"
    )
    assert "1 file(s) checked, 1 valid scenario(s), 1 warning(s)" in err


def test_validate_passes_good_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a.yaml", scenario_data())
    assert main(["validate", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "1 file(s) checked, 1 valid scenario(s)" in err


def test_validate_reports_every_problem_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = scenario_data(crimes=[{"offence": "77Q", "count": 1}], rules=["nope"])
    write(tmp_path, "bad.yaml", bad)
    write(tmp_path, "broken.yml", "id: [")
    write(tmp_path, "empty.yaml", "")
    write(tmp_path, "good.yaml", {**scenario_data(), "id": "fine"})
    assert main(["validate", str(tmp_path)]) == 1
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 4
    assert any(
        "bad.yaml:" in x and "expected.crimes[0].offence: unknown offence code '77Q'" in x
        for x in lines
    )
    assert any(
        "bad.yaml:" in x and "expected.rules[0]: unknown rule card 'nope'" in x for x in lines
    )
    assert any("broken.yml:" in x and ": yaml: malformed YAML" in x for x in lines)
    assert any("empty.yaml:1: file: is empty" in x for x in lines)


def test_validate_a_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 1
    assert "nowhere:1: file: does not exist" in capsys.readouterr().err


def test_grade_prints_the_public_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path, "s.yaml", scenario_data())
    answer = write(
        tmp_path,
        "a.json",
        json.dumps({"decision": "crime", "crimes": [{"offence": "58A", "count": 1}], "flags": []}),
    )
    assert main(["grade", str(scenario), str(answer)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"scenario", "score", "findings"}
    assert result["scenario"] == "test-scenario"
    assert 0 < result["score"] < 100
    assert [f["kind"] for f in result["findings"]] == ["misclassification"]
    assert set(result["findings"][0]) == {"kind", "rule", "message"}
    assert result["findings"][0]["rule"] == "burglary-entry-point-damage"


def test_grade_reads_standard_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = write(tmp_path, "s.yaml", scenario_data())
    monkeypatch.setattr(
        sys,
        "stdin",
        io.StringIO('{"decision": "crime", "crimes": [{"offence": "28J", "count": 1}]}'),
    )
    assert main(["grade", str(scenario), "-"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "scenario": "test-scenario",
        "score": 100,
        "findings": [],
    }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("{not json", "a.json:1: malformed JSON"),
        ("", "a.json: answer is empty"),
        ("[1, 2]", "answer must be a JSON object"),
        ('{"crimes": []}', "decision: required key is missing"),
        ('{"decision": "maybe"}', "decision: must be one of"),
        (
            '{"decision": "crime", "crimes": [{"offence": "ZZ9"}]}',
            "crimes[0].offence: unknown offence code 'ZZ9'",
        ),
        ('{"decision": "crime", "crimes": [{"offence": "28J", "count": 0}]}', "crimes[0].count:"),
        ('{"decision": "crime", "flags": ["nope"]}', "flags[0]: unknown flag 'nope'"),
        ('{"decision": "retain"}', "decision: 'retain' is not a classify decision"),
        ('{"decision": "crime", "colour": 1}', "colour: unknown key"),
    ],
)
def test_a_malformed_answer_is_one_clear_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answer: str, message: str
) -> None:
    scenario = write(tmp_path, "s.yaml", scenario_data())
    path = write(tmp_path, "a.json", answer)
    assert main(["grade", str(scenario), str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_grade_with_an_invalid_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path, "s.yaml", "id: [")
    answer = write(tmp_path, "a.json", '{"decision": "crime"}')
    assert main(["grade", str(scenario), str(answer)]) == 1
    assert "s.yaml:" in (err := capsys.readouterr().err) and ": yaml: malformed YAML" in err


def test_rules_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "edition",
        "offences",
        "incident_codes",
        "flags",
        "cancellation_reasons",
        "outcome_types",
        "disposals",
        "rule_cards",
    }
    assert data["edition"] == "Crime Recording Rules 2026/27"
    assert {"code": "16", "name": "Victim not able to support action: suspect identified",
            "rule": "outcome-victim-not-supporting"} in data["outcome_types"]  # fmt: skip
    assert {"id": "community-resolution", "name": "Community resolution", "outcome": "8",
            "rule": "outcome-community-resolution"} in data["disposals"]  # fmt: skip
    assert {
        "code": "28J",
        "name": "Attempted Residential Burglary of a Home",
        "group": "burglary",
    } in data["offences"]
    assert set(data["cancellation_reasons"][0]) == {"code", "name"}
    assert set(data["rule_cards"][0]) == {"id", "title", "source"}


def test_rules_text_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "28J    Attempted Residential Burglary of a Home" in out
    assert "C5  Self-defence" in out
    assert "  28J/58A    burglary-entry-point-damage" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"trainer {__version__}"


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "trainer", "validate", str(ROOT_SCENARIOS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


TRAP = {
    "name": "downgraded-to-damage",
    "answer": {"decision": "crime", "crimes": [{"offence": "58A"}]},
    "rule": "burglary-entry-point-damage",
    "feedback": "Damage to an entry point is attempted burglary.",
    "malpractice": True,
}


def test_grade_names_a_trap_the_answer_fell_into(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write(tmp_path, "s.yaml", scenario_data(traps=[TRAP]))
    answer = write(
        tmp_path, "a.json", json.dumps({"decision": "crime", "crimes": [{"offence": "58A"}]})
    )
    assert main(["grade", str(scenario), str(answer)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["score"] == 25
    [finding] = result["findings"]
    assert finding["trap"] == "downgraded-to-damage" and finding["malpractice"] is True
    assert finding["rule"] == "burglary-entry-point-damage"


def test_validate_and_coverage_with_traps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "good.yaml", scenario_data(traps=[TRAP]))
    write(tmp_path, "bad.yaml", {**scenario_data(traps=[{**TRAP, "rule": "nope"}]), "id": "bad"})
    assert main(["validate", str(tmp_path)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        f"{tmp_path / 'bad.yaml'}:{out.split(':')[1]}: expected.traps[0].rule: "
        "unknown rule card 'nope'"
    ]
    (tmp_path / "bad.yaml").unlink()
    assert main(["coverage", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["traps"] == {"burglary-entry-point-damage": 1}
    assert data["malpractice_traps"] == {"burglary-entry-point-damage": 1}
    assert data["without_traps"] == []


def test_dev_trainer_reads_paths_from_the_callers_folder(tmp_path: Path) -> None:
    """`./dev trainer` run from another folder: its relative paths are the caller's (they were
    read from the project folder, so a bundle or answer file next to the caller was not found)."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "answer.json").write_text('{"decision": "crime", "crimes": [{"offence": "28J"}]}')
    scenario = root / "scenarios" / "burglary" / "smashed-kitchen-window.yaml"
    done = subprocess.run(
        [str(root / "dev"), "trainer", "--data-dir", "data", "grade", str(scenario), "answer.json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 100
