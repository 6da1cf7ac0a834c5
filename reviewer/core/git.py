"""Team review through git: status, commit, sync, and the merge driver's registration.

The system `git` runs every command (as GitHub Desktop, lazygit and git-cola do): it runs
merge drivers, credential helpers and ssh as the user has them set up. Each command runs
with optional locks off (a status never blocks the editor's own git), no terminal prompt
(a password is asked by GIT_ASKPASS, a dialog in the window) and C messages, which
`GitError` turns into a kind and a sentence a user understands.

Sync is commit, fetch, rebase onto the upstream, push; a push refused because someone
pushed meanwhile fetches and rebases again, up to three times. A rebase that stops on a
conflict is aborted at once (the repository is never left mid-rebase) and the conflicts are
returned key by key, for the editor to choose; the next sync is given the choices, which
the merge driver applies. Nothing here imports Qt: the window runs these off its thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .frontmatter_text import FrontMatterError, read
from .merge import BODY, COMMENTS, RESOLUTIONS_ENV, WHOLE_FILE, KeyConflict, Unmergeable, keys_from, merge_texts
from .replay import CannotReplay, forecast, replay
from .replay import objects as replay_objects
from .review import verb_of
from .review_log import LOG_FOLDER, LOG_NAME, Decision, LogFile, decision_for, latest, now
from .stats import APPROVING, REJECTING
from .walking import ARTICLE_EXTENSIONS

DRIVER = "reviewer-frontmatter"
DRIVER_NAME = "Reviewer: front matter key by key"
ATTEMPTS = 3  # pushes refused because someone pushed meanwhile, before giving up
WORDS = {
    "approve": "approved",
    "reject": "rejected",
    "quality": "quality changes",
    "publish": "published",
    "unpublish": "unpublished",
}


class GitError(Exception):
    """A git command that failed: `kind` is one of KINDS, the message says it in words."""

    KINDS = (
        "missing-git", "not-a-repo", "not-fast-forward", "locked", "auth", "no-upstream", "network", "unfinished",
        "uncommitted", "other",
    )  # fmt: skip

    def __init__(self, kind: str, message: str, detail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail  # git's own words


_ERRORS: list[tuple[str, re.Pattern[str], str]] = [
    (
        "locked",
        re.compile(r"Unable to create '([^']*\.lock)'|index\.lock': File exists"),
        "another git program is working in this repository (a lock file is present); "
        "try again when it has finished, or remove {0} if none is running",
    ),
    (
        "auth",
        re.compile(
            r"Authentication failed|could not read (Username|Password)|terminal prompts disabled|"
            r"Permission denied \(|Host key verification failed|invalid credentials|HTTP Basic: Access denied",
            re.IGNORECASE,
        ),
        "the remote did not accept your credentials; check your password, token or SSH key",
    ),
    (
        "not-fast-forward",
        re.compile(r"non-fast-forward|\[rejected\]|fetch first|Updates were rejected"),
        "someone pushed in the meantime; sync again",
    ),
    (
        "no-upstream",
        re.compile(r"no upstream|There is no tracking information|does not point to a branch|no such branch"),
        "this branch has no upstream to sync with; set one with git push -u",
    ),
    (
        "network",
        re.compile(
            r"Could not resolve host|unable to access|Network is unreachable|Connection refused|"
            r"Connection timed out|Could not read from remote repository|does not appear to be a git repository|"
            r"Operation timed out|No route to host",
            re.IGNORECASE,
        ),
        "the remote cannot be reached; check the network and the remote's address",
    ),
    ("not-a-repo", re.compile(r"not a git repository", re.IGNORECASE), "the folder is not in a git repository"),
]


_IN_THE_WAY = re.compile(r"untracked working tree files would be (?:overwritten|removed)[^\n]*\n((?:\t[^\n]*\n?)+)")
_ONE_IN_THE_WAY = re.compile(r"Untracked working tree file '([^'\n]*)' would be (?:overwritten|removed)")


def classify(stderr: str, command: str = "git") -> GitError:
    """The typed error for what git printed on stderr."""
    # the remote's own words (a server hook's reason), verbatim: never dropped
    said = [line[len("remote:") :].strip() for line in stderr.splitlines() if line.startswith("remote:")]
    heard = "; the remote said: " + " / ".join(line for line in said if line)[:1000] if any(said) else ""
    refused = re.search(r"\[remote rejected\][^(\n]*\(([^)\n]*)\)", stderr)
    if refused:
        return GitError("other", f"{command} was refused by the remote ({refused.group(1)}){heard}", stderr)
    blocking = _IN_THE_WAY.search(stderr)
    each = _ONE_IN_THE_WAY.findall(stderr)  # reset and read-tree name them one a line
    if blocking or each:
        found = blocking.group(1).splitlines() if blocking else each
        files = ", ".join(line.strip() for line in found if line.strip())
        return GitError(
            "other",
            f"files of yours that git does not track are in the way of incoming ones: {files}; "
            "move or rename them, then sync again",
            stderr,
        )
    for kind, pattern, message in _ERRORS:
        m = pattern.search(stderr)
        if m:
            found = message.format(m.group(1) if m.groups() and m.group(1) else "the lock file")
            return GitError(kind, found + heard, stderr)
    last = [line for line in stderr.strip().splitlines() if line.strip()]
    return GitError("other", f"{command} failed: {last[-1] if last else 'no message'}{heard}", stderr)


# A repository's own configuration (.git/config and the files it includes) can name programs
# that git runs by itself: a folder handed over with its .git (a zip, a shared drive) carries
# them. What Reviewer runs on its own (status, the background fetch, the forecast of a sync,
# reading the log) overrides each of them from the command line; commit and sync, which the
# editor asks for, run the repository as it is set up (its hooks, filters and merge drivers).
_ALWAYS = ("core.fsmonitor=false", f"core.hooksPath={os.devnull}", "protocol.ext.allow=never")
_RUNS_A_PROGRAM = re.compile(
    r"(core\.(fsmonitor|sshcommand|gitproxy|askpass)|filter\..+\.(clean|smudge|process)|merge\..+\.driver"
    r"|credential\.(.+\.)?helper)",  # remote.*.uploadpack: the first one set wins, so fetch() names it
    re.IGNORECASE,
)
_PLAIN_MERGE = "git merge-file -L ours -L base -L theirs %A %O %B"  # git's own text merge, for a foreign driver


def guard_settings(listing: str, own_driver: str) -> list[str]:
    r"""The `-c` settings that neutralise the programs a repository's own configuration names.

    `listing` is `git config --show-scope --list -z`; settings from the user's own files
    (global, system) are kept.

    >>> guard_settings("local\0core.fsmonitor\ntouch x\0global\0user.name\nAna\0", "rv")[-1]
    'core.fsmonitor=false'
    >>> guard_settings("local\0filter.lfs.clean\nevil\0local\0merge.reviewer-frontmatter.driver\nevil\0", "rv")[3:]
    ['filter.lfs.clean=', 'merge.reviewer-frontmatter.driver=rv']
    """
    kept: dict[str, list[str]] = {}
    local: list[str] = []
    items = listing.split("\0")
    for scope, pair in zip(items[::2], items[1::2], strict=False):
        key, _, value = pair.partition("\n")
        if not _RUNS_A_PROGRAM.fullmatch(key):
            continue
        if scope in ("global", "system"):
            kept.setdefault(key.lower(), []).append(value)
        elif key.lower() not in local:
            local.append(key.lower())
    settings = list(_ALWAYS)
    for key in local:
        settings += _override(key, kept.get(key, []), own_driver)
    return settings


def _override(key: str, kept: list[str], own_driver: str) -> list[str]:
    if key == "core.fsmonitor":
        return ["core.fsmonitor=false"]
    if key.startswith("merge."):
        return [f"{key}={own_driver if key == f'merge.{DRIVER}.driver' else _PLAIN_MERGE}"]
    if key == "core.gitproxy":
        return ["core.gitProxy=none"]
    if key == "core.sshcommand":
        return [f"core.sshCommand={kept[-1] if kept else 'ssh'}"]
    return [f"{key}="] + [f"{key}={value}" for value in kept]  # filters, askpass; helpers: the list reset


@dataclass
class Git:
    """git in one content folder (the repository's top, or a folder inside it).

    `guarded` (the default): the programs the repository's own configuration names are not
    run (guard_settings); `trusting()` is for the commands the editor asks for.
    """

    root: str
    askpass: str = ""  # a program that asks for a password and prints it (GIT_ASKPASS, SSH_ASKPASS)
    guarded: bool = True
    _guard: list[str] | None = field(default=None, repr=False, compare=False)
    # While a sync runs: its marker (REBASING), where each git it starts is noted (_note_child).
    children: str = field(default="", repr=False, compare=False)

    def trusting(self) -> Git:
        """The same repository, run as it is set up: for commit and sync, which the editor asks for."""
        return Git(self.root, self.askpass, guarded=False)

    def guard(self) -> list[str]:
        """`-c` arguments (worked out once: the configuration is read by a `git config`, which runs nothing)."""
        if self._guard is None:
            listing = self._git("config", ["config", "--show-scope", "--list", "-z"], None, 60).stdout
            settings = guard_settings(listing, driver_command())
            self._guard = [arg for setting in settings for arg in ("-c", setting)]
        return self._guard

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C", LANGUAGE="C")
        if self.askpass:
            env.update(GIT_ASKPASS=self.askpass, SSH_ASKPASS=self.askpass, SSH_ASKPASS_REQUIRE="prefer")
        env.update(extra or {})
        return env

    def run(
        self, *args: str, check: bool = True, extra_env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """`git ARGS` in the folder; a failure raises GitError unless `check` is False."""
        done = self._git(args[0], [*(self.guard() if self.guarded else []), *args], extra_env, timeout)
        if check and done.returncode != 0:
            raise classify(done.stderr, f"git {args[0]}")
        return done

    def _git(
        self, command: str, args: list[str], extra_env: dict[str, str] | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        try:
            with subprocess.Popen(
                ["git", *args], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                encoding="utf-8", errors="replace", env=self.env(extra_env), stdin=subprocess.DEVNULL,
            ) as process:  # fmt: skip
                self._note_child(process.pid)
                try:
                    out, err = process.communicate(timeout=timeout)
                except subprocess.TimeoutExpired as exc:
                    process.kill()
                    process.communicate()
                    raise GitError("network", f"git {command} took more than {timeout:.0f} s and was stopped") from exc
        except FileNotFoundError as exc:
            raise GitError("missing-git", "git is not installed (sudo apt-get install git)") from exc
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    def _note_child(self, pid: int) -> None:
        """A git started while a sync runs, noted in its marker: a sync killed with kill -9
        leaves its git running, which the next sync waits for (_recover)."""
        if self.children:
            with contextlib.suppress(OSError), open(self.children, "a", encoding="utf-8") as mark:
                mark.write(f"\nchild {pid}")

    def out(self, *args: str) -> str:
        return self.run(*args).stdout

    def pipe(self, *args: str, data: bytes, extra_env: dict[str, str] | None = None) -> bytes:
        """`git ARGS` reading `data` on its input; its output as bytes (blobs are not text)."""
        command = [*(self.guard() if self.guarded else []), *args]
        try:
            done = subprocess.run(
                ["git", *command], cwd=self.root, input=data, capture_output=True, env=self.env(extra_env),
                timeout=600, check=False,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise GitError("missing-git", "git is not installed (sudo apt-get install git)") from exc
        if done.returncode != 0:
            raise classify(done.stderr.decode("utf-8", "replace"), f"git {args[0]}")
        return done.stdout

    # --- what the repository is -----------------------------------------------------------

    def is_repository(self) -> bool:
        try:
            return self.run("rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"
        except GitError:
            return False

    def prefix(self) -> str:
        """The content folder's path inside the repository, with a final '/' ('' at the top)."""
        return self.out("rev-parse", "--show-prefix").strip()

    def git_path(self, name: str) -> str:
        path = self.out("rev-parse", "--git-path", name).strip()
        return path if os.path.isabs(path) else os.path.join(self.root, path)

    def upstream(self) -> str:
        """The branch's upstream (origin/main), or '' when it has none."""
        done = self.run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    def head(self) -> str:
        done = self.run("rev-parse", "--verify", "-q", "HEAD", check=False)
        return done.stdout.strip()


# --- status ----------------------------------------------------------------------------------


UNCOMMITTED, UNPUSHED = "uncommitted", "unpushed"


@dataclass
class Status:
    """Where the folder stands: branch, upstream, ahead/behind, and each article path's state."""

    branch: str = ""
    upstream: str = ""
    ahead: int = 0
    behind: int = 0
    files: dict[str, str] = field(default_factory=dict)  # path in the folder -> UNCOMMITTED or UNPUSHED

    def summary(self) -> str:
        """`main ↑2 ↓1` as the status bar shows it."""
        parts = [self.branch or "(no branch)"]
        if self.upstream:
            parts.append(f"↑{self.ahead} ↓{self.behind}")
        else:
            parts.append("(no upstream)")
        return " ".join(parts)


def status(git: Git) -> Status:
    """`git status --porcelain=v2 -z --branch` of the folder, and what is committed, not pushed."""
    found = Status()
    prefix = git.prefix()
    out = git.out("status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all", "--", ".")
    fields = iter(out.split("\0"))
    for entry in fields:
        if entry.startswith("# branch.head "):
            found.branch = entry[14:]
        elif entry.startswith("# branch.upstream "):
            found.upstream = entry[18:]
        elif entry.startswith("# branch.ab "):
            ahead, behind = entry[12:].split()
            found.ahead, found.behind = int(ahead), -int(behind)
        elif entry[:2] in ("1 ", "u "):
            _note(found.files, entry.split(" ", 8 if entry[0] == "1" else 10)[-1], prefix, UNCOMMITTED)
        elif entry.startswith("2 "):
            _note(found.files, entry.split(" ", 9)[-1], prefix, UNCOMMITTED)
            next(fields, None)  # the path it was renamed from
        elif entry.startswith("? "):
            _note(found.files, entry[2:], prefix, UNCOMMITTED)
    if found.upstream and found.ahead:
        pushed = git.out("diff", "--name-only", "-z", "@{u}", "HEAD", "--", ".")
        for path in pushed.split("\0"):
            if path and path[len(prefix) :] not in found.files:
                _note(found.files, path, prefix, UNPUSHED)
    return found


def _note(files: dict[str, str], path: str, prefix: str, state: str) -> None:
    if path.startswith(prefix):
        files[path[len(prefix) :]] = state


# --- the merge driver ------------------------------------------------------------------------


def driver_command() -> str:
    """How git runs the merge driver: this Python, this package."""
    return f"{shlex.quote(sys.executable)} -m reviewer merge-driver %O %A %B %P"


def register_driver(git: Git) -> bool:
    """Register the front-matter merge driver in the repository's own local files (.git/config,
    .git/info/attributes); nothing tracked changes. True when something was added."""
    changed = False
    command = driver_command()
    if git.run("config", "--local", "--get", f"merge.{DRIVER}.driver", check=False).stdout.strip() != command:
        git.run("config", "--local", f"merge.{DRIVER}.name", DRIVER_NAME)
        git.run("config", "--local", f"merge.{DRIVER}.driver", command)
        changed = True
    return bool(_add_lines(git.git_path("info/attributes"), _ATTRIBUTES)) or changed


_ATTRIBUTES = [f"*{ext} merge={DRIVER}" for ext in ARTICLE_EXTENSIONS]  # the driver's, for articles


def _add_lines(path: str, lines: list[str]) -> list[str]:
    """The lines the file (made when absent) does not have yet, added at its end; those added."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            present = fh.read()
    except FileNotFoundError:
        present = ""
    missing = [line for line in lines if line not in present.splitlines()]
    if missing:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="utf-8", newline="") as fh:
            fh.write(("" if not present or present.endswith("\n") else "\n") + "\n".join(missing) + "\n")
    return missing


def setup_team(git: Git, tracked: bool = False) -> tuple[list[str], list[str]]:
    """Prepare a clone for the team once: the driver registered in its .git/config (this
    Python's absolute path: it runs from any shell on this machine) and, with `tracked`, the
    attribute lines added to the repository's tracked .gitattributes (not committed), so
    that every clone, a bot's too, merges articles with the driver. Returns what changed and
    the two commands a bot's clone needs (git config ...)."""
    done = []
    if register_driver(git):
        done.append("registered the front-matter merge driver in .git/config")
    if tracked:
        top = git.out("rev-parse", "--show-toplevel").strip() or git.root
        added = _add_lines(os.path.join(top, ".gitattributes"), _ATTRIBUTES)
        if added:
            done.append(f"added {len(added)} lines to .gitattributes: commit it to share them with every clone")
    command = driver_command()
    bot = [
        f"git config merge.{DRIVER}.name {shlex.quote(DRIVER_NAME)}",
        f"git config merge.{DRIVER}.driver {shlex.quote(command)}",
    ]
    return done, bot


# --- commit ----------------------------------------------------------------------------------


@dataclass
class Commit:
    sha: str
    message: str
    decisions: int
    files: int
    left: list[str] = field(default_factory=list)  # articles committed in part: their other changes left


def new_decisions(git: Git) -> list[Decision]:
    """The review log's lines that HEAD does not have yet (the log only grows: a union merge
    keeps both sides' lines, so a line is new when HEAD's log lacks it)."""
    path = os.path.join(git.root, LOG_FOLDER, LOG_NAME)
    if not os.path.exists(path):
        return []
    shown = git.run("show", f"HEAD:./{LOG_FOLDER}/{LOG_NAME}", check=False)
    committed = Counter(shown.stdout.splitlines()) if shown.returncode == 0 else Counter()
    decisions, _ = LogFile.inside(git.root).read()
    new = []
    for decision in decisions:
        line = decision.line().rstrip("\n")
        if committed[line] > 0:
            committed[line] -= 1
        else:
            new.append(decision)
    return new


def commit_message(decisions: Iterable[Decision], files: int) -> str:
    """`Review: 12 approved, 3 rejected, 4 quality changes`, and a trailer per decision."""
    decisions = list(decisions)
    counts = Counter(d.decision for d in decisions)
    words = ", ".join(
        f"{counts[d]} {WORDS[d].removesuffix('s') if counts[d] == 1 else WORDS[d]}" for d in WORDS if counts[d]
    )
    title = f"Review: {words}" if words else f"Review: {files} article{'s' if files != 1 else ''}"
    trailers = "\n".join(f"Decision: {d.decision} {d.path}" for d in decisions)
    return f"{title}\n\n{trailers}\n" if trailers else title + "\n"


def identity(git: Git, editor: str) -> dict[str, str]:
    """Author and committer for a review commit: the editor, with the repository's email (or
    login@host when it has none); the committer is filled in only where git has none."""
    configured_name = git.run("config", "user.name", check=False).stdout.strip()
    configured_email = git.run("config", "user.email", check=False).stdout.strip()
    email = configured_email or f"{os.environ.get('USER', 'editor')}@{socket.gethostname() or 'localhost'}"
    name = editor or configured_name or "Reviewer"
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    if not configured_name:
        env.update(GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    elif not configured_email:
        env.update(GIT_COMMITTER_EMAIL=email)
    return env


def commit(git: Git, editor: str = "", whole_files: bool = False) -> Commit | None:
    """Commit the saved article files the review log names and the log itself; None when there
    is nothing to commit. Of an article with other changes as well (a hand edit in its body),
    only the decided keys' lines are committed, the rest left as it is, uncommitted (unless
    `whole_files`). Other files, and what the editor staged, are left as they are."""
    with tempfile.TemporaryDirectory(prefix="reviewer-commit-") as tmp:
        staged = _stage_review(git, os.path.join(tmp, "index"), whole_files)
        if staged is None:
            return None
        decisions, paths, targets, left, partial_of = staged
        message = commit_message(decisions, len(paths))
        with open(os.path.join(tmp, "message"), "w", encoding="utf-8") as fh:
            fh.write(message)
        index = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        head_tree = git.run("rev-parse", "--verify", "-q", "HEAD^{tree}", check=False).stdout.strip()
        same = git.run("write-tree", extra_env=index).stdout.strip() == head_tree
        if not same:  # (the same: committed by a sync killed before it updated the index)
            git.run("commit", "--quiet", "--no-verify", "-F", fh.name, extra_env={**index, **identity(git, editor)})
        # the index follows the new HEAD for these files (hand edits stay changes of the file)
        _stage(git, [p for p in targets if p not in left], {p: partial_of[p] for p in left}, None)
    return None if same else Commit(git.head(), message, len(decisions), len(paths), left)


def _stage_review(
    git: Git, index_file: str, whole_files: bool
) -> tuple[list[Decision], list[str], list[str], list[str], dict[str, tuple[str, str]]] | None:
    """An index (at `index_file`) of HEAD with what a review commit holds: the decided articles
    (their decided keys' lines only, unless `whole_files`) and the log. The decisions, the
    articles, every file staged, the articles staged in part and what of them; None when none."""
    decisions = new_decisions(git)
    changed = status(git).files
    paths = sorted({d.path for d in decisions if changed.get(d.path) == UNCOMMITTED})
    log_paths = [
        p for p in (f"{LOG_FOLDER}/{LOG_NAME}", f"{LOG_FOLDER}/.gitattributes") if changed.get(p) == UNCOMMITTED
    ]
    if not paths and not log_paths:
        return None
    keys: dict[str, set[str]] = {}
    for d in decisions:
        keys.setdefault(d.path, set()).update(d.changes)
    partial = {} if whole_files else _decided_only(git, {p: keys.get(p, set()) for p in paths})
    targets = [*paths, *log_paths]
    index = {"GIT_INDEX_FILE": index_file}  # HEAD and these files: nothing else staged
    git.run("read-tree", *(["HEAD"] if git.head() else ["--empty"]), extra_env=index)
    _stage(git, [p for p in targets if p not in partial], partial, index)
    return decisions, paths, targets, sorted(partial), partial


def _stage(git: Git, whole: list[str], partial: dict[str, tuple[str, str]], env: dict[str, str] | None) -> None:
    """Files staged in an index: `whole` as they are on disk (as git add does, without matching
    thousands of pathspecs), `partial` path -> (mode, text)."""
    if whole:
        git.pipe("update-index", "-z", "--add", "--remove", "--stdin", data="\0".join(whole).encode() + b"\0",
                 extra_env=env)  # fmt: skip
    for path, (mode, text) in partial.items():
        blob = git.pipe("hash-object", "-w", f"--path={path}", "--stdin", data=text.encode("utf-8"))
        git.run("update-index", "--cacheinfo", f"{mode},{blob.decode().strip()},{path}", extra_env=env)


def _decided_only(git: Git, keys: dict[str, set[str]]) -> dict[str, tuple[str, str]]:
    """The articles whose changes are not only their decided keys: path -> (mode, HEAD's text
    with just the decided keys' lines from the file). A file that cannot be read so is whole."""
    prefix = git.prefix()
    folders = sorted({os.path.dirname(prefix + p) for p in keys})
    # one listing of the folders: naming thousands of files to ls-tree or cat-file (HEAD:path)
    # scans a big tree once per name
    listed = git.out("ls-tree", "-z", "--full-tree", "HEAD", "--", *(f"{f}/" if f else "." for f in folders))
    found = {}
    for entry in listed.split("\0"):
        if entry:
            info, path = entry.split("\t", 1)
            mode, kind, blob = info.split()
            if kind == "blob" and path[len(prefix) :] in keys:
                found[path[len(prefix) :]] = (mode, blob)
    texts = replay_objects(git, [blob for _, blob in found.values()])
    partial = {}
    for path, (mode, blob) in found.items():
        try:
            with open(os.path.join(git.root, path), encoding="utf-8", newline="") as fh:
                mine = fh.read()
            head = texts[blob].decode("utf-8")
            if _only_lines_of(head, mine, keys[path]):
                continue
            only = keys_from(head, mine, keys[path])
        except (OSError, UnicodeDecodeError, Unmergeable, KeyError):
            continue
        if only is not None and only != mine:
            partial[path] = (mode, only)
    return partial


def _only_lines_of(head: str, mine: str, keys: set[str]) -> bool:
    """Whether the texts differ only in lines that start with one of `keys` (a value on one line):
    then the file holds nothing but its decisions, and needs no closer look."""
    a, b = head.splitlines(keepends=True), mine.splitlines(keepends=True)
    if len(a) != len(b):
        return False
    fences = [i for i, line in enumerate(a) if line.rstrip("\r\n") == "---"][:2]
    end = fences[1] if len(fences) == 2 and fences[0] == 0 else 0  # the closing fence's line
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and not (i < end and x.split(":", 1)[0] in keys and y.split(":", 1)[0] == x.split(":", 1)[0]):
            return False
    return True


# --- sync ------------------------------------------------------------------------------------


@dataclass
class Synced:
    committed: Commit | None
    incoming: int  # commits taken from the upstream
    pushed: int  # commits sent
    changed: list[str]  # folder paths the sync changed on disk: the window reads them again
    attempts: int = 1
    disagreements: list[Disagreement] = field(default_factory=list)  # decisions that differ: the editor chooses


class SyncConflict(Exception):
    """Both sides set one key of one article to different values: the rebase was aborted, the
    repository is as before the sync; `conflicts` holds each key's base, mine and upstream."""

    def __init__(self, conflicts: list[KeyConflict], committed: Commit | None = None):
        files = len({c.path for c in conflicts})
        super().__init__(
            f"{len(conflicts)} conflicting value{'s' if len(conflicts) != 1 else ''} in "
            f"{files} file{'s' if files != 1 else ''}: choose which to keep"
        )
        self.conflicts = conflicts
        self.committed = committed


@dataclass
class Incoming:
    commits: int
    conflicts: list[str]  # paths that would conflict
    disagreements: int = 0  # decisions that would disagree with another editor's

    def summary(self) -> str:
        text = f"{self.commits} incoming" if self.commits else "nothing incoming"
        text += f", {len(self.conflicts)} conflict{'s' if len(self.conflicts) != 1 else ''}"
        if self.disagreements:
            text += f", {self.disagreements} disagreeing decision{'s' if self.disagreements != 1 else ''}"
        return text


def fetch(git: Git) -> str:
    """Fetch the upstream; its name ('' when the branch has none)."""
    upstream = git.upstream()
    if upstream:
        _fetch(git, git.out("config", f"branch.{_branch(git)}.remote").strip() or "origin")
    return upstream


def _fetch(git: Git, remote: str) -> None:
    # A remote's uploadpack is the first one configured, not the last: named here instead.
    plain = ["--upload-pack=git-upload-pack"] if git.guarded else []
    git.run("fetch", "--quiet", *plain, remote)


def incoming(git: Git) -> Incoming:
    """After a fetch: how many upstream commits a sync would take, which files would conflict
    and how many decisions would disagree, counting the decisions saved and not committed yet
    (merged as sync merges them: only real disagreements count)."""
    if not git.upstream():
        return Incoming(0, [])
    count = int(git.out("rev-list", "--count", "HEAD..@{u}").strip() or 0)
    if not count:
        return Incoming(0, [])
    with tempfile.TemporaryDirectory(prefix="reviewer-forecast-") as tmp:
        mine = _would_commit(git, os.path.join(tmp, "index"))
    upstream = git.out("rev-parse", "--verify", "@{u}").strip()
    disagreeing = len(disagreements(git, mine, upstream))
    try:
        files = sorted({c.path for c in forecast(git, upstream, mine, DRIVER, git.prefix())})
    except CannotReplay:
        done = git.run("merge-tree", "--write-tree", "--name-only", "--no-messages", mine, upstream, check=False)
        if done.returncode not in (0, 1):
            raise classify(done.stderr, "git merge-tree") from None
        files = [line for line in done.stdout.splitlines()[1:] if line] if done.returncode == 1 else []
    return Incoming(count, files, disagreeing)


def _would_commit(git: Git, index_file: str) -> str:
    """A commit (on no branch) of HEAD and what a review commit would hold now; HEAD when none."""
    if _stage_review(git, index_file, whole_files=False) is None:
        return git.head()
    tree = git.run("write-tree", extra_env={"GIT_INDEX_FILE": index_file}).stdout.strip()
    made = git.pipe("commit-tree", tree, "-p", "HEAD", "-m", "forecast", data=b"", extra_env=identity(git, ""))
    return made.decode().strip()


def sync(
    git: Git,
    editor: str = "",
    chosen: dict[str, dict[str, str]] | None = None,
    step: Callable[[str], None] = lambda _: None,
    stash: bool = False,
    whole_files: bool = False,
) -> Synced:
    """Commit, fetch, put the editor's commits on top of the upstream's, push; again (up to
    ATTEMPTS) when the push is refused because someone pushed meanwhile. `chosen`: the editor's
    choices for conflicting keys (path -> key -> lines), from an earlier SyncConflict; `stash`:
    the editor agreed that uncommitted changes in the way are put aside and brought back;
    `whole_files`: decided articles are committed whole, hand edits too (commit)."""
    register_driver(git)
    _recover(git)
    _stash_left(git)
    marker = git.git_path(REBASING)  # what this sync does, for the next one if this is killed
    with open(marker, "w", encoding="utf-8") as mark:
        mark.write(str(os.getpid()))
    git.children = marker
    try:
        return _sync(git, editor, chosen or {}, step, stash, whole_files)
    finally:
        git.children = ""
        with contextlib.suppress(OSError):
            os.unlink(marker)


def _sync(
    git: Git, editor: str, chosen: dict[str, dict[str, str]], step: Callable[[str], None], stash: bool,
    whole_files: bool,
) -> Synced:  # fmt: skip
    branch = _branch(git)  # before committing: nothing is committed on a detached HEAD
    step("Committing")
    committed = commit(git, editor, whole_files)
    start = git.head()
    if not start:
        raise GitError("other", "the repository has no commit yet: commit the folder once, then sync")
    pushed = taken = 0
    found: list[Disagreement] = []
    for attempt in range(1, ATTEMPTS + 1):
        step("Fetching")
        upstream = fetch(git)
        if not upstream:
            remote = _only_remote(git)
            _not_followed(git, remote, branch)
            step("Pushing")
            git.run("push", "--quiet", "-u", remote, f"HEAD:refs/heads/{branch}")
            _mark_synced(git)
            return Synced(committed, 0, _count(git, start), [], attempt)
        taken = int(git.out("rev-list", "--count", "HEAD..@{u}").strip() or 0)
        if taken:
            step("Merging")
            seen = {d.key_of() for d in found}
            found.extend(d for d in disagreements(git, "HEAD", "@{u}") if d.key_of() not in seen)
            _take(git, chosen, committed, stash, editor)
        ahead = int(git.out("rev-list", "--count", "@{u}..HEAD").strip() or 0)
        if ahead:
            step("Pushing")
            remote = git.out("config", f"branch.{branch}.remote").strip() or "origin"
            merge = git.out("config", f"branch.{branch}.merge").strip() or f"refs/heads/{branch}"
            done = git.run("push", "--quiet", remote, f"HEAD:{merge}", check=False)
            if done.returncode != 0:
                error = classify(done.stderr, "git push")
                if error.kind == "not-fast-forward" and attempt < ATTEMPTS:
                    continue
                raise error
            pushed = ahead
        changed = _changed_since(git, start)
        _mark_synced(git)
        return Synced(committed, taken, pushed, changed, attempt, _as_now(git, found))
    raise GitError("not-fast-forward", f"others kept pushing; {ATTEMPTS} attempts were refused. Sync again")


# --- decisions that disagree ----------------------------------------------------------------


@dataclass
class Disagreement:
    """Two editors decided one article differently since they last synced (approve against
    reject, two qualities): the bytes may merge cleanly all the same (a reject of an article
    that is not published changes none), so the editor is told, and chooses."""

    path: str  # from the content folder
    key: str  # published or quality
    mine: Decision
    theirs: Decision
    now: Any = None  # the value the article holds after the sync

    def key_of(self) -> tuple[str, str, str, str]:
        return (self.path, self.key, self.mine.line(), self.theirs.line())

    def summary(self) -> str:
        return (
            f"{self.path}: {self.key}: you {_said(self.mine, self.key)}, {self.theirs.editor} "
            f"{_said(self.theirs, self.key)}; the article now has {self.key}: {_yaml_word(self.now)}"
        )


def outcome(decision: Decision) -> dict[str, Any]:
    """What a decision sets: published for an approve or a reject (even when no byte changed),
    the new value of each key it changed."""
    said = {k: v[1] for k, v in decision.changes.items() if isinstance(v, list) and len(v) == 2}
    if decision.decision in APPROVING:
        said["published"] = True
    elif decision.decision in REJECTING:
        said["published"] = False
    return {k: v for k, v in said.items() if k in ("published", "quality")}


def disagreements(git: Git, mine: str, theirs: str) -> list[Disagreement]:
    """The articles decided on both sides since the sides last met (the log lines each has
    that the other lacks), where the last decisions set a key to different values."""
    logs = [_log_lines(git, rev) for rev in (mine, theirs)]
    sides = []
    for i in (0, 1):
        new = [d for d in (_decision(line) for line in (logs[i] - logs[1 - i]).elements()) if d is not None]
        sides.append(latest(sorted(new, key=lambda d: d.time)))
    found = []
    for path in sorted(set(sides[0]) & set(sides[1])):
        a, b = sides[0][path], sides[1][path]
        said_a, said_b = outcome(a), outcome(b)
        for key in sorted(set(said_a) & set(said_b)):
            if said_a[key] != said_b[key]:
                found.append(Disagreement(path, key, a, b))
    return found


def _log_lines(git: Git, rev: str) -> Counter[str]:
    shown = git.run("show", f"{rev}:./{LOG_FOLDER}/{LOG_NAME}", check=False)
    return Counter(shown.stdout.splitlines(keepends=False)) if shown.returncode == 0 else Counter()


def _decision(line: str) -> Decision | None:
    try:
        return Decision.from_record(json.loads(line))
    except ValueError:
        return None


def _as_now(git: Git, found: list[Disagreement]) -> list[Disagreement]:
    for d in found:
        try:
            with open(os.path.join(git.root, d.path), encoding="utf-8", newline="") as fh:
                d.now = read(fh.read())[1].get(d.key)
        except (OSError, UnicodeDecodeError, FrontMatterError):
            d.now = None
    return found


def _said(decision: Decision, key: str) -> str:
    if key == "published":
        return {"approve": "approved", "reject": "rejected", "publish": "published"}.get(
            decision.decision, "unpublished"
        )
    return f"set it to {_yaml_word(outcome(decision).get(key))}"


def _yaml_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "(absent)" if value is None else str(value)


def record_choices(
    git: Git, conflicts: Iterable[KeyConflict], keep_mine: dict[tuple[str, str], bool], editor: str
) -> int:
    """The editor's choice in a conflict of a decided key (published, quality), logged as a
    decision of theirs, so that the log's last decision of the article says what it now holds.
    The number of decisions logged."""
    made = []
    for c in conflicts:
        if c.key not in ("published", "quality"):
            continue
        kept, other = (c.ours, c.theirs) if keep_mine.get((c.path, c.key), True) else (c.theirs, c.ours)
        try:
            value = _key_value(kept, c.key)
            was = _key_value(other, c.key)
        except FrontMatterError:
            continue
        changes = {c.key: [was, value]}
        made.append(Decision(now(), editor, c.path, "", decision_for(verb_of({c.key: value}), changes), changes))
    if made:
        LogFile.inside(git.root).append(made)
    return len(made)


def _key_value(lines: str, key: str) -> Any:
    if not lines.strip():
        return None
    return read(f"---\n{lines if lines.endswith(chr(10)) else lines + chr(10)}---\n")[1].get(key)


def _branch(git: Git) -> str:
    done = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise GitError("no-upstream", "the repository is not on a branch (detached HEAD); check out a branch first")
    return done.stdout.strip()


def _not_followed(git: Git, remote: str, branch: str) -> None:
    """A branch that follows nothing while the remote has a branch of its name: pushing would
    be refused again and again; the one command that makes it follow that branch, instead."""
    _fetch(git, remote)
    there = git.run("rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}", check=False)
    if there.returncode == 0 and there.stdout.strip():
        raise GitError(
            "no-upstream",
            f"this branch ({branch}) does not follow {remote}/{branch}, which already exists; to sync with it, "
            f"run: git branch --set-upstream-to={remote}/{branch}",
        )


def _stashes(git: Git) -> int:
    done = git.run("rev-list", "--walk-reflogs", "--count", "refs/stash", check=False)
    return int(done.stdout.strip() or 0) if done.returncode == 0 else 0


def _left_over(git: Git, stashed: int) -> None:
    """After a rebase git called done: the editor's uncommitted changes it put aside (its
    autostash) must be back, not left in conflict or in the stash. Otherwise an error that
    names the files and what to do (nothing is pushed)."""
    prefix = git.prefix()
    unmerged = _unmerged(git)
    if not unmerged and _stashes(git) <= stashed:
        return
    named = ", ".join(p[len(prefix) :] if p.startswith(prefix) else p for p in unmerged) or "some files"
    raise GitError(
        "unfinished",
        f"the incoming changes were taken, but your uncommitted changes to {named} clash with them: "
        "the files now hold conflict markers, and your changes are also kept in git's stash (git stash list). "
        "Nothing was pushed. Edit the files to keep what you want, run git add on them and git stash drop, "
        "then sync again",
    )


REBASING = "reviewer-rebasing"  # in the .git folder while sync rebases: the process's id


def _recover(git: Git) -> None:
    """What a sync killed mid-rebase left (its marker names a process no longer running): the
    rebase aborted, and the lock and merge files it made since removed; a sync still running
    is waited for instead."""
    marker = git.git_path(REBASING)
    rebasing = _rebasing(git)
    try:
        with open(marker, encoding="utf-8") as fh:
            first, *steps = fh.read().split("\n")
        pid = int(first.strip() or 0)
        since = os.stat(marker).st_mtime
    except (OSError, ValueError):
        if rebasing:
            raise GitError(
                "other",
                "a rebase not started by Reviewer is in progress here: finish it with git rebase --continue, "
                "or undo it with git rebase --abort, then sync again",
            ) from None
        return
    if pid and pid != os.getpid() and _alive(pid):
        raise GitError("locked", "another sync of this folder is running; try again when it has finished")
    _wait_for_git([line.split()[1] for line in steps if line.startswith("child ") and len(line.split()) == 2])
    lock = git.git_path("index.lock")
    with contextlib.suppress(OSError):
        if os.stat(lock).st_mtime >= since - 1:
            os.unlink(lock)
    if rebasing:
        git.run("rebase", "--abort", check=False)
    top = git.out("rev-parse", "--show-toplevel").strip() or git.root
    for name in os.listdir(top):
        path = os.path.join(top, name)
        with contextlib.suppress(OSError):
            if name.startswith(".merge_file_") and os.stat(path).st_mtime >= since - 1:
                os.unlink(path)
    moving = [line.split()[1:] for line in steps if line.startswith("moving ")]
    if moving and len(moving[-1]) == 3:
        old, new, began = moving[-1]
        _undo_half_move(git, old, new, float(began))
    _stale_index(git)
    with contextlib.suppress(OSError):
        os.unlink(marker)


def _undo_half_move(git: Git, old: str, new: str, began: float) -> None:
    """A sync killed while git moved the folder from `old` to `new`: the files it had written
    (`new`'s content, or part of it: written since the move began, among those it changes)
    are put back as HEAD has them, for the sync to move again; any other change is the
    editor's, and stays."""
    if git.head() != old:
        return
    moved = set(_paths(git, "diff", "--name-only", "-z", old, new))
    differ = _paths(git, "diff", "--name-only", "-z", "HEAD")
    staged = _paths(git, "diff", "--cached", "--name-only", "-z", "HEAD")
    touched = sorted((set(differ) | set(staged)) & moved)
    if not touched:
        return
    top = git.out("rev-parse", "--show-toplevel").strip() or git.root
    theirs = set(_paths(git, "diff", "--name-only", "-z", new, "--", *(f":(top){p}" for p in touched)))
    written = [p for p in touched if p not in theirs or _written_since(os.path.join(top, p), began)]
    if written:
        git.run("checkout", "HEAD", "--", *(f":(top){p}" for p in written))


def _written_since(path: str, began: float) -> bool:
    try:
        return os.stat(path).st_mtime >= began - 1
    except OSError:
        return True  # removed (git unlinks a file before it writes it again)


def _stale_index(git: Git) -> None:
    """A sync killed between its commit and the index's update: entries that differ from HEAD
    while the file is as HEAD has it are HEAD's again (git would take them for staged changes)."""
    staged = _paths(git, "diff", "--cached", "--name-only", "-z", "HEAD")
    if not staged:
        return
    differ = set(_paths(git, "diff", "--name-only", "-z", "HEAD", "--", *(f":(top){p}" for p in staged)))
    stale = [p for p in staged if p not in differ]
    if stale:
        git.run("reset", "--quiet", "--", *(f":(top){p}" for p in stale))


STASHED = "reviewer-stashed"  # in the .git folder while sync has the editor's changes put aside


def _stash_left(git: Git) -> None:
    """A stash entry a stopped sync made of the editor's changes, still there: said by every
    sync until the editor takes it back."""
    path = git.git_path(STASHED)
    try:
        with open(path, encoding="utf-8") as fh:
            stashed = fh.read().strip()
    except OSError:
        return
    entries = git.run("stash", "list", "--format=%H %gd", check=False).stdout.split("\n")
    name = next((line.split()[1] for line in entries if stashed and line.startswith(stashed + " ")), "")
    if not name:
        os.unlink(path)
        return
    raise GitError(
        "unfinished",
        f"a sync that was stopped had put your uncommitted changes aside: they are in git's stash ({name}); "
        f"bring them back with git stash pop {name}, then sync again",
    )


CHILD_WAIT_S = 30.0  # the longest a sync waits for the git processes of a killed one, in all


def _wait_for_git(pids: list[str]) -> None:
    """The git processes a killed sync started (noted in its marker), waited for while they
    run: a kill -9 of the sync leaves them running, and a `git reset` went on writing files
    while the next sync put back those it had written (31 files left in the way of the next
    move). A process number taken since by another program is waited for CHILD_WAIT_S at most."""
    deadline = time.monotonic() + CHILD_WAIT_S
    for pid in pids:
        if not pid.isdigit():
            continue
        while _git_running(int(pid)) and time.monotonic() < deadline:
            time.sleep(0.02)


def _git_running(pid: int) -> bool:
    """Whether process `pid` is a git still running: where the system says (/proc), by its
    name and state (a git that ended, not yet reaped, is not); elsewhere, whether it is alive."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return not os.path.isdir("/proc") and _alive(pid)
    name, _, rest = stat.partition("(")[2].rpartition(")")
    return name.startswith("git") and rest.split()[:1] != ["Z"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _only_remote(git: Git) -> str:
    remotes = git.out("remote").split()
    if not remotes:
        raise GitError("no-upstream", "the repository has no remote to sync with; add one with git remote add")
    return "origin" if "origin" in remotes else remotes[0]


def _count(git: Git, start: str) -> int:
    return int(git.out("rev-list", "--count", f"{start}..HEAD" if start else "HEAD").strip() or 0)


def _changed_since(git: Git, start: str) -> list[str]:
    if not start:
        return []
    prefix = git.prefix()
    out = git.out("diff", "--name-only", "-z", start, "HEAD", "--", ".")
    return [p[len(prefix) :] for p in out.split("\0") if p.startswith(prefix) and p]


def _take(git: Git, chosen: dict[str, dict[str, str]], committed: Commit | None, stash: bool, editor: str) -> None:
    """The upstream's commits taken, the editor's on top: merged in this process (core.replay),
    or by git's rebase where that cannot be sure; a conflict raises SyncConflict and changes
    nothing. Uncommitted changes in the way are put aside only when `stash` says so."""
    upstream = git.out("rev-parse", "--verify", "@{u}").strip()
    committer = {k: v for k, v in identity(git, editor).items() if k.startswith("GIT_COMMITTER")}
    try:
        done = replay(git, upstream, DRIVER, chosen, git.prefix(), committer)
    except CannotReplay:
        _rebase(git, chosen, committed, stash)
        return
    if done.conflicts:
        raise SyncConflict(done.conflicts, committed)
    _move(git, done.head, stash)


def _move(git: Git, new: str, stash: bool) -> None:
    """The branch and the working folder moved to `new`, the editor's uncommitted changes kept
    (git reset --keep); those in files the move changes are first put aside, with consent."""
    changed = set(_paths(git, "diff", "--name-only", "-z", "HEAD", new))
    in_the_way = [p for p in _paths(git, "diff", "--name-only", "-z", "HEAD") if p in changed]
    if in_the_way and not stash:
        raise _uncommitted(git, in_the_way)
    stashed = _stashes(git)
    with open(git.git_path(REBASING), "a", encoding="utf-8") as mark:  # a sync killed now: the next one undoes it
        mark.write(f"\nmoving {git.head()} {new} {time.time():.3f}")
    if in_the_way:
        git.run("stash", "push", "--quiet", "-m", "Reviewer sync: put aside", "--", *(f":(top){p}" for p in in_the_way))
        with open(git.git_path(STASHED), "w", encoding="utf-8") as mark:  # said by the next sync if killed here
            mark.write(git.out("rev-parse", "refs/stash").strip())
    done = git.run("reset", "--quiet", "--keep", new, check=False)
    if done.returncode != 0:
        _bring_back(git, stashed, "--index")
        raise classify(done.stderr, "git reset")
    if _bring_back(git, stashed):
        _left_over(git, stashed)


def _bring_back(git: Git, stashed: int, *how: str) -> bool:
    """The changes _move put aside, popped (back, or said by _left_over); False when it put none aside."""
    if _stashes(git) <= stashed:
        return False
    git.run("stash", "pop", "--quiet", *how, check=False)
    with contextlib.suppress(OSError):
        os.unlink(git.git_path(STASHED))
    return True


def _paths(git: Git, *args: str) -> list[str]:
    return [p for p in git.out(*args).split("\0") if p]


def _uncommitted(git: Git, paths: list[str]) -> GitError:
    prefix = git.prefix()
    named = ", ".join(p[len(prefix) :] if p.startswith(prefix) else p for p in paths[:10])
    more = f" and {len(paths) - 10} more" if len(paths) > 10 else ""
    return GitError(
        "uncommitted",
        f"incoming changes would overwrite your uncommitted changes to {named}{more}: nothing was synced. "
        "Commit or undo those changes, or sync again letting Reviewer put them aside and bring them back "
        "(reviewer sync --stash)",
    )


def _rebase(git: Git, chosen: dict[str, dict[str, str]], committed: Commit | None, stash: bool) -> None:
    """git's own rebase onto the upstream (the merge driver per file); on a conflict, abort at
    once and raise SyncConflict."""
    dirty = _paths(git, "diff", "--name-only", "-z", "HEAD")
    if dirty and not stash:
        raise _uncommitted(git, dirty)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".json", delete=False) as fh:
        json.dump(chosen, fh)
    stashed = _stashes(git)
    try:
        done = git.run(
            "-c", f"rebase.autoStash={'true' if stash else 'false'}", "rebase", "--quiet", "@{u}", check=False,
            extra_env={RESOLUTIONS_ENV: fh.name},
        )  # fmt: skip
        while done.returncode != 0 and _settle_whole_files(git, chosen):
            done = git.run(
                "-c", "core.editor=true", "rebase", "--continue", check=False, extra_env={RESOLUTIONS_ENV: fh.name}
            )  # fmt: skip
        if done.returncode != 0:
            _stop_rebase(git, done, committed)
    finally:
        os.unlink(fh.name)
    _left_over(git, stashed)


def _settle_whole_files(git: Git, chosen: dict[str, dict[str, str]]) -> bool:
    """A rebase stopped on files the merge driver does not merge (not articles: _config.yml, a
    layout): where the editor chose one side whole (WHOLE_FILE) for every one of them, that
    side is written and added, and True (the rebase can go on); otherwise nothing is done."""
    if not _rebasing(git):
        return False
    paths = _unmerged(git)
    sides: dict[str, str] = {}
    for path in paths:
        wanted = chosen.get(path, {}).get(WHOLE_FILE)
        # in a rebase, stage 2 ("ours") is the upstream's, stage 3 ("theirs") the editor's
        found = {side: git.run("show", f":{n}:{path}", check=False) for side, n in (("--ours", 2), ("--theirs", 3))}
        side = next((k for k, d in found.items() if d.returncode == 0 and d.stdout == wanted), None)
        if wanted is None or side is None:
            return False
        sides[path] = side
    if not sides:
        return False
    for path, side in sides.items():  # git writes the side's very bytes
        git.run("checkout", side, "--", f":(top){path}")
    git.run("add", "--", *(f":(top){p}" for p in sides))
    return True


def _rebasing(git: Git) -> bool:
    """Whether a rebase is in progress (stopped, or left by a process that was killed)."""
    return os.path.exists(git.git_path("rebase-merge")) or os.path.exists(git.git_path("rebase-apply"))


def _unmerged(git: Git) -> list[str]:
    """The files git left unmerged, as paths in the repository."""
    return _paths(git, "diff", "--name-only", "-z", "--diff-filter=U")


def _stop_rebase(git: Git, done: subprocess.CompletedProcess[str], committed: Commit | None) -> None:
    """A rebase that stopped: aborted, and the conflicts raised (SyncConflict), or git's reason."""
    if not _rebasing(git):
        raise classify(done.stderr, "git rebase")
    try:
        conflicts = _conflicts(git)
    finally:
        git.run("rebase", "--abort", check=False)
    if not conflicts:
        raise classify(done.stderr, "git rebase")
    raise SyncConflict(conflicts, committed)


def _conflicts(git: Git) -> list[KeyConflict]:
    """Each conflicting key of each unmerged file, as the editor sees it: `ours` is the editor's
    commit being replayed (git's stage 3 in a rebase), `theirs` the upstream's (stage 2)."""
    prefix = git.prefix()
    top = git.out("rev-parse", "--show-toplevel").strip()
    paths = _unmerged(git)
    found: list[KeyConflict] = []
    for path in paths:
        stages = {n: git.run("show", f":{n}:{path}", check=False, extra_env=None) for n in (1, 2, 3)}
        base, upstream, mine = (stages[n].stdout if stages[n].returncode == 0 else "" for n in (1, 2, 3))
        shown = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(os.path.join(top, path), git.root)
        try:
            merged = merge_texts(base, mine, upstream, path=shown)
            found.extend(merged.conflicts)
        except Unmergeable:
            found.append(KeyConflict(shown, WHOLE_FILE, base, mine, upstream))
        if not any(c.path == shown for c in found):
            found.append(KeyConflict(shown, WHOLE_FILE, base, mine, upstream))
    return found


def resolutions(
    conflicts: Iterable[KeyConflict], keep_mine: dict[tuple[str, str], bool], prefix: str = ""
) -> dict[str, dict[str, str]]:
    """The choices as the merge driver reads them: path in the repository -> key -> the lines
    to keep (the editor's unless `keep_mine` says otherwise). During a rebase the driver's
    `ours` is the upstream and `theirs` the editor's commit; lines are compared, not sides,
    so a choice holds either way round."""
    chosen: dict[str, dict[str, str]] = {}
    for c in conflicts:
        lines = c.ours if keep_mine.get((c.path, c.key), True) else c.theirs
        chosen.setdefault(prefix + c.path, {})["" if c.key == COMMENTS else c.key] = lines
    return chosen


@dataclass
class Review:
    """A review commit on the upstream by someone else: who, how many decisions, when (Unix time)."""

    author: str
    decisions: int
    time: int

    def summary(self, now: float) -> str:
        decisions = f"{self.decisions} decision{'s' if self.decisions != 1 else ''}"
        return f"{self.author} pushed {decisions}, {ago(now - self.time)}"


def others_reviews(git: Git, me: str, limit: int = 50) -> list[Review]:
    """The upstream's recent review commits (those with Decision trailers) by other authors, newest first."""
    if not git.upstream():
        return []
    out = git.out("log", "@{u}", f"-n{limit}", "--format=%x1e%an%x1f%ct%x1f%(trailers:key=Decision,valueonly)")
    found = []
    for record in out.split("\x1e")[1:]:
        author, when, trailers = (record.split("\x1f") + ["", ""])[:3]
        count = sum(1 for line in trailers.splitlines() if line.strip())
        if count and author != me:
            found.append(Review(author, count, int(when or 0)))
    return found


SYNCED_MARK = "reviewer-synced"  # in the git directory: touched when a sync has pushed and taken all


def _mark_synced(git: Git) -> None:
    with contextlib.suppress(OSError), open(git.git_path(SYNCED_MARK), "w", encoding="utf-8") as fh:
        fh.write(f"{time.time():.0f}\n")


def last_fetch(git: Git) -> float | None:
    """When the upstream was last fetched (by a sync, or by anyone's git fetch): FETCH_HEAD's
    time, or None."""
    try:
        return os.stat(git.git_path("FETCH_HEAD")).st_mtime
    except OSError:
        return None


def last_sync(git: Git) -> float | None:
    """When a sync last completed here (a fetch alone is not a sync), or None."""
    try:
        return os.stat(git.git_path(SYNCED_MARK)).st_mtime
    except OSError:
        return None


def ago(seconds: float) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


__all__ = ["BODY", "COMMENTS", "WHOLE_FILE", "Git", "GitError", "KeyConflict", "Status", "SyncConflict"]
