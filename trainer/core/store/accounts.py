"""Supervisor accounts: salted scrypt hashes, sign-in with back-off, a log of failures; resets.

The first account is created from the command line (`trainer supervisors add`), by whoever
installs the application; supervisors then change their own password, and disable, enable or
remove another's account, but never leave the workstation without an active one.

After `FREE_TRIES` failed sign-ins in a row for a username, each further attempt must wait: 1 s,
then 2, 4, 8 ... up to 5 minutes. An attempt during the wait is refused without checking the
password (and logged), so guessing cannot go faster than the back-off allows.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from trainer.core.errors import TrainerError
from trainer.core.store.records import from_iso, now, to_iso
from trainer.core.store.schema import forget_trainee
from trainer.core.store.sqlite import Store

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MiB and tens of milliseconds per check
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
FREE_TRIES = 3
MAX_WAIT_S = 300.0
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
# failures that extend the back-off
_COUNTED = "('wrong password', 'unknown username', 'account disabled')"


ADD_COMMAND = "trainer supervisors add USERNAME"


@dataclass(frozen=True)
class Supervisor:
    username: str
    created_at: datetime
    last_sign_in_at: datetime | None
    active: bool = True


@dataclass(frozen=True)
class FailedSignIn:
    at: datetime
    username: str
    reason: str


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    wait_seconds: float  # before the next attempt is allowed; 0 when none is needed
    message: str


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$digest`: the parameters travel with the hash, so they can grow."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
            dklen=len(digest) // 2,
        )  # fmt: skip
    except ValueError:
        return False
    return hmac.compare_digest(given.hex(), digest)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check when the username is unknown, so that failure takes as long as another."""
    return hash_password(secrets.token_hex(8))


def check_username(text: str) -> str:
    name = text.strip().lower()
    if not USERNAME.match(name):
        raise TrainerError(
            "A username is 1 to 40 lowercase letters, digits, dots, hyphens or underscores, "
            "starting with a letter or a digit."
        )
    return name


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in plain English; None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"The password must be at least {MIN_PASSWORD} characters."
    if len(password) > MAX_PASSWORD:
        return f"The password must be at most {MAX_PASSWORD} characters."
    if not password.strip():
        return "The password must not be only spaces."
    return None


def _check_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise TrainerError(problem)
    return password


def has_supervisors(store: Store) -> bool:
    return bool(store.query("SELECT EXISTS (SELECT 1 FROM supervisors)")[0][0])


def create_supervisor(store: Store, username: str, password: str) -> str:
    """Add a supervisor; returns the username as stored (lowercase)."""
    name = check_username(username)
    hashed = hash_password(_check_password(password))
    with store.write() as conn:
        if conn.execute("SELECT 1 FROM supervisors WHERE username = ?", [name]).fetchone():
            raise TrainerError(f"{name} already has an account.")
        conn.execute(
            "INSERT INTO supervisors (username, password_hash, created_at) VALUES (?, ?, ?)",
            [name, hashed, to_iso(now())],
        )
    return name


def supervisors(store: Store) -> list[Supervisor]:
    rows = store.query(
        "SELECT username, created_at, last_sign_in_at, disabled_at IS NULL FROM supervisors "
        "ORDER BY username"
    )
    return [Supervisor(u, from_iso(c), from_iso(s) if s else None, bool(a)) for u, c, s, a in rows]


def _existing(conn: sqlite3.Connection, username: str) -> tuple[str, bool]:
    """The stored name of an account and whether it is active; a TrainerError if there is none."""
    name = username.strip().lower()
    row = conn.execute(
        "SELECT disabled_at IS NULL FROM supervisors WHERE username = ?", [name]
    ).fetchone()
    if row is None:
        raise TrainerError(f"There is no supervisor account called {name!r}.")
    return name, bool(row[0])


def _others_active(conn: sqlite3.Connection, name: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM supervisors WHERE disabled_at IS NULL AND username <> ?", [name]
        ).fetchone()[0]
    )


def set_password(store: Store, username: str, password: str) -> None:
    """Give an account a new password (from the command line: the workstation's own account)."""
    hashed = hash_password(_check_password(password))
    with store.write() as conn:
        name, _ = _existing(conn, username)
        conn.execute("UPDATE supervisors SET password_hash = ? WHERE username = ?", [hashed, name])


def change_own_password(store: Store, username: str, current: str, new: str) -> None:
    """A signed-in supervisor's change of password, after typing the current one again."""
    _check_password(new)
    row = store.query(
        "SELECT password_hash FROM supervisors WHERE username = ?", [username.strip().lower()]
    )
    if not row or not password_matches(current, row[0][0]):
        raise TrainerError("The current password is wrong.")
    set_password(store, username, new)


def set_active(store: Store, username: str, active: bool, by: str | None = None) -> None:
    """Enable or disable an account; never one's own, and never the last active one."""
    with store.write() as conn:
        name, was_active = _existing(conn, username)
        if by is not None and name == by.strip().lower():
            raise TrainerError("You cannot disable or enable your own account.")
        if was_active and not active and not _others_active(conn, name):
            raise TrainerError(f"{name} is the last active supervisor and cannot be disabled.")
        conn.execute(
            "UPDATE supervisors SET disabled_at = ? WHERE username = ?",
            [None if active else to_iso(now()), name],
        )


def remove_supervisor(store: Store, username: str, by: str | None = None) -> None:
    """Delete an account; never one's own, and never the last active one."""
    with store.write() as conn:
        name, active = _existing(conn, username)
        if by is not None and name == by.strip().lower():
            raise TrainerError("You cannot remove your own account.")
        if active and not _others_active(conn, name):
            raise TrainerError(f"{name} is the last active supervisor and cannot be removed.")
        conn.execute("DELETE FROM supervisors WHERE username = ?", [name])


def failed_sign_ins(store: Store, limit: int = 500) -> list[FailedSignIn]:
    """The most recent failed sign-ins, newest first."""
    rows = store.query(
        "SELECT at, username, reason FROM sign_in_failures ORDER BY at_ts DESC, id DESC LIMIT ?",
        [limit],
    )
    return [FailedSignIn(from_iso(at), user, reason) for at, user, reason in rows]


def _delay(failures: int) -> float:
    return 0.0 if failures < FREE_TRIES else min(2.0 ** (failures - FREE_TRIES), MAX_WAIT_S)


def _wait(store: Store, name: str, moment: datetime) -> tuple[int, float]:
    """Counted failures since the last success, and the seconds still to wait."""
    row = store.query(
        f"""SELECT count(*), max(at_ts) FROM sign_in_failures
            WHERE username = ?1 AND reason IN {_COUNTED} AND at_ts > coalesce(
                (SELECT last_sign_in_ts FROM supervisors WHERE username = ?1), 0)""",
        [name],
    )[0]
    failures, last = int(row[0]), row[1]
    if not failures:
        return 0, 0.0
    return failures, max(0.0, last + _delay(failures) - moment.timestamp())


def sign_in(store: Store, username: str, password: str, at: datetime | None = None) -> SignInResult:
    """Check a supervisor's password, with back-off after repeated failures."""
    moment = at or now()
    name = username.strip().lower()[:100]
    failures, wait = _wait(store, name, moment)
    if wait > 0:
        _log_failure(store, name, moment, "during back-off")
        return SignInResult(False, wait, f"Too many failed sign-ins: wait {wait:.0f} s.")
    row = store.query(
        "SELECT password_hash, disabled_at IS NULL FROM supervisors WHERE username = ?", [name]
    )
    if row and row[0][1] and password_matches(password, row[0][0]):
        with store.write() as conn:
            conn.execute(
                "UPDATE supervisors SET last_sign_in_at = ?, last_sign_in_ts = ? "
                "WHERE username = ?",
                [to_iso(moment), moment.timestamp(), name],
            )
        return SignInResult(True, 0.0, f"Signed in as {name}.")
    if not row or not row[0][1]:
        password_matches(password, _dummy_hash())  # as long as a real check
    reason = "unknown username" if not row else "account disabled" if not row[0][1] else None
    _log_failure(store, name, moment, reason or "wrong password")
    wait = _delay(failures + 1)
    note = f" Wait {wait:.0f} s before trying again." if wait else ""
    return SignInResult(False, wait, f"Wrong username or password.{note}")


def verify_supervisor(store: Store, username: str, password: str) -> bool:
    return sign_in(store, username, password).ok


def _log_failure(store: Store, name: str, moment: datetime, reason: str) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO sign_in_failures (username, at, at_ts, reason) VALUES (?, ?, ?, ?)",
            [name, to_iso(moment), moment.timestamp(), reason],
        )


def reset_profile(store: Store, trainee_id: str, by: str) -> int:
    """Clear a trainee's answers and sessions (after a backup); returns the answers removed.

    The trainee keeps their profile. The reset is recorded, so importing an old bundle later does
    not bring the cleared answers back.
    """
    trainee = store.trainee(trainee_id)
    if store.path is not None:
        from trainer.core.store.backups import make_backup

        make_backup(store, "reset")
    moment = now()
    with store.unchecked_references(), store.write() as conn:
        forget_trainee(store.db, trainee.id)
        removed = conn.execute("DELETE FROM answers WHERE trainee_id = ?", [trainee.id]).rowcount
        conn.execute("DELETE FROM unfinished_quizzes WHERE trainee_id = ?", [trainee.id])
        conn.execute("DELETE FROM quiz_sessions WHERE trainee_id = ?", [trainee.id])
        conn.execute(
            "INSERT INTO trainee_resets (trainee_id, reset_at, reset_ts, reset_by) "
            "VALUES (?, ?, ?, ?)",
            [trainee.id, to_iso(moment), moment.timestamp(), by],
        )
    return int(removed)
