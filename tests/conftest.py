"""Shared test set-up: Qt runs offscreen, and no test touches the real user data folder."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_server import Server, start_server, unavailable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path_factory.mktemp("trainer-data")))


# A throwaway PostgreSQL server, started once per session for the central store's tests ---------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """The session's PostgreSQL server; skips (or, under TRAINER_REQUIRE_POSTGRES=1, fails) when
    the machine has no server binaries."""
    try:
        server = start_server()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        detail = str(exc)
        if isinstance(exc, subprocess.CalledProcessError):
            detail = exc.stderr.decode(errors="replace").strip() or detail
        unavailable(detail)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def central_template(postgres_server: Server) -> str:
    """A database with the central schema and roles, copied for each test that wants one."""
    from trainer.core.store.central.admin import init_central

    admin = postgres_server.url()
    _sql(admin, "CREATE DATABASE trainer_template")
    init_central(postgres_server.url("trainer_template"))
    return "trainer_template"


_databases = itertools.count()


@pytest.fixture
def central_url(postgres_server: Server, central_template: str) -> str:
    """A fresh central store (its own database, from the template) for one test."""
    name = f"trainer_{os.getpid()}_{next(_databases)}"
    _sql(postgres_server.url(), f"CREATE DATABASE {name} TEMPLATE {central_template}")
    return postgres_server.url(name)


def _sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.encode())
