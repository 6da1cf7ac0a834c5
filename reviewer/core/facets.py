"""Facets: providers, topics, types and years of a list of articles, counted, and the query
term each value stands for (calibre's tag browser, for front matter).
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from .article import Article
from .ordering import STEP, Steps
from .query import quote

FACETS = ("Providers", "Topics", "Types", "Years")
NONE = ""  # the value of an article without one


def counting(articles: list[Article]) -> Steps[dict[str, Counter[str]]]:
    """How many of `articles` have each value of each facet, in steps (see core.ordering)."""
    providers: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    types: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for start in range(0, len(articles), STEP):
        chunk = articles[start : start + STEP]
        providers.update([a.provider.name for a in chunk])
        types.update([a.type for a in chunk])
        years.update([year if (year := a.date[:4]).isdigit() else NONE for a in chunk])
        # One update a chunk: one an article checked each time whether it was given a mapping
        # (an ABC's isinstance), a third of the count's time.
        topics.update(chain.from_iterable(t if len(t) < 2 else set(t) for a in chunk if (t := a.topics)))
        yield
    return {"Providers": providers, "Topics": topics, "Types": types, "Years": years}


def term(facet: str, value: str, exclude: bool = False) -> str:
    """The query term that keeps (or, with `exclude`, leaves out) the articles with this value.

    >>> term("Providers", "Bright Foundry"), term("Topics", "AI", exclude=True), term("Years", "2023")
    ('provider.name:="Bright Foundry"', '-topic:=AI', 'date:2023')
    >>> term("Types", "")
    '-has:type'
    """
    field = {"Providers": "provider.name", "Topics": "topic", "Types": "type", "Years": "date"}[facet]
    if value == NONE:
        found = f"has:{'topics' if facet == 'Topics' else 'publishedDateTime' if facet == 'Years' else field}"
        return found if exclude else f"-{found}"
    text = f"{field}:{value}" if facet == "Years" else f"{field}:={quote(value)}"
    return f"-{text}" if exclude else text


def toggle(query: str, added: str) -> str:
    """The query with the term added, or taken out when it is there already; a term that is
    there the other way round (kept, now excluded) is replaced.

    >>> toggle("robots", "topic:=AI")
    'robots topic:=AI'
    >>> toggle("robots topic:=AI", "topic:=AI")
    'robots'
    >>> toggle("topic:=AI quality:>5", "-topic:=AI")
    'quality:>5 -topic:=AI'
    """
    opposite = added[1:] if added.startswith("-") else "-" + added
    padded = f" {query.strip()} "  # the rest of the query is kept as typed, spaces in quotes too
    if f" {added} " in padded:
        return padded.replace(f" {added} ", " ", 1).strip()
    if f" {opposite} " in padded:
        padded = padded.replace(f" {opposite} ", " ", 1)
    rest = padded.strip()
    return f"{rest} {added}" if rest else added
