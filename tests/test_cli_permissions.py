"""`reviewer set` as a normal user: a file it could only replace, not write, is refused as read-only.

The suite usually runs as root, where these rules do not apply; the commands then run as
user 65534 (nobody) in a subprocess. As any other user the tests are skipped.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
TEXT = "---\ntitle: A\nquality: 40\npublished: false\n---\n"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="runs `reviewer set` as an unprivileged user, which needs the suite to run as root",
)


@pytest.fixture
def folder():
    """A folder owned by nobody, under a path nobody can reach (pytest's tmp_path is private to root)."""
    base = tempfile.mkdtemp(prefix="reviewer-perm-")
    os.chmod(base, 0o755)
    site = Path(base) / "site"
    site.mkdir()
    os.chown(site, NOBODY, NOBODY)
    yield site
    shutil.rmtree(base)


def write(folder: Path, name: str, uid: int, gid: int, mode: int) -> Path:
    path = folder / name
    path.write_text(TEXT)
    os.chown(path, uid, gid)
    os.chmod(path, mode)
    return path


# Imports first, as root (the interpreter lives under /root, which nobody may read), then the drop.
CHILD = """
import os, sys
# What the command imports on first use (argparse's formatter and gettext, the writers' pool, syncfs),
# imported while the interpreter's own files can still be read.
import concurrent.futures.thread, configparser, ctypes, getpass, locale, pathlib, platformdirs, shutil, subprocess
from reviewer.cli import main
os.setgroups([])
os.setgid({uid})
os.setuid({uid})
sys.exit(main(sys.argv[1:]))
"""


def run_as_nobody(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    code = CHILD.format(uid=NOBODY)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


def test_a_root_owned_file_in_a_folder_the_user_owns_is_refused(folder):
    path = write(folder, "root-owned.md", 0, 0, 0o644)
    result = run_as_nobody("set", "--quality", "5", str(path))
    assert result.returncode == 1, result.stderr
    assert "read-only: the file belongs to another user (uid 0)" in result.stderr
    assert path.read_text() == TEXT
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (0, 0)


def test_a_group_writable_file_of_another_owner_keeps_its_owner_and_group(folder):
    path = write(folder, "shared.md", 0, NOBODY, 0o664)
    result = run_as_nobody("set", "--published", "true", "--where", "", str(folder))
    assert result.returncode == 1
    assert "shared.md: read-only" in result.stderr
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, path.read_text()) == (0, NOBODY, TEXT)


def test_the_users_own_file_is_saved_and_stays_theirs(folder):
    path = write(folder, "mine.md", NOBODY, NOBODY, 0o640)
    result = run_as_nobody("set", "--quality", "5", str(path))
    assert result.returncode == 0, result.stderr
    assert "quality: 5\n" in path.read_text()
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (NOBODY, NOBODY, 0o640)
