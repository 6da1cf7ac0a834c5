"""The window as a daily tool: keys act on what is on screen, and the editor sees where they are."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication


def keys(qtbot, widget, *names):
    for name in names:
        key, modifier = name if isinstance(name, tuple) else (name, Qt.NoModifier)
        qtbot.keyClick(widget, key, modifier)


def test_in_the_problems_view_editing_keys_change_nothing_and_enter_shows_the_file(window, qtbot, dialogs):
    window.list.select_view("Problems")
    problems = window.list.problems
    assert QApplication.focusWidget() is problems
    keys(qtbot, problems, Qt.Key_A, Qt.Key_X, Qt.Key_Plus, Qt.Key_P, Qt.Key_BracketRight, Qt.Key_7, Qt.Key_5)
    qtbot.wait(1100)  # past the digit pause
    assert window.session.modified == [] and window.session.undo_stack.count() == 0
    first = window.list.current_problem()
    assert first.relpath in window.detail.title.text() and first.label in window.detail.title.text()
    assert window.detail.editors_box.isHidden() and window.detail.tabs.isHidden()  # no leftover controls
    keys(qtbot, problems, Qt.Key_J)
    assert window.list.current_problem() is not first
    assert window.list.current_problem().relpath in window.detail.title.text()
    dialogs.answer(0)
    keys(qtbot, problems, Qt.Key_Return)
    assert dialogs.shown == [f"ProblemDialog: {window.list.current_problem().relpath}"]


def test_a_malformed_query_lists_nothing_so_nothing_acts_on_stale_rows(window, qtbot):
    line = window.list.query_line()
    line.setFocus()
    qtbot.keyClicks(line, "quality:>")
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert window.list.error.isVisible() and "no articles are listed" in window.list.error.text()
    assert line.property("invalid") is True
    window.focus_list()
    keys(qtbot, window.table, (Qt.Key_A, Qt.ControlModifier), Qt.Key_A)
    assert window.session.modified == []
    line.setFocus()
    qtbot.keyClicks(line, "60")
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert all(a.quality > 60 for a in window.model.articles)
    assert not line.property("invalid") and not window.list.error.isVisible()


def test_enter_opens_the_details_and_only_o_opens_the_browser(window, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    article = window.model.article(0)
    keys(qtbot, window.table, Qt.Key_Return)
    assert opened == [] and QApplication.focusWidget() is window.detail
    assert window.detail.article is article
    keys(qtbot, window.detail, Qt.Key_Escape)
    assert QApplication.focusWidget() is window.table
    keys(qtbot, window.table, Qt.Key_O)
    assert opened == [article.link]


def column_right_edges(window) -> dict:
    from reviewer.ui.article_model import Column

    table = window.table
    header = table.horizontalHeader()
    return {
        column: header.sectionViewportPosition(column) + header.sectionSize(column)
        for column in Column
        if not header.isSectionHidden(column)
    }


def fit_screen(window, qtbot, width, height):
    window.resize(width - 8, height - 32)
    share = 0.62 if width < 1200 else 0.6
    window.splitter.setSizes([int(window.width() * share), window.width() - int(window.width() * share)])
    qtbot.waitUntil(lambda: window.table.viewport().width() > 0)
    QApplication.processEvents()


def test_every_default_column_is_on_screen_and_the_title_gets_the_room(window, qtbot):
    from reviewer.ui.article_model import Column

    for width, height, title_at_least in ((1024, 640, 120), (1400, 900, 300)):
        fit_screen(window, qtbot, width, height)
        edges = column_right_edges(window)
        assert set(edges) == {Column.STATUS, Column.QUALITY, Column.TITLE, Column.PROVIDER, Column.DATE}
        assert max(edges.values()) <= window.table.viewport().width(), (width, edges)
        header = window.table.horizontalHeader()
        assert header.sectionSize(Column.TITLE) >= title_at_least, (width, header.sectionSize(Column.TITLE))
        assert header.sectionSize(Column.STATUS) < 60  # an icon, its word in the tooltip
    status = window.model.index(0, Column.STATUS)
    assert status.data() == "" and status.data(Qt.ToolTipRole) == "published"


def test_the_match_count_shows_in_the_status_bar_and_on_the_views_row(window, qtbot):
    assert window.matches.text() == "58 of 58"
    line = window.list.query_line()
    line.setFocus()
    qtbot.keyClicks(line, "robots")
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() < 58)
    n = window.model.rowCount()
    assert window.matches.text() == f"{n} of 58"
    qtbot.waitUntil(lambda: window.list.views.currentItem().text() == f"All  ({n} of 58)")


def test_a_query_that_is_a_views_query_highlights_that_view(window, qtbot):
    line = window.list.query_line()
    line.setFocus()
    qtbot.keyClicks(line, "published:false")
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.list.current_view_name() == "Unpublished")
    assert window.model.rowCount() == window.session.tally.states[False]


def test_the_shortcuts_overlay_stays_within_a_small_window(window, qtbot):
    from reviewer.ui.dialogs import ShortcutsOverlay

    fit_screen(window, qtbot, 1024, 640)
    keys(qtbot, window.table, Qt.Key_Question)
    overlay = window.central.findChild(ShortcutsOverlay)
    assert overlay.geometry() == window.central.rect()
    scroll = overlay.scroller
    label = overlay.label
    fits = label.height() <= scroll.viewport().height()
    assert fits or scroll.verticalScrollBar().maximum() > 0  # reflowed to fit, or it scrolls: never clipped
    if not fits:
        keys(qtbot, overlay, Qt.Key_PageDown)
        assert overlay.isVisible() and scroll.verticalScrollBar().value() > 0
    keys(qtbot, overlay, Qt.Key_Escape)
    assert not overlay.isVisible()


def test_the_cursor_row_stays_solid_when_the_list_loses_the_focus(window):
    from PySide6.QtGui import QPalette

    palette = window.table.palette()
    for role in (QPalette.Highlight, QPalette.HighlightedText):
        assert palette.color(QPalette.Inactive, role) == palette.color(QPalette.Active, role)


def test_a_finished_queue_says_what_is_left_and_the_way_back(window, qtbot):
    keys(qtbot, window.table, Qt.Key_U, (Qt.Key_A, Qt.ControlModifier))
    n = window.model.rowCount()
    window.settings.batch_threshold = 1000
    keys(qtbot, window.table, Qt.Key_A)
    assert window.model.rowCount() == 0
    text = window.detail.title.text()
    assert f"Queue done: {n} decisions to save (Ctrl+S)." in text and "view:All" in text
    window.detail.title.linkActivated.emit("view:All")
    assert window.list.current_view_name() == "All" and window.model.rowCount() == 58


def test_counts_say_loading_while_the_folder_is_read(window):
    window.session.loading = True
    window.triage.update_status()
    assert window.counts.text() == "To review: loading…" and "0 left" not in window.counts.text()
    window.session.loading = False
    window.triage.update_status()
    assert window.counts.text().startswith("To review: 24 left")


def test_with_no_folder_open_nothing_can_be_saved_or_decided(qtbot, settings):
    from reviewer.app.tasks import SyncRunner
    from reviewer.ui.main_window import MainWindow

    win = MainWindow(settings, runner=SyncRunner(), watch=False)
    qtbot.addWidget(win)
    a = win.action_table
    for name in ("save_all", "approve", "reject", "set_quality", "toggle", "quality_up5", "statistics"):
        assert not a[name].isEnabled(), name
    assert a["open"].isEnabled() and a["preferences"].isEnabled()


def test_tab_moves_between_the_parts_of_the_window(window, qtbot):
    window.list.views.setFocus()
    order = []
    for _ in range(4):
        keys(qtbot, QApplication.focusWidget(), Qt.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order[0] in (window.list.query, window.list.query_line())
    assert order[1] is window.table
    assert order[2] is window.detail or window.detail.isAncestorOf(order[2])
