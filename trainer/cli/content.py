"""Content commands: validate, grade, rules, coverage (the scenario bank and the catalogue)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trainer.cli.common import Subparsers, out
from trainer.core.errors import TrainerError

if TYPE_CHECKING:
    from trainer.core.content.catalogue import Catalogue


def cmd_validate(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import find_files, load_library, topic_warnings

    catalogue = load_catalogue()
    missing = [p for p in args.paths if not Path(p).exists()]
    for path in missing:
        out(f"{path}:1: file: does not exist", sys.stderr)
    present = [p for p in args.paths if Path(p).exists()]
    library = load_library(present, catalogue)
    for problem in library.problems:
        out(str(problem))
    warnings = [w for loaded in library.scenarios for w in topic_warnings(loaded, catalogue)]
    for warning in warnings:
        out(str(warning))
    files = sum(1 for _ in find_files(present))
    bad = len(library.skipped_files) + len(missing)
    summary = f"{files} file(s) checked, {len(library.scenarios)} valid scenario(s)"
    if warnings:
        summary += f", {len(warnings)} warning(s)"
    if library.problems or missing:
        out(
            f"{summary}; {len(library.problems) + len(missing)} problem(s) in {bad} file(s)",
            sys.stderr,
        )
        return 1
    out(summary, sys.stderr)
    return 0


def _read_answer(source: str) -> tuple[str, str]:
    if source == "-":
        return "<stdin>", sys.stdin.read()
    try:
        return source, Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainerError(f"{source}: cannot read the answer: {exc}") from exc


def cmd_grade(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import load_file
    from trainer.core.grading.answers import parse_answer
    from trainer.core.grading.grade import grade

    catalogue = load_catalogue()
    loaded, problems = load_file(Path(args.scenario), catalogue)
    if loaded is None:
        for problem in problems:
            out(str(problem), sys.stderr)
        return 1
    name, text = _read_answer(args.answer)
    answer = parse_answer(text, loaded.scenario, catalogue, name)
    result = grade(loaded.scenario, answer, catalogue)
    out(json.dumps(result.to_json_dict(), ensure_ascii=False))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.rules_text import catalogue_as_json, catalogue_as_text

    catalogue = load_catalogue()
    if args.find is not None:
        return _find_offences(catalogue, args.find, args.json)
    if args.json:
        out(json.dumps(catalogue_as_json(catalogue), ensure_ascii=False, indent=2))
    else:
        out(catalogue_as_text(catalogue))
    return 0


def _find_offences(catalogue: Catalogue, text: str, as_json: bool) -> int:
    """`trainer rules --find`: the application's offence search, best first."""
    from trainer.core.content.offence_search import find_offences

    found = find_offences(catalogue, text)
    if not found:
        out(f"trainer: no offence class matches {text.strip()!r}", sys.stderr)
        return 1
    if as_json:
        out(json.dumps([m.to_json_dict() for m in found], ensure_ascii=False, indent=2))
    else:
        for match in found:
            out(f"{match.offence.code}\t{match.offence.name}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.coverage import coverage_report, measure_coverage
    from trainer.core.content.scenarios import load_library

    catalogue = load_catalogue()
    library = load_library(args.paths, catalogue)
    for problem in library.problems:
        out(str(problem), sys.stderr)
    report = measure_coverage([s.scenario for s in library.scenarios], catalogue)
    if args.json:
        out(json.dumps(report.to_json_dict(), indent=2))
    else:
        out(coverage_report(report, catalogue))
    return 1 if library.problems else 0


def add_commands(sub: Subparsers) -> None:
    p = sub.add_parser("validate", help="check scenario files; one line per problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("grade", help="grade an answer (JSON) against a scenario")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("answer", metavar="ANSWER", help="a JSON file, or - for standard input")
    p.set_defaults(handler=cmd_grade)

    p = sub.add_parser("rules", help="list the counting-rules catalogue")
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.add_argument(
        "--find",
        metavar="TEXT",
        help="only the offence classes TEXT finds (a code, police words such as ABH, or words), "
        "best first, one per line as CODE<TAB>NAME; exit 1 if none",
    )
    p.set_defaults(handler=cmd_rules)

    p = sub.add_parser("coverage", help="what the scenario bank exercises, and what it misses")
    p.add_argument("paths", nargs="*", default=None, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_coverage)
