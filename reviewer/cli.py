"""The `reviewer` command: list, check and set for scripts and CI; the window otherwise."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__
from .core.article import Article, shown
from .core.library import ScanResult, read_article, scan
from .core.problems import Problem
from .core.query import QueryError, compile_query
from .core.storage import SaveError, save

COMMANDS = ("list", "check", "set")
EPILOG = """commands:
  reviewer [FOLDER]                      open the window on FOLDER (the last one when omitted)
  reviewer list ROOT [--query Q] [--json]
  reviewer check ROOT
  reviewer set [--published true|false] [--quality N] FILE...
  reviewer set [--published true|false] [--quality N] --where QUERY ROOT

run 'reviewer COMMAND --help' for a command's options."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        args = _command_parser().parse_args(argv)
        try:
            return args.run(args)
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            return 130
    args = _window_parser().parse_args(argv)
    from .ui.application import run_window  # Qt is imported only for the window

    return run_window(args.folder)


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer",
        description="Review, publish and rate the articles of a Markdown content folder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    parser.add_argument("folder", nargs="?", help="the content folder to open")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="one line per article")
    p.add_argument("root", help="the content folder")
    p.add_argument("--query", "-q", default="", help="only articles matching this query")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("check", help="report files that cannot be read; exit 1 when there are any")
    p.add_argument("root", help="the content folder")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("set", help="set published and/or quality, saving only those lines")
    p.add_argument("--published", choices=("true", "false"))
    p.add_argument("--quality", type=_quality, metavar="N", help="a whole number, 0 or more")
    p.add_argument("--where", metavar="QUERY", help="edit every article under ROOT that matches QUERY")
    p.add_argument("paths", nargs="+", metavar="FILE|ROOT")
    p.set_defaults(run=cmd_set)
    return parser


def _quality(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("quality cannot be negative")
    return value


# --- list ---------------------------------------------------------------------------------


def cmd_list(args) -> int:
    try:
        predicate = compile_query(args.query)
    except QueryError as exc:
        _error(f"query: {exc.message}\n  {args.query}\n  {' ' * exc.position}^")
        return 2
    result = _scan(args.root)
    if result is None:
        return 2
    out = sys.stdout
    for article in result.articles:
        if not predicate(article):
            continue
        if args.json:
            out.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
        else:
            out.write(_list_line(article) + "\n")
    _mention_problems(result, args.root)
    return 0


def _mention_problems(result: ScanResult, root: str) -> None:
    if result.problems:
        n = len(result.problems)
        _error(
            f"{n} file{'s' if n != 1 else ''} could not be read and {'are' if n != 1 else 'is'} not listed; "
            f"'reviewer check {root}' names them"
        )


def article_record(article: Article) -> dict:
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


def status_word(published: bool | None) -> str:
    return {True: "published", False: "unpublished", None: "unset"}[published]


def _list_line(article: Article) -> str:
    quality = "" if article.quality is None else str(article.quality)
    status = status_word(article.published)
    return f"{status:<11}  {quality:>4}  {article.date[:10]:<10}  {article.relpath}  {article.title}"


# --- check --------------------------------------------------------------------------------


def cmd_check(args) -> int:
    result = _scan(args.root)
    if result is None:
        return 2
    print(f"{len(result.articles)} articles, {result.skipped} skipped files, {len(result.problems)} problems")
    for problem in result.problems:
        print(problem.format())
    return 1 if result.problems else 0


# --- set ----------------------------------------------------------------------------------


def cmd_set(args) -> int:
    changes = {}
    if args.published is not None:
        changes["published"] = args.published == "true"
    if args.quality is not None:
        changes["quality"] = args.quality
    if not changes:
        _error("set: give --published and/or --quality")
        return 2
    if args.where is not None:
        if len(args.paths) != 1:
            _error("set: with --where, give exactly one ROOT folder")
            return 2
        targets = _where(args.where, args.paths[0])
        if targets is None:
            return 2
    else:
        targets = [_read_one(path) for path in args.paths]
    failed = 0
    for target in targets:
        failed += not _apply(target, changes)
    if failed:
        _error(f"{failed} file{'s' if failed != 1 else ''} not changed")
    return 1 if failed else 0


def _where(query: str, root: str):
    try:
        predicate = compile_query(query)
    except QueryError as exc:
        _error(f"query: {exc.message}\n  {query}\n  {' ' * exc.position}^")
        return None
    result = _scan(root)
    if result is None:
        return None
    _mention_problems(result, root)
    return [a for a in result.articles if predicate(a)]


def _read_one(path: str) -> Article | Problem | str:
    shown = path
    if not os.path.exists(path) and not os.path.islink(path):
        return f"{shown}: no such file"
    if os.path.isdir(path):
        return f"{shown}: is a folder (use --where QUERY ROOT to edit a folder)"
    item = read_article(os.path.abspath(path), os.getcwd())
    if item is None:
        return f"{shown}: not an article (it does not start with a '---' front matter line)"
    if isinstance(item, Article):
        item.relpath = shown
    return item


def _apply(target, changes: dict) -> bool:
    if isinstance(target, str):
        _error(target)
        return False
    if isinstance(target, Problem):
        _error(f"{target.format()} (cannot be parsed, not written)")
        return False
    for key, value in changes.items():
        target.set(key, value)
    if not target.is_modified:
        print(f"{target.relpath}: unchanged")
        return True
    try:
        saved = save(target)
    except SaveError as exc:
        _error(f"{target.relpath}: {exc.kind}: {exc.message}")
        return False
    parts = [f"{key} {shown(old, '(unset)')} -> {shown(new, '(unset)')}" for key, old, new in saved.changes]
    print(f"{target.relpath}: {', '.join(parts)}")
    return True


# --- shared -------------------------------------------------------------------------------


def _scan(root: str) -> ScanResult | None:
    if not os.path.isdir(root):
        _error(f"{root}: not a folder")
        return None
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and total:
            sys.stderr.write(f"\rReading {done:,}/{total:,} files…")
            sys.stderr.flush()

    result = scan(root, progress)
    if show:
        sys.stderr.write("\r\033[K")
    return result


def _error(message: str) -> None:
    print(f"reviewer: {message}", file=sys.stderr)
