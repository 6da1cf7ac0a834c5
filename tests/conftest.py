"""Shared test set-up: offscreen Qt, the real corpus when present, the bundled examples."""

import os

import pytest

from tests.helpers import CORPUS, EXAMPLES, writable_copy

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory, monkeypatch):
    """Caches (the folder index), data (review logs kept out of a folder) and configuration (the
    window's preferences, which the command line follows) of a test's own: never the user's,
    and never another test's."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture(autouse=True)
def settled_files(monkeypatch):
    """The files a test has just written are taken from the folder index like any other: in
    use, a file changed within index.RACY_NS of a scan is read again next time, which
    test_index checks on its own."""
    from reviewer.core import index

    monkeypatch.setattr(index, "RACY_NS", 0)


@pytest.fixture
def corpus_copy(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; corpus tests skipped")
    return writable_copy(CORPUS, tmp_path / "corpus")


@pytest.fixture
def newsroom_copy(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")


@pytest.fixture
def team(tmp_path, monkeypatch):
    """Git repositories for team review (tests.core.test_git.make_team), with a HOME of their
    own, no system configuration and fixed dates: a bare origin and clones of it."""
    from tests.core.test_git import GIT_ENV, make_team

    home = tmp_path / "home"
    home.mkdir()
    for name, value in {**GIT_ENV, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH_COMMAND"):
        monkeypatch.delenv(name, raising=False)
    return make_team(tmp_path / "repos")
