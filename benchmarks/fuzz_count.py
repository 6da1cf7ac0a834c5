"""Count what damaged articles do to reading and editing: the figures behind the hardening work.

    python benchmarks/fuzz_count.py [--cases 10000] [--code PATH]

--code runs the count against another checkout of Reviewer (an older commit, say), with
the same inputs, so that the figures before and after a change come from one run:

  raised      read_article or set_keys raised (anything but EditError from set_keys)
  caught      read_article's safety net caught an exception (kind 'unexpected')
  unnamed     the file starts like front matter but is neither an article nor a problem
  multiline   a problem message of more than one line
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def count(code: str, cases: int) -> dict[str, int]:
    sys.path.insert(0, str(HERE.parent))
    from tests.fuzzing import damaged_articles, starts_like_front_matter

    inputs = damaged_articles(cases)
    sys.path.insert(0, code)
    for name in [m for m in sys.modules if m == "reviewer" or m.startswith("reviewer.")]:
        del sys.modules[name]
    from reviewer.core.frontmatter_text import EditError, set_keys
    from reviewer.core.library import read_article
    from reviewer.core.problems import Problem

    figures = dict(raised=0, caught=0, unnamed=0, multiline=0, articles=0, problems=0)
    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(inputs):
            path = os.path.join(folder, f"{i:05}.md")
            with open(path, "wb") as fh:
                fh.write(data)
            try:
                item = read_article(path, folder)
            except Exception:
                figures["raised"] += 1
                continue
            if item is None:
                figures["unnamed"] += starts_like_front_matter(data)
            elif isinstance(item, Problem):
                figures["problems"] += 1
                figures["caught"] += item.kind == "unexpected"
                figures["multiline"] += "\n" in item.message
            else:
                figures["articles"] += 1
                try:
                    set_keys(data.decode("utf-8"), {"quality": 7}, item.original)
                except EditError:
                    pass
                except Exception:
                    figures["raised"] += 1
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--code", default=str(HERE.parent), help="the checkout whose reviewer/ is measured")
    args = parser.parse_args()
    start = time.perf_counter()
    figures = count(os.path.abspath(args.code), args.cases)
    took = time.perf_counter() - start
    print(f"{args.cases:,} damaged files, code from {args.code} ({took:.1f} s)")
    for key, value in figures.items():
        print(f"  {key:<10} {value:>6,}")


if __name__ == "__main__":
    main()
