"""Results bundles: how answers travel between offline workstations.

A bundle is one JSON document: `{"format", "version", "sha256", "payload"}`, where `sha256` is the
digest of the payload serialised canonically (sorted keys, no spaces, UTF-8). Importing checks
everything (size, JSON, format, checksum, every field's type and length, references) before it
writes anything, then merges in one transaction: rows already present are left alone, so importing
the same bundle twice adds nothing.

A bundle's grades are never trusted: every answer is graded again by this workstation's bank and
catalogue, and stored as if it had been given here. An answer to a scenario this bank does not
have cannot be graded here; it is not imported (and counted), so importing the bundle again once
the scenario is in the bank brings it in.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from trainer.core.content.bank_hash import bank_hash
from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, Grade
from trainer.core.content.scenarios import Library
from trainer.core.errors import TrainerError
from trainer.core.grading.grade import grade
from trainer.core.store.answer_rows import answer_params
from trainer.core.store.bundle_models import Bundle, BundleAnswer, BundleSession, BundleTrainee
from trainer.core.store.records import AnswerRecord, compact, to_iso
from trainer.core.store.regrade import same_findings
from trainer.core.store.sqlite import Store

FORMAT = "crime-recording-trainer-results"
VERSION = 1
MAX_BUNDLE_BYTES = 256 * 1024 * 1024


def canonical(payload: object) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Export -------------------------------------------------------------------------------------


def _rows(store: Store, fields: Iterable[str], sql: str) -> list[dict[str, Any]]:
    names = tuple(fields)
    rows = store.query(sql.format(columns=", ".join(names)), [store.workstation_id])
    return [dict(zip(names, row, strict=True)) for row in rows]


def _payload(store: Store) -> dict[str, Any]:
    """This workstation's sessions and answers, and the trainees they belong to."""
    trainees = _rows(
        store,
        BundleTrainee.model_fields,
        "SELECT {columns} FROM trainees WHERE id IN (SELECT trainee_id FROM quiz_sessions "
        "WHERE workstation_id = ?1 UNION SELECT trainee_id FROM answers WHERE workstation_id = ?1)"
        " ORDER BY id",
    )
    sessions = _rows(
        store,
        BundleSession.model_fields,
        "SELECT {columns} FROM quiz_sessions WHERE workstation_id = ? ORDER BY started_ts, id",
    )
    answers = _rows(
        store,
        BundleAnswer.model_fields,
        "SELECT {columns} FROM answers WHERE workstation_id = ? ORDER BY seq",
    )
    for answer in answers:
        for key in ("topics", "crime_groups", "answer", "findings", "asked"):
            answer[key] = json.loads(answer[key])
        answer["exam"] = bool(answer["exam"])
        if answer["cards"] is None:
            del answer["cards"]  # an answer from before cards were kept: as older bundles had it
        else:
            answer["cards"] = json.loads(answer["cards"])
    return {
        "workstation_id": store.workstation_id,
        "trainees": trainees,
        "sessions": sessions,
        "answers": answers,
    }


def export_bundle(store: Store, dest: Path) -> int:
    """Write this workstation's sessions and answers (and their trainees); returns the answers."""
    payload = _payload(store)
    body = canonical(payload)
    head = json.dumps({"format": FORMAT, "version": VERSION, "sha256": _digest(body)})
    part = dest.with_name(f".{dest.name}.part")
    try:
        part.write_text(f'{head[:-1]}, "payload": {body}}}\n', encoding="utf-8")
        os.replace(part, dest)
    except OSError as exc:
        raise TrainerError(f"{dest}: cannot write the bundle: {exc.strerror or exc}") from exc
    finally:
        part.unlink(missing_ok=True)
    return len(payload["answers"])


# Import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    trainees: int
    sessions: int
    answers: int
    already_present: int
    skipped_after_reset: int
    not_in_bank: int = 0  # answers to scenarios this bank lacks: not imported
    regraded: int = 0  # answers whose grade in the bundle differed from this bank's

    def grading_note(self) -> str:
        """'; 2 answer(s) were graded again ...', or '' when there is nothing to say."""
        note = ""
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
        return note


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "bundle"


def read_bundle(source: Path) -> Bundle:
    """Read and check a bundle without touching any database; TrainerError if anything is off."""
    name = str(source)
    try:
        size = source.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise TrainerError(f"{name}: is {size:,} bytes; a bundle may be at most 256 MiB")
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
    if data.get("version") != VERSION:
        raise TrainerError(
            f"{name}: version: unknown bundle version {data.get('version')!r}; "
            f"this trainer reads version {VERSION}"
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
        error = exc.errors()[0]
        raise TrainerError(f"{name}: {_where(tuple(error['loc']))}: {error['msg']}") from exc
    _check_references(bundle, name)
    return bundle


def _check_references(bundle: Bundle, name: str) -> None:
    trainees = {t.id for t in bundle.trainees}
    owners = {s.id: s.trainee_id for s in bundle.sessions}
    for i, s in enumerate(bundle.sessions):
        if s.trainee_id not in trainees:
            raise TrainerError(f"{name}: sessions[{i}].trainee_id: not among the bundle's trainees")
    for i, a in enumerate(bundle.answers):
        if owners.get(a.session_id) != a.trainee_id:
            raise TrainerError(
                f"{name}: answers[{i}].session_id: not a session of this trainee in the bundle"
            )


class _Grader:
    """Grades bundle answers with this workstation's bank (pairs seen before are not regraded)."""

    def __init__(self, library: Library, catalogue: Catalogue) -> None:
        self.by_id = library.by_id
        self.catalogue = catalogue
        self.bank_hash = bank_hash((s.scenario for s in library.scenarios), catalogue)
        self.grade = functools.lru_cache(20_000)(self._grade)

    def _grade(self, scenario_id: str, answer: Answer) -> Grade:
        return grade(self.by_id[scenario_id].scenario, answer, self.catalogue)

    def record(self, a: BundleAnswer) -> tuple[AnswerRecord, bool] | None:
        """The answer as this workstation records it, and whether its grade differs from the
        bundle's; None when the bank does not have its scenario."""
        loaded = self.by_id.get(a.scenario_id)
        if loaded is None:
            return None
        result = self.grade(a.scenario_id, a.answer)
        record = AnswerRecord.build(
            a.trainee_id, a.session_id, loaded, a.answer, result, shown_at=a.shown_at,
            answered_at=a.answered_at, asked=a.asked, exam=a.exam, catalogue=self.catalogue,
            bank_hash=self.bank_hash,
        )  # fmt: skip
        claimed = compact([f.model_dump(exclude_defaults=True) for f in a.findings])
        differs = a.score != result.score or not same_findings(claimed, record.findings_json)
        return dataclasses.replace(record, id=a.id), differs


def import_bundle(
    store: Store, source: Path, library: Library, catalogue: Catalogue
) -> ImportResult:
    """Merge a bundle into the store in one transaction (backed up first); nothing on error.
    Every answer is graded again with `library` and `catalogue` (see the module's docstring)."""
    bundle = read_bundle(source)
    grader = _Grader(library, catalogue)
    graded = {a.id: grader.record(a) for a in bundle.answers}
    if store.path is not None:
        from trainer.core.store.backups import backup_database

        backup_database(store.conn, store.path, "import")
    with store.write() as conn:
        resets: dict[str, float] = dict(
            conn.execute("SELECT trainee_id, max(reset_ts) FROM trainee_resets GROUP BY 1")
        )

        def kept(trainee_id: str, moment: float) -> bool:
            return moment > resets.get(trainee_id, float("-inf"))

        fresh = [a for a in bundle.answers if kept(a.trainee_id, a.answered_at.timestamp())]
        known = [g for a in fresh if (g := graded[a.id]) is not None]
        needed = {record.session_id for record, _ in known}  # a session may straddle a reset
        sessions = [
            s
            for s in bundle.sessions
            if s.id in needed or kept(s.trainee_id, s.started_at.timestamp())
        ]
        before = _counts(conn)
        conn.executemany(
            "INSERT INTO trainees (id, name, staff_number, role, created_at, workstation_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [(t.id, t.name, t.staff_number, t.role, to_iso(t.created_at), t.workstation_id)
             for t in bundle.trainees],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO quiz_sessions (id, trainee_id, mode, started_at, started_ts, "
            "finished_at, workstation_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET finished_at = coalesce(finished_at, excluded.finished_at)",
            [(s.id, s.trainee_id, s.mode, to_iso(s.started_at), s.started_at.timestamp(),
              to_iso(s.finished_at) if s.finished_at else None, s.workstation_id)
             for s in sessions],
        )  # fmt: skip
        origin = {a.id: a.workstation_id for a in fresh}
        present = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM answers WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps([record.id for record, _ in known])],
            )
        }
        added = store.insert_answer_rows(
            conn, (answer_params(record, origin[record.id]) for record, _ in known)
        )
        after = _counts(conn)
    return ImportResult(
        trainees=after[0] - before[0],
        sessions=after[1] - before[1],
        answers=added,
        already_present=len(known) - added,
        skipped_after_reset=len(bundle.answers) - len(fresh),
        not_in_bank=len(fresh) - len(known),
        regraded=sum(differs for record, differs in known if record.id not in present),
    )


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM trainees), (SELECT count(*) FROM quiz_sessions)"
    ).fetchone()
    return int(row[0]), int(row[1])
