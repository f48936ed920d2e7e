"""Supervisor accounts: hashed passwords, back-off after failures, the failure log; resets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.core import store_data
from tests.core.summary_counts import trainee_counts
from trainer.core.errors import TrainerError
from trainer.core.store import accounts
from trainer.core.store.accounts import (
    FREE_TRIES,
    create_supervisor,
    failed_sign_ins,
    has_supervisors,
    password_matches,
    reset_profile,
    sign_in,
    supervisors,
)
from trainer.core.store.backups import list_backups
from trainer.core.store.sqlite import DB_NAME, Store, open_store

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def store() -> Store:
    store = Store.memory()
    create_supervisor(store, " Sam.Sergeant ", PASSWORD)
    return store


def test_passwords_are_stored_as_salted_scrypt_hashes(store: Store) -> None:
    create_supervisor(store, "pat", PASSWORD)
    hashes = [h for (h,) in store.query("SELECT password_hash FROM supervisors")]
    assert len(set(hashes)) == 2  # same password, different salts
    for stored in hashes:
        assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
        assert password_matches(PASSWORD, stored)
        assert not password_matches(PASSWORD + "!", stored)
    assert not password_matches(PASSWORD, "md5$whatever")


def test_accounts_are_listed_without_their_hashes() -> None:
    store = Store.memory()
    assert not has_supervisors(store)
    assert create_supervisor(store, "Zed", PASSWORD) == "zed"
    assert has_supervisors(store)
    [zed] = supervisors(store)
    assert zed.username == "zed" and zed.last_sign_in_at is None
    assert not hasattr(zed, "password_hash")


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("sam.sergeant", PASSWORD, "^sam.sergeant already has an account.$"),
        ("has space", PASSWORD, "^A username is 1 to 40 lowercase letters"),
        ("", PASSWORD, "^A username is 1 to 40"),
        ("newbie", "short", "^The password must be at least 10 characters.$"),
        ("newbie", "nine char", "^The password must be at least 10 characters.$"),
        ("newbie", " " * 12, "^The password must not be only spaces.$"),
        ("newbie", "x" * 1025, "^The password must be at most 1024 characters.$"),
    ],
)
def test_bad_accounts_are_refused(store: Store, username: str, password: str, message: str) -> None:
    with pytest.raises(TrainerError, match=message):
        create_supervisor(store, username, password)


def test_sign_in_with_the_right_password(store: Store) -> None:
    result = sign_in(store, "SAM.sergeant", PASSWORD, at=T0)
    assert result.ok and result.wait_seconds == 0
    assert supervisors(store)[0].last_sign_in_at == T0
    assert accounts.verify_supervisor(store, "sam.sergeant", PASSWORD)


def test_failures_back_off_and_are_logged(store: Store) -> None:
    waits = []
    moment = T0
    for _ in range(FREE_TRIES + 3):
        result = sign_in(store, "sam.sergeant", "wrong guess", at=moment)
        assert not result.ok and "Wrong username or password" in result.message
        waits.append(result.wait_seconds)
        moment += timedelta(seconds=result.wait_seconds + 0.5)
    assert waits == [0, 0, 1, 2, 4, 8]
    # during the wait even the right password is refused, without being checked
    early = sign_in(store, "sam.sergeant", PASSWORD, at=moment - timedelta(seconds=8))
    assert not early.ok and 0 < early.wait_seconds <= 8 and "wait" in early.message
    assert sign_in(store, "sam.sergeant", PASSWORD, at=moment).ok
    # success starts the count again
    assert (
        sign_in(store, "sam.sergeant", "wrong", at=moment + timedelta(seconds=1)).wait_seconds == 0
    )
    log = failed_sign_ins(store)
    assert [f.reason for f in log].count("wrong password") == FREE_TRIES + 4
    assert [f.reason for f in log].count("during back-off") == 1
    assert log[0].at == moment + timedelta(seconds=1)  # newest first


@pytest.mark.parametrize(("failures", "wait"), [(2, 0), (3, 1), (4, 2), (11, 256), (12, 300)])
def test_the_wait_doubles_up_to_five_minutes(failures: int, wait: float) -> None:
    assert accounts._delay(failures) == wait


def test_unknown_usernames_fail_like_wrong_passwords(store: Store) -> None:
    result = sign_in(store, "nobody", PASSWORD, at=T0)
    assert not result.ok and result.message == "Wrong username or password."
    assert [(f.username, f.reason) for f in failed_sign_ins(store)] == [
        ("nobody", "unknown username")
    ]


def test_reset_profile_clears_progress_but_keeps_the_trainee(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        keep, clear = store_data.seed(store, trainees=2, answers_each=25)
        assert reset_profile(store, clear, "sam") == 25
        assert store.answers(trainee_id=clear) == [] and store.sessions(clear) == []
        assert trainee_counts(store, clear).total.attempts == 0
        assert store.query("SELECT count(*) FROM answer_topics a JOIN answers b USING (seq)") == [
            (store.query("SELECT count(*) FROM answer_topics")[0][0],)
        ]
        assert len(store.answers(trainee_id=keep)) == 25
        assert trainee_counts(store, keep).total.attempts == 25
        assert clear in {t.id for t in store.trainees()}
        assert store.query("SELECT reset_by FROM trainee_resets") == [("sam",)]
    assert any(p.name.endswith("-reset.db") for p in list_backups(tmp_path / DB_NAME))
    with pytest.raises(TrainerError, match="no trainee"):
        reset_profile(Store.memory(), "ghost", "sam")


def test_a_reset_reads_the_trainees_own_rows_not_everyone_elses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write lock is held while a reset runs: its work (SQLite's virtual machine steps) stays
    the same when others have 40 times the answers. At a million answers it held the lock 10 s
    reading every summary row and, per deleted session, every answer."""
    from trainer.core.store import backups

    monkeypatch.setattr(backups, "make_backup", lambda *args: None)  # not what is measured

    def steps(others: int) -> int:
        with open_store(tmp_path / str(others)) as store:
            [clear] = store_data.seed(store, trainees=1, answers_each=30)
            for _ in range(3):  # more sessions, each checked against every answer before
                store.start_session(clear, "practice")
            store_data.seed(store, trainees=4, answers_each=others // 4, seed_=2)
            count = [0]

            def step() -> int:
                count[0] += 1
                return 0

            store.conn.set_progress_handler(step, 100)
            assert reset_profile(store, clear, "sam") == 30
            store.conn.set_progress_handler(None, 0)
            assert store.query("PRAGMA foreign_key_check") == []
            assert store.query("PRAGMA foreign_keys") == [(1,)]
            return count[0]

    few, many = steps(100), steps(4_000)
    assert many < few * 1.5, (few, many)


# Changing passwords, disabling and removing accounts ---------------------------------------------


def test_a_supervisor_changes_their_own_password(store: Store) -> None:
    with pytest.raises(TrainerError, match=r"^The current password is wrong\.$"):
        accounts.change_own_password(store, "sam.sergeant", "not it at all", "a new passphrase")
    with pytest.raises(TrainerError, match=r"^The password must be at least 10 characters\.$"):
        accounts.change_own_password(store, "sam.sergeant", PASSWORD, "short")
    accounts.change_own_password(store, "sam.sergeant", PASSWORD, "a new passphrase")
    assert not sign_in(store, "sam.sergeant", PASSWORD).ok
    assert sign_in(store, "sam.sergeant", "a new passphrase").ok


def test_a_disabled_supervisor_cannot_sign_in_until_enabled(store: Store) -> None:
    create_supervisor(store, "pat", PASSWORD)
    accounts.set_active(store, "pat", False, by="sam.sergeant")
    assert [s.active for s in supervisors(store)] == [False, True]  # pat, sam.sergeant
    result = sign_in(store, "pat", PASSWORD)
    assert not result.ok and result.message.startswith("Wrong username or password")
    assert failed_sign_ins(store)[0].reason == "account disabled"
    accounts.set_active(store, "pat", True, by="sam.sergeant")
    assert sign_in(store, "pat", PASSWORD, at=datetime.now(UTC) + timedelta(hours=1)).ok


def test_the_last_active_supervisor_stays(store: Store) -> None:
    with pytest.raises(TrainerError, match="last active supervisor and cannot be disabled"):
        accounts.set_active(store, "sam.sergeant", False)
    with pytest.raises(TrainerError, match="last active supervisor and cannot be removed"):
        accounts.remove_supervisor(store, "sam.sergeant")
    create_supervisor(store, "pat", PASSWORD)
    accounts.set_active(store, "pat", False)
    with pytest.raises(TrainerError, match="last active supervisor and cannot be removed"):
        accounts.remove_supervisor(store, "sam.sergeant")
    accounts.remove_supervisor(store, "pat")  # a disabled account can always go
    assert [s.username for s in supervisors(store)] == ["sam.sergeant"]


def test_nobody_disables_or_removes_their_own_account(store: Store) -> None:
    create_supervisor(store, "pat", PASSWORD)
    with pytest.raises(TrainerError, match="your own account"):
        accounts.set_active(store, "pat", False, by="Pat")
    with pytest.raises(TrainerError, match="your own account"):
        accounts.remove_supervisor(store, "pat", by="pat")
    with pytest.raises(TrainerError, match="no supervisor account called 'nobody'"):
        accounts.remove_supervisor(store, "nobody", by="pat")
    accounts.remove_supervisor(store, "pat", by="sam.sergeant")
    assert [s.username for s in supervisors(store)] == ["sam.sergeant"]
