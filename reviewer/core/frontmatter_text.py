"""Front matter as text: find it, parse it safely, and edit one top-level key in place.

Saving never re-serialises the YAML block. An edit rewrites the value on the key's own
line (or inserts one new line), then the new text is parsed again and compared with
the old metadata; anything but the intended change refuses the edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

BOM = "\ufeff"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# An expanded document larger than this many nodes is treated as an alias bomb.
MAX_EXPANDED_NODES = 200_000


class Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """The safe C loader, keeping dates as the text the editor wrote.

    Dates stay strings so that they show, sort and compare exactly as written and
    never gain a time zone or lose a format on the way through.
    """


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatterError(Exception):
    """Text that cannot be read as front matter; carries a problem kind and a line."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


class EditError(Exception):
    """An edit that cannot be made by changing one line, with the reason."""


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
    first_line: int  # 1-based line number of the first YAML line

    def yaml_text(self, text: str) -> str:
        return text[self.fm_start : self.fm_end]


_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*(\r\n|\n|\r)?$")
# A closing fence at the start of a line, with its line ending (none at the end of the text).
# An anchor (`&name`) where YAML allows one; "Signal & Noise" is not one.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s\[\]{},]", re.MULTILINE)
_LONE_CR = re.compile(r"\r(?!\n)")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r\n|\n|\r(?!\n)|\Z)", re.MULTILINE)


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
    if newline != "\r" and not _LONE_CR.search(text):  # the usual files: a regular expression finds it
        m = _CLOSING.search(text, first_end)
        if m is None:
            raise FrontMatterError("unclosed", "the front matter opened on line 1 is never closed by a '---' line", 1)
        return Split(start == 1, newline, first_end, m.start(), m.start(), m.end(), 2)
    pos, line = first_end, 2
    while pos < len(text):
        end = _line_end(text, pos)
        if _FENCE.match(text[pos:end]):
            return Split(start == 1, newline, first_end, pos, pos, end, 2)
        pos, line = end, line + 1
    raise FrontMatterError("unclosed", "the front matter opened on line 1 is never closed by a '---' line", 1)


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


def parse(yaml_text: str, first_line: int = 2) -> dict:
    """Parse front matter YAML into a dict, turning every failure into FrontMatterError."""
    try:
        data = fast_load(yaml_text)
    except (_Unusual, yaml.YAMLError):
        data = _full_load(yaml_text, first_line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            "not-mapping", f"the front matter is a {_yaml_kind(data)}, not a set of 'key: value' lines", first_line
        )
    if "&" in yaml_text and _ANCHOR.search(yaml_text):
        _check_expansion(data, first_line)
    return data


def _full_load(yaml_text: str, first_line: int):
    """PyYAML's own safe constructor: for the rare documents fast_load passes on, and for errors."""
    try:
        return yaml.load(yaml_text, Loader=Loader)
    except yaml.constructor.ConstructorError as exc:
        raise FrontMatterError("unsafe-tag", _yaml_message(exc), _yaml_line(exc, first_line)) from None
    except yaml.MarkedYAMLError as exc:
        raise FrontMatterError("invalid-yaml", _yaml_message(exc), _yaml_line(exc, first_line)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise FrontMatterError("invalid-yaml", str(exc).strip(), first_line) from None


class _Unusual(Exception):
    """A document fast_load leaves to the full constructor (merge keys, explicit tags, ...)."""


_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    _NULL: lambda node: None,
    _BOOL: lambda node: _CONSTRUCTOR.construct_yaml_bool(node),
    _INT: lambda node: _CONSTRUCTOR.construct_yaml_int(node),
    _FLOAT: lambda node: _CONSTRUCTOR.construct_yaml_float(node),
}
_MISSING_KEY = object()


def _plain_scalar(value: str):
    """A plain scalar resolved and constructed exactly as the safe loader does."""
    for tag, regexp in Loader.yaml_implicit_resolvers.get(value[0] if value else "", ()):
        if regexp.match(value):
            if tag in _CONSTRUCT:
                return _CONSTRUCT[tag](yaml.ScalarNode(tag, value))
            raise _Unusual(tag)
    return value


def fast_load(yaml_text: str):
    """Build the document straight from the C parser's events.

    Equal to yaml.load with Loader (a test checks this on real files) at about twice
    the speed: PyYAML's generic constructor costs more than the parsing itself.
    Raises _Unusual for anything outside plain mappings, sequences and scalars.
    """
    loader = Loader(yaml_text)
    try:
        return _build(loader.get_event)
    finally:
        loader.dispose()


def _build(get_event):
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    cache, missing = _PLAIN_CACHE, _MISSING_KEY
    anchors: dict = {}
    stack: list = []  # the enclosing containers: (container, pending key, is a mapping)
    container, key, is_map = None, missing, False
    get_event()  # stream start
    if get_event().__class__ is yaml.StreamEndEvent:
        return None
    while True:
        event = get_event()
        cls = event.__class__
        if cls is scalar:
            if event.implicit[0]:
                raw = event.value
                value = cache.get(raw, missing)
                if value is missing:
                    value = _plain_cached(raw)
            elif event.tag in (None, "!", _STR):
                value = event.value
            else:
                raise _Unusual(event.tag)
            if event.anchor is not None:
                anchors[event.anchor] = value
        elif cls is map_start or cls is seq_start:
            if event.tag not in (None, "!", _MAP, _SEQ):
                raise _Unusual(event.tag)
            value = {} if cls is map_start else []
            if event.anchor is not None:
                anchors[event.anchor] = value
            if container is not None:
                if not is_map:
                    container.append(value)
                elif key is missing:
                    raise _Unusual("complex key")
                else:
                    container[key] = value
                    key = missing
            stack.append((container, key, is_map))
            container, key, is_map = value, missing, cls is map_start
            continue
        elif cls is map_end or cls is seq_end:
            value = container
            container, key, is_map = stack.pop()
            if container is None:
                break
            continue
        elif cls is alias:
            if event.anchor not in anchors:
                raise _Unusual("unknown alias")
            value = anchors[event.anchor]
        else:
            raise _Unusual(cls.__name__)
        if container is None:
            break
        if not is_map:
            container.append(value)
        elif key is missing:
            if value.__class__ is dict or value.__class__ is list:
                raise _Unusual("complex key")
            key = value
        else:
            container[key] = value
            key = missing
    if get_event().__class__ is not yaml.DocumentEndEvent or get_event().__class__ is not yaml.StreamEndEvent:
        raise _Unusual("more than one document")
    return value


_PLAIN_CACHE: dict = {}


def _plain_cached(raw: str):
    """_plain_scalar, remembered for short scalars: keys and small values repeat endlessly."""
    if raw == "<<":
        raise _Unusual("merge key")
    value = _plain_scalar(raw)
    if len(raw) <= 24:
        if len(_PLAIN_CACHE) > 20_000:
            _PLAIN_CACHE.clear()
        _PLAIN_CACHE[raw] = value
    return value


def _yaml_line(exc: yaml.MarkedYAMLError, first_line: int) -> int:
    mark = exc.problem_mark or exc.context_mark
    return first_line + mark.line if mark is not None else first_line


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.context, exc.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    if mark is not None:
        text += f" (column {mark.column + 1})"
    return text


def _yaml_kind(value) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "plain string"
    return type(value).__name__


def _check_expansion(data, first_line: int) -> None:
    """Refuse documents whose aliases expand past a bound or refer to themselves."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(value) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise FrontMatterError("alias-bomb", "an alias refers to the value that contains it", first_line)
        active.add(key)
        children = value.values() if isinstance(value, dict) else value
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise FrontMatterError(
                    "alias-bomb",
                    f"aliases expand to more than {MAX_EXPANDED_NODES:,} values (an alias bomb?)",
                    first_line,
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(data)


# --- editing ---------------------------------------------------------------------------


def format_value(value) -> str:
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


def _key_pattern(key: str) -> re.Pattern:
    k = re.escape(key)
    return re.compile(rf"(?:{k}|\"{k}\"|'{k}')[ \t]*:(?=[ \t]|$)")


def _top_level_lines(text: str, sp: Split):
    """(start, end_without_newline, end_with_newline) of each line in the YAML block."""
    pos = sp.fm_start
    while pos < sp.fm_end:
        end = _line_end(text, pos)
        bare = end
        while bare > pos and text[bare - 1] in "\r\n":
            bare -= 1
        yield pos, bare, end
        pos = end


def _find_key_lines(text: str, sp: Split, key: str) -> list[tuple[int, int, int]]:
    pattern = _key_pattern(key)
    return [ln for ln in _top_level_lines(text, sp) if pattern.match(text, ln[0], ln[1])]


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


def _replace_value(text: str, line: tuple[int, int, int], key: str, new: str) -> str:
    start, bare, _ = line
    colon = _key_pattern(key).match(text, start, bare).end()
    m = _VALUE.match(text, colon, bare)
    if m is None:
        raise EditError(f"the '{key}' line is too unusual to edit safely")
    return text[: m.start("value")] + (" " if m.start("value") == colon else "") + new + text[m.end("value") :]


def set_keys(text: str, changes: dict, metadata: dict | None = None) -> str:
    """Return `text` with each top-level key in `changes` set, touching only those lines.

    `metadata` is the parse of `text` (parsed here when not given). The result is parsed
    again and must equal `metadata` updated with `changes`; otherwise EditError.

    >>> set_keys("---\\ntitle: A\\npublished: false # why\\n---\\n", {"published": True})
    '---\\ntitle: A\\npublished: true # why\\n---\\n'
    """
    sp = split(text)
    if metadata is None:
        metadata = parse(sp.yaml_text(text), sp.first_line)
    new_text = text
    for key, value in changes.items():
        new_text = _set_one(new_text, key, value)
    _verify(new_text, metadata, changes)
    return new_text


def _set_one(text: str, key: str, value) -> str:
    sp = split(text)
    lines = _find_key_lines(text, sp, key)
    if len(lines) > 1:
        raise EditError(f"'{key}' appears {len(lines)} times in the front matter")
    if lines:
        return _replace_value(text, lines[0], key, format_value(value))
    return _insert(text, sp, key, format_value(value))


def _insert(text: str, sp: Split, key: str, rendered: str) -> str:
    at = sp.close_start
    for anchor in INSERT_AFTER.get(key, ()):
        found = _find_key_lines(text, sp, anchor)
        if len(found) == 1:
            at = _block_end(text, sp, found[0][2])
            break
    new_line = f"{key}: {rendered}{sp.newline}"
    if at > sp.fm_start and text[at - 1] not in "\r\n":
        new_line = sp.newline + new_line
    return text[:at] + new_line + text[at:]


def _verify(new_text: str, old: dict, changes: dict) -> None:
    try:
        sp = split(new_text)
        new = parse(sp.yaml_text(new_text), sp.first_line)
    except FrontMatterError as exc:
        raise EditError(f"the edited front matter no longer parses ({exc.message})") from None
    counts = _top_level_key_counts(sp.yaml_text(new_text))
    for key in changes:
        if counts.get(key, 0) != 1:
            raise EditError(f"'{key}' would appear {counts.get(key, 0)} times in the front matter")
    expected = dict(old)
    expected.update(changes)
    if new != expected:
        wrong = sorted(k for k in set(new) | set(expected) if new.get(k, _MISSING) != expected.get(k, _MISSING))
        keys = ", ".join(map(str, wrong))
        raise EditError(
            f"editing the line would not give the intended result (differs in: {keys}); "
            "the key may be written in flow style, span several lines or appear twice"
        )
    for key, value in changes.items():
        if type(new[key]) is not type(value):
            raise EditError(f"'{key}' would read back as {new[key]!r}, not {value!r}")


_MISSING = object()


def _top_level_key_counts(yaml_text: str) -> dict:
    """How often each top-level key occurs; the parser itself keeps only the last."""
    node = yaml.compose(yaml_text, Loader=Loader)
    counts: dict = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                counts[key_node.value] = counts.get(key_node.value, 0) + 1
    return counts
