"""A profile's unit and the central store's: proposed by the workstation, decided centrally."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from trainer.cli import main
from trainer.core.store.central.sync import configure, sync
from trainer.core.store.sqlite import DB_NAME, open_store


def central_units(url: str) -> dict[str, str]:
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        return dict(conn.execute("SELECT staff_number, unit FROM trainees").fetchall())


def test_a_profile_joins_its_own_unit_else_the_workstations(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        configure(store, central_url, unit="north")
        store.create_trainee("Jane Smith", "4411", "officer", "south-response")
        store.create_trainee("Sam Jones", "4412", "call-handler")
        assert sync(store, central_url).trainees == 2
    assert central_units(central_url) == {"4411": "south-response", "4412": "north"}


def test_the_central_store_decides_and_a_move_there_reaches_the_workstation(
    central_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("Jane Smith", "4411", "officer", "north")
        sync(store, central_url)
        store.set_trainee_unit(trainee.id, "east")  # a workstation cannot move a person
        assert sync(store, central_url).trainees == 1
    assert central_units(central_url) == {"4411": "north"}

    args = ["central", "move", "4411", "west", "--central", central_url]
    assert main([*args, "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Jane Smith (4411) is now in unit west",
        "this workstation's profile for 4411 is now in unit west too",
    ]
    assert central_units(central_url) == {"4411": "west"}
    with open_store(tmp_path) as store:
        assert store.trainee("4411").unit == "west"

    elsewhere = tmp_path / "admin"  # a machine with no trainer database: none is made there
    assert main([*args[:3], "south", *args[4:], "--data-dir", str(elsewhere)]) == 0
    assert capsys.readouterr().out == "Jane Smith (4411) is now in unit south\n"
    assert not (elsewhere / DB_NAME).exists()
