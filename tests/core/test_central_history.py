"""A regrade on a workstation reaches the central store: new grades, and the earlier ones kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.core import store_data
from tests.core import test_regrade as regrading
from tests.core.test_central_figures import every_figure
from tests.core.test_central_sync import central_counts
from trainer.core.content.catalogue import Catalogue
from trainer.core.reports.team import TeamFilter
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.sync import resend_all, sync, waiting
from trainer.core.store.regrade import regrade
from trainer.core.store.schema import STEPS
from trainer.core.store.sqlite import Store, open_store


def _bank(tmp_path: Path) -> Path:
    for name in regrading.FILES:
        target = tmp_path / "bank" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(regrading.ROOT_SCENARIOS / name, target)
    return tmp_path / "bank"


def _central_history(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        return conn.execute(
            "SELECT h.answer_id, h.workstation_id, h.score, h.findings, h.regrade_bank_hash, "
            "h.regrade_catalogue_edition, h.trainee_id = a.trainee_id "
            "FROM grade_history h JOIN answers a ON a.id = h.answer_id ORDER BY 1"
        ).fetchall()


def _local_history(store: Store) -> list[tuple[Any, ...]]:
    return store.query(
        "SELECT h.answer_id, ?, h.score, h.findings, r.bank_hash, r.catalogue_edition, 1 "
        "FROM grade_history h JOIN regrades r ON r.id = h.regrade_id ORDER BY 1",
        [store.workstation_id],
    )


@pytest.mark.parametrize("fold", [True, False], ids=["folded", "left-to-the-read"])
def test_a_regrade_reaches_the_central_answers_with_its_history(
    central_url: str, tmp_path: Path, catalogue: Catalogue, fold: bool
) -> None:
    bank = _bank(tmp_path)
    with open_store(tmp_path / "data") as store:
        _, changing = regrading._seed(store, regrading._load(bank, catalogue), catalogue)
        first = sync(store, central_url, fold=fold)
        assert (first.answers, first.history, first.folded) == (4, 0, 4 if fold else 0)
        regrading._correct_the_key(bank)
        scenario = bank / regrading.FILES[0]  # ... and a topic that no longer applies
        text = scenario.read_text(encoding="utf-8")
        scenario.write_text(text.replace("going-equipped, ", "", 1), encoding="utf-8")
        assert regrade(store, regrading._load(bank, catalogue), catalogue).changed == 2
        assert waiting(store).answers == 2  # the regraded answers wait again

        report = sync(store, central_url, fold=fold)  # unfolded: answers and a regrade wait
        assert (report.answers, report.added, report.history) == (2, 0, 2)
        assert "2 earlier grade(s) of regraded answers" in report.describe()
        assert [h[0] for h in _central_history(central_url)] == sorted(changing)
        assert _central_history(central_url) == [
            (*h[:6], True) for h in _local_history(store)
        ]  # the grade before the regrade (100, no findings) and what it was regraded under
        with CentralStore(central_url) as central:
            new = {a.id: (a.score, a.finding_kinds, a.findings) for a in central.answers()}
            assert new == {a.id: (a.score, a.finding_kinds, a.findings) for a in store.answers()}
            assert sorted(new[i][0] for i in changing) == [80, 80]
            stamps = {a.id: a.bank_hash for a in central.answers() if a.id in changing}
            assert stamps == {a.id: a.bank_hash for a in store.answers() if a.id in changing}
            for flt in (
                TeamFilter(),
                *(TeamFilter(topic=t) for t in ("going-equipped", "misc-crime")),
            ):
                assert every_figure(central, flt, catalogue) == every_figure(store, flt, catalogue)

        assert sync(store, central_url).history == 0  # nothing waits
        resend_all(store)
        again = sync(store, central_url)  # everything offered again: nothing changes centrally
        assert (again.answers, again.added, again.history) == (4, 0, 0)
    counts = central_counts(central_url)
    assert counts["answers"] == 4 and counts["running whole"] == (True,)
    assert len(_central_history(central_url)) == 2


def test_answers_regraded_before_the_history_was_sent_wait_again(tmp_path: Path) -> None:
    """Schema step m0012: a workstation that synced its regraded answers before grade history
    went to the central store sends them again, with it."""
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=2, answers_each=5)
        regraded = [r[0] for r in store.query("SELECT id FROM answers ORDER BY seq LIMIT 3")]
        with store.write() as conn:
            conn.execute(
                "INSERT INTO regrades (id, started_at, started_ts, bank_hash, catalogue_edition) "
                "VALUES (1, '2026-04-02T09:00:00.000+00:00', 1, 'b', 'e')"
            )
            conn.executemany(
                "INSERT INTO grade_history (answer_id, regrade_id, score, findings, "
                "expected_decision, crime_groups, scenario_hash, catalogue_edition) "
                "VALUES (?, 1, 100, '[]', 'crime', '[]', 'h', 'e')",
                [(a,) for a in regraded],
            )
            conn.execute("DELETE FROM unsent_answers")  # all sent, without their history
            conn.execute(
                "DELETE FROM _sqlite_migrations WHERE name = 'm0013_history_outbox'"
            )  # as a store from before that step
    assert "m0013_history_outbox" in STEPS
    with open_store(tmp_path) as store:
        queued = store.query(
            "SELECT a.id FROM unsent_answers u JOIN answers a ON a.seq = u.seq ORDER BY u.seq"
        )
        assert [q[0] for q in queued] == regraded
