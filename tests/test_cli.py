"""The command line: list, check and set, as scripts and CI use them."""

import json
import os
import subprocess
import sys
from pathlib import Path

from reviewer.cli import main
from tests.helpers import changed_lines, key_of


def folder(tmp_path):
    (tmp_path / "2023").mkdir()
    (tmp_path / "2023" / "a.md").write_text(
        "---\ntitle: Alpha\nquality: 67\nheat: -1\npublished: false\nprovider:\n  name: Gizmodo\n---\n"
    )
    (tmp_path / "2023" / "b.md").write_text("---\ntitle: Beta\npublishedDateTime: 2023-01-02T00:00:00Z\n---\n")
    (tmp_path / "2023" / "c.md").write_text("---\ntitle: Gamma\nquality: 12\npublished: false\n---\n")
    return tmp_path


def test_list_json_has_the_documented_fields(tmp_path, capsys):
    assert main(["list", str(folder(tmp_path)), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in rows] == ["2023/a.md", "2023/b.md", "2023/c.md"]
    assert {"path", "title", "published", "quality", "provider", "date"} <= rows[0].keys()
    assert (rows[0]["published"], rows[0]["quality"], rows[0]["provider"]) == (False, 67, "Gizmodo")
    assert (rows[1]["published"], rows[1]["quality"], rows[1]["date"]) == (None, None, "2023-01-02T00:00:00Z")


def test_list_query_filters_and_bad_query_points_at_the_error(tmp_path, capsys):
    root = str(folder(tmp_path))
    assert main(["list", root, "--query", "published:false quality:>20"]) == 0
    out = capsys.readouterr().out
    assert "Alpha" in out
    assert "Gamma" not in out
    assert "Beta" not in out
    (Path(root) / "bad.md").write_text("---\ntitle: [\n---\n")
    assert main(["list", root]) == 1  # everything readable is listed; the exit status says one file was not
    captured = capsys.readouterr()
    assert "1 file could not be read" in captured.err
    assert "Alpha" in captured.out
    assert main(["list", root, "--query", "(quality:>20"]) == 2
    err = capsys.readouterr().err
    assert "never closed" in err
    assert "^" in err


def test_check_reports_problems_as_path_line_kind_message(tmp_path, capsys):
    root = folder(tmp_path)
    (root / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (root / "readme.txt").write_text("no front matter")
    (root / "logo.png").write_bytes(b"\x89PNG")
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "3 articles, 2 skipped files, 1 problems"
    assert out[1].startswith("broken.md:")
    assert ": invalid-yaml: " in out[1]
    (root / "broken.md").unlink()
    assert main(["check", str(root)]) == 0


def test_set_files_changes_only_those_lines(tmp_path, capsys):
    root = folder(tmp_path)
    before = (root / "2023" / "a.md").read_bytes()
    assert main(["set", "--published", "true", "--quality", "70", str(root / "2023" / "a.md")]) == 0
    removed, added = changed_lines(before, (root / "2023" / "a.md").read_bytes())
    assert sorted(map(key_of, removed)) == sorted(map(key_of, added)) == ["published", "quality"]
    assert "published false -> true" in capsys.readouterr().out


def test_set_where_edits_matching_articles_only(tmp_path, capsys):
    root = folder(tmp_path)
    b_before = (root / "2023" / "b.md").read_bytes()
    assert main(["set", "--published", "true", "--where", "published:false", str(root)]) == 0
    assert "published: true" in (root / "2023" / "a.md").read_text()
    assert "published: true" in (root / "2023" / "c.md").read_text()
    assert (root / "2023" / "b.md").read_bytes() == b_before


def test_set_where_asks_who_decides_once_a_folder_not_once_a_file(tmp_path, capsys, monkeypatch):
    """Each ask runs `git config`, a process: once a file made set 4.8x slower than its baseline."""
    import reviewer.cli

    asked = []
    import reviewer.core.review

    real = reviewer.core.review.editor_name

    def asking(root, pref=""):
        asked.append(root)
        return real(root, pref)

    monkeypatch.setattr(reviewer.core.review, "editor_name", asking)
    monkeypatch.setattr(reviewer.cli, "_REVIEWS", {})
    root = folder(tmp_path)
    for n in range(20):
        (root / "2023" / f"more-{n}.md").write_text(f"---\ntitle: More {n}\npublished: false\n---\n")
    assert main(["set", "--published", "true", "--where", "published:false", str(root), "--editor", "ana"]) == 0
    assert len(asked) == 1
    log = (root / ".reviewer" / "decisions.jsonl").read_text().splitlines()
    assert len(log) == 22
    assert all(json.loads(line)["editor"] == "ana" for line in log)


def test_set_logs_what_it_wrote_even_when_a_later_batch_fails(tmp_path, capsys):
    """A query's batches are written as they come: a failure after the first still reports
    and logs the files already written, then goes on up."""
    import pytest

    from reviewer import cli
    from reviewer.core.library import read_article
    from reviewer.core.workers import Workers

    root = folder(tmp_path)
    first = [(read_article(str(root / "2023" / name), str(root)), str(root)) for name in ("a.md", "c.md")]

    def batches():
        yield first
        raise RuntimeError("the disk went away")

    workers = Workers()
    with pytest.raises(RuntimeError):
        cli._apply(batches(), {"published": True}, "ana", workers)
    workers.close()
    assert "published: true" in (root / "2023" / "a.md").read_text()
    assert "published: true" in (root / "2023" / "c.md").read_text()
    log = [json.loads(line) for line in (root / ".reviewer" / "decisions.jsonl").read_text().splitlines()]
    assert sorted(entry["path"] for entry in log) == ["2023/a.md", "2023/c.md"]
    assert "2023/a.md: published false -> true" in capsys.readouterr().out


def test_set_refuses_bad_files_but_saves_the_others(tmp_path, capsys):
    root = folder(tmp_path)
    (root / "broken.md").write_text("---\ntitle: [x\n---\n")
    readonly = root / "2023" / "c.md"
    readonly.chmod(0o444)
    code = main(
        [
            "set",
            "--quality",
            "5",
            str(root / "broken.md"),
            str(readonly),
            str(root / "2023" / "a.md"),
            str(root / "missing.md"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "invalid-yaml" in err
    assert "read-only" in err
    assert "no such file" in err
    assert "quality: 5\n" in (root / "2023" / "a.md").read_text()
    assert "quality: 12\n" in readonly.read_text()


def test_version_and_help_run_as_a_program():
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-m", "reviewer", "--version"], capture_output=True, text=True, env=env)
    assert out.returncode == 0
    assert out.stdout.startswith("reviewer ")
    out = subprocess.run([sys.executable, "-m", "reviewer", "set", "--help"], capture_output=True, text=True, env=env)
    assert "--where" in out.stdout


def test_importing_the_core_does_not_import_qt():
    code = (
        "import sys, reviewer.core.library, reviewer.core.storage, reviewer.core.query, reviewer.cli; "
        "print([m for m in sys.modules if m.startswith('PySide6')])"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_set_follows_the_windows_preferences_for_the_log(tmp_path, capsys, monkeypatch):
    """Keep the folder clean and the editor's name, as Edit > Preferences saved them."""
    from PySide6.QtCore import QSettings

    import reviewer.cli
    from reviewer.app.settings import Settings

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(reviewer.cli, "_REVIEWS", {})
    conf = tmp_path / "config" / "Reviewer" / "Reviewer.conf"
    settings = Settings(QSettings(str(conf), QSettings.IniFormat))
    settings.keep_folder_clean = True
    settings.editor_name = "Ana Editor"
    settings.q.sync()
    (tmp_path / "site").mkdir()
    root = folder(tmp_path / "site")
    assert main(["set", "--published", "true", "--where", "published:false", str(root)]) == 0
    assert not (root / ".reviewer").exists()  # the folder stays clean
    assert main(["log", str(root), "--json"]) == 0
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(logged) == 2
    assert {d["editor"] for d in logged} == {"Ana Editor"}
