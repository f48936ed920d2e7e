"""PySide6 must not drop references to None: the reproduction behind the version cap in pyproject.

PySide6 6.12.0 on Python 3.11 loses one reference to None each time a Qt call hands None back to
Python: every method returning void, an empty item data role, QtCharts' append. The count falls
by one per call and after a few thousand the interpreter aborts with "Fatal Python error:
none_dealloc" (a trainee session died after about 113 answers). No application code can avoid
it, because every void call leaks, so pyproject keeps PySide6 below 6.12; 6.11.3 passes.

Run this file against a newer PySide6 before lifting the cap. It needs nothing from the trainer.
From Python 3.12 None is immortal (PEP 683), its count never falls and the defect is harmless.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable

import pytest
from PySide6.QtCharts import QBarSet, QLineSeries
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox, QTableView, QWidget

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 (PEP 683)"
)

CALLS = 1000
PAINTS = 50  # each paints 24 cells, reading several roles of each


def none_references_lost(call: Callable[[], object], calls: int) -> int:
    """How many references to None `calls` calls of `call` lose (given back afterwards)."""
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(calls):
        call()
    gc.collect()
    lost = before - sys.getrefcount(None)
    # Give the references back so that a failing run does not abort the rest of the suite.
    for _ in range(max(lost, 0)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return lost


def combo_current_data() -> Callable[[], object]:
    combo = QComboBox()
    combo.addItem("Any", None)
    return combo.currentData


def combo_item_data_of_an_empty_role() -> Callable[[], object]:
    combo = QComboBox()
    combo.addItem("Any", "any")
    return lambda: combo.itemData(0, Qt.ItemDataRole.ToolTipRole)


def model_with_an_empty_role() -> Callable[[], object]:
    model = QStandardItemModel(1, 1)
    index = model.index(0, 0)
    return lambda: model.data(index, Qt.ItemDataRole.ToolTipRole)


def line_series_append() -> Callable[[], object]:
    series = QLineSeries()
    return lambda: series.append(1.0, 2.0)


def bar_set_append() -> Callable[[], object]:
    bars = QBarSet("Answers")
    return lambda: bars.append(1.0)


def void_method() -> Callable[[], object]:
    widget = QWidget()
    return lambda: widget.setEnabled(True)


class SparseModel(QAbstractTableModel):
    """Text for the display role and None for every other role: the usual Python idiom."""

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 8

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> str | None:
        return f"{index.row()}, {index.column()}" if role == Qt.ItemDataRole.DisplayRole else None


def view_painting_a_python_model() -> Callable[[], object]:
    """Qt reads None from Python here (C++ calling the override): this direction is safe."""
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(SparseModel(proxy))
    view = QTableView()
    view.setModel(proxy)
    view.resize(300, 300)
    return lambda: (view, view.grab())[1]


def missing_property() -> Callable[[], object]:
    obj = QObject()
    return lambda: obj.property("not-there")


Case = Callable[[], Callable[[], object]]
CASES: dict[str, tuple[Case, int]] = {
    "QComboBox.currentData() of None": (combo_current_data, CALLS),
    "QComboBox.itemData() of an empty role": (combo_item_data_of_an_empty_role, CALLS),
    "QAbstractItemModel.data() of an empty role": (model_with_an_empty_role, CALLS),
    "QLineSeries.append(x, y)": (line_series_append, CALLS),
    "QBarSet.append(value)": (bar_set_append, CALLS),
    "a void method (QWidget.setEnabled)": (void_method, CALLS),
    "QObject.property() of a missing name": (missing_property, CALLS),
    "a view painting a Python model whose data() returns None": (
        view_painting_a_python_model,
        PAINTS,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_qt_calls_that_return_none_keep_its_reference_count(case: str, qapp: QApplication) -> None:
    import PySide6

    make, calls = CASES[case]
    lost = none_references_lost(make(), calls)
    assert lost <= 0, (
        f"PySide6 {PySide6.__version__}: {calls} calls of {case} lost {lost} references to None"
    )
