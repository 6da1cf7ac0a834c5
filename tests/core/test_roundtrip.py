"""Every real and bundled file: an edit changes only the edited lines; undoing it restores every byte."""

from pathlib import Path

import pytest

from reviewer.core.library import scan
from reviewer.core.storage import save
from tests.helpers import EXAMPLES, changed_lines, key_of


def _round_trip(root: Path) -> int:
    result = scan(str(root))
    assert result.articles, f"no articles found under {root}"
    for article in result.articles:
        original = Path(article.path).read_bytes()
        quality, published = article.quality, article.published
        article.set("quality", (quality or 0) + 7)
        article.set("published", not published if published is not None else False)
        save(article)
        edited = Path(article.path).read_bytes()
        removed, added = changed_lines(original, edited)
        present = {k for k, v in (("quality", quality), ("published", published)) if v is not None}
        assert sorted(map(key_of, added)) == ["published", "quality"], article.relpath
        assert sorted(map(key_of, removed)) == sorted(present), article.relpath
        if quality is not None and published is not None:
            article.set("quality", quality)
            article.set("published", published)
            save(article)
            assert Path(article.path).read_bytes() == original, article.relpath
    return len(result.articles)


def test_corpus_round_trip_changes_only_edited_lines(corpus_copy):
    assert _round_trip(corpus_copy) >= 100


def test_examples_round_trip_changes_only_edited_lines(tmp_path):
    if not EXAMPLES.is_dir():
        pytest.fail("examples/newsroom is missing")
    from tests.helpers import writable_copy

    assert _round_trip(writable_copy(EXAMPLES, tmp_path / "newsroom")) >= 50
