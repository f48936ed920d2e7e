"""Rebuilding validated models from their JSON form, and the sealed files that hold it."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.constraints import Constraints
from trainer.core.content.model_cache import (
    StaleCache,
    dump,
    fingerprint,
    read_sealed,
    rebuild,
    validator_stamp,
    write_sealed,
)
from trainer.core.content.models import Scenario


def test_a_rebuilt_scenario_equals_the_validated_one() -> None:
    scenario = make_scenario(flags=[], incident_code=None)
    again = rebuild(Scenario, dump(scenario))
    assert again == scenario
    assert isinstance(again.expected.crimes, tuple) and isinstance(again.audience, tuple)


def test_a_rebuilt_scenario_with_traps_equals_the_validated_one() -> None:
    trap = {
        "name": "downgraded-to-damage",
        "answer": {"decision": "crime", "crimes": [{"offence": "58A"}], "flags": []},
        "rule": "burglary-entry-point-damage",
        "feedback": "Attempted burglary.",
        "malpractice": True,
    }
    scenario = make_scenario(decision_rule="ncrs-when-to-record", traps=[trap])
    again = rebuild(Scenario, dump(scenario))
    assert again == scenario
    assert again.expected.traps[0].answer.crimes == scenario.expected.traps[0].answer.crimes
    assert again.expected.traps[0].answer.incident_code is None


def test_a_rebuilt_catalogue_equals_the_validated_one(catalogue: Catalogue) -> None:
    assert rebuild(Catalogue, dump(catalogue)) == catalogue


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("title"),  # a required key missing
        lambda d: d.update(colour="red"),  # a key the model does not have
        lambda d: d["report"].update(details="none"),  # not a list where a tuple is kept
        lambda d: d.update(expected=["crime"]),  # not a mapping where a model is kept
    ],
)
def test_data_that_does_not_fit_the_model_is_refused(change: Any) -> None:
    data = dump(make_scenario())
    change(data)
    with pytest.raises(StaleCache):
        rebuild(Scenario, data)


def named(min_length: int, default: str = "x", name: str = "Named") -> type[Any]:
    hint = Annotated[str, Constraints(min_length=min_length)]
    return dataclasses.make_dataclass(name, [("name", hint, dataclasses.field(default=default))])


def holding(inner: type[Any]) -> type[Any]:
    return dataclasses.make_dataclass("Outer", [("items", tuple[inner, ...])])


def test_the_fingerprint_follows_fields_constraints_and_defaults() -> None:
    assert fingerprint(named(1)) == fingerprint(named(1))
    assert fingerprint(named(1)) != fingerprint(named(2))
    assert fingerprint(named(1)) != fingerprint(named(1, default="y"))


def test_the_fingerprint_follows_nested_types() -> None:
    assert fingerprint(holding(named(1))) == fingerprint(holding(named(1)))
    assert fingerprint(holding(named(1))) != fingerprint(holding(named(2)))


def test_the_fingerprint_is_the_same_in_another_process() -> None:
    """No memory addresses or other per-process values may leak into it."""
    script = (
        "from trainer.core.content.model_cache import fingerprint; "
        "from trainer.core.content.catalogue import Catalogue; "
        "from trainer.core.content.models import Scenario; "
        "print(fingerprint(Catalogue, Scenario))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert runs == {fingerprint(Catalogue, Scenario) + "\n"}


def test_a_sealed_file_reads_back_and_refuses_any_change(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    write_sealed(path, {"b": [1, "two"]})
    assert read_sealed(path) == {"b": [1, "two"]}
    assert list(tmp_path.iterdir()) == [path]  # no part file left behind
    path.write_bytes(path.read_bytes().replace(b"two", b"owt"))
    with pytest.raises(StaleCache):
        read_sealed(path)


def test_the_validator_stamp_changes_when_pydantic_is_reinstalled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in pydantic folder; changing it, as an install does, changes the stamp."""
    fake = tmp_path / "pydantic"
    fake.mkdir()
    (fake / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # also clears the import system's caches
    monkeypatch.delitem(sys.modules, "pydantic", raising=False)  # found, never imported
    before = validator_stamp()
    assert str(fake) in before
    (fake / "version.py").write_text("VERSION = 'next'\n", encoding="utf-8")  # a new file
    os.utime(fake, ns=(1, 1))  # and a time no earlier stamp can have held
    assert validator_stamp() != before
    assert "pydantic" not in sys.modules
