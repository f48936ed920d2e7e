"""Trainee answers in the public JSON form: parse, check against the scenario, one-line errors."""

from __future__ import annotations

import json

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import check_answer
from trainer.core.content.models import Answer, Scenario
from trainer.core.content.scenarios import _field, _pydantic_message
from trainer.core.errors import TrainerError

MAX_ANSWER_BYTES = 64 * 1024


def parse_answer(
    text: str, scenario: Scenario, catalogue: Catalogue, name: str = "answer"
) -> Answer:
    """Parse answer JSON; raise TrainerError naming the source, the field and what is wrong."""
    if len(text.encode("utf-8")) > MAX_ANSWER_BYTES:
        raise TrainerError(f"{name}: answer is larger than 64 KiB")
    if not text.strip():
        raise TrainerError(f"{name}: answer is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrainerError(f"{name}:{exc.lineno}: malformed JSON: {exc.msg}") from exc
    return answer_from_data(data, scenario, catalogue, name)


def answer_from_data(
    data: object, scenario: Scenario, catalogue: Catalogue, name: str = "answer"
) -> Answer:
    if not isinstance(data, dict):
        raise TrainerError(f"{name}: answer must be a JSON object with a 'decision'")
    from trainer.core.content.validation import ValidationError, validate

    try:
        answer = validate(Answer, data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _field(tuple(error["loc"])) or "answer"
        raise TrainerError(f"{name}: {where}: {_pydantic_message(error)}") from exc
    issues = check_answer(scenario, answer, catalogue)
    if issues:
        loc, message = issues[0]
        raise TrainerError(f"{name}: {_field(loc)}: {message}")
    return answer
