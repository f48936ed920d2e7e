"""The answers CSV for a Force Crime Registrar, the summary's new figures, and the LMS files."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from tests.core.export_data import BANK, HOSTILE_NAMES, seed
from trainer.cli import main
from trainer.core.content.catalogue import Catalogue
from trainer.core.reports.statistics import wilson_interval
from trainer.core.store import lms
from trainer.core.store.export import (
    ANSWER_HEADER,
    SUMMARY_HEADER,
    export_answers,
    export_summary,
)
from trainer.core.store.sqlite import open_store

OLD_ANSWER_HEADER = [
    "trainee", "staff number", "role", "scenario id", "scenario title", "topics",
    "decision given", "expected decision", "score", "finding kinds", "seconds taken",
    "answered at", "mode",
]  # fmt: skip


def _rows(path: Path, bom: bool = True) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_old_columns_keep_their_names_and_order() -> None:
    assert list(ANSWER_HEADER[: len(OLD_ANSWER_HEADER)]) == OLD_ANSWER_HEADER
    assert ANSWER_HEADER[len(OLD_ANSWER_HEADER)] == "certainty"


def test_registrar_columns_round_trip_with_hostile_names(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    s = seed(catalogue)
    assert export_answers(s.store, tmp_path / "a.csv", bank=s.bank) == len(s.records)
    rows = _rows(tmp_path / "a.csv")
    assert len(rows) == len(s.records)
    names = {r["trainee"] for r in rows}
    # Read back exactly, formulas neutralised by one apostrophe and nothing else changed.
    assert names == {("'" + n if n[0] in "=+-@" else n) for n in HOSTILE_NAMES}
    kitchen = [r for r in rows if r["scenario id"] == "burglary-smashed-kitchen-window"]
    right = next(r for r in kitchen if r["offences given"] == "28J x1")
    assert right["offences expected"] == "28J x1"
    assert right["findings"] == "" and right["trap"] == "" and right["hmic malpractice"] == ""
    down = next(r for r in kitchen if r["offences given"] == "58A x2")
    assert down["trap"] == "downgraded-to-damage" and down["hmic malpractice"] == "yes"
    assert "misclassification: burglary-entry-point-damage" in down["findings"]
    note = next(r for r in rows if r["decision given"] == "incident")
    assert note["offences given"] == "" and note["offences expected"] == "59 x1"
    assert note["trap"] == "just-log-it" and note["hmic malpractice"] == "yes"
    assert note["findings"].startswith("under-recording: unwilling-victim-still-recorded")
    for r in rows:
        assert r["workstation"] == s.store.workstation_id
        assert r["catalogue edition"] == s.records[0].catalogue_edition
        assert r["certainty"] == r["unit"] == r["grade history"] == ""
        assert r["bank hash"] == BANK
        assert r["flags given"] == r["flags expected"] == ""


def test_expected_cells_stay_empty_without_the_bank_or_for_a_changed_scenario(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    s = seed(catalogue)
    export_answers(s.store, tmp_path / "none.csv")
    assert {r["offences expected"] for r in _rows(tmp_path / "none.csv")} == {""}
    kitchen = "burglary-smashed-kitchen-window"
    s.store.conn.execute(
        "UPDATE answers SET scenario_hash = 'old' WHERE scenario_id = ?", [kitchen]
    )
    export_answers(s.store, tmp_path / "old.csv", bank=s.bank)
    got = {
        (r["scenario id"] == kitchen, r["offences expected"]) for r in _rows(tmp_path / "old.csv")
    }
    assert got == {(True, ""), (False, "59 x1")}


def test_columns_later_steps_add_are_filled_when_present(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """Certainty (adaptive practice), a unit (m0012), the bank hash and regrades."""
    s = seed(catalogue)
    c = s.store.conn
    c.executescript(
        """
        UPDATE answers SET certainty = 3, bank_hash = 'abc123';
        UPDATE trainees SET unit = 'north-a-team';
        INSERT INTO regrades (id, started_at, started_ts, bank_hash, catalogue_edition)
            VALUES (1, '2026-07-01T10:00:00.000+00:00', 0, 'abc123', '2026-27');
        """
    )
    first = s.records[0].id
    c.execute(
        "INSERT INTO grade_history (answer_id, regrade_id, score, findings, expected_decision, "
        "crime_groups, scenario_hash, catalogue_edition) VALUES (?, 1, 60, '[]', 'crime', '[]', "
        "'x', '2026-27')",
        [first],
    )
    export_answers(s.store, tmp_path / "a.csv", bank=s.bank)
    rows = _rows(tmp_path / "a.csv")
    assert {r["certainty"] for r in rows} == {"3"}
    assert {r["bank hash"] for r in rows} == {"abc123"}
    assert {r["unit"] for r in rows} == {"north-a-team"}  # the schema keeps units to slugs
    notes = [r["grade history"] for r in rows if r["grade history"]]
    assert notes == [
        "regraded 2026-07-01T10:00:00.000+00:00 (the scenario bank or catalogue changed): "
        "score was 60"
    ]


def test_the_same_answers_export_to_identical_files(tmp_path: Path, catalogue: Catalogue) -> None:
    s = seed(catalogue)
    export_answers(s.store, tmp_path / "1.csv", bank=s.bank)
    export_answers(s.store, tmp_path / "2.csv", bank=s.bank)
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()


def test_summary_adds_recording_accuracy_with_its_interval_and_malpractice(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    s = seed(catalogue)
    assert export_summary(s.store, tmp_path / "s.csv", interval=wilson_interval) == 4
    assert list(SUMMARY_HEADER[:10]) == [
        "trainee", "staff number", "role", "attempts", "exam attempts", "mean score",
        "recording rate %", "recorded", "should have been recorded", "last active",
    ]  # fmt: skip
    rows = _rows(tmp_path / "s.csv")
    for r in rows:
        n, k = int(r["should have been recorded"]), int(r["recorded and fully right"])
        assert n > 0
        low, high = float(r["accuracy 95% low"]), float(r["accuracy 95% high"])
        assert low <= 100.0 * k / n <= high
        assert float(r["recording accuracy %"]) == round(100.0 * k / n, 1)
        assert r["leeches"] == ""
    by_name = {r["trainee"]: r for r in rows}
    assert sum(int(r["malpractice answers"]) for r in rows) == sum(
        '"malpractice":true' in rec.findings_json for rec in s.records
    )
    assert set(by_name) == {("'" + n if n[0] in "=+-@" else n) for n in HOSTILE_NAMES}


@pytest.mark.parametrize("system", ["moodle", "totara"])
def test_lms_files_round_trip(tmp_path: Path, catalogue: Catalogue, system: str) -> None:
    s = seed(catalogue)
    dest = tmp_path / f"{system}.csv"
    assert lms.export_lms(s.store, dest, system) == len(HOSTILE_NAMES)
    rows = _rows(dest, bom=False)
    if system == "totara":
        assert list(rows[0]) == list(lms.TOTARA_HEADER)
        assert {r["courseshortname"] for r in rows} == {"crime-recording-trainer"}
        assert all(len(r["completiondate"]) == 10 and r["completiondate"][4] == "-" for r in rows)
        assert {r["username"] for r in rows} == {f"'-{i}00,{i}" for i in range(4)}
    else:
        assert list(rows[0]) == [
            "ID number",
            "Full name",
            lms.DEFAULT_ITEM,
            f"{lms.DEFAULT_ITEM} (feedback)",
        ]
        assert {r["Full name"] for r in rows} == {
            ("'" + n if n[0] in "=+-@" else n) for n in HOSTILE_NAMES
        }
    for r in rows:
        grade = float(r["grade" if system == "totara" else lms.DEFAULT_ITEM])
        assert 0 <= grade <= 100
    first = dest.read_bytes()
    lms.export_lms(s.store, dest, system)
    assert dest.read_bytes() == first


def test_cli_exports_each_format(tmp_path: Path, catalogue: Catalogue) -> None:
    with open_store(tmp_path) as store:
        seed(catalogue, store)
    d = str(tmp_path)
    assert main(["export", "--data-dir", d, str(tmp_path / "a.csv")]) == 0
    assert {r["offences expected"] for r in _rows(tmp_path / "a.csv")} >= {"28J x1", "59 x1"}
    assert main(["export", "--data-dir", d, "--lms", "totara", str(tmp_path / "t.csv")]) == 0
    assert main(["export", "--data-dir", d, "--xapi", str(tmp_path / "x.jsonl")]) == 0
    assert len((tmp_path / "x.jsonl").read_text().splitlines()) == 12 + 3
    assert main(["export", "--data-dir", d, "--xapi", "--summary", str(tmp_path / "y")]) == 1


def test_a_database_without_the_optional_tables_still_exports(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE answers (id TEXT)")
    conn.execute("CREATE TABLE trainees (id TEXT)")
    from trainer.core.store.export_cells import optional_sql, units

    assert optional_sql(conn) == "'', '', ''"
    assert units(conn) == {}
