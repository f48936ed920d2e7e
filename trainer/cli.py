"""The `trainer` command: argparse over core functions, no logic of its own."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from trainer import __version__
from trainer.core.errors import TrainerError

Handler = Callable[[argparse.Namespace], int]


def _out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)


def cmd_validate(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.scenarios import find_files, load_library

    catalogue = load_catalogue()
    missing = [p for p in args.paths if not Path(p).exists()]
    for path in missing:
        _out(f"{path}:1: file: does not exist", sys.stderr)
    present = [p for p in args.paths if Path(p).exists()]
    library = load_library(present, catalogue)
    for problem in library.problems:
        _out(str(problem))
    files = sum(1 for _ in find_files(present))
    bad = len(library.skipped_files) + len(missing)
    summary = f"{files} file(s) checked, {len(library.scenarios)} valid scenario(s)"
    if library.problems or missing:
        _out(
            f"{summary}; {len(library.problems) + len(missing)} problem(s) in {bad} file(s)",
            sys.stderr,
        )
        return 1
    _out(summary, sys.stderr)
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
            _out(str(problem), sys.stderr)
        return 1
    name, text = _read_answer(args.answer)
    answer = parse_answer(text, loaded.scenario, catalogue, name)
    result = grade(loaded.scenario, answer, catalogue)
    _out(json.dumps(result.to_json_dict(), ensure_ascii=False))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.rules_text import catalogue_as_json, catalogue_as_text

    catalogue = load_catalogue()
    if args.json:
        _out(json.dumps(catalogue_as_json(catalogue), ensure_ascii=False, indent=2))
    else:
        _out(catalogue_as_text(catalogue))
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from trainer.core.content.catalogue import load_catalogue
    from trainer.core.content.coverage import coverage_report, measure_coverage
    from trainer.core.content.scenarios import load_library

    catalogue = load_catalogue()
    library = load_library(args.paths, catalogue)
    for problem in library.problems:
        _out(str(problem), sys.stderr)
    report = measure_coverage([s.scenario for s in library.scenarios], catalogue)
    if args.json:
        _out(json.dumps(report.to_json_dict(), indent=2))
    else:
        _out(coverage_report(report, catalogue))
    return 1 if library.problems else 0


def cmd_app(args: argparse.Namespace) -> int:
    try:
        from trainer.ui.app import run_app  # noqa: TID251 - the one door from the CLI to the UI
    except ImportError as exc:  # pragma: no cover - only without Qt installed
        raise TrainerError(f"the application cannot start: {exc}") from exc
    return int(run_app(data_dir=args.data_dir))


def cmd_self_test(args: argparse.Namespace) -> int:
    from trainer.selftest import run_self_test

    return int(run_self_test())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trainer",
        description="Crime Recording Trainer: practise recording crime under the Home Office rules",
    )
    parser.add_argument("--version", action="version", version=f"trainer {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where the progress database lives")
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check scenario files; one line per problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("grade", help="grade an answer (JSON) against a scenario")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("answer", metavar="ANSWER", help="a JSON file, or - for standard input")
    p.set_defaults(handler=cmd_grade)

    p = sub.add_parser("rules", help="list the counting-rules catalogue")
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.set_defaults(handler=cmd_rules)

    p = sub.add_parser("coverage", help="what the scenario bank exercises, and what it misses")
    p.add_argument("paths", nargs="*", default=None, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_coverage)

    try:
        from trainer.cli_store import add_commands
    except ImportError:  # pragma: no cover - until the store commands exist
        pass
    else:
        add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "coverage" and not args.paths:
        from trainer.core import paths

        args.paths = [str(paths.scenarios_dir())]
    handler: Handler = cmd_self_test if args.self_test else getattr(args, "handler", cmd_app)
    try:
        return handler(args)
    except TrainerError as exc:
        _out(f"trainer: {exc}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `trainer rules | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
