"""Walking a content folder: its candidate files in the order of their relative paths, what
else it holds (problems, skipped files, leftovers of interrupted saves), the files' stat(),
and which of them the folder index holds unchanged (compare).

Light on purpose (no YAML; SQLite only when asked to compare): a helper process imports it
to walk and compare a large folder while the scanning process decodes (walk_elsewhere).
"""

from __future__ import annotations

import contextlib
import errno
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from .problems import Problem

if TYPE_CHECKING:
    from .article import Article
    from .index import Listed

TEMP_SUFFIX = ".reviewer-tmp"  # temporary files of a save (core.storage) end so
Stat = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns
# A folder's entry, as _folder gives it: its sort key (a folder's ends in '/'), whether a
# folder, its path, whether reached through a link.
Item = tuple[str, bool, str, bool]


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


ARTICLE_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")
SKIPPED_DIRS = {".git", "_site", ".jekyll-cache", "node_modules", "vendor", ".venv"}


@dataclass
class Batch:
    """What one piece of a scan found; batches arrive as the scan proceeds."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    done: int = 0  # candidate files handled so far
    total: int = 0  # candidate files in all
    leftovers: list[str] = field(default_factory=list)  # temporary files of interrupted saves
    linked: set[str] = field(default_factory=set)  # candidates reached through a symbolic link
    # The articles in path order; with scan_batches(listing=True), unchanged ones as Listed.
    entries: list[Article | Listed] = field(default_factory=list)
    # Of `articles`, when taken from the index's blocks: their relative paths, `published` and
    # `quality` as the block's columns hold them (article.column_values), none of it asked of each article.
    known: tuple[list[str], list[Any], list[Any]] | None = None
    # None of `articles` has a decision: the review log names no article (app.loading), so
    # the tally need not ask each for one.
    undecided: bool = False

    def add_found(self, other: Batch) -> None:
        """What a walk found besides candidates in `other`: its problems, leftovers and skipped files."""
        self.problems += other.problems
        self.leftovers += other.leftovers
        self.skipped += other.skipped


# (path, reached through a link, stat_key of the file or None). A linked file is never
# stat'ed (it is read: where a link leads may change).
Walked = tuple[str, bool, "Stat | None"]
# A file the index holds unchanged, as index.FolderIndex.rows(stat=True) gives it: relative
# path, kind, data (or JSON line), text line, and its four stat values.
IndexRow = tuple[str, int, Any, "str | None", int, int, int, int]
# A block of the index (index.FolderIndex.block) whose files are all unchanged: its CRC-32,
# and its files' relative paths.
BlockRun = tuple[int, list[str]]
# What a scan plans from (library._plan), in the walk's order: a file the index holds
# unchanged, as its relative path or its IndexRow, or a file to read, as the walk found it;
# from the walk's helper, also a BlockRun.
Planned = str | Walked | IndexRow | BlockRun
StatRow = tuple[str, int, int, int, int]  # an index row's relative path and stat_key


def is_block_run(planned: Planned) -> TypeGuard[BlockRun]:
    """Whether a planned item is a BlockRun: the one pair among them."""
    return not isinstance(planned, str) and len(planned) == 2


BlockRange = tuple[str, str, int, int]  # an index block's first and last relative path, rows, CRC-32
# A folder whose index holds this many files is walked and compared by a helper process
# while this one decodes: the walk, its stat() calls and the comparison are 0.65 s of CPU at
# 100,000 files, and they need no Python lock of this process.
WALK_ELSEWHERE = 5000
_PIPE_SIZE = 1 << 20  # Linux's largest for a user, unless raised (/proc/sys/fs/pipe-max-size)
_FRAME = 2000  # files a helper's message carries (the first carries a tenth: the window's first rows)
_HELPER = (
    "import sys; from reviewer.core.walking import _walk_to;"
    " _walk_to(sys.argv[1], sys.stdout.buffer, int(sys.argv[2]), sys.argv[3], sys.argv[4])"
)


def compare(
    root: str, files: Iterator[Walked], rows: Iterator[tuple[Any, ...]], gone: list[str], whole: bool = False
) -> Iterator[Planned]:
    """The walk's files against the index's rows (in the order of their relative paths, as the
    walk's; each row's relative path first and its four stat values last): a file whose stat
    values are the row's comes as its relative path (with `whole`, as its whole row: an
    IndexRow), any other as the walk gave it, to be read. Rows the walk passes by (files gone),
    and rows of files that are read but not kept (reached through a link, or that cannot be
    stat'ed), go to `gone`."""
    prefix = root + os.sep
    cut = len(prefix)
    row = next(rows, None)
    for walked in files:
        path, linked, st = walked
        rel = path[cut:].replace(os.sep, "/") if path.startswith(prefix) else relative(root, path)
        while row is not None and row[0] < rel:
            gone.append(row[0])
            row = next(rows, None)
        if row is not None and row[0] == rel:
            known, row = row, next(rows, None)
            if st is not None and not linked and known[-4:] == st:
                yield known if whole else rel  # an IndexRow, as asked
                continue
            if st is None or linked:
                gone.append(rel)
        yield walked
    while row is not None:
        gone.append(row[0])
        row = next(rows, None)


def index_rows(path: str, form: str, after: str = "", blocks: list[BlockRange] | None = None) -> Iterator[StatRow]:
    """The relative paths and stat values an index file holds, after `after`, in order; none
    from an index of another format than `form`, or one that cannot be read (what it does not
    give is read from the files). With `blocks`, the rows of the index's blocks come from
    them, and each block's range is put in `blocks` before its first row: read in the same
    transaction, they are the blocks of these rows."""
    import sqlite3
    from urllib.parse import quote

    try:
        db = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return
    try:
        db.execute("BEGIN")
        if db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() != (form,):
            return
        select = "SELECT relpath, size, mtime_ns, ino, ctime_ns FROM files WHERE relpath > ?"
        if blocks is None:
            yield from db.execute(select + " ORDER BY relpath", (after,))
            return
        # A block's rows from its `stats`: one value, where row by row the rows of 100,000
        # files took 0.17-0.23 s of the walk's 0.9-1.2.
        for first, last, count, digest, stats_sum, stats in db.execute(
            "SELECT first, last, count, sum, stats_sum, stats FROM blocks ORDER BY first"
        ).fetchall():
            held = _block_stats(stats, stats_sum, count)
            if held is None or last <= after or first <= after:
                continue  # damaged (its rows are compared one by one), or before where the walk begins
            yield from db.execute(select + " AND relpath < ? ORDER BY relpath", (after, first))
            blocks.append((first, last, count, digest))
            yield from held
            after = last
        yield from db.execute(select + " ORDER BY relpath", (after,))
    except (sqlite3.Error, ValueError):  # ValueError: a damaged page's text that is not UTF-8
        return
    finally:
        db.close()


def _block_stats(stats: Any, digest: int, count: int) -> list[StatRow] | None:
    """A block's rows as its `stats` hold them, or None where they are damaged."""
    import marshal
    import zlib

    if not isinstance(stats, bytes) or zlib.crc32(stats) != digest:
        return None
    try:
        rows = marshal.loads(stats)
    except (ValueError, EOFError, TypeError):
        return None
    return rows if isinstance(rows, list) and len(rows) == count else None


def start_walk(root: str, index: str = "", form: str = "", whole: bool = False) -> Any:
    """The helper process of walk_elsewhere (a subprocess.Popen), or None when it cannot start.
    Started before walk_elsewhere is, it walks while this process does other work; `whole`,
    to the end before it sends anything (one frame: _walk_to)."""
    import subprocess

    helper = start_python(_HELPER, [root, "0" if whole else str(_FRAME), index, form], subprocess.PIPE)
    if helper is not None and helper.stdout is not None:
        _widen(helper.stdout.fileno())
    return helper


def start_python(code: str, args: list[str], stdout: Any) -> Any:
    """A fresh interpreter running `code` with this package importable (a subprocess.Popen:
    safe from a thread of the window, where fork is not), or None when it cannot start."""
    import subprocess
    import sys

    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")])))
    if not sys.executable:
        return None  # an embedded Python: no interpreter to start
    try:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL,
            env=env,
        )  # fmt: skip
    except OSError:
        return None


def _frames(helper: Any) -> Iterator[Any]:
    """The helper's frames as it sends them, until it ends or dies (a frame cut short ends them)."""
    import marshal

    while helper is not None and helper.stdout is not None:
        head = helper.stdout.read(4)
        if len(head) < 4:
            return
        size = int.from_bytes(head, "little")
        data = helper.stdout.read(size)
        if len(data) < size:
            return
        yield marshal.loads(data)


def walk_elsewhere(
    root: str, found: Batch, gone: list[str], index: str = "", form: str = "", helper: Any = None
) -> Iterator[Planned]:
    """walk_files(stat=True) in a helper process (a fresh interpreter: safe from a thread of
    the window, where fork is not), streamed back in frames; with the path of an `index` file
    (of format `form`), compared with it there too (compare: rows gone are added to `gone`).

    If the helper cannot start or dies, the walk goes on here from where it stopped: the
    files are in the order of their relative paths, so those it already gave are passed
    over, and what else it found is not counted twice. A `helper` started before (start_walk)
    is the one taken.
    """
    last: Planned | None = None  # the last file given
    problems: set[tuple[str, str]] = set()
    leftovers: set[str] = set()
    skipped = 0  # files the helper passed over (not articles)
    finished = False
    helper = helper or start_walk(root, index, form)
    try:
        for planned, their_gone, their_problems, their_leftovers, their_skipped, finished in _frames(helper):
            gone += their_gone
            for item in their_problems:
                problem = Problem(*item)
                problems.add((problem.relpath, problem.kind))
                found.problems.append(problem)
            leftovers.update(their_leftovers)
            found.leftovers += their_leftovers
            skipped += their_skipped
            found.skipped += their_skipped
            if planned:
                last = planned[-1]
            yield from planned
            if finished:
                break
    finally:
        end_walk(helper, finished)
    if finished:
        return
    again = Batch()  # the walk here, from the start, giving only what the helper did not

    def hand_on() -> None:  # what the walk here found besides files, but for what the helper gave
        found.problems += [p for p in again.problems if (p.relpath, p.kind) not in problems]
        found.leftovers += [p for p in again.leftovers if p not in leftovers]
        problems.update((p.relpath, p.kind) for p in again.problems)
        leftovers.update(again.leftovers)
        again.problems, again.leftovers = [], []

    # The walk's order is its relative paths': what the helper gave ends with `given`.
    if last is None or isinstance(last, str):
        given = last or ""
    elif is_block_run(last):
        given = last[1][-1]  # a BlockRun ends with its last file
    else:
        given = relative(root, cast(Walked, last)[0])
    rest = (walked for walked in walk_files(root, again, stat=True) if relative(root, walked[0]) > given)
    for planned_here in compare(root, rest, index_rows(index, form, given), gone) if index else rest:
        hand_on()
        yield planned_here
    hand_on()
    found.skipped += max(0, again.skipped - skipped)


def end_walk(helper: Any, finished: bool = False) -> None:
    """Wait for a helper (start_walk) that has `finished`; else end it. Once is enough: again, nothing."""
    if helper is not None and helper.returncode is None:
        if not finished:
            helper.kill()
        helper.wait()
        if helper.stdout is not None:
            helper.stdout.close()


def _widen(pipe: int) -> None:
    """Let the helper walk on ahead of what is taken from it: a pipe holds 64 KB, a third of a
    frame, so the helper stopped at each frame until this process, busy with the articles of
    the last one, came back for the next."""
    try:
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass  # the usual pipe: slower, as well


def _walk_to(root: str, out: Any, frame: int = _FRAME, index: str = "", form: str = "") -> None:
    """The helper of walk_elsewhere: frames of (planned, gone, problems, leftovers, skipped, finished);
    without `frame`, one frame at the end (no frame waits in the pipe for a reader busy elsewhere),
    every block in it as in_blocks(whole=True) gives it."""
    import marshal

    found = Batch()
    files: list[Planned] = []
    gone: list[str] = []

    def send(finished: bool) -> None:
        problems = [(p.path, p.relpath, p.kind, p.message, p.line) for p in found.problems]
        data = marshal.dumps((files, gone, problems, found.leftovers, found.skipped, finished))
        out.write(len(data).to_bytes(4, "little") + data)
        found.problems, found.leftovers, found.skipped = [], [], 0
        files.clear()
        gone.clear()

    size = max(1, frame // 10)
    walked = walk_files(root, found, stat=True)
    blocks: list[BlockRange] = []
    compared = in_blocks(root, compare(root, walked, index_rows(index, form, blocks=blocks), gone), blocks, not frame)
    for planned in compared if index else walked:
        files.append(planned)
        if frame and (len(files) == size or is_block_run(planned)):  # a BlockRun goes at once
            send(False)
            out.flush()
            size = frame
    send(True)
    out.flush()


def in_blocks(
    root: str, planned: Iterator[Planned], blocks: list[BlockRange], whole: bool = False
) -> Iterator[Planned]:
    """compare()'s files, each block whose rows all came unchanged as one BlockRun in their
    place (read as they come: `blocks` is filled once the comparison has begun). With `whole`,
    every block as a BlockRun of its first and last file, after the files of its range that
    did not come unchanged: those that did are the block's other rows (library.check_shown)."""
    i = 0
    held: list[Planned] = []  # what came in the range of blocks[i]
    unchanged = True

    def passed() -> Iterator[Planned]:  # blocks[i] is behind: its BlockRun, or what came in its range
        first, last, count, digest = blocks[i]
        if whole:
            yield from (item for item in held if not isinstance(item, str))
            yield digest, [first, last]
        elif unchanged and len(held) == count and held and held[0] == first:
            yield digest, cast(list[str], held)
        else:
            yield from held

    for item in planned:
        rel = item if isinstance(item, str) else relative(root, cast(Walked, item)[0])
        while i < len(blocks) and blocks[i][1] < rel:
            yield from passed()
            i, held, unchanged = i + 1, [], True
        if i < len(blocks) and blocks[i][0] <= rel:
            held.append(item)
            unchanged = unchanged and isinstance(item, str)
        else:
            yield item
    if i < len(blocks):
        yield from passed()


def walk(root: str, found: Batch) -> Iterator[tuple[str, bool]]:
    """Candidate files one by one, in the order of their relative paths, and whether each was
    reached through a symbolic link; what else the walk finds (problems, skipped files,
    leftovers of interrupted saves) is added to `found` as it goes.

    A folder's entries are sorted by name, a folder's name with '/' after it: the order of the
    relative paths themselves ('a.md' before 'a/b.md'), which is the index's order too.
    """
    for path, linked, _ in walk_files(root, found):
        yield path, linked


def walk_files(root: str, found: Batch, stat: bool = False) -> Iterator[Walked]:
    """walk(), each file with its stat_key when `stat` (None for a file reached through a link:
    it is read, never kept, as where a link leads may change), else None.

    A file is stat'ed as its turn comes, by its name in its folder (fstatat): the kernel looks
    up one name, not every folder of the path again (the walk of 100,000 files took 0.55 s
    with a stat of each path, and most of it was that).
    """
    root = os.path.abspath(root)
    seen: set[tuple[int, int]] = set()
    yield from _walk_items(root, _folder(root, root, False, found, seen), found, seen, stat)


def _walk_items(
    root: str, items: list[Item], found: Batch, seen: set[tuple[int, int]], stat: bool, folder: str = ""
) -> Iterator[Walked]:
    """walk_files from some of a folder's items (as _folder gives them): the root folder's,
    or those of `folder` in it."""
    stack = [_entries(items, folder or root, stat)]
    while stack:
        for _, is_folder, path, linked, st in stack[-1]:  # a folder's, until a subfolder's turn
            if is_folder:
                stack.append(_entries(_folder(root, path, linked, found, seen), path, stat))
                break
            yield path, linked, st
        else:
            stack.pop()


def _entries(items: list[Item], folder: str, stat: bool) -> Iterator[tuple[str, bool, str, bool, Stat | None]]:
    """A folder's items, each file with its stat when asked for."""
    fd = None
    if stat:
        with contextlib.suppress(OSError):  # then each file is stat'ed by its path
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for name, is_folder, path, linked in items:
            st = None
            if stat and not is_folder and not linked:
                try:  # noqa: SIM105  # contextlib.suppress, a context each file: 0.38 s of a walk of 100,000, not 0.35
                    st = stat_key(os.stat(name, dir_fd=fd) if fd is not None else os.stat(path))
                except OSError:
                    pass
            yield name, is_folder, path, linked, st
    finally:
        if fd is not None:
            os.close(fd)


def _folder(root: str, folder: str, via_link: bool, found: Batch, seen: set[tuple[int, int]]) -> list[Item]:
    """A folder's candidate files and subfolders as (sort key, is folder, path, through a link)."""
    try:
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            return []  # a link back to a folder already walked
        seen.add((st.st_dev, st.st_ino))
        entries = list(os.scandir(folder))
    except OSError as exc:
        found.problems.append(_os_problem(root, folder, exc))
        return []
    items: list[Item] = []
    for entry in entries:
        try:  # the usual entry, an article's plain file, taken here: 0.41 s of a walk of 100,000 -> 0.38
            plain = entry.is_file(follow_symlinks=False)
        except OSError:
            plain = False  # _classify says why
        name = entry.name
        if plain and name[:1] != "." and name.lower().endswith(ARTICLE_EXTENSIONS):
            items.append((name, False, entry.path, via_link))  # the usual entry, as _classify takes it
        else:
            _classify(root, entry, via_link, items, found)
    # By the key alone (unique in a folder: a subfolder's ends with '/'): the same order as
    # the tuples', and 7-8 ms for 27,000 files where the tuples took 17-20, all of it holding
    # Python's lock against the window's thread.
    items.sort(key=_by_key)
    return items


_by_key = operator.itemgetter(0)


def _classify(root: str, entry: os.DirEntry[str], via_link: bool, items: list[Item], early: Batch) -> None:
    """Add a folder's entry to `items` as (sort key, is folder, path, through a link), or count
    it in `early` (skipped, a problem, a leftover of an interrupted save)."""
    try:
        if entry.is_file(follow_symlinks=False):  # the usual entry: a plain file, no link to follow
            is_dir, is_file, link = False, True, via_link
        else:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
            link = via_link or entry.is_symlink()
    except OSError as exc:
        early.problems.append(_os_problem(root, entry.path, exc))
        return
    name = entry.name
    if is_dir:
        if name not in SKIPPED_DIRS and not name.startswith("."):
            items.append((name + "/", True, entry.path, link))
        return
    if not is_file:
        if entry.is_symlink():
            early.problems.append(_link_problem(root, entry.path))
        else:
            early.skipped += 1  # a pipe, socket or device: opening it could block
        return
    if name.endswith(TEMP_SUFFIX) and name.startswith("."):
        early.leftovers.append(entry.path)
    elif name.lower().endswith(ARTICLE_EXTENSIONS) and not name.startswith("."):
        items.append((name, False, entry.path, link))
    else:
        early.skipped += 1


def _link_problem(root: str, path: str) -> Problem:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(path, relative(root, path), "link-loop", "the symbolic link points back to itself")
        target = os.readlink(path) if os.path.islink(path) else "?"
        return Problem(
            path, relative(root, path), "broken-link", f"the symbolic link points to '{target}', which does not exist"
        )
    return Problem(path, relative(root, path), "unreadable", "not a regular file")


def _os_problem(root: str, path: str, exc: OSError) -> Problem:
    if exc.errno == errno.ELOOP:
        return Problem(path, relative(root, path), "link-loop", "the symbolic link points back to itself")
    return Problem(path, relative(root, path), "unreadable", exc.strerror or str(exc))


def relative(root: str, path: str) -> str:
    """`path` relative to `root`, with '/' between its parts: os.path.relpath's answer.

    A path the walk made (the root, a separator, plain names) is cut: 0.4 us a call here,
    where relpath takes 2.8 (a scan and a `reviewer set` call this three times a file).
    Anything else (dots, doubled separators, another prefix) goes to relpath.
    """
    if root and not root.endswith(os.sep) and path.startswith(root + os.sep):
        rest = path[len(root) + 1 :]
        if _NOT_PLAIN.isdisjoint(rest.split(os.sep)):
            return rest if os.sep == "/" else rest.replace(os.sep, "/")
    return os.path.relpath(path, root).replace(os.sep, "/")


_NOT_PLAIN = frozenset(("", ".", ".."))  # path parts that relpath would drop or resolve
