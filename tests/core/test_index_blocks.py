"""The folder index's blocks: runs of rows kept as one value, taken whole by a reopening only
while every file of theirs is unchanged, and never giving anything but what reading the files gives."""

import marshal
import os
import random
import shutil
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.core import index as index_module
from reviewer.core import library, walking
from reviewer.core.article import Article, articles_from_block, block_columns, column_values
from reviewer.core.index import FolderIndex
from reviewer.core.library import read_article, scan_batches
from reviewer.core.walking import Batch, compare, in_blocks, walk_files
from tests.core.test_walking import dying
from tests.helpers import CORPUS, EXAMPLES, writable_copy

FIELDS = (
    "path", "relpath", "identity", "read_only", "title", "excerpt", "date", "type", "category",
    "topics", "original_url", "web_url", "heat", "published", "quality", "provider", "link",
    "edits", "conflict", "logged", "pending", "same",
)  # fmt: skip


@pytest.fixture
def site(tmp_path):
    return writable_copy(EXAMPLES, tmp_path / "newsroom")


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of a few rows, and the walk by the helper (which says a block is unchanged) for
    any folder: the example folder's 60-odd files make a dozen blocks."""
    monkeypatch.setattr(index_module, "BLOCK_ROWS", 6)
    monkeypatch.setattr(index_module, "FIRST_BLOCK_ROWS", 2)
    monkeypatch.setattr(library, "WALK_ELSEWHERE", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


class Spy:
    """What a scan takes from the index's blocks, and what it reads from files or rows."""

    def __init__(self, monkeypatch):
        self.blocks: list[str] = []
        self.read: list[str] = []
        self.decoded: list[str] = []
        block, read, decode = FolderIndex.block, library.read_article, library.decode

        def take(index, first, digest, relpaths):
            found = block(index, first, digest, relpaths)
            if found is not None:
                self.blocks.append(first)
            return found

        monkeypatch.setattr(FolderIndex, "block", take)
        monkeypatch.setattr(library, "read_article", lambda *a, **k: self.read.append(a[0]) or read(*a, **k))
        monkeypatch.setattr(library, "decode", lambda root, rel, *a: self.decoded.append(rel) or decode(root, rel, *a))

    def clear(self) -> None:
        self.blocks.clear()
        self.read.clear()
        self.decoded.clear()


def window_scan(root: Path, cache: Path, problems: list | None = None) -> list[Article]:
    """The window's scan (articles, not printed lines) with the folder's index; what else it
    finds (problems, files skipped) added to `problems` when given."""
    index = FolderIndex.open(str(cache), str(root))
    try:
        articles = []
        for batch in scan_batches(str(root), parallel=True, index=index):
            articles += batch.articles
            if problems is not None:
                problems += [(p.relpath, p.kind, p.message, p.line) for p in batch.problems]
                problems.append(batch.skipped)
        assert not index.message, index.message
        return articles
    finally:
        index.close()


def problems_read(root: Path) -> list:
    found: list = []
    for batch in scan_batches(str(root), parallel=False):
        found += [(p.relpath, p.kind, p.message, p.line) for p in batch.problems]
        found.append(batch.skipped)
    return found


def make_blocks(root: Path, cache: Path) -> int:
    return index_module.make_blocks(str(cache), str(root))


def assert_as_read(articles: list[Article], root: Path) -> None:
    """Each article equals the one reading its file gives, and they come in the walk's order."""
    fresh = {a.relpath: a for batch in scan_batches(str(root), parallel=False) for a in batch.articles}
    assert [a.relpath for a in articles] == sorted(fresh)
    for article in articles:
        read_now = fresh[article.relpath]
        assert [getattr(article, name) for name in FIELDS] == [getattr(read_now, name) for name in FIELDS]
        assert (article.original, article.key_names(), article.snapshot().metadata(), article._whole()) == (
            read_now.original,
            read_now.key_names(),
            read_now.snapshot().metadata(),
            read_now._stored,  # its identity and pack, the pack kept with its block's (core.spill)
        )


def block_rows(root: Path, cache: Path) -> list[tuple[str, str, int]]:
    db = sqlite3.connect(index_module.index_path(str(cache), str(root)))
    try:
        return db.execute("SELECT first, last, count FROM blocks ORDER BY first").fetchall()
    finally:
        db.close()


# --- articles as a block keeps them ----------------------------------------------------------


@pytest.mark.parametrize("source", ["examples", "corpus"])
def test_an_article_from_a_block_is_the_article_read(source):
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    root = EXAMPLES if source == "examples" else CORPUS

    articles = [a for batch in scan_batches(str(root), parallel=False) for a in batch.articles]
    columns, packs = block_columns(articles)
    columns = marshal.loads(marshal.dumps(columns))
    again = articles_from_block(str(root), columns, packs)
    assert len(again) == len(articles) > 50
    relpaths, states, qualities = column_values(columns)  # what the window counts a block by
    assert relpaths == [a.relpath for a in articles]
    assert [(type(s), s) for s in states] == [(type(a.published), a.published) for a in articles]
    assert [(type(q), q) for q in qualities] == [(type(a.quality), a.quality) for a in articles]
    for article, made in zip(articles, again, strict=True):
        assert [getattr(made, name) for name in FIELDS] == [getattr(article, name) for name in FIELDS]
        assert (made.original, made.key_names(), made.snapshot().metadata(), made._whole()) == (
            article.original,
            article.key_names(),
            article.snapshot().metadata(),
            article._stored,  # its identity and pack, the pack now kept with the block's (core.spill.Held)
        )


def test_an_article_from_a_block_takes_edits_and_saves_as_one_read(site, tmp_path):
    window_scan(site, tmp_path / "cache")
    assert make_blocks(site, tmp_path / "cache") > 5
    [article] = [a for a in window_scan(site, tmp_path / "cache") if a.relpath.endswith(".md")][:1]
    read_now = read_article(article.path, str(site))
    assert isinstance(read_now, Article)
    for each in (article, read_now):
        each.set("quality", 77)
        each.set("published", True)
    assert article.changes() == read_now.changes()
    ours, theirs = article.save_state(), read_now.save_state()
    assert ours[5:] == theirs[5:]  # keys, raw values, sizes, edits, decision
    assert ours.job()[1] == theirs.job()[1]  # the identity
    assert ours.snapshot().metadata() == theirs.snapshot().metadata()
    assert ours.changes() == theirs.changes()


# --- taken whole, and only while unchanged ---------------------------------------------------


def test_a_reopening_takes_every_block_whole_and_reads_nothing(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = window_scan(site, cache)
    made = make_blocks(site, cache)
    rows = block_rows(site, cache)
    assert made == len(rows) > 8
    assert rows[0][2] == 2
    assert max(n for _, _, n in rows) == 6
    assert sum(n for _, _, n in rows) == len(list(site.rglob("*.md")))
    assert make_blocks(site, cache) == 0  # nothing left to make
    spy = Spy(monkeypatch)
    again = window_scan(site, cache)
    assert spy.read == []
    assert spy.decoded == []
    assert spy.blocks == [first for first, _, _ in rows]
    assert [a.relpath for a in again] == [a.relpath for a in first]
    assert_as_read(again, site)


def test_a_changed_added_or_deleted_file_costs_its_block_only(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    before = block_rows(site, cache)
    files = sorted(site.rglob("*.md"))
    edited, deleted = files[10], files[30]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    deleted.unlink()
    (files[50].parent / (files[50].stem + "-added.md")).write_text("---\ntitle: Added\n---\n", encoding="utf-8")
    spy = Spy(monkeypatch)
    again = window_scan(site, cache)
    assert str(edited) in spy.read
    assert str(deleted) not in spy.read
    assert len(spy.read) <= 2 * 6 + 1  # the files of the blocks whose rows changed, at most
    assert_as_read(again, site)
    assert [a.title for a in again if a.path == str(edited)][0].startswith("Edited")
    # The blocks of the edited and the deleted file were dropped when the scan wrote their rows;
    # the added file falls in a block's range or between two, as its name sorts.
    kept = block_rows(site, cache)
    assert len(before) - 3 <= len(kept) <= len(before) - 2
    assert len(spy.blocks) == len(kept)
    relpath = {str(p): str(p.relative_to(site)) for p in files}
    for first, last, _ in before:
        if first <= relpath[str(edited)] <= last or first <= relpath[str(deleted)] <= last:
            assert first not in spy.blocks
    made = make_blocks(site, cache)
    assert made >= 2
    spy.clear()
    again = window_scan(site, cache)
    assert spy.read == []
    assert spy.decoded == []
    assert_as_read(again, site)


def test_a_block_made_again_after_the_walk_looked_is_taken_row_by_row(site, tmp_path, monkeypatch):
    """The helper names each block it found unchanged by its CRC; a block of another CRC by the
    time it is taken (made again by another process) is passed over, its files taken from their rows."""
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    walked = walking.walk_elsewhere

    def other_digests(*args, **kwargs):
        for planned in walked(*args, **kwargs):
            if walking.is_block_run(planned):
                planned = (planned[0] ^ 1, planned[1])
            yield planned

    monkeypatch.setattr(library, "walk_elsewhere", other_digests)
    spy = Spy(monkeypatch)
    again = window_scan(site, cache)
    assert spy.blocks == []
    assert spy.read == []
    assert {a.relpath for a in again} <= set(spy.decoded)
    assert_as_read(again, site)


def fourth_block(site: Path, cache: Path) -> tuple[str, str, bytes, int]:
    """The site's index, with its blocks made: its path, and the fourth block's first path,
    value and CRC-32."""
    window_scan(site, cache)
    make_blocks(site, cache)
    path = index_module.index_path(str(cache), str(site))
    db = sqlite3.connect(path)
    first, data, digest = db.execute("SELECT first, data, sum FROM blocks ORDER BY first LIMIT 1 OFFSET 3").fetchone()
    db.close()
    return path, first, data, digest


def put_block(path: str, first: str, data: bytes, digest: int) -> None:
    """`data` and `digest` written as the block at `first`, as a stray write would: past the triggers."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA recursive_triggers = OFF")
    db.execute("UPDATE blocks SET data = ?, sum = ? WHERE first = ?", (data, digest, first))
    db.commit()
    db.close()


def reopened(site: Path, cache: Path) -> tuple[list[Article], str]:
    """The articles a reopening takes in, and what the index said of itself."""
    index = FolderIndex.open(str(cache), str(site))
    try:
        batches = list(scan_batches(str(site), parallel=True, index=index))
    finally:
        index.close()
    return [a for batch in batches for a in batch.articles], index.message


def test_a_damaged_block_is_read_from_the_rows_and_the_index_made_again(site, tmp_path):
    cache = tmp_path / "cache"
    path, first, data, digest = fourth_block(site, cache)
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0x10
    put_block(path, first, bytes(damaged), digest)  # the block's own CRC-32 left as it was
    again, message = reopened(site, cache)
    assert "a block of the folder index was damaged" in message
    assert_as_read(again, site)
    assert not Path(path).exists()  # made again at the next scan


@pytest.mark.parametrize("change", ["cut short", "longer", "no packs", "packs longer", "a value short"])
def test_a_block_whose_packs_are_not_as_its_columns_say_is_read_from_the_rows(change, site, tmp_path):
    """A block written whole (its CRC-32 right) whose packs, kept before its marshal value,
    are not as long as its columns say: taken as damaged, never as packs shifted."""
    cache = tmp_path / "cache"
    path, first, data, _ = fourth_block(site, cache)
    (length,) = struct.unpack_from("<Q", data)
    packs, value = data[8 : 8 + length], data[8 + length :]
    columns, others = marshal.loads(value)
    assert columns[-1] == length > 1000
    short = (*columns[:-2], columns[-2][:-1], columns[-1])  # one `quality` fewer than articles
    made = {
        "cut short": data[:-7],
        "longer": data + b"\0" * 7,
        "no packs": struct.pack("<Q", 0) + value,
        "packs longer": struct.pack("<Q", length + 7) + packs + b"\0" * 7 + value,
        "a value short": data[: 8 + length] + marshal.dumps((short, others)),
    }[change]
    put_block(path, first, made, zlib.crc32(made))
    again, message = reopened(site, cache)
    assert_as_read(again, site)
    # Bytes after the marshal value are not read: the packs before it are where the block says.
    assert ("a block of the folder index was damaged" in message) == (change != "longer")


def corrupted(path: Path, rng: random.Random) -> Iterator[int]:
    """The index file at `path` with one bit flipped, REVIEWER_INDEX_CORRUPTIONS times (30; `make
    fuzz` 1,000), each time at a random offset, which is given; whole again at the end."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    good = path.read_bytes()
    for _ in range(int(os.environ.get("REVIEWER_INDEX_CORRUPTIONS", "30"))):
        damaged = bytearray(good)
        at = rng.randrange(100, len(damaged))
        damaged[at] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(damaged))
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        yield at
    path.write_bytes(good)


def test_random_byte_corruptions_of_blocks_never_change_what_the_window_shows(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    path = Path(index_module.index_path(str(cache), str(site)))
    truth = [(a.relpath, a.title, a.quality, a.original) for batch in scan_batches(str(site)) for a in batch.articles]
    wrong = []
    for at in corrupted(path, random.Random(11)):
        try:
            index = FolderIndex.open(str(cache), str(site))
        except index_module.IndexUnavailable:
            continue
        try:
            shown = [
                (a.relpath, a.title, a.quality, a.original)
                for batch in scan_batches(str(site), parallel=True, index=index)
                for a in batch.articles
            ]
        finally:
            index.close()
        if shown != truth:
            wrong.append(at)
    assert wrong == []


# --- the walk's helper -------------------------------------------------------------------------


def stat_rows(root: Path) -> list[tuple]:
    return [(str(Path(path).relative_to(root)), *st) for path, _, st in walk_files(str(root), Batch(), stat=True) if st]


def test_in_blocks_names_a_block_only_when_its_rows_are_exactly_the_unchanged_files(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for n in range(12):
        (root / f"a{n:02}.md").write_text(f"---\ntitle: {n}\n---\n")
    rows = stat_rows(root)
    relpaths = [r[0] for r in rows]
    blocks = [
        (relpaths[0], relpaths[3], 4, 101),
        (relpaths[4], relpaths[7], 4, 102),
        (relpaths[8], relpaths[11], 4, 103),
    ]

    def planned(rows_now) -> list:
        walked = walk_files(str(root), Batch(), stat=True)
        return list(in_blocks(str(root), compare(str(root), walked, iter(rows_now), []), list(blocks)))

    assert planned(rows) == [(101, relpaths[:4]), (102, relpaths[4:8]), (103, relpaths[8:])]
    changed = [*rows[:5], (rows[5][0], rows[5][1] + 1, *rows[5][2:]), *rows[6:]]
    out = planned(changed)
    assert out[0] == (101, relpaths[:4])
    assert out[-1] == (103, relpaths[8:])
    assert out[1:-1] == [relpaths[4], (str(root / relpaths[5]), False, tuple(rows[5][1:])), *relpaths[6:8]]
    gone = [*rows[:9], *rows[10:]]  # a row whose file is not there: the file is new to the index
    assert planned(gone)[2:] == [relpaths[8], (str(root / relpaths[9]), False, tuple(rows[9][1:])), *relpaths[10:]]
    (root / relpaths[2]).unlink()  # a file gone: its block holds a row the walk no longer meets
    assert planned(rows)[:3] == [relpaths[0], relpaths[1], relpaths[3]]


def test_the_helper_compares_with_the_blocks_stats_and_rows_between_them(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    path = index_module.index_path(str(cache), str(site))
    db = sqlite3.connect(path)
    db.execute("DELETE FROM blocks WHERE first = (SELECT first FROM blocks ORDER BY first LIMIT 1 OFFSET 2)")
    db.commit()
    every = db.execute("SELECT relpath, size, mtime_ns, ino, ctime_ns FROM files ORDER BY relpath").fetchall()
    db.close()
    blocks: list = []
    assert list(walking.index_rows(path, index_module.FORMAT, blocks=blocks)) == every
    assert len(blocks) == len(block_rows(site, cache))
    assert list(walking.index_rows(path, index_module.FORMAT, after=every[20][0])) == every[21:]


# --- kept up by the index itself ---------------------------------------------------------------


def test_any_write_to_a_row_drops_the_block_that_holds_it_and_no_other(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    before = block_rows(site, cache)
    path = index_module.index_path(str(cache), str(site))
    inside = before[4]
    db = sqlite3.connect(path)
    db.execute("UPDATE files SET size = size + 1 WHERE relpath = ?", (inside[0],))
    db.execute("DELETE FROM files WHERE relpath = ?", (before[6][1],))
    db.execute("INSERT INTO files (relpath, kind) VALUES (?, 2)", (before[8][0] + "~",))  # between its first and last
    db.execute("INSERT INTO files (relpath, kind) VALUES (?, 2)", (before[-1][1] + "~",))  # after every block
    db.commit()
    db.close()
    assert block_rows(site, cache) == [b for i, b in enumerate(before) if i not in (4, 6, 8)]


def test_small_blocks_are_made_again_with_the_rows_next_to_them(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    files = sorted(site.rglob("*.md"))
    for n in range(3):  # new files, each in its own place between blocks or inside one
        (files[n * 20].parent / f"{files[n * 20].stem}-new{n}.md").write_text("---\ntitle: New\n---\n")
    window_scan(site, cache)
    make_blocks(site, cache)
    rows = block_rows(site, cache)
    assert sum(n for _, _, n in rows) == len(list(site.rglob("*.md")))
    assert all(n >= 3 for _, _, n in rows[1:-1])  # no block of a row or two left between others
    assert all(a[1] < b[0] for a, b in zip(rows, rows[1:], strict=False))  # none overlaps the next


def test_a_value_marshal_cannot_hold_leaves_its_rows_out_of_blocks(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for n in range(14):
        value = "!!timestamp 2024-01-02T03:04:05Z" if n == 9 else "2024-01-02"
        (root / f"a{n:02}.md").write_text(f"---\ntitle: {n}\npublishedDateTime: {value}\n---\n")
    cache = tmp_path / "cache"
    window_scan(root, cache)
    make_blocks(root, cache)
    rows = block_rows(root, cache)
    assert not any(first <= "a09.md" <= last for first, _, last in [(r[0], 0, r[1]) for r in rows])
    assert sum(n for _, _, n in rows) == 14 - 6  # the block of six that holds it is not made
    assert_as_read(window_scan(root, cache), root)


def test_make_blocks_elsewhere_runs_in_a_process_of_its_own(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    index = FolderIndex.open(str(cache), str(site))
    monkeypatch.setattr(index_module, "BLOCKS_FROM", 10)
    assert index.wants_blocks()
    index.close()
    index_module.make_blocks_elsewhere(str(cache), str(site), nice=0)
    index_module.wait_for_blocks(60)
    rows = block_rows(site, cache)
    # The process has the module's own sizes: BLOCK_ROWS rows a block, the first smaller.
    assert rows
    assert sum(n for _, _, n in rows) == len(list(site.rglob("*.md")))
    index = FolderIndex.open(str(cache), str(site))
    assert not index.wants_blocks()
    index.close()


def test_a_small_folder_wants_no_blocks(site, tmp_path):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    index = FolderIndex.open(str(cache), str(site))
    assert not index.wants_blocks()  # fewer rows than BLOCKS_FROM
    index.close()


def test_a_copied_index_folder_keeps_its_blocks_apart(site, tmp_path):
    """An index is the folder's own (index_path): a copy of the folder gets its own, blocks and all."""
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    copy = tmp_path / "copy"
    shutil.copytree(site, copy, symlinks=True)
    (sorted(copy.rglob("*.md"))[5]).write_text("---\ntitle: Only in the copy\n---\n")
    assert_as_read(window_scan(copy, cache), copy)
    assert_as_read(window_scan(site, cache), site)


# --- any changes between two opens -------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.core.test_index import CHANGES, article_text, change  # noqa: E402


def small_site(tmp_path_factory, count: int) -> tuple[Path, Path]:
    """A folder of `count` articles in a few folders, some deep, and a cache folder for its index."""
    root = tmp_path_factory.mktemp("site")
    for n in range(count):
        folder = root / ("" if n < 6 else f"s{n % 3}") / ("deep" if n % 5 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{n:02}.md").write_text(article_text(n))
    return root, tmp_path_factory.mktemp("cache")


@settings(
    max_examples=int(os.environ.get("REVIEWER_BLOCK_OPENS", "15")),  # `make fuzz` 150
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(0, 999)), max_size=5), min_size=1, max_size=3),
    st.integers(0, 2**16),
)
def test_any_changes_between_opens_show_as_a_fresh_read(tmp_path_factory, rounds, seed):
    root, cache = small_site(tmp_path_factory, 20)
    window_scan(root, cache)
    for i, changes in enumerate(rounds):
        if (seed >> i) & 1:  # blocks made before this round's changes, or not
            make_blocks(root, cache)
        for what, n in changes:
            change(root, what, n)
        problems: list = []
        assert_as_read(window_scan(root, cache, problems), root)
        expected = problems_read(root)
        assert sorted(p for p in problems if isinstance(p, tuple)) == sorted(
            p for p in expected if isinstance(p, tuple)
        )
        assert sum(n for n in problems if isinstance(n, int)) == sum(n for n in expected if isinstance(n, int))


def test_a_helper_that_dies_after_a_block_is_taken_over_after_that_block(site, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    window_scan(site, cache)
    make_blocks(site, cache)
    monkeypatch.setattr(walking, "_HELPER", dying(3))  # the first block among its frames
    spy = Spy(monkeypatch)
    again = window_scan(site, cache)
    assert 1 <= len(spy.blocks) < len(block_rows(site, cache))  # what the helper gave before it died
    assert spy.read == []
    taken = [a.relpath for a in again]
    assert len(taken) == len(set(taken))  # none twice
    assert_as_read(again, site)


def test_a_folders_blocks_are_made_by_one_process_at_a_time(monkeypatch):
    started = []

    class Running:
        def poll(self):
            return None

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(index_module, "start_python", lambda *args: started.append(args) or Running())
    monkeypatch.setattr(index_module, "_MAKERS", {})
    index_module.make_blocks_elsewhere("cache", "/site")
    index_module.make_blocks_elsewhere("cache", "/site")  # the first is still at work
    assert [args[1] for args in started] == [["cache", "/site", "10"]]
    index_module.make_blocks_elsewhere("cache", "/other")  # another folder's: at once
    assert [args[1] for args in started] == [["cache", "/site", "10"], ["cache", "/other", "10"]]
