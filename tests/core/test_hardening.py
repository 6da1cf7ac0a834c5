"""Hostile and careless input: one bad file never stops a run, links never lead a write outside
the folder, a write that lands during a save is never lost, and problems say where they are."""

import os
import stat
import time
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core import storage
from reviewer.core.files import write_refusal
from reviewer.core.frontmatter_text import UNSET, EditError, parse, set_keys
from reviewer.core.library import read_article, scan
from reviewer.core.site import Site, resolve_image
from reviewer.core.storage import SaveError, remove_leftovers, save, write_edits
from tests.helpers import changed_lines, key_of

GOOD = "---\ntitle: Good\nquality: 40\npublished: false\n---\nBody\n"

# Front matter that made the safe constructor raise something other than a YAML error.
BAD_VALUES = {
    "int-tag": ("x: !!int abc\n", "invalid-value", 2),
    "huge-int": ("title: t\nnotes: " + "9" * 4301 + "\n", "invalid-value", 3),
    "nested-500": ("x: " + "[" * 500 + "]" * 500 + "\n", "too-deep", 2),
    "nested-995": ("title: ok\nx: " + "[" * 995 + "]" * 995 + "\n", "too-deep", 3),
    "bool-tag": ("a: 1\npublished: !!bool yes x y\n", "invalid-value", 3),
    "timestamp-tag": ("a: 1\nquality: !!timestamp 2020-01-01 50\n", "invalid-value", 3),
    "deep-mapping": (
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)) + "  " * 80 + "v: 1\n",
        "too-deep",
        0,
    ),
}


def folder_with(tmp_path, files: dict) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_a_value_the_constructor_refuses_is_a_problem_with_its_line(tmp_path, name):
    yaml_text, kind, line = BAD_VALUES[name]
    root = folder_with(tmp_path, {"bad.md": "---\n" + yaml_text + "---\n", "good.md": GOOD})
    result = scan(str(root))
    assert [a.relpath for a in result.articles] == ["good.md"]
    [problem] = result.problems
    assert problem.kind == kind
    if line:
        assert problem.line == line
    assert "\n" not in problem.message
    assert problem.message


def test_check_list_and_set_where_go_on_past_bad_files_and_exit_1(tmp_path, capsys):
    files = {f"bad-{name}.md": "---\n" + text + "---\n" for name, (text, _, _) in BAD_VALUES.items()}
    files.update({f"good-{i:03}.md": GOOD for i in range(60)})
    root = str(folder_with(tmp_path, files))
    assert main(["check", root]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"60 articles, 0 skipped files, {len(BAD_VALUES)} problems")
    assert main(["list", root]) == 1
    assert capsys.readouterr().out.count("Good") == 60
    assert main(["set", "--published", "true", "--where", "published:false", root]) == 1
    capsys.readouterr()
    for i in range(60):
        assert "published: true" in (Path(root) / f"good-{i:03}.md").read_text()


def test_an_exception_inside_reading_one_file_names_that_file(tmp_path, monkeypatch):
    root = folder_with(tmp_path, {"a.md": GOOD, "b.md": GOOD.replace("Good", "Trap")})
    from reviewer.core import library

    real = library.article_from_bytes

    def trap(path, rel, data, *rest):
        if b"Trap" in data:
            raise RuntimeError("a bug\nover two lines")
        return real(path, rel, data, *rest)

    monkeypatch.setattr(library, "article_from_bytes", trap)
    result = scan(str(root))
    assert [a.relpath for a in result.articles] == ["a.md"]
    [problem] = result.problems
    assert (problem.relpath, problem.kind) == ("b.md", "unexpected")
    assert problem.message == "could not be read (RuntimeError: a bug over two lines)"


def test_an_edit_that_cannot_be_checked_is_refused_not_raised(monkeypatch):
    from reviewer.core import frontmatter_text

    def broken(yaml_text, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(frontmatter_text, "parse", broken)  # the check parses the edited text
    with pytest.raises(EditError, match="could not be checked"):
        set_keys(GOOD, {"quality": 41})


# --- control characters, NUL bytes, damaged fences ----------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\ntitle: a\x01b\n---\n", 2),
        ("---\ntitle: ok\nexcerpt: fine\nnote: a\x07b\n---\n", 4),
        ("---\r\ntitle: ok\r\nx: 1\r\ny: a\x02b\r\n---\r\n", 4),
        ("---\ntitle: ok\n\nz: |\n  text\n  more\x1b\n---\n", 6),
        ("---\ntitle: 'a\x0b'\n---\n", 2),
    ],
)
def test_a_control_character_is_named_on_its_own_line_in_one_sentence(tmp_path, text, line):
    root = folder_with(tmp_path, {"c.md": text})
    [problem] = scan(str(root)).problems
    assert (problem.kind, problem.line) == ("invalid-character", line)
    assert "\n" not in problem.message
    assert "unicode string" not in problem.message
    assert problem.message.startswith("character U+00")


def test_a_nul_byte_is_named_with_its_line(tmp_path):
    root = folder_with(tmp_path, {"n.md": b"---\ntitle: a\nx: \x00\n---\n"})
    [problem] = scan(str(root)).problems
    assert (problem.kind, problem.line) == ("binary", 3)


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf\xef\xbb\xbf---\ntitle: A\n---\n",  # a second byte-order mark
        b"\xad--\ntitle: A\n---\n",  # the first byte flipped
        b"-,-\ntitle: A\n---\n",
        b"--\x00\ntitle: A\n---\n",
        b"\n---\ntitle: A\n---\n",  # a blank line first
        b"  ---\ntitle: A\n---\n",
        b"---taxonomy: ai\ntitle: A\n---\n",  # a key run into the opening line (4 of 12,000 fuzz files)
        b"----\ntitle: A\n---\n",
    ],
)
def test_a_file_that_nearly_starts_with_front_matter_is_named(tmp_path, data):
    root = folder_with(tmp_path, {"d.md": data, "plain.md": "# Just Markdown\n\n---\n\nA rule above.\n"})
    result = scan(str(root))
    assert [p.relpath for p in result.problems] == ["d.md"]
    assert result.problems[0].kind == "no-front-matter"
    assert result.problems[0].line == 1
    assert result.skipped == 1  # plain Markdown is not an article, and not a problem


# --- links and the folder's edge ----------------------------------------------------------


def outside_and_root(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.md").write_text(GOOD)
    (elsewhere / "dir").mkdir()
    (elsewhere / "dir" / "deep.md").write_text(GOOD)
    root = folder_with(tmp_path, {"posts/inside.md": GOOD})
    os.symlink(elsewhere / "outside.md", root / "posts" / "link.md")
    os.symlink(elsewhere / "dir", root / "linked-dir")
    os.symlink(root / "posts" / "inside.md", root / "posts" / "alias.md")  # a link that stays inside
    return root, elsewhere


def test_files_reached_through_links_outside_are_listed_read_only(tmp_path):
    root, elsewhere = outside_and_root(tmp_path)
    result = scan(str(root))
    read_only = {a.relpath: a.read_only for a in result.articles}
    assert read_only["posts/inside.md"] == ""
    assert read_only["posts/alias.md"] == ""
    assert "outside the opened folder" in read_only["posts/link.md"]
    assert "outside the opened folder" in read_only["linked-dir/deep.md"]


def test_set_where_never_writes_outside_the_folder(tmp_path, capsys):
    root, elsewhere = outside_and_root(tmp_path)
    assert main(["set", "--quality", "77", "--where", "title:Good", str(root)]) == 1
    err = capsys.readouterr().err
    assert "posts/link.md: outside:" in err
    assert "linked-dir/deep.md: outside:" in err
    assert (elsewhere / "outside.md").read_text() == GOOD
    assert (elsewhere / "dir" / "deep.md").read_text() == GOOD
    assert "quality: 77" in (root / "posts" / "inside.md").read_text()


def test_a_batch_save_looks_at_each_file_and_each_folder_it_goes_through(tmp_path):
    """write_many looks a folder's real path up once a save: links are still caught, file by file."""
    root, elsewhere = outside_and_root(tmp_path)
    for n in range(12):  # enough for the writing threads
        (root / "posts" / f"p{n}.md").write_text(GOOD)
    os.symlink(root / "posts", root / "posts-again")  # a folder link that stays inside
    names = [f"posts/p{n}.md" for n in range(12)] + ["posts-again/p0.md", "posts/link.md", "linked-dir/deep.md"]
    articles = [read_article(str(root / name), str(root)) for name in names]
    for article in articles:
        article.set("quality", 77)
    jobs = [(a.path, a.identity, a.snapshot(), dict(a.edits)) for a in articles]
    results = storage.write_many(jobs, str(root))
    kinds = {name: getattr(r, "kind", "written") for name, r in zip(names, results, strict=True)}
    assert kinds["posts/link.md"] == "outside"
    assert kinds["linked-dir/deep.md"] == "outside"
    assert [kinds[f"posts/p{n}.md"] for n in range(1, 12)] == ["written"] * 11
    # posts-again/p0.md is posts/p0.md: one of the two writes finds the file changed by the other
    assert sorted([kinds["posts/p0.md"], kinds["posts-again/p0.md"]]) == ["conflict", "written"]
    assert (elsewhere / "outside.md").read_text() == GOOD
    assert (elsewhere / "dir" / "deep.md").read_text() == GOOD
    assert "quality: 77" in (root / "posts" / "p0.md").read_text()


def test_write_edits_checks_the_real_path_when_it_writes(tmp_path):
    root, elsewhere = outside_and_root(tmp_path)
    article = read_article(str(root / "posts" / "inside.md"), str(root))
    os.unlink(root / "posts" / "inside.md")  # swapped for a link after it was read
    os.symlink(elsewhere / "outside.md", root / "posts" / "inside.md")
    article.set("quality", 1)
    with pytest.raises(SaveError) as err:
        save(article, root=str(root))
    assert err.value.kind == "outside"
    assert (elsewhere / "outside.md").read_text() == GOOD


def test_an_image_path_through_a_link_out_of_the_folder_is_not_used(tmp_path):
    secrets = tmp_path / "etc"
    secrets.mkdir()
    (secrets / "passwd").write_text("root:x:0:0")
    root = folder_with(tmp_path, {"a.md": GOOD, "assets/logo.png": b"png"})
    os.symlink(secrets, root / "assets" / "etc")
    site = Site(str(root))
    assert resolve_image("/assets/etc/passwd", str(root / "a.md"), site).kind == "none"
    assert resolve_image("assets/etc/passwd", str(root / "a.md"), site).kind == "none"
    assert resolve_image("/assets/logo.png", str(root / "a.md"), site).kind == "local"


# --- permissions, decided without being root ----------------------------------------------


def fake_stat(mode, uid, gid):
    return os.stat_result((stat.S_IFREG | mode, 1, 1, 1, uid, gid, 10, 0, 0, 0))


@pytest.mark.parametrize(
    ("mode", "uid", "gid", "refused"),
    [
        (0o644, 1000, 1000, ""),
        (0o444, 1000, 1000, "read-only"),
        (0o644, 0, 0, "belongs to another user"),  # a root-owned file in a folder the user owns
        (0o664, 0, 1000, "belongs to another user"),
        (0o644, 1000, 50, "group (gid 50)"),  # owned, but the group cannot be kept
        (0o464, 1000, 1000, "read-only for you"),
    ],
)
def test_write_refusal_for_a_normal_user(monkeypatch, mode, uid, gid, refused):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(os, "getegid", lambda: 1000)
    monkeypatch.setattr(os, "getgroups", lambda: [1000, 24])
    reason = write_refusal(fake_stat(mode, uid, gid))
    assert (refused in reason) if refused else reason == ""


def test_root_may_write_any_file_with_a_write_bit(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert write_refusal(fake_stat(0o600, 1000, 1000)) == ""
    assert "read-only" in write_refusal(fake_stat(0o444, 1000, 1000))


# --- a write that lands during a save ----------------------------------------------------


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(GOOD)
    return read_article(str(path), str(tmp_path))


def test_a_write_just_before_the_replace_makes_a_conflict_and_is_kept(article, monkeypatch):
    real = storage._write_temp

    def slow_temp(*args):
        result = real(*args)
        with open(article.path, "a") as fh:  # someone appends while the temporary file is written
            fh.write("appended\n")
        return result

    monkeypatch.setattr(storage, "_write_temp", slow_temp)
    article.set("quality", 41)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "conflict"
    assert Path(article.path).read_text() == GOOD + "appended\n"
    assert [n for n in os.listdir(os.path.dirname(article.path)) if n.endswith(".reviewer-tmp")] == []


def test_a_write_into_the_old_file_as_it_is_replaced_is_put_back(article, monkeypatch):
    real_replace = storage._put_in_place

    def racing_replace(src, dst, *rest):
        with open(dst, "a") as fh:  # lands on the old file after the last check, before the rename
            fh.write("appended\n")
        real_replace(src, dst, *rest)

    monkeypatch.setattr(storage, "_put_in_place", racing_replace)
    article.set("quality", 41)
    with pytest.raises(SaveError) as err:
        save(article)
    assert err.value.kind == "conflict"
    assert "was kept" in err.value.message
    assert Path(article.path).read_text() == GOOD + "appended\n"
    assert article.edits == {"quality": 41}  # the edit is still pending


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "plain rename"])
def test_a_version_renamed_in_after_the_last_check_is_never_thrown_away(article, monkeypatch, exchange):
    """A program that saves by rename (an editor, git) puts its version in place at the worst moment."""
    if not exchange:
        monkeypatch.setattr(storage, "_exchange", lambda *names: False)
    elif not storage._exchange(article.path, article.path):  # probes renameat2 here
        pytest.skip("renameat2 cannot exchange names on this system or file system")
    real_replaced = storage._replaced

    def check_then_race(target, st):
        changed = real_replaced(target, st)
        theirs = target + ".theirs"
        Path(theirs).write_text(GOOD + "theirs\n")
        os.rename(theirs, target)  # after the check, before the rename
        return changed

    monkeypatch.setattr(storage, "_replaced", check_then_race)
    article.set("quality", 41)
    if exchange:
        with pytest.raises(SaveError) as err:
            save(article)
        assert err.value.kind == "conflict"
        assert Path(article.path).read_text() == GOOD + "theirs\n"  # their version stays
        assert [n for n in os.listdir(os.path.dirname(article.path)) if n != "a.md"] == []
    else:  # where names cannot be exchanged, the window is as narrow as a plain rename makes it
        save(article)
        assert "quality: 41" in Path(article.path).read_text()


@pytest.mark.skipif(not storage._LEASES, reason="needs Linux file leases to see another writer")
def test_a_writer_that_opened_the_file_before_the_replace_and_writes_after_it_is_not_lost(article, monkeypatch):
    import threading

    opened, replaced = threading.Event(), threading.Event()

    def writer():
        with open(article.path, "a") as fh:  # holds the old file open for writing
            opened.set()
            replaced.wait(5)
            fh.write("appended\n")

    real_replace = storage._put_in_place

    def replace_then_signal(src, dst, *rest):
        real_replace(src, dst, *rest)
        replaced.set()

    monkeypatch.setattr(storage, "WRITER_WAIT_S", 0.05)  # the writer waits for the replace: do not wait long first
    monkeypatch.setattr(storage, "_put_in_place", replace_then_signal)
    thread = threading.Thread(target=writer)
    thread.start()
    opened.wait(5)
    article.set("quality", 41)
    with pytest.raises(SaveError) as err:
        save(article)
    thread.join()
    assert err.value.kind == "conflict"
    assert Path(article.path).read_text() == GOOD + "appended\n"


def test_another_reviewer_saving_the_same_file_makes_this_one_wait_then_give_up(article, monkeypatch):
    import fcntl

    monkeypatch.setattr(storage, "LOCK_WAIT_S", 0.1)
    with open(article.path, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        article.set("quality", 41)
        with pytest.raises(SaveError) as err:
            save(article)
    assert err.value.kind == "busy"
    assert Path(article.path).read_text() == GOOD
    save(article)  # the lock is gone: the save goes through
    assert "quality: 41" in Path(article.path).read_text()


def test_a_save_that_waited_for_the_lock_sees_the_file_the_other_one_wrote(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(GOOD)
    first = read_article(str(path), str(tmp_path))
    second = read_article(str(path), str(tmp_path))
    first.set("quality", 41)
    save(first)
    second.set("published", True)
    with pytest.raises(SaveError) as err:
        save(second)
    assert err.value.kind == "conflict"
    assert "quality: 41" in path.read_text()
    assert "published: false" in path.read_text()


# --- temporary files left by a kill -------------------------------------------------------


def leftover(folder: Path, name: str, age_s: float) -> Path:
    path = folder / name
    path.write_text("half a file")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_check_names_leftover_temporary_files_and_set_removes_old_ones(tmp_path, capsys):
    root = folder_with(tmp_path, {"a.md": GOOD})
    old = leftover(root, ".a.md.123-0.reviewer-tmp", 300)
    fresh = leftover(root, ".a.md.124-0.reviewer-tmp", 1)
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "1 articles, 0 skipped files, 0 problems, 2 temporary files" in out
    assert ".a.md.123-0.reviewer-tmp: temp-file: left by an interrupted save 5 minutes ago" in out
    assert old.exists()  # check reads, never deletes
    assert main(["set", "--quality", "5", "--where", "", str(root)]) == 0
    assert "removed 1 temporary file" in capsys.readouterr().err
    assert not old.exists()
    assert fresh.exists()


def test_a_temporary_file_in_use_is_not_removed(tmp_path):
    import fcntl

    path = leftover(tmp_path, ".a.md.1-0.reviewer-tmp", 300)
    with open(path, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert remove_leftovers([str(path)], str(tmp_path)) == []
    assert remove_leftovers([str(path)], str(tmp_path)) == [str(path)]


def test_leftovers_are_only_reviewer_temporary_files_inside_the_folder(tmp_path):
    outside = tmp_path / "out"
    outside.mkdir()
    theirs = leftover(outside, ".x.md.1-0.reviewer-tmp", 300)
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "linked")
    mine = leftover(root, "notes.txt", 300)
    assert remove_leftovers([str(root / "linked" / theirs.name), str(mine)], str(root)) == []
    assert theirs.exists()
    assert mine.exists()


# --- mixed line endings, unset ------------------------------------------------------------


def test_an_inserted_key_takes_the_line_ending_of_its_neighbours():
    text = "---\r\ntitle: A\r\nheat: 3\nimages: []\r\n---\r\n"
    assert set_keys(text, {"quality": 5}) == "---\r\ntitle: A\r\nheat: 3\nquality: 5\nimages: []\r\n---\r\n"
    text = "---\ntitle: A\r\nimages: []\r\n---\n"
    assert set_keys(text, {"published": True}) == "---\ntitle: A\r\nimages: []\r\npublished: true\r\n---\n"


@pytest.mark.parametrize(("key", "value"), [("published", "true"), ("published", "false"), ("quality", "80")])
def test_set_then_unset_restores_a_file_without_the_key_byte_for_byte(tmp_path, key, value):
    original = b"---\r\ntitle: A # c\r\nheat: -1\r\n---\r\nBody\r\n"
    path = tmp_path / "a.md"
    path.write_bytes(original)
    assert main(["set", f"--{key}", value, str(path)]) == 0
    assert path.read_bytes() != original
    assert main(["set", f"--{key}", "unset", str(path)]) == 0
    assert path.read_bytes() == original


def test_unset_of_a_key_that_spans_lines_is_refused():
    text = "---\nquality:\n  - 1\n---\n"
    with pytest.raises(EditError, match="spans several lines"):
        set_keys(text, {"quality": UNSET})


def test_unset_changes_only_that_line(tmp_path, capsys):
    path = tmp_path / "a.md"
    path.write_text(GOOD)
    assert main(["set", "--quality", "unset", str(path)]) == 0
    removed, added = changed_lines(GOOD.encode(), path.read_bytes())
    assert [key_of(line) for line in removed] == ["quality"]
    assert added == []
    assert "quality 40 -> (unset)" in capsys.readouterr().out
    assert parse(path.read_text().split("---\n")[1]) == {"title": "Good", "published": False}


def test_write_edits_into_an_unchanged_file_writes_nothing(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(GOOD)
    article = read_article(str(path), str(tmp_path))
    before = os.stat(path)
    write_edits(article.path, article.identity, article.original, {"published": UNSET}, root=str(tmp_path))
    assert "published" not in path.read_text()
    after = read_article(str(path), str(tmp_path))
    written = write_edits(after.path, after.identity, after.original, {"heat": UNSET}, root=str(tmp_path))
    assert written.identity.digest == after.identity.digest
    assert os.stat(path).st_ino != before.st_ino  # the first edit did replace the file
