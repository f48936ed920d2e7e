"""The `trainer` command: argparse over the core, one module per group of commands, no logic.

`content` (validate, grade, rules, coverage), `store` (backup, restore, export, bundles,
trainees) and `supervisors` (supervisor accounts) each add their subcommands; this module builds
the parser and runs the chosen handler.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from trainer import __version__
from trainer.cli import central, content, practice, store, supervisors, xapi
from trainer.cli.common import Handler, out
from trainer.core.errors import TrainerError


def cmd_app(args: argparse.Namespace) -> int:
    try:
        from trainer.ui.app import run_app  # noqa: TID251 - the one door from the CLI to the UI
    except ImportError as exc:  # pragma: no cover - only without Qt installed
        raise TrainerError(f"the application cannot start: {exc}") from exc
    return int(run_app(data_dir=args.data_dir, central=args.central))


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
    parser.add_argument(
        "--central", metavar="URL",
        help="the central store to sync to (overrides the one set by `trainer central set`)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    content.add_commands(sub)
    store.add_commands(sub)
    supervisors.add_commands(sub)
    central.add_commands(sub)
    xapi.add_commands(sub)
    practice.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) == "coverage" and not args.paths:
        from trainer.core import paths

        args.paths = [str(paths.scenarios_dir())]
    handler: Handler = cmd_self_test if args.self_test else getattr(args, "handler", cmd_app)
    umask = os.umask(0o077)  # whatever the commands create is readable only by this account
    try:
        return handler(args)
    except TrainerError as exc:
        out(f"trainer: {exc}", sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `trainer rules | head`
        return 0
    finally:
        os.umask(umask)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
