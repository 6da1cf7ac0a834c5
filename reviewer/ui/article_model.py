"""The article list model: a thin table over the session's articles, filtered and sorted in Python.

QSortFilterProxyModel over a Python model took 20-35 s to sort 100k rows here; sorting a
list of articles with a key function takes well under a tenth of a second.
"""

from __future__ import annotations

import enum
import itertools
import os
from array import array

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ..core.article import Article
from ..core.ordering import filtering, filtering_ranked, ranking, run, sorting, until
from ..core.query import Everything
from ..words import shown, status_word

SortRole = int(Qt.ItemDataRole.UserRole.value) + 1
ArticleRole = int(Qt.ItemDataRole.UserRole.value) + 2


class Column(enum.IntEnum):
    STATUS = 0
    QUALITY = 1
    TITLE = 2
    PROVIDER = 3
    DATE = 4
    TOPICS = 5
    TYPE = 6
    PATH = 7


HEADERS = {
    Column.STATUS: "Status",
    Column.QUALITY: "Quality",
    Column.TITLE: "Title",
    Column.PROVIDER: "Provider",
    Column.DATE: "Date",
    Column.TOPICS: "Topics",
    Column.TYPE: "Type",
    Column.PATH: "Path",
}
_STATUS_ORDER = {False: 0, None: 1, True: 2}
# The decision an article has, pending or last logged, beside the icon: a reject of an
# article that was unpublished already changes no icon, and shows all the same.
DECISION_MARKS = {"approve": "✓", "publish": "✓", "reject": "✗", "unpublish": "✗", "quality": "★"}


def decision_mark(article: Article) -> str:
    """✓, ✗ or ★ for the article's decision, pending or logged; "" when there is none."""
    decision = article.pending or article.logged
    return DECISION_MARKS.get(decision[0], "") if decision is not None else ""


GIT_MARKS = {"uncommitted": "+", "unpushed": "↑"}  # beside the icon: the state of the saved file in git
GIT_WORDS = {"uncommitted": "Saved, not committed (File > Sync)", "unpushed": "Committed, not pushed (File > Sync)"}


_NO_QUALITY = float("-inf")
_NO_PARENT = QModelIndex()
# Rows move or go, columns stay: the selection model then tracks one persistent index a row.
_VERTICAL = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_LAYOUT_SIGNATURE = (
    "QList<QPersistentModelIndex>",
    QAbstractItemModel.LayoutChangeHint,
)  # a table has no parent rows; one object for the default


def _quality_key(a: Article):
    q = a.quality
    return _NO_QUALITY if q is None else q


_DISPLAY, _DECORATION, _FONT = (
    int(Qt.ItemDataRole.DisplayRole.value),
    int(Qt.ItemDataRole.DecorationRole.value),
    int(Qt.ItemDataRole.FontRole.value),
)
_FOREGROUND, _ALIGNMENT = int(Qt.ItemDataRole.ForegroundRole.value), int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP, _ACCESSIBLE = int(Qt.ItemDataRole.ToolTipRole.value), int(Qt.ItemDataRole.AccessibleTextRole.value)
_SORT, _ARTICLE = int(SortRole), int(ArticleRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_CONFLICT_BRUSH = QBrush(QColor(200, 40, 40))
_READ_ONLY_BRUSH = QBrush(QColor(128, 128, 128))

SORT_KEYS = {
    Column.STATUS: lambda a: _STATUS_ORDER[a.published],
    Column.QUALITY: _quality_key,
    Column.TITLE: lambda a: a.title.casefold(),
    Column.PROVIDER: lambda a: a.provider.name.casefold(),
    Column.DATE: lambda a: a.date,
    Column.TOPICS: lambda a: ", ".join(a.topics).casefold(),
    Column.TYPE: lambda a: a.type,
    Column.PATH: lambda a: a.relpath,
}


# Orders worth computing ahead after loading: they change only when files do, not with edits.
PREPARED_ORDERS = (Column.DATE, Column.TITLE, Column.PROVIDER, Column.PATH, Column.TYPE, Column.TOPICS)
EDITED_ORDERS = (Column.STATUS, Column.QUALITY)  # these change with every decision
# Up to this many articles a sort or a filter takes at most 20-40 ms: done at once, not in steps.
AT_ONCE = 20_000
MANY_REFRESHED = 32  # articles refreshed at once from which their rows are not worked out
PLACE = "place"  # the slot of Article that core.ordering.ranking notes an order's places in


class ArticleTableModel(QAbstractTableModel):
    """The list: every article (`_all`, in the sort order) and the rows of the view (`_rows`).

    With a slicer, sorting and filtering run in steps between events and land in one layout
    change or reset when done (`sorted_`, `filtered`): at 100,000 articles they take 100-150
    ms, which the window would otherwise spend frozen. Orders by column are kept until the
    articles change (PREPARED_ORDERS are computed ahead after loading), so that sorting by a
    column again is a copy of a list.
    """

    sorted_ = Signal()
    filtered = Signal()
    grouping_changed = Signal(bool)  # same-story grouping on or off (a click on a column ends it)

    def __init__(self, icons: dict | None = None, logo_for=None, parent=None, slicer=None, at_once: int = AT_ONCE):
        super().__init__(parent)
        self._all: list[Article] = []
        self._in_all: set[Article] = set()  # every article in _all (an id() would be an int object more)
        # The articles in the order they came (as they lie in memory), and where each stands
        # in `_all` (core.ordering.ranking): large folders are filtered in that order.
        self._made: list[Article] = []
        self._made_gone: set[Article] = set()  # removed, still in `_made` until it is next used (made)
        self._all_version = 0  # counts changes of `_all`, its order included
        self._rank: array | None = None  # the rank of an order of no column (the grouping)
        self._rank_version = -1  # the `_all_version` that `_rank` is for
        self._ranks: dict[Column, array] = {}  # the rank of each order in `_orders`, once worked out
        self._rank_queue: list[Column] = []  # columns whose ranks are to be worked out, in turn
        self._ranking = False  # the task working them out is running
        self._all_from: tuple[Column, bool, int] | None = None  # `_all` is that column's order (descending?)
        self._rows: list[Article] = []
        self._index: dict[Article, int] | None = None  # see _row_index
        # The article that left the view last, alone (a triage decision), while the view has
        # not changed since: asked for its row next, the answer is none without searching
        # the whole view for it (2.3 ms a key at 44,000 unpublished rows).
        self._left: Article | None = None
        self._predicate = Everything()
        self._slicer = slicer  # None: sort and filter at once
        self._at_once = at_once  # folders up to this size are sorted and filtered at once anyway
        self._orders: dict[Column, list[Article]] = {}  # ascending orders, while still true
        self._epoch = 0  # counts changes of the set of articles: results of an earlier one are dropped
        self._edit_epoch = 0  # counts edits: status and quality orders of an earlier one are dropped
        self._filter_epoch = 0
        self._filtering: dict[int, Article] | None = None  # changed while a filter runs, to look at again
        self._after_filter: list = []
        self._sort_column = Column.DATE
        self._order = Qt.SortOrder.DescendingOrder
        self._icons = icons or {}
        self._logo_for = logo_for  # article -> QIcon | None
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._italic_bold = QFont(self._bold)
        self._italic_bold.setItalic(True)
        self._git: dict[str, str] = {}  # relpath -> uncommitted / unpushed (core.git.Status.files)
        self._grouped = False  # same-story clusters together (group_same)
        self._cluster_of = None  # article -> the first path of its cluster, or ''
        # The article under the cursor (hold): when an edit takes it out of the view, it stays,
        # marked, until the cursor leaves it, so the next key acts on it again (a nudge, a digit).
        self._held: Article | None = None
        self._lingering: Article | None = None

    # --- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent=_NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_NO_PARENT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == _DISPLAY and orientation == Qt.Horizontal and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def flags(self, index):
        return _FLAGS if index.isValid() else Qt.NoItemFlags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: C901  (one branch a role, inline: it is hot)
        # Roles arrive as ints; comparing an int with a Qt enum costs microseconds a time,
        # and a repaint asks for thousands of cells, so the roles are compared as ints.
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        article = self._rows[row]
        column = index.column()
        if role == _DISPLAY:
            return self._display(article, column)
        if role == _DECORATION:
            if column == Column.STATUS:
                return self._icons.get(article.published)
            if column == Column.PROVIDER and self._logo_for:
                return self._logo_for(article)
            return None
        if role == _FONT:  # inline: a repaint asks every visible cell (a call more cost 2 ms a key)
            if article is self._lingering:
                return self._italic_bold if article.needs_saving else self._italic
            return self._bold if article.needs_saving else None
        if role == _FOREGROUND:
            return _CONFLICT_BRUSH if article.conflict else _READ_ONLY_BRUSH if article.read_only else None
        if role == _ALIGNMENT:
            return _RIGHT if column == Column.QUALITY else None
        if role == _ARTICLE:
            return article
        if role == _SORT:
            return SORT_KEYS[Column(column)](article)
        if role == _TOOLTIP:
            return self._tooltip(article, column)
        if role == _ACCESSIBLE:
            return self._status_text(article) if column == Column.STATUS else self._display(article, column)
        return None

    @staticmethod
    def _status_text(article: Article) -> str:
        word = status_word(article.published)
        if article.read_only:
            word += " (read-only)"
        return word + " *" if article.needs_saving else word

    def set_git_state(self, files: dict[str, str]) -> None:
        """Which articles are saved and not committed, or committed and not pushed."""
        if files == self._git:
            return
        self._git = dict(files)
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.STATUS), self.index(len(self._rows) - 1, Column.STATUS))

    def _display(self, article: Article, column: int) -> str:
        if column == Column.STATUS:  # the icon says the state; its tooltip says it in words
            mark = decision_mark(article)
            if article.needs_saving:
                return mark + "*"
            return mark + (GIT_MARKS.get(self._git.get(article.relpath, ""), "") if self._git else "")
        if column == Column.QUALITY:
            return "" if article.quality is None else str(article.quality)
        if column == Column.TITLE:
            title = article.title or os.path.basename(article.relpath)
            return f"❐{article.same}  {title}" if article.same > 1 else title
        if column == Column.PROVIDER:
            return article.provider.name
        if column == Column.DATE:
            return article.date[:10]
        if column == Column.TOPICS:
            return ", ".join(article.topics)
        if column == Column.TYPE:
            return article.type
        return article.relpath

    def _tooltip(self, article: Article, column: int) -> str | None:
        if article is self._lingering:
            return "No longer in this view (it leaves when you move on)"
        if column == Column.STATUS:
            state = GIT_WORDS.get(self._git.get(article.relpath, ""), "")
            return (
                self._status_text(article)
                + self._edit_tip(article)
                + _decision_tip(article)
                + (f"\n{state}" if state else "")
            )
        if column == Column.DATE:
            return article.date.replace("T", " ").replace("Z", " UTC")
        if article.read_only:
            return f"Read-only: {article.read_only}"
        if article.conflict:
            return "Changed on disk while you had unsaved edits: save to choose Keep mine or Take theirs"
        if article.edits:
            changes = ", ".join(f"{k}: {shown(o)} → {shown(n)}" for k, o, n in article.changes())
            return f"Unsaved: {changes}"
        if column == Column.TITLE:
            return article.title
        return None

    @staticmethod
    def _edit_tip(article: Article) -> str:
        if not article.edits:
            return ""
        return "\nUnsaved: " + ", ".join(f"{k}: {shown(o)} → {shown(n)}" for k, o, n in article.changes())

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if self._grouped:
            self._grouped = False
            self.grouping_changed.emit(False)
        self._sort_column, self._order = Column(column), order
        cached = self._orders.get(self._sort_column)
        if cached is not None:
            self._apply_order(cached, self._sort_column)
            return
        self._compute_orders([self._sort_column])

    def prepare_orders(self) -> None:
        """Compute the usual orders ahead, on the worker thread, so that a click sorts at once."""
        missing = [c for c in PREPARED_ORDERS if c not in self._orders and c != self._sort_column]
        if missing:
            self._compute_orders(missing, apply=False)
        self._rank_columns([c for c in PREPARED_ORDERS if c in self._orders and c not in self._ranks])

    def _compute_orders(self, columns: list[Column], apply: bool = True) -> None:
        """Sort by those columns; the first is applied when `apply` (a click), the rest kept."""
        articles, epoch, edits = list(self._all), self._epoch, self._edit_epoch

        def work():
            orders = {}
            for column in columns:
                orders[column] = yield from sorting(articles, SORT_KEYS[column])
            return orders

        def done(orders, error) -> None:
            if error is not None or epoch != self._epoch:
                return  # articles came or went meanwhile: the order asked for next is computed anew
            kept = [c for c in orders if c not in EDITED_ORDERS or edits == self._edit_epoch]
            for column in kept:
                self._orders[column] = orders[column]
            if apply and self._sort_column in orders:
                self._apply_order(orders[self._sort_column], self._sort_column)
            self._rank_columns([c for c in kept if c not in self._ranks and c != self._sort_column])

        self._start(work, done, ahead=not apply)

    def _apply_order(self, ascending: list[Article], column: Column) -> None:
        if self._grouped:
            return  # a sort computed before the grouping began
        descending = self._order == Qt.SortOrder.DescendingOrder
        self._put_in_order(ascending[::-1] if descending else ascending)
        self._all_from = (column, descending, self._all_version)
        if column not in self._ranks:
            self._rank_columns([column], first=True)

    def _current_rank(self) -> tuple[array, bool] | None:
        """The rank of `_all` as it stands, and whether it is turned round: its column's (a
        descending sort uses the ascending one), or the grouping's; None while not worked out."""
        if self._all_from is not None and self._all_from[2] == self._all_version:
            column, turned, _ = self._all_from
            ranks = self._ranks.get(column)
            return None if ranks is None else (ranks, turned)
        return (self._rank, False) if self._rank is not None and self._rank_version == self._all_version else None

    def _rank_columns(self, columns: list[Column], first: bool = False) -> None:
        """Work out the ranks of those columns' orders between events (see core.ordering.ranking),
        one after the other in one task: tasks side by side each take their few milliseconds of
        every turn of the event loop, and six of them held the window for 90 ms."""
        if self._slicer is None or len(self._all) <= self._at_once:
            return
        waiting = [c for c in self._rank_queue if c not in columns]
        self._rank_queue = [*columns, *waiting] if first else [*waiting, *columns]
        if self._ranking or not self._rank_queue:
            return
        self._ranking = True

        def work():
            while self._rank_queue:
                column = self._rank_queue.pop(0)
                order, epoch, edits = self._orders.get(column), self._epoch, self._edit_epoch
                if order is None or column in self._ranks:
                    continue
                gone = lambda epoch=epoch: epoch != self._epoch  # noqa: E731  # articles came or went
                rank = yield from until(ranking(order, self.made(), PLACE), gone)
                stale = column in EDITED_ORDERS and edits != self._edit_epoch
                if rank is None or self._orders.get(column) is not order or stale:
                    continue  # that order is no longer true
                self._ranks[column] = rank

        def done(result, error) -> None:
            self._ranking = False

        self._start(work, done)

    def _put_in_order(self, order: list[Article]) -> None:
        def change() -> None:
            self._all = list(order)
            self._all_version += 1
            if len(self._rows) == len(self._all):
                self._rows = list(order)
            else:
                in_view = {id(a) for a in self._rows}
                self._rows = [a for a in order if id(a) in in_view]

        self._relayout(change)
        self.sorted_.emit()

    def _prepare_rank(self) -> None:
        """Work out the rank of `_all` as it is (no column's order) between events."""
        if self._slicer is None or len(self._all) <= self._at_once:
            return
        version, order, made = self._all_version, list(self._all), self.made()

        def done(rank, error) -> None:
            if error is None and rank is not None and version == self._all_version:
                self._rank, self._rank_version = rank, version

        # given up as soon as the order changes again
        self._start(lambda: until(ranking(order, made, PLACE), lambda: version != self._all_version), done)

    @property
    def grouped(self) -> bool:
        """Whether same-story clusters are kept together (group_same): then no sort applies."""
        return self._grouped

    @property
    def filtering(self) -> bool:
        """Whether a filter is running (its rows are not the view's yet)."""
        return self._filtering is not None

    def run_steps(self, work, done, ahead: bool = False) -> None:
        """Python work over the articles (a core.ordering generator), in steps like a sort."""
        self._start(work, done, ahead)

    def _start(self, work, done, ahead: bool = False) -> None:
        """Run `work` at once for a folder of up to AT_ONCE articles, else in steps between
        events; work `ahead` of any need (orders for a later click) always in steps: five sorts
        of 20,000 articles at once held the window for 90 ms just after loading."""
        if self._slicer is None or (not ahead and len(self._all) <= self._at_once):
            try:
                result, error = run(work()), None
            except Exception as exc:  # delivered as with a slicer
                result, error = None, exc
            done(result, error)
        else:
            self._slicer.start(work(), done)

    def forget_orders(self) -> None:
        """The articles changed (came, went, or changed on disk): no order known is still true."""
        self._orders.clear()
        self._ranks.clear()
        self._epoch += 1

    def _relayout(self, change) -> None:
        """Run `change` (which rewrites `_rows`) as one layout change, keeping selection and current row.

        Persistent indexes follow their article to its new row, or become invalid when it left
        the view. One signal pair for any number of rows: removing them one by one made the
        selection and the status line be recounted once per row.
        """
        self.layoutAboutToBeChanged[_LAYOUT_SIGNATURE].emit([], _VERTICAL)  # type: ignore[index]  # stubs lack overloads
        sources = self.persistentIndexList()
        articles = [self.article(i.row()) for i in sources]
        change()
        self._rows_changed()
        # One search an article, not one an index: a selected row has an index for each column,
        # and at 300,000 rows each search reads the whole list (20 ms).
        distinct = {id(a): a for a in articles}
        rows = {key: self._find(a, len(distinct)) for key, a in distinct.items()}
        targets = [
            self.index(row, i.column()) if (row := rows[id(a)]) is not None else QModelIndex()
            for i, a in zip(sources, articles, strict=True)
        ]
        self.changePersistentIndexList(sources, targets)
        self.layoutChanged[_LAYOUT_SIGNATURE].emit([], _VERTICAL)  # type: ignore[index]  # stubs lack overloads

    def _sort_rows(self) -> None:
        """Sort the view and everything behind it; stable, so ties keep their previous order."""
        key = SORT_KEYS[self._sort_column]
        reverse = self._order == Qt.SortOrder.DescendingOrder
        self._all.sort(key=key, reverse=reverse)
        self._all_version += 1
        if len(self._rows) == len(self._all):
            self._rows = list(self._all)
        else:
            self._rows.sort(key=key, reverse=reverse)

    def _find(self, article: Article | None, lookups: int) -> int | None:
        """Row of `article`: by searching the list for a few lookups (a 100,000-row index costs 35 ms)."""
        if article is None or article is self._left:
            return None
        if lookups > 32:
            return self._row_index().get(article)
        try:
            return self._rows.index(article)
        except ValueError:
            return None

    def _rows_changed(self) -> None:
        """What is worked out from the view's rows is to be worked out again."""
        self._index = None
        self._left = None

    def _row_index(self) -> dict[Article, int]:
        """Row of each article in the view; built when first needed after a change."""
        if self._index is None:
            self._index = {a: r for r, a in enumerate(self._rows)}
        return self._index

    # --- the editor's operations -----------------------------------------------------------

    def set_articles(self, articles: list[Article]) -> None:
        self.beginResetModel()
        self.forget_orders()
        # Clusters are of the articles before (another folder's): kept, they kept all of those
        # articles alive until the new folder was clustered, then freed them in one go (46 ms
        # at 100,000).
        self._cluster_of = None
        self._all = sorted(articles, key=lambda a: a.relpath)
        self._made = list(articles)
        self._made_gone = set()
        self._all_version += 1
        self._in_all = set(self._all)
        # The rows before the sort: sorted after it, the old folder's rows were sorted too, for
        # nothing (35 ms at 100,000 each time another folder was opened). A stable sort of the
        # rows in path order gives the order filtering the sorted list gave.
        self._rows = [a for a in self._all if self._predicate(a)]
        self._sort_rows()
        self._rows_changed()
        self.endResetModel()

    def append(self, articles: list[Article]) -> None:
        """Add newly read articles; they go in sorted place at the end of loading (resort)."""
        self.forget_orders()
        self._all.extend(articles)
        if not self._made_gone.isdisjoint(articles):
            self._settle_made()  # an article back: where it stood before goes first
        self._made.extend(articles)
        self._all_version += 1
        self._in_all.update(articles)
        new = articles if isinstance(self._predicate, Everything) else list(filter(self._predicate, articles))
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows.extend(new)
            self._rows_changed()
            self.endInsertRows()

    def resort(self) -> None:
        if self._grouped:
            self._group()
        else:
            self.sort(self._sort_column, self._order)

    # --- same story --------------------------------------------------------------------------

    def same_story_changed(self, cluster_of) -> None:
        """Clusters were found again: the titles' marks, and the grouping when it is on."""
        self._cluster_of = cluster_of
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.TITLE), self.index(len(self._rows) - 1, Column.TITLE))
        if self._grouped:
            self._group()

    def group_same(self, on: bool) -> None:
        """Clusters together, the cluster with the best quality first, best first within each;
        the other articles after them, in the order they had."""
        if on == self._grouped:
            return
        self._grouped = on
        self.grouping_changed.emit(on)
        self.resort()

    def _group(self) -> None:
        cluster_of = self._cluster_of or (lambda a: "")
        best: dict[str, float] = {}
        for article in self._all:
            if article.same > 1:
                key = cluster_of(article)
                best[key] = max(best.get(key, _NO_QUALITY), _quality_key(article))
        position = {id(a): i for i, a in enumerate(self._all)}

        def order(a: Article):
            if a.same > 1:
                key = cluster_of(a)
                return (0, -best[key], key, -_quality_key(a), a.relpath, 0)
            return (1, 0.0, "", 0.0, "", position[id(a)])

        self._put_in_order(sorted(self._all, key=order))
        self._prepare_rank()

    def set_predicate(self, predicate) -> None:
        """Filter: `_all` is kept in the sort order, so the view needs no sorting of its own.

        The rows change when the filter is done (`filtered`); what changes meanwhile is
        looked at again then.
        """
        self._filter_epoch += 1
        epoch = self._filter_epoch
        source, size, articles_epoch = self._all, len(self._all), self._epoch
        articles = list(self._all)
        self._filtering = {}
        made, rank = self.made(), self._current_rank()

        def work():
            # in the order shown: a small folder, or an order whose rank is not worked out yet
            if rank is None or len(articles) <= self._at_once or len(made) != len(articles):
                return (yield from filtering(articles, predicate))
            positions, turned = rank
            return (yield from filtering_ranked(articles, made, positions, predicate, turned))

        def done(kept, error) -> None:
            if epoch != self._filter_epoch:
                return  # another filter was asked for since
            if error is not None:
                kept = []
            again, self._filtering = self._filtering or {}, None
            self.beginResetModel()
            self._predicate = predicate
            self._lingering = None  # a new view: what it holds is what matches
            if not again and self._all is source and len(self._all) == size and self._epoch == articles_epoch:
                self._rows = kept  # nothing moved meanwhile: the filtered list is the view, in order
            else:
                keep = {id(a) for a in kept}
                seen = {id(a) for a in articles}
                self._rows = [
                    a for a in self._all if (predicate(a) if id(a) in again or id(a) not in seen else id(a) in keep)
                ]
            self._rows_changed()
            self.endResetModel()
            self.filtered.emit()
            waiting, self._after_filter = self._after_filter, []
            for callback in waiting:
                callback()

        self._start(work, done)

    def when_filtered(self, callback) -> None:
        """Call `callback` once the filter asked for last has been applied (at once when it has)."""
        if self._filtering is None:
            callback()
        else:
            self._after_filter.append(callback)

    def remove(self, articles: list[Article]) -> None:
        """Articles gone. Each list is filtered by a set of them, not by id() calls: 100 of
        100,000 articles gone from disk held the window for over 150 ms. The view, when it
        shows every article in their order, is a copy of the list filtered; the order they
        came in is filtered when next used (made): each pass over 100,000 articles is 5-13 ms
        of the window's time, and a check of the folder removes while the window sorts."""
        self.forget_orders()
        gone = set(articles)  # hashed by identity
        everything = self._rows == self._all  # identical items: no comparison of articles
        present = gone.intersection(self._in_all)
        shown = present if len(self._rows) == len(self._all) else gone.intersection(self._rows)
        self._all = list(itertools.filterfalse(gone.__contains__, self._all))
        self._made_gone.update(present)
        self._all_version += 1
        self._in_all.difference_update(articles)
        if len(shown) == 1:
            row = self._rows.index(next(iter(shown)))
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._rows_changed()
            self.endRemoveRows()
        elif shown:

            def drop() -> None:
                if everything:
                    self._rows = list(self._all)
                else:
                    self._rows = list(itertools.filterfalse(gone.__contains__, self._rows))

            self._relayout(drop)

    def made(self) -> list[Article]:
        """A copy of the articles in the order they came (as they lie in memory), without those removed."""
        self._settle_made()
        return list(self._made)

    def _settle_made(self) -> None:
        if self._made_gone:
            gone, self._made_gone = self._made_gone, set()
            self._made = list(itertools.filterfalse(gone.__contains__, self._made))

    def refresh(self, articles: list[Article]) -> None:
        """Articles whose values changed: update their cells, or move them in or out of the view.

        One article: its own row signals, as a single triage decision needs. Several: one
        layout change for those that leave or enter, one dataChanged for the rest.
        """
        self._edit_epoch += 1
        for column in EDITED_ORDERS:
            self._orders.pop(column, None)
            self._ranks.pop(column, None)
        if self._filtering is not None:
            self._filtering.update((id(a), a) for a in articles)
        found = self._rows_or_presence(articles)
        leaving: set[Article] = set()  # hashed by identity
        entering: list[Article] = []
        changed: list[int] = []
        predicate = self._predicate
        for article, row in zip(articles, found, strict=True):
            matches = predicate(article)
            if row is not None and not matches and article is self._held and len(articles) == 1:
                self._lingering = article  # it stays until the cursor leaves it (hold)
                changed.append(row)
            elif row is not None and not matches:
                leaving.add(article)
            elif row is None and matches and article in self._in_all:
                entering.append(article)
            elif row is not None:
                changed.append(row)
        if len(leaving) + len(entering) == 1 and len(articles) == 1:
            self._move_one(articles[0], found[0])
        elif leaving or entering:
            self._relayout(lambda: self._rebuild(leaving, entering))
        if changed and not (len(articles) == 1 and (leaving or entering)):
            if changed[0] < 0 or leaving or entering:  # rows not worked out, or moved since: all
                first, last = 0, len(self._rows) - 1
            else:
                first, last = min(changed), max(changed)
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))

    def _rows_or_presence(self, articles: list[Article]) -> list[int | None]:
        """Each article's row, or None when it is not in the view. For many articles with no
        index of the rows at hand, only whether each is in the view (-1): building that index
        over 100,000 rows held the window for 25-45 ms, for a change on disk of 1,000 files."""
        if len(articles) <= MANY_REFRESHED or self._index is not None:
            return self.rows_of(articles)  # one or two: a search, no index to build (see row_of)
        whole = len(self._rows) == len(self._all)  # every article is in the view
        present = set(articles).intersection(self._in_all if whole else self._rows)
        return [-1 if a in present else None for a in articles]

    def hold(self, article: Article | None) -> None:
        """The cursor is on `article` now: an article that lingered out of the view, left
        behind, goes (from the next turn of the event loop: not inside the view's own signal)."""
        self._held = article
        gone = self._lingering
        if gone is not None and gone is not article:
            self._lingering = None
            QTimer.singleShot(0, self, lambda: self._let_go(gone))

    def _let_go(self, article: Article) -> None:
        if article is self._held:  # the cursor came back before it went
            if not self._predicate(article):
                self._lingering = article
            return
        self.release(article)

    def release(self, article: Article) -> None:
        """The article goes now if it no longer matches the view (see hold)."""
        if article is self._lingering:
            self._lingering = None
        row = self.row_of(article)
        if row is not None and not self._predicate(article):
            self._move_one(article, row)

    def matching(self) -> int:
        """The rows that match the view: without an article that lingers after leaving it."""
        held = self._lingering is not None and self.row_of(self._lingering) is not None
        return self.rowCount() - held

    def lingering(self, article: Article) -> bool:
        """Whether the article is shown though it no longer matches the view (see hold)."""
        return article is self._lingering

    def _move_one(self, article: Article, row: int | None) -> None:
        """The article leaves its row (`row`), or enters the view (None)."""
        leaving = row is not None
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
        else:
            row = self._insert_position(article)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, article)
        self._rows_changed()
        self._left = article if leaving else None
        self.endRemoveRows() if leaving else self.endInsertRows()

    def _rebuild(self, leaving: set[Article], entering: list[Article]) -> None:
        rows = list(itertools.filterfalse(leaving.__contains__, self._rows))  # no id() call a row
        if len(entering) > 64:  # many: let the stable sort merge them in
            rows.extend(entering)
            rows.sort(key=SORT_KEYS[self._sort_column], reverse=self._order == Qt.SortOrder.DescendingOrder)
            self._rows = rows
            return
        self._rows = rows
        for article in entering:
            self._rows.insert(self._insert_position(article), article)

    def _insert_position(self, article: Article) -> int:
        key = SORT_KEYS[self._sort_column]
        target = key(article)
        descending = self._order == Qt.SortOrder.DescendingOrder
        lo, hi = 0, len(self._rows)
        while lo < hi:
            mid = (lo + hi) // 2
            here = key(self._rows[mid])
            if (here > target) if descending else (here < target):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def row_of(self, article: Article) -> int | None:
        """The article's row: from the index when there is one, else by a search of the list
        (after every decision the index is gone, and rebuilding it for one lookup cost 1.5 ms
        a key at 8,800 rows; a search stops at the row, and finds none in 0.05 ms)."""
        if self._index is not None:
            return self._index.get(article)
        return self._find(article, 1)

    def rows_of(self, articles: list[Article]) -> list[int | None]:
        """The rows of many articles at once (through the index)."""
        if len(articles) <= 2:
            return [self.row_of(a) for a in articles]
        index = self._row_index()
        return [index.get(a) for a in articles]

    def article(self, row: int) -> Article | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def articles(self) -> list[Article]:
        return self._rows


def _decision_tip(article: Article) -> str:
    """The article's decision in words, for the Status tooltip."""
    if article.pending is not None:
        return f"\nDecided: {article.pending[0]} (not saved yet)"
    if article.logged is not None:
        kind, editor, when = article.logged
        return f"\nLast decision: {kind} by {editor}, {when[:16].replace('T', ' ')} UTC"
    return ""
