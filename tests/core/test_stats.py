"""Review statistics: the quality histogram, decisions a day, the provider table."""

from datetime import UTC, datetime

import pytest

from reviewer.core.article import Article, Identity
from reviewer.core.frontmatter_text import read
from reviewer.core.query import compile_query, quote
from reviewer.core.review_log import Decision
from reviewer.core.stats import by_provider, per_day, quality_histogram


def article(quality=None, published=None, provider="Wire", name="a.md") -> Article:
    lines = ["title: t"]
    if quality is not None:
        lines.append(f"quality: {quality}")
    if published is not None:
        lines.append(f"published: {'true' if published else 'false'}")
    if provider:
        lines.append(f"provider:\n  name: {provider}")
    text = "---\n" + "\n".join(lines) + "\n---\n"
    return Article(f"/site/{name}", name, Identity(len(text), 1, b"d"), read(text)[1])


def test_the_histogram_splits_each_bin_by_published_state_and_counts_the_rest():
    articles = [article(12, True), article(17, False), article(18, None), article(25, True), article(None, False)]
    h = quality_histogram(articles, bins=5)
    assert (h.edges, h.width, h.overflow) == ([10, 15, 20, 25], 5, False)
    assert h.counts == {"published": [1, 0, 0, 1], "unpublished": [0, 1, 0, 0], "unset": [0, 1, 0, 0]}
    assert (h.total, h.without_quality) == (4, 1)


def test_a_far_outlier_goes_to_a_last_bin_of_its_own_not_a_bin_width_of_thousands():
    articles = [article(q, False) for q in range(0, 200)] + [article(1_000_000, True)]
    h = quality_histogram(articles, bins=20)
    assert h.width == 10
    assert h.overflow
    assert h.edges[-1] == 200
    assert h.counts["published"][-1] == 1
    assert sum(h.counts["unpublished"]) == 200
    assert h.counts["unpublished"][-1] == 0


def test_no_quality_at_all_is_an_empty_histogram():
    h = quality_histogram([article(None), article(None)])
    assert (h.edges, h.total, h.without_quality) == ([], 0, 2)


def test_decisions_a_day_count_the_last_days_per_editor():
    today = datetime(2026, 11, 29, 12, tzinfo=UTC)

    def d(time, editor):
        return Decision(time, editor, "a.md", "", "approve")

    decisions = [
        d("2026-11-29T08:00:00.000Z", "ana"),
        d("2026-11-29T09:00:00.000Z", "ana"),
        d("2026-11-27T09:00:00.000Z", "bo"),
        d("2026-10-31T00:01:00.000Z", "bo"),  # the first of the 30 days
        d("2026-10-30T23:59:00.000Z", "bo"),  # before them
    ]
    days = per_day(decisions, 30, today)
    assert days["ana"][-1] == 2
    assert sum(days["ana"]) == 2
    assert days["bo"][27] == 1
    assert days["bo"][0] == 1
    assert sum(days["bo"]) == 2


def test_the_provider_table_counts_decisions_as_they_stand():
    a, b, c = article(10, None, "Wire", "a.md"), article(30, None, "Wire", "b.md"), article(None, None, "", "c.md")
    a.logged = ("approve", "ana", "2026-11-28T10:00:00.000Z")
    b.logged = ("approve", "ana", "2026-11-28T10:00:00.000Z")
    b.pending = ("reject", "bo", "2026-11-29T10:00:00.000Z")  # decided again, not saved yet
    wire, none = by_provider([a, b, c])
    assert (wire.provider, wire.articles, wire.approved, wire.rejected, wire.mean_quality) == ("Wire", 2, 1, 1, 20)
    assert wire.approval_rate == 0.5
    assert (none.provider, none.articles, none.approval_rate, none.mean_quality) == ("", 1, None, None)


def test_the_query_a_provider_row_filters_by_matches_exactly_that_provider():
    for name in ("Wire", "Bright Foundry", 'The "Daily" Post', "back\\slash", "a-b (c)"):
        query = compile_query("provider.name:=" + quote(name))
        assert query(article(provider=f"'{name}'" if '"' in name or "\\" in name else f'"{name}"'))
        assert not query(article(provider="Wire Two"))
    assert compile_query("-has:provider.name")(article(provider=""))
    with pytest.raises(ValueError, match="unclosed|quote|end"):
        compile_query('provider.name:="unclosed \\"')


def test_facets_count_each_article_once_per_value():
    from reviewer.core.facets import counting
    from reviewer.core.ordering import run

    text = "---\ntitle: t\ntopics: [AI, AI, Chips]\ntype: news\npublishedDateTime: 2023-05-01T00:00:00Z\n---\n"
    tagged = Article("/site/t.md", "t.md", Identity(len(text), 1, b"d"), read(text)[1])
    counts = run(counting([tagged, article(provider="Wire"), article(provider="")]))
    assert counts["Topics"] == {"AI": 1, "Chips": 1}  # a topic written twice counts once
    assert counts["Years"] == {"2023": 1, "": 2}
    assert counts["Providers"] == {"": 2, "Wire": 1}
    assert counts["Types"] == {"news": 1, "": 2}
