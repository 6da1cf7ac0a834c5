"""Same story in the window: marks in the list, the pane's section, keep the best, grouping."""

import pytest
from PySide6.QtCore import Qt

from reviewer.ui.article_model import Column
from tests.stories import stories, write_folder

COPIES = {
    "_news/2024-03-11-hf-techcrunch.md": (
        "Hugging Face raises $40 million for its natural language processing library",
        "The New York start-up Hugging Face said on Thursday it raised $40 million led by Addition.",
        "TechCrunch", 70, "2024-03-11",
    ),
    "_news/2024-03-11-hf-venturebeat.md": (
        "Hugging Face lands $40M to grow its NLP library",
        "In a round led by Addition, Hugging Face secured $40 million, the New York company said.",
        "VentureBeat", 90, "2024-03-11",
    ),
    "_news/2024-03-12-hf-axios.md": (
        "Exclusive: NLP start-up Hugging Face closes $40 million round",
        "Hugging Face, based in New York, closed a $40 million round led by Addition on Thursday.",
        "Axios", 90, "2024-03-12",
    ),
    "_news/2024-03-13-hf-transformers.md": (
        "Hugging Face releases Transformers 4.0 with faster tokenizers",
        "The New York company Hugging Face shipped a new major version of its library.",
        "TechCrunch", 99, "2024-03-13",
    ),
}  # fmt: skip
BEST = "_news/2024-03-11-hf-venturebeat.md"  # quality 90 like Axios, and earlier


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "site"
    write_folder(str(root), [s for s in stories(40, seed=2) if s.story < 30 and s.relpath.count("-") > 3][:25])
    for relpath, (title, excerpt, provider, quality, date) in COPIES.items():
        path = root / relpath
        path.write_text(
            f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\npublishedDateTime: {date}T09:00:00Z\n'
            f"provider:\n  name: {provider}\nquality: {quality}\npublished: false\n---\nBody.\n"
        )
    return root


@pytest.fixture
def win(window_on, folder, qtbot):
    window = window_on(folder)
    qtbot.waitUntil(lambda: not window.session.loading and bool(window.session.same_story.clusters()))
    return window


def row_of(win, relpath):
    return next(r for r in range(win.model.rowCount()) if win.model.article(r).relpath == relpath)


def article(win, relpath):
    return win.model.article(row_of(win, relpath))


def title_cell(win, relpath):
    return win.model.data(win.model.index(row_of(win, relpath), Column.TITLE))


def test_the_copies_are_marked_in_the_list_and_found_by_same_queries(win, qtbot):
    copies = sorted(COPIES)[:3]
    assert [c for c in win.session.same_story.clusters() if set(copies) <= set(c)] == [sorted(copies)]
    assert title_cell(win, BEST).startswith("❐3  Hugging Face lands")
    assert not title_cell(win, "_news/2024-03-13-hf-transformers.md").startswith("❐")
    win.list.query.setCurrentText("same:3")
    win.list.apply_query()
    qtbot.waitUntil(lambda: win.model.rowCount() < len(win.session.articles))
    shown = [win.model.article(r) for r in range(win.model.rowCount())]
    assert set(copies) <= {a.relpath for a in shown}
    assert all(a.same >= 3 for a in shown)


def test_the_pane_lists_the_other_copies_and_enter_goes_to_one(win, qtbot):
    win.table.select_row(row_of(win, BEST))
    pane = win.detail
    assert pane.same_list.isVisible()
    listed = [pane.same_list.topLevelItem(i).text(1) for i in range(pane.same_list.topLevelItemCount())]
    assert listed == ["Axios", "TechCrunch"]  # best first: quality 90, then 70
    pane.same_list.setFocus()
    pane.same_list.setCurrentItem(pane.same_list.topLevelItem(1))
    qtbot.keyClick(pane.same_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.article is not None and pane.article.relpath == "_news/2024-03-11-hf-techcrunch.md")
    assert win.model.article(win.table.currentIndex().row()).relpath == "_news/2024-03-11-hf-techcrunch.md"


def answer_keep_best(monkeypatch, yes: bool, keep: str = "") -> list:
    """The `b` dialog answered as the editor would: Yes (after clicking the row of `keep`,
    when given) or Cancel; returns the dialogs shown, to look at."""
    from PySide6.QtWidgets import QDialog

    from reviewer.ui.dialogs import KeepBestDialog

    shown = []

    def exec_(dialog):
        shown.append((dialog.fates(), [a.relpath for a in dialog.cluster], dialog.kept.relpath))
        if keep:
            dialog.table.setCurrentCell([a.relpath for a in dialog.cluster].index(keep), 1)
        return QDialog.DialogCode.Accepted if yes else QDialog.DialogCode.Rejected

    monkeypatch.setattr(KeepBestDialog, "exec", exec_)
    return shown


def test_keep_best_asks_first_and_cancel_changes_nothing(win, qtbot, monkeypatch):
    shown = answer_keep_best(monkeypatch, yes=False)
    win.table.select_row(row_of(win, "_news/2024-03-12-hf-axios.md"))
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_B)
    [(fates, paths, kept)] = shown
    assert kept == BEST
    assert sorted(paths) == sorted(COPIES)[:3]
    assert [fate for fate, path in zip(fates, paths, strict=True) if path == BEST] == ["Keep"]
    assert fates.count("Reject") == 2
    assert win.session.modified == []
    assert "Nothing decided" in win.statusBar().currentMessage()


def test_keep_best_keeps_the_row_the_editor_chose(win, qtbot, monkeypatch):
    answer_keep_best(monkeypatch, yes=True, keep="_news/2024-03-12-hf-axios.md")
    win.table.select_row(row_of(win, BEST))
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_B)
    assert article(win, "_news/2024-03-12-hf-axios.md").value("published") is True
    assert article(win, BEST).value("published") is False
    assert article(win, "_news/2024-03-12-hf-axios.md").title[:40] in win.statusBar().currentMessage()


def test_keep_the_best_reject_the_rest_is_one_step_and_is_logged(win, qtbot, monkeypatch):
    answer_keep_best(monkeypatch, yes=True)
    win.table.select_row(row_of(win, "_news/2024-03-12-hf-axios.md"))
    win.table.setFocus()
    qtbot.keyClick(win.table, Qt.Key.Key_B)
    copies = sorted(COPIES)[:3]
    assert [article(win, p).value("published") for p in copies] == [False, True, False]
    assert article(win, BEST).published is True
    assert win.detail.article.relpath == BEST
    win.action_table["undo"].trigger()  # one step back restores all three
    assert all(article(win, p).edits == {} for p in copies)
    assert all(article(win, p).pending is None for p in copies)
    win.action_table["redo"].trigger()
    win.save(None)
    decided = {d.path: d.decision for ds in win.session.history.values() for d in ds}
    assert decided == {
        "_news/2024-03-11-hf-techcrunch.md": "reject",
        BEST: "approve",
        "_news/2024-03-12-hf-axios.md": "reject",
    }


def test_group_same_story_puts_each_cluster_together_best_first(win, qtbot):
    win.action_table["group_same"].trigger()
    rows = [win.model.article(r) for r in range(win.model.rowCount())]
    start = row_of(win, BEST)
    assert {a.relpath for a in rows[start : start + 3]} == set(sorted(COPIES)[:3])  # together, the best first
    in_clusters = [a.same > 1 for a in rows]
    assert in_clusters == sorted(in_clusters, reverse=True)  # every cluster before the rest
    win.model.sort(Column.DATE, Qt.SortOrder.DescendingOrder)  # a click on a column ends the grouping
    assert not win.action_table["group_same"].isChecked()
