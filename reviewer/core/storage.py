"""Save an article's edits: conflict check by identity, one-line edit, verified, atomic replace.

The promises, and how they are kept:
- Only the edited lines change: frontmatter_text.set_keys edits lines and verifies the result.
- A file changed on disk by anything else is never overwritten: the file's bytes are compared
  with what was read, again just before the replace, and once more just after it (a write
  that landed on the old file in that instant is put back and the save reported as a conflict).
  Reviewer's own processes also take an advisory lock on the file while they save it.
- A crash leaves the old file or the new one: the new text goes to a temporary file beside
  it, is made durable (fsynced, or with a batch of others by one syncfs), and only then
  renamed over the old one. Temporary files a kill leaves behind are removed by the next
  open or `set` (remove_leftovers).
- Nothing outside the opened folder is written, and nothing this user could not write while
  keeping the file's owner and group (files.write_refusal).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from .article import Article, Identity, PackedMetadata, content_digest
from .files import LinkRefused, NotRegularFile, is_inside, open_beneath, open_regular, read_fd, write_refusal
from .frontmatter_text import UNSET, EditError, FrontMatterError, read, set_keys, unpack_lines
from .walking import TEMP_SUFFIX
from .workers import Workers

LOCK_WAIT_S = 5.0  # how long a save waits for another Reviewer process saving the same file
LEFTOVER_AGE_S = 60.0  # a temporary file older than this, and not locked, is left from a crash
WRITERS = 4  # files written at once by write_many
FORKED_WRITES = 200  # jobs from which start_writing shares them among worker processes
_names = itertools.count()


class SaveKind(StrEnum):
    """Why a file was not written (its value is the word the command line prints)."""

    CONFLICT = "conflict"  # changed on disk since it was read
    READ_ONLY = "read-only"  # no permission, or owner or group that a rewrite would change
    OUTSIDE = "outside"  # its real path is outside the opened folder
    UNVERIFIABLE = "unverifiable"  # the edit could not be made as one checked line
    MISSING = "missing"  # deleted, moved, or no longer a regular file
    BUSY = "busy"  # another Reviewer is saving it
    IO = "io"  # the disk said no (full, read-only mount, ...)


class SaveError(Exception):
    """A file that was not written, and why. Nothing on disk changed."""

    def __init__(self, kind: SaveKind, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.kind = kind
        self.path = path
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:  # sent back by a worker process
        return (SaveError, (self.kind, self.path, self.message))


@dataclass(frozen=True)
class Saved:
    article: Article
    changes: list[tuple[str, Any, Any]]  # (key, old, new)


@dataclass(frozen=True)
class Written:
    """What is on disk after write_edits: the file's new identity and metadata."""

    identity: Identity
    read: dict[Any, Any] | PackedMetadata  # the metadata the edits were made to
    edits: dict[str, Any]
    real_path: str = ""  # where the bytes went, links resolved

    def metadata(self) -> dict[Any, Any]:
        """Worked out when asked for: a save of the keys the list shows never asks (Article.written)."""
        read = self.read.metadata() if isinstance(self.read, PackedMetadata) else self.read
        return {k: v for k, v in {**read, **self.edits}.items() if v is not UNSET}


def save(article: Article, overwrite: bool = False, root: str | None = None) -> Saved:
    """Write `article.edits` to its file and fold them into `article.original`."""
    if not article.edits:
        return Saved(article, [])
    edits = dict(article.edits)
    written = write_edits(article.path, article.identity, article.original, edits, overwrite, root)
    return Saved(article, article.written(written.metadata, written.identity, edits))


# path, identity, original (a dict, or packed: write_many unpacks it on its threads), edits
Job = tuple[str, Identity, "dict[Any, Any] | PackedMetadata", dict[str, Any]]


def write_many(
    jobs: list[Job],
    root: str | None,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Written | SaveError]:
    """write_edits for each job; results in the order of `jobs`; each folder fsynced once, after its files.

    Files are written by WRITERS threads at once, each taking DURABLE_BATCH files at a time
    (_write_threads): waiting for the disk does not hold Python's lock, so one file's check
    runs while others reach the disk. Each file keeps every guarantee of write_edits; only the
    order in which files land varies. (A command line shares a large batch among worker
    processes: start_writing.)
    """
    results = _write_threads(jobs, root, overwrite, progress)
    fsync_folders(results)
    return results


def start_writing(
    jobs: list[Job], root: str | None, overwrite: bool, workers: Workers
) -> Callable[[], list[Written | SaveError]]:
    """Begin writing the jobs; the function returned waits for them and gives the results in order.

    From FORKED_WRITES jobs, where `workers` (a command line's) can be forked, each worker
    process writes a share of them with its threads while the caller goes on (a save's checks
    take more of Python's time than its disk waits on a fast disk, and one process runs them
    on one core); fewer are written here, now. Folders are not fsynced: the caller does that
    once all its writes are done (fsync_folders).
    """
    pool = workers.get(fork_only=True) if len(jobs) >= FORKED_WRITES or workers.started else None
    if pool is None:
        written = _write_threads(jobs, root, overwrite)
        return lambda: written
    # Shares of half FORKED_WRITES or more: the last 200 of a query's matches went to one
    # worker while the other had nothing left to do.
    size = -(-len(jobs) // max(1, min(workers.count, len(jobs) // (FORKED_WRITES // 2))))
    shares = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    futures = [pool.submit(_write_threads, share, root, overwrite) for share in shares]

    def collect() -> list[Written | SaveError]:
        done: list[Written | SaveError] = []
        for share, future in zip(shares, futures, strict=True):
            try:
                done += future.result()
            except Exception:  # the pool broke (a worker killed): its share is written here
                done += _write_threads(share, root, overwrite)
        return done

    return collect


def fsync_folders(results: Iterable[Written | SaveError]) -> None:
    """Each folder a file was written into fsynced once: the renames in it last."""
    for folder in sorted({os.path.dirname(r.real_path) for r in results if isinstance(r, Written)}):
        fsync_folder(folder)


def _write_threads(  # noqa: C901  (the writer threads and their shared queue, read as one piece)
    jobs: list[Job], root: str | None, overwrite: bool, progress: Callable[[int, int], None] | None = None
) -> list[Written | SaveError]:
    """The jobs written by WRITERS threads; folders not fsynced (fsync_folders).

    Each thread takes DURABLE_BATCH jobs at a time: their new versions are written beside
    them, made durable together (_make_durable: one syncfs where the kernel reports its
    errors, not an fsync a file), then renamed into place one by one, each checked as before.
    """
    done = 0
    counting = threading.Lock()
    real_root = os.path.realpath(root) if root is not None else None
    real_folders: dict[str, str] = {}  # folder -> its real path, for this save (see _real_path)

    def counted(result: Written | SaveError) -> Written | SaveError:
        nonlocal done
        with counting:
            done += 1
            if progress:
                progress(done, len(jobs))
        return result

    def one(job: Job) -> Written | SaveError:
        path, identity, original, edits = job
        try:
            result: Written | SaveError = _write_edits(
                path, identity, original, edits, overwrite, real_root, False, real_folders
            )
        except SaveError as exc:
            result = exc
        return counted(result)

    def batch(chunk: list[Job]) -> list[Written | SaveError]:
        staged: list[_Staged | Written | SaveError | None] = []
        held: set[tuple[int, int]] = set()  # the files this batch has open and locked
        try:
            for path, identity, original, edits in chunk:
                try:
                    staged.append(_stage(path, identity, original, edits, overwrite, real_root, real_folders, held))
                except SaveError as exc:
                    staged.append(exc)
                except _NotNow:  # written alone once this batch's files are done
                    staged.append(None)
            _make_durable([item for item in staged if isinstance(item, _Staged)])
            results: list[Written | SaveError | None] = [None] * len(chunk)
            for i, item in enumerate(staged):
                if isinstance(item, _Staged):
                    try:
                        item = item.failure or _complete(item)
                    except SaveError as exc:
                        item = exc
                if item is not None:
                    results[i] = counted(item)
            for i, item in enumerate(staged):  # alone, now that the batch holds no file
                if item is None:
                    results[i] = one(chunk[i])
            return cast("list[Written | SaveError]", results)
        finally:
            for item in staged:
                if isinstance(item, _Staged):
                    item.abandon()  # nothing left to do for those completed; after a bug, the rest undone

    if len(jobs) < 2 * WRITERS:
        return [one(job) for job in jobs]
    batched = _syncfs() is not None
    # Each thread takes the next jobs itself: a pool's map made a future for every job first,
    # 8,799 of them in one stretch of Python before the first file was written.
    size = DURABLE_BATCH if batched else 1
    results: list[Written | SaveError | None] = [None] * len(jobs)
    taken = 0
    failures: list[BaseException] = []

    def writer() -> None:
        nonlocal taken
        while not failures:
            with counting:
                i = taken
                taken += size
            if i >= len(jobs):
                return
            try:
                if batched:
                    results[i : i + size] = batch(jobs[i : i + size])
                else:
                    results[i] = one(jobs[i])
            except BaseException as exc:  # a bug, not a file's refusal: the others stop, the caller hears
                failures.append(exc)

    threads = [threading.Thread(target=writer, name=f"reviewer-write-{n}") for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return cast("list[Written | SaveError]", results)


def write_edits(
    path: str,
    identity: Identity,
    original: dict[Any, Any],
    edits: dict[str, Any],
    overwrite: bool = False,
    root: str | None = None,
    sync_folder: bool = True,
) -> Written:
    """Write `edits` into the file at `path`, which was read as `identity` / `original`.

    Touches nothing but the file. Refuses, raising SaveError, when the file changed on
    disk since it was read (unless `overwrite`: then the edits are applied to the file
    as it is now), when its real path is outside `root`, when this user may not rewrite
    it, or when the edit cannot be verified. The file is always either the old one or
    the new one.
    """
    return _write_edits(
        path, identity, original, edits, overwrite, os.path.realpath(root) if root is not None else None, sync_folder
    )


def _write_edits(
    path: str,
    identity: Identity,
    original: dict[Any, Any] | PackedMetadata,
    edits: dict[str, Any],
    overwrite: bool,
    real_root: str | None,
    sync_folder: bool,
    real_folders: dict[str, str] | None = None,
) -> Written:
    staged = _stage(path, identity, original, edits, overwrite, real_root, real_folders)
    if isinstance(staged, Written):
        written = staged
    else:
        try:
            written = _complete(staged)
        finally:
            staged.abandon()  # nothing to do once _complete has closed the file
    if sync_folder:
        fsync_folder(os.path.dirname(written.real_path))
    return written


@dataclass(slots=True)
class _Staged:
    """A file's new version written beside it (`tmp`), the file itself still open and locked (`fd`).

    Made durable (by `_write_temp`'s fsync, or with others by _make_durable), then put in
    place by _complete, which closes both. `failure` is set when making it durable failed.
    """

    fd: int
    st: os.stat_result
    path: str
    target: str
    tmp: str
    tmp_fd: int  # -1 once closed
    folder: int  # the file's folder, opened without following links below the opened folder
    written: os.stat_result
    data: bytes
    new_data: bytes
    metadata: dict[Any, Any] | PackedMetadata
    edits: dict[str, Any]
    lines: int
    failure: SaveError | None = None

    def close_tmp(self) -> None:
        if self.tmp_fd != -1:
            fd, self.tmp_fd = self.tmp_fd, -1
            os.close(fd)

    def abandon(self) -> None:
        """Put nothing in place: the temporary file removed, the file closed (its lock released).
        Does nothing once the file is closed (put in place, or abandoned already)."""
        if self.fd == -1:
            return
        fd, self.fd = self.fd, -1
        try:
            self.close_tmp()
        finally:
            _remove_quietly(os.path.basename(self.tmp), self.folder)
            os.close(self.folder)
            os.close(fd)


def _stage(
    path: str,
    identity: Identity,
    original: dict[Any, Any] | PackedMetadata,
    edits: dict[str, Any],
    overwrite: bool,
    real_root: str | None,
    real_folders: dict[str, str] | None,
    held: set[tuple[int, int]] | None = None,
) -> _Staged | Written:
    """Check the file and write its new version beside it; Written at once when the edit
    changes no byte (the file then closed).

    Alone (`held` None), the new version is fsynced. In a batch, `held` has the files the batch
    holds open and locked (this one is added): the new version is left for _make_durable, and
    a file it cannot lock at once raises _NotNow."""
    target = _real_path(path, real_folders)
    if real_root is not None and not is_inside(real_root, target):
        message = f"it is a link to {target}, outside the opened folder; it is not written"
        raise SaveError(SaveKind.OUTSIDE, path, message)
    folder = _open_folder(path, target, real_root)
    try:
        fd, st = _open_locked(path, target, held)
    except BaseException:
        os.close(folder)
        raise
    try:
        staged = _stage_locked(fd, st, path, target, identity, original, edits, overwrite, held is None, folder)
    except BaseException:
        os.close(fd)  # also releases the lock
        os.close(folder)
        raise
    if isinstance(staged, Written):
        os.close(fd)
        os.close(folder)
    return staged


def _open_folder(path: str, target: str, real_root: str | None) -> int:
    """The folder `target` is in, opened from the opened folder one name at a time without
    following a link (files.open_beneath): a folder swapped for a link after the real path
    was worked out cannot lead the temporary file or the rename outside."""
    folder = os.path.dirname(target)
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if real_root is None or folder == real_root:
            return os.open(folder, flags)
        return open_beneath(real_root, os.path.relpath(folder, real_root).replace(os.sep, "/"), flags)
    except LinkRefused as exc:
        raise SaveError(SaveKind.OUTSIDE, path, f"{exc.strerror}; it is not written") from None
    except OSError as exc:
        raise SaveError(SaveKind.MISSING, path, f"its folder cannot be opened: {exc.strerror or exc}") from None


def _stage_locked(
    fd: int,
    st: os.stat_result,
    path: str,
    target: str,
    identity: Identity,
    original: dict[Any, Any] | PackedMetadata,
    edits: dict[str, Any],
    overwrite: bool,
    sync: bool,
    folder: int,
) -> _Staged | Written:
    refusal = write_refusal(st)
    if not refusal and not os.access(target, os.W_OK):
        refusal = "the file cannot be written (no permission, or a read-only file system)"
    if refusal:
        raise SaveError(SaveKind.READ_ONLY, path, refusal)
    data = _read(fd, path)
    if not overwrite and (len(data) != identity.size or content_digest(data) != identity.digest):
        raise SaveError(SaveKind.CONFLICT, path, "the file changed on disk since it was read")
    text = _decode(path, data)
    metadata = _parse_current(path, text) if overwrite else original
    lines = 0 if overwrite else identity.plain_lines  # valid for the bytes the identity check just matched
    try:
        if isinstance(metadata, PackedMetadata):  # unpacked only if the shorter check cannot decide
            checked = set_keys(text, edits, metadata.metadata, unpack_lines(lines), known=metadata.listed())
        else:
            checked = set_keys(text, edits, metadata, unpack_lines(lines))
        new_data = checked.encode("utf-8")
    except EditError as exc:
        raise SaveError(SaveKind.UNVERIFIABLE, path, str(exc)) from None
    # Values replaced in place keep every line where it was; an added or removed line moves them.
    keys = metadata.keys if isinstance(metadata, PackedMetadata) else metadata
    in_place = all(k in keys and v is not UNSET for k, v in edits.items())
    lines = lines if in_place else 0
    if new_data == data:  # e.g. removing a key the file does not have
        return Written(Identity(st.st_size, st.st_mtime_ns, identity.digest, lines), metadata, edits, target)
    tmp, written, tmp_fd = _write_temp(path, target, new_data, st, folder, sync)
    return _Staged(fd, st, path, target, tmp, tmp_fd, folder, written, data, new_data, metadata, edits, lines)


def _complete(staged: _Staged) -> Written:
    """Put a durable new version in place, if the file is still as it was read; closes the file."""
    fd, path, target, data = staged.fd, staged.path, staged.target, staged.data
    try:
        staged.close_tmp()
        _wait_for_writers(fd)  # a program writing the file now: let it finish, then the check below sees it
        if _read(fd, path) != data or _replaced(target, staged.st):
            raise SaveError(SaveKind.CONFLICT, path, "the file changed on disk while it was being saved")
        try:
            _put_in_place(staged.tmp, target, staged.st, staged.folder)
        except _RenamedMeanwhile:
            raise SaveError(SaveKind.CONFLICT, path, "the file was replaced on disk while it was being saved") from None
        except OSError as exc:
            raise SaveError(SaveKind.IO, path, exc.strerror or str(exc)) from None
    except BaseException:
        staged.abandon()
        raise
    staged.fd = -1  # in place: closed below, nothing to abandon
    try:
        _wait_for_writers(fd)  # one that opened the old file before the replace writes there: wait for it
        if _read(fd, path) != data:  # written to the old file as it was replaced
            _put_back(fd, path, target, staged.new_data, staged.st, staged.folder)
            message = "the file changed on disk while it was being saved; that change was kept"
            raise SaveError(SaveKind.CONFLICT, path, message)
    finally:
        os.close(fd)  # also releases the lock
        os.close(staged.folder)
    written = staged.written
    return Written(
        Identity(written.st_size, written.st_mtime_ns, content_digest(staged.new_data), staged.lines),
        staged.metadata,
        staged.edits,
        target,
    )


# --- durable, many at once -------------------------------------------------------------------
# fsync commits the file system's journal and flushes the disk's cache: once a file, that is
# most of a save's time on a fast disk. syncfs does both once for every file written so far on
# that file system. Only from Linux 5.8 does it report a write that failed (man 2 syncfs); before
# that, and elsewhere, each file is fsynced. Either way a file is renamed only once durable.

DURABLE_BATCH = 32  # files a writer thread makes durable together
_SYNCFS: list[Any] = []  # [the syncfs function, or None], worked out on first need


def _syncfs() -> Any:
    if not _SYNCFS:
        _SYNCFS.append(_find_syncfs())
    return _SYNCFS[0]


def _find_syncfs() -> Any:
    if not sys.platform.startswith("linux") or os.environ.get("REVIEWER_FSYNC_EACH"):
        return None
    release = re.match(r"(\d+)\.(\d+)", os.uname().release)
    if release is None or (int(release[1]), int(release[2])) < (5, 8):
        return None
    return _libc("syncfs", lambda c: [c.c_int])  # releases Python's lock while it waits


def _libc(name: str, argtypes: Callable[[Any], list[Any]]) -> Any:
    """The C library's function `name` (errno kept, an int result), its argument types made
    from the ctypes module; None where it has none."""
    try:
        import ctypes

        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = argtypes(ctypes)
    function.restype = ctypes.c_int
    return function


# syncfs writes out everything waiting on the file system, not only this save's files. While
# another program writes a lot (a copy, a download), each batch then waited for it: reviewer set
# over 1,000 files took 0.78-0.94 s beside a 1.5 GB write, against 0.45-0.74 s with an fsync a
# file. Above this much data waiting to be written (the system's, /proc/meminfo), each file is
# fsynced instead.
DIRTY_LIMIT_KB = 64 * 1024
_MEMINFO = "/proc/meminfo"


def _little_dirty() -> bool:
    """Whether little data waits to be written (Dirty and Writeback in /proc/meminfo), so that
    a syncfs costs about what this save's own files do; False when it cannot be known."""
    try:
        with open(_MEMINFO, "rb") as meminfo:
            waiting = 0
            for line in meminfo:
                if line.startswith((b"Dirty:", b"Writeback:")):
                    waiting += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return waiting < DIRTY_LIMIT_KB


def _make_durable(staged: list[_Staged]) -> None:
    """Make each staged new version durable: a syncfs for each file system they are on; where
    that fails or cannot be used, an fsync each. One that fails gets its `failure` (and is not
    renamed)."""
    syncfs = _syncfs()
    devices: dict[int, list[_Staged]] = {}
    for item in staged:
        devices.setdefault(item.written.st_dev, []).append(item)
    for items in devices.values():
        if syncfs is not None and _little_dirty() and syncfs(items[0].tmp_fd) == 0:
            continue
        for item in items:  # each file's own error, if any, is reported to its own fsync
            try:
                os.fsync(item.tmp_fd)
            except OSError as exc:
                item.failure = SaveError(SaveKind.IO, item.path, exc.strerror or str(exc))
                item.abandon()


def _real_path(path: str, real_folders: dict[str, str] | None) -> str:
    """os.path.realpath(path), the folder's part looked up once a save in `real_folders`.

    realpath looks at every folder on the way (seven lstat calls here), file after file: a
    tenth of a plain loop's time for each file. The file itself is still looked at each time.
    """
    if real_folders is None:
        return os.path.realpath(path)
    folder, name = os.path.split(os.path.abspath(path))
    try:
        if not name or stat.S_ISLNK(os.lstat(path).st_mode):
            return os.path.realpath(path)
    except OSError:
        return os.path.realpath(path)
    real = real_folders.get(folder)
    if real is None:
        real = real_folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)


class _NotNow(Exception):
    """A file a batch cannot lock without waiting: it holds it already (the same file by another
    path), or another save does. Waiting while holding its other files could wait forever on a
    save that waits for one of them; the batch writes it alone once its own files are done."""


def _open_locked(path: str, target: str, held: set[tuple[int, int]] | None = None) -> tuple[int, os.stat_result]:
    """Open the file and take Reviewer's advisory lock on it; the file at `target` then, not a
    replaced one. `held`: see _stage."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fd, st = open_regular(target)
        except FileNotFoundError:
            raise SaveError(SaveKind.MISSING, path, "the file was deleted or moved on disk") from None
        except NotRegularFile:
            raise SaveError(SaveKind.MISSING, path, "is no longer a regular file") from None
        except OSError as exc:
            raise SaveError(SaveKind.IO, path, exc.strerror or str(exc)) from None
        try:
            if held is None:
                _lock(fd, path, deadline)
            elif (st.st_dev, st.st_ino) in held or not _try_lock(fd):
                raise _NotNow()
            now = os.stat(target)
            if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                if held is not None:
                    held.add((st.st_dev, st.st_ino))
                return fd, os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # another process replaced it while this one waited: open the new file


def _try_lock(fd: int) -> bool:
    """Take the lock if nobody holds it; True too where there are no locks."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        pass  # a file system without locks: the content checks still hold
    return True


def _lock(fd: int, path: str, deadline: float) -> None:
    while not _try_lock(fd):
        if time.monotonic() > deadline:
            raise SaveError(SaveKind.BUSY, path, "another Reviewer is saving this file; try again")
        time.sleep(0.01)


# --- other writers -------------------------------------------------------------------------
# Linux grants a read lease on a file only while nobody has it open for writing: taken and
# given back at once, it tells whether another program (or thread) holds the file open to
# write it, so that its write is waited for and then seen, not lost on the replaced file.
# Where leases are not available the content checks alone stand.

WRITER_WAIT_S = 0.5  # how long a save waits for another program to finish writing the file
_LEASES = hasattr(fcntl, "F_SETLEASE") and threading.current_thread() is threading.main_thread()
if _LEASES:
    # A lease broken by an opener is signalled with SIGIO, whose default action ends the
    # process. Reviewer holds a lease only for the microseconds between two calls.
    signal.signal(signal.SIGIO, signal.SIG_IGN)


def _writers(fd: int) -> bool:
    """Whether anyone has the file open for writing (False where that cannot be known)."""
    if not _LEASES:
        return False
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except BlockingIOError:
        return True
    except OSError:
        return False
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return False


def _wait_for_writers(fd: int) -> None:
    deadline = time.monotonic() + WRITER_WAIT_S
    while _writers(fd) and time.monotonic() < deadline:
        time.sleep(0.0005)


def _read(fd: int, path: str) -> bytes:
    try:
        return read_fd(fd)
    except OSError as exc:
        raise SaveError(SaveKind.IO, path, exc.strerror or str(exc)) from None


class _RenamedMeanwhile(Exception):
    """Another program renamed its own version over the file between the last check and ours."""


def _put_in_place(tmp: str, target: str, st: os.stat_result, folder: int) -> None:
    """Rename `tmp` over `target`, unless `target` is no longer the file `st` describes.

    A program that saves by rename (most editors, git) can put its version in place after the
    last check and before a plain rename, which then throws that version away. Where Linux's
    renameat2 can exchange the two names atomically, nothing is thrown away: the file that
    comes out at `tmp` is looked at, and if it is not the one read, the exchange is undone.
    """
    ours, name = os.path.basename(tmp), os.path.basename(target)  # both in `folder`
    if not _exchange(ours, name, folder):
        os.replace(ours, name, src_dir_fd=folder, dst_dir_fd=folder)
        return
    try:
        out = os.lstat(ours, dir_fd=folder)
    except OSError:
        out = None
    if out is None or (out.st_dev, out.st_ino) != (st.st_dev, st.st_ino):
        if _exchange(ours, name, folder):  # theirs back in place; ours at tmp, removed by abandon()
            raise _RenamedMeanwhile()
        raise OSError(0, "the file was replaced on disk while it was being saved, and could not be put back")
    _remove_quietly(ours, folder)  # the old version: still open (fd) for the checks that follow


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_RENAMEAT2: list[Any] = []  # [libc's renameat2, or None], worked out on first need


def _exchange(a: str, b: str, folder: int = _AT_FDCWD) -> bool:
    """Swap two names in `folder` atomically; False where the system or the file system cannot."""
    if not _RENAMEAT2:
        _RENAMEAT2.append(_libc("renameat2", lambda c: [c.c_int, c.c_char_p, c.c_int, c.c_char_p, c.c_uint]))
    function = _RENAMEAT2[0]
    if function is None:
        return False
    if function(folder, os.fsencode(a), folder, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # not here: a plain rename instead
        return False
    raise OSError(code, os.strerror(code), b)


def _replaced(target: str, st: os.stat_result) -> bool:
    try:
        now = os.stat(target)
    except OSError:
        return True
    return (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino)


def _write_temp(
    path: str, target: str, data: bytes, st: os.stat_result, folder: int, sync: bool = True
) -> tuple[str, os.stat_result, int]:
    """Write `data` to a new file beside `target` (in the open `folder`), with its permission
    bits, owner and group.

    With `sync`, fsynced and closed (the fd returned is -1); else left open for _make_durable.
    """
    where, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp_name = f".{name}.{os.getpid()}-{next(_names)}{TEMP_SUFFIX}"
        tmp = os.path.join(where, tmp_name)
        try:
            fd = os.open(tmp_name, flags, 0o600, dir_fd=folder)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            reason = f"cannot create a temporary file beside it: {exc.strerror or exc}"
            raise SaveError(SaveKind.IO, path, reason) from None
    try:
        with contextlib.suppress(OSError):  # in use: remove_leftovers leaves it alone
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if os.geteuid() == 0:
            os.fchown(fd, st.st_uid, st.st_gid)
        elif st.st_gid != os.getegid():
            os.fchown(fd, -1, st.st_gid)  # write_refusal checked that this user is in the group
        if sync:
            os.fsync(fd)
        written = os.fstat(fd)
    except BaseException as exc:
        os.close(fd)
        _remove_quietly(tmp_name, folder)
        if isinstance(exc, OSError):
            raise SaveError(SaveKind.IO, path, exc.strerror or str(exc)) from None
        raise
    if not sync:
        return tmp, written, fd
    os.close(fd)
    return tmp, written, -1


def _put_back(fd: int, path: str, target: str, ours: bytes, st: os.stat_result, folder: int) -> None:
    """Someone wrote to the old file as it was replaced: make their version the file again."""
    theirs = _read(fd, path)
    try:
        with open(target, "rb") as fh:
            if fh.read() != ours:
                return  # changed again since: that version stays
    except OSError:
        return
    tmp, _, _ = _write_temp(path, target, theirs, st, folder)
    tmp_name = os.path.basename(tmp)
    try:
        os.replace(tmp_name, os.path.basename(target), src_dir_fd=folder, dst_dir_fd=folder)
    except OSError:
        _remove_quietly(tmp_name, folder)


def current_metadata(article: Article) -> dict[Any, Any]:
    """The metadata of the file as it is on disk now (for showing a conflict)."""
    try:
        fd, _ = open_regular(os.path.realpath(article.path))
    except OSError as exc:
        raise SaveError(SaveKind.MISSING, article.path, exc.strerror or str(exc)) from None
    try:
        data = _read(fd, article.path)
    finally:
        os.close(fd)
    return _parse_current(article.path, _decode(article.path, data))


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError(SaveKind.UNVERIFIABLE, path, "the file on disk is no longer valid UTF-8") from None


def _parse_current(path: str, text: str) -> dict[Any, Any]:
    try:
        return read(text)[1]
    except FrontMatterError as exc:
        raise SaveError(SaveKind.UNVERIFIABLE, path, f"the file on disk no longer parses: {exc.message}") from None


def _remove_quietly(path: str, folder: int | None = None) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path, dir_fd=folder)


def fsync_folder(folder: str) -> None:
    """Make renames in `folder` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_leftovers(paths: Iterable[str], root: str, min_age: float = LEFTOVER_AGE_S) -> list[str]:
    """Delete temporary files that interrupted saves left in `root`; returns those removed.

    Only Reviewer's own temporary files (by name), inside the folder, older than `min_age`
    seconds and not locked by a save under way.
    """
    real_root = os.path.realpath(root)
    removed = []
    now = time.time()
    for path in paths:
        name = os.path.basename(path)
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
            continue
        if not is_inside(real_root, os.path.realpath(path)):
            continue
        try:
            fd, st = open_regular(path)
        except OSError:
            continue
        try:
            if now - st.st_mtime < min_age:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(path)
            removed.append(path)
        except OSError:
            continue  # in use, or gone already
        finally:
            os.close(fd)
    return removed
