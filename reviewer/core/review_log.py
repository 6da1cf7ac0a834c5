"""The review log: every decision an editor saves, one JSON line each, in the content folder.

    .reviewer/decisions.jsonl     {"time", "editor", "path", "url", "decision", "changes"}
    .reviewer/.gitattributes      decisions.jsonl merge=union

Lines are only ever appended (O_APPEND, one write per save, fsynced), so two editors or two
processes writing at once never interleave a line, and git merges two editors' logs by
keeping both sides' lines. A torn last line (a crash in the middle of a write) is skipped
with a warning and left in the file for inspection. Jekyll ignores folders starting with a
dot: the site does not publish the log.

When the folder cannot be written (or the editor asks to keep it clean), the log lives in
the user's data folder instead, named after the content folder's path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .files import LinkRefused, link_on_the_way, open_beneath, read_fd
from .problems import Problem
from .walking import relative

LOG_FOLDER = ".reviewer"
LOG_NAME = "decisions.jsonl"
ATTRIBUTES = "decisions.jsonl merge=union\n"
DECISIONS = ("approve", "reject", "quality", "publish", "unpublish")


class Decision:
    """One saved decision on one article.

    A folder's log is read whenever the folder is opened, a hundred thousand lines or more:
    the lines Reviewer writes are read by one regular expression, and `changes` is decoded
    only when something asks for it (the detail pane, `reviewer log`).
    """

    __slots__ = ("time", "editor", "path", "url", "decision", "_changes")

    def __init__(
        self, time: str, editor: str, path: str, url: str, decision: str, changes: dict[str, list[Any]] | str = ""
    ):
        self.time = time  # UTC, ISO 8601: 2026-11-28T14:02:11.503Z
        self.editor = editor
        self.path = path  # relative to the content folder, '/' separators
        self.url = url  # the article's originalUrl or webUrl, or ''
        self.decision = decision  # one of DECISIONS
        self._changes: dict[str, list[Any]] | str = changes or {}  # key -> [old, new]; or its JSON text

    @property
    def changes(self) -> dict[str, list[Any]]:
        if isinstance(self._changes, str):
            try:
                value = json.loads(self._changes)
            except ValueError:
                value = None
            self._changes = value if isinstance(value, dict) else {}
        return self._changes

    def _key(self) -> tuple[Any, ...]:
        return (self.time, self.editor, self.path, self.url, self.decision, self.changes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decision) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable changes: not hashable, as the dataclass was

    def __repr__(self) -> str:
        return f"Decision({self.time!r}, {self.editor!r}, {self.path!r}, {self.decision!r})"

    def line(self) -> str:
        record = {
            "time": self.time,
            "editor": self.editor,
            "path": self.path,
            "url": self.url,
            "decision": self.decision,
            "changes": self.changes,
        }
        return json.dumps(record, ensure_ascii=False, separators=(", ", ": "), default=_as_json) + "\n"

    @classmethod
    def from_record(cls, record: Any) -> Decision | None:
        if not isinstance(record, dict):
            return None
        time, editor, path, url, decision = (record.get(k) for k in ("time", "editor", "path", "url", "decision"))
        if not (
            isinstance(time, str)
            and isinstance(editor, str)
            and isinstance(path, str)
            and isinstance(url, str)
            and decision in DECISIONS
        ):
            return None
        changes = record.get("changes")
        return cls(time, editor, path, url, str(decision), changes if isinstance(changes, dict) else {})

    def verdict(self) -> tuple[str, str, str]:
        """(kind, editor, time): what an article keeps of its last decision (Article.logged)."""
        return (self.decision, self.editor, self.time)

    def as_dict(self) -> dict[str, Any]:
        return json.loads(self.line())  # type: ignore[no-any-return]


def _as_json(value: Any) -> Any:
    """A value JSON has no type for, as the log keeps it: a date as ISO 8601, a set (`!!set`)
    as a sorted list, bytes (`!!binary`) as text, anything else as its text."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# A line as Decision.line writes it, no string in it escaped: read without json.loads.
# Any other line (escapes, another key order, a hand edit) is read by json.loads.
_LINE = re.compile(
    r'^\{"time": "([^"\\\n]*)", "editor": "([^"\\\n]*)", "path": "([^"\\\n]*)", "url": "([^"\\\n]*)", '
    r'"decision": "(approve|reject|quality|publish|unpublish)", "changes": (\{[^\n]*\})\}$',
    re.MULTILINE,
)


def now() -> str:
    """UTC, ISO 8601, to the millisecond: 2026-11-28T14:02:11.503Z (decisions of a session sort after its start)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class LogFile:
    """Where a folder's review log is, and how to add to it and read it."""

    path: str
    in_folder: bool  # False: kept in the user's data folder (the content folder cannot be written)
    root: str = ""  # in the folder: the content folder, below which no link is followed

    @classmethod
    def inside(cls, root: str) -> LogFile:
        """The log in `root/.reviewer/`, written and read without following a link below `root`."""
        root = os.path.abspath(root)
        return cls(os.path.join(root, LOG_FOLDER, LOG_NAME), True, root)

    @classmethod
    def for_folder(cls, root: str, data_dir: str, keep_folder_clean: bool = False) -> LogFile:
        """The folder's log: in `root/.reviewer/` when it can be written there, else under `data_dir`."""
        root = os.path.abspath(root)
        if not keep_folder_clean and _writable_here(root):
            return cls.inside(root)
        name = hashlib.sha1(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return cls(os.path.join(data_dir, "logs", f"{os.path.basename(root) or 'root'}-{name}.jsonl"), False)

    def append(self, decisions: Iterable[Decision]) -> int:
        """Add the lines in one write and fsync; the number added. OSError when it cannot (LinkRefused
        when the log, its folder or its attributes file is a link: nothing is written through one)."""
        # A file name that is not UTF-8 reaches here as surrogates (os.fsdecode): written as
        # JSON's own \udcXX escapes, which read back to the same name.
        data = "".join(d.line() for d in decisions).encode("utf-8", "backslashreplace")
        if not data:
            return 0
        why = self.refusal()
        if why:
            raise LinkRefused(0, why, self.path)
        fd = self._open(os.O_RDWR | os.O_APPEND | os.O_CREAT)  # read: its last byte
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(0, f"{self.shown_path} is not a regular file; the review log is not written")
            size = st.st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn last line is ended, so the new first line stays whole
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if self.in_folder and self.root:
            _write_attributes(self.root)
        return data.count(b"\n") - (data[:1] == b"\n")

    def refusal(self) -> str:
        """Why the log may not be written where it is, naming the link or the odd file; '' when it may."""
        if not (self.in_folder and self.root):
            return ""
        for relpath in (LOG_FOLDER, f"{LOG_FOLDER}/{LOG_NAME}", f"{LOG_FOLDER}/.gitattributes"):
            why = link_on_the_way(self.root, relpath)
            if why:
                return f"{why}: the review log is not written"
        try:
            st = os.lstat(self.path)
        except OSError:
            return ""
        if not stat.S_ISREG(st.st_mode):
            return f"{self.shown_path} is not a regular file (a folder, pipe or device); the review log is not written"
        return ""

    def _open(self, flags: int) -> int:
        flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)  # a pipe never blocks the save
        if self.in_folder and self.root:
            make = bool(flags & os.O_CREAT)
            return open_beneath(self.root, f"{LOG_FOLDER}/{LOG_NAME}", flags, 0o644, make_folders=make)
        if flags & os.O_CREAT:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
        return os.open(self.path, flags, 0o644)

    @property
    def shown_path(self) -> str:
        """The log's path as the editor is told it: relative to the folder when it is inside."""
        return f"{LOG_FOLDER}/{LOG_NAME}" if self.in_folder else self.path

    def read(self) -> tuple[list[Decision], list[Problem]]:
        """Every decision, oldest first, and a problem for each line that could not be read (or
        one for the whole log, when it is a link, a folder or anything but a regular file)."""
        try:
            fd = self._open(os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError):
            return [], []
        except OSError as exc:
            return [], [self._unreadable(exc.strerror or str(exc))]
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return [], [self._unreadable("it is not a regular file (a folder, pipe or device)")]
            text = read_fd(fd).decode("utf-8", errors="replace")
        except OSError as exc:
            return [], [self._unreadable(exc.strerror or str(exc))]
        finally:
            os.close(fd)
        found = _LINE.findall(text)
        if len(found) == text.count("\n") and text.endswith("\n"):  # every line as Reviewer writes it
            return [Decision(*parts) for parts in found], []
        parts = text.split("\n")  # not splitlines: a value may hold U+2028, which json.dumps leaves as it is
        return self._read_lines([p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else []))

    def _unreadable(self, why: str) -> Problem:
        return Problem(self.path, self.shown_path, "log-unreadable", f"the review log is not read: {why}")

    def _read_lines(self, lines: list[str]) -> tuple[list[Decision], list[Problem]]:
        decisions: list[Decision] = []
        warnings: list[Problem] = []
        for i, line in enumerate(lines):
            line_no, last = i + 1, i == len(lines) - 1
            match = _LINE.match(line)
            if match:
                decisions.append(Decision(*match.groups()))
                continue
            try:
                decision = Decision.from_record(json.loads(line))
            except ValueError:
                decision = None
            if decision is not None:
                decisions.append(decision)
            elif last and not line.endswith("\n"):
                why = "the last line is incomplete (a save was interrupted); skipped, and kept in the file"
                warnings.append(Problem(self.path, self.shown_path, "log-line", why, line_no))
            elif line.strip():
                warnings.append(Problem(self.path, self.shown_path, "log-line", "not a decision; skipped", line_no))
        return decisions, warnings


def read_decisions(root: str, data_dir: str) -> tuple[list[Decision], list[Problem]]:
    """Every decision on the folder, oldest first: its own log and the one kept for it in the
    data folder (the folder may have been read-only, or kept clean, for part of its life)."""
    inside = LogFile.inside(root)
    outside = LogFile.for_folder(root, data_dir, keep_folder_clean=True)
    decisions, warnings = inside.read()
    if os.path.exists(outside.path):
        more, more_warnings = outside.read()
        # sorted is stable: each log's own order stays
        decisions = sorted(decisions + more, key=lambda d: d.time) if decisions and more else decisions or more
        warnings += more_warnings
    return decisions, warnings


def _writable_here(root: str) -> bool:
    folder = os.path.join(root, LOG_FOLDER)
    if os.path.isdir(folder):
        target = os.path.join(folder, LOG_NAME)
        return os.access(target if os.path.exists(target) else folder, os.W_OK)
    return os.access(root, os.W_OK)


def _write_attributes(root: str) -> None:
    """`.reviewer/.gitattributes`: git merges two editors' logs by keeping both sides' lines.
    Created only where nothing is (O_EXCL: not through a dangling link either)."""
    try:
        fd = open_beneath(root, f"{LOG_FOLDER}/.gitattributes", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    try:
        os.write(fd, ATTRIBUTES.encode())
    finally:
        os.close(fd)


def editor_name(root: str, preferred: str = "") -> str:
    """Who decides: the preference, else the folder's `git config user.name`, else the login name."""
    if preferred.strip():
        return preferred.strip()
    import getpass  # here: 3 ms of every command's start (subprocess brings selectors) for a name asked once
    import subprocess

    try:
        found = subprocess.run(
            ["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=2,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found:
        return found
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def decision_for(verb: str | None, changes: dict[str, list[Any]]) -> str:
    """The word logged for what was saved: the editor's verb, else what the changes say.

    >>> decision_for(None, {"published": [False, True]}), decision_for(None, {"quality": [5, 6]})
    ('publish', 'quality')
    >>> decision_for("approve", {"published": [None, True], "quality": [5, 6]})
    'approve'
    """
    if verb in DECISIONS:
        return verb
    published = changes.get("published")
    if published is not None:
        return "publish" if published[1] in (True, None) else "unpublish"
    return "quality"


def latest(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """The last decision of each path (the log is in time order: later lines win)."""
    found: dict[str, Decision] = {}
    for decision in decisions:
        found[decision.path] = decision
    return found


def since(decisions: Iterable[Decision], date: str = "", editor: str = "") -> list[Decision]:
    """Decisions from `date` on (compared at the precision given: 2026-11 is November) by `editor`."""
    return [
        d
        for d in decisions
        if (not date or d.time[: len(date)] >= date) and (not editor or d.editor.casefold() == editor.casefold())
    ]


SITE_MARKERS = (LOG_FOLDER, "_config.yml", "_config.yaml", "config.toml", "hugo.toml", ".git")


def folder_prefix(content_root: str, folder: str) -> str:
    """The path of `folder` in its content folder, as log paths start: '' or '_news/'.

    >>> folder_prefix("/site", "/site"), folder_prefix("/site", "/site/_news")
    ('', '_news/')
    """
    found = relative(content_root, os.path.abspath(folder))
    return "" if found in ("", ".") else found + "/"


def content_root_of(folder: str) -> str:
    """The content folder a path belongs to: the nearest folder up with a review log, a site
    configuration or a git repository; `folder` itself when there is none."""
    start = current = os.path.abspath(folder)
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in SITE_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent
