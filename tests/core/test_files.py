"""Our own small files, written whole or not at all."""

import pytest

from reviewer.core.files import replace_whole


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
