"""The supervisor-account commands: `trainer supervisors add|list|passwd|disable|enable|remove`.

Whoever installs the application creates the first account here; passwords are asked for with
getpass (twice for a new one), never taken from the command line.
"""

from __future__ import annotations

import argparse
import getpass

from trainer.cli.common import Handler, Subparsers, out
from trainer.core.errors import TrainerError


def _new_password(username: str) -> str:
    from trainer.core.store.accounts import password_problem

    password = getpass.getpass(f"New password for {username}: ")
    problem = password_problem(password)
    if problem:
        raise TrainerError(problem)
    if getpass.getpass("The same password again: ") != password:
        raise TrainerError("The two passwords differ; nothing was changed.")
    return password


def cmd_add(args: argparse.Namespace) -> int:
    from trainer.core.store.accounts import check_username, create_supervisor
    from trainer.core.store.sqlite import open_store

    name = check_username(args.username)  # refused before the password is asked for
    with open_store(args.data_dir) as store:
        created = create_supervisor(store, name, _new_password(name))
    out(f"Added supervisor {created}; they can now sign in to the dashboard.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from trainer.core.store.accounts import supervisors
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        rows = supervisors(store)
    if not rows:
        out("No supervisor accounts yet; add one with: trainer supervisors add USERNAME")
    for s in rows:
        last = f"{s.last_sign_in_at:%Y-%m-%d %H:%M}" if s.last_sign_in_at else "never"
        state = "active" if s.active else "disabled"
        out(f"{s.username}  {state}  created {s.created_at:%Y-%m-%d}  last signed in {last}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from trainer.core.store.accounts import set_password, supervisors
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        name = args.username.strip().lower()
        if name not in {s.username for s in supervisors(store)}:
            raise TrainerError(f"There is no supervisor account called {name!r}.")
        set_password(store, name, _new_password(name))
    out(f"Changed the password of {name}.")
    return 0


def _set_active(active: bool) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        from trainer.core.store.accounts import set_active
        from trainer.core.store.sqlite import open_store

        with open_store(args.data_dir) as store:
            set_active(store, args.username, active)
        out(f"{'Enabled' if active else 'Disabled'} {args.username.strip().lower()}.")
        return 0

    return handler


def cmd_remove(args: argparse.Namespace) -> int:
    from trainer.core.store.accounts import remove_supervisor
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        remove_supervisor(store, args.username)
    out(f"Removed {args.username.strip().lower()}.")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Add `supervisors` and its subcommands; each takes --data-dir too."""
    group = sub.add_parser("supervisors", help="add, list, change or remove supervisor accounts")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    def action(name: str, help_: str, handler: Handler, named: bool = True) -> None:
        p = actions.add_parser(name, help=help_)
        p.add_argument(
            "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
            help="where the progress database lives",
        )  # fmt: skip
        if named:
            p.add_argument("username", metavar="USERNAME")
        p.set_defaults(handler=handler)

    action("add", "add a supervisor (asks for the password twice)", cmd_add)
    action("list", "list supervisor accounts", cmd_list, named=False)
    action("passwd", "set a supervisor's password (asks for it twice)", cmd_passwd)
    action("disable", "stop a supervisor signing in (not the last active one)", _set_active(False))
    action("enable", "let a disabled supervisor sign in again", _set_active(True))
    action("remove", "delete a supervisor account (never the last active one)", cmd_remove)
