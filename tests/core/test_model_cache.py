"""Rebuilding validated models from their JSON form, and the sealed files that hold it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from tests.core.conftest import make_scenario
from trainer.core.catalogue import Catalogue
from trainer.core.model_cache import (
    StaleCache,
    dump,
    fingerprint,
    read_sealed,
    rebuild,
    write_sealed,
)
from trainer.core.models import Scenario


def test_a_rebuilt_scenario_equals_the_validated_one() -> None:
    scenario = make_scenario(flags=[], incident_code=None)
    again = rebuild(Scenario, dump(scenario))
    assert again == scenario
    assert again.model_fields_set == scenario.model_fields_set
    assert again.expected.model_fields_set == scenario.expected.model_fields_set
    assert isinstance(again.expected.crimes, tuple) and isinstance(again.audience, tuple)


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


def named(min_length: int) -> type[BaseModel]:
    class Named(BaseModel):
        model_config = ConfigDict(defer_build=True)
        name: str = Field(min_length=min_length)

    return Named


def test_the_fingerprint_follows_fields_and_constraints() -> None:
    assert fingerprint(named(1)) == fingerprint(named(1))
    assert fingerprint(named(1)) != fingerprint(named(2))


def test_a_sealed_file_reads_back_and_refuses_any_change(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    write_sealed(path, {"b": [1, "two"]})
    assert read_sealed(path) == {"b": [1, "two"]}
    assert list(tmp_path.iterdir()) == [path]  # no part file left behind
    path.write_bytes(path.read_bytes().replace(b"two", b"owt"))
    with pytest.raises(StaleCache):
        read_sealed(path)
