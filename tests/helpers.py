"""Helpers for asserting what a save changed on disk."""

import difflib


def changed_lines(old: bytes, new: bytes) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two versions of a file, line endings kept."""
    a = old.decode("utf-8").splitlines(keepends=True)
    b = new.decode("utf-8").splitlines(keepends=True)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed.extend(a[i1:i2])
            added.extend(b[j1:j2])
    return removed, added


def key_of(line: str) -> str:
    return line.split(":", 1)[0].strip()
