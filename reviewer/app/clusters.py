"""The open folder's same-story clusters, kept up as its articles come, change and go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.article import Article
from ..core.ordering import until
from ..core.same_story import DEFAULT_THRESHOLD, SameStory
from .tasks import release_memory

if TYPE_CHECKING:
    from .session import Session

# Articles changed on disk whose pairs are compared again at once (update); more, and the
# folder is clustered again in steps. Measured at 20,000 articles: 8,799 changed at once held
# the window for 1.2 s.
SAME_AT_ONCE = 100


class Clusters:
    """Finds the clusters off the GUI thread (in steps in the window) and marks each
    article's cluster size (article.same); the session says when the articles change."""

    def __init__(self, session: Session):
        self.session = session
        self.same_story = SameStory(DEFAULT_THRESHOLD)
        self.generation = 0  # counts folders and thresholds: a result for an earlier one is dropped
        self.busy = False
        self.pending: tuple[list[Article], list[str]] | None = None  # changes while it ran
        self.clustered: list[Article] = []  # the articles in a cluster now (see apply)

    def reset(self) -> None:
        """A folder opens: no cluster, and a result for the one before is dropped."""
        self.generation += 1
        self.same_story = SameStory(self.same_story.threshold)
        self.busy, self.pending, self.clustered = False, None, []

    def find(self, threshold: float | None = None) -> None:
        """Cluster the folder's articles by story, off the GUI thread (after loading, or with a
        new threshold); nothing waits for it: the clusters appear when found."""
        session = self.session
        if threshold is not None:
            self.same_story.threshold = threshold
        self.generation += 1
        generation, articles = self.generation, list(session.articles)
        fresh = SameStory(self.same_story.threshold)
        self.busy, self.pending = True, None

        def done(result: object, error: Exception | None) -> None:
            # the collector is off meanwhile, as for all work in steps (tasks.Collector)
            release_memory()
            if generation != self.generation:
                return
            self.busy = False
            if error is None:
                self.same_story = fresh
            pending, self.pending = self.pending, None
            if pending is not None and len(pending[0]) + len(pending[1]) > SAME_AT_ONCE:
                self.apply()
                self.find()  # the articles as they are now, in steps again
                return
            if pending is not None:
                self.same_story.add([a for a in pending[0] if session.by_path.get(a.relpath) is a])
                self.same_story.remove(pending[1])
            self.apply()

        if session.slicer is not None:  # in steps between events: see SameStory.adding
            steps = until(fresh.adding(articles), lambda: generation != self.generation)
            session.slicer.start(steps, done, paused=lambda: session.saving)  # a save first: it waits for no cluster
        else:
            session.runner.start(lambda ctx: fresh.add(articles), on_done=done)

    def update(self, changed: list[Article], removed: list[str]) -> None:
        """Articles read again, added or gone: their pairs compared again (a few ms for a hundred);
        more than SAME_AT_ONCE, the folder is clustered again in steps (find), the clusters
        shown meanwhile staying as they were."""
        if not changed and not removed:
            return
        if self.busy:
            old = self.pending or ([], [])
            self.pending = (old[0] + changed, old[1] + removed)
            return
        if len(changed) + len(removed) > SAME_AT_ONCE:
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
