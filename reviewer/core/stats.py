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
