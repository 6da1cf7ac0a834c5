"""Every key lands where the editor meant: typing stays typing, a nudge stays on its article."""

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
    line = window.list.query_line()
    line.setFocus()
    typed(qtbot, "osaka")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.table.hasFocus())
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.table.hasFocus())
