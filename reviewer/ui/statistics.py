"""View › Statistics: the quality of the current view, decisions a day, and a table per provider.

Drawn with pyqtgraph, a plotting library made for Qt. It costs 200-350 ms to import, so this
module is imported only when the window is first asked for (main_window imports it then).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.stats import STATES, Histogram, ProviderRow, by_provider, nice_width, per_day, quality_histogram
from ..words import plural

DAYS = 30
STATE_COLOURS = {"published": "#2e7d32", "unpublished": "#c62828", "unset": "#9e9e9e"}
EDITOR_COLOURS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#558b2f", "#4e342e", "#283593")
SORT = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by
COLUMNS = ("Provider", "Articles", "Approved", "Rejected", "Approval rate", "Mean quality")


class _Item(QTableWidgetItem):
    """A cell that sorts by its value, not its text; cells without a value sort last."""

    def __lt__(self, other) -> bool:
        mine, theirs = self.data(SORT), other.data(SORT)
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        return bool(mine < theirs)


def _cell(text: str, value, align_right: bool = True) -> _Item:
    item = _Item(text)
    item.setData(SORT, value)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _plot(title: str) -> pg.PlotWidget:
    palette = QGuiApplication.palette()
    plot = pg.PlotWidget(background=palette.color(QPalette.ColorRole.Base))
    item = plot.getPlotItem()
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(x=False, y=False)
    item.showGrid(y=True, alpha=0.25)
    text = palette.color(QPalette.ColorRole.Text)
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setTextPen(text)
        axis.setPen(palette.color(QPalette.ColorRole.Mid))
    plot.setAccessibleName(title)
    plot.setMinimumSize(280, 200)
    return plot


class StatisticsWindow(QWidget):
    """A window of its own beside the main one; it follows the list's view while it is open."""

    provider_chosen = Signal(str)  # a row of the provider table was clicked

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc or Ctrl+W (the platform's Close) close it, as a window of its own closes."""
        if event.key() == Qt.Key.Key_Escape or event.matches(QKeySequence.StandardKey.Close):
            self.close()
            return
        super().keyPressEvent(event)

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Statistics — Reviewer")
        self.quality_title = QLabel()
        self.quality_plot = _plot("Quality in this view")
        self.days_title = QLabel()
        self.days_plot = _plot("Decisions a day")
        self.table_title = QLabel()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Providers")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # most articles first
        self.table.setSortingEnabled(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(self._row_clicked)
        self.table.cellActivated.connect(self._row_clicked)
        self.table.setToolTip("Click a provider to list its articles")

        plots = QWidget()
        row = QHBoxLayout(plots)
        row.setContentsMargins(0, 0, 0, 0)
        for title, plot in ((self.quality_title, self.quality_plot), (self.days_title, self.days_plot)):
            column = QVBoxLayout()
            title.setWordWrap(True)
            column.addWidget(title)
            column.addWidget(plot, 1)
            row.addLayout(column, 1)
        table = QWidget()
        column = QVBoxLayout(table)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table_title)
        column.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(plots)
        split.addWidget(table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 960, 680
        if area is not None:
            width, height = min(width, area.width() - 40), min(height, area.height() - 60)
        self.resize(width, height)

    # --- showing ----------------------------------------------------------------------------

    def show_all(self, view: list, view_name: str, articles: list, decisions: list, today: datetime | None = None):
        """Draw the view's quality, the last 30 days of `decisions`, and the providers of `articles`."""
        self.show_quality(quality_histogram(view), view_name)
        self.show_days(per_day(decisions, DAYS, today), today)
        self.show_providers(by_provider(articles))

    def show_quality(self, histogram: Histogram, view_name: str) -> None:
        plot = self.quality_plot.getPlotItem()
        plot.clear()
        _legend(plot, (10, 5))
        without = (
            f" · {plural(histogram.without_quality, 'article')} without quality" if histogram.without_quality else ""
        )
        self.quality_title.setText(
            f"<b>Quality</b> in the view <i>{view_name}</i>: {plural(histogram.total, 'article')}{without}"
        )
        if not histogram.edges:
            plot.addItem(_note("No article in this view has a quality", 0.5))
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            return
        width = histogram.width
        x0 = [float(edge) for edge in histogram.edges]
        base = [0.0] * len(x0)
        for state in STATES:
            counts = histogram.counts[state]
            if not any(counts):
                continue
            bars = pg.BarGraphItem(
                x0=x0,
                width=width * 0.92,
                y0=list(base),
                height=counts,
                brush=STATE_COLOURS[state],
                pen=None,
                name=state,
            )
            plot.addItem(bars)
            base = [b + c for b, c in zip(base, counts, strict=True)]
        if histogram.overflow:
            label = pg.TextItem(f"≥ {histogram.edges[-1]:,}", color=self.palette().color(QPalette.ColorRole.Text))
            label.setPos(histogram.edges[-1] + width / 2, base[-1])
            label.setAnchor((0.5, 1.0))
            plot.addItem(label)
        plot.setLabel("bottom", "quality")
        plot.setXRange(x0[0], x0[-1] + width, padding=0.02)
        _count_axis(plot, max(base))

    def show_days(self, counts: dict[str, list[int]], today: datetime | None = None) -> None:
        plot = self.days_plot.getPlotItem()
        plot.clear()
        _legend(plot, (10, 5))
        total = sum(sum(c) for c in counts.values())
        who = plural(len(counts), "editor")
        self.days_title.setText(f"<b>Decisions a day</b> (UTC), last {DAYS} days: {plural(total, 'decision')} by {who}")
        end = (today or datetime.now(UTC)).date()
        first = end - timedelta(days=DAYS - 1)
        ticks = [(i, (first + timedelta(days=i)).strftime("%b %d")) for i in range(DAYS - 8, -1, -7)]
        ticks.append((DAYS - 1, "today"))  # counted back from today, so the last bar is named
        plot.getAxis("bottom").setTicks([ticks, [(i, "") for i in range(DAYS)]])
        plot.setXRange(-0.6, DAYS - 0.4, padding=0)
        if not total:
            plot.addItem(_note("No decisions in the last 30 days", DAYS / 2))
            _count_axis(plot, 1)
            return
        base = [0.0] * DAYS
        for i, (editor, per) in enumerate(counts.items()):
            colour = EDITOR_COLOURS[i % len(EDITOR_COLOURS)]
            bars = pg.BarGraphItem(
                x=list(range(DAYS)), width=0.8, y0=list(base), height=per, brush=colour, pen=None, name=editor
            )
            plot.addItem(bars)  # and to the legend, by its name
            base = [b + c for b, c in zip(base, per, strict=True)]
        _count_axis(plot, max(base))

    def show_providers(self, rows: list[ProviderRow]) -> None:
        self.table_title.setText(
            f"<b>Providers</b> in the folder: {plural(len(rows), 'provider')} · click one to list its articles"
        )
        table = self.table
        order = table.horizontalHeader().sortIndicatorSection(), table.horizontalHeader().sortIndicatorOrder()
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            rate, mean = row.approval_rate, row.mean_quality
            name = _cell(row.provider or "(no provider)", row.provider.casefold(), align_right=False)
            name.setData(Qt.ItemDataRole.UserRole, row.provider)
            table.setItem(r, 0, name)
            table.setItem(r, 1, _cell(f"{row.articles:,}", row.articles))
            table.setItem(r, 2, _cell(f"{row.approved:,}", row.approved))
            table.setItem(r, 3, _cell(f"{row.rejected:,}", row.rejected))
            table.setItem(r, 4, _cell("" if rate is None else f"{rate:.0%}", rate))
            table.setItem(r, 5, _cell("" if mean is None else f"{mean:,.1f}", mean))
        table.setSortingEnabled(True)
        if order[0] >= 0 and table.horizontalHeader().isSortIndicatorShown():
            table.sortItems(*order)

    def _row_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.provider_chosen.emit(item.data(Qt.ItemDataRole.UserRole))


def _note(text: str, x: float) -> pg.TextItem:
    note = pg.TextItem(text, color=QColor("#808080"), anchor=(0.5, 0.5))
    note.setPos(x, 0.5)
    return note


def _legend(plot, offset: tuple[int, int]) -> None:
    """The plot's legend, made once, in the window's colours; emptied for new bars."""
    if plot.legend is None:
        palette = QGuiApplication.palette()
        base = QColor(palette.color(QPalette.ColorRole.Base))
        base.setAlpha(210)
        plot.addLegend(offset=offset, labelTextColor=palette.color(QPalette.ColorRole.Text), brush=base)
    plot.legend.clear()
    plot.legend.setColumnCount(8)  # one row along the top, above the bars (see _count_axis)


def _count_axis(plot, top: float) -> None:
    """Whole numbers up the side, and room above the highest bar for the legend."""
    step = nice_width(top / 6)
    plot.getAxis("left").setTickSpacing(step, step)
    plot.setYRange(0, top * 1.22 + 0.5, padding=0)
