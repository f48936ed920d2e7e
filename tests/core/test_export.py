"""CSV exports: what Excel opens, formula cells neutralised, filters, summary, streaming."""

from __future__ import annotations

import csv
import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store import export
from trainer.core.store.export import ANSWER_HEADER, SUMMARY_HEADER, cell, export_answers, tags
from trainer.core.store.records import AnswerRecord
from trainer.core.store.sqlite import Store, open_store


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44 7700", "'+44 7700"),
        ("-5", "'-5"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("\rx", '"\'\rx"'),
        ('say "hi", then', '"say ""hi"", then"'),
        ("two\nlines", '"two\nlines"'),
        ("Zoë", "Zoë"),
    ],
)
def test_cells_are_neutralised_and_quoted(value: str, written: str) -> None:
    assert cell(value) == written


def test_tag_lists_read_naturally() -> None:
    assert tags("[]") == ""
    assert tags('["burglary","attempts"]') == "burglary; attempts"


def _awkward_store() -> tuple[Store, AnswerRecord]:
    store = Store.memory()
    trainee = store.create_trainee("=cmd|' /C calc'!A0", "-1234", "call-handler")
    session = store.start_session(trainee.id, "exam")
    scenario = store_data.FakeScenario(
        "shop-theft", '@home, "the" shop', "classify", ("theft", "hate-crime"), "crime", ("theft",)
    )
    when = datetime(2026, 5, 1, 10, 0, 0, tzinfo=UTC)
    rec = store_data.make_record(trainee.id, session, scenario, random.Random(5), when, exam=True)
    store.record_answer(rec)
    return store, rec


def test_answer_export_columns(tmp_path: Path) -> None:
    store, rec = _awkward_store()
    assert export_answers(store, tmp_path / "out.csv") == 1
    header, row = _read(tmp_path / "out.csv")
    assert header == list(ANSWER_HEADER)
    got = dict(zip(header, row, strict=True))
    assert got["trainee"] == "'=cmd|' /C calc'!A0"
    assert got["staff number"] == "'-1234"
    assert got["role"] == "call-handler"
    assert got["scenario id"] == "shop-theft"
    assert got["scenario title"] == '\'@home, "the" shop'
    assert got["topics"] == "theft; hate-crime"
    assert got["decision given"] == rec.decision and got["expected decision"] == "crime"
    assert got["score"] == str(rec.score)
    assert got["finding kinds"] == "; ".join(rec.finding_kinds)
    assert got["seconds taken"] == f"{rec.seconds_taken:.1f}"
    assert got["answered at"] == "2026-05-01T10:00:00.000+00:00"
    assert datetime.fromisoformat(got["answered at"]) == rec.answered_at
    assert got["mode"] == "exam"


def test_no_formula_reaches_a_cell(tmp_path: Path) -> None:
    store, _ = _awkward_store()
    export_answers(store, tmp_path / "out.csv")
    for row in _read(tmp_path / "out.csv"):
        assert not any(value.startswith(export.FORMULA_STARTS) for value in row)


def test_filters_pick_the_same_answers_as_the_store(tmp_path: Path) -> None:
    store = Store.memory()
    ids = store_data.seed(store, trainees=3, answers_each=60)
    since = store_data.START + timedelta(hours=2)
    until = store_data.START + timedelta(hours=5)
    cases = [
        ({}, store.answers()),
        ({"trainee_id": ids[2]}, store.answers(trainee_id=ids[2])),
        ({"since": since, "until": until}, store.answers(since=since, until=until)),
        ({"topic": "fraud", "until": until}, store.answers(topic="fraud", until=until)),
    ]
    for filters, expected in cases:
        count = export_answers(store, tmp_path / "f.csv", **filters)  # type: ignore[arg-type]
        rows = _read(tmp_path / "f.csv")[1:]
        assert count == len(rows) == len(expected) > 0
        assert sorted(r[11] for r in rows) == sorted(
            a.answered_at.isoformat(timespec="milliseconds") for a in expected
        )


def test_summary_has_one_row_per_trainee_with_the_recording_rate(tmp_path: Path) -> None:
    store = Store.memory()
    ids = store_data.seed(store, trainees=2, answers_each=80)
    idle = store.create_trainee("Idle Ivy", "I1", "officer")
    assert export.export_summary(store, tmp_path / "s.csv") == 3
    header, *rows = _read(tmp_path / "s.csv")
    assert header == list(SUMMARY_HEADER)
    by_number = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_number["I1"]["attempts"] == "0" and by_number["I1"]["recording rate %"] == ""
    assert by_number["I1"]["last active"] == "" and idle.name == by_number["I1"]["trainee"]
    for tid in ids:
        answers = store.answers(trainee_id=tid)
        due = [a for a in answers if a.kind == "classify" and a.expected_decision == "crime"]
        recorded = sum(a.decision == "crime" for a in due)
        row = by_number[store.trainee(tid).staff_number]
        assert row["attempts"] == str(len(answers))
        assert row["exam attempts"] == str(sum(a.exam for a in answers))
        assert float(row["mean score"]) == round(sum(a.score for a in answers) / len(answers), 1)
        assert float(row["recording rate %"]) == round(100 * recorded / len(due), 1)
        assert (row["recorded"], row["should have been recorded"]) == (str(recorded), str(len(due)))
        assert datetime.fromisoformat(row["last active"]) == answers[-1].answered_at


def test_filtered_summary_counts_only_the_filtered_answers(tmp_path: Path) -> None:
    store = Store.memory()
    ids = store_data.seed(store, trainees=2, answers_each=50)
    until = store_data.START + timedelta(hours=3)
    export.export_summary(store, tmp_path / "s.csv", until=until, topic="theft")
    _, *rows = _read(tmp_path / "s.csv")
    attempts = {r[1]: int(r[3]) for r in rows}
    for tid in ids:
        expected = store.answers(trainee_id=tid, until=until, topic="theft")
        assert attempts[store.trainee(tid).staff_number] == len(expected)


def _export_peak(store: Store, dest: Path) -> int:
    tracemalloc.start()
    try:
        export_answers(store, dest)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_export_streams_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Doubling the rows doubles the file but not the memory the export needs."""
    monkeypatch.setattr(export, "CHUNK", 200)
    store = Store.memory()
    store_data.seed(store, trainees=4, answers_each=600)
    export_answers(store, tmp_path / "warm-up.csv")
    small = _export_peak(store, tmp_path / "small.csv")
    store_data.seed(store, trainees=4, answers_each=600, seed_=8)
    large = _export_peak(store, tmp_path / "large.csv")
    sizes = [(tmp_path / f"{n}.csv").stat().st_size for n in ("small", "large")]
    assert sizes[1] > 1.9 * sizes[0]
    assert large < 1.2 * small, f"peak {small:,} then {large:,} bytes"


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    store, _ = _awkward_store()
    with pytest.raises(TrainerError, match="cannot write the export"):
        export_answers(store, tmp_path / "missing-folder" / "out.csv")
    with pytest.raises(TrainerError, match="trainee: no trainee with id or staff number 'x'"):
        export_answers(store, tmp_path / "out.csv", trainee_id="x")
    assert list(tmp_path.iterdir()) == []


def test_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with open_store(data) as store:
        ids = store_data.seed(store, trainees=2, answers_each=30)
        number = store.trainee(ids[0]).staff_number
        day = store.answers()[0].answered_at.astimezone().date()
        expected = [
            a for a in store.answers(trainee_id=ids[0]) if a.answered_at.astimezone().date() == day
        ]
    out = tmp_path / "results.csv"
    args = ["export", str(out), "--from", str(day), "--to", str(day), "--trainee", number]
    assert main(["--data-dir", str(data), *args]) == 0
    assert f"wrote {len(expected)} answer row(s)" in capsys.readouterr().out
    assert len(_read(out)) == len(expected) + 1
    assert main([*args, "--topic", "burglary", "--data-dir", str(data)]) == 0
    assert main(["export", "--summary", str(tmp_path / "s.csv"), "--data-dir", str(data)]) == 0
    assert len(_read(tmp_path / "s.csv")) == 3
    assert main(["export", str(out), "--from", "last tuesday", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert "--from: 'last tuesday' is not a date (YYYY-MM-DD)" in err and err.count("\n") == 1
