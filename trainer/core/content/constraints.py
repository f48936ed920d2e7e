"""Validation rules carried on domain types without importing pydantic.

The domain types are plain frozen dataclasses, so the application can build them from its caches
and show the first scenario without loading pydantic at all. When a public format is validated
(see `validation`), pydantic reads these markers through its documented
`__get_pydantic_core_schema__` hook and applies them as core-schema constraints, so the checks and
their messages are pydantic's own.
"""

from __future__ import annotations

from typing import Annotated, Any

from trainer.core.content import limits

# Class settings pydantic reads from a stdlib dataclass (`__pydantic_config__`): unknown keys fail.
FORBID_EXTRA: dict[str, Any] = {"extra": "forbid"}


class Constraints:
    """Core-schema settings added to the validated type's schema: `pattern`, `min_length`, ..."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings

    def __repr__(self) -> str:  # part of the cache fingerprint, so stable
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(self.settings.items()))
        return f"Constraints({inner})"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema.update(self.settings)
        return schema


SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Constraints(pattern=SLUG_PATTERN, max_length=limits.SLUG)]
NonBlank = Annotated[str, Constraints(strip_whitespace=True, min_length=1)]
PositiveInt = Annotated[int, Constraints(gt=0)]
Count = Annotated[int, Constraints(gt=0, le=limits.CRIME_COUNT)]  # of one recorded crime
# Text fields, each within its limit (see `limits`).
Title = Annotated[str, Constraints(strip_whitespace=True, min_length=1, max_length=limits.TITLE)]
Question = Annotated[
    str, Constraints(strip_whitespace=True, min_length=1, max_length=limits.QUESTION)
]
DetailText = Annotated[
    str, Constraints(strip_whitespace=True, min_length=1, max_length=limits.DETAIL_ANSWER)
]
ReportText = Annotated[
    str, Constraints(strip_whitespace=True, min_length=1, max_length=limits.REPORT_TEXT)
]
FeedbackText = Annotated[
    str, Constraints(strip_whitespace=True, min_length=1, max_length=limits.FEEDBACK)
]
