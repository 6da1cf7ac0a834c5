"""Editing one key: every other byte is preserved; unsafe edits are refused."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.core.frontmatter_text import _ANCHOR, EditError, FrontMatterError, parse, set_keys, split


def edit(text: str, **changes) -> str:
    return set_keys(text, changes)


def test_replaces_only_the_value_keeping_comment_and_trailing_spaces():
    text = "---\ntitle: A\npublished: false   # held back  \nquality: 5\n---\nbody\n"
    assert edit(text, published=True) == "---\ntitle: A\npublished: true   # held back  \nquality: 5\n---\nbody\n"


def test_preserves_crlf_bom_and_missing_final_newline():
    text = "\ufeff---\r\ntitle: 'A'\r\nquality: 7\r\n---"
    assert edit(text, quality=120) == "\ufeff---\r\ntitle: 'A'\r\nquality: 120\r\n---"


def test_inserts_absent_published_after_heat_in_file_line_ending():
    text = "---\r\nquality: 67\r\nheat: -1\r\n\r\nprovider:\r\n  name: X\r\n---\r\n"
    assert edit(text, published=False) == (
        "---\r\nquality: 67\r\nheat: -1\r\npublished: false\r\n\r\nprovider:\r\n  name: X\r\n---\r\n"
    )


def test_inserts_before_closing_fence_when_no_anchor():
    text = "---\ntitle: A\ntopics:\n  - AI\n---\n"
    assert edit(text, quality=30) == "---\ntitle: A\ntopics:\n  - AI\nquality: 30\n---\n"


def test_inserts_when_closing_fence_has_no_newline_and_last_line_lacks_one():
    text = "---\ntitle: A\n---"
    assert edit(text, published=True) == "---\ntitle: A\npublished: true\n---"


def test_quoted_key_is_edited_in_place():
    text = '---\n"quality": 1\n---\n'
    assert edit(text, quality=2) == '---\n"quality": 2\n---\n'


def test_quality_has_no_upper_bound():
    assert "quality: 161000\n" in edit("---\nquality: 16\n---\n", quality=161000)


def test_body_and_other_keys_are_byte_identical():
    text = "---\ndate: 2023-11-07T18:30:00Z\nx: 'single'\ny: \"double\"\nquality: 1\n---\n\n# Body\n---\nquality: 9\n"
    out = edit(text, quality=3)
    assert out == text.replace("quality: 1\n", "quality: 3\n", 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\n{published: false, title: A}\n---\n", "no longer parses"),  # the whole block in flow style
        ("---\nquality:\n  50\n---\n", "span several lines"),
        ("---\npublished: false\npublished: true\n---\n", "'published' appears 2 times"),
        ("---\nquality: [1,\n  2]\n---\n", "flow style"),  # a flow list over two lines
    ],
)
def test_refuses_edits_it_cannot_make_on_one_line(text, reason):
    with pytest.raises(EditError, match=reason):
        edit(text, quality=3, published=True)


def test_nested_key_with_same_name_is_not_touched():
    text = "---\nrelated:\n  - title: B\n    quality: 73\n---\n"
    assert edit(text, quality=10) == "---\nrelated:\n  - title: B\n    quality: 73\nquality: 10\n---\n"


def test_dates_stay_as_written():
    assert parse("d: 2023-11-07T18:30:00Z\ne: 2021-01-09\n") == {"d": "2023-11-07T18:30:00Z", "e": "2021-01-09"}


def test_split_rejects_unclosed_front_matter():
    with pytest.raises(FrontMatterError) as err:
        split("---\ntitle: A\n")
    assert err.value.kind == "unclosed"
    assert err.value.line == 1


def test_invalid_yaml_reports_file_line_and_column():
    with pytest.raises(FrontMatterError) as err:
        parse("title: A\nbad: [1, 2\nx: y\n", first_line=2)
    assert err.value.kind == "invalid-yaml"
    assert err.value.line is not None
    assert err.value.line >= 3
    assert "column" in err.value.message


def test_split_finds_the_fence_in_every_line_ending_style():
    for text, yaml_text, body in [
        ("---\na: 1\n---\nbody", "a: 1\n", "body"),
        ("---\r\na: 1\r\n---  \r\nbody", "a: 1\r\n", "body"),
        ("---\ra: 1\r---\rbody", "a: 1\r", "body"),
        ("---\na: 1\r---\nb: 2\n---\n", "a: 1\r", "b: 2\n---\n"),  # a lone CR ends a line too
        ("---\na: '---'\n----\n...\nbody", "a: '---'\n----\n", "body"),
        ("---\n---", "", ""),
    ]:
        sp = split(text)
        assert (sp.yaml_text(text), text[sp.body_start :]) == (yaml_text, body), text


@settings(max_examples=2000)
@given(st.text(st.sampled_from("&& \n\r\t[]{},:ab-"), max_size=10))
def test_an_anchor_is_found_where_it_starts_a_line_or_follows_a_space_or_bracket(text):
    line_start_first = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.MULTILINE)  # the plain way to say it
    assert bool(_ANCHOR.search(text)) == bool(line_start_first.search(text))


def test_an_alias_in_text_the_screen_refuses_is_still_bounded():
    pairs = zip("abcdefgh", "bcdefghi", strict=True)  # each key nine times the one before it
    lines = ["a: &a [x, x]"] + [f"{k}: &{k} [{', '.join(['*' + p] * 9)}]" for p, k in pairs]
    bomb = "\n".join(lines) + "\n"
    with pytest.raises(FrontMatterError) as caught:
        parse(bomb)
    assert caught.value.kind == "alias-bomb"
