"""The main window on examples/newsroom: listing, details, editing, saving, undo, conflicts."""

import os
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QToolButton

from reviewer.ui.article_model import ArticleRole, Column
from reviewer.ui.dialogs import ConflictDialog
from tests.helpers import changed_lines, key_of


def current(window):
    return window.model.article(window.table.currentIndex().row())


def test_opening_lists_every_article_and_the_problems(window):
    assert window.model.rowCount() == len(window.session.articles) == 58
    assert sorted(p.relpath for p in window.session.problems) == [
        "_broken/bad-indent.md",
        "_broken/invalid-yaml.md",
        "_broken/never-closed.md",
        "_broken/not-a-mapping.md",
        "_broken/unsafe-tag.md",
    ]
    assert window.windowTitle() == f"{window.root.name}[*] — Reviewer"
    assert window.table.currentIndex().row() == 0
    assert QApplication.focusWidget() is window.table
    assert window.detail.article is current(window)


def test_problems_view_lists_kind_line_and_message(window, dialogs):
    window.list.select_view("Problems")
    table = window.list.problems
    assert table.rowCount() == 5
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text()) for r in range(5)}
    assert rows["_broken/unsafe-tag.md"] == ("3", "unsafe or unknown tag")
    dialogs.answer(0)
    table.itemActivated.emit(table.item(0, 0))
    assert dialogs.shown
    assert dialogs.shown[0].startswith("ProblemDialog")


def test_problem_dialog_marks_the_line(window):
    from reviewer.ui.dialogs import ProblemDialog

    problem = next(p for p in window.session.problems if p.relpath.endswith("unsafe-tag.md"))
    dialog = ProblemDialog(problem)
    assert dialog.marked_line == 3
    assert "!!python/object" in dialog.text.toPlainText()


def test_selecting_a_row_fills_the_detail_pane(window, qtbot):
    model = window.model
    row = next(
        r
        for r in range(model.rowCount())
        if model.article(r).related and model.article(r).images[0].url.startswith("/assets")
    )
    window.table.select_row(row)
    article = model.article(row)
    pane = window.detail
    assert pane.article is article
    assert article.title in pane.title.text()
    assert article.provider.name in pane.provider.text()
    assert pane.related.topLevelItemCount() == len(article.related)
    in_folder = [
        pane.related.topLevelItem(i)
        for i in range(pane.related.topLevelItemCount())
        if pane.related.topLevelItem(i).data(1, Qt.UserRole) is not None
    ]
    assert in_folder, "related links to articles of the folder can jump to them"
    button = pane.images.itemAt(0).widget()
    assert isinstance(button, QToolButton)
    qtbot.waitUntil(lambda: not button.icon().isNull())  # resolved from the local assets folder
    assert "1200×675" in button.text()
    target = in_folder[0].data(1, Qt.UserRole)
    pane.show_article.emit(target)
    assert current(window) is target


def test_fields_tab_counts_nested_values_in_words(window):
    pane = window.detail
    article = next(a for a in window.session.articles if len(a.related) == 1)
    window.table.select_row(window.model.row_of(article))
    shown = {
        pane.fields.topLevelItem(i).text(0): pane.fields.topLevelItem(i).text(1)
        for i in range(pane.fields.topLevelItemCount())
    }
    assert shown["related"] == "[1 item]"
    assert shown["provider"] == f"{{{len(article.metadata['provider'])} keys}}"


def test_edit_published_and_quality_then_save_changes_only_those_lines(window, qtbot):
    article = current(window)
    before = Path(article.path).read_bytes()
    window.detail.published.setCurrentIndex(1)
    window.detail.published.activated.emit(1)
    window.detail.quality.setValue(77)
    assert article.edits == {"published": False, "quality": 77}
    assert window.isWindowModified()
    assert window.model.data(window.model.index(0, Column.STATUS)).endswith("*")
    window.action_table["save_all"].trigger()
    removed, added = changed_lines(before, Path(article.path).read_bytes())
    assert sorted(map(key_of, added)) == ["published", "quality"]
    assert set(map(key_of, removed)) <= {"published", "quality"}
    assert not article.edits
    assert not window.isWindowModified()


def test_undo_and_redo(window):
    article = current(window)
    was = article.published
    window.action_table["toggle"].trigger()
    assert article.published is (not bool(was))
    window.action_table["undo"].trigger()
    assert article.published is was
    assert not article.edits
    window.action_table["redo"].trigger()
    assert article.published is (not bool(was))


def test_changes_panel_lists_and_reverts_pending_edits(window):
    article = current(window)
    window.triage.set_quality(12)
    window.changes.rebuild()
    top = window.changes.tree.topLevelItem(0)
    assert top.text(0) == article.relpath + "  — Quality"
    assert (top.child(0).text(0), top.child(0).text(2)) == ("quality", "12")
    top.setSelected(True)
    window.session.revert(window.changes.selected())
    assert not article.edits


def test_a_reject_that_changes_no_byte_is_marked_in_the_list_and_named_in_the_changes_panel(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_U)  # the queue: unpublished articles
    article = current(window)
    assert article.published is False
    window.triage.decide(False)
    row = window.model.row_of(article)
    if row is None:  # it left the queue: marked in All
        window.list.select_view("All")
        row = window.model.row_of(article)
    assert window.model.data(window.model.index(row, 0)) == "✗*"
    window.changes.rebuild()
    top = window.changes.tree.topLevelItem(0)
    assert top.text(0) == article.relpath + "  — Reject"
    assert top.child(0).text(2) == "reject (changes no byte; logged)"
    window.save(None)
    assert window.model.data(window.model.index(window.model.row_of(article), 0)) == "✗"  # logged: it stays


def test_conflict_offers_reload_or_overwrite(window, dialogs):
    article = current(window)
    path = Path(article.path)
    window.action_table["toggle"].trigger()
    path.write_text(path.read_text().replace("category: news", "category: changed-elsewhere"))
    dialogs.answer(QDialog.Accepted)  # Apply: they changed another key, so the file starts at Keep mine
    window.action_table["save_all"].trigger()
    text = path.read_text()
    assert "category: changed-elsewhere" in text
    assert f"published: {'true' if article.published else 'false'}" in text
    assert not article.edits
    assert not article.conflict


def test_conflict_reload_drops_my_edit(window, monkeypatch):
    article = current(window)
    path = Path(article.path)
    window.triage.set_quality(3)
    path.write_text(path.read_text().replace("category: news", "category: theirs"))
    shown = []

    def take_theirs(dialog):
        shown.append(dialog)
        dialog.choose_all(ConflictDialog.THEIRS)
        return QDialog.Accepted

    monkeypatch.setattr(ConflictDialog, "exec", take_theirs)
    window.action_table["save_all"].trigger()
    assert shown
    assert shown[0].cancel_button.isDefault()
    assert not article.edits
    assert article.original["category"] == "theirs"
    assert "quality: 3\n" not in path.read_text()


def test_read_only_file_is_named_and_its_edit_stays_pending(window, dialogs):
    article = current(window)
    os.chmod(article.path, 0o444)
    before = Path(article.path).read_bytes()
    window.triage.set_quality(5)
    dialogs.answer(QMessageBox.Ok)
    window.action_table["save_all"].trigger()
    assert article.relpath in dialogs.shown[0]
    assert "read-only" in dialogs.shown[0]
    assert article.edits == {"quality": 5}
    assert Path(article.path).read_bytes() == before


def test_closing_with_pending_edits_asks(window, dialogs):
    window.triage.set_quality(9)
    dialogs.answer(QMessageBox.Cancel)
    assert not window.close()
    assert "unsaved edits" in dialogs.shown[0]
    before = Path(current(window).path).read_bytes()
    dialogs.answer(QMessageBox.Discard)
    assert window.close()
    assert Path(current(window).path).read_bytes() == before


def test_closing_with_save_all_saves_then_closes(window, dialogs, qtbot):
    article = current(window)
    window.triage.set_quality(9)
    dialogs.answer(QMessageBox.Save)
    window.close()
    assert "quality: 9" in Path(article.path).read_text()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_query_bar_filters_and_shows_errors_in_place(window, qtbot):
    window.list.query.setCurrentText("quality:>=150")
    window.list.apply_query()
    assert window.model.rowCount() > 0
    assert all(window.model.article(r).quality >= 150 for r in range(window.model.rowCount()))
    window.list.query.setCurrentText("(quality:>=150")
    assert not window.list.apply_query()
    assert not window.list.error.isHidden()
    assert "position 1" in window.list.error.text()


def test_sorting_by_quality_in_the_model(window):
    window.table.sortByColumn(Column.QUALITY, Qt.DescendingOrder)
    values = [window.model.article(r).quality for r in range(window.model.rowCount())]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[-1] is None


def test_files_changed_on_disk_are_reloaded_or_marked(window):
    session = window.session
    quiet, edited = window.model.article(0), window.model.article(1)
    window.table.select_row(1)
    window.triage.set_quality(1)
    for article in (quiet, edited):
        path = Path(article.path)
        path.write_text(path.read_text().replace("category: news", "category: pulled"))
    new = window.root / "_news" / "2099-01-01-new.md"
    new.write_text("---\ntitle: Brand new\npublished: false\n---\n")
    session.check_disk()
    assert quiet.original["category"] == "pulled"
    assert not quiet.conflict
    assert edited.conflict
    assert edited.edits == {"quality": 1}
    assert any(a.title == "Brand new" for a in session.articles)
    os.unlink(new)
    session.check_disk()
    assert not any(a.title == "Brand new" for a in session.articles)


def test_a_check_that_read_a_file_before_a_save_wrote_it_does_not_undo_the_save(window, qtbot):
    """The check of the files (after a folder shown from its index, or a change on disk) reads
    on a worker while the editor may save: a file it read before the save wrote it is not taken
    as a change on disk, and the file is looked at again."""
    from reviewer.core.library import read_article

    session = window.session
    article = current(window)
    path = Path(article.path)
    path.write_text(path.read_text() + "\n")  # touched by git: its bytes changed, not its values
    session.check_disk()
    before_save = read_article(str(path), str(window.root))  # what the check reads, then the save comes
    session.disk.begin_load_check()
    published = not article.published
    window.triage.decide(published)
    window.action_table["save_all"].trigger()
    qtbot.waitUntil(lambda: not session.saving)
    assert article.published is published
    session.disk.take_load_check([(article, before_save)], [], [])
    assert article.published is published  # not the file as it was before the save
    assert not article.conflict
    checked = []
    session.files_checked.connect(lambda: checked.append(True))
    qtbot.waitUntil(lambda: bool(checked), timeout=5000)  # its folder looked at again
    assert article.published is published
    assert not article.conflict
    assert read_article(str(path), str(window.root)).published is published


def test_in_a_large_folder_changes_on_disk_come_a_piece_a_turn_and_a_key_between_keeps_its_article(
    window, qtbot, monkeypatch
):
    """From session.PIECES_FROM articles, what a check found is taken in a piece a turn of the
    event loop (removals, additions, files read again, clusters). A key pressed on an article
    whose file went, before its piece ran, keeps the article, as a conflict."""
    from reviewer.app import session as session_module

    monkeypatch.setattr(session_module, "PIECES_FROM", 0)
    session = window.session
    kept, dropped = window.model.article(0), window.model.article(1)
    for article in (kept, dropped):
        os.unlink(article.path)
    checked = []
    session.files_checked.connect(lambda: checked.append(True))
    session.disk.begin_load_check()
    session.disk.take_load_check([], [], [kept, dropped])
    assert kept in session.articles  # nothing taken in yet: a piece a turn
    window.table.select_row(window.model.row_of(kept))
    window.triage.set_quality(7)  # the editor's key, before the removal's turn
    qtbot.waitUntil(lambda: bool(checked))
    assert kept in session.articles
    assert kept.conflict
    assert kept.edits == {"quality": 7}
    assert dropped not in session.articles
    assert window.model.row_of(dropped) is None


def test_model_passes_qt_model_tester(window, qtmodeltester):
    qtmodeltester.check(window.model, force_py=True)
    assert window.model.data(window.model.index(0, 0), ArticleRole) is window.model.article(0)


def test_preferences_refuse_a_key_given_to_two_actions(window, settings):
    from PySide6.QtGui import QKeySequence

    from reviewer.ui.dialogs import PreferencesDialog

    dialog = PreferencesDialog(settings, window.action_table)
    dialog.editors["reject"][0].setKeySequence(QKeySequence("A"))
    dialog.accept()
    assert not dialog.clash.isHidden()
    assert "Approve" in dialog.clash.text()
    dialog.editors["reject"][0].setKeySequence(QKeySequence("R"))
    assert dialog.clashes() == []
    dialog.apply(window.action_table)
    assert window.action_table["reject"].shortcut().toString() == "R"
    assert settings.shortcuts("reject") == ["R"]


def test_preferences_list_every_key_of_each_action_and_keep_the_second(window, settings):
    from PySide6.QtGui import QKeySequence

    from reviewer.ui.dialogs import PreferencesDialog

    dialog = PreferencesDialog(settings, window.action_table)
    shown = {k: [e.keySequence().toString() for e in pair] for k, pair in dialog.editors.items()}
    assert shown["redo"] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert shown["toggle"] == ["P", "Space"]
    assert shown["approve"] == ["A", ""]
    dialog.editors["redo"][0].setKeySequence(QKeySequence("Ctrl+R"))  # change one, keep the other
    dialog.apply(window.action_table)
    assert [k.toString() for k in window.action_table["redo"].shortcuts()] == ["Ctrl+R", "Ctrl+Y"]
    assert window.action_table["toggle"].shortcuts()[1].toString() == "Space"  # untouched
    again = PreferencesDialog(settings, window.action_table)
    again._restore_defaults()
    again.apply(window.action_table)
    assert settings.shortcuts("redo") is None  # back to the defaults: nothing stored
    assert [k.toString() for k in window.action_table["redo"].shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_the_general_tab_is_not_padded_to_the_keys_table(window, settings):
    from reviewer.ui.dialogs import PreferencesDialog

    dialog = PreferencesDialog(settings, window.action_table)
    assert dialog.height() < 400
    assert dialog.width() >= 620
    dialog.tabs.setCurrentIndex(1)
    assert dialog.height() > 450  # the keys get the room


def test_html_body_preview_fetches_nothing_and_runs_nothing(window, monkeypatch, qtbot):
    from reviewer.ui.detail_pane import SafeDocument

    path = window.root / "_news" / "2099-12-31-newsletter.html"
    path.write_text(
        "---\ntitle: Newsletter\n---\n<p>Hello <b>editors</b></p>"
        '<img src="http://tracker.example/pixel.gif"><script>document.write("ran")</script>'
    )
    window.session.check_disk()
    article = next(a for a in window.session.articles if a.title == "Newsletter")
    asked = []
    original = SafeDocument.loadResource
    monkeypatch.setattr(
        SafeDocument, "loadResource", lambda self, kind, url: asked.append(url.toString()) or original(self, kind, url)
    )
    window.reveal(article)
    window.detail.tabs.setCurrentWidget(window.detail.preview)
    qtbot.waitUntil(lambda: bool(asked))  # laid out and painted: the image is asked for
    text = window.detail.preview.toPlainText()
    assert "Hello editors" in text
    assert "ran" not in text.replace("Hello", "")
    assert set(asked) == {"http://tracker.example/pixel.gif"}  # asked for, and given nothing


def test_a_save_asked_for_while_saving_runs_next(window):
    first, second = window.model.article(0), window.model.article(1)
    window.session.saver.saving = True  # an earlier save is under way
    window.table.select_row(1)
    window.triage.set_quality(44)
    window.save([second])
    assert second.edits
    assert "saved next" in window.statusBar().currentMessage()
    window.session.saver.saving = False
    window.table.select_row(0)
    window.triage.set_quality(33)
    window.save([first])  # when this one finishes, the queued one follows
    assert not first.edits
    assert not second.edits
    assert "quality: 44" in Path(second.path).read_text()


def test_provider_logos_in_the_list_come_from_the_site_folder(window, qtbot):
    from reviewer.ui.article_model import Column

    model = window.model
    row = next(r for r in range(model.rowCount()) if model.article(r).provider.images)
    index = model.index(row, Column.PROVIDER)
    model.data(index, Qt.ItemDataRole.DecorationRole)  # asks for it; it comes off the GUI thread
    qtbot.waitUntil(lambda: model.data(index, Qt.ItemDataRole.DecorationRole) is not None)
    icon = model.data(index, Qt.ItemDataRole.DecorationRole)
    assert not icon.isNull()
    assert icon.availableSizes()


def test_reopening_takes_unchanged_files_from_the_index_and_sees_what_changed(window, qtbot, monkeypatch):
    from reviewer.core import library

    assert window.session.index_dir  # the fixture's window keeps an index (in the test's own cache folder)
    root = window.root
    news = sorted((root / "_news").glob("*.md"))
    edited, deleted = news[0], news[1]
    edited.write_text(edited.read_text().replace("title:", 'title: "Edited since"\nold_title:', 1))
    deleted.unlink()
    shutil.copy(news[2], root / "_news" / "zz-new.md")
    read = []
    original = library.read_article
    monkeypatch.setattr(library, "read_article", lambda path, *a, **k: read.append(path) or original(path, *a, **k))
    window.session.discard()
    window.open_folder(str(root))
    assert sorted(Path(p).name for p in read if "_broken" not in p) == sorted([edited.name, "zz-new.md"])
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.md") if "_broken" not in p.parts}
    on_disk.discard("README.md")
    listed = {a.relpath for a in window.model.articles}
    assert listed == {a.relpath for a in window.session.articles} == on_disk
    assert window.session.tally.states[None] + window.session.tally.states[True] + window.session.tally.states[
        False
    ] == len(on_disk)
    assert window.list.views.item(0).text() == f"All  ({len(on_disk)})"
    article = next(a for a in window.session.articles if a.relpath == edited.relative_to(root).as_posix())
    window.reveal(article)
    qtbot.waitUntil(lambda: window.detail.article is article)
    assert article.title == "Edited since"
    assert "Edited since" in window.detail.title.text()


def test_the_detail_pane_fits_a_small_window_and_wraps_long_topics(window, qtbot):
    from tests.ui.test_daily_tool import fit_screen

    fit_screen(window, qtbot, 1024, 640)  # what a 1024x640 screen gives the window, split as at first
    model = window.model
    row = max(range(model.rowCount()), key=lambda r: len(", ".join(model.article(r).topics)))
    window.table.select_row(row)
    pane = window.detail
    qtbot.waitUntil(lambda: pane.article is model.article(row))
    chips = [pane.topics.itemAt(i).widget() for i in range(pane.topics.count())]
    assert [chip.text() for chip in chips] == model.article(row).topics
    qtbot.waitUntil(lambda: all(chip.isVisible() for chip in chips))  # new children are shown by the event loop
    pane.widget().layout().activate()
    width = pane.viewport().width()
    assert pane.widget().minimumSizeHint().width() <= width  # nothing cut off on the right
    one_row = sum(chip.sizeHint().width() for chip in chips) + 4 * (len(chips) - 1)
    height = max(chip.sizeHint().height() for chip in chips)
    assert one_row > width  # the longest topics of the sample do not fit on one line...
    assert pane.topics.heightForWidth(width) > height  # ...and wrap onto more
    assert pane.topics.heightForWidth(10 * one_row) == height  # in a wide pane, one line


def test_save_progress_is_shown_ten_times_a_second_at_most(window, monkeypatch):
    """QProgressBar.setValue repaints at once: a report every few milliseconds took the core
    the writers needed. Shown at most every 0.1 s, and always at the end."""
    clock = [1000.0]
    monkeypatch.setattr("reviewer.ui.main_window.time.monotonic", lambda: clock[0])
    shown = []
    window.progress.valueChanged.connect(shown.append)
    for done in range(10, 1001, 10):  # a hundred reports over 0.4 s
        clock[0] += 0.004
        window.saving.show_progress(done, 1000)
    assert len(shown) <= 5
    assert shown[-1] == 1000
    assert window.progress.value() == 1000


def test_a_logo_that_comes_late_stays_with_its_own_article(window):
    """Images load off the GUI thread: the logo of an article left behind may arrive after
    the next article's. It is not drawn as the next one's logo."""
    from PySide6.QtGui import QColor, QImage

    from reviewer.core.site import resolve_image
    from reviewer.ui.detail_pane import LOGO

    pane = window.detail
    with_logos = [a for a in window.session.articles if a.provider.images]
    first = with_logos[0]
    second = next(a for a in with_logos if a.provider.images[0].url != first.provider.images[0].url)

    def logo_key(article):
        source = resolve_image(article.provider.images[0].url, article.path, window.session.site)
        return pane.loader.key(source, LOGO)

    late = QImage(LOGO, LOGO, QImage.Format.Format_RGB32)
    late.fill(QColor("red"))
    pane.display(first)
    pane.display(second)
    pane.logo.clear()
    pane._image_ready(logo_key(first), late)  # the first article's logo, arriving now
    assert pane.logo.pixmap().isNull()
    pane._image_ready(logo_key(second), late)
    assert not pane.logo.pixmap().isNull()
    pane.show_article_none()
    pane._image_ready(logo_key(second), late)  # after the pane was emptied: nowhere to go
    assert pane.logo.pixmap().isNull()


def test_many_files_changed_on_disk_are_taken_a_slice_per_turn_then_clustered_again(window, qtbot, monkeypatch):
    """A bot rewriting thousands of files must not hold the window: what changed is taken
    DISK_SLICE articles a turn, and their stories clustered again in steps, not at once."""
    import gc

    from reviewer.app import clusters, disk

    monkeypatch.setattr(disk, "DISK_SLICE", 2)
    monkeypatch.setattr(clusters, "SAME_AT_ONCE", 2)
    session = window.session
    qtbot.waitUntil(lambda: not session.clusters.busy)
    changed = [window.model.article(r) for r in range(5)]
    for article in changed:
        path = Path(article.path)
        path.write_text(path.read_text().replace("category: news", "category: pulled"))
    enabled = gc.isenabled()
    clusterings = []
    real = session.clusters.find
    monkeypatch.setattr(session.clusters, "find", lambda *a: (clusterings.append(1), real(*a)))
    session.check_disk()
    assert session.disk.checking
    assert not gc.isenabled()
    assert sum(a.original.get("category") == "pulled" for a in changed) == 2
    qtbot.waitUntil(lambda: not session.disk.checking)
    assert all(a.original.get("category") == "pulled" and not a.conflict for a in changed)
    assert gc.isenabled() == enabled
    assert clusterings == [1]  # more than SAME_AT_ONCE: clustered again, in steps
    qtbot.waitUntil(lambda: not session.clusters.busy)


def test_a_decision_that_changes_no_byte_is_marked_and_saved_by_save_article(window):
    """Approving an article that is already published: no byte to write, a line to log."""
    from reviewer.ui.article_model import Column

    row = next(r for r in range(window.model.rowCount()) if window.model.article(r).published is True)
    article = window.model.article(row)
    window.table.select_row(row)
    window.action_table["approve"].trigger()
    assert not article.edits
    assert article.needs_saving
    row = next(r for r in range(window.model.rowCount()) if window.model.article(r) is article)
    assert window.model.data(window.model.index(row, Column.STATUS)).endswith("*")
    window.table.select_row(row)
    window.action_table["save_article"].trigger()
    log = (window.root / ".reviewer" / "decisions.jsonl").read_text()
    assert f'"path": "{article.relpath}"' in log
    assert '"decision": "approve"' in log
    assert not article.needs_saving
