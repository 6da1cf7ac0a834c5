"""A whole walk of a folder before its scan, shared between processes (walk_parts): what a
warm `reviewer list` compares with the listing it printed last (core.kept), by a digest;
and, when they differ, the walk the scan goes on with (library.scan_batches).

The walk is walking.walk_files(stat=True), file for file. The root folder's items are cut
into runs (each folder, each run of files between them); processes forked for the walk take
the folders one at a time from a pipe, as each is done with the last, and give back first
what the digest needs, then, only when asked, the files themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .problems import Problem
from .walking import Batch, Item, Walked, _folder, _walk_items, _widen, walk_files

# The marshal format of the runs' files: the first, where equal values are always the same
# bytes (later formats mark strings interned, and objects referred to more than once, which
# differ between processes and runs).
_CANONICAL = 0
# What a walker gives first: the digest of each run it walked (by number), problems (as
# tuples), leftovers, skipped files, the folders it walked (device, inode), whether plain,
# and the newest ctime.
Summary = tuple[dict[int, bytes], list[tuple[Any, ...]], list[str], int, list[tuple[int, int]], bool, int]


class Prewalk:
    """A walk of `root`, as walk_parts made it. Close it (or read its files) when done: a
    helper process waits to hand over its part of the files."""

    def __init__(self, root: str, looked: int, runs: list[list[Item]]):
        self.root = root
        self.looked = looked  # time.time_ns() before the first stat: files changed since may change unseen
        self.found = Batch()  # what else the walk met: problems, skipped files, leftovers
        self.plain = True  # every file stat'ed, none through a link, no folder reached twice
        self.newest = 0  # the latest ctime_ns of a file (index.RACY_NS)
        self._runs = runs
        self._sums: dict[int, bytes] = {}
        self._parts: dict[int, bytes] = {}  # the runs' files, marshalled
        self._helpers: list[tuple[int, int, list[int]]] = []  # pid, pipe, the runs it has

    def digest(self) -> bytes:
        """What the walk found, file by file with its stat values, as 20 bytes."""
        digest = hashlib.blake2b(self.root.encode("utf-8", "surrogateescape"), digest_size=20)
        for i in range(len(self._runs)):
            digest.update(self._sums.get(i, b"-"))
        return digest.digest()

    def files(self) -> Iterator[Walked]:
        """The walk's files, in order (walk_files's)."""
        self._gather()
        for i in range(len(self._runs)):
            yield from marshal.loads(self._parts[i])

    def close(self) -> None:
        """Let the helpers go without their files."""
        for pid, pipe, _ in self._helpers:
            os.close(pipe)
            _end(pid)
        self._helpers = []

    def _take(self, summary: Summary, parts: dict[int, bytes] | None) -> None:
        sums, problems, leftovers, skipped, _, plain, newest = summary
        self._sums.update(sums)
        if parts is not None:
            self._parts.update(parts)
        self.found.problems += [Problem(*p) for p in problems]
        self.found.leftovers += leftovers
        self.found.skipped += skipped
        self.plain = self.plain and plain
        self.newest = max(self.newest, newest)

    def _gather(self) -> None:
        """The helpers' files; a helper's that cannot be had walked here (and the walk no longer
        `plain`: what is walked now may not be what the digest says)."""
        for pid, pipe, runs in self._helpers:
            parts = _frame(pipe)
            os.close(pipe)
            _end(pid)
            if isinstance(parts, dict) and all(isinstance(parts.get(i), bytes) for i in runs):
                self._parts.update(parts)
                continue
            self.plain = False
            walked = _walk_runs(self.root, self._runs, runs, Batch(), set())
            self._parts.update(walked[1])
        self._helpers = []


def walk_parts(root: str, processes: int | None = None, meanwhile: Callable[[], Any] | None = None) -> Prewalk:
    """walk_files(stat=True) of `root`, the folders in it shared between up to `processes`
    processes (a fork each, where this process has no other thread; else all walked here),
    each taking the next folder when done with one. `meanwhile` is called here once the
    others have begun.

    At 100,000 files in 11 folders, one process took 0.35 s and two 0.2 s, where `find
    -printf` of the same stat values took 0.2. A folder that two processes both reached (a
    link, a mount) makes the walk not `plain`, and it is walked again here, whole, as
    walk_files walks it."""
    root = os.path.abspath(root)
    looked = time.time_ns()
    found = Batch()
    seen: set[tuple[int, int]] = set()
    runs: list[list[Item]] = []  # a folder each, or a run of files
    for item in _folder(root, root, False, found, seen):
        if item[1] or not runs or runs[-1][-1][1]:
            runs.append([item])
        else:
            runs[-1].append(item)
    prewalk = Prewalk(root, looked, runs)
    prewalk.found = found  # what the root folder holds besides its runs
    folders = [i for i, run in enumerate(runs) if run[0][1]]
    processes = max(1, min(processes or os.cpu_count() or 1, len(folders)))
    queue = _queue(folders) if processes > 1 and _can_fork() else None
    helpers = [_fork_walker(root, runs, queue, seen) for _ in range(processes - 1)] if queue is not None else []
    if meanwhile is not None:
        meanwhile()
    own = [i for i, run in enumerate(runs) if not run[0][1]]  # the root's own files: here
    mine = itertools.chain(own, _taken(queue) if queue is not None else folders)
    summary, parts = _walk_runs(root, runs, mine, Batch(), set(seen))
    summaries = [summary]
    prewalk._take(summary, parts)
    for helper in helpers:
        if helper is None:
            continue
        pid, pipe = helper
        theirs = _frame(pipe)
        if _is_summary(theirs):
            summaries.append(theirs)
            prewalk._take(theirs, None)
            prewalk._helpers.append((pid, pipe, list(theirs[0])))
        else:
            os.close(pipe)
            _end(pid)
    missing = [i for i in range(len(runs)) if i not in prewalk._sums]  # a helper's that failed
    if missing:
        summary, parts = _walk_runs(root, runs, missing, Batch(), set(seen))
        summaries.append(summary)
        prewalk._take(summary, parts)
    walked = [folder for summary in summaries for folder in summary[4]]
    if len(set(walked)) != len(walked):
        prewalk.close()  # a folder two processes reached: walked as walk_files walks it
        again = Prewalk(root, looked, [[]])
        again.plain = False
        files = list(walk_files(root, again.found, stat=True))
        again._sums, again._parts = {0: b""}, {0: marshal.dumps(files, _CANONICAL)}
        again.newest = max((st[3] for _, _, st in files if st), default=0)
        return again
    return prewalk


def _is_summary(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 7 and isinstance(value[0], dict)


def _can_fork() -> bool:
    import threading

    return hasattr(os, "fork") and threading.active_count() == 1


def _queue(folders: list[int]) -> int | None:
    """A pipe holding the folders' numbers, for walkers to take one at a time (4 bytes a read:
    whole, as each was written with the others before any read); its read end. None when
    they do not fit in a pipe, or it cannot be made."""
    if len(folders) * 4 > 4096:  # what a pipe takes without waiting for a reader, on any system
        return None
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        os.write(write, b"".join(i.to_bytes(4, "little") for i in folders))
    except OSError:
        os.close(read)
        return None
    finally:
        os.close(write)
    return read


def _taken(queue: int) -> Iterator[int]:
    """The folders this process takes from the queue, until it is empty."""
    try:
        while len(token := os.read(queue, 4)) == 4:
            yield int.from_bytes(token, "little")
    finally:
        os.close(queue)


def _walk_runs(
    root: str, runs: list[list[Item]], which: Iterable[int], found: Batch, seen: set[tuple[int, int]]
) -> tuple[Summary, dict[int, bytes]]:
    before = set(seen)
    sums: dict[int, bytes] = {}
    parts: dict[int, bytes] = {}
    plain, newest = True, 0
    for i in which:
        walked = list(_walk_items(root, runs[i], found, seen, stat=True))
        for _, linked, st in walked:
            if linked or st is None:
                plain = False
            elif st[3] > newest:
                newest = st[3]
        parts[i] = marshal.dumps(walked, _CANONICAL)
        sums[i] = hashlib.blake2b(parts[i], digest_size=20).digest()
    problems = [(p.path, p.relpath, p.kind, p.message, p.line) for p in found.problems]
    return (sums, problems, found.leftovers, found.skipped, list(seen - before), plain, newest), parts


def _fork_walker(root: str, runs: list[list[Item]], queue: int, seen: set[tuple[int, int]]) -> tuple[int, int] | None:
    """A child process walking the folders it takes from `queue`: it sends its Summary, then
    its runs' files (for Prewalk.files), through a pipe. (pid, the pipe's read end)."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return pid, read
    status = 1  # the child: never back into the caller's code, whatever happens
    try:
        os.close(read)
        _widen(write)  # 8 MB of files at 100,000: through the usual pipe's 64 KB, 30 ms
        summary, parts = _walk_runs(root, runs, _taken(queue), Batch(), set(seen))
        _send(write, summary)
        _send(write, parts)  # waits for the parent to read, or to close the pipe
        status = 0
    finally:
        os._exit(status)


def _send(pipe: int, value: Any) -> None:
    data = marshal.dumps(value)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(pipe, view) :]


def _frame(pipe: int) -> Any:
    """The next value sent (_send), or None if the pipe ended first or it cannot be read."""
    head = _read(pipe, 8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = _read(pipe, size)
    if len(data) < size:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None


def _read(pipe: int, size: int) -> bytes:
    chunks, left = [], size
    try:
        while left and (chunk := os.read(pipe, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError:
        pass
    return b"".join(chunks)


def _end(pid: int) -> None:
    """A helper process ended (it may be waiting to send what is no longer wanted) and reaped."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
