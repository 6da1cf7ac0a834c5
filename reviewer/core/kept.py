"""The listing `reviewer list` printed last of a whole folder, kept beside the folder index
(core.index), with the sums of the runs of the walk it was printed after (core.prewalk): an
unchanged folder is listed again by copying it, without a look at the index's rows.

One file for each form ('json', 'text'): a header line of HEADER bytes (what it is, the
index's format, the number of sums, the listing's length, and the CRC-32 of what follows),
the listing as printed (UTF-8), then the sums. Written to a temporary file and renamed over
the last one: a reader sees a whole listing or none, and one whose length or CRC is not that
of its header is never given (a cache, never the truth: removing it loses nothing).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import time
import zlib
from typing import Any, BinaryIO

from .prewalk import SUM_SIZE

FORMS = ("json", "text")
LISTING_SUFFIX = ".{}-listing"  # after the index file's path
HEADER = 128
_MAGIC = "reviewer-listing"
_BLOCK = 1 << 20
_STALE_S = 24 * 3600  # a temporary file of a listing this old was left by a process that died


def listing_path(index_path: str, form: str) -> str:
    return index_path + LISTING_SUFFIX.format(form)


class KeptListing:
    """A kept listing, open: the `sums` of its walk's runs, as its header says (check)."""

    def __init__(self, fh: BinaryIO, sums: list[bytes], length: int, crc: int):
        self._fh, self.sums, self.length, self._crc = fh, sums, length, crc
        self._checked: bool | None = None

    @classmethod
    def open(cls, index_path: str, form: str, version: str) -> KeptListing | None:
        """The listing kept in `form` by an index of this `version`; None when there is none,
        or it is of another version or not of its header's length. What it holds stays as it
        was opened: a listing kept meanwhile replaces the file, not what this one has open."""
        try:
            fh = open(listing_path(index_path, form), "rb")  # noqa: SIM115  # closed by close()
        except OSError:
            return None
        kept = None
        try:
            header = fh.read(HEADER).decode("ascii").split()
            if len(header) == 5 and header[0] == _MAGIC and header[1] == version:
                count, length, crc = int(header[2]), int(header[3]), int(header[4])
                if os.fstat(fh.fileno()).st_size == HEADER + length + count * SUM_SIZE:
                    fh.seek(HEADER + length)
                    data = fh.read(count * SUM_SIZE)
                    kept = cls(fh, [data[i : i + SUM_SIZE] for i in range(0, len(data), SUM_SIZE)], length, crc)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        if kept is None:
            fh.close()
        return kept

    def check(self) -> bool:
        """Whether what follows the header has the header's CRC (sums and listing): a listing
        that has not is never given. Read once; asked again, the answer then."""
        if self._checked is None:
            self._fh.seek(HEADER)
            found = 0
            try:
                while block := self._fh.read(_BLOCK):
                    found = zlib.crc32(block, found)
                self._checked = found == self._crc
            except OSError:
                self._checked = False
        return self._checked

    def write_to(self, out: Any) -> None:
        """The listing, to the text stream `out`: as its bytes, where the stream would write
        the same (UTF-8, no line ends changed); else as text."""
        self._fh.seek(HEADER)
        buffer: Any = getattr(out, "buffer", None)
        encoding = getattr(out, "encoding", None) or "ascii"
        as_text = buffer is None or os.linesep != "\n" or _codec(encoding) != "utf-8"
        target = out if as_text else buffer
        out.flush()
        decode = codecs.getincrementaldecoder("utf-8")().decode  # a character a block cuts in two
        left = self.length
        while left and (block := self._fh.read(min(left, _BLOCK))):
            left -= len(block)
            target.write(decode(block, final=not left) if as_text else block)
        target.flush()

    def close(self) -> None:
        self._fh.close()


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return ""


class ListingRecord:
    """A listing kept as it is printed (add), to be given by KeptListing.open once finished
    with the sums of the walk's runs; until then, and if it never is (the listing was cut
    short, a file had a problem), in a temporary file of its own."""

    def __init__(self, index_path: str, form: str, version: str):
        self.path = listing_path(index_path, form)
        self.version = version
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

    def finish(self, sums: list[bytes]) -> bool:
        """The listing kept, in place of the last one, after a walk whose runs have `sums`;
        whether it was."""
        if self._fh is None:
            return False
        header = f"{_MAGIC} {self.version} {len(sums)} {self._length} {zlib.crc32(b''.join(sums), self._crc)}"
        try:
            if len(header) >= HEADER or any(len(s) != SUM_SIZE for s in sums):
                raise OSError("not a header")
            self._fh.write(b"".join(sums))
            self._fh.seek(0)
            self._fh.write(header.encode("ascii") + b" " * (HEADER - 1 - len(header)))
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
