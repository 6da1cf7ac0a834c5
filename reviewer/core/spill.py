"""Packed metadata kept in a temporary file instead of memory, read back when asked for.

A window open on 100,000 articles held their packed metadata (Article's pack: what the list
does not show, 350-450 bytes an article) in memory: about 45 MB, read for one article at a
time (the detail pane, a save's longer check, a query on a field the list does not hold).
Articles taken from the folder index's blocks for the window keep it here instead, as a mail
client keeps message bodies on disk and their headers in memory: a temporary file in the
cache folder, private to the process and gone when it ends (or when no article refers to it
any more). Nothing else writes to it, so what an article reads back is what it wrote, unlike
the index, which another process may change meanwhile. A file that cannot be written leaves
the packs in memory, as before.

A block keeps its articles' packs one after another, as one bytes object (article.block_columns),
and each article where its own is among them: the block's packs are written here with one add
(Placed), or kept in memory as they are (Held), and its articles refer to them, no pack copied
or placed one by one.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import NamedTuple, Protocol


class Spill:
    """A temporary file of packs, written once each (add) and read from any thread (read)."""

    def __init__(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder, prefix="reviewer-spill-")  # noqa: SIM115  (open while articles keep packs in it)
        self._fd = self._file.fileno()
        self._end = 0
        self._lock = threading.Lock()

    def add(self, data: bytes | memoryview) -> int:
        """Write `data`; where it begins, for read. OSError when the file cannot take it (the
        caller keeps it in memory)."""
        with self._lock:
            start = self._end
            _write_all(self._file, self._fd, data, start)
            self._end = start + len(data)
        return start

    def read(self, offset: int, length: int) -> bytes:
        if hasattr(os, "pread"):
            data = os.pread(self._fd, length, offset)
        else:  # pragma: no cover - Windows: no pread, a seek and a read under the lock
            with self._lock:
                self._file.seek(offset)
                data = self._file.read(length)
        return _whole(data, length)

    def __del__(self) -> None:  # the last article that kept a pack here is gone
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()


def _write_all(file: object, fd: int, data: bytes | memoryview, offset: int) -> None:
    if hasattr(os, "pwrite"):
        view = memoryview(data)
        while view:
            done = os.pwrite(fd, view, offset)
            view, offset = view[done:], offset + done
    else:  # pragma: no cover - Windows
        file.seek(offset)  # type: ignore[attr-defined]
        file.write(data)  # type: ignore[attr-defined]
        file.flush()  # type: ignore[attr-defined]


def _whole(data: bytes, length: int) -> bytes:
    """`data`, read as `length` bytes; OSError when fewer came."""
    if len(data) != length:
        raise OSError(f"the metadata kept aside was cut short ({len(data)} of {length} bytes)")
    return data


class Packs(Protocol):
    """Where a block's packs are kept, one after another (Placed, Held): what an article from
    the block reads its pack from (Article._spill)."""

    def read(self, offset: int, length: int) -> bytes: ...


class Placed(NamedTuple):
    """A block's packs as a Spill keeps them, from `start` on: written there with one add."""

    spill: Spill
    start: int

    def read(self, offset: int, length: int) -> bytes:
        return self.spill.read(self.start + offset, length)


class Held(NamedTuple):
    """A block's packs kept in memory, one bytes object for all (where no Spill takes them)."""

    data: bytes

    def read(self, offset: int, length: int) -> bytes:
        return _whole(self.data[offset : offset + length], length)


class Spilled(NamedTuple):
    """A pack in a block's Packs: what PackedMetadata.packed is for an article whose pack is kept there."""

    spill: Packs
    offset: int
    length: int

    def read(self) -> bytes:
        return self.spill.read(self.offset, self.length)

    def __reduce__(self) -> tuple[type, tuple[bytes]]:
        return bytes, (self.read(),)  # another process gets the pack itself: the file is this one's
