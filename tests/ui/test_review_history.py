"""The review log as the window shows it: history in the pane, preferences, where the log lives."""

import json

from PySide6.QtCore import Qt

from reviewer.core import review_log
from reviewer.ui.dialogs import PreferencesDialog

U, X, SAVE = Qt.Key_U, Qt.Key_X, (Qt.Key_S, Qt.ControlModifier)


def keys(qtbot, widget, *names):
    for name in names:
        key, modifier = name if isinstance(name, tuple) else (name, Qt.NoModifier)
        qtbot.keyClick(widget, key, modifier)


def log_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_pane_shows_a_decision_pending_then_saved_then_after_reopening(window, qtbot):
    keys(qtbot, window.table, U)
    first = window.model.article(0)
    assert window.detail.history.text().endswith("No decision logged yet</span>")
    keys(qtbot, window.table, X)
    window.reveal(first)  # it left the queue; show it again
    editor = window.session.editor
    assert f"Rejected by {editor} · " in window.detail.history.text()
    assert "(not saved yet)" in window.detail.history.text()
    keys(qtbot, window.table, SAVE)
    assert f"Rejected by {editor} · " in window.detail.history.text()
    assert "not saved yet" not in window.detail.history.text()
    window.open_folder(str(window.root))
    window.list.select_view("All")
    window.reveal(next(a for a in window.session.articles if a.relpath == first.relpath))
    assert window.detail.article.relpath == first.relpath
    assert f"Rejected by {editor} · " in window.detail.history.text()


def test_quality_changes_are_listed_with_old_and_new_values(window, qtbot):
    keys(qtbot, window.table, U)
    article = window.model.article(0)
    old = article.quality
    keys(qtbot, window.table, Qt.Key_Plus, SAVE)
    window.reveal(article)
    assert f"Quality changed by {window.session.editor}" in window.detail.history.text()
    assert f"quality {old} → {old + 5}" in window.detail.history.text()


def test_preferences_name_the_editor_and_keep_the_log_out_of_the_folder(window, qtbot, monkeypatch, tmp_path):
    def choose(dialog):
        dialog.fields["editor_name"].setText("Ana Editor")
        dialog.fields["keep_folder_clean"].setChecked(True)
        return 1

    monkeypatch.setattr(PreferencesDialog, "exec", choose)
    window.preferences()
    assert window.settings.editor_name == "Ana Editor"
    assert window.settings.keep_folder_clean
    assert window.session.editor == "Ana Editor"
    assert not window.log_place.isHidden()
    assert str(tmp_path / "data") in window.log_place.toolTip()
    keys(qtbot, window.table, U, X, SAVE)
    assert not (window.root / ".reviewer").exists()  # the folder stays clean
    [log] = (tmp_path / "data" / "logs").iterdir()
    [record] = log_lines(log)
    assert (record["editor"], record["decision"]) == ("Ana Editor", "reject")
    start = window.session.tally.queue
    window.open_folder(str(window.root))  # the log outside is read back: the decision lasts
    keys(qtbot, window.table, U)
    assert window.session.tally.queue == start


def test_a_read_only_folder_logs_in_the_data_folder_and_says_so(window, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(review_log, "_writable_here", lambda root: False)
    window.open_folder(str(window.root))
    assert not window.log_place.isHidden()
    assert "read-only" in window.log_place.toolTip()
    keys(qtbot, window.table, U, X, SAVE)
    [log] = (tmp_path / "data" / "logs").iterdir()
    assert [r["decision"] for r in log_lines(log)] == ["reject"]


def test_an_unreadable_log_line_is_a_problem_naming_the_log_and_the_line(window, qtbot):
    folder = window.root / ".reviewer"
    folder.mkdir()
    good = review_log.Decision("2026-11-28T14:02:00.000Z", "ana", "_news/x.md", "", "approve").line()
    (folder / "decisions.jsonl").write_text(good + "not json\n" + good + '{"time": "2026-11-28T14:0')
    window.open_folder(str(window.root))
    found = [(p.relpath, p.line, p.label) for p in window.session.problems if p.kind == "log-line"]
    assert found == [
        (".reviewer/decisions.jsonl", 2, "review log line skipped"),
        (".reviewer/decisions.jsonl", 4, "review log line skipped"),
    ]
    assert (folder / "decisions.jsonl").read_text().endswith('"2026-11-28T14:0')  # kept for inspection


def test_log_errors_are_reported_and_the_decision_stays_pending(window, qtbot, monkeypatch, dialogs):
    def refuse(self, decisions):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(review_log.LogFile, "append", refuse)
    keys(qtbot, window.table, U)
    article = window.model.article(0)
    dialogs.answer(0)
    keys(qtbot, window.table, X, SAVE)
    assert dialogs.shown == [
        "warning: Decisions Not Logged: The files were saved, but the decisions could not be added to the review "
        f"log:\n\n{window.root / '.reviewer' / 'decisions.jsonl'}: Permission denied\n\n"
        "They stay pending and are logged with the next save."
    ]
    assert article.pending is not None
    assert window.session.modified == [article]


def test_preferences_kept_with_qt_by_an_earlier_version_move_to_the_preferences_file(tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from reviewer.app.settings import Settings

    q = QSettings(str(tmp_path / "old.ini"), QSettings.IniFormat)
    q.setValue("prefs/editor_name", "Bo")
    q.setValue("prefs/keep_folder_clean", "true")
    q.setValue("prefs/batch_threshold", "12")
    q.sync()
    settings = Settings(q)
    assert (settings.editor_name, settings.keep_folder_clean, settings.batch_threshold) == ("Bo", True, 12)
    assert q.value("prefs/editor_name") is None  # moved, not copied: one place to change it
    assert json.loads((tmp_path / "preferences.json").read_text())["editor_name"] == "Bo"


def test_the_preferences_dialog_has_a_field_for_each_declared_preference(window_on, newsroom_copy):
    from reviewer.core.preferences import PREFERENCES
    from reviewer.ui.dialogs import PreferencesDialog

    window = window_on(newsroom_copy)
    dialog = PreferencesDialog(window.settings, window.action_table)
    assert list(dialog.fields) == [p.key for p in PREFERENCES]
    dialog.fields["batch_threshold"].setValue(7)
    dialog.fields["same_story_threshold"].setValue(0.8)
    dialog.apply(window.action_table)
    assert window.settings.batch_threshold == 7
    assert window.settings.same_story_threshold == 0.8
    dialog.close()
