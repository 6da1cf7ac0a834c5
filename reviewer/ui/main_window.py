"""The main window: assembles the list, the detail pane, the changes panel, menus and status bar."""

from __future__ import annotations

import contextlib
import html
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QWidget,
)

from .. import __version__
from ..app.session import Session
from ..app.settings import Settings, cache_dir
from ..app.tasks import Slicer, ThreadRunner, single_shot
from ..app.team import Team, askpass_program
from ..app.workflow import Question, Workflow
from ..core.article import Article
from ..words import plural
from .actions import ACTIONS, make_actions
from .article_model import ArticleTableModel, Column
from .changes_panel import ChangesPanel
from .detail_pane import DetailPane
from .dialogs import PreferencesDialog, ProblemDialog, ShortcutsOverlay
from .images import ImageLoader
from .list_panel import QUEUE, ListPanel
from .loading_ui import LoadingView
from .logos import Logos
from .menus import build_menus, build_toolbar
from .query_bar import QueryHelp
from .same_story_ui import SameStoryControls
from .save_ui import SaveControls
from .statistics_ui import StatisticsControls
from .team_ui import TeamControls
from .triage import Triage
from .welcome import Welcome, resource_icon
from .window_state import restore_state, save_state

if TYPE_CHECKING:
    pass  # imported when first shown: pyqtgraph takes 200-350 ms

EDIT_ACTIONS = (
    "approve", "reject", "toggle", "quality_up5", "quality_down5", "quality_up1", "quality_down1",
    "set_quality", "keep_best", "save_article", "revert_article",
)  # fmt: skip
NO_FOLDER_NEEDED = {"open", "quit", "preferences", "shortcuts", "about", "query_help"}


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
        self.header_restored = False
        self.column_actions: dict[Column, QAction] = {}  # View > Columns
        self.recent_menu: QMenu  # File > Open Recent
        self.view_actions: list[QAction] = []  # View > Save Query as View, Remove Saved View
        self.remote_action: QAction  # View > Load Remote Images (menus.build_menus makes them)
        self._hold = 0  # see one_update
        self._pending: dict = {}
        self._watch = watch
        self._checked_at = time.monotonic()

        icons = {True: resource_icon("published"), False: resource_icon("unpublished"), None: resource_icon("unset")}
        # Sorting and filtering in steps between events; at once under a synchronous runner (tests).
        slicer = Slicer(parent=self) if isinstance(self.runner, ThreadRunner) else None
        # Remote images wait on servers: threads of their own, so that no save waits behind them.
        fetch_runner = ThreadRunner(workers=3) if isinstance(self.runner, ThreadRunner) else self.runner
        self.loader = ImageLoader(
            self.runner, cache_dir("images"), lambda: self.settings.remote_images, self, fetch_runner=fetch_runner
        )
        self.logos = Logos(
            self.runner, self.loader, lambda: self.session.site, lambda: self.table.viewport().update(), self
        )
        self.model = ArticleTableModel(icons, self.logos.icon_for, self, slicer=slicer)
        self.list = ListPanel(self.session, self.model, self.settings)
        self.table = self.list.table
        self.detail = DetailPane(self.session, self.loader, status_icons=icons)
        self.workflow = Workflow(self.session, lambda: self.settings.save_each_decision)
        threshold = lambda: self.settings.batch_threshold  # noqa: E731
        self.triage = Triage(self, self.session, self.workflow, self.list, self.detail, threshold, self)

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
        build_menus(self)
        build_toolbar(self)
        self._connect()
        self.saving = SaveControls(self, self.workflow)
        self.loading = LoadingView(self)
        git_runner = ThreadRunner(workers=2) if isinstance(self.runner, ThreadRunner) else self.runner
        self.team = Team(git_runner, askpass=askpass_program(cache_dir("git")), parent=self)
        self.team_controls = TeamControls(self, self.team)
        self.session.same_story.threshold = self.settings.same_story_threshold
        self.stories = SameStoryControls(self)
        self.stats = StatisticsControls(self)
        self.action_table["commit"].triggered.connect(self.team_controls.commit)
        self.action_table["sync"].triggered.connect(lambda: self.team_controls.sync())
        restore_state(self)
        self._update_title()
        self._enable_folder_actions(False)

    # --- building -------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.counts = QLabel()
        self.counts.setAccessibleName("Queue counts")
        self.matches = QLabel()
        self.matches.setAccessibleName("Articles shown")
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
        # each part of the status bar's right side stands apart: where the log is, N of M, the
        # queue's counts, git's status
        self.statusBar().setStyleSheet("QStatusBar QLabel { padding: 0 6px; border-left: 1px solid palette(mid); }")

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
        a["query_help"].triggered.connect(lambda: QueryHelp(self).exec())
        a["open_link"].triggered.connect(self.triage.open_link)
        self.triage.connect_actions(a)
        s.undo_stack.canUndoChanged.connect(a["undo"].setEnabled)
        s.undo_stack.canRedoChanged.connect(a["redo"].setEnabled)
        # Edit > Undo names what it undoes ("Undo Approved 4 articles"); the toolbar keeps "Undo"
        a["undo"].setIconText("Undo")
        a["redo"].setIconText("Redo")
        s.undo_stack.undoTextChanged.connect(lambda text: a["undo"].setText(f"&Undo {text}" if text else "&Undo"))
        s.undo_stack.redoTextChanged.connect(lambda text: a["redo"].setText(f"&Redo {text}" if text else "&Redo"))
        a["undo"].setEnabled(False)
        a["redo"].setEnabled(False)

        s.articles_changed.connect(self._on_articles_changed)
        s.articles_removed.connect(self._on_removed)
        s.problems_changed.connect(self.list.schedule_counts)
        s.notice.connect(lambda text: self.statusBar().showMessage(f"Folder index: {text}", 10000))
        s.modified_changed.connect(lambda _: self._update_title())
        s.refused.connect(self._on_refused)
        s.reread.connect(lambda _: self.model.forget_orders())
        s.leftovers_removed.connect(
            lambda n: self.statusBar().showMessage(
                f"Removed {plural(n, 'temporary file')} left by an interrupted save", 8000
            )
        )

        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _: self.model.hold(self.model.article(current.row()) if current.isValid() else None)
        )
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.triage.update_status())
        self._selection_timer = single_shot(self, 0, self._show_current)  # one pane update for a burst of changes
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(lambda _: self.triage.open_link())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.list.view_changed.connect(self._on_view_changed)
        self._edit_timer = single_shot(self, 0, self._update_edit_actions)
        for signal in (
            self.model.modelReset,
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.layoutChanged,
        ):
            signal.connect(self._edit_timer.start)
        self.list.view_changed.connect(self._edit_timer.start)
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
        if not self.saving.confirm_discard("open another folder"):
            return False
        self.settings.add_recent_folder(folder)
        self.settings.set_value("folders/last", os.path.abspath(folder))  # reopened next time, even after a crash
        self.welcome.refresh()
        self.central.setCurrentWidget(self.splitter)
        self._enable_folder_actions(True)
        self.logos.clear()
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
        for action in self.view_actions:
            action.setEnabled(enabled)
        if enabled:  # undo and redo follow the undo stack
            self.action_table["undo"].setEnabled(self.session.undo_stack.canUndo())
            self.action_table["redo"].setEnabled(self.session.undo_stack.canRedo())
        self._update_edit_actions()

    def _update_edit_actions(self) -> None:
        """Decisions need an article to land on: none in Problems, in an empty list or with a
        query that has an error (while a view is being filtered, keys wait for it instead)."""
        on = (
            bool(self.session.root)
            and not self.list.in_problems()
            and (self.model.filtering or (self.model.rowCount() > 0 and self.list.query_valid))
        )
        for name in EDIT_ACTIONS:
            self.action_table[name].setEnabled(on)

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and os.path.isdir(urls[0].toLocalFile()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.open_folder(event.mimeData().urls()[0].toLocalFile())

    def _on_view_changed(self) -> None:
        # A query applied as the editor types leaves the keys in the query bar: what is typed
        # next is text, never a command on the list (Esc or Enter go to the list).
        self.focus_list(first_row=True, take_focus=not _typing_in(QApplication.focusWidget()))
        self.triage.update_status()

    def focus_list(self, first_row: bool = False, take_focus: bool = True) -> None:
        if self.list.in_problems():
            if take_focus:
                self.list.problems.setFocus()
            if first_row or self.list.problems.currentRow() < 0:
                self.list.problems.selectRow(0)
            self._show_problem()
            return
        if take_focus:
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

    # --- what triage asks of the window (triage.Host) --------------------------------------

    def say(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    def ask(self, question: Question) -> bool:
        """A batch's question (app.workflow.batch_question): Yes acts, Cancel (the default) not."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            question.title,
            question.text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(question.detail)
        box.button(QMessageBox.StandardButton.Yes).setText(question.button)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer = box.exec()
        # The keys go back to the list at once (the next Ctrl+S or Ctrl+Z), even where no window
        # manager hands the focus back when a dialog closes.
        self.activateWindow()
        return answer == QMessageBox.StandardButton.Yes

    def show_counts(self, counts: str, matches: str) -> None:
        self.counts.setText(counts)
        self.matches.setText(matches)

    @contextlib.contextmanager
    def one_update(self) -> Iterator[None]:
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
        self.detail.articles_changed(articles)
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

    def save(self, articles: list[Article] | None = None) -> None:
        self.workflow.save(articles)

    def closeEvent(self, event) -> None:
        if self.session.saving:
            event.ignore()
            self.statusBar().showMessage("Saving… the window closes when it is done", 3000)
            self.workflow.close_after_save = True
            return
        if not self.saving.confirm_discard("close"):
            event.ignore()
            return
        self.session.cancel_loading()
        save_state(self)
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


def _typing_in(widget: QWidget | None) -> bool:
    """Whether the keys go to a field the editor types text into (the query bar, a number)."""
    if isinstance(widget, QComboBox):
        return widget.isEditable()  # the query bar: the focus is the box's, the text its line's
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, (QLineEdit, QAbstractSpinBox))


def last_folder(settings: Settings) -> str | None:
    folder = settings.value("folders/last")
    return folder if isinstance(folder, str) and os.path.isdir(folder) else None
