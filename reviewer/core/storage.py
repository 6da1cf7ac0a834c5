"""Save an article's edits: conflict check by identity, one-line edit, verified, atomic replace."""
from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass

from .article import Article, Identity
from .frontmatter_text import EditError, FrontMatterError, parse, set_keys, split


class SaveError(Exception):
    """A file that was not written, and why. Nothing on disk changed."""

    KINDS = ("conflict", "read-only", "unverifiable", "missing", "io")

    def __init__(self, kind: str, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.kind = kind
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Saved:
    article: Article
    changes: list  # (key, old, new)


def save(article: Article, overwrite: bool = False) -> Saved:
    """Write `article.edits` to its file and fold them into `article.original`.

    Refuses, raising SaveError, when the file changed on disk since it was read (unless
    `overwrite`: then the edits are applied to the file as it is now), when it has no
    write permission bit, or when the edit cannot be verified. The replace is atomic:
    the file on disk is always either the old one or the new one.
    """
    if not article.edits:
        return Saved(article, [])
    target = os.path.realpath(article.path)
    data, st = _read_current(article, target)
    if not overwrite and (len(data) != article.identity.size or
                          Identity.of(data, st.st_size, st.st_mtime_ns).digest != article.identity.digest):
        raise SaveError("conflict", article.path, "the file changed on disk since it was read")
    text = _decode(article, data)
    metadata = article.original
    if overwrite:
        metadata = _parse_current(article, text)
    try:
        new_text = set_keys(text, article.edits, metadata)
    except (EditError, FrontMatterError) as exc:
        raise SaveError("unverifiable", article.path, str(exc)) from None
    new_data = new_text.encode("utf-8")
    _atomic_write(article.path, target, new_data, st)
    changes = article.changes()
    metadata = dict(metadata)
    metadata.update(article.edits)
    after = os.stat(target)
    article.original = metadata
    article.identity = Identity.of(new_data, after.st_size, after.st_mtime_ns)
    article.edits = {}
    return Saved(article, changes)


def current_metadata(article: Article) -> dict:
    """The metadata of the file as it is on disk now (for showing a conflict)."""
    target = os.path.realpath(article.path)
    data, _ = _read_current(article, target)
    return _parse_current(article, _decode(article, data))


def _read_current(article: Article, target: str) -> tuple[bytes, os.stat_result]:
    try:
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode):
            raise SaveError("missing", article.path, "is no longer a regular file")
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise SaveError("read-only", article.path, "the file is read-only (it has no write permission)")
        with open(target, "rb") as fh:
            return fh.read(), st
    except FileNotFoundError:
        raise SaveError("missing", article.path, "the file was deleted or moved on disk") from None
    except OSError as exc:
        raise SaveError("io", article.path, exc.strerror or str(exc)) from None


def _decode(article: Article, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError("unverifiable", article.path, "the file on disk is no longer valid UTF-8") from None


def _parse_current(article: Article, text: str) -> dict:
    try:
        sp = split(text)
        return parse(sp.yaml_text(text), sp.first_line)
    except FrontMatterError as exc:
        raise SaveError("unverifiable", article.path, f"the file on disk no longer parses: {exc.message}") from None


def _atomic_write(shown_path: str, target: str, data: bytes, st: os.stat_result) -> None:
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".reviewer-tmp", dir=folder)
    except OSError as exc:
        raise SaveError("io", shown_path, f"cannot create a temporary file beside it: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            if hasattr(os, "fchown") and os.geteuid() == 0:
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except BaseException as exc:
        _remove_quietly(tmp)
        if isinstance(exc, OSError):
            raise SaveError("io", shown_path, exc.strerror or str(exc)) from None
        raise
    _fsync_folder(folder)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder: str) -> None:
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
