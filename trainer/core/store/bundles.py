"""Results bundles: how answers travel between offline workstations.

Version 2 (written since signatures) is a stream, so writing and reading it takes the same memory
for a thousand answers or a million:

    one header line, padded to HEADER_BYTES: {"format", "version": 2, "workstation_id",
        "public_key", "counts", "payload_bytes", "payload_sha256", "signature"}
    the payload: gzip-compressed JSON lines, "T {trainee}", then "S {session}", then "A {answer}"

The signature (Ed25519, this workstation's key: see `keys`) covers the header, and through its
`payload_sha256` every byte of the payload. Importing checks the size, the header, the signature
and the payload's digest before it parses a single line, then reads the lines one at a time into
staging tables (this connection's TEMP tables: no lock on the database is held meanwhile), checks
them against this workstation's rules, and only then copies them in, as one transaction
(`publish`): a trainee's quiz meanwhile writes to the spool (`spool`) and does not wait. Rows
already present are left alone, so importing the same bundle twice adds nothing. There is no size
cap beyond the signed counts and a line limit the store's own limits always meet, so a bundle this
application writes is always one it can import (the cap was raised, not split into parts).

Version 1 (one JSON document, `{"format", "version", "sha256", "payload"}`, unsigned) is still
read, but only when the person importing vouches for it (`trust`).

A bundle's grades are never trusted: every answer is graded again by this workstation's bank and
catalogue, and stored as if it had been given here. An answer to a scenario this bank does not
have cannot be graded here; it is not imported (and counted), so importing the bundle again once
the scenario is in the bank brings it in.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import sqlite3
import weakref
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import BaseModel, ValidationError

from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer
from trainer.core.content.scenarios import Library
from trainer.core.errors import TrainerError
from trainer.core.grading.grade import grade
from trainer.core.store import keys
from trainer.core.store.answer_rows import ANSWER_COLUMNS, answer_params
from trainer.core.store.bundle_models import Bundle, BundleAnswer, BundleSession, BundleTrainee
from trainer.core.store.files import FILE_MODE, holding_import, writer_waiting
from trainer.core.store.import_journal import undo_import
from trainer.core.store.import_pace import ONE_GO, ONE_GO_TRIES, STEP, Pace
from trainer.core.store.records import AnswerRecord, compact, new_id, to_iso
from trainer.core.store.regrade import same_findings
from trainer.core.store.sqlite import Store

FORMAT = "crime-recording-trainer-results"
VERSION = 2
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  # version 1 only: it is read whole
HEADER_BYTES = 1024
MAX_LINE = 1024 * 1024  # a stored answer at every limit is far smaller (checked on export too)
MAX_ROWS = 100_000_000  # per kind, in the signed counts
READ_BLOCK = 1024 * 1024
HEADER_KEYS = {
    "format", "version", "workstation_id", "public_key", "counts", "payload_bytes",
    "payload_sha256", "signature",
}  # fmt: skip
V1_START = re.compile(  # how every version-1 bundle begins (known before reading the rest)
    rb'^\s*\{\s*"format"\s*:\s*"' + FORMAT.encode() + rb'"\s*,\s*"version"\s*:\s*1\s*,'
)


def canonical(payload: object) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Export -------------------------------------------------------------------------------------

_MEMORY_KEYS: weakref.WeakKeyDictionary[Store, keys.SigningKey] = weakref.WeakKeyDictionary()


def store_key(store: Store) -> keys.SigningKey:
    """The workstation's signing key (beside its database; an in-memory store gets its own)."""
    if store.path is not None:
        return keys.signing_key(store.path.parent)
    if store not in _MEMORY_KEYS:
        _MEMORY_KEYS[store] = keys.SigningKey.generate()
    return _MEMORY_KEYS[store]


def _json_object(fields: tuple[str, ...], raw: frozenset[str] = frozenset()) -> str:
    """SQL building each row's JSON object in SQLite (quick, and escaped by SQLite's JSON code):
    `raw` columns already hold JSON; `exam` is a boolean."""
    parts = []
    for name in fields:
        value = f"json({name})" if name in raw else name
        if name == "exam":
            value = "json(CASE exam WHEN 0 THEN 'false' ELSE 'true' END)"
        parts.append(f"'{name}', {value}")
    return f"json_object({', '.join(parts)})"


_TRAINEE_SQL = (
    f"SELECT {_json_object(tuple(BundleTrainee.model_fields))} FROM trainees "
    "WHERE id IN (SELECT trainee_id FROM quiz_sessions WHERE workstation_id = ?1 "
    "UNION SELECT trainee_id FROM answers WHERE workstation_id = ?1) ORDER BY id"
)
_SESSION_SQL = (
    f"SELECT {_json_object(tuple(BundleSession.model_fields))} FROM quiz_sessions "
    "WHERE workstation_id = ? ORDER BY started_ts, id"
)
# Columns stored as JSON text (cards may be NULL: an answer from before cards were kept).
_RAW_JSON = frozenset({"topics", "crime_groups", "answer", "findings", "asked", "cards"})
_ANSWER_SQL = (
    f"SELECT {_json_object(tuple(BundleAnswer.model_fields), _RAW_JSON)} FROM answers "
    "WHERE workstation_id = ? ORDER BY seq"
)


class _HashingReader(io.RawIOBase):
    """Hashes what is read through it: the payload parsed is the payload whose digest was
    checked, even if the file were replaced in between."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        self.sha.update(data)
        return len(data)


class _HashingWriter(io.RawIOBase):
    """Counts and hashes what passes on to the file (the compressed payload)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.sha.update(view)
        self.size += len(view)
        self.target.write(view)
        return len(view)


def _lines(store: Store, sql: str, tag: str) -> Iterator[str]:
    cursor = store.conn.execute(sql, [store.workstation_id])
    while rows := cursor.fetchmany(2000):
        for (row,) in rows:
            yield f"{tag} {row}\n"


def export_bundle(store: Store, dest: Path) -> int:
    """Write this workstation's sessions and answers (and their trainees), signed; returns the
    number of answers. Written as a stream: memory stays flat however many there are."""
    key = store_key(store)
    part = dest.with_name(f".{dest.name}.part")
    counts = {"trainees": 0, "sessions": 0, "answers": 0}
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)  # like the database
        with open(fd, "wb") as out:
            out.write(b" " * (HEADER_BYTES - 1) + b"\n")  # the header, once the digest is known
            hashing = _HashingWriter(out)
            with (
                store.guard(),
                gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=1, mtime=0) as packed,
                io.TextIOWrapper(packed, encoding="utf-8", newline="\n") as text,
            ):
                buffer: list[str] = []
                for kind, sql, tag in (
                    ("trainees", _TRAINEE_SQL, "T"),
                    ("sessions", _SESSION_SQL, "S"),
                    ("answers", _ANSWER_SQL, "A"),
                ):
                    for line in _lines(store, sql, tag):
                        if len(line) > MAX_LINE:  # the store's limits keep rows far smaller
                            raise TrainerError(f"{dest}: a stored {kind[:-1]} is too large")
                        counts[kind] += 1
                        buffer.append(line)
                        if len(buffer) >= 1000:
                            text.write("".join(buffer))
                            buffer.clear()
                text.write("".join(buffer))
            head: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "workstation_id": store.workstation_id,
                "public_key": keys.encode_key(key.public),
                "counts": counts,
                "payload_bytes": hashing.size,
                "payload_sha256": hashing.sha.hexdigest(),
            }
            head["signature"] = key.sign(canonical(head).encode("utf-8"))
            out.seek(0)
            out.write(json.dumps(head).encode("ascii").ljust(HEADER_BYTES - 1) + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, dest)
    except OSError as exc:
        raise TrainerError(f"{dest}: cannot write the bundle: {exc.strerror or exc}") from exc
    finally:
        part.unlink(missing_ok=True)
    return counts["answers"]


# Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    trainees: int
    sessions: int
    answers: int
    already_present: int
    skipped_after_reset: int
    not_in_bank: int = 0  # answers to scenarios this bank lacks: not imported
    regraded: int = 0  # answers whose grade in the bundle differed from this bank's
    linked: int = 0  # trainees already here under another id (same staff number and name)
    newly_trusted: str | None = None  # the fingerprint of a key trusted by this import

    def grading_note(self) -> str:
        """'; 2 answer(s) were graded again ...', or '' when there is nothing to say."""
        note = ""
        if self.linked:
            note += (
                f"; {self.linked} trainee(s) already here under the same staff number and name "
                "were linked to their profiles"
            )
        if self.regraded:
            note += (
                f"; {self.regraded} answer(s) carried a grade that differs from this "
                "workstation's bank and were graded again"
            )
        if self.not_in_bank:
            note += (
                f"; {self.not_in_bank} answer(s) to scenarios not in this bank were left out "
                "(import again once the scenarios are added)"
            )
        if self.newly_trusted:
            note += f"; the workstation key {self.newly_trusted} is now trusted"
        return note


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "bundle"


def read_bundle(source: Path) -> Bundle:
    """Read and check a version-1 bundle (unsigned, one JSON document) without touching any
    database; TrainerError if anything is off."""
    name = str(source)
    try:
        size = source.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise TrainerError(
                f"{name}: is {size:,} bytes; a version-1 bundle may be at most 256 MiB"
            )
        raw = source.read_bytes()
    except OSError as exc:
        raise TrainerError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TrainerError(f"{name}: is not UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise TrainerError(
            f"{name}:{exc.lineno}: malformed JSON ({exc.msg}); the file may be truncated"
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise TrainerError(f"{name}: malformed JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TrainerError(f"{name}: format: not a trainer results bundle")
    if data.get("version") != 1:
        raise TrainerError(
            f"{name}: version: unknown bundle version {data.get('version')!r}; "
            f"this trainer reads versions 1 and {VERSION}"
        )
    if set(data) != {"format", "version", "sha256", "payload"}:
        raise TrainerError(f"{name}: keys: expected format, version, sha256 and payload")
    expected = data["sha256"] if isinstance(data["sha256"], str) else ""
    body = canonical(data["payload"])
    if not hmac.compare_digest(_digest(body), expected):
        raise TrainerError(f"{name}: sha256: checksum does not match; the file was altered")
    try:
        bundle = Bundle.model_validate_json(body)  # strict, JSON rules: arrays become tuples
    except ValidationError as exc:
        raise TrainerError(f"{name}: {_problem(exc)}") from exc
    return bundle


def _problem(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> str:
    error = exc.errors()[0]
    return f"{_where(prefix + tuple(error['loc']))}: {error['msg']}"


@dataclass(frozen=True)
class Header:
    """What a bundle says about itself, checked: its signer and how much it holds."""

    version: int
    workstation_id: str
    public_key: bytes | None  # None: version 1, unsigned
    counts: dict[str, int]
    payload_bytes: int = 0
    payload_sha256: str = ""

    @property
    def fingerprint(self) -> str | None:
        return None if self.public_key is None else keys.fingerprint(self.public_key)


_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_header(source: Path) -> Header | None:
    """The checked header of a version-2 bundle: size, format, signature and the payload's digest
    are all verified here, before any of the payload is parsed. None for a version-1 bundle (no
    header to check: it is unsigned). TrainerError, one line, for anything else."""
    name = str(source)
    try:
        with open(source, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            first = f.read(HEADER_BYTES)
            if V1_START.match(first):
                return None
            if not first.startswith(b"{") or len(first) < HEADER_BYTES or first[-1:] != b"\n":
                if len(first) < HEADER_BYTES and first.startswith(b'{"format"'):
                    raise TrainerError(f"{name}: header: incomplete; the file is truncated")
                raise TrainerError(f"{name}: format: not a trainer results bundle")
            try:
                head = json.loads(first.decode("ascii"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise TrainerError(f"{name}: header: malformed") from exc
            header = _check_header(head, name)
            if size != HEADER_BYTES + header.payload_bytes:
                raise TrainerError(
                    f"{name}: payload: is {size - HEADER_BYTES:,} bytes, the header says "
                    f"{header.payload_bytes:,}; the file is truncated or was altered"
                )
            assert header.public_key is not None
            unsigned = {k: v for k, v in head.items() if k != "signature"}
            keys.verify(header.public_key, head["signature"], canonical(unsigned).encode(), name)
            sha = hashlib.sha256()
            while block := f.read(READ_BLOCK):
                sha.update(block)
            if not hmac.compare_digest(sha.hexdigest(), str(head["payload_sha256"])):
                raise TrainerError(
                    f"{name}: payload_sha256: does not match the payload; it was altered"
                )
    except OSError as exc:
        raise TrainerError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
    return header


def _check_header(head: object, name: str) -> Header:
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise TrainerError(f"{name}: format: not a trainer results bundle")
    if head.get("version") != VERSION:
        raise TrainerError(
            f"{name}: version: unknown bundle version {head.get('version')!r}; "
            f"this trainer reads versions 1 and {VERSION}"
        )
    if set(head) != HEADER_KEYS:
        raise TrainerError(f"{name}: header: expected {', '.join(sorted(HEADER_KEYS))}")
    station = head["workstation_id"]
    if not isinstance(station, str) or not _ID.match(station):
        raise TrainerError(f"{name}: workstation_id: not a workstation id")
    counts = head["counts"]
    if not (
        isinstance(counts, dict)
        and set(counts) == {"trainees", "sessions", "answers"}
        and all(type(n) is int and 0 <= n <= MAX_ROWS for n in counts.values())
    ):
        raise TrainerError(f"{name}: counts: expected trainees, sessions and answers counts")
    size = head["payload_bytes"]
    if type(size) is not int or size < 0:
        raise TrainerError(f"{name}: payload_bytes: not a size")
    public = keys.decode_key(head["public_key"], name)
    return Header(VERSION, station, public, dict(counts), size, str(head["payload_sha256"]))


M = TypeVar("M", bound=BaseModel)
_KINDS: dict[bytes, tuple[str, type[BaseModel]]] = {
    b"T": ("trainees", BundleTrainee),
    b"S": ("sessions", BundleSession),
    b"A": ("answers", BundleAnswer),
}


def _records(source: Path, header: Header) -> Iterator[tuple[str, int, BaseModel]]:
    """The payload's records, one line at a time, each checked against its model:
    (kind, index within its kind, record). Order, counts and line lengths are enforced."""
    name = str(source)
    seen = {"trainees": 0, "sessions": 0, "answers": 0}
    order = ["trainees", "sessions", "answers"]
    at = 0
    try:
        with open(source, "rb") as f:
            f.seek(HEADER_BYTES)
            hashing = _HashingReader(f)
            with gzip.GzipFile(fileobj=hashing, mode="rb") as packed:
                reader = io.BufferedReader(packed, READ_BLOCK)
                number = 0
                while line := reader.readline(MAX_LINE + 1):
                    number += 1
                    if len(line) > MAX_LINE or not line.endswith(b"\n"):
                        raise TrainerError(f"{name}: payload line {number}: too long or cut short")
                    kind, model = _KINDS.get(line[:1], ("", BaseModel))
                    if not kind or line[1:2] != b" ":
                        raise TrainerError(f"{name}: payload line {number}: not a record")
                    if kind != order[at]:
                        if order.index(kind) < at:
                            raise TrainerError(
                                f"{name}: payload line {number}: {kind} out of order"
                            )
                        at = order.index(kind)
                    index = seen[kind]
                    if index >= header.counts[kind]:
                        raise TrainerError(f"{name}: counts: more {kind} than the header says")
                    seen[kind] += 1
                    try:
                        record = model.model_validate_json(line[2:])
                    except ValidationError as exc:
                        raise TrainerError(f"{name}: {_problem(exc, (kind, index))}") from exc
                    yield kind, index, record
            while hashing.read(READ_BLOCK):  # whatever the decompressor left unread
                pass
            if not hmac.compare_digest(hashing.sha.hexdigest(), header.payload_sha256):
                raise TrainerError(f"{name}: payload_sha256: the file changed while being read")
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise TrainerError(f"{name}: payload: cannot be decompressed ({exc})") from exc
    if seen != header.counts:
        raise TrainerError(f"{name}: counts: the payload holds fewer records than the header says")


def _v1_records(bundle: Bundle) -> Iterator[tuple[str, int, BaseModel]]:
    for kind, rows in (
        ("trainees", bundle.trainees),
        ("sessions", bundle.sessions),
        ("answers", bundle.answers),
    ):
        for index, row in enumerate(rows):
            yield kind, index, row


# Import -------------------------------------------------------------------------------------


class _Grader:
    """Grades bundle answers with this workstation's bank. What depends only on the scenario and
    the answer (the grade and everything derived from it) is worked out once per distinct pair
    and reused: trainees give the same answers to the same scenarios again and again."""

    def __init__(self, library: Library, catalogue: Catalogue) -> None:
        self.by_id = library.by_id
        self.catalogue = catalogue
        self.bank_hash = bank_hash((s.scenario for s in library.scenarios), catalogue)
        self.fixed = functools.lru_cache(20_000)(self._fixed)
        self.graded = functools.lru_cache(20_000)(self._graded)
        self.pending: list[tuple[Any, ...]] = []
        self.staged = 0

    def _fixed(self, scenario_id: str, answer: Answer) -> tuple[tuple[Any, ...], ...]:
        """The stored columns from scenario_id to finding_rules, and bank_hash to cards (the
        certainty inside the answer, the rule cards from the scenario), for this answer to this
        scenario (checked by `AnswerRecord`)."""
        loaded = self.by_id[scenario_id]
        result = grade(loaded.scenario, answer, self.catalogue)
        record = AnswerRecord.build(
            "t", "s", loaded, answer, result, shown_at=_EPOCH, answered_at=_EPOCH, asked=(),
            exam=False, catalogue=self.catalogue, bank_hash=self.bank_hash,
        )  # fmt: skip
        params = answer_params(record, "")
        return params[3:17], params[24:]

    def _graded(
        self, scenario_id: str, answer: Answer, score: int, findings: tuple[BaseModel, ...]
    ) -> tuple[int, int]:
        """The key of this answer's graded columns (`fixed`, staged once in stage_graded through
        `pending`), and whether the grade the bundle carries differs from this bank's (1 or 0)."""
        middle, tail = self.fixed(scenario_id, answer)
        claimed = compact([f.model_dump(exclude_defaults=True) for f in findings])
        differs = score != middle[10] or not same_findings(claimed, middle[11])
        self.pending.append((len(self.pending) + self.staged + 1, *middle, *tail))
        return self.pending[-1][0], int(differs)

    def params(self, a: BundleAnswer) -> tuple[Any, ...] | None:
        """The answer's stage_answers row as this workstation grades it; None when the bank does
        not have its scenario."""
        if a.scenario_id not in self.by_id:
            return None
        key, differs = self.graded(a.scenario_id, a.answer, a.score, a.findings)
        shown, answered = a.shown_at, a.answered_at  # offsets in whole minutes (`Moment`)
        return (
            a.id, a.session_id, a.trainee_id, compact(a.asked) if a.asked else "[]",
            int(a.exam), shown.isoformat(timespec="milliseconds"),
            answered.isoformat(timespec="milliseconds"), answered.timestamp(),
            round(max(0.0, (answered - shown).total_seconds()), 3), a.workstation_id, key,
            differs,
        )  # fmt: skip

    def take_pending(self) -> list[tuple[Any, ...]]:
        """The graded columns not yet staged (each distinct grade is staged once)."""
        rows, self.pending = self.pending, []
        self.staged += len(rows)
        return rows


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# An answer is staged as its own columns and the key of its graded ones: many answers share
# those (`_Grader.fixed`), and they are the bulk of a row.
_COLUMNS = [c.strip() for c in ANSWER_COLUMNS.split(",")]
_OWN, _GRADED = _COLUMNS[:3] + _COLUMNS[17:24], _COLUMNS[3:17] + _COLUMNS[24:]
_STAGE = f"""
    DROP TABLE IF EXISTS temp.stage_trainees;
    DROP TABLE IF EXISTS temp.stage_sessions;
    DROP TABLE IF EXISTS temp.stage_answers;
    DROP TABLE IF EXISTS temp.stage_graded;
    CREATE TEMP TABLE stage_trainees (
        n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT, staff_number TEXT,
        role TEXT, created_at TEXT, workstation_id TEXT, local_id TEXT
    );
    CREATE TEMP TABLE stage_sessions (
        n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, trainee_id TEXT, mode TEXT,
        started_at TEXT, started_ts REAL, finished_at TEXT, workstation_id TEXT
    );
    CREATE TEMP TABLE stage_graded (k INTEGER PRIMARY KEY, {", ".join(_GRADED)});
    CREATE TEMP TABLE stage_answers (n INTEGER PRIMARY KEY, {", ".join(_OWN)}, k, differs);
"""
_PUT_GRADED = f"INSERT INTO temp.stage_graded VALUES ({', '.join('?' * (len(_GRADED) + 1))})"
_PUT_ANSWER = (
    f"INSERT INTO temp.stage_answers ({', '.join(_OWN)}, k, differs) "
    f"VALUES ({', '.join('?' * (len(_OWN) + 2))})"
)
_STAGED_COLUMNS = ", ".join(f"g.{c}" if c in _GRADED else f"s.{c}" for c in _COLUMNS)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class _Import:
    def __init__(self, store: Store, source: Path, library: Library, catalogue: Catalogue) -> None:
        self.store = store
        self.conn = store.conn
        self.name = str(source)
        self.grader = _Grader(library, catalogue)
        self.not_in_bank = 0

    def refuse(self, message: str) -> TrainerError:
        return TrainerError(f"{self.name}: {message}")

    # Staging: no lock on the database is held while the bundle is read and graded.

    def stage(self, records: Iterator[tuple[str, int, BaseModel]]) -> None:
        self.conn.executescript(_STAGE)
        own = self.store.workstation_id
        batch: list[tuple[Any, ...]] = []
        for kind, index, record in records:
            where = f"{kind}[{index}]"
            # A trainee may come from here (profiles travel); a session or answer never does.
            travelled = isinstance(record, BundleSession | BundleAnswer)
            if travelled and record.workstation_id == own:  # type: ignore[attr-defined]
                raise self.refuse(f"{where}.workstation_id: is this workstation's own id")
            if isinstance(record, BundleAnswer):
                row = self.grader.params(record)
                if row is None:
                    self.not_in_bank += 1
                    continue
                batch.append(row)
                if len(batch) >= 2000:
                    self._put(batch)
            elif isinstance(record, BundleTrainee):
                self._insert(
                    "INSERT INTO temp.stage_trainees (id, name, staff_number, role, created_at, "
                    "workstation_id) VALUES (?, ?, ?, ?, ?, ?)",
                    (record.id, record.name.strip(), record.staff_number.strip(), record.role,
                     to_iso(record.created_at), record.workstation_id),
                    where,
                )  # fmt: skip
            elif isinstance(record, BundleSession):
                self._insert(
                    "INSERT INTO temp.stage_sessions (id, trainee_id, mode, started_at, "
                    "started_ts, finished_at, workstation_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (record.id, record.trainee_id, record.mode, to_iso(record.started_at),
                     record.started_at.timestamp(),
                     to_iso(record.finished_at) if record.finished_at else None,
                     record.workstation_id),
                    where,
                )  # fmt: skip
        self._put(batch)
        self._commit()

    def _insert(self, sql: str, row: tuple[Any, ...], where: str) -> None:
        try:
            self.conn.execute(sql, row)
        except sqlite3.IntegrityError as exc:
            raise self.refuse(f"{where}.id: appears twice in the bundle") from exc

    def _put(self, batch: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(_PUT_GRADED, self.grader.take_pending())
        self.conn.executemany(_PUT_ANSWER, batch)
        batch.clear()

    def _commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")  # the TEMP tables only: nothing of the database

    # Checks: the rules a local write meets, over the whole bundle, before anything is written.

    def _first(self, sql: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql).fetchone()
        return row

    def check(self) -> int:
        """Refuse what a local write could not do; link trainees already here; returns how many
        trainees were linked."""
        row = self._first(
            "SELECT s.n - 1 FROM temp.stage_sessions s WHERE s.trainee_id NOT IN "
            "(SELECT id FROM temp.stage_trainees) ORDER BY s.n LIMIT 1"
        )
        if row:
            raise self.refuse(f"sessions[{row[0]}].trainee_id: not among the bundle's trainees")
        row = self._first(
            "SELECT a.n - 1 FROM temp.stage_answers a LEFT JOIN temp.stage_sessions s "
            "ON s.id = a.session_id WHERE s.trainee_id IS NOT a.trainee_id ORDER BY a.n LIMIT 1"
        )
        if row:
            raise self.refuse(
                f"answers[{row[0]}].session_id: not a session of this trainee in the bundle"
            )
        row = self._first(
            "SELECT b.n - 1, b.staff_number FROM temp.stage_trainees a JOIN temp.stage_trainees b "
            "ON a.staff_number = b.staff_number AND a.n < b.n ORDER BY b.n LIMIT 1"
        )
        if row:
            raise self.refuse(
                f"trainees[{row[0]}].staff_number: {row[1]} is used by two trainees in the bundle"
            )
        linked = 0
        clashes = self.conn.execute(
            "SELECT s.n - 1, s.id, s.name, s.staff_number, t.id, t.name FROM temp.stage_trainees s "
            "JOIN trainees t ON t.staff_number = s.staff_number AND t.id <> s.id ORDER BY s.n"
        ).fetchall()
        for index, theirs, name, staff, ours, our_name in clashes:
            if not _same_name(name, our_name):
                raise self.refuse(
                    f"trainees[{index}].staff_number: {staff} is already held here by "
                    f"{our_name}, not {name}"
                )
            self.conn.execute(
                "UPDATE temp.stage_trainees SET local_id = ? WHERE id = ?", [ours, theirs]
            )
            linked += 1
        if linked:  # the same person: their sessions and answers join the profile here
            for table in ("stage_sessions", "stage_answers"):
                self.conn.execute(
                    f"UPDATE temp.{table} SET trainee_id = (SELECT local_id FROM "
                    "temp.stage_trainees t WHERE t.id = trainee_id) WHERE trainee_id IN "
                    "(SELECT id FROM temp.stage_trainees WHERE local_id IS NOT NULL)"
                )
        row = self._first(
            "SELECT s.n - 1, s.id FROM temp.stage_sessions s JOIN quiz_sessions q ON q.id = s.id "
            "WHERE q.trainee_id <> s.trainee_id ORDER BY s.n LIMIT 1"
        )
        if row:
            raise self.refuse(
                f"sessions[{row[0]}].id: session {row[1]} belongs here to another trainee"
            )
        row = self._first(
            "SELECT a.n - 1, a.id FROM temp.stage_answers a JOIN answers x ON x.id = a.id "
            "WHERE x.trainee_id <> a.trainee_id ORDER BY a.n LIMIT 1"
        )
        if row:
            raise self.refuse(
                f"answers[{row[0]}].id: answer {row[1]} is stored here for another trainee"
            )
        self._commit()
        return linked

    def drop_reset(self) -> int:
        """Leave out answers given before their trainee's profile was last reset here (and the
        sessions only they needed); returns how many answers."""
        self.conn.executescript(
            """
            DROP TABLE IF EXISTS temp.stage_resets;
            CREATE TEMP TABLE stage_resets AS
                SELECT trainee_id, max(reset_ts) AS ts FROM trainee_resets GROUP BY 1;
            """
        )
        dropped = self.conn.execute(
            "DELETE FROM temp.stage_answers WHERE answered_ts <= "
            "(SELECT ts FROM temp.stage_resets r WHERE r.trainee_id = stage_answers.trainee_id)"
        ).rowcount
        self.conn.execute(  # a session may straddle a reset: kept while an answer needs it
            "DELETE FROM temp.stage_sessions WHERE started_ts <= (SELECT ts FROM "
            "temp.stage_resets r WHERE r.trainee_id = stage_sessions.trainee_id) AND id NOT IN "
            "(SELECT session_id FROM temp.stage_answers)"
        )
        self._commit()
        return int(dropped)

    # Publishing: one transaction, or short ones undone if any of them fails.

    def publish(self, trust: tuple[bytes, str, str] | None) -> tuple[int, int, int, int]:
        """Copy the staged rows in; returns (trainees, sessions, answers, regraded) added.

        The bundle goes in as one transaction (in steps of STEP answers, so that memory does not
        grow with it): another window sees all of it or none of it. Meanwhile the import holds
        `<database>-importing`, so a trainee's quiz writes go to the spool instead of waiting
        (`spool`), and are replayed when it ends. Another writer (a supervisor's change, say) that
        comes to wait rolls that transaction back and goes first; the import is then tried again
        in one go (ONE_GO_TRIES in all). Where there is no spool (a system without `flock`), only
        a bundle of one step is tried again, and a larger one has its people and sessions go in
        first and its answers in chunks (`import_pace`), seen as they go in. So is any bundle
        after its last try. Each chunk journals the rows it added; the last one clears the
        journal, so an import that fails, or a process killed half-way, is taken out again
        (`undo_import`)."""
        try:
            with holding_import(self.store.path) as spooling:
                return self._publish(trust, spooling)
        finally:  # the quiz writes kept meanwhile go in now (or at the next one, if this fails)
            with contextlib.suppress(TrainerError, sqlite3.Error, OSError):
                self.store.drain_spool()

    def _publish(
        self, trust: tuple[bytes, str, str] | None, spooling: bool
    ) -> tuple[int, int, int, int]:
        store, conn = self.store, self.conn
        import_id, pid = new_id(), os.getpid()

        def top(table: str, key: str) -> int:
            return int(conn.execute(f"SELECT coalesce(max({key}), 0) FROM {table}").fetchone()[0])

        def journal(table: str, key: str, after: int) -> int:
            last = top(table, key)
            if last > after:
                conn.execute(
                    "INSERT INTO import_journal (import_id, pid, tbl, after_row, last_row) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [import_id, pid, table, after, last],
                )
            return last - after

        def finish() -> None:  # in the transaction that makes the import whole
            conn.execute("DELETE FROM import_journal WHERE import_id = ?", [import_id])
            if trust is not None:
                keys.trust_key(conn, *trust)

        restore = _bulk_pragmas(conn)
        try:
            last = conn.execute("SELECT coalesce(max(n), 0) FROM temp.stage_answers").fetchone()[0]
            pace = Pace(store.path)
            tries = 0
            while (
                last <= ONE_GO
                and tries < ONE_GO_TRIES
                and (spooling or not writer_waiting(store.path))
            ):
                if spooling:  # a writer who came before the import took hold goes first
                    pace.let_writers_in()
                tries += 1
                try:
                    with store.write(), pace.chunk(conn, last, watched=True):
                        people = self._publish_people(top, journal)
                        count = changed = 0
                        for at in range(0, last, STEP):  # sorts and summaries stay step-sized
                            added, regraded = self._publish_chunk(at, STEP, journal)
                            count, changed = count + added, changed + regraded
                        finish()
                    return (*people, count, changed)
                except (sqlite3.OperationalError, TrainerError):  # (as store.write words it)
                    if not pace.interrupted:  # not the watch's interruption: a real failure
                        raise
                    pace.let_writers_in()  # rolled back
                if last > STEP and not spooling:  # without a spool, only one step is tried again
                    break
            with store.write():
                trainees, sessions = self._publish_people(top, journal)
            added = regraded = at = 0
            while True:
                try:
                    with store.write(), pace.chunk(conn) as size:
                        count, changed = self._publish_chunk(at, size, journal)
                        done = at + size >= last
                        if done:  # the last chunk makes the import whole
                            finish()
                except (sqlite3.OperationalError, TrainerError):
                    if not pace.interrupted:
                        raise
                    pace.let_writers_in()  # rolled back: done again in short chunks
                    continue
                pace.finished()
                added, regraded, at = added + count, regraded + changed, at + size
                if done:
                    break
                pace.let_writers_in()
        except BaseException:
            undo_import(store, import_id)
            raise
        finally:
            restore()
        return trainees, sessions, added, regraded

    def _publish_people(
        self, top: Callable[[str, str], int], journal: Callable[[str, str, int], int]
    ) -> tuple[int, int]:
        """Copy the staged trainees and sessions in; returns how many of each were added."""
        conn = self.conn
        after = top("trainees", "rowid")
        conn.execute(
            "INSERT INTO trainees (id, name, staff_number, role, created_at, "
            "workstation_id) SELECT id, name, staff_number, role, created_at, "
            "workstation_id FROM temp.stage_trainees WHERE local_id IS NULL "
            "ON CONFLICT (id) DO NOTHING"
        )
        trainees = journal("trainees", "rowid", after)
        after = top("quiz_sessions", "rowid")
        conn.execute(
            "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, "
            "finished_at, workstation_id) SELECT id, trainee_id, mode, started_at, "
            "started_ts, finished_at, workstation_id FROM temp.stage_sessions WHERE true "
            "ON CONFLICT (id) DO UPDATE SET "
            "finished_at = coalesce(finished_at, excluded.finished_at)"
        )
        return trainees, journal("quiz_sessions", "rowid", after)

    def _publish_chunk(
        self, at: int, size: int, journal: Callable[[str, str, int], int]
    ) -> tuple[int, int]:
        """Copy the staged answers at + 1 to at + size in; returns how many were added and how
        many of those were graded again."""
        conn = self.conn
        first = int(conn.execute("SELECT coalesce(max(seq), 0) FROM answers").fetchone()[0])
        conn.execute(
            f"INSERT INTO answers ({ANSWER_COLUMNS}) SELECT {_STAGED_COLUMNS} "
            "FROM temp.stage_answers s JOIN temp.stage_graded g ON g.k = s.k "
            "WHERE s.n > ? AND s.n <= ? ORDER BY s.n ON CONFLICT (id) DO NOTHING",
            [at, at + size],
        )
        count = journal("answers", "seq", first)
        if not count:
            return 0, 0
        staged, regraded = conn.execute(
            "SELECT count(*), sum(differs) FROM temp.stage_answers WHERE n > ? AND n <= ?",
            [at, at + size],
        ).fetchone()
        if count < staged:  # some were here already: count only those added
            regraded = conn.execute(
                "SELECT count(*) FROM temp.stage_answers s JOIN answers a ON a.id = s.id "
                "WHERE s.n > ? AND s.n <= ? AND a.seq > ? AND s.differs",
                [at, at + size, first],
            ).fetchone()[0]
        summarise(conn, first)
        return count, int(regraded)

    def close(self) -> None:
        self._commit()
        for table in ("trainees", "sessions", "answers", "graded", "resets"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.stage_{table}")
        self._commit()


def _bulk_pragmas(conn: sqlite3.Connection) -> Callable[[], None]:
    """For the import's connection: a larger page cache (the chunks rewrite the same index pages)
    and a WAL checkpoint every 80 MB instead of every 4 MB (a page rewritten by many chunks is
    copied back once, not once per checkpoint). Returns what puts them back."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    checkpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA cache_size = -131072")
    conn.execute("PRAGMA wal_autocheckpoint = 20000")

    def restore() -> None:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")

    return restore


def summarise(conn: sqlite3.Connection, after: int) -> None:
    from trainer.core.store.answer_rows import summarise_after

    summarise_after(conn, after)


class UnsignedBundle(TrainerError):
    """A version-1 bundle, refused unless the person importing vouches for it."""


def check_trust(store: Store, source: Path, header: Header | None, trust: bool) -> bool:
    """Whether the bundle's signer must be trusted by this import; raises when the bundle cannot
    be imported from this signer (keys.UntrustedKey when a supervisor may accept it)."""
    name = str(source)
    if header is None:
        if not trust:
            raise UnsignedBundle(
                f"{name}: version: an unsigned (version 1) bundle; import it with --trust only "
                "if you know where it came from"
            )
        return False
    if header.workstation_id == store.workstation_id:
        raise TrainerError(f"{name}: workstation_id: is this workstation's own id")
    assert header.public_key is not None and header.fingerprint is not None
    if header.public_key == store_key(store).public:
        raise TrainerError(f"{name}: public_key: is this workstation's own key")
    known = keys.trusted_workstation(store.conn, header.fingerprint)
    if store.conn.in_transaction:
        store.conn.execute("COMMIT")
    if known is not None and known != header.workstation_id:
        raise TrainerError(
            f"{name}: workstation_id: the key {header.fingerprint} is trusted for workstation "
            f"{known}, not {header.workstation_id}"
        )
    if known is None and not trust:
        raise keys.UntrustedKey(
            f"{name}: signed by a key this workstation does not trust (fingerprint "
            f"{header.fingerprint}); if you know it is that workstation's, import with --trust",
            header.fingerprint,
            header.workstation_id,
        )
    return known is None


def import_bundle(
    store: Store,
    source: Path,
    library: Library,
    catalogue: Catalogue,
    trust: bool = False,
    accepted_by: str = "command line",
) -> ImportResult:
    """Merge a bundle into the store; nothing is changed on error. The bundle's signer must be
    trusted here, or `trust` vouches for it (and it is trusted from then on; `accepted_by` says
    who vouched). Every answer is graded again with `library` and `catalogue`."""
    header = read_header(source)
    new_key = check_trust(store, source, header, trust)
    if store.query("SELECT 1 FROM import_journal LIMIT 1"):
        undo_import(store)  # an import killed half-way: taken out before this one
    records = _v1_records(read_bundle(source)) if header is None else _records(source, header)
    job = _Import(store, source, library, catalogue)
    try:
        with store.guard():
            job.stage(records)
            linked = job.check()
            skipped = job.drop_reset()
            staged = job.conn.execute("SELECT count(*) FROM temp.stage_answers").fetchone()[0]
            vouched = None
            if new_key and header is not None and header.public_key is not None:
                vouched = (header.public_key, header.workstation_id, accepted_by)
            trainees, sessions, added, regraded = job.publish(vouched)
    except BaseException:
        if store.conn.in_transaction:
            store.conn.execute("ROLLBACK")
        raise
    finally:
        job.close()
    return ImportResult(
        trainees=trainees,
        sessions=sessions,
        answers=added,
        already_present=staged - added,
        skipped_after_reset=skipped,
        not_in_bank=job.not_in_bank,
        regraded=regraded,
        linked=linked,
        newly_trusted=header.fingerprint if new_key and header is not None else None,
    )
