"""Reading the YAML sources (catalogue and scenario files), keeping every value's line number.

Kept apart so that PyYAML is imported only when YAML is read: a start-up served from the caches
never needs it.

Before anything is built, the event stream is checked: no anchors, aliases or merge keys (authors
do not need them, and an alias bomb would otherwise expand exponentially), no tags but `!!str`, no
nesting deeper than `limits.DEPTH`, and every plain number and date one Python can build. Each
refusal names its line and field, and comes after reading at most `limits.DEPTH` levels.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from trainer.core.content import limits

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SafeLoader = _Loader

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
MAX_NUMBER = 100  # characters of a plain number (Python refuses ints of 4,300 digits)


class Refused(Exception):
    """A construct scenario files may not use, at `line` (1-based) of the value at `loc`."""

    def __init__(self, line: int, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.line, self.loc, self.message = line, loc, message
        self.node: yaml.Node | None = None


class _Frame:
    __slots__ = ("expect_key", "index", "key", "loc", "mapping")

    def __init__(self, loc: Loc, mapping: bool) -> None:
        self.loc, self.mapping = loc, mapping
        self.expect_key, self.key, self.index = True, "?", 0

    def child(self, event: yaml.Event) -> tuple[Loc, bool]:
        """The location of the node this event starts, and whether it is a mapping key."""
        if not self.mapping:
            self.index += 1
            return (*self.loc, self.index - 1), False
        if self.expect_key:
            self.expect_key = False
            self.key = str(event.value) if isinstance(event, yaml.ScalarEvent) else "?"
            return (*self.loc, self.key), True
        self.expect_key = True
        return (*self.loc, self.key), False


def _check_scalar(event: yaml.ScalarEvent, line: int, loc: Loc, is_key: bool) -> None:
    if is_key and event.value == "<<" and not event.style:
        raise Refused(line, loc, "merge keys (<<) are not allowed in scenario files")
    if event.style or event.tag is not None:
        return  # quoted, or tagged !!str: text (the C parser's plain style is "", Python's None)
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))  # type: ignore[no-untyped-call]
    if tag == _INT and len(event.value) > MAX_NUMBER:
        raise Refused(line, loc, f"a number of {len(event.value):,} digits is too long")
    if tag == _TIMESTAMP:
        node = yaml.ScalarNode(tag, event.value)
        try:
            yaml.constructor.SafeConstructor.construct_yaml_timestamp(_CONSTRUCTOR, node)
        except (ValueError, OverflowError):
            raise Refused(line, loc, f"{event.value!r} is not a real date") from None


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# Most files hold nothing `check_events` looks for, and a few C-speed string searches show it, so
# they skip its Python loop over every event: no `&`, `*` or `!` at the start of a token, no `<<`,
# and too few brackets and entries for deep nesting (libyaml slows quadratically with depth: 5,000
# levels take 0.3 s, 20,000 over 3 s). Block nesting needs a line and one more space of indent per
# level, so 1 MiB holds fewer than 1,500 levels of it, which libyaml builds in a few hundredths of
# a second; the loader's walks do not recurse. Numbers and dates are checked as they are built.
_PROPERTY = re.compile(r"(?<![^\s\[\]{},:])[&*!]")
SHALLOW = 1_000  # brackets and entries: the most a file may have and skip the event check


def needs_event_check(text: str) -> bool:
    """Whether `check_events` could refuse this text (False only when it certainly cannot, apart
    from numbers and dates, which the loader refuses as it builds them)."""
    if ("&" in text or "*" in text or "!" in text) and _PROPERTY.search(text) is not None:
        return True
    if "<" in text and "<<" in text:  # single characters first: they are searched far faster
        return True
    flow = text.count("[") + text.count("{")
    return flow + text.count("-") + text.count("?") + text.count("\t") >= SHALLOW


def check_events(text: str) -> None:
    """Raise `Refused` at the first construct scenario files may not use (see the module)."""
    loader = SafeLoader(text)
    stack: list[_Frame] = []
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            line = event.start_mark.line + 1 if event.start_mark else 1
            loc, is_key = stack[-1].child(event) if stack else ((), False)
            if isinstance(event, yaml.AliasEvent):
                raise Refused(line, loc, "aliases (*name) are not allowed in scenario files")
            if event.anchor is not None:
                raise Refused(line, loc, "anchors (&name) are not allowed in scenario files")
            tag = getattr(event, "tag", None)  # None unless the file gives one
            if tag is not None and tag not in (_STR, "!"):
                raise Refused(line, loc, f"the tag {tag} is not allowed; write plain text")
            if isinstance(event, yaml.ScalarEvent):
                _check_scalar(event, line, loc, is_key)
                continue
            if len(stack) >= limits.DEPTH:
                raise Refused(line, loc, f"is nested more than {limits.DEPTH} levels deep")
            stack.append(_Frame(loc, isinstance(event, yaml.MappingStartEvent)))
    finally:
        loader.dispose()


def _children(n: yaml.Node) -> list[tuple[str | int, int, yaml.Node]]:
    """Each child of a collection node: its key or index, its 1-based line, the node."""
    if isinstance(n, yaml.MappingNode):
        return [(str(k.value), k.start_mark.line + 1, v) for k, v in n.value]
    if isinstance(n, yaml.SequenceNode):
        return [(i, item.start_mark.line + 1, item) for i, item in enumerate(n.value)]
    return []


def line_map(node: yaml.Node) -> dict[Loc, int]:
    """The 1-based line of every mapping value and sequence item, by its path from the root
    (walked without recursion: nesting is bounded only loosely before this runs)."""
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    todo: list[tuple[yaml.Node, Loc]] = [(node, ())]
    while todo:
        n, loc = todo.pop()
        for part, line, child in _children(n):
            lines[(*loc, part)] = line
            todo.append((child, (*loc, part)))
    return lines


def _loc_of(root: yaml.Node, target: yaml.Node) -> Loc:
    """The path from `root` to the node `target` (the root's if it is not found)."""
    todo: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while todo:
        n, loc = todo.pop()
        if n is target:
            return loc
        todo.extend((child, (*loc, part)) for part, _, child in _children(n))
    return ()


class _TrackingLoader(SafeLoader):
    """The safe loader, noting keys given twice in one mapping (YAML would keep the last), and
    refusing numbers Python will not build and impossible dates, at their node."""

    def _refuse(self, node: yaml.Node, message: str) -> Refused:
        refused = Refused(node.start_mark.line + 1, (), message)
        refused.node = node
        return refused

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_NUMBER:
            raise self._refuse(node, f"a number of {len(node.value):,} digits is too long")
        return int(super().construct_yaml_int(node))

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise self._refuse(node, f"{node.value!r} is not a real date") from None

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


_TrackingLoader.add_constructor(_INT, _TrackingLoader.construct_yaml_int)
_TrackingLoader.add_constructor(_TIMESTAMP, _TrackingLoader.construct_yaml_timestamp)


def parse_text(text: str) -> tuple[Any, yaml.Node | None, list[tuple[str, int]]]:
    """Parse one YAML document, keeping its node tree for line numbers and any repeated keys.

    Raises `Refused` for what scenario files may not use (checked first, on the event stream),
    and PyYAML's errors for malformed YAML.
    """
    if needs_event_check(text):
        check_events(text)
    loader = _TrackingLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except Refused as refused:
        at = getattr(refused, "node", None)
        if node is not None and at is not None:
            refused.loc = _loc_of(node, at)
        raise
    finally:
        loader.dispose()
    return data, node, loader.duplicate_keys
