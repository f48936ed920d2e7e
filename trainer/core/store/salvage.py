"""Reading what can still be read from a damaged progress database, row by row, before a backup
replaces it: the answers the backup lacks are written to a CSV file, so none is silently lost."""

from __future__ import annotations

import contextlib
import csv
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trainer.core.store.files import private_file

CHUNK = 500
GIVE_UP_AFTER = 20_000  # consecutive row numbers with nothing readable, when the end is unknown


@dataclass(frozen=True)
class LostAnswer:
    id: str
    answered_at: str
    trainee: str  # the trainee's name where it can be read, else their id
    scenario_id: str


@dataclass
class Salvage:
    """What a damaged database held that its replacement does not."""

    csv: Path | None = None
    answers: list[LostAnswer] = field(default_factory=list)
    failed_reads: int = 0  # row look-ups that failed: answers there could not be read
    readable: bool = True  # False when not even the list of columns could be read


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _rows(conn: sqlite3.Connection, columns: str, salvage: Salvage) -> Iterator[tuple[object, ...]]:
    """Every answer row that can be read, in `seq` order, skipping damaged stretches."""
    try:
        top = conn.execute("SELECT max(seq) FROM answers").fetchone()[0]
    except sqlite3.DatabaseError:
        top = None
    last, empty = 0, 0
    while top is None or last < top:
        try:
            chunk = conn.execute(
                f"SELECT seq, {columns} FROM answers WHERE seq > ? ORDER BY seq LIMIT {CHUNK}",
                [last],
            ).fetchall()
        except sqlite3.DatabaseError:
            chunk = None
        if chunk is not None:
            if not chunk:
                return
            yield from (row[1:] for row in chunk)
            last = int(chunk[-1][0])
            continue
        found = False  # a damaged stretch: one row at a time
        for seq in range(last + 1, last + CHUNK + 1):
            try:
                row = conn.execute(f"SELECT {columns} FROM answers WHERE seq = ?", [seq]).fetchone()
            except sqlite3.DatabaseError:
                salvage.failed_reads += 1
                continue
            if row is not None:
                found = True
                yield row
        last += CHUNK
        empty = 0 if found else empty + CHUNK
        if top is None and empty >= GIVE_UP_AFTER:
            return


def _names(conn: sqlite3.Connection) -> dict[str, str]:
    names: dict[str, str] = {}
    with contextlib.suppress(sqlite3.DatabaseError):
        for trainee_id, name in conn.execute("SELECT id, name FROM trainees"):
            names[str(trainee_id)] = str(name)
    return names


def _known_ids(backup: Path) -> set[str]:
    conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {str(i) for (i,) in conn.execute("SELECT id FROM answers")}
    finally:
        conn.close()


def salvage_answers(damaged: Path, backup: Path, out: Path) -> Salvage:
    """Write the answers `damaged` holds and `backup` does not to the CSV file `out` (only if
    there are any); nothing is changed in either database."""
    salvage = Salvage()
    known = _known_ids(backup)
    try:
        conn = sqlite3.connect(damaged, timeout=1.0)
    except sqlite3.Error:
        return Salvage(readable=False)
    conn.text_factory = _text
    try:
        try:
            names = [str(r[1]) for r in conn.execute("PRAGMA table_info(answers)")]
        except sqlite3.DatabaseError:
            names = []
        if "id" not in names:
            return Salvage(readable=False)
        trainees = _names(conn)
        at = {n: i for i, n in enumerate(names)}
        columns = ", ".join(f'"{n}"' for n in names)
        lost = [row for row in _rows(conn, columns, salvage) if str(row[at["id"]]) not in known]
    finally:
        conn.close()
    if not lost:
        return salvage
    with private_file(out).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(lost)
    salvage.csv = out

    def cell(row: tuple[object, ...], name: str) -> str:
        return str(row[at[name]]) if name in at else ""

    salvage.answers = [
        LostAnswer(
            cell(r, "id"),
            cell(r, "answered_at"),
            trainees.get(cell(r, "trainee_id"), cell(r, "trainee_id")),
            cell(r, "scenario_id"),
        )
        for r in lost
    ]
    return salvage
