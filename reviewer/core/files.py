"""Files, safely: only regular files are read, only paths inside the folder are used, and only
files this user may rewrite, keeping their owner and group, are written.

An article names paths (images, links) and a folder may hold links to anywhere; a pipe or a
device read as if it were a file blocks or fills memory. Everything that opens a file the
content points at goes through here.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator

# Opening a pipe for reading blocks until a writer comes; O_NONBLOCK returns at once instead.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
# Files opened ahead of the one being read, each with the kernel asked to read it from disk
# meanwhile (opened_ahead). Read one after the other from a cold page cache, 20,000 articles
# took 1.6-1.8 s of waiting for the disk here; 64 ahead, 0.30-0.33 s (16: 0.39 s; 256: 0.37 s).
READ_AHEAD = 64
_WILLNEED: int | None = getattr(os, "POSIX_FADV_WILLNEED", None) if hasattr(os, "posix_fadvise") else None
Opened = tuple[int, os.stat_result] | OSError


def replace_whole(path: str, data: bytes) -> None:
    """Our own small files (preferences, caches, the launcher entry), whole or not at all: a
    temporary file beside `path`, renamed over it; on failure no temporary file stays. Makes
    the folder. OSError when it cannot be written."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class NotRegularFile(OSError):
    """A path that is a pipe, socket, device or folder where a file was expected."""


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """Open a regular file for reading without ever blocking; (fd, its stat). The caller closes fd."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(0, "not a regular file (a pipe, device or folder)", path)
        return fd, st
    except BaseException:
        os.close(fd)
        raise


def opened_ahead(paths: Iterable[str], ahead: int = READ_AHEAD) -> Iterator[tuple[str, Opened]]:
    """Each path as open_regular opens it, in order: (path, (fd, stat)) or (path, the OSError
    it raised). Meanwhile the next `ahead` files are open, each with the kernel asked to read
    it (posix_fadvise WILLNEED, where there is one): from a cold page cache the disk is given
    many reads at once, not one at a time. With the files in memory, it costs a call each.

    The caller closes each fd it is given; those opened ahead and not given yet are closed here
    when the caller stops early."""
    pending: deque[tuple[str, Opened]] = deque()
    remaining = iter(paths)

    def open_next() -> bool:
        path = next(remaining, None)
        if path is None:
            return False
        try:
            fd, st = open_regular(path)
        except OSError as exc:
            pending.append((path, exc))
            return True
        if _WILLNEED is not None:
            with contextlib.suppress(OSError):  # advice: a file system may not take it
                os.posix_fadvise(fd, 0, 0, _WILLNEED)
        pending.append((path, (fd, st)))
        return True

    try:
        while len(pending) < ahead and open_next():
            pass
        while pending:
            yield pending.popleft()
            open_next()
    finally:
        for _, opened in pending:
            if not isinstance(opened, OSError):
                os.close(opened[0])


def read_regular(path: str, limit: int) -> bytes:
    """At most `limit` bytes of a regular file; NotRegularFile for anything else."""
    fd, _ = open_regular(path)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)


def read_fd(fd: int, limit: int = -1, offset: int = 0) -> bytes:
    """The bytes of an open file from `offset`, at most `limit` (all when negative)."""
    chunks = []
    total = 0
    while limit < 0 or total < limit:
        want = 1 << 20 if limit < 0 else min(1 << 20, limit - total)
        chunk = os.pread(fd, want, offset + total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def is_inside(real_root: str, real_path: str) -> bool:
    """Whether a resolved path is the resolved root or below it.

    >>> is_inside("/site", "/site/_news/a.md"), is_inside("/site", "/site-other/a.md"), is_inside("/site", "/etc")
    (True, False, False)
    """
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def outside_reason(path: str, root: str) -> str:
    """Why `path` may not be used as part of `root` (it resolves outside it), or ''."""
    real = os.path.realpath(path)
    if is_inside(os.path.realpath(root), real):
        return ""
    return f"it is a link to {real}, outside the folder"


def write_refusal(st: os.stat_result) -> str:
    """Why this user may not rewrite a file with this stat, or ''.

    Saving replaces the file by a new one, which belongs to whoever writes it. So besides the
    write permission, a normal user must own the file and be in its group, or the owner or
    group would change. A file with no write bit at all is read-only even for root.
    """
    mode = st.st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "the file is read-only (it has no write permission)"
    euid = os.geteuid() if hasattr(os, "geteuid") else 0
    if euid == 0:
        return ""
    if st.st_uid != euid:
        return f"the file belongs to another user (uid {st.st_uid}); saving it would make it yours"
    if not mode & stat.S_IWUSR:
        return "the file is read-only for you (its owner has no write permission)"
    if st.st_gid != os.getegid() and st.st_gid not in os.getgroups():
        return f"the file's group (gid {st.st_gid}) is not one of yours; saving it would change its group"
    return ""


class LinkRefused(OSError):
    """A path inside the folder that passes through a link, where Reviewer writes only real files."""


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def open_beneath(root: str, relpath: str, flags: int, mode: int = 0o644, make_folders: bool = False) -> int:
    """Open `root/relpath` without following a link at any step below `root`; the fd.

    Each folder on the way is opened from the one before it with O_NOFOLLOW, and so is the
    file: a link anywhere (even one swapped in while this runs) raises LinkRefused naming it,
    so nothing a cloned folder carries can lead a write outside it. `root` itself may be
    reached through links: it is what the editor opened.
    """
    parts = [p for p in relpath.split("/") if p and p != "."]
    if not parts or ".." in parts:
        raise ValueError(f"not a path inside the folder: {relpath!r}")
    fd = os.open(root, _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
    try:
        for i, name in enumerate(parts[:-1]):
            shown = "/".join(parts[: i + 1])
            if make_folders:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o755, dir_fd=fd)
            folder, fd = fd, -1  # _step closes it, whatever happens
            fd = _step(folder, name, _DIR_FLAGS, 0, root, shown)
        folder, fd = fd, -1
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        return _step(folder, parts[-1], flags, mode, root, relpath)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _step(fd: int, name: str, flags: int, mode: int, root: str, shown: str) -> int:
    """Open `name` in the folder `fd` (which is closed, whatever happens)."""
    try:
        return os.open(name, flags, mode, dir_fd=fd)
    except OSError as exc:
        why = _link_sentence(shown, name, fd)
        if why:
            raise LinkRefused(exc.errno, why, os.path.join(root, shown)) from None
        raise
    finally:
        os.close(fd)


def _link_sentence(shown: str, name: str, fd: int | None = None) -> str:
    """'SHOWN is a link (to TARGET); ...' when `name` (in the folder `fd`) is a link, else ''."""
    try:
        if not stat.S_ISLNK(os.lstat(name, dir_fd=fd).st_mode):
            return ""
    except OSError:
        return ""
    try:
        target = os.readlink(name, dir_fd=fd)
    except OSError:
        target = "?"
    return f"{shown} is a link (to {target}); Reviewer writes nothing through links"


def link_on_the_way(root: str, relpath: str) -> str:
    """The first part of `root/relpath` below `root` that is a link, as a sentence; '' when none."""
    current = root
    parts = [p for p in relpath.split("/") if p and p != "."]
    for i, name in enumerate(parts):
        current = os.path.join(current, name)
        if not os.path.lexists(current):
            return ""
        why = _link_sentence("/".join(parts[: i + 1]), current)
        if why:
            return why
    return ""
