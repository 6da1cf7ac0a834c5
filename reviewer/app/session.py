"""Session: the open folder, its articles and problems, pending edits, undo, saving, and disk changes."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from ..core.article import Article, SaveState
from ..core.index import FolderIndex, IndexUnavailable
from ..core.library import find_candidates, read_article, scan_batches
from ..core.ordering import until
from ..core.problems import Problem
from ..core.review import Finished, Outcome, Review, revert
from ..core.review_log import (
    Decision,
    LogFile,
    now,
    read_decisions,
)
from ..core.same_story import DEFAULT_THRESHOLD, SameStory, best_of
from ..core.site import Site
from ..core.storage import SaveError, SaveKind, Written, current_metadata, remove_leftovers, write_many
from ..core.tally import Tally
from ..core.walking import Batch
from ..core.workers import Workers
from ..words import plural
from .commands import ORIGINAL, ClearPending, SetValues
from .settings import data_dir
from .tasks import Context, Slicer, ThreadRunner, collector, single_shot


@dataclass
class SaveReport:
    saved: list = field(default_factory=list)  # (article, [(key, old, new)])
    failed: list = field(default_factory=list)  # (article, SaveError)
    logged: int = 0  # decisions added to the review log
    log_error: str = ""  # why decisions could not be logged (the files were saved)

    @property
    def conflicts(self) -> list:
        return [(a, e) for a, e in self.failed if e.kind == SaveKind.CONFLICT]


@dataclass
class LogInfo:
    """What the loading worker found about the review log, before the first articles."""

    review: Review  # where the log is, who decides, how a save is logged
    history: dict[str, list[Decision]]  # by the article's path in the opened folder
    warnings: list[Problem]  # lines of the log that could not be read


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
    same_story_changed = Signal()  # the same-story clusters were found again (article.same)

    def __init__(
        self,
        runner=None,
        watch: bool = True,
        parent=None,
        log_dir: str = "",
        editor: str = "",
        keep_clean=False,
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
        self.saving = False
        self.undo_stack = QUndoStack(self)
        self.tally = Tally()  # counts by state and saved view, kept up incrementally
        # relpath -> article (the relative path: a string each article keeps; the absolute one is made on demand)
        self._by_path: dict[str, Article] = {}
        self._clustered: list[Article] = []  # the articles in a same-story cluster (see _apply_same)
        self._by_url: dict[str, Article] = {}  # originalUrl and webUrl as written (no copies of them)
        self._edited: dict[int, Article] = {}  # the articles with pending edits, by id
        self._load_context: Context | None = None
        self._modified = False
        self._watch = watch
        self._watcher: QFileSystemWatcher | None = None
        self._dirty_dirs: set[str] = set()
        self._check_all = False  # every folder (check_disk without folders)
        self._pieces: deque[Callable[[], None]] = deque()  # of batches being taken in (_batch_pieces)
        self._pieces_timer = single_shot(self, 0, self._run_piece)
        self._rescan_timer = single_shot(self, 400, self._rescan_dirty)
        self._checking = False
        self._hash_edited = False
        self._generation = 0
        self.same_story = SameStory(DEFAULT_THRESHOLD)
        self._slicer = Slicer(budget_ms=5, parent=self) if isinstance(self.runner, ThreadRunner) else None
        self._same_generation = 0  # counts folders and thresholds: a result for an earlier one is dropped
        self._same_busy = False
        self._same_pending: tuple[list[Article], list[str]] | None = None  # changes while it ran

    # --- loading -------------------------------------------------------------------------

    def _bury(self, articles: list[Article]) -> None:
        """Let the articles of the folder open before go in steps (BURY_SLICE a step), once
        everything else has let go of them: freed at once, 100,000 of them held the window for
        46 ms as the next folder opened. Without steps (a runner for tests), at once."""
        if not articles or self._slicer is None:
            return

        def steps() -> Iterator[None]:
            while articles:
                del articles[-BURY_SLICE:]
                yield

        self._slicer.start(steps(), lambda result, error: None)

    def cancel_loading(self) -> None:
        if self._load_context:
            self._load_context.cancel()
            _resume_collector()

    def open(self, root: str) -> None:
        self.cancel_loading()
        self.root = os.path.abspath(root)
        self.site = Site.load(self.root)
        self._bury(self.articles)
        self.articles, self.problems, self.skipped = [], [], 0
        self._pieces.clear()  # of the folder open before
        self._by_path = {}
        self._clustered = []
        self._by_url = {}
        self._edited = {}
        self._same_generation += 1
        self.same_story = SameStory(self.same_story.threshold)
        self._same_busy, self._same_pending = False, None
        self.tally.clear(since=now())
        self.undo_stack.clear()
        self.review, self.history, self.log_warnings = None, {}, []
        self.loading = True
        self._set_modified(False)
        _pause_collector()
        self.loading_started.emit()
        root = self.root

        log_dir, preferred, keep_clean = self.log_dir, self.preferred_editor, self.keep_folder_clean
        index_dir = self.index_dir

        def work(ctx):
            info = _read_log(root, log_dir, preferred, keep_clean)
            ctx.report(info)
            last = {path: d.verdict() for path, d in latest_of(info.history).items()}
            leftovers = []
            index = None
            if index_dir:
                try:
                    index = FolderIndex.open(index_dir, root)
                except IndexUnavailable as exc:
                    ctx.report(f"{exc}; every file is read")
            workers = Workers(background=True)  # the window's thread comes first
            try:
                for batch in scan_batches(root, index=index, workers=workers):
                    if ctx.cancelled:
                        return False
                    if last:  # a folder without a review log has no decision to give its articles
                        for article in batch.articles:
                            article.logged = last.get(article.relpath)
                    leftovers += batch.leftovers
                    ctx.report(batch)
            finally:
                workers.close()
                if index is not None:
                    index.close()
                    if index.message:
                        ctx.report(index.message)
            return len(remove_leftovers(leftovers, root))

        self._generation += 1
        generation = self._generation
        self._load_context = self.runner.start(
            work,
            lambda batch: self._on_batch(batch, generation),
            lambda result, error: self._on_loaded(result, error, generation),
            backlog=LOAD_BACKLOG,
        )

    def _on_batch(self, batch: Batch | LogInfo | str, generation: int) -> None:
        if generation != self._generation:
            return  # a batch of the folder that was open before
        if isinstance(batch, str):
            self.notice.emit(batch)
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
        """A batch taken in, as three pieces, each of which a large folder may have to run on a turn
        of its own (_run_piece): the path map, the URL map, then the counts and the signals.

        Each map of a folder's articles grows its table at the same count: at 174,763 articles
        (300,000 read the first time) one batch held the window for 62 ms, 25 of them in the
        path map, 15 in the URL map and 22 in the counts."""
        articles = batch.articles

        def paths() -> None:
            self.articles.extend(articles)
            by_path = self._by_path
            for article in articles:
                by_path[article.relpath] = article

        def rest() -> None:
            self.tally.add(articles)
            self.skipped += batch.skipped
            if batch.problems:
                self.problems.extend(batch.problems)
                self.problems_changed.emit()
            if articles:
                self.batch_loaded.emit(articles)
            self.progress.emit(batch.done, batch.total)

        return [
            partial(self._if_current, generation, paths),
            partial(self._if_current, generation, lambda: self._index_urls(articles)),
            partial(self._if_current, generation, rest),
        ]

    def _if_current(self, generation: int, piece: Callable[[], None]) -> None:
        if generation == self._generation:
            piece()

    def _run_piece(self) -> None:
        if self._pieces:
            self._pieces.popleft()()
        if self._pieces:
            self._pieces_timer.start()

    def _on_loaded(self, result, error, generation: int) -> None:
        if generation != self._generation or result is False:
            return  # cancelled: another folder is loading, or the window closed
        if self._pieces:  # the last batches' pieces first
            self._pieces.append(partial(self._on_loaded, result, error, generation))
            self._pieces_timer.start()
            return
        _resume_collector()
        if result:
            self.leftovers_removed.emit(result)
        self.loading = False
        self._load_context = None
        if error is not None:
            self.problems.append(Problem(self.root, ".", "unreadable", f"the folder could not be read: {error}"))
            self.problems_changed.emit()
        self.problems.sort(key=lambda p: p.relpath)
        if self._watch:
            self._start_watching()
        self.loading_finished.emit()
        self.find_same_stories()

    # --- same story ------------------------------------------------------------------------

    def find_same_stories(self, threshold: float | None = None) -> None:
        """Cluster the folder's articles by story, off the GUI thread (after loading, or with a
        new threshold); nothing waits for it: the clusters appear when found."""
        if threshold is not None:
            self.same_story.threshold = threshold
        self._same_generation += 1
        generation, articles = self._same_generation, list(self.articles)
        fresh = SameStory(self.same_story.threshold)
        self._same_busy, self._same_pending = True, None

        def done(result, error) -> None:
            # the collector is off meanwhile, as for all work in steps (tasks.Collector)
            _release_memory()
            if generation != self._same_generation:
                return
            self._same_busy = False
            if error is None:
                self.same_story = fresh
            pending, self._same_pending = self._same_pending, None
            if pending is not None and len(pending[0]) + len(pending[1]) > SAME_AT_ONCE:
                self._apply_same()
                self.find_same_stories()  # the articles as they are now, in steps again
                return
            if pending is not None:
                self.same_story.add([a for a in pending[0] if self._by_path.get(a.relpath) is a])
                self.same_story.remove(pending[1])
            self._apply_same()

        if self._slicer is not None:  # in steps between events: see SameStory.adding
            steps = until(fresh.adding(articles), lambda: generation != self._same_generation)
            self._slicer.start(steps, done, paused=lambda: self.saving)  # a save first: it waits for no cluster
        else:
            self.runner.start(lambda ctx: fresh.add(articles), on_done=done)

    def _update_same(self, changed: list[Article], removed: list[str]) -> None:
        """Articles read again, added or gone: their pairs compared again (a few ms for a hundred);
        more than SAME_AT_ONCE, the folder is clustered again in steps (find_same_stories), the
        clusters shown meanwhile staying as they were."""
        if not changed and not removed:
            return
        if self._same_busy:
            old = self._same_pending or ([], [])
            self._same_pending = (old[0] + changed, old[1] + removed)
            return
        if len(changed) + len(removed) > SAME_AT_ONCE:
            self.find_same_stories()
            return
        self.same_story.add(changed)
        self.same_story.remove(removed)
        self._apply_same()

    def _apply_same(self) -> None:
        """Each article's cluster size (article.same): those in a cluster now, and back to 0
        those that were (not a pass over every article: 300,000 took 100 ms at once)."""
        for article in self._clustered:
            article.same = 0
        clustered = []
        for path, cluster in self.same_story.clustered().items():
            member = self._by_path.get(path)
            if member is not None:
                member.same = len(cluster)
                clustered.append(member)
        self._clustered = clustered
        self.same_story_changed.emit()

    def same_as(self, article: Article) -> list[Article]:
        """The other articles of the article's same-story cluster, best first."""
        found = [self._by_path.get(p) for p in self.same_story.cluster_of(article.relpath)]
        others = [a for a in found if a is not None and a is not article]
        return sorted(others, key=lambda a: (-(a.quality if a.quality is not None else -1), a.date, a.relpath))

    def keep_best(self, article: Article, text: str = "Keep the Best, Reject the Rest") -> Article | None:
        """In the article's cluster: approve the best (highest quality, then earliest), reject the
        rest; one undo step, decisions logged with the save like any other. Returns the best."""
        cluster = [article, *self.same_as(article)]
        if len(cluster) < 2:
            return None
        best = best_of(cluster)
        self.undo_stack.beginMacro(text)
        self.approve([best], text)
        self.reject([a for a in cluster if a is not best], text)
        self.undo_stack.endMacro()
        return best

    def set_log_preferences(self, editor: str, keep_clean: bool) -> None:
        """A new editor name, or the log kept in or out of the folder: for the next decisions."""
        self.preferred_editor, self.keep_folder_clean = editor, keep_clean
        if not self.root or self.review is None:
            return  # the folder being opened reads them when its log is read
        root, log_dir = self.root, self.log_dir

        def found(review, error) -> None:
            if root == self.root and error is None:
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
        self, articles: list[Article], verb: str, key: str, values: list, text: str, nudge: bool = False
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

    def set_value(self, articles: list[Article], key: str, value, text: str) -> None:
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

    def _note_logged(self, logged: list[tuple[Article, Decision]]) -> None:
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

        def done(info, error) -> None:
            if error is not None or root != self.root or self.loading:
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

        self.runner.start(lambda ctx: _read_log(root, log_dir, preferred, keep_clean), on_done=done)

    def find_by_url(self, url: str) -> Article | None:
        """The article of the folder at this address (its originalUrl or webUrl), if any."""
        if not url:
            return None
        bare = url.rstrip("/")
        for candidate in (url, bare, bare + "/"):  # with or without the final '/'
            found = self._by_url.get(candidate)
            if found is not None:
                return found
        return None

    def _index_urls(self, articles: list[Article]) -> None:
        by_url = self._by_url
        for article in articles:
            original, web = article.original_url, article.web_url
            if original:
                by_url.setdefault(original, article)
            if web and web is not original:  # most often one string for both (Article._one_url)
                by_url.setdefault(web, article)

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

    def save(self, articles: list[Article] | None = None, overwrite: bool = False) -> bool:
        """Save pending edits and decisions in the background; save_finished reports. False when busy."""
        if self.saving or self.review is None:
            return False
        targets = [a for a in (self.modified if articles is None else articles) if a.needs_saving]
        # The articles as they are now, taken here, where they are safe to read; what to write
        # and what each decision will say are worked out from that on the saving thread.
        states = [a.save_state() for a in targets]
        root, review = self.root, self.review
        self.saving = True

        def work(ctx):
            saving = review.begin(states)
            step = max(1, len(saving.jobs) // 100)  # a hundred progress reports at most, whatever the size

            def progress(done: int, total: int) -> None:
                if done % step == 0 or done == total:
                    ctx.report((done, total))

            return saving.finish(write_many(saving.jobs, root, overwrite, progress) if saving.jobs else [])

        self.runner.start(
            work, lambda p: self.save_progress.emit(*p), lambda r, e: self._on_saved(r, e, targets, states)
        )
        return True

    def _on_saved(self, results, error, targets: list[Article], states: list[SaveState]) -> None:
        """Fold what was written into the articles, a slice per turn of the event loop.

        Ten thousand saved articles would otherwise hold the window for a third of a second.
        A save that failed as a whole (a bug) reports each of its files as not saved.
        """
        report = SaveReport()
        pending: list[tuple[Article, dict[str, Any], Outcome]]
        if error is not None:
            message = f"not saved: unexpected error ({type(error).__name__}: {error})"
            pending = [(a, dict(a.edits), SaveError(SaveKind.IO, a.path, message)) for a in targets]
        else:
            finished: Finished = results
            self._note_logged([(targets[i], d) for i, d in finished.logged])
            report.logged, report.log_error = len(finished.logged), finished.log_error
            pending = [
                (a, state.edits, outcome) for a, state, outcome in zip(targets, states, finished.outcomes, strict=True)
            ]

        def step() -> None:
            chunk = pending[:SAVE_SLICE]
            del pending[:SAVE_SLICE]
            for article, edits, outcome in chunk:
                if outcome is None:
                    report.saved.append((article, []))  # a decision only: logged, no file written
                elif isinstance(outcome, Written):
                    changes = article.written(outcome.metadata, outcome.identity, edits)
                    report.saved.append((article, changes))
                else:
                    if outcome.kind == SaveKind.CONFLICT:
                        article.mark_conflict()
                    report.failed.append((article, outcome))
            if chunk:
                self.notify_changed([a for a, _, _ in chunk])
            if pending:
                QTimer.singleShot(0, self, step)
            else:
                self.saving = False
                self.save_finished.emit(report)

        step()

    # --- the disk ------------------------------------------------------------------------

    def reload(self, articles: list[Article]) -> list[Article]:
        """Drop pending edits and read the files again. Returns those that are gone."""
        gone = []
        for article in articles:
            fresh = read_article(article.path, self.root)
            if isinstance(fresh, Article):
                article.take(fresh)
            else:
                gone.append(article)
        self._remove([a for a in gone])
        self._update_same([a for a in articles if a not in gone], [a.relpath for a in gone])
        self.reread.emit([a for a in articles if a not in gone])
        self.notify_changed([a for a in articles if a not in gone])
        self.undo_stack.clear()  # commands refer to values that no longer hold
        return gone

    def disk_metadata(self, article: Article) -> dict | None:
        try:
            return current_metadata(article)
        except SaveError:
            return None

    def _start_watching(self) -> None:
        folders = {self.root} | {os.path.dirname(a.path) for a in self.articles}
        if self._watcher is None:
            self._watcher = QFileSystemWatcher(self)
            self._watcher.directoryChanged.connect(self._on_directory_changed)
        elif self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._watcher.addPaths(sorted(folders))

    def _on_directory_changed(self, folder: str) -> None:
        self._dirty_dirs.add(folder)
        self._rescan_timer.start()

    def check_disk(self, folders: list[str] | None = None) -> None:
        """Compare files with what was read: reload changed ones, mark conflicts, add and remove.

        Files with pending edits are compared by content too: an edit in place can keep the
        size and the modification time, and would otherwise be found only when a save is refused.
        Without `folders`, every folder that holds an article, and the root.
        """
        if folders is None:
            self._check_all = True
        else:
            self._dirty_dirs.update(folders)
        self._hash_edited = True
        self._rescan_dirty()

    def _rescan_dirty(self) -> None:
        dirty, self._dirty_dirs = self._dirty_dirs, set()
        check_all, self._check_all = self._check_all, False
        if self.loading or self.saving or self._checking or not self.root:
            self._dirty_dirs |= dirty
            self._check_all |= check_all
            self._rescan_timer.start()
            return
        hash_edited, self._hash_edited = self._hash_edited, False
        root, articles = self.root, list(self.articles)
        self._checking = True
        # No full collections meanwhile (tasks.Collector): at 100,000 articles each held the window
        # for 20-27 ms, several a check.
        collector.hold("disk check")

        def work(ctx: Context) -> tuple[list, list, list]:
            # Here, not on the window's turn: a pass over 20,000 articles held it for 85 ms, each
            # time the window came back to the front. What it reads of an article (path, identity,
            # edits) the window changes only by replacing a value whole. A save that ends meanwhile
            # is no conflict: its files are found touched, not changed, by their digest.
            known: dict[str, list] = {}
            seen: set[str] = set()
            folders = {root} | dirty if check_all else dirty
            for article in articles:
                path = article.path  # made from the folder's prefix and the relative path: once here
                seen.add(path)
                folder = os.path.dirname(path)
                if check_all:
                    folders.add(folder)
                if folder in folders:
                    identity = article.identity
                    digest = identity.digest if hash_edited and article.edits else None
                    known.setdefault(folder, []).append((article, identity.size, identity.mtime_ns, digest))
            return _compare_with_disk(root, sorted(folders), known, seen)

        self.runner.start(work, on_done=self._on_checked)

    def _on_checked(self, result, error) -> None:
        """Take what changed on disk, DISK_SLICE articles per turn of the event loop (8,799 at
        once held the window for 63 ms), then the rest at once; no other check meanwhile."""
        if error is not None or not self.root:
            self._checked()
            return
        changed, added, removed = result
        generation = self._generation
        updated: list[Article] = []

        def step() -> None:
            if generation != self._generation:  # another folder opened meanwhile
                self._checked()
                return
            chunk = changed[:DISK_SLICE]
            del changed[:DISK_SLICE]
            for article, fresh in chunk:
                if fresh.identity.digest == article.identity.digest:
                    article.identity = fresh.identity  # touched, not changed
                    continue
                article.changed_on_disk(fresh)
                updated.append(article)
            if changed:
                QTimer.singleShot(0, self, step)
                return
            self._checked()
            self._apply_disk_changes(updated, added, removed)

        step()

    def _checked(self) -> None:
        self._checking = False
        collector.release("disk check")

    def _apply_disk_changes(self, updated: list[Article], added: list, removed: list) -> None:
        """Articles read again (`updated`, already taken), new ones and gone ones: into the lists, one signal each."""
        added = [a for a in added if a.relpath not in self._by_path]
        for article in added:
            self.articles.append(article)
            self._by_path[article.relpath] = article
        self._index_urls(added)
        self.tally.add(added)
        if added:
            self.batch_loaded.emit(added)
        self._remove([a for a in removed if not a.edits])
        for article in removed:
            if article.edits:
                article.mark_conflict()
                updated.append(article)
        if updated:
            self.reread.emit(updated)
            self.notify_changed(updated)
        self._update_same(updated + added, [a.relpath for a in removed if not a.edits])
        if added and self._watcher is not None:
            self._watcher.addPaths(sorted({os.path.dirname(a.path) for a in added}))

    def _remove(self, articles: list[Article]) -> None:
        if not articles:
            return
        gone = {id(a) for a in articles}
        self.articles = [a for a in self.articles if id(a) not in gone]
        for article in articles:
            if self._by_path.get(article.relpath) is article:
                del self._by_path[article.relpath]
            self._edited.pop(id(article), None)
            for url in (article.original_url, article.web_url):
                if url and self._by_url.get(url) is article:
                    del self._by_url[url]
        self.tally.remove(articles)
        self.articles_removed.emit(list(articles))


def _compare_with_disk(root: str, folders: list[str], known: dict, seen: set) -> tuple[list, list, list]:
    """Off the GUI thread: which known files changed or went, and which are new, in `folders`."""
    changed, added, removed, new_paths = [], [], [], set()
    for folder in folders:
        present = set(find_candidates(folder)[0]) if os.path.isdir(folder) else set()
        for article, size, mtime_ns, digest in known.get(folder, []):
            try:
                st = os.stat(article.path)
            except OSError:
                st = None
            if st is None or article.path not in present:
                removed.append(article)
            elif (st.st_size, st.st_mtime_ns) != (size, mtime_ns) or digest is not None:
                fresh = read_article(article.path, root)
                if isinstance(fresh, Article) and (digest is None or fresh.identity.digest != digest):
                    changed.append((article, fresh))
        new_paths |= {p for p in present if p not in seen}
    for path in sorted(new_paths):
        item = read_article(path, root)
        if isinstance(item, Article):
            added.append(item)
    return changed, added, removed


SAVE_SLICE = 1000  # saved articles folded in per turn of the event loop
BURY_SLICE = 5_000  # articles of the folder open before freed a step (_bury): 2-3 ms
PIECES_FROM = 100_000  # articles from which a batch is taken in a piece per turn (_batch_pieces)
DISK_SLICE = 1000  # articles changed on disk taken per turn of the event loop
# Articles changed on disk whose pairs are compared again at once (_update_same); more, and the
# folder is clustered again in steps. Measured at 20,000 articles: 8,799 changed at once held
# the window for 1.2 s.
SAME_AT_ONCE = 100
LOAD_BACKLOG = 1  # batches a loading folder sends ahead of the window (tasks.Context)


def _read_log(root: str, log_dir: str, preferred: str, keep_clean: bool) -> LogInfo:
    """Off the GUI thread: who the editor is, where the log is, and what it holds.

    The log is the content folder's (the site's, found as `reviewer set` finds it), with paths
    from there: opening `site/_news` reads and writes `site/.reviewer/decisions.jsonl`. A save
    killed half-way is logged first (Review.recover)."""
    review = Review.of(root, log_dir, keep_clean, preferred)
    try:
        review.recover()
    except OSError:
        pass  # the log cannot be written: the journal stays, and the save will say why
    prefix = review.prefix
    decisions, warnings = read_decisions(review.content_root, log_dir)
    history: dict[str, list[Decision]] = {}
    for decision in decisions:
        if decision.path.startswith(prefix):
            history.setdefault(decision.path[len(prefix) :], []).append(decision)
    return LogInfo(review, history, warnings)


def latest_of(history: dict[str, list[Decision]]) -> dict[str, Decision]:
    return {path: decisions[-1] for path, decisions in history.items() if decisions}


def _pause_collector() -> None:
    """No cyclic garbage collection while a folder loads (tasks.Collector says why)."""
    collector.hold("loading")


def _resume_collector() -> None:
    collector.release("loading")
    _release_memory()


def _release_memory() -> None:
    """Hand the C library's free memory back to the system (glibc's malloc_trim): loading and
    clustering leave tens of megabytes freed but held, 34 MB at 300,000 articles. Elsewhere,
    nothing."""
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
