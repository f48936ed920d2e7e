"""The practice commands: `trainer schedule`, a trainee's rule cards most urgent first."""

from __future__ import annotations

import argparse
import json

from trainer.cli.common import Subparsers, out


def cmd_schedule(args: argparse.Namespace) -> int:
    from trainer.core.practice.schedule import by_urgency, desired_retention, trainee_cards
    from trainer.core.store.records import now
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        trainee = store.trainee(args.trainee)
        retention = desired_retention(store)
        at = now()
        statuses = by_urgency(trainee_cards(store, trainee.id, retention), at, retention)
    rows = [
        {
            "rule": s.rule,
            "retrievability": round(s.retrievability, 4),
            "due": s.card.due.astimezone().isoformat(timespec="minutes"),
            "due_now": s.card.is_due(at),
            "reviews": s.card.reviews,
            "lapses": s.card.lapses,
            "leech": s.card.leech,
        }
        for s in statuses
    ]
    if args.json:
        out(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        mark = "  LEECH" if r["leech"] else ""
        due = "due now" if r["due_now"] else f"due {r['due']}"
        out(
            f"{r['rule']}  retrievability {r['retrievability']:.2f}  {due}  "
            f"lapses {r['lapses']}{mark}"
        )
    return 0


def add_commands(sub: Subparsers) -> None:
    p = sub.add_parser(
        "schedule",
        help="a trainee's rule cards: retrievability, due date, lapses, most urgent first",
    )
    p.add_argument("--trainee", metavar="STAFF", required=True, help="staff number (or id)")
    p.add_argument("--json", action="store_true", help="a JSON list instead of lines")
    p.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
        help="where the progress database lives",
    )  # fmt: skip
    p.set_defaults(handler=cmd_schedule)
