"""Schema versions: which steps a database has, and a refusal of one from a newer trainer.

Migrating (back up first, then apply the pending steps) is `sqlite.open_store`'s job.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from trainer.core.errors import TrainerError
from trainer.core.store.schema import STEPS, migrations


def applied_steps(db: Database) -> list[str]:
    """The migrations already applied to this database, oldest first (read-only)."""
    return [m.name for m in migrations.applied(db)]


def schema_version(db: Database) -> int:
    return len(applied_steps(db))


def refuse_newer(db: Database, path: Path | str) -> None:
    """Raise before anything is written if a newer trainer has changed the schema (or if the
    file is some other program's database)."""
    applied = applied_steps(db)
    if not applied and db.table_names():
        raise TrainerError(f"{path}: is a SQLite database, but not a trainer progress database")
    unknown = [name for name in applied if name not in STEPS]
    if unknown:
        raise TrainerError(
            f"{path}: was written by a newer version of the trainer (schema step {unknown[-1]}); "
            "open it with that version; the file has not been changed"
        )
