"""Reading the YAML sources (catalogue and scenario files), keeping every value's line number.

Kept apart so that PyYAML is imported only when YAML is read: a start-up served from the caches
never needs it.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SafeLoader = _Loader

Loc = tuple[str | int, ...]


def line_map(node: yaml.Node) -> dict[Loc, int]:
    """The 1-based line of every mapping value and sequence item, by its path from the root."""
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}

    def walk(n: yaml.Node, loc: Loc) -> None:
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                child = (*loc, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                lines[(*loc, i)] = item.start_mark.line + 1
                walk(item, (*loc, i))

    walk(node, ())
    return lines


class _TrackingLoader(SafeLoader):
    """The safe loader, noting keys given twice in one mapping (YAML would keep the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            seen: set[object] = set()
            for key, _ in node.value:
                if key.value in seen:
                    self.duplicate_keys.append((str(key.value), key.start_mark.line + 1))
                seen.add(key.value)
        return mapping


def parse_text(text: str) -> tuple[Any, yaml.Node | None, list[tuple[str, int]]]:
    """Parse one YAML document, keeping its node tree for line numbers and any repeated keys."""
    loader = _TrackingLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node, loader.duplicate_keys
