"""Problem lines on damaged files: how many name a line other than the bad character's?

    python benchmarks/fuzz_lines.py [--cases 2000] [--code PATH]

Each case is an article of the sample folder (and the corpus, when it is there) with some
of: non-ASCII text, a line break only YAML counts (U+2028, U+2029, U+0085), CR-only line
ends; then a control character at a random place in the front matter. The expected line
counts the line breaks YAML counts up to that character; only problems that name the
character are scored (the damage can make an earlier YAML error, rightly named first).
--code scores another checkout too.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile

from checkout import use_checkout

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def cases(count: int) -> list[tuple[str, int]]:
    sys.path.insert(0, HERE)
    from tests.fuzzing import seeds

    sys.path.remove(HERE)
    rng = random.Random(11)
    pool = [s.decode("utf-8") for s in seeds() if s.startswith(b"---\n") and b"\n---" in s[3:]]
    out = []
    for _ in range(count):
        text = rng.choice(pool)
        end = text.index("\n---", 3)
        if rng.random() < 0.5:
            at = rng.randrange(4, end)
            text = text[:at] + rng.choice(["é", "東京", "ü€"]) + text[at:]
        if rng.random() < 0.3:
            at = text.index("\ntitle:") + 7 if "\ntitle:" in text else 4
            text = text[:at] + rng.choice(["\u2028", "\u2029", "\x85"]) + text[at:]
        if rng.random() < 0.2:
            text = text.replace("\n", "\r")
        end = max(text.find("\n---", 3), text.find("\r---", 3))
        at = rng.randrange(4, end)
        text = text[:at] + chr(rng.choice([1, 2, 7, 8, 14, 27, 31])) + text[at:]
        out.append((text, len(BREAKS.findall(text, 0, at)) + 1))
    return out


def score(code: str, found: list[tuple[str, int]]) -> tuple[int, int]:
    use_checkout(code)
    from reviewer.core.library import scan

    wrong = named = 0
    with tempfile.TemporaryDirectory() as folder:
        for i, (text, _) in enumerate(found):
            with open(os.path.join(folder, f"{i:05}.md"), "wb") as fh:
                fh.write(text.encode("utf-8"))
        result = scan(folder)
        for problem in result.problems:
            if problem.kind != "invalid-character":
                continue  # an earlier error the damage made (a line break inside a quoted title): its own line
            named += 1
            expected = found[int(os.path.basename(problem.path)[:5])][1]
            wrong += problem.line != expected
    return wrong, named


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--code", help="another checkout to score in the same run")
    args = parser.parse_args()
    found = cases(args.cases)
    for code in [HERE] + ([os.path.abspath(args.code)] if args.code else []):
        wrong, named = score(code, found)
        print(f"{code}: {wrong:,} of {named:,} bad characters named on another line ({args.cases:,} cases)")


if __name__ == "__main__":
    main()
