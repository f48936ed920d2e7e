"""Add each Home Office code's mode of trial to the catalogue, from the Notifiable Offence List's
`Mode` column: I indictable-only, E either-way, S summary (the outcome rules need it: a community
resolution is never for an indictable-only offence, a caution for one needs the CPS).

The list itself stays outside the project. Run it once per edition, from the repository:

    .venv/bin/python packaging/nol_modes.py [PATH-TO/notifiable-offences-2026-27.csv]

It rewrites trainer/data/catalogue/offences-EDITION.yaml in place, keeping everything else;
running it again changes nothing. A code's mode is that of its own row on the list (the row with
its name, under its class).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nol_offences import CLASS_CODE, DEFAULT_LIST, OFFENCES, ROOT, WIDTH, plain

MODES = ("I", "E", "S")


def listed_modes(path: Path) -> dict[tuple[str, str, str], str]:
    """The mode of each row in force, by (class code, Home Office code, offence name)."""
    modes: dict[tuple[str, str, str], str] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            match = CLASS_CODE.match(row["Offence category"].strip())
            mode = row["Mode"].strip()
            if row["Current"].strip() != "Y" or not match or mode not in MODES:
                continue
            key = (match.group(1), row["Home Office code"].strip(), plain(row["Offence"]))
            modes.setdefault(key, mode)
    return modes


def with_mode(ho: dict[str, Any], mode: str) -> dict[str, Any]:
    """The entry with `mode` placed after `basis` (or before the further offences)."""
    entry = {k: v for k, v in ho.items() if k not in ("mode", "other_offences")}
    entry["mode"] = mode
    if "other_offences" in ho:
        entry["other_offences"] = ho["other_offences"]
    return entry


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_LIST
    if not source.is_file():
        print(f"{source}: the Notifiable Offence List is not there; name it", file=sys.stderr)
        return 1
    modes = listed_modes(source)
    text = OFFENCES.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = yaml.safe_load(text)
    missing: list[str] = []
    for offence in data["offences"]:
        entries = []
        for ho in offence["ho_codes"]:
            mode = modes.get((offence["code"], ho["code"], plain(ho["name"])))
            if mode is None:
                missing.append(f"{offence['code']} {ho['code']}")
                entries.append(ho)
            else:
                entries.append(with_mode(ho, mode))
        offence["ho_codes"] = entries
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=WIDTH)
    OFFENCES.write_text(header + body, encoding="utf-8")
    print(f"{OFFENCES.relative_to(ROOT)}: modes from {source.name}", file=sys.stderr)
    if missing:
        print(f"no mode on the list for: {', '.join(missing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
