"""The Rules at risk tab: leech rules (failed again and again) per trainee and for the team, and
answers given very sure with a wrong recording decision: where retraining starts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from trainer.core.content.catalogue import Catalogue
from trainer.core.reports.certainty import (
    LEECH_LAPSES,
    ConfidentWrong,
    RuleAtRisk,
    confident_and_wrong,
    confident_and_wrong_counts,
    leeches,
    rules_at_risk,
)
from trainer.core.store.sqlite import Store
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.widgets import table_view, wrapped


@dataclass(frozen=True)
class TraineeRisk:
    name: str
    staff_number: str
    leeches: tuple[tuple[str, int], ...]  # (rule, lapses)
    confident_wrong: int


@dataclass(frozen=True)
class Risks:
    rules: tuple[RuleAtRisk, ...]
    trainees: tuple[TraineeRisk, ...]
    confident_wrong: tuple[ConfidentWrong, ...]
    names: dict[str, str]


def load_risks(store: Store) -> Risks:
    """Bring the rule schedules up to date, then count in SQL (run off the GUI thread)."""
    from trainer.core.practice.schedule import desired_retention, update_schedules

    update_schedules(store, desired_retention(store))
    wrong = confident_and_wrong_counts(store)
    people = []
    for t in store.trainees():
        mine = tuple(leeches(store, t.id))
        if mine or wrong.get(t.id):
            people.append(TraineeRisk(t.name, t.staff_number, mine, wrong.get(t.id, 0)))
    people.sort(key=lambda p: (-len(p.leeches), -p.confident_wrong, p.name))
    return Risks(
        tuple(rules_at_risk(store)),
        tuple(people),
        tuple(confident_and_wrong(store)),
        {t.id: t.name for t in store.trainees()},
    )


class RiskView(QWidget):
    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)

        def title(rule: str) -> str:
            card = catalogue.rule_by_id.get(rule)
            return card.title if card else rule

        self.names: dict[str, str] = {}
        self.rules = RowTableModel(
            (
                Column("Rule", lambda r: title(r.rule)),
                Column("Trainees", lambda r: str(r.trainees), numeric=True),
                Column("Lapses", lambda r: str(r.lapses), numeric=True),
            ),
            self,
        )
        self.trainees = RowTableModel(
            (
                Column("Trainee", lambda p: p.name, tooltip=lambda p: p.staff_number),
                Column("Rules at risk", lambda p: str(len(p.leeches)), numeric=True),
                Column(
                    "Which (lapses)",
                    lambda p: "; ".join(f"{title(r)} ({n})" for r, n in p.leeches),
                ),
                Column("Confident and wrong", lambda p: str(p.confident_wrong), numeric=True),
            ),
            self,
        )
        self.wrong = RowTableModel(
            (
                Column("Trainee", lambda w: self.names.get(w.trainee_id, w.trainee_id)),
                Column("Scenario", lambda w: w.scenario_title),
                Column("Decision given", lambda w: w.decision),
                Column("Expected", lambda w: w.expected_decision),
                Column("Answered", lambda w: w.answered_at[:16].replace("T", " ")),
            ),
            self,
        )
        note = wrapped(
            f"A rule is at risk for a trainee who has broken it {LEECH_LAPSES} times or more "
            "(counted from all their answers, whatever the filter). Confident and wrong: answers "
            "given 'very sure' (above 80%) with the wrong recording decision.",
            "About rules at risk",
            self,
        )
        upper = QHBoxLayout()
        upper.addWidget(table_view(self.rules, "Rules at risk for the team", self, stretch=0), 1)
        upper.addWidget(table_view(self.trainees, "Rules at risk per trainee", self, stretch=2), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(upper, 1)
        layout.addWidget(table_view(self.wrong, "Confident and wrong", self, stretch=1), 1)

    def show_risks(self, risks: Risks) -> None:
        self.names = risks.names
        self.rules.set_rows(risks.rules)
        self.trainees.set_rows(risks.trainees)
        self.wrong.set_rows(risks.confident_wrong)
