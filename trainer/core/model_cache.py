"""Validated models kept as JSON and rebuilt without validating them again.

Building pydantic's validators and running them is most of the cost of starting the application;
a cache written from models that were already validated can be trusted once its digest shows it is
the file we wrote. Rebuilding still checks the shape (every required key, no unknown key, lists
where the models hold tuples), so a cache written for other models is refused, never half-read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class StaleCache(ValueError):
    """The cache is damaged or does not fit the models: load from the sources instead."""


def dump(model: BaseModel) -> Any:
    """The JSON form to keep: only the fields that were set, so a rebuild sets the same ones."""
    return model.model_dump(mode="json", exclude_unset=True)


def rebuild(cls: type[M], data: Any) -> M:
    """`cls` from `dump()` output through `model_construct`, nested models included."""
    if not isinstance(data, dict):
        raise StaleCache(f"{cls.__name__}: expected a mapping")
    required, converters = _plan(cls)
    if not required <= data.keys() <= converters.keys():
        raise StaleCache(f"{cls.__name__}: the keys do not match the model")
    values = dict(data)  # `data` stays as read, to be written back as it is
    for name, convert in converters.items():
        if convert is not None and name in values:
            values[name] = convert(values[name])
    return cls.model_construct(**values)


Convert = Callable[[Any], Any] | None  # None: the value is used as it was read


@functools.cache
def _plan(cls: type[BaseModel]) -> tuple[frozenset[str], dict[str, Convert]]:
    """Per model, worked out once: its required fields and how to rebuild each field's value."""
    fields = cls.model_fields
    required = frozenset(name for name, field in fields.items() if field.is_required())
    return required, {name: _converter(field.annotation) for name, field in fields.items()}


def _converter(annotation: Any) -> Convert:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        model = annotation
        return lambda raw: rebuild(model, raw)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])

        def to_tuple(raw: Any) -> tuple[Any, ...]:
            if not isinstance(raw, list):
                raise StaleCache(f"expected a list for {annotation}")
            return tuple(raw) if item is None else tuple(item(x) for x in raw)

        return to_tuple
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:  # only `X | None`, the one union the models use
            raise StaleCache(f"cannot rebuild {annotation}")
        inner = _converter(options[0])
        return None if inner is None else lambda raw: None if raw is None else inner(raw)
    if annotation in (str, int, float, bool) or origin is Literal:
        return None  # JSON keeps these as they were
    raise StaleCache(f"cannot rebuild {annotation}")


def fingerprint(*models: type[BaseModel]) -> str:
    """Changes whenever a field, its type or constraints, or a model's settings change."""
    seen: dict[str, str] = {}

    def visit(cls: type[BaseModel]) -> None:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in seen:
            return
        fields = cls.model_fields
        seen[name] = repr(
            (
                sorted(cls.model_config.items()),
                [(n, f.annotation, f.metadata, f.is_required()) for n, f in fields.items()],
                sorted(cls.__pydantic_decorators__.model_validators),
                sorted(cls.__pydantic_decorators__.field_validators),
            )
        )
        for field in fields.values():
            for nested in _models_in(field.annotation):
                visit(nested)

    for model in models:
        visit(model)
    return hashlib.sha256(repr(sorted(seen.items())).encode()).hexdigest()[:16]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def write_sealed(path: Path, payload: Any) -> None:
    """Write `payload` as JSON after a line holding its digest, atomically (raises OSError)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    part.replace(path)


def read_sealed(path: Path) -> Any:
    """What `write_sealed` wrote; raises OSError, or ValueError for a damaged file."""
    digest, _, body = path.read_bytes().partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        raise StaleCache(f"{path}: damaged (its digest does not match)")
    return json.loads(body)
