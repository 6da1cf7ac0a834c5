"""How `reviewer list` prints an article: its JSON line is json.dumps of its record, whatever the
front matter holds."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.core.article import Article, Identity
from reviewer.core.listing import _one_line, json_line, record

_TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\\u2028\u2029\x85\x00\x1f é'), max_size=8)
_SCALAR = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | _TEXT
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3))
_KEYS = ["title", "name", "published", "quality", "heat", "provider", "publishedDateTime", "type", "topics"]


@settings(max_examples=1500)
@given(
    st.dictionaries(st.sampled_from([*_KEYS, "originalUrl", "webUrl"]), _VALUE, max_size=10),
    st.dictionaries(st.sampled_from(["name", "domain"]), _VALUE, max_size=2),
    _TEXT,
)
def test_the_json_line_is_json_dumps_of_the_record(metadata, provider, relpath):
    if provider:
        metadata["provider"] = provider
    article = Article("/site/" + relpath, relpath, Identity.of(b"", 0, 0), metadata)
    assert json_line(article) == _one_line(json.dumps(record(article), ensure_ascii=False))
