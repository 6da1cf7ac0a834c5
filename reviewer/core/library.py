"""Scan a content folder into articles and problems, fast and without ever raising on bad input."""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from .article import Article, Identity
from .frontmatter_text import FrontMatterError, parse, split
from .problems import Problem

ARTICLE_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")
SKIPPED_DIRS = {".git", "_site", ".jekyll-cache", "node_modules", "vendor", ".venv"}
# Real newsletters with HTML bodies run to hundreds of KB; this is far beyond any article.
MAX_FILE_SIZE = 8 * 1024 * 1024
# Below this many candidate files one process is faster than starting a second.
PARALLEL_THRESHOLD = 1500
CHUNK = 400


@dataclass
class ScanResult:
    root: str
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0

    def add(self, batch: Batch) -> None:
        self.articles.extend(batch.articles)
        self.problems.extend(batch.problems)
        self.skipped += batch.skipped


@dataclass
class Batch:
    """What one piece of a scan found; batches arrive as the scan proceeds."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    done: int = 0  # candidate files handled so far
    total: int = 0  # candidate files in all


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


def scan_batches(root: str, parallel: bool | None = None) -> Iterator[Batch]:
    """Yield the scan of `root` in batches, using every core for large folders."""
    root = os.path.abspath(root)
    paths, early = find_candidates(root)
    total = len(paths) + early.skipped + len(early.problems)
    early.done, early.total = early.skipped + len(early.problems), total
    yield early
    done = early.done
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    if parallel is None:
        parallel = len(paths) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1
    if parallel:
        chunks = yield from _read_in_processes(root, chunks, done, total)
        done = total - sum(map(len, chunks))
    for chunk in chunks:
        batch = read_chunk(root, chunk)
        done += len(chunk)
        batch.done, batch.total = done, total
        yield batch


def _read_in_processes(root: str, chunks: list[list[str]], done: int, total: int):
    """Read chunks in worker processes; return the chunks left unread if the pool fails."""
    # fork is fastest and imports nothing again, but is unsafe once threads run (the window):
    # then forkserver, which re-imports the main module in each worker.
    single = threading.active_count() == 1
    context = multiprocessing.get_context("fork" if single else "forkserver")
    finished = 0
    try:
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
            for batch in pool.map(read_chunk, [root] * len(chunks), chunks):
                done += len(chunks[finished])
                finished += 1
                batch.done, batch.total = done, total
                yield batch
    except (BrokenProcessPool, OSError):
        pass  # no worker processes here (sandbox, no /dev/shm): read the rest in this one
    return chunks[finished:]


def find_candidates(root: str) -> tuple[list[str], Batch]:
    """Paths of files whose extension makes them candidate articles, and early findings.

    Files with other extensions count as skipped; broken links and loops are problems.
    Directory links are followed once each, so a loop of links cannot recurse forever.
    """
    found: list[str] = []
    early = Batch()
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen_dirs:
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            early.problems.append(_os_problem(root, folder, exc))
            continue
        for entry in entries:
            _classify(root, entry, stack, found, early)
    return found, early


def _classify(root: str, entry: os.DirEntry, stack: list, found: list, early: Batch) -> None:
    try:
        is_dir = entry.is_dir()
        is_file = entry.is_file()
    except OSError as exc:
        early.problems.append(_os_problem(root, entry.path, exc))
        return
    if is_dir:
        if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
            stack.append(entry.path)
        return
    if not is_file:
        if entry.is_symlink():
            early.problems.append(_link_problem(root, entry.path))
        else:
            early.skipped += 1  # a pipe, socket or device: opening it could block
        return
    if entry.name.lower().endswith(ARTICLE_EXTENSIONS) and not entry.name.startswith("."):
        found.append(entry.path)
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
    return os.path.relpath(path, root).replace(os.sep, "/")


def read_chunk(root: str, paths: list[str]) -> Batch:
    batch = Batch()
    for path in paths:
        item = read_article(path, root)
        if isinstance(item, Article):
            batch.articles.append(item)
        elif isinstance(item, Problem):
            batch.problems.append(item)
        else:
            batch.skipped += 1
    return batch


def read_article(path: str, root: str) -> Article | Problem | None:
    """Read one file: an Article, a Problem, or None when it has no front matter at all."""
    rel = relative(root, path)
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            head = fh.read(8)
            if not _starts_with_fence(head):
                return None
            if st.st_size > MAX_FILE_SIZE:
                return Problem(
                    path,
                    rel,
                    "too-large",
                    f"{st.st_size / 1048576:.1f} MB is over the {MAX_FILE_SIZE // 1048576} MB limit for an article",
                )
            data = head + fh.read()
    except OSError as exc:
        return _os_problem(root, path, exc)
    return article_from_bytes(path, rel, data, st.st_size, st.st_mtime_ns)


def _starts_with_fence(head: bytes) -> bool:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"---") and head[3:4] in (b"\n", b"\r", b" ", b"\t", b"")


def article_from_bytes(path: str, rel: str, data: bytes, size: int, mtime_ns: int) -> Article | Problem:
    """Build an Article from a file's bytes, or the Problem that stops it."""
    if b"\x00" in data[:8192]:
        return Problem(path, rel, "binary", "the file holds binary data (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(
            path, rel, "not-utf8", f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8", line
        )
    try:
        sp = split(text)
        metadata = parse(sp.yaml_text(text), sp.first_line)
    except FrontMatterError as exc:
        return Problem(path, rel, exc.kind, exc.message, exc.line)
    return Article(path, rel, Identity.of(data, size, mtime_ns), metadata)
