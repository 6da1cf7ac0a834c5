"""The folder index: what the last scan found in each file, kept so that reopening reads only
the files that changed since.

One SQLite file per content folder, in the user's cache folder. For each candidate file: its
path relative to the folder, the stat values that say whether it changed (size, mtime_ns,
inode, ctime_ns: an edit that restores size and mtime still moves ctime), and what reading
it gave: the article (Article.index_state), the problem, or nothing (no front matter).

The index is a cache, never the truth. A file is taken from it only when all four stat
values match; a save checks the file itself, as without an index. An index that is
missing, damaged, of another format or busy in another process is rebuilt or left aside
with a message; deleting it loses nothing. Each row carries a CRC-32 of what is taken from
it (SQLite notices a damaged page only where its structure breaks; 17 of 80 random byte
corruptions gave wrong output before): a row that does not match is read from its file,
and the index is made again.

A large folder's rows are also kept in blocks: a run of consecutive rows' articles as one
value (article.block_columns), with their packs, for a reopening that takes them whole.
A block holds exactly the rows of its range as they were when it was made: a trigger drops
it with the first change to any row in that range, whoever makes it. The walk's helper says
which blocks hold only unchanged files (walking.walk_elsewhere); the rest is taken row by
row as before.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import marshal
import os
import sqlite3
import struct
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .article import Article, articles_from_block, block_columns, column_values
from .kept import FORMS, LISTING_SUFFIX
from .listing import json_line, text_line
from .problems import Problem
from .spill import Spill
from .walking import WALK_ELSEWHERE, Stat, start_python

# Bumped whenever what a file reads as may change (parsing, Article's packing): an index of
# another format is rebuilt. Python's own version is part of it (marshal's format is its own).
FORMAT = f"15/py{sys.version_info[0]}.{sys.version_info[1]}"
ARTICLE, PROBLEM, NOTHING = 0, 1, 2
Item = Article | Problem | None


class IndexUnavailable(Exception):
    """The index could not be used; the scan goes on without it. The message says why."""


def index_path(cache_dir: str, root: str) -> str:
    root = os.path.abspath(root)
    name = hashlib.sha1(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return os.path.join(cache_dir, f"{os.path.basename(root) or 'root'}-{name}.sqlite3")


Encoded = tuple[int, bytes | None, str | None, str | None]  # kind, data, JSON line, text line
Printed = tuple[str, Encoded]  # a file's path and its Encoded; or a run of articles' (library.read_printed)
# A file changed this shortly before a scan looked at it may change again with its stat
# values unchanged: a file system's clock moves in ticks (4 ms here; whole seconds on some),
# so a second write of the same size within the tick keeps size, mtime and ctime. Its row
# is kept as one to read again (git's "racily clean" entries). Files older than this are
# taken from the index as their stat values say.
RACY_NS = 2_000_000_000
# The rows a block holds (fewer where a run is split evenly): one block is one batch for the
# window, taken in within one turn of its event loop. At 100,000 articles, blocks of 4,096
# held it for 12-26 ms a batch, of 2,048 up to 48 ms while other files were read, of 1,024
# longest pause 23-26 ms in a reopening, 41 ms while 36,000 files were read again.
BLOCK_ROWS = 1024
# The folder's first block is smaller: its rows are the window's first, shown once the walk
# has passed them all (4096 took 190-220 ms to show, where the rows of a folder read row by row took 80).
FIRST_BLOCK_ROWS = 256
# Folders from which blocks are kept: the walk's helper, which says a block is unchanged,
# walks only from there (walking.WALK_ELSEWHERE).
BLOCKS_FROM = WALK_ELSEWHERE
# A large folder is shown from its index first when its blocks hold this share of its rows
# (FolderIndex.shows_first): the rows no block holds are decoded one by one, 4-6 us each.
SHOWN_HELD = 0.9
# A block's value (_make_block): the length of its articles' packs, the packs one after
# another, then the marshal value of its columns and other files. Packs inside the marshal
# value were copied out of it at each reopening: 2-22 ms more at 100,000 articles (three
# standalone runs, interleaved).
_PACKS = struct.Struct("<Q")
Block = tuple[list[Article], list[tuple[str, "Item"]]]  # a block's articles, and its other files' (path, item)
Columns = tuple[Any, ...]  # a block's articles' slots, a list each, and more (article.block_columns)


def encode(item: Item, state: bool = True) -> Encoded:
    """An item as the index keeps it; an article also as `reviewer list` prints it (without
    `state`, only so)."""
    if isinstance(item, Article):
        return ARTICLE, item.index_state() if state else None, json_line(item), text_line(item)
    if isinstance(item, Problem):
        return PROBLEM, marshal.dumps((item.kind, item.message, item.line)), None, None
    return NOTHING, None, None, None


@dataclass(frozen=True, slots=True)
class Listed:
    """An unchanged article as the index holds it printed: what a warm `reviewer list` writes;
    or a run of articles as a worker printed them (library.read_printed), a line each."""

    path: str
    json: str
    line: str


def decode(root: str, relpath: str, kind: int, data: bytes | None) -> Item:
    if os.sep == "/" and root and not root.endswith("/") and not relpath.startswith("/"):
        if kind == ARTICLE and data is not None:  # os.path.join's result is root + "/" + relpath here
            return Article.from_index("", relpath, data, base=root + "/")
        path = root + "/" + relpath
    else:
        path = _joined(root, relpath)
    if kind == ARTICLE and data is not None:
        return Article.from_index(path, relpath, data)
    if kind == PROBLEM and data is not None:
        problem_kind, message, line = marshal.loads(data)
        return Problem(path, relpath, problem_kind, message, line)
    return None


def _joined(root: str, relpath: str) -> str:
    return os.path.join(root, *relpath.split("/"))


def _blob(db: sqlite3.Connection, rowid: int) -> bytes | None:
    """A block's data, read straight into one bytes object (a SELECT copied it twice: 26 ms
    where it took 35, the blocks of 100,000 articles from memory); None where it is not a blob."""
    try:
        with db.blobopen("blocks", "data", rowid, readonly=True) as blob:
            return blob.read()
    except sqlite3.Error:
        return None


def _state_sum(relpath: str, kind: int, data: bytes | None) -> int:
    return zlib.crc32(data or b"", zlib.crc32(relpath.encode("utf-8") + bytes((kind & 0xFF, 0))))


def _listed_sum(relpath: str, json: str | None, line: str | None) -> int:
    return zlib.crc32(f"{relpath}\0{json}\0{line}".encode())


def _storable(relpath: str) -> bool:
    """A name SQLite can hold (a file name that is not UTF-8 is read each time, never kept)."""
    try:
        relpath.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class FolderIndex:
    """The index of one content folder. Not shared between threads: each scan opens its own."""

    def __init__(self, path: str, root: str):
        self.path = path
        self.root = os.path.abspath(root)
        self.message = ""  # what happened to an index that could not be used as it was
        self._write: sqlite3.Connection | None = None
        self._read: sqlite3.Connection | None = None
        self._remove_at_close = False
        self._version = -1  # PRAGMA data_version at mark()
        # Whether the articles of blocks keep their packs in a temporary file beside the index
        # (core.spill): for the window, which holds them; not for a command that prints and ends.
        self.spill_packs = False
        self._spill: Spill | None = None

    @classmethod
    def open(cls, cache_dir: str, root: str) -> FolderIndex:
        """The folder's index, made or rebuilt as needed. IndexUnavailable when it cannot be used."""
        index = cls(index_path(cache_dir, root), root)
        try:
            os.makedirs(cache_dir, exist_ok=True)
            index._prepare()
        except (sqlite3.Error, OSError, ValueError) as exc:  # ValueError: damaged text that is not UTF-8
            index._close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise IndexUnavailable(f"the folder index is in use by another process ({index.path})") from exc
            index.message = f"the folder index was unreadable ({exc}); it is made again"
            try:
                index._remove_files()
                index._prepare()
            except (sqlite3.Error, OSError, ValueError) as again:
                index._close()
                raise IndexUnavailable(f"the folder index cannot be written: {again}") from again
        return index

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=0.5, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 500")
        return db

    def _prepare(self) -> None:
        db = self._write = self._connect()
        db.execute("PRAGMA page_size = 16384")  # rows of 2-3 KB: on 4 KB pages each took a page of its own
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise sqlite3.OperationalError("WAL mode is not available")
        db.execute("PRAGMA synchronous = NORMAL")  # a cache: a crash may lose the last writes, never corrupt
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
        found = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if found and (found.get("format") != FORMAT or found.get("root") != self.root):
            # Made again from an empty file: dropping the table read every page of it first,
            # 11 s before the first rows at 300,000 articles whose index was no longer cached.
            self._close()
            self._remove_files()
            self._prepare()
            self.message = "the folder index was made by another version of Reviewer; it is made again"
            return
        db.execute(
            # A rowid table: WITHOUT ROWID stores each row of a kilobyte or more on pages of its own.
            "CREATE TABLE IF NOT EXISTS files (relpath TEXT PRIMARY KEY, size INTEGER,"
            " mtime_ns INTEGER, ino INTEGER, ctime_ns INTEGER, kind INTEGER, data BLOB, json TEXT, line TEXT,"
            " state_sum INTEGER, listed_sum INTEGER)"
        )
        db.execute(
            # `stats` (its rows' relative paths and stat values, for the walk's helper) before
            # `data`: SQLite reads a row's columns up to the one asked for, and no further.
            "CREATE TABLE IF NOT EXISTS blocks (first TEXT PRIMARY KEY, last TEXT, count INTEGER,"
            " sum INTEGER, stats_sum INTEGER, stats BLOB, data BLOB)"
        )
        # A change to any row drops the block that holds it, in the same transaction.
        for event, rows in (("insert", ("NEW",)), ("delete", ("OLD",)), ("update", ("OLD", "NEW"))):
            drops = " ".join(f"DELETE FROM blocks WHERE first <= {r}.relpath AND last >= {r}.relpath;" for r in rows)
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS blocks_on_{event} AFTER {event.upper()} ON files BEGIN {drops} END"
            )
        if not found:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("format", FORMAT), ("root", self.root)])
        db.execute("SELECT count(*) FROM files").fetchone()  # a damaged file fails here, not halfway through a scan

    def rows(
        self, listing: bool = False, stat: bool = False, after: str = "", upto: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Every file as the last scan found it, in the order of their relative paths (the
        walk's): (relpath, kind, data, None), or with `listing` (relpath, kind, JSON line or
        problem data, text line); with `stat`, its four stat values after them (an IndexRow,
        for walking.compare: one scan of the index instead of two, 0.1 s less at 100,000
        files); only those after `after`, and before `upto` when given. Read on a connection of its
        own, so that what a scan writes meanwhile does not
        move under it. Whether a file is unchanged is walking.compare's to say, from the stat
        values alone."""
        if listing:
            what = "CASE kind WHEN 0 THEN json ELSE data END, line, CASE kind WHEN 0 THEN listed_sum ELSE state_sum END"
        else:
            what = "data, NULL, state_sum"
        stats = ", size, mtime_ns, ino, ctime_ns" if stat else ""
        bound, bounds = ("AND relpath < ?", (after, upto)) if upto is not None else ("", (after,))
        try:
            last = None
            for relpath, kind, data, line, found, *st in self._reader().execute(
                f"SELECT relpath, kind, {what}{stats} FROM files WHERE relpath > ? {bound} ORDER BY relpath", bounds
            ):
                if last is not None and relpath <= last:  # a damaged page can lead the walk in a loop
                    self._damaged("the folder index was damaged")
                    return
                last = relpath
                if listing and kind == ARTICLE:
                    expected = _listed_sum(relpath, data, line)
                else:
                    expected = _state_sum(relpath, kind, data)
                if found != expected:
                    self._damaged("a row of the folder index was damaged")
                    continue  # read from its file
                yield (relpath, kind, data, line, *st) if st else (relpath, kind, data, line)
        except (sqlite3.Error, TypeError, UnicodeError):
            self._damaged("the folder index was damaged")
            return  # what it did not give is read from the files

    def block(self, first: str, digest: int, relpaths: list[str]) -> Block | None:
        """The block that begins at `first`, if it is the one whose CRC-32 is `digest` (the
        walk's helper found its files unchanged) and holds exactly `relpaths`; else None."""
        try:
            found = self._reader().execute("SELECT data, sum FROM blocks WHERE first = ?", (first,)).fetchone()
        except sqlite3.Error:
            return None
        if found is None or found[1] != digest:
            return None  # made again since the helper looked: its rows are taken one by one
        opened = self._open_block(found[0], digest, relpaths)
        return opened[0] if opened is not None else None

    def _open_block(
        self, data: Any, digest: int, relpaths: list[str] | None = None, span: tuple[str, str] | None = None
    ) -> tuple[Block, Columns] | None:
        """A block's articles and other files from its data, and its columns (article.block_columns),
        if that is whole (its CRC-32 is `digest`) and holds exactly `relpaths` (when given), or
        files from exactly the first to the last of `span` (its range, as the blocks table says:
        not under the CRC); else None."""
        if not isinstance(data, bytes) or zlib.crc32(data) != digest:
            self._damaged("a block of the folder index was damaged")
            return None
        try:
            (length,) = _PACKS.unpack_from(data)
            whole = memoryview(data)
            packs = whole[_PACKS.size : _PACKS.size + length]  # written to the spill from where they are
            columns, others = marshal.loads(whole[_PACKS.size + length :])
            held = column_values(columns)[0]
            if others:
                held = sorted(held + [rel for rel, _, _ in others])
            if relpaths is not None and held != relpaths:
                return None
            if span is not None and (not held or (held[0], held[-1]) != span):
                self._damaged("a block of the folder index was damaged")
                return None
            articles = articles_from_block(self.root, columns, packs, self._spill_for_blocks())
            block = (
                articles,
                [(_joined(self.root, rel), decode(self.root, rel, kind, item)) for rel, kind, item in others],
            )
            return block, columns
        except (ValueError, TypeError, EOFError, IndexError, struct.error):
            self._damaged("a block of the folder index was damaged")
            return None

    def _spill_for_blocks(self) -> Spill | None:
        if self.spill_packs and self._spill is None:
            try:
                self._spill = Spill(os.path.dirname(self.path))
            except OSError:
                self.spill_packs = False  # kept in memory
        return self._spill

    def shows_first(self) -> bool:
        """Whether the folder is shown from its index before its files are looked at
        (library.show_index): a large folder whose blocks hold nearly all of its rows."""
        rows, held = self._held()
        return rows > 0 and rows >= BLOCKS_FROM and held >= rows * SHOWN_HELD

    def _held(self) -> tuple[int, int]:
        """The rows, and how many of them blocks hold; (0, 0) when the index cannot say."""
        try:
            db = self._reader()
            rows = int(db.execute("SELECT count(*) FROM files").fetchone()[0])
            return rows, int(db.execute("SELECT total(count) FROM blocks").fetchone()[0])
        except (sqlite3.Error, ValueError):
            return 0, 0

    def everything(self) -> Iterator[tuple[int, Block, Columns] | tuple[Any, ...]]:
        """All the index holds, in the order of relative paths, read in one transaction: each
        block whole, as its CRC-32, Block and Columns, and each row no block holds as an IndexRow
        (walking.IndexRow: relative path, kind, data, None, four stat values). A damaged block
        is given as its rows, with those before the next block; a damaged row is not given
        (its file is read)."""
        db = self._reader()
        try:
            db.execute("BEGIN")
            try:
                after = ""  # the rows up to here are given
                ranges = db.execute("SELECT rowid, first, last, sum FROM blocks ORDER BY first").fetchall()
                for rowid, first, last, digest in ranges:
                    if first <= after:
                        continue  # ranges that overlap: a damaged page
                    opened = self._open_block(_blob(db, rowid), digest, span=(first, last))
                    if opened is None:
                        continue  # its rows come with those before the next block, each by its own CRC
                    yield from self.rows(stat=True, after=after, upto=first)
                    yield digest, *opened
                    after = last
                yield from self.rows(stat=True, after=after)
            finally:
                db.execute("COMMIT")
        except (sqlite3.Error, TypeError, UnicodeError):
            self._damaged("the folder index was damaged")

    def mark(self) -> None:
        """Remember the index's version, for written_since."""
        try:
            self._version = self._reader().execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._version = -1

    def written_since(self) -> bool:
        """Whether another connection (another process, a block maker) has written to the index
        since mark(); True when that cannot be told."""
        try:
            return self._version < 0 or self._reader().execute("PRAGMA data_version").fetchone()[0] != self._version
        except sqlite3.Error:
            return True

    def relpaths(self, first: str, last: str) -> list[str]:
        """The relative paths of the rows from `first` to `last`."""
        try:
            query = "SELECT relpath FROM files WHERE relpath >= ? AND relpath <= ? ORDER BY relpath"
            return [rel for (rel,) in self._reader().execute(query, (first, last))]
        except sqlite3.Error:
            return []

    def make_blocks(self) -> int:
        """Blocks for the rows no block holds, of BLOCK_ROWS or a little fewer (the folder's
        first, FIRST_BLOCK_ROWS). Each in a transaction of its own, which reads the rows it is
        made of (so that no other process changes them meanwhile). Returns how many were made."""
        db = self._write
        if db is None:
            return 0
        made = 0
        try:
            first = db.execute("SELECT min(relpath) FROM files").fetchone()[0]
            runs = self._unblocked()
        except sqlite3.Error:
            return 0
        for run in runs:
            if run[0] == first and len(run) - FIRST_BLOCK_ROWS >= BLOCK_ROWS // 2:
                made += self._make_block(db, run[:FIRST_BLOCK_ROWS])
                run = run[FIRST_BLOCK_ROWS:]
            pieces = -(-len(run) // BLOCK_ROWS)  # as many as it takes, each as large as the others
            for k in range(pieces):
                made += self._make_block(db, run[k * len(run) // pieces : (k + 1) * len(run) // pieces])
        return made

    def _unblocked(self) -> list[list[str]]:
        """Runs of consecutive rows that no block holds. A run or a block of fewer than half
        BLOCK_ROWS is one with its neighbour: new files between blocks, a few a day, would
        otherwise each become a block of its own."""
        db = self._write
        assert db is not None
        blocks = db.execute("SELECT first, last FROM blocks ORDER BY first").fetchall()
        # The rows in order, in segments: a block's (its index in `blocks`), or a run's (-1).
        segments: list[tuple[int, list[str]]] = []
        i = 0
        for (relpath,) in db.execute("SELECT relpath FROM files ORDER BY relpath"):
            while i < len(blocks) and blocks[i][1] < relpath:
                i += 1
            held = i if i < len(blocks) and blocks[i][0] <= relpath else -1
            if segments and segments[-1][0] == held:
                segments[-1][1].append(relpath)
            else:
                segments.append((held, [relpath]))
        half = BLOCK_ROWS // 2
        merged: list[tuple[bool, list[str]]] = []  # (to be made, rows)
        for held, rows in segments:
            if merged:
                made, before = merged[-1]
                if held < 0 and made:  # two runs with a block of them between
                    before += rows
                    continue
                if (held < 0) != made and (len(before) < half or len(rows) < half):
                    merged[-1] = (True, before + rows)
                    continue
            merged.append((held < 0, rows))
        return [rows for made, rows in merged if made]

    def _make_block(self, db: sqlite3.Connection, relpaths: list[str]) -> int:
        first, last = relpaths[0], relpaths[-1]
        try:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                "SELECT relpath, kind, data, state_sum, size, mtime_ns, ino, ctime_ns FROM files"
                " WHERE relpath >= ? AND relpath <= ? ORDER BY relpath",
                (first, last),
            ).fetchall()
            articles: list[Article] = []
            others: list[tuple[str, int, Any]] = []
            stats = marshal.dumps([(row[0], *row[4:]) for row in rows])
            for relpath, kind, data, found, *_ in rows:
                if found != _state_sum(relpath, kind, data):
                    db.execute("ROLLBACK")
                    return 0  # a damaged row: read from its file at the next scan, and kept again
                item = decode(self.root, relpath, kind, data)
                if isinstance(item, Article):
                    articles.append(item)
                else:
                    others.append((relpath, kind, data))
            columns, packs = block_columns(articles)
            data = _PACKS.pack(len(packs)) + packs + marshal.dumps((columns, others))
            db.execute("DELETE FROM blocks WHERE first <= ? AND last >= ?", (last, first))  # any it overlaps
            db.execute(
                "INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first, last, len(rows), zlib.crc32(data), zlib.crc32(stats), stats, data),
            )
            db.execute("COMMIT")
        except ValueError:  # a value marshal cannot hold (a date from an explicit !!timestamp tag)
            db.execute("ROLLBACK")
            return 0
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            return 0
        return 1

    def wants_blocks(self) -> bool:
        """Whether a large folder has rows no block holds (make_blocks)."""
        rows, held = self._held()
        return rows >= BLOCKS_FROM and held < rows

    @staticmethod
    def settled(changed_ns: int, looked_ns: int) -> bool:
        """Whether a file last changed at `changed_ns` (its ctime) and stat'ed after `looked_ns`
        can be trusted to change its stat values when it next changes (RACY_NS)."""
        return changed_ns < looked_ns - RACY_NS

    def _damaged(self, what: str) -> None:
        """Trust none of it after this scan: removed when it is closed, made again next time."""
        self.message = f"{what}; it is made again"
        self._remove_at_close = True

    def count(self) -> int:
        """How many files the last scan found (to guess how far a scan has come)."""
        try:
            return int(self._reader().execute("SELECT count(*) FROM files").fetchone()[0])
        except (sqlite3.Error, ValueError):
            return 0

    def _reader(self) -> sqlite3.Connection:
        if self._read is None:
            self._read = self._connect()
        return self._read

    def store(self, rows: list[tuple[str, Stat, Encoded]], looked_ns: int) -> None:
        """Remember what files read as: (relpath, stat, encode(item)) each, stat'ed after
        `looked_ns` (time.time_ns()); a file changed within RACY_NS of that is kept as one
        to read again (its ctime_ns as -1, which no file has)."""
        db = self._write
        if db is None or not rows:
            return
        try:
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        rel,
                        size,
                        mtime_ns,
                        ino,
                        ctime_ns if self.settled(ctime_ns, looked_ns) else -1,
                        *encoded,
                        _state_sum(rel, encoded[0], encoded[1]),
                        _listed_sum(rel, encoded[2], encoded[3]) if encoded[0] == ARTICLE else 0,
                    )
                    for rel, (size, mtime_ns, ino, ctime_ns), encoded in rows
                    if _storable(rel)
                ],  # fmt: skip
            )
            db.execute("COMMIT")
        except sqlite3.Error:
            self._give_up()

    def forget(self, relpaths: Iterable[str]) -> None:
        """Files that are gone (or no longer kept)."""
        db = self._write
        relpaths = list(relpaths)
        if db is None or not relpaths:
            return
        try:
            db.execute("BEGIN")
            db.executemany("DELETE FROM files WHERE relpath = ?", [(rel,) for rel in relpaths])
            db.execute("COMMIT")
        except sqlite3.Error:
            self._give_up()

    def _give_up(self) -> None:
        """A write failed (disk full, another process): the scan goes on; the index is left as it was."""
        if self._write is not None:
            with contextlib.suppress(sqlite3.Error):
                self._write.rollback()
        self.message = self.message or "the folder index could not be updated; the next open reads more files"
        self._close()

    def close(self) -> None:
        self._close()
        self._spill = None  # the articles that keep packs in it keep it open
        if self._remove_at_close:
            with contextlib.suppress(OSError):
                self._remove_files()

    def _close(self) -> None:
        for name in ("_read", "_write"):
            db = getattr(self, name)
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
                setattr(self, name, None)

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", *(LISTING_SUFFIX.format(form) for form in FORMS)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path + suffix)


_MAKE_BLOCKS = (
    "import os, sys; from reviewer.core.index import make_blocks;"
    " hasattr(os, 'nice') and os.nice(int(sys.argv[3])); make_blocks(sys.argv[1], sys.argv[2])"
)
# make_blocks_elsewhere's processes (subprocess.Popen) not yet seen to end, by the index they make blocks of
_MAKERS: dict[str, Any] = {}


def make_blocks(cache_dir: str, root: str) -> int:
    """FolderIndex.make_blocks for the folder's index, if it can be opened."""
    try:
        index = FolderIndex.open(cache_dir, root)
    except IndexUnavailable:
        return 0
    try:
        return index.make_blocks()
    finally:
        index.close()


def make_blocks_elsewhere(cache_dir: str, root: str, nice: int = 10) -> None:
    """make_blocks in a process of its own at a lower priority (where the system has one), not
    waited for: after a scan, 100,000 rows in 1.4-2.1 s of the other core, none of it under
    this process's Python lock. A window that closes meanwhile ends it (at_exit): what it made stays, the
    block it was making is not written, and the next scan's call goes on from there."""
    import subprocess

    for path, maker in list(_MAKERS.items()):
        if maker.poll() is not None:
            del _MAKERS[path]
    path = index_path(cache_dir, root)
    if path in _MAKERS:
        return  # one is making the folder's blocks: another would only wait for its transactions
    maker = start_python(_MAKE_BLOCKS, [cache_dir, root, str(nice)], subprocess.DEVNULL)
    if maker is not None:
        _MAKERS[path] = maker


def wait_for_blocks(timeout: float | None = None) -> int:
    """Wait for make_blocks_elsewhere's processes to end (for tests and benchmarks); how many there were."""
    for maker in _MAKERS.values():
        maker.wait(timeout)
    return len(_MAKERS)


def _end_makers() -> None:
    for maker in _MAKERS.values():
        if maker.poll() is None:
            maker.kill()
        maker.wait()
    _MAKERS.clear()


atexit.register(_end_makers)
