"""The Team tab: one row per trainee with the inspectorate's measures and their intervals."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from trainer.core.reports.figures import TeamFigures, TeamRow
from trainer.core.reports.malpractice import MalpracticeCounts
from trainer.core.reports.team import ROLE_NAMES
from trainer.ui.dashboard.tables import (
    SAMPLE_ROWS,
    WARNING,
    Cells,
    CellTableModel,
    SortColumn,
    cell_view,
    cells,
    interval,
    interval_tooltip,
    percent,
    size_columns,
    sort_value,
)
from trainer.ui.widgets import wrapped


def _answers(r: TeamRow) -> str:
    s = r.summary
    return f"{s.attempts} (+{s.exam_attempts} exam)" if s.exam_attempts else str(s.attempts)


def _mean(r: TeamRow) -> str:
    return "no data" if r.summary.mean_score is None else f"{r.summary.mean_score:.1f}"


def _last_active(r: TeamRow) -> str:
    moment = r.summary.last_active
    # 'YYYY-MM-DD HH:MM': the start of its ISO form, ten times quicker than strftime for 2,000 rows
    return "never" if moment is None else str(moment)[:16]


def _trend(r: TeamRow) -> str:
    t = r.summary.trend
    if t is None:
        return "–"
    if abs(t) < 0.05:
        return "▶ steady"
    return f"▲ +{t:.1f}" if t > 0 else f"▼ -{abs(t):.1f}"


DISPOSAL_ERRORS_HELP = (
    "Out-of-court disposal errors: answers to disposal reviews and outcome decisions with a "
    "wrong disposal decision, a wrong authority or a wrong outcome type"
)
TREND_HELP = (
    "Mean score of the later half of the answers minus the earlier half (points); shown from four "
    "answers."
)

COLUMNS = (
    SortColumn("Trainee", lambda r: r.trainee.name, tooltip=lambda r: r.trainee.staff_number),
    SortColumn("Staff no.", lambda r: r.trainee.staff_number),
    SortColumn("Role", lambda r: ROLE_NAMES.get(r.trainee.role, r.trainee.role)),
    SortColumn(
        "Answers",
        _answers,
        numeric=True,
        key=lambda r: float(r.summary.attempts + r.summary.exam_attempts),
    ),
    SortColumn("Mean\nscore", _mean, numeric=True, key=lambda r: sort_value(r.summary.mean_score)),
    SortColumn(
        "Recording\nrate",
        lambda r: percent(r.summary.recording_rate),
        numeric=True,
        key=lambda r: sort_value(r.summary.recording_rate.value),
        tooltip=lambda r: interval_tooltip(r.summary.recording_rate),
    ),
    SortColumn(
        "Rate\n95% CI",
        lambda r: interval(r.summary.recording_rate),
        key=lambda r: sort_value(r.summary.recording_rate.value),
        tooltip=lambda r: interval_tooltip(r.summary.recording_rate),
    ),
    SortColumn(
        "Recording\naccuracy",
        lambda r: percent(r.summary.recording_accuracy),
        numeric=True,
        key=lambda r: sort_value(r.summary.recording_accuracy.value),
        tooltip=lambda r: interval_tooltip(r.summary.recording_accuracy),
    ),
    SortColumn(
        "Accuracy\n95% CI",
        lambda r: interval(r.summary.recording_accuracy),
        key=lambda r: sort_value(r.summary.recording_accuracy.value),
        tooltip=lambda r: interval_tooltip(r.summary.recording_accuracy),
    ),
    SortColumn(
        "Disposal\nerrors",
        lambda r: str(r.disposal_errors),
        numeric=True,
        key=lambda r: float(r.disposal_errors),
        tooltip=lambda r: DISPOSAL_ERRORS_HELP,
    ),
    SortColumn(
        "Last\nactive",
        _last_active,
        key=lambda r: r.summary.last_active.timestamp() if r.summary.last_active else -1.0,
    ),
    SortColumn(
        "Trend",
        _trend,
        numeric=True,
        key=lambda r: -1000.0 if r.summary.trend is None else r.summary.trend,
        tooltip=lambda r: TREND_HELP,
    ),
)
NAME_COLUMN = 0
MALPRACTICE_COLUMN = 9
MALPRACTICE_HELP = (
    "HMIC malpractice answers: answers that fell into a recording failure the inspectorate named "
    "(see the HMIC malpractice tab)."
)


def malpractice_column(counts: MalpracticeCounts) -> SortColumn:
    """The trainee's HMIC malpractice answers under the filter (counted in SQL, see `reports`)."""
    return SortColumn(
        "HMIC\nmalpractice",
        lambda r: str(counts.of(r.trainee.id)),
        numeric=True,
        key=lambda r: float(counts.of(r.trainee.id)),
        tooltip=lambda r: MALPRACTICE_HELP,
    )


def team_columns(counts: MalpracticeCounts) -> tuple[SortColumn, ...]:
    at = MALPRACTICE_COLUMN  # after the recording figures, in sight at the smallest size
    return (*COLUMNS[:at], malpractice_column(counts), *COLUMNS[at:])


def team_cells(data: TeamFigures, counts: MalpracticeCounts) -> Cells:
    """The team table's texts for its first screens and column widths, and the names' sort keys
    (its first order, by name: the store reads trainees in that order too), worked out on the
    loading thread. Another row's texts are worked out when it is first shown (a screenful: a
    millisecond or two), then kept: all 2,000 rows' took longer than the team's figures did, and
    filling them on a loading thread once the table was on screen slowed its painting down (each
    `data()` call on the GUI thread waited for the loading thread to hand Python back)."""
    table = cells(team_columns(counts), data.rows).fill(SAMPLE_ROWS)
    if table.rows:
        table.key(0, NAME_COLUMN)
    return table


class TeamView(QWidget):
    """Emits `trainee_chosen(trainee_id)` when a row is activated (double-click or Enter)."""

    trainee_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = wrapped("", "Team figures", self)
        self.search = QLineEdit(self)
        self.search.setAccessibleName("Find a trainee by name")
        self.search.setPlaceholderText("Find a trainee…")
        self.search.setClearButtonEnabled(True)
        self.malpractice = MalpracticeCounts((), {})
        self.columns = team_columns(self.malpractice)
        self.model = CellTableModel(self.columns, self)
        self.table = cell_view(
            self.model, "Team results", self, (NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        )
        self.sized = False
        self.note = wrapped(
            f"Recording rate: of the scenarios where a crime should have been recorded, the share "
            f"recorded. Recording accuracy: the share recorded and fully right (class, count and "
            f"flags). {WARNING} marks a sample too small to judge on its own: fewer than 30 such "
            f"answers, or a 95% interval wider than 20 points. Double-click a trainee (or press "
            f"Enter) for their details.",
            "About these figures",
            self,
        )

        top = QHBoxLayout()
        find = QLabel("Fi&nd:", self)
        find.setBuddy(self.search)
        top.addWidget(self.headline, 1)
        top.addWidget(find)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

        self.search.textChanged.connect(lambda text: self.model.find(text, NAME_COLUMN))
        self.table.activated.connect(self._activated)

    def show_malpractice(self, counts: MalpracticeCounts) -> None:
        """The malpractice counts to show with the next `show_data`."""
        self.malpractice = counts

    def show_data(self, data: TeamFigures, table: Cells | None = None) -> None:
        """Show the figures: `table` from `team_cells` (else each cell's text is worked out when
        it is first shown)."""
        self.model.set_cells(table or cells(team_columns(self.malpractice), data.rows))
        if not self.sized and self.model.rowCount():
            size_columns(self.table, self.model)  # once: then the supervisor's widths stay
            self.sized = True
        team = data.team
        self.headline.setText(
            f"{len(data.trainees)} trainee(s), {data.answers} answer(s). Team recording rate "
            f"{team.recording_rate.describe()}; recording accuracy "
            f"{team.recording_accuracy.describe()}. Out-of-court disposal errors: "
            f"{data.team_disposal_errors:,}. HMIC malpractice answers: {self.malpractice.team:,}."
        )
        self.headline.setAccessibleName(self.headline.text())

    def _activated(self, index: QModelIndex) -> None:
        row: TeamRow = self.model.row_at(index)
        self.trainee_chosen.emit(row.trainee.id)
