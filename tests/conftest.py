"""Shared test set-up: offscreen Qt, the real corpus when present, the bundled examples."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; corpus tests skipped")
    return writable_copy(CORPUS, tmp_path / "corpus")


@pytest.fixture
def newsroom_copy(tmp_path) -> Path:
    return writable_copy(EXAMPLES, tmp_path / "newsroom")
