"""A problem's line is where the bad character or value is, counted in characters of the text
with the line breaks YAML counts (\\n, \\r\\n, \\r, U+0085, U+2028, U+2029), whatever came before."""

import re

import pytest

from reviewer.core.library import scan

BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def expected_line(text: str, marker: str) -> int:
    return len(BREAKS.findall(text, 0, text.index(marker))) + 1


CASES = {
    # a control character after non-ASCII text: libyaml reports a byte offset
    "after-accents": ("---\ntitle: Café déjà vu ééé\nnote: ok\nx: a\x01b\n---\n", "\x01"),
    "after-cjk": ("---\ntitle: 東京の記事\n\nx: 一\x02\n---\n", "\x02"),
    "u2028-before": ("---\ntitle: a\u2028b\nx: c\x03\n---\n", "\x03"),
    "nel-before": ("---\ntitle: a\x85b\nx: c\x04\n---\n", "\x04"),
    "cr-only": ("---\rtitle: a\rnote: b\rx: c\x05\r---\r", "\x05"),
    "crlf": ("---\r\ntitle: é\r\nx: c\x06\r\n---\r\n", "\x06"),
    # an alias bomb: the line of its first alias, not the front matter's first line
    "alias-bomb": (
        "---\ntitle: t\nnote: n\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n---\n",
        "*a",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_problem_is_on_the_line_of_its_character(tmp_path, name):
    text, marker = CASES[name]
    (tmp_path / "bad.md").write_bytes(text.encode("utf-8"))
    [problem] = scan(str(tmp_path)).problems
    assert problem.line == expected_line(text, marker), problem.message


def test_a_nul_byte_in_a_cr_only_file_is_on_its_line(tmp_path):
    text = "---\rtitle: a\rnote: b\rx: \x00\r---\r"
    (tmp_path / "bad.md").write_bytes(text.encode())
    [problem] = scan(str(tmp_path)).problems
    assert (problem.kind, problem.line) == ("binary", 4)
