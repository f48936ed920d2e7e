"""`trainer regrade`: a corrected key changes the stored grades and the figures, old grades kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.core import graded_data
from tests.core.conftest import ROOT_SCENARIOS
from tests.core.summary_counts import team_counts
from trainer.cli import main
from trainer.core import paths
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.scenarios import Library, load_library
from trainer.core.reports.figures import team_figures
from trainer.core.reports.team import TeamFilter
from trainer.core.store.regrade import regrade
from trainer.core.store.regrade_status import DUE, answers_to_regrade, last_regrade
from trainer.core.store.sqlite import Store, open_store

FILES = (
    "miscellaneous/tools-by-parked-cars.yaml",
    "miscellaneous/note-through-the-door.yaml",
    "weapons/lock-knife-at-the-shopping-centre.yaml",
)
CHANGED = "gen-tools-by-parked-cars"


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """A small bank of three real scenarios, in a folder the test may edit."""
    for name in FILES:
        target = tmp_path / "bank" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT_SCENARIOS / name, target)
    return tmp_path / "bank"


def _load(folder: Path, catalogue: Catalogue) -> Library:
    library = load_library([folder], catalogue)
    assert not library.problems
    return library


def _correct_the_key(folder: Path) -> None:
    """The key said one crime; a reviewer finds it is two (a right answer is now a miscount)."""
    path = folder / FILES[0]
    text = path.read_text(encoding="utf-8")
    assert text.count("count: 1\n") == 1
    path.write_text(text.replace("count: 1\n", "count: 2\n"), encoding="utf-8")


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("answers", "trainee_totals", "trainee_findings", "answer_topics", "grade_history",
              "regrades", "meta")  # fmt: skip
    return {t: sorted(store.query(f"SELECT * FROM {t}"), key=repr) for t in tables}


def _seed(store: Store, library: Library, catalogue: Catalogue) -> tuple[str, list[str]]:
    """One trainee: two right answers to the scenario that changes, one right answer to each
    other scenario; returns the trainee and the ids of the answers that will change."""
    trainee = store.create_trainee("Ada Lovelace", "A1", "officer")
    session = store.start_session(trainee.id, "practice")
    changing = []
    for loaded in [*library.scenarios, library.by_id[CHANGED]]:
        rec = graded_data.record(
            store, trainee.id, session, loaded, graded_data.right_answer(loaded), library,
            catalogue,
        )  # fmt: skip
        if loaded.scenario.id == CHANGED:
            changing.append(rec.id)
    return trainee.id, changing


def test_a_corrected_key_changes_the_stored_grades_and_the_figures(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue
) -> None:
    store = open_store(tmp_path / "data")
    before_bank = _load(bank_dir, catalogue)
    trainee, changing = _seed(store, before_bank, catalogue)
    assert answers_to_regrade(store, before_bank, catalogue) == 0
    [counts] = team_counts(store)
    assert (counts.total.attempts, counts.total.score_sum, counts.total.exact_k) == (4, 400, 4)

    _correct_the_key(bank_dir)
    after_bank = _load(bank_dir, catalogue)
    assert answers_to_regrade(store, after_bank, catalogue) == 4  # graded under another bank
    result = regrade(store, after_bank, catalogue)
    assert (result.checked, result.changed, result.unchanged, result.missing_scenario) == (
        4, 2, 2, 0,
    )  # fmt: skip
    assert answers_to_regrade(store, after_bank, catalogue) == 0

    rows = {r.id: r for r in store.answers()}
    assert [rows[i].score for i in changing] == [80, 80]  # the miscount penalty
    assert all(rows[i].finding_kinds == ("miscount",) for i in changing)
    assert all(r.bank_hash == result.bank_hash for r in rows.values())
    [counts] = team_counts(store, findings=True)  # the summaries were rebuilt
    assert (counts.total.score_sum, counts.total.exact_k) == (360, 2)
    assert counts.by_kind() == {"miscount": 2}
    [row] = team_figures(store, TeamFilter()).rows  # what the dashboard's Team tab shows
    assert (row.summary.mean_score, row.summary.recording_accuracy.k) == (90.0, 2)

    history = store.query(
        "SELECT h.answer_id, h.score, h.findings, h.bank_hash, r.bank_hash, r.catalogue_edition, "
        "r.finished_at IS NOT NULL FROM grade_history h JOIN regrades r ON r.id = h.regrade_id"
    )
    assert sorted(h[0] for h in history) == sorted(changing)
    for _, score, findings, old_hash, why, edition, finished in history:
        assert (score, findings, edition, finished) == (100, "[]", catalogue.edition_id, 1)
        assert old_hash != why == result.bank_hash
    last = last_regrade(store)
    assert last is not None and last.changed == 2
    assert last.describe().startswith("2 answer(s) regraded on ")
    assert trainee


def test_a_dry_run_changes_nothing_and_a_second_run_changes_nothing(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue
) -> None:
    store = open_store(tmp_path / "data")
    _seed(store, _load(bank_dir, catalogue), catalogue)
    _correct_the_key(bank_dir)
    after_bank = _load(bank_dir, catalogue)
    before = _snapshot(store)
    dry = regrade(store, after_bank, catalogue, dry_run=True)
    assert (dry.changed, dry.changed_by_scenario) == (2, {CHANGED: 2})
    assert f"{CHANGED}: 2 answer(s) would change" in dry.describe()
    assert "2 unchanged answer(s) graded under another bank would be marked" in dry.describe()
    assert _snapshot(store) == before
    assert not (tmp_path / "data" / "backups").exists()

    first = regrade(store, after_bank, catalogue)
    assert first.changed == 2
    done = _snapshot(store)
    second = regrade(store, after_bank, catalogue)
    assert (second.checked, second.changed, second.unchanged, second.restamped) == (4, 0, 4, 0)
    assert _snapshot(store) == done


def test_answers_to_scenarios_no_longer_in_the_bank_are_left_alone(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue
) -> None:
    store = open_store(tmp_path / "data")
    _seed(store, _load(bank_dir, catalogue), catalogue)
    (bank_dir / FILES[0]).unlink()
    before = {r.id: r for r in store.answers() if r.scenario_id == CHANGED}
    result = regrade(store, _load(bank_dir, catalogue), catalogue)
    assert (result.checked, result.changed, result.missing_scenario) == (4, 0, 2)
    assert {r.id: r for r in store.answers() if r.scenario_id == CHANGED} == before


def test_an_interrupted_regrade_is_finished_by_the_next(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.core.store import regrade as module

    store = open_store(tmp_path / "data")
    _seed(store, _load(bank_dir, catalogue), catalogue)
    _correct_the_key(bank_dir)
    after_bank = _load(bank_dir, catalogue)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        regrade(store, after_bank, catalogue)
    assert answers_to_regrade(store, after_bank, catalogue) == -1  # only the summaries are stale
    monkeypatch.undo()
    again = regrade(store, after_bank, catalogue)
    assert again.changed == 0
    [counts] = team_counts(store)
    assert counts.total.score_sum == 360
    assert answers_to_regrade(store, after_bank, catalogue) == 0


def test_regrade_command(
    tmp_path: Path,
    bank_dir: Path,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    with open_store(data) as store:
        _seed(store, _load(bank_dir, catalogue), catalogue)
    _correct_the_key(bank_dir)
    monkeypatch.setattr(paths, "scenarios_dir", lambda: bank_dir)
    assert main(["regrade", "--dry-run", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "4 answer(s) checked" in out and "2 would change, 2 unchanged, 0 left" in out
    assert "nothing was changed (dry run)" in out
    assert main(["regrade", "--data-dir", str(data)]) == 0
    assert "2 changed, 2 unchanged" in capsys.readouterr().out
    assert main(["regrade", "--data-dir", str(data)]) == 0
    assert "0 changed, 4 unchanged" in capsys.readouterr().out
    (data / "progress.db").write_bytes(b"not a database at all" * 100)
    assert main(["regrade", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("trainer: ") and err.count("\n") == 1


def test_a_regrade_asked_to_stop_leaves_the_rest_to_the_next(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainer.core.store import regrade as module

    store = open_store(tmp_path / "data")
    _seed(store, _load(bank_dir, catalogue), catalogue)
    _correct_the_key(bank_dir)
    after_bank = _load(bank_dir, catalogue)
    monkeypatch.setattr(module, "PAGE", 1)
    asked = iter([False, False, True])  # two pages, then the window closes
    stopped = regrade(store, after_bank, catalogue, stop=lambda: next(asked))
    assert stopped.stopped and stopped.checked == 2
    assert "run the regrade again to finish it" in stopped.describe()
    assert answers_to_regrade(store, after_bank, catalogue) == 2
    rest = regrade(store, after_bank, catalogue)
    assert rest.checked == 4 and not rest.stopped
    assert stopped.changed + rest.changed == 2
    [counts] = team_counts(store)
    assert counts.total.score_sum == 360


def test_the_check_on_start_reads_only_the_bank_index() -> None:
    store = Store.memory()
    plan = store.query(f"EXPLAIN QUERY PLAN {DUE}", ["0123456789abcdef", '["a","b"]'])
    assert "COVERING INDEX answers_by_bank" in " ".join(str(row[-1]) for row in plan)


def test_no_transaction_counts_every_summary_again(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million answers one rebuild of every summary held the write lock half a minute. Each
    page now takes its changed answers out of the summaries and puts them back; the running sums
    are counted again a few trainees per transaction. An answer recorded between two of those is
    counted, and every summary ends as if counted afresh."""
    from trainer.core.store import answer_rows
    from trainer.core.store import regrade as module

    store = open_store(tmp_path / "data")
    before_bank = _load(bank_dir, catalogue)
    trainees = []
    for n in range(5):  # four answers each
        trainee = store.create_trainee(f"Trainee {n}", f"T{n}", "officer")
        session = store.start_session(trainee.id, "practice")
        for loaded in [*before_bank.scenarios, before_bank.by_id[CHANGED]]:
            graded_data.record(
                store, trainee.id, session, loaded, graded_data.right_answer(loaded),
                before_bank, catalogue,
            )  # fmt: skip
        trainees.append((trainee.id, session))
    _correct_the_key(bank_dir)
    note = bank_dir / FILES[1]  # and a topic dropped: those answers are restamped
    text = note.read_text(encoding="utf-8")
    assert "topics: [misc-crime, criminal-damage, threats]" in text
    note.write_text(text.replace(", threats]", "]"), encoding="utf-8")
    after_bank = _load(bank_dir, catalogue)
    monkeypatch.setattr(module, "PAGE", 7)
    monkeypatch.setattr(module, "RUNNING_ANSWERS", 8)
    afresh = module.rebuild_summaries
    monkeypatch.setattr(module, "rebuild_summaries", None)  # never every summary at once
    batches: list[list[str]] = []
    count_again = answer_rows.count_running_again
    tables = ("trainee_totals", "trainee_findings", "answer_topics", "answer_kinds",
              "answer_rules", "answer_groups", "trainee_running")  # fmt: skip

    def snapshot(conn: Any, names: tuple[str, ...]) -> dict[str, list[Any]]:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in names}

    def counted(conn: Any, trainee_ids: list[str]) -> None:
        assert conn.in_transaction
        if not batches:  # every page done: all but the running sums are right already
            kept = snapshot(conn, tables[:-1])
            conn.execute("SAVEPOINT afresh")
            afresh(conn)
            assert kept == snapshot(conn, tables[:-1])
            conn.execute("ROLLBACK TO afresh")
            conn.execute("RELEASE afresh")
        count_again(conn, trainee_ids)
        batches.append(list(trainee_ids))

    submitted: list[bool] = []

    def submit_between_batches() -> None:
        if len(batches) == 1 and not submitted:  # a trainee answers meanwhile (the new bank)
            submitted.append(True)
            trainee_id, session = trainees[-1]
            loaded = after_bank.by_id[CHANGED]
            graded_data.record(
                store, trainee_id, session, loaded, graded_data.right_answer(loaded),
                after_bank, catalogue,
            )  # fmt: skip

    monkeypatch.setattr(module, "count_running_again", counted, raising=False)
    real_write = store.write

    def write(*args: Any, **kwargs: Any) -> Any:
        submit_between_batches()
        return real_write(*args, **kwargs)

    monkeypatch.setattr(store, "write", write)
    assert regrade(store, after_bank, catalogue).changed == 10
    monkeypatch.undo()
    assert [len(b) for b in batches] == [2, 2, 1] and submitted
    assert sorted(t for b in batches for t in b) == sorted(t for t, _ in trainees)
    kept = snapshot(store.conn, tables)
    with store.write() as conn:
        module.rebuild_summaries(conn)
    assert kept == snapshot(store.conn, tables)
    assert kept["answer_kinds"]  # the miscounts, counted
    assert ("threats",) not in {row[:1] for row in kept["answer_topics"]}
    [counts] = [c for c in team_counts(store) if c.trainee_id == trainees[-1][0]]
    assert counts.total.attempts == 5
    assert answers_to_regrade(store, after_bank, catalogue) == 0


def test_a_database_left_stale_by_an_earlier_version_is_counted_afresh(
    tmp_path: Path, bank_dir: Path, catalogue: Catalogue
) -> None:
    """An interrupted regrade of an earlier version left every summary stale (`summaries_stale`):
    the next regrade counts them all again."""
    from trainer.core.store import regrade as module

    store = open_store(tmp_path / "data")
    _seed(store, _load(bank_dir, catalogue), catalogue)
    with store.write() as conn:
        conn.execute("UPDATE trainee_totals SET score_sum = 0")  # as if counted under old grades
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '1')", [module.STALE_KEY])
    assert answers_to_regrade(store, _load(bank_dir, catalogue), catalogue) == -1
    assert regrade(store, _load(bank_dir, catalogue), catalogue).changed == 0
    [counts] = team_counts(store)
    assert counts.total.score_sum == 400
    assert answers_to_regrade(store, _load(bank_dir, catalogue), catalogue) == 0
