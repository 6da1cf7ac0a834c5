"""View › Statistics: plots of the current view and of the log, a provider table that filters the list."""

import subprocess
import sys

from PySide6.QtCore import Qt

from tests.helpers import ROOT


def open_statistics(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_I, Qt.ControlModifier)
    stats = window.stats.window
    assert stats is not None
    assert stats.isVisible()
    return stats


def bar_heights(plot) -> dict[str, list[float]]:
    import pyqtgraph as pg

    return {
        item.name(): list(item.opts["height"]) for item in plot.getPlotItem().items if isinstance(item, pg.BarGraphItem)
    }


def test_opening_a_folder_does_not_load_the_plotting_library():
    code = (
        "import sys; from reviewer.ui import main_window; from reviewer import cli; "
        "print('pyqtgraph' in sys.modules, 'numpy' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert found.stdout.split() == ["False", "False"]


def test_the_quality_plot_follows_the_view_split_by_published_state(window, qtbot):
    stats = open_statistics(window, qtbot)
    heights = bar_heights(stats.quality_plot)
    with_quality = [a for a in window.session.articles if a.quality is not None]
    assert set(heights) == {"published", "unpublished", "unset"}
    assert sum(map(sum, heights.values())) == len(with_quality)
    assert sum(heights["published"]) == sum(1 for a in with_quality if a.published is True)
    qtbot.keyClick(window.table, Qt.Key_U)  # the queue: unpublished only
    qtbot.waitUntil(lambda: set(bar_heights(stats.quality_plot)) == {"unpublished"}, timeout=3000)
    queue = [a for a in window.model.articles if a.quality is not None]
    assert sum(bar_heights(stats.quality_plot)["unpublished"]) == len(queue)
    assert "To review" in stats.quality_title.text()


def test_saved_decisions_show_up_per_editor_per_day(window, qtbot):
    stats = open_statistics(window, qtbot)
    assert bar_heights(stats.days_plot) == {}
    assert "0 decisions" in stats.days_title.text()
    qtbot.keyClick(window.table, Qt.Key_U)
    for key in (Qt.Key_X, Qt.Key_X, Qt.Key_A):
        qtbot.keyClick(window.table, key)
    qtbot.keyClick(window.table, Qt.Key_S, Qt.ControlModifier)
    stats.show_all(window.model.articles, "x", window.session.articles, sum(window.session.history.values(), []))
    heights = bar_heights(stats.days_plot)
    assert list(heights) == [window.session.editor]
    assert heights[window.session.editor][-1] == 3
    assert sum(heights[window.session.editor]) == 3
    major = stats.days_plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert major[-1] == (len(heights[window.session.editor]) - 1, "today")  # today's bar is named


def test_the_provider_table_sorts_by_number_and_a_click_lists_that_provider(window, qtbot):
    stats = open_statistics(window, qtbot)
    table = stats.table
    providers = {a.provider.name for a in window.session.articles}
    assert table.rowCount() == len(providers)
    articles = [int(table.item(r, 1).text()) for r in range(table.rowCount())]
    assert articles == sorted(articles, reverse=True)
    assert sum(articles) == len(window.session.articles)
    table.sortItems(5, Qt.AscendingOrder)  # mean quality, as numbers (67.5 before 101.2)
    means = [
        float(table.item(r, 5).text().replace(",", "")) for r in range(table.rowCount()) if table.item(r, 5).text()
    ]
    assert means == sorted(means)
    row = 0
    name, count = table.item(row, 0).text(), int(table.item(row, 1).text())
    table.cellClicked.emit(row, 0)
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=3000)
    assert {a.provider.name for a in window.model.articles} == {name}
    assert window.list.current_view_name() == "All"


def test_statistics_closes_with_escape_and_ctrl_w(window, qtbot):
    for key, modifier in ((Qt.Key_Escape, Qt.NoModifier), (Qt.Key_W, Qt.ControlModifier)):
        stats = open_statistics(window, qtbot)
        stats.activateWindow()
        stats.setFocus()
        qtbot.keyClick(stats, key, modifier)
        qtbot.waitUntil(lambda stats=stats: not stats.isVisible())
