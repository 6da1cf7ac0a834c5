"""The window while a folder loads: its articles shown as they come, progress, where the
log is, and the first article once the list is there."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from ..app.tasks import single_shot
from ..core.article import Article
from ..core.facets import counting
from ..words import plural

if TYPE_CHECKING:
    from .main_window import MainWindow


class LoadingView(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.w = window
        self._progress_at = 0.0
        self._auto_current: Article | None = None  # the article shown first, not chosen by the editor
        self._incoming: list[Article] = []  # articles read, shown with the next batch (see _on_batch)
        self._incoming_timer = single_shot(self, 100, self._show_incoming)
        self._go_on: Callable[[], None] = _nothing  # lets the loading thread go on (Session.hold_loading)
        s = window.session
        s.loading_started.connect(self._on_loading_started)
        s.batch_loaded.connect(self._on_batch)
        s.progress.connect(self._on_progress)
        s.loading_finished.connect(self._on_loaded)
        s.log_read.connect(self._on_log_read)
        s.files_checked.connect(self._on_files_checked)
        self._checking = False  # a folder shown from its index: its files are being checked
        self._after_load = False  # the sort at the end of a load is still to come (_on_sorted)
        window.model.sorted_.connect(self._on_sorted)

    def _on_loading_started(self) -> None:
        self._after_load = self._checking = False
        self._go_on_loading()
        self._incoming_timer.stop()
        self._incoming = []
        self.w.model.set_articles([])
        self.w.triage.reset_counts()
        self.w.progress.setRange(0, 0)
        self.w.progress.setFormat("Reading…")
        self.w.progress.show()
        self.w.list.rebuild_views()

    def _on_log_read(self) -> None:
        """Say where decisions go when it is not the folder, and who they are logged as."""
        log = self.w.session.log
        outside = log is not None and not log.in_folder
        self.w.log_place.setVisible(outside)
        if log is not None and outside:
            clean = self.w.session.keep_folder_clean
            why = "kept out of the folder (Preferences)" if clean else "the folder is read-only"
            self.w.log_place.setText("Log: data folder")
            who = self.w.session.editor
            self.w.log_place.setToolTip(f"Decisions by {who} are logged in {log.path}: {why}")
            self.w.statusBar().showMessage(f"Decisions are logged in {log.path}: {why}", 10000)
        skipped = len(self.w.session.log_warnings)
        if skipped:
            self.w.statusBar().showMessage(
                f"{plural(skipped, 'line')} of the review log could not be read (see Problems)", 10000
            )

    def _on_batch(self, articles: list) -> None:
        """Articles read: the first at once, the rest of a loading folder at most ten times a
        second. A folder read from its index sends a batch every millisecond or two; each one
        shown means a repaint, a thousand calls into Python that wait for the loading thread."""
        if self.w.session.loading and self.w.model.rowCount() > 0:
            self._incoming.extend(articles)
            if not self._incoming_timer.isActive():
                self._incoming_timer.start()
            return
        self._show_batch(articles)

    def _show_incoming(self) -> None:
        self._incoming_timer.stop()
        if self._incoming:
            articles, self._incoming = self._incoming, []
            self._show_batch(articles)

    def _show_batch(self, articles: list) -> None:
        first = self.w.model.rowCount() == 0
        if first and not self.w.header_restored:
            self.w.table.fit_columns(articles)
        self.w.model.append(articles)
        self.w.triage.update_status()
        if first and self.w.model.rowCount():
            # The first article in the detail pane a turn of the event loop later: the rows
            # show first, and the window answers in between. A timer, not a zero delay: that
            # is a posted event, run with the rows' paint before any timer is due. The loading
            # thread waits meanwhile, until the article is painted: taking Python's lock back
            # at each of the window's calls into Python, it made each half take twice as long
            # (the window's longest pause over 18 loads of 100,000: 19-48 ms, 19-38 ms held).
            self._go_on_loading()
            self._go_on = self.w.session.hold_loading()
            QTimer.singleShot(1, self, self._select_first)
        self.w.list.schedule_counts()

    def _select_first(self) -> None:
        if self.w.model.rowCount() and not self.w.table.currentIndex().isValid():
            self.w.table.select_row(0)
            self.w.table.setFocus()
            self._auto_current = self.w.model.article(0)
        held = self._go_on
        QTimer.singleShot(1, self, lambda: self._go_on_loading(held))  # after the article's paint, as above

    def _go_on_loading(self, held: Callable[[], None] | None = None) -> None:
        """Let the loading thread go on: from the hold `held` when given (a timer of a folder
        opened before does not let a later one's go), else from any."""
        if held is not None and held is not self._go_on:
            return
        go_on, self._go_on = self._go_on, _nothing
        go_on()

    def progress_due(self, done: int, total: int) -> bool:
        """Whether to show progress now: at most ten times a second, and at the end.

        QProgressBar.setValue repaints at once, 2 ms a time, while a folder read from its
        index sends a batch every millisecond or two and a save of 1,000 files reports every
        4 ms: shown each time, the window's thread took the core the writers needed."""
        now = time.monotonic()
        if now - self._progress_at < 0.1 and done < total:
            return False
        self._progress_at = now
        return True

    def _on_progress(self, done: int, total: int) -> None:
        if not self.progress_due(done, total):
            return
        if total:
            self.w.progress.setRange(0, total)
            self.w.progress.setValue(done)
            self.w.progress.setFormat("Reading %v / %m")
        else:  # the first open of a folder: how many files it has is known at the end
            self.w.progress.setRange(0, 0)
            self.w.progress.setFormat(f"Reading {done:,}")

    def _on_loaded(self) -> None:
        self._go_on_loading()
        self._show_incoming()
        self.w.progress.hide()
        article = self._table_article()
        moved_by_user = article is not None and article is not self._auto_current
        self._after_load = not self.w.model.grouped
        self.w.model.resort()  # at once, or in steps (a large folder): then _on_sorted follows it
        self.w.model.prepare_orders()
        self.w.list.update_counts()
        self.w.list.schedule_facets()
        everything = list(self.w.session.articles)  # the values the query bar completes

        def known(counts, error) -> None:
            if error is None:
                self.w.list.assist.set_values(counts)

        self.w.model.run_steps(lambda: counting(everything), known, ahead=True)
        if self.w.list.stack.currentWidget() is self.w.list.problems:
            self.w.list.show_problems()
        self.w.detail.set_quality_range(*(self.w.session.tally.quality_range or (None, None)))
        self.w.focus_list(first_row=not moved_by_user)
        self._checking = self.w.session.disk.checking_load
        if self._checking:
            count = len(self.w.session.articles)
            self.w.statusBar().showMessage(f"{count:,} articles as the folder index has them; checking their files…")
        else:
            self._say_read()

    def _on_files_checked(self) -> None:
        if self._checking:
            self._checking = False
            self._say_read()

    def _say_read(self) -> None:
        s = self.w.session
        self.w.statusBar().showMessage(
            f"Read {len(s.articles):,} articles, {len(s.problems):,} problems, {s.skipped:,} other files", 8000
        )

    def _on_sorted(self) -> None:
        """The rows sorted at the end of a load (in steps for a large folder, after _on_loaded):
        the first row becomes the current one, unless the editor went to another article
        meanwhile, which the list then shows where the sort has put it."""
        if not self._after_load:
            return
        self._after_load = False
        article = self._table_article()
        if article is None or article is self._auto_current:
            self.w.table.select_row(0)
            self._auto_current = self.w.model.article(0) if self.w.model.rowCount() else None
        else:
            self.w.table.scrollTo(self.w.table.currentIndex())

    def _table_article(self) -> Article | None:
        """The list's current article (in the Problems view too, where Triage.current has none)."""
        current = self.w.table.currentIndex()
        return self.w.model.article(current.row()) if current.isValid() else None


def _nothing() -> None:
    pass
