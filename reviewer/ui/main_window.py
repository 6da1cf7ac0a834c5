"""The main window: assembles the list, the detail pane, the changes panel, menus and status bar."""

from __future__ import annotations

import contextlib
import functools
import html
import os
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..app.disk import disk_metadata
from ..app.session import Session
from ..app.settings import Settings, cache_dir
from ..app.tasks import Slicer, ThreadRunner, single_shot
from ..app.team import Team, askpass_program
from ..core.facets import counting
from ..core.query import quote
from ..core.site import resolve_image
from ..core.storage import SaveKind
from ..words import plural
from .actions import ACTIONS, fill_menu, fill_toolbar, make_actions
from .article_model import HEADERS, ArticleTableModel, Column
from .changes_panel import ChangesPanel
from .detail_pane import DetailPane
from .dialogs import ConflictDialog, PreferencesDialog, ProblemDialog, ShortcutsOverlay
from .images import ImageLoader
from .list_panel import QUEUE, ListPanel
from .query_bar import QueryHelp
from .team_ui import TeamControls
from .triage import Triage

if TYPE_CHECKING:
    from .statistics import StatisticsWindow  # imported when first shown: pyqtgraph takes 200-350 ms

LOGO_SIZE = 32
HEADER_KEY = "window/columns"  # a new key: widths saved before Status became an icon column do not apply
DEFAULT_SIZE = (1360, 860)
NO_FOLDER_NEEDED = {"open", "quit", "preferences", "shortcuts", "about", "query_help"}
RESOURCES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources")


def resource_icon(name: str) -> QIcon:
    return QIcon(os.path.join(RESOURCES, name + ".svg"))


class Welcome(QWidget):
    """Shown when no folder is open: Open Folder and the recent list."""

    def __init__(self, open_action, open_folder, settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        icon = QLabel(alignment=Qt.AlignCenter)
        icon.setPixmap(resource_icon("reviewer").pixmap(96, 96))
        layout.addWidget(icon)
        title = QLabel(
            "<h2>Reviewer</h2><p>Open a content folder (Jekyll, Hugo, …) to review its articles.</p>",
            alignment=Qt.AlignCenter,
        )
        layout.addWidget(title)
        button = QPushButton("Open Folder…")
        button.setAccessibleName("Open Folder")
        button.clicked.connect(open_action.trigger)
        layout.addWidget(button, alignment=Qt.AlignCenter)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent folders")
        self.recent.setMaximumWidth(560)
        self.recent.itemActivated.connect(lambda item: open_folder(item.text()))
        self.recent_label = QLabel("Recent folders:", alignment=Qt.AlignCenter)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent, alignment=Qt.AlignHCenter)
        layout.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        self.recent.addItems(self.settings.recent_folders)
        self.recent.setVisible(bool(self.settings.recent_folders))
        self.recent_label.setVisible(bool(self.settings.recent_folders))


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, runner=None, watch: bool = True):
        super().__init__()
        self.settings = settings or Settings()
        self.runner = runner or ThreadRunner()
        self.session = Session(
            self.runner,
            watch=watch,
            parent=self,
            log_dir=self.settings.log_dir,
            editor=self.settings.editor_name,
            keep_clean=self.settings.keep_folder_clean,
            index_dir=cache_dir("index") if self.settings.use_index else "",
        )
        self.action_table = make_actions(self, self.settings)
        self.setWindowIcon(resource_icon("reviewer"))
        self.setAcceptDrops(True)
        self._logos: dict[str, QIcon | None] = {}  # provider logo address -> icon (None until loaded)
        self._logo_keys: dict[str, str] = {}  # image loader key -> logo address
        self.statistics: StatisticsWindow | None = None  # made when first shown
        self._header_restored = False
        self._progress_at = 0.0
        self._close_after_save = False
        self._hold = 0  # see one_update
        self._pending: dict = {}
        self._queued: list = []
        self._watch = watch
        self._checked_at = time.monotonic()
        self._incoming: list = []  # articles read, shown with the next batch (see _on_batch)
        self._incoming_timer = single_shot(self, 100, self._show_incoming)

        icons = {True: resource_icon("published"), False: resource_icon("unpublished"), None: resource_icon("unset")}
        # Sorting and filtering in steps between events; at once under a synchronous runner (tests).
        slicer = Slicer(parent=self) if isinstance(self.runner, ThreadRunner) else None
        self.model = ArticleTableModel(icons, self._logo_for, self, slicer=slicer)
        self.list = ListPanel(self.session, self.model, self.settings)
        self.table = self.list.table
        # Remote images wait on servers: threads of their own, so that no save waits behind them.
        fetch_runner = ThreadRunner(workers=3) if isinstance(self.runner, ThreadRunner) else self.runner
        self.loader = ImageLoader(
            self.runner, cache_dir("images"), lambda: self.settings.remote_images, self, fetch_runner=fetch_runner
        )
        self.loader.ready.connect(self._logo_ready)
        self.detail = DetailPane(self.session, self.loader, status_icons=icons)
        self.triage = Triage(self)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.welcome = Welcome(self.action_table["open"], self.open_folder, self.settings)
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.central.addWidget(self.splitter)
        self.setCentralWidget(self.central)

        self.changes = ChangesPanel(self.session)
        self.changes_dock = QDockWidget("Changes", self)
        self.changes_dock.setObjectName("changes")
        self.changes_dock.setWidget(self.changes)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.changes_dock)
        self.changes_dock.hide()

        # Tab goes from part to part: views, query, list (or problems), detail pane.
        chain = [self.list.views, self.list.query, self.table, self.list.problems, self.detail]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self._build_status_bar()
        self._build_menus()
        self._build_toolbar()
        self._connect()
        git_runner = ThreadRunner(workers=2) if isinstance(self.runner, ThreadRunner) else self.runner
        self.team = Team(git_runner, askpass=askpass_program(cache_dir("git")), parent=self)
        self.team_controls = TeamControls(self, self.team)
        self.session.same_story.threshold = self.settings.same_story_threshold
        self._connect_same_story()
        self.action_table["commit"].triggered.connect(self.team_controls.commit)
        self.action_table["sync"].triggered.connect(lambda: self.team_controls.sync())
        self._restore_state()
        self._update_title()
        self._enable_folder_actions(False)

    # --- building -------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.counts = QLabel()
        self.counts.setAccessibleName("Queue counts")
        self.matches = QLabel()
        self.matches.setAccessibleName("Articles shown")
        self.matches.setStyleSheet("QLabel { padding-right: 8px; border-right: 1px solid palette(mid); }")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.log_place = QLabel()
        self.log_place.setAccessibleName("Where decisions are logged")
        self.log_place.hide()
        self.statusBar().addPermanentWidget(self.log_place)
        self.statusBar().addPermanentWidget(self.matches)
        self.statusBar().addPermanentWidget(self.counts)
        self.statusBar().addPermanentWidget(self.progress)

    def _build_menus(self) -> None:
        a = self.action_table
        bar = self.menuBar()
        file = bar.addMenu("&File")
        fill_menu(file, "File", a)
        self.recent_menu = QMenu("Open &Recent", file)
        file.insertMenu(file.actions()[1], self.recent_menu)  # after Open Folder
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        fill_menu(bar.addMenu("&Edit"), "Edit", a)
        view = bar.addMenu("&View")
        fill_menu(view, "View", a)
        view.addSeparator()
        view.addAction(self.changes_dock.toggleViewAction())
        self.changes_dock.toggleViewAction().setText("&Changes Panel")
        self.changes_dock.toggleViewAction().setShortcut("Ctrl+Shift+C")
        columns = view.addMenu("C&olumns")
        header = self.table.horizontalHeader()
        for column in Column:
            action = columns.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
            self._column_actions = getattr(self, "_column_actions", {})
            self._column_actions[column] = action
        header.customContextMenuRequested.connect(lambda pos: columns.exec(header.mapToGlobal(pos)))
        self.remote_action = view.addAction("Load &Remote Images")
        self.remote_action.setCheckable(True)
        self.remote_action.setChecked(self.settings.remote_images)
        self.remote_action.toggled.connect(lambda on: setattr(self.settings, "remote_images", on))
        view.addAction("&Save Query as View…", self._save_query_as_view)
        view.addAction("&Remove Saved View", self._remove_saved_view)
        fill_menu(bar.addMenu("&Go"), "Go", a)
        fill_menu(bar.addMenu("&Help"), "Help", a)

        # Single-key actions live on the list and the detail pane, so typing elsewhere stays typing.
        for action in a.values():
            if action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut:
                self.table.addAction(action)
                self.detail.addAction(action)
                self.list.problems.addAction(action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        icons = {
            "open": style.standardIcon(style.StandardPixmap.SP_DirOpenIcon),
            "save_all": style.standardIcon(style.StandardPixmap.SP_DialogSaveButton),
            "undo": QIcon.fromTheme("edit-undo", resource_icon("undo")),
            "redo": QIcon.fromTheme("edit-redo", resource_icon("redo")),
            "approve": resource_icon("published"),
            "reject": resource_icon("unpublished"),
        }
        for name, icon in icons.items():
            self.action_table[name].setIcon(icon)
        fill_toolbar(bar, self.action_table)
        self.addToolBar(bar)

    def _connect(self) -> None:
        a, s = self.action_table, self.session
        a["open"].triggered.connect(self.choose_folder)
        a["save_all"].triggered.connect(lambda: self.save(None))
        a["save_article"].triggered.connect(lambda: self.save(self.triage.targets()))
        a["revert_article"].triggered.connect(lambda: s.revert(self.triage.targets()))
        a["reload"].triggered.connect(lambda: s.check_disk())
        a["quit"].triggered.connect(self.close)
        a["undo"].triggered.connect(self.triage.undo)
        a["redo"].triggered.connect(self.triage.redo)
        a["select_all"].triggered.connect(self.table.selectAll)
        a["preferences"].triggered.connect(self.preferences)
        a["find"].triggered.connect(self.focus_query)
        a["shortcuts"].triggered.connect(self.show_shortcuts)
        a["about"].triggered.connect(self.about)
        a["statistics"].triggered.connect(self.show_statistics)
        a["query_help"].triggered.connect(lambda: QueryHelp(self).exec())
        a["open_link"].triggered.connect(self.triage.open_link)
        self.triage.connect_actions(a)
        s.undo_stack.canUndoChanged.connect(a["undo"].setEnabled)
        s.undo_stack.canRedoChanged.connect(a["redo"].setEnabled)
        a["undo"].setEnabled(False)
        a["redo"].setEnabled(False)

        s.loading_started.connect(self._on_loading_started)
        s.batch_loaded.connect(self._on_batch)
        s.progress.connect(self._on_progress)
        s.loading_finished.connect(self._on_loaded)
        s.articles_changed.connect(self._on_articles_changed)
        s.articles_removed.connect(self._on_removed)
        s.problems_changed.connect(self.list.schedule_counts)
        s.log_read.connect(self._on_log_read)
        s.notice.connect(lambda text: self.statusBar().showMessage(f"Folder index: {text}", 10000))
        s.modified_changed.connect(lambda _: self._update_title())
        s.save_progress.connect(self._on_save_progress)
        s.save_finished.connect(self._on_saved)
        s.refused.connect(self._on_refused)
        s.reread.connect(lambda _: self.model.forget_orders())
        s.leftovers_removed.connect(
            lambda n: self.statusBar().showMessage(
                f"Removed {plural(n, 'temporary file')} left by an interrupted save", 8000
            )
        )

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.triage.update_status())
        self._selection_timer = single_shot(self, 0, self._show_current)  # one pane update for a burst of changes
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _: self.triage.open_link())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.list.view_changed.connect(self._on_view_changed)
        self.list.leave_query.connect(self.focus_list)
        self.list.problem_activated.connect(lambda p: ProblemDialog(p, self).exec())
        self.list.problems.currentCellChanged.connect(self._show_problem)
        self.detail.leave.connect(self.focus_list)
        self.detail.title.linkActivated.connect(self._pane_link)
        self.detail.published_chosen.connect(self.triage.set_published_from_pane)
        self.detail.quality_chosen.connect(self.triage.set_quality_from_pane)
        self.detail.show_article.connect(self.reveal)
        self.changes.save_requested.connect(self.save)
        self.changes.revert_requested.connect(s.revert)
        self.changes.article_activated.connect(self.reveal)

    def _connect_same_story(self) -> None:
        a, s = self.action_table, self.session
        a["group_same"].setCheckable(True)
        a["group_same"].toggled.connect(self.model.group_same)
        self.model.grouping_changed.connect(lambda on: a["group_same"].setChecked(on))
        a["keep_best"].triggered.connect(lambda: self.keep_best(self.detail.article))
        self.detail.keep_best.connect(self.keep_best)
        s.same_story_changed.connect(self._on_same_story_changed)

    def _on_same_story_changed(self) -> None:
        same = self.session.same_story
        self.model.same_story_changed(lambda a: (same.cluster_of(a.relpath) or [""])[0])
        if self.detail.article is not None:
            self.detail.show_same()
        if "same:" in self.list.query.currentText() or "same:" in self.list.view_query:
            self.list.apply_query()

    def keep_best(self, article) -> None:
        """Keep the best of the article's same-story cluster, reject the rest (one undo step)."""
        if article is None or self.list.in_problems():
            return
        best = self.session.keep_best(article)
        if best is None:
            self.statusBar().showMessage("This article has no same-story cluster", 4000)
            return
        others = len(self.session.same_as(best))
        self.statusBar().showMessage(
            f"Kept {best.provider.name or best.relpath}; rejected {plural(others, 'copy', 'copies')}", 6000
        )
        self.reveal(best)

    # --- folders --------------------------------------------------------------------------

    def choose_folder(self) -> None:
        start = self.session.root or (self.settings.recent_folders or [os.path.expanduser("~")])[0]
        folder = QFileDialog.getExistingDirectory(self, "Open Content Folder", start)
        if folder:
            self.open_folder(folder)

    def open_folder(self, folder: str) -> bool:
        if not os.path.isdir(folder):
            QMessageBox.warning(self, "Open Folder", f"{folder} is not a folder (it may have been moved).")
            return False
        if not self._confirm_discard("open another folder"):
            return False
        self.settings.add_recent_folder(folder)
        self.settings.set_value("folders/last", os.path.abspath(folder))  # reopened next time, even after a crash
        self.welcome.refresh()
        self.central.setCurrentWidget(self.splitter)
        self._enable_folder_actions(True)
        self._logos.clear()
        self._logo_keys.clear()
        self.detail.display(None)
        self.session.open(folder)
        self.team_controls.attach(self.session.root)
        self._update_title()
        return True

    def _enable_folder_actions(self, enabled: bool) -> None:
        """With no folder open there is nothing to save, decide or look for."""
        for spec in ACTIONS:
            if spec.id not in NO_FOLDER_NEEDED:
                self.action_table[spec.id].setEnabled(enabled)
        if enabled:  # undo and redo follow the undo stack
            self.action_table["undo"].setEnabled(self.session.undo_stack.canUndo())
            self.action_table["redo"].setEnabled(self.session.undo_stack.canRedo())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for folder in self.settings.recent_folders:
            self.recent_menu.addAction(folder, functools.partial(self.open_folder, folder))
        if not self.settings.recent_folders:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self.settings.clear_recent_folders)

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and os.path.isdir(urls[0].toLocalFile()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.open_folder(event.mimeData().urls()[0].toLocalFile())

    # --- loading --------------------------------------------------------------------------

    def _on_loading_started(self) -> None:
        self._incoming_timer.stop()
        self._incoming = []
        self.model.set_articles([])
        self.triage.reset_counts()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading…")
        self.progress.show()
        self.list.rebuild_views()

    def _on_log_read(self) -> None:
        """Say where decisions go when it is not the folder, and who they are logged as."""
        log = self.session.log
        outside = log is not None and not log.in_folder
        self.log_place.setVisible(outside)
        if log is not None and outside:
            clean = self.session.keep_folder_clean
            why = "kept out of the folder (Preferences)" if clean else "the folder is read-only"
            self.log_place.setText("Log: data folder")
            who = self.session.editor
            self.log_place.setToolTip(f"Decisions by {who} are logged in {log.path}: {why}")
            self.statusBar().showMessage(f"Decisions are logged in {log.path}: {why}", 10000)
        skipped = len(self.session.log_warnings)
        if skipped:
            self.statusBar().showMessage(
                f"{plural(skipped, 'line')} of the review log could not be read (see Problems)", 10000
            )

    def _on_batch(self, articles: list) -> None:
        """Articles read: the first at once, the rest of a loading folder at most ten times a
        second. A folder read from its index sends a batch every millisecond or two; each one
        shown means a repaint, a thousand calls into Python that wait for the loading thread."""
        if self.session.loading and self.model.rowCount() > 0:
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
        first = self.model.rowCount() == 0
        if first and not self._header_restored:
            self.table.fit_columns(articles)
        self.model.append(articles)
        self.triage.update_status()
        if first and self.model.rowCount():
            # The first article in the detail pane a turn of the event loop later: the rows
            # show first, and the window answers in between (each half about 12 ms, doubled
            # while the loading thread wants Python's lock too). A timer, not a zero delay:
            # that is a posted event, run with the rows' paint before any timer is due.
            QTimer.singleShot(1, self, self._select_first)
        self.list.schedule_counts()

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.select_row(0)
            self.table.setFocus()
            self._auto_current = self.model.article(0)

    def _progress_due(self, done: int, total: int) -> bool:
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
        if not self._progress_due(done, total):
            return
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat("Reading %v / %m")
        else:  # the first open of a folder: how many files it has is known at the end
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"Reading {done:,}")

    def _on_loaded(self) -> None:
        self._show_incoming()
        self.progress.hide()
        current = self.table.currentIndex()
        article = self.model.article(current.row()) if current.isValid() else None
        moved_by_user = article is not None and article is not getattr(self, "_auto_current", None)
        self.model.resort()
        self.model.prepare_orders()
        self.list.update_counts()
        self.list.schedule_facets()
        everything = list(self.session.articles)  # the values the query bar completes

        def known(counts, error) -> None:
            if error is None:
                self.list.assist.set_values(counts)

        self.model.run_steps(lambda: counting(everything), known, ahead=True)
        if self.list.stack.currentWidget() is self.list.problems:
            self.list.show_problems()
        self.detail.set_quality_range(*(self.session.tally.quality_range or (None, None)))
        self.focus_list(first_row=not moved_by_user)
        s = self.session
        self.statusBar().showMessage(
            f"Read {len(s.articles):,} articles, {len(s.problems):,} problems, {s.skipped:,} other files", 8000
        )

    def _on_view_changed(self) -> None:
        self.focus_list(first_row=True)
        self.triage.update_status()

    def focus_list(self, first_row: bool = False) -> None:
        if self.list.in_problems():
            self.list.problems.setFocus()
            if first_row or self.list.problems.currentRow() < 0:
                self.list.problems.selectRow(0)
            self._show_problem()
            return
        self.table.setFocus()
        if first_row or not self.table.currentIndex().isValid():
            self.table.select_row(0)
        if self.model.rowCount() == 0:
            self.detail.display(None)
            if not self.session.loading:
                self.show_empty_view()

    def show_empty_view(self) -> None:
        """An empty list says why, what is left to do, and the way back."""
        to_save = len(self.session.modified)
        save = f"{plural(to_save, 'decision')} to save (Ctrl+S)." if to_save else "Every decision is saved."
        back = "<a href='view:All'>Show all articles</a>"
        if not self.list.query_valid:
            text = "The query has an error (see above the list): fix it to list articles."
        elif self.list.query.currentText().strip():
            view = self.list.current_view_name() or "All"
            query = html.escape(self.list.query.currentText().strip())
            clear = "<a href='view:All'>Clear the query</a>"
            text = f"No article in {html.escape(view)} matches “{query}”.<br><br>{clear}"
        elif self.list.current_view_name() == QUEUE:
            text = f"Queue done: {save}<br><br>{back}"
        else:
            text = f"No articles in this view.<br><br>{back}"
        self.detail.show_article_none(text, rich=True)

    def _pane_link(self, url: str) -> None:
        if url.startswith("view:"):
            self.list.query.setCurrentText("")
            self.list.select_view(url[len("view:") :])

    def _show_problem(self, *_) -> None:
        """In the Problems view the pane shows the current problem, never an article."""
        if not self.list.in_problems():
            return
        problem = self.list.current_problem()
        if problem is not None:
            self.detail.show_problem(problem)
        else:
            self.detail.show_article_none("Every file in the folder could be read.")

    def focus_query(self) -> None:
        self.list.query.setFocus()
        self.list.query_line().selectAll()

    def reveal(self, article) -> None:
        """Make an article current, switching to All when the view hides it."""
        if self.model.row_of(article) is None:
            self.list.query.setCurrentText("")
            self.list.select_view("All")

        def show() -> None:
            self.table.select_articles([article])
            self.table.setFocus()

        self.model.when_filtered(show)

    @contextlib.contextmanager
    def one_update(self):
        """The pane and the status line are brought up to date once, when the action inside ends."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
            if not self._hold:
                pending, self._pending = self._pending, {}
                for update in pending.values():
                    update()

    def holding(self, update) -> bool:
        """Inside one_update: remember `update` for its end and say so; else False."""
        if self._hold:
            self._pending[update.__qualname__] = update
        return bool(self._hold)

    def _on_selection_changed(self, *_) -> None:
        """Several rows selected, or back to one: the pane follows (one row alone follows the cursor)."""
        if self.detail.articles or self.table.selected_count() > 1:
            self._selection_timer.start()

    def _show_current(self) -> None:
        if self.holding(self._show_current) or self.list.in_problems():
            return
        if self.table.selected_count() > 1:
            self.detail.display_many(self.table.selected_articles())
            return
        index = self.table.currentIndex()
        self.detail.display(self.model.article(index.row()) if index.isValid() else None)

    def _table_menu(self, pos) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        a = self.action_table
        menu = QMenu(self)
        for name in ("approve", "reject", "toggle", "set_quality"):
            menu.addAction(a[name])
        menu.addSeparator()
        menu.addAction(a["save_article"])
        menu.addAction(a["revert_article"])
        menu.addSeparator()
        menu.addAction(a["open_link"])
        article = self.triage.current()
        if article is not None:
            menu.addAction("Copy File Path", lambda: QApplication.clipboard().setText(article.path))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def changeEvent(self, event) -> None:
        # Coming back to the window (after a git pull, say): look for files changed on disk.
        if (
            event.type() == QEvent.Type.ActivationChange
            and self.isActiveWindow()
            and self.session.root
            and not self.session.loading
            and self._watch
            and time.monotonic() - self._checked_at > 5
        ):
            self._checked_at = time.monotonic()
            self.session.check_disk()
        super().changeEvent(event)

    # --- edits ----------------------------------------------------------------------------

    def _on_articles_changed(self, articles: list) -> None:
        self.model.refresh(articles)
        shown = self.detail.article
        if shown is not None and (len(articles) == 1 and articles[0] is shown or shown in set(articles)):
            if not self.holding(self.detail.update_editors):
                self.detail.update_editors()
        elif self.detail.articles and not self.holding(self.detail.update_editors):
            self.detail.update_editors()  # several selected: their mixed values may have changed
        self.triage.articles_changed(articles)
        self.list.schedule_counts()

    def _on_refused(self, articles: list) -> None:
        first = articles[0]
        more = f" (and {len(articles) - 1} more)" if len(articles) > 1 else ""
        self.statusBar().showMessage(f"Not changed: {first.relpath}{more} is read-only: {first.read_only}", 8000)

    def _on_removed(self, articles: list) -> None:
        self.model.remove(articles)
        self.triage.remove_articles(articles)
        self.list.schedule_counts()
        if self.detail.article is not None and any(a is self.detail.article for a in articles):
            self._show_current()

    def _update_title(self) -> None:
        name = os.path.basename(self.session.root.rstrip(os.sep)) if self.session.root else ""
        self.setWindowTitle(f"{name}[*] — Reviewer" if name else "Reviewer")
        self.setWindowModified(bool(self.session.modified) if self.session.root else False)

    # --- saving ---------------------------------------------------------------------------

    def save(self, articles=None) -> None:
        targets = self.session.modified if articles is None else [a for a in articles if a.needs_saving]
        if not targets:
            self.statusBar().showMessage("Nothing to save", 3000)
            return
        if not self.session.save(targets):
            # Busy with an earlier save: these go next, so no decision waits for another Ctrl+S.
            self._queued.extend(a for a in targets if all(a is not q for q in self._queued))
            self.statusBar().showMessage("Saving… these edits are saved next", 3000)
            return
        self.progress.setRange(0, len(targets))
        self.progress.setValue(0)
        self.progress.setFormat("Saving %v / %m")
        self.progress.show()

    def _on_save_progress(self, done: int, total: int) -> None:
        if not self._progress_due(done, total):
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_saved(self, report) -> None:
        self.progress.hide()
        # A decision that changes no file (approving a published article) is logged, not saved.
        saved, failed = sum(1 for _, changes in report.saved if changes), len(report.failed)
        logged = plural(report.logged, "decision")
        if report.logged and not saved:
            message = f"Logged {logged}"
        else:
            message = f"Saved {plural(saved, 'file')}" + (f", logged {logged}" if report.logged else "")
        if failed:
            message += f"; {failed} not saved"
        self.statusBar().showMessage(message, 8000)
        if report.log_error:
            QMessageBox.warning(
                self,
                "Decisions Not Logged",
                f"The files were saved, but the decisions could not be added to the review log:\n\n"
                f"{report.log_error}\n\nThey stay pending and are logged with the next save.",
            )
        conflicts = report.conflicts
        others = [(a, e) for a, e in report.failed if e.kind != SaveKind.CONFLICT]
        if others:
            lines = "\n".join(f"{a.relpath}: {e.message}" for a, e in others[:30])
            more = f"\n… and {len(others) - 30} more" if len(others) > 30 else ""
            QMessageBox.warning(
                self, "Not Saved", f"These files were not saved; their edits are still pending:\n\n{lines}{more}"
            )
        if conflicts:
            self._resolve_conflicts([a for a, _ in conflicts])
        elif self._close_after_save and not failed:
            QTimer.singleShot(0, self.close)
        self._close_after_save = False
        queued, self._queued = [a for a in self._queued if a.needs_saving], []
        if queued:
            self.save(queued)

    def _resolve_conflicts(self, articles: list) -> None:
        dialog = ConflictDialog(articles, disk_metadata, self)
        if not dialog.exec():
            self.statusBar().showMessage("Not saved: the edits to files changed on disk are still pending", 8000)
            return
        choices = dialog.choices()
        theirs = [a for a, choice in choices if choice == ConflictDialog.THEIRS]
        mine = [a for a, choice in choices if choice == ConflictDialog.MINE]
        if theirs:
            self.session.reload(theirs)
            self.statusBar().showMessage(
                f"Reloaded {plural(len(theirs), 'file')} from disk; your edits to them were dropped", 8000
            )
        if mine:
            self.session.save(mine, overwrite=True)

    def _confirm_discard(self, doing: str) -> bool:
        if not self.session.modified:
            return True
        n = len(self.session.modified)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved Edits",
            f"{n} article{'s have' if n != 1 else ' has'} unsaved edits.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(f"Save them before you {doing}?")
        box.button(QMessageBox.StandardButton.Save).setText("Save All")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            self._close_after_save = doing == "close"
            self.save(None)
            return False
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event) -> None:
        if self.session.saving:
            event.ignore()
            self.statusBar().showMessage("Saving… the window closes when it is done", 3000)
            self._close_after_save = True
            return
        if not self._confirm_discard("close"):
            event.ignore()
            return
        self.session.cancel_loading()
        self._save_state()
        event.accept()

    # --- preferences and state ------------------------------------------------------------

    def preferences(self) -> None:
        detected = "" if self.settings.editor_name else self.session.editor
        dialog = PreferencesDialog(self.settings, self.action_table, self, detected)
        if dialog.exec():
            dialog.apply(self.action_table)
            self.remote_action.setChecked(self.settings.remote_images)
            self.session.set_log_preferences(self.settings.editor_name, self.settings.keep_folder_clean)
            self.session.index_dir = cache_dir("index") if self.settings.use_index else ""  # from the next open
            if self.settings.same_story_threshold != self.session.same_story.threshold:
                self.session.find_same_stories(self.settings.same_story_threshold)

    def show_statistics(self) -> None:
        """View › Statistics, in a window of its own that follows the list (pyqtgraph loads now)."""
        if self.statistics is None:
            from .statistics import StatisticsWindow

            self.statistics = StatisticsWindow(self)
            self.statistics.provider_chosen.connect(self.show_provider)
            timer = single_shot(self, 500, self._refresh_statistics)
            s = self.session
            for signal in (self.model.filtered, s.loading_finished, s.save_finished, s.articles_changed, s.log_read):
                signal.connect(lambda *_: timer.start() if self.statistics and self.statistics.isVisible() else None)
        self._refresh_statistics()
        self.statistics.show()
        self.statistics.raise_()
        self.statistics.activateWindow()

    def _refresh_statistics(self) -> None:
        if self.statistics is None:
            return
        view = self.list.current_view_name() or "All"
        query = self.list.query.currentText().strip()
        decisions = [d for logged in self.session.history.values() for d in logged]
        self.statistics.setWindowTitle(f"Statistics — {os.path.basename(self.session.root) or 'Reviewer'}")
        self.statistics.show_all(
            self.model.articles, f"{view}, {query}" if query else view, self.session.articles, decisions
        )

    def show_provider(self, name: str) -> None:
        """List the provider's articles (from the statistics table): every one of them, in All."""
        self.list.query.setCurrentText(f"provider.name:={quote(name)}" if name else "-has:provider.name")
        self.list.select_view("All", emit=False)

    def show_shortcuts(self) -> None:
        """The keys drawn over the window; any key or click puts them away."""
        overlay = ShortcutsOverlay(self.action_table, self.central)
        overlay.destroyed.connect(self.focus_list)
        overlay.show_over()

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About Reviewer",
            f"<h3>Reviewer {__version__}</h3><p>Review, publish and rate the articles of a "
            "Markdown content folder. Saves change only the edited lines.</p>",
        )

    def _save_query_as_view(self) -> None:
        query = self.list.query.currentText().strip()
        if not query:
            QMessageBox.information(self, "Save Query", "Type a query in the query bar first.")
            return
        name, ok = QInputDialog.getText(self, "Save Query as View", "Name of the view:", text=query[:30])
        if ok and name.strip():
            saved = [(n, q) for n, q in self.settings.saved_queries if n != name.strip()]
            self.settings.set_saved_queries(saved + [(name.strip(), query)])
            self.list.rebuild_views()

    def _remove_saved_view(self) -> None:
        name = self.list.current_view_name()
        saved = self.settings.saved_queries
        if name not in [n for n, _ in saved]:
            QMessageBox.information(self, "Remove Saved View", "Select one of your saved views first.")
            return
        self.settings.set_saved_queries([(n, q) for n, q in saved if n != name])
        self.list.rebuild_views()

    def _logo_for(self, article) -> QIcon | None:
        """The provider's logo for the list: asked for once per address, shown when it has come.

        Finding the file and decoding it run on the runner (this is called while painting).
        Only logos in the site folder: the list fetches nothing from the network.
        """
        images = article.provider.images
        if not images:
            return None
        url = images[0].url
        if url not in self._logos:
            self._logos[url] = None
            path, site = article.path, self.session.site
            self.runner.start(lambda ctx: resolve_image(url, path, site), on_done=lambda s, e: self._logo_found(url, s))
        return self._logos[url]

    def _logo_found(self, url: str, source) -> None:
        if source is not None and source.kind == "local":
            self._logo_keys[self.loader.key(source, LOGO_SIZE)] = url  # before asking: the answer may come at once
            self.loader.request(source, LOGO_SIZE)

    def _logo_ready(self, key: str, image) -> None:
        url = self._logo_keys.pop(key, None)
        if url is not None and url in self._logos:
            self._logos[url] = QIcon(QPixmap.fromImage(image))
            self.table.viewport().update()

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry)):
            self._fit_to_screen()
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            width = self.width()
            share = 0.62 if width < 1200 else 0.6  # a narrow window: the list needs room for its columns
            self.splitter.setSizes([int(width * share), width - int(width * share)])
        header = self.settings.value(HEADER_KEY)
        self._header_restored = isinstance(header, QByteArray)
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)
            for column, action in self._column_actions.items():
                action.setChecked(not self.table.horizontalHeader().isSectionHidden(column))
            h = self.table.horizontalHeader()
            self.model.sort(h.sortIndicatorSection(), h.sortIndicatorOrder())

    def _fit_to_screen(self) -> None:
        """First open: the default size, or the screen's available area when that is smaller."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.resize(*DEFAULT_SIZE)
            return
        area = screen.availableGeometry()
        frame = 8  # what a window manager's frame adds
        width, height = min(DEFAULT_SIZE[0], area.width() - frame), min(DEFAULT_SIZE[1], area.height() - frame - 24)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)

    def _save_state(self) -> None:
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("window/splitter", self.splitter.saveState())
        self.settings.set_value(HEADER_KEY, self.table.horizontalHeader().saveState())
        self.settings.set_value("folders/last", self.session.root)


def last_folder(settings: Settings) -> str | None:
    folder = settings.value("folders/last")
    return folder if isinstance(folder, str) and os.path.isdir(folder) else None
