"""Article: original and current values, edits, folding a save in, packing, pickling."""

import pickle
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.core.article import _ABSENT, SUMMARY_KEYS, Article, Identity, PackedMetadata, Provider
from reviewer.core.frontmatter_text import UNSET, read, set_keys

TEXT = (
    "---\ntitle: A story\nquality: 40\nheat: -1\npublished: false\n"
    "provider:\n  name: Wire\ntopics: [AI, Chips]\nrelated:\n  - title: Other\n---\nBody\n"
)


def article(text: str = TEXT) -> Article:
    return Article("/site/a.md", "a.md", Identity(len(text), 1, b"d"), read(text)[1])


def test_an_edit_is_the_current_value_and_setting_it_back_drops_it():
    a = article()
    a.set("quality", 55)
    assert (a.quality, a.value("quality"), a.stored("quality")) == (55, 55, 40)
    a.set("quality", 40)
    assert a.edits == {}
    assert not a.is_modified


def test_unset_removes_the_key_from_the_current_metadata_only():
    a = article()
    a.set("published", UNSET)
    assert a.published is None
    assert a.value("published") is None
    assert "published" not in a.metadata
    assert a.original["published"] is False
    b = article(TEXT.replace("published: false\n", ""))
    b.set("published", UNSET)  # absent already: nothing to do
    assert b.edits == {}


@pytest.mark.parametrize(
    "edits",
    [{"published": True}, {"quality": 41, "published": True}, {"published": UNSET}, {"quality": UNSET}],
)
def test_folding_a_save_in_equals_reading_the_written_file(edits):
    a = article()
    for key, value in edits.items():
        a.set(key, value)
    new_text = set_keys(TEXT, dict(a.edits), a.original)
    changes = a.written(read(new_text)[1], Identity(len(new_text), 2, b"e"), dict(a.edits))
    fresh = article(new_text)
    assert a.original == fresh.original
    assert dict(a.original) == read(new_text)[1]
    assert (a.published, a.quality, a.title, a.topics) == (fresh.published, fresh.quality, fresh.title, fresh.topics)
    assert a.edits == {}
    assert [k for k, _, _ in changes] == list(edits)


SUMMARY_ATTRIBUTES = ("title", "excerpt", "date", "type", "category", "topics", "original_url", "web_url", "heat")


@pytest.mark.parametrize("key", SUMMARY_KEYS)
def test_folding_in_any_listed_key_leaves_the_summary_as_reading_would(key):
    # _fold skips working out the summary again for keys it does not read (published, quality):
    # this fails when a key the summary reads is missing from the keys it watches.
    value = ["Robots"] if key == "topics" else 7 if key in ("heat", "quality") else f"new {key}"
    a = article()
    a.written(lambda: {}, Identity(1, 2, b"e"), {key: value})
    fresh = Article("/site/a.md", "a.md", Identity(1, 2, b"e"), {**read(TEXT)[1], key: value})
    assert [getattr(a, name) for name in SUMMARY_ATTRIBUTES] == [getattr(fresh, name) for name in SUMMARY_ATTRIBUTES]
    assert a.value(key) == value


def test_folding_in_a_key_the_file_did_not_have():
    text = TEXT.replace("published: false\n", "")
    a = article(text)
    a.set("published", True)
    new_text = set_keys(text, {"published": True}, a.original)
    a.written(read(new_text)[1], Identity(len(new_text), 2, b"e"), {"published": True})
    assert a.original == read(new_text)[1]
    assert a.published is True


def test_an_edit_made_during_the_save_stays_pending():
    a = article()
    a.set("quality", 41)
    written = dict(a.edits)
    a.set("quality", 42)  # while the save of 41 ran
    new_text = set_keys(TEXT, written, a.original)
    a.written(read(new_text)[1], Identity(len(new_text), 2, b"e"), written)
    assert a.stored("quality") == 41
    assert a.edits == {"quality": 42}


def test_a_snapshot_unpacks_to_the_original_anywhere():
    a = article()
    snapshot = pickle.loads(pickle.dumps(a.snapshot()))
    assert isinstance(snapshot, PackedMetadata)
    assert snapshot.metadata() == a.original


def test_a_save_state_is_the_article_at_that_moment():
    """Taken on the window's thread, worked out on the saving one: later edits do not reach it."""
    a = article()
    a.set("quality", 41)
    a.set("published", True)
    a.pending = ("approve", "ed", "2026-11-29T10:00:00Z")
    state, before = a.save_state(), a.identity
    path, identity, snapshot, edits = state.job()
    assert (path, identity, edits) == (a.path, a.identity, a.edits)
    assert snapshot.metadata() == a.original
    assert snapshot == a.snapshot()
    assert state.changes() == a.changes() == [("quality", 40, 41), ("published", False, True)]
    assert (state.relpath, state.link, state.pending) == (a.relpath, a.link, a.pending)
    a.set("quality", 42)  # the editor goes on while the save runs
    a.written(read(TEXT.replace("quality: 40", "quality: 41"))[1], Identity(1, 2, b"e"), {"quality": 41})
    assert state.job()[3] == {"quality": 41, "published": True}
    assert state.job()[1] == before != a.identity
    assert state.changes()[0] == ("quality", 40, 41)


def test_a_snapshot_gives_a_key_the_list_does_not_use_by_unpacking():
    snapshot = PackedMetadata.of(read(TEXT)[1])
    assert snapshot.stored("related") == [{"title": "Other"}]
    assert snapshot.stored("quality") == 40
    assert snapshot.stored("missing") is None
    assert snapshot.stored("missing", 7) == 7
    assert PackedMetadata.of({"title": "x"}).stored("published", "absent") == "absent"


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(st.sampled_from(["title", "webUrl", "originalUrl", "ampWebUrl", "images", "x"]), _VALUES),
    st.dictionaries(st.text(max_size=8), _VALUES, max_size=4),
)
def test_packed_metadata_unpacks_to_what_was_packed(listed, rest):
    """Whatever the title and URLs the pack is compressed against (see article._preset) are."""
    metadata = {**rest, **listed}
    assert PackedMetadata.of(metadata).metadata() == metadata


def test_a_pack_cut_short_is_an_error_not_less_metadata():
    packed = PackedMetadata.of(read(TEXT)[1])
    cut = PackedMetadata(packed.keys, packed.packed[:-4], packed.raw, packed.sizes)
    with pytest.raises(zlib.error):
        cut.metadata()


def test_pickling_keeps_edits_and_why_it_is_read_only():
    a = article()
    a.set("published", True)
    a.read_only = "outside the opened folder"
    b = pickle.loads(pickle.dumps(a))
    assert (b.edits, b.read_only, b.original, b.title) == (a.edits, a.read_only, a.original, a.title)


def test_articles_without_edits_share_nothing_an_edit_could_leak_through():
    a, b = article(), article()
    a.set("quality", 90)
    assert (a.edits, b.edits) == ({"quality": 90}, {})
    a.set("quality", 40)  # back to the file's value: the edit is dropped
    b.set("published", True)
    assert (a.edits, b.edits) == ({}, {"published": True})
    b.revert()
    a.set("published", UNSET)
    assert (a.edits, b.edits) == ({"published": UNSET}, {})


@pytest.mark.parametrize(
    ("path", "relpath"),
    [("/site/a.md", "a.md"), ("/site/2024/a.md", "2024/a.md"), ("/elsewhere/b.md", "a.md"), ("a.md", "a.md")],
)
def test_the_path_is_the_one_given_through_pickling_and_the_index(path, relpath):
    a = Article(path, relpath, Identity(len(TEXT), 1, b"d"), read(TEXT)[1])
    restored = Article.from_index(path, relpath, a.index_state())
    for other in (a, pickle.loads(pickle.dumps(a)), restored):
        assert (other.path, other.relpath) == (path, relpath)


def test_an_article_shown_under_another_name_keeps_its_path():
    a = article()
    a.show_as("../site/a.md")
    assert (a.path, a.relpath) == ("/site/a.md", "../site/a.md")


@given(
    st.dictionaries(st.sampled_from([*SUMMARY_KEYS, "images"]), _VALUES),
    st.sampled_from(["", "outside the folder"]),
)
def test_an_article_from_the_index_is_the_article_that_was_indexed(metadata, read_only):
    a = Article("/site/a.md", "a.md", Identity(10, 1, b"d" * 16, 3), metadata, read_only)
    b = Article.from_index("/site/a.md", "a.md", a.index_state())
    fields = ("title", "excerpt", "date", "type", "category", "topics", "original_url", "web_url", "heat")
    assert [getattr(b, f) for f in fields] == [getattr(a, f) for f in fields]
    assert (b.published, b.quality, b.provider, b.identity, b.read_only) == (
        a.published, a.quality, a.provider, a.identity, a.read_only,
    )  # fmt: skip
    assert len(b._raw) == len(a._raw)
    assert all((x is y) if _ABSENT in (x, y) else x == y for x, y in zip(a._raw, b._raw, strict=True))
    assert b.original == a.original == metadata


_PROVIDER_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "domain", "images"]), inner),
    max_leaves=6,
)


@given(_PROVIDER_VALUES)
def test_the_provider_name_listed_is_the_name_of_the_provider(value):
    assert Provider.name_of(value) == Provider.from_value(value).name
