"""The xAPI commands: the force's home page for actors, and sending statements to an LRS."""

from __future__ import annotations

import argparse
from pathlib import Path

from trainer.cli.common import Subparsers


def cmd_set_home(args: argparse.Namespace) -> int:
    from trainer.core.store.sqlite import open_store
    from trainer.core.store.xapi import set_home_page

    with open_store(args.data_dir) as store:
        print(f"xAPI actors are now accounts on {set_home_page(store, args.url)}")
    return 0


def cmd_home(args: argparse.Namespace) -> int:
    from trainer.core.store.sqlite import open_store
    from trainer.core.store.xapi import home_page

    with open_store(args.data_dir) as store:
        print(home_page(store))
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from trainer.cli.store import _moment
    from trainer.core.store.lrs import credentials, send
    from trainer.core.store.sqlite import open_store

    user, password = credentials(Path(args.credentials) if args.credentials else None)
    since = _moment(args.since, "--since") if args.since else None
    with open_store(args.data_dir) as store:
        result = send(store, args.lrs, user, password, since, args.batch)
    print(
        f"sent {result.sent} statement(s) to {args.lrs}; "
        f"{result.already_sent} had been sent there before"
    )
    return 0


def add_commands(sub: Subparsers) -> None:
    xapi = sub.add_parser("xapi", help="xAPI statements for the force's learning record store")
    xapi.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
        help="where the progress database lives",
    )  # fmt: skip
    inner = xapi.add_subparsers(dest="xapi_command", metavar="COMMAND", required=True)
    p = inner.add_parser("set-home", help="the force's learning system URL (the actors' homePage)")
    p.add_argument("url", metavar="URL")
    p.set_defaults(handler=cmd_set_home)
    p = inner.add_parser("home", help="print the actors' homePage")
    p.set_defaults(handler=cmd_home)
    p = inner.add_parser("send", help="post statements not yet sent to a learning record store")
    p.add_argument("--lrs", required=True, metavar="URL", help="the LRS endpoint, e.g. …/xAPI/")
    p.add_argument("--since", metavar="DATE", help="answers on or after DATE")
    p.add_argument(
        "--credentials", metavar="FILE",
        help="user:password in a file only its owner can read (else TRAINER_LRS_USER and "
        "TRAINER_LRS_PASSWORD)",
    )  # fmt: skip
    p.add_argument("--batch", type=int, default=500, metavar="N", help="statements per request")
    p.set_defaults(handler=cmd_send)
