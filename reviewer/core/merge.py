"""Three-way merge of an article: front matter key by key, the body by git's own line merge.

git merges text line by line, and conflicts when two changes touch or neighbour each other:
an editor's `quality:` against the bot's `heat:` on the next line, or two editors setting
`quality` and `published` of one article. Front matter is a map, not a text: here each
top-level key is one block (the key's line and the lines that continue it), merged on its
own. A key is taken from the side that changed it; both sides changing it to different
values is a conflict of that key. The merged text is parsed again and must be exactly the
base's metadata with both sides' changes, else the file is a conflict for git to report.

`reviewer merge-driver %O %A %B %P` (registered by core.git) runs `merge_files`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

from .frontmatter_text import FrontMatterError, read, split

BODY = "(body)"  # the name a conflict of the bodies is shown under
COMMENTS = "(comments)"  # what comes before the first key
WHOLE_FILE = "(whole file)"  # a side that cannot be read key by key: the file is chosen whole
GAP = "\0before:"  # blank and comment lines before a key, as a block name
RESOLUTIONS_ENV = "REVIEWER_RESOLUTIONS"  # a JSON file of the editor's choices (core.git.sync)
# A top-level key at the start of a line: plain, or quoted, followed by ':' and a space or the end.
_KEY = re.compile(
    r"""(?:"(?P<dq>[^"\\\r\n]*)"|'(?P<sq>[^'\r\n]*)'|(?P<plain>[^\s#'"\-?:,\[\]{}&*!|>%@`][^\r\n]*?))"""
    r"[ \t]*:(?=[ \t\r\n]|$)"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


class Unmergeable(Exception):
    """A side whose front matter cannot be read, or that names one key twice."""


@dataclass
class KeyConflict:
    """Both sides set `key` of one file, to different values: each side's lines ('' when absent)."""

    path: str
    key: str
    base: str
    ours: str
    theirs: str

    def shown(self) -> tuple[str, str, str]:
        """Base, ours and theirs as a person compares them: a key's lines, or for a whole file
        the first line where the sides differ, numbered (its first lines are often alike)."""
        sides = (self.base, self.ours, self.theirs)
        if self.key != WHOLE_FILE:
            return sides
        lines = [text.splitlines() for text in sides]
        longest = max(len(found) for found in lines)
        at = next((i for i in range(longest) if len({f[i] if i < len(f) else None for f in lines if f}) > 1), 0)
        base, ours, theirs = (
            "" if not found else f"line {at + 1}: " + (found[at] if at < len(found) else "(the file ends)")
            for found in lines
        )
        return base, ours, theirs


@dataclass
class Merged:
    text: str
    conflicts: list[KeyConflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


@dataclass
class _Parts:
    head: str  # the BOM and the opening fence
    blocks: dict[str, str]  # key -> its lines, in file order; '' is what comes before the first key
    tail: str  # the closing fence line
    body: str


def blocks_of(text: str) -> _Parts:
    """An article's text as its front matter's top-level blocks (raise Unmergeable)."""
    try:
        sp = split(text)
    except FrontMatterError as exc:
        raise Unmergeable(exc.message) from exc
    blocks: dict[str, str] = {"": ""}
    key = ""
    pending = ""  # blank and comment lines: the key's when its value goes on after them, else a gap
    for m in _LINE.finditer(text, sp.fm_start, sp.fm_end):
        line = m.group()
        found = _KEY.match(line) if line[:1] not in " \t#-" else None
        if found is not None:
            key = found.group("dq") if found.group("dq") is not None else found.group("sq") or found.group("plain")
            if key in blocks:
                raise Unmergeable(f"the key {key!r} is there twice")
            _gap(blocks, key, pending)
            blocks[key] = line
        elif key and (not line.strip() or line.lstrip().startswith("#")):
            pending += line
            continue
        else:
            blocks[key] += pending + line
        pending = ""
    _gap(blocks, "", pending)
    return _Parts(text[: sp.fm_start], blocks, text[sp.close_start : sp.body_start], text[sp.body_start :])


def _gap(blocks: dict[str, str], before: str, lines: str) -> None:
    """Blank lines and comments between two keys: a block of their own, named after the key
    that follows them, so that a key added before them on one side leaves them where they are."""
    if lines:
        blocks[GAP + before] = lines


def merge_texts(base: str, ours: str, theirs: str, path: str = "", chosen: dict[str, str] | None = None) -> Merged:
    """`ours` with `theirs`'s changes since `base`; `chosen` settles conflicting keys (key -> the
    lines to keep, one of the two sides'). Raise Unmergeable when a side cannot be read."""
    b, o, t = blocks_of(base), blocks_of(ours), blocks_of(theirs)
    chosen = chosen or {}
    conflicts: list[KeyConflict] = []
    settled: set[str] = set()  # keys the editor chose a side of
    keys = _key_order(b.blocks, o.blocks, t.blocks)
    out: list[str] = []
    for key in keys:
        bb, ob, tb = b.blocks.get(key, ""), o.blocks.get(key, ""), t.blocks.get(key, "")
        if ob == tb or tb == bb:
            out.append(ob)
        elif ob == bb:
            out.append(_with_newline(tb, ob))
        elif chosen.get(key) in (ob, tb):
            out.append(chosen[key])
            settled.add(key)
        else:
            shown = f"(comments before {key.removeprefix(GAP) or 'the end'})" if key.startswith(GAP) else key
            conflicts.append(KeyConflict(path, shown or COMMENTS, bb, ob, tb))
            out.append(ob)
    body, body_conflict = merge_bodies(b.body, o.body, t.body)
    if body_conflict:
        if chosen.get(BODY) in (o.body, t.body):
            body = chosen[BODY]
        else:
            conflicts.append(KeyConflict(path, BODY, b.body, o.body, t.body))
            body = o.body
    text = o.head + "".join(out) + o.tail + body
    if not conflicts:
        _verify(text, base, ours, theirs, settled)
    return Merged(text, conflicts)


def keys_from(head: str, mine: str, keys: set[str]) -> str | None:
    """`head` with only `keys` as `mine` has them (their lines taken whole, a key new in `mine`
    after the key it follows there): what a commit of just those keys holds. None when the
    result does not read back as head's metadata with those keys' values (raise Unmergeable)."""
    h, m = blocks_of(head), blocks_of(mine)
    out = list(h.blocks.items())
    for key in keys:
        at = next((i for i, (k, _) in enumerate(out) if k == key), None)
        if key not in m.blocks:
            out = [item for item in out if item[0] != key]
        elif at is not None:
            out[at] = (key, m.blocks[key])
        else:
            order = list(m.blocks)
            before = [k for k in order[: order.index(key)] if any(k == o for o, _ in out)]
            place = next((i + 1 for i, (k, _) in enumerate(out) if before and k == before[-1]), len(out))
            out.insert(place, (key, _with_newline(m.blocks[key], head)))
    text = h.head + "".join(block for _, block in out) + h.tail + h.body
    try:
        expected, found, wanted = (read(x)[1] for x in (head, text, mine))
    except FrontMatterError:
        return None
    for key in keys:
        if key in wanted:
            expected[key] = wanted[key]
        else:
            expected.pop(key, None)
    return text if _canonical(found) == _canonical(expected) else None


def _key_order(base: dict[str, str], ours: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """Our keys in our order, without those theirs removed, with those theirs added (or changed
    where ours removed them) after the key they follow there (and after any we added at the same place)."""
    keys = [k for k in ours if not (k in base and k not in theirs and ours[k] == base[k])]
    order = list(theirs)
    # blank lines both sides moved (a key added after them): where ours put them is enough
    moved = {base[k] for k in base if k.startswith(GAP) and k not in ours and k not in theirs}
    for i, key in enumerate(order):
        if key.startswith(GAP) and theirs[key] in moved and key not in base:
            continue
        # Added by theirs, or removed by ours and changed by theirs (a comment written above
        # a key ours deleted): merged in its place, where the second is a conflict, not lost.
        if key not in ours and (key not in base or theirs[key] != base[key]):
            before = order[i - 1] if i else ""
            at = keys.index(before) + 1 if before in keys else len(keys)
            while at < len(keys) and keys[at] not in base and keys[at] in ours:
                at += 1
            keys.insert(at, key)
    return keys


def _with_newline(block: str, like: str) -> str:
    """A block from the other side, ending in a line break when it is not the last line."""
    if block and not block.endswith(("\n", "\r")):
        end = re.search(r"\r\n|\n|\r", like)
        return block + (end.group() if end else "\n")
    return block


def _verify(text: str, base: str, ours: str, theirs: str, settled: set[str]) -> None:
    """The merged metadata is exactly the base's with both sides' changes (a settled key: the
    side chosen), or Unmergeable."""
    try:
        b, o, t, m = (read(x)[1] for x in (base, ours, theirs, text))
    except FrontMatterError as exc:
        raise Unmergeable(f"the merged front matter does not read back: {exc.message}") from exc
    expected = dict(b)
    for side in (o, t):
        for key in set(b) | set(side):
            if key not in side:
                expected.pop(key, None)
            elif b.get(key, _MISSING) != side[key]:
                expected[key] = side[key]
    for key in settled:
        if key in m:
            expected[key] = m[key]
        else:
            expected.pop(key, None)
    if _canonical(m) != _canonical(expected):
        raise Unmergeable("the merged front matter is not both sides' changes")


_MISSING = object()


def _canonical(data: dict[Any, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def merge_bodies(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    """git merge-file on the three bodies: the merged body and whether it has conflicts."""
    if ours == theirs or theirs == base:
        return ours, False
    if ours == base:
        return theirs, False
    done = git_merge_file(base, ours, theirs)
    if done.returncode < 0 or done.returncode > 127:
        raise Unmergeable(done.stderr.decode("utf-8", "replace").strip() or "git merge-file failed")
    return done.stdout.decode("utf-8"), done.returncode > 0


def git_merge_file(base: str, ours: str, theirs: str, *options: str) -> subprocess.CompletedProcess[bytes]:
    """`git merge-file -p [options]` on the three texts (written to a temporary folder): its
    CompletedProcess, output as bytes."""
    import subprocess  # here: git runs the driver as a new process per file, most never need these
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reviewer-merge-") as tmp:
        names = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            names.append(os.path.join(tmp, name))
            with open(names[-1], "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return subprocess.run(
            ["git", "merge-file", "-p", *options, *names], capture_output=True, env={**os.environ, "LC_ALL": "C"},
            check=False,
        )  # fmt: skip


def merge_files(base: str, ours: str, theirs: str, path: str, chosen: dict[str, str] | None = None) -> int:
    """The merge driver: merge the files into `ours` (git's %O %A %B); 0 when clean, 1 for git
    to report a conflict (ours is then left as git gave it)."""
    texts = []
    try:
        for name in (base, ours, theirs):
            with open(name, encoding="utf-8", newline="") as fh:
                texts.append(fh.read())
        if chosen and chosen.get(WHOLE_FILE) in texts[1:]:
            merged = Merged(chosen[WHOLE_FILE])
        else:
            merged = merge_texts(texts[0], texts[1], texts[2], path, chosen)
    except (Unmergeable, UnicodeDecodeError, OSError):
        return 1
    except Exception:  # whatever else a damaged side does: a normal git conflict, never a traceback
        return 1
    if not merged.clean:
        return 1
    with open(ours, "w", encoding="utf-8", newline="") as fh:
        fh.write(merged.text)
    return 0


def run_driver(base: str, ours: str, theirs: str, path: str) -> int:
    """`reviewer merge-driver %O %A %B %P`, with the editor's choices when a sync gives them."""
    chosen: dict[str, str] = {}
    resolutions = os.environ.get(RESOLUTIONS_ENV)
    if resolutions:
        try:
            with open(resolutions, encoding="utf-8") as fh:
                found = json.load(fh).get(path, {})
            chosen = {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
        except (OSError, ValueError, AttributeError):
            chosen = {}
    return merge_files(base, ours, theirs, path, chosen)
