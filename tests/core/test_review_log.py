"""The review log: decisions that last, in the folder, safe to write from two places and to merge."""

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.cli import main
from reviewer.core import review_log
from reviewer.core.review_log import Decision, LogFile, editor_name

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "---\ntitle: {title}\nquality: {quality}\npublished: {published}\noriginalUrl: https://ex.test/{title}\n---\n"


def site(tmp_path, n=3, published="false") -> Path:
    root = tmp_path / "site"
    (root / "_news").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Test site\n")
    for i in range(n):
        (root / "_news" / f"a{i:04}.md").write_text(ARTICLE.format(title=f"t{i}", quality=10 + i, published=published))
    return root


def log_lines(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / ".reviewer" / "decisions.jsonl").read_text().splitlines()]


def test_set_logs_each_decision_with_who_what_and_when(tmp_path, capsys):
    root = site(tmp_path)
    assert main(["set", "--published", "true", "--editor", "ana", str(root / "_news" / "a0000.md")]) == 0
    assert main(["set", "--quality", "50", "--editor", "bo", "--where", "title:t1", str(root)]) == 0
    first, second = log_lines(root)
    assert first["editor"] == "ana"
    assert first["decision"] == "approve"
    assert first["path"] == "_news/a0000.md"
    assert first["changes"] == {"published": [False, True]}
    assert first["url"] == "https://ex.test/t0"
    assert first["time"].endswith("Z")
    assert first["time"][:4].isdigit()
    assert (second["editor"], second["decision"], second["changes"]) == ("bo", "quality", {"quality": [11, 50]})
    assert (root / ".reviewer" / ".gitattributes").read_text() == "decisions.jsonl merge=union\n"


def test_a_reject_of_an_unpublished_article_is_logged_though_the_file_does_not_change(tmp_path, capsys):
    root = site(tmp_path)
    before = (root / "_news" / "a0002.md").read_bytes()
    assert main(["set", "--published", "false", "--editor", "ana", str(root / "_news" / "a0002.md")]) == 0
    assert (root / "_news" / "a0002.md").read_bytes() == before
    [line] = log_lines(root)
    assert (line["decision"], line["changes"]) == ("reject", {})


def test_an_approve_of_a_published_article_is_logged_too(tmp_path, capsys):
    """One policy for decisions that change no byte: approve and reject alike (issue 24)."""
    root = site(tmp_path)
    main(["set", "--published", "true", "--editor", "ana", str(root / "_news" / "a0002.md")])
    before = (root / "_news" / "a0002.md").read_bytes()
    assert main(["set", "--published", "true", "--editor", "bo", str(root / "_news" / "a0002.md")]) == 0
    assert (root / "_news" / "a0002.md").read_bytes() == before
    assert [(d["editor"], d["decision"], d["changes"]) for d in log_lines(root)][-1] == ("bo", "approve", {})


def test_the_window_and_the_command_line_log_to_the_sites_log_with_the_same_paths(tmp_path, qtbot):
    """Opening site/_news in the window and running `reviewer set` in it write one log."""
    from reviewer.app.session import Session
    from reviewer.app.tasks import SyncRunner

    root = site(tmp_path, n=4)  # a site: its _config.yml marks the content folder
    news = root / "_news"
    main(["set", "--published", "true", "--editor", "ana", str(news / "a0000.md")])
    session = Session(SyncRunner(), watch=False, log_dir=str(tmp_path / "data"))
    session.open(str(news))
    article = next(a for a in session.articles if a.relpath == "a0001.md")
    assert [d.editor for d in session.history.get("a0000.md", [])] == ["ana"]  # read from the site's log
    session.approve([article], "approve")
    session.save()
    assert not (news / ".reviewer").exists()
    paths = [d["path"] for d in log_lines(root)]
    assert paths == ["_news/a0000.md", "_news/a0001.md"]


def test_decision_queries_and_log_and_stats(tmp_path, capsys):
    root = site(tmp_path, n=4)
    main(["set", "--published", "true", "--editor", "ana", str(root / "_news" / "a0000.md")])
    main(["set", "--published", "false", "--editor", "bo", str(root / "_news" / "a0001.md")])
    capsys.readouterr()
    assert main(["list", str(root), "--json", "--query", "published:false decision:none"]) == 0
    left = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
    assert left == ["_news/a0002.md", "_news/a0003.md"]
    assert main(["list", str(root), "--json", "--query", "editor:bo decision:reject"]) == 0
    assert [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()] == ["_news/a0001.md"]
    assert main(["log", str(root), "--json", "--editor", "ANA"]) == 0
    [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["decision"] == "approve"
    assert main(["stats", str(root), "--json"]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["articles"], row["approved"], row["rejected"], row["approval_rate"]) == (4, 1, 1, 0.5)
    assert row["mean_quality"] == 11.5


def test_set_where_reads_the_review_log_only_for_a_query_about_decisions(tmp_path, capsys, monkeypatch):
    from reviewer import cli

    root = site(tmp_path, n=4)
    main(["set", "--published", "false", "--editor", "bo", str(root / "_news" / "a0001.md")])
    read = []
    real = cli.read_decisions
    monkeypatch.setattr(cli, "read_decisions", lambda *a: read.append(a) or real(*a))
    assert main(["set", "--quality", "70", "--editor", "ana", "--where", "title:t0", str(root)]) == 0
    assert main(["list", str(root), "--json", "--query", "quality:70"]) == 0
    assert read == []  # a log of years of work is not read for a query that does not look at it
    capsys.readouterr()
    assert main(["set", "--quality", "20", "--editor", "ana", "--where", "decision:reject", str(root)]) == 0
    assert len(read) == 1
    assert "a0001.md" in capsys.readouterr().out
    assert "quality: 20" in (root / "_news" / "a0001.md").read_text()
    assert "quality: 20" not in (root / "_news" / "a0002.md").read_text()


def test_a_torn_last_line_is_skipped_with_a_warning_and_kept(tmp_path):
    log = LogFile(str(tmp_path / "decisions.jsonl"), True)
    log.append([Decision("2026-11-28T14:02:00Z", "ana", "a.md", "", "reject")])
    with open(log.path, "a") as fh:
        fh.write('{"time": "2026-11-28T14:03:00Z", "editor": "ana", "pa')  # the crash
    decisions, warnings = log.read()
    assert [d.path for d in decisions] == ["a.md"]
    [warning] = warnings
    assert "incomplete" in warning.message
    assert warning.line == 2
    assert warning.format().startswith(".reviewer/")
    assert Path(log.path).read_text().endswith('"pa')  # kept for inspection


def test_two_processes_appending_at_once_write_whole_lines(tmp_path):
    root = tmp_path / "site"
    (root / "_news").mkdir(parents=True)
    (root / "_config.yml").write_text("title: T\n")
    for i in range(2000):
        (root / "_news" / f"a{i:04}.md").write_text(ARTICLE.format(title=f"t{i}", quality=1, published="false"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "reviewer", "set", "--quality", "5", "--editor", who, "--where", where, str(root)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for who, where in (("ana", "path:a0"), ("bo", "path:a1"))  # 1,000 articles each
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    lines = (root / ".reviewer" / "decisions.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line whole
    assert len(records) == 2000
    assert sorted(r["editor"] for r in records) == ["ana"] * 1000 + ["bo"] * 1000
    assert len({r["path"] for r in records}) == 2000


def test_a_folder_that_cannot_be_written_keeps_its_log_in_the_data_folder(tmp_path, monkeypatch):
    root = site(tmp_path)
    real_access = os.access
    monkeypatch.setattr(review_log.os, "access", lambda p, m: False if str(p) == str(root) else real_access(p, m))
    log = LogFile.for_folder(str(root), str(tmp_path / "data"))
    assert not log.in_folder
    assert log.path.startswith(str(tmp_path / "data"))
    log.append([Decision("2026-11-28T14:02:00Z", "ana", "a.md", "", "approve")])
    assert not (root / ".reviewer").exists()
    clean = LogFile.for_folder(str(root), str(tmp_path / "data"), keep_folder_clean=True)
    assert clean.path == log.path  # the same folder, the same log


def test_the_editor_is_the_repositorys_git_user_else_the_login(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env={**os.environ, **env})
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Ana Lima"], check=True)
    assert editor_name(str(repo)) == "Ana Lima"
    assert editor_name(str(repo), preferred="Bo") == "Bo"
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "login-name")
    assert editor_name(str(tmp_path)) == "login-name"


def test_git_merges_two_editors_logs_by_keeping_both(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-28T10:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-28T10:00:00Z")

    def git(*args, cwd):
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout

    root = site(tmp_path, n=4)
    git("init", "-q", "-b", "main", cwd=root)
    git("config", "user.name", "Ana", cwd=root)
    git("config", "user.email", "ana@ex.test", cwd=root)
    LogFile.for_folder(str(root), "").append([Decision("2026-11-28T09:00:00Z", "ana", "_news/a0000.md", "", "reject")])
    git("add", "-A", cwd=root)
    git("commit", "-qm", "start", cwd=root)
    git("checkout", "-qb", "bo", cwd=root)
    LogFile.for_folder(str(root), "").append([Decision("2026-11-28T11:00:00Z", "bo", "_news/a0001.md", "", "approve")])
    git("commit", "-qam", "bo decides", cwd=root)
    git("checkout", "-q", "main", cwd=root)
    LogFile.for_folder(str(root), "").append([Decision("2026-11-28T11:01:00Z", "ana", "_news/a0002.md", "", "reject")])
    git("commit", "-qam", "ana decides", cwd=root)
    git("merge", "-q", "--no-edit", "bo", cwd=root)  # no conflict: the log merges by union
    decisions, warnings = LogFile.for_folder(str(root), "").read()
    assert warnings == []
    assert sorted(d.path for d in decisions) == [
        "_news/a0000.md",
        "_news/a0001.md",
        "_news/a0002.md",
    ]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), TEXT)
DECISION = st.builds(
    Decision,
    TEXT,
    TEXT,
    TEXT,
    TEXT,
    st.sampled_from(review_log.DECISIONS),
    st.dictionaries(st.sampled_from(["published", "quality"]), st.tuples(VALUES, VALUES).map(list), max_size=2),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(DECISION, max_size=6), st.booleans())
def test_every_decision_written_is_read_back_as_it_was(tmp_path, decisions, crlf):
    """Quotes, backslashes, line and paragraph separators, any text: the quick reader and
    json.loads agree, and a log whose line ends were changed to CRLF (git on Windows) reads alike."""
    log = LogFile(str(tmp_path / f"log-{os.urandom(4).hex()}.jsonl"), True)
    log.append(decisions)
    if crlf and decisions:
        Path(log.path).write_bytes(Path(log.path).read_bytes().replace(b"\n", b"\r\n"))
    read, warnings = log.read()
    assert warnings == []
    assert [d.line() for d in read] == [d.line() for d in decisions]
    assert read == decisions


def test_a_hand_edited_line_in_another_key_order_is_read_and_a_bad_one_named(tmp_path):
    log = LogFile(str(tmp_path / "decisions.jsonl"), True)
    written = Decision("2026-11-28T14:02:00.000Z", "ana", "a.md", "", "approve", {"published": [None, True]})
    edited = '{"decision": "reject", "path": "b.md", "editor": "bo", "time": "2026-11-28T15:00:00Z", "url": ""}'
    Path(log.path).write_text(written.line() + edited + "\n" + '{"decision": "shrug"}\n' + written.line())
    read, warnings = log.read()
    assert [(d.path, d.decision, d.changes) for d in read] == [
        ("a.md", "approve", {"published": [None, True]}),
        ("b.md", "reject", {}),
        ("a.md", "approve", {"published": [None, True]}),
    ]
    assert [(w.line, w.message) for w in warnings] == [(3, "not a decision; skipped")]


def test_a_value_json_has_no_type_for_is_logged_not_a_stopped_run(tmp_path, capsys):
    from reviewer.cli import main

    (tmp_path / "a.md").write_text("---\ntitle: A\nquality: !!set {a, b}\npublished: false\n---\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\nquality: !!binary aGk=\npublished: false\n---\n")
    assert main(["set", "--quality", "7", "--where", "", str(tmp_path)]) == 0
    log = (tmp_path / ".reviewer" / "decisions.jsonl").read_text().splitlines()
    assert len(log) == 2
    assert '"quality": [["a", "b"], 7]' in "".join(log)
    assert '"quality": ["hi", 7]' in "".join(log)


def test_a_file_name_that_is_not_utf8_is_logged_and_read_back_the_same(tmp_path):
    import os

    from reviewer.cli import main
    from reviewer.core.review_log import read_decisions

    name = os.fsdecode(b"caf\xe9.md")  # Latin-1 on disk
    (tmp_path / "good.md").write_text("---\ntitle: G\npublished: false\n---\n")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.md"), "w") as fh:
        fh.write("---\ntitle: C\npublished: false\n---\n")
    assert main(["set", "--published", "true", "--where", "published:false", str(tmp_path)]) == 0
    decisions, problems = read_decisions(str(tmp_path), str(tmp_path / "data"))
    assert problems == []
    assert sorted(d.path for d in decisions) == sorted([name, "good.md"])
    (tmp_path / ".reviewer" / "decisions.jsonl").read_text(encoding="utf-8")  # still UTF-8
