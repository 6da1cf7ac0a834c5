"""The open folder's files on disk: watched, compared with what was read, read again."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from ..core.article import Article
from ..core.library import find_candidates, read_article
from ..core.storage import SaveError, current_metadata
from .tasks import Context, collector, single_shot

if TYPE_CHECKING:
    from .session import Session

DISK_SLICE = 250  # articles changed on disk taken per turn of the event loop (1,000 took 40-50 ms)

Known = dict[str, list[tuple[Article, int, int, bytes | None]]]  # folder -> (article, size, mtime, digest)
Compared = tuple[list[tuple[Article, Article]], list[Article], list[Article]]  # changed, added, removed


class DiskWatch(QObject):
    """Watches the folders of the open folder's articles; a change is checked off the GUI
    thread and taken in slices: files changed are read again (or, with pending edits, marked
    as conflicts), new ones added, gone ones removed."""

    def __init__(self, session: Session, watch: bool = True):
        super().__init__(session)
        self.session = session
        self.watch = watch
        self.checking = False
        self._watcher: QFileSystemWatcher | None = None
        self._dirty: set[str] = set()
        self._check_all = False  # every folder (check without folders)
        self._hash_edited = False
        self.checking_load = False  # the files of a folder shown from its index are checked (begin_load_check)
        # Articles a save wrote while a check was under way: what the check read of their files
        # may be from before the save (written_meanwhile).
        self._written: set[Article] = set()
        self._timer = single_shot(self, 400, self._rescan)

    def start(self) -> None:
        """Watch the folders of the articles as loaded, and the root."""
        if not self.watch:
            return
        session = self.session
        folders = {session.root} | {os.path.dirname(a.path) for a in session.articles}
        if self._watcher is None:
            self._watcher = QFileSystemWatcher(self)
            self._watcher.directoryChanged.connect(self._on_directory_changed)
        elif self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        self._watcher.addPaths(sorted(folders))

    def _on_directory_changed(self, folder: str) -> None:
        self._dirty.add(folder)
        self._timer.start()

    def check(self, folders: list[str] | None = None) -> None:
        """Compare files with what was read: reload changed ones, mark conflicts, add and remove.

        Files with pending edits are compared by content too: an edit in place can keep the
        size and the modification time, and would otherwise be found only when a save is refused.
        Without `folders`, every folder that holds an article, and the root.
        """
        if folders is None:
            self._check_all = True
        else:
            self._dirty.update(folders)
        self._hash_edited = True
        self._rescan()

    def _rescan(self) -> None:
        session = self.session
        dirty, self._dirty = self._dirty, set()
        check_all, self._check_all = self._check_all, False
        if session.loading or session.saving or self.checking or not session.root:
            self._dirty |= dirty
            self._check_all |= check_all
            self._timer.start()
            return
        hash_edited, self._hash_edited = self._hash_edited, False
        root, articles = session.root, list(session.articles)
        self.checking = True
        self._written.clear()
        # No full collections meanwhile (tasks.Collector): at 100,000 articles each held the window
        # for 20-27 ms, several a check.
        collector.hold("disk check")

        def work(ctx: Context) -> Compared:
            # Here, not on the window's turn: a pass over 20,000 articles held it for 85 ms, each
            # time the window came back to the front. What it reads of an article (path, identity,
            # edits) the window changes only by replacing a value whole. A save that ends meanwhile
            # is no conflict: its files are found touched, not changed, by their digest.
            known: Known = {}
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
            return compare_with_disk(root, sorted(folders), known, seen)

        session.runner.start(work, on_done=self._on_checked)

    def begin_load_check(self) -> None:
        """The loading worker checks the files of a folder shown from its index (core.library.
        check_shown): no check of this watch meanwhile; what it finds comes to take_load_check."""
        self.checking = self.checking_load = True
        self._written.clear()
        collector.hold("disk check")

    def take_load_check(
        self, changed: list[tuple[Article, Article]], added: list[Article], removed: list[Article]
    ) -> None:
        if self.checking_load:
            self.checking_load = False
            self._on_checked((changed, added, removed), None)

    def end_load_check(self) -> None:
        """The load's check did not come (cancelled, or an error)."""
        if self.checking_load:
            self.checking_load = False
            self._checked()

    def written_meanwhile(self, articles: list[Article]) -> None:
        """A save wrote these articles' files (Saver): while a check is under way, what it
        read of them may be older than what the save wrote."""
        if self.checking:
            self._written.update(articles)

    def _on_checked(self, result: Compared | None, error: Exception | None) -> None:
        """Take what changed on disk, DISK_SLICE articles per turn of the event loop (8,799 at
        once held the window for 63 ms), then the rest at once; no other check meanwhile."""
        session = self.session
        if error is not None or result is None or not session.root:
            self._checked()
            return
        changed, added, removed = result
        generation = session.generation
        updated: list[Article] = []

        def step() -> None:
            if generation != session.generation:  # another folder opened meanwhile
                self._checked()
                return
            chunk = changed[:DISK_SLICE]
            del changed[:DISK_SLICE]
            for article, fresh in chunk:
                if fresh.identity.digest == article.identity.digest:
                    article.identity = fresh.identity  # touched, not changed
                    continue
                if article in self._written:  # saved since: the file may have been read before the save
                    self._dirty.add(os.path.dirname(article.path))  # looked at again (_rescan)
                    continue
                article.changed_on_disk(fresh)
                updated.append(article)
            if changed:
                QTimer.singleShot(0, self, step)
                return
            pieces = self._apply(updated, added, removed)
            if len(session.articles) < pieces_from():
                for piece in pieces:
                    piece()
                self._checked()
                return

            def apply() -> None:  # a piece a turn: each took 25-60 ms at 100,000 articles
                if generation != session.generation:
                    self._checked()
                    return
                if pieces:
                    pieces.pop(0)()
                    QTimer.singleShot(0, self, apply)
                else:
                    self._checked()

            QTimer.singleShot(0, self, apply)

        step()

    def _checked(self) -> None:
        self.checking = False
        self._written.clear()
        collector.release("disk check")
        if self._dirty:
            self._timer.start()
        self.session.files_checked.emit()

    def _apply(self, updated: list[Article], added: list[Article], removed: list[Article]) -> list[Callable[[], None]]:
        """Articles read again (`updated`, already taken), new ones and gone ones: into the
        lists, one signal each, as pieces to run one after another (each looks at the
        articles as they are when it runs: a key may be pressed between two)."""
        session = self.session
        gone: list[Article] = []

        def remove() -> None:
            for article in removed:
                if article.edits:  # the editor's: kept, its file gone
                    article.mark_conflict()
                    updated.append(article)
                else:
                    gone.append(article)
            session.remove(gone)

        def add() -> None:
            added[:] = session.add_found(added)
            if added and self._watcher is not None:
                self._watcher.addPaths(sorted({os.path.dirname(a.path) for a in added}))

        def reread() -> None:
            if updated:
                session.reread.emit(updated)
                session.notify_changed(updated)

        def clusters() -> None:
            session.clusters.update(updated + added, [a.relpath for a in gone])

        return [remove, add, reread, clusters]

    def reload(self, articles: list[Article]) -> list[Article]:
        """Drop pending edits and read the files again. Returns those that are gone."""
        session = self.session
        gone = []
        for article in articles:
            fresh = read_article(article.path, session.root)
            if isinstance(fresh, Article):
                article.take(fresh)
            else:
                gone.append(article)
        kept = [a for a in articles if a not in gone]
        session.remove(gone)
        session.clusters.update(kept, [a.relpath for a in gone])
        session.reread.emit(kept)
        session.notify_changed(kept)
        session.undo_stack.clear()  # commands refer to values that no longer hold
        return gone


def pieces_from() -> int:
    """Articles from which what changed on disk is taken a piece a turn (session.PIECES_FROM, as a load)."""
    from . import session  # not at the top: the session imports this module

    return session.PIECES_FROM


def disk_metadata(article: Article) -> dict[Any, Any] | None:
    """The article's front matter as its file says it now; None when it cannot be read."""
    try:
        return current_metadata(article)
    except SaveError:
        return None


def compare_with_disk(root: str, folders: list[str], known: Known, seen: set[str]) -> Compared:
    """Off the GUI thread: which known files changed or went, and which are new, in `folders`."""
    changed: list[tuple[Article, Article]] = []
    added: list[Article] = []
    removed: list[Article] = []
    new_paths: set[str] = set()
    for folder in folders:
        present = set(find_candidates(folder)[0]) if os.path.isdir(folder) else set()
        for article, size, mtime_ns, digest in known.get(folder, []):
            try:
                st: os.stat_result | None = os.stat(article.path)
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
