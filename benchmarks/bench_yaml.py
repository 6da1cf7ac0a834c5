"""The YAML readers side by side, per front matter, in one run: what the fast path was chosen by.

    python benchmarks/bench_yaml.py [--n 1500]

On the real corpus's azure-2021q1 (when ../shared is there) and on generated articles, best of 3:
  pyyaml       fast_yaml.fast_load: PyYAML's C parser, YAML 1.1 (the reader everything falls back to)
  screen       yaml_screen's check of the text alone (characters and line grammar)
  yaml-rs      yaml_rs.loads, YAML 1.2, Python values
  screened     yaml_screen.screened_load: the screen, then yaml-rs (what a file that passes costs)
  ryml tree    rapidyaml's tree alone (no Python values), when rapidyaml is installed
  ryml values  rapidyaml's tree emitted as JSON and read by json.loads: its quickest way to
               Python values; it types scalars by its own rules (`~` and `017` stay strings)
rapidyaml is not a dependency: `pip install rapidyaml` into the venv to measure it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from generate import data_folder  # noqa: E402

from reviewer.core import yaml_screen  # noqa: E402
from reviewer.core.fast_yaml import fast_load  # noqa: E402
from reviewer.core.frontmatter_text import FrontMatterError, split  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "corpus", "azure-2021q1")


def front_matters(folder: str, n: int) -> list[str]:
    texts = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.md"), recursive=True))[:n]:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        try:
            texts.append(split(text).yaml_text(text))
        except FrontMatterError:
            continue
    return texts


def best_us(read: Callable[[str], object], texts: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            read(text)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def readers() -> dict[str, Callable[[str], object]]:
    found: dict[str, Callable[[str], object]] = {
        "pyyaml": lambda text: fast_load(text, {}, {}),
        "screen": lambda text: not yaml_screen._refused(text) and yaml_screen.document().fullmatch(text),
    }
    loads = yaml_screen.fast_loads()
    if loads is not None:
        found["yaml-rs"] = lambda text: loads(text, parse_datetime=False)
        found["screened"] = lambda text: yaml_screen.screened_load(text, {}, {})
    try:
        import ryml  # type: ignore[import-not-found]
    except ImportError:
        print("rapidyaml is not installed: not measured (pip install rapidyaml)")
    else:

        def values(text: str) -> object:
            tree = ryml.parse_in_arena(text.encode())
            return json.loads(ryml.emit_json_malloc(tree, tree.root_id()))

        found["ryml tree"] = lambda text: ryml.parse_in_arena(text.encode())
        found["ryml values"] = values
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1500)
    args = parser.parse_args()
    sets = {"generated": front_matters(data_folder(20000), args.n)}
    if os.path.isdir(CORPUS):
        sets = {"azure-2021q1": front_matters(CORPUS, args.n), **sets}
    else:
        print(f"no corpus at {CORPUS}: generated articles only")
    found = readers()
    for name, texts in sets.items():
        size = sum(map(len, texts)) // max(1, len(texts))
        passed = sum(yaml_screen.screened_load(t) is not yaml_screen.NOT_SCREENED for t in texts)
        print(f"{name}: {len(texts)} front matters, {size:,} characters on average, {passed} pass the screen")
        base = best_us(found["pyyaml"], texts)
        for label, read in found.items():
            us = best_us(read, texts) if label != "pyyaml" else base
            print(f"  {label:12s} {us:8.1f} us  ({us / base:.2f}x pyyaml)")


if __name__ == "__main__":
    main()
