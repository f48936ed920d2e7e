"""The CLI's CSV exports and bundle import, for the dashboard's current filter.

`trainer export` filters by date, trainee and topic; the dashboard filters by role as well, so for
a role the export is written as usual and then only that role's rows are kept (the files carry a
role column). The file format stays exactly the CLI's.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library, LoadedScenario
from trainer.core.errors import TrainerError
from trainer.core.reports.statistics import wilson_interval
from trainer.core.reports.team import TeamFilter
from trainer.core.store import bundles, export
from trainer.core.store.sqlite import Store

ENCODING = "utf-8-sig"  # as `export` writes: Excel reads the accents right


def export_answers(
    store: Store, dest: Path, flt: TeamFilter, bank: Mapping[str, LoadedScenario] | None = None
) -> str:
    """Write the filtered answers as `trainer export` does; returns a one-line report."""
    since, until = flt.window()
    count = _for_role(
        dest,
        flt.role,
        export.ANSWER_HEADER.index("role"),
        lambda path: export.export_answers(store, path, since, until, topic=flt.topic, bank=bank),
    )
    return f"Wrote {count} answer row(s) to {dest}."


def export_summary(store: Store, dest: Path, flt: TeamFilter) -> str:
    """Write one row per trainee as `trainer export --summary` does; returns a one-line report."""
    since, until = flt.window()
    count = _for_role(
        dest,
        flt.role,
        export.SUMMARY_HEADER.index("role"),
        lambda path: export.export_summary(
            store, path, since, until, topic=flt.topic, interval=wilson_interval
        ),
    )
    return f"Wrote {count} trainee row(s) to {dest}."


def export_bundle(store: Store, dest: Path) -> str:
    """Write this workstation's results bundle (as `trainer export-bundle` does)."""
    count = bundles.export_bundle(store, dest)
    return f"Wrote {count} answer(s) from this workstation to {dest}."


def import_bundle(
    store: Store,
    source: Path,
    library: Library,
    catalogue: Catalogue,
    trust: bool = False,
    accepted_by: str = "supervisor",
) -> str:
    """Merge a results bundle (as `trainer import` does, grading every answer again with this
    workstation's bank); returns a one-line report. `trust`: the supervisor accepted its key."""
    r = bundles.import_bundle(
        store, source, library, catalogue, trust=trust, accepted_by=accepted_by
    )
    return (
        f"Imported {r.answers} answer(s), {r.sessions} session(s) and {r.trainees} trainee(s) "
        f"from {source.name}; {r.already_present} answer(s) were already here, "
        f"{r.skipped_after_reset} predate a profile reset{r.grading_note()}."
    )


def _for_role(dest: Path, role: str | None, column: int, write: Callable[[Path], int]) -> int:
    """Run `write` to `dest`; for a role, keep the header and that role's rows only."""
    if role is None:
        return write(dest)
    whole = dest.with_name(f".{dest.name}.all")
    part = dest.with_name(f".{dest.name}.part")
    try:
        write(whole)
        kept = 0
        with (
            whole.open(encoding=ENCODING, newline="") as src,
            part.open("w", encoding=ENCODING, newline="") as out,
        ):
            rows = csv.reader(src)
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(next(rows))
            for row in rows:
                if row[column] == role:
                    writer.writerow(row)
                    kept += 1
        os.replace(part, dest)
    except OSError as exc:
        raise TrainerError(f"{dest}: cannot write the export: {exc.strerror or exc}") from exc
    finally:
        whole.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    return kept
