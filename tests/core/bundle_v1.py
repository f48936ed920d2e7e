"""Version-1 bundles as trainers before signatures wrote them: one unsigned JSON document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from trainer.core.store.sqlite import Store


def _rows(store: Store, fields: Any, sql: str) -> list[dict[str, Any]]:
    names = tuple(fields)
    rows = store.query(sql.format(columns=", ".join(names)), [store.workstation_id])
    return [dict(zip(names, row, strict=True)) for row in rows]


def write_v1(store: Store, dest: Path) -> dict[str, Any]:
    """Write `store`'s own results as a version-1 bundle; returns the document."""
    from trainer.core.store.bundle_models import BundleAnswer, BundleSession, BundleTrainee

    trainees = _rows(
        store, BundleTrainee.model_fields,
        "SELECT {columns} FROM trainees WHERE id IN (SELECT trainee_id FROM quiz_sessions "
        "WHERE workstation_id = ?1 UNION SELECT trainee_id FROM answers WHERE workstation_id = ?1)"
        " ORDER BY id",
    )  # fmt: skip
    sessions = _rows(
        store, BundleSession.model_fields,
        "SELECT {columns} FROM quiz_sessions WHERE workstation_id = ? ORDER BY started_ts, id",
    )  # fmt: skip
    answers = _rows(
        store, BundleAnswer.model_fields,
        "SELECT {columns} FROM answers WHERE workstation_id = ? ORDER BY seq",
    )  # fmt: skip
    for answer in answers:
        for key in ("topics", "crime_groups", "answer", "findings", "asked"):
            answer[key] = json.loads(answer[key])
        answer["exam"] = bool(answer["exam"])
        if answer["cards"] is None:
            del answer["cards"]  # an answer from before cards were kept
        else:
            answer["cards"] = json.loads(answer["cards"])
    payload = {
        "workstation_id": store.workstation_id,
        "trainees": trainees,
        "sessions": sessions,
        "answers": answers,
    }
    data = {"format": "crime-recording-trainer-results", "version": 1, "payload": payload}
    seal(data)
    dest.write_text(json.dumps(data), encoding="utf-8")
    return data


def seal(data: dict[str, Any]) -> None:
    """Set the version-1 checksum to match the payload (as a forger would)."""
    from trainer.core.store.bundles import canonical

    data["sha256"] = hashlib.sha256(canonical(data["payload"]).encode()).hexdigest()
