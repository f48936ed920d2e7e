"""`trainer sync`: everything arrives once, whatever happens: twice, at once, after a crash."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.core import store_data
from trainer.cli import main
from trainer.core.errors import TrainerError
from trainer.core.store.central.sync import configure, sync, waiting
from trainer.core.store.sqlite import Store, open_store


def central_counts(url: str) -> dict[str, Any]:
    """Rows per table, and whether each person's running sums are whole and end at their totals."""
    with psycopg.connect(url, options="-c search_path=trainer") as conn:
        counts: dict[str, Any] = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in (
                "trainees",
                "profiles",
                "quiz_sessions",
                "answers",
                "answer_topics",
                "answer_groups",
                "trainee_running",
            )
        }
        counts["distinct ids"] = conn.execute("SELECT count(DISTINCT id) FROM answers").fetchone()
        counts["running whole"] = conn.execute(
            """
            SELECT bool_and(r.position = n.n AND r.c_score = n.s AND t.attempts = n.n)
            FROM (SELECT trainee_id, count(*) AS n, sum(score) AS s FROM answers
                  GROUP BY trainee_id) n
            JOIN trainee_running r ON r.trainee_id = n.trainee_id AND r.position = n.n
            JOIN (SELECT trainee_id, sum(attempts) AS attempts FROM trainee_totals
                  GROUP BY trainee_id) t ON t.trainee_id = n.trainee_id
            """
        ).fetchone()
    return counts


def test_sync_sends_everything_once_then_nothing(central_url: str, tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=5, answers_each=30)
        assert waiting(store).answers == 150
        first = sync(store, central_url, batch=40)
        assert (first.trainees, first.sessions, first.answers, first.added) == (5, 5, 150, 150)
        assert waiting(store).answers == 0 and waiting(store).last_synced is not None
        again = sync(store, central_url)
        assert (again.trainees, again.sessions, again.answers) == (0, 0, 0)
        assert again.round_trips == 1  # the schema check, and nothing else
    counts = central_counts(central_url)
    assert counts["answers"] == counts["distinct ids"][0] == 150
    assert counts["trainee_running"] == 150 and counts["running whole"] == (True,)


def test_a_crash_after_the_central_commit_sends_the_batch_again_harmlessly(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=4, answers_each=25)

        def crash(n: int) -> None:
            if n == 2:
                raise KeyboardInterrupt  # killed between the central commit and the local mark

        with pytest.raises(KeyboardInterrupt):
            sync(store, central_url, batch=30, after_commit=crash)
        # the first batch (a fifth of the others: 6) left the outbox, the second (30) not
        assert waiting(store).answers == 94
        report = sync(store, central_url, batch=30)
        assert report.answers == 94 and report.added == 64  # 30 of them were already there
        assert waiting(store).answers == 0
        groups = store.query("SELECT count(*) FROM answer_groups")[0][0]
    counts = central_counts(central_url)
    assert counts["answers"] == counts["distinct ids"][0] == 100
    assert counts["answer_groups"] == groups and counts["running whole"] == (True,)


def test_answers_staged_ahead_by_a_stopped_sync_are_discarded_after_a_day(
    central_url: str, tmp_path: Path
) -> None:
    """A sync stages the next batch's answers (their own commit) while the central store files
    the batch before; stopped in between, that staging is left over, and a day later dropped."""

    def staged() -> tuple[Any, ...]:
        with psycopg.connect(central_url, options="-c search_path=trainer") as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM stage_batches), (SELECT count(*) FROM stage_answers)"
            ).fetchone()
        assert row is not None
        return tuple(row)

    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=4, answers_each=25)

        def stop(n: int) -> None:
            raise KeyboardInterrupt  # the second batch is staged, the first filed

        with pytest.raises(KeyboardInterrupt):
            sync(store, central_url, batch=30, after_commit=stop)
        assert staged() == (1, 30)
        # the first batch (6) was filed; the second (30), staged ahead, is sent again
        assert sync(store, central_url, batch=30).added == 94
        assert staged() == (1, 30)  # not yet a day old
        with psycopg.connect(central_url, options="-c search_path=trainer") as conn:
            conn.execute("UPDATE stage_batches SET staged_at = now() - interval '25 hours'")
        with store.write() as conn:
            conn.execute("INSERT INTO unsent_answers (seq) SELECT max(seq) FROM answers")
        assert sync(store, central_url).added == 0  # the filing clears what is stale
        assert staged() == (0, 0)
    counts = central_counts(central_url)
    assert counts["answers"] == counts["distinct ids"][0] == 100
    assert counts["running whole"] == (True,)


def _workstation(folder: Path, seed: int, shared: int) -> Store:
    """A workstation with its own people and `shared` people also on the others (by staff
    number and name), each with answers."""
    rng = random.Random(seed)
    store = open_store(folder)
    bank = store_data.scenarios()
    people = [(f"Shared {n}", f"SH{n:03d}") for n in range(shared)]
    people += [(f"Own {seed}-{n}", f"W{seed}-{n:03d}") for n in range(3)]
    for name, number in people:
        trainee = store.create_trainee(name, number, "officer")
        session = store.start_session(trainee.id, "practice")
        store.record_answers(
            store_data.make_record(trainee.id, session, rng.choice(bank), rng,
                                   store_data.START + timedelta(minutes=rng.randrange(10_000)))
            for _ in range(20)
        )  # fmt: skip
    return store


def _workstations(tmp_path: Path, count: int = 4) -> list[Path]:
    """`count` workstations (closed), each with people of its own and two shared by all."""
    folders = [tmp_path / f"ws{n}" for n in range(count)]
    for n, folder in enumerate(folders):
        _workstation(folder, n, shared=2).close()
    return folders


def _pusher(url: str, errors: list[BaseException], fold: bool = True) -> Callable[[Path], None]:
    """A thread's work: sync one workstation in batches of 7, any failure kept in `errors`."""

    def push(folder: Path) -> None:
        try:
            with open_store(folder) as store:
                sync(store, url, batch=7, fold=fold)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    return push


def test_workstations_syncing_at_once_make_one_person_of_a_staff_number(
    central_url: str, tmp_path: Path
) -> None:
    folders = _workstations(tmp_path)
    errors: list[BaseException] = []
    run = _pusher(central_url, errors)
    threads = [threading.Thread(target=run, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = central_counts(central_url)
    assert counts["trainees"] == 2 + 4 * 3  # the shared two are one person each
    assert counts["profiles"] == 4 * 5
    assert counts["answers"] == counts["distinct ids"][0] == 4 * 5 * 20
    assert counts["running whole"] == (True,)


def test_a_staff_number_with_another_name_is_refused_and_its_results_wait(
    central_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workstation(tmp_path / "a", 1, shared=1).close()
    with open_store(tmp_path / "a") as store:
        sync(store, central_url)
    with open_store(tmp_path / "b") as store:
        other = store.create_trainee("Someone Else", "SH000", "officer")
        session = store.start_session(other.id, "practice")
        rng = random.Random(1)
        store.record_answer(
            store_data.make_record(other.id, session, store_data.scenarios()[0], rng,
                                   store_data.START)
        )  # fmt: skip
        fine = store.create_trainee("Fine Person", "F1", "officer")
    code = main(["sync", "--central", central_url, "--data-dir", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert code == 1
    assert "staff number SH000 is Someone Else here but Shared 0 in the central store" in err
    with open_store(tmp_path / "b") as store:
        left = waiting(store)
        assert (left.answers, left.trainees, left.sessions) == (1, 1, 1)
        assert store.trainee(fine.id)  # the other profile went through
    assert central_counts(central_url)["trainees"] == 1 + 3 + 1


def test_a_session_finished_after_it_was_sent_is_sent_again(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("A Person", "P1", "officer")
        session = store.start_session(trainee.id, "exam")
        assert sync(store, central_url).sessions == 1
        store.finish_session(session)
        assert sync(store, central_url).sessions == 1
    with psycopg.connect(central_url, options="-c search_path=trainer") as conn:
        row = conn.execute("SELECT finished_at FROM quiz_sessions").fetchone()
    assert row is not None and row[0] is not None


def test_an_unreachable_server_changes_nothing_and_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=1, answers_each=5)
        before = store.query("SELECT * FROM unsent_answers")
        rows = store.query("SELECT * FROM unsent_rows")
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["sync", "--central", url, "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trainer: central store {url}: cannot connect")
    with open_store(tmp_path) as store:
        assert store.query("SELECT * FROM unsent_answers") == before
        assert store.query("SELECT * FROM unsent_rows") == rows


def test_a_url_with_a_password_is_never_kept(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        for url in ("postgresql://ws:secret@db.example/trainer", "host=db password=secret"):
            with pytest.raises(TrainerError, match="holds a password"):
                configure(store, url)
        configure(store, "service=trainer", unit="north")
        assert store.query("SELECT value FROM meta WHERE key = 'central_url'") == [
            ("service=trainer",)
        ]


def test_a_server_without_the_schema_is_named(postgres_server: Any, tmp_path: Path) -> None:
    with open_store(tmp_path) as store, pytest.raises(TrainerError, match=r"cannot connect|sync"):
        sync(store, postgres_server.url("no_such_database"))


def test_resend_refills_a_store_restored_to_an_older_point(
    central_url: str, tmp_path: Path
) -> None:
    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=2, answers_each=10)
    assert main(["sync", "--central", central_url, "--data-dir", str(tmp_path)]) == 0
    with psycopg.connect(central_url, options="-c search_path=trainer") as conn:
        conn.execute("DELETE FROM answers WHERE seq > 15")  # as if restored from an older backup
    args = ["sync", "--resend", "--central", central_url, "--data-dir", str(tmp_path)]
    assert main(args) == 0
    with psycopg.connect(central_url, options="-c search_path=trainer") as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone() == (20,)


def test_psycopg_stays_off_the_start_path() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from trainer.cli import build_parser; build_parser(); "
        "import trainer.ui.main_window, trainer.ui.central, trainer.core.store.central.sync; "
        "print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_what_is_deleted_locally_stops_waiting(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        trainee = store.create_trainee("A Person", "P1", "officer")
        session = store.start_session(trainee.id, "practice")
        with store.write() as conn:
            conn.execute("DELETE FROM quiz_sessions WHERE id = ?", [session])
            conn.execute("DELETE FROM trainees WHERE id = ?", [trainee.id])
        left = waiting(store)
        assert (left.trainees, left.sessions) == (0, 0)


def test_a_regraded_answer_replaces_its_old_grade_centrally(
    central_url: str, tmp_path: Path, catalogue: Any
) -> None:
    from tests.core.test_central_figures import every_figure
    from trainer.core.reports.team import TeamFilter
    from trainer.core.store.central.reader import CentralStore
    from trainer.core.store.schema import rebuild_summaries

    with open_store(tmp_path) as store:
        store_data.seed(store, trainees=3, answers_each=12)
        sync(store, central_url)
        with store.write() as conn:  # as `trainer regrade` leaves them: new grades, summaries
            conn.execute(
                "UPDATE answers SET score = 100, findings = '[]', finding_kinds = '[]', "
                "finding_rules = '[]' WHERE seq % 3 = 0 AND score < 100"
            )
        rebuild_summaries(store.db)
        assert waiting(store).answers > 0
        assert sync(store, central_url).added == 0
        with CentralStore(central_url) as central:
            for flt in (TeamFilter(), TeamFilter(role="officer")):
                assert every_figure(central, flt, catalogue) == every_figure(store, flt, catalogue)


def test_dashboard_command_needs_a_central_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainer.cli import main

    assert main(["dashboard", "--data-dir", str(tmp_path)]) == 1
    assert "give --central URL" in capsys.readouterr().err
