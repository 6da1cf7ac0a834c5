"""Session: the open folder, its articles and problems, pending edits and undo; the facade the
window talks to. Reading the folder (loading), saving (saving), the files on disk (disk) and
the same-story clusters (clusters) each have a module of their own; the review rules are
core.review's."""

from __future__ import annotations

import itertools
import operator
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core.article import Article
from ..core.library import Checked
from ..core.problems import Problem
from ..core.review import Review, revert
from ..core.review_log import (
    Decision,
    LogFile,
    now,
)
from ..core.runs import PathMap
from ..core.same_story import SameStory, best_of
from ..core.site import Site
from ..core.tally import Tally
from ..core.walking import Batch
from ..words import plural
from .clusters import Clusters
from .commands import ORIGINAL, ClearPending, SetValues
from .disk import DiskWatch
from .loading import Checking, LogInfo, Reading, latest_of, read_folder, read_log
from .saving import Saver
from .settings import data_dir
from .tasks import Context, Runner, Slicer, ThreadRunner, collector, release_memory, single_shot


class Session(QObject):
    # Lists of articles go as `object`: a `list` signal copies each list into Qt's list and back,
    # 108 us for 400 articles (27 ms of the window's time loading 100,000). Receivers only read them.
    loading_started = Signal()
    batch_loaded = Signal(object)  # new articles, a list
    progress = Signal(int, int)
    loading_finished = Signal()
    articles_changed = Signal(object)  # a list: edits, metadata or conflict state changed
    articles_removed = Signal(object)  # a list
    # A list of articles whose file was read again (changed on disk): any of their values may differ.
    reread = Signal(object)
    log_read = Signal()  # the review log of the folder being opened has been read
    problems_changed = Signal()
    modified_changed = Signal(bool)
    save_progress = Signal(int, int)
    save_finished = Signal(object)  # SaveReport
    # A list of articles an edit was not applied to: they are read-only (article.read_only says why).
    refused = Signal(object)
    leftovers_removed = Signal(int)  # temporary files of interrupted saves, removed after loading
    notice = Signal(str)  # something the editor should know that is not a problem of a file (the index)
    # The files were checked against what the window holds and what they said taken in: after
    # a folder shown from its index (loading.Checking), or a change seen on disk (DiskWatch).
    files_checked = Signal()
    same_story_changed = Signal()  # the same-story clusters were found again (article.same)

    def __init__(
        self,
        runner: Runner | None = None,
        watch: bool = True,
        parent: QObject | None = None,
        log_dir: str = "",
        editor: str = "",
        keep_clean: bool = False,
        index_dir: str = "",
    ):
        super().__init__(parent)
        self.index_dir = index_dir  # where folder indexes are kept; '' reads every file each time
        self.log_dir = log_dir or data_dir()  # where a log goes when the folder is read-only or kept clean
        self.preferred_editor = editor
        self.keep_folder_clean = keep_clean
        self.review: Review | None = None  # known once the log is read
        self.history: dict[str, list[Decision]] = {}  # relpath -> its decisions, oldest first
        self.log_warnings: list[Problem] = []
        self.runner = runner or ThreadRunner()
        self.root = ""
        self.site = Site("")
        self.articles: list[Article] = []
        self.problems: list[Problem] = []
        self.skipped = 0
        self.loading = False
        self.undo_stack = QUndoStack(self)
        self.tally = Tally()  # counts by state and saved view, kept up incrementally
        # relpath -> article (the relative path: a string each article keeps; the absolute one is made on demand)
        self.by_path: PathMap[Article] = PathMap()  # a block's articles kept as it gives them (core.runs)
        self._by_url: dict[str, Article] = {}  # originalUrl and webUrl as written (no copies of them)
        self._edited: dict[int, Article] = {}  # the articles with pending edits, by id
        self._load_context: Context | None = None
        self._modified = False
        self._pieces: deque[Callable[[], None]] = deque()  # of batches being taken in (_batch_pieces)
        self._pieces_timer = single_shot(self, 0, self._run_piece)
        # Articles not yet in the URL map: while a folder loads, it is made after (_index_some_urls).
        self._unindexed: deque[list[Article]] = deque()
        self._urls_timer = single_shot(self, 0, self._index_some_urls)
        self.generation = 0  # counts folders opened: work for an earlier one is dropped
        self.slicer = Slicer(budget_ms=5, parent=self) if isinstance(self.runner, ThreadRunner) else None
        self.clusters = Clusters(self)
        self.disk = DiskWatch(self, watch)
        self.saver = Saver(self)

    # --- loading -------------------------------------------------------------------------

    def _bury(self, articles: list[Article]) -> None:
        """Let the articles of the folder open before go in steps (BURY_SLICE a step), once
        everything else has let go of them: freed at once, 100,000 of them held the window for
        46 ms as the next folder opened. Without steps (a runner for tests), at once."""
        if not articles or self.slicer is None:
            return

        def steps() -> Iterator[None]:
            while articles:
                del articles[-BURY_SLICE:]
                yield

        self.slicer.start(steps(), lambda result, error: None)

    def cancel_loading(self) -> None:
        if self._load_context:
            self._load_context.cancel()
            resume_collector()
        if self.disk.checking_load:
            self.disk.end_load_check()

    def open(self, root: str) -> None:
        self.cancel_loading()
        self.root = os.path.abspath(root)
        self.site = Site.load(self.root)
        self._bury(self.articles)
        self.articles, self.problems, self.skipped = [], [], 0
        self._pieces.clear()  # of the folder open before
        self.by_path = PathMap()
        self._by_url = {}
        self._unindexed.clear()
        self._edited = {}
        self.clusters.reset()
        self.tally.clear(since=now())
        self.undo_stack.clear()
        self.review, self.history, self.log_warnings = None, {}, []
        self.loading = True
        self._set_modified(False)
        collector.hold("loading")
        self.loading_started.emit()
        root = self.root

        how = Reading(root, self.log_dir, self.preferred_editor, self.keep_folder_clean, self.index_dir)
        self.generation += 1
        generation = self.generation
        self._load_context = self.runner.start(
            lambda ctx: read_folder(ctx, how),
            lambda batch: self._on_batch(batch, generation),
            lambda result, error: self._on_loaded(result, error, generation),
            backlog=LOAD_BACKLOG,
        )

    def hold_loading(self) -> Callable[[], None]:
        """The loading folder's thread waits at its next batch until the function returned is
        called (tasks.Context.hold: 0.1 s at most): the window shows its first article without
        that thread taking Python's lock at each of the window's calls into Python."""
        if self._load_context is None:
            return lambda: None
        return self._load_context.hold()

    def _on_batch(self, batch: Batch | LogInfo | str, generation: int) -> None:
        if generation != self.generation:
            return  # a batch of the folder that was open before
        if isinstance(batch, str):
            self.notice.emit(batch)
            return
        if isinstance(batch, Checking):  # every article is in: the window is read, its files checked next
            self._after_pieces(partial(self._if_current, generation, self._shown))
            return
        if isinstance(batch, Checked):
            self._after_pieces(partial(self._if_current, generation, lambda: self._take_checked(batch)))
            return
        if isinstance(batch, LogInfo):
            self.review, self.history, self.log_warnings = batch.review, batch.history, batch.warnings
            if batch.warnings:
                self.problems.extend(batch.warnings)  # the Problems view names the log and the line
                self.problems_changed.emit()
            self.log_read.emit()
            return
        pieces = self._batch_pieces(batch, generation)
        if self._pieces or len(self.articles) >= PIECES_FROM:
            self._pieces.extend(pieces)
            self._pieces_timer.start()
        else:
            for piece in pieces:
                piece()

    def _batch_pieces(self, batch: Batch, generation: int) -> list[Callable[[], None]]:
        """A batch taken in, as two pieces, each of which a large folder may have to run on a turn
        of its own (_run_piece): the path map, then the counts and the signals. The URL map
        is made once every article is shown (_index_some_urls).

        Each map of a folder's articles grows its table at the same count: at 174,763 articles
        (300,000 read the first time) one batch held the window for 62 ms, 25 of them in the
        path map, 15 in the URL map and 22 in the counts."""
        articles = batch.articles

        def paths() -> None:
            self.articles.extend(articles)
            if batch.known:
                self.by_path.add_sorted(batch.known[0], articles)
            else:
                self.by_path.update(zip(map(_RELPATH, articles), articles, strict=True))
            self._unindexed.append(articles)  # by URL once the folder is shown (_index_some_urls)

        def rest() -> None:
            self.tally.add(articles, batch.known, undecided=batch.undecided)
            self.skipped += batch.skipped
            if batch.problems:
                self.problems.extend(batch.problems)
                self.problems_changed.emit()
            if articles:
                self.batch_loaded.emit(articles)
            self.progress.emit(batch.done, batch.total)

        return [partial(self._if_current, generation, paths), partial(self._if_current, generation, rest)]

    def _if_current(self, generation: int, piece: Callable[[], None]) -> None:
        if generation == self.generation:
            piece()

    def _run_piece(self) -> None:
        if self._pieces:
            self._pieces.popleft()()
        if self._pieces:
            self._pieces_timer.start()

    def _after_pieces(self, piece: Callable[[], None]) -> None:
        """`piece` after the pieces of the batches before it (_batch_pieces), or now."""
        if self._pieces:
            self._pieces.append(piece)
            self._pieces_timer.start()
        else:
            piece()

    def _on_loaded(self, result: int | bool | None, error: Exception | None, generation: int) -> None:
        if generation != self.generation or result is False:
            return  # cancelled: another folder is loading, or the window closed
        if self._pieces:  # the last batches' pieces first
            self._pieces.append(partial(self._on_loaded, result, error, generation))
            self._pieces_timer.start()
            return
        self._load_context = None
        if self.disk.checking_load:  # shown from the index, and its check did not come (an error)
            self.disk.end_load_check()
        if result:
            self.leftovers_removed.emit(result)
        if error is not None:
            self.problems.append(Problem(self.root, ".", "unreadable", f"the folder could not be read: {error}"))
            self.problems_changed.emit()
        if self.loading:
            self._finish_loading()
        elif error is not None:
            self.problems.sort(key=lambda p: p.relpath)

    def _shown(self) -> None:
        """Every article of the folder's index is shown: the window is read, the files are checked
        next (DiskWatch waits for that check; what it finds comes as a Checked)."""
        self.disk.begin_load_check()
        self._finish_loading()

    def _take_checked(self, checked: Checked) -> None:
        """What the files said of the articles shown from the index, taken in as a change on disk."""
        self.skipped = checked.skipped
        if checked.problems_gone or checked.problems or checked.found.problems:
            self.problems = [p for p in self.problems if p.relpath not in checked.problems_gone]
            self.problems += checked.problems + checked.found.problems
            self.problems.sort(key=lambda p: p.relpath)
            self.problems_changed.emit()
        self.disk.take_load_check(checked.changed, checked.added, checked.removed)

    def _finish_loading(self) -> None:
        resume_collector()
        self.loading = False
        self._urls_timer.start()
        self.problems.sort(key=lambda p: p.relpath)
        self.disk.start()
        self.loading_finished.emit()
        self.clusters.find()

    # --- same story ------------------------------------------------------------------------

    @property
    def same_story(self) -> SameStory:
        return self.clusters.same_story

    def find_same_stories(self, threshold: float | None = None) -> None:
        self.clusters.find(threshold)

    def same_as(self, article: Article) -> list[Article]:
        return self.clusters.same_as(article)

    def keep_best(
        self, article: Article, text: str = "Keep the Best, Reject the Rest", best: Article | None = None
    ) -> Article | None:
        """In the article's cluster: approve the best (highest quality, then earliest), reject the
        rest; one undo step, decisions logged with the save like any other. Returns the best."""
        cluster = [article, *self.same_as(article)]
        if len(cluster) < 2:
            return None
        kept = best if best is not None and any(best is a for a in cluster) else best_of(cluster)
        self.undo_stack.beginMacro(text)
        self.approve([kept], text)
        self.reject([a for a in cluster if a is not kept], text)
        self.undo_stack.endMacro()
        return kept

    def set_log_preferences(self, editor: str, keep_clean: bool) -> None:
        """A new editor name, or the log kept in or out of the folder: for the next decisions."""
        self.preferred_editor, self.keep_folder_clean = editor, keep_clean
        if not self.root or self.review is None:
            return  # the folder being opened reads them when its log is read
        root, log_dir = self.root, self.log_dir

        def found(review: Review | None, error: Exception | None) -> None:
            if root == self.root and review is not None:
                self.review = review
                self.log_read.emit()

        # git config runs off the GUI thread
        self.runner.start(lambda ctx: Review.of(root, log_dir, keep_clean, editor), on_done=found)

    @property
    def editor(self) -> str:
        """Who decides in this folder ('' until its log is read)."""
        return self.review.editor if self.review is not None else ""

    @property
    def log(self) -> LogFile | None:
        return self.review.log if self.review is not None else None

    # --- editing -------------------------------------------------------------------------

    # --- the editor's verbs: each one undo step, each a decision the next save logs --------

    def approve(self, articles: list[Article], text: str) -> None:
        self._decide(articles, "approve", "published", [(a, True) for a in articles], text)

    def reject(self, articles: list[Article], text: str) -> None:
        """Also a decision when the article is unpublished already: it leaves the queue for good."""
        self._decide(articles, "reject", "published", [(a, False) for a in articles], text)

    def toggle_published(self, articles: list[Article], text: str) -> None:
        values = [(a, not bool(a.published)) for a in articles]
        for verb in ("publish", "unpublish"):
            chosen = [(a, v) for a, v in values if v is (verb == "publish")]
            if chosen and len(chosen) == len(values):
                self._decide(articles, verb, "published", chosen, text)
                return
        self.undo_stack.beginMacro(text)  # a mixed selection: both, as one step
        for verb in ("publish", "unpublish"):
            chosen = [(a, v) for a, v in values if v is (verb == "publish")]
            if chosen:
                self._decide([a for a, _ in chosen], verb, "published", chosen, text)
        self.undo_stack.endMacro()

    def set_quality(self, articles: list[Article], value: int, text: str, nudge: bool = False) -> None:
        self._decide(articles, "quality", "quality", [(a, value) for a in articles], text, nudge)

    def nudge_quality(self, articles: list[Article], delta: int, text: str) -> None:
        values = [(a, max(0, (a.quality or 0) + delta)) for a in articles]
        self._decide(articles, "quality", "quality", values, text, nudge=True)

    def _decide(
        self,
        articles: list[Article],
        verb: str,
        key: str,
        values: list[tuple[Article, Any]],
        text: str,
        nudge: bool = False,
    ) -> None:
        refused = [a for a in articles if a.read_only]
        if refused:
            self.refused.emit(refused)
        values = [(a, v) for a, v in values if not a.read_only]
        changing = [(a, v) for a, v in values if a.value(key) != v or type(a.value(key)) is not type(v)]
        if verb == "quality":
            values = changing  # an unchanged quality is no decision
        if values:
            verdict = (verb, self.editor or "unknown", now())
            self.undo_stack.push(SetValues(self, key, values, text, nudge, verdict))

    def set_value(self, articles: list[Article], key: str, value: Any, text: str) -> None:
        self.set_values(key, [(a, value) for a in articles], text)

    def set_values(self, key: str, values: Sequence[tuple[Article, Any]], text: str, nudge: bool = False) -> None:
        refused = [a for a, _ in values if a.read_only]
        if refused:
            self.refused.emit(refused)
        values = [
            (a, v) for a, v in values if not a.read_only and (a.value(key) != v or type(a.value(key)) is not type(v))
        ]
        if values:
            self.undo_stack.push(SetValues(self, key, values, text, nudge))

    def revert(self, articles: list[Article]) -> None:
        """Drop pending edits and decisions, as one undoable step (a decision left pending
        would be logged by the next save, for a file that no longer says it)."""
        articles = [a for a in articles if a.needs_saving]
        if not articles:
            return
        self.undo_stack.beginMacro(f"Revert {plural(len(articles), 'article')}")
        for key in ("published", "quality"):
            values = [(a, ORIGINAL) for a in articles if key in a.edits]
            if values:
                self.undo_stack.push(SetValues(self, key, values, ""))
        decided = [a for a in articles if a.pending is not None]
        if decided:
            self.undo_stack.push(ClearPending(self, decided))
        self.undo_stack.endMacro()

    def note_logged(self, logged: list[tuple[Article, Decision]]) -> None:
        """Decisions now in the log: the article's last decision; pending no more unless decided again."""
        for article, decision in logged:
            verdict = decision.verdict()
            if article.pending == verdict:
                article.pending = None
            article.logged = verdict
            self.history.setdefault(article.relpath, []).append(decision)

    def reload_log(self) -> None:
        """Read the review log again (a sync brought other editors' decisions): each article's
        last decision and history, the queue and the counts follow."""
        root, log_dir, preferred, keep_clean = self.root, self.log_dir, self.preferred_editor, self.keep_folder_clean
        if not root:
            return

        def done(info: LogInfo | None, error: Exception | None) -> None:
            if info is None or root != self.root or self.loading:
                return
            self.review, self.history = info.review, info.history
            changed = []
            last = latest_of(self.history)
            for article in self.articles:
                decision = last.get(article.relpath)
                verdict = decision.verdict() if decision is not None else None
                if verdict != article.logged:
                    article.logged = verdict
                    changed.append(article)
            self.log_read.emit()
            if changed:
                self.notify_changed(changed)

        self.runner.start(lambda ctx: read_log(root, log_dir, preferred, keep_clean), on_done=done)

    def find_by_url(self, url: str) -> Article | None:
        """The article of the folder at this address (its originalUrl or webUrl), if any."""
        if not url:
            return None
        self._index_some_urls(everything=True)
        bare = url.rstrip("/")
        for candidate in (url, bare, bare + "/"):  # with or without the final '/'
            found = self._by_url.get(candidate)
            if found is not None:
                return found
        return None

    def _index_some_urls(self, everything: bool = False) -> None:
        """Articles of a loaded folder into the URL map: URL_SLICE a turn of the event loop (a
        folder of 100,000 took 47-58 ms of the window's thread, as its articles came, before all
        were shown); `everything` at once, in the order the articles came."""
        if self.loading and not everything:
            return  # the load's end starts it (_finish_loading)
        done = 0
        while self._unindexed and (everything or done < URL_SLICE):
            articles = self._unindexed.popleft()
            self._index_urls(articles)
            done += len(articles)
        if self._unindexed:
            self._urls_timer.start()

    def _index_urls(self, articles: list[Article]) -> None:
        keep = self._by_url.setdefault
        for original, web, article in zip(map(_ORIGINAL_URL, articles), map(_WEB_URL, articles), articles, strict=True):
            if original:
                keep(original, article)
            if web and web is not original:  # most often one string for both (Article._one_url)
                keep(web, article)

    def discard(self) -> None:
        """Forget every pending edit and decision (the editor chose Discard)."""
        unsaved = self.modified
        for article in unsaved:
            revert(article)
        self.undo_stack.clear()
        self.notify_changed(unsaved)

    def notify_changed(self, articles: list[Article]) -> None:
        for article in articles:
            if article.needs_saving:
                self._edited[id(article)] = article
            else:
                self._edited.pop(id(article), None)
        self.tally.changed(articles)
        self.articles_changed.emit(list(articles))
        self._set_modified(bool(self._edited))

    @property
    def modified(self) -> list[Article]:
        """The articles with pending edits or decisions, in the order they were first edited."""
        return list(self._edited.values())

    def _set_modified(self, value: bool) -> None:
        if value != self._modified:
            self._modified = value
            self.modified_changed.emit(value)

    # --- saving --------------------------------------------------------------------------

    @property
    def saving(self) -> bool:
        return self.saver.saving

    def save(self, articles: list[Article] | None = None, overwrite: bool = False) -> bool:
        """Save pending edits and decisions in the background; save_finished reports. False when busy."""
        if self.review is None:
            return False
        targets = [a for a in (self.modified if articles is None else articles) if a.needs_saving]
        return self.saver.save(self.review, targets, overwrite)

    # --- the disk ------------------------------------------------------------------------

    def reload(self, articles: list[Article]) -> list[Article]:
        """Drop pending edits and read the files again. Returns those that are gone."""
        return self.disk.reload(articles)

    def check_disk(self, folders: list[str] | None = None) -> None:
        self.disk.check(folders)

    def add_found(self, added: list[Article]) -> list[Article]:
        """New files found on disk, as articles: those not known yet added; they are returned."""
        added = [a for a in added if a.relpath not in self.by_path]
        for article in added:
            self.articles.append(article)
            self.by_path[article.relpath] = article
        self._unindexed.append(added)  # after those of the load still waiting, if any
        self._index_some_urls()
        self.tally.add(added)
        if added:
            self.batch_loaded.emit(added)
        return added

    def remove(self, articles: list[Article]) -> None:
        if not articles:
            return
        self._index_some_urls(everything=True)  # what is removed from the map is in it
        gone = set(articles)  # hashed by identity: no id() call an article of the folder
        self.articles = list(itertools.filterfalse(gone.__contains__, self.articles))
        for article in articles:
            if self.by_path.get(article.relpath) is article:
                del self.by_path[article.relpath]
            self._edited.pop(id(article), None)
            for url in (article.original_url, article.web_url):
                if url and self._by_url.get(url) is article:
                    del self._by_url[url]
        self.tally.remove(articles)
        self.articles_removed.emit(list(articles))


URL_SLICE = 10_000  # articles into the URL map a turn of the event loop, after a load: 5 ms
BURY_SLICE = 5_000  # articles of the folder open before freed a step (_bury): 2-3 ms
_RELPATH, _ORIGINAL_URL, _WEB_URL = (operator.attrgetter(a) for a in ("relpath", "original_url", "web_url"))
PIECES_FROM = 100_000  # articles from which a batch is taken in a piece per turn (_batch_pieces)
LOAD_BACKLOG = 1  # batches a loading folder sends ahead of the window (tasks.Context)


def resume_collector() -> None:
    collector.release("loading")
    release_memory()
