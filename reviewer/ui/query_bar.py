"""The query bar's help: completion of field names and known values, and Help › Query Language."""

from __future__ import annotations

import html

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from ..core.query import FIELDS, FIXED_VALUES, HELP, quote

VALUED = {"provider.name": "Providers", "topic": "Topics", "type": "Types"}  # fields whose values the folder knows


def token_at(text: str, cursor: int) -> tuple[int, str]:
    """Where the word being typed starts, and the word (up to the cursor).

    >>> token_at('robots provider.name:"Bri', 25)
    (7, 'provider.name:"Bri')
    >>> token_at("quality:>5 -ty", 14)
    (12, 'ty')
    """
    start = cursor
    quoted = text[:cursor].count('"') % 2 == 1
    while start > 0:
        c = text[start - 1]
        if quoted and c == '"':
            quoted = False
        elif not quoted and (c.isspace() or c in "()"):
            break
        start -= 1
    if text[start : start + 1] == "-" and start < cursor:
        start += 1  # a negation is kept: -topic: completes as topic:
    return start, text[start:cursor]


class QueryAssist:
    """Completes the word at the cursor in the query bar: a field name, or after `field:` one of
    its values (true/false, decision kinds, or the folder's providers, topics and types)."""

    def __init__(self, line: QLineEdit):
        self.line = line
        self.values: dict[str, list[str]] = {}
        self.model = QStringListModel()
        self.completer = QCompleter(self.model, line)
        self.completer.setWidget(line)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[str].connect(self.insert)  # type: ignore[index]  # overloaded signal
        self._field = ""  # the field whose value is being completed, or "" for a field name
        self._start = 0
        line.textEdited.connect(lambda _: self.update())

    def set_values(self, counts: dict) -> None:
        """Known values, most frequent first: facet counts over the whole folder."""
        for field, facet in VALUED.items():
            counter = counts.get(facet, {})
            self.values[field] = [v for v, _ in sorted(counter.items(), key=lambda kv: -kv[1]) if v]

    def candidates(self, token: str) -> tuple[str, str, list[str]]:
        """(field, what is typed of the value or field, what may complete it)."""
        if ":" not in token:
            return "", token, [f"{f}:" for f in FIELDS]
        field, _, rest = token.partition(":")
        key = field.lower() if field.lower() in FIXED_VALUES else field
        typed = rest.lstrip("=").lstrip('"')
        if key in FIXED_VALUES:
            return key, typed, list(FIXED_VALUES[key])
        if field in self.values:
            return field, typed, self.values[field]
        return field, typed, []

    def update(self) -> None:
        popup = self.completer.popup()
        assert popup is not None  # a completer always has one
        start, token = token_at(self.line.text(), self.line.cursorPosition())
        field, typed, options = self.candidates(token)
        if not options or (field == "" and not typed):
            popup.hide()
            return
        self._field, self._start = field, start
        self.model.setStringList(options)
        self.completer.setCompletionPrefix(typed)
        if self.completer.completionCount() == 0 or (
            self.completer.completionCount() == 1 and self.completer.currentCompletion() == typed
        ):
            popup.hide()
            return
        rect = self.line.cursorRect()
        rect.setWidth(max(220, popup.sizeHintForColumn(0) + 30))
        self.completer.complete(rect)

    def insert(self, choice: str) -> None:
        text, cursor = self.line.text(), self.line.cursorPosition()
        if self._field and self._field not in FIXED_VALUES:
            word = f"{self._field}:={quote(choice)}"  # a value the folder has: exactly that one
        elif self._field:
            word = f"{self._field}:{choice}"
        else:
            word = choice  # a field name and its colon: its values come next
        end = cursor
        while end < len(text) and not text[end].isspace():
            end += 1
        text = text[: self._start] + word + text[end:]
        self.line.setText(text)
        self.line.setCursorPosition(self._start + len(word))
        self.line.textEdited.emit(text)  # the list follows, as when typed
        if not self._field:
            self.update()  # straight on to the field's values


class QueryHelp(QDialog):
    """Help › Query Language: every kind of term, with examples (the README's table)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Query Language")
        rows = "".join(
            f"<tr><td style='padding:3px 12px 3px 0'><code>{html.escape(example)}</code></td>"
            f"<td style='padding:3px 0'>{html.escape(meaning)}</td></tr>"
            for example, meaning in HELP
        )
        label = QLabel(
            "<p>The query bar (<b>/</b> or Ctrl+F) and <code>reviewer list --query</code> take the same "
            "language. Terms side by side must all match.</p>"
            f"<table>{rows}</table>"
            '<p>Inside quotes, <code>\\"</code> is a quote and <code>\\\\</code> a backslash. '
            "Tab or the arrow keys pick a completion; the sidebar's facets add terms with a click.</p>"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(min(760, label.sizeHint().width() + 40))
