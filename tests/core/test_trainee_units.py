"""A profile's unit on a workstation: kept, migrated, set from the CLI, shown in the answers CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store.central.sync import configure
from trainer.core.store.export import export_answers
from trainer.core.store.records import check_unit
from trainer.core.store.schema import migrations
from trainer.core.store.sqlite import DB_NAME, open_store


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("north-custody", "north-custody"),
        ("  North Custody ", "north-custody"),
        ("response_team  2", "response-team-2"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_a_unit_is_kept_as_a_slug(typed: str | None, kept: str | None) -> None:
    assert check_unit(typed) == kept


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("north/custody", "must use only lowercase letters"),
        ("north--custody", "must use only lowercase letters"),
        ("Ünit", "must use only lowercase letters"),
        ("x" * 81, "the limit is 80"),
    ],
)
def test_a_bad_unit_is_one_line_naming_the_field(typed: str, problem: str) -> None:
    with pytest.raises(TrainerError, match=f"^unit: .*{problem}"):
        check_unit(typed)


def test_a_profile_keeps_its_unit_and_can_change_it(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        made = store.create_trainee("Jane Smith", "4411", "officer", "North Custody")
        plain = store.create_trainee("Sam Jones", "4412", "call-handler")
        assert made.unit == "north-custody" and plain.unit is None
        assert store.trainee("4411").unit == "north-custody"
        moved = store.set_trainee_unit(made.id, "south")
        assert moved.unit == "south" and store.trainee(made.id).unit == "south"
        assert store.set_trainee_unit("4411", "").unit is None
        assert {t.staff_number: t.unit for t in store.trainees()} == {"4411": None, "4412": None}
        with pytest.raises(TrainerError, match=r"^unit: "):
            store.set_trainee_unit("4412", "a/b")
        with pytest.raises(TrainerError, match=r"^trainee: "):
            store.set_trainee_unit("nobody", "north")


def test_an_unchanged_unit_does_not_queue_the_profile_for_the_central_store(
    tmp_path: Path,
) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("Jane Smith", "4411", "officer", "north")
        with store.write() as conn:
            conn.execute("DELETE FROM unsent_rows")
        store.set_trainee_unit(trainee.id, "north")
        assert store.query("SELECT count(*) FROM unsent_rows") == [(0,)]
        store.set_trainee_unit(trainee.id, "south")  # a change is offered again
        assert store.query("SELECT tbl FROM unsent_rows") == [("trainees",)]


def _csv_units(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["staff number"]: row["unit"] for row in rows}


def test_the_answers_csv_gives_each_answer_its_profiles_unit(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        ids = store_data.seed(store, trainees=3, answers_each=4)
        numbers = [store.trainee(i).staff_number for i in ids]
        store.set_trainee_unit(ids[0], "north-custody")
        store.set_trainee_unit(ids[1], "South Response")
        assert export_answers(store, tmp_path / "answers.csv") == 12
    assert _csv_units(tmp_path / "answers.csv") == {
        numbers[0]: "north-custody",
        numbers[1]: "south-response",
        numbers[2]: "",
    }


def test_the_command_line_sets_a_profiles_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(tmp_path) as store:
        store.create_trainee("Jane Smith", "4411", "officer")
    args = ["trainees", "--data-dir", str(tmp_path), "--set-unit"]
    assert main([*args, "4411", "North Custody"]) == 0
    assert capsys.readouterr().out == (
        "Jane Smith (4411) is now in unit north-custody on this workstation\n"
    )
    assert main([*args, "4411", ""]) == 0
    assert capsys.readouterr().out == "Jane Smith (4411) is now in no unit on this workstation\n"
    assert main([*args, "4411", "north/custody"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unit: 'north/custody' must use only" in err
    assert main([*args, "9999", "north"]) == 1
    assert "trainee: no trainee" in capsys.readouterr().err
    assert main(["trainees", "--data-dir", str(tmp_path)]) == 0  # the listing is unchanged
    assert capsys.readouterr().out.split("  ")[1:] == ["4411", "officer", "Jane Smith\n"]


def test_older_profiles_take_the_unit_this_workstation_was_sending(tmp_path: Path) -> None:
    db = Database(tmp_path / DB_NAME)
    migrations.apply(db, stop_before="m0012_trainee_unit")
    (ws,) = db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()
    made = "'2026-04-01T09:00:00.000+00:00'"
    db.execute(f"INSERT INTO trainees VALUES ('t1', 'Here', '1', 'officer', {made}, ?)", [ws])
    db.execute(f"INSERT INTO trainees VALUES ('t2', 'Imported', '2', 'officer', {made}, 'other')")
    db.execute("INSERT INTO meta (key, value) VALUES ('central_unit', 'north')")
    db.conn.commit()
    db.conn.close()
    with open_store(tmp_path) as store:
        assert {t.staff_number: t.unit for t in store.trainees()} == {"1": "north", "2": None}


def test_without_a_configured_unit_older_profiles_have_none(tmp_path: Path) -> None:
    db = Database(tmp_path / DB_NAME)
    migrations.apply(db, stop_before="m0012_trainee_unit")
    (ws,) = db.execute("SELECT value FROM meta WHERE key = 'workstation_id'").fetchone()
    db.execute(
        "INSERT INTO trainees VALUES ('t1', 'Here', '1', 'officer', "
        "'2026-04-01T09:00:00.000+00:00', ?)",
        [ws],
    )
    db.conn.commit()
    db.conn.close()
    with open_store(tmp_path) as store:
        assert store.trainee("t1").unit is None
        assert store.workstation_unit() is None
        configure(store, "service=trainer", unit="north")
        assert store.workstation_unit() == "north"


def test_the_schema_refuses_a_unit_that_is_not_a_slug(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("Jane Smith", "4411", "officer")
        with pytest.raises(TrainerError, match="CHECK constraint"), store.write() as conn:
            conn.execute("UPDATE trainees SET unit = 'North, Custody' WHERE id = ?", [trainee.id])
