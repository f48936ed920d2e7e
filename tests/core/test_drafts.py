"""The answer form's contents turned into an Answer, or one plain reason why not."""

from __future__ import annotations

import dataclasses

import pytest

from tests.core.conftest import make_scenario
from trainer.core.content.catalogue import Catalogue
from trainer.core.errors import TrainerError
from trainer.core.grading.drafts import (
    AnswerDraft,
    DraftCrime,
    build_answer,
    draft_of,
    resolve_offence,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("28J", "28J"),
        ("28j", "28J"),
        ("  39 ", "39"),
        ("39 Theft from the person", "39"),
        ("Theft from the person", "39"),
        ("theft FROM the person", "39"),
        ("39 Something else entirely", None),
        ("no such offence", None),
        ("", None),
    ],
)
def test_offences_are_found_by_code_label_or_name(
    catalogue: Catalogue, text: str, code: str | None
) -> None:
    assert resolve_offence(text, catalogue) == code


def test_only_the_parts_of_the_chosen_decision_are_kept(catalogue: Catalogue) -> None:
    draft = AnswerDraft(
        decision="incident",
        crimes=[DraftCrime("28J")],
        flags=["domestic-abuse"],
        incident_code="N100",
        cancellation_reason="C2",
        refer_to="report-fraud",
        authority="inspector",
    )
    answer = build_answer(draft, make_scenario(), catalogue)
    assert dataclasses.asdict(answer) == {
        "decision": "incident",
        "crimes": (),
        "flags": (),
        "incident_code": "N100",
        "cancellation_reason": None,
        "refer_to": None,
        "authority": None,
        "certainty": None,
    }


def test_a_crime_answer_keeps_crimes_counts_and_flags(catalogue: Catalogue) -> None:
    draft = AnswerDraft(
        decision="crime",
        crimes=[DraftCrime("28J Attempted residential burglary of a home", 2), DraftCrime(" ")],
        flags=["online", "online"],
    )
    answer = build_answer(draft, make_scenario(), catalogue)
    assert [(c.offence, c.count) for c in answer.crimes] == [("28J", 2)]
    assert answer.flags == ("online",)
    assert draft_of(answer).crimes == [DraftCrime("28J", 2)]


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (AnswerDraft(), "Choose a decision"),
        (AnswerDraft(decision="retain"), "Choose a decision"),
        (AnswerDraft(decision="crime"), "Add at least one crime"),
        (
            AnswerDraft(decision="crime", crimes=[DraftCrime("burglary-ish")]),
            "Crime 1: 'burglary-ish'",
        ),
        (AnswerDraft(decision="refer"), "Choose where to refer"),
    ],
)
def test_an_unfinished_form_says_what_is_missing(
    catalogue: Catalogue, draft: AnswerDraft, message: str
) -> None:
    with pytest.raises(TrainerError, match=message):
        build_answer(draft, make_scenario(), catalogue)


def test_a_cancellation_needs_a_reason(catalogue: Catalogue) -> None:
    review = make_scenario(decision="retain", crimes=[])
    with pytest.raises(TrainerError, match="cancellation reason"):
        build_answer(AnswerDraft(decision="cancel"), review, catalogue)
    answer = build_answer(
        AnswerDraft(decision="cancel", cancellation_reason="C2"), review, catalogue
    )
    assert answer.cancellation_reason == "C2"
