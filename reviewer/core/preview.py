"""How much of an article's body the preview renders as Markdown or HTML, and what it shows as text.

Qt's rich-text reader is fast on ordinary bodies and slow on a few shapes, measured here on a
600-pixel preview: nested HTML tables double in time with each level (12 levels 31 ms, 14
levels 123 ms, 26 levels minutes), a Markdown list grows with the square of its items (1,000
items 16 ms, 5,000 items 262 ms, 20,000 items 9.5 s) and so does a Markdown table (2,000 rows
532 ms). The body comes from a third party, so the part rendered is capped before Qt sees it:
tables nested at most TABLE_DEPTH deep, at most RICH_CHARS characters, LIST_ITEMS list items
and TABLE_ROWS table rows; the rest is shown as plain text after a line that says why. Laying
out plain text still costs the window's thread about 1 ms per 5,000 characters and more for
many short lines, so the text shown stops at TEXT_CHARS characters or TEXT_LINES lines; a last
line says how much more the file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RICH_CHARS = 60_000
TABLE_DEPTH = 8  # 2.1 ms at 8 levels
LIST_ITEMS = 1_500
TABLE_ROWS = 100
TABLE_CELLS = 300  # HTML: each cell is laid out on the window's thread (3,000 rows: 211 ms)
TABLES = 20  # HTML: 100 tables nested 8 deep: 777 ms
TEXT_CHARS = 60_000
TEXT_LINES = 1_500

_TABLE_TAG = re.compile(r"<(/?)table\b", re.IGNORECASE)
_CELL_TAG = re.compile(r"<t[dh]\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
_TABLE_ROW = re.compile(r"[ \t]*\|")


@dataclass(frozen=True)
class PreviewPlan:
    rich: str  # rendered as Markdown or HTML
    text: str  # shown as plain text after it ('' when everything is rendered)
    why: str  # why the text part is not rendered ('' when there is none)
    hidden: int = 0  # characters after the text part, not shown at all (only when there is a text part)


def table_depth(html: str) -> int:
    """How deep HTML tables nest.

    >>> table_depth("<table><tr><td><TABLE></table></table><table></table>")
    2
    """
    depth = deepest = 0
    for match in _TABLE_TAG.finditer(html):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def plan_preview(body: str, is_html: bool) -> PreviewPlan:
    """The part of `body` to render and the part to show as text.

    >>> plan_preview("# Title\\n\\nText", False).text
    ''
    >>> plan = plan_preview("<table>" * 30 + "x", False)
    >>> plan.rich, plan.why
    ('', 'tables nested 30 deep')
    >>> plan = plan_preview("word\\n" * 50_000, False)
    >>> len(plan.rich), len(plan.text), plan.hidden
    (60000, 7500, 182500)
    >>> plan = plan_preview("- a\\n" * 2000, False)
    >>> plan.rich.count("\\n"), plan.why
    (1500, 'more than 1,500 list items')
    """
    depth = table_depth(body)  # Markdown too: Qt reads the HTML in it
    if depth > TABLE_DEPTH:
        return _with_text("", body, f"tables nested {depth} deep")
    cut, why = len(body), ""
    if len(body) > RICH_CHARS:
        cut, why = _line_end_before(body, RICH_CHARS), f"longer than {RICH_CHARS:,} characters"
    cut, why = _html_cut(body, cut, why)
    if not is_html:
        cut, why = _markdown_cut(body, cut, why)
    return _with_text(body[:cut], body[cut:], why if cut < len(body) else "")


def _with_text(rich: str, rest: str, why: str) -> PreviewPlan:
    """The plan, its text part cut at TEXT_CHARS characters or TEXT_LINES lines."""
    cut = min(len(rest), TEXT_CHARS)
    lines_end = -1
    for _ in range(TEXT_LINES):
        lines_end = rest.find("\n", lines_end + 1, cut)
        if lines_end < 0:
            break
    else:
        cut = lines_end + 1
    if cut < len(rest):
        cut = _line_end_before(rest, cut) if "\n" in rest[:cut] else cut
    return PreviewPlan(rich, rest[:cut], why, len(rest) - cut)


def _line_end_before(body: str, limit: int) -> int:
    end = body.rfind("\n", 0, limit)
    return end + 1 if end > 0 else limit


def _html_cut(body: str, cut: int, why: str) -> tuple[int, str]:
    """The rich part ends before the table or the cell one too many."""
    for pattern, limit, what in ((_TABLE_TAG, TABLES, "tables"), (_CELL_TAG, TABLE_CELLS, "table cells")):
        opened = (m.start() for m in pattern.finditer(body, 0, cut) if not m.group(0).startswith("</"))
        for n, start in enumerate(opened, 1):
            if n > limit:
                cut, why = start, f"more than {limit:,} {what}"
                break
    return cut, why


def _markdown_cut(body: str, cut: int, why: str) -> tuple[int, str]:
    """The rich part ends before the line that holds one list item or table row too many."""
    items = rows = 0
    start = 0
    while start < cut:
        end = body.find("\n", start, cut)
        end = cut if end < 0 else end + 1
        if _LIST_ITEM.match(body, start):
            items += 1
            if items > LIST_ITEMS:
                return start, f"more than {LIST_ITEMS:,} list items"
        elif _TABLE_ROW.match(body, start):
            rows += 1
            if rows > TABLE_ROWS:
                return start, f"more than {TABLE_ROWS:,} table rows"
        start = end
    return cut, why
