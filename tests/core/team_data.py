"""A small team with known answers, for the dashboard's core and UI tests.

The figures the tests expect are worked out by hand from these numbers:

- Alice Archer (call-handler): 12 answers where a crime should have been recorded, 9 recorded
  (6 fully right, 3 with a miscount, score 60), 3 not recorded (score 0); 2 incidents answered
  right; 1 cancellation review wrong. 15 answers, mean (600 + 180 + 200) / 15 = 65.3.
- Bob Baker (officer): 40 answers where a crime should have been recorded, 38 recorded (30 fully
  right, 8 with a missed domestic abuse flag, score 80), 2 not recorded. Mean 3640 / 40 = 91.0.
- Carol Cole (officer): no answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trainer.core.store.records import AnswerRecord, new_id
from trainer.core.store.sqlite import Store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday

Finding = tuple[str, str, str]  # kind, rule, message
MISCOUNT: Finding = ("miscount", "one-crime-per-victim", "Recorded 1; the right number is 2.")
UNDER: Finding = ("under-recording", "burglary-entry-point-damage", "Did not record the burglary.")
UNDER_NCRS: Finding = ("under-recording", "ncrs-when-to-record", "Not recorded as a crime.")
MISSED_FLAG: Finding = ("missed-flag", "domestic-abuse-flag", "Missed the domestic abuse flag.")
WRONG_CANCEL: Finding = ("wrong-cancellation", "cancellation-not-for-withdrawal", "Cancelled it.")


def record(
    trainee_id: str,
    session_id: str,
    scenario_id: str,
    answered_at: datetime,
    *,
    score: int = 100,
    decision: str = "crime",
    expected: str = "crime",
    kind: str = "classify",
    topics: tuple[str, ...] = ("burglary",),
    groups: tuple[str, ...] = ("burglary",),
    findings: tuple[Finding, ...] = (),
    exam: bool = False,
) -> AnswerRecord:
    return AnswerRecord(
        id=new_id(),
        session_id=session_id,
        trainee_id=trainee_id,
        scenario_id=scenario_id,
        scenario_hash="0123456789abcdef",
        catalogue_edition="2026-27",
        scenario_title=scenario_id.replace("-", " ").capitalize(),
        kind=kind,
        topics=topics,
        expected_decision=expected,
        decision=decision,
        crime_groups=groups,
        answer_json=json.dumps({"decision": decision, "crimes": [], "flags": []}),
        score=score,
        findings_json=json.dumps([{"kind": k, "rule": r, "message": m} for k, r, m in findings]),
        finding_kinds=tuple(k for k, _, _ in findings),
        finding_rules=tuple(r for _, r, _ in findings),
        asked=(),
        exam=exam,
        shown_at=answered_at - timedelta(minutes=2),
        answered_at=answered_at,
    )


@dataclass(frozen=True)
class Team:
    alice: str
    bob: str
    carol: str


def alice_records(trainee_id: str, session: str) -> list[AnswerRecord]:
    """Fifteen answers, one a day from START."""
    day = [START + timedelta(days=i) for i in range(15)]
    out = [record(trainee_id, session, f"burglary-{i}", day[i]) for i in range(6)]
    out += [
        record(trainee_id, session, f"burglary-{i}", day[i], score=60, findings=(MISCOUNT,))
        for i in range(6, 9)
    ]
    out += [
        record(trainee_id, session, f"burglary-{i}", day[i], score=0, decision="incident",
               findings=(UNDER,))
        for i in range(9, 12)
    ]  # fmt: skip
    out += [
        record(trainee_id, session, f"lost-property-{i}", day[i], expected="incident",
               decision="incident", topics=("theft",), groups=())
        for i in (12, 13)
    ]  # fmt: skip
    out.append(
        record(trainee_id, session, "withdrawn-support", day[14], score=0, kind="cancellation",
               expected="retain", decision="cancel", topics=("cancellation",), groups=(),
               findings=(WRONG_CANCEL,))
    )  # fmt: skip
    return out


def bob_records(trainee_id: str, session: str) -> list[AnswerRecord]:
    """Forty answers, one every eight hours from START, all on the violence topic."""

    def one(
        i: int, score: int = 100, decision: str = "crime", findings: tuple[Finding, ...] = ()
    ) -> AnswerRecord:
        return record(
            trainee_id, session, f"assault-{i % 8}", START + timedelta(hours=8 * i),
            score=score, decision=decision, topics=("violence",),
            groups=("violence-against-the-person",), findings=findings,
        )  # fmt: skip

    return (
        [one(i) for i in range(30)]
        + [one(i, 80, findings=(MISSED_FLAG,)) for i in range(30, 38)]
        + [one(i, 0, "incident", (UNDER_NCRS,)) for i in range(38, 40)]
    )


def seed_team(store: Store) -> Team:
    alice = store.create_trainee("Alice Archer", "CH001", "call-handler")
    bob = store.create_trainee("Bob Baker", "OF001", "officer")
    carol = store.create_trainee("Carol Cole", "OF002", "officer")
    for trainee, records in ((alice, alice_records), (bob, bob_records)):
        session = store.start_session(trainee.id, "practice")
        store.record_answers(records(trainee.id, session))
    return Team(alice.id, bob.id, carol.id)


# Item analysis: ten trainees, three scenarios ------------------------------------------------

ABILITY = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)  # each trainee's score on the good items


def seed_items(store: Store) -> list[str]:
    """Ten trainees: two good items track ability; `bad-key` is got right by the weakest only."""
    ids = []
    for n, ability in enumerate(ABILITY):
        trainee = store.create_trainee(f"Trainee {n:02d}", f"IT{n:03d}", "call-handler")
        ids.append(trainee.id)
        session = store.start_session(trainee.id, "practice")
        at = START + timedelta(hours=n)
        store.record_answers(
            [
                record(trainee.id, session, "good-one", at, score=ability),
                record(trainee.id, session, "good-two", at, score=ability),
                record(trainee.id, session, "bad-key", at, score=110 - ability),
            ]
        )
    return ids
