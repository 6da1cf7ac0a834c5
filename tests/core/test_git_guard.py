"""A repository's own configuration runs none of its programs when Reviewer runs git by itself
(status, the background fetch, the forecast of a sync); commit and sync, asked for, run them."""

import os
import stat

from reviewer.core.git import Git, fetch, incoming, new_decisions, others_reviews, status
from tests.core.test_git import git_run


def plant_traps(clone, tmp_path):
    """core.fsmonitor, a clean filter named in .gitattributes and remote.origin.uploadpack, each
    a script that leaves a mark when it runs; the marks' folder."""
    marks = tmp_path / "marks"
    marks.mkdir()
    for name in ("fsmonitor", "filter", "uploadpack", "driver"):
        script = tmp_path / f"{name}.sh"
        tail = {"filter": "cat", "uploadpack": 'exec git-upload-pack "$@"', "driver": "exit 1"}.get(name, "exit 1")
        script.write_text(f"#!/bin/sh\ntouch {marks}/{name}\n{tail}\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    git_run(clone, "config", "core.fsmonitor", str(tmp_path / "fsmonitor.sh"))
    git_run(clone, "config", "filter.trap.clean", str(tmp_path / "filter.sh"))
    git_run(clone, "config", "remote.origin.uploadpack", str(tmp_path / "uploadpack.sh"))
    git_run(clone, "config", "merge.reviewer-frontmatter.driver", str(tmp_path / "driver.sh"))
    (clone / ".gitattributes").write_text("*.md filter=trap\n")
    article = clone / "_news" / "a1.md"
    article.write_text(article.read_text() + "edited\n")  # status must look at its content
    return marks


def both_change(team, ana):
    """The bot pushes a change to a1 and ana commits another: a sync's forecast merges a1."""
    bot = team.seed
    path = bot / "_news" / "a1.md"
    path.write_text(path.read_text().replace("heat: 3", "heat: 4"))
    git_run(bot, "commit", "--quiet", "-am", "heat")
    git_run(bot, "push", "--quiet", "origin", "HEAD:main")
    path = ana / "_news" / "a1.md"
    path.write_text(path.read_text().replace("quality: 50", "quality: 60"))
    git_run(ana, "commit", "--quiet", "-am", "quality")


def test_status_fetch_and_the_forecast_run_none_of_the_repositorys_programs(team, tmp_path):
    ana = team("ana")
    both_change(team, ana)
    marks = plant_traps(ana, tmp_path)
    git = Git(str(ana))
    assert "_news/a1.md" in status(git).files
    assert fetch(git)
    assert incoming(git).commits == 1
    new_decisions(git)
    others_reviews(git, "ana")
    assert os.listdir(marks) == []


def test_the_same_traps_do_run_when_the_editor_asks_git_to(team, tmp_path):
    """The traps are live: the test above would see them."""
    ana = team("ana")
    marks = plant_traps(ana, tmp_path)
    git = Git(str(ana)).trusting()
    status(git)
    fetch(git)
    assert {"fsmonitor", "filter", "uploadpack"} <= set(os.listdir(marks))
