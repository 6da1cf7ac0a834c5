"""An article as `reviewer list` prints it: one JSON object, or one line of text.

Here, in the core, because the folder index keeps both forms of each article it holds: a
warm `reviewer list` prints them without building the article again.
"""

from __future__ import annotations

import json
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
        "provider": article.provider.name,
        "date": article.date,
        "type": article.type,
        "topics": article.topics,
        "url": article.link,
    }


def json_line(article: Article) -> str:
    return json.dumps(record(article), ensure_ascii=False)


def text_line(article: Article) -> str:
    quality = "" if article.quality is None else str(article.quality)
    status = STATUS_WORDS[article.published]
    return f"{status:<11}  {quality:>4}  {article.date[:10]:<10}  {article.relpath}  {article.title}"
