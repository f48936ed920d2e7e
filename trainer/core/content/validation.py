"""Input in the public formats validated into the domain dataclasses, by pydantic.

Imported only where input is validated (scenario and catalogue YAML, answer JSON), never on the way
to the first scenario: a start-up served from the caches builds the dataclasses directly.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

__all__ = ["ValidationError", "validate", "validate_json"]

T = TypeVar("T")


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[T]) -> TypeAdapter[T]:
    """One adapter per type: building its validator is the costly part."""
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def validate(cls: type[T], data: Any) -> T:
    """`data` (parsed YAML or JSON) as a `cls`; raises pydantic's ValidationError."""
    return _adapter(cls).validate_python(data)


def validate_json(cls: type[T], text: str | bytes) -> T:
    """JSON text as a `cls` (JSON rules: arrays become tuples); raises ValidationError."""
    return _adapter(cls).validate_json(text)
