"""Sync's merge in one process: the editor's commits replayed onto the upstream, no driver per file.

A rebase runs the merge driver as a new Python process for every file both sides changed
(96-147 ms each: 250 shared articles took 33-40 s). Here git merges the trees itself
(`git merge-tree --write-tree`, in a bare shadow of the repository that has no attributes,
so no driver runs), and each file it could not merge line by line is merged in this process:
an article key by key (core.merge), the review log as a union of lines, anything else by the
editor's whole-file choice. The merged blobs are written in one `git fast-import` pack, the
trees with a temporary index, the commits with `git commit-tree`; nothing in the working folder
or any ref changes here, so a conflict leaves the repository exactly as it was.

Where this way cannot be sure to merge as git's rebase would (a merge commit among the
editor's, a rename or delete on one side, a file with a merge attribute of its own, a
shallow clone, git older than 2.38), `CannotReplay` says why and sync rebases instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .merge import WHOLE_FILE, KeyConflict, Unmergeable, git_merge_file, merge_texts

SHADOW = "reviewer-merge.git"  # in the .git folder: a bare repository with no attributes
_FIELDS = 6  # sha, parents, author name, email, date, message


class Runner(Protocol):
    root: str

    def run(
        self, *args: str, check: bool = True, extra_env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]: ...

    def out(self, *args: str) -> str: ...

    def git_path(self, name: str) -> str: ...

    def pipe(self, *args: str, data: bytes, extra_env: dict[str, str] | None = None) -> bytes: ...


class CannotReplay(Exception):
    """This sync is one for git's own rebase; the reason, for the record."""


@dataclass
class Replayed:
    head: str  # the editor's commits on top of the upstream ('' when they all became empty)
    commits: int  # how many were made
    conflicts: list[KeyConflict]  # when not empty, nothing was made


@dataclass
class _Commit:
    sha: str
    author: dict[str, str]
    message: str


@dataclass
class _Stages:
    mode: str
    base: str  # blob ids ('' when the side has none)
    ours: str  # the upstream's
    theirs: str  # the editor's


def replay(
    git: Runner,
    upstream: str,
    driver: str,
    chosen: dict[str, dict[str, str]],
    prefix: str = "",
    committer: dict[str, str] | None = None,
) -> Replayed:
    """The commits of HEAD that `upstream` lacks, made again on top of it. `driver`: the merge
    attribute that marks an article; `chosen`: the editor's choices (path -> key -> lines);
    conflicts are named by paths relative to `prefix`."""
    _able(git)
    commits = _local_commits(git, upstream)
    shadow = _shadow(git)
    parent, made = upstream, 0
    conflicts: list[KeyConflict] = []
    for commit in commits:
        tree, found = _merged_tree(git, shadow, upstream, commit.sha, driver, chosen, prefix)
        # each commit is merged with all of the editor's changes before it: one conflict, once
        conflicts.extend(c for c in found if c not in conflicts)
        if found or tree == git.out("rev-parse", f"{parent}^{{tree}}").strip():
            continue  # already upstream: a rebase drops it too
        env = {**commit.author, **(committer or {})}
        made_sha = git.pipe("commit-tree", tree, "-p", parent, "-F", "-", data=commit.message.encode(), extra_env=env)
        parent = made_sha.decode().strip()
        made += 1
    if conflicts:
        return Replayed("", 0, conflicts)
    return Replayed(parent, made, [])


def forecast(git: Runner, upstream: str, commit: str, driver: str, prefix: str = "") -> list[KeyConflict]:
    """What merging `commit` with `upstream` would leave to the editor, worked out as replay
    does, writing nothing (CannotReplay where replay would not merge)."""
    _able(git)
    _, stages = _merge_tree(git, _shadow(git), upstream, commit)
    return _merge_files(git, stages, driver, {}, prefix)[1] if stages else []


def _able(git: Runner) -> None:
    version = git.out("version").split()[-1]
    numbers = [int(n) for n in re.findall(r"\d+", version)[:2]]
    if numbers < [2, 38]:
        raise CannotReplay(f"git {version} has no merge-tree --write-tree (2.38)")
    if git.out("rev-parse", "--is-shallow-repository").strip() == "true":
        raise CannotReplay("a shallow clone")


def _local_commits(git: Runner, upstream: str) -> list[_Commit]:
    fields = "%x00".join(("%H", "%P", "%an", "%ae", "%ad", "%B"))
    raw = git.out("log", "--reverse", "-z", "--date=raw", f"--format={fields}", f"{upstream}..HEAD")
    parts = raw.split("\0")
    commits = []
    for at in range(0, len(parts) - _FIELDS + 1, _FIELDS):
        sha, parents, name, email, date, message = parts[at : at + _FIELDS]
        if len(parents.split()) != 1:
            raise CannotReplay(f"commit {sha[:10]} is a merge")
        author = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date}
        commits.append(_Commit(sha.strip(), author, message))
    return commits


def _shadow(git: Runner) -> dict[str, str]:
    """The environment that runs git in the shadow: this repository's objects, no attributes."""
    path = git.git_path(SHADOW)
    if not os.path.exists(os.path.join(path, "HEAD")):
        form = git.out("rev-parse", "--show-object-format").strip() or "sha1"
        git.run("init", "--quiet", "--bare", f"--object-format={form}", path)
    objects = git.out("rev-parse", "--git-path", "objects").strip()
    objects = objects if os.path.isabs(objects) else os.path.join(git.root, objects)
    return {"GIT_DIR": path, "GIT_OBJECT_DIRECTORY": objects}


def _merged_tree(
    git: Runner, shadow: dict[str, str], upstream: str, commit: str, driver: str,
    chosen: dict[str, dict[str, str]], prefix: str,
) -> tuple[str, list[KeyConflict]]:  # fmt: skip
    tree, stages = _merge_tree(git, shadow, upstream, commit)
    if not stages:
        return tree, []
    merged, conflicts = _merge_files(git, stages, driver, chosen, prefix)
    if conflicts:
        return "", conflicts
    return _write_tree(git, tree, merged, {p: s.mode for p, s in stages.items()}), []


def _merge_tree(git: Runner, shadow: dict[str, str], upstream: str, commit: str) -> tuple[str, dict[str, _Stages]]:
    """git's merge of the two trees, in the shadow (no driver runs): _parse_merge_tree's answer."""
    done = git.run("merge-tree", "--write-tree", "-z", upstream, commit, check=False, extra_env=shadow)
    if done.returncode not in (0, 1):
        raise CannotReplay(f"git merge-tree: {done.stderr.strip()}")
    return _parse_merge_tree(done.stdout)


def _parse_merge_tree(out: str) -> tuple[str, dict[str, _Stages]]:
    """The tree, and the files git could not merge with their three blobs; CannotReplay for
    any conflict but two sides changing one file's text."""
    fields = out.split("\0")
    tree = fields[0]
    found: dict[str, dict[int, tuple[str, str]]] = {}
    at = 1
    while at < len(fields) and fields[at]:
        info, path = fields[at].split("\t", 1)
        mode, blob, stage = info.split()
        found.setdefault(path, {})[int(stage)] = (mode, blob)
        at += 1
    at += 1
    while at < len(fields) and fields[at]:  # messages: count, paths, type, text
        count = int(fields[at])
        kind = fields[at + count + 1]
        if kind.startswith("CONFLICT") and kind != "CONFLICT (contents)":
            raise CannotReplay(f"{kind} in {fields[at + 1]}")
        at += count + 3
    stages = {}
    for path, sides in found.items():
        modes = {mode for mode, _ in sides.values()}
        if 2 not in sides or 3 not in sides or len(modes) != 1 or modes & {"120000", "160000"}:
            raise CannotReplay(f"a conflict that is not in the text of {path}")
        base = sides.get(1, ("", ""))[1]
        stages[path] = _Stages(sides[2][0], base, sides[2][1], sides[3][1])
    return tree, stages


def _merge_files(
    git: Runner, stages: dict[str, _Stages], driver: str, chosen: dict[str, dict[str, str]], prefix: str
) -> tuple[dict[str, str], list[KeyConflict]]:
    """Each file's merged text, or the conflicts (named as the editor sees them)."""
    merges = _attributes(git, list(stages))
    texts = objects(git, {b for s in stages.values() for b in (s.base, s.ours, s.theirs) if b})
    merged: dict[str, str] = {}
    conflicts: list[KeyConflict] = []
    for path, s in stages.items():
        how = merges.get(path, "unspecified")
        if how not in (driver, "union", "unspecified", "set", "unset", "text"):
            raise CannotReplay(f"{path} is merged by its own driver ({how})")
        try:
            base, ours, mine = (texts[b].decode("utf-8") if b else "" for b in (s.base, s.ours, s.theirs))
        except UnicodeDecodeError:
            raise CannotReplay(f"{path} is not text") from None
        shown = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, prefix or ".")
        wanted = chosen.get(path, {})
        if wanted.get(WHOLE_FILE) in (ours, mine):
            merged[path] = wanted[WHOLE_FILE]
        elif how == "union":
            merged[path] = union(base, ours, mine)
        elif how == driver:
            _merge_article(path, shown, base, ours, mine, wanted, merged, conflicts)
        else:
            conflicts.append(KeyConflict(shown, WHOLE_FILE, base, mine, ours))
    return merged, conflicts


def _merge_article(
    path: str, shown: str, base: str, ours: str, mine: str, wanted: dict[str, str],
    merged: dict[str, str], conflicts: list[KeyConflict],
) -> None:  # fmt: skip
    """As the driver does in a rebase (ours: the upstream); conflicts shown the editor's side first."""
    try:
        done = merge_texts(base, ours, mine, path, wanted)
        if done.clean:
            merged[path] = done.text
            return
        conflicts.extend(merge_texts(base, mine, ours, shown).conflicts)
    except Unmergeable:
        conflicts.append(KeyConflict(shown, WHOLE_FILE, base, mine, ours))


def union(base: str, ours: str, theirs: str) -> str:
    """Both sides' lines (git's union merge) for a file that only grows, as the review log: ours,
    then the lines theirs added that ours does not hold already; `git merge-file --union` else."""
    if ours.startswith(base) and theirs.startswith(base):
        have = Counter(ours[len(base) :].splitlines(keepends=True))
        added = []
        for line in theirs[len(base) :].splitlines(keepends=True):
            if have[line] > 0:
                have[line] -= 1
            else:
                added.append(line)
        head = ours if not ours or ours.endswith("\n") or not added else ours + "\n"
        return head + "".join(added)
    done = git_merge_file(base, ours, theirs, "--union")
    if done.returncode < 0:
        raise CannotReplay("git merge-file --union failed")
    return done.stdout.decode("utf-8")


def _attributes(git: Runner, paths: list[str]) -> dict[str, str]:
    """Each path's `merge` attribute, as the repository has it set up."""
    top = git.out("rev-parse", "--show-toplevel").strip()
    out = git.pipe("-C", top, "check-attr", "-z", "--stdin", "merge", data="\0".join(paths).encode() + b"\0")
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    return {fields[i]: fields[i + 2] for i in range(0, len(fields) - 2, 3)}


def objects(git: Runner, names: Iterable[str]) -> dict[str, bytes]:
    """The objects' bytes by name (a blob id, or any name cat-file takes), read by one `git
    cat-file --batch`; a name that is missing is left out."""
    names = [n for n in dict.fromkeys(names) if "\n" not in n]
    if not names:
        return {}
    out = git.pipe("cat-file", "--batch", data="".join(f"{n}\n" for n in names).encode("utf-8"))
    found: dict[str, bytes] = {}
    at = 0
    for name in names:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if header[-1] == b"missing" or len(header) != 3:
            at = end + 1
            continue
        size = int(header[2])
        found[name] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return found


def _write_tree(git: Runner, tree: str, merged: dict[str, str], modes: dict[str, str]) -> str:
    """`tree` with the merged files' blobs in place of git's conflict-marked ones."""
    with tempfile.TemporaryDirectory(prefix="reviewer-replay-") as tmp:
        blobs = write_blobs(git, [text.encode("utf-8") for text in merged.values()], tmp)
        index = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        git.run("read-tree", tree, extra_env=index)
        entries = "".join(f"{modes[path]} {blob}\t{path}\0" for path, blob in zip(merged, blobs, strict=True))
        git.pipe("update-index", "-z", "--index-info", data=entries.encode("utf-8"), extra_env=index)
        return git.run("write-tree", extra_env=index).stdout.strip()


def write_blobs(git: Runner, contents: list[bytes], tmp: str) -> list[str]:
    """The blobs written in one stream (`git fast-import`: one pack, not a file each); their ids."""
    stream = bytearray()
    for n, data in enumerate(contents, 1):
        stream += b"blob\nmark :%d\ndata %d\n" % (n, len(data)) + data + b"\n"
    marks = os.path.join(tmp, "marks")
    git.pipe("fast-import", "--quiet", f"--export-marks={marks}", data=bytes(stream))
    with open(marks, encoding="ascii") as fh:
        ids = dict(line.split() for line in fh if line.strip())
    return [ids[f":{n}"] for n in range(1, len(contents) + 1)]
