"""Upload files for a force's learning management system: one row per trainee with answers.

Moodle, *Import grades from CSV* (gradebook, Import, CSV file): a user identifier column and one
column per grade item; on the preview the importer maps "ID number" to the user's `useridnumber`
and the grade column (and its feedback) to a grade item. Totara, *Upload completion records*
(course completions): exactly the columns `username, courseshortname, courseidnumber,
completiondate, grade`, dates as `Y-m-d` (its default format). The README gives the sources.
Both are plain UTF-8 without a byte-order mark (a BOM would become part of the first heading);
cells that could be formulas are neutralised as in the other exports.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.export import write_table
from trainer.core.store.sqlite import Store

SYSTEMS = ("moodle", "totara")
DEFAULT_ITEM = "Crime Recording Trainer"
DEFAULT_COURSE = "crime-recording-trainer"
MOODLE_HEADER = ("ID number", "Full name", "{item}", "{item} (feedback)")
TOTARA_HEADER = ("username", "courseshortname", "courseidnumber", "completiondate", "grade")

_PER_TRAINEE = """
    SELECT t.staff_number, t.name, count(*), round(avg(a.score), 1), sum(a.score = 100),
        max(a.answered_ts), a.answered_at
    FROM answers AS a JOIN trainees AS t ON t.id = a.trainee_id
    WHERE {where}
    GROUP BY t.id ORDER BY t.staff_number, t.id"""


def lms_rows(
    store: Store,
    system: str,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
    item: str = DEFAULT_ITEM,
    course: str = DEFAULT_COURSE,
) -> list[tuple[object, ...]]:
    """The header and one row per trainee, in `system`'s layout."""
    if system not in SYSTEMS:
        raise TrainerError(f"--lms: must be one of {', '.join(SYSTEMS)}, not {system!r}")
    if trainee_id is not None:
        trainee_id = store.trainee(trainee_id).id
    where, params = answer_filter(trainee_id, since, until, topic, alias="a")
    # The bare a.answered_at comes from the row holding max(a.answered_ts) (SQLite's rule).
    rows = store.query(_PER_TRAINEE.format(where=where), params)
    if system == "moodle":
        header: tuple[object, ...] = tuple(h.format(item=item) for h in MOODLE_HEADER)
        return [header] + [
            (number, name, mean, f"{n} answer(s), {right} fully right; last {last[:10]}")
            for number, name, n, mean, right, _ts, last in rows
        ]
    return [TOTARA_HEADER] + [
        (number, course, "", last[:10], mean) for number, _name, _n, mean, _r, _ts, last in rows
    ]


def export_lms(store: Store, dest: Path, system: str, **filters: object) -> int:
    """Write `system`'s upload file to `dest`; returns the number of trainee rows."""
    rows = lms_rows(store, system, **filters)  # type: ignore[arg-type]

    return write_table(dest, rows[0], rows[1:], bom=False)
