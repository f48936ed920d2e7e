"""Who may do what centrally, and the central schema from every older version."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.reports.figures import team_figures
from trainer.core.reports.team import TeamFilter
from trainer.core.store.central.admin import grant_units, init_central
from trainer.core.store.central.connection import connect
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.schema import STEPS, migrate, schema_of
from trainer.core.store.central.sync import configure, sync
from trainer.core.store.sqlite import open_store

_logins = itertools.count()


def login(admin_url: str, prefix: str) -> str:
    """A new PostgreSQL login (trust authentication on the test server: no password)."""
    name = f"{prefix}_{os.getpid()}_{next(_logins)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN'.encode())
    return name


def as_login(url: str, name: str) -> str:
    return url.replace("postgresql://postgres@", f"postgresql://{name}@")


@pytest.fixture
def units(central_url: str, tmp_path: Path) -> dict[str, Any]:
    """Two workstations, in units north and south, synced by a workstation login."""
    ws = login(central_url, "ws")
    assert main(["central", "workstation", ws, "--central", central_url]) == 0
    for unit, seed in (("north", 1), ("south", 2)):
        with open_store(tmp_path / unit) as store:
            store_data.seed(store, trainees=3, answers_each=10, seed_=seed)
            configure(store, as_login(central_url, ws), unit=unit)
        assert main(["sync", "--data-dir", str(tmp_path / unit)]) == 0
    return {"ws": ws}


def test_a_workstation_login_can_push_but_read_nothing(
    central_url: str, units: dict[str, Any]
) -> None:
    with connect(as_login(central_url, units["ws"])) as conn:
        for table in ("answers", "trainees", "quiz_sessions", "trainee_totals", "answer_rules",
                      "grade_history"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM {table}")
            conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM answers")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM stage_answers")


def test_a_supervisor_sees_only_the_units_granted(
    central_url: str, units: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    north = login(central_url, "sup")
    both = login(central_url, "sup")
    with connect(central_url) as conn:  # an earlier grade of every answer, as a regrade leaves
        conn.execute(
            "INSERT INTO grade_history SELECT id, workstation_id, 1, trainee_id, answered_at, "
            "answered_ts, 'b', 'e', score, findings, expected_decision, crime_groups, "
            "scenario_hash, catalogue_edition, bank_hash FROM answers"
        )
        conn.commit()
    assert main(["central", "grant", north, "north", "--central", central_url]) == 0
    assert main(["central", "grant", both, "north", "south", "--central", central_url]) == 0
    with CentralStore(as_login(central_url, north)) as store:
        people = store.trainees()
        assert {t.staff_number[:2] for t in people} == {"S1"} and len(people) == 3
        assert store.query("SELECT count(*) FROM answers") == [(30,)]
        assert store.query("SELECT count(*) FROM trainee_running") == [(30,)]
        assert store.query("SELECT count(*) FROM grade_history") == [(30,)]
        assert team_figures(store, TeamFilter()).answers == 30
        with pytest.raises(TrainerError, match="permission denied"):
            store.query("INSERT INTO unit_grants VALUES (current_user, 'south')")
    with CentralStore(as_login(central_url, both)) as store:
        assert team_figures(store, TeamFilter()).answers == 60
    capsys.readouterr()
    out = Path(central_url.rsplit("/", 1)[1] + ".csv")
    try:
        args = ["export", "--summary", "--central", as_login(central_url, north), str(out)]
        assert main(args) == 0
        assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 3
    finally:
        out.unlink(missing_ok=True)


def test_moving_a_person_moves_what_supervisors_see(
    central_url: str, units: dict[str, Any]
) -> None:
    north = login(central_url, "sup")
    assert main(["central", "grant", north, "north", "--central", central_url]) == 0
    assert main(["central", "move", "S2-00000", "north", "--central", central_url]) == 0
    with CentralStore(as_login(central_url, north)) as store:
        assert len(store.trainees()) == 4
        assert team_figures(store, TeamFilter()).answers == 40  # their running sums moved too
        assert store.query("SELECT count(*) FROM trainee_running") == [(40,)]


def test_a_store_from_before_units_on_running_sums_migrates_with_them(
    postgres_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Step c0007 fills the new unit column of the running sums from each person's unit."""
    import trainer.core.store.central.sync as syncing

    name = f"units_{os.getpid()}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    url = postgres_server.url(name)
    before = [n for n, _ in STEPS].index("c0007_running_units")
    with connect(url) as conn:
        migrate(conn, upto=before)
    with monkeypatch.context() as patched:
        patched.setattr(syncing, "STEPS", STEPS[:before])  # as the trainer of that time syncs
        for unit, seed in (("north", 1), ("south", 2)):
            with open_store(tmp_path / unit) as store:
                store_data.seed(store, trainees=3, answers_each=10, seed_=seed)
                configure(store, url, unit=unit)
                sync(store, url)
    assert init_central(url).applied == [n for n, _ in STEPS[before:]]
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT t.unit, count(*) FROM trainee_running r JOIN trainees t ON t.id = r.trainee_id "
            "WHERE r.unit = t.unit GROUP BY t.unit ORDER BY 1"
        ).fetchall()
    assert rows == [("north", 30), ("south", 30)]
    sup = login(url, "sup")
    grant_units(url, sup, ["south"])
    with CentralStore(as_login(url, sup)) as store:
        assert team_figures(store, TeamFilter()).answers == 30


def test_a_login_that_does_not_exist_is_named(central_url: str) -> None:
    from trainer.core.store.central.admin import grant_units

    with pytest.raises(TrainerError, match="no role 'ghost'"):
        grant_units(central_url, "ghost", ["north"])


@pytest.mark.parametrize("done", range(len(STEPS)))
def test_migrating_from_every_older_version_gives_the_new_schema(
    postgres_server: Any, central_url: str, done: int
) -> None:
    name = f"old_{os.getpid()}_{done}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    old = postgres_server.url(name)
    with connect(old) as conn:
        assert len(migrate(conn, upto=done)) == done
    report = init_central(old)
    assert report.applied == [n for n, _ in STEPS[done:]]
    assert init_central(old).applied == []  # idempotent
    with connect(old) as a, connect(central_url) as b:
        assert schema_of(a) == schema_of(b)


def test_init_refuses_a_schema_from_a_newer_trainer(central_url: str) -> None:
    with connect(central_url) as conn:
        conn.execute("INSERT INTO schema_migrations (step) VALUES ('c9999_future')")
        conn.commit()
    with pytest.raises(TrainerError, match="c9999_future comes from a newer trainer"):
        init_central(central_url)


def test_sync_to_a_store_without_the_schema_says_to_run_init(
    postgres_server: Any, tmp_path: Path
) -> None:
    name = f"bare_{os.getpid()}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    with (
        open_store(tmp_path) as store,
        pytest.raises(TrainerError, match="run `trainer central init`"),
    ):
        sync(store, postgres_server.url(name))


def test_without_a_server_the_tests_skip_saying_how_to_run_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests import pg_server

    monkeypatch.delenv(pg_server.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y postgresql"):
        pg_server.unavailable("no binaries")
    monkeypatch.setenv(pg_server.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="TRAINER_REQUIRE_POSTGRES=1 but"):
        pg_server.unavailable("no binaries")


def test_a_workstation_login_cannot_read_through_temporary_tables(
    central_url: str, units: dict[str, Any], tmp_path: Path
) -> None:
    """A temporary table of a workstation login's own, named like a central table, must not stand
    in for it inside the functions that run with the schema owner's rights (PostgreSQL searches
    pg_temp first unless a function's search_path names it last)."""
    with open_store(tmp_path / "east") as store:
        store_data.seed(store, trainees=2, answers_each=5, seed_=3)
        sync(store, as_login(central_url, units["ws"]), fold=False)  # folded by a later read
    with connect(as_login(central_url, units["ws"])) as conn:
        conn.execute(
            "CREATE TEMP TABLE answer_groups (crime_group text, answered_ts double precision, "
            "seq bigint, trainee_id text, n integer, perfect integer)"
        )
        assert conn.execute("SELECT fold_summaries()").fetchone() == (10,)
        assert conn.execute("SELECT count(*) FROM pg_temp.answer_groups").fetchone() == (0,)
        conn.commit()
    with connect(central_url) as admin:
        for name, definition in admin.execute(
            "SELECT p.proname, array_to_string(p.proconfig, ',') FROM pg_proc p JOIN "
            "pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'trainer' AND p.prosecdef"
        ):
            assert "search_path=trainer, pg_catalog, pg_temp" in definition, name
        (folded,) = admin.execute("SELECT count(*) FROM answer_groups").fetchone() or (0,)
        assert folded > 0  # the real summaries got them
