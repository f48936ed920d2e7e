"""Feedback on one answer: the score, the answer beside the key, each finding with its rule card."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trainer.core.content.catalogue import Catalogue, RuleCard
from trainer.core.content.models import Answer, Expected, Finding
from trainer.core.grading.feedback import (
    ComparisonRow,
    comparison,
    describe,
    feedback_text,
    finding_line,
    score_words,
)
from trainer.ui.table_model import Column, RowTableModel
from trainer.ui.widgets import button, heading, paragraphs_html, table_view, text_pane, wrapped

COMPARISON_COLUMNS = (
    Column("Part of the record", lambda r: r.field),
    Column("Your answer", lambda r: r.given),
    Column("Expected", lambda r: r.expected),
    Column("Match", lambda r: r.match),
)


@dataclass(frozen=True)
class CardLink:
    """A line in the findings list and the rule card it opens."""

    text: str
    card: RuleCard | None


@dataclass(frozen=True)
class Shown:
    """Everything the feedback screen shows about one answer."""

    title: str
    score: int
    answer: Answer
    findings: tuple[Finding, ...]
    expected: Expected | None  # None when the scenario has left the bank
    feedback: str | None
    asked: tuple[str, ...] = ()
    note: str = ""


class FeedbackView(QWidget):
    next_requested = Signal()

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.title = heading("", self)
        self.score = heading("", self, scale=1.25)
        self.score.setWordWrap(False)
        self.note = wrapped("", "Note", self)
        self.comparison = RowTableModel(COMPARISON_COLUMNS, self)
        self.comparison_view = table_view(
            self.comparison, "Your answer beside the expected one", self
        )
        columns = self.comparison_view.horizontalHeader()
        columns.setStretchLastSection(False)
        for column in (1, 2):  # the two answers share the width
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.links = RowTableModel((Column("Finding or rule", lambda c: c.text),), self)
        self.links_view = QListView(self)
        self.links_view.setModel(self.links)
        self.links_view.setAccessibleName("Findings and the rules behind them")
        self.links_view.setWordWrap(True)
        self.links_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.links_view.setAlternatingRowColors(True)
        self.card = text_pane("Rule card", self)
        self.feedback = text_pane("Why", self)
        self.next_button = button("&Next", "Next scenario", self)
        self.next_button.setDefault(True)

        links_label = QLabel("&Findings and rules (select one to read its rule card):", self)
        links_label.setBuddy(self.links_view)
        links_label.setWordWrap(True)
        findings = QWidget(self)
        findings_layout = QVBoxLayout(findings)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        findings_layout.addWidget(links_label)
        findings_layout.addWidget(self.links_view, 1)
        card_side = QWidget(self)
        card_layout = QVBoxLayout(card_side)
        card_layout.setContentsMargins(0, 0, 0, 0)
        card_layout.addWidget(wrapped("Rule card", "Rule card heading", card_side))
        card_layout.addWidget(self.card, 1)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(findings)
        lower.addWidget(card_side)
        lower.setChildrenCollapsible(False)

        compare_label = QLabel("Your &answer beside the expected one:", self)
        compare_label.setBuddy(self.comparison_view)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(compare_label)
        upper_layout.addWidget(self.comparison_view)
        upper_layout.addWidget(wrapped("Why:", "Why heading", upper))
        upper_layout.addWidget(self.feedback, 1)
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(upper)
        body.addWidget(lower)
        body.setChildrenCollapsible(False)
        body.setStretchFactor(0, 2)
        body.setStretchFactor(1, 3)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.score)
        footer = QHBoxLayout()
        footer.addWidget(self.note, 1)
        footer.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(body, 1)
        layout.addLayout(footer)

        self.links_view.selectionModel().selectionChanged.connect(self._link_selected)
        self.links_view.clicked.connect(lambda index: self._show_card(self.links.row_at(index)))
        self.next_button.clicked.connect(self.next_requested)

    def show_result(self, shown: Shown, next_text: str = "&Next") -> None:
        self.title.setText(shown.title)
        self.title.setAccessibleName(f"Feedback: {shown.title}")
        words = f"Score {shown.score} — {score_words(shown.score, shown.findings)}"
        self.score.setText(words)
        self.score.setAccessibleName(words)
        rows: Sequence[ComparisonRow]
        if shown.expected is not None:
            rows = comparison(shown.answer, shown.expected, self.catalogue, shown.findings)
        else:
            rows = [
                ComparisonRow(k, v, "(not available)")
                for k, v in describe(shown.answer, self.catalogue).items()
            ]
        self.comparison.set_rows(rows)
        self._fit_comparison()
        self.links.set_rows(self._card_links(shown))
        text = feedback_text(shown.feedback or "", shown.expected, shown.findings)
        self.feedback.setHtml(paragraphs_html(text))
        asked = f"Questions asked: {len(shown.asked)}. " if shown.asked else ""
        self.note.setText((asked + shown.note).strip())
        self.next_button.setText(next_text)
        self.next_button.setAccessibleName(next_text.replace("&", ""))
        if self.links.rowCount():
            self.links_view.setCurrentIndex(self.links.index(0, 0))
        else:
            self.card.clear()
        self.next_button.setFocus()

    def _fit_comparison(self) -> None:
        """As tall as its rows, so the space goes to the reasons and the rule cards."""
        view = self.comparison_view
        view.resizeRowsToContents()
        rows = sum(view.rowHeight(r) for r in range(self.comparison.rowCount()))
        frame = 2 * view.frameWidth() + view.horizontalHeader().sizeHint().height()
        view.setFixedHeight(rows + frame + 2)

    def resizeEvent(self, event):  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit_comparison()  # wrapped rows change height with the width

    def _card_links(self, shown: Shown) -> list[CardLink]:
        rule_by_id = self.catalogue.rule_by_id
        links = [CardLink(finding_line(f), rule_by_id.get(f.rule)) for f in shown.findings]
        cited = shown.expected.cards if shown.expected is not None else ()
        if not shown.findings:  # the card that decides the scenario, to read why it is right
            deciding = next((rule_by_id[r] for r in cited if r in rule_by_id), None)
            links.append(CardLink("✓ No findings: every part of the record is right.", deciding))
        named = {f.rule for f in shown.findings}
        links += [
            CardLink(f"Rule: {rule_by_id[r].title}", rule_by_id[r])
            for r in cited
            if r in rule_by_id and r not in named
        ]
        return links

    def _link_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self._show_card(self.links.row_at(indexes[0]))

    def _show_card(self, link: CardLink) -> None:
        card = link.card
        if card is None:
            self.card.setHtml("<p>Select a finding or a rule to read its rule card here.</p>")
            return
        self.card.setHtml(
            f"<h3>{html.escape(card.title)}</h3><p>{html.escape(card.explanation)}</p>"
            f"<p><i>Source: {html.escape(card.source)}</i></p>"
        )
        self.card.setAccessibleDescription(f"{card.title}. {card.explanation}")
