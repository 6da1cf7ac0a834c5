"""Saving: atomic, conflict-checked, permission-respecting, and only ever the edited lines."""

import os
import stat
from pathlib import Path

import pytest

from reviewer.core.library import read_article
from reviewer.core.storage import SaveError, current_metadata, save

TEXT = "---\ntitle: A\nquality: 40\nheat: -1\npublished: false\n---\nBody stays.\n"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(TEXT)
    path.chmod(0o640)
    return read_article(str(path), str(tmp_path))


def test_save_writes_the_edit_and_folds_it_into_original(article):
    article.set("published", True)
    saved = save(article)
    assert Path(article.path).read_text() == TEXT.replace("published: false", "published: true")
    assert saved.changes == [("published", False, True)]
    assert not article.is_modified
    assert article.original["published"] is True
    article.set("quality", 41)
    save(article)  # the new identity lets a second save through
    assert "quality: 41\n" in Path(article.path).read_text()


def test_permission_bits_are_kept(article):
    article.set("quality", 50)
    save(article)
    assert stat.S_IMODE(os.stat(article.path).st_mode) == 0o640


def test_file_changed_on_disk_is_a_conflict_and_is_not_written(article):
    Path(article.path).write_text(TEXT.replace("title: A", "title: Changed elsewhere"))
    article.set("published", True)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "conflict"
    assert "published: false" in Path(article.path).read_text()
    assert article.is_modified
    assert current_metadata(article)["title"] == "Changed elsewhere"


def test_overwrite_applies_the_edit_to_the_file_as_it_is_now(article):
    Path(article.path).write_text(TEXT.replace("title: A", "title: Theirs"))
    article.set("published", True)
    save(article, overwrite=True)
    text = Path(article.path).read_text()
    assert "title: Theirs" in text
    assert "published: true" in text


def test_read_only_file_is_refused_even_for_root(article):
    os.chmod(article.path, 0o444)
    article.set("quality", 99)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "read-only"
    assert Path(article.path).read_text() == TEXT


def test_deleted_file_is_refused(article):
    os.unlink(article.path)
    article.set("quality", 99)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "missing"


def test_crash_between_temporary_write_and_replace_leaves_original(article, monkeypatch):
    from reviewer.core import storage

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "_put_in_place", crash)
    article.set("quality", 99)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "io"
    assert "No space" in err.value.message
    assert Path(article.path).read_text() == TEXT
    assert os.listdir(os.path.dirname(article.path)) == ["a.md"]  # no temporary file left


def test_unverifiable_edit_is_refused_and_file_untouched(tmp_path):
    path = tmp_path / "dup.md"
    path.write_text("---\npublished: false\ntitle: A\npublished: false\n---\n")
    article = read_article(str(path), str(tmp_path))
    article.set("published", True)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "unverifiable"
    assert path.read_text() == "---\npublished: false\ntitle: A\npublished: false\n---\n"


def test_save_through_a_symlink_edits_the_target(tmp_path):
    real = tmp_path / "real.md"
    real.write_text(TEXT)
    os.symlink(real, tmp_path / "link.md")
    article = read_article(str(tmp_path / "link.md"), str(tmp_path))
    article.set("quality", 1)
    save(article)
    assert os.path.islink(tmp_path / "link.md")
    assert "quality: 1\n" in real.read_text()


def test_setting_a_value_back_drops_the_edit(article):
    article.set("quality", 41)
    article.set("quality", 40)
    assert not article.is_modified


def test_a_large_batch_is_shared_among_worker_processes_with_every_check_kept(tmp_path):
    """start_writing with a command's workers: the same results, in order, as written here.

    In a process of its own, as a command runs: workers are forked only where no thread runs."""
    import subprocess
    import sys

    check = f"from tests.core.test_storage import shared_batch; shared_batch({str(tmp_path)!r})"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", check], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "checked\n"


def shared_batch(folder: str) -> None:
    import pickle

    from reviewer.core import storage
    from reviewer.core.workers import Workers

    tmp_path = Path(folder)
    count = storage.FORKED_WRITES + 10
    for n in range(count):
        (tmp_path / f"p{n:04}.md").write_text(TEXT.replace("title: A", f"title: A{n}"))
    articles = [read_article(str(tmp_path / f"p{n:04}.md"), str(tmp_path)) for n in range(count)]
    for article in articles:
        article.set("published", True)
    (tmp_path / "p0007.md").write_text(TEXT.replace("quality: 40", "quality: 41"))  # changed by someone else
    os.unlink(tmp_path / "p0150.md")  # deleted meanwhile
    jobs = [(a.path, a.identity, a.snapshot(), dict(a.edits)) for a in articles]
    workers = Workers()
    try:
        results = storage.start_writing(jobs, str(tmp_path), False, workers)()
        assert workers.started  # the jobs went to the worker processes
        storage.fsync_folders(results)
    finally:
        workers.close()
    kinds = [getattr(r, "kind", "written") for r in results]
    assert kinds[7] == "conflict"
    assert kinds[150] == "missing"
    assert kinds.count("written") == count - 2
    assert (tmp_path / "p0007.md").read_text() == TEXT.replace("quality: 40", "quality: 41")
    for n, result in enumerate(results):
        if isinstance(result, storage.Written):
            data = (tmp_path / f"p{n:04}.md").read_bytes()
            assert (
                data == TEXT.replace("title: A", f"title: A{n}").replace("published: false", "published: true").encode()
            )
            assert result.identity.digest == storage.content_digest(data)
    assert not [name for name in os.listdir(tmp_path) if not name.endswith(".md")]  # no temporary file left
    error = pickle.loads(pickle.dumps(results[7]))  # how a worker's refusal comes back
    assert (error.kind, error.path, error.message) == (results[7].kind, results[7].path, results[7].message)
    print("checked")


def test_a_save_of_the_listed_keys_never_unpacks_the_rest(tmp_path, monkeypatch):
    """published and quality are kept unpacked for the list: replacing their values needs
    nothing else. Adding a line is checked on the whole metadata, unpacked then."""
    from reviewer.core import storage
    from reviewer.core.article import PackedMetadata

    (tmp_path / "a.md").write_text(TEXT)
    (tmp_path / "b.md").write_text(TEXT.replace("published: false\n", ""))
    a, b = (read_article(str(tmp_path / name), str(tmp_path)) for name in ("a.md", "b.md"))
    a.set("published", True)
    a.set("quality", 41)
    b.set("published", True)
    unpacked = []
    real = PackedMetadata.metadata
    monkeypatch.setattr(PackedMetadata, "metadata", lambda self: unpacked.append(1) or real(self))
    results = storage.write_many([(x.path, x.identity, x.snapshot(), dict(x.edits)) for x in (a, b)], str(tmp_path))
    assert len(unpacked) == 1  # b's check; a's needed none
    written_a, written_b = results
    assert (tmp_path / "a.md").read_text() == TEXT.replace("published: false", "published: true").replace(
        "quality: 40", "quality: 41"
    )
    assert "published: true\n" in (tmp_path / "b.md").read_text()
    assert a.written(written_a.metadata, written_a.identity, dict(a.edits)) == [
        ("published", False, True),
        ("quality", 40, 41),
    ]
    assert len(unpacked) == 1  # folding the listed keys in asks for nothing either
    assert written_a.metadata() == {"title": "A", "quality": 41, "heat": -1, "published": True}
    assert written_b.metadata()["published"] is True


def test_many_writes_come_back_in_order_with_each_files_own_outcome(tmp_path):
    """Writer threads take jobs as they go; the results are still in the jobs' order, a
    refused file among them; progress counts every file once."""
    from reviewer.core import storage

    articles = []
    for i in range(40):
        (tmp_path / f"{i:02}.md").write_text(TEXT.replace("quality: 40", f"quality: {i}"))
        articles.append(read_article(str(tmp_path / f"{i:02}.md"), str(tmp_path)))
    for a in articles:
        a.set("published", True)
    (tmp_path / "17.md").write_text(TEXT.replace("title: A", "title: B"))  # changed by someone else
    seen = []
    jobs = [a.save_state().job() for a in articles]
    results = storage.write_many(jobs, str(tmp_path), progress=lambda done, total: seen.append((done, total)))
    assert [isinstance(r, SaveError) for r in results] == [i == 17 for i in range(40)]
    assert all(
        r.identity.size == os.path.getsize(a.path)
        for a, r in zip(articles, results, strict=True)
        if not isinstance(r, SaveError)
    )
    assert "title: B" in (tmp_path / "17.md").read_text()
    assert "published: false" in (tmp_path / "17.md").read_text()
    assert sorted(seen) == [(n, 40) for n in range(1, 41)]


@pytest.mark.parametrize(
    ("together", "step"), [(False, "_write_edits"), (False, "_complete"), (True, "_stage"), (True, "_complete")]
)
def test_a_bug_in_one_write_stops_the_others_and_reaches_the_caller(tmp_path, monkeypatch, together, step):
    """Whether the files are made durable one by one or together (_make_durable), a bug while
    checking a file or putting it in place leaves no temporary file and no open file."""
    from reviewer.core import storage

    if together and storage._find_syncfs() is None:
        pytest.skip("no syncfs that reports errors here: files are made durable one by one")
    monkeypatch.setattr(storage, "_SYNCFS", [storage._find_syncfs() if together else None])

    articles = []
    for i in range(40):
        (tmp_path / f"{i:02}.md").write_text(TEXT)
        articles.append(read_article(str(tmp_path / f"{i:02}.md"), str(tmp_path)))
        articles[-1].set("quality", 99)
    real = getattr(storage, step)

    def buggy(first, *rest):
        path = first.path if step == "_complete" else first
        if path.endswith("05.md"):
            raise RuntimeError("a bug")
        return real(first, *rest)

    monkeypatch.setattr(storage, step, buggy)
    open_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(RuntimeError, match="a bug"):
        storage.write_many([a.save_state().job() for a in articles], str(tmp_path))
    written = sum("quality: 99" in (tmp_path / f"{i:02}.md").read_text() for i in range(40))
    assert written < 39  # the threads stopped taking files
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".reviewer-tmp")]
    assert len(os.listdir("/proc/self/fd")) == open_before
    assert all("quality: 99" in t or t == TEXT for t in (p.read_text() for p in tmp_path.glob("*.md")))


# --- many files made durable together --------------------------------------------------------


def _folder_of(tmp_path, count: int) -> list:
    articles = []
    for i in range(count):
        (tmp_path / f"{i:02}.md").write_text(TEXT)
        articles.append(read_article(str(tmp_path / f"{i:02}.md"), str(tmp_path)))
        articles[-1].set("quality", 99)
    return articles


def test_no_file_is_renamed_before_its_batch_is_durable(tmp_path, monkeypatch):
    """A crash leaves each file old or new: a batch's new versions are made durable (syncfs)
    before the first of them replaces its file."""
    from reviewer.core import storage

    events = []
    monkeypatch.setattr(storage, "_SYNCFS", [lambda fd: events.append(("durable", fd)) or 0])
    monkeypatch.setattr(storage, "_little_dirty", lambda: True)  # whatever else the machine is writing
    real = storage._put_in_place
    renamed = lambda a, b, *rest: (events.append(("renamed", b)), real(a, b, *rest))[1]  # noqa: E731
    monkeypatch.setattr(storage, "_put_in_place", renamed)
    articles = _folder_of(tmp_path, 40)
    monkeypatch.setattr(storage, "WRITERS", 1)  # one thread: its batches come one after the other
    results = storage.write_many([a.save_state().job() for a in articles], str(tmp_path))
    assert all(isinstance(r, storage.Written) for r in results)
    kinds = [kind for kind, _ in events]
    size = storage.DURABLE_BATCH
    assert kinds == (["durable"] + ["renamed"] * size + ["durable"] + ["renamed"] * (40 - size))
    assert all("quality: 99" in (tmp_path / f"{i:02}.md").read_text() for i in range(40))


def test_where_syncfs_fails_each_file_is_fsynced_and_one_that_fails_is_not_written(tmp_path, monkeypatch):
    from reviewer.core import storage

    monkeypatch.setattr(storage, "_SYNCFS", [lambda fd: -1])  # e.g. a write-back error elsewhere on the disk
    articles = _folder_of(tmp_path, 20)
    bad = {os.path.join(str(tmp_path), ".07.md.")}
    real_fsync = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(tuple(bad)):
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    results = storage.write_many([a.save_state().job() for a in articles], str(tmp_path))
    assert [getattr(r, "kind", "written") for r in results] == ["io" if i == 7 else "written" for i in range(20)]
    assert "Input/output error" in str(results[7])
    assert (tmp_path / "07.md").read_text() == TEXT
    assert all("quality: 99" in (tmp_path / f"{i:02}.md").read_text() for i in range(20) if i != 7)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".reviewer-tmp")]


def test_a_file_another_save_holds_is_written_after_the_batch_not_waited_for_inside_it(tmp_path, monkeypatch):
    """A batch never waits for a lock while it holds others (two batches could wait for each
    other): the file is written alone once the batch is done, waiting its turn then."""
    import fcntl
    import threading

    from reviewer.core import storage

    articles = _folder_of(tmp_path, 20)
    holder = os.open(tmp_path / "03.md", os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another save of 03.md under way
    tried = threading.Event()
    real_try = storage._try_lock

    def try_lock(fd):
        taken = real_try(fd)
        if not taken:
            tried.set()
        return taken

    monkeypatch.setattr(storage, "_try_lock", try_lock)
    others_written = []  # when it waits for 03.md: the batch's other files, all in place already
    real_lock = storage._lock

    def lock(fd, path, deadline):
        if path.endswith("03.md"):
            others_written.append(sum("quality: 99" in (tmp_path / f"{i:02}.md").read_text() for i in range(20)))
        return real_lock(fd, path, deadline)

    monkeypatch.setattr(storage, "_lock", lock)
    threading.Thread(target=lambda: (tried.wait(10), os.close(holder))).start()  # closing releases it
    results = storage.write_many([a.save_state().job() for a in articles], str(tmp_path))
    assert tried.is_set()
    assert others_written == [19]
    assert all(isinstance(r, storage.Written) for r in results), results
    assert all("quality: 99" in (tmp_path / f"{i:02}.md").read_text() for i in range(20))


def test_reviewer_fsync_each_turns_batched_durability_off(monkeypatch):
    from reviewer.core import storage

    monkeypatch.setenv("REVIEWER_FSYNC_EACH", "1")
    assert storage._find_syncfs() is None
    monkeypatch.delenv("REVIEWER_FSYNC_EACH")
    monkeypatch.setattr(os, "uname", lambda: os.uname_result(("Linux", "h", "5.4.0-1", "#1", "x86_64")))
    assert storage._find_syncfs() is None  # syncfs reports failed writes only from 5.8


def test_with_much_data_waiting_to_be_written_each_file_is_fsynced_not_the_file_system(tmp_path, monkeypatch):
    """syncfs would wait for another program's writes too: above DIRTY_LIMIT_KB, fsync each."""
    from reviewer.core import storage

    meminfo = tmp_path / "meminfo"
    monkeypatch.setattr(storage, "_MEMINFO", str(meminfo))
    meminfo.write_text("MemTotal: 24000000 kB\nDirty:        1000 kB\nWriteback:       8 kB\n")
    assert storage._little_dirty()
    meminfo.write_text("MemTotal: 24000000 kB\nDirty:     1536932 kB\nWriteback:       0 kB\n")
    assert not storage._little_dirty()
    meminfo.unlink()
    assert not storage._little_dirty()  # not known: fsync each
    syncfs_calls = []
    monkeypatch.setattr(storage, "_SYNCFS", [lambda fd: syncfs_calls.append(fd) or 0])
    site = tmp_path / "site"
    site.mkdir()
    articles = _folder_of(site, 20)
    results = storage.write_many([a.save_state().job() for a in articles], str(site))
    assert all(isinstance(r, storage.Written) for r in results)
    assert syncfs_calls == []
