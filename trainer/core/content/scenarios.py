"""Scenario files: YAML -> validated `Scenario`; each problem is `path:line: field: message`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.core.content.catalogue import Catalogue
from trainer.core.content.checks import check_scenario, reference_issues, unnamed_topics
from trainer.core.content.models import Scenario

MAX_FILE_BYTES = 1024 * 1024
SUFFIXES = (".yaml", ".yml")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class LoadedScenario:
    scenario: Scenario
    path: Path
    content_hash: str


@dataclass
class Library:
    """What a folder of scenario files yielded: the valid scenarios and every problem found."""

    scenarios: list[LoadedScenario] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def by_id(self) -> dict[str, LoadedScenario]:
        return {s.scenario.id: s for s in self.scenarios}

    @property
    def skipped_files(self) -> list[str]:
        return sorted({p.path for p in self.problems})


def find_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Each named file, and every *.yaml / *.yml below each named folder, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        found: list[str] = []
        for folder, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found.extend(os.path.join(folder, n) for n in names if n.endswith(SUFFIXES))
        yield from (Path(f) for f in sorted(found))


def _line_for(lines: dict[Loc, int], loc: Loc) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _field(loc: Loc) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")


def _pydantic_message(error: Any) -> str:
    kind = error["type"]
    if kind == "unexpected_keyword_argument":  # an unknown key, as dataclasses report it
        return "unknown key (check the spelling)"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, not {error.get('input')!r}"
    if kind == "string_pattern_mismatch" and error.get("loc", ())[-1:] == ("decision",):
        return (
            "must be one of 'crime', 'incident', 'refer', 'retain', 'cancel', 'approve', "
            f"'refuse', 'escalate' or an outcome type code such as '16', not {error.get('input')!r}"
        )
    if kind == "string_pattern_mismatch" and error.get("loc", ())[-1:] in (
        ("date",),
        ("decided_on",),
    ):
        return f"{error.get('input')!r} must be a date as YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} must use only lowercase letters, digits and single hyphens"
    if kind == "too_short":
        return "must not be empty"
    if kind in ("string_too_long", "too_long"):
        limit = error.get("ctx", {}).get("max_length")
        given = error.get("input")
        size = f"has {len(given):,}" if isinstance(given, (str, tuple, list)) else "is over"
        unit = "characters" if kind == "string_too_long" else "items"
        return f"{size} {unit}; the limit is {limit:,}" if limit else str(error["msg"])
    if kind == "less_than_equal":
        return f"must be at most {error.get('ctx', {}).get('le')}, not {error.get('input')!r}"
    return str(error["msg"])


def load_file(
    path: Path, catalogue: Catalogue, shown_as: str | None = None
) -> tuple[LoadedScenario | None, list[Problem]]:
    """Read and check one scenario file; a scenario is returned only when it has no problems."""
    name = shown_as or str(path)

    def problem(line: int, where: str, message: str) -> Problem:
        return Problem(name, line, where, message)

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [problem(1, "file", f"is {size:,} bytes; the limit is 1 MiB")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [problem(1, "file", f"cannot be read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [problem(line, "file", f"is not UTF-8 (byte 0x{raw[exc.start]:02x})")]
    if not text.strip():
        return None, [problem(1, "file", "is empty")]
    import yaml  # here, not at the top: a start-up served from the caches never needs it

    from trainer.core.content.yaml_source import Refused, line_map, parse_text

    try:
        data, node, repeated = parse_text(text)
    except Refused as exc:
        return None, [problem(exc.line, _field(exc.loc[:4]) or "yaml", exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [problem(line, "yaml", f"malformed YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [problem(1, "yaml", f"malformed YAML: {exc}")]
    if not isinstance(data, dict) or node is None:
        return None, [problem(1, "file", "must be a YAML mapping of scenario keys")]

    from trainer.core.content.validation import ValidationError, validate

    problems = [problem(line, key, "key given twice") for key, line in repeated]
    try:
        scenario = validate(Scenario, data)
    except ValidationError as exc:
        lines = line_map(node)
        shape_errors = set()
        for error in exc.errors():
            loc = tuple(error["loc"])
            shape_errors.add(loc)
            problems.append(problem(_line_for(lines, loc), _field(loc), _pydantic_message(error)))
        # Unknown codes and cards too, so one pass reports every problem of the file.
        problems += [
            problem(_line_for(lines, loc), _field(loc), msg)
            for loc, msg in reference_issues(data, catalogue)
            if loc not in shape_errors
        ]
        problems.sort(key=lambda p: p.line)
        return None, problems
    issues = check_scenario(scenario, catalogue)
    if issues:
        lines = line_map(node)
        problems += [problem(_line_for(lines, loc), _field(loc), msg) for loc, msg in issues]
    if problems:
        return None, problems
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return LoadedScenario(scenario, path, digest), []


def topic_warnings(loaded: LoadedScenario, catalogue: Catalogue) -> list[Problem]:
    """Topics of a valid scenario the catalogue does not name, each on its own line."""
    issues = unnamed_topics(loaded.scenario, catalogue)
    if not issues:
        return []
    from trainer.core.content.yaml_source import line_map, parse_text

    _, node, _ = parse_text(loaded.path.read_text(encoding="utf-8"))
    lines = line_map(node) if node is not None else {}
    return [
        Problem(str(loaded.path), _line_for(lines, loc), _field(loc), msg) for loc, msg in issues
    ]


LoadFile = Callable[[Path, Catalogue], tuple[LoadedScenario | None, list[Problem]]]


def load_library(
    paths: Sequence[str | Path], catalogue: Catalogue, load: LoadFile = load_file
) -> Library:
    """Load every scenario file under `paths` with `load` (`load_file`, or the cache's stand-in
    for it); duplicate ids across files are problems too."""
    library = Library()
    first_seen: dict[str, LoadedScenario] = {}
    for path in find_files(paths):
        loaded, problems = load(path, catalogue)
        library.problems.extend(problems)
        if loaded is None:
            continue
        sid = loaded.scenario.id
        if sid in first_seen:
            library.problems.append(
                Problem(
                    str(path),
                    1,
                    "id",
                    f"duplicate scenario id {sid!r}, already used by {first_seen[sid].path}",
                )
            )
            continue
        first_seen[sid] = loaded
        library.scenarios.append(loaded)
    return library
