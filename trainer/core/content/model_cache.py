"""Validated domain values kept as JSON and rebuilt without validating them again.

Validating with pydantic (and importing it) is most of the cost of starting the application; a
cache written from values that were already validated can be trusted once its digest shows it is
the file we wrote. Rebuilding still checks the shape (every required key, no unknown key, lists
where the dataclasses hold tuples), so a cache written for other types is refused, never half-read.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import os
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


class StaleCache(ValueError):
    """The cache is damaged or does not fit the types: load from the sources instead."""


def dump(value: Any) -> Any:
    """The JSON form to keep: every field, nested dataclasses as mappings, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    return value


def rebuild(cls: type[T], data: Any) -> T:
    """A `cls` dataclass from `dump()` output, nested dataclasses included."""
    if not isinstance(data, dict):
        raise StaleCache(f"{cls.__name__}: expected a mapping")
    required, converters = _plan(cls)  # type: ignore[arg-type]  # a class is hashable
    if not required <= data.keys() <= converters.keys():
        raise StaleCache(f"{cls.__name__}: the keys do not match the type")
    values = dict(data)  # `data` stays as read, to be written back as it is
    for name, convert in converters.items():
        if convert is not None and name in values:
            values[name] = convert(values[name])
    return cls(**values)


Convert = Callable[[Any], Any] | None  # None: the value is used as it was read


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        return repr(field.default)
    return "required" if field.default_factory is dataclasses.MISSING else "factory"


@functools.cache
def _plan(cls: type[Any]) -> tuple[frozenset[str], dict[str, Convert]]:
    """Per type, worked out once: its required fields and how to rebuild each field's value."""
    required = frozenset(f.name for f in dataclasses.fields(cls) if _required(f))
    return required, {name: _converter(hint) for name, hint in _hints(cls).items()}


def _converter(annotation: Any) -> Convert:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        nested: type[Any] = annotation
        return lambda raw: rebuild(nested, raw)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])

        def to_tuple(raw: Any) -> tuple[Any, ...]:
            if not isinstance(raw, list):
                raise StaleCache(f"expected a list for {annotation}")
            return tuple(raw) if item is None else tuple(item(x) for x in raw)

        return to_tuple
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:  # only `X | None`, the one union the types use
            raise StaleCache(f"cannot rebuild {annotation}")
        inner = _converter(options[0])
        return None if inner is None else lambda raw: None if raw is None else inner(raw)
    if annotation in (str, int, float, bool) or origin is Literal:
        return None  # JSON keeps these as they were
    if origin is dict and _converter(args[1]) is None:
        return _mapping
    raise StaleCache(f"cannot rebuild {annotation}")


def _mapping(raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise StaleCache("expected a mapping")
    return raw


def fingerprint(*classes: type[Any]) -> str:
    """Changes whenever a field, its type or constraints, a default or a type's settings change."""
    seen: dict[str, str] = {}

    def visit(cls: type[Any]) -> None:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in seen:
            return
        hints = _hints(cls)
        seen[name] = repr(
            (
                sorted(getattr(cls, "__pydantic_config__", {}).items()),
                [(f.name, hints[f.name], _default(f)) for f in dataclasses.fields(cls)],
            )
        )
        for hint in hints.values():
            for nested in _dataclasses_in(hint):
                visit(nested)

    for cls in classes:
        visit(cls)
    return hashlib.sha256(repr(sorted(seen.items())).encode()).hexdigest()[:16]


def _dataclasses_in(annotation: Any) -> list[type[Any]]:
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return [annotation]
    return [c for arg in get_args(annotation) for c in _dataclasses_in(arg)]


def validator_stamp() -> str:
    """Names the installed pydantic without importing it (that is what the caches save): the
    folders of pydantic and pydantic-core, with their modification times, which change whenever
    either is installed or upgraded. A cache validated by another pydantic is not used."""
    parts = []
    for package in ("pydantic", "pydantic_core"):
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        folder = Path(spec.origin).parent if spec and spec.origin else None
        try:
            stamp = folder.stat().st_mtime_ns if folder else "missing"
        except OSError:
            stamp = "missing"
        parts.append(f"{package}:{folder}:{stamp}")
    return "|".join(parts)


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
