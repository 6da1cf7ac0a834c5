"""Problems: a file that could not be read as an article, with a kind, a line and a sentence."""

from __future__ import annotations

from dataclasses import dataclass

# kind -> short label shown to the editor
KINDS = {
    "invalid-yaml": "invalid YAML",
    "invalid-value": "value not readable",
    "invalid-character": "character not allowed",
    "too-deep": "values nested too deep",
    "no-front-matter": "front matter not at the start",
    "unclosed": "front matter not closed",
    "not-utf8": "not UTF-8",
    "binary": "binary content",
    "not-mapping": "front matter is not a mapping",
    "unsafe-tag": "unsafe or unknown tag",
    "alias-bomb": "aliases expand too far",
    "too-large": "file too large",
    "unreadable": "unreadable file",
    "broken-link": "broken symbolic link",
    "link-loop": "symbolic link loop",
    "unexpected": "unexpected error",
    "log-line": "review log line skipped",
    "log-unreadable": "review log not read",
}


@dataclass(frozen=True)
class Problem:
    path: str  # absolute
    relpath: str
    kind: str
    message: str
    line: int | None = None

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def format(self) -> str:
        """`path:line: kind: message`, the form compilers use and editors can jump to."""
        where = f"{self.relpath}:{self.line}" if self.line else self.relpath
        return f"{where}: {self.kind}: {self.message}"
