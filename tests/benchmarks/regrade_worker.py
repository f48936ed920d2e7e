"""Run in a process of its own by the regrade benchmark, so its peak memory is its own.

`python -m tests.benchmarks.regrade_worker regrade|grade DATA_DIR` prints one JSON line:
the seconds the work took, the process's peak resident memory and what was done.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.core.conftest import real_bank
from trainer.core.content.model_cache import rebuild
from trainer.core.content.models import Answer
from trainer.core.grading.grade import grade
from trainer.core.store.regrade import regrade
from trainer.core.store.sqlite import Store, open_store


def _peak_mib() -> float:
    """This process's peak resident memory: VmHWM, as `ru_maxrss` carries the forking parent's."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    [line] = [x for x in status.splitlines() if x.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def _time_writes(store: Store) -> list[float]:
    """How long each of the store's write transactions holds the lock (begin to commit)."""
    held = [0.0]
    write = store.write

    @contextmanager
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            with write(*args, **kwargs) as conn:
                yield conn
        finally:
            held.append(time.perf_counter() - started)

    store.write = timed  # type: ignore[method-assign]
    return held


def main(mode: str, data_dir: str) -> dict[str, object]:
    library, catalogue = real_bank()
    with open_store(Path(data_dir)) as store:
        loaded = _peak_mib()
        if mode == "regrade":
            held = _time_writes(store)
            started = time.perf_counter()
            result = regrade(store, library, catalogue)
            seconds = time.perf_counter() - started
            done = {
                "checked": result.checked,
                "changed": result.changed,
                "longest_write": max(held),
            }
        else:  # the same (scenario, answer) pairs, read first, then graded in memory
            by_id = library.by_id
            pairs = [
                (by_id[sid].scenario, rebuild(Answer, json.loads(text)))
                for sid, text in store.query("SELECT scenario_id, answer FROM answers")
            ]
            started = time.perf_counter()
            for scenario, answer in pairs:
                grade(scenario, answer, catalogue)
            seconds = time.perf_counter() - started
            done = {"graded": len(pairs)}
    return {"seconds": seconds, "peak_mib": _peak_mib(), "before_mib": loaded, **done}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
