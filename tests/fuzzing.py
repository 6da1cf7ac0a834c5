"""Damaged articles for fuzz tests: real and sample articles with seeded, repeatable mutations.

Each mutation is what a careless edit, a bad export or an attacker does to a file: flipped
bytes, control characters, tags the safe constructor refuses, huge numbers, deep nesting,
aliases, doubled keys, mixed line endings, truncation, a second byte-order mark.
"""

from __future__ import annotations

import random

from tests.helpers import CORPUS, EXAMPLES

TEMPLATE = (
    "---\ntitle: A template story\nexcerpt: Short.\nquality: 40\nheat: -1\npublished: false\n"
    "provider:\n  name: Wire\n  images:\n    - url: /assets/wire.png\ntopics:\n  - AI\n---\nBody text.\n"
)


def seeds() -> list[bytes]:
    """The articles mutations start from: the sample folder, the real corpus when it is there."""
    found = [TEMPLATE.encode()]
    for folder in (EXAMPLES, CORPUS):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.md")):
                data = path.read_bytes()
                if data.startswith(b"---") and len(data) < 200_000:
                    found.append(data)
    return found


BAD_VALUES = [
    b"!!int abc",
    b"!!bool yes x y",
    b"!!timestamp 2020-01-01 50",
    b"!!float not-a-number",
    b"!!binary ###",
    b"!!python/object/apply:os.system ['true']",
    b"!!set {a, b}",
    b"9" * 4301,
    b"-" + b"1" * 5000,
    b"&a [*a]",
    b"*undefined",
    b"{published: true}",
    b"[1, 2",
    b'"unterminated',
    b"@reserved",
    b"`backtick",
    b"|\n  literal\n   block",
    b"0x" + b"f" * 3600,  # read without Python's digit limit, then too large to print
    b"1" + b"0" * 400,  # too large to average as a float
]


def _front_matter_end(data: bytes) -> int:
    end = data.find(b"\n---", 3)
    return end if end > 0 else len(data)


def _value_position(rng: random.Random, data: bytes) -> tuple[int, int] | None:
    """Start and end of the value on a random `key: value` line of the front matter."""
    end = _front_matter_end(data)
    lines = []
    start = data.find(b"\n") + 1
    while 0 < start < end:
        stop = data.find(b"\n", start)
        stop = end if stop == -1 else stop
        colon = data.find(b": ", start, stop)
        if colon != -1 and data[start : start + 1] not in (b" ", b"-", b"#"):
            lines.append((colon + 2, stop))
        start = stop + 1
    return rng.choice(lines) if lines else None


def mutate(rng: random.Random, data: bytes) -> bytes:  # noqa: C901  (one branch a kind of damage)
    kind = rng.randrange(19)
    if not data:
        return data  # truncated to nothing by an earlier mutation
    fm_end = _front_matter_end(data)
    if kind == 0:  # flip one byte in the front matter
        i = rng.randrange(max(1, fm_end))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if kind == 1:  # a control character
        i = rng.randrange(4, max(5, fm_end))
        return data[:i] + bytes([rng.choice([1, 2, 7, 8, 11, 12, 14, 27, 31, 127])]) + data[i:]
    if kind == 2:  # a value the safe constructor refuses
        at = _value_position(rng, data)
        if at:
            return data[: at[0]] + rng.choice(BAD_VALUES) + data[at[1] :]
        return data
    if kind == 3:  # deep nesting, in flow or block style
        depth = rng.choice([50, 65, 120, 500, 995, 1500])
        if rng.random() < 0.5:
            nested = b"[" * depth + b"]" * depth
        else:
            nested = b"\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, min(depth, 200))) + b"  " * 200 + b"v: 1"
        return data[:4] + b"deep: " + nested + b"\n" + data[4:]
    if kind == 4:  # the first fence damaged
        return rng.choice([b"\xef\xbb\xbf\xef\xbb\xbf", b"\n", b"  ", b""]) + (
            data[3:] if rng.random() < 0.5 else data
        ).replace(b"---", rng.choice([b"-\xad-", b"--", b"-,-", b"---"]), 1)
    if kind == 5:  # truncated
        return data[: rng.randrange(len(data) + 1)]
    if kind == 6:  # an editable key twice
        key = rng.choice([b"published: true\n", b"quality: 5\n"])
        return data[:4] + key + data[4:]
    if kind == 7:  # line endings mixed
        return data.replace(b"\n", rng.choice([b"\r\n", b"\r"]), rng.randrange(1, 12))
    if kind == 8:  # an alias bomb or a self reference
        bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
            b"%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n"
            % ((bytes([98 + i]),) * 2 + (bytes([97 + i]),) * 9)
            for i in range(rng.randrange(3, 9))
        )
        return data[:4] + bomb + data[4:]
    if kind == 9:  # a NUL byte
        i = rng.randrange(len(data) + 1)
        return data[:i] + b"\x00" + data[i:]
    if kind == 10:  # bytes that are not UTF-8
        i = rng.randrange(len(data) + 1)
        return data[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"]) + data[i:]
    if kind == 11:  # unusual but valid text
        i = rng.randrange(4, max(5, fm_end))
        return data[:i] + "é€😀\u202e".encode() + data[i:]
    if kind == 12:  # a tab where YAML wants spaces
        return data.replace(b"\n  ", b"\n\t", 1)
    if kind == 13:  # the closing fence removed
        return data.replace(b"\n---", b"\n-- -", 1)
    if kind == 14:  # a long line
        return data[:4] + b"notes: " + b"x" * rng.choice([10_000, 200_000]) + b"\n" + data[4:]
    if kind == 15:  # a huge number where Reviewer reads one
        key = rng.choice([b"quality", b"heat"])
        return (
            data[:4]
            + key
            + b": "
            + rng.choice([b"0x" + b"f" * 3600, b"1" + b"0" * 400, b"0x" + b"1" * 20])
            + b"\n"
            + data[4:]
        )
    if kind == 16:  # a line break only YAML counts, then damage below it
        i = rng.randrange(4, max(5, fm_end))
        return data[:i] + rng.choice(["\u2028", "\u2029", "\x85"]).encode() + data[i:]
    if kind == 17:  # a key run into the opening fence
        return data.replace(b"---\n", b"---", 1)
    return data  # an untouched file among the damaged ones


def damaged_articles(count: int, seed: int = 9) -> list[bytes]:
    rng = random.Random(seed)
    pool = seeds()
    out = []
    for _ in range(count):
        data = rng.choice(pool)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            data = mutate(rng, data)
        out.append(data)
    return out


def starts_like_front_matter(data: bytes) -> bool:
    """The oracle for "every input is listed or named".

    A file that starts with '---' (after at most one byte-order mark) is front matter; so is
    one with a damaged start that a '---' line below still closes: extra byte-order marks,
    blank lines or spaces before the fence, or a fence with one dash changed or gone.
    """
    bom = b"\xef\xbb\xbf"
    body = data[3:] if data.startswith(bom) else data
    if body.startswith(b"---") and body[3:4] in (b"\n", b"\r", b" ", b"\t", b""):
        return True
    if body.startswith(bom):
        return True  # two byte-order marks: damaged whatever follows
    stripped = data.replace(bom, b"").lstrip(b" \t\r\n")
    first, _, rest = stripped.partition(b"\n")
    first = first.rstrip(b"\r").strip()
    joined = first.startswith(b"---") and first[3:4] not in (b"", b"-")  # `---title: x`
    near_fence = joined or first == b"---" or (len(first) in (2, 3, 4) and first.count(b"-") >= 2)
    return near_fence and any(line.rstrip(b"\r").rstrip(b" \t") == b"---" for line in rest.split(b"\n"))
