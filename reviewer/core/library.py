"""Scan a content folder into articles and problems, fast and without ever raising on bad input."""

from __future__ import annotations

import bisect
import itertools
import operator
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from .article import Article, Identity, column_values, kept, packing, sharing
from .files import NotRegularFile, Opened, is_inside, open_regular, opened_ahead, read_fd, write_refusal
from .frontmatter_text import FrontMatterError, pack_lines, read, split
from .index import ARTICLE, FORMAT, Encoded, FolderIndex, Item, Listed, Printed, decode, encode
from .prewalk import Prewalk
from .problems import Problem
from .walking import (
    WALK_ELSEWHERE,
    Batch,
    Planned,
    Stat,
    Walked,
    _os_problem,
    compare,
    is_block_run,
    relative,
    start_walk,
    stat_key,
    walk,
    walk_elsewhere,
    walk_files,
)
from .workers import Workers
from .yaml_screen import fast_loads

# Real newsletters with HTML bodies run to hundreds of KB; this is far beyond any article.
MAX_FILE_SIZE = 8 * 1024 * 1024
# A chunk with fewer files to read than this is read in this process: starting worker
# processes costs more than reading a few hundred files (a warm reopen reads a handful).
PARALLEL_CHUNK = 200
CHUNK = 400
# The first chunk is smaller, each next one twice as large up to CHUNK: the first batch comes
# after 100 files are read, not 400 (`reviewer set` over 1,000 files began writing 60-80 ms in).
FIRST_CHUNK = 100
# What is read goes to the index this many rows a transaction, or with the last chunk: a
# transaction a chunk, 1,100 files changed across 100,000 were 250 commits of 4 rows, 0.16 s
# of a 1.4 s listing (217 ms against 21 in one transaction, the same rows by themselves).
STORE_ROWS = 400


@dataclass
class ScanResult:
    root: str
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    leftovers: list[str] = field(default_factory=list)

    def add(self, batch: Batch) -> None:
        self.articles.extend(batch.articles)
        self.problems.extend(batch.problems)
        self.skipped += batch.skipped
        self.leftovers.extend(batch.leftovers)


def scan(root: str, progress: Callable[[int, int], None] | None = None) -> ScanResult:
    """Read every article under `root`. `progress(done, total)` is called as files are read."""
    result = ScanResult(os.path.abspath(root))
    for batch in scan_batches(root):
        result.add(batch)
        if progress:
            progress(batch.done, batch.total)
    result.articles.sort(key=lambda a: a.relpath)
    result.problems.sort(key=lambda p: p.relpath)
    return result


def scan_batches(
    root: str,
    parallel: bool | None = None,
    index: FolderIndex | None = None,
    listing: bool = False,
    workers: Workers | None = None,
    prewalk: Prewalk | None = None,
) -> Iterator[Batch]:
    """Yield the scan of `root` in batches, in order of path, using every core for large folders.

    With an `index`, a file whose stat values are those the index has is taken from it, not
    read; what is read is written to the index, and what is gone is dropped from it. With
    `listing` too, an unchanged article comes as the index holds it printed (Listed, in the
    batch's `entries`), not built again. The folder is walked, planned, read and yielded as
    a pipeline: the first batch comes after the first hundred files, and memory does not
    grow with the folder. A batch's `total` is 0 while the number of files is not known yet.
    Worker processes given in `workers` are used, and left running for the caller's next step.
    A `prewalk` of the folder (prewalk.walk_parts) is the walk, not walked again.
    """
    root = os.path.abspath(root)
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1
    found = Batch()  # what the walk finds besides candidates, handed on with the next batch
    looked = time.time_ns()  # the files are stat'ed from now on (index.RACY_NS)
    guess = index.count() if index is not None else 0
    done = 0
    gone: list[str] = []  # what the index holds that is no longer there, or no longer kept
    files: Iterator[Planned]
    elsewhere = parallel and guess >= WALK_ELSEWHERE
    if prewalk is not None:
        looked = prewalk.looked
        found.add_found(prewalk.found)
        walked = prewalk.files(found)  # each run's problems, skipped files and leftovers as they come
        files = walked if index is None else compare(root, walked, index.rows(listing, stat=True), gone, whole=True)
    elif index is None:  # every file is read: no stat to compare
        files = walk_files(root, found)
    elif elsewhere and not listing:
        files = walk_elsewhere(root, found, gone, index.path, FORMAT)  # compared there too
    else:
        # Listing, only printed, unchanged files cost this process little, and the helper would
        # be the longer of the two with the comparison too (0.88 s against 0.75 at 100,000 files).
        walked = (
            cast(Iterator[Walked], walk_elsewhere(root, found, []))  # not compared there: as walked
            if elsewhere
            else walk_files(root, found, stat=True)
        )
        files = compare(root, walked, index.rows(listing, stat=True), gone, whole=True)
    plan = _plan(root, files, index, listing, found, gone)
    # Listed without an index, an article is printed by the worker that reads it, and nothing
    # else of it is wanted: its index state would be work for nothing (5% of the worker's time).
    state = index is not None or not listing
    to_store: list[tuple[str, Stat, Encoded]] = []  # for the index, STORE_ROWS at a time
    for chunk, reads in _read(root, plan, parallel, listing, state, workers):
        if index is not None:
            to_store += [(relative(root, r.path), r.stat, r.encoded) for r in reads if r.stat and r.encoded]
            if len(to_store) >= STORE_ROWS or chunk.last:
                index.store(to_store, looked)
                to_store = []
        items = chunk.fresh + [(r.path, r.item) for r in reads]
        items.sort(key=lambda pair: pair[0])
        batch = chunk.found
        done += chunk.size + len(batch.problems) + batch.skipped  # candidates, and what else the walk met
        batch.articles += chunk.block_articles  # in order already, and of nothing else
        batch.entries += chunk.block_articles
        for _, item in items:
            if isinstance(item, Article):
                batch.articles.append(item)
                batch.entries.append(item)
            elif isinstance(item, Listed):
                batch.entries.append(item)
            elif isinstance(item, Problem):
                batch.problems.append(item)
            else:
                batch.skipped += 1
        batch.done = done
        batch.total = done if chunk.last else (guess if guess > done else 0)
        yield batch
        if chunk.last and index is not None:
            index.forget(chunk.gone)


_MISSING: Any = object()


@dataclass
class ShownBlock:
    """A block of the index as shown: its articles in the order of their relative paths, and
    its other files (few) by relative path."""

    articles: list[Article]
    others: dict[str, Item]

    def relpaths(self) -> list[str]:
        return [*map(_RELPATH, self.articles), *self.others]

    def get(self, rel: str) -> Any:
        """The item of the file at `rel`, or _MISSING."""
        articles = self.articles
        i = bisect.bisect_left(articles, rel, key=_RELPATH)
        if i < len(articles) and articles[i].relpath == rel:
            return articles[i]
        return self.others.get(rel, _MISSING)


@dataclass
class Shown:
    """What show_index showed of a folder, for check_shown: each block shown whole by its
    CRC-32, and each row shown by itself with its four stat values. Kept as the blocks are:
    a table of every file's item took 38 ms more of the loading thread at 100,000."""

    blocks: dict[int, ShownBlock] = field(default_factory=dict)
    rows: dict[str, Item] = field(default_factory=dict)
    stats: dict[str, Stat] = field(default_factory=dict)
    nothing: dict[str, int] = field(default_factory=dict)  # a file without front matter: its block's CRC-32, or -1
    _firsts: list[str] = field(default_factory=list)  # each block's first relative path, in order
    _spans: list[ShownBlock] = field(default_factory=list)  # the blocks, in that order

    def add_block(self, digest: int, block: ShownBlock) -> None:
        self.blocks[digest] = block
        firsts = [*block.others, *(a.relpath for a in block.articles[:1])]
        self._firsts.append(min(firsts))
        self._spans.append(block)

    def get(self, rel: str) -> Any:
        """The item shown for the file at `rel`, or _MISSING."""
        found = self.rows.get(rel, _MISSING)
        if found is _MISSING and self._firsts:
            i = bisect.bisect_right(self._firsts, rel) - 1
            if i >= 0:
                found = self._spans[i].get(rel)
        return found

    def __contains__(self, rel: str) -> bool:
        return self.get(rel) is not _MISSING

    def between(self, first: str, last: str) -> list[str]:
        """The relative paths shown from `first` to `last`."""
        every = itertools.chain(self.rows, *(block.relpaths() for block in self._spans))
        return sorted(rel for rel in every if first <= rel <= last)


def show_index(root: str, index: FolderIndex, shown: Shown) -> Iterator[Batch]:
    """The folder as its index holds it, in batches, before any file is looked at (a mail
    client shows its copy of a mailbox, then asks the server what changed): each block whole,
    the rows between them a batch of CHUNK at a time. What was shown goes to `shown`; what the
    files say of it is check_shown's. A batch's skipped files are the index's files without
    front matter; the walk's other files come with the check."""
    root = os.path.abspath(root)
    total = index.count()
    done = 0
    batch = Batch()

    def out(batch: Batch) -> Batch:
        nonlocal done
        done += len(batch.articles) + len(batch.problems) + batch.skipped
        batch.done, batch.total = done, max(total, done)
        return batch

    for entry in index.everything():
        if len(entry) == 3:  # a block: its CRC-32, its articles and other files, its columns
            digest, (articles, others), columns = cast(tuple[int, Any, Any], entry)
            if batch.articles or batch.problems or batch.skipped:
                yield out(batch)
                batch = Batch()
            block = Batch(articles=articles, known=column_values(columns))
            kept: dict[str, Item] = {}
            for path, item in others:
                rel = relative(root, path)
                kept[rel] = item
                _take(block, item)
                if item is None:
                    shown.nothing[rel] = digest
            shown.add_block(digest, ShownBlock(articles, kept))
            yield out(block)
            continue
        rel, kind, data, _, *st = entry
        item = decode(root, rel, kind, data)
        shown.rows[rel] = item
        shown.stats[rel] = cast(Stat, tuple(st))
        _take(batch, item)
        if item is None:
            shown.nothing[rel] = -1
        if len(batch.articles) >= CHUNK:
            yield out(batch)
            batch = Batch()
    yield out(batch)


def start_check(root: str, index: FolderIndex) -> Any:
    """The walk's helper for check_shown, started now, before show_index: it walks while the
    index is shown. The index's version is taken first: unless another process writes to the
    index from now until the walk is done, the helper compares with the index as shown."""
    index.mark()
    return start_walk(os.path.abspath(root), index.path, FORMAT, whole=True)


def _take(batch: Batch, item: Item) -> None:
    if isinstance(item, Article):
        batch.articles.append(item)
    elif isinstance(item, Problem):
        batch.problems.append(item)
    else:
        batch.skipped += 1


@dataclass
class Checked:
    """What the files say of what show_index showed (check_shown). In DiskWatch's terms, the
    articles changed (as shown, as read now), added and removed; besides, the problems found
    and the relative paths of those gone, the files skipped in all, and what the walk met
    besides candidates (its problems and leftovers, in `found`)."""

    changed: list[tuple[Article, Article]] = field(default_factory=list)
    added: list[Article] = field(default_factory=list)
    removed: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problems_gone: set[str] = field(default_factory=set)
    skipped: int = 0
    found: Batch = field(default_factory=Batch)
    read: int = 0  # files read


def check_shown(
    root: str,
    index: FolderIndex,
    shown: Shown,
    workers: Workers | None = None,
    parallel: bool | None = None,
    helper: Any = None,
) -> Checked:
    """The folder's files against what show_index showed: the walk's helper compares each with
    the index (walking.walk_elsewhere); a file it finds changed, new, or not as shown is read,
    and kept in the index; what was shown and is no longer there is removed.

    Unchanged against the index is as shown only while no other process changed the index
    (_to_check). A `helper` started before show_index (start_check) walks while the index is shown."""
    root = os.path.abspath(root)
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1
    checked = Checked()
    gone: list[str] = []
    looked = time.time_ns()
    seen, confirmed, stale = _to_check(
        root, walk_elsewhere(root, checked.found, gone, index.path, FORMAT, helper), shown, index
    )
    read: dict[str, Item] = {}
    chunks = (_Chunk(stale=stale[i : i + CHUNK], size=len(stale[i : i + CHUNK])) for i in range(0, len(stale), CHUNK))
    for _, reads in _read(root, chunks, parallel, workers=workers):
        index.store([(relative(root, r.path), r.stat, r.encoded) for r in reads if r.stat and r.encoded], looked)
        read.update((relative(root, r.path), cast(Item, r.item)) for r in reads)  # not listing
    index.forget(gone)
    _compare_shown(checked, read, shown, seen, confirmed, set(gone))
    return checked


def _compare_shown(
    checked: Checked, read: dict[str, Item], shown: Shown, seen: set[str], confirmed: set[int], gone: set[str]
) -> None:
    """Into `checked`: the files `read` against what was shown of them, and what was shown and
    is no longer there: in a block `confirmed`, its rows `gone`; elsewhere, what was not `seen`."""
    checked.read = len(read)
    for rel, item in sorted(read.items()):
        before = shown.get(rel)
        if isinstance(before, Article) and isinstance(item, Article):
            checked.changed.append((before, item))
        elif isinstance(item, Article):
            checked.added.append(item)
        elif isinstance(before, Article):
            checked.removed.append(before)
        if isinstance(before, Problem):
            checked.problems_gone.add(rel)
        if isinstance(item, Problem):
            checked.problems.append(item)
    unconfirmed = [block for digest, block in shown.blocks.items() if digest not in confirmed]
    missing = {rel for rel in itertools.chain(shown.rows, *(b.relpaths() for b in unconfirmed)) if rel not in seen}
    missing.update(rel for rel in gone if rel not in seen and rel in shown)
    for rel in sorted(missing - read.keys()):  # no longer there
        item = shown.get(rel)
        if isinstance(item, Article):
            checked.removed.append(item)
        elif isinstance(item, Problem):
            checked.problems_gone.add(rel)
    nothing = sum(
        1
        for rel, digest in shown.nothing.items()
        if ((digest in confirmed and rel not in gone) or rel in seen) and rel not in read
    )
    checked.skipped = checked.found.skipped + nothing + sum(item is None for item in read.values())


def _to_check(
    root: str, planned: Iterator[Planned], shown: Shown, index: FolderIndex
) -> tuple[set[str], set[int], list[tuple[str, Stat | None, bool]]]:
    """The relative paths the walk found, the blocks it found as shown (by CRC-32), and the
    files to read (path, stat for the index, linked): those the helper found changed or new,
    and those not as shown. A block made again since it was shown is read whole."""
    seen: set[str] = set()
    confirmed: set[int] = set()
    stale: list[tuple[str, Stat | None, bool]] = []
    named: list[str] = []  # files the helper named unchanged one by one
    base = root + os.sep
    for item in planned:
        if is_block_run(item):
            digest, (first, last) = item[0], (item[1][0], item[1][-1])
            if digest in shown.blocks:
                confirmed.add(digest)
                continue
            for rel in sorted(set(index.relpaths(first, last)).union(shown.between(first, last))):
                path = _joined(root, base, rel)
                if os.path.lexists(path):
                    seen.add(rel)
                    stale.append((path, None, False))
        elif isinstance(item, str) or len(item) > 3:  # unchanged since its row
            rel = item if isinstance(item, str) else item[0]
            seen.add(rel)
            named.append(rel)
        else:
            path, linked, st = cast(Walked, item)
            seen.add(relative(root, path))
            stale.append((path, st, linked))
    # The index the helper compared with is the index shown, unless another process wrote to
    # it since start_check: then a file it names unchanged is read, unless shown from a row with
    # the same four stat values (an edit in place may keep size and time: only its ctime tells).
    if index.written_since():
        for rel in named:
            path = _joined(root, base, rel)
            if not _as_shown(path, rel, shown):
                stale.append((path, None, False))
    else:
        stale += [(_joined(root, base, rel), None, False) for rel in named if rel not in shown]
    return seen, confirmed, stale


def _joined(root: str, base: str, rel: str) -> str:
    return base + rel if os.sep == "/" else os.path.join(root, *rel.split("/"))


def _as_shown(path: str, rel: str, shown: Shown) -> bool:
    """Whether a file is as shown from its index row: the same four stat values."""
    row = shown.stats.get(rel)
    if row is None:
        return False
    try:
        return stat_key(os.stat(path, follow_symlinks=False)) == row
    except OSError:
        return False


_RELPATH = operator.attrgetter("relpath")


@dataclass
class _Read:
    """One file read: what it is, and (when the index wants it) its stat and encoded form."""

    path: str
    stat: Stat | None
    item: Article | Listed | Problem | None
    encoded: Encoded | None = None


@dataclass
class _Chunk:
    """Consecutive candidate files: those the index holds unchanged (or a block of them), those
    to read, what the walk found meanwhile, and (in the last chunk) what the index holds that is no longer there."""

    fresh: list[tuple[str, Article | Listed | Problem | None]] = field(default_factory=list)
    block_articles: list[Article] = field(default_factory=list)  # a block's, in order (FolderIndex.block)
    stale: list[tuple[str, Stat | None, bool]] = field(default_factory=list)  # path, stat for the index, linked
    found: Batch = field(default_factory=Batch)
    size: int = 0
    last: bool = False
    gone: list[str] = field(default_factory=list)


def _plan(
    root: str, files: Iterator[Planned], index: FolderIndex | None, listing: bool, found: Batch, gone: list[str]
) -> Iterator[_Chunk]:
    """The candidates in chunks of CHUNK, each file from the index or to read: the files as
    compared with the index (walking.compare) merged with the index's rows, both in the order
    of their relative paths, neither held whole. `gone` is whole once `files` is done."""
    chunk = _Chunk()
    limit = min(FIRST_CHUNK, CHUNK)
    rows: Iterator[tuple[str, int, Any, str | None]] = iter(())
    row = None
    begun = False
    base = root + os.sep
    after = ""  # the last file of the last block taken whole: rows are read from after it
    for planned in _blocks_taken(files, index):
        if isinstance(planned, _Whole):  # a block of the index, all its files unchanged
            if chunk.size:
                _hand_over(found, chunk)
                yield chunk
            chunk = _Chunk(fresh=planned.others, block_articles=planned.articles, size=planned.size)
            _hand_over(found, chunk)
            yield chunk
            chunk = _Chunk()
            rows, row, begun, after = iter(()), None, False, planned.last
            continue
        if isinstance(planned, str):  # unchanged since the index's row of it (compared by the helper)
            path = _joined(root, base, planned)
            if not begun and index is not None:
                # Read from now on, after the comparison began to: the rows it compared with, or
                # what another process wrote since, never older ones.
                rows, begun = index.rows(listing, after=after), True
                row = next(rows, None)
            while row is not None and row[0] < planned:
                row = next(rows, None)  # gone, read again, or no longer kept (in `gone`)
            if row is not None and row[0] == planned:
                _, kind, data, line = row
                row = next(rows, None)
                chunk.fresh.append((path, _known(root, planned, path, kind, data, line, listing)))
            else:  # no longer in the index (another process changed it meanwhile): read, not kept
                chunk.stale.append((path, None, False))
        elif len(planned) > 3:  # unchanged since its row, given whole (compared here)
            rel, kind, data, line = planned[:4]
            path = _joined(root, base, rel)
            chunk.fresh.append((path, _known(root, rel, path, kind, data, line, listing)))
        else:
            path, linked, st = cast(Walked, planned)
            chunk.stale.append((path, st, linked))
        chunk.size += 1
        if chunk.size == limit:
            _hand_over(found, chunk)
            yield chunk
            chunk = _Chunk()
            limit = min(2 * limit, CHUNK)
    _hand_over(found, chunk)
    chunk.last = True
    chunk.gone = gone
    yield chunk


@dataclass
class _Whole:
    """A block of the index (FolderIndex.block) whose files the walk found unchanged."""

    last: str  # its last file's relative path
    size: int  # its files
    articles: list[Article]
    others: list[tuple[str, Article | Listed | Problem | None]]  # its other files' (path, item)


def _blocks_taken(files: Iterator[Planned], index: FolderIndex | None) -> Iterator[Planned | _Whole]:
    """The planned files, each BlockRun as the block it names; as its files, one by one, where
    that block was made again or damaged since the helper looked."""
    for planned in files:
        if not is_block_run(planned):
            yield planned
            continue
        digest, relpaths = planned
        block = index.block(relpaths[0], digest, relpaths) if index is not None else None
        if block is None:
            yield from relpaths
        else:
            yield _Whole(relpaths[-1], len(relpaths), block[0], list(block[1]))


def _known(
    root: str, rel: str, path: str, kind: int, data: Any, line: str | None, listing: bool
) -> Article | Listed | Problem | None:
    """A file the index holds unchanged, from its row: as printed when listing an article."""
    if listing and kind == ARTICLE:
        return Listed(path, str(data), line or "")
    return decode(root, rel, kind, data)


def _hand_over(found: Batch, chunk: _Chunk) -> None:
    """What the walk found since the last chunk goes out with this one."""
    chunk.found.problems, found.problems = found.problems, []
    chunk.found.leftovers, found.leftovers = found.leftovers, []
    chunk.found.skipped, found.skipped = found.skipped, 0


def _read_here(root: str, chunk: _Chunk) -> list[_Read]:
    read = []
    opened = opened_ahead(path for path, _, _ in chunk.stale)
    for (path, st, linked), (_, file) in zip(chunk.stale, opened, strict=True):
        item = read_article(path, root, linked, file)
        read.append(_Read(path, st, item, encode(item) if st is not None else None))  # encoded for the index
    return read


def read_encoded(
    root: str, paths: list[str], linked: set[str] | frozenset[str] = frozenset(), state: bool = True
) -> list[Encoded]:
    """In a worker process: each file read and encoded as the index keeps it (bytes travel
    between processes faster than objects: the parent decodes them once); without `state`,
    an article only as `reviewer list` prints it."""
    sharing(False)  # the articles do not stay here: sharing their values would be work for nothing
    packing(state)  # nor, when only printed, packing their metadata
    try:
        return [encode(read_article(path, root, path in linked, file), state) for path, file in opened_ahead(paths)]
    finally:
        packing(True)


def read_printed(root: str, paths: list[str], linked: set[str] | frozenset[str] = frozenset()) -> list[Printed]:
    """In a worker process: read_encoded without state, each run of consecutive articles as one
    (its first path, and the lines of each form joined), each other file as its own (its path,
    and what read_encoded gives). A `reviewer list` without an index prints runs whole: objects
    made, sent and sorted for each article cost the listing process 5 us a file (0.39 -> 0.29 s
    of its CPU at 20,000)."""
    printed: list[Printed] = []
    run: list[str] = []  # the run's first path
    json_lines: list[str] = []
    text_lines: list[str] = []
    for path, encoded in zip(paths, read_encoded(root, paths, linked, state=False), strict=True):
        if encoded[0] == ARTICLE:
            run = run or [path]
            json_lines.append(encoded[2] or "")
            text_lines.append(encoded[3] or "")
            continue
        if run:
            printed.append((run[0], (ARTICLE, None, "\n".join(json_lines), "\n".join(text_lines))))
            run, json_lines, text_lines = [], [], []
        printed.append((path, encoded))
    if run:
        printed.append((run[0], (ARTICLE, None, "\n".join(json_lines), "\n".join(text_lines))))
    return printed


def _read(
    root: str,
    plan: Iterator[_Chunk],
    parallel: bool,
    listing: bool = False,
    state: bool = True,
    workers: Workers | None = None,
) -> Iterator[tuple[_Chunk, list[_Read]]]:
    """The planned chunks with their stale files read, in order: in worker processes, a few
    chunks ahead, when a chunk has enough to read to pay for them; else here. `workers`
    given are left running for the caller's next step; else they end with the reading."""
    own = workers is None
    workers = workers or Workers()
    pending: deque[tuple[_Chunk, Any]] = deque()
    ahead = 2 * workers.count
    try:
        for chunk in plan:
            futures = None
            if parallel and _worth_workers(chunk):
                if workers.forks:
                    # imported before the workers are forked, not again in each of them; a fork
                    # server's workers import it anyway, and the window held 5 MB more for nothing
                    fast_loads()
                pool = workers.get()
                if pool is not None:
                    paths = [path for path, _, _ in chunk.stale]
                    linked = {path for path, _, link in chunk.stale if link}
                    # A share for each worker: the chunk is read in the time of its share.
                    size = max(PARALLEL_CHUNK // 4, -(-len(paths) // workers.count))
                    shares = (paths[i : i + size] for i in range(0, len(paths), size))
                    futures = [
                        pool.submit(read_encoded, root, share, linked.intersection(share), state)
                        if state
                        else pool.submit(read_printed, root, share, linked.intersection(share))
                        for share in shares
                    ]
            pending.append((chunk, futures))
            while pending and (pending[0][1] is None or len(pending) > ahead):
                yield _finish(root, *pending.popleft(), listing, state)
        while pending:
            yield _finish(root, *pending.popleft(), listing, state)
    finally:
        if own:
            workers.close()


def _worth_workers(chunk: _Chunk) -> bool:
    """Whether a chunk's files are read by worker processes: enough of them to pay for starting
    the workers, or a first chunk (the smallest) that is all to read, as a cold scan's is."""
    stale = len(chunk.stale)
    return stale >= PARALLEL_CHUNK or (stale == chunk.size and stale > 0 and not chunk.last)


def _finish(
    root: str, chunk: _Chunk, futures: Any, listing: bool = False, state: bool = True
) -> tuple[_Chunk, list[_Read]]:
    if futures is None:
        return chunk, _read_here(root, chunk)
    try:
        encoded = [item for future in futures for item in future.result()]
    except Exception:  # the pool broke (no /dev/shm, a worker killed): this chunk is read here
        return chunk, _read_here(root, chunk)
    if not state:  # read_printed's: runs of articles, as printed, and the other files one by one
        return chunk, [
            _Read(path, None, Listed(path, data[2] or "", data[3] or ""))
            if data[0] == ARTICLE
            else _Read(path, None, decode(root, relative(root, path), *data[:2]))
            for path, data in cast(list[Printed], encoded)
        ]
    reads = []
    for (path, st, _), item in zip(chunk.stale, encoded, strict=True):
        kind, data, json, line = item
        if listing and kind == ARTICLE:  # printed by the worker: not built again here
            reads.append(_Read(path, st, Listed(path, json or "", line or ""), item))
        else:
            reads.append(_Read(path, st, decode(root, relative(root, path), kind, data), item))
    return chunk, reads


def find_candidates(root: str) -> tuple[list[str], Batch]:
    """Paths of files whose extension makes them candidate articles, and early findings.

    Files with other extensions count as skipped; broken links and loops are problems;
    temporary files of interrupted saves are collected as leftovers. Directory links are
    followed once each, so a loop of links cannot recurse forever; what is reached through
    a link is marked, so that reading it checks where it really is.
    """
    early = Batch()
    paths = []
    for path, linked in walk(root, early):
        paths.append(path)
        if linked:
            early.linked.add(path)
    return paths, early


def read_article(
    path: str, root: str, check_links: bool = True, opened: Opened | None = None
) -> Article | Problem | None:
    """Read one file: an Article, a Problem, or None when it has no front matter at all.

    Never raises: whatever goes wrong with one file is that file's problem. `check_links`
    resolves the path to see whether it leads outside `root` (a scan knows which paths went
    through a link and asks only for those). `opened` is the file as files.opened_ahead gave
    it, whose fd this closes; without it, the file is opened here.
    """
    rel = relative(root, path)
    try:
        return _read_article(path, rel, root, check_links, opened)
    except Exception as exc:  # a bug or an odd file must not stop the run: the file is named instead
        message = " ".join(str(exc).split())[:160]
        return Problem(path, rel, "unexpected", f"could not be read ({type(exc).__name__}: {message})")


def _read_article(
    path: str, rel: str, root: str, check_links: bool, opened: Opened | None = None
) -> Article | Problem | None:
    if opened is None:
        try:
            opened = open_regular(path)
        except OSError as exc:
            opened = exc
    if isinstance(opened, OSError):
        return None if isinstance(opened, NotRegularFile) else _os_problem(root, path, opened)
    fd, st = opened
    try:
        head = read_fd(fd, 4096)
        if not _starts_with_fence(head):
            first = _first_line(head)[0]
            if len(head) == 4096 and (len(first) <= 4 or first.startswith(b"---")):  # maybe damaged: look further
                head += read_fd(fd, MAX_FILE_SIZE, offset=len(head))
            damage = _damaged_fence(head)
            return Problem(path, rel, "no-front-matter", damage, 1) if damage else None
        if st.st_size > MAX_FILE_SIZE:
            size = f"{st.st_size / 1048576:.1f} MB"
            return Problem(
                path, rel, "too-large", f"{size} is over the {MAX_FILE_SIZE // 1048576} MB limit for an article"
            )
        data = head + read_fd(fd, offset=len(head)) if len(head) == 4096 else head
    except OSError as exc:
        return _os_problem(root, path, exc)
    finally:
        os.close(fd)
    read_only = (_outside(path, root) if check_links else "") or write_refusal(st)
    return article_from_bytes(path, rel, data, st.st_size, st.st_mtime_ns, read_only)


def _outside(path: str, root: str) -> str:
    real = os.path.realpath(path)
    if is_inside(os.path.realpath(root), real):
        return ""
    return f"outside the opened folder (a link to {real}): read-only"


# The line breaks YAML counts, as UTF-8 bytes (frontmatter_text.line_of counts them in text).
_BYTE_BREAK = re.compile(rb"\r\n|[\n\r]|\xc2\x85|\xe2\x80[\xa8\xa9]")


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset.

    >>> _line_at(b"a\\rb\\rc\\x00", 5), _line_at("a\\u2028b\\x00".encode(), 4)
    (3, 2)
    """
    return len(_BYTE_BREAK.findall(data, 0, offset)) + 1


def _starts_with_fence(head: bytes) -> bool:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"---") and head[3:4] in (b"\n", b"\r", b" ", b"\t", b"")


_BOM = b"\xef\xbb\xbf"


def _damaged_fence(data: bytes) -> str:
    """Why a file that nearly starts with front matter does not, or '' for an ordinary file.

    Catches what damage does to the first line (a second byte-order mark, blank lines or
    spaces before it, a dash changed or lost) when a '---' line still closes front matter below.
    """
    if data.startswith(_BOM + _BOM):
        return "the file starts with two byte-order marks (U+FEFF); front matter must start on its first line"
    first, rest = _first_line(data)
    joined = first.startswith(b"---") and first[3:4] not in (b"", b"-")  # `---taxonomy: x`: a key run into the fence
    if not (joined or first == b"---" or (len(first) in (2, 3, 4) and first.count(b"-") >= 2)):
        return ""
    if re.search(rb"^---[ \t]*\r?$", rest, re.MULTILINE) is None:
        return ""
    if first == b"---":
        return "the '---' line that opens the front matter is not the first line of the file"
    shown = first.decode("utf-8", "replace")
    if joined:
        return f"the first line is {shown[:60]!r}: the '---' that opens the front matter must be alone on its line"
    return f"the first line is {shown!r}, not '---': front matter must start with a line of three dashes"


def _first_line(data: bytes) -> tuple[bytes, bytes]:
    """The first line that is not blank, byte-order marks and spaces taken off, and the rest."""
    first, _, rest = data.replace(_BOM, b"").lstrip(b" \t\r\n").partition(b"\n")
    return first.rstrip(b"\r").strip(), rest


def read_parts(path: str) -> tuple[str, str]:
    """The front matter block (fences included) and the body of an article's file, in one read.

    For showing, never for saving: a file that cannot be read gives the reason as its block.
    """
    try:
        text = read_fd_text(path)
        sp = split(text)
    except (OSError, UnicodeDecodeError, FrontMatterError) as exc:
        return f"(could not read the file: {exc})", ""
    return text[: sp.body_start].lstrip("\ufeff"), text[sp.body_start :]


def read_fd_text(path: str) -> str:
    fd, _ = open_regular(path)
    try:
        return read_fd(fd, MAX_FILE_SIZE).decode("utf-8")
    finally:
        os.close(fd)


def article_from_bytes(
    path: str, rel: str, data: bytes, size: int, mtime_ns: int, read_only: str = ""
) -> Article | Problem:
    """Build an Article from a file's bytes, or the Problem that stops it."""
    nul = data.find(b"\x00", 0, 8192)
    if nul != -1:
        line = _line_at(data, nul)
        return Problem(path, rel, "binary", f"the file holds binary data (a NUL byte at offset {nul}), not text", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        return Problem(
            path, rel, "not-utf8", f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8", line
        )
    lines: dict[str, int] = {}
    try:  # the lines a save relies on, not looked for in an article only printed (never saved)
        _, metadata = read(text, lines if kept() else None)
    except FrontMatterError as exc:
        return Problem(path, rel, exc.kind, exc.message, exc.line)
    return Article(path, rel, Identity.of(data, size, mtime_ns, pack_lines(lines)), metadata, read_only)
