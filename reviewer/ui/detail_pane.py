"""The detail pane: one article's metadata, editors for published and quality, images, related links."""

from __future__ import annotations

import html
import os
from collections import Counter

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFontDatabase,
    QIcon,
    QImage,
    QPixmap,
    QStandardItemModel,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.article import Article
from ..core.library import read_parts
from ..core.preview import plan_preview
from ..core.site import ImageSource, link_to_open, resolve_image
from ..words import QUALITY_MAX, decision_line, plural, shorten, shown, status_word
from .article_model import decision_mark
from .flow_layout import FlowLayout

THUMB = 160
HISTORY_SHOWN = 5  # decisions listed in the pane, newest first
MIXED = "—"  # several articles whose values differ
LOGO = 32


def open_link(url: str, parent=None) -> bool:
    """Open http, https and mailto links (the address only) in the browser; anything else is only shown."""
    target = link_to_open(url)
    if target is not None:
        return QDesktopServices.openUrl(QUrl(target))
    if parent is not None and hasattr(parent.window(), "statusBar"):
        parent.window().statusBar().showMessage(f"Not opened (only http, https and mailto links open): {url}", 6000)
    return False


def _link(url: str, text: str | None = None) -> str:
    shown = html.escape(text if text is not None else url)
    if not url:
        return shown
    return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'


class SafeBrowser(QTextBrowser):
    """Shows Markdown or HTML with no scripts (Qt runs none) and no remote or local resources.

    Every resource the text names (`<img src>`, `background=`, `![](...)`, style sheets) gets
    the placeholder below. Returning nothing is not enough: Qt then opens the URL as a local
    file itself, and `<img src="/dev/zero">` fills memory until the window dies.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(lambda url: open_link(url.toString(), self))

    def loadResource(self, kind, url):
        return self._no_resource(url, kind)

    @staticmethod
    def _no_resource(url, kind=int(QTextDocument.ResourceType.ImageResource.value)):
        if int(kind) == int(QTextDocument.ResourceType.ImageResource.value):
            return _placeholder()
        return ""  # a style sheet or HTML resource: empty, never read


class SafeDocument(QTextDocument):
    """A preview's text, built off the window's thread, where SafeBrowser cannot answer for it:
    no resource the text names is read either."""

    def loadResource(self, kind, url):
        return SafeBrowser._no_resource(url, kind)


def build_preview(front_matter: str, body: str, path: str, font) -> tuple[QTextDocument, str]:
    """The body read for the preview, on a worker thread (Qt's rich-text reader takes seconds
    on some bodies: core.preview caps what it is given), and the raw front matter."""
    document = SafeDocument()
    document.setDefaultFont(font)
    body = body.strip()
    if not body:
        document.setPlainText("(no body)")
    else:
        is_html = path.lower().endswith((".html", ".htm")) or body.startswith("<")
        plan = plan_preview(body, is_html)
        if plan.rich:
            (document.setHtml if is_html else document.setMarkdown)(plan.rich)
        if plan.text:  # the note, the text and (when the text is cut) how much more there is
            note = QTextCharFormat()
            note.setFontItalic(True)
            lines = [(f"Shown as text from here on: the body has {plan.why}.", note), (plan.text, QTextCharFormat())]
            if plan.hidden:
                lines.append((f"… and {plan.hidden:,} more characters, not shown here.", note))
            cursor = QTextCursor(document)
            cursor.movePosition(QTextCursor.MoveOperation.End)
            for i, (text, form) in enumerate(lines):
                if i or plan.rich:
                    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
                cursor.insertText(text, form)
    app = QCoreApplication.instance()
    if app is not None:
        document.moveToThread(app.thread())  # the window takes it from here
    return document, front_matter


_PLACEHOLDER: list[QImage] = []


def _placeholder() -> QImage:
    """What every image in a body preview shows: a small grey square."""
    if not _PLACEHOLDER:
        image = QImage(16, 16, QImage.Format.Format_ARGB32)
        image.fill(QColor(160, 160, 160, 90))
        _PLACEHOLDER.append(image)
    return _PLACEHOLDER[0]


class ImageButton(QToolButton):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
        self.setAutoRaise(True)
        self.fit(THUMB)

    def fit(self, size: int) -> None:
        """Thumbnails as large as the pane has room for, up to THUMB."""
        self.setIconSize(QSize(size, size))
        self.setFixedSize(size + 12, size + 36)


class ImageDialog(QDialog):
    """The article's images shown large, scaled to the window: Left/Right (or j/k) for the
    next and previous one, Esc to close."""

    LARGE = 1600

    def __init__(self, loader, images: list[tuple[ImageSource, str]], index: int, parent=None):
        super().__init__(parent)
        self.loader = loader
        self.images = images
        self.index = index
        self.image: QImage | None = None
        self.key = ""
        self.label = QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.label.setMinimumSize(200, 150)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.caption = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.caption)
        loader.ready.connect(self._ready)
        loader.failed.connect(self._failed)
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = (
            (900, 650) if screen is None else (min(900, screen.width() - 60), min(650, screen.height() - 80))
        )
        self.resize(width, height)
        self.show_image(index)

    def show_image(self, index: int) -> None:
        self.index = index % len(self.images)
        source, url = self.images[self.index]
        self.image = None
        self.label.setPixmap(QPixmap())
        self.label.setText("Loading…")
        self.setWindowTitle(f"{self.index + 1} of {len(self.images)} — {shorten(url, 80)}")
        more = "  ·  Left/Right: previous/next" if len(self.images) > 1 else ""
        self.caption.setText(f"{shorten(url, 110)}{more}  ·  Esc closes")
        self.key = self.loader.key(source, self.LARGE)  # before asking: the answer may come at once
        self.loader.request(source, self.LARGE)

    def keyPressEvent(self, event) -> None:
        step = {Qt.Key.Key_Right: 1, Qt.Key.Key_J: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_K: -1}.get(event.key())
        if step and len(self.images) > 1:
            self.show_image(self.index + step)
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        if self.image is not None:
            pixmap = QPixmap.fromImage(self.image)
            size = self.label.size()
            if pixmap.width() > size.width() or pixmap.height() > size.height():
                pixmap = pixmap.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            self.label.setPixmap(pixmap)

    def _ready(self, key: str, image: QImage) -> None:
        if key == self.key:
            self.image = image
            self._scale()

    def _failed(self, key: str, reason: str) -> None:
        if key == self.key:
            self.label.setText(f"Could not load the image: {reason}")


class EnterTree(QTreeWidget):
    """A list in the pane where Enter activates the row, not the window's Enter shortcut."""

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return True
        return super().event(event)


class DetailPane(QScrollArea):
    published_chosen = Signal(bool)
    quality_chosen = Signal(int)
    show_article = Signal(object)  # an Article in the open folder
    keep_best = Signal(object)  # the article whose same-story cluster to settle: keep the best, reject the rest
    leave = Signal()  # Esc: back to the list

    def __init__(self, session, image_loader, parent=None, status_icons: dict | None = None):
        super().__init__(parent)
        self.session = session
        self.status_icons = status_icons or {}  # published state -> its icon, as the list shows it
        self.loader = image_loader
        self.article: Article | None = None
        self._image_keys: dict[str, QToolButton | QLabel] = {}
        self._failures: list[str] = []  # addresses of the article's images that could not be loaded
        self._thumbs: list[ImageButton] = []  # the article's thumbnails, those that did not fail
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )  # wrap to the pane, never scroll sideways
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Article details")
        self.setObjectName("detail")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Enter in the list gives it the keys; Esc gives them back
        self.setStyleSheet("QScrollArea#detail:focus { border: 2px solid palette(highlight); }")
        body = QWidget()
        self.setWidget(body)
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(12, 10, 12, 10)
        self._build_header()
        self._build_editors()
        self._build_images()
        self._build_same()
        self._build_related()
        self._build_tabs()
        self.loader.ready.connect(self._image_ready)
        self.loader.failed.connect(self._image_failed)
        self.show_article_none()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.leave.emit()
            return
        super().keyPressEvent(event)

    # --- building ---------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText, openExternalLinks=False)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        # view: links (the way back from an empty view) are the window's; the others open in the browser.
        self.title.linkActivated.connect(lambda url: None if url.startswith("view:") else open_link(url, self))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName("Title")
        self.layout_.addWidget(self.title)

        row = QHBoxLayout()
        self.logo = QLabel()
        self.logo.setFixedSize(LOGO, LOGO)
        self.logo.setAccessibleName("Provider logo")
        self.provider = QLabel(textFormat=Qt.TextFormat.RichText)
        self.provider.setAccessibleName("Provider")
        self.meta = QLabel()
        self.meta.setAccessibleName("Date and type")
        row.addWidget(self.logo)
        row.addWidget(self.provider, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.meta)
        for label in (self.provider, self.meta):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.topics = FlowLayout(spacing=4)  # chips wrap: one row of long topics widened the pane
        self.layout_.addLayout(self.topics)

        self.excerpt = QLabel(wordWrap=True)
        self.excerpt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.excerpt.setAccessibleName("Excerpt")
        self.layout_.addWidget(self.excerpt)
        for label in (self.title, self.excerpt):
            label.setMinimumWidth(120)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.links = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.links.linkActivated.connect(lambda url: open_link(url, self))
        self.links.setAccessibleName("Links")
        self.links.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layout_.addWidget(self.links)

    def _build_editors(self) -> None:
        box = self.editors_box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(box)
        self.published = QComboBox()
        self.published.addItems(["published", "unpublished", "unset", MIXED])
        choices = self.published.model()
        assert isinstance(choices, QStandardItemModel)  # what a QComboBox makes
        for row in (2, 3):  # absent can be kept, not chosen; mixed is what several articles show
            item = choices.item(row)
            if item is not None:
                item.setEnabled(False)
        self.published.setToolTip("published: true or false (p toggles, a approves, x rejects)")
        self.published.setAccessibleName("Published")
        self.published.activated.connect(self._published_activated)
        self.quality = QSpinBox()
        self.quality.setRange(0, QUALITY_MAX)
        self.quality.setSpecialValueText("")
        self.quality.setToolTip("quality: a whole number, no upper limit (+/- by 5, ]/[ by 1)")
        self.quality.setAccessibleName("Quality")
        self.quality.valueChanged.connect(self._quality_changed)
        self.quality_range = QLabel()
        self.quality_range.setAccessibleName("Quality range in this folder")
        self.state = QLabel()
        self.state.setAccessibleName("Edit state")
        self.quality.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000000000") + 30)
        # Its own minimum fits QUALITY_MAX's digits and made the pane wider than a 1024-pixel
        # window gives it; six digits show every quality the corpus has, and more scroll.
        self.quality.setMinimumWidth(self.fontMetrics().horizontalAdvance("000000") + 30)
        self.quality_range.setStyleSheet("color: gray")
        grid.addWidget(QLabel("Published:"), 0, 0)
        grid.addWidget(self.published, 0, 1)
        grid.addWidget(QLabel("Quality:"), 0, 2)
        grid.addWidget(self.quality, 0, 3)
        self.typing = QLabel()
        self.typing.setAccessibleName("Quality being typed")
        self.typing.setStyleSheet(
            "QLabel { background: palette(highlight); color: palette(highlighted-text); "
            "border-radius: 3px; padding: 1px 6px; }"
        )
        self.typing.hide()
        # Under the Quality editor it will set: beside it, row 0 would not fit a narrow pane.
        grid.addWidget(self.typing, 1, 3, 1, 3, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.quality_range, 1, 0, 1, 3)
        grid.setColumnStretch(5, 1)
        grid.addWidget(self.state, 2, 0, 1, 6)
        self.history = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.history.setAccessibleName("Decisions on this article")
        self.history.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.history, 3, 0, 1, 6)
        self.layout_.addWidget(box)

    def _build_images(self) -> None:
        self.images_box = QWidget()
        column = QVBoxLayout(self.images_box)
        column.setContentsMargins(0, 0, 0, 0)
        self.images_label = QLabel("<b>Images</b>")
        column.addWidget(self.images_label)
        self.images = QHBoxLayout()
        self.images.setSpacing(8)
        column.addLayout(self.images)
        self.unavailable = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.unavailable.setAccessibleName("Images not loaded")
        self.unavailable.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.unavailable.linkActivated.connect(lambda url: open_link(url, self))
        column.addWidget(self.unavailable)
        self.layout_.addWidget(self.images_box)

    def _build_same(self) -> None:
        self.same_label = QLabel("<b>Same story</b>")
        self.same_keep = QPushButton("Keep the Best (B)")
        self.same_keep.setToolTip("Approve the best of these (highest quality, then earliest) and reject the others")
        self.same_keep.clicked.connect(lambda: self.keep_best.emit(self.article) if self.article else None)
        row = QHBoxLayout()
        row.addWidget(self.same_label)
        row.addStretch(1)
        row.addWidget(self.same_keep)
        self.same_header = QWidget()
        self.same_header.setLayout(row)
        row.setContentsMargins(0, 4, 0, 0)
        self.layout_.addWidget(self.same_header)
        self.same_list = EnterTree()
        self.same_list.setHeaderLabels(["Title", "Provider", "Date", "Quality"])
        self.same_list.setRootIsDecorated(False)
        self.same_list.setAccessibleName("The same story from other providers")
        self.same_list.setToolTip("The same story told by other articles of the folder: Enter shows one in the list")
        self.same_list.itemActivated.connect(
            lambda item, _: self.show_article.emit(item.data(0, Qt.ItemDataRole.UserRole))
        )
        self.same_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.same_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.layout_.addWidget(self.same_list)

    def articles_changed(self, articles: list[Article]) -> None:
        """Edited articles that the Same story section lists (a keep-best, its undo): shown anew."""
        listed = {id(item.data(0, Qt.ItemDataRole.UserRole)) for item in _top_items(self.same_list)}
        if listed and any(id(a) in listed for a in articles):
            self.show_same()

    def show_same(self) -> None:
        """The other articles of the shown article's same-story cluster, best first."""
        self.same_list.clear()
        others = self.session.same_as(self.article) if self.article is not None else []
        self.same_header.setVisible(bool(others))
        self.same_list.setVisible(bool(others))
        for other in others:
            quality = "" if other.quality is None else str(other.quality)
            mark = decision_mark(other)
            title = f"{mark} {other.title}" if mark else other.title  # as the list marks it: ✓ ✗ ★
            row = QTreeWidgetItem([title, other.provider.name, other.date[:10], quality])
            row.setData(0, Qt.ItemDataRole.UserRole, other)
            row.setIcon(0, self.status_icons.get(other.published, QIcon()))
            row.setToolTip(0, f"{status_word(other.published).capitalize()}: {other.relpath}")
            self.same_list.addTopLevelItem(row)
        if not others:
            return
        for column in range(1, 4):
            self.same_list.resizeColumnToContents(column)
        self._fit_rows(self.same_list, len(others), 200)

    def _build_related(self) -> None:
        self.related_label = QLabel("<b>Related</b>")
        self.layout_.addWidget(self.related_label)
        self.related = EnterTree()
        self.related.setHeaderLabels(["Title", "Provider", "Date", "Quality"])
        self.related.setRootIsDecorated(False)
        self.related.setAccessibleName("Related articles")
        self.related.setToolTip("Enter or double-click opens the link; the context menu can jump to it in the list")
        self.related.itemActivated.connect(
            lambda item, _: open_link(item.data(0, Qt.ItemDataRole.UserRole) or "", self)
        )
        self.related.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.related.customContextMenuRequested.connect(self._related_menu)
        self.related.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.related.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.related.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.layout_.addWidget(self.related)

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.fields = QTreeWidget()
        self._fields_of: Article | None = None  # the article the Fields tree shows
        self.fields.setHeaderLabels(["Key", "Value"])
        self.fields.setAccessibleName("All front-matter fields")
        self.preview = SafeBrowser()
        self._preview_document: QTextDocument | None = None  # the one built for the article shown
        self.preview.setAccessibleName("Body preview")
        self.raw = QPlainTextEdit(readOnly=True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName("Raw front matter")
        self.tabs.addTab(self.fields, "Fields")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.addTab(self.raw, "Front matter")
        self.tabs.setMinimumHeight(220)
        self.layout_.addWidget(self.tabs, 1)
        self.filler = QWidget()  # takes the room the tabs leave when there is no article
        self.layout_.addWidget(self.filler, 1)

    # --- showing ----------------------------------------------------------------------------

    def show_article_none(self, message: str = "Select an article to see its details.", rich: bool = False) -> None:
        """No article: a message (rich text when `rich`), and none of an article's controls."""
        self.article = None
        self.articles: list[Article] = []
        self.title.setText(message if rich else html.escape(message))
        for widget in (self.provider, self.meta, self.excerpt, self.links, self.state, self.history):
            widget.clear()
        self.logo.clear()
        self._image_keys = {}  # images still on their way have nowhere to go
        self._clear_layout(self.topics)
        self._clear_layout(self.images)
        self._thumbs = []  # deleted with the layout: a resize must not reach them
        self.related.clear()
        self.same_list.clear()
        self.fields.clear()
        self._fields_of = None
        self.preview.clear()
        self.raw.clear()
        self.published.setEnabled(False)
        self.quality.setEnabled(False)
        for part in (self.editors_box, self.images_box, self.related_label, self.related, self.tabs, self.logo,
                     self.same_header, self.same_list):  # fmt: skip
            part.hide()
        self.filler.show()

    def show_problem(self, problem) -> None:
        """A file that could not be read: what is wrong and where, and how to see it."""
        where = f"line {problem.line}: " if problem.line else ""
        self.show_article_none(
            f"{html.escape(problem.relpath)}<br><span style='font-weight:normal'>"
            f"<b>{html.escape(problem.label)}</b> — {html.escape(where + problem.message)}<br><br>"
            "Enter or a double-click shows its text with the line marked. Fix it in your editor: "
            "Reviewer never writes a file it cannot read.</span>",
            rich=True,
        )

    def display(self, article: Article | None) -> None:
        if article is None:
            self.show_article_none()
            return
        same = article is self.article
        self.article = article
        self.articles = []
        for part in (self.editors_box, self.tabs, self.logo):  # images: shown by _show_images when there are any
            if part.isHidden():
                part.show()
        if not self.filler.isHidden():
            self.filler.hide()
        self._show_header(article)
        self.update_editors()
        if not same:
            self._show_images(article)
            self.show_same()
            self._show_related(article)
            self._show_fields(article)
            self._show_body(article)
            self.verticalScrollBar().setValue(0)

    def display_many(self, articles: list[Article]) -> None:
        """Several selected articles: how many, what they hold, and editors that set all of them."""
        self.show_article_none(f"{len(articles):,} selected")
        self.articles = articles
        self.editors_box.show()
        self.excerpt.setText("Published and Quality below apply to all of them.")
        self.update_editors()

    @property
    def targets(self) -> list[Article]:
        """What the pane's editors apply to: the article shown, or the selected ones."""
        return [self.article] if self.article is not None else list(self.articles)

    def update_editors(self) -> None:
        """Refresh what edits change: the editors, the edit state line and the Fields tree."""
        article = self.article
        if article is None:
            if self.articles:
                self._update_many()
            return
        self._mark_fields(article)
        self.published.blockSignals(True)
        self.published.setCurrentIndex({True: 0, False: 1, None: 2}[article.published])
        self.published.blockSignals(False)
        self.quality.blockSignals(True)
        self.quality.setValue(article.quality or 0)
        self.quality.setSpecialValueText("unset" if article.quality is None else "")
        self.quality.blockSignals(False)
        self.published.setEnabled(not article.read_only)
        self.quality.setEnabled(not article.read_only)
        parts = []
        if article.read_only:
            parts.append(f"Read-only: {html.escape(article.read_only)}")
        if article.edits:
            parts.append("Unsaved: " + ", ".join(f"{k} {shown(o)} → {shown(n)}" for k, o, n in article.changes()))
        elif article.pending is not None:
            parts.append(f"Unsaved: {article.pending[0]} (changes no byte; the save logs it)")
        if article.conflict:
            parts.append(
                "<span style='color:#c62828'>Changed on disk since it was read: saving will ask, "
                "for each key, Keep mine or Take theirs.</span>"
            )
        self.state.setText("<br>".join(parts))
        self.state.setVisible(bool(parts))
        self._show_history(article)

    def _update_many(self) -> None:
        """The selection's counts and the editors, as the articles are now (after an approval too)."""
        articles = self.articles
        states = Counter(status_word(a.published) for a in articles)
        published = {a.published for a in articles}
        qualities = {a.quality for a in articles}
        known = [q for q in qualities if q is not None]
        summary = " · ".join(f"{n:,} {word}" for word, n in states.most_common())
        if known:
            low, high = min(known), max(known)
            summary += f" · quality {low}" if low == high else f" · quality {low}–{high}"
        self.meta.setText(summary)
        self.published.blockSignals(True)
        self.published.setCurrentIndex({True: 0, False: 1, None: 2}[published.pop()] if len(published) == 1 else 3)
        self.published.blockSignals(False)
        self.quality.blockSignals(True)
        if len(qualities) == 1:
            common = qualities.pop()
            self.quality.setValue(common or 0)
            self.quality.setSpecialValueText("unset" if common is None else "")
        else:
            self.quality.setValue(0)
            self.quality.setSpecialValueText(MIXED)  # shown while the value is 0: any value typed sets all
        self.quality.blockSignals(False)
        editable = any(not a.read_only for a in articles)
        self.published.setEnabled(editable)
        self.quality.setEnabled(editable)
        edited = sum(1 for a in articles if a.needs_saving)
        self.state.setText(f"Unsaved edits in {edited:,} of them" if edited else "")
        self.state.setVisible(bool(edited))
        self.history.clear()

    def _show_history(self, article: Article) -> None:
        """The article's decisions from the review log, newest first, and one not saved yet."""
        logged = self.session.history.get(article.relpath, [])
        lines = []
        if article.pending is not None:
            kind, editor, when = article.pending
            lines.append(f"<i>{html.escape(decision_line(kind, editor, when))} (not saved yet)</i>")
        for d in reversed(logged[-HISTORY_SHOWN:]):
            lines.append(html.escape(decision_line(d.decision, d.editor, d.time, d.changes)))
        if len(logged) > HISTORY_SHOWN:
            lines.append(f"… and {plural(len(logged) - HISTORY_SHOWN, 'earlier decision')} (reviewer log)")
        if not lines:
            lines.append("No decision logged yet")
        self.history.setText("<span style='color:gray'>" + "<br>".join(lines) + "</span>")

    def show_typing(self, digits: str) -> None:
        """The quality being typed in the list (`7 5`), beside the Quality editor it will set."""
        self.typing.setText(f"{digits}_  Enter sets it" if digits else "")
        self.typing.setVisible(bool(digits) and self.editors_box.isVisible())

    def set_quality_range(self, low: int | None, high: int | None) -> None:
        self.quality_range.setText(f"folder range {low}–{high}" if low is not None else "")

    def _show_header(self, article: Article) -> None:
        self.title.setText(_link(article.link, article.title or os.path.basename(article.relpath)))
        provider = article.provider
        domain = f" <span style='color:gray'>{html.escape(provider.domain)}</span>" if provider.domain else ""
        self.provider.setText(f"<b>{html.escape(provider.name)}</b>{domain}")
        meta = [article.date.replace("T", " ").replace("Z", " UTC"), article.type, article.category]
        self.meta.setText(" · ".join(m for m in meta if m))
        self._clear_layout(self.topics)
        for topic in article.topics:
            chip = QLabel(topic)
            chip.setStyleSheet("QLabel { border: 1px solid palette(mid); border-radius: 9px; padding: 1px 8px; }")
            self.topics.addWidget(chip)
        self.excerpt.setText(article.excerpt)
        links = []
        if article.original_url:
            links.append("Original: " + _link(article.original_url, shorten(article.original_url, 70)))
        if article.web_url and article.web_url != article.original_url:
            links.append("Web: " + _link(article.web_url, shorten(article.web_url, 70)))
        links.append(f"<span style='color:gray'>File: {html.escape(shorten(article.relpath, 80))}</span>")
        self.links.setText("<br>".join(links))
        self.logo.clear()
        # The logo an earlier article asked for may come after this one's: it must not land here.
        self._image_keys = {k: w for k, w in self._image_keys.items() if w is not self.logo}
        if provider.images:
            source = resolve_image(provider.images[0].url, article.path, self.session.site)
            self._request(source, LOGO, self.logo)

    def _show_images(self, article: Article) -> None:
        self._clear_layout(self.images)
        self._image_keys = {k: w for k, w in self._image_keys.items() if w is self.logo}
        self._failures = []
        self._thumbs = []
        self.unavailable.clear()
        self.unavailable.hide()
        # One thumbnail per distinct file: two addresses of one file share a key, and the
        # second button would wait for an image that comes once, to the first.
        seen: set[str] = set()
        images, sources = [], []
        for image in article.images:
            source = resolve_image(image.url, article.path, self.session.site)
            same = os.path.realpath(source.location) if source.kind == "local" else source.location
            if same not in seen:
                seen.add(same)
                images.append(image)
                sources.append((source, image.url))
        self.images_box.setVisible(bool(images))
        size = self._thumb_size(len(images))
        for index, (image, (source, url)) in enumerate(zip(images, sources, strict=True)):
            button = ImageButton()
            button.fit(size)
            caption = f"{image.width}×{image.height}" if image.width and image.height else "size unknown"
            button.setText(f"Loading…\n{caption}")
            button.setToolTip(url)
            button.setAccessibleName(f"Image {url}")
            button.setProperty("caption", caption)
            button.setProperty("url", url)
            button.clicked.connect(lambda _=False, i=index: self._open_large(sources, i))
            self.images.addWidget(button)
            self._thumbs.append(button)
            self._request(source, THUMB, button)
        self.images.addStretch(1)

    def _open_large(self, sources: list, index: int) -> None:
        shown = [(s, u) for s, u in sources if u not in self._failures] or sources
        start = next((i for i, (_, u) in enumerate(shown) if u == sources[index][1]), 0)
        ImageDialog(self.loader, shown, start, self).exec()

    def _thumb_size(self, count: int) -> int:
        """As large as THUMB, smaller when `count` of them would not fit across the pane."""
        if count == 0:
            return THUMB
        room = self.viewport().width() - 24 - 8 * (count - 1)
        return max(64, min(THUMB, room // count - 12))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._thumbs:
            size = self._thumb_size(len(self._thumbs))
            for button in self._thumbs:
                button.fit(size)

    def _request(self, source: ImageSource, size: int, widget) -> None:
        key = self.loader.key(source, size)
        self._image_keys[key] = widget
        self.loader.request(source, size)

    def _image_ready(self, key: str, image: QImage) -> None:
        widget = self._image_keys.get(key)
        if widget is None:
            return
        pixmap = QPixmap.fromImage(image)
        if isinstance(widget, QToolButton):
            widget.setIcon(pixmap)
            caption = widget.property("caption")
            real = image.text("source-size").replace("x", "×")
            widget.setText(caption if not real or real == caption else f"{caption} (file {real})")
        else:
            widget.setPixmap(
                pixmap.scaled(
                    LOGO, LOGO, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )

    def _image_failed(self, key: str, reason: str) -> None:
        widget = self._image_keys.get(key)
        if isinstance(widget, ImageButton):
            url = widget.property("url") or ""
            self._image_keys.pop(key, None)
            widget.hide()  # a line of text, not a box the size of a picture
            self._thumbs = [b for b in self._thumbs if b is not widget]
            self._failures.append(url)
            line = f"⚠ image unavailable: {html.escape(reason)} · {_link(url, shorten(url, 60))}"
            text = self.unavailable.text()
            self.unavailable.setText(f"{text}<br>{line}" if text else line)
            self.unavailable.setToolTip("\n".join(self._failures))
            self.unavailable.show()
        elif isinstance(widget, QLabel):
            widget.setToolTip(f"Logo not loaded: {reason}")

    def _show_related(self, article: Article) -> None:
        self.related.clear()
        related = article.related
        self.related_label.setVisible(bool(related))
        self.related.setVisible(bool(related))
        for item in related:
            url = item.link
            row = QTreeWidgetItem(
                [item.title, item.provider.name, item.date[:10], "" if item.quality is None else str(item.quality)]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, url)
            row.setToolTip(0, url)
            target = self.session.find_by_url(url)
            if target is not None:
                row.setData(1, Qt.ItemDataRole.UserRole, target)
                row.setText(0, "↪ " + item.title)
                row.setToolTip(0, f"{url}\nIn this folder: {target.relpath} (context menu: Show in list)")
            self.related.addTopLevelItem(row)
        for column in range(1, 4):
            self.related.resizeColumnToContents(column)
        self._fit_rows(self.related, len(related), 280)

    def _fit_rows(self, tree: QTreeWidget, rows: int, at_most: int) -> None:
        """A list as tall as its rows (and its header), up to `at_most` pixels: no empty space below."""
        line = max(tree.sizeHintForRow(0), self.fontMetrics().height() + 4)
        header = tree.header().sizeHint().height()
        tree.setFixedHeight(min(header + line * rows + 2 * tree.frameWidth() + 4, at_most))

    def _related_menu(self, pos) -> None:
        item = self.related.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        url = item.data(0, Qt.ItemDataRole.UserRole) or ""
        menu.addAction("Open in Browser", lambda: open_link(url, self)).setEnabled(bool(url))
        target = item.data(1, Qt.ItemDataRole.UserRole)
        action = menu.addAction("Show in List", lambda: self.show_article.emit(target))
        action.setEnabled(target is not None)
        menu.exec(self.related.viewport().mapToGlobal(pos))

    def _show_fields(self, article: Article) -> None:
        self.fields.clear()
        for key, value in article.metadata.items():
            self.fields.addTopLevelItem(_tree_item(str(key), value))
        self.fields.resizeColumnToContents(0)
        self._fields_of = article
        self._mark_fields(article)

    def _mark_fields(self, article: Article) -> None:
        """Each edited key's row shows the value on disk and the pending one (`88 → 93`), in
        italics; a key the file does not have yet gets a row of its own; undone, as on disk.
        Only on the tree of this article (display() marks again once it has built it)."""
        if article is not self._fields_of:
            return
        edits = {key: (old, new) for key, old, new in article.changes()}
        font = self.fields.font()
        for i, item in reversed(list(enumerate(_top_items(self.fields)))):
            key, pending = item.text(0), item.data(0, Qt.ItemDataRole.UserRole)
            if key in edits:
                continue
            if pending == "added":  # an added key, undone
                self.fields.takeTopLevelItem(i)
            elif pending == "edited":  # back to the value on disk
                value = article.metadata.get(key)
                item.setText(1, shown(value))
                item.setToolTip(1, shown(value))
                item.setFont(1, font)
                item.setData(0, Qt.ItemDataRole.UserRole, None)
        italic = self.fields.font()
        italic.setItalic(True)
        rows = {item.text(0): item for item in _top_items(self.fields)}
        for key, (old, new) in edits.items():
            row = rows.get(key)
            if row is None:
                row = QTreeWidgetItem([key, ""])
                self.fields.addTopLevelItem(row)
                row.setData(0, Qt.ItemDataRole.UserRole, "added")
            elif row.data(0, Qt.ItemDataRole.UserRole) != "added":
                row.setData(0, Qt.ItemDataRole.UserRole, "edited")
            on_disk = "(absent)" if key not in article.metadata else shown(old)
            row.setText(1, f"{on_disk} → {shown(new)}")
            row.setToolTip(1, f"On disk: {on_disk}\nNot saved yet: {shown(new)}")
            row.setFont(1, italic)

    def _show_body(self, article: Article) -> None:
        """The body and the raw front matter: one read of the file and the body laid out, on the runner."""
        self.preview.setPlainText("Reading…")
        self.raw.clear()
        path, font = article.path, self.preview.font()

        def work(ctx):
            front_matter, body = read_parts(path)
            return build_preview(front_matter, body, path, font)

        def fill(parts, error) -> None:
            if self.article is not article:
                return  # another article is shown by now
            if error is not None:
                self.preview.setPlainText("")
                self.raw.setPlainText(f"(could not read the file: {error})")
                return
            document, front_matter = parts
            self._set_preview(document)
            self.raw.setPlainText(front_matter)

        self.session.runner.start(work, on_done=fill)

    def _set_preview(self, document: QTextDocument) -> None:
        before, self._preview_document = self._preview_document, document
        document.setParent(self.preview)
        self.preview.setDocument(document)
        if before is not None:
            before.deleteLater()

    # --- editors ----------------------------------------------------------------------------

    def _published_activated(self, index: int) -> None:
        if index in (0, 1):
            self.published_chosen.emit(index == 0)

    def _quality_changed(self, value: int) -> None:
        if self.article is not None or self.articles:
            self.quality_chosen.emit(value)

    @staticmethod
    def _clear_layout(layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()


def _top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    found = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in found if item is not None]


def _tree_item(key: str, value) -> QTreeWidgetItem:
    if isinstance(value, dict):
        item = QTreeWidgetItem([key, f"{{{plural(len(value), 'key')}}}"])
        for k, v in value.items():
            item.addChild(_tree_item(str(k), v))
        return item
    if isinstance(value, list):
        item = QTreeWidgetItem([key, f"[{plural(len(value), 'item')}]"])
        for i, v in enumerate(value):
            item.addChild(_tree_item(str(i), v))
        return item
    item = QTreeWidgetItem([key, shown(value)])
    item.setToolTip(1, shown(value))
    return item
