"""Sort and filter large lists in steps, so that a window can go on answering between them.

Work in Python on a worker thread does not keep a Qt window answering: each call Qt makes
into Python (every cell it paints) must first win Python's lock from that thread, and a
repaint makes thousands. So long work on the articles runs on the GUI thread itself, in
steps of a few milliseconds (app.tasks.Slicer): these generators yield between steps.

`list.sort` cannot be cut into steps, so a sort is made of slices of a few thousand items
sorted separately and merged by `heapq.merge`, which can stop between any two items.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Generator
from itertools import compress
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")
STEP = 2000  # items merged or filtered in one step

Steps = Generator[None, None, T]


def sorting(items: list[T], key: Callable[[T], Any], reverse: bool = False) -> Steps[list[T]]:
    """`sorted(items, key=key, reverse=reverse)`, stable, in steps; the sorted list is its return value."""
    runs = []
    for start in range(0, len(items), STEP):
        # Sorted a slice at a time, each slice's keys made and dropped in one go: in a sort
        # order 300,000 articles are read from all over memory, and 4,000 keys took 40 ms. Keys
        # kept for the whole list (100,000 titles casefolded, with positions) left 12 MB of
        # Python's small-object memory held after they were freed.
        run = items[start : start + STEP]
        run.sort(key=key, reverse=reverse)  # stable either way: ties keep their order
        runs.append(run)
        yield
    # heapq.merge breaks ties by the run they come from: earlier runs first, so the whole stays
    # stable. It works out each item's key again, and keeps only each run's first.
    result: list[T] = []
    for i, item in enumerate(heapq.merge(*runs, key=key, reverse=reverse)):
        result.append(item)
        if i % STEP == 0:
            yield
    return result


def filtering(items: list[T], predicate: Callable[[T], bool]) -> Steps[list[T]]:
    """The items for which `predicate` holds, in order, in steps."""
    result: list[T] = []
    for start in range(0, len(items), STEP):
        result += [item for item in items[start : start + STEP] if predicate(item)]  # a list: no generator frame
        yield
    return result


def ranking(order: list[T], made: list[T], place: str | None = None) -> Steps[array[int]]:
    """Where each of `made` stands in `order` (the same items): what filtering_ranked needs.

    >>> list(run(ranking(["b", "c", "a"], ["a", "b", "c"])))
    [2, 0, 1]

    `place`: a slot of the items this may write to (Article.place). Each item's place in
    `order` is noted on it while the rank is worked out: at 100,000 items 2.8 MB at most and
    26-28 ms, where a dict of the places by id took 13.5 MB and 56 ms. A ranking that another
    one noting places overtakes in between two of its steps starts again with a dict. Only
    from one thread (the window's).
    """
    if place is None:
        return (yield from _ranking_by_id(order, made))
    me = object()
    _noting[0] = me
    try:
        for start in range(0, len(order), STEP):
            for n, item in enumerate(order[start : start + STEP], start):
                setattr(item, place, n)
            yield
            if _noting[0] is not me:  # overtaken: the places are another order's
                return (yield from _ranking_by_id(order, made))
        rank = array("i")
        get = attrgetter(place)
        for start in range(0, len(made), STEP):
            chunk = made[start : start + STEP]
            rank.extend(map(get, chunk))
            for item in chunk:  # the places dropped as read: 2.8 MB of numbers at 100,000
                setattr(item, place, None)
            yield
            if _noting[0] is not me:
                return (yield from _ranking_by_id(order, made))
        return rank
    finally:
        if _noting[0] is me:
            _noting[0] = None


_noting: list[object | None] = [None]  # the ranking whose places are noted on the items now


def _ranking_by_id(order: list[T], made: list[T]) -> Steps[array[int]]:
    position: dict[int, int] = {}
    for start in range(0, len(order), STEP):
        position.update(
            zip(map(id, order[start : start + STEP]), range(start, start + STEP), strict=False)
        )  # the last slice is short
        yield
    rank = array("i")
    for start in range(0, len(made), STEP):
        rank.extend([position[id(item)] for item in made[start : start + STEP]])
        yield
    return rank


def filtering_ranked(
    order: list[T], made: list[T], rank: array[int], predicate: Callable[[T], bool], turned: bool = False
) -> Steps[list[T]]:
    """`filtering(order, predicate)`, the predicate applied to the items in the order they were
    made (`made`, with `rank` from ranking): the order they lie in memory.

    Applied in a sort order, a predicate reads 100,000 articles' strings from all over memory
    and takes 1.3-1.6 times as long as in the order they were read in (bench_window's queries).

    `turned`: `order` is the reverse of the order `rank` was worked out for (a column sorted
    the other way), which spares working it out again.

    >>> run(filtering_ranked(["b", "c", "a"], ["a", "b", "c"], array("i", [2, 0, 1]), lambda s: s != "c"))
    ['b', 'a']
    >>> run(filtering_ranked(["a", "c", "b"], ["a", "b", "c"], array("i", [2, 0, 1]), lambda s: s != "c", True))
    ['a', 'b']
    """
    places: list[int] = []
    for start in range(0, len(made), STEP):
        places += compress(rank[start : start + STEP], map(predicate, made[start : start + STEP]))
        yield
    places.sort(reverse=turned)
    yield
    last = len(order) - 1
    result: list[T] = []
    for start in range(0, len(places), STEP):
        chunk = places[start : start + STEP]
        result += [order[last - i] for i in chunk] if turned else [order[i] for i in chunk]
        yield
    return result


def until(steps: Steps[T], stop: Callable[[], bool]) -> Steps[T | None]:
    """`steps`, given up (their result None) as soon as `stop()` says it will not be used.

    >>> run(until(filtering(list(range(5000)), bool), lambda: True)) is None
    True
    """
    while True:
        if stop():
            return None
        try:
            next(steps)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]
        yield


def run(steps: Steps[T]) -> T:
    """All the steps at once: the result.

    >>> run(sorting(list("hello world"), str.upper))
    [' ', 'd', 'e', 'h', 'l', 'l', 'l', 'o', 'o', 'r', 'w']
    >>> run(sorting([(1, "a"), (0, "b"), (1, "c")], key=lambda p: p[0], reverse=True))
    [(1, 'a'), (1, 'c'), (0, 'b')]
    >>> run(filtering(list(range(10)), lambda n: n % 3 == 0))
    [0, 3, 6, 9]
    """
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
