"""The central store as the reports room reads it: the same queries as on a workstation.

`CentralStore.query` takes the shared dialect (`?` parameters) the figures are written in; the
typed reads keep the order and shape `sqlite.Store` gives. A supervisor's login sees, through
row-level security, only the people of the units granted to it. Each read first brings the
summaries up to the answers filed (`fold_summaries`, schema step c0008: a sync files answers and
leaves summarising to the next read or to its own end), so no figure lags the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import CENTRAL_ANSWER_COLUMNS as ANSWER_COLUMNS
from trainer.core.store.answer_rows import read_answer, read_answers
from trainer.core.store.central.connection import connect, guard, placeholders, shown
from trainer.core.store.records import AnswerRow, Trainee, from_iso

if TYPE_CHECKING:
    import psycopg

_TRAINEES = "SELECT id, name, staff_number, role, created_at FROM trainees"


class CentralStore:
    """A read-only view of the central store (figures, exports, drill-downs)."""

    workstation_id = "central"
    path = None

    def __init__(self, url: str, password: str | None = None) -> None:
        self.url = url
        self._password = password  # typed at sign-in: held for this process's connections only
        self.conn: psycopg.Connection[tuple[Any, ...]] = connect(
            url, autocommit=True, password=password
        )
        self._folds = True  # whether the store has `fold_summaries` (schema step c0008)

    @property
    def name(self) -> str:
        return shown(self.url)

    @property
    def login(self) -> str:
        """The PostgreSQL login this store reads as."""
        return str(self.conn.info.user)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CentralStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def reopen(self) -> CentralStore:
        """A connection of its own, for a worker thread."""
        return CentralStore(self.url, self._password)

    def query(
        self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """All rows of a read query written with `?` parameters (or :name ones from a mapping)."""
        if isinstance(params, Mapping):
            import re

            sql = re.sub(r"(?<!:):([A-Za-z_]\w*)", r"%(\1)s", sql.replace("%", "%%"))
            bound: Any = dict(params)
        else:
            sql, bound = placeholders(sql), list(params)
        with guard(self.url, "reading"):
            self.fold()
            return self.conn.execute(sql.encode(), bound).fetchall()

    def fold(self) -> int:
        """Summarise the answers filed since the last fold (0 and no lock when there are none)."""
        import psycopg

        if not self._folds:
            return 0
        try:
            row = self.conn.execute("SELECT fold_summaries()").fetchone()
        except psycopg.errors.UndefinedFunction:  # a store of before step c0008 (not yet
            self._folds = False  # migrated by `central init`) summarises as it files
            return 0
        return int(row[0]) if row else 0

    def stream(self, sql: str, params: list[Any], size: int) -> Iterable[list[tuple[Any, ...]]]:
        """A big read a chunk of rows at a time (a server-side cursor: memory stays flat)."""
        with guard(self.url, "reading"):
            self.fold()
        with guard(self.url, "reading"), self.conn.transaction(), self.conn.cursor(
            name="stream"
        ) as cursor:  # fmt: skip
            cursor.execute(placeholders(sql).encode(), params)
            while rows := cursor.fetchmany(size):
                yield rows

    def trainees(self) -> list[Trainee]:
        rows = self.query(f'{_TRAINEES} ORDER BY lower(name) COLLATE "C", staff_number')
        return [Trainee(r[0], r[1], r[2], r[3], from_iso(r[4])) for r in rows]

    def trainee(self, trainee_id: str) -> Trainee:
        """The person with this id (or staff number, or a workstation profile linked to them)."""
        rows = self.query(
            f"{_TRAINEES} WHERE id = ? OR staff_number = ? "
            "OR id = (SELECT trainee_id FROM profiles WHERE id = ?) "
            "ORDER BY id = ? DESC LIMIT 1",
            [trainee_id] * 4,
        )
        if not rows:
            raise TrainerError(f"trainee: no trainee with id or staff number {trainee_id!r}")
        r = rows[0]
        return Trainee(r[0], r[1], r[2], r[3], from_iso(r[4]))

    def answers(
        self,
        trainee_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        topic: str | None = None,
    ) -> list[AnswerRow]:
        """Stored answers in the order they were given; `since` inclusive, `until` exclusive."""
        return read_answers(self.query, ANSWER_COLUMNS, trainee_id, since, until, topic)

    def answer(self, answer_id: str) -> AnswerRow:
        """One stored answer in full; TrainerError when there is none with this id."""
        return read_answer(self.query, ANSWER_COLUMNS, answer_id)
