"""A warm `reviewer list` of an unchanged folder: the walk shared between processes
(walking.walk_parts) gives what walk_files gives, and the listing kept in the folder index
(core.kept) is given back only after the same walk, whole and
undamaged."""

import contextlib
import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core import index as index_module
from reviewer.core.index import FolderIndex
from reviewer.core.kept import KeptListing, ListingRecord
from reviewer.core.prewalk import walk_parts
from reviewer.core.walking import Batch, walk_files

ROOT = Path(__file__).resolve().parents[2]


def tree(root, links=True):
    """Folders side by side and nested, files between them in the order of their relative
    paths ('a-b.md' before 'a/'), what the walk skips or reports, and (with `links`) links."""
    for n in range(40):
        path = root / f"{n % 4}" / (f"sub{n % 3}" if n % 5 else "") / f"a{n:02}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: A{n}\n---\n")
    for name in ("0-a.md", "1.md", "top.md", "2-z/x.md", ".hidden/y.md", "_site/z.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("---\ntitle: T\n---\n")
    (root / "logo.png").write_bytes(b"\x89PNG")
    (root / "1" / ".a01.md.5-1.reviewer-tmp").write_text("left by a crash")
    os.mkfifo(root / "pipe.md")
    if links:
        os.symlink(root / "missing.md", root / "broken.md")
        os.symlink(root / "2", root / "0-again")  # the same folder twice: walked once by walk_files
    return root


def as_walked(root):
    found = Batch()
    files = list(walk_files(str(root), found, stat=True))
    return files, found


def fresh_walk(root, processes, kept=None, fail="", slice_size=None):
    """walk_parts in a process of its own, without the threads a test run may have (where
    this process has other threads, it does not fork): what it gave, as a dict. With `fail`,
    each helper dies at once ("start") or after its first run ("later")."""
    return fresh_walks([root], processes, [slice_size], kept, fail)[0]


def fresh_walks(roots, processes, slice_sizes, kept=None, fail=""):
    """fresh_walk of each root (its parts' slices of the size at the same place, None for
    the usual), all in one process of their own."""
    code = f"""
import os, pickle, sys
from reviewer.core import prewalk as p
from reviewer.core.walking import Batch
if {fail!r}:
    real, sent = p._send, []
    def send(pipe, value):
        sent.append(value)
        if {fail!r} == "start" or len(sent) == 2:
            os._exit(1)
        real(pipe, value)
    p._send = send
out = []
for root, size in {list(zip(map(str, roots), slice_sizes, strict=True))!r}:
    walk = p.walk_parts(root, {processes}, {kept!r}, slice_size=size or p.SLICE)
    helpers = len(walk._helpers)
    found = Batch()
    found.problems += walk.found.problems
    found.leftovers += walk.found.leftovers
    found.skipped += walk.found.skipped
    files = list(walk.files(found))
    out.append(dict(
        files=files, problems=sorted(x.relpath for x in found.problems), leftovers=sorted(found.leftovers),
        skipped=found.skipped, plain=walk.plain, newest=walk.newest, sums=walk.sums(),
        differs=walk.differs, helpers=helpers, expanded=sum(part.enters is not None for part in walk._parts),
    ))
sys.stdout.buffer.write(pickle.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)
    return pickle.loads(done.stdout)


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
@pytest.mark.parametrize("links", [False, True])
def test_a_walk_in_parts_is_the_walk_itself(tmp_path, processes, links):
    root = tree(tmp_path / "site", links)
    files, found = as_walked(root)
    walked = fresh_walk(root, processes)
    assert walked["helpers"] == min(processes, 6 if links else 5) - 1  # folders 0, 1, 2, 2-z, 3 (0-again)
    assert walked["files"] == files
    assert walked["problems"] == sorted(p.relpath for p in found.problems)
    assert walked["leftovers"] == sorted(found.leftovers)
    assert walked["skipped"] == found.skipped
    assert walked["plain"] is not links  # a folder reached through a link is read each time
    assert walked["newest"] == max(st[3] for _, _, st in files if st)
    assert walked["differs"]  # from no kept listing
    if not links:  # a walk through a link has no listing kept: its sums are not used
        assert fresh_walk(root, processes)["sums"] == walked["sums"]
        assert fresh_walk(root, processes, kept=walked["sums"])["differs"] is False


def one_large_folder(root, links=True):
    """A site with its articles in one folder (a Jekyll site's `_posts/`), runs of files
    between its subfolders, a small folder beside it, and (with `links`) links into it, out
    of it and back to it, from before and after it in the walk's order."""
    posts = root / "_posts"
    for n in range(60):
        sub = {7: "a-sub/", 8: "a-sub/", 30: "m-sub/deeper/", 59: "z-sub/"}.get(n, "")
        path = posts / sub / f"{n:02}-{'a-title-of-some-length-' * 4}.md"  # the folder larger than `other`
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: A{n}\n---\n")
    (posts / "notes.txt").write_text("skipped")
    (posts / ".31.md.1-1.reviewer-tmp").write_text("left by a crash")
    (root / "other").mkdir()
    (root / "other" / "o.md").write_text("---\ntitle: O\n---\n")
    (root / "top.md").write_text("---\ntitle: T\n---\n")
    if links:
        os.symlink(posts / "missing.md", posts / "40-broken.md")
        os.symlink(root / "other", posts / "45-other")  # walked there first: `other` is passed by
        os.symlink(posts, posts / "50-self")  # back to the folder it is in
        os.symlink(posts / "m-sub", root / "A-link")  # before `_posts`: m-sub walked there
    return root


@pytest.mark.parametrize("processes", [1, 2, 3])
@pytest.mark.parametrize("links", [False, True])
@pytest.mark.parametrize("slice_size", [1, 4, 25])
def test_a_large_folder_is_walked_in_parts_as_the_walk_itself(tmp_path, processes, links, slice_size):
    root = one_large_folder(tmp_path / "site", links)
    files, found = as_walked(root)
    walked = fresh_walk(root, processes, slice_size=slice_size)
    assert (walked["expanded"] > 1) is (processes > 1)  # only where it can be shared
    assert walked["files"] == files
    assert walked["problems"] == sorted(p.relpath for p in found.problems)
    assert walked["leftovers"] == sorted(found.leftovers)
    assert walked["skipped"] == found.skipped
    assert walked["plain"] is not links
    if not links:
        again = fresh_walk(root, processes, kept=walked["sums"], slice_size=slice_size)
        assert again["files"] == files
        assert again["differs"] is False


def test_a_large_folder_passed_by_is_not_walked_again(tmp_path):
    """A link before the large folder leads into it: walk_files walks it there, and passes the
    folder itself by (as any folder reached twice), its listing's problems too."""
    root = one_large_folder(tmp_path / "site", links=True)
    os.symlink(root / "_posts", root / "A-all")
    files, found = as_walked(root)
    walked = fresh_walk(root, 2, slice_size=4)
    assert walked["expanded"] > 1
    assert walked["files"] == files
    assert not any(path.startswith(str(root / "_posts") + "/") for path, _, _ in files)
    assert walked["problems"] == sorted(p.relpath for p in found.problems)
    assert walked["leftovers"] == sorted(found.leftovers) == [str(root / "A-all" / ".31.md.1-1.reviewer-tmp")]


def test_a_large_folder_of_more_folders_than_the_queue_holds_is_walked_whole(tmp_path):
    root = tmp_path / "site"
    for n in range(1100):
        (root / "_posts" / f"n{n:04}").mkdir(parents=True)
        (root / "_posts" / f"n{n:04}" / "a.md").write_text("---\ntitle: A\n---\n")
    files, _ = as_walked(root)
    walked = fresh_walk(root, 2, slice_size=4)
    assert walked["expanded"] == 0  # in parts, none would be shared: the queue holds 1,024
    assert walked["files"] == files


WALK_TREES = int(os.environ.get("REVIEWER_WALK_TREES", "24"))


def random_tree(root, rng):
    """Folders of random sizes side by side and nested, files between them, and links between
    folders (forward, back, to a parent, to themselves), to files, and broken ones."""
    folders = [root]
    for n in range(rng.randint(1, 6)):
        parent = rng.choice(folders) if rng.random() < 0.4 else root
        folder = parent / f"{rng.choice('A_bz')}{n}"
        folder.mkdir(parents=True, exist_ok=True)
        folders.append(folder)
    for n in range(rng.randint(5, 60)):
        folder = rng.choice(folders)
        (folder / f"{rng.choice('0a_~')}{n:02}.md").write_text(f"---\ntitle: {n}\n---\n")
    for n in range(rng.randint(0, 5)):
        folder, target = rng.choice(folders), rng.choice(folders)
        name = f"{rng.choice('0a_~')}{n}-link"
        kind = rng.random()
        if kind < 0.6:
            os.symlink(target, folder / name)
        elif kind < 0.8:
            os.symlink(folder / "missing.md", folder / f"{name}.md")
        else:
            (folder / f".{n}.md.1-1.reviewer-tmp").write_text("left by a crash")
    return root


@pytest.mark.parametrize("processes", [2, 8])
def test_random_trees_with_links_are_walked_in_parts_as_the_walk_itself(tmp_path, processes):
    """REVIEWER_WALK_TREES trees (`make fuzz` 600); with 8 processes every folder of the root is
    larger than a process's share, so each is walked in parts."""
    import random

    roots = [random_tree(tmp_path / f"t{seed}", random.Random(seed)) for seed in range(WALK_TREES)]
    expanded = 0
    walks = fresh_walks(roots, processes, [1 + seed % 4 for seed in range(WALK_TREES)])
    for seed, (root, walked) in enumerate(zip(roots, walks, strict=True)):
        files, found = as_walked(root)
        assert walked["files"] == files, f"tree {seed}"
        assert walked["problems"] == sorted(p.relpath for p in found.problems), f"tree {seed}"
        assert walked["leftovers"] == sorted(found.leftovers), f"tree {seed}"
        assert walked["skipped"] == found.skipped, f"tree {seed}"
        expanded += walked["expanded"] > 0
    assert expanded >= WALK_TREES // 8  # the trees did exercise the parts of expanded folders


def test_a_root_of_more_folders_than_the_queue_holds_is_walked_here_the_same(tmp_path):
    root = tmp_path / "site"
    for n in range(1100):
        (root / f"n{n:04}").mkdir(parents=True)  # runs alternate: n0000.md, n0000/, n0001.md...
        (root / f"n{n:04}" / "a.md").write_text("---\ntitle: A\n---\n")
        (root / f"n{n:04}.md").write_text("---\ntitle: F\n---\n")
    files, _ = as_walked(root)
    walked = fresh_walk(root, 2)
    assert walked["helpers"] == 0
    assert walked["files"] == files
    assert len(walked["sums"]) == 2200


@pytest.mark.parametrize("fail", ["start", "later"])
@pytest.mark.parametrize("site", [tree, one_large_folder])
def test_a_walk_in_parts_walks_here_what_a_helper_did_not(tmp_path, fail, site):
    root = site(tmp_path / "site", links=False)
    files, _ = as_walked(root)
    walked = fresh_walk(root, 3, fail=fail, slice_size=4)
    assert walked["files"] == files
    assert walked["plain"] is False  # walked here after the helpers were asked: no listing kept


def test_a_walk_in_parts_lets_its_helpers_go(tmp_path):
    root = tree(tmp_path / "site", links=False)
    walk = walk_parts(str(root), 3)
    helpers = [helper.pid for helper in walk._helpers]
    walk.close()
    for pid in helpers:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, 0)  # reaped


def test_the_sums_change_with_any_file(tmp_path):
    root = tree(tmp_path / "site", links=False)
    before = walk_parts(str(root), 2).sums()
    (root / "3" / "sub0" / "a03.md").write_text("---\ntitle: A3, longer\n---\n")
    assert walk_parts(str(root), 2).sums() != before
    changed = walk_parts(str(root), 2).sums()
    (root / "0" / "new.md").write_text("---\ntitle: New\n---\n")
    assert walk_parts(str(root), 2).sums() != changed
    (root / "0" / "new.md").unlink()
    assert walk_parts(str(root), 2).sums() == changed


SUMS = [b"1" * 20, b"2" * 20]


def record(tmp_path, parts=("a\n", "b\n")):
    kept = ListingRecord(str(tmp_path / "index"), "json", "10/py3.11")
    for part in parts:
        kept.add(part)
    return kept


def given(tmp_path, form="json", version="10/py3.11"):
    """What KeptListing gives: (the sums, the listing as printed), or None."""
    kept = KeptListing.open(str(tmp_path / "index"), form, version)
    if kept is None or not kept.check():
        return None
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    kept.write_to(out)
    kept.close()
    out.flush()
    return kept.sums, out.buffer.getvalue().decode()


def test_a_listing_is_given_back_only_once_finished_and_only_to_its_form_and_version(tmp_path):
    kept = record(tmp_path)
    assert given(tmp_path) is None  # not finished: not a listing yet
    assert kept.finish(SUMS)
    assert given(tmp_path) == (SUMS, "a\nb\n")
    assert given(tmp_path, form="text") is None
    assert given(tmp_path, version="11/py3.11") is None
    assert [p.name for p in tmp_path.iterdir()] == ["index.json-listing"]  # no temporary file left


def test_a_listing_is_written_as_text_where_the_output_is_not_utf8(tmp_path):
    record(tmp_path, ["caf\u00e9\n" * 400_000]).finish([])  # a block boundary within a character
    kept = KeptListing.open(str(tmp_path / "index"), "json", "10/py3.11")
    out = io.StringIO()
    kept.write_to(out)
    kept.close()
    assert out.getvalue() == "caf\u00e9\n" * 400_000


def test_a_new_listing_replaces_the_last_and_one_open_keeps_what_it_checked(tmp_path):
    record(tmp_path, ["old\n"]).finish(SUMS[:1])
    kept = KeptListing.open(str(tmp_path / "index"), "json", "10/py3.11")
    assert record(tmp_path, ["new\n"]).finish(SUMS)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    kept.write_to(out)
    kept.close()
    assert (kept.sums, out.buffer.getvalue()) == (SUMS[:1], b"old\n")
    assert given(tmp_path) == (SUMS, "new\n")


@pytest.mark.parametrize("damage", ["byte", "cut", "longer", "header"])
def test_a_damaged_listing_is_never_given(tmp_path, damage):
    record(tmp_path, [f"line {n}\n" for n in range(1000)]).finish(SUMS)
    path = tmp_path / "index.json-listing"
    data = bytearray(path.read_bytes())
    if damage == "byte":
        data[len(data) // 2] ^= 1
    elif damage == "cut":
        del data[-10:]
    elif damage == "longer":
        data += b"more\n"
    else:
        data[:16] = b"x" * 16
    path.write_bytes(bytes(data))
    assert given(tmp_path) is None


def test_a_listing_cut_short_or_not_utf8_is_never_kept(tmp_path):
    kept = record(tmp_path)
    kept.abandon()
    assert not kept.finish(SUMS)
    kept = record(tmp_path, ["caf\udce9\n"])  # a file name that is not UTF-8
    assert not kept.finish(SUMS)
    assert given(tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_a_day_old_are_removed_by_the_next_listing_kept(tmp_path):
    old = tmp_path / "index.json-listing.123-4.tmp"
    recent = tmp_path / "index.json-listing.123-5.tmp"
    old.write_text("left by a process that died")
    recent.write_text("being written by another")
    os.utime(old, (1, 1))
    record(tmp_path).finish(SUMS)
    assert not old.exists()
    assert recent.exists()


def test_an_index_made_again_removes_its_listings(tmp_path):
    index = FolderIndex.open(str(tmp_path / "cache"), str(tmp_path))
    ListingRecord(index.path, "text", "x").finish(SUMS)
    assert os.path.exists(index.path + ".text-listing")
    index._remove_files()
    assert not os.path.exists(index.path + ".text-listing")
    index.close()


# --- reviewer list, through a kept listing ------------------------------------------------


def clean_site(root):
    """Articles only, none with a problem: a folder whose listing is kept."""
    for n in range(30):
        path = root / ("" if n < 5 else f"{2020 + n % 3}") / f"a{n:02}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ntitle: Article {n}\nquality: {n}\npublished: {'true' if n % 2 else 'false'}\n---\nBody\n"
        )
    return root


def run(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(list(argv))
    return status, out.getvalue()


def kept_file(form):
    [found] = (Path(os.environ["XDG_CACHE_HOME"]) / "reviewer" / "index").glob(f"*.{form}-listing")
    return found


@pytest.mark.parametrize("form", [["--json"], []])
def test_an_unchanged_folder_is_listed_as_it_was_kept(tmp_path, monkeypatch, form):
    root = clean_site(tmp_path / "site")
    cold = run("list", *form, "--no-index", str(root))
    assert run("list", *form, str(root)) == cold  # the index made, the listing kept
    assert kept_file("json" if form else "text").exists()
    from reviewer import cli

    real = cli.scan_batches
    monkeypatch.setattr(cli, "scan_batches", lambda *a, **k: pytest.fail("scanned"))
    assert run("list", *form, str(root)) == cold
    monkeypatch.setattr(cli, "scan_batches", real)
    (root / "2021" / "a07.md").write_text("---\ntitle: Changed\n---\n")
    changed = run("list", *form, str(root))
    assert changed == run("list", *form, "--no-index", str(root))
    assert "Changed" in changed[1]
    monkeypatch.setattr(cli, "scan_batches", lambda *a, **k: pytest.fail("scanned"))
    assert run("list", *form, str(root)) == changed


def test_a_listing_is_not_kept_with_a_problem_a_query_or_files_changed_a_moment_ago(tmp_path, monkeypatch):
    root = clean_site(tmp_path / "site")
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "reviewer" / "index"
    run("list", "--query", "quality:>3", str(root))
    assert list(folder.glob("*-listing")) == []  # only the whole folder's listing is kept
    monkeypatch.setattr(index_module, "RACY_NS", 2_000_000_000)  # as in use: these files are new
    run("list", str(root))
    assert list(folder.glob("*-listing")) == []
    monkeypatch.setattr(index_module, "RACY_NS", 0)
    (root / "bad.md").write_text("---\ntitle: [\n---\n")
    assert run("list", str(root))[0] == 1
    assert run("list", str(root))[0] == 1  # never from a listing: the problem is told each time
    assert list(folder.glob("*-listing")) == []
    os.symlink(root / "a00.md", root / "linked.md")
    (root / "bad.md").unlink()
    run("list", str(root))
    assert list(folder.glob("*-listing")) == []  # a file through a link is read each time
    (root / "linked.md").unlink()
    assert run("list", str(root))[0] == 0
    assert list(folder.glob("*-listing")) != []
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_random_byte_corruptions_of_a_kept_listing_never_change_the_listing(tmp_path):
    import random

    root = clean_site(tmp_path / "site")
    truth = run("list", "--json", "--no-index", str(root))
    run("list", "--json", str(root))
    path = kept_file("json")
    good = path.read_bytes()
    rng = random.Random(3)
    wrong = []
    for _ in range(int(os.environ.get("REVIEWER_LISTING_CORRUPTIONS", "200"))):
        damaged = bytearray(good)
        at = rng.randrange(len(damaged))
        damaged[at] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(damaged))
        if run("list", "--json", str(root)) != truth:
            wrong.append(at)
    assert wrong == []
