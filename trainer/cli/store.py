"""The progress-store commands: backup, restore, export, export-bundle, import, regrade,
trainees."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from pathlib import Path

from trainer.cli.common import Handler, Subparsers, load_bank
from trainer.core.errors import TrainerError


def _moment(text: str, option: str, end: bool = False) -> datetime:
    """A date (local midnight; with `end`, the midnight after it) or an ISO time with offset."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1 if end else 0), time()).astimezone()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TrainerError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from exc
    return moment if moment.utcoffset() is not None else moment.astimezone()


SHOWN = 20  # answers listed by `restore`; the CSV file has them all


def cmd_backup(args: argparse.Namespace) -> int:
    from trainer.core.store.backups import make_backup
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        print(f"backed up to {make_backup(store, 'manual')}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from trainer.core.store.backups import restore_backup

    done = restore_backup(Path(args.file), args.data_dir)
    note = f"; the replaced database was backed up to {done.safety}" if done.safety else ""
    if done.damaged:
        note = f"; the damaged database was moved to {done.damaged}"
    print(f"restored {args.file}{note}")
    salvage = done.salvage
    if salvage is None:
        return 0
    if not salvage.readable:
        print("nothing could be read from the damaged database to compare with the backup")
    elif salvage.csv is None:
        print("every answer that could be read from the damaged database is in the backup")
    else:
        print(
            f"{len(salvage.answers)} answer(s) existed only in the damaged database; they are "
            f"not in the restored one and were written to {salvage.csv}:"
        )
        for lost in salvage.answers[:SHOWN]:
            print(f"  {lost.answered_at}  {lost.trainee}  {lost.scenario_id}  {lost.id}")
        if len(salvage.answers) > SHOWN:
            print(f"  ... and {len(salvage.answers) - SHOWN} more (see the CSV file)")
    if salvage.failed_reads:
        print(f"{salvage.failed_reads} row(s) of the damaged database could not be read at all")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from trainer.core.store.export import export_answers, export_summary
    from trainer.core.store.sqlite import open_store

    since = _moment(args.since, "--from") if args.since else None
    until = _moment(args.until, "--to", end=True) if args.until else None
    chosen = [name for name in ("summary", "xapi", "lms") if getattr(args, name)]
    if len(chosen) > 1:
        raise TrainerError(f"export: choose one of --{' or --'.join(chosen)}")
    dest = Path(args.file)
    filters = {"since": since, "until": until, "trainee_id": args.trainee, "topic": args.topic}
    if getattr(args, "central", None):
        if args.xapi or args.lms:
            raise TrainerError(
                "export: --xapi and --lms read this workstation's database, not --central"
            )
        from trainer.core.store.central import export as central_export
        from trainer.core.store.central.connection import checked_url
        from trainer.core.store.central.reader import CentralStore

        write = central_export.export_summary if args.summary else central_export.export_answers
        with CentralStore(checked_url(args.central)) as central:
            count = write(central, Path(args.file), since, until, args.trainee, args.topic)
        print(f"wrote {count} {'trainee' if args.summary else 'answer'} row(s) to {args.file}")
        return 0
    with open_store(args.data_dir) as store:
        if args.xapi:
            from trainer.core.store.xapi import export_xapi

            count = export_xapi(store, dest, **filters)
            what = "statement"
        elif args.lms:
            from trainer.core.store.lms import export_lms

            count = export_lms(store, dest, args.lms, item=args.item, course=args.course, **filters)
            what = "trainee"
        elif args.summary:
            from trainer.core.reports.statistics import wilson_interval

            count = export_summary(store, dest, **filters, interval=wilson_interval)
            what = "trainee"
        else:
            _, library = load_bank(args.data_dir)
            count = export_answers(store, dest, **filters, bank=library.by_id)
            what = "answer"
    print(f"wrote {count} {what} row(s) to {args.file}" if what != "statement"
          else f"wrote {count} xAPI statement(s) to {args.file}")  # fmt: skip
    return 0


def cmd_export_bundle(args: argparse.Namespace) -> int:
    from trainer.core.store.bundles import export_bundle
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        count = export_bundle(store, Path(args.file))
    print(f"wrote {count} answer(s) from this workstation to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from trainer.core.store.bundles import import_bundle
    from trainer.core.store.sqlite import open_store

    catalogue, library = load_bank(args.data_dir)
    with open_store(args.data_dir) as store:
        result = import_bundle(store, Path(args.file), library, catalogue, trust=args.trust)
    print(
        f"imported {result.answers} answer(s), {result.sessions} session(s) and "
        f"{result.trainees} trainee(s) from {args.file}; {result.already_present} answer(s) "
        f"were already here, {result.skipped_after_reset} predate a profile reset"
        + result.grading_note()
    )
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    from trainer.core.store.bundles import store_key
    from trainer.core.store.keys import fingerprint
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        key = store_key(store)
        print(f"workstation {store.workstation_id} signs its bundles with the key")
        print(f"  {fingerprint(key.public)}")
    return 0


def cmd_regrade(args: argparse.Namespace) -> int:
    from trainer.core.store.regrade import regrade
    from trainer.core.store.sqlite import open_store

    catalogue, library = load_bank(args.data_dir)
    with open_store(args.data_dir) as store:
        result = regrade(store, library, catalogue, dry_run=args.dry_run)
    print(result.describe())
    return 0


def cmd_trainees(args: argparse.Namespace) -> int:
    from trainer.core.store.sqlite import open_store

    with open_store(args.data_dir) as store:
        if args.set_unit:
            staff_number, unit = args.set_unit
            trainee = store.set_trainee_unit(staff_number, unit)
            where = f"in unit {trainee.unit}" if trainee.unit else "in no unit"
            print(f"{trainee.name} ({trainee.staff_number}) is now {where} on this workstation")
            return 0
        for t in store.trainees():
            print(f"{t.id}  {t.staff_number}  {t.role}  {t.name}")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Add the store commands; each also takes --data-dir after the command name."""

    def command(name: str, help_: str, handler: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument(
            "--data-dir", metavar="DIR", default=argparse.SUPPRESS,
            help="where the progress database lives",
        )  # fmt: skip
        p.set_defaults(handler=handler)
        return p

    command("backup", "back up the progress database now", cmd_backup)
    p = command("restore", "replace the progress database with a backup", cmd_restore)
    p.add_argument("file", metavar="FILE")
    p = command("export", "write answers (or, with --summary, trainees) as CSV", cmd_export)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--summary", action="store_true", help="one row per trainee")
    p.add_argument(
        "--xapi", action="store_true",
        help="xAPI 1.0.3 statements as JSON lines (one per answer, one per finished quiz)",
    )  # fmt: skip
    p.add_argument(
        "--lms", choices=("moodle", "totara"),
        help="an upload file for Moodle's grade import or Totara's completion upload",
    )  # fmt: skip
    p.add_argument("--item", default="Crime Recording Trainer", help="Moodle grade item heading")
    p.add_argument("--course", default="crime-recording-trainer", help="Totara course short name")
    p.add_argument("--from", dest="since", metavar="DATE", help="answers on or after DATE")
    p.add_argument("--to", dest="until", metavar="DATE", help="answers on or before DATE")
    p.add_argument("--trainee", metavar="ID", help="one trainee (id or staff number)")
    p.add_argument("--topic", metavar="TAG", help="scenarios with this topic")
    p.add_argument(
        "--central", metavar="URL", default=argparse.SUPPRESS,
        help="export from the central store (postgresql://... or service=NAME)",
    )  # fmt: skip
    p = command("export-bundle", "write this workstation's results for another", cmd_export_bundle)
    p.add_argument("file", metavar="FILE")
    p = command("import", "merge a results bundle from another workstation", cmd_import)
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--trust", action="store_true",
        help="vouch for the bundle's signing key (trusted from then on), or an unsigned bundle",
    )  # fmt: skip
    command("key", "show this workstation's bundle-signing key fingerprint", cmd_key)
    p = command("regrade", "grade every stored answer again against the current bank", cmd_regrade)
    p.add_argument("--dry-run", action="store_true", help="change nothing; say what would change")
    p = command("trainees", "list trainee profiles (id, staff number, role, name)", cmd_trainees)
    p.add_argument(
        "--set-unit", nargs=2, metavar=("STAFF_NUMBER", "UNIT"),
        help="put a profile in a unit on this workstation (\"\" for none)",
    )  # fmt: skip
