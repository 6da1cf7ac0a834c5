"""The review rules, one home for the window and the command line.

What an article has pending is its edits and its decision together (`Article.edits`,
`Article.pending`): it needs saving when it has either, and `revert` clears both. Every
decision is logged, approve and reject alike, whether or not it changes a byte. The log is
the content folder's (the site's: `content_root_of`), with paths from there, whichever of
its folders was opened and by whichever of the window and `reviewer set`.

A save is three steps, `Review.begin`, the writes, then `Saving.finish`:

1. the decisions it will log are written to an intent journal of its own under the data
   folder, fsynced, and locked by this process while it lives;
2. the files are written;
3. the decisions of the files written, and of those with no byte to change, are appended to
   the review log, and the journal is removed.

A save killed between 1 and 3 leaves its journal. The next save in the folder, or opening
it, recovers it (`Review.recover`): a decision whose file now holds its new values, or that
changes no byte, and that is not in the log yet, is logged; the others (files the save never
reached) are dropped. So every file whose bytes a save changed has its decision in the log
once the folder is next saved or opened.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .article import Article, SaveState, Verdict
from .frontmatter_text import UNSET
from .library import read_article
from .review_log import (
    Decision,
    LogFile,
    _as_json,
    content_root_of,
    decision_for,
    editor_name,
    folder_prefix,
    now,
)
from .storage import Job, SaveError, SaveKind, Written
from .walking import relative

JOURNAL = "journal"
# A decision already pending outranks a later quality change: approve then +5 is an approval.
OUTRANKS_QUALITY = ("approve", "reject", "publish", "unpublish")

Outcome = Written | SaveError | None  # None: a decision that changes no byte, logged as it is


# --- an article's pending state ---------------------------------------------------------


def pending_after(pending: Verdict | None, verdict: Verdict) -> Verdict:
    """The decision an article has pending once `verdict` is made on it."""
    if verdict[0] == "quality" and pending is not None and pending[0] in OUTRANKS_QUALITY:
        return pending
    return verdict


def revert(article: Article) -> None:
    """Back to what the file says: no edit, no decision pending (a decision left pending
    would be logged by the next save, for a file that does not say it)."""
    article.revert()
    article.pending = None


def decide(article: Article, changes: dict[str, Any], editor: str, time: str = "") -> bool:
    """Set `changes` on the article as one decision of `editor`'s (the command line's
    `set`): approve or reject when it sets `published`, else a quality change. A quality
    that is already so is no decision; an approve or reject is one even when the file says
    so already. True when the article now needs saving."""
    for key, value in changes.items():
        article.set(key, value)
    verb = verb_of(changes)
    if verb is not None or article.edits:
        article.pending = pending_after(article.pending, (verb or "quality", editor, time or now()))
    return article.needs_saving


def verb_of(changes: dict[str, Any]) -> str | None:
    """approve or reject for a change of `published` (None for an unset), else None."""
    return {True: "approve", False: "reject"}.get(changes.get("published"))  # type: ignore[arg-type]


def plain(value: Any) -> Any:
    """A value as the log keeps it: an unset key as null."""
    return None if value is UNSET else value


def decision_of(state: SaveState, content_root: str, editor: str) -> Decision:
    """The decision a save of `state` records: its pending verdict (or a quality change of
    `editor`'s), its path from the content folder, its address and its changes as [old, new]."""
    changes = {key: [plain(old), plain(new)] for key, old, new in state.changes()}
    kind, who, time = state.pending or ("quality", editor, now())
    path = relative(content_root, state.path)
    return Decision(time, who, path, state.link, decision_for(kind, changes), changes)


# --- a content folder's review ------------------------------------------------------------


@dataclass
class Review:
    """A content folder's review log, who decides there, and how a save is logged."""

    content_root: str
    prefix: str  # the opened folder's path in the content folder: '' or '_news/'
    log: LogFile
    editor: str
    data_dir: str
    # (time, editor, path) of the decisions recovered from journals: a save that failed to log
    # leaves them pending in the window, and the next save, which recovers them, adds no copy
    recovered: set[tuple[str, str, str]] = field(default_factory=set)
    # Whether the journals were looked at since this review began, or since its log last
    # failed (that save's journal stays, and the next save recovers it): see begin
    swept: bool = False

    @classmethod
    def of(cls, folder: str, data_dir: str, keep_clean: bool = False, preferred: str = "", ask: bool = True) -> Review:
        """The review of the content folder `folder` belongs to. Who decides is `preferred`,
        else (when `ask`) the folder's `git config user.name` (a process) or the login name."""
        content = content_root_of(folder)
        log = LogFile.for_folder(content, data_dir, keep_clean)
        editor = editor_name(content, preferred) if ask else preferred
        return cls(content, folder_prefix(content, folder), log, editor, data_dir)

    def begin(self, states: Sequence[SaveState], sweep: bool = True) -> Saving:
        """Start a save of `states`: the decisions it will log written down first as intent.

        Journals of saves killed half-way are recovered first: each time (the window, where
        another process may have been killed meanwhile), or with `sweep` false only once (a
        command's batches, one save each, all of one run).

        A log that may not be written (a link) refuses the save as a whole: no file is
        written whose decision could not be logged."""
        refused = self.log.refusal()
        if refused:
            return Saving(self, list(states), [], refused=refused)
        if sweep or not self.swept:
            self.recover()
        decisions = [decision_of(s, self.content_root, self.editor) if s.pending else None for s in states]
        journal = _Journal.start(self._journal_folder(), [d for d in decisions if d is not None])
        return Saving(self, list(states), decisions, journal)

    def _journal_folder(self) -> str:
        name = hashlib.sha1(self.content_root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return os.path.join(self.data_dir, JOURNAL, name)

    def recover(self) -> int:
        """Log what saves killed half-way in this folder wrote (see the module's text); the
        number of decisions logged. Journals of saves still running are left alone."""
        logged = 0
        folder = self._journal_folder()
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        seen: set[tuple[str, str, str]] | None = None  # the log's decisions, read once a sweep
        for name in names:
            with _Journal.abandoned(os.path.join(folder, name)) as intents:
                if not intents:
                    continue
                if seen is None:
                    seen = {(d.time, d.editor, d.path) for d in self.log.read()[0]}
                done = [d for d in intents if (d.time, d.editor, d.path) not in seen and self._holds(d)]
                self.log.append(done)
                keys = {(d.time, d.editor, d.path) for d in intents}
                seen |= keys
                self.recovered |= keys
                logged += len(done)
        self.swept = True
        return logged

    def _holds(self, decision: Decision) -> bool:
        """Whether the file says what `decision` wrote (always, for a decision with no change)."""
        if not decision.changes:
            return True
        article = read_article(os.path.join(self.content_root, *decision.path.split("/")), self.content_root)
        if not isinstance(article, Article):
            return False
        return all(
            _same(article.stored(key) if article.has_stored(key) else None, pair[1])
            for key, pair in decision.changes.items()
            if isinstance(pair, list) and len(pair) == 2
        )


def _same(value: Any, logged: Any) -> bool:
    """A value in a file and one in the log are the same (as JSON: True is not 1)."""
    as_text = json.dumps(value, default=_as_json, sort_keys=True)
    return bool(as_text == json.dumps(logged, default=_as_json, sort_keys=True))


@dataclass
class Saving:
    """A save under way (Review.begin): its jobs to write, then `finish` with their outcomes."""

    review: Review
    states: list[SaveState]
    decisions: list[Decision | None]
    journal: _Journal | None = None
    refused: str = ""
    jobs: list[Job] = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = [] if self.refused else [s.job() for s in self.states if s.edits]

    def finish(self, written: Sequence[Written | SaveError]) -> Finished:
        """The outcome of each state (in order) and the decisions logged for them.

        `written` are the jobs' outcomes, in order. A refused save reports every state as
        not saved. A log that cannot be written leaves the journal for the next run."""
        if self.refused:
            failed = [SaveError(SaveKind.IO, s.path, self.refused) for s in self.states]
            return Finished(list(failed), [], "")
        outcomes: list[Outcome] = []
        results = iter(written)
        for state in self.states:
            outcomes.append(next(results) if state.edits else None)
        logged = [
            (i, d)
            for i, (d, outcome) in enumerate(zip(self.decisions, outcomes, strict=True))
            if d is not None and not isinstance(outcome, SaveError)
        ]
        recovered = self.review.recovered
        try:
            self.review.log.append(d for _, d in logged if (d.time, d.editor, d.path) not in recovered)
        except OSError as exc:
            if self.journal is not None:
                self.journal.keep()
                self.review.swept = False  # the next save recovers what this one wrote
            return Finished(outcomes, [], f"{self.review.log.path}: {exc.strerror or exc}")
        if self.journal is not None:
            self.journal.done()
        return Finished(outcomes, logged, "")


@dataclass
class Finished:
    outcomes: list[Outcome]  # each state's: Written, SaveError, or None (a decision alone)
    logged: list[tuple[int, Decision]]  # (the state's index, its decision) for each logged
    log_error: str  # why the decisions were not logged, or ''


# --- the intent journal -------------------------------------------------------------------

_COUNT = itertools.count()


class _Journal:
    """One save's intents: a file of decision lines, locked (flock) while its save runs."""

    def __init__(self, path: str, fd: int):
        self.path, self.fd = path, fd

    @classmethod
    def start(cls, folder: str, decisions: list[Decision]) -> _Journal | None:
        """Write the intents down and fsync them; None when there are none, or when the data
        folder cannot be written (the save goes on, logged at its end as before)."""
        if not decisions:
            return None
        path = os.path.join(folder, f"{os.getpid()}-{next(_COUNT)}-{os.urandom(4).hex()}.jsonl")
        try:
            os.makedirs(folder, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = "".join(d.line() for d in decisions).encode("utf-8", "backslashreplace")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            _close_removed(path, fd)
            return None
        return cls(path, fd)

    def done(self) -> None:
        """The decisions are in the log: the journal goes (removed before its lock is let go)."""
        _close_removed(self.path, self.fd)

    def keep(self) -> None:
        """The log could not be written: the journal stays for the next run to recover."""
        with contextlib.suppress(OSError):
            os.close(self.fd)

    @staticmethod
    @contextlib.contextmanager
    def abandoned(path: str) -> Any:
        """The intents of a journal whose save is gone (None for one still running or gone
        meanwhile); the journal is removed once the caller has logged them."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield None  # its save is still running
                return
            if os.fstat(fd).st_nlink == 0:  # finished and removed while we opened it
                yield None
                return
            yield _intents(_read_all(fd))
            with contextlib.suppress(OSError):
                os.unlink(path)
        finally:
            os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _intents(data: bytes) -> list[Decision]:
    """The decision lines of a journal; a torn last line (the kill came as it was written:
    no file of that save was written yet) is skipped."""
    found = []
    for line in data.decode("utf-8", "replace").split("\n"):
        try:
            decision = Decision.from_record(json.loads(line)) if line else None
        except ValueError:
            decision = None
        if decision is not None:
            found.append(decision)
    return found


def _close_removed(path: str, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
    with contextlib.suppress(OSError):
        os.close(fd)
