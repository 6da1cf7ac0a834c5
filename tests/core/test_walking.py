"""The walk in a helper process (walking.walk_elsewhere): what the walk here finds, always, and
what the comparison with the folder index here finds (walking.compare)."""

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.core import walking
from reviewer.core.index import FORMAT, FolderIndex
from reviewer.core.library import scan_batches
from reviewer.core.walking import Batch, compare, index_rows, walk, walk_elsewhere, walk_files


@pytest.fixture
def folder(tmp_path):
    """Nested folders, links inside and out, broken links, a loop, leftovers, skipped files."""
    root = tmp_path / "site"
    for n in range(30):
        path = root / f"{n % 3}" / f"sub{n % 2}" / f"a{n:02}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: A{n}\n---\n")
    (root / "top.md").write_text("---\ntitle: Top\n---\n")
    (root / "logo.png").write_bytes(b"\x89PNG")
    (root / "0" / ".a00.md.123-1.reviewer-tmp").write_text("left by a crash")
    (root / "notes").mkdir()
    (root / "notes" / "x.txt").write_text("plain")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.md").write_text("---\ntitle: O\n---\n")
    os.symlink(outside, root / "linked")
    os.symlink(root / "1", root / "1-again")
    os.symlink(root / "missing.md", root / "broken.md")
    os.symlink(root / "loop.md", root / "loop.md")
    os.mkfifo(root / "pipe.md")
    return root


def path_stat(path):
    """A file's stat by its whole path: what the walk's stat by name in its folder must equal."""
    try:
        return walking.stat_key(os.stat(path))
    except OSError:
        return None


def here(root):
    found = Batch()
    files = [(p, linked, None if linked else path_stat(p)) for p, linked in walk(str(root), found)]
    return files, found


def elsewhere(root):
    found = Batch()
    return list(walk_elsewhere(str(root), found, [])), found


def same(a, b):
    (files_a, found_a), (files_b, found_b) = a, b
    assert files_a == files_b
    assert sorted((p.relpath, p.kind, p.message) for p in found_a.problems) == sorted(
        (p.relpath, p.kind, p.message) for p in found_b.problems
    )
    assert sorted(found_a.leftovers) == sorted(found_b.leftovers)
    assert found_a.skipped == found_b.skipped


def test_the_helper_finds_what_the_walk_here_finds(folder, monkeypatch):
    monkeypatch.setattr(walking, "_FRAME", 7)  # several frames, the first of one file
    found = here(folder)
    assert len(found[0]) > 30
    assert found[1].problems
    assert found[1].leftovers
    assert found[1].skipped
    assert any(linked for _, linked, _ in found[0])
    assert all(st for _, linked, st in found[0] if not linked)
    same(elsewhere(folder), found)


def dying(frames: int) -> str:
    """A helper (walking._HELPER) that sends its first `frames` frames and dies."""
    return f"""
import os, sys
from reviewer.core import walking
class Dying:
    sent = 0
    def write(self, data):
        self.sent += 1
        if self.sent > {frames}:
            os._exit(9)
        sys.stdout.buffer.write(data)
    def flush(self):
        sys.stdout.buffer.flush()
walking._walk_to(sys.argv[1], Dying(), int(sys.argv[2]), sys.argv[3], sys.argv[4])
"""


def taken_over(monkeypatch, walked) -> list[int]:
    """Record, each time this process takes a walk over, how many files the helper had given."""
    counts: list[int] = []
    real = walking.walk_files

    def walk_here(*args, **kwargs):
        counts.append(len(walked))
        return real(*args, **kwargs)

    monkeypatch.setattr(walking, "walk_files", walk_here)
    return counts


def test_a_helper_that_dies_is_taken_over_where_it_stopped(folder, monkeypatch):
    expected = here(folder)
    monkeypatch.setattr(walking, "_FRAME", 10)
    monkeypatch.setattr(walking, "_HELPER", dying(2))
    found, walked = Batch(), []
    counts = taken_over(monkeypatch, walked)
    for planned in walk_elsewhere(str(folder), found, []):
        walked.append(planned)
    # The helper gave two frames and died; this process took over once and gave the rest, none twice.
    assert len(counts) == 1
    assert 0 < counts[0] < len(walked)
    same((walked, found), expected)


@pytest.fixture
def indexed(folder, tmp_path):
    """The folder scanned into an index, then changed: a file edited, one deleted, one added,
    a folder gone, a file made a link; returns the index file's path."""
    index = FolderIndex.open(str(tmp_path / "cache"), str(folder))
    for _ in scan_batches(str(folder), parallel=False, index=index):
        pass
    index.close()
    (folder / "0" / "sub0" / "a00.md").write_text("---\ntitle: Edited\n---\n")
    (folder / "0" / "sub1" / "a03.md").unlink()
    (folder / "2" / "sub1" / "new.md").write_text("---\ntitle: New\n---\n")
    for path in (folder / "2" / "sub0").iterdir():
        path.unlink()
    (folder / "2" / "sub0").rmdir()
    (folder / "top.md").unlink()
    os.symlink(folder / "0" / "sub1" / "a09.md", folder / "top.md")
    return index.path


def compared_here(root, index):
    found, gone = Batch(), []
    planned = list(compare(str(root), walk_files(str(root), found, stat=True), index_rows(index, FORMAT), gone))
    return planned, gone, found


def compared_elsewhere(root, index):
    found, gone = Batch(), []
    return list(walk_elsewhere(str(root), found, gone, index, FORMAT)), gone, found


def test_the_helper_compares_with_the_index_as_this_process_does(folder, indexed, monkeypatch):
    monkeypatch.setattr(walking, "_FRAME", 7)
    planned, gone, found = compared_here(folder, indexed)
    unchanged = [p for p in planned if isinstance(p, str)]
    read = [p[0] for p in planned if not isinstance(p, str)]
    assert len(unchanged) == 14  # in 0, 2 and notes; 1 is reached through the link 1-again, and read
    assert str(folder / "0" / "sub0" / "a00.md") in read
    assert str(folder / "2" / "sub1" / "new.md") in read
    assert str(folder / "top.md") in read  # now a link: read, never kept
    assert sorted(gone) == ["0/sub1/a03.md", *(f"2/sub0/a{n:02}.md" for n in (2, 8, 14, 20, 26)), "top.md"]
    assert "0/sub0/a00.md" not in gone  # read again, and kept
    assert compared_elsewhere(folder, indexed)[:2] == (planned, gone)
    monkeypatch.setattr(walking, "_HELPER", dying(2))
    monkeypatch.setattr(walking, "_FRAME", 10)
    found, walked, gone_after = Batch(), [], []
    counts = taken_over(monkeypatch, walked)
    for item in walk_elsewhere(str(folder), found, gone_after, indexed, FORMAT):
        walked.append(item)
    assert len(counts) == 1
    assert 0 < counts[0] < len(walked)
    assert (walked, gone_after) == (planned, gone)


def test_an_index_of_another_format_holds_nothing_unchanged(folder, indexed):
    assert list(index_rows(indexed, FORMAT))
    assert list(index_rows(indexed, "another")) == []
    assert list(index_rows(indexed + ".missing", FORMAT)) == []


def test_a_helper_that_cannot_start_leaves_the_walk_to_this_process(folder, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no processes left")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    same(elsewhere(folder), here(folder))


def test_a_walk_given_up_early_ends_its_helper(folder, monkeypatch):
    monkeypatch.setattr(walking, "_FRAME", 2)
    started = []
    real = subprocess.Popen

    def keep(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", keep)
    files = walk_elsewhere(str(folder), Batch(), [])
    next(files)
    files.close()
    assert started
    assert started[0].returncode is not None


def test_the_helper_is_a_fresh_interpreter_that_imports_only_the_walk():
    code = (
        "import sys, reviewer.core.walking; print(sorted(m for m in sys.modules if m.startswith(('yaml', 'sqlite3'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@given(
    st.lists(st.sampled_from(["a", "b.md", ".", "..", "", ".hidden", "x y", "é"]), min_size=1, max_size=5),
    st.sampled_from(["/site", "/site/sub", "site", "/", "/site/", "/si.te", "."]),
)
def test_relative_is_relpath(parts, root):
    path = root.rstrip("/") + "/" + "/".join(parts) if root != "." else "./" + "/".join(parts)
    assert walking.relative(root, path) == os.path.relpath(path, root)
