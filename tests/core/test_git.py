"""Team review through git: two editors and a bot on clones of one repository (a local bare
remote; no network), each test with its own HOME and fixed dates."""

import json
import os
import stat
import subprocess
import sys

import pytest

from reviewer.core import git as git_module
from reviewer.core.frontmatter_text import read, set_keys
from reviewer.core.git import (
    UNCOMMITTED,
    UNPUSHED,
    Git,
    GitError,
    SyncConflict,
    classify,
    commit,
    commit_message,
    fetch,
    incoming,
    register_driver,
    resolutions,
    status,
    sync,
)
from reviewer.core.review_log import Decision, LogFile

ARTICLE = """---
title: "Article {n}"
quality: 50
heat: 3
published: false
---
Body {n}.
"""


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2026-11-29T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-29T10:00:00Z",
}


def make_team(tmp_path, articles=6):
    """A bare 'origin' holding `articles` articles (pushed by the bot's clone, `seed`), and a clone
    factory: clone(name) is an editor's clone."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    origin = tmp_path / "origin.git"
    git_run(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git_run(tmp_path, "clone", "--quiet", str(origin), str(seed))
    identify(seed, "Bot")
    (seed / "_news").mkdir()
    for n in range(articles):
        (seed / "_news" / f"a{n}.md").write_text(ARTICLE.format(n=n))
    git_run(seed, "add", ".")
    git_run(seed, "commit", "--quiet", "-m", "articles")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")

    def clone(name):
        path = tmp_path / name
        git_run(tmp_path, "clone", "--quiet", str(origin), str(path))
        identify(path, name)
        return path

    clone.origin = origin
    clone.seed = seed
    return clone


def git_run(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def identify(path, name):
    git_run(path, "config", "user.name", name)
    git_run(path, "config", "user.email", f"{name.lower()}@example.com")


def decide(folder, n, editor, decision, **changes):
    """What a save in Reviewer does: the file's lines, then the review log line."""
    path = folder / "_news" / f"a{n}.md"
    text = path.read_text()
    old = read(text)[1]
    path.write_text(set_keys(text, changes))
    LogFile.inside(str(folder)).append(
        [
            Decision(
                "2026-11-29T10:00:00.000Z",
                editor,
                f"_news/a{n}.md",
                "",
                decision,
                {k: [old.get(k), v] for k, v in changes.items()},
            )
        ]  # fmt: skip
    )


def _origin_file(team, n):
    return git_run(team.origin, "show", f"main:_news/a{n}.md")


def upstream_log(team):
    return git_run(team.origin, "show", "main:.reviewer/decisions.jsonl").splitlines()


def test_without_the_driver_git_conflicts_on_neighbouring_keys(team):
    """What the merge driver is for: plain git conflicts on quality against the bot's heat."""
    ana, bot = team("ana"), team("bot")
    decide(ana, 0, "ana", "quality", quality=80)
    git_run(ana, "commit", "--quiet", "-am", "quality")
    (bot / "_news" / "a0.md").write_text(ARTICLE.format(n=0).replace("heat: 3", "heat: 9"))
    git_run(bot, "commit", "--quiet", "-am", "heat")
    git_run(bot, "push", "--quiet", "origin", "HEAD:main")
    git_run(ana, "fetch", "--quiet")
    done = subprocess.run(["git", "rebase", "origin/main"], cwd=ana, capture_output=True, text=True)
    assert done.returncode != 0
    assert "CONFLICT" in done.stdout + done.stderr
    git_run(ana, "rebase", "--abort")


def test_two_editors_on_different_articles_both_end_up_upstream(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 0, "ana", "approve", published=True)
    decide(ben, 1, "ben", "reject", published=False, quality=10)
    assert sync(Git(str(ana)), "ana").pushed == 1
    done = sync(Git(str(ben)), "ben")
    assert done.incoming == 1
    assert done.pushed == 1
    assert "published: true" in _origin_file(team, 0)
    assert "quality: 10" in _origin_file(team, 1)
    assert len(upstream_log(team)) == 2  # the log's lines from both sides (union merge)
    again = sync(Git(str(ana)), "ana")
    assert again.changed == [".reviewer/decisions.jsonl", "_news/a1.md"]


def test_quality_and_published_of_one_article_by_two_editors_merge_key_by_key(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 2, "ana", "quality", quality=90)
    decide(ben, 2, "ben", "approve", published=True)
    sync(Git(str(ana)), "ana")
    sync(Git(str(ben)), "ben")
    expected = ARTICLE.format(n=2).replace("quality: 50", "quality: 90").replace("published: false", "published: true")
    assert _origin_file(team, 2) == expected
    assert (ben / "_news" / "a2.md").read_text() == expected


def test_an_editor_and_the_bots_heat_update_on_the_next_line_merge(team):
    ana = team("ana")
    decide(ana, 3, "ana", "quality", quality=70)
    seed = team.seed
    (seed / "_news" / "a3.md").write_text(ARTICLE.format(n=3).replace("heat: 3", "heat: 41"))
    git_run(seed, "commit", "--quiet", "-am", "bot: heat")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    done = sync(Git(str(ana)), "ana")
    assert done.incoming == 1
    assert _origin_file(team, 3) == ARTICLE.format(n=3).replace("quality: 50", "quality: 70").replace(
        "heat: 3", "heat: 41"
    )


def test_the_same_key_set_differently_is_a_conflict_per_key_with_nothing_lost(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 4, "ana", "quality", quality=80)
    decide(ben, 4, "ben", "quality", quality=20)
    sync(Git(str(ana)), "ana")
    git = Git(str(ben))
    with pytest.raises(SyncConflict) as caught:
        sync(git, "ben")
    conflict = caught.value
    assert [(c.path, c.key, c.base, c.ours, c.theirs) for c in conflict.conflicts] == [
        ("_news/a4.md", "quality", "quality: 50\n", "quality: 20\n", "quality: 80\n")
    ]
    # never left mid-rebase; the editor's commit and file are as they were
    assert not os.path.exists(git.git_path("rebase-merge"))
    assert not os.path.exists(git.git_path("rebase-apply"))
    assert "quality: 20" in (ben / "_news" / "a4.md").read_text()
    assert "quality: 20" in git_run(ben, "show", "HEAD:_news/a4.md")
    # the editor keeps theirs: the sync goes through with 80, the log keeps both decisions
    chosen = resolutions(conflict.conflicts, {("_news/a4.md", "quality"): False})
    done = sync(git, "ben", chosen)
    assert done.pushed == 1
    assert "quality: 80" in _origin_file(team, 4)
    assert (ben / "_news" / "a4.md").read_text() == ARTICLE.format(n=4).replace("quality: 50", "quality: 80")
    assert len(upstream_log(team)) == 2


def test_keeping_mine_in_a_conflict(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 5, "ana", "quality", quality=90)
    decide(ben, 5, "ben", "approve", published=True, quality=5)
    sync(Git(str(ana)), "ana")
    with pytest.raises(SyncConflict) as caught:
        sync(Git(str(ben)), "ben")
    chosen = resolutions(caught.value.conflicts, {})  # mine by default
    sync(Git(str(ben)), "ben", chosen)
    assert [c.key for c in caught.value.conflicts] == ["quality"]
    assert _origin_file(team, 5) == ARTICLE.format(n=5).replace("quality: 50", "quality: 5").replace(
        "published: false", "published: true"
    )


def test_a_push_race_is_retried_and_both_end_up_pushed(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 0, "ana", "quality", quality=61)
    decide(ben, 1, "ben", "quality", quality=62)
    raced = []

    def step(what):
        if what == "Pushing" and not raced:  # ana pushes between ben's rebase and ben's push
            raced.append(sync(Git(str(ana)), "ana"))

    done = sync(Git(str(ben)), "ben", step=step)
    assert raced
    assert done.attempts == 2
    assert done.pushed == 1
    assert "quality: 61" in _origin_file(team, 0)
    assert "quality: 62" in _origin_file(team, 1)
    assert len(upstream_log(team)) == 2


def test_commit_takes_the_logged_files_and_the_log_and_leaves_other_changes(team):
    ana = team("ana")
    decide(ana, 0, "ana", "approve", published=True)
    decide(ana, 1, "ana", "reject", published=False, quality=3)
    decide(ana, 2, "ana", "quality", quality=99)
    (ana / "notes.txt").write_text("not Reviewer's\n")
    (ana / "_news" / "a5.md").write_text("edited by hand\n")
    git = Git(str(ana))
    done = commit(git, "Ana Editor")
    assert done.decisions == 3
    assert done.files == 3
    message = git_run(ana, "log", "-1", "--format=%an%n%B")
    assert message.startswith("Ana Editor\nReview: 1 approved, 1 rejected, 1 quality change\n")
    assert "Decision: approve _news/a0.md" in message
    assert "Decision: quality _news/a2.md" in message
    left = status(git).files
    assert left["notes.txt"] == UNCOMMITTED
    assert left["_news/a5.md"] == UNCOMMITTED
    assert left["_news/a0.md"] == UNPUSHED
    assert commit(git, "ana") is None  # nothing new


def test_status_names_branch_ahead_and_behind(team):
    ana, ben = team("ana"), team("ben")
    decide(ben, 0, "ben", "quality", quality=1)
    sync(Git(str(ben)), "ben")
    decide(ana, 1, "ana", "quality", quality=2)
    git = Git(str(ana))
    commit(git, "ana")
    fetch(git)
    found = status(git)
    assert (found.branch, found.upstream, found.ahead, found.behind) == ("main", "origin/main", 1, 1)
    assert found.summary() == "main ↑1 ↓1"
    assert incoming(git).summary() == "1 incoming, 0 conflicts"


def test_incoming_names_files_that_would_really_conflict(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 3, "ana", "quality", quality=80)
    sync(Git(str(ana)), "ana")
    decide(ben, 3, "ben", "quality", quality=81)
    git = Git(str(ben))
    register_driver(git)
    commit(git, "ben")
    fetch(git)
    assert incoming(git).conflicts == ["_news/a3.md"]


def test_the_forecast_counts_saved_decisions_not_committed_yet(team):
    """The status bar said "0 conflicts" while a saved, not yet committed decision was about to
    conflict; the forecast now merges what the next commit would hold, as sync will."""
    ana, ben = team("ana"), team("ben")
    decide(ana, 3, "ana", "quality", quality=80)
    decide(ana, 2, "ana", "approve", published=True)
    sync(Git(str(ana)), "ana")
    decide(ben, 3, "ben", "quality", quality=81)  # saved, not committed
    decide(ben, 2, "ben", "reject", published=False)  # changes no byte
    git = Git(str(ben))
    fetch(git)
    found = incoming(git)
    assert found.conflicts == ["_news/a3.md"]
    assert found.summary() == "1 incoming, 1 conflict, 2 disagreeing decisions"
    assert git_run(ben, "status", "--porcelain") != ""  # nothing was committed by the forecast
    assert git_run(ben, "log", "--format=%s", "-1") == "articles\n"


def test_the_driver_is_registered_in_local_files_only(team):
    ana = team("ana")
    git = Git(str(ana))
    assert register_driver(git) is True
    assert register_driver(git) is False  # once
    assert "merge=reviewer-frontmatter" in (ana / ".git" / "info" / "attributes").read_text()
    assert git_run(ana, "config", "merge.reviewer-frontmatter.driver").startswith(sys.executable)
    assert git_run(ana, "status", "--porcelain") == ""  # nothing tracked changed


def test_an_ssh_remote_asks_the_passphrase_through_askpass(team, tmp_path):
    """GIT_SSH_COMMAND plays ssh: it asks SSH_ASKPASS, as ssh does, and serves the local repository."""
    ana = team("ana")
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text(
        "#!/bin/sh\n"
        'answer=$("$SSH_ASKPASS" "Enter passphrase for key:")\n'
        '[ "$answer" = "sesame" ] || { echo "Permission denied (publickey)." >&2; exit 255; }\n'
        'shift; exec sh -c "$*"\n'
    )
    askpass = tmp_path / "askpass"
    askpass.write_text('#!/bin/sh\necho "$1" >> "$(dirname "$0")/asked"\necho sesame\n')
    for script in (fake_ssh, askpass):
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    git_run(ana, "remote", "set-url", "origin", f"git@example.invalid:{team.origin}")
    os.environ["GIT_SSH_COMMAND"] = str(fake_ssh)
    try:
        decide(ana, 0, "ana", "approve", published=True)
        done = sync(Git(str(ana), askpass=str(askpass)), "ana")
        assert done.pushed == 1
        assert "published: true" in _origin_file(team, 0)
        assert "Enter passphrase" in (tmp_path / "asked").read_text()
        askpass.write_text("#!/bin/sh\necho wrong\n")
        decide(ana, 1, "ana", "approve", published=True)
        with pytest.raises(GitError) as caught:
            sync(Git(str(ana), askpass=str(askpass)), "ana")
        assert caught.value.kind == "auth"
    finally:
        del os.environ["GIT_SSH_COMMAND"]


def test_git_errors_become_kinds_a_user_understands():
    assert classify("fatal: Unable to create '/r/.git/index.lock': File exists.").kind == "locked"
    assert "/r/.git/index.lock" in classify("fatal: Unable to create '/r/.git/index.lock': File exists.").message
    assert classify(" ! [rejected]        main -> main (fetch first)").kind == "not-fast-forward"
    assert classify("fatal: Authentication failed for 'https://x/'").kind == "auth"
    assert classify("fatal: could not read Username for 'https://x': terminal prompts disabled").kind == "auth"
    assert classify("fatal: unable to access 'https://x/': Could not resolve host: x").kind == "network"
    assert classify("There is no tracking information for the current branch.").kind == "no-upstream"
    assert classify("fatal: not a git repository (or any parent)").kind == "not-a-repo"
    assert classify("fatal: something new").message == "git failed: fatal: something new"


def test_the_commit_message_counts_and_names_each_decision():
    decisions = [
        Decision("t", "ana", "a.md", "", "approve"),
        Decision("t", "ana", "b.md", "", "approve"),
        Decision("t", "ana", "c.md", "", "reject"),
    ]
    assert commit_message(decisions, 3) == (
        "Review: 2 approved, 1 rejected\n\nDecision: approve a.md\nDecision: approve b.md\nDecision: reject c.md\n"
    )


def test_a_folder_that_is_not_a_repository(tmp_path):
    assert not Git(str(tmp_path)).is_repository()


def play_day(team, rounds, decisions, seed=3, plain_bot=False):
    """Two editors and the bot for a day: each round the bot updates heat and adds articles, ana
    sets quality and ben publishes, each on their own clone, syncing in turn. Returns what the
    upstream must hold: each article's final values and the number of decisions.

    `plain_bot`: the bot is a plain git user set up as `reviewer setup-git` says (the tracked
    attributes, the two config lines): it commits first, then `git pull --rebase`, then pushes."""
    import random

    rng = random.Random(seed)
    ana, ben = team("ana"), team("ben")
    bot = team.seed
    if plain_bot:
        _set_up_plain_bot(ana, bot)
    final = {p.stem: {"quality": 50, "heat": 3, "published": False} for p in (bot / "_news").glob("*.md")}
    made = 0
    for r in range(rounds):
        for folder, editor, key in ((ana, "ana", "quality"), (ben, "ben", "published")):
            known = sorted(p.stem for p in (folder / "_news").glob("*.md"))
            for _ in range(decisions):  # both decide at once, on what their clone has
                n = rng.choice(known)
                value = rng.randint(0, 300) if key == "quality" else rng.random() < 0.5
                old = read((folder / "_news" / f"{n}.md").read_text())[1][key]
                decide_named(folder, n, editor, key, value, old)
                final[n][key] = value
                made += 1
        if not plain_bot:
            git_run(bot, "pull", "--quiet", "--rebase", "origin", "main")  # meanwhile the bot: heat, new articles
        for n in rng.sample(sorted(final), min(5, len(final))):
            final[n]["heat"] = rng.randint(1, 999)
            path = bot / "_news" / f"{n}.md"
            path.write_text(set_keys(path.read_text(), {"heat": final[n]["heat"]}))
        for _ in range(2):
            name = f"a{len(final)}"
            final[name] = {"quality": 50, "heat": 3, "published": False}
            (bot / "_news" / f"{name}.md").write_text(ARTICLE.format(n=name[1:]))
        git_run(bot, "add", ".")
        git_run(bot, "commit", "--quiet", "-m", f"bot: round {r}")
        if plain_bot:  # committed first, then plain git: the driver merges what the editors pushed
            git_run(bot, "pull", "--quiet", "--rebase", "origin", "main")
        git_run(bot, "push", "--quiet", "origin", "HEAD:main")
        for folder, editor in ((ana, "ana"), (ben, "ben")):
            sync(Git(str(folder)), editor)
    for folder, editor in ((ana, "ana"), (ben, "ben")):
        sync(Git(str(folder)), editor)
    return final, made


def _set_up_plain_bot(editor, bot):
    """`reviewer setup-git --tracked` in an editor's clone, pushed; the bot's clone gets the two
    lines it prints, and nothing else of Reviewer's."""
    from reviewer.core.git import setup_team

    _, lines = setup_team(Git(str(editor)), tracked=True)
    git_run(editor, "add", ".gitattributes")
    git_run(editor, "commit", "--quiet", "-m", "team: merge articles key by key")
    git_run(editor, "push", "--quiet", "origin", "HEAD:main")
    git_run(bot, "pull", "--quiet", "--rebase", "origin", "main")
    for line in lines:
        subprocess.run(line, shell=True, cwd=bot, check=True)


def decide_named(folder, name, editor, key, value, old):
    path = folder / "_news" / f"{name}.md"
    path.write_text(set_keys(path.read_text(), {key: value}))
    verb = "quality" if key == "quality" else ("approve" if value else "reject")
    LogFile.inside(str(folder)).append(
        [Decision("2026-11-29T10:00:00.000Z", editor, f"_news/{name}.md", "", verb, {key: [old, value]})]
    )


def check_day(team, final, made):
    for name, values in final.items():
        expected = set_keys(ARTICLE.format(n=name[1:]), values)
        assert git_run(team.origin, "show", f"main:_news/{name}.md") == expected, name
    assert len(upstream_log(team)) == made


def test_a_scripted_day_two_editors_and_the_bot(team):
    final, made = play_day(team, rounds=2, decisions=15)
    check_day(team, final, made)
    assert made == 60


def test_a_scripted_day_with_the_bot_on_plain_git_committing_first(team):
    """Before setup-git the bot's own pull conflicted on every article an editor had decided."""
    final, made = play_day(team, rounds=2, decisions=15, plain_bot=True)
    check_day(team, final, made)
    assert made == 60


def test_the_command_line_commits_and_syncs_and_names_conflicts(team, capsys):
    from reviewer.cli import main

    ana, ben = team("ana"), team("ben")
    decide(ana, 0, "ana", "quality", quality=80)
    decide(ben, 0, "ben", "quality", quality=20)
    assert main(["commit", str(ana), "--editor", "Ana"]) == 0
    assert "Review: 1 quality change (1 file)" in capsys.readouterr().out
    assert main(["sync", str(ana)]) == 0
    assert main(["sync", str(ben)]) == 1
    err = capsys.readouterr().err
    assert "_news/a0.md: quality: mine 'quality: 20', theirs 'quality: 80' (was 'quality: 50')" in err
    assert "nothing was changed" in err
    assert main(["sync", str(ben), "--keep", "theirs"]) == 0
    assert "quality: 80" in _origin_file(team, 0)
    logged = upstream_log(team)
    assert len(logged) == 3  # ana's, ben's, and ben's choice of ana's value
    assert json.loads(logged[-1])["changes"] == {"quality": [20, 80]}
    assert main(["sync", str(team.origin.parent)]) == 2  # not a repository


def test_sync_on_a_detached_head_or_an_empty_repository_says_so_and_commits_nothing(team, tmp_path):
    ana = team("ana")
    decide(ana, 0, "ana", "quality", quality=70)
    git_run(ana, "checkout", "--quiet", "--detach")
    before = git_run(ana, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="detached HEAD"):
        sync(Git(str(ana)), "ana")
    assert git_run(ana, "rev-parse", "HEAD") == before
    empty = tmp_path / "empty"
    git_run(tmp_path, "init", "--quiet", "-b", "main", str(empty))
    with pytest.raises(GitError, match="no commit yet"):
        sync(Git(str(empty)), "ana")


def _hand_edit_against_the_bot(team, bot=("Body 1.", "Body 1, corrected by the bot.")):
    """ana's decision on a3 saved, a hand edit in a1's body not committed; the bot's change to a1 pushed."""
    ana = team("ana")
    decide(ana, 3, "ana", "quality", quality=70)
    hand = ana / "_news" / "a1.md"
    hand.write_text(hand.read_text().replace("Body 1.", "Body 1, edited by hand."))
    seed = team.seed
    (seed / "_news" / "a1.md").write_text(ARTICLE.format(n=1).replace(*bot))
    git_run(seed, "commit", "--quiet", "-am", "bot: a1")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    return ana, hand


def test_a_hand_edit_in_the_way_of_an_incoming_change_is_not_stashed_without_consent(team):
    """The editor's uncommitted hand edit in a file the bot changed: git's autostash put it in
    a stash and back with conflict markers, and sync said "synced". Without the editor's
    consent nothing is put aside: sync stops, names the file, changes and pushes nothing."""
    ana, hand = _hand_edit_against_the_bot(team)
    upstream_before = git_run(team.origin, "rev-parse", "main")
    head_before = git_run(ana, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="_news/a1.md") as raised:
        sync(Git(str(ana)), "ana")
    assert raised.value.kind == "uncommitted"
    assert "--stash" in raised.value.message
    assert git_run(team.origin, "rev-parse", "main") == upstream_before  # nothing pushed
    assert git_run(ana, "stash", "list") == ""  # nothing put aside
    assert "edited by hand" in hand.read_text()
    assert git_run(ana, "rev-parse", "HEAD") != head_before  # the decision was committed, not lost
    assert "Review:" in git_run(ana, "log", "-1", "--format=%s")


def test_a_stash_the_editor_agreed_to_that_clashes_is_reported_and_kept(team):
    """With consent the edit is put aside and brought back; where it clashes with the incoming
    change, sync is an error naming the file, the edit kept in the stash, nothing pushed."""
    ana, hand = _hand_edit_against_the_bot(team)
    upstream_before = git_run(team.origin, "rev-parse", "main")
    with pytest.raises(GitError, match="_news/a1.md") as raised:
        sync(Git(str(ana)), "ana", stash=True)
    assert raised.value.kind == "unfinished"
    assert "stash" in raised.value.message
    assert git_run(team.origin, "rev-parse", "main") == upstream_before
    assert "edited by hand" in git_run(ana, "stash", "show", "-p")


def test_a_stash_the_editor_agreed_to_comes_back_when_it_does_not_clash(team):
    ana, hand = _hand_edit_against_the_bot(team, bot=("heat: 3", "heat: 12"))
    with pytest.raises(GitError, match="_news/a1.md"):
        sync(Git(str(ana)), "ana")
    done = sync(Git(str(ana)), "ana", stash=True)
    assert done.pushed == 1
    text = hand.read_text()
    assert "edited by hand" in text
    assert "heat: 12" in text
    assert git_run(ana, "stash", "list") == ""
    assert "quality: 70" in _origin_file(team, 3)
    assert "edited by hand" not in _origin_file(team, 1)


def test_a_branch_without_upstream_whose_remote_branch_exists_names_the_command(team):
    ana = team("ana")
    git_run(ana, "checkout", "--quiet", "-b", "review")
    git_run(ana, "push", "--quiet", "origin", "HEAD:review")
    seed = team.seed
    git_run(seed, "fetch", "--quiet", "origin")
    git_run(seed, "checkout", "--quiet", "-b", "review", "origin/review")
    (seed / "_news" / "a2.md").write_text(ARTICLE.format(n=2).replace("heat: 3", "heat: 9"))
    git_run(seed, "commit", "--quiet", "-am", "bot: heat")
    git_run(seed, "push", "--quiet", "origin", "HEAD:review")
    decide(ana, 0, "ana", "quality", quality=70)
    for _ in range(2):  # the same, exact advice each time: never "sync again" forever
        with pytest.raises(GitError, match="git branch --set-upstream-to=origin/review") as raised:
            sync(Git(str(ana)), "ana")
        assert "sync again" not in raised.value.message


def test_a_sync_killed_mid_rebase_is_cleaned_up_by_the_next_one(team):
    """kill -9 during the rebase left a rebase in progress (a detached HEAD), a stale
    index.lock and git's merge temp files: the next sync aborts and cleans what its marker
    says it started, then syncs, instead of 'not on a branch' forever."""
    from reviewer.core.git import REBASING

    ana = team("ana")
    decide(ana, 0, "ana", "quality", quality=70)
    sync(Git(str(ana)), "ana")
    decide(ana, 3, "ana", "quality", quality=80)
    git_run(ana, "commit", "--quiet", "-am", "Review: a3")
    seed = team.seed
    git_run(seed, "pull", "--quiet", "--rebase")
    (seed / "_news" / "a5.md").write_text(ARTICLE.format(n=5).replace("heat: 3", "heat: 8"))
    git_run(seed, "commit", "--quiet", "-am", "bot: heat")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    git_run(ana, "fetch", "--quiet")
    # a rebase stopped half-way, as a killed one is
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 1ibreak"}
    subprocess.run(["git", "rebase", "-i", "origin/main"], cwd=ana, env=env, check=True, capture_output=True)
    assert (ana / ".git" / "rebase-merge").exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (ana / ".git" / REBASING).write_text(dead.stdout.strip())
    (ana / ".git" / "index.lock").write_text("")
    (ana / ".merge_file_a1b2c3").write_text("left by git")
    done = sync(Git(str(ana)), "ana")
    assert done.pushed >= 1
    assert not (ana / ".git" / "rebase-merge").exists()
    assert not (ana / ".git" / "index.lock").exists()
    assert not (ana / ".merge_file_a1b2c3").exists()
    assert not (ana / ".git" / REBASING).exists()
    assert "quality: 80" in _origin_file(team, 3)
    assert "heat: 8" in _origin_file(team, 5)


def test_a_rebase_someone_else_started_is_named_not_called_a_detached_head(team):
    ana = team("ana")
    decide(ana, 3, "ana", "quality", quality=80)
    git_run(ana, "commit", "--quiet", "-am", "Review: a3")
    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i 1ibreak"}
    subprocess.run(["git", "rebase", "-i", "HEAD~1"], cwd=ana, env=env, check=True, capture_output=True)
    with pytest.raises(GitError, match="git rebase --continue") as raised:
        sync(Git(str(ana)), "ana")
    assert "detached" not in raised.value.message
    assert (ana / ".git" / "rebase-merge").exists()  # left to its owner


def test_a_push_refused_by_a_server_hook_says_the_hooks_words(team):
    hook = team.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'Pushes to main need a sign-off line (policy 7)' >&2\nexit 1\n")
    hook.chmod(0o755)
    ana = team("ana")
    decide(ana, 0, "ana", "quality", quality=70)
    with pytest.raises(GitError) as raised:
        sync(Git(str(ana)), "ana")
    assert "Pushes to main need a sign-off line (policy 7)" in raised.value.message
    assert "refused by the remote (pre-receive hook declined)" in raised.value.message
    assert "sync again" not in raised.value.message


def test_an_untracked_file_in_the_way_of_an_incoming_one_is_named(team):
    ana = team("ana")
    decide(ana, 0, "ana", "quality", quality=70)
    seed = team.seed
    (seed / "_news" / "new.md").write_text(ARTICLE.format(n=9))
    git_run(seed, "add", ".")
    git_run(seed, "commit", "--quiet", "-m", "bot: new")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    (ana / "_news" / "new.md").write_text("my own draft\n")
    with pytest.raises(GitError, match="_news/new.md") as raised:
        sync(Git(str(ana)), "ana")
    assert "detach" not in raised.value.message
    assert (ana / "_news" / "new.md").read_text() == "my own draft\n"


@pytest.mark.parametrize("keep", ["mine", "theirs"])
def test_a_conflict_outside_front_matter_is_settled_by_a_whole_file_choice(team, keep):
    """_config.yml changed on both sides: git's merge driver is not Reviewer's there, so a
    choice passed to the driver was never used and the same conflict came back each time."""
    from reviewer.core.git import WHOLE_FILE, SyncConflict, resolutions

    seed = team.seed
    (seed / "_config.yml").write_text("title: News\nurl: https://a.example\n")
    git_run(seed, "add", ".")
    git_run(seed, "commit", "--quiet", "-m", "config")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    ana = team("ana")
    (seed / "_config.yml").write_text("title: Bot News\nurl: https://a.example\n")
    git_run(seed, "commit", "--quiet", "-am", "bot: config")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")
    (ana / "_config.yml").write_text("title: Ana News\nurl: https://a.example\n")
    git_run(ana, "commit", "--quiet", "-am", "ana: config")
    decide(ana, 2, "ana", "quality", quality=75)
    with pytest.raises(SyncConflict) as raised:
        sync(Git(str(ana)), "ana")
    conflicts = raised.value.conflicts
    assert [(c.path, c.key) for c in conflicts] == [("_config.yml", WHOLE_FILE)]
    choice = {(c.path, c.key): keep == "mine" for c in conflicts}
    done = sync(Git(str(ana)), "ana", resolutions(conflicts, choice))
    assert done.pushed >= 1
    expected = "Ana News" if keep == "mine" else "Bot News"
    assert expected in git_run(team.origin, "show", "main:_config.yml")
    assert "<<<<<<<" not in git_run(team.origin, "show", "main:_config.yml")
    assert "quality: 75" in _origin_file(team, 2)


def test_setup_git_lets_a_bot_on_plain_git_merge_with_the_editors_decisions(team, capsys):
    """The bot commits its heat first and pulls with plain git: without setup it conflicts
    on every article an editor decided; with setup-git's tracked attributes and the two lines
    it prints, the pull merges and upstream holds both values."""
    from reviewer.cli import main

    ana = team("ana")
    assert main(["setup-git", str(ana), "--tracked"]) == 0
    out = capsys.readouterr().out
    assert ".gitattributes" in out
    bot_lines = [line.strip() for line in out.splitlines() if line.strip().startswith("git config merge.")]
    assert len(bot_lines) == 2
    git_run(ana, "add", ".gitattributes")
    git_run(ana, "commit", "--quiet", "-m", "team: merge articles key by key")
    git_run(ana, "push", "--quiet", "origin", "HEAD:main")
    bot = team("bot")  # a plain git user's clone: the tracked attributes, and the two lines
    for line in bot_lines:
        subprocess.run(line, shell=True, cwd=bot, check=True)
    for n in range(4):
        decide(ana, n, "ana", "quality", quality=60 + n)
    sync(Git(str(ana)), "ana")
    for n in range(4):
        path = bot / "_news" / f"a{n}.md"
        path.write_text(path.read_text().replace("heat: 3", f"heat: {20 + n}"))
    git_run(bot, "commit", "--quiet", "-am", "bot: heat")
    pulled = subprocess.run(["git", "pull", "--rebase", "--quiet"], cwd=bot, capture_output=True, text=True)
    assert pulled.returncode == 0, pulled.stderr
    git_run(bot, "push", "--quiet", "origin", "HEAD:main")
    for n in range(4):
        text = _origin_file(team, n)
        assert f"quality: {60 + n}" in text
        assert f"heat: {20 + n}" in text
        assert "<<<<<<<" not in text


def _count_driver_runs(monkeypatch, tmp_path):
    """The merge driver as git runs it, each run also leaving a line in a file."""
    runs = tmp_path / "driver-runs"
    real = git_module.driver_command()
    monkeypatch.setattr(git_module, "driver_command", lambda: f"echo run >> {runs}; {real}")
    return runs


def _bot_heat(team, numbers, heat=9):
    seed = team.seed
    git_run(seed, "pull", "--quiet", "--rebase")
    for n in numbers:
        path = seed / "_news" / f"a{n}.md"
        path.write_text(path.read_text().replace("heat: 3", f"heat: {heat}"))
    git_run(seed, "commit", "--quiet", "-am", "bot: heat")
    git_run(seed, "push", "--quiet", "origin", "HEAD:main")


def test_sync_merges_shared_articles_in_its_own_process_without_a_driver_per_file(team, monkeypatch, tmp_path):
    """Each file both sides changed cost a new Python process (the driver): 250 took 33-40 s.
    Sync merges them itself now; git's merge driver is not run once."""
    runs = _count_driver_runs(monkeypatch, tmp_path)
    ana = team("ana")
    for n in range(6):
        decide(ana, n, "ana", "quality", quality=60 + n)
    _bot_heat(team, range(6))
    done = sync(Git(str(ana)), "ana")
    assert done.pushed == 1
    assert done.incoming == 1
    assert not runs.exists()
    for n in range(6):
        text = _origin_file(team, n)
        assert f"quality: {60 + n}" in text
        assert "heat: 9" in text
    assert git_run(ana, "status", "--porcelain") == ""
    assert git_run(ana, "log", "-1", "--format=%an %s") == "ana Review: 6 quality changes\n"


def test_a_merge_commit_of_the_editors_is_synced_by_gits_rebase_as_before(team, monkeypatch, tmp_path):
    """Where the in-process merge cannot be sure (here a merge commit among the editor's), git's
    rebase with the driver does it, and gives the same result."""
    runs = _count_driver_runs(monkeypatch, tmp_path)
    ana = team("ana")
    git_run(ana, "checkout", "--quiet", "-b", "side")
    decide(ana, 1, "ana", "quality", quality=61)
    git_run(ana, "commit", "--quiet", "-am", "side: a1")
    git_run(ana, "checkout", "--quiet", "main")
    git_run(ana, "merge", "--quiet", "--no-ff", "-m", "merge side", "side")
    decide(ana, 2, "ana", "quality", quality=62)
    _bot_heat(team, [1, 2])
    done = sync(Git(str(ana)), "ana")
    assert done.pushed >= 1
    assert runs.exists()  # git's rebase ran the driver
    for n in (1, 2):
        text = _origin_file(team, n)
        assert f"quality: {60 + n}" in text
        assert "heat: 9" in text


def test_a_hand_edit_in_a_decided_articles_body_stays_out_of_the_review_commit(team):
    """The README promises that a Review commit holds the decisions; a body edited by hand in
    the same article was pushed with it. Now only the decided keys' lines are committed, the
    hand edit stays in the file, uncommitted, and the commit says which file that is."""
    ana = team("ana")
    decide(ana, 2, "ana", "approve", published=True)
    path = ana / "_news" / "a2.md"
    path.write_text(path.read_text().replace("Body 2.", "Body 2, rewritten by hand."))
    done = sync(Git(str(ana)), "ana")
    assert done.committed is not None
    assert done.committed.left == ["_news/a2.md"]
    pushed = _origin_file(team, 2)
    assert "published: true" in pushed
    assert "Body 2.\n" in pushed
    assert "by hand" not in pushed
    assert "rewritten by hand" in path.read_text()
    assert "published: true" in path.read_text()
    assert git_run(ana, "status", "--porcelain") == " M _news/a2.md\n"
    assert git_run(ana, "diff", "--stat").count("1 insertion") == 1


def test_the_editor_may_commit_whole_files_with_their_hand_edits(team):
    ana = team("ana")
    decide(ana, 2, "ana", "approve", published=True)
    path = ana / "_news" / "a2.md"
    path.write_text(path.read_text().replace("Body 2.", "Body 2, rewritten by hand."))
    made = commit(Git(str(ana)), "ana", whole_files=True)
    assert made is not None
    assert made.left == []
    assert "rewritten by hand" in git_run(ana, "show", "HEAD:_news/a2.md")
    assert git_run(ana, "status", "--porcelain") == ""


def test_what_the_editor_staged_in_other_files_is_not_committed_with_the_review(team):
    ana = team("ana")
    decide(ana, 2, "ana", "approve", published=True)
    other = ana / "_news" / "a4.md"
    other.write_text(other.read_text().replace("Body 4.", "Body 4, staged by hand."))
    git_run(ana, "add", "_news/a4.md")
    commit(Git(str(ana)), "ana")
    committed = git_run(ana, "show", "--name-only", "--format=", "HEAD").split()
    assert "_news/a2.md" in committed
    assert "_news/a4.md" not in committed
    assert git_run(ana, "status", "--porcelain") == "M  _news/a4.md\n"  # still staged, as it was


def test_an_approve_and_a_reject_that_merge_cleanly_are_reported_as_disagreeing(team):
    """ana approves an unpublished article; ben rejects it, which changes no byte. The bytes
    merge with no conflict and the article ends published: ben's sync, which brings the two
    together, says so."""
    ana, ben = team("ana"), team("ben")
    decide(ana, 2, "ana", "approve", published=True)
    decide(ben, 2, "ben", "reject", published=False)  # already unpublished: the file is as it was
    decide(ben, 4, "ben", "approve", published=True)
    first = sync(Git(str(ana)), "ana")
    assert first.disagreements == []  # nothing of ben's upstream yet
    done = sync(Git(str(ben)), "ben")
    assert [(d.path, d.key, d.mine.editor, d.theirs.editor, d.now) for d in done.disagreements] == [
        ("_news/a2.md", "published", "ben", "ana", True)
    ]
    assert "you rejected, ana approved; the article now has published: true" in done.disagreements[0].summary()
    assert "published: true" in _origin_file(team, 2)
    # ben, whose sync brought the two together, chooses; ana's approve was shared before ben
    # decided, and her next sync holds nothing new of hers: nothing to say twice
    assert sync(Git(str(ana)), "ana").disagreements == []
    assert sync(Git(str(ben)), "ben").disagreements == []


def test_agreeing_decisions_and_other_articles_are_not_disagreements(team):
    ana, ben = team("ana"), team("ben")
    decide(ana, 2, "ana", "approve", published=True)
    decide(ben, 2, "ben", "approve", published=True)
    decide(ana, 3, "ana", "quality", quality=80)
    decide(ben, 4, "ben", "quality", quality=20)
    sync(Git(str(ana)), "ana")
    assert sync(Git(str(ben)), "ben").disagreements == []


def test_a_keep_choice_is_logged_so_the_last_decision_says_what_the_file_holds(team):
    """After --keep theirs the log's last decision for the article was the editor's own, which
    the file no longer says; the choice is logged as the editor's decision now."""
    from reviewer.core.git import SyncConflict, record_choices
    from reviewer.core.review_log import latest

    ana, ben = team("ana"), team("ben")
    decide(ana, 1, "ana", "quality", quality=80)
    sync(Git(str(ana)), "ana")
    decide(ben, 1, "ben", "quality", quality=20)
    with pytest.raises(SyncConflict) as raised:
        sync(Git(str(ben)), "ben")
    conflicts = raised.value.conflicts
    keep = {(c.path, c.key): False for c in conflicts}  # keep theirs: ana's 80
    assert record_choices(Git(str(ben)), conflicts, keep, "ben") == 1
    sync(Git(str(ben)), "ben", resolutions(conflicts, keep))
    assert "quality: 80" in _origin_file(team, 1)
    logged = [Decision.from_record(json.loads(line)) for line in upstream_log(team)]
    last = latest(d for d in logged if d is not None)["_news/a1.md"]
    assert (last.editor, last.decision, last.changes) == ("ben", "quality", {"quality": [20, 80]})


def test_the_command_line_names_disagreeing_decisions_and_exits_4(team, capsys):
    from reviewer.cli import main

    ana, ben = team("ana"), team("ben")
    decide(ana, 2, "ana", "approve", published=True)
    decide(ben, 2, "ben", "reject", published=False)
    assert main(["sync", str(ana)]) == 0
    assert main(["sync", str(ben)]) == 4
    err = capsys.readouterr().err
    assert "decisions that disagree with another editor's since you last synced (1)" in err
    assert "_news/a2.md: published: you rejected, ana approved; the article now has published: true" in err


@pytest.mark.parametrize("after", [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
def test_a_sync_killed_at_any_moment_is_finished_by_the_next_one(tmp_path, monkeypatch, after):
    """kill -9 of `reviewer sync` wherever it is (committing, merging, moving the folder,
    pushing): the next sync cleans up what it left and ends with every value upstream, and
    the folder clean. The moment varies; what must hold does not."""
    import signal
    import time

    home = tmp_path / "home"
    home.mkdir()
    for name, value in {**GIT_ENV, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}.items():
        monkeypatch.setenv(name, value)
    team = make_team(tmp_path / "t", articles=400)
    ana = team("ana")
    values = {}
    for n in range(300):
        values[n] = 100 + n
        decide_named(ana, f"a{n}", "ana", "quality", values[n], 50)
    _bot_heat(team, range(0, 300, 3))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen(
        [sys.executable, "-m", "reviewer", "sync", str(ana)], cwd=root, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(after)
    child.send_signal(signal.SIGKILL)
    child.wait()
    sync(Git(str(ana)), "ana")
    assert git_run(ana, "status", "--porcelain") == ""
    assert git_run(ana, "stash", "list") == ""
    final = team("check")
    for n, value in values.items():
        text = (final / "_news" / f"a{n}.md").read_text()
        assert f"quality: {value}\n" in text
        assert ("heat: 9\n" in text) == (n % 3 == 0)
    logged = (final / ".reviewer" / "decisions.jsonl").read_text().splitlines()
    assert len(logged) == 300


def test_a_sync_waits_for_the_git_a_killed_sync_left_running(team, tmp_path, monkeypatch):
    """kill -9 of a sync leaves the git it was running (a `git reset` writing the folder): the
    next sync waits for it before it puts back what that git wrote. Another program that has
    the number of a noted git since is not waited for."""
    from reviewer.core.git import REBASING

    ana = team("ana")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    finished = tmp_path / "finished"
    slow = subprocess.Popen(["git", "-c", f"alias.slow=!sleep 1 && touch '{finished}'", "slow"], cwd=ana)
    (ana / ".git" / REBASING).write_text(f"{dead.pid}\nchild {slow.pid}")
    sync(Git(str(ana)), "ana")
    assert finished.exists()  # the sync began once that git had ended
    slow.wait()
    assert git_run(ana, "status", "--porcelain") == ""

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        asked = []
        running = git_module._git_running
        monkeypatch.setattr(git_module, "_git_running", lambda pid: asked.append((pid, running(pid))) or asked[-1][1])
        (ana / ".git" / REBASING).write_text(f"{dead.pid}\nchild {other.pid}\nchild x")
        sync(Git(str(ana)), "ana")
        assert asked == [(other.pid, False)]  # alive, not a git: not waited for ("x" is no process)
        assert not (ana / ".git" / REBASING).exists()
    finally:
        other.kill()
        other.wait()


def test_each_git_a_sync_runs_is_noted_in_its_marker_while_it_runs(team, monkeypatch):
    from reviewer.core.git import REBASING

    ana = team("ana")
    decide_named(ana, "a1", "ana", "quality", 77, 50)
    noted = []
    original = Git._note_child

    def note(self, pid):
        original(self, pid)
        marker = ana / ".git" / REBASING
        noted.append((pid, marker.exists() and f"child {pid}" in marker.read_text()))

    monkeypatch.setattr(Git, "_note_child", note)
    sync(Git(str(ana)), "ana")
    during = [ok for _, ok in noted]
    assert during.count(True) >= 3  # commit, fetch, push at least
    assert not (ana / ".git" / REBASING).exists()
    noted.clear()
    Git(str(ana)).run("status")  # outside a sync (and its guard's `git config`): nothing to note in
    assert noted
    assert not any(ok for _, ok in noted)


def test_changes_a_killed_sync_put_aside_are_said_until_taken_back(team):
    """A sync killed between putting the editor's changes aside and bringing them back: every
    later sync says where they are, until the editor takes them back."""
    from reviewer.core.git import STASHED

    ana = team("ana")
    hand = ana / "_news" / "a1.md"
    hand.write_text(hand.read_text().replace("Body 1.", "Body 1, edited by hand."))
    git_run(ana, "stash", "push", "--quiet", "-m", "Reviewer sync: put aside")
    (ana / ".git" / STASHED).write_text(git_run(ana, "rev-parse", "refs/stash").strip())
    for _ in range(2):
        with pytest.raises(GitError, match=r"git stash pop stash@\{0\}") as raised:
            sync(Git(str(ana)), "ana")
        assert raised.value.kind == "unfinished"
    git_run(ana, "stash", "pop", "--quiet")
    sync(Git(str(ana)), "ana")
    assert "edited by hand" in hand.read_text()
    assert not (ana / ".git" / STASHED).exists()
