"""Validating 1,000 scenario files against bare YAML loading of the same files (target <= 1.5x)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from trainer.core.content.catalogue import load_catalogue
from trainer.core.content.scenarios import find_files, load_library
from trainer.core.content.yaml_source import SafeLoader

pytestmark = pytest.mark.benchmark
BANK = Path(__file__).resolve().parents[2] / "scenarios"


def _best_of(runs: int, fn) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def test_validate_1000_files_against_bare_yaml(tmp_path: Path) -> None:
    sources = sorted(find_files([BANK]))
    assert sources, "the bank is empty"
    for i in range(1000):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        sid = yaml.load(text, Loader=SafeLoader)["id"]
        (tmp_path / f"s{i:04d}.yaml").write_text(text.replace(f"id: {sid}", f"id: {sid}-{i}", 1))
    files = sorted(tmp_path.glob("*.yaml"))
    catalogue = load_catalogue()

    def bare() -> None:
        for f in files:
            yaml.load(f.read_text(encoding="utf-8"), Loader=SafeLoader)

    def validate() -> None:
        library = load_library([tmp_path], catalogue)
        assert len(library.scenarios) == 1000 and not library.problems

    # Interleaved, best of five each: the machine may be busy with other work.
    baseline, ours = float("inf"), float("inf")
    for _ in range(5):
        baseline = min(baseline, _best_of(1, bare))
        ours = min(ours, _best_of(1, validate))
    ratio = ours / baseline
    print(f"\nbare yaml load of 1,000 files: {baseline * 1000:.0f} ms")
    print(f"trainer validate of the same:  {ours * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 1.5x)")
    shutil.rmtree(tmp_path, ignore_errors=True)
