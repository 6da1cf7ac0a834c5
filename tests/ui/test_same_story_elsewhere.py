"""A large folder's same-story scores worked out in a process of their own, in the real window."""

import pytest

from reviewer.app import clusters
from reviewer.core.library import scan
from reviewer.core.same_story import SameStory
from tests.stories import stories, write_folder


@pytest.fixture
def threaded_window(qtbot, settings):
    from reviewer.ui.main_window import MainWindow

    win = MainWindow(settings, watch=False)  # its own runner and slicer, as an editor's
    win.show()
    yield win
    win.session.discard()
    win.close()
    win.deleteLater()


def test_the_window_clusters_a_large_folder_elsewhere_and_again_after_a_change(
    tmp_path, qtbot, monkeypatch, threaded_window
):
    monkeypatch.setattr(clusters, "ELSEWHERE_FROM", 50)
    root = tmp_path / "site"
    write_folder(str(root), stories(600, seed=4))
    expected = SameStory()
    expected.add(scan(str(root)).articles)
    session = threaded_window.session
    started = []
    real = clusters.score_elsewhere
    monkeypatch.setattr(clusters, "score_elsewhere", lambda *a: started.append(1) or real(*a))
    threaded_window.open_folder(str(root))
    qtbot.waitUntil(lambda: not session.loading and not session.clusters.busy and bool(started), timeout=60000)
    assert not session.same_story.growable  # scored elsewhere, not here
    assert session.same_story.clusters() == expected.clusters()
    assert len(expected.clusters()) > 10
    marked = {a.relpath: a.same for a in session.articles if a.same}
    assert marked == {p: len(c) for p, c in expected.clustered().items()}

    # an article changed on disk: clustered again, elsewhere, with its new words
    changed = session.articles[0]
    changed.title = "Entirely unrelated headline about zebra migration"
    session.clusters.update([changed], [])
    qtbot.waitUntil(lambda: not session.clusters.busy and len(started) == 2, timeout=60000)
    again = SameStory()
    again.add(session.articles)
    assert session.same_story.clusters() == again.clusters()
