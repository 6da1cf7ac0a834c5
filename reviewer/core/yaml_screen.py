"""The fast YAML path: yaml-rs, where a screen of the text proves it reads the same as PyYAML.

PyYAML reads YAML 1.1, as Jekyll does; yaml-rs (Rust) reads YAML 1.2, several times faster.
They differ on `yes`/`no`/`on`/`off`, `017`, `0o17`, `1:20`, `1_000`, `1e3`, `.5`, `+1`, merge
keys, tags, anchors, duplicate keys, complex keys, line breaks such as U+2028, and more. So
yaml-rs reads a front matter only when one regular expression matches all of it, line by
line, in the forms where the two cannot differ:

- a line is blank, a comment, or `key: value`, `- value`, `- key: value` at any indentation
  (at most 24 spaces and 4 dashes, so never deeper than fast_yaml.MAX_DEPTH:
  real front matter nests four levels);
- a key is a plain word that no resolver turns into anything but a string (not `yes`, `on`,
  `null`...), written once at the top level;
- a value is a quoted string on one line (double quotes with the escapes both read alike),
  a decimal integer of at most 18 digits, a decimal number with digits on both sides of
  its point, `true`, `false`, `null`, `~`, nothing, `[]`, `{}`, a date or time (both keep
  the text: dates are not parsed, see fast_yaml.Loader), or a plain string that starts
  with a letter and holds no `: ` and no ` #`, none of the words the two read otherwise;
- no tab, and no character PyYAML refuses or reads as a line break (U+0085, U+2028, U+2029).

Anything else (block scalars, flow collections with items, anchors, tags, multi-line plain
strings, numbers in other forms), and any error of yaml-rs, goes to the reader as before.
The differential test (tests/core/test_yaml_screen.py) reads every article of the corpora,
the generated sets and the fuzz corpus both ways. yaml-rs is optional: without it (or with
REVIEWER_NO_FAST_YAML=1) every text goes the old way.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any


def fast_loads() -> Any:
    """yaml_rs.loads, imported the first time it is asked for (6-12 ms: no start-up that reads
    no file pays for it); None when the fast path is off: yaml-rs cannot be imported (a wheel
    that does not install, a platform without one: then every file reads as before), or
    REVIEWER_NO_FAST_YAML is set."""
    return _fast()[0]


def fast_path() -> tuple[str, str]:
    """The fast path's reader ('yaml-rs'), or '' and why it is off."""
    loads, why_not = _fast()
    return ("yaml-rs", "") if loads is not None else ("", why_not)


@functools.cache
def _fast() -> tuple[Any, str]:
    """yaml_rs.loads (None: the fast path is off) and why not, looked for once."""
    try:
        if os.environ.get("REVIEWER_NO_FAST_YAML"):
            raise ImportError("turned off by REVIEWER_NO_FAST_YAML")
        import yaml_rs
    except ImportError as exc:
        return None, str(exc)
    return yaml_rs.loads, ""


NOT_SCREENED = object()  # what `screened_load` returns for a text it leaves to the old reader
WATCHED = ("published", "quality")  # fast_yaml.WATCHED_KEYS (a test checks they are the same)

# yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL|y|Y|n|N,
# written as a tree (and a few more, such as yES): tried at every key and value
_WORDS_11 = "(?:[yY](?:es|ES)?|[nN](?:[oO]|ull|ULL)?|[oO](?:[nN]|ff|FF)|[tT](?:rue|RUE)|[fF](?:alse|ALSE))"
_KEY = rf"(?!(?:{_WORDS_11}):)[A-Za-z_][A-Za-z0-9_-]*+"  # always followed by the colon
_VALUE = (
    r'(?:"(?:[^"\\\n]++|\\[0abtnvfre "/\\N_LP]|\\x[0-9a-fA-F]{2}|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4}'
    r'|\\U000[0-9a-fA-F]{5})*+"'  # one line, double quotes, escapes both read alike (no lone surrogate)
    r"|'(?:[^'\n]++|'')*+'"
    r"|-?(?:0|[1-9][0-9]{0,17}+)(?:\.[0-9]++)?"  # decimal integers and numbers
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]++)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"|\[\]|\{\}|~"
    r"|true|false|null"
    # a plain string: a letter (or / $ ( _ ^ ;) first, not a word 1.1 reads as a boolean or null;
    # or a digit first and a letter no number has (`13newsnow.com`, `11-50 employees`)
    rf"|(?:(?!(?:{_WORDS_11})[ ]*+(?:\r?\n|\Z))[^\W\d]|[/$(^;]|[0-9](?=[^\r\n#g-np-wyzG-NP-WYZ]*+[g-np-wyzG-NP-WYZ]))"
    r"(?:[^\r\n:#]++|:(?=[^\s])|(?<=[^\s])#)*+)"
)
_DASHES = r"(?:-(?:[ ]|(?=\r?\n)|\Z)){0,4}+[ ]{0,3}+"
_LINE = rf"[ ]{{0,24}}+(?:#[^\n]*+|{_DASHES}(?:{_KEY}:(?:[ ]++{_VALUE})?|{_VALUE})?[ ]*+)"
# Each repetition possessive where what follows cannot start with what it repeats, and the
# lines one possessive run: the same texts pass as with backtracking (a line that fails is never
# tried again in another way), in 0.8x the time (20 % of a real file's screen went into
# backtracking over runs of spaces and digits that could not end otherwise).
_DOCUMENT_PATTERN = rf"(?:{_LINE}\r?\n)*+(?:{_LINE})?"
# What PyYAML refuses (control characters, C1, lone surrogates, U+FFFE/U+FFFF), reads as a line
# break (U+0085, U+2028, U+2029) or drops (a byte order mark); and tabs. Looked for in the UTF-8
# bytes once the printable ASCII is taken out (bytes.translate, in C): what is left is short, and
# a sequence found there is a whole character (lead bytes are never continuation bytes). A
# search of the text for the characters took 4 ns a character; this, 1 (107 -> 40 us a real file).
_PRINTED = bytes(range(0x20, 0x7F)) + b"\n\r"
_REFUSED_UTF8 = re.compile(
    rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]"
)
_PLAIN_VALUE = re.compile(r"[ ]+(?![\"'\[{]|#)\S")  # a watched key's value, plain on its own line


def screened_load(
    yaml_text: str, key_counts: dict[Any, int] | None = None, plain_lines: dict[str, int] | None = None
) -> Any:
    """The document as PyYAML (fast_yaml.Loader) reads it, by yaml-rs, when the screen passes;
    NOT_SCREENED otherwise. `key_counts` and `plain_lines` as fast_yaml.fast_load fills them."""
    loads = fast_loads()
    if loads is None or _refused(yaml_text) or not document().fullmatch(yaml_text):
        return NOT_SCREENED
    try:  # a key twice, at any level, is an error here (PyYAML keeps the last): the old reader says so
        data = loads(yaml_text, parse_datetime=False)
    except Exception:  # whatever yaml-rs refuses, the old reader reads or explains
        return NOT_SCREENED
    if key_counts is not None and isinstance(data, dict):
        key_counts.update((key, 1) for key in data)
    if plain_lines is not None:
        for key in WATCHED:
            _watched_line(yaml_text, key, plain_lines)
    return data


@functools.cache
def document() -> re.Pattern[str]:
    """The screen's pattern, compiled the first time (3.5 ms)."""
    return re.compile(_DOCUMENT_PATTERN)


def _refused(yaml_text: str) -> bool:
    """Whether the text holds a character PyYAML refuses or reads otherwise (see _PRINTED).

    >>> [_refused(text) for text in ("a: b\\r\\n", "a: caf\\u00e9", "a: b\\tc", "a\\u2028b", "\\ud800")]
    [False, False, True, True, True]
    """
    try:
        rest = yaml_text.encode("utf-8").translate(None, _PRINTED)
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return bool(rest) and _REFUSED_UTF8.search(rest) is not None


def _watched_line(yaml_text: str, key: str, plain_lines: dict[str, int]) -> None:
    """The 0-based line of `key: value` at the top level, when the value is plain on that line."""
    if yaml_text.startswith(key + ":"):
        at = 0
    else:
        at = yaml_text.find(f"\n{key}:") + 1
        if at == 0:
            return
    if _PLAIN_VALUE.match(yaml_text, at + len(key) + 1):
        plain_lines[key] = yaml_text.count("\n", 0, at)
