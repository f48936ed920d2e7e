"""The dashboard's HMIC malpractice figures (Team column and tab) and its regrade line."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.core.team_data import START, Team, record
from tests.ui.test_dashboard import make_dashboard, settle
from tests.ui.test_dashboard_views import shown
from trainer.core.store.records import to_iso
from trainer.core.store.sqlite import Store
from trainer.ui.context import AppContext

TRAP = (
    '[{"kind":"misclassification","rule":"burglary-entry-point-damage","message":"Criminal '
    'damage.","trap":"downgraded-to-damage","malpractice":true}]'
)


def _malpractice(store: Store, trainee: str, scenario: str, trap: str, n: int) -> None:
    session = store.start_session(trainee, "practice")
    store.record_answers(
        dataclasses.replace(
            record(trainee, session, scenario, START + timedelta(hours=i), score=25),
            findings_json=TRAP.replace("downgraded-to-damage", trap),
            finding_kinds=("misclassification",),
            finding_rules=("burglary-entry-point-damage",),
            malpractice_trap=trap,
        )
        for i in range(n)
    )


def test_malpractice_answers_on_the_team_table_and_their_tab(
    qtbot: QtBot, context: AppContext
) -> None:
    window = make_dashboard(qtbot, context)  # seeds Alice, Bob and Carol
    store = context.store
    ids = {t.name: t.id for t in store.trainees()}
    team = Team(ids["Alice Archer"], ids["Bob Baker"], ids["Carol Cole"])
    assert window.malpractice.headline.text() == "No HMIC malpractice answers in this filter."
    # Worked by hand: Alice 2 + 1, Bob 1; the team 4, in two traps.
    _malpractice(store, team.alice, "burglary-garage", "downgraded-to-damage", 2)
    _malpractice(store, team.alice, "shop-theft", "shoplifting-not-recorded", 1)
    _malpractice(store, team.bob, "burglary-garage", "downgraded-to-damage", 1)
    with store.write() as conn:  # committed, as the store writes (no transaction left open)
        conn.execute(
            "INSERT INTO regrades (started_at, started_ts, finished_at, bank_hash, "
            "catalogue_edition, checked, changed) VALUES (?1, 0, ?1, 'abc', '2026-27', 5000, 1234)",
            [to_iso(START + timedelta(days=40))],
        )
    window.refresh()
    settle(qtbot, window)
    proxy = window.team.model
    rows = {shown(None, proxy, r)["Trainee"]: shown(None, proxy, r) for r in range(3)}
    assert {name: row["HMIC\nmalpractice"] for name, row in rows.items()} == {
        "Alice Archer": "3",
        "Bob Baker": "1",
        "Carol Cole": "0",
    }
    assert window.team.headline.text().endswith("HMIC malpractice answers: 4.")
    header = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(12)]
    assert header[8:12] == [
        "Accuracy\n95% CI",
        "HMIC\nmalpractice",
        "Disposal\nerrors",
        "Last\nactive",
    ]
    view = window.malpractice
    assert view.headline.text() == (
        "4 HMIC malpractice answer(s) in this filter, from 2 trainee(s), in 2 trap(s)."
    )
    table = [shown(None, view.proxy, r) for r in range(view.proxy.rowCount())]
    assert [(t["Scenario"], t["Trap"], t["Answers"], t["Trainees"]) for t in table] == [
        ("Burglary garage", "downgraded-to-damage", "3", "2"),
        ("Shop theft", "shoplifting-not-recorded", "1", "1"),
    ]
    assert window.export.regraded.text().startswith("1,234 answer(s) regraded on 2026-04-11")
    role = window.filters.role
    role.setCurrentIndex(role.findData("officer"))
    settle(qtbot, window)
    assert view.headline.text().startswith("1 HMIC malpractice answer(s)")
