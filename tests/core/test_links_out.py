"""A folder cannot make Reviewer write outside itself through links: not through its review log,
the log's folder or attributes, nor a linked folder named on the command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.core.files import LinkRefused, open_beneath
from reviewer.core.review_log import LogFile, read_decisions

ARTICLE = (
    "---\ntitle: Leak\noriginalUrl: https://example.com/$(touch {marker})\npublished: false\nquality: 40\n---\nBody\n"
)


def site_with(tmp_path: Path, marker: str = "/nonexistent") -> Path:
    root = tmp_path / "site"
    (root / "_news").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Site\n")
    (root / "_news" / "a.md").write_text(ARTICLE.format(marker=marker))
    return root


def outside_file(tmp_path: Path, name: str = "outside.txt", text: str = "keep me\n") -> Path:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_log_linked_to_a_file_outside_receives_no_byte_and_no_article_is_written(tmp_path, capsys):
    root = site_with(tmp_path)
    target = outside_file(tmp_path)
    (root / ".reviewer").mkdir()
    os.symlink(target, root / ".reviewer" / "decisions.jsonl")
    before = (root / "_news" / "a.md").read_bytes()
    assert main(["set", "--published", "true", "--where", "published:false", str(root)]) == 1
    assert target.read_text() == "keep me\n"
    assert (root / "_news" / "a.md").read_bytes() == before  # refused as a whole, not half done
    err = capsys.readouterr().err
    assert ".reviewer/decisions.jsonl is a link" in err
    assert str(target) in err


def test_a_linked_log_folder_receives_nothing(tmp_path, capsys):
    root = site_with(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / ".reviewer")
    assert main(["set", "--published", "true", str(root / "_news" / "a.md")]) == 1
    assert os.listdir(elsewhere) == []
    assert ".reviewer is a link" in capsys.readouterr().err
    assert "published: false" in (root / "_news" / "a.md").read_text()


def test_a_dangling_attributes_link_creates_nothing_outside(tmp_path, capsys):
    root = site_with(tmp_path)
    (root / ".reviewer").mkdir()
    dangling = tmp_path / "elsewhere" / "created.txt"
    os.symlink(dangling, root / ".reviewer" / ".gitattributes")
    assert main(["set", "--published", "true", str(root / "_news" / "a.md")]) == 1
    assert not dangling.exists()
    assert not dangling.parent.exists()
    assert ".reviewer/.gitattributes is a link" in capsys.readouterr().err


def test_the_bashrc_chain_under_a_temporary_home_appends_nothing(tmp_path, monkeypatch):
    """A cloned site whose log links to ~/.bashrc and whose article holds $(...) in its address."""
    home = tmp_path / "home"
    home.mkdir()
    bashrc = home / ".bashrc"
    bashrc.write_text("# my shell\n")
    marker = tmp_path / "ran"
    root = site_with(tmp_path, marker=str(marker))
    (root / ".reviewer").mkdir()
    os.symlink(os.path.relpath(bashrc, root / ".reviewer"), root / ".reviewer" / "decisions.jsonl")
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share")}
    run = subprocess.run(
        [sys.executable, "-m", "reviewer", "set", "--published", "true", str(root / "_news" / "a.md")],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert bashrc.read_text() == "# my shell\n"
    subprocess.run(["bash", "-i", "-c", "true"], env=env, capture_output=True, timeout=30)
    assert not marker.exists()


def test_set_file_through_a_folder_link_out_of_the_site_is_refused(tmp_path, capsys):
    root = site_with(tmp_path)
    victim = outside_file(tmp_path, "b.md", "---\ntitle: Theirs\npublished: false\n---\n")
    os.symlink(victim.parent, root / "_news" / "linked")
    assert main(["set", "--published", "true", str(root / "_news" / "linked" / "b.md")]) == 1
    assert "published: false" in victim.read_text()
    assert "outside the folder" in capsys.readouterr().err


def test_a_log_that_is_a_folder_is_a_problem_not_a_stop(tmp_path, capsys):
    root = site_with(tmp_path)
    (root / ".reviewer" / "decisions.jsonl").mkdir(parents=True)
    assert main(["log", str(root)]) in (0, 1)
    assert main(["stats", str(root)]) in (0, 1)
    assert main(["list", "--query", "decision:approve", str(root)]) in (0, 1)
    assert main(["list", str(root)]) in (0, 1)
    out, err = capsys.readouterr()
    assert "Leak" in out
    assert "not a regular file" in err
    decisions, problems = read_decisions(str(root), str(tmp_path / "data"))
    assert decisions == []
    assert [p.kind for p in problems] == ["log-unreadable"]


def test_a_linked_log_is_not_read_either(tmp_path):
    root = site_with(tmp_path)
    secret = outside_file(tmp_path, "secret.jsonl")
    line = {"time": "t", "editor": "e", "path": "_news/a.md", "url": "", "decision": "approve", "changes": {}}
    secret.write_text(json.dumps(line) + "\n")
    (root / ".reviewer").mkdir()
    os.symlink(secret, root / ".reviewer" / "decisions.jsonl")
    decisions, problems = read_decisions(str(root), str(tmp_path / "data"))
    assert decisions == []
    assert "is a link" in problems[0].message


def test_the_log_is_appended_after_a_torn_last_line_on_a_line_of_its_own(tmp_path):
    root = site_with(tmp_path)
    (root / ".reviewer").mkdir()
    (root / ".reviewer" / "decisions.jsonl").write_text('{"time": "2026-01-01T00:00:00.000Z", "edi')
    assert main(["set", "--published", "true", str(root / "_news" / "a.md")]) == 0
    log = LogFile.for_folder(str(root), str(tmp_path / "data"))
    decisions, problems = log.read()
    assert [d.decision for d in decisions] == ["approve"]
    assert [p.line for p in problems] == [1]


def test_open_beneath_refuses_a_folder_swapped_for_a_link(tmp_path):
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    os.symlink(tmp_path, root / "b")
    with pytest.raises(LinkRefused, match="b is a link"):
        open_beneath(str(root), "b/x.txt", os.O_WRONLY | os.O_CREAT)
    fd = open_beneath(str(root), "a/new/x.txt", os.O_WRONLY | os.O_CREAT, make_folders=True)
    os.close(fd)
    assert (root / "a" / "new" / "x.txt").exists()
    assert not (tmp_path / "x.txt").exists()


def test_a_folder_swapped_for_a_link_while_saving_leads_no_write_outside(tmp_path, monkeypatch):
    """The real path is worked out, then a folder on it becomes a link to a copy outside."""
    from reviewer.core import storage
    from reviewer.core.library import read_article
    from reviewer.core.storage import SaveError, save

    root = site_with(tmp_path)
    outside = tmp_path / "elsewhere" / "_news"
    outside.mkdir(parents=True)
    (outside / "a.md").write_text((root / "_news" / "a.md").read_text())
    before = (outside / "a.md").read_bytes()
    article = read_article(str(root / "_news" / "a.md"), str(root))
    real_path = storage._real_path

    def then_swap(path, folders):
        found = real_path(path, folders)
        (root / "_news").rename(root / "_news-moved")
        os.symlink(outside, root / "_news")
        return found

    monkeypatch.setattr(storage, "_real_path", then_swap)
    article.set("published", True)
    with pytest.raises(SaveError, match="_news is a link") as refused:
        save(article, root=str(root))
    assert refused.value.kind == "outside"
    assert (outside / "a.md").read_bytes() == before
    assert sorted(os.listdir(outside)) == ["a.md"]  # no temporary file either
