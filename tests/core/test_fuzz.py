"""Fuzz: damaged articles never make check, list or set raise, every one is listed or named, and
a save changes no byte outside the edited line.

A few hundred cases run with the suite; `make fuzz` runs 10,000 (REVIEWER_FUZZ_CASES).
"""

import json
import os
import random

import pytest

from reviewer.cli import main
from reviewer.core.frontmatter_text import EditError, set_keys
from reviewer.core.library import read_article
from reviewer.core.problems import Problem
from tests.fuzzing import damaged_articles, starts_like_front_matter
from tests.helpers import changed_lines, key_of

CASES = int(os.environ.get("REVIEWER_FUZZ_CASES", "300"))


@pytest.fixture(scope="module")
def inputs():
    return damaged_articles(CASES)


def test_each_damaged_file_is_an_article_or_a_named_problem(tmp_path, inputs):
    unexpected = []
    for i, data in enumerate(inputs):
        path = tmp_path / f"{i:05}.md"
        path.write_bytes(data)
        item = read_article(str(path), str(tmp_path))
        if item is None:
            assert not starts_like_front_matter(data), f"{path.name} is neither listed nor named: {data[:60]!r}"
        elif isinstance(item, Problem):
            assert item.message
            assert "\n" not in item.message
            if item.kind == "unexpected":
                unexpected.append((path.name, item.message))
    assert unexpected == []  # the safety net caught nothing: every failure has a kind of its own


def test_an_edit_of_a_damaged_file_changes_one_line_or_is_refused(tmp_path, inputs):
    rng = random.Random(4)
    for i, data in enumerate(inputs):
        path = tmp_path / f"{i:05}.md"
        path.write_bytes(data)
        article = read_article(str(path), str(tmp_path))
        if article is None or isinstance(article, Problem):
            continue
        text = data.decode("utf-8")
        key = rng.choice(["published", "quality"])
        value = rng.choice([True, False]) if key == "published" else rng.randrange(0, 500)
        try:
            new = set_keys(text, {key: value}, article.original)
        except EditError:
            continue
        if new == text:
            continue  # the value was already there
        removed, added = changed_lines(data, new.encode("utf-8"))
        assert [key_of(line) for line in added] == [key], path.name
        assert [key_of(line) for line in removed] in ([], [key]), path.name


def test_check_list_and_set_run_through_a_folder_of_damaged_files(tmp_path, inputs, capsys):
    root = tmp_path / "site"
    root.mkdir()
    for i, data in enumerate(inputs):
        (root / f"{i:05}.md").write_bytes(data)
    assert main(["check", str(root)]) in (0, 1)
    checked = capsys.readouterr().out
    named = {line.split(":", 1)[0] for line in checked.splitlines()[1:]}
    assert main(["list", str(root), "--json"]) in (0, 1)
    listed = {json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()}
    for i, data in enumerate(inputs):
        name = f"{i:05}.md"
        if starts_like_front_matter(data):
            assert name in listed or name in named, f"{name}: {data[:60]!r}"
    assert main(["set", "--quality", "123", "--where", "", str(root)]) in (0, 1)
    capsys.readouterr()
    for i, data in enumerate(inputs):
        after = (root / f"{i:05}.md").read_bytes()
        if after != data:
            removed, added = changed_lines(data, after)
            assert [key_of(line) for line in added] == ["quality"]
            assert [key_of(line) for line in removed] in ([], ["quality"])
    assert not [n for n in os.listdir(root) if n.endswith(".reviewer-tmp")]
