"""Installed like a desktop application: the launcher entry and icon, the versions a bug report
carries, and the built wheel installed into a fresh environment and run."""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from reviewer import desktop
from reviewer.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_install_desktop_writes_a_valid_entry_whose_exec_runs_and_the_icon(data_home, capsys, tmp_path):
    assert main(["install-desktop"]) == 0
    entry = data_home / "applications" / "reviewer.desktop"
    icon = data_home / "icons" / "hicolor" / "scalable" / "apps" / "reviewer.svg"
    assert icon.read_bytes() == (ROOT / "reviewer" / "resources" / "reviewer.svg").read_bytes()
    text = entry.read_text()
    assert "Icon=reviewer\n" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" %f")  # a folder from a file manager's Open With
    program = exec_line[len("Exec=") : -len(" %f")]
    argv = [a.strip('"') for a in program.split(" ")]
    assert os.path.isabs(argv[0])
    done = subprocess.run([*argv, "list", str(ROOT / "examples" / "newsroom")], capture_output=True, text=True)
    assert "_news/" in done.stdout  # what Exec names runs: this Reviewer
    assert str(entry) in capsys.readouterr().out
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    checked = subprocess.run([validate, str(entry)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""  # not even a hint


def test_uninstall_desktop_takes_both_away(data_home, capsys):
    assert main(["install-desktop"]) == 0
    assert main(["install-desktop", "--uninstall"]) == 0
    assert not (data_home / "applications" / "reviewer.desktop").exists()
    assert not (data_home / "icons" / "hicolor" / "scalable" / "apps" / "reviewer.svg").exists()
    assert main(["install-desktop", "--uninstall"]) == 0  # again: nothing to do, no error
    assert "nothing to remove" in capsys.readouterr().out


def test_a_path_with_spaces_and_percent_is_quoted_as_the_specification_asks():
    text = desktop.entry_text(["/opt/my apps/100%/reviewer"])
    assert 'Exec="/opt/my apps/100%%/reviewer" %f\n' in text


def test_version_names_what_a_bug_report_needs(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    out = capsys.readouterr().out
    for name in ("reviewer 0.", "Python 3.", "PySide6 6.", "Qt 6.", "PyYAML ", "C loader", "Pillow ", "git "):
        assert name in out, name


@pytest.mark.dist
def test_the_built_wheel_installs_into_a_fresh_environment_and_runs(tmp_path):
    """make dist's wheel, installed as an editor would (its dependencies from the package
    index): --version, list on the sample, and the window offscreen on it."""
    if os.environ.get("REVIEWER_OFFLINE"):
        pytest.skip("REVIEWER_OFFLINE is set: installing the wheel needs the package index")
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("reviewer-*.whl"))
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    if installed.returncode != 0 and "Could not find a version" in installed.stderr + installed.stdout:
        pytest.skip("the package index cannot be reached: " + installed.stderr.strip().splitlines()[-1])
    assert installed.returncode == 0, installed.stderr
    reviewer = env / "bin" / "reviewer"
    version = subprocess.run([str(reviewer), "--version"], capture_output=True, text=True)
    assert version.returncode == 0, version.stderr
    assert "with its C loader" in version.stdout
    sample = ROOT / "examples" / "newsroom"
    listed = subprocess.run([str(reviewer), "list", str(sample), "--no-index"], capture_output=True, text=True)
    assert listed.stdout.count("_news/") >= 50
    shown = subprocess.run(
        [str(python), "-c", WINDOW, str(sample)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
             "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
             "XDG_CACHE_HOME": str(tmp_path / "cache")}, cwd=tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "58 articles shown"


WINDOW = """
import sys
from PySide6.QtCore import QTimer
from reviewer.ui.application import make_application
from reviewer.app.settings import Settings
from reviewer.ui.main_window import MainWindow
import reviewer
assert "site-packages" in reviewer.__file__, reviewer.__file__  # the installed one, not the clone
app = make_application()
window = MainWindow(Settings(), watch=False)
window.show()
window.session.loading_finished.connect(lambda: (print(f"{len(window.session.articles)} articles shown"), app.quit()))
window.open_folder(sys.argv[1])
QTimer.singleShot(60000, app.quit)
app.exec()
"""
