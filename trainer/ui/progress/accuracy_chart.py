"""A line per crime group: the trainee's running accuracy after each answer (QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QWidget

from trainer.core.content.catalogue import group_title
from trainer.core.practice.progress import Track

MAX_LINES = 8  # more than this and the legend swamps the lines
# Eight distinct colours that stay apart for colour-blind readers (Okabe and Ito), one per line:
# the chart themes repeat after five, which put two crime groups in the same colour.
LINE_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#999999",
    "#B8A000",
)


class AccuracyChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        self._chart = QChart()
        super().__init__(self._chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Chart: running accuracy per crime group over time")
        self.setMinimumHeight(220)
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self._chart.setMargins(self._chart.margins() * 0)
        self._follow_palette()

    def _follow_palette(self) -> None:
        """Light or dark to match the system palette, in the system font."""
        window = self.palette().color(QPalette.ColorRole.Window)
        dark = window.lightness() < 128
        self._chart.setTheme(
            QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        )
        self._chart.setBackgroundBrush(self.palette().brush(QPalette.ColorRole.Base))
        self._chart.setFont(QApplication.font())
        self._chart.legend().setFont(QApplication.font())
        self._chart.legend().setLabelColor(self.palette().color(QPalette.ColorRole.Text))

    def set_tracks(self, tracks: Sequence[Track]) -> None:
        """One line per group; along the bottom, the trainee's answers in the order given."""
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        busiest = sorted(tracks, key=lambda t: -len(t.outcomes))[:MAX_LINES]
        order = {
            at: n for n, at in enumerate(sorted({at for t in tracks for at, _ in t.outcomes}), 1)
        }
        x_axis = QValueAxis()
        x_axis.setRange(0.5, max(order.values(), default=1) + 0.5)
        x_axis.setLabelFormat("%d")
        x_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        x_axis.setTickAnchor(1)
        x_axis.setTickInterval(max(1, len(order) // 10))
        x_axis.setTitleText("Your answers, oldest to newest")
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat("%d%%")
        y_axis.setTitleText("Fully right so far")
        for axis in (x_axis, y_axis):
            axis.setLabelsFont(QApplication.font())
            axis.setTitleFont(QApplication.font())
            axis.setLabelsColor(self.palette().color(QPalette.ColorRole.Text))
            axis.setTitleBrush(self.palette().brush(QPalette.ColorRole.Text))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for colour, track in zip(LINE_COLOURS, busiest, strict=False):
            series = QLineSeries()
            series.setName(group_title(track.key))
            series.setPointsVisible(True)
            pen = QPen(QColor(colour))
            pen.setWidthF(2.0)
            series.setPen(pen)
            for point in track.series():
                series.append(order[point.at], 100.0 * point.accuracy)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        chart.legend().setVisible(bool(busiest))
