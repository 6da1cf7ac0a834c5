"""An article as `reviewer list` prints it: one JSON object, or one line of text.

Here, in the core, because the folder index keeps both forms of each article it holds: a
warm `reviewer list` prints them without building the article again.
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring as _quoted  # json's own (C) string encoder without ensure_ascii
from typing import Any

from .article import Article

STATUS_WORDS = {True: "published", False: "unpublished", None: "unset"}


def record(article: Article) -> dict[str, Any]:
    return {
        "path": article.relpath,
        "title": article.title,
        "published": article.published,
        "quality": article.quality,
        "heat": article.heat,
        "provider": article.provider_name,
        "date": article.date,
        "type": article.type,
        "topics": article.topics,
        "url": article.link,
    }


# Characters Python's str.splitlines (and JavaScript before ES2019) takes for line ends: escaped,
# so that one article is always one line whatever its text holds.
_LINE_ENDS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}  # below U+0020: json escapes
_LINE_END = re.compile("[\u2028\u2029\x85]")
_LITERALS = {True: "true", False: "false", None: "null"}


def json_line(article: Article) -> str:
    """One JSON object, on one line for any reader: json.dumps(record(article),
    ensure_ascii=False), written out here (each string by the encoder json.dumps itself uses;
    the numbers are ints, the rest true, false or null), in 5 us where json.dumps took 8 (a
    test holds the two to the same text).

    >>> from json import loads
    >>> loads(_one_line('"a\u2028b"')) == "a\u2028b" and "\u2028" not in _one_line('"a\u2028b"')
    True
    """
    quality, heat, topics = article.quality, article.heat, article.topics
    return _one_line(
        f'{{"path": {_quoted(article.relpath)}, "title": {_quoted(article.title)}, '
        f'"published": {_LITERALS[article.published]}, "quality": {"null" if quality is None else int(quality)}, '
        f'"heat": {"null" if heat is None else int(heat)}, "provider": {_quoted(article.provider_name)}, '
        f'"date": {_quoted(article.date)}, "type": {_quoted(article.type)}, '
        f'"topics": [{", ".join(map(_quoted, topics))}], "url": {_quoted(article.link)}}}'
    )


def _one_line(text: str) -> str:
    return _LINE_END.sub(lambda m: _LINE_ENDS[m.group()], text)


def text_line(article: Article) -> str:
    quality = "" if article.quality is None else str(article.quality)
    status = STATUS_WORDS[article.published]
    return f"{status:<11}  {quality:>4}  {article.date[:10]:<10}  {article.relpath}  {article.title}"
