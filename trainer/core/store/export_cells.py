"""The registrar's columns of the answers CSV: what was given and expected, field by field.

A Force Crime Registrar audits classification from these: offences with counts (`28J x1; 58A
x1`), flags, cancellation reason and referral, given and expected; every finding as `kind: rule
card`; the trap the answer fell into and whether it is an HMIC malpractice; and what the answer was
graded under. The expected key is not stored with an answer, so it comes from the scenario bank,
and only while the bank's scenario has the hash the answer was graded against (otherwise those
cells stay empty rather than show a key the trainee never saw). Columns that later schema steps add
(certainty, unit, bank hash, grade history) are filled when the database has them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trainer.core.content.scenarios import LoadedScenario

REGISTRAR_HEADER = (
    "certainty", "offences given", "offences expected", "flags given", "flags expected",
    "cancellation reason given", "cancellation reason expected", "referral given",
    "referral expected", "findings", "trap", "hmic malpractice", "grade history", "workstation",
    "unit", "catalogue edition", "bank hash",
)  # fmt: skip

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """One CSV field: neutralised against formula injection, quoted when it needs to be."""
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        value = '"' + value.replace('"', '""') + '"'
    return value


def offences(crimes: Sequence[Mapping[str, Any]]) -> str:
    """`28J x1; 58A x1`, in the order given."""
    return "; ".join(f"{c.get('offence', '')} x{c.get('count', 1)}" for c in crimes)


Four = tuple[str, str, str, str]
_EMPTY: Four = ("", "", "", "")


def _four(crimes: Any, flags: Any, reason: Any, refer: Any) -> Four:
    """The offences, flags, cancellation reason and referral cells."""
    a, b, c, d = (
        cell(text)
        for text in (
            offences(crimes or ()),
            "; ".join(str(f) for f in flags or ()),
            str(reason or ""),
            str(refer or ""),
        )
    )
    return a, b, c, d


def given_cells(answer_json: str) -> Four:
    """The given answer's four cells, from its stored JSON."""
    try:
        a = json.loads(answer_json)
        reason, refer = a.get("cancellation_reason"), a.get("refer_to")
        return _four(a.get("crimes"), a.get("flags"), reason, refer)
    except (ValueError, AttributeError, TypeError):
        return _EMPTY


def expected_cells(loaded: LoadedScenario | None, scenario_hash: str) -> Four:
    """The key's four cells, when the bank's scenario is the one the answer was graded against."""
    if loaded is None or loaded.content_hash != scenario_hash:
        return _EMPTY
    e = loaded.scenario.expected
    crimes = [{"offence": c.offence, "count": c.count} for c in e.crimes]
    return _four(crimes, e.flags, e.cancellation_reason, e.refer_to)


def finding_cells(findings_json: str) -> str:
    """`kind: rule` for every finding; the first trap's name; yes/no for HMIC malpractice."""
    try:
        findings = json.loads(findings_json)
        listed = "; ".join(f"{f['kind']}: {f['rule']}" for f in findings)
        traps = [f for f in findings if f.get("trap")]
    except (ValueError, KeyError, TypeError):
        return ",,"
    if not traps:
        return f"{cell(listed)},,"
    malpractice = "yes" if any(f.get("malpractice") for f in traps) else "no"
    return f"{cell(listed)},{cell(str(traps[0]['trap']))},{malpractice}"


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def optional_sql(conn: sqlite3.Connection, alias: str = "a") -> str:
    """SQL for certainty, grade history and bank hash: '' where the schema has none yet."""
    answers = _columns(conn, "answers")
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    certainty = f"coalesce({alias}.certainty, '')" if "certainty" in answers else "''"
    if {"grade_history", "regrades"} <= tables:
        history = f"""coalesce((SELECT group_concat('regraded ' || r.started_at
                || ' (the scenario bank or catalogue changed): score was ' || h.score, '; ')
            FROM grade_history AS h JOIN regrades AS r ON r.id = h.regrade_id
            WHERE h.answer_id = {alias}.id), '')"""
    else:
        history = "''"
    bank = f"coalesce({alias}.bank_hash, '')" if "bank_hash" in answers else "''"
    return f"{certainty}, {history}, {bank}"


def units(conn: sqlite3.Connection) -> dict[str, str]:
    """Each profile's unit by trainee id (m0012), looked up per row in Python: cheaper than SQL."""
    if "unit" not in _columns(conn, "trainees"):
        return {}
    return dict(conn.execute("SELECT id, unit FROM trainees WHERE unit IS NOT NULL").fetchall())


class RegistrarCells:
    """Formats the registrar columns of one row, each distinct stored value once."""

    def __init__(self, bank: Mapping[str, LoadedScenario] | None, limit: int = 50_000) -> None:
        self.bank = bank or {}
        self.limit = limit
        self._given: dict[str, Four] = {}
        self._expected: dict[tuple[str, str], Four] = {}
        self._findings: dict[str, str] = {}
        self._text: dict[str, str] = {}

    def _bounded(self, cache: dict[Any, Any]) -> dict[Any, Any]:
        if len(cache) > self.limit:  # a hostile database with too many distinct values
            cache.clear()
        return cache

    def row(
        self,
        certainty: object,
        answer_json: str,
        scenario_id: str,
        scenario_hash: str,
        findings_json: str,
        history: str,
        workstation: str,
        unit: str,
        edition: str,
        bank_hash: str,
    ) -> str:
        given = self._given.get(answer_json)
        if given is None:
            given = self._bounded(self._given)[answer_json] = given_cells(answer_json)
        key = (scenario_id, scenario_hash)
        expected = self._expected.get(key)
        if expected is None:
            expected = self._bounded(self._expected)[key] = expected_cells(
                self.bank.get(scenario_id), scenario_hash
            )
        found = self._findings.get(findings_json)
        if found is None:
            found = self._bounded(self._findings)[findings_json] = finding_cells(findings_json)
        g, e = given, expected
        return (
            f"{certainty},{g[0]},{e[0]},{g[1]},{e[1]},{g[2]},{e[2]},{g[3]},{e[3]},{found},"
            f"{self.text(history)},{self.text(workstation)},{self.text(unit)},{self.text(edition)},{self.text(bank_hash)}"
        )

    def text(self, value: str) -> str:
        if not value:
            return ""
        out = self._text.get(value)
        if out is None:
            out = self._bounded(self._text)[value] = cell(value)
        return out
