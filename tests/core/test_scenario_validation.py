"""Every problem in a scenario file is one line: `path:line: field: message`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.core.conftest import scenario_data
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import load_file, load_library

WriteYaml = Callable[[str, "str | bytes"], Path]
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def good_yaml(**changes: object) -> str:
    data = scenario_data()
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for p in parents:
            target = target[p]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return yaml.safe_dump(data, sort_keys=False)


def problems_of(path: Path, catalogue: Catalogue) -> list[str]:
    loaded, problems = load_file(path, catalogue)
    assert loaded is None
    lines = [str(p) for p in problems]
    for line in lines:
        assert LINE.match(line), line
        assert "\n" not in line and "Traceback" not in line
    return lines


def test_a_good_file_loads(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    loaded, problems = load_file(write_yaml("ok.yaml", good_yaml()), catalogue)
    assert problems == []
    assert loaded is not None and loaded.scenario.id == "test-scenario"
    assert len(loaded.content_hash) == 16


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"expected__crimes": [{"offence": "28X", "count": 1}]},
            "expected.crimes[0].offence",
            "unknown offence code '28X'",
        ),
        (
            {"expected__rules": ["no-such-rule"]},
            "expected.rules[0]",
            "unknown rule card 'no-such-rule'",
        ),
        (
            {"expected__decision": "incident"},
            "expected.crimes",
            "must be empty when the decision is 'incident'",
        ),
        ({"expected__crimes": []}, "expected.crimes", "a crime decision needs at least one crime"),
        ({"expected__flags": ["domestic"]}, "expected.flags[0]", "unknown flag 'domestic'"),
        ({"expected__rules": []}, "expected.rules", "must not be empty"),
        (
            {"expected__incident_code": "N100"},
            "expected.incident_code",
            "goes only with an incident decision",
        ),
        ({"difficulty": 4}, "difficulty", "must be one of 1, 2 or 3"),
        ({"report__channel": "fax"}, "report.channel", "must be one of"),
        ({"id": "Bad Id"}, "id", "lowercase letters, digits and single hyphens"),
        ({"title": None}, "title", "required key is missing"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"report__txt": "typo"}, "report.txt", "unknown key"),
        ({"audience": ["trainee"]}, "audience[0]", "must be one of"),
        ({"kind": "cancellation"}, "expected.decision", "'crime' is not a cancellation decision"),
        (
            {"expected__flags": ["child-sexual-exploitation"]},
            "expected.flags",
            "child-sexual-exploitation needs child-sexual-abuse too",
        ),
    ],
)
def test_each_bad_key_gets_its_own_line(
    write_yaml: WriteYaml,
    catalogue: Catalogue,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    lines = problems_of(write_yaml("bad.yaml", good_yaml(**changes)), catalogue)
    assert any(f": {field}: " in line and message in line for line in lines), lines


def test_cancel_needs_a_reason_and_refer_a_target(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    cancel = scenario_data(decision="cancel", crimes=[], rules=["cancellation-c2-avi"])
    lines = problems_of(write_yaml("c.yaml", yaml.safe_dump(cancel)), catalogue)
    assert any("expected.cancellation_reason: a cancel decision needs a reason" in x for x in lines)
    refer = scenario_data(decision="refer", crimes=[], rules=["fraud-report-fraud"])
    lines = problems_of(write_yaml("r.yaml", yaml.safe_dump(refer)), catalogue)
    assert any("expected.refer_to: a refer decision needs" in x for x in lines)


def test_unknown_cancellation_code(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    cancel = scenario_data(
        decision="cancel", crimes=[], rules=["cancellation-c2-avi"], cancellation_reason="C9"
    )
    lines = problems_of(write_yaml("c.yaml", yaml.safe_dump(cancel)), catalogue)
    assert any("expected.cancellation_reason: unknown cancellation code 'C9'" in x for x in lines)


def test_sexual_offence_scenarios_must_carry_the_warning_topic(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    data = scenario_data(
        crimes=[{"offence": "19C", "count": 1}], rules=["sexual-offence-disclosures"]
    )
    lines = problems_of(write_yaml("s.yaml", yaml.safe_dump(data)), catalogue)
    assert any("topics: a sexual-offence scenario must carry" in x for x in lines)


def test_every_problem_in_a_file_is_reported_with_its_line(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    text = good_yaml().replace("28J", "99Z").replace("burglary-entry-point-damage", "nope")
    path = write_yaml("two.yaml", text)
    lines = problems_of(path, catalogue)
    assert len(lines) == 2
    source = text.splitlines()
    for line in lines:
        m = LINE.match(line)
        assert m is not None
        # The line number points at the offending key in the file.
        offending = source[int(m["line"]) - 1]
        assert ("offence" in offending) or ("nope" in offending), (line, offending)


def test_a_key_given_twice_is_caught(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    text = good_yaml() + "title: Again\n"
    lines = problems_of(write_yaml("dup.yaml", text), catalogue)
    assert any(": title: key given twice" in x for x in lines)
    assert any(x.startswith(f"{x.split(':')[0]}:{len(text.splitlines())}:") for x in lines)


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ("id: [unclosed\n", "yaml", "malformed YAML"),
        ("id: a\n  bad: indent\n", "yaml", "malformed YAML"),
        (b"id: caf\xe9\n", "file", "is not UTF-8"),
        ("", "file", "is empty"),
        ("   \n\n", "file", "is empty"),
        ("- just\n- a list\n", "file", "must be a YAML mapping"),
        ("a: 1\n---\nb: 2\n", "yaml", "malformed YAML"),
    ],
)
def test_unreadable_files(
    write_yaml: WriteYaml, catalogue: Catalogue, content: str | bytes, field: str, message: str
) -> None:
    lines = problems_of(write_yaml("broken.yaml", content), catalogue)
    assert len(lines) == 1
    assert f": {field}: " in lines[0] and message in lines[0]


def test_malformed_yaml_names_its_line(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    text = good_yaml().replace("difficulty: 1", "difficulty: [1")
    lines = problems_of(write_yaml("broken.yaml", text), catalogue)
    line = int(lines[0].split(":")[1])
    assert abs(line - next(i for i, t in enumerate(text.splitlines(), 1) if "difficulty" in t)) <= 2


def test_a_file_over_one_mebibyte_is_refused_unread(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    path = write_yaml("huge.yaml", good_yaml() + "#" * (1024 * 1024) + "\n")
    lines = problems_of(path, catalogue)
    assert lines == [f"{path}:1: file: is {path.stat().st_size:,} bytes; the limit is 1 MiB"]


def test_duplicate_ids_across_files(
    write_yaml: WriteYaml, catalogue: Catalogue, tmp_path: Path
) -> None:
    write_yaml("a/one.yaml", good_yaml())
    second = write_yaml("b/two.yml", good_yaml())
    library = load_library([tmp_path], catalogue)
    assert len(library.scenarios) == 1
    assert [str(p).split(": ", 1)[0] for p in library.problems] == [f"{second}:1"]
    assert "duplicate scenario id 'test-scenario'" in str(library.problems[0])


def test_library_keeps_valid_files_beside_bad_ones(
    write_yaml: WriteYaml, catalogue: Catalogue, tmp_path: Path
) -> None:
    write_yaml("good.yaml", good_yaml())
    write_yaml("bad.yaml", "id: [")
    write_yaml("notes.txt", "not a scenario")
    library = load_library([tmp_path], catalogue)
    assert [s.scenario.id for s in library.scenarios] == ["test-scenario"]
    assert library.skipped_files == [str(tmp_path / "bad.yaml")]


def _trap(**changes: object) -> dict[str, object]:
    trap: dict[str, object] = {
        "name": "downgraded-to-damage",
        "answer": {"decision": "crime", "crimes": [{"offence": "58A"}]},
        "rule": "burglary-entry-point-damage",
        "feedback": "Damage to an entry point is attempted burglary.",
        "malpractice": True,
    }
    trap.update(changes)
    return trap


def test_a_scenario_with_traps_and_a_decision_rule_loads(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    second = _trap(name="logged-as-incident", answer={"decision": "incident"})
    del second["malpractice"]  # optional, default false
    text = good_yaml(
        expected__decision_rule="ncrs-when-to-record", expected__traps=[_trap(), second]
    )
    loaded, problems = load_file(write_yaml("ok.yaml", text), catalogue)
    assert problems == [] and loaded is not None
    expected = loaded.scenario.expected
    assert [t.name for t in expected.traps] == ["downgraded-to-damage", "logged-as-incident"]
    assert expected.traps[0].malpractice and not expected.traps[1].malpractice
    # A decision rule outside `rules` counts as one of the scenario's cards.
    assert expected.cards == ("burglary-entry-point-damage", "ncrs-when-to-record")
    assert expected.blamed_rule == "ncrs-when-to-record"


@pytest.mark.parametrize(
    ("traps", "expected_line"),
    [
        ([_trap(rule="nope")], "expected.traps[0].rule: unknown rule card 'nope'"),
        (
            [_trap(), _trap()],
            "expected.traps[1].name: trap name 'downgraded-to-damage' is used twice",
        ),
        (
            [_trap(answer={"crimes": [{"offence": "28J", "count": 1}]})],
            "expected.traps[0].answer: the key itself matches this trap; a trap must be wrong",
        ),
        (
            [_trap(answer={"decision": "crime", "crimes": [{"offence": "99Z"}]})],
            "expected.traps[0].answer.crimes[0].offence: unknown offence code '99Z'",
        ),
        (
            [_trap(answer={"incident_code": "N100/01"})],
            "expected.traps[0].answer.incident_code: goes only with an incident decision",
        ),
        (
            [_trap(answer={"decision": "retain"})],
            "expected.traps[0].answer.decision: 'retain' is not a classify decision",
        ),
        ([_trap(answer={"decison": "incident"})], "expected.traps[0].answer.decison: unknown key"),
        ([_trap(name="Bad Name")], "expected.traps[0].name: 'Bad Name' must use only lowercase"),
        ([_trap(feedback="  ")], "expected.traps[0].feedback: String should have at least 1"),
    ],
)
def test_bad_traps_are_reported(
    write_yaml: WriteYaml, catalogue: Catalogue, traps: list[object], expected_line: str
) -> None:
    lines = problems_of(write_yaml("t.yaml", good_yaml(expected__traps=traps)), catalogue)
    assert any(expected_line in line for line in lines), lines


def test_an_unknown_decision_rule_is_reported(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    lines = problems_of(write_yaml("d.yaml", good_yaml(expected__decision_rule="nope")), catalogue)
    assert [line.split(": ", 1)[1] for line in lines] == [
        "expected.decision_rule: unknown rule card 'nope'"
    ]


def test_shape_and_reference_errors_are_reported_in_one_pass(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    text = good_yaml(
        difficulty=7,  # a shape error
        expected__decision_rule="nope",  # and reference errors, in the key and in a trap
        expected__traps=[_trap(rule="no-card", answer={"crimes": [{"offence": "99Z"}]})],
    ).replace("28J", "98Y")
    lines = [line.split(": ", 1)[1] for line in problems_of(write_yaml("x.yaml", text), catalogue)]
    assert any(line.startswith("difficulty: must be one of") for line in lines), lines
    assert (
        "expected.crimes[0].offence: unknown offence code '98Y' (not in the 2026-27 catalogue)"
        in (lines)
    )
    assert "expected.decision_rule: unknown rule card 'nope'" in lines
    assert "expected.traps[0].rule: unknown rule card 'no-card'" in lines
    assert any(
        line.startswith("expected.traps[0].answer.crimes[0].offence: unknown") for line in lines
    )
