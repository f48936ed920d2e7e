"""Add the Notifiable Offence List's wording to the catalogue: Act and section for each Home Office
code, and every further offence the list files under the same code in the same class.

The catalogue keeps its own data; the list itself stays outside the project. Run it once per
edition, from the repository, with the list beside the project (or name it):

    .venv/bin/python packaging/nol_offences.py [PATH-TO/notifiable-offences-2026-27.csv]

It rewrites trainer/data/catalogue/offences-EDITION.yaml in place, keeping its classes, names,
sentences and order; running it again changes nothing.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EDITION = "2026-27"
OFFENCES = ROOT / "trainer" / "data" / "catalogue" / f"offences-{EDITION}.yaml"
DEFAULT_LIST = ROOT.parent / "shared" / "domain" / "sources" / f"notifiable-offences-{EDITION}.csv"
CLASS_CODE = re.compile(r"^(\d+[A-Z]?(?:/\d+)?)\s")
WIDTH = 120  # the width the catalogue file was written at


def plain(text: str) -> str:
    return " ".join(text.split())


def listed_rows(path: Path) -> dict[tuple[str, str], list[dict[str, str]]]:
    """Rows in force, by (class code, Home Office code), in the list's order."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            match = CLASS_CODE.match(row["Offence category"].strip())
            if row["Current"].strip() != "Y" or not match:
                continue
            key = (match.group(1), row["Home Office code"].strip())
            rows.setdefault(key, []).append(
                {
                    "name": plain(row["Offence"]),
                    "act": plain(row["Act"]),
                    "section": plain(row["Section"]),
                }
            )
    return rows


def with_wording(ho: dict[str, Any], rows: list[dict[str, str]], where: str) -> dict[str, Any]:
    """The catalogue's entry for one Home Office code, with the list's wording added."""
    own = next((r for r in rows if r["name"] == plain(ho["name"])), None)
    if own is None:
        raise SystemExit(f"{where}: {ho['name']!r} is not on the list under this code")
    entry: dict[str, Any] = {"code": ho["code"], "name": ho["name"]}
    entry.update({k: own[k] for k in ("act", "section") if own[k]})
    kept = ("code", "name", "act", "section", "other_offences")  # the rest stays as it was
    entry.update({k: v for k, v in ho.items() if k not in kept})
    others: list[dict[str, str]] = []
    for row in rows:
        if row is own or row in others or not row["name"]:
            continue
        others.append({k: v for k, v in row.items() if v})
    if others:
        entry["other_offences"] = others
    return entry


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_LIST
    if not source.is_file():
        print(f"{source}: the Notifiable Offence List is not there; name it", file=sys.stderr)
        return 1
    rows = listed_rows(source)
    text = OFFENCES.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = yaml.safe_load(text)
    for offence in data["offences"]:
        offence["ho_codes"] = [
            with_wording(
                ho, rows.get((offence["code"], ho["code"]), []), f"{offence['code']} {ho['code']}"
            )
            for ho in offence["ho_codes"]
        ]
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=WIDTH)
    OFFENCES.write_text(header + body, encoding="utf-8")
    print(f"{OFFENCES.relative_to(ROOT)}: wording from {source.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
