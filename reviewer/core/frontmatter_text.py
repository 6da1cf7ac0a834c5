"""Front matter as text: find it, parse it safely, and edit one top-level key in place.

Saving never re-serialises the YAML block. An edit rewrites the value on the key's own
line (or inserts or removes one line), then the new text is parsed again and compared
with the old metadata; anything but the intended change refuses the edit.

Reading never raises anything but FrontMatterError, whatever the text: a file that
cannot be read is a problem with a kind, a line and one sentence, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from .fast_yaml import MAX_DEPTH, WATCHED_KEYS, Loader, TooDeep, Unusual, fast_load, plain_scalar
from .yaml_screen import NOT_SCREENED, screened_load

BOM = "\ufeff"
FIRST_YAML_LINE = 2  # the line after the opening '---'
# An expanded document larger than this many nodes is treated as an alias bomb.
MAX_EXPANDED_NODES = 200_000

__all__ = ["BOM", "EditError", "FrontMatterError", "Loader", "Split", "UNSET", "parse", "read", "set_keys", "split"]


class FrontMatterError(Exception):
    """Text that cannot be read as front matter; carries a problem kind and a line."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


class EditError(Exception):
    """An edit that cannot be made by changing one line, with the reason."""


class _Unset:
    """The value of an edit that removes the key's line (`reviewer set --quality unset`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"  # one object, also after pickling


UNSET = _Unset()


@dataclass(frozen=True)
class Split:
    """Where the parts of an article's text are, as offsets into the text.

    `fm_start`/`fm_end` bound the YAML between the fences; `close_start` is where the
    closing fence line begins; `body_start` is the first character after it.
    """

    bom: bool
    newline: str
    fm_start: int
    fm_end: int
    close_start: int
    body_start: int
    lone_cr: bool = False  # some line ends with a lone '\r' (a regular expression's ^ does not see it)

    def yaml_text(self, text: str) -> str:
        return text[self.fm_start : self.fm_end]


_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*(\r\n|\n|\r)?$")
# An anchor (`&name`) where YAML allows one (at the start, or after a space, `[`, `{` or `,`);
# "Signal & Noise" is not one. The `&` first: the search then skips to each `&` (10 us a real
# file with an "&" in a link, against 620 us with the start of the line or the space first).
_ANCHOR = re.compile(r"&(?<![^\s\[{,]&)[^\s\[\]{},]")
_LONE_CR = re.compile(r"\r(?!\n)")
# A closing fence at the start of a line, with its line ending (none at the end of the text).
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r(?!\n)|\Z)", re.MULTILINE)
# The line breaks PyYAML (and libyaml) count: a problem's line is the one its marks say.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _closing(text: str, pos: int) -> re.Match[str] | None:
    """The closing fence's line from `pos` (a line's start) on: the lines that start with '---'
    or '...' found by str.find, each tried by _CLOSING (a search of every line's start with the
    expression alone cost 9 us a file)."""
    while pos <= len(text):
        m = _CLOSING.match(text, pos)
        if m is not None:
            return m
        found = [at for at in (text.find("\n---", pos), text.find("\n...", pos)) if at >= 0]
        if not found:
            return None
        pos = min(found) + 1
    return None


def split(text: str) -> Split:
    """Locate the front matter in `text`; raise FrontMatterError when it has none.

    >>> s = split("---\\ntitle: A\\n---\\nbody")
    >>> s.yaml_text("---\\ntitle: A\\n---\\nbody"), s.body_start
    ('title: A\\n', 17)
    """
    start = 1 if text.startswith(BOM) else 0
    first_end = _line_end(text, start)
    if text[start:first_end].rstrip(" \t\r\n") != "---":
        raise FrontMatterError("no-front-matter", "the file does not start with a '---' line", 1)
    newline = _newline_of(text[start:first_end])
    lone_cr = "\r" in text and (newline == "\r" or _LONE_CR.search(text) is not None)
    if not lone_cr:  # the usual files: a regular expression finds the closing fence
        m = _closing(text, first_end)
        if m is None:
            raise FrontMatterError("unclosed", "the front matter opened on line 1 is never closed by a '---' line", 1)
        return Split(start == 1, newline, first_end, m.start(), m.start(), m.end())
    pos = first_end
    while pos < len(text):
        end = _line_end(text, pos)
        if _FENCE.match(text[pos:end]):
            return Split(start == 1, newline, first_end, pos, pos, end, lone_cr=True)
        pos = end
    raise FrontMatterError("unclosed", "the front matter opened on line 1 is never closed by a '---' line", 1)


def read(text: str, plain_lines: dict[str, int] | None = None) -> tuple[Split, dict[Any, Any]]:
    """Split `text` and parse its front matter: the one way in for a file's text.

    `plain_lines` receives the lines an edit can rely on (see fast_yaml.fast_load).

    >>> read("---\\ntitle: A\\nquality: 7\\n---\\n")[1]
    {'title': 'A', 'quality': 7}
    """
    sp = split(text)
    return sp, parse(sp.yaml_text(text), plain_lines=plain_lines)


# The lines of WATCHED_KEYS kept in one int on every article: 20 bits a key, 0 for none.
_WATCHED = tuple(sorted(WATCHED_KEYS))


def pack_lines(lines: dict[str, int]) -> int:
    """
    >>> unpack_lines(pack_lines({"quality": 41, "published": 3}))
    {'published': 3, 'quality': 41}
    """
    packed = 0
    for i, key in enumerate(_WATCHED):
        if key in lines and lines[key] < (1 << 20) - 1:
            packed |= (lines[key] + 1) << (20 * i)
    return packed


def unpack_lines(packed: int) -> dict[str, int]:
    lines = {}
    for i, key in enumerate(_WATCHED):
        value = (packed >> (20 * i)) & ((1 << 20) - 1)
        if value:
            lines[key] = value - 1
    return lines


def _line_end(text: str, pos: int) -> int:
    """Index just past the line ending of the line that starts at `pos`."""
    nl = text.find("\n", pos)
    cr = text.find("\r", pos)
    if cr != -1 and (nl == -1 or cr < nl):
        return cr + 2 if text.startswith("\r\n", cr) else cr + 1
    return len(text) if nl == -1 else nl + 1


def _newline_of(line: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return "\n"


def line_of(text: str, position: int) -> int:
    """0-based line of a character offset, counting the line breaks YAML counts (\\n, \\r\\n,
    \\r, U+0085, U+2028, U+2029).

    >>> line_of("a\\r\\nb\\rc\\nd", 7), line_of("a\\u2028b\\x85c", 4)
    (3, 2)
    """
    return len(_LINE_BREAK.findall(text, 0, position))


# --- parsing ---------------------------------------------------------------------------

_TOO_DEEP = f"values nest more than {MAX_DEPTH} levels deep"


def parse(
    yaml_text: str,
    first_line: int = FIRST_YAML_LINE,
    key_counts: dict[Any, int] | None = None,
    plain_lines: dict[str, int] | None = None,
) -> dict[Any, Any]:
    """Parse front matter YAML into a dict; every failure is a FrontMatterError with a line.

    `first_line` is the file's line number of the text's first line, for messages;
    `key_counts` receives how often each top-level key occurs; `plain_lines` see fast_load.
    """
    full = False
    try:
        data = screened_load(yaml_text, key_counts, plain_lines)
        screened = data is not NOT_SCREENED
        if not screened:
            data = fast_load(yaml_text, key_counts, plain_lines)
    except TooDeep as exc:
        raise FrontMatterError("too-deep", _TOO_DEEP, first_line + exc.line) from None
    except (Unusual, yaml.YAMLError):
        data = _full_load(yaml_text, first_line)
        full, screened = True, False
        if plain_lines is not None:
            plain_lines.clear()  # what the fast reader saw before it gave up is not relied on
        if key_counts is not None:
            key_counts.clear()
            key_counts.update(_top_level_key_counts(yaml_text))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            "not-mapping", f"the front matter is a {_yaml_kind(data)}, not a set of 'key: value' lines", first_line
        )
    # What the screen passed has no anchor, alias or tag (no token starts with & * or !), is not
    # nested past MAX_DEPTH (see yaml_screen) and has no integer of more than 18 digits: only
    # quality and heat to check (a search for anchors cost 7 us a file where an "&" is written).
    if full or (not screened and "&" in yaml_text and _ANCHOR.search(yaml_text)):
        _check_shape(data, yaml_text, first_line)
    _check_numbers(data, yaml_text, first_line, whole=not screened)
    return data


# Numbers: `quality` and `heat` are added up and averaged as floats, exact up to 2**53; any
# integer is printed, and Python prints at most 4,300 digits (hex is read with no such limit:
# `0x` and 3,600 digits read fine and then stopped `reviewer list`). The two keys are looked at
# in every file (1.1 reads `9_007_199_254_740_993` and `1:20:30` as integers too, which a search
# for long runs of digits missed); the whole document only when it is long enough to hold an
# integer past printing (4 bits a character at most, in hex): a search of every text for runs
# of digits cost more than reading it with yaml-rs.
NUMBER_KEYS = ("quality", "heat")
LARGEST_COUNTED = 2**53
_LARGEST_PRINTED_BITS = 14_000  # 4,214 decimal digits
_SHORTEST_UNPRINTABLE = _LARGEST_PRINTED_BITS // 4
_LONG_NUMBER = re.compile(r"[0-9a-fA-F_:]{15}")  # where an error points when it has no key's line


def _check_numbers(data: dict[Any, Any], yaml_text: str, first_line: int, whole: bool = True) -> None:
    """quality and heat within what is counted exactly; with `whole`, every integer within what
    Python prints (a document too short to hold one is not walked)."""
    for key in NUMBER_KEYS:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_COUNTED:
            found = re.search(rf"^{key}[ \t]*:", yaml_text, re.MULTILINE)
            line = line_of(yaml_text, found.start()) if found else 0
            message = f"{key} is a number of {_digits(value)} digits; the largest Reviewer reads is {LARGEST_COUNTED:,}"
            raise FrontMatterError("invalid-value", message, first_line + line)
    if not whole or len(yaml_text) < _SHORTEST_UNPRINTABLE:
        return
    stack: list[Any] = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, int) and value.bit_length() > _LARGEST_PRINTED_BITS:
            found = _LONG_NUMBER.search(yaml_text)
            line = line_of(yaml_text, found.start()) if found else 0
            message = f"a number of {_digits(value)} digits; the largest Reviewer reads has 4,214"
            raise FrontMatterError("invalid-value", message, first_line + line)


def _digits(value: int) -> str:
    """About how many decimal digits, without printing it (which is what fails).

    >>> _digits(10**400), _digits(16**5000)
    ('401', 'about 6,021')
    """
    bits = abs(value).bit_length()
    return f"{len(str(value).lstrip('-'))}" if bits < 4000 else f"about {int(bits * 0.30103) + 1:,}"


def _full_load(yaml_text: str, first_line: int) -> Any:
    """PyYAML's own safe constructor: for the rare documents fast_load passes on, and for errors."""
    try:
        return yaml.load(yaml_text, Loader=Loader)
    except yaml.reader.ReaderError as exc:
        position = _char_position(yaml_text, exc)
        line = line_of(yaml_text, position)
        message = _reader_message(exc, yaml_text, position)
        raise FrontMatterError("invalid-character", message, first_line + line) from None
    except yaml.constructor.ConstructorError as exc:
        kind = "unsafe-tag" if "constructor for the tag" in (exc.problem or "") else "invalid-value"
        raise FrontMatterError(kind, _yaml_message(exc), _yaml_line(exc, first_line)) from None
    except yaml.MarkedYAMLError as exc:
        raise FrontMatterError("invalid-yaml", _yaml_message(exc), _yaml_line(exc, first_line)) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError("invalid-yaml", _one_line(str(exc)), first_line) from None
    except RecursionError:
        raise FrontMatterError("too-deep", _TOO_DEEP, first_line) from None
    except Exception:  # a constructor refusing a value: ValueError, KeyError, AttributeError, ...
        line, message = _find_bad_value(yaml_text)
        raise FrontMatterError("invalid-value", message, first_line + line) from None


_TAG_WORDS = {
    "tag:yaml.org,2002:int": "an integer (!!int)",
    "tag:yaml.org,2002:float": "a number (!!float)",
    "tag:yaml.org,2002:bool": "true or false (!!bool)",
    "tag:yaml.org,2002:timestamp": "a date (!!timestamp)",
    "tag:yaml.org,2002:binary": "base64 data (!!binary)",
    "tag:yaml.org,2002:null": "null (!!null)",
}


def _find_bad_value(yaml_text: str) -> tuple[int, str]:
    """The 0-based line and a sentence for the first scalar the safe constructor refuses."""
    try:
        loader = Loader(yaml_text)
        try:
            root = loader.get_single_node()
            pending = [root] if root is not None else []
            seen: set[int] = set()
            while pending:  # depth first, in document order; each node once, however often aliased
                node = pending.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, yaml.ScalarNode):
                    try:
                        loader.construct_object(node)
                    except Exception:
                        return node.start_mark.line, _bad_value_message(node)
                else:
                    children = (
                        [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
                    )
                    pending.extend(reversed(children))
        finally:
            loader.dispose()
    except Exception:
        pass
    return 0, "a value cannot be read by the safe YAML loader"


def _bad_value_message(node: yaml.ScalarNode) -> str:
    value = node.value
    shown = value if len(value) <= 40 else value[:18] + "…" + value[-18:] + f" ({len(value):,} characters)"
    return f"the value {shown!r} is not {_TAG_WORDS.get(node.tag, node.tag)}"


def _char_position(text: str, exc: yaml.reader.ReaderError) -> int:
    """The character offset of a reader error: libyaml reports a byte offset into the UTF-8
    text (after any non-ASCII text the two differ), PyYAML's own reader a character offset."""
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    position = int(exc.position)
    if 0 <= position < len(text) and ord(text[position]) == code:
        return position
    return len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))


def _reader_message(exc: yaml.reader.ReaderError, text: str, position: int) -> str:
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    starts = [m.end() for m in _LINE_BREAK.finditer(text, 0, position)]
    column = position - (starts[-1] if starts else 0) + 1
    return f"character U+{code:04X} at column {column} is not allowed in YAML ({exc.reason})"


def _yaml_line(exc: yaml.MarkedYAMLError, first_line: int) -> int:
    mark = exc.problem_mark or exc.context_mark
    return first_line + mark.line if mark is not None else first_line


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.context, exc.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    if mark is not None:
        text += f" (column {mark.column + 1})"
    return _one_line(text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "plain string"
    return type(value).__name__


_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]+")


def _check_shape(data: Any, yaml_text: str, first_line: int) -> None:
    """Refuse values nested too deep, and aliases that expand past a bound or refer to themselves.

    Iterative, so that no document can make it recurse.
    """
    alias = _ALIAS.search(yaml_text)
    alias_line = first_line + (line_of(yaml_text, alias.start() + 1) if alias else 0)
    sizes: dict[int, int] = {}
    ancestors: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    while stack:
        value, depth, finished = stack.pop()
        key = id(value)
        children = list(value.values()) if isinstance(value, dict) else value
        if finished:
            ancestors.discard(key)
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_EXPANDED_NODES:
                raise FrontMatterError(
                    "alias-bomb",
                    f"aliases expand to more than {MAX_EXPANDED_NODES:,} values (an alias bomb?)",
                    alias_line,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in ancestors:
            raise FrontMatterError("alias-bomb", "an alias refers to the value that contains it", alias_line)
        if depth > MAX_DEPTH:
            raise FrontMatterError("too-deep", _TOO_DEEP, first_line)
        ancestors.add(key)
        stack.append((value, depth, True))
        stack.extend((c, depth + 1, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)


# --- editing ---------------------------------------------------------------------------


def format_value(value: object) -> str:
    """The YAML text written for an edited value."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    raise EditError(f"cannot write a value of type {type(value).__name__}")


# Keys after which a missing key is inserted, in order of preference.
INSERT_AFTER = {
    "published": ("heat", "quality"),
    "quality": ("heat", "published"),
}

_Line = tuple[int, int, int]  # start, end without the line break, end with it


_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def _key_pattern(key: str, whole_text: bool = False) -> re.Pattern[str]:
    """`key:` at the start of a line, plain or quoted; `whole_text` finds it anywhere in a text."""
    found = _PATTERNS.get((key, whole_text))
    if found is None:
        k = re.escape(key)
        if whole_text:
            found = re.compile(rf"^(?:{k}|\"{k}\"|'{k}')[ \t]*:(?=[ \t\r\n]|\Z)", re.MULTILINE)
        else:
            found = re.compile(rf"(?:{k}|\"{k}\"|'{k}')[ \t]*:(?=[ \t]|$)")
        _PATTERNS[(key, whole_text)] = found
    return found


def _top_level_lines(text: str, sp: Split) -> Iterator[_Line]:
    pos = sp.fm_start
    while pos < sp.fm_end:
        end = _line_end(text, pos)
        bare = end
        while bare > pos and text[bare - 1] in "\r\n":
            bare -= 1
        yield pos, bare, end
        pos = end


def _find_key_lines(text: str, sp: Split, key: str) -> list[_Line]:
    if sp.lone_cr:  # line by line, as a regular expression's ^ does not follow a lone \r
        pattern = _key_pattern(key)
        return [ln for ln in _top_level_lines(text, sp) if pattern.match(text, ln[0], ln[1])]
    lines = []
    for m in _key_pattern(key, whole_text=True).finditer(text, sp.fm_start, sp.fm_end):
        end = _line_end(text, m.start())
        bare = end
        while bare > m.start() and text[bare - 1] in "\r\n":
            bare -= 1
        lines.append((m.start(), bare, end))
    return lines


def _block_end(text: str, sp: Split, line_end: int) -> int:
    """End of a top-level key's block: the next non-blank line at column 0."""
    pos = line_end
    last = line_end
    while pos < sp.fm_end:
        end = _line_end(text, pos)
        line = text[pos:end]
        if line.strip() and line[0] not in " \t#":
            break
        if line.strip() and not line.lstrip().startswith("#"):
            last = end
        pos = end
    return last


_VALUE = re.compile(r"[ \t]*(?P<value>[^#\r\n]*?)(?P<tail>[ \t]+#.*|[ \t]*)$")


def _replace_value(text: str, line: _Line, key: str, new: str) -> str:
    start, bare, _ = line
    colon = _key_pattern(key).match(text, start, bare)
    m = _VALUE.match(text, colon.end(), bare) if colon else None
    if colon is None or m is None:
        raise EditError(f"the '{key}' line is too unusual to edit safely")
    space = " " if m.start("value") == colon.end() else ""
    return text[: m.start("value")] + space + new + text[m.end("value") :]


def set_keys(
    text: str,
    changes: dict[str, Any],
    metadata: dict[Any, Any] | Callable[[], dict[Any, Any]] | None = None,
    plain_lines: dict[str, int] | None = None,
    known: dict[Any, Any] | None = None,
) -> str:
    """Return `text` with each top-level key in `changes` set, touching only those lines.

    A value of UNSET removes the key's line. `metadata` is the parse of `text` (parsed
    here when not given). The result is parsed again and must equal `metadata` updated
    with `changes`; otherwise EditError, whatever went wrong.

    `plain_lines` (what parsing `text` found, see fast_yaml.fast_load) allows a shorter check
    for the usual edit: when a key's value is a plain one-line scalar on its own line, and
    that value is replaced on that line by true, false or a number, no other token of the
    document changes; the edited line alone is parsed to confirm it. Anything else is
    checked by parsing the whole new text.

    `metadata` may also be a function that returns it, called only when the shorter check
    cannot decide; that check then looks at `known`, the values the file has for the keys
    to change (a saved article keeps them unpacked for the list, the rest packed).

    >>> set_keys("---\\ntitle: A\\npublished: false # why\\n---\\n", {"published": True})
    '---\\ntitle: A\\npublished: true # why\\n---\\n'
    >>> set_keys("---\\ntitle: A\\nquality: 5\\n---\\n", {"quality": UNSET})
    '---\\ntitle: A\\n---\\n'
    """
    unpack = metadata if callable(metadata) else None
    values = known if callable(metadata) else metadata  # what the shorter check looks at
    try:
        if values is not None and plain_lines:
            quick = _replace_plain_values(text, changes, values, plain_lines)
            if quick is not None:
                return quick
        whole = unpack() if unpack is not None else values
        if whole is None:
            whole = read(text)[1]
        new_text = text
        for key, value in changes.items():
            new_text = _set_one(new_text, key, value)
        _verify(new_text, whole, changes)
    except EditError:
        raise
    except FrontMatterError as exc:
        raise EditError(f"the front matter cannot be read: {exc.message}") from None
    except Exception as exc:  # anything else is still a refusal for this file, never a crash
        raise EditError(f"the edit could not be checked ({type(exc).__name__}: {_one_line(str(exc))[:120]})") from None
    return new_text


def _replace_plain_values(
    text: str, changes: dict[str, Any], metadata: dict[Any, Any], plain_lines: dict[str, int]
) -> str | None:
    """The edit by set_keys's shorter check, or None when any condition for it fails."""
    try:
        return _replace_plain_values_checked(text, changes, metadata, plain_lines)
    except (Unusual, FrontMatterError, EditError):
        return None  # the whole check decides


def _replace_plain_values_checked(
    text: str, changes: dict[str, Any], metadata: dict[Any, Any], plain_lines: dict[str, int]
) -> str | None:
    for key, value in changes.items():
        if value is UNSET or not isinstance(value, int):  # bool is an int too
            return None
        if key not in plain_lines or key not in metadata:
            return None
        sp = split(text)
        if sp.lone_cr:
            return None
        lines = _find_key_lines(text, sp, key)
        if len(lines) != 1 or text.count("\n", sp.fm_start, lines[0][0]) != plain_lines[key]:
            return None
        start, bare, _ = lines[0]
        colon = _key_pattern(key).match(text, start, bare)
        old = _VALUE.match(text, colon.end(), bare) if colon else None
        if old is None or not _same(plain_scalar(old.group("value")), metadata[key]):
            return None
        text = _replace_value(text, lines[0], key, format_value(value))
        end = _line_end(text, start)
        if not _same(_line_value(text[start:end], key), value):
            return None
    return text


# An edited line parsed alone -> its key's value. The same few lines ("published: true") are
# checked file after file: parsed once, not a thousand times (a tenth of a save's own work).
_LINE_VALUES: dict[tuple[str, str], Any] = {}


def _line_value(line: str, key: str) -> Any:
    found = _LINE_VALUES.get((line, key), _LINE_VALUES)
    if found is _LINE_VALUES:
        found = parse(line).get(key, _MISSING)
        if len(_LINE_VALUES) >= 1024:
            _LINE_VALUES.clear()
        _LINE_VALUES[(line, key)] = found
    return found


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _set_one(text: str, key: str, value: Any) -> str:
    sp = split(text)
    lines = _find_key_lines(text, sp, key)
    if len(lines) > 1:
        raise EditError(f"'{key}' appears {len(lines)} times in the front matter")
    if value is UNSET:
        return _remove(text, sp, lines[0], key) if lines else text
    if lines:
        return _replace_value(text, lines[0], key, format_value(value))
    return _insert(text, sp, key, format_value(value))


def _remove(text: str, sp: Split, line: _Line, key: str) -> str:
    start, _, end = line
    if _block_end(text, sp, end) != end:
        raise EditError(f"'{key}' spans several lines; remove it in your editor")
    return text[:start] + text[end:]


def _insert(text: str, sp: Split, key: str, rendered: str) -> str:
    at = sp.close_start
    for anchor in INSERT_AFTER.get(key, ()):
        found = _find_key_lines(text, sp, anchor)
        if len(found) == 1:
            at = _block_end(text, sp, found[0][2])
            break
    newline = _ending_before(text, at) or sp.newline
    new_line = f"{key}: {rendered}{newline}"
    if at > sp.fm_start and text[at - 1] not in "\r\n":
        new_line = newline + new_line
    return text[:at] + new_line + text[at:]


def _ending_before(text: str, at: int) -> str:
    """The line ending of the line just above `at`: a new line matches its neighbour."""
    if text.endswith("\r\n", 0, at):
        return "\r\n"
    if at and text[at - 1] in "\r\n":
        return text[at - 1]
    return ""


def _verify(new_text: str, old: dict[Any, Any], changes: dict[str, Any]) -> None:
    counts: dict[Any, int] = {}
    try:
        new = parse(split(new_text).yaml_text(new_text), key_counts=counts)
    except FrontMatterError as exc:
        raise EditError(f"the edited front matter no longer parses ({exc.message})") from None
    expected = dict(old)
    for key, value in changes.items():
        wanted = 0 if value is UNSET else 1
        if counts.get(key, 0) != wanted:
            raise EditError(f"'{key}' would appear {counts.get(key, 0)} times in the front matter")
        if value is UNSET:
            expected.pop(key, None)
        else:
            expected[key] = value
    if new != expected:
        wrong = sorted(str(k) for k in set(new) | set(expected) if new.get(k, _MISSING) != expected.get(k, _MISSING))
        raise EditError(
            f"editing the line would not give the intended result (differs in: {', '.join(wrong)}); "
            "the key may be written in flow style, span several lines or appear twice"
        )
    for key, value in changes.items():
        if value is not UNSET and type(new[key]) is not type(value):
            raise EditError(f"'{key}' would read back as {new[key]!r}, not {value!r}")


_MISSING = object()


def _top_level_key_counts(yaml_text: str) -> dict[Any, int]:
    """How often each top-level key occurs; the parser itself keeps only the last."""
    node = yaml.compose(yaml_text, Loader=Loader)
    counts: dict[Any, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                counts[key_node.value] = counts.get(key_node.value, 0) + 1
    return counts
