"""Reading a folder off the GUI thread: its review log first, then its articles in batches."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ..core.article import Article, Verdict
from ..core.index import FolderIndex, IndexUnavailable, make_blocks_elsewhere
from ..core.library import Shown, check_shown, scan_batches, show_index, start_check
from ..core.problems import Problem
from ..core.review import Review
from ..core.review_log import Decision, read_decisions
from ..core.storage import remove_leftovers
from ..core.walking import Batch, end_walk
from ..core.workers import Workers
from .tasks import Context


@dataclass
class LogInfo:
    """What the loading worker found about the review log, before the first articles."""

    review: Review  # where the log is, who decides, how a save is logged
    history: dict[str, list[Decision]]  # by the article's path in the opened folder
    warnings: list[Problem]  # lines of the log that could not be read


@dataclass
class Reading:
    """What reading a folder needs to know: where, and the preferences that place its log."""

    root: str
    log_dir: str
    preferred_editor: str
    keep_clean: bool
    index_dir: str  # where folder indexes are kept; '' reads every file


class Checking:
    """Reported once every article the folder's index holds is shown: its files are checked
    next (core.library.check_shown), and what they say comes as a Checked."""


def read_folder(ctx: Context, how: Reading) -> int | bool:
    """The worker's part of opening a folder: reports the LogInfo, then each Batch of
    articles (their last decisions set), and notes as text; returns the number of temporary
    files of interrupted saves removed, or False when cancelled. A large folder whose index
    is in blocks is shown from it first: its batches, then Checking, then what its files
    say of them (a Checked)."""
    root = how.root
    info = read_log(root, how.log_dir, how.preferred_editor, how.keep_clean)
    ctx.report(info)
    last = {path: d.verdict() for path, d in latest_of(info.history).items()}
    leftovers: list[str] = []
    index = None
    if how.index_dir:
        try:
            index = FolderIndex.open(how.index_dir, root)
            index.spill_packs = True  # the window holds its articles: their packs wait on disk (core.spill)
        except IndexUnavailable as exc:
            ctx.report(f"{exc}; every file is read")
    workers = Workers(background=True)  # the window's thread comes first
    blocks = False
    try:
        if index is not None and index.shows_first():
            shown = Shown()
            helper = start_check(root, index)  # walks while the index is shown
            try:
                for batch in show_index(root, index, shown):
                    if ctx.cancelled:
                        return False
                    _set_batch_logged(batch, last)
                    ctx.report(batch)
                ctx.report(Checking())
                checked = check_shown(root, index, shown, workers, helper=helper)
            finally:
                end_walk(helper)
            if ctx.cancelled:
                return False
            _set_logged(checked.added, last)
            leftovers += checked.found.leftovers
            ctx.report(checked)
        else:
            for batch in scan_batches(root, index=index, workers=workers):
                if ctx.cancelled:
                    return False
                _set_batch_logged(batch, last)
                leftovers += batch.leftovers
                ctx.report(batch)
        blocks = index is not None and not index.message and index.wants_blocks()
    finally:
        workers.close()
        if index is not None:
            index.close()
            if index.message:
                ctx.report(index.message)
    if blocks:  # for the next time the folder opens (core.index)
        make_blocks_elsewhere(how.index_dir, root)
    return len(remove_leftovers(leftovers, root))


def _set_logged(articles: list[Article], last: dict[str, Verdict]) -> None:
    if last:  # a folder without a review log has no decision to give its articles
        for article in articles:
            article.logged = last.get(article.relpath)


def _set_batch_logged(batch: Batch, last: dict[str, Verdict]) -> None:
    """A batch's articles' decisions, and whether it has none at all for the tally to ask for (Batch.undecided)."""
    _set_logged(batch.articles, last)
    batch.undecided = not last


def read_log(root: str, log_dir: str, preferred: str, keep_clean: bool) -> LogInfo:
    """Off the GUI thread: who the editor is, where the log is, and what it holds.

    The log is the content folder's (the site's, found as `reviewer set` finds it), with paths
    from there: opening `site/_news` reads and writes `site/.reviewer/decisions.jsonl`. A save
    killed half-way is logged first (Review.recover)."""
    review = Review.of(root, log_dir, keep_clean, preferred)
    with contextlib.suppress(OSError):  # the log cannot be written: the journal stays, the save says why
        review.recover()
    prefix = review.prefix
    decisions, warnings = read_decisions(review.content_root, log_dir)
    history: dict[str, list[Decision]] = {}
    for decision in decisions:
        if decision.path.startswith(prefix):
            history.setdefault(decision.path[len(prefix) :], []).append(decision)
    return LogInfo(review, history, warnings)


def latest_of(history: dict[str, list[Decision]]) -> dict[str, Decision]:
    return {path: decisions[-1] for path, decisions in history.items() if decisions}
