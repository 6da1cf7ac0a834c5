"""The query language, on articles built from front matter text."""

import pytest

from reviewer.core.article import Article, Identity
from reviewer.core.frontmatter_text import parse
from reviewer.core.query import QueryError, compile_query, uses_decisions


def make(relpath, yaml_text):
    return Article("/x/" + relpath, relpath, Identity(0, 0, b""), parse(yaml_text))


ARTICLES = [
    make(
        "news/a.md",
        """
title: Studios keep the strike going
excerpt: A contentious AI deal
publishedDateTime: 2023-11-07T18:30:00Z
quality: 67
heat: -1
published: false
provider: {name: Gizmodo, domain: gizmodo.com}
topics: [AI, Computer Vision]
images: [{url: /assets/a.jpg, width: 10, height: 5}]
related:
  - {title: R1, provider: {name: Forbes, domain: forbes.com}, quality: 73}
  - {title: R2, provider: {name: Wired, domain: wired.com}}
  - {title: R3}
""",
    ),
    make(
        "news/b.md",
        """
title: Robots paint at SXSW
publishedDateTime: 2021-03-11T12:00:00Z
provider: {name: Forbes, domain: forbes.com}
topics: [AI]
""",
    ),
    make(
        "archive/c.md",
        """
title: Face detection
publishedDateTime: 2015-02-17T14:00:00Z
quality: 161
heat: 161
published: true
topics: [Computer Vision]
""",
    ),
]


def matching(query):
    predicate = compile_query(query)
    return [a.relpath.split("/")[-1][0] for a in ARTICLES if predicate(a)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["a", "b", "c"]),
        ("strike", ["a"]),
        ("STRIKE studios", ["a"]),
        ("gizmodo", ["a"]),
        ("archive", ["c"]),
        ("provider.domain:forbes.com", ["b"]),
        ("related.provider.domain:forbes.com", ["a"]),
        ("topic:AI", ["a", "b"]),
        ("topics:ai", ["a", "b"]),
        ('topic:"Computer Vision"', ["a", "c"]),
        ("quality:>=60", ["a", "c"]),
        ("quality:>100", ["c"]),
        ("quality:67", ["a"]),
        ("heat:<0", ["a"]),
        ("date:2023-11", ["a"]),
        ("date:>=2021-01-01", ["a", "b"]),
        ("date:<2021-03", ["c"]),
        ("date:<=2021-03", ["b", "c"]),
        ("published:true", ["c"]),
        ("published:false", ["a"]),
        ("published:unset", ["b"]),
        ("has:images", ["a"]),
        ("has:related", ["a"]),
        ("-has:related", ["b", "c"]),
        ("related:#>2", ["a"]),
        ("related:#0", ["b", "c"]),
        ("topics:#2", ["a"]),
        ("-topic:AI", ["c"]),
        ("published:true or published:unset", ["b", "c"]),
        ("(robots or face) -published:true", ["b"]),
        ("topic:ai and -(quality:>60)", ["b"]),
        ("title:=face detection", []),
        ('title:="Face detection"', ["c"]),
        ("path:archive/", ["c"]),
        ("publisheddatetime:2015", ["c"]),
    ],
)
def test_queries(query, expected):
    assert matching(query) == expected


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("(topic:AI", 0),
        ("topic:AI)", 8),
        ('title:"open', 6),
        ("a or", 2),
        ("published:maybe", 10),
        ("related:#>x", 8),
        ("quality:", 8),
        ("()", 0),
        ("and a", 0),
    ],
)
def test_malformed_queries_report_position(query, position):
    with pytest.raises(QueryError) as err:
        compile_query(query)
    assert err.value.position == position
    assert f"position {position + 1}" in str(err.value)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

QUERY_ALPHABET = st.sampled_from(list('abcdeq:"()-=<>!#.* \tORANDorandNOT_09') + ["published", "quality", "topic"])


@settings(max_examples=500, deadline=None)
@given(st.lists(QUERY_ALPHABET, max_size=12).map("".join) | st.text(max_size=30))
def test_any_text_parses_or_is_refused_with_a_position_inside_it(text):
    from reviewer.core.query import QueryError, compile_query

    try:
        predicate = compile_query(text)
    except QueryError as exc:
        refused: QueryError | None = exc
    else:
        refused = None
    if refused is not None:
        assert 0 <= refused.position <= len(text)
        assert refused.message
        assert "\n" not in refused.message
    else:
        predicate.describe()
        predicate(make("x.md", "title: x\nquality: 5\n"))  # and it runs on an article


def test_a_query_answers_each_article_as_it_is_now_not_as_an_earlier_one_with_equal_topics():
    """A query remembers its answer for each topics list and provider it met (they are shared
    between articles); an article read again holds new ones, and an edit is its own value."""
    query, quality = compile_query('topic:"Computer Vision"'), compile_query("quality:>=60")
    first = make("news/x.md", "title: X\ntopics: [Computer Vision]\nquality: 50\n")
    second = make("news/y.md", "title: Y\ntopics: [Computer Vision]\nquality: 70\n")
    assert query(first)
    assert query(second)
    changed = make("news/x.md", "title: X\ntopics: [Robotics]\nquality: 50\n")
    first.take(changed)
    assert not query(first)
    assert query(second)
    assert [quality(a) for a in (first, second)] == [False, True]
    first.set("quality", 65)  # an edit, not yet saved
    assert quality(first)


@pytest.mark.parametrize(
    ("query", "uses"),
    [
        ("", False),
        ("published:false quality:>=60 robots", False),
        ("decision:none", True),
        ("title:a (quality:>3 OR -editor:bo)", True),
        ("-(published:true OR decided:>=2026-11)", True),
        ("has:related -same:2", False),
    ],
)
def test_a_query_says_whether_it_needs_the_review_log(query, uses):
    assert uses_decisions(compile_query(query)) is uses
