"""How values and counts read to an editor: one home for the words the command line and the window share."""

from __future__ import annotations

from typing import Any

from .core.frontmatter_text import UNSET

# No upper limit for quality in practice; a spin box or a dialog needs some bound.
QUALITY_MAX = 2_000_000_000
STATUS_WORDS = {True: "published", False: "unpublished", None: "unset"}


def plural(n: int, thing: str, things: str | None = None) -> str:
    """
    >>> plural(1, "article"), plural(1200, "file"), plural(0, "query", "queries")
    ('1 article', '1,200 files', '0 queries')
    """
    return f"{n:,} {thing if n == 1 else things or thing + 's'}"


def shorten(text: str, n: int) -> str:
    """`text` cut to `n` characters, the cut shown by an ellipsis.

    >>> shorten("a long title", 7)
    'a long…'
    """
    return text if len(text) <= n else text[: n - 1] + "…"


def shown(value: Any, absent: str = "unset") -> str:
    """A value as the editor reads it in YAML terms: true/false, numbers, text; `absent` for none.

    >>> shown(True), shown(None), shown(67), shown(None, "(absent)")
    ('true', 'unset', '67', '(absent)')
    """
    if value is None or value is UNSET:
        return absent
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def status_word(published: bool | None) -> str:
    return STATUS_WORDS[published]


def caret_line(text: str, position: int) -> str:
    """Where in a query its error is, as two lines: the query, and a caret under the position.

    >>> print(caret_line("(quality:>20", 0))
    (quality:>20
    ^
    """
    return f"{text}\n{' ' * position}^"


def marked(text: str, position: int) -> str:
    """The query with a mark where its error is, on one line (a label in a proportional font).

    >>> marked("quality:>x", 9)
    'quality:>▸x'
    """
    return f"{text[:position]}▸{text[position:]}"


DECISION_WORDS = {
    "approve": "Approved",
    "reject": "Rejected",
    "publish": "Published",
    "unpublish": "Unpublished",
    "quality": "Quality changed",
}


def local_time(utc: str) -> str:
    """A logged UTC time as the editor's local time, to the minute; as written when it is not a time.

    >>> local_time("not a time")
    'not a time'
    """
    from datetime import datetime

    try:
        when = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return utc
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


def decision_line(decision: str, editor: str, utc: str, changes: dict[str, list[Any]] | None = None) -> str:
    """One decision as the detail pane lists it.

    >>> decision_line("reject", "ana", "2026-11-28 14:02")
    'Rejected by ana · 2026-11-28 14:02'
    >>> decision_line("quality", "bo", "x", {"quality": [67, 72]})
    'Quality changed by bo · x · quality 67 → 72'
    """
    text = f"{DECISION_WORDS.get(decision, decision)} by {editor} · {local_time(utc)}"
    for key, pair in (changes or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            text += f" · {key} {shown(pair[0])} → {shown(pair[1])}"
    return text
