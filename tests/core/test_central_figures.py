"""One dataset in both engines: every figure on every dashboard tab, and both CSV exports, agree."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.core.team_data import seed_items, seed_team
from tests.core.test_figures_oracle import FILTERS, seed_out_of_order, seed_outcomes, seed_spread
from trainer.core.content.catalogue import Catalogue
from trainer.core.reports import figures, trainee_figures
from trainer.core.reports.answer_pages import Behind, answer_count, answer_page
from trainer.core.reports.team import Reader, TeamFilter, known_topics
from trainer.core.reports.team_breakdown import group_bars, kind_bars, rule_bars
from trainer.core.store.central.reader import CentralStore
from trainer.core.store.central.sync import sync
from trainer.core.store.sqlite import Store, open_store


@pytest.fixture(scope="module")
def engines(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: Any,
    central_template: str,
    catalogue: Catalogue,
) -> Iterator[tuple[Store, CentralStore]]:
    from tests.conftest import _sql

    local = open_store(tmp_path_factory.mktemp("ws"))
    seed_team(local)
    seed_items(local)
    seed_spread(local, trainees=25, answers_each=40)
    seed_out_of_order(local)
    seed_outcomes(local, catalogue)  # disposal reviews and outcome decisions sync too
    _sql(postgres_server.url(), f"CREATE DATABASE figures_both TEMPLATE {central_template}")
    url = postgres_server.url("figures_both")
    # several batches, and no fold: the first read summarises them (schema step c0008)
    report = sync(local, url, batch=300, fold=False)
    assert report.folded == 0 and pending(url) == report.added > 1_000
    with CentralStore(url) as central:
        yield local, central
    local.close()


def pending(url: str) -> int:
    """Answers filed centrally and not yet summarised."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM trainer.pending_summary").fetchone()
    return int(row[0]) if row else -1


def plain(value: Any) -> Any:
    """A figure as comparable values: floats to 9 digits, the engines' own seq numbers dropped."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        fields.pop("seq", None)
        return (type(value).__name__, fields)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    return value


def every_figure(db: Reader, flt: TeamFilter, catalogue: Catalogue) -> dict[str, Any]:
    team = figures.team_figures(db, flt)
    breakdown = figures.breakdown_figures(db, flt)
    out: dict[str, Any] = {
        "team": team,
        "breakdown": breakdown,
        "bars": (
            kind_bars(breakdown.kinds),
            rule_bars(breakdown.rules, catalogue),
            group_bars(breakdown.groups),
        ),
        "items": figures.item_figures(db, flt),
        "trainees": [trainee_figures.trainee_page(db, t, flt) for t in team.trainees],
    }
    behinds = [Behind(), *(Behind(kind=k) for k in sorted(breakdown.kinds))]
    behinds += [Behind(rule=r) for r in list(breakdown.rules)[:3]]
    behinds += [Behind(crime_group=g.crime_group) for g in breakdown.groups]
    behinds += [Behind(trainee_id=t.id) for t in team.trainees[:3]]
    out["drill-downs"] = [
        (answer_count(db, flt, b), answer_page(db, flt, b, limit=25)) for b in behinds
    ]
    return plain(out)


@pytest.mark.parametrize("flt", FILTERS, ids=str)
def test_every_figure_is_the_same_on_both_engines(
    engines: tuple[Store, CentralStore], flt: TeamFilter, catalogue: Catalogue
) -> None:
    local, central = engines
    mine = every_figure(local, flt, catalogue)
    assert mine["team"][1]["answers"] > 0 or flt.topic  # the filter admits something
    theirs = every_figure(central, flt, catalogue)
    for key, value in mine.items():
        for n, (a, b) in enumerate(zip(theirs[key], value, strict=True)):
            assert a == b, f"{key} #{n}"


def test_topics_and_trainees_are_the_same(engines: tuple[Store, CentralStore]) -> None:
    local, central = engines
    no_bank: Any = SimpleNamespace(scenarios=[])
    assert known_topics(central, no_bank) == known_topics(local, no_bank) != []
    assert central.trainees() == local.trainees()


EXPORTS = [
    {},
    {"since": datetime(2026, 3, 25, tzinfo=UTC), "until": datetime(2026, 4, 10, tzinfo=UTC)},
    {"topic": "theft"},
    {"trainee_id": "R0003"},
]


def _csv(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("options", EXPORTS, ids=str)
def test_both_csv_exports_are_the_same_files(
    engines: tuple[Store, CentralStore], options: dict[str, Any], tmp_path: Path
) -> None:
    from trainer.core.store import export
    from trainer.core.store.central import export as central_export

    local, central = engines
    for name in ("export_answers", "export_summary"):
        a, b = tmp_path / f"local-{name}.csv", tmp_path / f"central-{name}.csv"
        n = getattr(export, name)(local, a, **options)
        assert getattr(central_export, name)(central, b, **options) == n > 0
        # The central file is the workstation's first layout: the same rows, cell for cell, up
        # to the columns the workstation appends (the registrar's, the summary's accuracy).
        local_rows, central_rows = _csv(a), _csv(b)
        width = len(central_rows[0])
        assert [r[:width] for r in local_rows] == central_rows, name
        assert b.read_bytes().startswith(b"\xef\xbb\xbf"), name


def test_stored_answers_read_the_same(engines: tuple[Store, CentralStore]) -> None:
    local, central = engines
    since = datetime(2026, 3, 25, tzinfo=UTC)
    assert (
        [a.id for a in central.answers(since=since, topic="theft")]
        == [a.id for a in local.answers(since=since, topic="theft")]
        != []
    )
    first = local.answers()[0]
    assert central.answer(first.id) == first


def test_disposal_reviews_and_outcome_decisions_arrive(
    engines: tuple[Store, CentralStore],
) -> None:
    local, central = engines
    by_kind = "SELECT kind, count(*) FROM answers GROUP BY kind ORDER BY kind"
    assert local.query(by_kind) == central.query(by_kind)
    assert {k for k, _ in central.query(by_kind)} >= {"disposal-review", "outcome"}


@pytest.mark.parametrize("flt", [TeamFilter(), TeamFilter.last_days()], ids=["all", "90 days"])
def test_each_end_of_a_period_is_looked_up_once(
    engines: tuple[Store, CentralStore], flt: TeamFilter
) -> None:
    """The team table finds each trainee's first and last answer of the period by one index
    look-up each: PostgreSQL's plan holds one sub-plan per end (it held two, when the ends were
    worked out in an outer query that the planner folded in, copying each look-up)."""
    _, central = engines
    asked: list[tuple[str, Any]] = []
    query = central.query

    def keep(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        asked.append((sql, params))
        return query(sql, params)

    central.query = keep  # type: ignore[method-assign]
    try:
        figures.tallies(central, flt)
    finally:
        del central.query
    [(sql, params)] = asked
    plan = "\n".join(row[0] for row in central.query(f"EXPLAIN {sql}", params))
    ends = 1 if flt.since is None else 2
    assert plan.count("SubPlan") == ends, plan
