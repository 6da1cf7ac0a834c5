"""Dialogs: conflicts, a problem file's text, keyboard shortcuts, preferences."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QIntValidator,
    QKeySequence,
    QPainter,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.article import Article
from ..core.preferences import PREFERENCES, Preference
from ..core.problems import Problem
from ..words import QUALITY_MAX, plural, shorten, shown
from .actions import ACTIONS


def describe_disk_change(read: dict, disk: dict | None) -> str:
    """The keys that differ between the file as read and as it is now, for a person."""
    if disk is None:
        return "The file was deleted or can no longer be parsed."
    keys = [k for k in dict.fromkeys([*read, *disk]) if read.get(k) != disk.get(k)]
    if not keys:
        return "Only its formatting changed on disk."
    lines = [
        f"{k}: {shorten(shown(read.get(k), '(absent)'), 60)} → {shorten(shown(disk.get(k), '(absent)'), 60)}"
        for k in keys[:8]
    ]
    if len(keys) > 8:
        lines.append(f"… and {len(keys) - 8} more keys")
    return "\n".join(lines)


class ConflictDialog(QDialog):
    """Files changed on disk since they were read: for each, keep my edit or take theirs.

    Keep mine writes my edit into the file as it is now (their other changes stay); take
    theirs drops my edit and reads the file again. Each file starts at the choice that loses
    nobody's work: keep mine when they changed other keys, take theirs when they changed a
    key I edited (or the file is gone). Enter is Cancel: the edits stay pending.
    """

    MINE, THEIRS = "mine", "theirs"

    def __init__(self, conflicts: list, disk_metadata, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Changed on Disk")
        self.conflicts = conflicts
        layout = QVBoxLayout(self)
        n = len(conflicts)
        intro = QLabel(
            f"<b>{plural(n, 'file')} changed on disk since Reviewer read {'them' if n != 1 else 'it'}.</b> "
            "Your edits were not saved. For each file: <i>Keep mine</i> writes your edit into the file as it is "
            "now (its other changes stay); <i>Take theirs</i> drops your edit and reads the file again."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Article", "Your edit", "Changed on disk", "Keep"])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setAccessibleName("Files changed on disk")
        self.choosers: list[QComboBox] = []
        for article in conflicts:
            disk = disk_metadata(article)
            mine = "\n".join(f"{k} → {shown(v, '(absent)')}" for k, v in article.edits.items())
            theirs = describe_disk_change(article.original, disk)
            item = QTreeWidgetItem([f"{article.title or article.relpath}\n{article.relpath}", mine, theirs, ""])
            item.setToolTip(0, article.path)
            self.tree.addTopLevelItem(item)
            chooser = QComboBox()
            chooser.addItem("Keep mine", self.MINE)
            chooser.addItem("Take theirs", self.THEIRS)
            touched = disk is None or any(disk.get(k) != article.original.get(k) for k in article.edits)
            chooser.setCurrentIndex(1 if touched else 0)
            chooser.setAccessibleName(f"Keep for {article.relpath}")
            self.tree.setItemWidget(item, 3, chooser)
            self.choosers.append(chooser)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree)
        buttons = QDialogButtonBox()
        all_mine = buttons.addButton("Keep Mine for All", QDialogButtonBox.ButtonRole.ActionRole)
        all_theirs = buttons.addButton("Take Theirs for All", QDialogButtonBox.ButtonRole.ActionRole)
        apply = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        for button in (all_mine, all_theirs, apply):
            button.setAutoDefault(False)
        cancel.setDefault(True)  # Enter never overwrites anything
        self.cancel_button = cancel
        all_mine.clicked.connect(lambda: self.choose_all(self.MINE))
        all_theirs.clicked.connect(lambda: self.choose_all(self.THEIRS))
        apply.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 420)

    def choose_all(self, choice: str) -> None:
        for chooser in self.choosers:
            chooser.setCurrentIndex(chooser.findData(choice))

    def choices(self) -> list[tuple[Article, str]]:
        """(article, MINE or THEIRS) for each file, as chosen."""
        return [(a, c.currentData()) for a, c in zip(self.conflicts, self.choosers, strict=True)]


class QualityDialog(QDialog):
    """`q`: type a quality for the articles; it starts at their common value, or empty when they differ."""

    def __init__(self, articles: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Set Quality")
        values = {a.quality for a in articles}
        common = next(iter(values)) if len(values) == 1 else None
        known = sorted(v for v in values if v is not None)
        layout = QFormLayout(self)
        self.edit = QLineEdit("" if common is None else str(common))
        self.edit.setValidator(QIntValidator(0, QUALITY_MAX, self))
        self.edit.setAccessibleName("Quality")
        if len(values) > 1 and known:
            self.edit.setPlaceholderText(f"mixed: {known[0]}–{known[-1]}")
        self.edit.selectAll()
        layout.addRow(f"Quality for {plural(len(articles), 'article')}:", self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def value(self) -> int | None:
        text = self.edit.text().strip()
        return int(text) if text.isdigit() else None


class KeepBestDialog(QDialog):
    """`b`: a same-story cluster side by side, the article to keep chosen (the best by quality,
    then date), each row's fate shown; choosing another row keeps that one. Cancel is the
    default: nothing is decided on a guess without the editor's yes."""

    COLUMNS = ("Fate", "Title", "Provider", "Date", "Quality", "Published", "File")

    def __init__(self, cluster: list[Article], best: Article, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keep the Best, Reject the Rest")
        self.cluster, self.kept = list(cluster), best
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"These {len(cluster)} articles look like one story. Keep the one chosen (click another "
            "row to keep that one instead) and reject the others? This is one step you can undo."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(cluster), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Articles of the story")
        for row, article in enumerate(cluster):
            published = "unset" if article.published is None else "yes" if article.published else "no"
            quality = "" if article.quality is None else str(article.quality)
            values = ("", article.title, article.provider.name, article.date[:10], quality, published, article.relpath)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_: self._keep(row))
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)
        cancel.setAutoDefault(True)
        self.go.setAutoDefault(False)
        layout.addWidget(buttons)
        self.table.setCurrentCell(cluster.index(best), 1)
        self._keep(cluster.index(best))
        self.resize(900, 120 + 30 * min(len(cluster), 12))
        cancel.setFocus()

    def _keep(self, row: int) -> None:
        if not 0 <= row < len(self.cluster):
            return
        self.kept = self.cluster[row]
        for r in range(len(self.cluster)):
            item = self.table.item(r, 0)
            if item is not None:
                item.setText("Keep" if r == row else "Reject")
        self.go.setText(f"Keep 1, Reject {len(self.cluster) - 1}")

    def fates(self) -> list[str]:
        """Each row's fate as shown: Keep or Reject."""
        items = (self.table.item(r, 0) for r in range(len(self.cluster)))
        return [item.text() if item is not None else "" for item in items]


class ProblemDialog(QDialog):
    """A file that could not be read: its text, with the problem's line marked."""

    def __init__(self, problem: Problem, parent=None):
        super().__init__(parent)
        self.setWindowTitle(problem.relpath)
        layout = QVBoxLayout(self)
        where = f"line {problem.line}: " if problem.line else ""
        label = QLabel(f"<b>{html.escape(problem.label)}</b> — {html.escape(where + problem.message)}")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlainText(_read_for_display(problem.path))
        layout.addWidget(self.text)
        if problem.line:
            self._mark(problem.line)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def _mark(self, line: int) -> None:
        block = self.text.document().findBlockByLineNumber(line - 1)
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(QColor(255, 205, 210))
        selection.format.setForeground(QColor(0, 0, 0))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.cursor = cursor
        self.text.setExtraSelections([selection])
        self.text.setTextCursor(cursor)
        self.text.centerCursor()

    @property
    def marked_line(self) -> int | None:
        selections = self.text.extraSelections()
        return selections[0].cursor.blockNumber() + 1 if selections else None


def _read_for_display(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(1_000_000)
    except OSError as exc:
        return f"(the file cannot be read: {exc.strerror or exc})"
    if b"\x00" in data[:8192]:
        return "(binary content, not shown)"
    return data.decode("utf-8", errors="replace")


def _field(preference: Preference, value: Any) -> QWidget:
    """The widget that edits one preference, showing `value`."""
    field: QWidget
    if preference.choices:
        field = QComboBox()
        for key, text in preference.choices:
            field.addItem(text, key)
        field.setCurrentIndex(max(0, field.findData(value)))
    elif preference.kind is bool:
        field = QCheckBox(preference.label)
        field.setChecked(bool(value))
    elif preference.kind is int:
        field = QSpinBox()
        field.setRange(int(preference.low or 0), int(preference.high or 2**31 - 1))
        field.setValue(int(value))
        field.setSuffix(preference.suffix)
        field.setMaximumWidth(140)
    elif preference.kind is float:
        field = QDoubleSpinBox()
        field.setRange(preference.low or 0.0, preference.high or 1.0)
        field.setSingleStep(0.05)
        field.setDecimals(2)
        field.setValue(float(value))
    else:
        field = QLineEdit(str(value))
        field.setPlaceholderText(preference.placeholder)
    field.setAccessibleName(preference.label)
    field.setToolTip(preference.tip)
    return field


def _field_value(field: QWidget) -> Any:
    if isinstance(field, QComboBox):
        return field.currentData()
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, QDoubleSpinBox):
        return round(field.value(), 2)
    if isinstance(field, QSpinBox):
        return field.value()
    assert isinstance(field, QLineEdit)
    return field.text()


class PreferencesDialog(QDialog):
    """Saving, remote images, batch confirmation, and every action's keys."""

    def __init__(self, settings, actions: dict, parent=None, detected_editor: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        tabs = QTabWidget()
        general = QWidget()
        form = QFormLayout(general)
        # One field a preference, made from its declaration (core.preferences)
        self.fields: dict[str, QWidget] = {}
        for preference in PREFERENCES:
            field = _field(preference, getattr(settings, preference.key))
            if isinstance(field, QLineEdit) and preference.key == "editor_name" and detected_editor:
                field.setPlaceholderText(f"{detected_editor}: {preference.placeholder}")
            self.fields[preference.key] = field
            if isinstance(field, QCheckBox):
                form.addRow(field)
            else:
                form.addRow(preference.label, field)
        tabs.addTab(general, "General")

        self.keys = QTableWidget(len(ACTIONS), 3)
        self.keys.setHorizontalHeaderLabels(["Action", "Key", "Also"])
        self.keys.verticalHeader().hide()
        self.editors: dict[str, tuple[QKeySequenceEdit, QKeySequenceEdit]] = {}
        for row, spec in enumerate(ACTIONS):
            name = spec.text.replace("&", "")
            self.keys.setItem(row, 0, QTableWidgetItem(name))
            current = list(actions[spec.id].shortcuts())
            pair = []
            for column, label in ((1, "Key"), (2, "Other key")):
                editor = QKeySequenceEdit(current[column - 1] if len(current) >= column else QKeySequence())
                editor.setMaximumSequenceLength(1)  # one key combination, not a chord
                editor.setClearButtonEnabled(True)
                editor.setAccessibleName(f"{label} for {name}")
                self.keys.setCellWidget(row, column, editor)
                pair.append(editor)
            self.editors[spec.id] = (pair[0], pair[1])
        header = self.keys.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        keys_tab = QWidget()
        keys_layout = QVBoxLayout(keys_tab)
        keys_layout.addWidget(self.keys)
        defaults = QPushButton("Restore Default Keys")
        defaults.clicked.connect(self._restore_defaults)
        keys_layout.addWidget(defaults)
        tabs.addTab(keys_tab, "Keys")

        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        self.clash = QLabel()
        self.clash.setStyleSheet("color: #c62828;")
        self.clash.setWordWrap(True)
        self.clash.hide()
        layout.addWidget(self.clash)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.tabs = tabs
        tabs.currentChanged.connect(self._fit_tab)
        self._fit_tab(0)

    def _fit_tab(self, index: int) -> None:
        """The dialog as tall as the tab shown needs: General is short, Keys a long table."""
        for i in range(self.tabs.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            page = self.tabs.widget(i)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.tabs.adjustSize()
        hint = self.sizeHint()
        self.resize(max(620, hint.width()), hint.height() + (220 if index == 1 else 0))

    def chosen_keys(self, action_id: str) -> list[str]:
        """The keys typed for an action, in order, as Qt writes them portably."""
        texts = (e.keySequence().toString(QKeySequence.SequenceFormat.PortableText) for e in self.editors[action_id])
        return list(dict.fromkeys(t for t in texts if t))

    def clashes(self) -> list[str]:
        """Keys given to more than one action: Qt would run neither, so they are refused."""
        owners: dict[str, list[str]] = {}
        for spec in ACTIONS:
            for key in self.chosen_keys(spec.id):
                shown_key = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
                owners.setdefault(shown_key, []).append(spec.text.replace("&", ""))
        return [f"{key}: {', '.join(names)}" for key, names in owners.items() if len(names) > 1]

    def accept(self) -> None:
        clashes = self.clashes()
        if clashes:
            self.clash.setText("Each key can do one thing. Change these first: " + "; ".join(clashes))
            self.clash.show()
            return
        super().accept()

    def _restore_defaults(self) -> None:
        for spec in ACTIONS:
            for i, editor in enumerate(self.editors[spec.id]):
                editor.setKeySequence(QKeySequence(spec.keys[i]) if len(spec.keys) > i else QKeySequence())

    def apply(self, actions: dict) -> None:
        from .actions import BY_ID, apply_keys

        appearance = self.settings.appearance
        for preference in PREFERENCES:
            setattr(self.settings, preference.key, _field_value(self.fields[preference.key]))
        if self.settings.appearance != appearance:
            from .application import apply_appearance

            apply_appearance(self.settings.appearance)
        portable = QKeySequence.SequenceFormat.PortableText
        for action_id in self.editors:
            spec = BY_ID[action_id]
            chosen = self.chosen_keys(action_id)
            if chosen == [k.toString(portable) for k in actions[action_id].shortcuts()]:
                continue
            default = [QKeySequence(k).toString(portable) for k in spec.keys]
            keys = None if chosen == default else chosen
            self.settings.set_shortcuts(action_id, keys)
            apply_keys(actions[action_id], spec, keys)


class ShortcutsOverlay(QWidget):
    """The keys, drawn over the window (`?`); any key or click puts it away.

    The table flows into as many columns as the window's height needs, and scrolls when even
    that is not enough: every key stays readable in a 1024x640 window.
    """

    def __init__(self, actions: dict, parent: QWidget):
        super().__init__(parent)
        self.host = parent
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setObjectName("shortcuts-overlay")
        self.setStyleSheet(
            "#shortcuts-overlay { background: rgba(0, 0, 0, 140); }"
            "QScrollArea, #keys-page, QWidget#qt_scrollarea_viewport { background: transparent; }"
            "QLabel#keys { color: white; background: #1f2429; border-radius: 10px; padding: 18px; }"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Keyboard shortcuts")
        self.rows: list[tuple[str, str]] = []
        for spec in ACTIONS:
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in actions[spec.id].shortcuts())
            if keys:
                self.rows.append((keys, spec.tip))
        self.rows += [
            ("0–9", "Type a quality (7 5 sets 75); Enter or a pause commits"),
            ("Down, Up, Home, End", "Next, previous, first, last article"),
            ("Shift+Down, Shift+Up", "Select several articles: the keys then act on all of them"),
            ("Esc", "From the query bar or the detail pane back to the list"),
            ("Tab", "Views, query bar, list, detail pane in turn"),
        ]
        self.label = QLabel()
        self.label.setObjectName("keys")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.scroller = QScrollArea()
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget()
        inner.setObjectName("keys-page")  # transparent, while the scroll bar keeps its look
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.addStretch(1)
        column.addWidget(self.label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.scroller.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.scroller)

    def _text(self, columns: int) -> str:
        per = -(-len(self.rows) // columns)
        cells = []
        for r in range(per):
            row = []
            for c in range(columns):
                i = c * per + r
                keys, tip = self.rows[i] if i < len(self.rows) else ("", "")
                row.append(
                    f"<td align='right' style='padding:1px 8px 1px 14px'><b>{html.escape(keys)}</b></td>"
                    f"<td style='padding:1px'>{html.escape(tip)}</td>"
                )
            cells.append("<tr>" + "".join(row) + "</tr>")
        return (
            "<b style='font-size:large'>Keyboard shortcuts</b><table>" + "".join(cells) + "</table>"
            "<p style='color:#bbb'>Any key or a click closes this. Rebind keys in Edit › Preferences.</p>"
        )

    def layout_for(self, width: int, height: int) -> int:
        """The fewest columns whose table fits `height` within `width` (tips wrap to fit); when
        none fits, the shortest, which scrolls. Returns the columns used."""
        self.label.setWordWrap(True)
        best: tuple[int, int] | None = None  # (height, columns)
        for columns in (1, 2, 3):
            tall = self._lay_out(columns, width)
            if tall < 0:  # even wrapped, this many columns are wider than the window
                break
            if tall <= height - 24:
                return columns
            if best is None or tall < best[0]:
                best = (tall, columns)
        assert best is not None
        self._lay_out(best[1], width)
        return best[1]

    def _lay_out(self, columns: int, width: int) -> int:
        """Sets the table in `columns` as wide as it needs, up to `width`; its height, or -1
        when the columns cannot be made that narrow."""
        text = self._text(columns)
        doc = QTextDocument()
        doc.setDefaultFont(self.label.font())
        doc.setHtml(text)
        frame = 2 * 18 + 2  # the label's padding (its style sheet) and border
        wide = min(int(doc.idealWidth()) + frame, width - 24)
        doc.setTextWidth(wide - frame)
        if doc.idealWidth() > wide - frame + 1:
            return -1
        self.label.setText(text)
        self.label.setFixedWidth(wide)
        return self.label.heightForWidth(wide)

    def show_over(self) -> None:
        self.setGeometry(self.host.rect())
        self.layout_for(self.width(), self.height())
        self.raise_()
        self.show()
        self.setFocus()

    def keyPressEvent(self, event) -> None:
        bar = self.scroller.verticalScrollBar()
        steps = {
            Qt.Key.Key_Down: bar.singleStep(),
            Qt.Key.Key_Up: -bar.singleStep(),
            Qt.Key.Key_PageDown: bar.pageStep(),
            Qt.Key.Key_PageUp: -bar.pageStep(),
        }
        if event.key() in steps and bar.maximum() > 0:  # a table taller than the window scrolls
            bar.setValue(bar.value() + steps[event.key()])
            return
        self.close_overlay()

    def mousePressEvent(self, event) -> None:
        self.close_overlay()

    def paintEvent(self, event) -> None:
        """The window behind dims, so the keys read as the one thing on screen."""
        QPainter(self).fillRect(self.rect(), QColor(0, 0, 0, 140))

    def close_overlay(self) -> None:
        self.hide()
        self.deleteLater()
        self.host.setFocus()
