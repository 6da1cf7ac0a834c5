"""Our own small files, written whole or not at all; the folder's files opened ahead of reading."""

import os

import pytest

from reviewer.core.files import NotRegularFile, opened_ahead, replace_whole


def test_replace_whole_writes_all_or_nothing_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "made" / "cache.json"
    replace_whole(str(target), b"one")
    replace_whole(str(target), b"two")
    assert target.read_bytes() == b"two"
    blocked = tmp_path / "made" / "a-folder"
    blocked.mkdir()
    (blocked / "inside").write_text("x")
    with pytest.raises(IsADirectoryError):
        replace_whole(str(blocked), b"three")  # a non-empty folder cannot be replaced by a file
    assert sorted(p.name for p in (tmp_path / "made").iterdir()) == ["a-folder", "cache.json"]


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files by /proc/self/fd")
def test_opened_ahead_gives_each_file_in_order_as_open_regular_and_keeps_a_few_open(tmp_path):
    names = [f"{i:02}.md" for i in range(10)]
    for name in names:
        (tmp_path / name).write_text(f"file {name}")
    (tmp_path / "folder.md").mkdir()
    os.mkfifo(tmp_path / "pipe.md")  # opened without blocking, and refused as open_regular refuses it
    paths = [str(tmp_path / n) for n in (*names[:5], "folder.md", "missing.md", "pipe.md", *names[5:])]
    before = _open_fds()
    opened = opened_ahead(paths, ahead=3)
    given = []
    for path, file in opened:
        assert len(_open_fds() - before) <= 3  # `ahead` files open at most, the one given included
        if isinstance(file, OSError):
            given.append((os.path.basename(path), type(file)))
            continue
        fd, st = file
        assert os.fstat(fd).st_ino == st.st_ino == os.stat(path).st_ino
        assert os.pread(fd, 100, 0) == f"file {os.path.basename(path)}".encode()
        os.close(fd)
        given.append((os.path.basename(path), None))
    assert given == [
        *((n, None) for n in names[:5]),
        ("folder.md", NotRegularFile),
        ("missing.md", FileNotFoundError),
        ("pipe.md", NotRegularFile),
        *((n, None) for n in names[5:]),
    ]
    assert _open_fds() == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files by /proc/self/fd")
def test_opened_ahead_closes_what_it_opened_ahead_when_the_caller_stops(tmp_path):
    paths = []
    for i in range(20):
        (tmp_path / f"{i}.md").write_text("x")
        paths.append(str(tmp_path / f"{i}.md"))
    before = _open_fds()
    opened = opened_ahead(paths, ahead=8)
    _, (fd, _) = next(opened)
    os.close(fd)  # the caller's to close
    assert len(_open_fds() - before) == 7  # the next ones, opened ahead
    opened.close()
    assert _open_fds() == before
