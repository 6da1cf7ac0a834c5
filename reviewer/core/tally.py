"""The tally: how many articles are in each state and in each saved view, kept up as they change.

One tally feeds the sidebar's counts and the status bar, so the two can never disagree, and
no count ever walks the whole folder again: a batch of 10,000 decisions costs 10,000 small
steps, not one recount of 300,000 articles per step.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, cast

from reviewer.core.runs import Runs

Predicate = Callable[[Any], bool]
Counted = tuple["bool | None", bool, "str | None"]  # state, in the queue, kind of decision since `since`
# One tuple for each of the few distinct values, shared by every article counted so (a tuple
# an article was 6 MB at 100,000 articles).
_COUNTED: dict[Counted, Counted] = {}


class Tally:
    def __init__(self) -> None:
        self.states: dict[bool | None, int] = {True: 0, False: 0, None: 0}
        self.queue = 0  # unpublished, and no decision recorded: what is left to review
        self.decided: dict[str, int] = {}  # decisions made since `since`, by kind
        self.since = ""  # UTC time (ISO) from which decisions count as this session's
        # What each article was counted as. Keyed by the article itself (hashed by identity):
        # an id() is an int object of its own, 3 MB more for 100,000 articles each time. A block's
        # articles, given with their relative paths in order, are kept as a run instead
        # (core.runs): 23 ms of the window's thread at 100,000 articles, not spent.
        self._state: dict[Any, Counted] = {}
        self._runs: Runs[Any] = Runs()  # of articles by relative path; what each was counted as in _run_counts
        self._run_counts: list[list[Counted | None]] = []  # None: counted again since, or removed
        self._in_runs = 0
        self._views: dict[str, tuple[Predicate, set[Any]]] = {}
        self.quality_range: tuple[int, int] | None = None  # lowest and highest quality counted

    def __len__(self) -> int:
        return len(self._state) + self._in_runs

    def counted(self, article: Any) -> Counted | None:
        """What `article` was counted as, or None when it is not counted."""
        found = self._state.get(article)
        if found is None and self._in_runs:
            at = self._in_run(article)
            if at is not None:
                found = self._run_counts[at[0]][at[1]]
        return found

    def _in_run(self, article: Any) -> tuple[int, int] | None:
        at = self._runs.find(article.relpath)
        if at is None or self._runs.values[at[0]][at[1]] is not article:
            return None
        return at if self._run_counts[at[0]][at[1]] is not None else None

    def _take(self, article: Any) -> Counted | None:
        """What `article` was counted as, no longer kept (it is counted again, or removed)."""
        found = self._state.pop(article, None)
        if found is None and self._in_runs:
            at = self._in_run(article)
            if at is not None:
                counts = self._run_counts[at[0]]
                found, counts[at[1]] = counts[at[1]], None
                self._in_runs -= 1
        return found

    def clear(self, since: str = "") -> None:
        self.quality_range = None
        self.states = {True: 0, False: 0, None: 0}
        self.queue = 0
        self.decided = {}
        self.since = since
        self._state.clear()
        self._runs, self._run_counts, self._in_runs = Runs(), [], 0
        for _, members in self._views.values():
            members.clear()

    def set_views(self, views: dict[str, Predicate], articles: Iterable[Any]) -> None:
        """Count each saved view over `articles` (once, when the views change)."""
        articles = list(articles)
        self._views = {name: (p, {a for a in articles if p(a)}) for name, p in views.items()}

    def add(
        self,
        articles: Iterable[Any],
        known: tuple[list[str], list[Any], list[Any]] | None = None,
        undecided: bool = False,
    ) -> None:
        """Count new articles: _count's steps over the whole batch at once (a folder's articles
        arrive a hundred thousand at a time), each attribute taken by map(): at 100,000 articles
        0.07 s where a loop of _count's steps took 0.15. `known`: their relative paths,
        `published` and `quality` when known already (a block's columns: article.column_values);
        `undecided`: none of them has a decision (not asking each saves 6 ms at 100,000)."""
        articles = list(articles)
        states, since, decided = self.states, self.since, self.decided
        decisions = [] if undecided else list(map(_DECISION, articles))
        undecided_as = _UNDECIDED
        if known is None:
            published, qualities = list(map(_PUBLISHED, articles)), list(map(_QUALITY, articles))
        else:
            _, published, qualities = known
        if decisions.count(None) == len(decisions):  # a folder without a review log, or a batch without decisions
            counts = list(map(undecided_as.__getitem__, published))
        else:
            counts = [
                undecided_as[state] if decision is None else _count_of(state, decision, since)
                for state, decision in zip(published, decisions, strict=True)
            ]
        self._keep(articles, counts, known[0] if known else None)
        for (state, queued, kind), n in Counter(counts).items():
            states[state] += n
            self.queue += queued * n
            if kind is not None:
                decided[kind] = decided.get(kind, 0) + n
        qualities = [q for q in qualities if q is not None]
        if qualities:
            low, high = min(qualities), max(qualities)
            old = self.quality_range
            self.quality_range = (min(old[0], low), max(old[1], high)) if old else (low, high)
        for predicate, members in self._views.values():
            matched = set(filter(predicate, articles))
            members.difference_update(articles)
            members |= matched

    def _keep(self, articles: list[Any], counts: list[Counted], relpaths: list[str] | None) -> None:
        """What each article was counted as: a run, where its relative paths are sorted and after
        every run's before (a block's), and no article of it is counted already; else one by one."""
        if (
            relpaths is not None
            and not (self._state and any(map(self._state.__contains__, articles)))
            and self._runs.add(relpaths, articles)
        ):
            self._run_counts.append(cast("list[Counted | None]", counts))  # its own: set to None as they go
            self._in_runs += len(counts)
        else:
            if self._in_runs:  # one counted in a run already: counted once, as a dict keyed by article keeps it
                for article in articles:
                    self._take(article)
            self._state.update(zip(articles, counts, strict=True))

    def changed(self, articles: Iterable[Any]) -> None:
        for article in articles:
            counted = self._take(article)
            if counted is not None:
                self._uncount(counted)
            self._count(article)

    def remove(self, articles: Iterable[Any]) -> None:
        for article in articles:
            counted = self._take(article)
            if counted is not None:
                self._uncount(counted)
                for _, members in self._views.values():
                    members.discard(article)

    def _uncount(self, counted: tuple[bool | None, bool, str | None]) -> None:
        state, queued, kind = counted
        self.states[state] -= 1
        self.queue -= queued
        if kind is not None:
            self.decided[kind] -= 1

    def _count(self, article: Any) -> None:
        self._state[article] = counted = _counted(article, self.since)
        state, queued, kind = counted
        self.states[state] += 1
        self.queue += queued
        if kind is not None:
            self.decided[kind] = self.decided.get(kind, 0) + 1
        quality = article.quality
        if quality is not None:
            low, high = self.quality_range or (quality, quality)
            self.quality_range = (min(low, quality), max(high, quality))
        for predicate, members in self._views.values():
            if predicate(article):
                members.add(article)
            else:
                members.discard(article)

    def view(self, name: str) -> int | None:
        found = self._views.get(name)
        return len(found[1]) if found else None


def _counted(article: Any, since: str) -> Counted:
    """What the tally counts an article as: its state, whether it is in the queue (unpublished,
    no decision), and the kind of its decision when made since `since`."""
    return _count_of(article.published, article.decision, since)


def _count_of(state: bool | None, decision: Any, since: str) -> Counted:
    queued = state is False and decision is None
    kind = decision[0] if decision is not None and since and decision[2] >= since else None
    counted = (state, queued, kind)
    return _COUNTED.setdefault(counted, counted)


_PUBLISHED, _DECISION, _QUALITY = (operator.attrgetter(name) for name in ("published", "decision", "quality"))
# What an article without a decision counts as, by state: most of a folder just read.
_UNDECIDED: dict[bool | None, Counted] = {state: _count_of(state, None, "") for state in (True, False, None)}
