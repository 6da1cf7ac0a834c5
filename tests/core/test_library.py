"""Scanning: what counts as an article, what is skipped, and one problem per kind of bad input."""

import os
from pathlib import Path

import pytest

from reviewer.core.library import MAX_FILE_SIZE, scan


def write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def only_problem(root):
    result = scan(str(root))
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_articles_skipped_files_and_skipped_folders(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\npublished: false\n---\n")
    write(tmp_path, "sub/b.markdown", "\ufeff---\ntitle: B\n---\n")
    write(tmp_path, "c.html", "---\ntitle: C\n---\n<p>x</p>")
    write(tmp_path, "notes.md", "# no front matter\n")
    write(tmp_path, "logo.png", b"\x89PNG....")
    for hidden in (".git/x.md", "_site/x.md", "node_modules/x.md", ".cache/x.md", "vendor/x.md"):
        write(tmp_path, hidden, "---\ntitle: hidden\n---\n")
    result = scan(str(tmp_path))
    assert [a.relpath for a in result.articles] == ["a.md", "c.html", "sub/b.markdown"]
    assert result.skipped == 2
    assert result.problems == []
    assert result.articles[0].published is False
    assert result.articles[2].published is None


def test_published_absent_is_none_and_quality_above_100_is_kept(tmp_path):
    write(tmp_path, "a.md", "---\nquality: 161\n---\n")
    article = scan(str(tmp_path)).articles[0]
    assert article.published is None
    assert article.quality == 161


@pytest.mark.parametrize(
    ("content", "kind", "line"),
    [
        ("---\ntitle: A\nbad: [1\n---\n", "invalid-yaml", 4),
        ("---\ntitle: A\n", "unclosed", 1),
        (b"---\ntitle: caf\xe9\n---\n", "not-utf8", 2),
        (b"---\n\x00\x01\x02\n---\n", "binary", 2),
        ("---\n- a\n- b\n---\n", "not-mapping", 2),
        ("---\nx: !!python/object/apply:os.system ['true']\n---\n", "unsafe-tag", 2),
        ("---\nx: !custom 1\n---\n", "unsafe-tag", 2),
    ],
)
def test_each_bad_input_becomes_a_problem_with_a_line(tmp_path, content, kind, line):
    write(tmp_path, "bad.md", content)
    write(tmp_path, "good.md", "---\ntitle: fine\n---\n")
    problem = only_problem(tmp_path)
    assert (problem.kind, problem.line) == (kind, line)
    assert problem.relpath == "bad.md"
    assert problem.message
    assert problem.format().startswith("bad.md")


def test_billion_laughs_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    write(tmp_path, "bomb.md", "---\n" + "\n".join(lines) + "\n---\n")
    assert only_problem(tmp_path).kind == "alias-bomb"


def test_recursive_alias_is_refused(tmp_path):
    write(tmp_path, "loop.md", "---\na: &a [*a]\n---\n")
    assert only_problem(tmp_path).kind == "alias-bomb"


def test_file_over_size_limit(tmp_path):
    write(tmp_path, "big.md", "---\ntitle: big\n---\n" + "x" * (MAX_FILE_SIZE + 1))
    assert only_problem(tmp_path).kind == "too-large"


def test_broken_symlink_and_loop(tmp_path):
    os.symlink(tmp_path / "missing.md", tmp_path / "broken.md")
    os.symlink(tmp_path / "l2.md", tmp_path / "l1.md")
    os.symlink(tmp_path / "l1.md", tmp_path / "l2.md")
    kinds = sorted(p.kind for p in scan(str(tmp_path)).problems)
    assert kinds == ["broken-link", "link-loop", "link-loop"]


def test_directory_symlink_loop_is_visited_once(tmp_path):
    write(tmp_path, "sub/a.md", "---\ntitle: A\n---\n")
    os.symlink(tmp_path, tmp_path / "sub" / "back")
    result = scan(str(tmp_path))
    assert [a.relpath for a in result.articles] == ["sub/a.md"]


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.md", "---\ntitle: A\n---\n")
    real_open = os.open

    def refusing_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    problem = only_problem(tmp_path)
    assert (problem.kind, problem.message) == ("unreadable", "Permission denied")


def test_fifo_is_skipped_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    write(tmp_path, "a.md", "---\ntitle: A\n---\n")
    result = scan(str(tmp_path))
    assert len(result.articles) == 1
    assert result.skipped == 1


def test_parallel_scan_gives_the_same_result(tmp_path, monkeypatch):
    from reviewer.core import library

    monkeypatch.setattr(library, "PARALLEL_CHUNK", 1)  # worker processes even for a few files
    monkeypatch.setattr(library, "CHUNK", 7)  # several chunks in flight, in order
    monkeypatch.setattr(library, "FIRST_CHUNK", 2)  # growing to CHUNK: 2, 4, 7, 7, ...
    for i in range(30):
        write(tmp_path, f"y/{i:03}.md", f"---\ntitle: T{i}\nquality: {i}\n---\n")
    write(tmp_path, "y/bad.md", "---\nx: [\n---\n")
    serial = [(a.relpath, a.quality) for a in articles_of(library.scan_batches(str(tmp_path), parallel=False))]
    result = library.ScanResult(str(tmp_path))
    for batch in library.scan_batches(str(tmp_path), parallel=True):
        result.add(batch)
    assert [(a.relpath, a.quality) for a in result.articles] == serial  # the same, in the same order
    assert [p.kind for p in result.problems] == ["invalid-yaml"]


def test_the_first_batch_is_the_smallest_and_each_next_twice_as_large_up_to_chunk(tmp_path, monkeypatch):
    """`reviewer set --where` writes a batch as soon as it is read: the sooner the first, the sooner it begins."""
    from reviewer.core import library

    monkeypatch.setattr(library, "FIRST_CHUNK", 3)
    monkeypatch.setattr(library, "CHUNK", 10)
    for i in range(40):
        write(tmp_path, f"{i:03}.md", f"---\ntitle: T{i}\n---\n")
    done = [batch.done for batch in library.scan_batches(str(tmp_path), parallel=False)]
    assert [b - a for a, b in zip([0, *done], done, strict=False)] == [3, 6, 10, 10, 10, 1]


def articles_of(batches):
    return [a for batch in batches for a in batch.articles]


def test_corpus_scans_without_problems(corpus_copy):
    result = scan(str(corpus_copy))
    news_2021 = [a for a in result.articles if a.relpath.startswith("azure-2021q1/")]
    assert len(news_2021) == 767  # the same-story development set (its SOURCE.md)
    assert len(result.articles) - len(news_2021) == 107
    assert result.problems == []
    states = [a.published for a in result.articles if "/_news/" in "/" + a.relpath]
    assert None in states
    assert True in states
    assert False in states
    assert max(a.quality or 0 for a in result.articles) == 161


def test_a_worker_printing_sends_each_run_of_articles_as_one_and_the_other_files_one_by_one(tmp_path):
    from reviewer.core.index import ARTICLE, NOTHING, PROBLEM
    from reviewer.core.library import read_encoded, read_printed

    texts = {
        "a.md": "---\ntitle: A\nquality: 3\n---\n",
        "b.md": "---\ntitle: B\npublished: false\n---\n",
        "c.md": "---\ntitle: [broken\n---\n",
        "d.md": "---\ntitle: D\n---\n",
        "e.md": "no front matter\n",
    }
    paths = [str(write(tmp_path, name, text)) for name, text in texts.items()]
    one_by_one = read_encoded(str(tmp_path), paths, state=False)
    printed = read_printed(str(tmp_path), paths)
    assert [(path, kind) for path, (kind, *_) in printed] == [
        (paths[0], ARTICLE),
        (paths[2], PROBLEM),
        (paths[3], ARTICLE),
        (paths[4], NOTHING),
    ]
    assert printed[0][1][2] == one_by_one[0][2] + "\n" + one_by_one[1][2]
    assert printed[0][1][3] == one_by_one[0][3] + "\n" + one_by_one[1][3]
    assert printed[1][1] == one_by_one[2]
    assert printed[2][1][2:] == one_by_one[3][2:]


def test_a_worker_reading_only_to_print_prints_the_same_and_keeps_no_metadata(tmp_path):
    from reviewer.core import article
    from reviewer.core.library import read_article, read_encoded

    paths = [
        str(write(tmp_path, "a.md", "---\ntitle: A\nquality: 161\nprovider: {name: Wire}\nextra: [1, 2]\n---\n")),
        str(write(tmp_path, "b.md", "---\ntitle: [broken\n---\n")),
    ]
    try:
        full = read_encoded(str(tmp_path), paths)
        printed = read_encoded(str(tmp_path), paths, state=False)
        assert [(k, j, t) for k, _, j, t in printed] == [(k, j, t) for k, _, j, t in full]
        assert printed[0][1] is None
        assert full[0][1] is not None
        assert printed[1][1] == full[1][1]  # a problem is kept whole
        article.packing(False)
        unkept = read_article(paths[0], str(tmp_path))
        assert unkept.title == "A"
        assert unkept.quality == 161
        with pytest.raises(ValueError, match="not kept"):
            _ = unkept.original
        assert unkept.identity.digest == bytes(16)  # no digest taken: nothing saves it
    finally:
        article.packing(True)
        article.sharing(True)
    kept = read_article(paths[0], str(tmp_path))
    assert kept.original["extra"] == [1, 2]
    assert kept.identity.digest == article.content_digest(Path(paths[0]).read_bytes())


def as_read(root, path, encoded):
    """What an encoded file reads as (its bytes depend on which values other objects share)."""
    from reviewer.core.index import decode

    kind, data, json, line = encoded
    item = decode(str(root), os.path.relpath(path, root), kind, data)
    if hasattr(item, "original"):
        return kind, json, line, item.relpath, item.identity, item.original, item.read_only
    return kind, json, line, item


def test_files_opened_ahead_read_as_each_file_alone_and_none_stays_open(tmp_path):
    from reviewer.core.index import encode
    from reviewer.core.library import read_article, read_encoded, scan_batches

    write(tmp_path, "a.md", "---\ntitle: A\npublished: false\n---\nbody")
    write(tmp_path, "b.md", "---\ntitle: [unclosed\n---\n")  # a YAML problem with its line
    write(tmp_path, "c.md", "# no front matter\n")
    write(tmp_path, "d.md", "---\ntitle: D\n")  # a fence never closed
    write(tmp_path, "e.md", "")
    (tmp_path / "f.md").mkdir()
    os.mkfifo(tmp_path / "g.md")
    write(tmp_path, "h.md", "---\nquality: 150\n---\n" + "x" * 10_000)  # more than the first read
    paths = [str(tmp_path / n) for n in ("a.md", "b.md", "c.md", "d.md", "e.md", "f.md", "g.md", "gone.md", "h.md")]
    alone = [encode(read_article(path, str(tmp_path), False)) for path in paths]
    assert [kind for kind, *_ in alone] == [0, 1, 2, 1, 2, 2, 2, 1, 0]  # articles, problems, nothing
    before = set(os.listdir("/proc/self/fd"))
    assert [as_read(tmp_path, path, e) for path, e in zip(paths, read_encoded(str(tmp_path), paths), strict=True)] == [
        as_read(tmp_path, path, e) for path, e in zip(paths, alone, strict=True)
    ]
    batches = list(scan_batches(str(tmp_path), parallel=False))  # read in this process
    assert [a.relpath for b in batches for a in b.articles] == ["a.md", "h.md"]
    assert set(os.listdir("/proc/self/fd")) == before
