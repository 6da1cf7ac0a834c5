"""Scan a content folder into articles and problems, fast and without ever raising on bad input."""

from __future__ import annotations

import errno
import os
import re
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

from .article import Article, Identity
from .files import NotRegularFile, is_inside, open_regular, read_fd, write_refusal
from .frontmatter_text import FrontMatterError, pack_lines, read, split
from .problems import Problem
from .storage import TEMP_SUFFIX

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
    leftovers: list[str] = field(default_factory=list)

    def add(self, batch: Batch) -> None:
        self.articles.extend(batch.articles)
        self.problems.extend(batch.problems)
        self.skipped += batch.skipped
        self.leftovers.extend(batch.leftovers)


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
    linked, early.linked = early.linked, set()
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    if parallel is None:
        parallel = len(paths) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1
    if parallel:
        chunks = yield from _read_in_processes(root, chunks, linked, done, total)
        done = total - sum(map(len, chunks))
    for chunk in chunks:
        batch = read_chunk(root, chunk, linked.intersection(chunk))
        done += len(chunk)
        batch.done, batch.total = done, total
        yield batch


def _read_in_processes(
    root: str, chunks: list[list[str]], linked: set[str], done: int, total: int
) -> Generator[Batch, None, list[list[str]]]:
    """Read chunks in worker processes; return the chunks left unread if the pool fails."""
    import multiprocessing  # here, not at the top: a small folder's `reviewer set` should not pay 10 ms for it
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork is fastest and imports nothing again, but is unsafe once threads run (the window):
    # then forkserver, which re-imports the main module in each worker.
    single = threading.active_count() == 1
    context = multiprocessing.get_context("fork" if single else "forkserver")
    finished = 0
    try:
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
            links = [linked.intersection(chunk) for chunk in chunks]
            for batch in pool.map(read_chunk, [root] * len(chunks), chunks, links):
                done += len(chunks[finished])
                finished += 1
                batch.done, batch.total = done, total
                yield batch
    except (BrokenProcessPool, OSError):
        pass  # no worker processes here (sandbox, no /dev/shm): read the rest in this one
    finally:
        if not single:
            _stop_helper_processes()
    return chunks[finished:]


def _stop_helper_processes() -> None:
    """End the forkserver and resource-tracker processes a parallel read started.

    They would otherwise stay for the life of the window, holding their memory; the next
    large read starts them again (a tenth of a second). `_stop` is multiprocessing's own,
    private but present since Python 3.8.
    """
    from multiprocessing import forkserver, resource_tracker

    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        stop = getattr(helper, "_stop", None)  # absent from the stubs, present in the library
        try:
            if stop is not None:
                stop()
        except (OSError, ValueError):
            pass


def find_candidates(root: str) -> tuple[list[str], Batch]:
    """Paths of files whose extension makes them candidate articles, and early findings.

    Files with other extensions count as skipped; broken links and loops are problems;
    temporary files of interrupted saves are collected as leftovers. Directory links are
    followed once each, so a loop of links cannot recurse forever; what is reached through
    a link is marked, so that reading it checks where it really is.
    """
    found: list[str] = []
    early = Batch()
    seen_dirs: set[tuple[int, int]] = set()
    stack = [(root, False)]
    while stack:
        folder, via_link = stack.pop()
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
            _classify(root, entry, via_link, stack, found, early)
    return found, early


def _classify(
    root: str, entry: os.DirEntry[str], via_link: bool, stack: list[tuple[str, bool]], found: list[str], early: Batch
) -> None:
    try:
        is_dir = entry.is_dir()
        is_file = entry.is_file()
        linked = via_link or entry.is_symlink()
    except OSError as exc:
        early.problems.append(_os_problem(root, entry.path, exc))
        return
    if is_dir:
        if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
            stack.append((entry.path, linked))
        return
    if not is_file:
        if entry.is_symlink():
            early.problems.append(_link_problem(root, entry.path))
        else:
            early.skipped += 1  # a pipe, socket or device: opening it could block
        return
    if entry.name.endswith(TEMP_SUFFIX) and entry.name.startswith("."):
        early.leftovers.append(entry.path)
    elif entry.name.lower().endswith(ARTICLE_EXTENSIONS) and not entry.name.startswith("."):
        found.append(entry.path)
        if linked:
            early.linked.add(entry.path)
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


def read_chunk(root: str, paths: list[str], linked: set[str] | frozenset[str] = frozenset()) -> Batch:
    batch = Batch()
    for path in paths:
        item = read_article(path, root, path in linked)
        if isinstance(item, Article):
            batch.articles.append(item)
        elif isinstance(item, Problem):
            batch.problems.append(item)
        else:
            batch.skipped += 1
    return batch


def read_article(path: str, root: str, check_links: bool = True) -> Article | Problem | None:
    """Read one file: an Article, a Problem, or None when it has no front matter at all.

    Never raises: whatever goes wrong with one file is that file's problem. `check_links`
    resolves the path to see whether it leads outside `root` (a scan knows which paths went
    through a link and asks only for those).
    """
    rel = relative(root, path)
    try:
        return _read_article(path, rel, root, check_links)
    except Exception as exc:  # a bug or an odd file must not stop the run: the file is named instead
        message = " ".join(str(exc).split())[:160]
        return Problem(path, rel, "unexpected", f"could not be read ({type(exc).__name__}: {message})")


def _read_article(path: str, rel: str, root: str, check_links: bool) -> Article | Problem | None:
    try:
        fd, st = open_regular(path)
    except OSError as exc:
        return None if isinstance(exc, NotRegularFile) else _os_problem(root, path, exc)
    try:
        head = read_fd(fd, 4096)
        if not _starts_with_fence(head):
            if len(head) == 4096 and len(_first_line(head)[0]) <= 4:  # maybe a damaged fence: look further
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
    if not (first == b"---" or (len(first) in (2, 3, 4) and first.count(b"-") >= 2)):
        return ""
    if re.search(rb"^---[ \t]*\r?$", rest, re.MULTILINE) is None:
        return ""
    if first == b"---":
        return "the '---' line that opens the front matter is not the first line of the file"
    shown = first.decode("utf-8", "replace")
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
        line = data.count(b"\n", 0, nul) + 1
        return Problem(path, rel, "binary", f"the file holds binary data (a NUL byte at offset {nul}), not text", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(
            path, rel, "not-utf8", f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid UTF-8", line
        )
    lines: dict[str, int] = {}
    try:
        _, metadata = read(text, lines)
    except FrontMatterError as exc:
        return Problem(path, rel, exc.kind, exc.message, exc.line)
    return Article(path, rel, Identity.of(data, size, mtime_ns, pack_lines(lines)), metadata, read_only)
