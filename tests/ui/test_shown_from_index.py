"""A large folder reopened in the window is shown from its index first, then its files are
checked: keys pressed before the check land on the articles they were pressed on, and what
changed on disk comes in as any change on disk does (read again, or a conflict kept for the
editor), never overwritten."""

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from reviewer.app import loading
from reviewer.core import index as index_module
from reviewer.core import library, review_log
from tests.helpers import EXAMPLES, writable_copy


@pytest.fixture
def shown_first(monkeypatch):
    """Blocks of a few rows for any folder, made at once after a load (not in a process of
    their own), and any folder with blocks shown from its index first."""
    monkeypatch.setattr(index_module, "BLOCK_ROWS", 6)
    monkeypatch.setattr(index_module, "FIRST_BLOCK_ROWS", 2)
    monkeypatch.setattr(index_module, "BLOCKS_FROM", 0)
    monkeypatch.setattr(library, "WALK_ELSEWHERE", 0)
    monkeypatch.setattr(loading, "make_blocks_elsewhere", index_module.make_blocks)


def reopen(window, qtbot):
    window.session.discard()
    checked = []
    window.session.files_checked.connect(lambda: checked.append(True))
    window.open_folder(str(window.root))
    qtbot.waitUntil(lambda: bool(checked) and not window.session.loading)


def assert_counts_as_a_recount(tally, articles):
    recount = type(tally)()
    recount.clear(since=tally.since)
    recount.add(articles)
    assert (tally.states, tally.queue, tally.decided, len(tally)) == (
        recount.states,
        recount.queue,
        recount.decided,
        len(recount),
    )
    assert [tally.counted(a) for a in articles] == [recount.counted(a) for a in articles]


def test_a_reopened_folder_is_shown_from_its_blocks_then_takes_what_changed(
    window_on, tmp_path, qtbot, shown_first, monkeypatch
):
    root = writable_copy(EXAMPLES, tmp_path / "newsroom")
    window = window_on(root)
    index = index_module.FolderIndex.open(window.session.index_dir, str(root))
    assert index.shows_first()
    index.close()
    news = sorted((root / "_news").glob("*.md"))
    edited, deleted = news[0], news[1]
    edited.write_text(edited.read_text().replace("title:", 'title: "Edited since"\nold_title:', 1))
    deleted.unlink()
    (root / "_news" / "zz-new.md").write_text(news[2].read_text())
    shown = []
    real_show = loading.show_index

    def show(*args):
        for batch in real_show(*args):
            shown.extend(a.relpath for a in batch.articles)
            yield batch

    monkeypatch.setattr(loading, "show_index", show)
    said = []
    window.statusBar().messageChanged.connect(said.append)
    reopen(window, qtbot)
    assert said[-2].endswith("articles as the folder index has them; checking their files…")
    assert said[-1].startswith(f"Read {len(window.session.articles)} articles")
    assert deleted.relative_to(root).as_posix() in shown  # as the index had it, until the check
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.md") if "_broken" not in p.parts}
    on_disk.discard("README.md")
    assert {a.relpath for a in window.model.articles} == {a.relpath for a in window.session.articles} == on_disk
    tally = window.session.tally
    assert tally.states[None] + tally.states[True] + tally.states[False] == len(on_disk)
    # The blocks' articles were taken as runs (core.runs); the check's changes, removal and
    # addition leave the map and the counts as one made afresh.
    assert window.session.by_path._runs.values
    assert tally._run_counts
    assert dict(window.session.by_path) == {a.relpath: a for a in window.session.articles}
    assert_counts_as_a_recount(tally, window.session.articles)
    assert window.list.views.item(0).text() == f"All  ({len(on_disk)})"
    article = window.session.by_path[edited.relative_to(root).as_posix()]
    window.reveal(article)
    qtbot.waitUntil(lambda: window.detail.article is article)
    assert "Edited since" in window.detail.title.text()
    assert window.session.problems == sorted(window.session.problems, key=lambda p: p.relpath)
    assert {p.relpath for p in window.session.problems} >= {"_broken/never-closed.md"}
    # What the blocks gave keeps its packed metadata in the window's spill (core.spill), and
    # reads as the file does: the pane's images, related items and fields come from there.
    spilled = [a for a in window.session.articles if a._spill is not None]
    assert len(spilled) > len(on_disk) // 2
    with_related = next(a for a in spilled if a.related)
    fresh = library.read_article(with_related.path, str(root))
    assert fresh.metadata == with_related.metadata
    assert fresh.related == with_related.related
    window.reveal(with_related)
    qtbot.waitUntil(lambda: window.detail.article is with_related)
    assert window.detail.related.topLevelItemCount() == len(fresh.related) > 0


def test_keys_pressed_before_the_check_stay_on_their_articles_and_a_change_on_disk_is_a_conflict(
    window_on, tmp_path, qtbot, shown_first, monkeypatch, dialogs
):
    root = writable_copy(EXAMPLES, tmp_path / "newsroom")
    window = window_on(root)
    first = window.model.article(window.model.rowCount() // 2)
    theirs = Path(first.path)
    theirs.write_text(theirs.read_text().replace("title:", 'title: "Changed by the bot"\nold_title:', 1))
    bot_bytes = theirs.read_bytes()
    pressed = {}
    real_check = loading.check_shown

    def keys_first(*args, **kwargs):
        """The editor's keys, between the show and the check."""
        table = window.table
        window.activateWindow()
        table.setFocus()
        table.select_row(window.model.row_of(window.session.by_path[first.relpath]))
        qtbot.waitUntil(lambda: QApplication.focusWidget() is table and window.action_table["approve"].isEnabled())
        pressed["approved"] = window.triage.current()
        qtbot.keyClick(table, Qt.Key.Key_A)
        pressed["rejected"] = window.triage.current()
        qtbot.keyClick(table, Qt.Key.Key_X)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(loading, "check_shown", keys_first)
    reopen(window, qtbot)
    approved, rejected = pressed["approved"], pressed["rejected"]
    assert approved.relpath == first.relpath
    assert rejected is not approved  # a moved on to the next article
    assert approved in window.session.articles  # the very articles the keys were pressed on
    assert rejected in window.session.articles
    assert approved.pending[0] == "approve"
    assert approved.conflict  # its file changed on disk: the editor's decision kept, not lost, not written
    assert approved.title != "Changed by the bot"
    assert rejected.pending[0] == "reject"
    assert not rejected.conflict
    assert_counts_as_a_recount(window.session.tally, window.session.articles)
    dialogs.answer(QDialog.Rejected)  # the conflict is shown; the editor cancels
    window.action_table["save_all"].trigger()
    assert any("Conflict" in shown for shown in dialogs.shown)
    assert theirs.read_bytes() == bot_bytes
    log = root / ".reviewer" / "decisions.jsonl"
    logged = [json.loads(line)["path"] for line in log.read_text().splitlines()] if log.exists() else []
    assert first.relpath not in " ".join(logged)


def test_a_folder_with_a_log_reopened_from_its_blocks_counts_its_decisions(
    window_on, tmp_path, qtbot, shown_first, monkeypatch
):
    """Batches of a folder whose log names articles are not said to be undecided (loading sets
    Batch.undecided only without a log): the queue and the decisions count as a recount does."""
    root = writable_copy(EXAMPLES, tmp_path / "newsroom")
    window = window_on(root)
    unpublished = sorted(a.relpath for a in window.session.articles if a.published is False)
    assert len(unpublished) >= 2
    (root / ".reviewer").mkdir()
    when = "2026-11-28T14:02:00.000Z"
    lines = [review_log.Decision(when, "ana", rel, "", "reject").line() for rel in unpublished[:2]]
    (root / ".reviewer" / "decisions.jsonl").write_text("".join(lines))
    said = []
    real_show = loading.show_index

    def show(*args):
        for batch in real_show(*args):
            said.append(batch)
            yield batch

    monkeypatch.setattr(loading, "show_index", show)
    reopen(window, qtbot)
    assert said
    assert not any(batch.undecided for batch in said)
    logged = {a.relpath for a in window.session.articles if a.decision is not None}
    assert logged == set(unpublished[:2])
    assert window.session.tally.queue == len(unpublished) - 2
    assert_counts_as_a_recount(window.session.tally, window.session.articles)
