"""Values found by a string key, kept as the sorted runs they arrive in rather than a table.

A window opening a large folder from its index takes its articles a block at a time, each
block's in the order of their relative paths (core.index). Its map from relative path to
article, and the tally's record of what each article was counted as, put every one of them
in a hash table: at 100,000 articles those inserts took 60-70 ms of the window's thread,
while the folder was being shown (36 and 23 ms by cProfile; 72 ms less window CPU, 95 ms
sooner shown, with both left out). Kept as the runs they come in and found by bisection
(two, about a microsecond), they cost nothing to take in; what changes afterwards (a file
added, removed, counted again) goes to an ordinary dict beside them.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterator, MutableMapping
from typing import Any, Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class Runs(Generic[V]):
    """Runs of (key, value), each sorted by key and every one after the last: where a key is."""

    def __init__(self) -> None:
        self._firsts: list[str] = []
        self._lasts: list[str] = []
        self._keys: list[list[str]] = []
        self.values: list[list[V]] = []  # each run's values, in the order of its keys

    def add(self, keys: list[str], values: list[V]) -> bool:
        """Take a run, if its keys are strictly increasing and all after the last run's; False
        (nothing taken) otherwise, and the caller keeps them another way."""
        if not keys or len(keys) != len(values):
            return False
        if self._lasts and keys[0] <= self._lasts[-1]:
            return False
        if not all(map(operator.lt, keys, keys[1:])):  # 20 us for a block of 1,000
            return False
        self._firsts.append(keys[0])
        self._lasts.append(keys[-1])
        self._keys.append(keys)
        self.values.append(values)
        return True

    def find(self, key: str) -> tuple[int, int] | None:
        """The run and the place in it of `key`, or None."""
        run = bisect.bisect_right(self._firsts, key) - 1
        if run < 0 or key > self._lasts[run]:
            return None
        keys = self._keys[run]
        at = bisect.bisect_left(keys, key)
        return (run, at) if at < len(keys) and keys[at] == key else None

    def items(self) -> Iterator[tuple[str, V]]:
        for keys, values in zip(self._keys, self.values, strict=True):
            yield from zip(keys, values, strict=True)


class PathMap(MutableMapping[str, V]):
    """A dict from relative path to article that takes a block's sorted articles whole
    (add_sorted). Lookups go to what was set one by one first, then to the runs; a run's key
    deleted is remembered as gone."""

    def __init__(self) -> None:
        self._runs: Runs[V] = Runs()
        self._one: dict[str, V] = {}  # set one by one, or a run the runs did not take
        self._gone: set[str] = set()  # keys of the runs deleted since
        self._in_runs = 0

    def add_sorted(self, keys: list[str], values: list[V]) -> None:
        """Set each key to its value: kept as a run when they are sorted and after every run
        before, or else one by one. A key already in the map is set one by one, as in a dict."""
        if not keys:
            return
        if self._clashes(keys) or not self._runs.add(keys, values):
            self.update(zip(keys, values, strict=True))
            return
        self._in_runs += len(keys)

    def _clashes(self, keys: list[str]) -> bool:
        """Whether a key of a sorted run is set one by one already (a run's keys are all after
        every earlier run's): by the fewer of the two, as a folder's few files between its
        blocks are."""
        one = self._one
        if len(one) > len(keys):
            return any(map(one.__contains__, keys))
        first, last = keys[0], keys[-1]
        return any(first <= key <= last for key in one)

    def _in_run(self, key: str) -> V | object:
        if key in self._gone:
            return _MISSING
        found = self._runs.find(key)
        return _MISSING if found is None else self._runs.values[found[0]][found[1]]

    def _find(self, key: str) -> V | object:
        found = self._one.get(key, _MISSING)
        return self._in_run(key) if found is _MISSING else found

    def __getitem__(self, key: str) -> V:
        found = self._find(key)
        if found is _MISSING:
            raise KeyError(key)
        return found  # type: ignore[return-value]

    def get(self, key: str, default: Any = None) -> Any:  # without KeyError raised and caught, as Mapping's
        found = self._find(key)
        return default if found is _MISSING else found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not _MISSING

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self._one and self._in_run(key) is not _MISSING:
            self._gone.add(key)  # the run's value is replaced: the key is counted once
            self._in_runs -= 1
        self._one[key] = value

    def __delitem__(self, key: str) -> None:
        if key in self._one:
            del self._one[key]
        elif self._in_run(key) is not _MISSING:
            self._gone.add(key)
            self._in_runs -= 1
        else:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._one
        for key, _ in self._runs.items():
            if key not in self._gone:
                yield key

    def __len__(self) -> int:
        return len(self._one) + self._in_runs
