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


@dataclass(frozen=True)
class Written:
    """What is on disk after write_edits: the file's new identity and metadata."""

    identity: Identity
    metadata: dict


def save(article: Article, overwrite: bool = False) -> Saved:
    """Write `article.edits` to its file and fold them into `article.original`."""
    if not article.edits:
        return Saved(article, [])
    edits = dict(article.edits)
    written = write_edits(article.path, article.identity, article.original, edits, overwrite)
    return Saved(article, article.written(written.metadata, written.identity, edits))


def write_edits(path: str, identity: Identity, original: dict, edits: dict, overwrite: bool = False) -> Written:
    """Write `edits` into the file at `path`, which was read as `identity` / `original`.

    Touches nothing but the file. Refuses, raising SaveError, when the file changed on
    disk since it was read (unless `overwrite`: then the edits are applied to the file
    as it is now), when it has no write permission bit, or when the edit cannot be
    verified. The replace is atomic: the file is always either the old one or the new.
    """
    target = os.path.realpath(path)
    data, st = _read_current(path, target)
    if not overwrite and (
        len(data) != identity.size or Identity.of(data, st.st_size, st.st_mtime_ns).digest != identity.digest
    ):
        raise SaveError("conflict", path, "the file changed on disk since it was read")
    text = _decode(path, data)
    metadata = _parse_current(path, text) if overwrite else original
    try:
        new_text = set_keys(text, edits, metadata)
    except (EditError, FrontMatterError) as exc:
        raise SaveError("unverifiable", path, str(exc)) from None
    new_data = new_text.encode("utf-8")
    _atomic_write(path, target, new_data, st)
    after = os.stat(target)
    return Written(Identity.of(new_data, after.st_size, after.st_mtime_ns), {**metadata, **edits})


def current_metadata(article: Article) -> dict:
    """The metadata of the file as it is on disk now (for showing a conflict)."""
    target = os.path.realpath(article.path)
    data, _ = _read_current(article.path, target, for_writing=False)
    return _parse_current(article.path, _decode(article.path, data))


def _read_current(path: str, target: str, for_writing: bool = True) -> tuple[bytes, os.stat_result]:
    try:
        st = os.stat(target)
        if not stat.S_ISREG(st.st_mode):
            raise SaveError("missing", path, "is no longer a regular file")
        if for_writing and not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise SaveError("read-only", path, "the file is read-only (it has no write permission)")
        with open(target, "rb") as fh:
            return fh.read(), st
    except FileNotFoundError:
        raise SaveError("missing", path, "the file was deleted or moved on disk") from None
    except OSError as exc:
        raise SaveError("io", path, exc.strerror or str(exc)) from None


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError("unverifiable", path, "the file on disk is no longer valid UTF-8") from None


def _parse_current(path: str, text: str) -> dict:
    try:
        sp = split(text)
        return parse(sp.yaml_text(text), sp.first_line)
    except FrontMatterError as exc:
        raise SaveError("unverifiable", path, f"the file on disk no longer parses: {exc.message}") from None


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
