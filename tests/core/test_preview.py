"""The preview's budget: what Qt's rich-text reader is given is capped, and nothing is lost from sight."""

from hypothesis import given
from hypothesis import strategies as st

from reviewer.core.preview import LIST_ITEMS, RICH_CHARS, TABLE_CELLS, TABLE_DEPTH, plan_preview, table_depth

PIECES = ["- item\n", "| a | b |\n", "<table><tr><td>", "</td></tr></table>", "text\n", "\n", "<p>x</p>", "1. one\n"]


@given(st.lists(st.sampled_from(PIECES), max_size=400), st.booleans())
def test_the_rich_and_text_parts_are_the_body_in_order(pieces, is_html):
    body = "".join(pieces)
    plan = plan_preview(body, is_html)
    assert body.startswith(plan.rich + plan.text)
    assert len(plan.rich) + len(plan.text) + plan.hidden == len(body)
    assert table_depth(plan.rich) <= TABLE_DEPTH
    assert bool(plan.why) == (len(plan.rich) < len(body))


def test_the_issue_bodies_are_capped_before_rendering():
    nested = "<table><tr><td>" * 26 + "x" + "</td></tr></table>" * 26  # 906 bytes hung the window over 90 s
    plan = plan_preview(nested, True)
    assert plan.rich == ""
    assert plan.text == nested
    assert plan.why == "tables nested 26 deep"
    listing = "".join(f"- item {i}\n" for i in range(40_000))  # 42 s whichever tab showed
    plan = plan_preview(listing, False)
    assert plan.rich.count("\n") == LIST_ITEMS
    assert len(plan.rich) < RICH_CHARS
    assert plan.hidden > 0
    cells = "<table>" + "<tr><td>1</td></tr>" * 3000 + "</table>"
    assert plan_preview(cells, True).rich.lower().count("<td") == TABLE_CELLS


def test_an_ordinary_body_is_rendered_whole():
    body = "# Title\n\nSome *words*.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert plan_preview(body, False) == plan_preview(body, False).__class__(body, "", "", 0)
