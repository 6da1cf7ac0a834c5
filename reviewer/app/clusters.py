"""The open folder's same-story clusters, kept up as its articles come, change and go."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.article import Article
from ..core.ordering import until
from ..core.same_story import DEFAULT_THRESHOLD, SameStory, score_elsewhere, write_fields
from .tasks import release_memory

if TYPE_CHECKING:
    from .session import Session

Done = Callable[[object, Exception | None], None]

# A folder of at most this many articles is clustered again at once when some change on disk
# (it takes milliseconds); a larger one in steps (find), the clusters shown meanwhile staying as
# they were: the scores depend on every article's words, and at 100,000 articles a change of
# one held the window for seconds.
SAME_AT_ONCE = 100
# From this many articles the window has the scores worked out in a process of its own
# (same_story.score_elsewhere): in its own process, 100,000 articles' left it 75 MB larger.
ELSEWHERE_FROM = 5000


class Clusters:
    """Finds the clusters off the GUI thread (in steps in the window) and marks each
    article's cluster size (article.same); the session says when the articles change."""

    def __init__(self, session: Session):
        self.session = session
        self.same_story = SameStory(DEFAULT_THRESHOLD)
        self.generation = 0  # counts folders and thresholds: a result for an earlier one is dropped
        self.busy = False
        self.pending = False  # articles changed while it ran: found again once it ends
        self.clustered: list[Article] = []  # the articles in a cluster now (see apply)
        self._process: subprocess.Popen[bytes] | None = None  # scoring elsewhere now

    def reset(self) -> None:
        """A folder opens: no cluster, and a result for the one before is dropped."""
        self.generation += 1
        self._stop_elsewhere()
        self.same_story = SameStory(self.same_story.threshold)
        self.busy, self.pending, self.clustered = False, False, []

    def find(self, threshold: float | None = None) -> None:
        """Cluster the folder's articles by story, off the GUI thread (after loading, or with a
        new threshold); nothing waits for it: the clusters appear when found."""
        session = self.session
        if threshold is not None:
            self.same_story.threshold = threshold
        self.generation += 1
        self._stop_elsewhere()
        generation, articles = self.generation, list(session.articles)
        fresh = SameStory(self.same_story.threshold)
        self.busy, self.pending = True, False

        def done(result: object, error: Exception | None) -> None:
            # the collector is off meanwhile, as for all work in steps (tasks.Collector)
            release_memory()
            if generation != self.generation:
                return
            self.busy = False
            if error is None:
                self.same_story = result if isinstance(result, SameStory) else fresh
            self.apply()
            if self.pending:
                self.find()  # the articles as they are now

        def stale() -> bool:
            return generation != self.generation

        if session.slicer is None:
            session.runner.start(lambda ctx: fresh.add(articles), on_done=done)
        elif len(articles) < ELSEWHERE_FROM:  # in steps between events: see SameStory.adding
            session.slicer.start(until(fresh.adding(articles), stale), done, paused=lambda: session.saving)
        else:
            self._find_elsewhere(articles, stale, done)

    def _find_elsewhere(self, articles: list[Article], stale: Callable[[], bool], done: Done) -> None:
        """find() with the scores worked out in a process of its own: the articles' fields
        written to a file in steps, the process run from a thread, the linkage in steps. Where
        the process cannot run, the scores are worked out here after all."""
        session = self.session
        slicer = session.slicer
        assert slicer is not None
        saving = lambda: session.saving  # noqa: E731  # a save first: it waits for no cluster
        threshold = self.same_story.threshold
        fd, source = tempfile.mkstemp(prefix="reviewer-same-", suffix=".jsonl")
        out = os.fdopen(fd, "w", encoding="utf-8")

        def written(paths: list[str] | None, error: Exception | None) -> None:
            out.close()
            if paths is None or error is not None or stale():
                _unlink(source)
                done(None, error)
                return
            session.runner.start(lambda ctx: score_elsewhere(source, started), on_done=lambda d, e: scored(paths, d))

        def started(process: subprocess.Popen[bytes]) -> None:  # on the runner's thread
            self._process = process
            if stale():  # found again meanwhile
                self._stop_elsewhere()

        def scored(paths: list[str], data: bytes | None) -> None:
            _unlink(source)
            if stale():
                return
            self._process = None
            found = SameStory.scored_elsewhere(paths, data, threshold) if data is not None else None
            if found is None:  # it could not run: here after all
                found = SameStory(threshold)
                steps = found.adding(articles)
            else:
                steps = found.linking()
            slicer.start(until(steps, stale), lambda result, error: done(found, error), paused=saving)

        slicer.start(until(write_fields(articles, out), stale), written, paused=saving)

    def _stop_elsewhere(self) -> None:
        """A scoring running elsewhere for an earlier folder or threshold is ended."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()

    def update(self, changed: list[Article], removed: list[str]) -> None:
        """Articles read again, added or gone: in a small folder the clusters are found again
        at once, in a larger one in steps (find)."""
        if not changed and not removed:
            return
        if self.busy:
            self.pending = True
            return
        in_steps = self.session.slicer is not None and len(self.session.articles) > SAME_AT_ONCE
        if in_steps or len(changed) + len(removed) > SAME_AT_ONCE or not self.same_story.growable:
            self.find()
            return
        self.same_story.add(changed)
        self.same_story.remove(removed)
        self.apply()

    def apply(self) -> None:
        """Each article's cluster size (article.same): those in a cluster now, and back to 0
        those that were (not a pass over every article: 300,000 took 100 ms at once)."""
        for article in self.clustered:
            article.same = 0
        clustered = []
        by_path = self.session.by_path
        for path, cluster in self.same_story.clustered().items():
            member = by_path.get(path)
            if member is not None:
                member.same = len(cluster)
                clustered.append(member)
        self.clustered = clustered
        self.session.same_story_changed.emit()

    def same_as(self, article: Article) -> list[Article]:
        """The other articles of the article's same-story cluster, best first."""
        by_path = self.session.by_path
        found = [by_path.get(p) for p in self.same_story.cluster_of(article.relpath)]
        others = [a for a in found if a is not None and a is not article]
        return sorted(others, key=lambda a: (-(a.quality if a.quality is not None else -1), a.date, a.relpath))


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
