"""Which scenarios a quiz asks, and in what order (Qt-free, so tests and the UI agree).

A practice quiz asks up to `count` scenarios from the chosen pool, those the trainee has never
answered fully right first. When the pool runs out before `count` answers, the scenarios missed
in this quiz come round again as repeats within the same total; a scenario answered correctly is
never repeated within a quiz. An exam is a fixed set: the same scenarios in the same order for
every trainee who sits the same exam, each asked once, with no feedback until the end.

A quick mixed quiz keeps to the trainee's own audience (call-handler or officer); the other
choices may mix audiences, and `audience_note` says so before the quiz starts.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Literal

from trainer.core.content.catalogue import GROUP_NAMES, Catalogue
from trainer.core.content.models import AUDIENCES, Scenario
from trainer.core.errors import TrainerError
from trainer.core.reports.statistics import Attempt, weak_rules

Mode = Literal["mixed", "due", "group", "topic", "rule", "audience", "weak", "exam", "outcomes"]
MODES: tuple[Mode, ...] = (
    "mixed", "due", "group", "topic", "rule", "audience", "weak", "exam", "outcomes",
)  # fmt: skip
OUTCOME_KINDS = ("disposal-review", "outcome")  # "outcomes": decisions officers make, not handlers
OUTCOMES_ROLE = "officer"
SENSITIVE_TOPIC = "sexual-offences"
DEFAULT_COUNT = 10
WEAK_RULES = 5
AUDIENCE_PLURALS = {"call-handler": "call-handlers", "officer": "officers"}


@dataclass(frozen=True)
class QuizPlan:
    """What the trainee asked for: a mode, the group/topic/rule/audience it narrows to, a length.

    A mixed quiz's `value` is the audience it keeps to (the trainee's role); None mixes them all.
    """

    mode: Mode = "mixed"
    value: str | None = None
    count: int = DEFAULT_COUNT
    time_limit_minutes: int | None = None  # exams only; None = untimed
    require_certainty: bool = False  # exams only: every answer must say how sure it is

    @property
    def exam(self) -> bool:
        return self.mode == "exam"

    def describe(self, catalogue: Catalogue) -> str:
        """A one-line title such as 'Crime group: Burglary (10 scenarios)'."""
        what = {
            "mixed": f"Mixed quiz for {_plural(self.value)}" if self.value else "Mixed quiz",
            "due": "Due now",
            "group": f"Crime group: {GROUP_NAMES.get(self.value or '', self.value)}",
            "topic": f"Topic: {catalogue.topic_name(self.value or '')}",
            "rule": f"Rule: {_rule_title(self.value, catalogue)}",
            "audience": f"Audience: {self.value}",
            "weak": "My weak rules",
            "exam": f"Exam: {self.value}" if self.value else "Exam",
            "outcomes": "Outcomes and disposals",
        }[self.mode]
        timed = f", {self.time_limit_minutes} min" if self.exam and self.time_limit_minutes else ""
        return f"{what} ({self.count} scenarios{timed})"


def _plural(audience: str | None) -> str:
    return AUDIENCE_PLURALS.get(audience or "", str(audience))


def _rule_title(rule: str | None, catalogue: Catalogue) -> str:
    card = catalogue.rule_by_id.get(rule or "")
    return card.title if card else str(rule)


def scenario_groups(scenario: Scenario, catalogue: Catalogue) -> tuple[str, ...]:
    """The crime groups of the crimes a scenario expects, in the Home Office order."""
    found = {catalogue.group_of(c.offence) for c in scenario.expected.crimes}
    return tuple(g for g in GROUP_NAMES if g in found)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    scenarios: int


@dataclass(frozen=True)
class PracticeChoices:
    """What the bank offers for each narrowing mode, with how many scenarios each would draw on."""

    groups: tuple[Choice, ...]
    topics: tuple[Choice, ...]
    rules: tuple[Choice, ...]
    audiences: tuple[Choice, ...]
    outcomes: int = 0  # disposal reviews and outcome decisions in the bank
    bank: tuple[Scenario, ...] = ()  # what they were counted from (for `audience_note`)

    def for_mode(self, mode: Mode) -> tuple[Choice, ...]:
        return {
            "group": self.groups,
            "topic": self.topics,
            "rule": self.rules,
            "audience": self.audiences,
            "exam": self.audiences,
        }.get(mode, ())


def practice_choices(scenarios: Sequence[Scenario], catalogue: Catalogue) -> PracticeChoices:
    groups = Counter(g for s in scenarios for g in scenario_groups(s, catalogue))
    topics = Counter(t for s in scenarios for t in s.topics)
    rules = Counter(r for s in scenarios for r in s.expected.cards)
    audiences = Counter(a for s in scenarios for a in s.audience)
    return PracticeChoices(
        groups=tuple(Choice(g, GROUP_NAMES[g], groups[g]) for g in GROUP_NAMES if g in groups),
        topics=tuple(
            Choice(t, catalogue.topic_name(t), topics[t])
            for t in sorted(topics, key=lambda t: catalogue.topic_name(t).casefold())
        ),
        rules=tuple(
            Choice(r, _rule_title(r, catalogue), rules[r])
            for r in sorted(rules, key=lambda r: _rule_title(r, catalogue).casefold())
        ),
        audiences=tuple(Choice(a, a, audiences[a]) for a in AUDIENCES if a in audiences),
        outcomes=sum(s.kind in OUTCOME_KINDS for s in scenarios),
        bank=tuple(scenarios),
    )


def matches(scenario: Scenario, plan: QuizPlan, catalogue: Catalogue, weak: Sequence[str]) -> bool:
    """Whether a scenario belongs in the pool of this plan."""
    if plan.mode == "group":
        return plan.value in scenario_groups(scenario, catalogue)
    if plan.mode == "topic":
        return plan.value in scenario.topics
    if plan.mode == "rule":
        return plan.value in scenario.expected.cards
    if plan.mode in ("mixed", "audience", "exam") and plan.value:
        return plan.value in scenario.audience
    if plan.mode == "weak":
        return any(r in weak for r in scenario.expected.cards)
    if plan.mode == "outcomes":
        return scenario.kind in OUTCOME_KINDS
    return True


def audience_note(
    scenarios: Sequence[Scenario],
    plan: QuizPlan,
    role: str,
    catalogue: Catalogue,
    history: Iterable[Attempt] = (),
    weak_known: Sequence[str] | None = None,
) -> str:
    """'Includes 3 scenarios written for officers' when the plan would draw on scenarios not
    written for the trainee's role; empty when it keeps to the role. The weak rules come from
    `weak_known` (most missed first) when given, else from the history."""
    weak: list[str] = []
    if plan.mode == "weak":
        known = weak_known if weak_known is not None else weak_rules(list(history), WEAK_RULES)
        weak = list(known[:WEAK_RULES])
    pool = [s for s in scenarios if matches(s, plan, catalogue, weak)]
    if plan.exam:  # the exam's fixed set, not the pool it comes from
        pool = sorted(pool, key=_exam_key)[: plan.count]
    others = [s for s in pool if role not in s.audience]
    if not others:
        return ""
    written_for = sorted({a for s in others for a in s.audience}, key=AUDIENCES.index)
    names = " or ".join(_plural(a) for a in written_for)
    of = f" of {len(pool)}" if plan.exam else ""
    what = "scenario" if len(pool if plan.exam else others) == 1 else "scenarios"
    return f"Includes {len(others)}{of} {what} written for {names}, not {_plural(role)}."


def _exam_key(scenario: Scenario) -> str:
    return hashlib.sha256(f"exam:{scenario.id}".encode()).hexdigest()


def select_scenarios(
    scenarios: Sequence[Scenario],
    plan: QuizPlan,
    catalogue: Catalogue,
    history: Iterable[Attempt] = (),
    rng: random.Random | None = None,
    due: Sequence[str] = (),
) -> list[Scenario]:
    """The pool of a quiz in the order it is asked (possibly longer than `plan.count`).

    Exams take a fixed, trainee-independent order. Practice puts scenarios the trainee has never
    answered fully right first; "my weak rules" puts those citing the weakest rules first; "due
    now" takes one scenario for each rule in `due` (most in need of review first).
    """
    past = list(history)
    if plan.mode == "due":
        mastered = {a.scenario_id for a in past if a.score == 100}
        return due_scenarios(scenarios, due, mastered, {a.scenario_id for a in past}, rng)
    weak = weak_rules(past, limit=WEAK_RULES) if plan.mode == "weak" else []
    mastered = {a.scenario_id for a in past if a.score == 100}
    return select_from(scenarios, plan, catalogue, mastered, weak, rng)


def select_from(
    scenarios: Sequence[Scenario],
    plan: QuizPlan,
    catalogue: Catalogue,
    mastered: Set[str],
    weak: Sequence[str],
    rng: random.Random | None = None,
) -> list[Scenario]:
    """`select_scenarios` from what it needs of the history: the scenarios answered fully right
    and the rules missed most lately (most first), so the history need not be read whole."""
    weak = list(weak[:WEAK_RULES]) if plan.mode == "weak" else []
    pool = [s for s in scenarios if matches(s, plan, catalogue, weak)]
    if plan.exam:
        return sorted(pool, key=_exam_key)[: plan.count]
    rng = rng or random.Random()
    rng.shuffle(pool)

    def rank(s: Scenario) -> tuple[int, int]:
        weakness = min((weak.index(r) for r in s.expected.cards if r in weak), default=0)
        return (s.id in mastered, weakness)

    return sorted(pool, key=rank)  # stable: the shuffle breaks ties


def due_scenarios(
    scenarios: Sequence[Scenario],
    due: Sequence[str],
    mastered: Set[str],
    answered: Set[str],
    rng: random.Random | None = None,
) -> list[Scenario]:
    """One scenario per due rule, in the rules' order, each exercising that rule and never yet
    answered fully right (`mastered`); scenarios never answered before repeats. A rule with no
    such scenario left (or one already chosen for an earlier rule) is passed over."""
    pool = [s for s in scenarios if s.id not in mastered]
    (rng or random.Random()).shuffle(pool)
    pool.sort(key=lambda s: s.id in answered)  # stable: new first, the shuffle breaks ties
    chosen: list[Scenario] = []
    for rule in due:
        pick = next((s for s in pool if rule in s.expected.cards and s not in chosen), None)
        if pick is not None:
            chosen.append(pick)
    return chosen


@dataclass
class Quiz:
    """A quiz under way: the scenario now asked, and what comes next.

    `total` is fixed when the quiz starts: an exam asks each of its set once; practice asks
    `count` answers, the missed scenarios coming round again as repeats when the pool is smaller.
    The quiz ends early only when nothing is left to ask (all right, or a topic skipped).
    """

    pool: list[Scenario]
    count: int
    exam: bool = False
    results: list[tuple[str, int]] = field(default_factory=list)
    total: int = field(default=0, init=False)
    _queue: list[Scenario] = field(default_factory=list, init=False)
    _missed: list[Scenario] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._queue = list(self.pool[: self.count] if self.exam else self.pool)
        self.total = min(self.count, len(self._queue)) if self.exam or not self.pool else self.count

    @property
    def current(self) -> Scenario | None:
        if len(self.results) >= self.count or not self._queue:
            return None
        return self._queue[0]

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def number(self) -> int:
        """The 1-based number of the scenario now asked."""
        return len(self.results) + 1

    @property
    def repeat(self) -> bool:
        """Whether the scenario now asked was missed earlier in this quiz and has come round."""
        current = self.current
        return current is not None and any(sid == current.id for sid, _ in self.results)

    @property
    def ended_early(self) -> bool:
        return self.finished and len(self.results) < self.total

    def record(self, score: int) -> None:
        """The current scenario was answered: move on; a miss may come round again later."""
        scenario = self._take()
        self.results.append((scenario.id, score))
        if score < 100 and not self.exam:
            self._missed.append(scenario)
        self._refill()

    def skip(self) -> None:
        """Leave out the current scenario without answering it."""
        self._take()
        self._refill()

    def skip_topic(self, topic: str = SENSITIVE_TOPIC) -> None:
        """Leave out the current and every later scenario carrying `topic`."""
        self._queue = [s for s in self._queue if topic not in s.topics]
        self._missed = [s for s in self._missed if topic not in s.topics]
        self._refill()

    def _take(self) -> Scenario:
        scenario = self.current
        if scenario is None:
            raise IndexError("the quiz is finished")
        self._queue.pop(0)
        return scenario

    def _refill(self) -> None:
        if not self._queue and not self.exam:
            self._queue, self._missed = self._missed, []

    def state(self) -> dict[str, Any]:
        """The quiz as plain JSON-able data (scenario ids), for `from_state`."""
        return {
            "count": self.count,
            "exam": self.exam,
            "total": self.total,
            "results": [[sid, score] for sid, score in self.results],
            "queue": [s.id for s in self._queue],
            "missed": [s.id for s in self._missed],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], by_id: dict[str, Scenario]) -> Quiz:
        """The quiz `state()` described; scenarios no longer in the bank are left out."""
        try:
            quiz = cls([], int(state["count"]), exam=bool(state["exam"]))
            quiz.total = int(state["total"])
            quiz.results = [(str(sid), int(score)) for sid, score in state["results"]]
            quiz._queue = [by_id[str(sid)] for sid in state["queue"] if str(sid) in by_id]
            quiz._missed = [by_id[str(sid)] for sid in state["missed"] if str(sid) in by_id]
        except (KeyError, TypeError, ValueError) as exc:
            raise TrainerError(f"unfinished quiz: quiz: cannot be read ({exc!r})") from exc
        quiz._refill()
        return quiz
