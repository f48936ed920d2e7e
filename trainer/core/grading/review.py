"""A stored answer reopened: the report, the questions asked, both answers and every finding.

The same review is shown from the trainee's progress, from exam results and from the supervisor
dashboard; `answer_review` gathers it from plain values and `review_html` writes it out, so what a
reader sees is worked out (and tested) without a window.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from trainer.core.content.catalogue import Catalogue, RuleCard
from trainer.core.content.models import Answer, Finding, Scenario
from trainer.core.grading.feedback import (
    FINDING_NAMES,
    ComparisonRow,
    asked_words,
    comparison,
    describe,
    feedback_text,
    questions_heading,
    scenario_source,
    score_words,
)

GONE = "This scenario is no longer in the bank; only the answer and its findings are kept."
REVISED = "This scenario has been revised since it was answered; the key shown is the new one."
NOT_AVAILABLE = "(not available)"
_LOG_ENTRY = re.compile(r"^\d{1,2}[:.]\d{2}\b")  # "14:32 CALLER STATES ..." in an incident log


@dataclass(frozen=True)
class Asked:
    question: str
    answer: str  # '' when the scenario has left the bank


@dataclass(frozen=True)
class FindingCard:
    """One finding in words, with the rule card it names (None for a card no longer known)."""

    kind: str
    message: str
    rule: str
    card: RuleCard | None
    malpractice: bool = False


@dataclass(frozen=True)
class AnswerReview:
    title: str
    score: int
    note: str
    channel: str  # '' when the scenario has left the bank
    report: str
    questions_heading: str
    asked_words: tuple[str, str]  # e.g. ("You asked", "Answer"); ("You checked", "Found") in a log
    asked: tuple[Asked, ...]
    not_asked: tuple[str, ...]
    comparison: tuple[ComparisonRow, ...]  # as the feedback screen shows it
    findings: tuple[FindingCard, ...]
    cited: tuple[RuleCard, ...]  # the scenario's rule cards no finding names
    feedback: str

    @property
    def score_line(self) -> str:
        words = score_words(self.score)
        if any(f.malpractice for f in self.findings):
            words += ", an HMIC malpractice answer"
        return f"Score {self.score} — {words}"


def answer_review(
    title: str,
    score: int,
    answer: Answer,
    findings: Sequence[Finding],
    asked: Sequence[str],
    scenario: Scenario | None,
    catalogue: Catalogue,
    revised: bool = False,
) -> AnswerReview:
    """The review of one stored answer; `scenario` as the bank has it now (None if it has gone)."""
    if scenario is not None:
        rows = tuple(comparison(answer, scenario.expected, catalogue, findings))
    else:
        rows = tuple(
            ComparisonRow(k, v, NOT_AVAILABLE) for k, v in describe(answer, catalogue).items()
        )
    cards = catalogue.rule_by_id
    named = tuple(
        FindingCard(
            FINDING_NAMES.get(f.kind, f.kind), f.message, f.rule, cards.get(f.rule), f.malpractice
        )
        for f in findings
    )
    details = {d.ask: d.answer for d in scenario.report.details} if scenario else {}
    cited_ids = scenario.expected.rules if scenario else ()
    return AnswerReview(
        title=title,
        score=score,
        note=GONE if scenario is None else (REVISED if revised else ""),
        channel=scenario_source(scenario) if scenario else "",
        report=scenario.report.text if scenario else "",
        questions_heading=(
            "What was checked in the log"
            if scenario and questions_heading(scenario) == "Check the log"
            else "Questions asked"
        ),
        asked_words=asked_words(scenario) if scenario else ("Asked", "Answer"),
        asked=tuple(Asked(q, details.get(q, "")) for q in asked),
        not_asked=tuple(q for q in details if q not in asked),
        comparison=rows,
        findings=named,
        cited=tuple(
            cards[r] for r in cited_ids if r in cards and r not in {f.rule for f in findings}
        ),
        feedback=feedback_text(scenario.feedback, scenario.expected, findings) if scenario else "",
    )


def paragraphs_html(text: str) -> str:
    """A report as HTML paragraphs: wrapped lines rejoin; each timed log entry keeps its line."""
    out = []
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for raw in block.splitlines():
            line = " ".join(raw.split())
            if lines and line and not _LOG_ENTRY.match(line):
                lines[-1] += " " + line
            elif line:
                lines.append(line)
        if lines:
            out.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return "".join(out)


def _card(card: RuleCard) -> str:
    return (
        f"<p><b>Rule card: {html.escape(card.title)}</b><br>{html.escape(card.explanation)}"
        f"<br><i>Source: {html.escape(card.source)}</i></p>"
    )


def review_html(review: AnswerReview) -> str:
    """The whole review as one read-only HTML document."""
    e = html.escape
    out = [f"<h2>{e(review.title)}</h2>", f"<p><b>{e(review.score_line)}</b></p>"]
    if review.note:
        out.append(f"<p><i>{e(review.note)}</i></p>")
    out.append(f"<h3>The report{f': {e(review.channel)}' if review.channel else ''}</h3>")
    out.append(paragraphs_html(review.report) if review.report else "<p>(not available)</p>")
    out.append(f"<h3>{e(review.questions_heading)}</h3>")
    asked, answered = review.asked_words
    if review.asked:
        out.extend(
            f"<p><b>{e(asked)}:</b> {e(a.question)}<br>"
            f"<b>{e(answered)}:</b> {e(a.answer or NOT_AVAILABLE)}</p>"
            for a in review.asked
        )
    else:
        out.append("<p>None asked.</p>")
    if review.not_asked:
        listed = "".join(f"<li>{e(q)}</li>" for q in review.not_asked)
        out.append(f"<p>Not asked:</p><ul>{listed}</ul>")
    out.append("<h3>The answer beside the expected one</h3>")
    rows = "".join(
        f"<tr><th align='left' valign='top'>{e(r.field)}</th>"
        f"<td valign='top'>{e(r.given).replace(chr(10), '<br>')}</td>"
        f"<td valign='top'>{e(r.expected).replace(chr(10), '<br>')}</td>"
        f"<td valign='top'>{r.match}</td></tr>"
        for r in review.comparison
    )
    out.append(
        "<table cellspacing='0' cellpadding='4' border='1'><tr><th>Part of the record</th>"
        f"<th>The answer</th><th>Expected</th><th>Match</th></tr>{rows}</table>"
    )
    out.append("<h3>Findings</h3>")
    if not review.findings:
        out.append("<p>✓ No findings: every part of the record is right.</p>")
    for f in review.findings:
        mark = " <b>⚠ HMIC malpractice</b>" if f.malpractice else ""
        out.append(f"<p><b>✗ {e(f.kind)}:</b> {e(f.message)}{mark}</p>")
        out.append(_card(f.card) if f.card else f"<p><i>Rule card {e(f.rule)}</i></p>")
    if review.cited:
        out.append("<h3>The rules behind this scenario</h3>")
        out.extend(_card(c) for c in review.cited)
    if review.feedback:
        out.append("<h3>Why</h3>")
        out.append(paragraphs_html(review.feedback))
    return "".join(out)
