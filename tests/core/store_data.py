"""Synthetic answers for store tests and benchmarks: quick to make, no grading needed."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trainer.core.content.models import Answer
from trainer.core.content.validation import validate
from trainer.core.store.records import AnswerRecord, compact, new_id
from trainer.core.store.sqlite import Store

KINDS = ("under-recording", "over-recording", "misclassification", "miscount", "missed-flag")
RULES = ("one-crime-per-victim", "principal-crime-rule", "burglary-entry-point-damage",
         "finished-incident-rule", "ncrs-when-to-record", "hate-crime-flag")  # fmt: skip
TOPICS = ("burglary", "theft", "violence", "criminal-damage", "fraud", "hate-crime", "attempts")
GROUPS = ("burglary", "theft", "violence-against-the-person", "arson-and-criminal-damage")
TITLES = ("Smashed kitchen window", 'The "borrowed" bike', "=HYPERLINK(\"http://x\")",
          "Shop theft, again", "-5 degrees outside", "@home assault", "Café — ünïcode")  # fmt: skip
START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeScenario:
    id: str
    title: str
    kind: str
    topics: tuple[str, ...]
    expected: str
    groups: tuple[str, ...]


def scenarios(count: int = 120, seed: int = 1) -> list[FakeScenario]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind = "cancellation" if i % 6 == 5 else "classify"
        if kind == "cancellation":
            expected = rng.choice(("retain", "cancel"))
        else:
            expected = rng.choice(("crime", "crime", "crime", "incident", "refer"))
        groups = tuple(rng.sample(GROUPS, rng.randint(1, 2))) if expected == "crime" else ()
        title = f"{TITLES[i % len(TITLES)]} {i}"
        topics = tuple(rng.sample(TOPICS, rng.randint(1, 3)))
        out.append(FakeScenario(f"scenario-{i}", title, kind, topics, expected, groups))
    return out


@functools.cache
def _answer_json(decision: str, certainty: int | None = None) -> str:
    """The stored form of an answer with this decision (as AnswerRecord.build writes it)."""
    data = {"decision": decision, "certainty": certainty}
    return compact(validate(Answer, data).to_json_dict())


def make_record(
    trainee_id: str,
    session_id: str,
    scenario: FakeScenario,
    rng: random.Random,
    answered_at: datetime,
    exam: bool = False,
) -> AnswerRecord:
    """A plausible answer: right about 70% of the time, with findings when wrong."""
    right = rng.random() < 0.7
    options = ("retain", "cancel") if scenario.kind == "cancellation" else ("crime", "incident")
    decision = scenario.expected if right else rng.choice(options)
    if decision != scenario.expected:
        score, findings = 0, [(rng.choice(KINDS), rng.choice(RULES))]
    elif right:
        score, findings = 100, []
    else:
        score, findings = rng.choice((40, 60, 85)), [(rng.choice(KINDS), rng.choice(RULES))]
    findings_json = compact(
        [{"kind": k, "rule": r, "message": "Synthetic finding."} for k, r in findings]
    )
    return AnswerRecord(
        id=new_id(),
        session_id=session_id,
        trainee_id=trainee_id,
        scenario_id=scenario.id,
        scenario_hash="0123456789abcdef",
        catalogue_edition="2026-27",
        scenario_title=scenario.title,
        kind=scenario.kind,
        topics=scenario.topics,
        expected_decision=scenario.expected,
        decision=decision,
        crime_groups=scenario.groups,
        answer_json=_answer_json(decision, _certainty(answered_at)),
        score=score,
        findings_json=findings_json,
        finding_kinds=tuple(k for k, _ in findings),
        finding_rules=tuple(r for _, r in findings),
        asked=(),
        exam=exam,
        shown_at=answered_at - timedelta(seconds=rng.randint(5, 300)),
        answered_at=answered_at,
        certainty=_certainty(answered_at),
        cards=scenario_cards(scenario),
    )


CERTAINTIES = (None, 1, 2, 3)


def _certainty(answered_at: datetime) -> int | None:
    """A certainty fixed by the minute (drawing it from the rng would change the other data)."""
    return CERTAINTIES[int(answered_at.timestamp() // 60) % 4]


def scenario_cards(scenario: FakeScenario) -> tuple[str, ...]:
    """One to three rule cards per fake scenario, fixed by its id."""
    n = sum(scenario.id.encode())
    return tuple(dict.fromkeys(RULES[(n + k * 2) % len(RULES)] for k in range(1 + n % 3)))


def seed(store: Store, trainees: int, answers_each: int, seed_: int = 7) -> list[str]:
    """Trainees with one session each and their answers, through the bulk path; their ids."""
    rng = random.Random(seed_)
    bank = scenarios()
    ids = []
    for t in range(trainees):
        trainee = store.create_trainee(f"Trainee {t}", f"S{seed_}-{t:05d}", rng.choice(
            ("call-handler", "officer")))  # fmt: skip
        ids.append(trainee.id)
        session = store.start_session(trainee.id, "practice")
        store.record_answers(
            make_record(trainee.id, session, rng.choice(bank), rng,
                        START + timedelta(minutes=7 * i + t), exam=i % 10 == 9)
            for i in range(answers_each)
        )  # fmt: skip
    return ids
