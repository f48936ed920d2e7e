"""Sending xAPI statements to a learning record store: in batches, resumable, never twice.

Credentials come from the environment (TRAINER_LRS_USER, TRAINER_LRS_PASSWORD) or from a file
readable only by its owner (`user:password` on its first line); never from the command line,
where other users can read them. Each batch the LRS acknowledges is remembered in the database
(`xapi_sent`) in the same step, so a run cut short resumes where it stopped and a statement the
LRS has acknowledged is never posted again. Statement ids are stable, so even a batch whose
acknowledgement was lost is a no-op when re-sent (an LRS stores one statement per id).
"""

from __future__ import annotations

import base64
import os
import stat
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from trainer.core.errors import TrainerError
from trainer.core.store.records import now, to_iso
from trainer.core.store.sqlite import Store
from trainer.core.store.xapi import XAPI_VERSION, statements

USER_ENV, PASSWORD_ENV = "TRAINER_LRS_USER", "TRAINER_LRS_PASSWORD"
BATCH = 500
TIMEOUT = 30.0


@dataclass(frozen=True)
class SendResult:
    sent: int
    already_sent: int


def credentials(file: Path | None) -> tuple[str, str]:
    """(user, password) from `file` (owner-only) or the environment, or a one-line error."""
    if file is not None:
        try:
            mode = file.stat().st_mode
            if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
                raise TrainerError(
                    f"{file}: credentials file is readable by others "
                    f"(mode {stat.S_IMODE(mode):o}); run chmod 600 on it"
                )
            first = file.read_text(encoding="utf-8").splitlines()[:1]
        except OSError as exc:
            raise TrainerError(f"{file}: cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise TrainerError(f"{file}: not UTF-8 text") from exc
        user, sep, password = (first[0] if first else "").partition(":")
        if not sep or not user:
            raise TrainerError(f"{file}: line 1: expected user:password")
        return user, password
    env_user, env_password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not env_user or env_password is None:
        raise TrainerError(
            f"LRS credentials: set {USER_ENV} and {PASSWORD_ENV}, or give --credentials FILE"
        )
    return env_user, env_password


def endpoint(url: str) -> str:
    """The statements resource under an LRS endpoint (`https://lrs.example/xAPI/`)."""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise TrainerError(f"--lrs: {url!r} must be an http or https URL")
    url = url.rstrip("/")
    return url if url.endswith("/statements") else f"{url}/statements"


def _post(url: str, auth: str, body: bytes) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Basic {auth}",
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        if exc.code == 409:
            return 409
        detail = exc.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
        raise TrainerError(f"{url}: the LRS refused them: HTTP {exc.code} {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrainerError(f"{url}: cannot reach the LRS: {reason}") from exc


def _batches(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _remember(store: Store, lrs: str, ids: list[str]) -> None:
    stamp = to_iso(now(), "sent_at")
    with store.conn:
        store.conn.executemany(
            "INSERT OR IGNORE INTO xapi_sent (lrs, statement_id, sent_at) VALUES (?, ?, ?)",
            [(lrs, sid, stamp) for sid in ids],
        )


def send(
    store: Store,
    lrs_url: str,
    user: str,
    password: str,
    since: datetime | None = None,
    batch_size: int = BATCH,
) -> SendResult:
    """Post the statements not yet acknowledged by this LRS; returns what was sent."""
    url = endpoint(lrs_url)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    done = {sid for (sid,) in store.conn.execute(
        "SELECT statement_id FROM xapi_sent WHERE lrs = ?", [url]
    )}  # fmt: skip
    pending = ((sid, line) for sid, line in statements(store, since) if sid not in done)
    sent = 0
    for batch in _batches(pending, batch_size):
        body = ("[" + ",".join(line for _, line in batch) + "]").encode()
        if _post(url, auth, body) == 409:
            # Some statement in the batch differs from one the LRS holds under its id: post one by
            # one, so the rest still go; an equal statement is a no-op there, a different one is
            # reported and not remembered.
            for sid, line in batch:
                if _post(url, auth, f"[{line}]".encode()) == 409:
                    raise TrainerError(f"{url}: the LRS holds a different statement with id {sid}")
                _remember(store, url, [sid])
        else:
            _remember(store, url, [sid for sid, _ in batch])
        sent += len(batch)
    return SendResult(sent=sent, already_sent=len(done))
