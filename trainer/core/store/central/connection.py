"""Connecting to the central store with libpq's conventions, and its failures as one line.

A connection string is a `postgresql://` URL or a libpq keyword string such as `service=trainer`
(the service read from pg_service.conf); passwords come from ~/.pgpass or PGPASSWORD. The trainer
never stores a password: `checked_url` refuses one written into a string it is asked to keep.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from trainer.core.errors import TrainerError

if TYPE_CHECKING:
    import psycopg

SCHEMA = "trainer"  # every central table lives in this schema
CONNECT_TIMEOUT_S = 10


def _parts(url: str) -> dict[str, Any]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError: libpq's own message
        raise TrainerError(f"central URL: {first_line(exc)}") from exc


def checked_url(url: str) -> str:
    """The URL, if libpq can read it and it holds no password (those live in ~/.pgpass)."""
    url = url.strip()
    if not url:
        raise TrainerError("central URL: must not be empty")
    if "password" in _parts(url):
        raise TrainerError(
            "central URL: holds a password; the trainer never stores one: put it in ~/.pgpass "
            "(or PGPASSWORD) and give the URL without it"
        )
    return url


def shown(url: str) -> str:
    """The URL as messages show it (without any password someone typed into it)."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", re.sub(r"password=\S+", "password=***", url))


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()


def connect(
    url: str, autocommit: bool = False, password: str | None = None
) -> psycopg.Connection[tuple[Any, ...]]:
    """A connection to the central store with the trainer schema on its search path (a password
    only when one was typed in; otherwise libpq finds it in ~/.pgpass or PGPASSWORD)."""
    import psycopg

    extra: dict[str, Any] = {"password": password} if password is not None else {}
    try:
        conn = psycopg.connect(
            url,
            **extra,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_S,
            options=f"-c search_path={SCHEMA}",
            application_name="trainer",
        )
    except psycopg.Error as exc:
        raise TrainerError(
            f"central store {shown(url)}: cannot connect: {first_line(exc)}"
        ) from exc
    _numbers_as_floats(conn)
    return conn


def _numbers_as_floats(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    """numeric results (averages, 1.0 * sums) as Python floats, as SQLite returns them."""
    from psycopg.types.numeric import FloatLoader

    conn.adapters.register_loader("numeric", FloatLoader)


@contextmanager
def guard(url: str, doing: str) -> Iterator[None]:
    """Turn a PostgreSQL failure into one line naming the store and what was being done."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise TrainerError(f"central store {shown(url)}: {doing}: {first_line(exc)}") from exc


def placeholders(sql: str) -> str:
    """The shared dialect's `?` parameters as psycopg's `%s` (and a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")
