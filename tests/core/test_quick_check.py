"""The shorter check of set_keys: taken for the usual one-line edit, never for anything else,
and always giving exactly the text the full check gives."""

import contextlib
import random

import pytest

from reviewer.core import frontmatter_text
from reviewer.core.frontmatter_text import read, set_keys
from tests.fuzzing import damaged_articles, seeds


def lines_of(text: str) -> tuple[dict, dict]:
    lines: dict = {}
    metadata = read(text, lines)[1]
    return metadata, lines


@pytest.fixture
def quick_calls(monkeypatch):
    """How often the shorter check returned an edit."""
    calls = []
    real = frontmatter_text._replace_plain_values

    def spy(*args):
        result = real(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(frontmatter_text, "_replace_plain_values", spy)
    return calls


def test_the_usual_edit_takes_the_shorter_check(quick_calls):
    text = "---\r\ntitle: A\r\nquality: 40 # from the feed\r\nheat: -1\r\npublished: false\r\n---\r\nBody\r\n"
    metadata, lines = lines_of(text)
    assert lines == {"quality": 1, "published": 3}  # 0-based from the first YAML line
    new = set_keys(text, {"published": True, "quality": 41}, metadata, lines)
    assert new == text.replace("published: false", "published: true").replace("quality: 40", "quality: 41")
    assert quick_calls == [True]


@pytest.mark.parametrize(
    "yaml_text",
    [
        'published: "false"\n',  # quoted
        "published: &p false\nother: *p\n",  # anchored: the alias would change too
        "published: !!bool false\n",  # tagged
        "published:\n  false\n",  # on the next line
        "published: false\n  and more\n",  # a plain scalar over two lines
        "published: false\npublished: true\n",  # twice
        "tags: [a,\npublished: true]\npublished: false\n",  # a look-alike line inside a flow sequence
        "published: [false]\n",
        "published: {a: 1}\n",
    ],
)
def test_anything_unusual_takes_the_full_check(yaml_text, quick_calls):
    text = "---\n" + yaml_text + "---\n"
    try:
        metadata, lines = lines_of(text)
    except frontmatter_text.FrontMatterError:
        return
    with contextlib.suppress(frontmatter_text.EditError):
        set_keys(text, {"published": True}, metadata, lines)
    assert quick_calls in ([], [False])


def test_lines_from_another_text_are_never_trusted(quick_calls):
    text = "---\ntitle: A\npublished: false\n---\n"
    metadata, _ = lines_of(text)
    shifted = {"published": 0}  # as if the file had changed under the recorded lines
    assert set_keys(text, {"published": True}, metadata, shifted) == text.replace("false", "true")
    assert quick_calls == [False]


def test_the_shorter_check_gives_what_the_full_check_gives_on_real_and_damaged_files(quick_calls):
    rng = random.Random(2)
    texts = [s.decode("utf-8", "replace") for s in seeds()]
    texts += [d.decode("utf-8", "replace") for d in damaged_articles(400, seed=3)]
    compared = 0
    for text in texts:
        try:
            metadata, lines = lines_of(text)
        except frontmatter_text.FrontMatterError:
            continue
        for _ in range(3):
            changes = {}
            if rng.random() < 0.7:
                changes["published"] = rng.choice([True, False])
            if rng.random() < 0.6 or not changes:
                changes["quality"] = rng.randrange(0, 3000)
            try:
                full = set_keys(text, changes, metadata)
            except frontmatter_text.EditError:
                full = None
            try:
                quick = set_keys(text, changes, metadata, lines)
            except frontmatter_text.EditError:
                quick = None
            assert quick == full
            compared += 1
    assert compared > 300
    assert sum(quick_calls) > 100  # the shorter check was taken, not only declined
