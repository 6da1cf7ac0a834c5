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
