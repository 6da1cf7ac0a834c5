"""fast_load builds exactly what PyYAML's safe loader builds, or passes the document on."""

import os

import pytest
import yaml

from reviewer.core.fast_yaml import Loader, Unusual, fast_load
from reviewer.core.frontmatter_text import parse, split
from tests.helpers import CORPUS, EXAMPLES

ODD = [
    "a: 1\nb: 0x1F\nc: 0o17\nd: 017\ne: 1_000\nf: 190:20:30\ng: -.inf\nh: 1.5e3\ni: .nan\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: ~\nf: null\ng:\nh: ''\ni: 'true'\n",
    "a: &x [1, 2]\nb: *x\nc: &s text\nd: *s\n",
    "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n",
    "a: !!str 12\nb: !!int '7'\nc: !!binary aGk=\nd: !!set {x, y}\n",
    "? [1, 2]\n: complex key\n",
    "a: 2023-11-07T18:30:00Z\nb: 2021-01-09\n",
    "just a string\n",
    "- 1\n- 2\n",
    "",
    "a: 1\n---\nb: 2\n",
    'title: "caf\\u00e9 \\"quoted\\""\nx: |\n  block\n  text\ny: >\n  folded\n',
]


def full(text):
    return yaml.load(text, Loader=Loader)


@pytest.mark.parametrize("text", ODD)
def test_matches_the_safe_loader_or_passes(text):
    try:
        expected = full(text)
    except yaml.YAMLError:
        with pytest.raises((yaml.YAMLError, Unusual)):
            fast_load(text)
        return
    try:
        got = fast_load(text)
    except Unusual:  # handed on to the full loader; any other exception fails the test
        return
    assert got == expected
    assert repr(got) == repr(expected)  # same types too: 1 vs True vs 1.0


def _real_front_matter():
    for base in (CORPUS, EXAMPLES):
        for folder, _, files in os.walk(base):
            for name in files:
                if name.endswith((".md", ".txt", ".html")):
                    with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                        text = fh.read()
                    try:
                        sp = split(text)
                    except Exception:
                        continue
                    yield sp.yaml_text(text)


def test_matches_the_safe_loader_on_every_real_file():
    texts = list(_real_front_matter())
    assert len(texts) >= 50
    for text in texts:
        try:
            expected = full(text)
        except yaml.YAMLError:
            continue
        if isinstance(expected, dict) or expected is None:
            assert parse(text) == (expected or {})
