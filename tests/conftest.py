"""Shared test set-up: offscreen Qt, the real corpus when present, the bundled examples."""

import os

import pytest

from tests.helpers import CORPUS, EXAMPLES, writable_copy

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def corpus_copy(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; corpus tests skipped")
    return writable_copy(CORPUS, tmp_path / "corpus")


@pytest.fixture
def newsroom_copy(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")
