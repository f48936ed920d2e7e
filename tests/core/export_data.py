"""A small store of real graded answers (with hostile names) for the export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.models import Answer, AnsweredCrime
from trainer.core.content.scenarios import LoadedScenario, load_file
from trainer.core.grading.grade import grade
from trainer.core.store.records import AnswerRecord
from trainer.core.store.sqlite import Store

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
KITCHEN = ROOT / "burglary/smashed-kitchen-window.yaml"
NOTE = ROOT / "miscellaneous/note-through-the-door.yaml"
BANK = "0123456789abcdef"  # the bank hash the seeded answers were graded under
HOSTILE_NAMES = (
    '=HYPERLINK("http://x","click")',
    'Smith, "Jo"\nsecond line',
    "\u202eevil\u202c Bidi",
    "+44 Zoë @home",
)


@dataclass
class Seeded:
    store: Store
    bank: dict[str, LoadedScenario]
    records: list[AnswerRecord]
    trainees: list[str]
    sessions: list[str]


def load(path: Path, catalogue: Catalogue) -> LoadedScenario:
    loaded, problems = load_file(path, catalogue)
    assert loaded is not None, problems
    return loaded


def seed(catalogue: Catalogue, store: Store | None = None) -> Seeded:
    """Four trainees with hostile names; each answers both scenarios (one falls into a trap)."""
    store = store or Store.memory()
    kitchen, note = load(KITCHEN, catalogue), load(NOTE, catalogue)
    answers = [
        (kitchen, Answer(decision="crime", crimes=(AnsweredCrime(offence="28J"),))),
        (kitchen, Answer(decision="crime", crimes=(AnsweredCrime(offence="58A", count=2),))),
        (note, Answer(decision="incident", incident_code="N100")),
        (note, Answer(decision="crime", crimes=(AnsweredCrime(offence="59"),))),
    ]
    records, trainees, sessions = [], [], []
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    for i, name in enumerate(HOSTILE_NAMES):
        trainee = store.create_trainee(f"T{i}", f"-{i}00,{i}", ("officer", "call-handler")[i % 2])
        with store.write() as conn:  # as a database from before control characters were refused
            conn.execute("UPDATE trainees SET name = ? WHERE id = ?", [name, trainee.id])
        session = store.start_session(trainee.id, "practice")
        trainees.append(trainee.id)
        sessions.append(session)
        for j, (loaded, answer) in enumerate(answers[i % 2 :: 1][:2] + answers[2 + i % 2 :][:1]):
            shown = start + timedelta(hours=i, minutes=5 * j)
            rec = AnswerRecord.build(
                trainee.id, session, loaded, answer, grade(loaded.scenario, answer, catalogue),
                shown, shown + timedelta(seconds=42.5), [], False, catalogue, bank_hash=BANK,
            )  # fmt: skip
            store.record_answer(rec)
            records.append(rec)
        if i < 3:
            store.finish_session(session)
    bank = {kitchen.scenario.id: kitchen, note.scenario.id: note}
    return Seeded(store, bank, records, trainees, sessions)
