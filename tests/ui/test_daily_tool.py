"""The window as a daily tool: keys act on what is on screen, and the editor sees where they are."""

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from tests.ui.test_article_model import LaterSlicer


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
    assert window.session.modified == []
    assert window.session.undo_stack.count() == 0
    first = window.list.current_problem()
    assert first.relpath in window.detail.title.text()
    assert first.label in window.detail.title.text()
    assert window.detail.editors_box.isHidden()
    assert window.detail.tabs.isHidden()
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
    assert window.list.error.isVisible()
    assert "no articles are listed" in window.list.error.text()
    assert line.property("invalid") is True
    window.focus_list()
    keys(qtbot, window.table, (Qt.Key_A, Qt.ControlModifier), Qt.Key_A)
    assert window.session.modified == []
    line.setFocus()
    qtbot.keyClicks(line, "60")
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    assert all(a.quality > 60 for a in window.model.articles)
    assert not line.property("invalid")
    assert not window.list.error.isVisible()


def test_enter_opens_the_details_and_only_o_opens_the_browser(window, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    article = window.model.article(0)
    keys(qtbot, window.table, Qt.Key_Return)
    assert opened == []
    assert QApplication.focusWidget() is window.detail
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
    from reviewer.ui.window_state import default_split

    window.splitter.setSizes(default_split(window.width()))
    qtbot.waitUntil(lambda: window.table.viewport().width() > 0)
    QApplication.processEvents()


def test_every_default_column_is_on_screen_and_the_title_gets_the_room(window, qtbot):
    from reviewer.ui.article_model import Column

    for width, height, title_at_least in ((1024, 640, 165), (1400, 900, 300)):
        fit_screen(window, qtbot, width, height)
        edges = column_right_edges(window)
        assert set(edges) == {Column.STATUS, Column.QUALITY, Column.TITLE, Column.PROVIDER, Column.DATE}
        assert max(edges.values()) <= window.table.viewport().width(), (width, edges)
        header = window.table.horizontalHeader()
        assert header.sectionSize(Column.TITLE) >= title_at_least, (width, header.sectionSize(Column.TITLE))
        assert header.sectionSize(Column.STATUS) < 60  # an icon, its word in the tooltip
    status = window.model.index(0, Column.STATUS)
    assert status.data() == ""
    assert status.data(Qt.ToolTipRole) == "published"


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


def test_the_shortcuts_overlay_fits_1024x640_and_scrolls_in_a_smaller_window(window, qtbot):
    from reviewer.ui.dialogs import ShortcutsOverlay

    fit_screen(window, qtbot, 1024, 640)
    keys(qtbot, window.table, Qt.Key_Question)
    overlay = window.central.findChild(ShortcutsOverlay)
    assert overlay.geometry() == window.central.rect()
    scroll, label = overlay.scroller, overlay.label
    assert label.height() <= scroll.viewport().height()  # every key in view, in columns
    assert label.width() <= scroll.viewport().width()
    assert scroll.verticalScrollBar().maximum() == 0
    keys(qtbot, overlay, Qt.Key_Escape)
    assert not overlay.isVisible()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # the closed overlay goes
    window.resize(640, 400)
    qtbot.waitUntil(lambda: window.central.height() < 360)
    keys(qtbot, window.table, Qt.Key_Question)
    overlay = window.central.findChild(ShortcutsOverlay)  # a new one: a closed overlay is gone
    scroll = overlay.scroller
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)  # too small for any columns: it scrolls
    keys(qtbot, overlay, Qt.Key_PageDown)
    assert overlay.isVisible()
    assert scroll.verticalScrollBar().value() > 0
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
    assert f"Queue done: {n} decisions to save (Ctrl+S)." in text
    assert "view:All" in text
    window.detail.title.linkActivated.emit("view:All")
    assert window.list.current_view_name() == "All"
    assert window.model.rowCount() == 58


def test_counts_say_loading_while_the_folder_is_read(window):
    window.session.loading = True
    window.triage.update_status()
    assert window.counts.text() == "To review: loading…"
    assert "0 left" not in window.counts.text()
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
    assert a["open"].isEnabled()
    assert a["preferences"].isEnabled()


def test_tab_moves_between_the_parts_of_the_window(window, qtbot):
    window.list.views.setFocus()
    order = []
    for _ in range(4):
        keys(qtbot, QApplication.focusWidget(), Qt.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order[0] in (window.list.query, window.list.query_line())
    assert order[1] is window.table
    assert order[2] is window.detail or window.detail.isAncestorOf(order[2])
    # and back: Shift+Tab from the list goes to the query bar, from there to the views
    window.table.setFocus()
    keys(qtbot, window.table, (Qt.Key_Backtab, Qt.ShiftModifier))
    assert QApplication.focusWidget() in (window.list.query, window.list.query_line())
    keys(qtbot, QApplication.focusWidget(), (Qt.Key_Backtab, Qt.ShiftModifier))
    assert QApplication.focusWidget() is window.list.views


def select_rows(qtbot, window, n):
    window.table.select_row(0)
    keys(qtbot, window.table, *[(Qt.Key_Down, Qt.ShiftModifier)] * (n - 1))
    qtbot.waitUntil(lambda: len(window.detail.articles) == n)


def test_several_selected_show_mixed_values_and_the_pane_sets_all_of_them(window, qtbot):
    from reviewer.ui.detail_pane import MIXED

    select_rows(qtbot, window, 6)
    chosen = window.table.selected_articles()
    assert len(chosen) == 6
    assert window.detail.title.text() == "6 selected"
    assert {a.published for a in chosen} != {True}
    assert len({a.quality for a in chosen}) > 1
    assert window.detail.published.currentText() == MIXED
    assert window.detail.quality.text() == MIXED
    assert window.detail.images_box.isHidden()
    assert window.detail.tabs.isHidden()
    window.detail.published.activated.emit(0)  # published, for all six
    assert all(a.published is True for a in chosen)
    assert window.detail.published.currentText() == "published"
    window.detail.quality.setValue(70)
    assert {a.quality for a in chosen} == {70}
    assert window.detail.quality.text() == "70"
    assert window.session.undo_stack.count() == 2  # one step each
    keys(qtbot, window.table, (Qt.Key_Z, Qt.ControlModifier), (Qt.Key_Z, Qt.ControlModifier))
    assert not any(a.edits for a in chosen)


def test_q_starts_from_the_common_value_or_empty(window, qtbot, monkeypatch):
    from reviewer.ui.dialogs import QualityDialog

    seen = []

    def answer(dialog):
        seen.append((dialog.edit.text(), dialog.edit.placeholderText()))
        dialog.edit.setText("42")
        return 1

    monkeypatch.setattr(QualityDialog, "exec", answer)
    select_rows(qtbot, window, 4)
    chosen = window.table.selected_articles()
    low, high = min(a.quality for a in chosen), max(a.quality for a in chosen)
    keys(qtbot, window.table, Qt.Key_Q)
    assert seen[0] == ("", f"mixed: {low}–{high}")
    assert {a.quality for a in chosen} == {42}
    keys(qtbot, window.table, Qt.Key_Q)
    assert seen[1][0] == "42"


def test_a_batch_confirmation_counts_what_changes_and_defaults_to_cancel(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def look(box):
        asked.append(
            (box.text(), box.button(QMessageBox.Yes).text(), box.defaultButton() is box.button(QMessageBox.Cancel))
        )
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "exec", look)
    window.settings.batch_threshold = 3
    select_rows(qtbot, window, 8)
    chosen = window.table.selected_articles()
    n = sum(1 for a in chosen if a.published is not True)
    keys(qtbot, window.table, Qt.Key_A)
    assert asked == [(f"Approve {n} articles? ({8 - n} of the 8 selected are already published)", f"Approve {n}", True)]
    assert all(a.published is True for a in chosen)


def test_conflicts_are_chosen_file_by_file_and_enter_cancels(window, monkeypatch):
    from pathlib import Path

    from reviewer.ui.dialogs import ConflictDialog

    first, second = window.model.article(0), window.model.article(1)
    window.table.select_row(0)
    window.triage.set_quality(11)
    window.table.select_row(1)
    window.triage.set_quality(22)
    one, two = Path(first.path), Path(second.path)
    one.write_text(one.read_text().replace(f"quality: {first.original['quality']}", "quality: 99"))  # my key
    two.write_text(two.read_text().replace("category: news", "category: theirs"))  # another key
    seen = []

    def apply(dialog):
        seen.append([(a.relpath, c) for a, c in dialog.choices()])
        seen.append(dialog.cancel_button.isDefault())
        titles = [dialog.tree.topLevelItem(i).text(0) for i in range(2)]
        seen.append(titles)
        return 1

    monkeypatch.setattr(ConflictDialog, "exec", apply)
    window.action_table["save_all"].trigger()
    assert seen[0] == [(first.relpath, "theirs"), (second.relpath, "mine")]
    assert seen[1] is True
    assert seen[2][0].startswith(first.title)
    assert first.relpath in seen[2][0]
    assert first.quality == 99
    assert not first.edits
    assert "quality: 22" in two.read_text()
    assert "category: theirs" in two.read_text()


def facet_rows(window, facet) -> dict[str, int]:
    top = window.list.facets.tops[facet]
    return {
        top.child(i).data(0, Qt.UserRole)[1]: int(top.child(i).text(1).replace(",", ""))
        for i in range(top.childCount())
        if top.child(i).data(0, Qt.UserRole)
    }


def click_facet(qtbot, window, facet, value, modifier=Qt.NoModifier):
    tree = window.list.facets
    top = tree.tops[facet]
    top.setExpanded(True)
    item = next(
        top.child(i) for i in range(top.childCount()) if (top.child(i).data(0, Qt.UserRole) or ("", ""))[1] == value
    )
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, modifier, tree.visualItemRect(item).center())


def test_facets_count_the_view_and_a_click_filters_by_them(window, qtbot):
    qtbot.waitUntil(lambda: sum(facet_rows(window, "Providers").values()) == 58)
    from collections import Counter

    from reviewer.core.facets import term

    providers = facet_rows(window, "Providers")
    assert providers == Counter(a.provider.name for a in window.session.articles)
    name, count = max(providers.items(), key=lambda kv: kv[1])
    click_facet(qtbot, window, "Providers", name)
    qtbot.waitUntil(lambda: window.model.rowCount() == count)
    assert window.list.query.currentText() == term("Providers", name)
    qtbot.waitUntil(lambda: facet_rows(window, "Providers") == {name: count})  # the counts follow the view
    click_facet(qtbot, window, "Providers", name)  # again: the term goes
    qtbot.waitUntil(lambda: window.model.rowCount() == 58)
    assert window.list.query.currentText() == ""
    click_facet(qtbot, window, "Providers", name, Qt.ControlModifier)  # Ctrl: leave them out
    qtbot.waitUntil(lambda: window.model.rowCount() == 58 - count)
    assert window.list.query.currentText() == term("Providers", name, exclude=True)
    assert name not in {a.provider.name for a in window.model.articles}


def test_while_a_folder_is_read_facets_are_counted_as_its_rows_double_and_in_full_at_the_end(
    window, qtbot, monkeypatch
):
    from collections import Counter

    import reviewer.ui.list_panel as list_panel

    real, counted = list_panel.counting, []

    def counting(rows):
        counted.append(len(rows))
        return real(rows)

    monkeypatch.setattr(list_panel, "counting", counting)
    session, articles = window.session, list(window.session.articles)
    session.loading = True  # the folder read again: its articles come in batches
    session.loading_started.emit()
    for start in range(0, len(articles), 5):
        batch = articles[start : start + 5]
        session.batch_loaded.emit(batch)
        shown = start + len(batch)
        qtbot.waitUntil(lambda n=shown: window.model.rowCount() == n)
        window.list._count_facets()  # a pause between two batches: the facets' timer runs out
    during = list(counted)
    assert len(during) < len(range(0, len(articles), 5))  # not at every pause
    assert all(later >= 2 * earlier for earlier, later in zip(during, during[1:], strict=False))  # as the rows double
    assert during[-1] >= len(articles) // 2
    session.loading = False
    session.loading_finished.emit()
    qtbot.waitUntil(lambda: sum(facet_rows(window, "Providers").values()) == 58)
    assert counted[-1] == 58
    assert facet_rows(window, "Providers") == Counter(a.provider.name for a in articles)

    session.loading = True  # a query typed while a folder is read is counted at once
    counted.clear()
    line = window.list.query_line()
    line.setFocus()
    qtbot.keyClicks(line, "quality:>60")
    keys(qtbot, line, Qt.Key_Return)
    shown = [a for a in articles if (a.quality or 0) > 60]
    qtbot.waitUntil(lambda: window.model.rowCount() == len(shown))
    qtbot.waitUntil(lambda: sum(facet_rows(window, "Providers").values()) == len(shown))
    assert counted == [len(shown)]
    session.loading = False


def test_the_loading_thread_waits_while_the_first_article_is_shown_then_goes_on_once(window, qtbot):
    session, articles = window.session, list(window.session.articles)
    events: list = []

    class Loading:  # the loading thread's context, as Session.open keeps it
        def hold(self):
            events.append("held")
            return lambda: events.append(("goes on", window.detail.article))

        def cancel(self):
            pass

    session._load_context = Loading()
    session.loading = True
    session.loading_started.emit()
    assert window.model.rowCount() == 0
    assert not window.table.currentIndex().isValid()
    session.batch_loaded.emit(articles[:5])
    assert events == ["held"]  # with the first rows, before the first article is shown
    qtbot.waitUntil(lambda: len(events) == 2)
    assert events[1] == ("goes on", window.model.article(0))  # once it is in the pane
    session.batch_loaded.emit(articles[5:])
    qtbot.waitUntil(lambda: window.model.rowCount() == len(articles))
    session.loading = False
    session._load_context = None
    session.loading_finished.emit()
    assert len(events) == 2  # held once, let go once


def test_facet_counts_follow_the_queue(window, qtbot):
    keys(qtbot, window.table, Qt.Key_U)
    qtbot.waitUntil(lambda: sum(facet_rows(window, "Years").values()) == window.model.rowCount())
    years = facet_rows(window, "Years")
    assert list(years) == sorted(years, reverse=True)
    assert years == {y: sum(1 for a in window.model.articles if a.date[:4] == y) for y in years}


def test_the_query_bar_completes_fields_then_the_folders_values(window, qtbot):
    line = window.list.query_line()
    assist = window.list.assist
    line.setFocus()
    qtbot.keyClicks(line, "open-source prov")
    popup = assist.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    offered = [assist.completer.completionModel().index(r, 0).data() for r in range(assist.completer.completionCount())]
    assert offered == ["provider.name:", "provider.domain:"]
    assist.insert("provider.name:")
    assert line.text() == "open-source provider.name:"
    qtbot.waitUntil(popup.isVisible)
    providers = {a.provider.name for a in window.session.articles}
    offered = {assist.completer.completionModel().index(r, 0).data() for r in range(assist.completer.completionCount())}
    assert offered == providers
    qtbot.keyClicks(line, "Bri")
    name = next(p for p in providers if p.startswith("Bri"))
    assert assist.completer.currentCompletion() == name
    assist.insert(name)
    assert line.text() == f'open-source provider.name:="{name}"'
    keys(qtbot, line, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and all(a.provider.name == name for a in window.model.articles))


def test_help_shows_the_query_language_the_readme_documents(window, dialogs):
    from pathlib import Path

    from reviewer.core.query import HELP

    dialogs.answer(0)
    window.action_table["query_help"].trigger()
    assert dialogs.shown == ["QueryHelp: Query Language"]
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for examples, meaning in HELP:  # one table, two places
        assert f"| {', '.join(f'`{x}`' for x in examples.split(', '))} | {meaning} |" in readme


def gallery(window, qtbot, n_local=4, remote=True):
    """An article with local photos (and one remote image, which tests never fetch)."""
    images = "".join(
        f"  - url: /assets/images/articles/photo-{i}.jpg\n    width: 1200\n    height: 675\n"
        for i in range(1, n_local + 1)
    )
    if remote:
        images += "  - url: https://images.example.test/missing.jpg\n"
    article = shown_with_images(window, qtbot, "Gallery", images)
    qtbot.waitUntil(lambda: len(visible_thumbs(window)) == n_local)
    return article


def shown_with_images(window, qtbot, title: str, images: str):
    """A new article `title` whose `images:` list is `images` (YAML lines), shown in the pane."""
    path = window.root / "_news" / f"2099-01-01-{title.lower()}.md"
    path.write_text(f"---\ntitle: {title}\npublishedDateTime: 2099-01-01T00:00:00Z\nimages:\n{images}---\nBody\n")
    window.session.check_disk()
    article = next(a for a in window.session.articles if a.title == title)
    window.reveal(article)
    qtbot.waitUntil(lambda: window.detail.article is article)
    return article


def visible_thumbs(window):
    from reviewer.ui.detail_pane import ImageButton

    return [b for b in window.detail.images_box.findChildren(ImageButton) if b.isVisible()]


def test_an_image_that_cannot_be_loaded_is_one_line_with_its_address(window, qtbot):
    from reviewer.ui.detail_pane import ImageButton

    gallery(window, qtbot)
    pane = window.detail
    qtbot.waitUntil(lambda: pane.unavailable.isVisible())
    assert pane.unavailable.text().startswith("⚠ image unavailable: ")
    assert "https://images.example.test/missing.jpg" in pane.unavailable.text()  # the address, as a link
    buttons = [b for b in pane.images_box.findChildren(ImageButton) if b.isVisible()]
    assert len(buttons) == 4
    assert all("missing.jpg" not in b.toolTip() for b in buttons)


def test_thumbnails_fit_the_pane(window, qtbot):
    from reviewer.ui.detail_pane import THUMB, ImageButton

    fit_screen(window, qtbot, 1024, 640)
    gallery(window, qtbot, remote=False)
    pane = window.detail
    buttons = [b for b in pane.images_box.findChildren(ImageButton) if b.isVisible()]
    right = max(b.mapTo(pane.viewport(), b.rect().bottomRight()).x() for b in buttons)
    assert right <= pane.viewport().width()
    assert buttons[0].iconSize().width() < THUMB  # four would not fit at full size
    fit_screen(window, qtbot, 1400, 900)
    QApplication.processEvents()
    assert buttons[0].iconSize().width() > 100


def test_the_large_view_goes_through_the_articles_images_and_esc_closes_it(window, qtbot, monkeypatch):
    from reviewer.ui.detail_pane import ImageButton, ImageDialog

    gallery(window, qtbot, n_local=3, remote=False)
    seen = []

    def browse(dialog):
        qtbot.waitUntil(lambda: dialog.image is not None)
        seen.append(dialog.windowTitle())
        keys(qtbot, dialog, Qt.Key_Right)
        seen.append(dialog.windowTitle())
        keys(qtbot, dialog, Qt.Key_Left, Qt.Key_Left)
        seen.append(dialog.windowTitle())
        qtbot.waitUntil(lambda: dialog.image is not None)
        pixmap = dialog.label.pixmap()
        seen.append(pixmap.width() <= dialog.label.width() and pixmap.height() <= dialog.label.height())
        keys(qtbot, dialog, Qt.Key_Escape)
        seen.append(dialog.isVisible())
        return 0

    monkeypatch.setattr(ImageDialog, "exec", browse)
    buttons = [b for b in window.detail.images_box.findChildren(ImageButton) if b.isVisible()]
    buttons[0].click()
    assert seen[0].startswith("1 of 3")
    assert seen[1].startswith("2 of 3")
    assert seen[2].startswith("3 of 3")
    assert seen[3] is True  # scaled to the window
    assert seen[4] is False


def test_a_dark_appearance_is_a_preference(window, settings, monkeypatch):
    from PySide6.QtGui import QPalette

    from reviewer.ui.application import apply_appearance
    from reviewer.ui.dialogs import PreferencesDialog

    app = QApplication.instance()
    before = app.palette()
    try:
        dialog = PreferencesDialog(settings, window.action_table)
        dialog.fields["appearance"].setCurrentIndex(dialog.fields["appearance"].findData("dark"))
        dialog.apply(window.action_table)
        assert settings.appearance == "dark"
        assert app.palette().color(QPalette.Window).lightness() < 80
        assert app.palette().color(QPalette.WindowText).lightness() > 180
    finally:
        apply_appearance("light")
        app.setPalette(before)


def test_two_addresses_of_one_file_make_one_thumbnail_that_loads(window, qtbot):
    from reviewer.ui.detail_pane import ImageButton

    images = (
        "  - url: /assets/images/articles/photo-1.jpg\n"
        "  - url: ../assets/images/articles/photo-1.jpg\n"  # the same file, from _news/
        "  - url: /assets/images/articles/photo-2.jpg\n"
    )
    shown_with_images(window, qtbot, "Twice", images)
    qtbot.waitUntil(lambda: len(visible_thumbs(window)) >= 2)
    qtbot.wait(50)
    buttons = visible_thumbs(window)
    assert len(buttons) == 2
    assert isinstance(buttons[0], ImageButton)
    qtbot.waitUntil(lambda: all(not b.icon().isNull() for b in buttons))
    assert not any(b.text().startswith("Loading") for b in buttons)


@pytest.mark.parametrize("steps", [False, True], ids=["sorted at once", "sorted in steps"])
@pytest.mark.parametrize("moved", [False, True], ids=["first row", "moved by the editor"])
def test_after_the_sort_that_ends_a_load_the_current_article_is_the_one_in_sight(window, qtbot, moved, steps):
    """Rows come in the order of their paths and are sorted once the folder is read (a large
    folder's in steps, after the load has ended). Then the current article is the sorted
    list's first, or the one the editor went to meanwhile, which the list scrolls to; the
    pane shows it either way."""
    session, model = window.session, window.model
    later = LaterSlicer()
    if steps:
        model._slicer, model._at_once = later, 0
    articles = sorted(session.articles, key=lambda a: a.relpath)
    session.loading = True
    session.loading_started.emit()
    session.batch_loaded.emit(articles)
    qtbot.waitUntil(lambda: window.detail.article is articles[0])
    oldest = min(articles[1:], key=lambda a: a.date)  # not the first row, which was shown by itself
    if moved:
        window.table.select_row(model.row_of(oldest))
    session.loading = False
    session.loading_finished.emit()
    if steps:
        assert model.article(0) is articles[0]  # not sorted yet
        later.run_all()
    newest = max(articles, key=lambda a: a.date)
    qtbot.waitUntil(lambda: model.article(0) is newest)  # sorted by date, newest first
    qtbot.waitUntil(lambda: window.detail.article is (oldest if moved else newest))
    current = window.table.currentIndex()
    assert model.article(current.row()) is window.detail.article
    assert window.table.viewport().rect().intersects(window.table.visualRect(current))
    assert current.row() > 30 if moved else current.row() == 0
