"""Hostile scenario files: each is one `path:line: field: message` line, at once, and the rest of
the bank still loads; the size limits `validate` applies are the ones a bundle carries."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from tests.core.conftest import scenario_data
from tests.core.test_scenario_validation import LINE, WriteYaml, good_yaml, problems_of
from trainer.core.content import limits
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer
from trainer.core.content.scenarios import Library, load_file, load_library
from trainer.core.content.validation import validate
from trainer.core.errors import TrainerError
from trainer.core.grading.grade import grade
from trainer.core.store.bundles import export_bundle, import_bundle
from trainer.core.store.records import AnswerRecord, now
from trainer.core.store.sqlite import open_store

PREV, NEXT = "abcdefgh", "bcdefghi"
LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip(PREV, NEXT, strict=True)),
    ]
)


def _with(**top: str) -> str:
    """A good scenario file with top-level keys replaced by raw YAML text."""
    lines = [
        line for line in good_yaml().splitlines() if not any(line.startswith(f"{k}:") for k in top)
    ]
    return "\n".join(lines + [f"{k}: {v}" for k, v in top.items()]) + "\n"


HOSTILE = {
    "laughs.yaml": (_with(topics="[burglary]") + LAUGHS, "anchors (&name) are not allowed"),
    "topics-bomb.yaml": (
        _with(topics="&t [burglary, burglary]") + "again: *t\n",
        "anchors (&name) are not allowed",
    ),
    "details-alias.yaml": (
        good_yaml().replace("text: Someone", "details: *d\n  text: Someone"),
        "aliases (*name) are not allowed",
    ),
    "merge.yaml": (
        good_yaml().replace("report:\n", "report:\n  <<: {channel: online}\n"),
        "merge keys (<<) are not allowed",
    ),
    "deep.yaml": (_with(topics="[" * 20_000 + "]" * 20_000), "nested more than 32 levels"),
    "digits.yaml": (_with(difficulty="1" * 5_000), "a number of 5,000 digits is too long"),
    "date.yaml": (_with(title="2001-13-45"), "'2001-13-45' is not a real date"),
    "dates.yaml": (_with(topics="[burglary, 2001-13-45]"), "'2001-13-45' is not a real date"),
    "binary.yaml": (_with(title="!!binary aGVsbG8="), "the tag tag:yaml.org,2002:binary"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_one_line_at_once(
    name: str, write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    text, message = HOSTILE[name]
    path = write_yaml(name, text)
    started = time.perf_counter()
    lines = problems_of(path, catalogue)
    assert time.perf_counter() - started < 2
    assert len(lines) == 1 and message in lines[0], lines


def test_the_field_and_line_are_named(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    lines = problems_of(write_yaml("dates.yaml", HOSTILE["dates.yaml"][0]), catalogue)
    match = LINE.match(lines[0])
    assert match and match["field"] == "topics[1]"
    assert text_line(HOSTILE["dates.yaml"][0], "2001-13-45") == int(match["line"])


def text_line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_quoted_and_str_tagged_text_is_still_text(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    path = write_yaml("ok.yaml", _with(title="!!str 2001-13-45", feedback="'12345'"))
    loaded, problems = load_file(path, catalogue)
    assert problems == [] and loaded is not None
    assert loaded.scenario.title == "2001-13-45"


def test_validate_refuses_every_hostile_file_and_returns(tmp_path: Path) -> None:
    """In a subprocess with a timeout: before the fix the alias bomb never returned."""
    folder = tmp_path / "bank"
    folder.mkdir()
    for name, (text, _) in HOSTILE.items():
        (folder / name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "trainer", "validate", str(folder)],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    problem_lines = [ln for ln in (run.stdout + run.stderr).splitlines() if LINE.match(ln)]
    assert {Path(ln.split(":")[0]).name for ln in problem_lines} == set(HOSTILE)


def test_the_rest_of_the_bank_loads(tmp_path: Path, catalogue: Catalogue) -> None:
    folder = tmp_path / "bank"
    folder.mkdir()
    for name in ("deep.yaml", "digits.yaml", "date.yaml", "laughs.yaml"):
        (folder / name).write_text(HOSTILE[name][0], encoding="utf-8")
    (folder / "good.yaml").write_text(good_yaml(), encoding="utf-8")
    library = load_library([folder], catalogue)
    assert [s.scenario.id for s in library.scenarios] == ["test-scenario"]
    assert [Path(p).name for p in library.skipped_files] == [
        "date.yaml", "deep.yaml", "digits.yaml", "laughs.yaml"
    ]  # fmt: skip


# Limits: what validate lets through travels in a bundle ----------------------------------------


def _at_the_limits(**extra: object) -> str:
    data = scenario_data()
    data["title"] = "T" * limits.TITLE
    data["report"]["details"] = [
        {"ask": f"{i:03d}" + "q" * (limits.QUESTION - 3), "answer": "a" * limits.DETAIL_ANSWER}
        for i in range(limits.DETAILS)
    ]
    data.update(extra)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "T" * (limits.TITLE + 1)}, "title", "has 201 characters; the limit is 200"),
        (
            {"expected": scenario_data(crimes=[{"offence": "28J", "count": 1001}])["expected"]},
            "expected.crimes[0].count",
            "must be at most 1000",
        ),
        ({"topics": [f"t{i}" for i in range(limits.TOPICS + 1)]}, "topics", "31 items"),
    ],
)
def test_validate_applies_the_limits(
    change: dict[str, object], field: str, message: str, write_yaml: WriteYaml,
    catalogue: Catalogue,
) -> None:  # fmt: skip
    lines = problems_of(write_yaml("big.yaml", _at_the_limits(**change)), catalogue)
    assert any(f": {field}: " in ln and message in ln for ln in lines), lines


def test_a_question_over_the_limit_is_refused(write_yaml: WriteYaml, catalogue: Catalogue) -> None:
    data = scenario_data()
    data["report"]["details"] = [{"ask": "q" * (limits.QUESTION + 1), "answer": "a"}]
    lines = problems_of(write_yaml("q.yaml", yaml.safe_dump(data)), catalogue)
    assert any("report.details[0].ask" in ln and "the limit is 500" in ln for ln in lines)


def test_a_scenario_at_the_limits_travels_in_a_bundle(
    tmp_path: Path, write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    loaded, problems = load_file(write_yaml("big.yaml", _at_the_limits()), catalogue)
    assert problems == [] and loaded is not None
    answer = validate(Answer, {"decision": "incident"})
    with open_store(tmp_path / "a") as here, open_store(tmp_path / "b") as there:
        trainee = here.create_trainee("A Trainee", "S1", "call-handler")
        session = here.start_session(trainee.id, "practice")
        asked = [d.ask for d in loaded.scenario.report.details]
        record = AnswerRecord.build(
            trainee.id, session, loaded, answer, grade(loaded.scenario, answer, catalogue),
            now() - timedelta(minutes=1), now(), asked, False, catalogue,
        )  # fmt: skip
        here.record_answer(record)
        assert export_bundle(here, tmp_path / "a.json") == 1
        bank = Library([loaded])  # the receiving bank has the scenario: answers are regraded
        imported = import_bundle(there, tmp_path / "a.json", bank, catalogue, trust=True)
        assert imported.answers == 1
        assert there.answers()[0].scenario_title == "T" * limits.TITLE


def test_the_store_refuses_a_title_no_bundle_could_carry(
    write_yaml: WriteYaml, catalogue: Catalogue
) -> None:
    loaded, _ = load_file(write_yaml("ok.yaml", good_yaml()), catalogue)
    assert loaded is not None
    answer = validate(Answer, {"decision": "crime"})
    record = AnswerRecord.build(
        "t", "s", loaded, answer, grade(loaded.scenario, answer, catalogue), now(), now(), (),
        False, catalogue,
    )  # fmt: skip
    with pytest.raises(TrainerError, match="scenario title: has 201"):
        AnswerRecord(**{**record.__dict__, "scenario_title": "T" * (limits.TITLE + 1)})
