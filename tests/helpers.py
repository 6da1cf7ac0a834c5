"""Shared by the tests: where the corpus and the sample folder are, copying them, and what a save changed."""

import difflib
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = ROOT / "examples" / "newsroom"


def writable_copy(source: Path, dest: Path) -> Path:
    """Copy a tree and give its files write permission (the corpus is kept read-only)."""
    shutil.copytree(source, dest, symlinks=True)
    for folder, _, files in os.walk(dest):
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o200)
    return dest


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
