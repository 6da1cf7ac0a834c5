"""Keyboard triage with real key events sent to the window, checked on disk."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.helpers import changed_lines, key_of


def keys(qtbot, widget, *names):
    for name in names:
        key, modifier = name if isinstance(name, tuple) else (name, Qt.NoModifier)
        qtbot.keyClick(widget, key, modifier)


def snapshot(window) -> dict:
    return {a.path: Path(a.path).read_bytes() for a in window.session.articles}


def changed_files(before: dict) -> dict:
    return {p: changed_lines(b, Path(p).read_bytes()) for p, b in before.items() if Path(p).read_bytes() != b}


def queue_articles(window, n):
    return [window.model.article(r) for r in range(n)]


def test_u_a_a_x_then_save_changes_exactly_the_two_approved_files(window, qtbot):
    before = snapshot(window)
    table = window.table
    keys(qtbot, table, Qt.Key_U)
    assert window.list.current_view_name() == "To review"
    first, second, third = queue_articles(window, 3)
    keys(qtbot, table, Qt.Key_A, Qt.Key_A, Qt.Key_X, (Qt.Key_S, Qt.ControlModifier))
    changed = changed_files(before)
    assert set(changed) == {first.path, second.path}
    for removed, added in changed.values():
        assert [key_of(line) for line in removed] == ["published"]
        assert [line.strip() for line in added] == ["published: true"]
    assert third.published is False
    assert third.path not in changed
    assert window.counts.text() == "To review: 21 left · 2 approved · 1 rejected"


def test_cursor_keeps_its_position_when_an_approved_article_leaves_the_queue(window, qtbot):
    table = window.table
    keys(qtbot, table, Qt.Key_U, Qt.Key_J, Qt.Key_J)
    assert table.currentIndex().row() == 2
    approved, following = window.model.article(2), window.model.article(3)
    keys(qtbot, table, Qt.Key_A)
    qtbot.waitUntil(lambda: window.model.row_of(approved) is None)  # once the cursor has left it
    assert table.currentIndex().row() == 2
    assert window.model.article(2) is following
    assert window.detail.article is following
    assert window.counts.text() == "To review: 23 left · 1 approved · 0 rejected"
    keys(qtbot, table, (Qt.Key_Z, Qt.ControlModifier))
    assert window.model.row_of(approved) == 2
    assert table.currentIndex().row() == 2
    assert window.detail.article is approved
    assert window.counts.text() == "To review: 24 left · 0 approved · 0 rejected"


def test_reject_in_the_all_view_moves_to_the_next_row(window, qtbot):
    table = window.table
    first, second = queue_articles(window, 2)
    keys(qtbot, table, Qt.Key_X)
    assert first.published is False
    assert table.currentIndex().row() == 1
    assert window.detail.article is second


def test_batch_approve_five_with_shift_down_then_save(window, qtbot):
    before = snapshot(window)
    table = window.table
    keys(qtbot, table, Qt.Key_U)
    five = queue_articles(window, 5)
    keys(qtbot, table, *[(Qt.Key_Down, Qt.ShiftModifier)] * 4)
    assert len(table.selectionModel().selectedRows()) == 5
    keys(qtbot, table, Qt.Key_A)
    assert all(a.published is True for a in five)
    assert window.statusBar().currentMessage() == "Approved 5 articles"
    assert window.session.undo_stack.count() == 1
    keys(qtbot, table, (Qt.Key_Z, Qt.ControlModifier))
    assert all(a.published is False and not a.edits for a in five)
    assert [window.model.row_of(a) for a in five] == [0, 1, 2, 3, 4]
    keys(qtbot, table, (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier))
    keys(qtbot, table, (Qt.Key_S, Qt.ControlModifier))
    changed = changed_files(before)
    assert set(changed) == {a.path for a in five}
    assert all([key_of(x) for x in added] == ["published"] for _, added in changed.values())


def test_batch_above_threshold_asks_first(window, qtbot, dialogs, settings):
    settings.batch_threshold = 3
    table = window.table
    keys(qtbot, table, *[(Qt.Key_Down, Qt.ShiftModifier)] * 4)
    dialogs.answer(QMessageBox.Cancel)
    keys(qtbot, table, Qt.Key_A)
    selected = window.table.selected_articles()
    changing = sum(1 for a in selected if a.published is not True)
    assert 0 < changing < 5
    assert dialogs.shown == [
        f"QMessageBox: Approve {changing} articles? ({5 - changing} of the 5 selected are already published)"
    ]
    assert not window.session.modified


def test_digits_set_quality(window, qtbot):
    article = window.detail.article
    keys(qtbot, window.table, Qt.Key_7, Qt.Key_5)
    typing = window.detail.typing  # under the Quality editor it will set, not at the far end of the window
    assert typing.isVisible()
    assert typing.text().startswith("75_")
    editor = window.detail.quality.geometry()
    assert typing.geometry().left() == editor.left()
    assert typing.geometry().top() > editor.bottom()
    keys(qtbot, window.table, Qt.Key_Return)
    assert article.quality == 75
    assert not typing.isVisible()


def test_digits_commit_after_a_pause(window, qtbot):
    article = window.detail.article
    window.triage.digit_pause_ms = 20  # the editor's pause, shortened
    keys(qtbot, window.table, Qt.Key_1, Qt.Key_2, Qt.Key_0)
    assert article.quality != 120  # not before the pause
    qtbot.waitUntil(lambda: article.quality == 120)


def test_plus_and_minus_merge_into_one_undo_step(window, qtbot):
    article = window.detail.article
    start = article.quality or 0
    keys(qtbot, window.table, Qt.Key_Plus, Qt.Key_Plus, Qt.Key_BracketRight, Qt.Key_Minus)
    assert article.quality == start + 6
    assert window.session.undo_stack.count() == 1
    keys(qtbot, window.table, (Qt.Key_Z, Qt.ControlModifier))
    assert not article.edits
    assert article.quality == article.original.get("quality")


def test_p_toggles_without_moving_and_slash_focuses_the_query(window, qtbot):
    article = window.detail.article
    was = article.published
    keys(qtbot, window.table, Qt.Key_P)
    assert article.published is (not bool(was))
    assert window.detail.article is article
    keys(qtbot, window.table, Qt.Key_Slash)
    assert window.list.query.lineEdit().hasFocus()
    qtbot.keyClicks(window.list.query.lineEdit(), "a")  # typing in the query bar is typing, not approving
    assert window.list.query.currentText() == "a"
    assert article.edits.get("published") is (not bool(was))
    keys(qtbot, window.list.query.lineEdit(), Qt.Key_Escape)
    assert window.table.hasFocus()


def test_save_each_decision_preference_writes_at_once(window, qtbot, settings):
    settings.save_each_decision = True
    article = window.detail.article
    keys(qtbot, window.table, Qt.Key_X)
    assert "published: false" in Path(article.path).read_text()
    assert not article.edits


def test_j_k_home_end_move_through_the_view(window, qtbot):
    table, last = window.table, window.model.rowCount() - 1
    keys(qtbot, table, Qt.Key_J, Qt.Key_J, Qt.Key_K)
    assert table.currentIndex().row() == 1
    keys(qtbot, table, Qt.Key_End)
    assert table.currentIndex().row() == last
    assert window.detail.article is window.model.article(last)
    keys(qtbot, table, Qt.Key_Home)
    assert table.currentIndex().row() == 0


def test_question_mark_draws_the_keys_over_the_window_and_any_key_closes_it(window, qtbot):
    from reviewer.ui.dialogs import ShortcutsOverlay

    keys(qtbot, window.table, Qt.Key_Question)
    overlay = window.central.findChild(ShortcutsOverlay)
    assert overlay is not None
    assert overlay.isVisible()
    text = overlay.findChild(type(window.counts)).text()
    assert "Set published: true and move to the next article" in text
    assert "<b>A</b>" in text
    keys(qtbot, overlay, Qt.Key_Escape)
    assert not overlay.isVisible()
    qtbot.waitUntil(lambda: window.table.hasFocus())


def test_rejects_that_change_nothing_last_after_saving_and_reopening(window, qtbot):
    import json

    before = snapshot(window)
    table = window.table
    keys(qtbot, table, Qt.Key_U)
    start = window.session.tally.queue
    first, second = queue_articles(window, 2)
    assert first.published is False
    assert second.published is False
    keys(qtbot, table, Qt.Key_X, Qt.Key_X, (Qt.Key_S, Qt.ControlModifier))
    assert changed_files(before) == {}  # no article file written
    lines = (window.root / ".reviewer" / "decisions.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["path"], r["decision"], r["changes"]) for r in records] == [
        (first.relpath, "reject", {}),
        (second.relpath, "reject", {}),
    ]
    assert window.counts.text() == f"To review: {start - 2} left · 0 approved · 2 rejected"
    window.open_folder(str(window.root))  # tomorrow
    keys(qtbot, window.table, Qt.Key_U)
    assert window.session.tally.queue == start - 2
    assert window.counts.text() == f"To review: {start - 2} left · 0 approved · 0 rejected"
    views = [window.list.views.item(r).text() for r in range(window.list.views.count())]
    assert f"To review  ({start - 2})" in views


def test_saving_approvals_of_published_articles_counts_files_and_decisions_apart(window, qtbot):
    """The first rows hold published articles: their approval is a decision, logged, no file."""
    before = snapshot(window)
    table = window.table
    keys(qtbot, table, *[(Qt.Key_Down, Qt.ShiftModifier)] * 4)
    selected = table.selected_articles()
    changing = [a for a in selected if a.published is not True]
    assert 0 < len(changing) < 5
    keys(qtbot, table, Qt.Key_A)
    with qtbot.waitSignal(window.session.save_finished):
        keys(qtbot, table, (Qt.Key_S, Qt.ControlModifier))
    assert set(changed_files(before)) == {a.path for a in changing}
    message = window.statusBar().currentMessage()
    assert message == f"Saved {len(changing)} file{'s' * (len(changing) != 1)}, logged 5 decisions"


def test_saving_only_decisions_says_they_were_logged(window, qtbot):
    article = window.detail.article
    assert article.published is True  # the first row: approving it changes no file
    before = snapshot(window)
    keys(qtbot, window.table, Qt.Key_A)
    with qtbot.waitSignal(window.session.save_finished):
        keys(qtbot, window.table, (Qt.Key_S, Qt.ControlModifier))
    assert changed_files(before) == {}
    assert window.statusBar().currentMessage() == "Logged 1 decision"


def test_the_panes_counts_of_a_selection_follow_an_approval_and_its_undo(window, qtbot):
    table = window.table
    keys(qtbot, table, *[(Qt.Key_Down, Qt.ShiftModifier)] * 4)
    qtbot.waitUntil(lambda: len(window.detail.articles) == 5)  # the pane follows the selection a moment later
    before = window.detail.meta.text()
    assert "published" in before
    assert not before.startswith("5 published")
    keys(qtbot, table, Qt.Key_A)
    assert window.detail.meta.text().startswith("5 published")
    assert window.detail.published.currentText() == "published"
    keys(qtbot, table, (Qt.Key_Z, Qt.ControlModifier))
    assert window.detail.meta.text() == before


def test_approving_1000_selected_rows_is_one_layout_change_one_undo_step_and_lands_below_them(
    window_on, qtbot, tmp_path
):
    """The issue's case at its size: 1,200 unpublished articles, the first 1,000 of the queue
    selected and approved. Signals counted, counts and cursor checked, undone in one step."""
    folder = tmp_path / "big"
    (folder / "_posts").mkdir(parents=True)
    for i in range(1200):
        text = f"---\ntitle: Story {i:04}\nquality: {i % 150}\npublished: false\n---\nBody {i}\n"
        (folder / "_posts" / f"2024-01-01-story-{i:04}.md").write_text(text)
    window = window_on(folder)
    window.settings.batch_threshold = 10**6  # no confirmation: this test is about the batch itself
    table, model = window.table, window.model
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the keys are the window's shortcuts
    table.setFocus()
    keys(qtbot, table, Qt.Key_U)  # the unpublished queue, as a reviewer works
    assert model.rowCount() == 1200
    queue = queue_articles(window, 1200)
    chosen, rest = queue[:1000], queue[1000:]
    table.select_row(0)
    selection = table.selectionModel()
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    selection.select(
        QItemSelection(model.index(0, 0), model.index(999, model.columnCount() - 1)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )
    assert len(table.selected_articles()) == 1000
    table.setFocus()
    signals = []
    model.layoutChanged.connect(lambda *a: signals.append("layout"))
    model.rowsRemoved.connect(lambda *a: signals.append("removed"))
    model.modelReset.connect(lambda *a: signals.append("reset"))
    keys(qtbot, table, Qt.Key_A)
    assert signals == ["layout"]  # one change of the view: no row removed one at a time, no reset
    assert all(a.published is True for a in chosen)
    assert all(a.published is False for a in rest)
    assert model.rowCount() == 200
    assert window.counts.text().startswith("To review: 200 left · 1,000 approved")
    assert window.statusBar().currentMessage() == "Approved 1,000 articles"
    assert window.session.undo_stack.count() == 1
    assert table.currentIndex().row() == 0
    assert model.article(0) is rest[0]
    keys(qtbot, table, (Qt.Key_Z, Qt.ControlModifier))
    assert all(a.published is False and not a.edits for a in chosen)
    assert model.rowCount() == 1200
    assert window.counts.text().startswith("To review: 1,200 left · 0 approved")
