"""The listing `reviewer list` printed last of a whole folder, kept beside the folder index
(core.index), with the digest of the walk it was printed after (walking.Prewalk.digest): an
unchanged folder is listed again by copying it, without a look at the index's rows.

One file for each form ('json', 'text'): a header line of HEADER bytes (what it is, the
index's format, the walk's digest, the length and CRC-32 of what follows), then the listing
as printed, in UTF-8. Written to a temporary file and renamed over the last one: a reader
sees a whole listing or none, and one whose length or sum is not that of its header is
never given (a cache, never the truth: removing it loses nothing).
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from typing import Any, BinaryIO

FORMS = ("json", "text")
LISTING_SUFFIX = ".{}-listing"  # after the index file's path
HEADER = 160
_MAGIC = "reviewer-listing"
_BLOCK = 1 << 20
_STALE_S = 24 * 3600  # a temporary file of a listing this old was left by a process that died


def listing_path(index_path: str, form: str) -> str:
    return index_path + LISTING_SUFFIX.format(form)


class KeptListing:
    """A kept listing, open and checked whole (open()); its walk's `digest`."""

    def __init__(self, fh: BinaryIO, digest: bytes, length: int):
        self._fh, self.digest, self.length = fh, digest, length

    @classmethod
    def open(cls, index_path: str, form: str, version: str) -> KeptListing | None:
        """The listing kept in `form` by an index of this `version`, once its length and sum
        are found to be its header's; None when there is none, or it is of another version
        or damaged. What it holds stays as it was checked: a listing kept meanwhile replaces
        the file, not what this one has open."""
        try:
            fh = open(listing_path(index_path, form), "rb")  # noqa: SIM115  # closed by close()
        except OSError:
            return None
        kept = None
        try:
            header = fh.read(HEADER).decode("ascii").split()
            if len(header) == 5 and header[0] == _MAGIC and header[1] == version:
                digest, length, crc = bytes.fromhex(header[2]), int(header[3]), int(header[4])
                found, total = 0, 0
                while block := fh.read(_BLOCK):
                    found = zlib.crc32(block, found)
                    total += len(block)
                if (total, found) == (length, crc):
                    kept = cls(fh, digest, length)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        if kept is None:
            fh.close()
        return kept

    def write_to(self, out: Any) -> None:
        """The listing, to the text stream `out`: as its bytes, where the stream would write
        the same (UTF-8, no line ends changed); else as text."""
        self._fh.seek(HEADER)
        buffer = getattr(out, "buffer", None)
        encoding = getattr(out, "encoding", None) or "ascii"
        if buffer is None or os.linesep != "\n" or _codec(encoding) != "utf-8":
            while block := self._fh.read(_BLOCK):
                out.write(block.decode("utf-8"))
            return
        out.flush()
        while block := self._fh.read(_BLOCK):
            buffer.write(block)
        buffer.flush()

    def close(self) -> None:
        self._fh.close()


def _codec(encoding: str) -> str:
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return ""


class ListingRecord:
    """A listing kept as it is printed (add), to be given by KeptListing.open once finished
    after a walk of `digest`; until then, and if it never is (the listing was cut short, a
    file had a problem), in a temporary file of its own."""

    def __init__(self, index_path: str, form: str, version: str, digest: bytes):
        self.path = listing_path(index_path, form)
        self.version, self.digest = version, digest
        self._crc, self._length = 0, 0
        self._temp = f"{self.path}.{os.getpid()}-{int.from_bytes(os.urandom(4), 'little')}.tmp"
        self._fh: BinaryIO | None
        try:
            self._fh = open(self._temp, "wb")  # noqa: SIM115  # closed by finish() or abandon()
            self._fh.write(b" " * (HEADER - 1) + b"\n")
        except OSError:
            self._fh = None
            self.abandon()

    def add(self, text: str) -> None:
        if self._fh is None:
            return
        try:
            data = text.encode("utf-8")
            self._fh.write(data)
        except (UnicodeEncodeError, OSError):  # a name that is not UTF-8 is printed each time
            self.abandon()
            return
        self._crc = zlib.crc32(data, self._crc)
        self._length += len(data)

    def finish(self) -> bool:
        """The listing kept, in place of the last one; whether it was."""
        if self._fh is None:
            return False
        header = f"{_MAGIC} {self.version} {self.digest.hex()} {self._length} {self._crc}".encode("ascii")
        try:
            if len(header) >= HEADER:
                raise OSError("header too long")
            self._fh.seek(0)
            self._fh.write(header + b" " * (HEADER - 1 - len(header)))
            self._fh.close()
            os.replace(self._temp, self.path)
        except OSError:
            self.abandon()
            return False
        self._fh = None
        _remove_stale(self.path)
        return True

    def abandon(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None
        with contextlib.suppress(OSError):
            os.unlink(self._temp)


def _remove_stale(path: str) -> None:
    """Temporary files of listings left by processes that ended before finishing (a day old)."""
    folder, name = os.path.split(path)
    limit = time.time() - _STALE_S
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(name + ".") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < limit:
                        os.unlink(entry.path)
