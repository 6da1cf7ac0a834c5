"""Shared test set-up: offscreen Qt, the real corpus when present, the bundled examples."""

import os

import pytest

from tests.helpers import CORPUS, EXAMPLES, writable_copy

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory, monkeypatch):
    """Caches (the folder index) and data (review logs kept out of a folder) of a test's own:
    never the user's, and never another test's."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


@pytest.fixture
def corpus_copy(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; corpus tests skipped")
    return writable_copy(CORPUS, tmp_path / "corpus")


@pytest.fixture
def newsroom_copy(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")
