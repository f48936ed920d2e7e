"""`trainer --self-test` refuses a PySide6 that drops references to None."""

from __future__ import annotations

import ctypes
import sys

import pytest

from trainer import selftest

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 (PEP 683)"
)


def test_the_installed_pyside_passes() -> None:
    assert selftest._none_references().endswith("1000 Qt calls kept None's reference count")


def test_a_pyside_that_drops_none_fails_the_self_test() -> None:
    def dropping_call() -> None:  # what each Qt call returning None did on PySide6 6.12.0
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))

    try:
        with pytest.raises(RuntimeError, match="lost 1000 references to None in 1000 calls"):
            selftest._none_references(dropping_call)
    finally:
        for _ in range(selftest.NONE_PROBE_CALLS):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
