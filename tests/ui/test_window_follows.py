"""The window follows every decision and undo: facet counts, the Same story section, the
current row, the Fields tree, the dark palette, the conflict's wording (issue 23, item 5)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog

from tests.ui.test_keys_land import press


def facet_count(window, facet: str, value: str) -> int:
    top = window.list.facets.tops[facet]
    for i in range(top.childCount()):
        child = top.child(i)
        if child.data(0, Qt.ItemDataRole.UserRole) == (facet, value):
            return int(child.text(1).replace(",", ""))
    return 0


def current_article(window):
    return window.model.article(window.table.currentIndex().row())


def test_facet_counts_follow_a_decision_and_its_undo(window, qtbot):
    press(qtbot, "u")
    qtbot.waitUntil(lambda: window.list.current_view_name() == "To review")
    article = current_article(window)
    provider = article.provider.name
    qtbot.waitUntil(lambda: facet_count(window, "Providers", provider) > 0)
    before = facet_count(window, "Providers", provider)
    press(qtbot, "a")  # approved: out of the queue
    qtbot.waitUntil(lambda: facet_count(window, "Providers", provider) == before - 1)
    press(qtbot, "ctrl+z")
    qtbot.waitUntil(lambda: facet_count(window, "Providers", provider) == before)


def test_the_current_row_is_highlighted_and_in_view_after_a_rating_grouping_and_undo(window, qtbot):
    table = window.table

    def in_view() -> bool:
        index = table.currentIndex()
        rect = table.visualRect(index)
        selected = table.selectionModel().isRowSelected(index.row(), index.parent())
        return index.isValid() and selected and table.viewport().rect().intersects(rect)

    press(qtbot, "End")
    article = current_article(window)
    press(qtbot, "7 5 Return")
    qtbot.waitUntil(lambda: article.quality == 75)
    assert current_article(window) is article
    assert in_view()
    window.action_table["group_same"].trigger()  # Ctrl+G: the list is sorted by story
    qtbot.waitUntil(lambda: current_article(window) is article)
    assert in_view()
    press(qtbot, "Home")
    press(qtbot, "ctrl+z")  # the undone rating's article comes back under the cursor
    qtbot.waitUntil(lambda: current_article(window) is article)
    assert in_view()


def test_the_same_story_section_follows_keep_best_and_its_undo(window, qtbot, monkeypatch):
    from reviewer.ui import same_story_ui

    session = window.session
    clustered = next(a for a in session.articles if session.same_as(a))
    window.reveal(clustered)
    qtbot.waitUntil(lambda: window.detail.article is clustered)
    qtbot.waitUntil(lambda: window.detail.same_list.topLevelItemCount() > 0)
    monkeypatch.setattr(same_story_ui.KeepBestDialog, "exec", lambda self: QDialog.DialogCode.Accepted)

    def marks() -> list[str]:
        tree = window.detail.same_list
        return [tree.topLevelItem(i).text(0)[:1] for i in range(tree.topLevelItemCount())]

    before = marks()
    window.stories.keep_best(window.detail.article)
    shown = window.detail.article
    others = session.same_as(shown)
    qtbot.waitUntil(lambda: marks() != before)
    for i, other in enumerate(others):
        tree_item = window.detail.same_list.topLevelItem(i)
        assert tree_item.data(0, Qt.ItemDataRole.UserRole) is other
        assert tree_item.text(0).startswith("✗" if other.published is False else "✓")
    press(qtbot, "ctrl+z")
    qtbot.waitUntil(lambda: marks() == before)


def test_the_fields_tree_shows_the_pending_value_beside_the_one_on_disk(window, qtbot):
    article = current_article(window)
    old = article.quality
    press(qtbot, "+")
    tree = window.detail.fields
    qtbot.waitUntil(lambda: any("→" in tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())))
    row = next(
        tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == "quality"
    )
    assert row.text(1) == f"{old} → {old + 5}"
    assert "not saved yet" in row.toolTip(1).lower()
    press(qtbot, "ctrl+z")
    qtbot.waitUntil(lambda: row.text(1) == str(old) or not row.treeWidget())


def test_the_conflict_is_worded_as_the_dialog_words_it(window, qtbot):
    from reviewer.ui.article_model import Column

    article = current_article(window)
    article.conflict = True
    press(qtbot, "+")
    tip = window.model.index(window.table.currentIndex().row(), Column.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert "Keep mine or Take theirs" in tip
    qtbot.waitUntil(lambda: "Keep mine or Take theirs" in window.detail.state.text())
    assert "Reload" not in window.detail.state.text()
    article.conflict = False


def test_switching_to_dark_restyles_the_whole_window_at_once(window, qtbot):
    from reviewer.ui.application import apply_appearance

    app = QApplication.instance()
    before = app.palette()
    qtbot.waitUntil(lambda: window.list.facets.tops["Providers"].childCount() > 0)
    try:
        apply_appearance("dark")
        dark = app.palette()
        qtbot.waitUntil(
            lambda: window.detail.viewport().palette().color(QPalette.Window) == dark.color(QPalette.Window)
        )
        child = window.list.facets.tops["Providers"].child(0)
        qtbot.waitUntil(
            lambda: child.treeWidget() is None or child.foreground(1).color() == dark.placeholderText().color()
        )
        child = window.list.facets.tops["Providers"].child(0)
        assert child.foreground(1).color() == dark.placeholderText().color()  # the counts, recoloured
        image = window.detail.grab().toImage()
        corner = image.pixelColor(image.width() - 30, image.height() - 30)
        assert corner.lightness() < 100  # the pane's background is dark, not left light
    finally:
        apply_appearance("light")
        app.setPalette(before)
