"""Review statistics: per provider, and decisions per day by editor; for `reviewer stats` and the window."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .article import Article
from .review_log import Decision

APPROVING = ("approve", "publish")
REJECTING = ("reject", "unpublish")


@dataclass
class ProviderRow:
    provider: str
    articles: int = 0
    approved: int = 0
    rejected: int = 0
    quality_sum: int = 0
    with_quality: int = 0

    @property
    def approval_rate(self) -> float | None:
        """Approved among those decided either way; None before any decision."""
        decided = self.approved + self.rejected
        return self.approved / decided if decided else None

    @property
    def mean_quality(self) -> float | None:
        return self.quality_sum / self.with_quality if self.with_quality else None

    def as_dict(self) -> dict[str, object]:
        rate, mean = self.approval_rate, self.mean_quality
        return {
            "provider": self.provider,
            "articles": self.articles,
            "approved": self.approved,
            "rejected": self.rejected,
            "approval_rate": None if rate is None else round(rate, 4),
            "mean_quality": None if mean is None else round(mean, 2),
        }


def by_provider(articles: Iterable[Article]) -> list[ProviderRow]:
    """One row per provider name ('' for none), most articles first; decisions as they stand now."""
    rows: dict[str, ProviderRow] = {}
    for article in articles:
        name = article.provider.name
        row = rows.get(name) or rows.setdefault(name, ProviderRow(name))
        row.articles += 1
        decision = article.decision
        if decision is not None:
            row.approved += decision[0] in APPROVING
            row.rejected += decision[0] in REJECTING
        quality = article.quality
        if quality is not None:
            row.quality_sum += quality
            row.with_quality += 1
    return sorted(rows.values(), key=lambda r: (-r.articles, r.provider.casefold()))


def per_day(decisions: Iterable[Decision], days: int = 30, today: datetime | None = None) -> dict[str, list[int]]:
    """Decisions a day for the last `days` days (oldest first), by editor."""
    end = (today or datetime.now(UTC)).date()
    first = end - timedelta(days=days - 1)
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for decision in decisions:
        try:
            day = datetime.strptime(decision.time[:10], "%Y-%m-%d").date()
        except ValueError:
            continue
        if first <= day <= end:
            counts[decision.editor][(day - first).days] += 1
    return {editor: [c[i] for i in range(days)] for editor, c in sorted(counts.items())}


STATES = ("published", "unpublished", "unset")
_NICE = (1, 2, 5)


@dataclass
class Histogram:
    """Quality counts in bins of one width, split by published state.

    Bin i holds `edges[i] <= quality < edges[i] + width`; when `overflow` is true the last bin
    holds every quality from its edge up (the few values above the 99th percentile, so that one
    article at 100,000 does not squeeze the others into one bar).
    """

    edges: list[int]
    width: int
    counts: dict[str, list[int]]  # state -> count per bin
    overflow: bool = False
    without_quality: int = 0

    @property
    def total(self) -> int:
        return sum(sum(c) for c in self.counts.values())


def nice_width(raw: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at least `raw`.

    >>> [nice_width(x) for x in (0.3, 1, 3, 7.5, 11, 260)]
    [1, 1, 5, 10, 20, 500]
    """
    scale = 1
    while True:
        for step in _NICE:
            if step * scale >= raw:
                return step * scale
        scale *= 10


def quality_histogram(articles: Iterable[Article], bins: int = 20) -> Histogram:
    """About `bins` bins of a round width over the qualities of `articles`, by published state."""
    values: list[tuple[int, str]] = []
    without = 0
    for article in articles:
        quality = article.quality
        if quality is None:
            without += 1
        else:
            values.append((quality, STATES[(True, False, None).index(article.published)]))
    if not values:
        return Histogram([], 1, {state: [] for state in STATES}, without_quality=without)
    ordered = sorted(q for q, _ in values)
    low, high, top = ordered[0], ordered[int(0.99 * (len(ordered) - 1))], ordered[-1]
    if len(ordered) < 100 or top - low <= 2 * (high - low):
        high = top  # too few values to call any an outlier, or no far ones: bins up to the top
    width = nice_width(max(1.0, (high - low + 1) / bins))
    start = low // width * width
    n = (high - start) // width + 1
    overflow = top >= start + n * width
    n += overflow
    counts = {state: [0] * n for state in STATES}
    for quality, state in values:
        counts[state][min((quality - start) // width, n - 1)] += 1
    return Histogram([start + i * width for i in range(n)], width, counts, overflow, without)
