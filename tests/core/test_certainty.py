"""Certainty-based marking: the marks table, calibration and "confident and wrong" by hand."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from tests.core import store_data
from trainer.core.content.models import Answer
from trainer.core.grading.certainty import Calibration, cbm_mark
from trainer.core.reports.certainty import (
    calibration,
    confident_and_wrong,
    confident_and_wrong_counts,
)
from trainer.core.store.records import compact
from trainer.core.store.sqlite import Store


@pytest.mark.parametrize(
    ("certainty", "right", "mark"),
    [(1, True, 1), (2, True, 2), (3, True, 3), (1, False, 0), (2, False, -2), (3, False, -6)],
)
def test_certainty_marks_follow_the_table(certainty: int, right: bool, mark: int) -> None:
    assert cbm_mark(certainty, right) == mark


@pytest.mark.parametrize(
    ("level", "answers", "right", "verdict"),
    [
        (1, 10, 6, "well judged"),  # 60% < 67%
        (1, 3, 2, "well judged"),  # 66.7% just below 67%
        (1, 10, 7, "under-confident"),
        (2, 10, 7, "well judged"),
        (2, 10, 8, "well judged"),
        (2, 10, 6, "over-confident"),
        (2, 10, 9, "under-confident"),
        (3, 10, 9, "well judged"),
        (3, 10, 8, "over-confident"),  # 80% is not above 80%
        (3, 0, 0, "no answers"),
    ],
)
def test_calibration_verdicts(level: int, answers: int, right: int, verdict: str) -> None:
    assert Calibration(level, answers, right).verdict == verdict


def test_an_answer_keeps_its_certainty_in_the_json_only_when_stated() -> None:
    assert "certainty" not in Answer(decision="incident").to_json_dict()
    assert Answer(decision="incident", certainty=3).to_json_dict()["certainty"] == 3


# (trainee, certainty, decision given, expected): worked by hand below.
HISTORY = [
    ("a", 3, "crime", "crime"),
    ("a", 3, "incident", "crime"),  # confident and wrong
    ("a", 3, "incident", "crime"),  # confident and wrong
    ("a", 2, "crime", "crime"),
    ("a", 1, "refer", "crime"),
    ("a", None, "incident", "crime"),  # not stated: in neither figure
    ("b", 3, "cancel", "retain"),  # confident and wrong
    ("b", 3, "crime", "crime"),
    ("b", 1, "crime", "crime"),
    ("b", 2, "incident", "crime"),
]


def _store() -> tuple[Store, dict[str, str]]:
    store = Store.memory()
    ids: dict[str, str] = {}
    scenario = store_data.scenarios(1)[0]
    rng = random.Random(0)
    for i, (who, certainty, given, expected) in enumerate(HISTORY):
        if who not in ids:
            ids[who] = store.create_trainee(who, who, "officer").id
            session = store.start_session(ids[who], "mixed")
        rec = store_data.make_record(ids[who], session, scenario, rng, store_data.START)
        rec = dataclasses.replace(
            rec,
            id=f"00000000-0000-7000-8000-{i:012d}",
            kind="cancellation" if expected == "retain" else "classify",
            decision=given,
            expected_decision=expected,
            answer_json=compact({"decision": given, "certainty": certainty}),
            certainty=certainty,
        )
        store.record_answer(rec)
    return store, ids


def test_calibration_and_confident_and_wrong_figures_match_a_count_by_hand() -> None:
    store, ids = _store()
    with store:
        # Trainee a: C1 1 answer 0 right; C2 1/1; C3 3 answers 1 right.
        assert [(c.answers, c.right) for c in calibration(store, ids["a"])] == [
            (1, 0),
            (1, 1),
            (3, 1),
        ]
        a3 = calibration(store, ids["a"])[2]
        assert a3.verdict == "over-confident"
        assert a3.mean_mark == pytest.approx((3 - 6 - 6) / 3)
        # The team: C1 2 answers 1 right; C2 2 answers 1 right; C3 5 answers 2 right.
        assert [(c.answers, c.right) for c in calibration(store)] == [(2, 1), (2, 1), (5, 2)]
        assert confident_and_wrong_counts(store) == {ids["a"]: 2, ids["b"]: 1}
        listed = confident_and_wrong(store, ids["b"])
        assert [(w.decision, w.expected_decision) for w in listed] == [("cancel", "retain")]
        assert len(confident_and_wrong(store)) == 3


def test_the_answers_csv_has_the_certainty_after_the_mode(tmp_path: Path) -> None:
    from trainer.core.store.export import ANSWER_HEADER, export_answers

    store, _ = _store()
    with store:
        export_answers(store, tmp_path / "a.csv")
    import csv

    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    # Certainty follows mode (the registrar's columns come after it).
    at = ANSWER_HEADER.index("certainty")
    assert ANSWER_HEADER[at - 1] == "mode" and header[at] == "certainty"
    assert [row[at] for row in rows] == ["" if c is None else str(c) for _, c, _, _ in HISTORY]
