"""Each dashboard tab against a database seeded with known answers: the figures on screen must
equal the ones worked out by hand (see tests/core/team_data.py)."""

from __future__ import annotations

import math
import statistics as stdlib_stats
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView

from tests.core.team_data import ABILITY, Team, seed_items, seed_team
from tests.ui.test_quality import unnamed_controls
from trainer.core.content.catalogue import Catalogue, load_catalogue
from trainer.core.reports import figures, team
from trainer.core.store.sqlite import Store
from trainer.ui.dashboard.filter_bar import ALL_DATES, CUSTOM, FilterBar
from trainer.ui.dashboard.items_view import ItemsView
from trainer.ui.dashboard.rules_view import RulesView
from trainer.ui.dashboard.tables import (
    SAMPLE_ROWS,
    CellTableModel,
    SortColumn,
    cell_view,
    cells,
    size_columns,
)
from trainer.ui.dashboard.team_view import COLUMNS, TeamView
from trainer.ui.dashboard.trainee_view import TraineeView


def wilson_text(k: int, n: int) -> str:
    """The interval worked out by hand, as the table shows it."""
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * (centre - half):.1f}–{100 * (centre + half):.1f}%"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def store() -> Store:
    return Store.memory()


@pytest.fixture
def seeded(store: Store) -> Team:
    return seed_team(store)


@pytest.fixture
def data(store: Store, seeded: Team) -> figures.TeamFigures:
    return figures.team_figures(store, team.TeamFilter())


@pytest.fixture
def breakdowns(store: Store, seeded: Team) -> figures.BreakdownFigures:
    return figures.breakdown_figures(store, team.TeamFilter())


def shown(view, model, row: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """One row of a view's (proxy) model as {column title: text}."""
    return {
        str(model.headerData(c, Qt.Orientation.Horizontal)): model.index(row, c).data()
        for c in range(model.columnCount())
    }


def team_rows(view: TeamView) -> dict[str, dict[str, str]]:
    rows = [shown(view, view.model, r) for r in range(view.model.rowCount())]
    return {r["Trainee"]: r for r in rows}


def test_team_table_shows_the_hand_computed_figures(qtbot, qtmodeltester, data) -> None:  # type: ignore[no-untyped-def]
    view = TeamView()
    qtbot.add_widget(view)
    view.show_data(data)
    qtmodeltester.check(view.model)
    rows = team_rows(view)
    alice, bob, carol = rows["Alice Archer"], rows["Bob Baker"], rows["Carol Cole"]
    assert alice["Recording\nrate"] == "75.0% (9/12)"
    assert alice["Rate\n95% CI"] == wilson_text(9, 12) + " ⚠"  # 12 answers: too few to judge
    assert alice["Recording\naccuracy"] == "50.0% (6/12)"
    assert alice["Accuracy\n95% CI"] == wilson_text(6, 12) + " ⚠"
    assert alice["Mean\nscore"] == f"{980 / 15:.1f}" == "65.3"
    assert alice["Answers"] == "15"
    assert alice["Role"] == "Call-handler"
    assert alice["Last\nactive"] == "2026-03-16 09:00"
    assert bob["Recording\nrate"] == "95.0% (38/40)"
    assert bob["Rate\n95% CI"] == wilson_text(38, 40)  # 40 answers, narrow interval: no warning
    assert bob["Accuracy\n95% CI"] == wilson_text(30, 40) + " ⚠"  # wider than 20 points
    assert bob["Mean\nscore"] == "91.0"
    assert carol["Recording\nrate"] == "no data" and carol["Last\nactive"] == "never"
    assert (
        f"{47 / 52:.1%} (47/52" in view.headline.text() and "90.4%" in view.headline.text()
    )  # the team: (9 + 38) of (12 + 40)


def test_team_table_sorts_by_value_and_filters_by_name(qtbot, data) -> None:  # type: ignore[no-untyped-def]
    view = TeamView()
    qtbot.add_widget(view)
    view.show_data(data)
    rate = [c.title for c in COLUMNS].index("Recording\nrate")
    view.table.sortByColumn(rate, Qt.SortOrder.DescendingOrder)
    names = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert names == ["Bob Baker", "Alice Archer", "Carol Cole"]  # 95% > 75% > no data
    view.search.setText("bak")
    assert view.model.rowCount() == 1 and view.model.index(0, 0).data() == "Bob Baker"
    view.search.setText("")
    assert view.model.rowCount() == 3


class CountingModel(CellTableModel):
    calls = 0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        CountingModel.calls += 1
        return super().data(index, role)


def test_big_tables_size_columns_without_visiting_every_cell(qtbot) -> None:  # type: ignore[no-untyped-def]
    columns = [SortColumn(f"Column {c}", lambda r, c=c: f"{r * c:,}") for c in range(10)]
    model = CountingModel(columns)
    view = cell_view(model, "Big table")
    qtbot.add_widget(view)
    model.set_cells(cells(columns, range(5000)))
    size_columns(view, model)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    assert CountingModel.calls < 5000  # 50,000 cells: only the visible ones are asked for
    widest = view.fontMetrics().horizontalAdvance(f"{4999 * 9:,}")
    assert view.columnWidth(9) >= widest
    mode = view.horizontalHeader().sectionResizeMode(0)
    assert mode == QHeaderView.ResizeMode.Interactive


def test_activating_a_trainee_asks_for_their_tab(qtbot, data, seeded) -> None:  # type: ignore[no-untyped-def]
    view = TeamView()
    qtbot.add_widget(view)
    view.show_data(data)
    row = next(
        r for r in range(view.model.rowCount()) if view.model.index(r, 0).data() == "Bob Baker"
    )
    with qtbot.wait_signal(view.trainee_chosen) as signal:
        view.table.activated.emit(view.model.index(row, 0))
    assert signal.args == [seeded.bob]


def test_findings_chart_and_its_drill_down(
    qtbot, qtmodeltester, breakdowns, catalogue, store
) -> None:  # type: ignore[no-untyped-def]
    view = RulesView(catalogue, store)
    qtbot.add_widget(view)
    view.show_data(breakdowns)
    qtmodeltester.check(view.bar_model)
    qtmodeltester.check(view.answers.model)
    labels = [view.bar_proxy.index(r, 0).data() for r in range(view.bar_proxy.rowCount())]
    assert labels[:4] == ["Under-recording", "Over-recording", "Misclassification", "Miscount"]
    # QtCharts draws the first category at the bottom: the bar set holds the values reversed.
    bar_set = view.chart.bar_set
    assert bar_set is not None
    assert [bar_set.at(i) for i in range(bar_set.count())] == [0, 0, 0, 0, 0, 1, 0, 8, 3, 0, 0, 5]
    bar_set.clicked.emit(bar_set.count() - 1)  # a click on the top bar: under-recording
    lines = view.answers.lines()
    assert len(lines) == 5  # Alice's three and Bob's two
    assert {line.trainee for line in lines} == {"Alice Archer", "Bob Baker"}
    assert lines[0].answered_at >= lines[-1].answered_at  # newest first
    assert "5 answer(s) behind “Under-recording”" in view.caption.text()
    assert all(line.findings_text in ("Did not record the burglary.", "Not recorded as a crime.")
               for line in lines)  # fmt: skip


def test_rule_card_and_crime_group_breakdowns(qtbot, breakdowns, catalogue, store) -> None:  # type: ignore[no-untyped-def]
    view = RulesView(catalogue, store)
    qtbot.add_widget(view)
    view.show_data(breakdowns)
    view.breakdown.setCurrentIndex(1)
    top = view.bar_proxy.index(0, 0).data()
    assert top == catalogue.rule_by_id["domestic-abuse-flag"].title
    assert view.bar_proxy.index(0, 1).data() == "8"
    view.bar_table.selectRow(0)  # the keyboard's way to the same drill-down
    assert len(view.answers.lines()) == 8
    assert {line.trainee for line in view.answers.lines()} == {"Bob Baker"}
    view.breakdown.setCurrentIndex(2)
    values = {view.bar_proxy.index(r, 0).data(): view.bar_proxy.index(r, 1).data()
              for r in range(view.bar_proxy.rowCount())}  # fmt: skip
    assert values["Burglary"] == "50.0% (6/12)"
    assert values["Violence against the person"] == "75.0% (30/40)"


def test_trainee_tab(qtbot, qtmodeltester, data, catalogue, store, seeded) -> None:  # type: ignore[no-untyped-def]
    view = TraineeView(catalogue, store)
    qtbot.add_widget(view)
    view.show_data(data)
    view.choose(seeded.alice)
    text = view.summary.toPlainText()
    assert "75.0% (9/12; 95% CI " + wilson_text(9, 12).replace("–", "%–") in text
    assert "small sample" in text
    assert "Cancellation accuracy" in text and "0.0% (0/1" in text
    for model in (view.answers.model, view.rule_model, view.week_model, view.session_model):
        qtmodeltester.check(model)
    assert view.answers.model.rowCount() == 15
    rules = {view.rule_model.index(r, 0).data(): view.rule_model.index(r, 1).data()
             for r in range(view.rule_model.rowCount())}  # fmt: skip
    assert rules[catalogue.rule_by_id["one-crime-per-victim"].title] == "3"
    weeks = [view.week_model.index(r, 1).data() for r in range(view.week_model.rowCount())]
    assert sum(int(w) for w in weeks) == 15
    assert view.session_model.rowCount() == 1
    assert view.session_model.index(0, 2).data() == "15"
    with qtbot.wait_signal(view.reset_requested) as signal:
        view.reset.click()
    assert signal.args == [seeded.alice]


def test_item_analysis_flags_the_bad_key(qtbot, qtmodeltester, store) -> None:  # type: ignore[no-untyped-def]
    seed_items(store)
    view = ItemsView()
    qtbot.add_widget(view)
    view.show_data(figures.item_figures(store, team.TeamFilter()))
    qtmodeltester.check(view.model)
    first = shown(view, view.model, 0)  # sorted with scenarios to review first
    assert first["Scenario"] == "Bad key"
    expected = stdlib_stats.correlation([110 - a for a in ABILITY], list(ABILITY))
    assert first["Discrimination"] == f"{expected:+.2f}" == "-1.00"
    assert first["Facility"] == f"{sum(110 - a for a in ABILITY) / 10 / 100:.2f}"
    assert first["Answers"] == "10" and first["Trainees"] == "10"
    assert first["Review"].startswith("⚠ Review")
    view.only_flagged.setChecked(True)
    assert view.model.rowCount() == 1
    assert "1 flagged for review" in view.headline.text()


def test_filter_bar_builds_the_filter(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = FilterBar()
    qtbot.add_widget(bar)
    bar.set_topics(["burglary", "theft"])
    bar.period.setCurrentIndex(ALL_DATES)
    with qtbot.wait_signal(bar.filter_changed) as signal:
        bar.role.setCurrentIndex(bar.role.findData("officer"))
    assert signal.args[0] == team.TeamFilter(role="officer")
    bar.topic.setCurrentIndex(bar.topic.findData("theft"))
    bar.period.setCurrentIndex(1)  # last 7 days
    assert bar.current(today=date(2026, 3, 10)) == team.TeamFilter(
        role="officer", since=date(2026, 3, 4), until=date(2026, 3, 10), topic="theft"
    )
    assert not bar.since.isEnabled()
    bar.period.setCurrentIndex(CUSTOM)
    assert bar.since.isEnabled()
    bar.set_topics(["theft", "violence"])  # keeps the current choice
    assert bar.topic.currentData() == "theft"


def test_filter_bar_opens_on_the_last_90_days(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = FilterBar()
    qtbot.add_widget(bar)
    assert bar.current(today=date(2026, 12, 2)) == team.TeamFilter.last_days(90, date(2026, 12, 2))
    assert bar.period.itemText(ALL_DATES) == "All dates"


def test_every_control_has_an_accessible_name(qtbot, catalogue, store) -> None:  # type: ignore[no-untyped-def]
    for widget in (TeamView(), RulesView(catalogue, store), TraineeView(catalogue, store),
                   ItemsView(), FilterBar()):  # fmt: skip
        qtbot.add_widget(widget)
        assert unnamed_controls(widget) == []


def test_the_trainee_list_is_not_sized_by_every_name(qtbot, data, catalogue, store) -> None:  # type: ignore[no-untyped-def]
    """Sizing the list to its longest name measured all of a force's names at every layout."""
    widths = []
    for n in range(2):
        view = TraineeView(catalogue, store)
        qtbot.add_widget(view)
        view.show_data(figures.team_figures(store, team.TeamFilter()))
        widths.append(view.trainee.sizeHint().width())
        store.create_trainee("W" * 100, f"LONG{n}", "officer")
    assert view.trainee.count() == len(data.trainees) + 1
    assert widths[1] == widths[0]


def test_filled_cells_are_only_looked_up(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A table's texts worked out on a loading thread: the GUI only looks them up, and sorts by a
    column's key, or by its texts already worked out."""
    calls: list[int] = []

    def text(r: int) -> str:
        calls.append(r)
        return f"row {r:04d}"

    columns = [SortColumn("Text", text), SortColumn("Number", str, key=lambda r: -r)]
    table = cells(columns, range(300)).fill()
    filled = len(calls)
    model = CellTableModel(columns)
    view = cell_view(model, "Filled table")
    qtbot.add_widget(view)
    model.set_cells(table)
    size_columns(view, model)
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    view.show()
    qtbot.waitExposed(view)
    assert filled == 300 and len(calls) == filled
    assert model.index(0, 0).data() == "row 0299"
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert len(calls) == filled
    assert [model.index(r, 0).data() for r in (0, 299)] == ["row 0299", "row 0000"]


def test_a_partly_filled_table_works_out_other_rows_once_when_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The team table's loading thread works out only its first rows' texts (what it first shows
    and sizes its columns by): another row's are worked out when it is shown, once."""
    calls: list[int] = []

    def text(r: int) -> str:
        calls.append(r)
        return f"row {r:04d}"

    columns = [SortColumn("Number", str, key=float), SortColumn("Text", text)]
    table = cells(columns, range(1000)).fill(SAMPLE_ROWS)
    assert sorted(calls) == list(range(SAMPLE_ROWS))
    model = CellTableModel(columns)
    view = cell_view(model, "Partly filled table")
    view.resize(400, 300)
    qtbot.add_widget(view)
    model.set_cells(table)
    size_columns(view, model)
    view.show()
    qtbot.waitExposed(view)
    assert len(calls) == SAMPLE_ROWS  # the first screen and the sizing sample were filled
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # by key: row 999 first
    qtbot.waitUntil(lambda: 999 in calls)  # painted
    shown = len(calls)
    assert SAMPLE_ROWS < shown < SAMPLE_ROWS + 100  # a screenful, not the other 800 rows
    assert model.index(0, 1).data() == "row 0999"
    view.viewport().repaint()
    assert len(calls) == shown  # kept


def test_charts_are_built_when_first_seen(qtbot, breakdowns, catalogue, store) -> None:  # type: ignore[no-untyped-def]
    """Building a chart for a tab nobody looks at held the GUI thread up while figures loaded."""
    view = RulesView(catalogue, store)
    qtbot.add_widget(view)
    view.show_data(breakdowns)
    assert not view.chart.chart().series()
    view.show()
    qtbot.waitExposed(view)
    assert len(view.chart.chart().series()) == 1
    assert view.chart.bar_set is not None and view.chart.bar_set.count() == len(view.chart.bars)


@pytest.mark.parametrize(
    ("trainees", "paired", "shown"),
    [
        (4, 4, "n/a (fewer than 10 trainees)"),
        # twelve answered it, only five of them anything else: too few pairs, not a constant score
        (12, 5, "n/a (fewer than 10 who answered others too)"),
        (12, 12, "n/a (scores do not vary)"),
    ],
)
def test_a_missing_discrimination_says_why(trainees: int, paired: int, shown: str) -> None:
    from trainer.core.reports.statistics import ItemStats
    from trainer.ui.dashboard.items_view import item_cells

    stats = ItemStats("s", trainees * 2, trainees, 0.5, None, paired)
    data = figures.ItemFigures(team.TeamFilter(), (figures.ItemRow(stats, "A scenario"),))
    table = item_cells(data)
    assert [table.text(0, c) for c in range(len(table.columns))][4] == shown


def test_the_week_axis_has_room_for_every_date_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The Trainee tab's narrow chart cut its eight week dates short ("1…"): it shows as many
    as fit whole, and more when it is widened."""
    from datetime import timedelta

    from PySide6.QtGui import QFontMetrics

    from trainer.core.reports.statistics import Proportion
    from trainer.core.reports.team_breakdown import ProgressPoint
    from trainer.ui.dashboard.charts import WEEK_FORMAT, ProgressChart, _qdate

    monday = date(2026, 9, 7)
    points = [
        ProgressPoint(monday + timedelta(weeks=w), 5, 80.0, Proportion(4, 5)) for w in range(13)
    ]
    chart = ProgressChart("Weekly mean score chart")
    qtbot.add_widget(chart)
    chart.resize(330, 220)  # as in the Trainee tab at the smallest window
    chart.show_points(points, "Mean score by week")
    chart.show()
    qtbot.waitExposed(chart)

    def room_and_widest() -> tuple[float, int, int]:
        axis = chart.weeks
        assert axis is not None
        ticks = axis.tickCount()
        first, last = axis.min(), axis.max()
        step_days = first.daysTo(last) // (ticks - 1)
        labels = [first.addDays(step_days * i).toString(WEEK_FORMAT) for i in range(ticks)]
        widest = max(QFontMetrics(axis.labelsFont()).horizontalAdvance(t) for t in labels)
        plot = chart.chart().plotArea().width()
        return plot / (ticks - 1), widest, ticks

    room, widest, narrow = room_and_widest()
    assert room >= widest, f"{narrow} dates of {widest} px in {room:.0f} px each"
    assert narrow >= 3
    assert chart.weeks is not None and chart.weeks.min() <= _qdate(monday)
    chart.resize(900, 220)
    qtbot.waitUntil(lambda: room_and_widest()[2] > narrow)
    room, widest, _wide = room_and_widest()
    assert room >= widest


GROUP_LABELS = (
    "Violence against the person", "Sexual offences", "Robbery", "Burglary",
    "Vehicle offences", "Theft", "Arson and criminal damage", "Drug offences",
    "Possession of weapons", "Public order offences", "Miscellaneous crimes against society",
    "No crime class (incidents, reviews, outcomes)",
)  # fmt: skip


def _leftmost_text(chart) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The plot area's left edge, and the leftmost dark pixel of the labels drawn left of it."""
    image = chart.grab().toImage()
    plot = chart.chart().plotArea().toRect()
    leftmost = plot.left()
    for y in range(plot.top(), plot.bottom()):
        for x in range(0, min(leftmost, plot.left() - 6)):
            if image.pixelColor(x, y).lightness() < 110:
                leftmost = x
                break
    return plot.left(), leftmost


def test_every_bar_label_has_the_height_to_be_drawn(qtbot) -> None:  # type: ignore[no-untyped-def]
    """At the smallest window the crime-group chart drew each of its twelve labels as "…":
    QtCharts does that to every label when the plot's height per bar is less than a label's
    line. The chart asks for the height its bars' labels need; each is then drawn, whole or
    shortened to the width there is."""
    from trainer.core.reports.team_breakdown import Bar
    from trainer.ui.dashboard.charts import BarChart

    chart = BarChart("Crime group chart")
    qtbot.add_widget(chart)
    chart.show()
    qtbot.waitExposed(chart)
    for count, width in ((12, 440), (12, 330), (20, 560), (3, 300)):
        bars = [Bar(t, t, 50.0 + i, "", "") for i, t in enumerate((GROUP_LABELS * 2)[:count])]
        chart.show_bars(bars, "Answers fully right by crime group", "Fully right (%)", 100)
        chart.resize(width, 300)  # the Rules tab's chart at the smallest window: 440 x 300
        qtbot.wait(20)
        left, leftmost = _leftmost_text(chart)
        assert leftmost < left * 0.5, f"{count} bars in {chart.height()} px: only '…' drawn"
    assert chart.height() == 300  # three bars fit the height it had
