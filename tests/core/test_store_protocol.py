"""The SQLite store keeps to `ResultsStore`, the protocol practice and reports are written to."""

from __future__ import annotations

import inspect

import pytest

from trainer.core.store.protocol import ResultsStore
from trainer.core.store.sqlite import Store

METHODS = [
    name
    for name, value in vars(ResultsStore).items()
    if inspect.isfunction(value) and not name.startswith("_")
]


def test_the_protocol_is_small() -> None:
    assert 0 < len(METHODS) <= 10


@pytest.mark.parametrize("name", METHODS)
def test_the_sqlite_store_has_each_method_with_the_same_parameters(name: str) -> None:
    wanted = inspect.signature(getattr(ResultsStore, name)).parameters
    given = inspect.signature(getattr(Store, name)).parameters
    assert list(given) == list(wanted)


def test_an_in_memory_store_answers_through_the_protocol() -> None:
    sqlite_store = Store.memory()
    trainee = sqlite_store.create_trainee("Ann Lee", "A1", "officer")
    store: ResultsStore = sqlite_store
    assert [t.id for t in store.trainees()] == [trainee.id]
    assert store.trainee("A1") == trainee
    assert store.answers(trainee_id=trainee.id) == []
    assert store.query("SELECT count(*) FROM trainees") == [(1,)]
