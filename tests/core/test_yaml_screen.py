"""The fast YAML path against the reader it stands in for: every text the screen lets through
must read value for value and type for type as fast_yaml (PyYAML's C parser, YAML 1.1) reads
it, with the same key counts and plain lines; the forms where YAML 1.1 and 1.2 differ never
pass. `make fuzz` runs the whole fuzz corpus (REVIEWER_FUZZ_ALL=1); `make test` a sample."""

from __future__ import annotations

import os
import random
import re
import sys
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.core import yaml_screen
from reviewer.core.fast_yaml import Unusual, fast_load
from reviewer.core.frontmatter_text import FrontMatterError, split
from reviewer.core.yaml_screen import NOT_SCREENED, screened_load
from tests.fuzzing import damaged_articles, seeds
from tests.helpers import CORPUS, EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(yaml_screen.fast_loads() is None, reason="yaml-rs is not installed: no fast path")


def typed(value: Any) -> Any:
    """A value with the type of every part spelled out: 1 and 1.0 and True differ here."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def both_ways(yaml_text: str) -> tuple[bool, Any]:
    """Whether the screen let the text through; and when it did, the two readings compared."""
    counts: dict[Any, int] = {}
    lines: dict[str, int] = {}
    fast = screened_load(yaml_text, counts, lines)
    if fast is NOT_SCREENED:
        return False, None
    old_counts: dict[Any, int] = {}
    old_lines: dict[str, int] = {}
    try:
        old = fast_load(yaml_text, old_counts, old_lines)
    except (Unusual, yaml.YAMLError) as exc:
        return True, f"the old reader refuses what the screen let through: {exc!r}"
    if typed(fast) != typed(old):
        return True, f"values differ: {fast!r} != {old!r}"
    if counts != old_counts or lines != old_lines:
        return True, f"key counts or plain lines differ: {counts}, {lines} != {old_counts}, {old_lines}"
    return True, None


def front_matter(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
        return split(text).yaml_text(text)
    except (UnicodeDecodeError, FrontMatterError):
        return None


# Where YAML 1.1 (PyYAML, Jekyll) and 1.2 (yaml-rs) read the same text differently, or where
# the old reader gives up for the full constructor: none of these may pass the screen.
DIFFERING = [
    "a: yes", "a: no", "a: on", "a: off", "a: NO", "a: Yes", "a: y", "a: n", "a: True", "a: FALSE", "a: Null",
    "a: 017", "a: 0o17", "a: 0x1f", "a: 0b101", "a: 1:20", "a: 190:20:30", "a: 1_000", "a: +1", "a: 1e3",
    "a: 1.5e3", "a: -.5", "a: .5", "a: 1.", "a: .inf", "a: -.Inf", "a: .NaN", "a: 12345678901234567890",
    "<<: {b: 1}", "a: &x 1\nb: *x", "a: !!int 3", "a: !!binary aGVsbG8=", "a: !!python/name:os.system",
    "a: !foo x", "a: 1\na: 2", "? [a, b]\n: c", "a: [1, 2]", "a: {b: c}", "a: |\n  x\n  y", "a: >-\n  x",
    "a: x\n  y", "yes: 1", "on: 1", "1: a", "a: x\u2028y", "a: x\x85y",
    "a:\tb", "a: 1e5", "a: 12e", "a: 1:2:3", "a: \"\\ud83d\\ude00\"", "a: ~x", "a: 1.5.6", "a: 1_2x",
    "a: \"x\"  # c", "a: x # c", "%YAML 1.1\n---\na: 1", "a: =", "a: 'x\n  y'",
]  # fmt: skip


@pytest.mark.parametrize("text", DIFFERING)
def test_the_forms_where_yaml_11_and_12_differ_never_pass_the_screen(text):
    assert screened_load(text) is NOT_SCREENED


SAME = [
    ("title: Hello world\nquality: 37\nheat: 37\npublished: false\n", 2),
    ('title: "Quoted: yes, \\"really\\""\nexcerpt: \'Its\'\n', 0),
    ("publishedDateTime: 2021-01-13T06:54:00Z\ndate: 2021-01-13\nwhen: 2021-01-13 06:54:00\n", 0),
    ("a: 1.50\nb: -0.0\nc: 0\nd: -12\ne: ~\nf:\ng: null\nh: []\ni: {}\nj: true\n", 0),
    ("url: https://example.com/a#b\ntopics:\n  - Azure\n  - AI & ML\nprovider:\n  name: AP\n", 0),
    ("related:\n  - title: x\n    quality: 17\n  -\n  - - nested\n", 0),
    ("yesterday: was\nnobody: came\nonline: true\n", 0),
    ("title: Ünïcödé stays\npublished: true\nquality: 120\n", 2),
    ('a: "x\\N \\x41 \\u00e9 \\U0001F600 \\r\\n \\/"\nname: On MSFT\nsize: 11-50 employees\nprice: $$$$\n', 0),
    ("url: /assets/a.png\ndomain: 13newsnow.com\ntime: 12:30am\n", 0),
]


@pytest.mark.parametrize(("text", "watched"), SAME)
def test_plain_front_matter_passes_and_reads_the_same(text, watched):
    passed, wrong = both_ways(text)
    assert passed
    assert wrong is None
    lines: dict[str, int] = {}
    screened_load(text, plain_lines=lines)
    assert len(lines) == watched


def _articles(folder) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.rglob("*.md"))] if folder.is_dir() else []


def _generated(count: int) -> list[bytes]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import plan, render

    rng = random.Random(11)
    items = plan(rng, count)
    return [render(rng, item, items).encode() for item in items]


def _check(datas: list[bytes]) -> tuple[int, int]:
    """Every text both ways: (how many passed the screen, how many were read); a disagreement fails."""
    passed = read = 0
    for data in datas:
        text = front_matter(data)
        if text is None:
            continue
        read += 1
        went, wrong = both_ways(text)
        passed += went
        assert wrong is None, f"{wrong}\n--- text:\n{text[:2000]}"
    return passed, read


def test_every_real_article_reads_the_same_both_ways():
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; its articles are not compared")
    passed, read = _check(_articles(CORPUS))
    assert read > 800
    assert passed > read * 0.9  # the fast path is for real data: nearly all of it must take it


def test_the_sample_folder_and_generated_articles_read_the_same_both_ways():
    passed, read = _check(_articles(EXAMPLES) + _generated(600))
    assert read >= 600
    assert passed > 0


def test_damaged_articles_read_the_same_both_ways_or_go_the_old_way():
    count = 20_000 if os.environ.get("REVIEWER_FUZZ_ALL") else 1500
    _, read = _check(damaged_articles(count) + seeds())
    assert read > count // 2


def test_the_watched_keys_are_those_of_the_old_reader():
    from reviewer.core.fast_yaml import WATCHED_KEYS

    assert set(yaml_screen.WATCHED) == set(WATCHED_KEYS)


# The characters the screen refuses, as one class over the text (what _refused finds in bytes).
_REFUSED_CHARACTERS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_AROUND = "a:\n\r é\u00a0\u0100\u07ff\u0800\ud7ff\ue000\ufffd\U00010000\U0010ffff"


@settings(max_examples=3000)
@given(st.text(st.one_of(st.characters(), st.sampled_from(_AROUND)), max_size=12))
def test_the_refused_characters_are_found_in_the_bytes_as_in_the_text(text):
    assert yaml_screen._refused(text) == (_REFUSED_CHARACTERS.search(text) is not None)


def test_the_possessive_screen_passes_what_the_same_lines_pass_with_backtracking():
    """Possessive repetitions only where nothing after them could start another way: so not one
    text the backtracking form of the same grammar passes is sent the slow way."""
    unpossessive = yaml_screen._LINE
    made = ("{0,17}+", "[0-9]++)", "[ ]*+(?:", "{0,4}+", "{0,3}+", "{0,24}+", "#[^\\n]*+", "[ ]++", "[ ]*+)", "_-]*+")
    for possessive in made:
        assert possessive in unpossessive, possessive
        greedy = possessive.replace("++", "+").replace("*+", "*").replace("}+", "}")
        unpossessive = unpossessive.replace(possessive, greedy)
    backtracking = re.compile(rf"(?:(?>{unpossessive}(?=\r?\n|\Z))\r?\n)*(?>{unpossessive}\Z)?")
    texts = [front_matter(data) for data in _articles(CORPUS) + _generated(300) + damaged_articles(1500) + seeds()]
    texts = [text for text in texts if text is not None]
    passed = [bool(yaml_screen.document().fullmatch(text)) for text in texts]
    assert passed == [bool(backtracking.fullmatch(text)) for text in texts]
    assert 0 < sum(passed) < len(texts)
