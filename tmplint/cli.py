"""The ``tmplint`` command: argument parsing, file selection, running the engine, reporting."""

import argparse
import contextlib
import os
import signal
import sys
import threading
from typing import List, Optional, Sequence

from tmplint import __version__, config as config_mod, reporters
from tmplint.api import run_checks
from tmplint.diagnostics import CANNOT_ANALYSE, SAFE, UNSAFE, Diagnostic
from tmplint.registry import is_valid_selector, rule_code


def _codes(value: str) -> List[str]:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    for code in codes:
        if not is_valid_selector(code):
            raise argparse.ArgumentTypeError(f"{code!r} is not a tmplint rule code or prefix (TMP101, TMP1, TMP)")
    return codes


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tmplint",
        description="Find temporary file names that two writers would share, in write-then-rename code.",
        epilog="`tmplint check [PATH ...]` is the same as `tmplint [PATH ...]`, for ruff's habit. "
               "`tmplint server` runs the language server over stdio.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .); - reads stdin")
    parser.add_argument("--fix", action="store_true", help="rewrite constant temp names to unique ones, in place")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="also apply fixes marked unsafe (a helper that uses its temp name elsewhere)")
    parser.add_argument("--add-noqa", action="store_true",
                        help="add `# noqa: CODE` to every line with a finding, so only new findings fail")
    parser.add_argument("--select", type=_codes, metavar="CODES", help="only these codes or prefixes")
    parser.add_argument("--ignore", type=_codes, metavar="CODES", help="never these codes or prefixes")
    parser.add_argument("--extend-select", type=_codes, metavar="CODES", help="codes to add to the selection (TMP106)")
    parser.add_argument("--format", "--output-format", dest="format", choices=reporters.FORMATS, default="text",
                        help="output format (default: text, also called concise; full adds the source line)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text output: auto (default: on a terminal, unless NO_COLOR; "
                             "FORCE_COLOR forces it), always or never")
    parser.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--statistics", action="store_true", help="count findings per code instead of listing them")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain (errors still exit 2)")
    parser.add_argument("--config", metavar="FILE", help="read [tool.tmplint] from FILE instead of the nearest pyproject.toml")
    parser.add_argument("--show-settings", action="store_true", help="print the resolved settings and exit")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--jobs", "-j", type=_positive, metavar="N", help="worker processes (default: all cores)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply exclude to paths named on the command line too (for pre-commit)")
    parser.add_argument("--no-respect-gitignore", action="store_true", help="check files that .gitignore excludes")
    parser.add_argument("--max-file-size", type=_positive, metavar="BYTES",
                        help="files larger than this are only parsed when a cheap screen finds a candidate")
    parser.add_argument("--stdin-filename", metavar="NAME", help="the name to report for source read from stdin")
    parser.add_argument("--explain", metavar="RULE", help="print the documentation of a rule (code or name) and exit")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("--quiet", "-q", action="store_true", help="print the findings and errors only, no summary")
    talk.add_argument("--verbose", "-v", action="store_true",
                      help="also say on stderr which settings and files were used, and each file's outcome")
    parser.add_argument("--version", action="version", version=f"tmplint {__version__}")
    return parser


def _load_settings(args: argparse.Namespace) -> "config_mod.Config":
    """The configuration from ``--config`` or the nearest pyproject.toml, with the CLI's flags on top."""
    if args.paths and args.paths[0] == "-":
        start = args.stdin_filename or os.getcwd()
    else:
        start = args.paths[0] if args.paths else os.getcwd()
    path = args.config if args.config else config_mod.find_config(start)
    loaded = config_mod.load_config(path)
    return config_mod.merge_cli(
        loaded,
        select=args.select,
        ignore=args.ignore,
        extend_select=args.extend_select,
        max_file_size=args.max_file_size,
        respect_gitignore=False if args.no_respect_gitignore else None,
        force_exclude=True if args.force_exclude else None,
    )


def run() -> None:
    """The ``tmplint`` command: ``main``, then an exit that skips tearing down the interpreter, whose
    freeing of what the run holds (every file's result, recalled or analysed) came after the last
    output of a one-changed-file run (0.07 s of its 0.73 s median); mypy's ``hard_exit`` does the
    same. The report and cache are written and the workers stopped by then; nothing waits at exit."""
    code = main()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader left (``| head``), or stdout is closed
        code = code or 1
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `tmplint ... | head`: the reader left, which is not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("tmplint: interrupted", file=sys.stderr)
        return 130


def _main(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:  # `ruff check .` habit: the same as `tmplint .` (write ./check for such a path)
        argv = argv[1:]
    if argv[:1] == ["server"]:  # the language server over stdio (write ./server for such a path)
        from tmplint.server import main as serve

        return serve(argv[1:])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or --help/--version)
        return int(exc.code or 0)

    if args.list_rules or args.explain:
        from tmplint import docs

        if args.list_rules:
            print(docs.list_rules())
            return 0
        code = rule_code(args.explain)
        if code is None:
            print(f"tmplint: error: unknown rule code or name {args.explain!r} (see --list-rules)", file=sys.stderr)
            return 2
        print(docs.explain(code))
        return 0

    try:
        settings = _load_settings(args)
    except config_mod.ConfigError as exc:
        print(f"tmplint: error: {exc}", file=sys.stderr)
        return 2
    args.project_root = settings.project_root
    args.settings = settings
    if args.show_settings:
        print(config_mod.describe(settings))
        return 0

    paths = args.paths or ["."]
    fixed = 0
    if args.add_noqa and (paths == ["-"] or args.fix or args.diff):
        print("tmplint: error: --add-noqa works on files, without --fix or --diff", file=sys.stderr)
        return 2
    if paths == ["-"]:
        from tmplint.api import check_data

        name = args.stdin_filename or "-"
        data = sys.stdin.buffer.read()
        _say(args, _settings_line(settings))
        if _stdin_excluded(args, settings):
            _say(args, f"{name}: skipped: matches exclude (--force-exclude)")  # as ruff: checked as nothing, and --fix echoes it unchanged
            if args.fix and not args.diff:
                sys.stdout.buffer.write(data)
            if args.fix or args.diff:
                return 0
            results = []
        else:
            results = check_data(data, name, settings, use_cache=not args.no_cache)  # as `tmplint FILE`
            args.sources = _stdin_sources(name, data)
        if args.fix or args.diff:
            return _fix_stdin(args, settings, name, data, results)
    else:
        if "-" in paths:
            print("tmplint: error: - (stdin) cannot be combined with other paths", file=sys.stderr)
            return 2
        if args.verbose:
            _tell_files(args, settings, paths)
        guard = _fix_guard(args, settings, paths)  # before the check: what the fixes are planned from
        results = _run_checks(args, paths, settings)
        if args.verbose:
            _tell_outcomes(args, settings, paths, results)
        if args.add_noqa:
            return _add_noqa(args, settings, results, paths)
        if args.fix or args.diff:
            with guard:
                results, fixed, changed = _fix_files(args, settings, results, paths)
            if args.diff:
                return _diff_exit(args, results, changed, fixed)

    errors = [d for d in results if d.code == CANNOT_ANALYSE]
    findings = [d for d in results if d.code != CANNOT_ANALYSE]
    for error in errors:
        print(reporters.format_error(error), file=sys.stderr)
    if not _write(args, findings, errors, fixed):
        return 2
    if errors:
        return 2
    if findings and not args.exit_zero:
        return 1
    return 0


def _run_checks(args: argparse.Namespace, paths: Sequence[str], settings) -> List[Diagnostic]:
    """The run, with a progress line on stderr when it is a terminal (and not ``--quiet``)."""
    from tmplint.progress import Progress, wanted

    progress = Progress(sys.stderr) if wanted(sys.stderr) and not args.quiet else None
    try:
        return run_checks(paths, settings, jobs=args.jobs, use_cache=not args.no_cache, progress=progress)
    finally:
        if progress is not None:
            progress.close()


def _add_noqa(args: argparse.Namespace, settings, results: List[Diagnostic], paths: Sequence[str]) -> int:
    """``--add-noqa``: the directives written, what could not be, and how many (on stderr, as ruff)."""
    from tmplint.add_noqa import add_noqa_files

    added, failed, unsilenced = add_noqa_files(results, settings, paths)
    for error in [d for d in results if d.code == CANNOT_ANALYSE] + failed:
        print(reporters.format_error(error), file=sys.stderr)
    for path, line in unsilenced:
        print(f"{reporters.printable(path)}:{line}: no noqa added: a `# noqa` inside a string earlier on the "
              "line is the one tmplint and flake8 read", file=sys.stderr)
    if not args.quiet:
        print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
    if failed or any(d.code == CANNOT_ANALYSE for d in results):
        return 2
    return 1 if unsilenced and not args.exit_zero else 0


def _stdin_sources(name: str, data: bytes) -> dict:
    """Stdin's text under its reported name, for ``--format full`` (the file on disk may differ)."""
    from tmplint.source import SourceError, decode_source

    try:
        return {name: decode_source(data)[0]}
    except SourceError:
        return {}


def _say(args: argparse.Namespace, line: str) -> None:
    """A ``--verbose`` line on stderr."""
    if args.verbose:
        print(f"tmplint: {line}", file=sys.stderr)


def _settings_line(settings) -> str:
    return f"settings: {settings.config_path or 'the defaults (no [tool.tmplint] found)'}"


def _tell_files(args: argparse.Namespace, settings, paths: Sequence[str]) -> None:
    """``--verbose``, before the run: where the settings came from, and what will be checked."""
    from tmplint.cache import cache_folder
    from tmplint.files import is_excluded, iter_python_files

    _say(args, _settings_line(settings))
    _say(args, f"project root: {settings.project_root}")
    _say(args, "cache: off (--no-cache)" if args.no_cache else f"cache: {cache_folder(settings.project_root)}")
    if settings.force_exclude:
        for path in paths:
            if is_excluded(path, settings, parents=True):
                _say(args, f"{path}: skipped: matches exclude (--force-exclude)")
    files = list(iter_python_files(paths, settings))
    _say(args, f"{len(files)} file{'s' if len(files) != 1 else ''} to check"
               + ("" if settings.respect_gitignore else " (.gitignore not honoured)"))


def _tell_outcomes(args: argparse.Namespace, settings, paths: Sequence[str], results: List[Diagnostic]) -> None:
    """``--verbose``, after the run: each file's outcome, and whether the screen kept it from the parser."""
    from tmplint.files import iter_python_files
    from tmplint.runner import screened_out

    found: dict = {}
    for diagnostic in results:
        found.setdefault(diagnostic.path, []).append(diagnostic)
    for path in iter_python_files(paths, settings):
        diagnostics = found.get(path, [])
        if any(d.code == CANNOT_ANALYSE for d in diagnostics):
            continue  # already said on stderr, with the reason
        if diagnostics:
            _say(args, f"{path}: analysed: {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''}")
        elif screened_out(path, settings.analysis):
            _say(args, f"{path}: screened out: no rename, temp directory, mktemp or temp-name keyword")
        else:
            _say(args, f"{path}: analysed: no findings")


def _stdin_excluded(args: argparse.Namespace, settings) -> bool:
    """``--force-exclude`` applies to ``--stdin-filename`` as to a named path (editors and pre-commit pipe files)."""
    from tmplint.files import is_excluded

    return bool(settings.force_exclude and args.stdin_filename
                and is_excluded(args.stdin_filename, settings, parents=True))


def _fixable(args: argparse.Namespace, diagnostic: Diagnostic) -> bool:
    return diagnostic.fix_applicability == SAFE or (args.unsafe_fixes and diagnostic.fix_applicability == UNSAFE)


def _fix_files(args: argparse.Namespace, settings, results: List[Diagnostic], paths: Sequence[str]):
    """Fix (or, with --diff, only compute) each file that has a fix to make; the findings that remain.

    Files are fixed in this process, one at a time: few files have findings, and the fixer
    re-analyses each file it writes. A finding of the project index may be fixed in another named
    file (a helper's): ``fix_at`` says where, and that file is fixed once for all of them. When
    anything was written, the project is checked again for what remains, since one edit in a helper
    settles findings in its callers' files.
    """
    from tmplint.engine import cannot_analyse
    from tmplint.fix import ProjectFixes, project_fixes
    from tmplint.fix.files import allowed_roots, fix_file
    from tmplint.source import SourceError

    by_path: dict = {}
    for diagnostic in results:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    failed = {path for path, diagnostics in by_path.items() if any(d.code == CANNOT_ANALYSE for d in diagnostics)}
    wanted = [d for d in results if _fixable(args, d) and d.path not in failed]
    targets: dict = {}
    reported: dict = {}
    todo = []
    for diagnostic in wanted:
        if diagnostic.fix_at is None:
            reported.setdefault(diagnostic.path, set()).add((diagnostic.code, diagnostic.line, diagnostic.col))
            todo.append(diagnostic.path)
        elif diagnostic.fix_at.path not in failed:
            targets.setdefault(diagnostic.fix_at.path, []).append(diagnostic.fix_at)
            todo.append(diagnostic.fix_at.path)
    plan = ProjectFixes(targets, reported)
    errors: List[Diagnostic] = []
    changed = []
    fixed = 0
    inside = allowed_roots(paths)
    with project_fixes(plan):
        for path in dict.fromkeys(todo):
            try:
                with _sigterm_raises():
                    result = fix_file(path, settings, args.unsafe_fixes, write=not args.diff, inside=inside)
            except SourceError as exc:
                errors.append(cannot_analyse(path, f"not fixed: {exc}"))
                continue
            fixed += result.fixed_count
            if result.changed:
                changed.append(result)
    elsewhere = [d for d in wanted if d.fix_at is not None]
    if not changed:
        return sorted(results + errors, key=Diagnostic.sort_key), 0, changed
    if args.diff:  # nothing written: the in-file count, and the index's findings whose fix went in
        return results + errors, fixed + sum(1 for d in elsewhere if d.fix_at in plan.applied), changed
    after = run_checks(paths, settings, jobs=args.jobs, use_cache=not args.no_cache)
    # a file deleted meanwhile takes its findings out of the second check: they were not fixed
    vanished = {path for path in by_path if not os.path.lexists(path)}
    gone = (sum(1 for d in results if d.code != CANNOT_ANALYSE and d.path not in vanished)
            - sum(1 for d in after if d.code != CANNOT_ANALYSE))
    return sorted(after + errors, key=Diagnostic.sort_key), max(0, gone), changed


def _fix_guard(args: argparse.Namespace, settings, paths: Sequence[str]):
    """``--fix`` (not ``--diff``): one writing run at a time per project, and each file's hash before the
    check, so that no edit planned from content that changed since is written (``tmplint.fix.guard``)."""
    if not args.fix or args.diff:
        return contextlib.nullcontext()
    from tmplint.fix.guard import FixGuard

    return FixGuard(settings, paths)


@contextlib.contextmanager
def _sigterm_raises():
    """While a file is fixed, SIGTERM (``kill``, a CI timeout) raises SystemExit instead of ending the
    process at once, so ``write_atomically`` removes its temp file on the way out."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)  # None: set in C


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


def _unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), path, path))


def _diff_exit(args: argparse.Namespace, results: List[Diagnostic], changed, would: int) -> int:
    errors = [d for d in results if d.code == CANNOT_ANALYSE]
    for error in errors:
        print(reporters.format_error(error), file=sys.stderr)
    for result in changed:
        sys.stdout.write(_unified_diff(result.path, result.original, result.fixed))
    _diff_summary(args, results, would, len(changed))
    if errors:
        return 2
    return 1 if changed else 0


def _diff_summary(args: argparse.Namespace, results: List[Diagnostic], would: int, files: int) -> None:
    """``--diff``'s closing lines on stderr, with the hint when fixes wait for ``--unsafe-fixes``."""
    if args.quiet:
        return
    if files:
        print(f"Would fix {would} error{'s' if would != 1 else ''} in {files} file{'s' if files != 1 else ''}.",
              file=sys.stderr)
    else:
        print("No fixes to make.", file=sys.stderr)
    for line in reporters.unsafe_fixes_hint(results, unsafe_fixes=args.unsafe_fixes):
        print(line, file=sys.stderr)


def _fix_stdin(args: argparse.Namespace, settings, name: str, data: bytes, results: List[Diagnostic]) -> int:
    """``tmplint --fix -``: the fixed source on stdout, the report on stderr."""
    from tmplint.api import fix_text
    from tmplint.source import SourceError, decode_source

    errors = [d for d in results if d.code == CANNOT_ANALYSE]
    for error in errors:
        print(reporters.format_error(error), file=sys.stderr)
    if errors:
        sys.stdout.buffer.write(data)
        return 2
    try:
        text, encoding = decode_source(data)
        result = fix_text(text, name, settings, args.unsafe_fixes, use_cache=not args.no_cache)
    except SourceError as exc:
        print(f"{name}: cannot analyse: not fixed: {exc}", file=sys.stderr)
        sys.stdout.buffer.write(data)
        return 2
    if args.diff:
        sys.stdout.write(_unified_diff(name, text, result.text))
        _diff_summary(args, results, result.fixed, int(result.text != text))
        return 1 if result.text != text else 0
    sys.stdout.buffer.write(result.text.encode(encoding) if result.text != text else data)
    sys.stdout.flush()
    reporters.write_report(args.format, result.remaining, sys.stderr, unsafe_fixes=args.unsafe_fixes,
                           fixed=result.fixed, root=args.project_root, summary=not args.quiet,
                           sources={name: result.text})
    return 1 if result.remaining and not args.exit_zero else 0


def _write(args: argparse.Namespace, findings: List[Diagnostic], errors: List[Diagnostic], fixed: int = 0) -> bool:
    """Write the report; False (after saying why on stderr) when ``--output-file`` cannot be written."""
    options = dict(statistics=args.statistics, errors=errors, root=args.project_root,
                   unsafe_fixes=args.unsafe_fixes, fixed=fixed, summary=not args.quiet,
                   sources=getattr(args, "sources", None), docs_url=args.settings.docs_url)
    if args.format in ("json", "json-lines") and not args.statistics and any(d.fixable for d in findings):
        from tmplint.edits import fix_edits

        options["edits"] = fix_edits(findings, args.settings, options["sources"])
    if not args.output_file:
        reporters.write_report(args.format, findings, sys.stdout, color=reporters.use_color(sys.stdout, args.color),
                               **options)
        return True
    try:
        parent = os.path.dirname(args.output_file)
        if parent:  # as ruff: a report into build/reports/ need not have the folder made first
            os.makedirs(parent, exist_ok=True)
        with open(args.output_file, "w", encoding="utf-8") as stream:
            reporters.write_report(args.format, findings, stream, color=args.color == "always", **options)
    except OSError as exc:  # a folder of that name, a read-only place, a full disk
        print(f"tmplint: error: cannot write {args.output_file}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
