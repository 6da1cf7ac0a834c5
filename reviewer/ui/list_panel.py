"""The left and middle of the window: saved views with counts, the query bar, the article table, problems."""

from __future__ import annotations

import contextlib
import time

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..app.tasks import single_shot
from ..core.facets import FACETS, counting, term, toggle
from ..core.ordering import until
from ..core.query import And, Everything, Nothing, QueryError, compile_query
from ..words import marked
from .article_model import ArticleTableModel, Column
from .query_bar import QueryAssist

FACETS_WHILE_LOADING_S = 1.0  # how long a load goes on before its facets are first counted
QUEUE = "To review"
BUILTIN_VIEWS = [
    ("All", ""),
    (QUEUE, "published:false decision:none"),
    ("Unpublished", "published:false"),
    ("Published", "published:true"),
    ("Unset", "published:unset"),
]
PROBLEMS = "Problems"
HIDDEN_AT_FIRST = (Column.TOPICS, Column.TYPE, Column.PATH)  # View > Columns shows them


class ArticleTable(QTableView):
    def __init__(self, model: ArticleTableModel, parent=None):
        super().__init__(parent)
        self.articles = model  # the model, typed as ours
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAccessibleName("Articles")
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setTabKeyNavigation(False)  # Tab goes to the next part of the window, not the next cell
        self._solid_cursor()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.setMinimumSectionSize(28)
        metrics = self.fontMetrics()
        pad = metrics.horizontalAdvance("M") * 2
        widths = {
            Column.STATUS: 20
            + metrics.horizontalAdvance(" ★*")
            + pad // 2,  # an icon and the decision; words in its tooltip
            Column.QUALITY: metrics.horizontalAdvance("Quality") + pad + 8,
            Column.PROVIDER: metrics.horizontalAdvance("M") * 10 + pad,  # until fit_columns sees the providers
            Column.DATE: metrics.horizontalAdvance("2024-12-31") + pad,
            Column.TOPICS: metrics.horizontalAdvance("M") * 12,
            Column.TYPE: metrics.horizontalAdvance("article") + pad,
            Column.PATH: metrics.horizontalAdvance("M") * 18,
        }
        for column, width in widths.items():
            self.setColumnWidth(column, width)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        self._provider_wants = 0
        self._provider_sized = False
        self._fitting = False
        header.sectionResized.connect(self._on_section_resized)
        for column in HIDDEN_AT_FIRST:
            header.setSectionHidden(column, True)
        model.sort(Column.DATE, Qt.SortOrder.DescendingOrder)
        header.setSortIndicator(Column.DATE, Qt.SortOrder.DescendingOrder)

    def _solid_cursor(self) -> None:
        """The cursor row stays solid while the pane or a dialog has the focus."""
        palette = QApplication.palette(self)
        for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
            palette.setColor(QPalette.ColorGroup.Inactive, role, palette.color(QPalette.ColorGroup.Active, role))
        self.setPalette(palette)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:  # light to dark: the cursor's colours
            self._solid_cursor()

    def fit_columns(self, articles: list) -> None:
        """Provider as wide as the names in the first articles, within a share of the table."""
        metrics = self.fontMetrics()
        names = {a.provider.name for a in articles[:500]}
        self._provider_wants = max((metrics.horizontalAdvance(n) for n in names), default=0)
        self._provider_wants += 20 + metrics.horizontalAdvance("M") * 2
        self._fit_provider()

    def _fit_provider(self) -> None:
        """Within a fifth of a wide table, a seventh of a narrow one (the logo and the name's start;
        the whole name in its tooltip), so the Title gets the room: unless the editor sized it."""
        if not self._provider_wants or self._provider_sized:
            return
        width = self.viewport().width()
        limit = max(self.fontMetrics().horizontalAdvance("M") * 5, width // 5 if width >= 600 else width // 7)
        self._fitting = True
        self.setColumnWidth(Column.PROVIDER, min(self._provider_wants, limit))
        self._fitting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column == Column.PROVIDER and not self._fitting and self.isVisible():
            self._provider_sized = True  # the editor's width stays

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_provider()

    def select_row(self, row: int) -> None:
        model = self.model()
        if model.rowCount() == 0:
            return
        row = max(0, min(row, model.rowCount() - 1))
        current = self.currentIndex()
        column = current.column() if current.isValid() else self.horizontalHeader().logicalIndex(0)
        index = model.index(row, column)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.scrollTo(index)

    def selected_rows_span(self) -> list[int]:
        """The first and last selected row, or [] (from the selection's ranges, not its cells)."""
        spans = self._selected_spans()
        return [spans[0][0], spans[-1][1]] if spans else []

    def _selected_spans(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) spans, in order and not overlapping.

        Read from the selection's ranges: selectedRows() asks the model about every cell
        and took 0.3 s for 8,800 selected rows.
        """
        spans: list[tuple[int, int]] = []
        selection = self.selectionModel().selection()
        ranges = (selection.at(i) for i in range(selection.size()))
        for top, bottom in sorted((r.top(), r.bottom()) for r in ranges):
            if spans and top <= spans[-1][1] + 1:
                spans[-1] = (spans[-1][0], max(spans[-1][1], bottom))
            else:
                spans.append((top, bottom))
        return spans

    def selected_count(self) -> int:
        return sum(bottom - top + 1 for top, bottom in self._selected_spans())

    def selected_articles(self) -> list:
        """The selected articles, in the order of the list."""
        rows = self.articles.articles
        return [a for top, bottom in self._selected_spans() for a in rows[top : bottom + 1]]

    def select_articles(self, articles: list) -> None:
        """Select these articles (one call, however many), the first of them current and in view."""
        model = self.articles
        rows = sorted(r for r in model.rows_of(articles) if r is not None)
        if not rows:
            return
        first = model.row_of(articles[0])
        self.select_row(first if first is not None else rows[0])
        if len(rows) == 1:
            return
        selection = QItemSelection()
        start = previous = rows[0]
        last_column = model.columnCount() - 1
        for row in rows[1:]:  # one range a run of adjacent rows
            if row != previous + 1:
                selection.select(model.index(start, 0), model.index(previous, last_column))
                start = row
            previous = row
        selection.select(model.index(start, 0), model.index(previous, last_column))
        self.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )


class FacetTree(QTreeWidget):
    """Providers, topics, types and years of the articles in view, with counts (calibre's tag
    browser): a click adds the value to the query, Ctrl+click leaves it out, a second click
    takes the term away again."""

    chosen = Signal(str, str, bool)  # facet, value, exclude
    SHOWN = 40  # values listed per facet, most frequent first (years: newest first)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(2)  # the value, and its count (never elided)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName("Facets")
        self.setIndentation(12)
        self.setToolTip("Click: only these articles · Ctrl+click: leave them out · click again: undo")
        self.tops = {}
        for facet in FACETS:
            top = QTreeWidgetItem([facet, ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(False)
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addTopLevelItem(top)
            self.tops[facet] = top
        self.tops["Providers"].setExpanded(True)
        self.itemClicked.connect(self._clicked)

    def show_counts(self, counts: dict) -> None:
        for facet, top in self.tops.items():
            counter = counts.get(facet, {})
            top.takeChildren()
            if facet == "Years":
                values = sorted(counter.items(), key=lambda kv: kv[0], reverse=True)
            else:
                values = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
            for value, n in values[: self.SHOWN]:
                child = QTreeWidgetItem([value or "(none)", f"{n:,}"])
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                child.setForeground(1, self.palette().placeholderText())
                child.setData(0, Qt.ItemDataRole.UserRole, (facet, value))
                child.setToolTip(0, f"{value or '(none)'}: {n:,} in view")
                top.addChild(child)
            if len(values) > self.SHOWN:
                more = QTreeWidgetItem([f"… {len(values) - self.SHOWN:,} more", ""])
                more.setToolTip(0, "Type them in the query bar")
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                top.addChild(more)
            top.setText(1, f"{len(values):,}")

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light to dark: the counts' colour too
            brush = self.palette().placeholderText()
            for top in self.tops.values():
                for i in range(top.childCount()):
                    top.child(i).setForeground(1, brush)

    def mousePressEvent(self, event) -> None:
        self._modifiers = event.modifiers()  # what the click that follows was made with
        super().mousePressEvent(event)

    def _clicked(self, item, _column: int) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if data:
            modifiers = getattr(self, "_modifiers", QApplication.keyboardModifiers())
            self.chosen.emit(data[0], data[1], bool(modifiers & Qt.KeyboardModifier.ControlModifier))


class ListPanel(QWidget):
    """Views, query bar, and the table or the problems list. Emits when the view changes."""

    view_changed = Signal()
    problem_activated = Signal(object)
    leave_query = Signal()

    def __init__(self, session, model: ArticleTableModel, settings, parent=None):
        super().__init__(parent)
        self.session = session
        self.model = model
        self.settings = settings
        self.view_query = ""

        self.views = QListWidget()
        self.views.setAccessibleName("Views")
        self.views.setFixedWidth(max(120, self.fontMetrics().horizontalAdvance("Unpublished  (100,000)") + 20))
        self.views.currentRowChanged.connect(self._view_selected)

        self.query = QComboBox()
        self.query.setEditable(True)
        self.query.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._typing = single_shot(self, 250, self.apply_query)
        line = self.query_line()
        line.setPlaceholderText("Search: words, field:value, quality:>=60, -has:related …  ( / )")
        line.setClearButtonEnabled(True)
        self.query.setAccessibleName("Query")
        self.query.addItems(settings.query_history)
        self.query.setCurrentText("")
        line.textEdited.connect(lambda _: self._typing.start())
        line.returnPressed.connect(self._commit_query)
        self.query.activated.connect(lambda _: self.apply_query())
        line.installEventFilter(self)
        # The box holds the focus and hands keys to its line itself, past the line's filters:
        # Escape is looked for on the box too, or it never leads back to the list.
        self.query.installEventFilter(self)
        self.query.setCompleter(None)  # type: ignore[arg-type]  # the history is in the drop-down; completion is of the word typed
        self.assist = QueryAssist(line)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setAccessibleName("Query error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()

        self.table = ArticleTable(model)
        self.problems = QTableWidget(0, 4)
        self.problems.setHorizontalHeaderLabels(["File", "Line", "Kind", "Message"])
        self.problems.verticalHeader().hide()
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setAccessibleName("Problems")
        self.problems.itemActivated.connect(self._problem_activated)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.problems)

        middle = QVBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(self.query)
        middle.addWidget(self.error)
        middle.addWidget(self.stack)
        self.facets = FacetTree()
        self.facets.setFixedWidth(self.views.width())
        self.facets.chosen.connect(self._facet_chosen)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.views)
        side.addWidget(self.facets, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(side)
        layout.addLayout(middle, 1)
        self._facets_timer = single_shot(self, 150, self._count_facets)
        self._facets_counted = 0  # rows the facets were last counted over (see _count_facets)
        self._loading_since = 0.0  # time.monotonic() when the folder began to load
        model.filtered.connect(self._view_filtered)
        session.loading_started.connect(self._loading_started)
        model.rowsInserted.connect(self.schedule_facets)  # a decision or its undo moves one article in or out
        model.rowsRemoved.connect(self.schedule_facets)
        self._counts_timer = single_shot(self, 100, self.update_counts)
        model.filtered.connect(self.view_changed)
        model.filtered.connect(self.schedule_counts)  # the current view's "6 of 24"
        self.rebuild_views()

    def schedule_facets(self) -> None:
        self._facets_timer.start()

    def _loading_started(self) -> None:
        self._loading_since = time.monotonic()
        self._view_filtered()

    def _view_filtered(self) -> None:
        self._facets_counted = 0  # other rows: counted again, even while a folder is read
        self.schedule_facets()

    def _count_facets(self) -> None:
        rows = list(self.model.articles)
        if self.session.loading and (
            len(rows) < 2 * self._facets_counted or time.monotonic() - self._loading_since < FACETS_WHILE_LOADING_S
        ):
            # While a folder is read, counted again once its rows have doubled, and when it is
            # read (LoadingView): counted at each pause between batches, a first open of
            # 100,000 articles counted them 14 times, 1.3 s of the window's thread. Not in a
            # load's first second: a reopening of 100,000 is read by then, and counting its
            # rows as they came took a tenth of it.
            return
        self._facets_counted = len(rows)
        model = self.model

        def done(counts, error) -> None:
            if error is None and counts is not None:
                self.facets.show_counts(counts)

        # Given up as soon as a filter runs: its rows will be others, and facets are counted
        # again when it is done; meanwhile the filter has the steps.
        self.model.run_steps(lambda: until(counting(rows), lambda: model.filtering), done)

    def _facet_chosen(self, facet: str, value: str, exclude: bool) -> None:
        self.query.setCurrentText(toggle(self.query.currentText(), term(facet, value, exclude)))
        self._commit_query()

    def query_line(self) -> QLineEdit:
        """The query bar's text field (an editable combo box always has one)."""
        line = self.query.lineEdit()
        assert line is not None
        return line

    # --- views --------------------------------------------------------------------------

    def rebuild_views(self) -> None:
        current = self.current_view_name()
        self.views.blockSignals(True)
        self.views.clear()
        for name, query in BUILTIN_VIEWS:
            self._add_view(name, query)
        self._add_view(PROBLEMS, None)
        for name, query in self.settings.saved_queries:
            self._add_view(name, query, saved=True)
        self.views.blockSignals(False)
        rows = min(self.views.count(), 12)  # as tall as its views (a dozen at most): the facets get the rest
        self.views.setFixedHeight(rows * max(self.views.sizeHintForRow(0), 1) + 2 * self.views.frameWidth() + 2)
        self.select_view(current or "All", emit=False)
        self._count_saved_views()
        self.update_counts()

    def _add_view(self, name: str, query, saved: bool = False) -> None:
        item = QListWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, (name, query, saved))
        item.setToolTip(query or ("Files that could not be read" if query is None else "Every article"))
        self.views.addItem(item)

    def current_view_name(self) -> str | None:
        item = self.views.currentItem()
        return item.data(Qt.ItemDataRole.UserRole)[0] if item else None

    def select_view(self, name: str, emit: bool = True) -> None:
        for row in range(self.views.count()):
            if self.views.item(row).data(Qt.ItemDataRole.UserRole)[0] == name:
                if not emit:
                    self.views.blockSignals(True)
                self.views.setCurrentRow(row)
                if not emit:
                    self.views.blockSignals(False)
                    self._apply_view(row)
                return

    def _view_selected(self, row: int) -> None:
        self._apply_view(row)

    def _apply_view(self, row: int) -> None:
        item = self.views.item(row)
        if item is None:
            return
        _, query, _ = item.data(Qt.ItemDataRole.UserRole)
        if query is None:
            self.show_problems()
            self.view_changed.emit()
            return
        self.stack.setCurrentWidget(self.table)
        self.view_query = query
        self.apply_query()

    def show_problems(self) -> None:
        self.stack.setCurrentWidget(self.problems)
        problems = self.session.problems
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            cells = [problem.relpath, str(problem.line or ""), problem.label, problem.message]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, problem)
                item.setToolTip(problem.format())
                self.problems.setItem(row, column, item)
        self.problems.resizeColumnsToContents()

    def _problem_activated(self, item) -> None:
        self.problem_activated.emit(item.data(Qt.ItemDataRole.UserRole))

    def view_total(self) -> int:
        """The current view's count: the M of "N of M" on its row and in the status bar alike."""
        item = self.views.currentItem()
        if item is None or self.in_problems():
            return len(self.session.tally)
        name, _, saved = item.data(Qt.ItemDataRole.UserRole)
        count = self.session.tally.view(name) if saved else self._builtin_counts().get(name)
        return len(self.session.tally) if count is None else count

    def _builtin_counts(self) -> dict[str, int]:
        tally = self.session.tally
        return {
            "All": len(tally),
            QUEUE: tally.queue,
            "Unpublished": tally.states[False],
            "Published": tally.states[True],
            "Unset": tally.states[None],
            PROBLEMS: len(self.session.problems),
        }

    def update_counts(self) -> None:
        """The views' counts, from the session's tally: no walk over the articles."""
        tally = self.session.tally
        counts = self._builtin_counts()
        narrowed = self.query.currentText().strip() and self.query_valid and not self.in_problems()
        current = self.views.currentRow()
        more = "…" if self.session.loading else ""  # counts so far, while the folder is read
        for row in range(self.views.count()):
            item = self.views.item(row)
            name, _, saved = item.data(Qt.ItemDataRole.UserRole)
            count = tally.view(name) if saved else counts.get(name, 0)
            if count is None:
                item.setText(f"{name}  (?)")
            elif row == current and narrowed and name != PROBLEMS:
                item.setText(f"{name}  ({self.model.matching():,} of {count:,}{more})")  # what the query leaves
            else:
                item.setText(f"{name}  ({count:,}{more})")

    def _count_saved_views(self) -> None:
        predicates = {}
        for name, query in self.settings.saved_queries:
            with contextlib.suppress(QueryError):  # shown with (?)
                predicates[name] = compile_query(query)
        self.session.tally.set_views(predicates, self.session.articles)

    def schedule_counts(self) -> None:
        if not self._counts_timer.isActive():  # at most one count a moment, also while loading
            self._counts_timer.start()

    # --- query --------------------------------------------------------------------------

    def _commit_query(self) -> None:
        self._typing.stop()
        if self.apply_query():
            text = self.query.currentText()
            self.settings.add_query(text)
            if text.strip() and self.query.findText(text) == -1:
                self.query.insertItem(0, text)
                self.query.setCurrentText(text)
            self.leave_query.emit()

    def apply_query(self) -> bool:
        text = self.query.currentText()
        try:
            user = compile_query(text)
            view = compile_query(self.view_query)
        except QueryError as exc:
            self.error.setText(
                f"{exc.message} (position {exc.position + 1}):  {marked(text, exc.position)}  "
                "— no articles are listed until the query is fixed"
            )
            self.error.show()
            self._mark_invalid(True)
            self.model.set_predicate(Nothing())  # no stale rows for Ctrl+A then a to act on
            return False
        self.error.hide()
        self._mark_invalid(False)
        if self.stack.currentWidget() is not self.table:
            self.stack.setCurrentWidget(self.table)
            self.select_view("All", emit=False)
        everything = Everything()
        if user != everything and view == everything:
            view = self._view_matching(user) or view
        # view_changed follows when the rows are there (the model's `filtered`).
        self.model.set_predicate(view if user == everything else user if view == everything else And((view, user)))
        return True

    def _view_matching(self, query):
        """A query typed in All that is a view's own query: that view is highlighted (and applied)."""
        for row in range(self.views.count()):
            name, text, _ = self.views.item(row).data(Qt.ItemDataRole.UserRole)
            if not text:
                continue
            try:
                same = compile_query(text) == query
            except QueryError:
                same = False
            if same:
                self.views.blockSignals(True)
                self.views.setCurrentRow(row)
                self.views.blockSignals(False)
                self.view_query = text
                return query
        return None

    def _mark_invalid(self, invalid: bool) -> None:
        line = self.query_line()
        if line.property("invalid") != invalid:
            line.setProperty("invalid", invalid)
            line.setStyleSheet("QLineEdit { border: 2px solid #c62828; border-radius: 3px; }" if invalid else "")

    @property
    def query_valid(self) -> bool:
        return not self.query_line().property("invalid")

    def in_problems(self) -> bool:
        """The Problems view is on screen (the article list is hidden)."""
        return self.stack.currentWidget() is self.problems

    def current_problem(self):
        row = self.problems.currentRow()
        item = self.problems.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.leave_query.emit()
            return True
        return super().eventFilter(watched, event)

    # --- saved views ---------------------------------------------------------------------------

    def save_query_as_view(self) -> None:
        query = self.query.currentText().strip()
        if not query:
            QMessageBox.information(self, "Save Query", "Type a query in the query bar first.")
            return
        name, ok = QInputDialog.getText(self, "Save Query as View", "Name of the view:", text=query[:30])
        if ok and name.strip():
            saved = [(n, q) for n, q in self.settings.saved_queries if n != name.strip()]
            self.settings.set_saved_queries(saved + [(name.strip(), query)])
            self.rebuild_views()

    def remove_saved_view(self) -> None:
        name = self.current_view_name()
        saved = self.settings.saved_queries
        if name not in [n for n, _ in saved]:
            QMessageBox.information(self, "Remove Saved View", "Select one of your saved views first.")
            return
        self.settings.set_saved_queries([(n, q) for n, q in saved if n != name])
        self.rebuild_views()
