"""Keyboard triage: approve, reject, toggle and rate the current article or the selection, then move on."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction

from ..app.session import Session
from ..app.tasks import single_shot
from ..app.workflow import Question, Workflow, batch_question, describe
from ..core.article import Article
from .detail_pane import DetailPane, open_link
from .dialogs import QualityDialog
from .list_panel import QUEUE, ListPanel

DIGIT_PAUSE_MS = 900


class Host(Protocol):
    """What triage asks of the window it works in: to say, to ask, and to paint once."""

    def say(self, text: str, ms: int = 5000) -> None: ...
    def ask(self, question: Question) -> bool: ...
    def show_counts(self, counts: str, matches: str) -> None: ...
    def show_empty_view(self) -> None: ...
    def one_update(self) -> AbstractContextManager[None]: ...
    def holding(self, update: Callable[[], None]) -> bool: ...


class Triage(QObject):
    """The keys of triage, on the list and the detail pane; the rules they follow are the
    session's (what a decision does) and the workflow's (when to ask, when to save)."""

    def __init__(
        self,
        host: Host,
        session: Session,
        workflow: Workflow,
        panel: ListPanel,
        detail: DetailPane,
        batch_threshold: Callable[[], int],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.host, self.session, self.workflow = host, session, workflow
        self.list, self.table, self.model, self.detail = panel, panel.table, panel.model, detail
        self.batch_threshold = batch_threshold
        self._previous_view = "All"
        self._digits = ""
        self._digit_timer = single_shot(self, DIGIT_PAUSE_MS, self.commit_digits)
        self.table.installEventFilter(self)
        detail.installEventFilter(self)

    @property
    def digit_pause_ms(self) -> int:
        """How long after the last digit typed the quality is set (Enter sets it at once)."""
        return self._digit_timer.interval()

    @digit_pause_ms.setter
    def digit_pause_ms(self, ms: int) -> None:
        self._digit_timer.setInterval(ms)

    def connect_actions(self, a: dict[str, QAction]) -> None:
        # Keys act on the view they were typed in: `u` then `a` approves in the queue even when
        # the queue of a large folder is still being filtered (see ArticleTableModel.when_filtered).
        on_view = self.model.when_filtered
        a["approve"].triggered.connect(lambda: on_view(lambda: self.decide(True)))
        a["reject"].triggered.connect(lambda: on_view(lambda: self.decide(False)))
        a["toggle"].triggered.connect(lambda: on_view(self.toggle))
        a["quality_up5"].triggered.connect(lambda: on_view(lambda: self.nudge(5)))
        a["quality_down5"].triggered.connect(lambda: on_view(lambda: self.nudge(-5)))
        a["quality_up1"].triggered.connect(lambda: on_view(lambda: self.nudge(1)))
        a["quality_down1"].triggered.connect(lambda: on_view(lambda: self.nudge(-1)))
        a["set_quality"].triggered.connect(lambda: on_view(self.ask_quality))
        a["next"].triggered.connect(lambda: on_view(lambda: self.move(1)))
        a["previous"].triggered.connect(lambda: on_view(lambda: self.move(-1)))
        a["queue"].triggered.connect(lambda: on_view(self.toggle_queue))
        a["details"].triggered.connect(self.details)

    # --- what an action applies to ----------------------------------------------------------

    def selected(self) -> list:
        if self.list.in_problems():
            return []  # the list is hidden: keys act on what is on screen
        return self.table.selected_articles()

    def current(self):
        if self.list.in_problems():
            return None
        index = self.table.currentIndex()
        return self.model.article(index.row()) if index.isValid() else None

    def targets(self) -> list:
        """What an edit applies to: the selection, else the current article; read-only ones are left out."""
        selected = self.selected()
        if len(selected) > 1:
            articles = selected
        else:
            current = self.current()
            articles = [current] if current is not None else []
        refused = [a for a in articles if a.read_only]
        if refused:
            self.session.refused.emit(refused)
        return [a for a in articles if not a.read_only]

    def _confirm(
        self, action: str | bool, articles: list[Article], changing: list[Article] | None = None, already: str = ""
    ) -> bool:
        """Above the batch size in Preferences, ask first (app.workflow.batch_question)."""
        question = batch_question(action, articles, self.batch_threshold(), changing, already)
        return question is None or self.host.ask(question)

    # --- decisions --------------------------------------------------------------------------

    def decide(self, published: bool) -> None:
        """a / x: set published on the selection, or on the current article and move on."""
        articles = self.targets()
        if not articles:
            return
        verb = "Approved" if published else "Rejected"
        if not self._confirm(published, articles):
            return
        text = describe(verb, articles)
        row = self.table.currentIndex().row()
        with self.host.one_update():
            top = self._top_row(articles)
            self.model.hold(None)  # it moves on: the article leaves its view at once (no lingering)
            (self.session.approve if published else self.session.reject)(articles, text)
            self._after_decision(articles, text)
            if len(articles) == 1:
                self._advance(articles[0], row)
            else:
                self._land_after_batch(articles, top)

    def toggle(self) -> None:
        """p / Space: flip published on the targets without moving."""
        articles = self.targets()
        if not articles or not self._confirm("Toggle published on", articles):
            return
        text = describe("Toggled published on", articles)
        row = self.table.currentIndex().row()
        with self.host.one_update():
            top = self._top_row(articles)
            self.session.toggle_published(articles, text)
            self._after_decision(articles, text)
            if len(articles) == 1 and self.model.row_of(articles[0]) is None:
                self._advance(articles[0], row)
            elif len(articles) > 1:
                self._land_after_batch(articles, top)

    def nudge(self, delta: int) -> None:
        articles = self.targets()
        if not articles or not self._confirm("Change quality of", articles):
            return
        sign = "+" if delta > 0 else "−"
        text = describe(f"Quality {sign}{abs(delta)} on", articles)
        with self.host.one_update():
            top = self._top_row(articles)
            self.session.nudge_quality(articles, delta, text)
            self._after_decision(articles, text)
            if len(articles) > 1:
                self._land_after_batch(articles, top)

    def set_quality(self, value: int, articles: list | None = None) -> None:
        articles = articles if articles is not None else self.targets()
        changing = [a for a in articles if a.quality != value]
        if not articles or not self._confirm(f"Set quality {value} on", articles, changing, f"have quality {value}"):
            return
        text = describe(f"Quality {value} on", articles)
        with self.host.one_update():
            top = self._top_row(articles)
            self.session.set_quality(articles, value, text)
            self._after_decision(articles, text)
            if len(articles) > 1:
                self._land_after_batch(articles, top)

    def ask_quality(self) -> None:
        articles = self.targets()
        if not articles:
            return
        dialog = QualityDialog(articles, self.table.window())
        value = dialog.value() if dialog.exec() else None
        if value is not None:
            self.set_quality(value, articles)

    def set_published_from_pane(self, published: bool) -> None:
        """The pane's Published editor: the article shown, or every one selected."""
        articles = [a for a in self.detail.targets if not a.read_only]
        if not articles or not self._confirm(published, articles):
            self.detail.update_editors()  # back to what they hold
            return
        text = describe("Approved" if published else "Rejected", articles)
        with self.host.one_update():
            (self.session.approve if published else self.session.reject)(articles, text)
            self._after_decision(articles, "")

    def set_quality_from_pane(self, value: int) -> None:
        """The pane's Quality editor: spinning it is one undo step, whatever it applies to."""
        articles = [a for a in self.detail.targets if not a.read_only]
        if articles:
            with self.host.one_update():
                self.session.set_quality(articles, value, describe(f"Quality {value} on", articles), nudge=True)

    def _after_decision(self, articles: list, text: str) -> None:
        if text:
            self.host.say(text, 5000)
        self.workflow.decided(articles)

    def _top_row(self, articles: list) -> int:
        rows = self.table.selected_rows_span()
        return rows[0] if rows else max(0, self.table.currentIndex().row())

    def _land_after_batch(self, articles: list, top: int) -> None:
        """After a batch, the cursor is on the article that moved up to where the selection began.

        When the batch's articles stay in the view (All, say), the selection stays as it was,
        the current row in sight.
        """
        model = self.model
        if model.rowCount() == 0:
            self.host.show_empty_view()
        elif all(row is None for row in model.rows_of(articles)):
            self.table.select_row(min(top, model.rowCount() - 1))
        else:
            self.table.scrollTo(self.table.currentIndex())

    def _advance(self, article, row: int) -> None:
        """Next article of the view: the same row when the article left it, else the row below."""
        model = self.model
        if model.rowCount() == 0:
            self.host.show_empty_view()
            return
        if model.lingering(article):
            model.release(article)  # moving on: it goes now, and the next article takes its row
            if model.rowCount() == 0:
                self.host.show_empty_view()
                return
        now = model.row_of(article)
        self.table.select_row(min(row if now is None else now + 1, model.rowCount() - 1))

    # --- moving -----------------------------------------------------------------------------

    def move(self, step: int) -> None:
        if self.list.in_problems():
            problems = self.list.problems
            problems.selectRow(max(0, min(problems.currentRow() + step, problems.rowCount() - 1)))
            return
        index = self.table.currentIndex()
        row = index.row() + step if index.isValid() else 0
        self.table.select_row(row)

    def toggle_queue(self) -> None:
        current = self.list.current_view_name()
        if current == QUEUE:
            self.list.select_view(self._previous_view or "All")
        else:
            self._previous_view = current or "All"
            self.list.select_view(QUEUE)

    def details(self) -> None:
        """Enter: the digits typed, else the article's details (the pane takes the keys), else
        in the Problems view the problem file's text."""
        if self._digits:
            self.commit_digits()
            return
        if self.list.in_problems():
            problem = self.list.current_problem()
            if problem is not None:
                self.list.problem_activated.emit(problem)
            return
        if self.current() is not None:
            self.detail.setFocus()

    def open_link(self) -> None:
        article = self.current()
        if article is None:
            return
        if not article.link:
            self.host.say("This article has no originalUrl or webUrl", 4000)
            return
        open_link(article.link, self.table)

    # --- undo that shows what it undid ------------------------------------------------------

    def undo(self) -> None:
        self._step(self.session.undo_stack.index() - 1, self.session.undo_stack.undo, "Undid")

    def redo(self) -> None:
        self._step(self.session.undo_stack.index(), self.session.undo_stack.redo, "Redid")

    def _step(self, index: int, do, verb: str) -> None:
        stack = self.session.undo_stack
        command = stack.command(index) if 0 <= index < stack.count() else None
        if command is None:
            return
        articles = _articles_of(command)
        text = command.text()
        with self.host.one_update():
            do()
            if articles:
                self.table.select_articles(articles)
        self.host.say(f"{verb}: {text}", 5000)

    # --- counts -----------------------------------------------------------------------------

    def reset_counts(self) -> None:
        self.update_status()

    def remove_articles(self, articles: list) -> None:
        self.update_status()

    def articles_changed(self, articles: list) -> None:
        self.update_status()

    def counts(self) -> tuple[int, int, int]:
        """(articles left to review, approved, rejected in this session): from the one tally."""
        tally = self.session.tally
        return tally.queue, tally.decided.get("approve", 0), tally.decided.get("reject", 0)

    def update_status(self) -> None:
        if self.host.holding(self.update_status):
            return
        left, approved, rejected = self.counts()
        shown, total = self.model.matching(), len(self.session.tally)
        if self.session.loading:
            self.host.show_counts("To review: loading…", f"{total:,} read")
        else:
            counts = f"To review: {left:,} left · {approved:,} approved · {rejected:,} rejected"
            selected = self.table.selected_count() if not self.list.in_problems() else 0
            chosen = f"{selected:,} selected · " if selected > 1 else ""
            total = self.list.view_total()  # the denominator the view's row shows
            self.host.show_counts(counts, f"{chosen}{shown:,} of {total:,}" if self.session.root else "")
        self.detail.show_typing(self._digits)

    # --- digits -----------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            if (
                event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End)
                and watched is self.table
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                # A table's own Home goes to the first column; the editor means the first article.
                self.table.select_row(0 if event.key() == Qt.Key.Key_Home else self.model.rowCount() - 1)
                return True
            text = event.text()
            if text.isdigit() and len(text) == 1:
                self._digits = (self._digits + text)[:9]
                self._digit_timer.start()
                self.update_status()
                return True
            if event.key() == Qt.Key.Key_Escape and self._digits:
                self._digits = ""
                self._digit_timer.stop()
                self.update_status()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._digits:
                self.commit_digits()
                return True
        return super().eventFilter(watched, event)

    def commit_digits(self) -> None:
        self._digit_timer.stop()
        digits, self._digits = self._digits, ""
        if digits:
            self.set_quality(int(digits))
        self.update_status()


def _articles_of(command) -> list:
    articles = list(getattr(command, "articles", []))
    for i in range(command.childCount()):
        articles.extend(getattr(command.child(i), "articles", []))
    seen, unique = set(), []
    for article in articles:
        if id(article) not in seen:
            seen.add(id(article))
            unique.append(article)
    return unique
