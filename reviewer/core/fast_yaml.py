"""A fast reader for front-matter YAML: the document built straight from the C parser's events.

Why: PyYAML's generic constructor costs more than the parsing itself. Building plain
mappings, sequences and scalars from the events of the C parser gives the same result
(checked against `yaml.load` with the same Loader on every real file and on generated
documents) in about 60% of the time: the reason `reviewer list` over 20,000 articles
runs at half the time of a python-frontmatter loop.

What it does not handle it hands back by raising `Unusual`: explicit tags other than
`!!str`, `!!map`, `!!seq`, merge keys, complex keys, several documents, and scalars the
safe constructor would refuse. The caller then uses PyYAML's own safe constructor
(`frontmatter_text.parse` does), which is slower but complete.

Nesting deeper than `MAX_DEPTH` raises `TooDeep`, before anything recursive (the full
constructor, marshal, the alias check) can meet it: real front matter nests four levels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MAX_DEPTH = 64


class Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """The safe C loader, keeping dates as the text the editor wrote.

    Dates stay strings so that they show, sort and compare exactly as written and
    never gain a time zone or lose a format on the way through.
    """


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Unusual(Exception):
    """A document fast_load leaves to the full constructor (merge keys, explicit tags, ...)."""


class TooDeep(Exception):
    """Values nested deeper than MAX_DEPTH; `line` is the 0-based line where the limit was passed."""

    def __init__(self, line: int):
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")
        self.line = line


_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    _NULL: lambda node: None,
    _BOOL: _CONSTRUCTOR.construct_yaml_bool,
    _INT: _CONSTRUCTOR.construct_yaml_int,
    _FLOAT: _CONSTRUCTOR.construct_yaml_float,
}
_MISSING = object()


def plain_scalar(value: str) -> Any:
    """A plain scalar resolved and constructed exactly as the safe loader does.

    >>> plain_scalar("42"), plain_scalar("yes"), plain_scalar("~"), plain_scalar("2023-01-02")
    (42, True, None, '2023-01-02')
    """
    for tag, regexp in Loader.yaml_implicit_resolvers.get(value[0] if value else "", ()):
        if regexp.match(value):
            if tag not in _CONSTRUCT:
                raise Unusual(tag)
            try:
                return _CONSTRUCT[tag](yaml.ScalarNode(tag, value))
            except ValueError:  # e.g. an integer of more than 4,300 digits
                raise Unusual(tag) from None
    return value


# Top-level keys whose value lines are remembered (see fast_load's `plain_lines`).
WATCHED_KEYS = frozenset(("published", "quality"))


def fast_load(
    yaml_text: str, key_counts: dict[Any, int] | None = None, plain_lines: dict[str, int] | None = None
) -> Any:
    """The document in `yaml_text`, as `yaml.load(yaml_text, Loader)` would build it.

    `key_counts`, when given, receives how often each top-level key occurs (the document
    keeps only the last): an edit's check needs both, and one pass is half the work.
    `plain_lines` receives, for each of WATCHED_KEYS whose value is a plain scalar with no
    tag or anchor on the key's own line, that 0-based line: what an edit of that line can
    rely on (frontmatter_text.set_keys).
    Raises Unusual for what it leaves to the full constructor, TooDeep past MAX_DEPTH,
    and yaml.YAMLError for text that is not YAML.
    """
    loader = Loader(yaml_text)
    try:
        return _build(loader.get_event, key_counts, plain_lines)
    finally:
        loader.dispose()


def _build(  # noqa: C901  (one loop over the parser's events, a branch an event kind: the hot path of reading)
    get_event: Callable[[], Any],
    key_counts: dict[Any, int] | None = None,
    plain_lines: dict[str, int] | None = None,
) -> Any:
    # One loop over the events with an explicit stack: no recursion, and the hot names in locals.
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    cache, missing = _PLAIN_CACHE, _MISSING
    anchors: dict[str, Any] = {}
    stack: list[tuple[Any, Any, bool]] = []  # the enclosing containers: (container, pending key, is a mapping)
    container: Any = None
    key: Any = missing
    is_map = False
    watched: tuple[str, int] | None = None  # a watched top-level key and its line, until its value comes
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
                raise Unusual(event.tag)
            if event.anchor is not None:
                anchors[event.anchor] = value
            if watched is not None and key is not missing and len(stack) == 1:
                line = watched[1]
                if (
                    event.implicit[0]
                    and not event.style  # plain: the C parser says "", the Python one None
                    and event.anchor is None
                    and event.start_mark.line == line
                    and event.end_mark.line == line
                ):
                    plain_lines[watched[0]] = line  # type: ignore[index]
                watched = None
        elif cls is map_start or cls is seq_start:
            if event.tag not in (None, "!", _MAP, _SEQ):
                raise Unusual(event.tag)
            if len(stack) >= MAX_DEPTH:
                raise TooDeep(event.start_mark.line)
            value = {} if cls is map_start else []
            if event.anchor is not None:
                anchors[event.anchor] = value
            if container is not None:
                if not is_map:
                    container.append(value)
                elif key is missing:
                    raise Unusual("complex key")
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
                raise Unusual("unknown alias")
            value = anchors[event.anchor]
        else:
            raise Unusual(cls.__name__)
        if container is None:
            break
        if not is_map:
            container.append(value)
        elif key is missing:
            if value.__class__ is dict or value.__class__ is list:
                raise Unusual("complex key")
            key = value
            if len(stack) == 1:
                if key_counts is not None:
                    key_counts[key] = key_counts.get(key, 0) + 1
                if plain_lines is not None and key in WATCHED_KEYS and cls is scalar:
                    plain_lines.pop(key, None)  # a repeated key is never the plain single one
                    watched = (key, event.start_mark.line) if key_counts is None or key_counts[key] == 1 else None
                else:
                    watched = None
        else:
            container[key] = value
            key = missing
    if get_event().__class__ is not yaml.DocumentEndEvent or get_event().__class__ is not yaml.StreamEndEvent:
        raise Unusual("more than one document")
    return value


_PLAIN_CACHE: dict[str, Any] = {}


def _plain_cached(raw: str) -> Any:
    """plain_scalar, remembered for short scalars: keys and small values repeat endlessly."""
    if raw == "<<":
        raise Unusual("merge key")
    value = plain_scalar(raw)
    if len(raw) <= 24:
        if len(_PLAIN_CACHE) > 20_000:
            _PLAIN_CACHE.clear()
        _PLAIN_CACHE[raw] = value
    return value
