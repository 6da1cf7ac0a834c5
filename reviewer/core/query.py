"""The query language: parse a search string into a predicate over articles.

    words                  every word in title, excerpt, provider name or path
    field:value            contains, case-insensitive; dotted keys reach nested values
    field:=value           equals;  field:>=60, field:<0, date:>=2023-01-01, date:2023-11
    field:#>2              count of a list (calibre style)
    published:true|false|unset   has:images   -term   a or b   ( ... )

>>> q = compile_query('topic:"Computer Vision" quality:>=60')
>>> q.describe()
'(topics contains "computer vision" and quality >= 60)'
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .article import SUMMARY_KEYS, Article

# Short names an editor types, mapped to the front-matter keys.
ALIASES = {
    "date": "publishedDateTime",
    "topic": "topics",
    "image": "images",
    "url": "originalUrl",
    "domain": "provider.domain",
}
OPERATORS = (">=", "<=", "!=", ">", "<", "=")

# The query language in one table: Help > Query Language shows it, the README has the same rows.
HELP = (
    ("robots lisbon", "every word in title, excerpt, provider name or path (any case)"),
    ("provider.domain:forbes.com", "a field containing the value; dotted keys reach nested values"),
    ('topic:AI, topic:"Computer Vision"', "any element of a list (topic means topics)"),
    ('title:="Exact title"', "equality instead of containment"),
    ("quality:>=60, heat:<0", "numeric comparisons (>, >=, <, <=, =, !=)"),
    ("date:2023-11, date:>=2023-01-01", "date is publishedDateTime, compared at the precision typed"),
    ("published:true, published:false, published:unset", "the three states"),
    ("has:images, has:related", "the field is present and not empty"),
    ("related:#>2, topics:#1", "the number of items in a list"),
    ("decision:none, decision:reject, decision:any", "the article's last decision in the review log"),
    ("editor:ana, decided:2026-11, decided:>=2026-11-28", "who made it, and when (at the precision typed)"),
    ("same:yes, same:3", "in a same-story cluster (of at least 3 articles); same:no in none"),
    ("-topic:AI, a or b, ( ... )", "negation, alternatives, grouping; terms side by side must all match"),
)
# What the query bar offers to complete: fields, and the values known for some of them.
FIELDS = (
    "title", "quality", "published", "heat", "provider.name", "provider.domain", "topic", "type", "category",
    "date", "url", "webUrl", "has", "related", "images", "decision", "editor", "decided", "same",
)  # fmt: skip
FIXED_VALUES = {
    "published": ("true", "false", "unset"),
    "decision": ("none", "any", "approve", "reject", "quality", "publish", "unpublish"),
    "has": ("images", "related", "topics", "provider", "quality", "published", "excerpt"),
    "same": ("yes", "no", "2", "3"),
}
SEEN_AT_MOST = 10_000  # distinct lists and mappings a query remembers its answer for
_FIELD = re.compile(r"([A-Za-z_][\w.\-]*):")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?$")


class QueryError(ValueError):
    """A malformed query, with the 0-based position of the error in the text."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, LPAREN, RPAREN, NOT, OR, AND
    text: str
    pos: int
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(Token("LPAREN" if c == "(" else "RPAREN", c, i))
            i += 1
        elif c == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
            tokens.append(Token("NOT", c, i))
            i += 1
        else:
            token, i = _read_word(text, i)
            upper = token.text.upper() if not token.quoted else ""
            if upper in ("OR", "AND", "NOT"):
                token = Token(upper, token.text, token.pos)
            tokens.append(token)
    return tokens


def quote(value: str) -> str:
    r"""A value as a query writes it, quoted when it must be.

    >>> quote("Reuters"), quote("Bright Foundry")
    ('Reuters', '"Bright Foundry"')
    >>> print(quote('say "hi" \\ bye'))
    "say \"hi\" \\ bye"
    >>> compile_query("provider.name:=" + quote('say "hi" \\ bye')).describe()
    'provider.name = "say "hi" \\ bye"'
    """
    if value and not any(c.isspace() or c in '()"\\-' for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_word(text: str, start: int) -> tuple[Token, int]:
    i, n = start, len(text)
    out = []
    quoted = False
    while i < n and not text[i].isspace() and text[i] not in "()":
        if text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\':
                    j += 1  # \" and \\ inside quotes: the character itself
                out.append(text[j])
                j += 1
            if j >= n:
                raise QueryError("this quote is never closed", i)
            quoted = True
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return Token("WORD", "".join(out), start, quoted and text[start] == '"'), i


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def kind(self) -> str | None:
        """The kind of the next token, None at the end."""
        token = self.peek()
        return token.kind if token is not None else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return Everything()
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            raise QueryError(
                "this ')' has no matching '('" if token.kind == "RPAREN" else f"unexpected '{token.text}'", token.pos
            )
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.kind() == "OR":
            token = self.take()
            if self.kind() in (None, "OR", "RPAREN"):
                raise QueryError("'or' needs a term after it", token.pos)
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while self.kind() not in (None, "OR", "RPAREN"):
            if self.kind() == "AND":
                token = self.take()
                if self.kind() in (None, "OR", "AND", "RPAREN"):
                    raise QueryError("'and' needs a term after it", token.pos)
            parts.append(self.parse_unary())
        words = tuple(w for p in parts if isinstance(p, Word) for w in p.words)
        if len(words) > 1:  # one pass over each article's text for all the words
            parts = [Word(words)] + [p for p in parts if not isinstance(p, Word)]
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError("the query ends where a term was expected", len(self.text))
        if token.kind == "NOT":
            self.take()
            if self.peek() is None:
                raise QueryError(f"'{token.text}' needs a term after it", token.pos)
            return Not(self.parse_unary())
        if token.kind == "LPAREN":
            self.take()
            if self.kind() == "RPAREN":
                raise QueryError("empty parentheses", token.pos)
            node = self.parse_or()
            if self.kind() != "RPAREN":
                raise QueryError("this '(' is never closed", token.pos)
            self.take()
            return node
        if token.kind in ("OR", "AND", "RPAREN"):
            raise QueryError(f"a term was expected, not '{token.text}'", token.pos)
        self.take()
        return _term(token)


def _term(token: Token) -> Node:
    m = None if token.quoted else _FIELD.match(token.text)
    if m is None:
        return Word((token.text.lower(),))
    field = m.group(1)
    raw = token.text[m.end() :]
    value_pos = token.pos + m.end()
    if field.lower() == "has":
        if not raw:
            raise QueryError("'has:' needs a field name, as in has:images", value_pos)
        return Has(ALIASES.get(raw.lower(), raw))
    if field.lower() == "published":
        return _published(raw, value_pos)
    if field.lower() == "decision":
        return _decision(raw, value_pos)
    if field.lower() == "same":
        return _same(raw, value_pos)
    if field.lower() in ("editor", "decided"):
        if not raw:
            raise QueryError(f"'{field}:' needs a value", value_pos)
        op = next((o for o in OPERATORS if raw.startswith(o)), "")
        return Decided(field.lower(), op, raw[len(op) :].lower())
    count = raw.startswith("#")
    if count:
        raw = raw[1:]
    op = next((o for o in OPERATORS if raw.startswith(o)), "")
    value = raw[len(op) :]
    if not value:
        raise QueryError(f"'{field}:' needs a value", value_pos)
    if count and not _NUMBER.match(value):
        raise QueryError(f"a count must be a number, not '{value}'", value_pos)
    name = ALIASES.get(field.lower(), field)
    if count:
        return Count(name, op or "=", int(float(value)))
    return Field(name, op, value)


def _published(raw: str, pos: int) -> Node:
    value = raw.lower().lstrip("=")
    states = {"true": True, "yes": True, "false": False, "no": False, "unset": None, "none": None}
    if value not in states:
        raise QueryError("published: takes true, false or unset", pos)
    return Published(states[value])


def _same(raw: str, pos: int) -> Node:
    value = raw.lower().lstrip("=").lstrip(">=")
    if value in ("yes", "true", "any"):
        return InCluster(2)
    if value in ("no", "false", "none"):
        return Not(InCluster(2))
    if value.isdigit() and int(value) >= 2:
        return InCluster(int(value))
    raise QueryError("same: takes yes, no, or a cluster size of 2 or more", pos)


DECISION_WORDS = ("none", "any", "approve", "reject", "quality", "publish", "unpublish")


def _decision(raw: str, pos: int) -> Node:
    value = raw.lower().lstrip("=")
    if value not in DECISION_WORDS:
        raise QueryError("decision: takes " + ", ".join(DECISION_WORDS), pos)
    return DecisionIs(value)


# --- the syntax tree; each node is a predicate -------------------------------------------


class Node:
    def __call__(self, article: Article) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Everything(Node):
    def __call__(self, article: Article) -> bool:
        return True

    def describe(self) -> str:
        return "everything"


@dataclass(frozen=True)
class Nothing(Node):
    """What a query with an error shows: no article, so that nothing acts on stale rows."""

    def __call__(self, article: Article) -> bool:
        return False

    def describe(self) -> str:
        return "nothing"


@dataclass(frozen=True)
class And(Node):
    parts: tuple[Node, ...]

    def __call__(self, article: Article) -> bool:
        # A plain loop, not all(): a filter calls this once an article, and a generator costs a frame each call.
        for part in self.parts:  # noqa: SIM110
            if not part(article):
                return False
        return True

    def describe(self) -> str:
        return "(" + " and ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True)
class Or(Node):
    parts: tuple[Node, ...]

    def __call__(self, article: Article) -> bool:
        for part in self.parts:  # noqa: SIM110  (a plain loop, as And's)
            if part(article):
                return True
        return False

    def describe(self) -> str:
        return "(" + " or ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True)
class Not(Node):
    part: Node

    def __call__(self, article: Article) -> bool:
        return not self.part(article)

    def describe(self) -> str:
        return "not " + self.part.describe()


@dataclass(frozen=True)
class Word(Node):
    """Free words: each must occur in the title, excerpt, provider name or path."""

    words: tuple[str, ...]

    def __call__(self, article: Article) -> bool:
        # Field by field, each lowered only when needed (a word never holds a line break, so it
        # cannot match across two fields): a fifth faster than lowering them joined.
        title = article.title.lower()
        excerpt = None
        for word in self.words:
            if word in title:
                continue
            if excerpt is None:
                excerpt = article.excerpt.lower()
            if word in excerpt or word in article.provider.name.lower() or word in article.relpath.lower():
                continue
            return False
        return True

    def describe(self) -> str:
        return " and ".join(f'"{w}"' for w in self.words)


@dataclass(frozen=True)
class Published(Node):
    state: bool | None

    def __call__(self, article: Article) -> bool:
        return article.published is self.state

    def describe(self) -> str:
        return "published is " + {True: "true", False: "false", None: "unset"}[self.state]


@dataclass(frozen=True)
class InCluster(Node):
    """same:yes and same:N: in a cluster of the same story told by N articles or more."""

    at_least: int

    def __call__(self, article: Article) -> bool:
        return article.same >= self.at_least

    def describe(self) -> str:
        return f"in a same-story cluster of {self.at_least} or more"


@dataclass(frozen=True)
class DecisionIs(Node):
    """decision:none (unpublished articles left in the queue have none), any, or its kind."""

    kind: str

    def __call__(self, article: Article) -> bool:
        decision = article.decision
        if self.kind == "none":
            return decision is None
        if self.kind == "any":
            return decision is not None
        return decision is not None and decision[0] == self.kind

    def describe(self) -> str:
        return f"decision is {self.kind}"


@dataclass(frozen=True)
class Decided(Node):
    """editor:NAME (who made the decision, any case) and decided:DATE (when; dates as date: compares)."""

    what: str  # "editor" or "decided"
    op: str
    value: str

    def __call__(self, article: Article) -> bool:
        decision = article.decision
        if decision is None:
            return False
        if self.what == "editor":
            name = decision[1].lower()
            return _compare(name, self.op, self.value) if self.op else self.value in name
        when = decision[2].lower()[: len(self.value)]
        return _compare(when, self.op or "=", self.value)

    def describe(self) -> str:
        return f"{self.what} {self.op or ('contains' if self.what == 'editor' else '=')} {self.value}"


@dataclass(frozen=True)
class Has(Node):
    name: str

    def __call__(self, article: Article) -> bool:
        if "." not in self.name:
            size = article.size_of(self.name)
            if size is not None:
                return size > 0
            if self.name not in article.key_names():
                return False
        return any(_present(v) for v in resolve(article, self.name))

    def describe(self) -> str:
        return f"has {self.name}"


@dataclass(frozen=True)
class Count(Node):
    name: str
    op: str
    number: int

    def __call__(self, article: Article) -> bool:
        if "." not in self.name:
            size = article.size_of(self.name)
            if size is None:  # a single value counts as one, when it is there
                return _compare(1 if _present(article.value(self.name)) else 0, self.op, self.number)
            return _compare(size, self.op, self.number)
        raw = resolve(article, self.name, flatten=False)
        n = sum(len(v) if isinstance(v, (list, dict)) else (1 if _present(v) else 0) for v in raw)
        return _compare(n, self.op, self.number)

    def describe(self) -> str:
        return f"count of {self.name} {self.op} {self.number}"


@dataclass(frozen=True)
class Field(Node):
    name: str
    op: str
    value: str
    # Worked out once per query, not once per article:
    _wanted: str = field(init=False, repr=False, compare=False)
    _number: float | None = field(init=False, repr=False, compare=False)
    # Keys the article keeps decoded are read directly; others go through resolve().
    _fast: tuple[str, tuple[str, ...]] | None = field(init=False, repr=False, compare=False)
    # Lists and mappings (topics, provider) are one object for every article that has the same
    # one (core.article shares them): each is looked at once a query. id -> (the object, result);
    # holding the object keeps its id from being reused.
    _seen: dict[int, tuple[Any, bool]] = field(init=False, repr=False, compare=False)
    _compare_number: Callable[[Any, Any], bool] | None = field(init=False, repr=False, compare=False)
    _compare_prefix: Callable[[Any, Any], bool] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_wanted", self.value.lower())
        object.__setattr__(self, "_number", float(self.value) if _NUMBER.match(self.value) else None)
        first, *rest = self.name.split(".")
        object.__setattr__(self, "_fast", (first, tuple(rest)) if first in SUMMARY_KEYS else None)
        object.__setattr__(self, "_seen", {})
        numeric = self._number is not None and not self._fast[1] if self._fast else False
        object.__setattr__(self, "_compare_number", _OPERATORS.get(self.op or "=") if numeric else None)
        # date:>=2020-01: ordered text, compared at the precision typed (see _match)
        ordered = self.op in (">", "<", ">=", "<=") and self._number is None and bool(self._fast) and not rest
        object.__setattr__(self, "_compare_prefix", _OPERATORS[self.op] if ordered else None)

    def __call__(self, article: Article) -> bool:
        if self._fast is None:
            return any(self._match(v) for v in resolve(article, self.name))
        value = article.value(self._fast[0])
        if self._compare_number is not None and type(value) is int:  # quality:>=60: the usual, at once
            return self._compare_number(value, self._number)
        if self._compare_prefix is not None and type(value) is str:
            wanted = self._wanted
            return self._compare_prefix(value.lower()[: len(wanted)], wanted)
        if isinstance(value, (list, dict)):
            seen = self._seen.get(id(value))
            if seen is not None and seen[0] is value:
                return seen[1]
            if len(self._seen) > SEEN_AT_MOST:
                self._seen.clear()
            found = self._seen[id(value)] = (value, self._matches(article, value))
            return found[1]
        return self._matches(article, value)

    def _matches(self, article: Article, value: Any) -> bool:
        for part in self._fast[1] if self._fast else ():
            if isinstance(value, dict):
                value = value[part] if part in value else _lookup(value, part)
                if value is _MISSING:
                    return False
            elif isinstance(value, list):
                return any(self._match(v) for v in resolve(article, self.name))
            else:
                return False
        if isinstance(value, list):
            match = self._match
            for item in value:  # noqa: SIM110  (a plain loop, as And's)
                if match(item):
                    return True
            return False
        return value is not None and self._match(value)

    def _match(self, actual: Any) -> bool:
        op, wanted, number = self.op, self._wanted, self._number
        if isinstance(actual, bool):
            return _compare("true" if actual else "false", op or "=", wanted)
        if isinstance(actual, (int, float)) and number is not None:
            return _compare(actual, op or "=", number)
        if isinstance(actual, dict):
            return any(self._match(v) for v in actual.values() if not isinstance(v, (dict, list)))
        if actual is None:
            return False
        text = (actual if isinstance(actual, str) else str(actual)).lower()
        if not op:
            return wanted in text
        if op == "=" or op == "!=":
            return _compare(text, op, wanted)
        if number is not None and _NUMBER.match(text):
            return _compare(float(text), op, number)
        # Dates and other ordered text: compare at the precision the editor typed.
        return _compare(text[: len(wanted)], op, wanted)

    def describe(self) -> str:
        verb = {"": "contains", "=": "=", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}[self.op]
        value = self.value if _NUMBER.match(self.value) else f'"{self.value.lower()}"'
        return f"{self.name} {verb} {value}"


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
}  # fmt: skip


def _compare(a: Any, op: str, b: Any) -> bool:
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == ">":
        return bool(a > b)
    if op == "<":
        return bool(a < b)
    if op == ">=":
        return bool(a >= b)
    return bool(a <= b)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (str, list, dict)):
        return bool(value)
    return True


_MISSING = object()


def resolve(article: Article, name: str, flatten: bool = True) -> list[Any]:
    """Values at a dotted key; lists along the way fan out, so any element can match."""
    if name == "path":
        return [article.relpath]
    first, _, rest = name.partition(".")
    keys = article.key_names()
    if first not in keys:  # keys match in any case
        lowered = first.lower()
        found = next((k for k in keys if isinstance(k, str) and k.lower() == lowered), None)
        if found is None:
            return []
        first, name = found, found + ("." + rest if rest else "")
    if first in SUMMARY_KEYS:
        value = article.value(first)
        values = [] if value is None and not article.has(first) else [value]
        parts = rest.split(".") if rest else []
    else:
        values = [article.metadata]
        parts = name.split(".")
    for part in parts:
        nxt = []
        for value in values:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found = _lookup(item, part)
                    if found is not _MISSING:
                        nxt.append(found)
        values = nxt
    if not flatten:
        return values
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _lookup(mapping: dict[Any, Any], key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for k, v in mapping.items():
        if isinstance(k, str) and k.lower() == lowered:
            return v
    return _MISSING


def compile_query(text: str) -> Node:
    """Parse `text` into a predicate; raises QueryError with a position when malformed."""
    return _Parser(text).parse()


def uses_decisions(node: Node) -> bool:
    """Whether the query looks at articles' decisions (decision:, editor:, decided:): only
    then must the review log be read for it, a log that grows with every day's work."""
    if isinstance(node, DecisionIs | Decided):
        return True
    if isinstance(node, And | Or):
        return any(uses_decisions(part) for part in node.parts)
    if isinstance(node, Not):
        return uses_decisions(node.part)
    return False
