"""The folder index: a cache of what each file read as, never trusted over the file itself."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core import index as index_module
from reviewer.core.article import Article
from reviewer.core.index import FolderIndex, decode, encode
from reviewer.core.library import read_article, scan_batches
from tests.helpers import CORPUS, EXAMPLES, writable_copy

ROOT = Path(__file__).resolve().parents[2]


def listing(capsys, root, *flags) -> list[str]:
    main(["list", "--json", *flags, str(root)])
    return capsys.readouterr().out.splitlines()


def index_file(root) -> Path:
    [found] = (Path(os.environ["XDG_CACHE_HOME"]) / "reviewer" / "index").glob(f"{Path(root).name}-*.sqlite3")
    return found


@pytest.fixture(autouse=True, params=["walked here", "walked by a helper"])
def walker(request, monkeypatch):
    """Every test twice: the folder walked in this process, and by a helper process (which
    only large folders get: see walking.walk_elsewhere)."""
    if request.param == "walked by a helper":
        from reviewer.core import library

        monkeypatch.setattr(library, "WALK_ELSEWHERE", 0)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
    return request.param


@pytest.fixture
def site(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")


def same_as_without_index(capsys, root) -> list[str]:
    warm = listing(capsys, root)
    cold = listing(capsys, root, "--no-index")
    assert warm == cold
    return warm


FIELDS = (
    "path", "relpath", "identity", "read_only", "title", "excerpt", "date", "type", "category",
    "topics", "original_url", "web_url", "heat", "published", "quality", "provider", "link",
)  # fmt: skip


def test_a_warm_listing_reads_nothing_and_equals_a_cold_one(site, capsys, monkeypatch):
    first = listing(capsys, site)  # builds the index
    from reviewer.core import library

    read = []
    original = library.read_article
    monkeypatch.setattr(library, "read_article", lambda *a, **k: read.append(a[0]) or original(*a, **k))
    assert listing(capsys, site, "--no-index") == first
    assert len(read) > 58  # without the index, every file is read
    read.clear()
    assert listing(capsys, site) == first
    assert read == []  # with it, none is


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(site, capsys):
    before = listing(capsys, site)
    path = next((site / "_news").glob("*.md"))
    text = path.read_text()
    st = path.stat()
    changed = text.replace('title: "', 'title: "Q', 1).replace("category: news", "category: new", 1)
    assert len(changed.encode()) == len(text.encode())
    assert changed != text
    path.write_text(changed)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as before: ctime moved
    lines = same_as_without_index(capsys, site)
    rel = path.relative_to(site).as_posix()
    [old] = [line for line in before if f'"path": "{rel}"' in line]
    [new] = [line for line in lines if f'"path": "{rel}"' in line]
    assert new != old
    assert '"title": "Q' in new


def test_renamed_deleted_added_and_linked_files(site, capsys):
    listing(capsys, site)
    news = sorted((site / "_news").glob("*.md"))
    news[0].rename(site / "_news" / "renamed.md")
    news[1].unlink()
    shutil.copy(news[2], site / "_news" / "zz-added.md")
    news[3].unlink()
    news[3].symlink_to(news[4])  # a file replaced by a link to another
    lines = same_as_without_index(capsys, site)
    paths = [line.split('"path": "')[1].split('"')[0] for line in lines]
    assert "_news/renamed.md" in paths
    assert "_news/zz-added.md" in paths
    assert news[1].relative_to(site).as_posix() not in paths
    db = sqlite3.connect(index_file(site))
    stored = {row[0] for row in db.execute("SELECT relpath FROM files")}
    assert news[1].relative_to(site).as_posix() not in stored  # what is gone is dropped
    assert news[3].relative_to(site).as_posix() not in stored  # a link is read each time, never kept


def test_a_file_that_becomes_a_problem_and_back(site, capsys):
    listing(capsys, site)
    path = sorted((site / "_news").glob("*.md"))[0]
    good = path.read_text()
    path.write_text(good.replace("title:", "title: [unclosed", 1))
    assert path.relative_to(site).as_posix() not in "".join(same_as_without_index(capsys, site))
    path.write_text(good)
    assert path.relative_to(site).as_posix() in "".join(same_as_without_index(capsys, site))


def test_an_unreadable_file_is_read_again_not_taken_from_the_index(site, capsys, monkeypatch):
    """A file made unreadable after it was indexed is named a problem, not listed from the
    index. Root reads any file whatever its mode: the refusal is made for it here too."""
    from reviewer.core import files, library

    before = listing(capsys, site)
    path = sorted((site / "_news").glob("*.md"))[0]
    relpath = path.relative_to(site).as_posix()
    assert any(f'"{relpath}"' in line for line in before)
    real = library.open_regular

    def refused(name, *args, **kwargs):
        if os.path.samefile(name, path):
            raise PermissionError(13, "Permission denied", name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(library, "open_regular", refused)
    monkeypatch.setattr(files, "open_regular", refused)  # as files.opened_ahead opens it
    path.chmod(0)  # its ctime moves: the index must not vouch for it
    try:
        after = same_as_without_index(capsys, site)
    finally:
        path.chmod(0o644)
    assert not any(f'"{relpath}"' in line for line in after)
    assert len(after) == len(before) - 1


def test_a_moved_or_copied_folder_gets_an_index_of_its_own(site, capsys, tmp_path):
    before = listing(capsys, site)
    moved = tmp_path / "moved"
    shutil.copytree(site, moved, symlinks=True)
    shutil.rmtree(site)
    assert listing(capsys, moved) == before == listing(capsys, moved, "--no-index")
    assert index_file(moved) != Path(index_module.index_path(str(index_file(moved).parent), str(site)))


def listing_with_index(capsys, site, path: Path, damaged: bytes) -> tuple[list[str], str]:
    """`reviewer list --json` with the index file at `path` holding `damaged` (its -wal and -shm
    gone): the lines printed, and what was said on stderr."""
    path.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    main(["list", "--json", str(site)])
    out, err = capsys.readouterr()
    return out.splitlines(), err


def test_a_damaged_index_is_made_again_with_a_message(site, capsys):
    first = listing(capsys, site)
    path = index_file(site)
    for damage in (b"this is not a database" * 100, path.read_bytes()[: len(path.read_bytes()) // 3]):
        out, err = listing_with_index(capsys, site, path, damage)
        assert out == first
        assert "folder index" in err
    assert listing(capsys, site) == first  # and usable again


def listing_after_sql(capsys, site, statement: str) -> tuple[str, str]:
    """`reviewer list --json` once `statement` has changed the index: stdout and stderr."""
    db = sqlite3.connect(index_file(site))
    db.execute(statement)
    db.commit()
    db.close()
    main(["list", "--json", str(site)])
    out, err = capsys.readouterr()
    return out, err


def test_an_index_of_another_format_is_made_again(site, capsys, monkeypatch):
    first = listing(capsys, site)
    out, err = listing_after_sql(capsys, site, "UPDATE meta SET value = '0/old' WHERE key = 'format'")
    assert out.splitlines() == first
    assert "another version" in err


def test_an_index_in_use_elsewhere_is_left_aside(site, capsys, monkeypatch):
    first = listing(capsys, site)

    def busy(cls, cache_dir, root):
        raise index_module.IndexUnavailable("the folder index is in use by another process")

    monkeypatch.setattr(FolderIndex, "open", classmethod(busy))
    main(["list", "--json", str(site)])
    out, err = capsys.readouterr()
    assert out.splitlines() == first
    assert err.count("in use by another process") == 1


def test_two_processes_opening_the_same_folder_at_once(site, capsys):
    expected = listing(capsys, site, "--no-index")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "reviewer", "list", "--json", str(site)], env=env, stdout=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120)[0].decode().splitlines() for run in runs]
    assert all(out == expected for out in outputs)
    assert listing(capsys, site) == expected


def test_a_row_gone_from_the_index_after_the_comparison_is_read_from_the_file(site, capsys, monkeypatch):
    """Another process may change the index between the walk's comparison with it and the
    reading of its rows: a file found unchanged whose row is then gone is read, not made up
    (compared here, the comparison reads the rows it prints: a row gone is a file to read)."""
    first = listing(capsys, site)
    missing = sorted(p.relative_to(site).as_posix() for p in (site / "_news").glob("*.md"))[3]
    rows = FolderIndex.rows
    monkeypatch.setattr(FolderIndex, "rows", lambda self, *a, **k: (r for r in rows(self, *a, **k) if r[0] != missing))
    from reviewer.core import library

    read = []
    original = library.read_article
    monkeypatch.setattr(library, "read_article", lambda *a, **k: read.append(a[0]) or original(*a, **k))
    assert listing(capsys, site) == first
    assert read == [str(site / missing)]


def test_a_file_changed_just_before_a_scan_is_read_again_next_time(site, capsys, monkeypatch):
    """Within one tick of the file system's clock, a second write of the same size leaves size,
    mtime and ctime as they were: a row of a file that new is never trusted (git's "racily
    clean" entries); an older file's is."""
    monkeypatch.setattr(index_module, "RACY_NS", 2_000_000_000)  # as in use: the copy is a moment old
    path = next((site / "_news").glob("*.md"))
    first = listing(capsys, site)
    db = sqlite3.connect(index_file(site))
    rel = path.relative_to(site).as_posix()
    assert db.execute("SELECT ctime_ns FROM files WHERE relpath = ?", (rel,)).fetchone() == (-1,)
    db.close()
    from reviewer.core import library

    read = []
    original = library.read_article
    monkeypatch.setattr(library, "read_article", lambda *a, **k: read.append(a[0]) or original(*a, **k))
    assert listing(capsys, site) == first
    assert str(path) in read  # read again, though its stat values are those the index saw

    index = FolderIndex.open(str(index_file(site).parent), str(site))
    encoded = encode(read_article(str(path), str(site)))
    st = path.stat()
    old, new = (st.st_size, st.st_mtime_ns, st.st_ino, 10**18), (st.st_size, st.st_mtime_ns, st.st_ino, 2 * 10**18)
    index.store([("old.md", old, encoded), ("new.md", new, encoded)], looked_ns=2 * 10**18 + 1)
    index.close()
    db = sqlite3.connect(index_file(site))
    kept = dict(db.execute("SELECT relpath, ctime_ns FROM files WHERE relpath IN ('old.md', 'new.md')"))
    db.close()
    assert kept == {"old.md": 10**18, "new.md": -1}


def test_set_where_and_check_use_the_index_and_see_changes(site, capsys):
    listing(capsys, site)
    main(["set", "--quality", "77", "--where", "provider.name:Signal", str(site)])  # 1: the _broken files
    capsys.readouterr()
    lines = same_as_without_index(capsys, site)
    assert all('"quality": 77' in line for line in lines if '"provider": "Signal' in line)
    main(["check", str(site)])
    warm = capsys.readouterr().out
    main(["check", "--no-index", str(site)])
    assert capsys.readouterr().out == warm


def articles_of(root) -> list[Article]:
    return [a for batch in scan_batches(str(root), parallel=False) for a in batch.articles]


def test_a_warm_scan_for_the_window_reads_nothing_and_gives_the_articles_read(site, tmp_path, monkeypatch):
    """The window's scan (articles, not printed lines): with the index warm, no file is read,
    and every article equals the one a scan without the index reads."""
    from reviewer.core import library

    def scan(**kwargs):
        return [a for batch in scan_batches(str(site), parallel=True, **kwargs) for a in batch.articles]

    index = FolderIndex.open(str(tmp_path / "cache"), str(site))
    first = scan(index=index)
    read = []
    original = library.read_article
    monkeypatch.setattr(library, "read_article", lambda *a, **k: read.append(a[0]) or original(*a, **k))
    again = scan(index=index)
    index.close()
    assert read == []
    assert [a.relpath for a in again] == [a.relpath for a in first]
    assert len(first) > 50
    fresh = {a.relpath: a for a in scan()}
    for article in again:
        read_now = fresh[article.relpath]
        assert (article.original, article.identity) == (read_now.original, read_now.identity)
        assert [getattr(article, name) for name in FIELDS] == [getattr(read_now, name) for name in FIELDS]


def test_what_a_scan_reads_goes_to_the_index_a_few_hundred_rows_a_transaction(site, tmp_path, monkeypatch):
    """Not a transaction a chunk: a few files changed across a large folder were hundreds of
    commits of a row or two. Whatever the chunks, every file read is stored by the end."""
    from reviewer.core import library

    monkeypatch.setattr(library, "FIRST_CHUNK", 4)
    monkeypatch.setattr(library, "CHUNK", 4)
    monkeypatch.setattr(library, "STORE_ROWS", 10)
    stored: list[int] = []
    original = FolderIndex.store

    def store(self, rows, looked):
        stored.append(len(rows))
        original(self, rows, looked)

    monkeypatch.setattr(FolderIndex, "store", store)

    def scan() -> list[str]:
        index = FolderIndex.open(str(tmp_path / "cache"), str(site))
        try:
            return [a.relpath for batch in scan_batches(str(site), index=index) for a in batch.articles]
        finally:
            index.close()

    first = scan()
    assert len(first) > 50
    assert all(10 <= n < 14 for n in stored[:-1])  # a chunk's rows more at most
    assert 0 < stored[-1] < 14
    assert sum(stored) == len(list(site.rglob("*.md")))  # every candidate: articles and problems
    stored.clear()
    files = sorted(site.rglob("*.md"))
    for path in files[::20]:  # a few, across the folder
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert scan() == first
    assert stored == [len(files[::20])]  # one transaction, with the last chunk


@pytest.mark.parametrize("source", ["examples", "corpus"])
def test_an_article_from_the_index_is_the_article_read(source, tmp_path):
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    root = EXAMPLES if source == "examples" else CORPUS
    for article in articles_of(root):
        kind, data, _, _ = encode(article)
        again = decode(str(root), article.relpath, kind, data)
        assert isinstance(again, Article)
        for name in FIELDS:
            assert getattr(again, name) == getattr(article, name), (article.relpath, name)
        assert again.original == article.original
        assert again.key_names() == article.key_names()
        assert again.snapshot() == article.snapshot()


def test_a_date_marshal_cannot_hold_takes_the_slow_way(tmp_path):
    path = tmp_path / "dated.md"
    path.write_text("---\ntitle: Dated\npublishedDateTime: !!timestamp 2024-01-02T03:04:05Z\nquality: 5\n---\n")
    article = read_article(str(path), str(tmp_path))
    assert isinstance(article, Article)
    kind, data, _, _ = encode(article)
    assert data[:1] == b"P"
    again = decode(str(tmp_path), article.relpath, kind, data)
    assert again.original == article.original
    assert again.quality == 5


# --- any changes between two opens ---------------------------------------------------------

import contextlib  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CHANGES = ("edit", "same size", "add", "delete", "rename", "move", "new folder", "drop folder", "link", "problem")
_sites = itertools.count()


def article_text(n: int) -> str:
    return f"---\ntitle: Article {n:04}\npublished: false\nquality: {n}\n---\nBody {n}.\n"


def change(root: Path, what: str, n: int) -> None:
    """One change an editor, a bot or git makes to a folder between two opens."""
    files = sorted(p for p in root.rglob("*.md") if p.is_file() and not p.is_symlink())
    folders = sorted(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())
    if not files or what == "add":
        (([root, *folders])[n % (len(folders) + 1)] / f"new{n}.md").write_text(article_text(n))
        return
    target = files[n % len(files)]
    if what == "edit":
        target.write_text(target.read_text().replace("title: ", f"title: edited {n} ", 1))
    elif what == "same size":  # and the same mtime: only the ctime tells
        text, stat = target.read_text(), target.stat()
        target.write_text(text.replace("title: A", "title: B", 1) if "title: A" in text else text.replace(":", ";", 1))
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif what == "delete":
        target.unlink()
    elif what == "rename":
        target.rename(target.with_name(f"r{n}-{target.name}"))
    elif what == "move":
        target.rename(([root, *folders])[n % (len(folders) + 1)] / f"m{n}-{target.name}")
    elif what == "new folder":
        (root / f"d{n}").mkdir(exist_ok=True)
        for i in range(2):
            (root / f"d{n}" / f"a{i}.md").write_text(article_text(n + i))
    elif what == "drop folder" and folders:
        shutil.rmtree(folders[n % len(folders)])
    elif what == "link":
        target.unlink()
        os.symlink(files[(n + 1) % len(files)], target)
    elif what == "problem":
        target.write_text("---\ntitle: [not closed\n---\n" if n % 2 else "---\ntitle: fine again\n---\n")


def run(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(list(argv))
    return out.getvalue()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(0, 999)), max_size=5), min_size=1, max_size=3))
def test_any_changes_between_opens_list_and_check_as_a_fresh_read(tmp_path, rounds):
    root = tmp_path / f"site{next(_sites)}"
    for n in range(12):
        folder = root / ("" if n < 4 else f"s{n % 3}") / ("deep" if n % 5 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{n:02}.md").write_text(article_text(n))
    run("list", "--json", str(root))  # the index made
    for changes in rounds:
        for what, n in changes:
            change(root, what, n)
        fresh = run("list", "--json", "--no-index", str(root))
        assert run("list", "--json", str(root)) == fresh
        assert run("list", "--json", str(root)) == fresh  # as kept, where the folder allows (core.kept)
        assert run("check", str(root)) == run("check", "--no-index", str(root))


def corrupted_runs(capsys, site, trials: int, seed: int) -> list[str]:
    """The wrong listings over `trials` random bit flips of a good index, each made again from
    the same good copy: which bit, and the lines that differ."""
    import random

    truth = listing(capsys, site, "--no-index")
    listing(capsys, site)
    path = index_file(site)
    good = path.read_bytes()
    rng = random.Random(seed)
    shown: list[str] = []
    for _ in range(trials):
        damaged = bytearray(good)
        at = rng.randrange(100, len(damaged))  # past SQLite's header, as a bad sector or a stray write would be
        damaged[at] ^= 1 << rng.randrange(8)
        out, _ = listing_with_index(capsys, site, path, bytes(damaged))
        if out != truth:
            shown.append(f"bit {at}: {[x[:150] for x in sorted(set(out) ^ set(truth))[:3]]}")
    return shown


def test_random_byte_corruptions_of_the_index_never_change_the_listing(site, capsys, walker):
    if walker != "walked here":
        pytest.skip("the walk's process changes nothing here")
    assert corrupted_runs(capsys, site, int(os.environ.get("REVIEWER_INDEX_CORRUPTIONS", "80")), seed=5) == []


def test_a_row_whose_checksum_fails_is_read_from_its_file_and_the_index_made_again(site, capsys):
    first = listing(capsys, site)
    forge = 'UPDATE files SET json = replace(json, \'"title": "\', \'"title": "FORGED \') WHERE kind = 0'
    out, err = listing_after_sql(capsys, site, forge)
    assert out.splitlines() == first
    assert "FORGED" not in out
    assert "damaged; it is made again" in err
    assert listing(capsys, site) == first
    assert capsys.readouterr().err == ""  # made again: nothing damaged the second time
