"""Experience API (xAPI 1.0.3) statements for a force's learning record store.

One `answered` statement per stored answer and one `completed` statement per finished quiz, as
JSON lines. The actor is an account on the force's system (`homePage`, set with `trainer xapi
set-home`; `name` the staff number), never an invented email. Statement ids are UUID version 5 of
the answer id (of `completed:` and the session id for a quiz), so exporting or sending twice gives
the same statements, and an LRS treats a re-sent one as already stored.

The statements are written from pre-encoded JSON fragments (a trainee's actor, a scenario's
activity, each distinct findings list once, and templates per edition into which each quiz's id is
filled) rather than a model per row, and nothing is kept per answer: the export streams a million
answers in under twice the time of the CSV export. JSON string escaping goes character by
character, so an IRI is encoded as its encoded base followed by its encoded rest. The tests
validate every statement shape against Ralph's xAPI models (`ralph.models.xapi`), which the
application does not import (ralph-malph with its dependencies is a development tool here, not a
runtime one).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from trainer.core.errors import TrainerError
from trainer.core.store.answer_rows import answer_filter
from trainer.core.store.export import _write_atomically
from trainer.core.store.sqlite import Store

XAPI_VERSION = "1.0.3"
DEFAULT_HOME = "https://lms.example.invalid"
HOME_KEY = "xapi_home"
LANG = "en-GB"
# Fixed forever: the statement ids depend on it.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://crime-recording-trainer.invalid/xapi")
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
COURSE = "http://adlnet.gov/expapi/activities/course"
CHUNK = 5_000
_SEEDED = hashlib.sha1(NAMESPACE.bytes)
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # RFC 4122 variant bits
# ASCII output (other characters as \u escapes): the export's lines then join and encode as bytes
# copies, several times faster than text with one accent in it.
_dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def statement_id(name: str) -> str:
    """uuid.uuid5(NAMESPACE, name) as text, without UUID objects (the export's hot path)."""
    digest = _SEEDED.copy()
    digest.update(name.encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def registration(session_id: str) -> str:
    """The quiz session's id when it is a UUID (new_id() makes them), else one derived from it."""
    if _CANONICAL.fullmatch(session_id):
        return session_id  # what str(uuid.UUID(session_id)) gives, without the object
    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"session:{session_id}"))


# Characters a URL may not hold unescaped (RFC 3986; a learning record store refuses them).
_NOT_IN_URL = re.compile(r'[\s\x00-\x1f\x7f"<>\\^`{|}]')


def check_home(url: str) -> str:
    """An absolute http(s) URL for the force's learning system, or a one-line error."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TrainerError(f"home page: {url!r} must be an absolute http or https URL")
    bad = _NOT_IN_URL.search(url)
    if bad is not None:
        raise TrainerError(
            f"home page: {url!r} holds {bad.group()!r}, which a URL may not hold unescaped "
            "(write it %-encoded)"
        )
    return url.rstrip("/")


def home_page(store: Store) -> str:
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", [HOME_KEY]).fetchone()
    return str(row[0]) if row else DEFAULT_HOME


def set_home_page(store: Store, url: str) -> str:
    url = check_home(url)
    with store.conn:
        store.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [HOME_KEY, url],
        )
    return url


def _lang(text: str) -> str:
    return _dumps({LANG: text})


def _columns(store: Store) -> tuple[str, str]:
    have = {row[1] for row in store.conn.execute("PRAGMA table_info(answers)")}
    certainty = "a.certainty" if "certainty" in have else "NULL"
    bank = "a.bank_hash" if "bank_hash" in have else "NULL"
    return certainty, bank


class _Statements:
    """Builds statement lines from the stored rows, each repeated fragment encoded once."""

    def __init__(self, store: Store) -> None:
        home = home_page(store)
        self.base = f"{home}/xapi/crime-recording-trainer"
        self.findings_iri = _dumps(f"{self.base}/extensions/findings")
        self.certainty_iri = _dumps(f"{self.base}/extensions/certainty")
        self.scenario_hash_iri = _dumps(f"{self.base}/extensions/scenario-hash")
        self.bank_hash_iri = _dumps(f"{self.base}/extensions/bank-hash")
        self.actors = {
            tid: _dumps({"objectType": "Agent", "account": {"homePage": home, "name": number}})
            for tid, number in store.conn.execute("SELECT id, staff_number FROM trainees")
        }
        self.verb_answered = _dumps({"id": ANSWERED, "display": {"en-US": "answered"}})
        self.verb_completed = _dumps({"id": COMPLETED, "display": {"en-US": "completed"}})
        self._objects: dict[tuple[str, str, str, str], str] = {}
        self._tails: dict[tuple[str, str | None], str] = {}
        self._groupings: dict[str, str] = {}
        self._registrations: dict[str, str] = {}  # of session ids that are not canonical UUIDs
        # JSON string escaping goes character by character, so an IRI's encoding is its base's
        # encoding (without the closing quote) followed by the encoded rest.
        self.quizzes_iri = _dumps(f"{self.base}/quizzes/")[:-1]
        self.answers_iri = _dumps(f"{self.base}/extensions/answers")
        self.fully_right_iri = _dumps(f"{self.base}/extensions/fully-right")
        self._quiz_rest: dict[str, str] = {}
        self._results: dict[tuple[str, object], str] = {}
        self._responses: dict[str, str] = {}
        self._middles: dict[tuple[object, ...], str] = {}
        # Per quiz, from the answers as they stream: answers, score sum, fully right, edition,
        # bank (one small list per quiz; a GROUP BY over the answers cost as much as the export).
        self.quizzes: dict[object, list[object]] = {}

    def grouping(self, edition: str) -> list[dict[str, object]]:
        return [
            {
                "objectType": "Activity",
                "id": f"{self.base}/bank",
                "definition": {"name": {LANG: "Crime Recording Trainer scenario bank"}},
            },
            {
                "objectType": "Activity",
                "id": f"{self.base}/editions/{edition}",
                "definition": {
                    "name": {LANG: f"Crime Recording Rules {edition}"},
                    "type": COURSE,
                },
            },
        ]

    def context(self, session_id: str, edition: str, bank: str | None) -> str:
        """The context up to the scenario hash's value: a template per edition and bank with the
        session filled in (no state per quiz, so memory stays flat however many quizzes)."""
        tail = self._tails.get((edition, bank))
        if tail is None:
            tail = self._tail(edition, bank)
        if _CANONICAL.fullmatch(session_id):  # as new_id() makes them: nothing to escape
            reg = session = session_id
        else:
            reg, session = self.registration(session_id), _dumps(session_id)[1:-1]
        return (
            f'{{"registration":"{reg}","contextActivities":'
            f'{{"parent":[{{"id":{self.quizzes_iri}{session}"}}],{tail}'
        )

    def _tail(self, edition: str, bank: str | None) -> str:
        if len(self._tails) > 1_000:
            self._tails.clear()
        extensions = f"{self.bank_hash_iri}:{_dumps(bank)}," if bank else ""
        # Activities by id only: the quiz's own `completed` statement defines them.
        # (objectType Activity is the default, and left out of these per-answer lines)
        grouping = [{"id": g["id"]} for g in self.grouping(edition)]
        tail = self._tails[(edition, bank)] = (
            f'"grouping":{_dumps(grouping)}}},'
            f'"platform":"Crime Recording Trainer","language":"{LANG}",'
            f'"extensions":{{{extensions}{self.scenario_hash_iri}:'
        )
        return tail

    def registration(self, session_id: str) -> str:
        out = self._registrations.get(session_id)
        if out is None:
            if len(self._registrations) > 50_000:
                self._registrations.clear()
            out = self._registrations[session_id] = registration(session_id)
        return out

    def activity(self, scenario_id: str, title: str, kind: str, topics: str) -> str:
        key = (scenario_id, title, kind, topics)
        out = self._objects.get(key)
        if out is None:
            if len(self._objects) > 50_000:
                self._objects.clear()
            try:
                tags = ", ".join(json.loads(topics))
            except (ValueError, TypeError):
                tags = ""
            what = "Record or not, and classify" if kind == "classify" else "Review a cancellation"
            description = f"{what}: a crime recording scenario" + (f" ({tags})" if tags else "")
            out = self._objects[key] = _dumps(
                {
                    "id": f"{self.base}/scenarios/{scenario_id}",
                    "definition": {
                        "name": {LANG: title},
                        "description": {LANG: description},
                        "type": INTERACTION,
                        "interactionType": "other",
                    },
                }
            )
        return out

    def extensions(self, findings: str, certainty: object) -> str:
        key = (findings, certainty)
        out = self._results.get(key)
        if out is None:
            if len(self._results) > 50_000:
                self._results.clear()
            try:
                parsed = json.loads(findings)
            except ValueError:
                parsed = []
            out = f"{self.findings_iri}:{_dumps(parsed)}"
            if certainty is not None:
                out += f",{self.certainty_iri}:{_dumps(certainty)}"
            out = self._results[key] = out
        return out

    def response(self, answer: str) -> str:
        out = self._responses.get(answer)
        if out is None:
            if len(self._responses) > 50_000:
                self._responses.clear()
            out = self._responses[answer] = _dumps(answer)
        return out

    def middle(self, key: tuple[object, ...]) -> str:
        """Verb, object and result up to the duration: the same for every equal answer."""
        scenario, title, kind, topics, answer, score, findings, certainty = key
        if len(self._middles) > 50_000:
            self._middles.clear()
        out = self._middles[key] = (
            f'"verb":{self.verb_answered},'
            f'"object":{self.activity(str(scenario), str(title), str(kind), str(topics))},'
            f'"result":{{"score":{{"scaled":{int(score) / 100},"raw":{score},"min":0,"max":100}},'  # type: ignore[call-overload]
            f'"success":{"true" if score == 100 else "false"},"completion":true,'
            f'"response":{self.response(str(answer))},'
            f'"extensions":{{{self.extensions(str(findings), certainty)}}},"duration":"PT'
        )
        return out

    def answered(self, row: tuple[object, ...]) -> tuple[str, str]:
        (aid, session, trainee, scenario, title, kind, topics, answer, score, findings, seconds,
         answered_at, edition, scenario_hash, certainty, bank) = row  # fmt: skip
        sid = statement_id(aid)  # type: ignore[arg-type]
        key = (scenario, title, kind, topics, answer, score, findings, certainty)
        quiz = self.quizzes.get(session)
        if quiz is None:
            quiz = self.quizzes[session] = [0, 0, 0, edition, bank]
        quiz[0] += 1  # type: ignore[operator]
        quiz[1] += score  # type: ignore[operator]
        quiz[2] += score == 100  # type: ignore[operator]
        context = self.context(session, edition, bank)  # type: ignore[arg-type]
        line = (
            f'{{"id":"{sid}","actor":{self.actors.get(trainee) or self._unknown(trainee)},'
            f'{self._middles.get(key) or self.middle(key)}{seconds}S"}},'
            f'"context":{context}"{scenario_hash}"}}}},'
            f'"timestamp":"{answered_at}","version":"{XAPI_VERSION}"}}'
        )
        return sid, line

    def completed(self, row: tuple[object, ...]) -> tuple[str, str] | None:
        """The quiz's `completed` statement, filled into templates (the bytes `json` would give
        for the same objects; the tests compare them with Ralph's models)."""
        session, trainee, finished, seconds, mode = row
        quiz = self.quizzes.get(session)
        if quiz is None:  # none of its answers is in the filter
            return None
        answers, score_sum, right, edition, bank = quiz
        sid = statement_id(f"completed:{session}")
        mean = round(int(score_sum) / int(answers), 1)  # type: ignore[call-overload]
        extensions = f',"extensions":{{{self.bank_hash_iri}:{_dumps(bank)}}}' if bank else ""
        context = (
            f'{{"registration":"{self.registration(str(session))}","contextActivities":'
            f'{{"grouping":{self.grouping_json(str(edition))}}},'
            f'"platform":"Crime Recording Trainer","language":"{LANG}"{extensions}}}'
        )
        result = (
            f'{{"score":{{"scaled":{round(mean / 100, 3)!r},"raw":{mean!r},"min":0,"max":100}},'
            f'"completion":true,"duration":{_dumps(f"PT{seconds}S")},'
            f'"extensions":{{{self.answers_iri}:{answers},{self.fully_right_iri}:{right}}}}}'
        )
        line = (
            f'{{"id":"{sid}","actor":{self.actors.get(str(trainee)) or self._unknown(trainee)},'
            f'"verb":{self.verb_completed},"object":{self.quiz_json(str(session), str(mode))},'
            f'"result":{result},"context":{context},'
            f'"timestamp":"{finished}","version":"{XAPI_VERSION}"}}'
        )
        return sid, line

    def quiz_json(self, session_id: str, mode: str) -> str:
        """The quiz as an activity: its IRI, and its mode in its name."""
        rest = self._quiz_rest.get(mode)
        if rest is None:
            if len(self._quiz_rest) > 1_000:
                self._quiz_rest.clear()
            definition = {"name": {LANG: f"Crime recording quiz ({mode})"}, "type": ASSESSMENT}
            rest = self._quiz_rest[mode] = f',"definition":{_dumps(definition)}}}'
        session = session_id if _CANONICAL.fullmatch(session_id) else _dumps(session_id)[1:-1]
        return f'{{"objectType":"Activity","id":{self.quizzes_iri}{session}"{rest}'

    def grouping_json(self, edition: str) -> str:
        out = self._groupings.get(edition)
        if out is None:
            if len(self._groupings) > 1_000:
                self._groupings.clear()
            out = self._groupings[edition] = _dumps(self.grouping(edition))
        return out

    @staticmethod
    def _unknown(trainee: object) -> str:
        raise TrainerError(f"answers: trainee {trainee} is not in the database")


_ANSWERS = """
    SELECT a.id, a.session_id, a.trainee_id, a.scenario_id, a.scenario_title, a.kind, a.topics,
        a.answer, a.score, a.findings, round(a.seconds_taken, 2), a.answered_at,
        a.catalogue_edition, a.scenario_hash, {certainty}, {bank}
    FROM answers AS a WHERE {where} ORDER BY a.seq"""
_QUIZZES = """
    SELECT id, trainee_id, finished_at,
        max(0, round(julianday(finished_at) * 86400 - julianday(started_at) * 86400, 2)), mode
    FROM quiz_sessions WHERE finished_at IS NOT NULL ORDER BY started_ts, id"""


def statement_chunks(
    store: Store,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> Iterator[list[tuple[str, str]]]:
    """(statement id, statement JSON) for the filtered answers, oldest first, then their
    quizzes, a chunk at a time."""
    if trainee_id is not None:
        trainee_id = store.trainee(trainee_id).id
    where, params = answer_filter(trainee_id, since, until, topic, alias="a")
    certainty, bank = _columns(store)
    build = _Statements(store)
    with store.guard():
        cursor = store.conn.execute(
            _ANSWERS.format(where=where, certainty=certainty, bank=bank), params
        )
        while rows := cursor.fetchmany(CHUNK):
            yield list(map(build.answered, rows))
        cursor = store.conn.execute(_QUIZZES)
        while rows := cursor.fetchmany(CHUNK):
            chunk = [s for s in map(build.completed, rows) if s is not None]
            if chunk:
                yield chunk


def statements(
    store: Store,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> Iterator[tuple[str, str]]:
    """(statement id, statement JSON) one at a time (see `statement_chunks`)."""
    for chunk in statement_chunks(store, since, until, trainee_id, topic):
        yield from chunk


def export_xapi(
    store: Store,
    dest: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    trainee_id: str | None = None,
    topic: str | None = None,
) -> int:
    """Write the statements as JSON lines (UTF-8, no BOM) to `dest`; returns how many."""

    def write(out: BinaryIO) -> int:
        count = 0
        for chunk in statement_chunks(store, since, until, trainee_id, topic):
            out.write("\n".join([line for _, line in chunk]).encode() + b"\n")
            count += len(chunk)
        return count

    return _write_atomically(dest, write, bom=False)
