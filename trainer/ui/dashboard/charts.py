"""Charts drawn with QtCharts in the system palette: horizontal bars and a progress line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, Qt, QTime, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from trainer.core.reports.team_breakdown import Bar, ProgressPoint

MAX_LABEL = 38
MIN_HEIGHT = 200


WEEK_FORMAT = "d MMM"


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _chart(view: QChartView) -> QChart:
    """An empty chart in the widget's palette and font (not one of QtCharts' own themes)."""
    palette = view.palette()
    chart = QChart()
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
    chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
    chart.setTitleFont(view.font())
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _style_axis(axis: QBarCategoryAxis | QValueAxis | QDateTimeAxis, view: QChartView) -> None:
    palette = view.palette()
    axis.setLabelsBrush(palette.color(QPalette.ColorRole.Text))
    axis.setLabelsFont(view.font())
    axis.setTitleBrush(palette.color(QPalette.ColorRole.Text))
    axis.setTitleFont(view.font())
    axis.setGridLineColor(palette.color(QPalette.ColorRole.Mid))
    axis.setLinePenColor(palette.color(QPalette.ColorRole.Mid))


class LazyChartView(QChartView):
    """A chart view that builds its chart when it is first seen: building one for a tab nobody
    looks at cost the GUI thread tens of milliseconds while the dashboard's figures loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pending: Callable[[], None] | None = None

    def draw_when_seen(self, draw: Callable[[], None]) -> None:
        self._pending = draw
        if self.isVisible():
            self.draw_pending()

    def draw_pending(self) -> None:
        """Build the chart last asked for, if it is not built yet."""
        draw, self._pending = self._pending, None
        if draw is not None:
            draw()

    def showEvent(self, event: QShowEvent) -> None:
        self.draw_pending()
        super().showEvent(event)


class BarChart(LazyChartView):
    """Horizontal bars, first bar at the top; emits `bar_clicked(index)` when one is clicked."""

    bar_clicked = Signal(int)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(280, MIN_HEIGHT)
        # The chart is drawn for the mouse; the table beside it is the keyboard's way in.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bars: list[Bar] = []
        self._bar_set: QBarSet | None = None
        self.show_bars([], "", "")

    @property
    def bar_set(self) -> QBarSet | None:
        self.draw_pending()
        return self._bar_set

    def show_bars(
        self, bars: Sequence[Bar], title: str, axis_title: str, ceiling: float | None = None
    ) -> None:
        """Draw `bars` (when seen); the value axis runs to `ceiling` if given, else to a round
        number."""
        self.bars = list(bars)
        self.setMinimumHeight(self.height_for(len(self.bars)))
        self.draw_when_seen(lambda: self._draw(title, axis_title, ceiling))

    def height_for(self, count: int) -> int:
        """The least height at which QtCharts draws `count` bars' labels: it gives each label the
        plot's height over the bars, less padding, and where a label's line is taller than that
        it draws every label as "…" (as at the smallest window, with twelve crime groups)."""
        line = QFontMetrics(self.font()).lineSpacing()
        return max(MIN_HEIGHT, (count + 1) * (line + 9) + 5 * line + 20)

    def _draw(self, title: str, axis_title: str, ceiling: float | None) -> None:
        chart = _chart(self)
        chart.setTitle(title)
        ordered = list(reversed(self.bars))  # QtCharts draws the first category at the bottom
        bar_set = QBarSet(axis_title)
        bar_set.append([b.value for b in ordered])
        bar_set.setColor(self.palette().color(QPalette.ColorRole.Highlight))
        bar_set.setBorderColor(self.palette().color(QPalette.ColorRole.Highlight))
        bar_set.setLabelColor(self.palette().color(QPalette.ColorRole.Text))
        bar_set.clicked.connect(lambda i: self.bar_clicked.emit(len(self.bars) - 1 - i))
        series = QHorizontalBarSeries()
        series.append(bar_set)
        series.setBarWidth(0.7)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        series.setLabelsPrecision(4)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([_short(b.label) for b in ordered] or [""])
        values = QValueAxis()
        highest = max([0.0, *(b.value for b in self.bars)])
        values.setRange(0, ceiling or _nice_ceiling(highest * 1.15))
        values.setLabelFormat("%d")
        values.setTickCount(6)
        values.setTitleText(axis_title)
        for axis, side in (
            (categories, Qt.AlignmentFlag.AlignLeft),
            (values, Qt.AlignmentFlag.AlignBottom),
        ):
            _style_axis(axis, self)
            chart.addAxis(axis, side)
            series.attachAxis(axis)
        old = self.chart()
        self.setChart(chart)
        self._bar_set = bar_set
        if old is not None:
            old.deleteLater()


def _nice_ceiling(value: float) -> float:
    """A round axis top that five ticks divide well: 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100…"""
    if value <= 5:
        return 5
    step = 1.0
    while True:
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            if value <= 10 * step * m:
                return 10 * step * m
        step *= 10


class ProgressChart(LazyChartView):
    """Weekly mean score (0–100) as a line with points."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(280, 180)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.weeks: QDateTimeAxis | None = None
        self._span: tuple[date, date] | None = None  # the first and last week drawn
        self.show_points([], "")

    def show_points(self, points: Sequence[ProgressPoint], title: str) -> None:
        points = list(points)
        self.draw_when_seen(lambda: self._draw(points, title))

    def _draw(self, points: Sequence[ProgressPoint], title: str) -> None:
        chart = _chart(self)
        chart.setTitle(title)
        line = QLineSeries()
        line.setPointsVisible(True)
        pen = line.pen()
        pen.setColor(self.palette().color(QPalette.ColorRole.Highlight))
        pen.setWidth(2)
        line.setPen(pen)
        for p in points:
            line.append(_msecs(p.week), p.mean_score)
        chart.addSeries(line)
        weeks = QDateTimeAxis()  # real time: a week with no answers leaves a gap
        weeks.setFormat(WEEK_FORMAT)
        weeks.setTitleText("Week beginning")
        self.weeks, self._span = weeks, (points[0].week, points[-1].week) if points else None
        self._fit_weeks()
        scores = QValueAxis()
        scores.setRange(0, 100)
        scores.setTickCount(6)
        scores.setLabelFormat("%d")
        scores.setTitleText("Mean score")
        for axis, side in (
            (weeks, Qt.AlignmentFlag.AlignBottom),
            (scores, Qt.AlignmentFlag.AlignLeft),
        ):
            _style_axis(axis, self)
            chart.addAxis(axis, side)
            line.attachAxis(axis)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_weeks()

    def _fit_weeks(self) -> None:
        """As many ticks on the week axis as there is room for whole dates under them: eight in
        the Trainee tab's narrow chart were each cut short to "1…"."""
        if self.weeks is None or self._span is None:
            return
        metrics = QFontMetrics(self.font())
        date_width = metrics.horizontalAdvance("30 Sep") + 2 * metrics.averageCharWidth()
        # the plot is the view less the score axis (its labels and title) and the margins
        plot = self.width() - metrics.horizontalAdvance("100") - 3 * metrics.height() - 24
        start, end, ticks = _week_ticks(*self._span, most=max(1, min(8, plot // date_width)))
        self.weeks.setRange(_qdate(start), _qdate(end))
        self.weeks.setTickCount(ticks)


def _week_ticks(first: date, last: date, most: int = 8) -> tuple[date, date, int]:
    """An axis from the Monday before `first` past `last`, with ticks on Mondays (every k weeks)."""
    span = (last - first).days // 7 + 2
    step = -(-span // most)
    intervals = -(-span // step)
    start = first - timedelta(weeks=1)
    return start, start + timedelta(weeks=intervals * step), intervals + 1


def _qdate(day: date) -> QDateTime:
    return QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0))


def _msecs(day: date) -> float:
    return float(_qdate(day).toMSecsSinceEpoch())
