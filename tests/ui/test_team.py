"""The window's git: status, marks, commit, sync, incoming decisions and a conflict chosen per key."""

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from reviewer.core.git import Git, sync
from reviewer.ui.article_model import Column
from reviewer.ui.team_ui import SyncConflictDialog
from tests.core.test_git import decide, git_run


@pytest.fixture
def editor(window_on, team):
    return window_on(team("ana"))


def row_of(win, relpath):
    return next(r for r in range(win.model.rowCount()) if win.model.article(r).relpath == relpath)


def mark(win, relpath):
    return win.model.data(win.model.index(row_of(win, relpath), Column.STATUS))


def select(win, relpath):
    win.table.select_row(row_of(win, relpath))


def test_the_status_bar_shows_the_branch_and_saved_files_are_marked_until_pushed(editor, team):
    label = editor.team_controls.label
    assert label.isVisible()
    assert label.text().startswith("main ↑0 ↓0")
    assert editor.action_table["sync"].isEnabled()
    select(editor, "_news/a1.md")
    editor.action_table["approve"].trigger()
    assert mark(editor, "_news/a1.md") == "✓*"  # approved, unsaved
    editor.save(None)
    assert mark(editor, "_news/a1.md") == "✓+"  # saved, not committed
    editor.action_table["commit"].trigger()
    assert mark(editor, "_news/a1.md") == "✓↑"  # committed, not pushed
    assert label.text().startswith("main ↑1 ↓0")
    editor.action_table["sync"].trigger()
    assert mark(editor, "_news/a1.md") == "✓"  # the decision stays, as the log says
    assert label.text().startswith("main ↑0 ↓0")
    assert "published: true" in git_run(team.origin, "show", "main:_news/a1.md")
    message = git_run(team.origin, "log", "-1", "--format=%B", "main")
    assert message.startswith("Review: 1 approved")
    assert "Decision: approve _news/a1.md" in message


def test_sync_asks_to_save_unsaved_edits_first(editor, team, dialogs):
    select(editor, "_news/a2.md")
    editor.action_table["reject"].trigger()
    dialogs.answer(QMessageBox.StandardButton.Save)
    editor.action_table["sync"].trigger()
    assert "Save them and sync" in dialogs.shown[-1]
    assert not editor.session.modified
    assert len(git_run(team.origin, "show", "main:.reviewer/decisions.jsonl").splitlines()) == 1


def test_a_sync_brings_other_editors_decisions_into_the_list_and_the_queue(editor, team):
    ben = team("ben")
    decide(ben, 3, "ben", "approve", published=True, quality=77)
    sync(Git(str(ben)), "ben")
    article = editor.model.article(row_of(editor, "_news/a3.md"))
    assert article.published is False
    assert article.logged is None
    editor.action_table["sync"].trigger()
    assert article.published is True
    assert article.quality == 77
    assert article.logged is not None
    assert article.logged[:2] == ("approve", "ben")
    assert [d.editor for d in editor.session.history["_news/a3.md"]] == ["ben"]


def test_a_conflict_is_chosen_per_key_and_the_sync_goes_on(editor, team, monkeypatch):
    ben = team("ben")
    decide(ben, 4, "ben", "quality", quality=20)
    sync(Git(str(ben)), "ben")
    select(editor, "_news/a4.md")
    editor.session.set_quality([editor.model.article(row_of(editor, "_news/a4.md"))], 90, "quality")
    editor.save(None)
    seen = []

    def choose_theirs(dialog):
        seen.append([(c.path, c.key, c.ours, c.theirs) for c in dialog.conflicts])
        dialog.choose(0, False)  # as the key 2 does
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SyncConflictDialog, "exec", choose_theirs)
    editor.action_table["sync"].trigger()
    assert seen == [[("_news/a4.md", "quality", "quality: 90\n", "quality: 20\n")]]
    assert "quality: 20" in git_run(team.origin, "show", "main:_news/a4.md")
    assert editor.model.article(row_of(editor, "_news/a4.md")).quality == 20
    logged = git_run(team.origin, "show", "main:.reviewer/decisions.jsonl").splitlines()
    assert len(logged) == 3  # ben's, ana's, and ana's choice of ben's value: the log agrees with the file
    assert json.loads(logged[-1])["changes"] == {"quality": [90, 20]}


def test_the_conflict_dialog_keys_choose_a_side_and_move_on(qtbot):
    from reviewer.core.git import SyncConflict
    from reviewer.core.merge import KeyConflict

    conflict = SyncConflict(
        [
            KeyConflict("a.md", "quality", "quality: 5\n", "quality: 9\n", "quality: 1\n"),
            KeyConflict("a.md", "published", "published: false\n", "published: true\n", ""),
        ]  # fmt: skip
    )
    dialog = SyncConflictDialog(conflict)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.item(0, 3).text() == "✓ 9"
    assert dialog.table.item(1, 4).text() == "(absent)"
    qtbot.keyClick(dialog.table, Qt.Key.Key_2)
    assert dialog.table.currentRow() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_1)
    assert dialog.keep_mine() == {("a.md", "quality"): False, ("a.md", "published"): True}
    assert dialog.table.item(0, 4).text() == "✓ 1"


def test_a_folder_that_is_not_a_repository_has_no_git_in_the_window(window):
    assert not window.team_controls.label.isVisible()
    assert not window.action_table["sync"].isEnabled()
    assert not window.action_table["commit"].isEnabled()


def test_the_status_bar_says_what_a_sync_would_bring_and_who_pushed(editor, team, qtbot):
    ben = team("ben")
    decide(ben, 0, "ben", "approve", published=True)
    decide(ben, 1, "ben", "reject", published=False, quality=1)
    sync(Git(str(ben)), "ben")
    editor.team.check_incoming("ana")
    text = editor.team_controls.label.text()
    assert "main ↑0 ↓1" in text
    assert "1 incoming, 0 conflicts" in text
    assert "fetched just now, never synced" in text  # a look at what is coming is not a sync
    assert "ben pushed 2 decisions" in text
    editor.action_table["sync"].trigger()
    qtbot.waitUntil(lambda: "synced just now" in editor.team_controls.label.text())


def test_the_status_bar_says_synced_only_after_a_sync_that_finished(team):
    from reviewer.app.team import _read_status

    ana = team("ana")
    git = Git(str(ana))
    assert "never synced" in _read_status(git, "ana").summary()
    git.run("fetch", "--quiet")
    assert "fetched just now, never synced" in _read_status(git, "ana").summary()
    sync(git, "ana")
    found = _read_status(git, "ana")
    assert found.synced is not None
    assert "synced just now" in found.summary()
    assert found.summary(now=found.synced + 600).endswith("synced 10 min ago")


def test_a_folder_inside_another_repository_gets_no_git_in_the_window(window_on, team):
    clone = team("ana")
    inner = clone / "_news"
    win = window_on(inner)
    assert not win.team_controls.label.isVisible()
    assert not win.action_table["sync"].isEnabled()
    assert not (clone / ".git" / "info" / "attributes").exists()  # nothing registered there either


def test_opening_a_folder_and_its_background_fetch_run_none_of_the_repositorys_programs(window_on, team, tmp_path):
    from tests.core.test_git_guard import both_change, plant_traps

    ana = team("ana")
    both_change(team, ana)
    marks = plant_traps(ana, tmp_path)
    win = window_on(ana)
    assert win.team_controls.label.text().startswith("main")
    win.team.check_incoming("ana")
    assert "1 incoming" in win.team_controls.label.text()
    assert list(marks.iterdir()) == []


def test_uncommitted_changes_in_the_way_are_put_aside_only_when_the_editor_says_so(editor, team, monkeypatch):
    """git's autostash put an editor's hand edits aside without asking; the window asks, and
    with "Put Aside and Sync" the sync takes the incoming change and brings the edit back."""
    root = editor.session.root
    hand = os.path.join(root, "_news", "a1.md")
    with open(hand, encoding="utf-8") as fh:
        text = fh.read()
    with open(hand, "w", encoding="utf-8") as fh:
        fh.write(text.replace("Body 1.", "Body 1, edited by hand."))
    seed = team.seed
    (seed / "_news" / "a1.md").write_text((seed / "_news" / "a1.md").read_text().replace("heat: 3", "heat: 12"))
    git_run(seed, "commit", "--quiet", "-am", "bot: heat")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    asked = []

    def answer(box, button_text):
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Cancel"))
    editor.action_table["sync"].trigger()
    assert len(asked) == 1
    assert "_news/a1.md" in asked[0]
    assert "heat: 3" in Path(hand).read_text(encoding="utf-8")  # nothing taken, nothing put aside
    assert git_run(root, "stash", "list") == ""
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer(box, "Put Aside and Sync"))
    editor.action_table["sync"].trigger()
    assert len(asked) == 2
    text = Path(hand).read_text(encoding="utf-8")
    assert "heat: 12" in text
    assert "edited by hand" in text
    assert git_run(root, "stash", "list") == ""


def test_decisions_that_disagree_are_listed_after_a_sync_and_the_choice_is_saved(editor, team, monkeypatch):
    """ben rejected a2 (no byte changed); ana approves it in the window and syncs: the files
    merge, and the window lists the disagreement; keeping ben's makes it ana's reject, saved."""
    from reviewer.ui.team_ui import DisagreementDialog

    ben = team("ben")
    decide(ben, 2, "ben", "reject", published=False)
    sync(Git(str(ben)), "ben")
    select(editor, "_news/a2.md")
    editor.action_table["approve"].trigger()
    editor.save(None)
    shown = []

    def keep_theirs(dialog):
        shown.append([dialog.table.item(0, c).text() for c in range(5)])
        dialog.choose(0, False)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(DisagreementDialog, "exec", keep_theirs)
    editor.action_table["sync"].trigger()
    assert shown == [["_news/a2.md", "published", "true", "✓ true (approve)", "false (reject, ben)"]]
    article = editor.model.article(row_of(editor, "_news/a2.md"))
    assert article.published is False
    assert not editor.session.modified  # saved
    with open(os.path.join(editor.session.root, ".reviewer", "decisions.jsonl"), encoding="utf-8") as fh:
        last = json.loads(fh.read().splitlines()[-1])
    assert (last["path"], last["editor"], last["decision"]) == ("_news/a2.md", editor.session.editor, "reject")
