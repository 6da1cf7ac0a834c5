"""The session: saving in the background never loses an edit made meanwhile; undo and revert."""

from pathlib import Path

from reviewer.app.session import Session
from reviewer.app.tasks import SyncRunner


class DeferredRunner(SyncRunner):
    """Holds a task until the test lets it run, as a busy worker thread would."""

    def __init__(self):
        self.held = []

    def start(self, fn, on_report=None, on_done=None, backlog=0):
        self.held.append((fn, on_report, on_done))

    def run_all(self):
        while self.held:
            super().start(*self.held.pop(0))


def open_session(root, runner):
    session = Session(runner, watch=False)
    session.open(str(root))
    if isinstance(runner, DeferredRunner):
        runner.run_all()
    return session


def test_an_edit_made_while_saving_stays_pending(qtbot, newsroom_copy):
    runner = DeferredRunner()
    session = open_session(newsroom_copy, runner)
    article = next(a for a in session.articles if a.quality is not None)
    session.set_value([article], "quality", 11, "q")
    session.save()
    session.set_value([article], "quality", 12, "q again")  # while the save is under way
    runner.run_all()
    assert "quality: 11\n" in Path(article.path).read_text()
    assert article.edits == {"quality": 12}
    assert article.stored("quality") == 11
    session.save()
    runner.run_all()
    assert "quality: 12\n" in Path(article.path).read_text()
    assert not article.edits


def test_revert_is_one_undoable_step(qtbot, newsroom_copy):
    session = open_session(newsroom_copy, SyncRunner())
    first, second = session.articles[:2]
    session.set_value([first, second], "published", True, "approve two")
    session.nudge_quality([first], 5, "nudge")
    session.revert([first, second])
    assert not first.edits
    assert not second.edits
    session.undo_stack.undo()
    assert first.edits.get("published") is True
    assert "quality" in first.edits
    assert second.edits
    assert session.modified == [a for a in session.articles if a in (first, second)]


def test_batches_of_a_folder_no_longer_open_are_dropped(qtbot, newsroom_copy, tmp_path):
    runner = DeferredRunner()
    session = Session(runner, watch=False)
    session.open(str(newsroom_copy))
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("---\ntitle: Only one\n---\n")
    session.open(str(other))  # before the first folder's reading has delivered anything
    runner.run_all()
    assert [a.title for a in session.articles] == ["Only one"]
    assert not session.loading


def test_a_save_that_fails_as_a_whole_reports_every_file_and_keeps_the_edits(qtbot, newsroom_copy, monkeypatch):
    from reviewer.app import saving

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(saving, "write_many", broken)
    runner = DeferredRunner()
    session = open_session(newsroom_copy, runner)
    articles = [a for a in session.articles if a.quality is not None][:2]
    session.set_value(articles, "quality", 11, "q")
    reports = []
    session.save_finished.connect(reports.append)
    session.save()
    runner.run_all()
    [report] = reports
    assert report.saved == []
    assert [a for a, _ in report.failed] == articles
    assert "unexpected error (RuntimeError: a bug)" in report.failed[0][1].message
    assert all(a.edits == {"quality": 11} for a in articles)
    assert not session.saving


def test_a_large_folder_is_taken_in_a_piece_per_turn_and_finishes_after_the_last(qtbot, newsroom_copy, monkeypatch):
    """From PIECES_FROM articles, a batch's maps and counts are filled on turns of their own
    (their tables grow at the same count); loading ends only once every piece has run."""
    from reviewer.app import session as session_module

    expected = Session(SyncRunner(), watch=False)
    expected.open(str(newsroom_copy))  # all at once, as a folder under PIECES_FROM articles
    lookup = Session(SyncRunner(), watch=False)
    lookup.open(str(newsroom_copy))  # loaded, its URL map not made yet: a lookup makes it whole
    assert lookup._unindexed
    url = next(a.original_url for a in lookup.articles if a.original_url)
    assert lookup.find_by_url(url).original_url == url
    assert not lookup._unindexed
    monkeypatch.setattr(session_module, "PIECES_FROM", 0)
    turns = []
    session = Session(SyncRunner(), watch=False)
    real = session._run_piece
    monkeypatch.setattr(session, "_run_piece", lambda: (turns.append(len(session._pieces)), real()))
    session._pieces_timer.timeout.disconnect()
    session._pieces_timer.timeout.connect(session._run_piece)
    finished, urls_at_the_end = [], []
    session.loading_finished.connect(lambda: finished.append(len(session.articles)))
    session.loading_finished.connect(lambda: urls_at_the_end.append(len(session._by_url)))
    session.open(str(newsroom_copy))
    assert session.loading
    assert not finished
    assert session.articles == []
    qtbot.waitUntil(lambda: bool(finished))
    assert finished == [len(expected.articles)]
    assert len(turns) >= 3  # the path map, the counts, the end
    assert sorted(session.by_path) == sorted(expected.by_path)
    assert session.tally.queue == expected.tally.queue
    # The URL map is made once every article is shown, on turns of its own; a lookup first makes it whole.
    assert urls_at_the_end == [0]
    qtbot.waitUntil(lambda: not session._unindexed and not expected._unindexed)
    assert {url: a.relpath for url, a in session._by_url.items()} == {
        url: a.relpath for url, a in expected._by_url.items()
    }
    assert session._by_url


def test_the_folder_before_is_let_go_in_steps(qtbot, newsroom_copy, tmp_path, monkeypatch):
    """Opening another folder does not free the last one's articles in one go (46 ms at 100,000)."""
    from reviewer.app import session as session_module
    from reviewer.app.tasks import Slicer

    monkeypatch.setattr(session_module, "BURY_SLICE", 10)
    session = open_session(newsroom_copy, SyncRunner())
    session.slicer = Slicer(budget_ms=5, parent=session)  # as in the window: work in steps
    old = session.articles
    before = len(old)
    assert before > 20
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("---\ntitle: A\n---\n")
    session.open(str(other))
    assert len(old) == before  # none let go yet: that is for the steps to come
    qtbot.waitUntil(lambda: not old)
    assert [a.title for a in session.articles] == ["A"]


def test_revert_after_approve_leaves_no_decision_to_log(qtbot, newsroom_copy):
    """Approve, Revert, Save All: nothing is logged and the file still says unpublished."""
    session = open_session(newsroom_copy, SyncRunner())
    article = next(a for a in session.articles if a.published is False)
    session.approve([article], "approve")
    assert article.pending is not None
    session.revert([article])
    assert article.pending is None
    assert not article.edits
    assert session.modified == []
    session.save()
    log = newsroom_copy / ".reviewer" / "decisions.jsonl"
    assert not log.exists() or article.relpath not in log.read_text()
    assert "published: false" in Path(article.path).read_text()
    session.undo_stack.undo()  # the revert undone: the approval is back, decision and all
    assert article.pending is not None
    assert article.edits.get("published") is True
