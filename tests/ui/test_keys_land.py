"""Every key lands where the editor meant: typing stays typing, a nudge stays on its article."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def typed(qtbot, text: str) -> None:
    """Keys as a person types them: each to whatever has the focus when it is pressed. (The
    words here start as no query field does, so no completion list opens.)"""
    for char in text:
        qtbot.keyClicks(QApplication.focusWidget(), char)


def test_typing_a_search_with_pauses_changes_no_article(window, qtbot):
    line = window.list.query_line()
    line.setFocus()
    qtbot.waitUntil(line.hasFocus)
    typed(qtbot, "osaka")
    qtbot.wait(600)  # longer than the query's pause: the list is filtered meanwhile
    assert 0 < window.model.rowCount() < len(window.session.articles)
    typed(qtbot, " a")
    qtbot.wait(600)
    typed(qtbot, " x")
    qtbot.wait(600)
    typed(qtbot, " j 7")
    qtbot.wait(1200)  # past the digits' pause too
    assert window.session.modified == []
    assert line.text() == "osaka a x j 7"
    assert QApplication.focusWidget() in (line, window.list.query)


def test_escape_and_enter_go_back_to_the_list(window, qtbot):
    """Sent where a key goes: to the widget with the focus (the query box, not its line)."""
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert QApplication.focusWidget() in (window.list.query, window.list.query_line())
    typed(qtbot, "osaka")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.table.hasFocus())
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    typed(qtbot, " lab")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.table.hasFocus())


def test_in_the_queue_nudges_and_a_rating_stay_on_the_article_they_were_pressed_on(window, qtbot):
    """The issue's black-box check: `u j j + + -` then `j 7 5 Enter +` then Ctrl+S changes
    exactly two files, one +5 and one set to 80. Before, the first nudge took its article out
    of the queue and the next key acted on the row that moved up: five files changed."""
    from tests.ui.test_triage import changed_files, snapshot

    before = snapshot(window)
    table = window.table
    press(qtbot, "u j j")
    first = window.model.article(table.currentIndex().row())
    start = first.quality or 0
    press(qtbot, "+ + -")
    assert window.model.article(table.currentIndex().row()) is first  # still under the cursor, marked
    assert window.model.lingering(first)
    press(qtbot, "j")
    qtbot.waitUntil(lambda: window.model.row_of(first) is None)  # the cursor left it: it goes
    second = window.model.article(table.currentIndex().row())
    press(qtbot, "7 5 Return +")
    press(qtbot, "ctrl+s")
    qtbot.waitUntil(lambda: not window.session.saving and not window.session.modified)
    changed = changed_files(before)
    assert set(changed) == {first.path, second.path}
    assert f"quality: {start + 5}" in Path(first.path).read_text()
    assert "quality: 80\n" in Path(second.path).read_text()


KEYS = {
    "+": (Qt.Key.Key_Plus, Qt.KeyboardModifier.NoModifier),
    "-": (Qt.Key.Key_Minus, Qt.KeyboardModifier.NoModifier),
    "Return": (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
    "ctrl+s": (Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier),
    "ctrl+z": (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    "End": (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier),
    "Home": (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier),
}


def press(qtbot, keys: str) -> None:
    """Keys by name, each to the widget with the focus: letters, digits, + -, Return, ctrl+s."""
    for name in keys.split():
        key, modifier = KEYS.get(name) or (getattr(Qt.Key, f"Key_{name.upper()}"), Qt.KeyboardModifier.NoModifier)
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_edit_undo_and_redo_name_the_action(window, qtbot):
    press(qtbot, "a")
    undo, redo = window.action_table["undo"], window.action_table["redo"]
    assert undo.text().startswith("&Undo Approved ")
    assert undo.iconText() == "Undo"  # the toolbar stays short
    press(qtbot, "ctrl+z")
    assert redo.text().startswith("&Redo Approved ")
    assert undo.text() == "&Undo"


def test_decisions_are_disabled_where_they_have_no_article_to_land_on(window, qtbot):
    approve = window.action_table["approve"]
    qtbot.waitUntil(approve.isEnabled)
    window.list.select_view("Problems")
    qtbot.waitUntil(lambda: not approve.isEnabled())
    window.list.select_view("All")
    qtbot.waitUntil(approve.isEnabled)
    window.list.query.setCurrentText("quality:>=")  # an error: no article listed
    window.list.apply_query()
    qtbot.waitUntil(lambda: not approve.isEnabled())
    assert not window.action_table["set_quality"].isEnabled()
    window.list.query.setCurrentText("title:zzzzzz")  # valid, and nothing matches
    window.list.apply_query()
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    qtbot.waitUntil(lambda: not approve.isEnabled())


def test_with_no_folder_the_saved_view_actions_are_disabled(qtbot, settings):
    from reviewer.app.tasks import SyncRunner
    from reviewer.ui.main_window import MainWindow

    window = MainWindow(settings, runner=SyncRunner(), watch=False)
    qtbot.addWidget(window)
    assert window.view_actions
    assert not any(action.isEnabled() for action in window.view_actions)
    assert not window.action_table["approve"].isEnabled()
