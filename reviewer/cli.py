"""The `reviewer` command: list, check and set for scripts and CI; the window otherwise."""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import SWITCH_INTERVAL_S
from .core.article import Article
from .core.files import outside_reason
from .core.frontmatter_text import UNSET
from .core.index import FORMAT, FolderIndex, IndexUnavailable, Listed
from .core.kept import KeptListing, ListingRecord
from .core.library import read_article, scan_batches
from .core.listing import json_line, text_line
from .core.prewalk import Prewalk, walk_parts
from .core.problems import Problem
from .core.query import Everything, Node, QueryError, compile_query, uses_decisions
from .core.review import Review, Saving, decide
from .core.review_log import Decision, content_root_of, editor_name, latest, read_decisions, since
from .core.same_story import DEFAULT_THRESHOLD
from .core.storage import SaveError, Written, fsync_folders, remove_leftovers, start_writing
from .core.walking import TEMP_SUFFIX, Batch, relative
from .core.workers import Workers
from .words import caret_line, plural, shorten, shown

COMMANDS = (
    "list", "check", "set", "log", "stats", "same", "commit", "sync", "setup-git", "merge-driver", "install-desktop",
)  # fmt: skip
EPILOG = """commands:
  reviewer [FOLDER]                      open the window on FOLDER (the last one when omitted)
  reviewer list ROOT [--query Q] [--json]
  reviewer check ROOT
  reviewer set [--published true|false|unset] [--quality N|unset] FILE...
  reviewer set [--published true|false|unset] [--quality N|unset] --where QUERY ROOT
  reviewer log ROOT [--since DATE] [--editor NAME] [--json]
  reviewer stats ROOT [--json]
  reviewer same ROOT [--json] [--threshold T] [--eval TRUTH.json]
  reviewer commit ROOT [--editor NAME] [--whole-files]
  reviewer sync ROOT [--editor NAME] [--keep mine|theirs] [--stash] [--whole-files]
  reviewer install-desktop [--uninstall]  the launcher entry and icon in the application menu

run 'reviewer COMMAND --help' for a command's options."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Saves check files on several threads and the window paints while they do: with a shorter
    # switch, a thread back from the disk (or the window) waits at most 1 ms for its turn.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if argv and argv[0] in COMMANDS:
        args = _command_parser().parse_args(argv)
        try:
            return int(args.run(args))
        except BrokenPipeError:
            return 0
        except KeyboardInterrupt:
            return 130
        except Exception as exc:  # a bug: one line for the user, the traceback only when asked for
            if os.environ.get("REVIEWER_DEBUG"):
                raise
            _error(f"unexpected error: {type(exc).__name__}: {exc} (run with REVIEWER_DEBUG=1 for details)")
            return 3
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
    parser.add_argument("--version", action=_Versions, nargs=0, help="the versions of Reviewer and what it runs on")
    parser.add_argument("folder", nargs="?", help="the content folder to open")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewer", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action=_Versions, nargs=0, help="the versions of Reviewer and what it runs on")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="one line per article")
    p.add_argument("root", help="the content folder")
    p.add_argument("--query", "-q", default="", help="only articles matching this query")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    _no_index_option(p)
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("check", help="report files that cannot be read; exit 1 when there are any")
    p.add_argument("root", help="the content folder")
    _no_index_option(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("set", help="set published and/or quality, saving only those lines")
    p.add_argument("--published", choices=("true", "false", "unset"), help="unset removes the line")
    p.add_argument("--quality", type=_quality, metavar="N", help="a whole number, 0 or more; unset removes the line")
    p.add_argument("--where", metavar="QUERY", help="edit every article under ROOT that matches QUERY")
    p.add_argument("--editor", default="", help="who decides (default: git config user.name, else the login)")
    p.add_argument("--no-index", action="store_true", help="with --where: read every file, without the index")
    p.add_argument("paths", nargs="+", metavar="FILE|ROOT")
    p.set_defaults(run=cmd_set)

    p = sub.add_parser("log", help="the decisions in the folder's review log")
    p.add_argument("root", help="the content folder")
    p.add_argument("--since", default="", metavar="DATE", help="from this date (2026-11, 2026-11-28, ...)")
    p.add_argument("--editor", default="", metavar="NAME", help="only this editor's decisions")
    p.add_argument("--json", action="store_true", help="one JSON object per line, as in the log")
    p.set_defaults(run=cmd_log)

    p = sub.add_parser("stats", help="per provider: articles, approved, rejected, approval rate, mean quality")
    p.add_argument("root", help="the content folder")
    _no_index_option(p)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=cmd_stats)

    p = sub.add_parser("install-desktop", help="put Reviewer in the application menu, with its icon")
    p.add_argument("--uninstall", action="store_true", help="take the entry and the icon away again")
    p.set_defaults(run=cmd_install_desktop)

    p = sub.add_parser("same", help="clusters of articles that tell the same story (near-duplicates)")
    p.add_argument("root", help="the content folder")
    p.add_argument("--json", action="store_true", help="one JSON object per cluster")
    p.add_argument("--threshold", type=_threshold, default=None, metavar="T",
                   help=f"how sure a link must be, 0.3 to 0.95 (default {DEFAULT_THRESHOLD})")  # fmt: skip
    p.add_argument("--eval", metavar="TRUTH.json", help="score the clusters against a labelled file: "
                   "precision, recall, stories found whole, the worst false links and misses")  # fmt: skip
    _no_index_option(p)
    p.set_defaults(run=cmd_same)

    p = sub.add_parser("commit", help="commit the saved decisions: the article files and the review log")
    p.add_argument("root", help="the content folder, in a git repository")
    p.add_argument("--editor", default="", help="the author (default: git config user.name, else the login)")
    p.add_argument(
        "--whole-files", action="store_true",
        help="commit decided articles whole, hand edits too (default: only the decided keys' lines)",
    )  # fmt: skip
    p.set_defaults(run=cmd_commit)

    p = sub.add_parser("setup-git", help="prepare a clone for team review: the merge driver, and what a bot needs")
    p.add_argument("root", nargs="?", default=".", help="the content folder, in a git repository (default: here)")
    p.add_argument(
        "--tracked", action="store_true",
        help="also add the driver's lines to the tracked .gitattributes, for every clone (commit it after)",
    )  # fmt: skip
    p.set_defaults(run=cmd_setup_git)

    p = sub.add_parser("sync", help="commit, fetch, rebase onto the upstream and push")
    p.add_argument("root", help="the content folder, in a git repository")
    p.add_argument("--editor", default="", help="the author (default: git config user.name, else the login)")
    p.add_argument(
        "--keep", choices=("mine", "theirs"),
        help="settle values both sides set differently: keep mine or theirs (logged as your decision)",
    )  # fmt: skip
    p.add_argument(
        "--stash", action="store_true",
        help="put uncommitted changes that incoming ones would overwrite aside, and bring them back after",
    )  # fmt: skip
    p.add_argument(
        "--whole-files", action="store_true",
        help="commit decided articles whole, hand edits too (default: only the decided keys' lines)",
    )  # fmt: skip
    p.set_defaults(run=cmd_sync)

    p = sub.add_parser("merge-driver", help="git's merge driver for articles (git runs it: %%O %%A %%B %%P)")
    for name in ("base", "ours", "theirs", "path"):
        p.add_argument(name)
    p.set_defaults(run=cmd_merge_driver)
    return parser


def _no_index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-index", action="store_true", help="read every file; neither use nor update the folder index"
    )


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.3 <= value <= 0.95:
        raise argparse.ArgumentTypeError("the threshold goes from 0.3 to 0.95")
    return value


def _quality(text: str) -> int | object:
    if text == "unset":
        return UNSET
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("quality cannot be negative")
    return value


# --- list ---------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    try:
        predicate = compile_query(args.query)
    except QueryError as exc:
        _error(f"query: {exc.message}\n" + caret_line(args.query, exc.position))
        return 2
    everything = predicate == Everything()  # then unchanged articles print as the index holds them
    out = sys.stdout
    kept, no_index = None, not _indexed(args.no_index)
    if everything and not no_index and os.path.isdir(args.root):
        index = _open_index(args.root)
        if index is None:
            no_index = True  # said why (_open_index): not tried again
        else:
            kept = _kept_listing(args.root, index, "json" if args.json else "text")
    if kept is not None and kept.listing is not None:  # nothing changed since it was printed
        kept.prewalk.close()
        try:
            kept.listing.write_to(out)
        finally:
            kept.listing.close()
            kept.index.close()
        return 0
    batches = _batches(args.root, no_index, listing=everything, kept=kept)
    if batches is None:
        return 2
    apply_log = _log_applier(args.root, uses_decisions(predicate))
    problems = 0
    for batch in batches:  # printed as they come: memory does not grow with the folder
        problems += len(batch.problems)
        apply_log(batch.articles)
        lines = []
        for entry in batch.entries:
            if isinstance(entry, Listed):
                lines.append(entry.json if args.json else entry.line)
            elif predicate(entry):
                lines.append(json_line(entry) if args.json else text_line(entry))
        if lines:
            text = "\n".join(lines) + "\n"
            out.write(text)  # one write a batch, not one a line
            if kept is not None and kept.record is not None:
                kept.record.add(text)
    _mention_problems(problems, args.root)
    return 1 if problems else 0


@dataclass
class _Kept:
    """The index of a folder listed whole, and the walk it is listed after: `listing` the
    listing printed last after the same walk, if there is one; else the `record` of this
    listing, kept once it is whole, if the walk allows it (_batches)."""

    index: FolderIndex
    prewalk: Prewalk
    listing: KeptListing | None
    record: ListingRecord | None


def _kept_listing(root: str, index: FolderIndex, form: str) -> _Kept:
    """At 100,000 unchanged files, a listing printed as it was kept took 0.33 s where one put
    together from the index's rows took 0.64 (and a `find -printf` of the same stat values 0.19).
    The kept listing's CRC is checked while a helper process ends the walk."""
    listing = KeptListing.open(index.path, form, FORMAT)
    kept = listing.sums if listing is not None else None
    prewalk = walk_parts(root, kept=kept, meanwhile=listing.check if listing is not None else None)
    if listing is not None:
        same = not prewalk.differs and prewalk.sums() == listing.sums and prewalk.plain and not prewalk.problems
        if same and listing.check():  # checked while the helpers ended their walk, where they did
            return _Kept(index, prewalk, listing, None)
        listing.close()
    return _Kept(index, prewalk, None, ListingRecord(index.path, form, FORMAT))


def _mention_problems(n: int, root: str) -> None:
    if n:
        _error(
            f"{plural(n, 'file')} could not be read and {'are' if n != 1 else 'is'} not listed; "
            f"'reviewer check {root}' names them"
        )


# --- check --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    batches = _batches(args.root, args.no_index)
    if batches is None:
        return 2
    articles, skipped, problems, found_leftovers = 0, 0, [], []
    for batch in batches:
        articles += len(batch.articles)
        skipped += batch.skipped
        problems += batch.problems
        found_leftovers += batch.leftovers
    problems.sort(key=lambda p: p.relpath)
    leftovers = len(found_leftovers)
    print(
        f"{articles} articles, {skipped} skipped files, {len(problems)} problems"
        + (f", {leftovers} temporary files" if leftovers else "")
    )
    for problem in problems:
        print(problem.format())
    now = time.time()
    root = os.path.abspath(args.root)
    for path in found_leftovers:
        age = _age(now, path)
        print(
            f"{relative(root, path)}: temp-file: left by an interrupted save{age}; "
            "the next open or 'reviewer set' removes it"
        )
    return 1 if problems or found_leftovers else 0


def _age(now: float, path: str) -> str:
    try:
        minutes = int((now - os.lstat(path).st_mtime) // 60)
    except OSError:
        return ""
    return f" {plural(minutes, 'minute')} ago" if minutes else " less than a minute ago"


# --- set ----------------------------------------------------------------------------------


def cmd_set(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {}
    if args.published is not None:
        changes["published"] = UNSET if args.published == "unset" else args.published == "true"
    if args.quality is not None:
        changes["quality"] = args.quality
    if not changes:
        _error("set: give --published and/or --quality")
        return 2
    workers = Workers()  # forked once: what the query reads, then what is written
    try:
        if args.where is not None:
            if len(args.paths) != 1:
                _error("set: with --where, give exactly one ROOT folder")
                return 2
            matches = _where(args.where, args.paths[0], args.no_index, workers)
            if matches is None:
                return 2
            _review(args.paths[0], args.editor).recover()  # a `set` killed half-way: logged first
            failed = _apply(matches, changes, args.editor, workers)  # written as the query finds them
            unreadable = matches.unreadable
        else:
            failed = _apply([[_read_one(path) for path in args.paths]], changes, args.editor, workers)
            unreadable = 0
    finally:
        workers.close()
    if failed:
        _error(f"{plural(failed, 'file')} not changed")
    return 1 if failed or unreadable else 0


class _Matches:
    """A query's matches under a folder, a batch at a time as the scan reads them; once all
    are read, `unreadable` counts the files that could not be."""

    def __init__(self, predicate: Node, root: str, batches: Iterator[Batch]):
        self.predicate, self.root, self.batches = predicate, root, batches
        self.unreadable = 0

    def __iter__(self) -> Iterator[list[Target]]:
        apply_log = _log_applier(self.root, uses_decisions(self.predicate))
        leftovers: list[str] = []
        for batch in self.batches:
            self.unreadable += len(batch.problems)
            leftovers += batch.leftovers
            apply_log(batch.articles)
            yield [(a, self.root) for a in batch.articles if self.predicate(a)]
        _mention_problems(self.unreadable, self.root)
        _remove_leftovers(leftovers, self.root)


def _where(query: str, root: str, no_index: bool, workers: Workers) -> _Matches | None:
    """The articles under `root` that `query` matches; None (and a message) for a query that
    does not parse or a root that is not a folder."""
    try:
        predicate = compile_query(query)
    except QueryError as exc:
        _error(f"query: {exc.message}\n" + caret_line(query, exc.position))
        return None
    batches = _batches(root, no_index, workers=workers)
    return None if batches is None else _Matches(predicate, root, batches)


Target = tuple[Article, str] | Problem | str  # an article and its folder, a file that cannot be read, or why not


def _read_one(path: str) -> Target:
    """A file named on the command line; its folder is what it may not leave through a link."""
    if not os.path.exists(path) and not os.path.islink(path):
        return f"{path}: no such file"
    if os.path.isdir(path):
        return f"{path}: is a folder (use --where QUERY ROOT to edit a folder)"
    absolute = os.path.abspath(path)
    folder = os.path.dirname(absolute)
    name = os.path.basename(absolute)
    # A link to a folder elsewhere, inside the site, leads no write out of it: the file must
    # really be in its content folder (the site), as --where and the window require.
    root = content_root_of(folder)
    reason = outside_reason(absolute, root)
    if reason:
        return f"{path}: {reason} {root}; not written"
    _remove_leftovers(glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.*{TEMP_SUFFIX}")), root)
    item = read_article(absolute, root)
    if item is None:
        return f"{path}: not an article (it does not start with a '---' front matter line)"
    if isinstance(item, Problem):
        return item
    item.show_as(path)
    return item, root


def _apply(batches: Iterable[list[Target]], changes: dict[str, Any], editor: str, workers: Workers) -> int:
    """Save `changes` into each target, one folder's files together, and log the decisions; the number refused.

    Each batch is one save of the review's (core.review): its decisions written down as
    intent, then its files handed to the writers (those of a query are written while the
    next batch is read); the results are reported in order, the folders fsynced and every
    save's decisions logged, even when a later batch fails.
    """
    failed = 0
    writing: list[tuple[list[Article], Saving, Callable[[], list[Written | SaveError]]]] = []
    try:
        for targets in batches:
            by_root: dict[str, list[Article]] = {}
            for target in targets:
                if isinstance(target, str):
                    _error(target)
                    failed += 1
                elif isinstance(target, Problem):
                    _error(f"{target.format()} (cannot be parsed, not written)")
                    failed += 1
                else:
                    article, root = target
                    if decide(article, changes, _review(root, editor).editor):
                        by_root.setdefault(root, []).append(article)
                    if not article.edits:  # approved or rejected as it already was: still a decision, logged
                        print(f"{article.relpath}: unchanged")
            for root, articles in by_root.items():
                saving = _review(root, editor).begin([a.save_state() for a in articles], sweep=False)
                if saving.refused:  # nothing written that could not be logged
                    _error(f"{plural(len(articles), 'file')} not written: {saving.refused}")
                    failed += len(articles)
                    continue
                writing.append((articles, saving, start_writing(saving.jobs, root, False, workers)))
    finally:
        done = [(articles, saving, begun()) for articles, saving, begun in writing]
        fsync_folders([outcome for _, _, written in done for outcome in written])
        for articles, saving, written in done:
            failed += _finish(articles, saving, written)
    return failed


def _finish(articles: list[Article], saving: Saving, written: list[Written | SaveError]) -> int:
    """Report what a save wrote and log its decisions; the number of files or decisions that failed."""
    finished = saving.finish(written)
    failed = 0
    for article, state, outcome in zip(articles, saving.states, finished.outcomes, strict=True):
        if outcome is not None and _report(article, state.edits, outcome) is None:
            failed += 1
    if finished.log_error:
        _error(f"the decisions were saved in the files but not in the review log: {finished.log_error}")
        failed += sum(d is not None for d in saving.decisions)
    return failed


def _pair(value: Any) -> tuple[Any, Any]:
    return (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else (None, value)


_REVIEWS: dict[tuple[str, str], Review] = {}


def _review(root: str, editor: str) -> Review:
    """The review of `root`'s content folder and who decides there: worked out once a folder
    (it asks `git config`, a process: once a decision made `set` over 1,000 files 4.8x the plain loop)."""
    found = _REVIEWS.get((root, editor))
    if found is None:
        preferred = editor or _preference("editor_name")  # --editor, else the window's preference
        found = _REVIEWS[(root, editor)] = Review.of(root, _data_dir(), _keep_folder_clean(), preferred)
    return found


def _report(article: Article, edits: dict[str, Any], outcome: Written | SaveError) -> list[tuple[str, Any, Any]] | None:
    """Print what was written, or why not; the changes written (key, old, new), or None."""
    if isinstance(outcome, SaveError):
        _error(f"{article.relpath}: {outcome.kind}: {outcome.message}")
        return None
    changes = article.written(outcome.metadata, outcome.identity, edits)
    print(f"{article.relpath}: {_changes_text(changes)}")
    return changes


def _changes_text(changes: Iterable[tuple[str, Any, Any]]) -> str:
    return ", ".join(f"{key} {shown(old, '(unset)')} -> {shown(new, '(unset)')}" for key, old, new in changes)


def _remove_leftovers(paths: list[str], root: str) -> None:
    removed = remove_leftovers(paths, root)
    if removed:
        n = len(removed)
        _error(f"removed {plural(n, 'temporary file')} left by an interrupted save")


# --- log and stats ------------------------------------------------------------------------


def cmd_log(args: argparse.Namespace) -> int:
    if not os.path.isdir(args.root):
        _error(f"{args.root}: not a folder")
        return 2
    decisions, warnings, _ = _folder_decisions(args.root)
    for warning in warnings:
        _error(f"{_where_in(warning)}: {warning.message}")
    for d in since(decisions, args.since, args.editor):
        if args.json:
            sys.stdout.write(d.line())
        else:
            changes = _changes_text((k, *_pair(v)) for k, v in d.changes.items())
            when = d.time.replace("T", " ")[:16]
            sys.stdout.write(f"{when}  {d.editor:<16}  {d.decision:<9}  {d.path}{'  ' + changes if changes else ''}\n")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    batches = _batches(args.root, args.no_index)
    if batches is None:
        return 2
    apply_log = _log_applier(args.root)

    def articles() -> Iterator[Article]:
        for batch in batches:
            apply_log(batch.articles)
            yield from batch.articles

    from .core.stats import by_provider

    rows = by_provider(articles())
    if args.json:
        for row in rows:
            sys.stdout.write(json.dumps(row.as_dict(), ensure_ascii=False) + "\n")
        return 0
    print(f"{'provider':<32} {'articles':>8} {'approved':>8} {'rejected':>8} {'rate':>6} {'quality':>8}")
    for row in rows:
        rate = "" if row.approval_rate is None else f"{row.approval_rate:.0%}"
        mean = "" if row.mean_quality is None else f"{row.mean_quality:.1f}"
        name = shorten(row.provider or "(none)", 32)
        print(f"{name:<32} {row.articles:>8,} {row.approved:>8,} {row.rejected:>8,} {rate:>6} {mean:>8}")
    return 0


def _log_applier(root: str, wanted: bool = True) -> Callable[[list[Article]], None]:
    """What sets each article's last decision from the folder's review log (for decision:,
    editor: and decided: queries); the log is read once, the articles come in batches.
    Unless `wanted`, it is not read at all, and sets nothing."""
    if not wanted:
        return lambda articles: None
    decisions, warnings, prefix = _folder_decisions(root)
    for warning in warnings:
        _error(f"{_where_in(warning)}: {warning.message}")
    last = latest(decisions)

    def apply(articles: list[Article]) -> None:
        if not last:
            return
        for article in articles:
            found = last.get(prefix + article.relpath)
            if found is not None:
                article.logged = (found.decision, found.editor, found.time)

    return apply


def _folder_decisions(root: str) -> tuple[list[Decision], list[Problem], str]:
    """The decisions on the files under `root`, from its content folder's log (the one the
    window and `set` write, whichever folder they opened), a save killed half-way logged
    first; the problems of the log; the path of `root` in the content folder."""
    review = Review.of(root, _data_dir(), _keep_folder_clean(), ask=False)
    with contextlib.suppress(OSError):  # a log that cannot be written: read as it is; the next `set` says why
        review.recover()
    decisions, warnings = read_decisions(review.content_root, _data_dir())
    prefix = review.prefix
    return [d for d in decisions if d.path.startswith(prefix)], warnings, prefix


def _where_in(problem: Problem) -> str:
    return f"{problem.path}:{problem.line}" if problem.line else problem.path


def _data_dir() -> str:
    """Where logs of folders that cannot be written are kept."""
    import platformdirs

    return platformdirs.user_data_dir("reviewer", appauthor=False)


def _preference(key: str) -> Any:
    """A preference the command line reads (core.preferences: set in the window's Edit > Preferences)."""
    from .core.preferences import BY_KEY, COMMAND_LINE, Preferences

    assert COMMAND_LINE in BY_KEY[key].readers, key
    return Preferences().get(key)


def _keep_folder_clean() -> bool:
    """The preference to keep the review log out of content folders: the command line
    follows it too, so that both log in one place."""
    return bool(_preference("keep_folder_clean"))


# --- shared -------------------------------------------------------------------------------


def _batches(
    root: str,
    no_index: bool = False,
    listing: bool = False,
    workers: Workers | None = None,
    kept: _Kept | None = None,
) -> Iterator[Batch] | None:
    """The folder's scan, batch by batch, through its index unless told not to; None (and a
    message) when `root` is not a folder. With `kept`, through its index and after its walk;
    its record finished when the scan is, if no file had a problem."""
    if not os.path.isdir(root):
        _error(f"{root}: not a folder")
        return None
    if kept is not None:
        index: FolderIndex | None = kept.index
    else:
        index = _open_index(root) if _indexed(no_index) else None
    show = sys.stderr.isatty()

    def batches() -> Iterator[Batch]:
        problems = 0
        prewalk = kept.prewalk if kept is not None else None
        try:
            for batch in scan_batches(root, index=index, listing=listing, workers=workers, prewalk=prewalk):
                problems += len(batch.problems)
                if show:
                    of = f"/{batch.total:,}" if batch.total else ""
                    sys.stderr.write(f"\rReading {batch.done:,}{of} files…")
                    sys.stderr.flush()
                yield batch
            if kept is not None and kept.record is not None and not problems:
                walked = kept.prewalk
                # Not through a link, nor with a file changed so lately that it may change again unseen.
                if (
                    walked.plain
                    and not walked.problems
                    and index is not None
                    and index.settled(walked.newest, walked.looked)
                ):
                    kept.record.finish(walked.sums())
        finally:
            if kept is not None:
                kept.prewalk.close()
                if kept.record is not None:
                    kept.record.abandon()  # cut short, or a file had a problem (once finished: nothing)
            if show:
                sys.stderr.write("\r\033[K")
            if index is not None:
                index.close()
                if index.message:
                    _error(f"note: {index.message}")

    return batches()


def _indexed(no_index: bool) -> bool:
    """Whether a command goes through the folder index: not with --no-index or REVIEWER_NO_INDEX."""
    return not no_index and not os.environ.get("REVIEWER_NO_INDEX")


def _open_index(root: str) -> FolderIndex | None:
    import platformdirs

    try:
        index = FolderIndex.open(os.path.join(platformdirs.user_cache_dir("reviewer", appauthor=False), "index"), root)
    except IndexUnavailable as exc:
        _error(f"note: {exc}; reading every file")
        return None
    return index


class _Versions(argparse.Action):
    """--version: Reviewer's and those of Python, Qt, PyYAML (and its C loader), Pillow and git."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        from .desktop import versions

        print("\n".join(versions()))
        parser.exit()


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from . import desktop

    if args.uninstall:
        gone = desktop.uninstall()
        print(f"removed {desktop.describe(gone)}" if gone else "nothing to remove: Reviewer was not in the menu")
        return 0
    try:
        written = desktop.install()
    except OSError as error:
        _error(f"could not write the launcher entry: {error}")
        return 2
    print(f"wrote {desktop.describe(written)}")
    print("Reviewer is in the application menu (it may take a moment to appear); Open With a folder works too")
    return 0


def _error(message: str) -> None:
    print(f"reviewer: {message}", file=sys.stderr)


# --- same story ----------------------------------------------------------------------------


def cmd_same(args: argparse.Namespace) -> int:
    from .core.same_story import SameStory

    batches = _batches(args.root, args.no_index)
    if batches is None:
        return 2
    same = SameStory(args.threshold or DEFAULT_THRESHOLD)
    articles: dict[str, Article] = {}
    failed = 0
    for batch in batches:
        same.add(batch.articles)  # worked out once, when the clusters are asked for
        articles.update((a.relpath, a) for a in batch.articles)
        failed += len(batch.problems)
    if not args.no_index:
        _saved_scores(args.root, same)
    if args.eval:
        return _evaluate(same, articles, args.eval)
    for cluster in same.clusters():
        score = same.cohesion(cluster)
        members = sorted((articles[p] for p in cluster), key=lambda a: (-(a.quality or 0), a.date, a.relpath))
        if args.json:
            record = {
                "size": len(cluster),
                "score": round(score, 3),
                "articles": [
                    {"path": a.relpath, "title": a.title, "provider": a.provider.name, "date": a.date,
                     "quality": a.quality, "published": a.published}
                    for a in members
                ],
            }  # fmt: skip
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        print(f"{len(cluster)} articles, score {score:.2f}:")
        for a in members:
            print(f"  {a.relpath}  [{shorten(a.provider.name or '-', 24)}]  {shorten(a.title, 80)}")
    if failed:
        _error(f"{plural(failed, 'file')} could not be read (reviewer check names them)")
    return 1 if failed else 0


def _saved_scores(root: str, same: Any) -> None:
    """The scores of the last run on this folder, beside the folder index, when the articles
    are the same; else worked out and saved for the next run. Any failure: worked out."""
    import hashlib

    import platformdirs

    folder = os.path.join(platformdirs.user_cache_dir("reviewer", appauthor=False), "same-story")
    path = os.path.join(folder, hashlib.sha256(os.path.realpath(root).encode()).hexdigest()[:16] + ".json")
    try:
        with open(path, encoding="utf-8") as fh:
            if same.restore(json.load(fh)):
                return
    except (OSError, ValueError):
        pass
    from .core.files import replace_whole

    with contextlib.suppress(OSError):  # the cache is a convenience: the clusters stand without it
        replace_whole(path, json.dumps(same.saved()).encode("utf-8"))


def _evaluate(same: Any, articles: dict[str, Article], path: str) -> int:
    """`reviewer same ROOT --eval TRUTH.json`: the clusters scored against a labelled file."""
    from .core.same_story import evaluate

    try:
        with open(path, encoding="utf-8") as fh:
            truth = json.load(fh)
        groups = truth["groups"]
        borderline = truth.get("borderline", [])
        if not isinstance(groups, dict):
            raise TypeError("groups is not a map of story names to paths")
    except (OSError, ValueError, KeyError, TypeError) as error:
        _error(f"{path}: not a same-story truth file ({error})")
        return 2
    found = evaluate(same, groups, borderline)
    print(f"threshold {same.threshold:.2f}: {found.summary()}")
    title = {p: a.title for p, a in articles.items()}
    for label, pairs in (("worst false links", found.false_links[:10]), ("misses", found.misses[:10])):
        if pairs:
            print(f"{label}:")
        for score, a, b in pairs:
            print(f"  {score:.2f}  {shorten(title.get(a, a), 60)}\n        {shorten(title.get(b, b), 60)}")
    return 0


# --- git -----------------------------------------------------------------------------------


def _git(root: str) -> Any:
    from .core.git import Git

    if not os.path.isdir(root):
        _error(f"{root}: not a folder")
        return None
    git = Git(os.path.abspath(root), guarded=False)  # commit and sync: asked for, run as the repository is set up
    if not git.is_repository():
        _error(f"{root}: not in a git repository")
        return None
    return git


def cmd_setup_git(args: argparse.Namespace) -> int:
    from .core.git import GitError, setup_team

    git = _git(args.root)
    if git is None:
        return 2
    try:
        done, bot = setup_team(git, args.tracked)
    except (GitError, OSError) as exc:
        _error(getattr(exc, "message", None) or str(exc))
        return 1
    for line in done or ["this clone was already set up"]:
        print(line)
    if not args.tracked:
        print("run again with --tracked to add the driver's lines to .gitattributes for every clone")
    print("in a bot's clone (or a plain git user's), with Reviewer installed, run once:")
    for line in bot:
        print(f"  {line}")
    return 0


def cmd_commit(args: argparse.Namespace) -> int:
    from .core.git import GitError, commit

    git = _git(args.root)
    if git is None:
        return 2
    try:
        done = commit(git, editor_name(git.root, args.editor or _preference("editor_name")), args.whole_files)
    except GitError as exc:
        _error(exc.message)
        return 1
    if done is None:
        print("nothing to commit")
    else:
        print(f"{done.sha[:10]} {done.message.splitlines()[0]} ({plural(done.files, 'file')})")
        _print_left(done.left)
    return 0


def _print_left(left: list[str]) -> None:
    if left:
        _error(f"only the decided keys of {plural(len(left), 'article')} were committed; their other changes "
               f"are left uncommitted: {', '.join(left[:10])}{' ...' if len(left) > 10 else ''} "
               "(commit them yourself, or use --whole-files)")  # fmt: skip


DISAGREED = 4  # sync's exit status when it synced, and decisions disagree: the editor must choose


def cmd_sync(args: argparse.Namespace) -> int:
    from .core.git import GitError, SyncConflict, record_choices, resolutions, sync

    git = _git(args.root)
    if git is None:
        return 2
    editor = editor_name(git.root, args.editor or _preference("editor_name"))

    def step(what: str) -> None:
        _error(f"{what}...")

    try:
        try:
            done = sync(git, editor, step=step, stash=args.stash, whole_files=args.whole_files)
        except SyncConflict as conflict:
            if not args.keep:
                _print_conflicts(conflict)
                return 1
            _print_left(conflict.committed.left if conflict.committed else [])
            keep = {(c.path, c.key): args.keep == "mine" for c in conflict.conflicts}
            logged = record_choices(git, conflict.conflicts, keep, editor)
            if logged:
                _error(f"logged your choice as {plural(logged, 'decision')}")
            done = sync(git, editor, resolutions(conflict.conflicts, keep, git.prefix()), step, args.stash)
    except SyncConflict as conflict:
        _print_conflicts(conflict)
        return 1
    except GitError as exc:
        _error(exc.message)
        return 1
    if done.committed is not None:
        print(f"committed {done.committed.sha[:10]} {done.committed.message.splitlines()[0]}")
        _print_left(done.committed.left)
    print(f"synced: {plural(done.incoming, 'commit')} in, {plural(done.pushed, 'commit')} out, "
          f"{plural(len(done.changed), 'file')} changed here")  # fmt: skip
    if done.disagreements:
        _error(f"decisions that disagree with another editor's since you last synced ({len(done.disagreements)}):")
        for d in done.disagreements:
            _error(f"  {d.summary()}")
        _error("settle each with reviewer set (your decision is logged), or in the window (File > Sync)")
        return DISAGREED
    return 0


def _print_conflicts(conflict: Any) -> None:
    _error(f"{conflict}; nothing was changed")
    for c in conflict.conflicts:
        base, ours, theirs = c.shown()
        mine, other, was = _lines_shown(ours), _lines_shown(theirs), _lines_shown(base)
        _error(f"  {c.path}: {c.key}: mine {mine}, theirs {other} (was {was})")
    _error("run again with --keep mine or --keep theirs, or choose per key in the window (File > Sync)")


def _lines_shown(lines: str) -> str:
    text = lines.strip().replace("\n", " ")
    return shorten(repr(text) if text else "(absent)", 60)


def cmd_merge_driver(args: argparse.Namespace) -> int:
    from .core.merge import run_driver

    return run_driver(args.base, args.ours, args.theirs, args.path)
