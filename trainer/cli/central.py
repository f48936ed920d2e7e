"""The central-store commands: central init|set|grant|workstation|move, sync, dashboard."""

from __future__ import annotations

import argparse
import sys

from trainer.cli.common import Handler, Subparsers, out
from trainer.core.errors import TrainerError


def central_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--central", metavar="URL", default=argparse.SUPPRESS,
        help="the central store (a postgresql:// URL or service=NAME); overrides `central set`",
    )  # fmt: skip


def chosen_url(args: argparse.Namespace, required: bool = True) -> str | None:
    """--central if given, else the URL this workstation keeps (`trainer central set`)."""
    from trainer.core.store.central.sync import central_url
    from trainer.core.store.sqlite import open_store

    given = getattr(args, "central", None)
    if given:
        return central_url(None, given)
    with open_store(args.data_dir) as store:
        url = central_url(store)
    if url is None and required:
        raise TrainerError(
            "central store: none is configured; give --central URL or run `trainer central set URL`"
        )
    return url


def cmd_init(args: argparse.Namespace) -> int:
    from trainer.core.store.central.admin import init_central
    from trainer.core.store.central.connection import checked_url

    report = init_central(checked_url(args.url))
    steps = ", ".join(report.applied) or "none (already up to date)"
    roles = ", ".join(report.roles_created) or "none (already there)"
    out(f"central store ready: schema steps applied: {steps}; roles created: {roles}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from trainer.core.store.central.sync import configure
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        configure(store, args.url, args.unit)
    unit = f"; new trainees join unit {args.unit}" if args.unit else ""
    out(f"this workstation syncs to {args.url}{unit}")
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from trainer.core.store.central.admin import grant_units

    url = chosen_url(args)
    assert url is not None
    grant_units(url, args.login, args.units)
    out(f"{args.login} supervises unit(s) {', '.join(args.units)}")
    return 0


def cmd_workstation(args: argparse.Namespace) -> int:
    from trainer.core.store.central.admin import grant_workstation

    url = chosen_url(args)
    assert url is not None
    grant_workstation(url, args.login)
    out(f"{args.login} may push a workstation's results (and read nothing)")
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    from trainer.core.store.central.admin import move_person

    url = chosen_url(args)
    assert url is not None
    name = move_person(url, args.staff_number, args.unit)
    out(f"{name} ({args.staff_number}) is now in unit {args.unit}")
    if _move_here(args.data_dir, args.staff_number, args.unit):
        out(f"this workstation's profile for {args.staff_number} is now in unit {args.unit} too")
    return 0


def _move_here(data_dir: str | None, staff_number: str, unit: str) -> bool:
    """Keep this workstation's profile (if it has one) in the unit the central store now gives."""
    from trainer.core import paths
    from trainer.core.store.files import DB_NAME
    from trainer.core.store.sqlite import open_store

    if not (paths.user_data_dir(data_dir) / DB_NAME).exists():
        return False  # an administrator's machine: no database to create here
    with open_store(data_dir) as store:
        found = [t for t in store.trainees() if t.staff_number == staff_number]
        for trainee in found:
            store.set_trainee_unit(trainee.id, unit)
    return bool(found)


def cmd_sync(args: argparse.Namespace) -> int:
    from trainer.core.store.central.sync import resend_all, sync
    from trainer.core.store.sqlite import open_store

    url = chosen_url(args)
    assert url is not None
    with open_store(args.data_dir) as store:
        if args.resend:
            resend_all(store)
        report = sync(store, url)
    out(report.describe())
    for problem in report.refused:
        out(f"trainer: refused: {problem}; that profile's results wait until it is corrected",
            sys.stderr)  # fmt: skip
    return 1 if report.refused else 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    url = chosen_url(args, required=False)
    if url is None:
        raise TrainerError(
            "dashboard: give --central URL (or `trainer central set URL`); a workstation's own "
            "dashboard opens from the application's menu after a supervisor signs in"
        )
    try:
        from trainer.ui.app import run_dashboard  # noqa: TID251 - the CLI's door to the UI
    except ImportError as exc:  # pragma: no cover - only without Qt installed
        raise TrainerError(f"the dashboard cannot start: {exc}") from exc
    return int(run_dashboard(url, data_dir=args.data_dir))


def add_commands(sub: Subparsers) -> None:
    def command(
        parent: Subparsers, name: str, help_: str, handler: Handler
    ) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help_)
        p.add_argument(
            "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
            help="where the progress database lives",
        )  # fmt: skip
        p.set_defaults(handler=handler)
        return p

    central = sub.add_parser("central", help="set up or configure the central results store")
    group = central.add_subparsers(dest="central_command", metavar="ACTION", required=True)
    p = command(group, "init", "create or migrate the central schema and its roles", cmd_init)
    p.add_argument("url", metavar="URL", help="postgresql://... or service=NAME (no password)")
    p = command(group, "set", "keep the central store's URL for this workstation", cmd_set)
    p.add_argument("url", metavar="URL", help="postgresql://... or service=NAME (no password)")
    p.add_argument("--unit", metavar="UNIT", help="the unit this workstation's trainees join")
    p = command(group, "grant", "let a PostgreSQL login supervise units", cmd_grant)
    p.add_argument("login", metavar="SUPERVISOR_LOGIN")
    p.add_argument("units", metavar="UNIT", nargs="+")
    central_option(p)
    p = command(group, "workstation", "let a PostgreSQL login push results", cmd_workstation)
    p.add_argument("login", metavar="LOGIN")
    central_option(p)
    p = command(group, "move", "put a person (by staff number) in a unit", cmd_move)
    p.add_argument("staff_number", metavar="STAFF_NUMBER")
    p.add_argument("unit", metavar="UNIT")
    central_option(p)
    p = command(sub, "sync", "push this workstation's new results to the central store", cmd_sync)
    p.add_argument(
        "--resend", action="store_true", help="offer everything again (after a central restore)"
    )
    central_option(p)
    p = command(sub, "dashboard", "open the supervisor dashboard (central with --central)",
                cmd_dashboard)  # fmt: skip
    central_option(p)
