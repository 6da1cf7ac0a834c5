"""Packs kept in a temporary file (core.spill): an article from the index's blocks whose pack
waits on disk reads, saves, pickles and goes back into the index exactly as one read from its file."""

import gc
import marshal
import os
import pickle
import shutil
import weakref
from pathlib import Path

import pytest

from reviewer.core import article as article_module
from reviewer.core import index as index_module
from reviewer.core import library
from reviewer.core.article import Article, articles_from_block, block_columns
from reviewer.core.index import FolderIndex
from reviewer.core.library import read_article, scan_batches
from reviewer.core.spill import Held, Placed, Spill, Spilled
from reviewer.core.storage import write_many
from tests.core.test_index_blocks import FIELDS
from tests.helpers import CORPUS, EXAMPLES, writable_copy


def read_all(root: Path) -> list[Article]:
    return [a for batch in scan_batches(str(root), parallel=False) for a in batch.articles]


def spilled_copies(articles: list[Article], root: Path, spill: Spill) -> list[Article]:
    """The articles as a block gives them back with `spill` (what the window's index does)."""
    columns, packs = block_columns(articles)
    return articles_from_block(str(root), marshal.loads(marshal.dumps(columns)), packs, spill)


def assert_same(made: Article, article: Article) -> None:
    assert [getattr(made, name) for name in FIELDS] == [getattr(article, name) for name in FIELDS]
    assert made.original == article.original
    assert made.metadata == article.metadata
    assert made.key_names() == article.key_names()
    assert made.snapshot().metadata() == article.snapshot().metadata()
    assert made.snapshot().listed() == article.snapshot().listed()


@pytest.mark.parametrize("source", ["examples", "corpus"])
def test_a_spilled_article_is_the_article_read(source, tmp_path):
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    root = EXAMPLES if source == "examples" else CORPUS
    articles = read_all(root)
    spill = Spill(str(tmp_path))
    again = spilled_copies(articles, root, spill)
    assert len(again) == len(articles) > 50
    # The block's packs went to the spill whole, with one write: its articles share where.
    [kept] = {id(a._spill): a._spill for a in again}.values()
    assert type(kept) is Placed
    assert kept.spill is spill
    assert kept.start == 0
    assert spill._end == sum(len(a._whole()) - 40 for a in articles)
    # Each keeps its identity and where its pack is: 52 bytes, where the pack took hundreds.
    assert all(len(a._stored) == 52 for a in again)
    assert sum(len(a._stored) for a in articles) > 4 * sum(len(a._stored) for a in again)
    for article, made in zip(articles, again, strict=True):
        assert_same(made, article)
        # What goes back into the index, or to another process, has the pack itself.
        # (compared as values: marshal marks an object another reference holds, bytes apart)
        assert marshal.loads(made.index_state()[1:]) == marshal.loads(article.index_state()[1:])
        assert block_columns([made]) == block_columns([article])
        sent = pickle.loads(pickle.dumps(made))
        assert sent._spill is None
        assert_same(sent, article)


def test_a_spilled_pack_travels_to_another_process_as_its_bytes(tmp_path):
    [article] = read_all(EXAMPLES)[:1]
    [made] = spilled_copies([article], EXAMPLES, Spill(str(tmp_path)))
    packed = made.snapshot().packed
    assert isinstance(packed, Spilled)
    assert pickle.loads(pickle.dumps(packed)) == article.snapshot().packed
    state = made.save_state()
    assert pickle.loads(pickle.dumps(state.snapshot())).metadata() == article.original


def test_a_spilled_article_saves_what_a_read_one_saves(tmp_path):
    ours = writable_copy(EXAMPLES, tmp_path / "ours")
    theirs = writable_copy(EXAMPLES, tmp_path / "theirs")
    spill = Spill(str(tmp_path / "spill"))
    spilled = spilled_copies(read_all(ours), ours, spill)[:12]
    read = {a.relpath: a for a in read_all(theirs)}
    plain = [read[a.relpath] for a in spilled]
    for i, (a, b) in enumerate(zip(spilled, plain, strict=True)):
        for each in (a, b):
            each.set("quality", 40 + i)
            each.set("published", i % 2 == 0)
    for articles, root in ((spilled, ours), (plain, theirs)):
        states = [a.save_state() for a in articles]
        results = write_many([s.job() for s in states], str(root))
        assert not [r for r in results if not hasattr(r, "identity")], results
        for article, state, written in zip(articles, states, results, strict=True):
            article.written(written.metadata, written.identity, state.edits)  # type: ignore[union-attr]
    for a, b in zip(spilled, plain, strict=True):
        assert (ours / a.relpath).read_bytes() == (theirs / b.relpath).read_bytes()
        assert not a.edits
        assert a.original == b.original
        assert a._spill.spill is spill  # only the keys the list holds changed: the rest stays where it was
        fresh = read_article(a.path, str(ours))
        assert isinstance(fresh, Article)
        assert_same(a, fresh)


def test_a_file_changed_under_an_edited_spilled_article_keeps_what_it_read(tmp_path):
    site = writable_copy(EXAMPLES, tmp_path / "site")
    [article] = spilled_copies(read_all(site)[:1], site, Spill(str(tmp_path / "spill")))
    before = article.original
    article.set("quality", 5)
    path = Path(article.path)
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: Changed", 1), encoding="utf-8")
    fresh = read_article(article.path, str(site))
    assert isinstance(fresh, Article)
    article.changed_on_disk(fresh)
    assert article.conflict
    assert article.original == before != fresh.original
    article.revert()
    article.changed_on_disk(fresh)  # without edits: it takes the file as it is now
    assert_same(article, fresh)
    assert article._spill is None


@pytest.mark.parametrize("why", ["full", "no spill"])
def test_a_spill_that_cannot_be_written_leaves_the_packs_in_memory(why, tmp_path, monkeypatch):
    articles = read_all(EXAMPLES)
    spill = Spill(str(tmp_path))

    def full(data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill, "add", full)
    again = spilled_copies(articles, EXAMPLES, spill if why == "full" else None)
    # The block's packs as one bytes object, which all its articles share.
    [kept] = {id(a._spill): a._spill for a in again}.values()
    assert type(kept) is Held
    assert len(kept.data) == sum(len(a._stored) - 40 for a in articles)
    assert [a._whole() for a in again] == [a._stored for a in articles]
    for article, made in zip(articles, again, strict=True):
        assert_same(made, article)
    with pytest.raises(OSError, match="cut short"):
        Spilled(kept, len(kept.data) - 3, 4).read()


def test_a_spill_closes_when_no_article_keeps_a_pack_in_it(tmp_path):
    spill = Spill(str(tmp_path))
    file = spill._file
    articles = spilled_copies(read_all(EXAMPLES), EXAMPLES, spill)
    gone = weakref.ref(spill)
    del spill
    gc.collect()
    assert gone() is not None
    assert not file.closed
    del articles
    gc.collect()
    assert gone() is None
    assert file.closed
    assert os.listdir(tmp_path) == []  # nothing left in the folder, while the process runs or after


def test_the_window_index_spills_block_packs_and_a_command_does_not(tmp_path, monkeypatch):
    site = writable_copy(EXAMPLES, tmp_path / "site")
    cache = tmp_path / "cache"
    monkeypatch.setattr(index_module, "BLOCK_ROWS", 6)
    monkeypatch.setattr(index_module, "FIRST_BLOCK_ROWS", 2)
    monkeypatch.setattr(library, "WALK_ELSEWHERE", 0)

    def scan(spill: bool) -> list[Article]:
        index = FolderIndex.open(str(cache), str(site))
        index.spill_packs = spill
        try:
            return [a for batch in scan_batches(str(site), parallel=True, index=index) for a in batch.articles]
        finally:
            index.close()

    scan(False)
    assert index_module.make_blocks(str(cache), str(site)) > 5
    printed, kept = scan(False), scan(True)
    assert not any(type(a._spill) is Placed for a in printed)
    assert sum(1 for a in printed if type(a._spill) is Held) > len(printed) // 2
    assert sum(1 for a in kept if type(a._spill) is Placed) > len(kept) // 2
    for a, b in zip(kept, printed, strict=True):
        assert_same(a, b)
    shutil.rmtree(site)  # the files are gone: what was read stays readable from the spill
    assert [a.original for a in kept] == [a.original for a in printed]


def test_the_spilled_form_holds_the_identity_then_where_the_pack_is():
    assert article_module._SPILLED.size == article_module._ID + article_module._WHERE.size == 52
