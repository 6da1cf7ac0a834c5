"""A large folder shown from its index first (library.show_index), then checked against its
files (library.check_shown): what the check says, taken in as a change on disk, always leaves
exactly what reading the files gives, whatever changed before the open or during it."""

import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.core import index as index_module
from reviewer.core import library, walking
from reviewer.core.article import Article
from reviewer.core.index import FolderIndex
from reviewer.core.library import Shown, check_shown, read_article, scan_batches, show_index, start_check
from tests.core.test_index import CHANGES, article_text, change
from tests.core.test_index_blocks import (
    FIELDS,
    block_rows,
    corrupted,
    make_blocks,
    problems_read,
    small_site,
    window_scan,
)
from tests.core.test_walking import dying
from tests.helpers import EXAMPLES, writable_copy


@pytest.fixture
def site(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of a few rows, and any folder large enough to be shown from its index first."""
    monkeypatch.setattr(index_module, "BLOCK_ROWS", 6)
    monkeypatch.setattr(index_module, "FIRST_BLOCK_ROWS", 2)
    monkeypatch.setattr(index_module, "BLOCKS_FROM", 0)
    monkeypatch.setattr(library, "WALK_ELSEWHERE", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


class Window:
    """What the window holds of a folder shown from its index, and the check taken in as the
    session takes it (Session._take_checked, DiskWatch): articles by relative path, problems,
    files skipped."""

    def __init__(self, root: Path, cache: Path):
        self.root, self.cache = root, cache
        self.index = FolderIndex.open(str(cache), str(root))
        self.shown = Shown()
        self.articles: dict[str, Article] = {}
        self.problems: dict[str, tuple] = {}
        self.skipped = 0
        self.helper = start_check(str(root), self.index)
        for batch in show_index(str(root), self.index, self.shown):
            if batch.known is not None:  # a block's: what its columns say is what its articles say
                relpaths, states, qualities = batch.known
                assert relpaths == [a.relpath for a in batch.articles]
                assert [(type(s), s) for s in states] == [(type(a.published), a.published) for a in batch.articles]
                assert [(type(q), q) for q in qualities] == [(type(a.quality), a.quality) for a in batch.articles]
            for article in batch.articles:
                assert article.relpath not in self.articles
                self.articles[article.relpath] = article
            self.problems.update((p.relpath, _problem(p)) for p in batch.problems)
            self.skipped += batch.skipped
        self.objects = {id(a) for a in self.articles.values()}  # the articles the editor sees

    def walk_again(self):
        """The walk's helper started again, after what the test changed meanwhile (the index's
        version as it was at the show: start_check's)."""
        walking.end_walk(self.helper)
        self.helper = walking.start_walk(str(self.root), self.index.path, index_module.FORMAT, whole=True)

    def check(self):
        try:
            checked = check_shown(str(self.root), self.index, self.shown, helper=self.helper)
        finally:
            walking.end_walk(self.helper)
            self.index.close()
        for before, fresh in checked.changed:
            assert self.articles[before.relpath] is before  # the article shown, as the editor sees it
            before.changed_on_disk(fresh)
        for article in checked.removed:
            assert self.articles.pop(article.relpath) is article
        for article in checked.added:
            assert article.relpath not in self.articles
            self.articles[article.relpath] = article
        for rel in checked.problems_gone:
            del self.problems[rel]
        self.problems.update((p.relpath, _problem(p)) for p in checked.problems + checked.found.problems)
        self.skipped = checked.skipped
        return checked

    def assert_as_read(self):
        """Articles, problems and skipped files as a fresh read of the folder gives them."""
        fresh = {a.relpath: a for batch in scan_batches(str(self.root), parallel=False) for a in batch.articles}
        assert sorted(self.articles) == sorted(fresh)
        for rel, article in self.articles.items():
            now = fresh[rel]
            assert [getattr(article, n) for n in FIELDS] == [getattr(now, n) for n in FIELDS], rel
            assert (article.original, article.key_names()) == (now.original, now.key_names())
        expected = problems_read(self.root)
        assert sorted(self.problems.values()) == sorted(p for p in expected if isinstance(p, tuple))
        assert self.skipped == sum(n for n in expected if isinstance(n, int))


def _problem(p):
    return (p.relpath, p.kind, p.message, p.line)


def warm(root: Path, cache: Path) -> None:
    window_scan(root, cache)
    assert make_blocks(root, cache)
    assert FolderIndex.open(str(cache), str(root)).shows_first()


def test_an_unchanged_folder_is_shown_whole_and_its_check_reads_and_changes_nothing(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    warm(site, cache)
    read, decoded = [], []
    monkeypatch.setattr(library, "read_article", lambda *a, **k: read.append(a[0]) or read_article(*a, **k))
    decode = library.decode
    monkeypatch.setattr(library, "decode", lambda root, rel, *a: decoded.append(rel) or decode(root, rel, *a))
    window = Window(site, cache)
    assert decoded == []  # every row in a block, each block taken whole
    assert len(window.shown.blocks) == len(block_rows(site, cache))
    checked = window.check()
    assert read == []
    assert (checked.changed, checked.added, checked.removed, checked.problems, checked.problems_gone) == (
        [], [], [], [], set()
    )  # fmt: skip
    window.assert_as_read()


def test_changes_made_before_the_open_come_with_the_check(site, tmp_path):
    cache = tmp_path / "cache"
    warm(site, cache)
    news = sorted((site / "_news").glob("*.md"))
    edited, deleted, broken = news[0], news[1], news[2]
    before = edited.read_text()
    edited.write_text(before.replace("title:", 'title: "Edited since"\nold_title:', 1))
    deleted.unlink()
    broken.write_text("---\ntitle: [not closed\n---\n")
    shutil.copy(news[3], site / "_news" / "zz-new.md")
    window = Window(site, cache)
    shown = window.articles[edited.relative_to(site).as_posix()]
    assert shown.title != "Edited since"  # the index's article, until the check
    checked = window.check()
    assert [(a.relpath, f.title) for a, f in checked.changed] == [(shown.relpath, "Edited since")]
    assert shown.title == "Edited since"
    assert id(shown) in window.objects  # the same article, read again
    assert [a.relpath for a in checked.added] == ["_news/zz-new.md"]
    assert sorted(a.relpath for a in checked.removed) == sorted(
        p.relative_to(site).as_posix() for p in (deleted, broken)
    )
    assert broken.relative_to(site).as_posix() in {p.relpath for p in checked.problems}
    window.assert_as_read()


def test_a_change_in_every_block_is_read_and_no_unchanged_file_is_named(site, tmp_path, monkeypatch):
    """The helper names each block once, after the files of its range it found changed: the
    check does not get a name for every unchanged file (1,000 edits across 100,000 files were
    100,000 names, 0.45 s of the check and 35 MB)."""
    cache = tmp_path / "cache"
    warm(site, cache)
    rows = block_rows(site, cache)
    edited = []
    for first, last, _ in rows:
        target = next(p for p in sorted(site.rglob("*.md")) if first <= p.relative_to(site).as_posix() <= last)
        target.write_text(target.read_text() + "\nEdited.\n")
        edited.append(target.relative_to(site).as_posix())
    planned = []
    walk = library.walk_elsewhere

    def spy(*args, **kwargs):
        for item in walk(*args, **kwargs):
            planned.append(item)
            yield item

    monkeypatch.setattr(library, "walk_elsewhere", spy)
    window = Window(site, cache)
    checked = window.check()
    assert [item for item in planned if isinstance(item, str)] == []  # every row is in a block
    assert sum(walking.is_block_run(item) for item in planned) == len(rows)
    assert checked.read == len(edited)
    assert sorted(a.relpath for a, _ in checked.changed) == sorted(rel for rel in edited if rel in window.articles)
    window.assert_as_read()


@pytest.mark.parametrize("same_size", [False, True])
def test_a_file_changed_and_indexed_by_another_process_after_the_show_is_still_found(site, tmp_path, same_size):
    """Unchanged against the index is not as shown: another window may read a changed file and
    store it (and make its block again) between the show and the check. An edit in place may
    keep the file's size and time."""
    cache = tmp_path / "cache"
    warm(site, cache)
    window = Window(site, cache)
    target = sorted((site / "_news").glob("*.md"))[4]
    text, st = target.read_text(), target.stat()
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    new_title = (
        "title: " + "Changed meanwhile".ljust(len(title) - len("title: "), "!")
        if same_size
        else 'title: "Changed meanwhile"'
    )
    target.write_text(text.replace(title, new_title, 1))
    if same_size:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert target.stat().st_size == st.st_size
    window_scan(site, cache)  # another process: the row stored, its block dropped
    make_blocks(site, cache)  # and made again
    rel = target.relative_to(site).as_posix()
    first, last, _ = next(b for b in block_rows(site, cache) if b[0] <= rel <= b[1])
    other = next(p for p in sorted(site.rglob("*.md")) if first <= p.relative_to(site).as_posix() <= last != rel)
    other.write_text(other.read_text() + "\nMore.\n")  # and its block no longer whole: each file named alone
    window.walk_again()
    changed = [(a, a.identity.digest) for a in window.articles.values()]
    window.check()
    assert [a.title.rstrip("!") for a, digest in changed if a.identity.digest != digest and a.path != str(other)] == [
        "Changed meanwhile"
    ]
    window.assert_as_read()


def test_a_block_made_again_after_the_show_is_read_whole(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    warm(site, cache)
    window = Window(site, cache)
    db = sqlite3.connect(index_module.index_path(str(cache), str(site)))
    db.execute("DELETE FROM blocks")
    db.commit()
    monkeypatch.setattr(index_module, "BLOCK_ROWS", 4)  # other ranges, other CRCs
    make_blocks(site, cache)
    again = db.execute("SELECT sum, count FROM blocks").fetchall()
    db.close()
    window.walk_again()
    checked = window.check()
    assert checked.read == sum(count for digest, count in again if digest not in window.shown.blocks) > 0
    assert checked.added == checked.removed == []
    window.assert_as_read()


def test_a_damaged_block_is_shown_from_its_rows(site, tmp_path):
    cache = tmp_path / "cache"
    warm(site, cache)
    db = sqlite3.connect(index_module.index_path(str(cache), str(site)))
    db.execute("UPDATE blocks SET data = zeroblob(length(data)) WHERE first = (SELECT min(first) FROM blocks)")
    db.commit()
    db.close()
    window = Window(site, cache)
    assert window.shown.stats  # the damaged block's rows, shown one by one
    assert "damaged" in window.index.message
    window.check()
    window.assert_as_read()


@pytest.mark.parametrize("column", ["first", "last"])
def test_a_block_whose_range_is_damaged_is_shown_from_its_rows_once(site, tmp_path, column):
    """A block's range is not under its CRC: a block whose files are not exactly its range is
    shown from the rows, and no article twice (a fuzz run found one shown twice)."""
    cache = tmp_path / "cache"
    warm(site, cache)
    db = sqlite3.connect(index_module.index_path(str(cache), str(site)))
    first, last, _ = block_rows(site, cache)[3]
    inside = db.execute(
        "SELECT relpath FROM files WHERE relpath > ? AND relpath < ? ORDER BY relpath", (first, last)
    ).fetchone()[0]
    db.execute(f"UPDATE blocks SET {column} = ? WHERE first = ?", (inside, first))  # narrower than its files
    db.commit()
    db.close()
    window = Window(site, cache)  # asserts that no article comes twice
    assert "damaged" in window.index.message
    window.check()
    window.assert_as_read()


def test_a_walk_whose_helper_dies_is_taken_over_and_checks_the_same(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    warm(site, cache)
    change(site, "edit", 3)
    change(site, "add", 4)
    change(site, "delete", 5)
    monkeypatch.setattr(walking, "_HELPER", dying(0))  # dies before its one frame
    window = Window(site, cache)
    window.check()
    window.assert_as_read()


def test_a_folder_whose_blocks_hold_few_of_its_rows_is_not_shown_first(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    index = FolderIndex.open(str(cache), str(site))
    assert not index.shows_first()  # no blocks yet
    index.close()
    make_blocks(site, cache)
    for n in range(10):
        (site / "_news" / f"zz-{n}.md").write_text(article_text(n))
    window_scan(site, cache)  # stored, and the blocks of their range dropped
    index = FolderIndex.open(str(cache), str(site))
    held = sum(count for _, _, count in block_rows(site, cache))
    assert index.shows_first() == (held >= index.count() * index_module.SHOWN_HELD)
    index.close()


@settings(
    max_examples=int(os.environ.get("REVIEWER_BLOCK_OPENS", "15")),  # `make fuzz` 150
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(0, 999)), max_size=6),
    st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(0, 999)), max_size=3),
    st.booleans(),
)
def test_any_changes_before_or_during_the_open_leave_a_fresh_read(tmp_path_factory, before, during, indexed):
    """Changes made before the open, and changes made between the show and the check (by a bot,
    git, or another window that also stores them in the index when `indexed`)."""
    root, cache = small_site(tmp_path_factory, 24)
    warm(root, cache)
    for what, n in before:
        change(root, what, n)
    window = Window(root, cache)
    if during:
        for what, n in during:
            change(root, what, n)
        if indexed:
            window_scan(root, cache)
            make_blocks(root, cache)
        window.walk_again()
    window.check()
    window.assert_as_read()


def test_random_byte_corruptions_of_the_index_never_show_a_wrong_article(site, tmp_path):
    """What is shown before the check is what the files hold (rows and blocks carry CRCs), and
    after it, everything they hold."""
    cache = tmp_path / "cache"
    warm(site, cache)
    path = Path(index_module.index_path(str(cache), str(site)))
    truth = {a.relpath: (a.title, a.quality, a.original) for batch in scan_batches(str(site)) for a in batch.articles}
    wrong = []
    for at in corrupted(path, random.Random(12)):
        try:
            window = Window(site, cache)
        except index_module.IndexUnavailable:
            continue
        shown = {rel: (a.title, a.quality, a.original) for rel, a in window.articles.items()}
        window.check()
        after = {rel: (a.title, a.quality, a.original) for rel, a in window.articles.items()}
        if any(truth.get(rel) != values for rel, values in shown.items()) or after != truth:
            wrong.append(at)
    assert wrong == []
