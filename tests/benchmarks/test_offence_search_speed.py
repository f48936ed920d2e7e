"""Offence search latency per keystroke over the whole index (target: p99 under one 60 Hz frame,
16 ms), against a plain substring scan over the class names measured in the same run.

Some 200 realistic queries (every police word in the catalogue, the start of class names, codes
and Home Office codes) are typed one character at a time; each prefix is one keystroke's search.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable

import pytest

from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.content.offence_search import OffenceIndex

pytestmark = pytest.mark.benchmark
FRAME_MS = 16.0


def queries(catalogue: Catalogue) -> list[str]:
    """About 200 things a call-handler types, in a fixed order."""
    words = [w for term in catalogue.search_terms for w in term.words]
    names = [" ".join(o.name.split()[:3]).lower() for o in catalogue.offences[::3]]
    codes = [o.code for o in catalogue.offences[::10]]
    ho_codes = [o.ho_codes[0].code for o in catalogue.offences[::15] if o.ho_codes]
    typos = ["asault", "burgalry", "theft of", "racially", "harras", "knife", "zzz"]
    return list(dict.fromkeys(words + names + codes + ho_codes + typos))[:200]


def keystrokes(texts: list[str]) -> list[str]:
    return [text[:i] for text in texts for i in range(1, len(text) + 1)]


def percentiles(times: list[float]) -> dict[int, float]:
    ordered = sorted(times)
    return {p: ordered[min(len(ordered) - 1, len(ordered) * p // 100)] * 1000 for p in (50, 90, 99)}


def timed(search: Callable[[str], object], typed: list[str]) -> list[float]:
    times = []
    for text in typed:
        start = time.perf_counter()
        search(text)
        times.append(time.perf_counter() - start)
    return times


def test_search_latency_per_keystroke() -> None:
    catalogue = load_catalogue()
    started = time.perf_counter()
    index = OffenceIndex(catalogue)
    built_ms = (time.perf_counter() - started) * 1000
    names = [(o, o.name.casefold()) for o in catalogue.offences]

    def substring_scan(text: str) -> list[object]:
        needle = text.casefold()
        return [o for o, name in names if needle in name]

    texts = queries(catalogue)
    typed = keystrokes(texts)
    gc.collect()
    # Interleaved rounds, best time per keystroke: the two cores are shared with other work.
    first = timed(index.search, typed)
    ours, base = first, timed(substring_scan, typed)
    for _ in range(2):
        ours = [min(a, b) for a, b in zip(ours, timed(index.search, typed), strict=True)]
        base = [min(a, b) for a, b in zip(base, timed(substring_scan, typed), strict=True)]
    mine, plain = percentiles(ours), percentiles(base)
    print(f"\n{len(texts)} queries, {len(typed)} keystrokes, {os.cpu_count()} cores")
    print(f"index built once in {built_ms:.1f} ms")
    once = percentiles(first)
    print(f"first pass alone: p50 {once[50]:.3f} ms, p90 {once[90]:.3f} ms, p99 {once[99]:.3f} ms")
    print("best of three per keystroke:")
    for p in (50, 90, 99):
        print(
            f"p{p}: offence search {mine[p]:.3f} ms, substring scan of names {plain[p]:.3f} ms,"
            f" ratio {mine[p] / plain[p]:.1f}x"
        )
    print(f"worst keystroke: {max(ours) * 1000:.3f} ms (target p99 < {FRAME_MS:.0f} ms)")
    assert len(texts) >= 190
    assert mine[99] < FRAME_MS


def test_picker_keystroke_latency(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The whole keystroke in the application: search, refill the list, show and paint it
    (reported, not asserted).

    Fewer keystrokes than above: each still makes a few Qt calls that return nothing, and in
    PySide6 6.12 on Python 3.11 every such call drops a reference to None (PLATFORM.md)."""
    from PySide6.QtWidgets import QApplication

    from trainer.ui.trainee.offence_picker import OffencePicker

    catalogue = load_catalogue()
    picker = OffencePicker(catalogue)
    qtbot.addWidget(picker)
    picker.show()
    typed = keystrokes(queries(catalogue)[::4])

    def keystroke(text: str) -> None:
        picker._search(text)  # what the field runs on each edit
        QApplication.processEvents()

    times = timed(keystroke, typed)  # two passes, the best time per keystroke (shared cores)
    times = [min(a, b) for a, b in zip(times, timed(keystroke, typed), strict=True)]
    picker.popup.hide()
    whole = percentiles(times)
    print(f"\npicker, {len(typed)} keystrokes (search, list refilled, shown and painted),")
    print("best of two per keystroke:")
    print(f"p50 {whole[50]:.3f} ms, p90 {whole[90]:.3f} ms, p99 {whole[99]:.3f} ms")
    within = sum(t * 1000 < FRAME_MS for t in times) / len(times)
    print(f"{within:.1%} of keystrokes within one 60 Hz frame ({FRAME_MS:.0f} ms)")
    # Informative only: painting depends on how busy the shared machine is; the search's own
    # target is asserted above.
