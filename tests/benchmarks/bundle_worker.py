"""Run in a process of its own by the bundle benchmark, so its peak memory is its own.

`python -m tests.benchmarks.bundle_worker MODE DATA_DIR FILE [DEST_DIR]` prints one JSON line: the
seconds the work took and the process's peak resident memory. Modes:
  export        `export_bundle` of DATA_DIR's answers to FILE
  plain-write   the same rows, read the same way, written to FILE as plain JSON lines
  import        `import_bundle` of FILE into a new database in DEST_DIR
  plain-import  FILE's plain JSON lines loaded and inserted with one `executemany` into DEST_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.regrade_worker import _peak_mib
from tests.core.conftest import real_bank
from trainer.core.store.answer_rows import ANSWER_COLUMNS
from trainer.core.store.bundles import export_bundle, import_bundle
from trainer.core.store.sqlite import open_store

SELECT = f"SELECT {ANSWER_COLUMNS} FROM answers WHERE workstation_id = ? ORDER BY seq"
_MARKS = ", ".join("?" * (ANSWER_COLUMNS.count(",") + 1))
INSERT = f"INSERT INTO answers ({ANSWER_COLUMNS}) VALUES ({_MARKS})"


def _plain_write(data: Path, dest: Path) -> dict[str, Any]:
    with open_store(data) as store, open(dest, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        cursor = store.conn.execute(SELECT, [store.workstation_id])
        n = 0
        while rows := cursor.fetchmany(2000):
            out.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
            n += len(rows)
        out.flush()
        return {"seconds": time.perf_counter() - started, "rows": n}


def _people(data: Path, dest: Path) -> None:
    """The source's trainees and sessions, so the answers' references hold (not timed)."""
    with open_store(dest) as store:
        store.conn.execute("ATTACH DATABASE ? AS src", [str(data / "progress.db")])
        with store.write() as conn:
            conn.execute("INSERT INTO trainees SELECT * FROM src.trainees")
            conn.execute("INSERT INTO quiz_sessions SELECT * FROM src.quiz_sessions")
        store.conn.execute("DETACH DATABASE src")


def _plain_import(data: Path, source: Path, dest: Path) -> dict[str, Any]:
    _people(data, dest)
    with open_store(dest) as store, open(source, encoding="utf-8") as f:
        started = time.perf_counter()
        with store.write() as conn:
            n = conn.executemany(INSERT, (json.loads(line) for line in f)).rowcount
        return {"seconds": time.perf_counter() - started, "rows": n}


def main(mode: str, data: Path, file: Path, dest: Path | None) -> dict[str, Any]:
    if mode == "export":
        with open_store(data) as store:
            started = time.perf_counter()
            n = export_bundle(store, file)
            done: dict[str, Any] = {"seconds": time.perf_counter() - started, "rows": n}
    elif mode == "plain-write":
        done = _plain_write(data, file)
    elif mode == "import":
        assert dest is not None
        bank = real_bank()
        with open_store(dest) as store:
            started = time.perf_counter()
            result = import_bundle(store, file, *bank, trust=True)
            done = {"seconds": time.perf_counter() - started, "rows": result.answers}
    else:
        assert dest is not None
        done = _plain_import(data, file, dest)
    return {**done, "peak_mib": _peak_mib(), "bytes": file.stat().st_size}


if __name__ == "__main__":
    dest = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), dest)))
