"""The ``tmplint`` command: argument parsing, file selection, running the engine, reporting."""

import argparse
import os
import sys
from typing import List, Optional, Sequence

from tmplint import __version__, config as config_mod, reporters
from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic
from tmplint.registry import is_valid_selector
from tmplint.runner import run_checks


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
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .); - reads stdin")
    parser.add_argument("--select", type=_codes, metavar="CODES", help="only these codes or prefixes")
    parser.add_argument("--ignore", type=_codes, metavar="CODES", help="never these codes or prefixes")
    parser.add_argument("--extend-select", type=_codes, metavar="CODES", help="codes to add to the selection (TMP106)")
    parser.add_argument("--format", choices=reporters.FORMATS, default="text", help="output format (default: text)")
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
    parser.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
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
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or --help/--version)
        return int(exc.code or 0)

    if args.list_rules or args.explain:
        from tmplint import docs

        if args.list_rules:
            print(docs.list_rules())
            return 0
        try:
            print(docs.explain(args.explain.upper()))
        except KeyError:
            print(f"tmplint: error: unknown rule code {args.explain!r} (see --list-rules)", file=sys.stderr)
            return 2
        return 0

    try:
        settings = _load_settings(args)
    except config_mod.ConfigError as exc:
        print(f"tmplint: error: {exc}", file=sys.stderr)
        return 2
    args.project_root = settings.project_root
    if args.show_settings:
        print(config_mod.describe(settings))
        return 0

    paths = args.paths or ["."]
    if paths == ["-"]:
        from tmplint.engine import check_source

        name = args.stdin_filename or "-"
        results = check_source(sys.stdin.buffer.read(), name, settings)
        results = config_mod.apply_per_file_ignores(settings, results)
    else:
        if "-" in paths:
            print("tmplint: error: - (stdin) cannot be combined with other paths", file=sys.stderr)
            return 2
        results = run_checks(paths, settings, jobs=args.jobs, use_cache=not args.no_cache)

    errors = [d for d in results if d.code == CANNOT_ANALYSE]
    findings = [d for d in results if d.code != CANNOT_ANALYSE]
    for error in errors:
        print(reporters.format_error(error), file=sys.stderr)
    _write(args, findings, errors)
    if errors:
        return 2
    if findings and not args.exit_zero:
        return 1
    return 0


def _write(args: argparse.Namespace, findings: List[Diagnostic], errors: List[Diagnostic]) -> None:
    options = dict(statistics=args.statistics, errors=errors, root=args.project_root)
    if args.output_file:
        with open(args.output_file, "w", encoding="utf-8") as stream:
            reporters.write_report(args.format, findings, stream, color=False, **options)
    else:
        reporters.write_report(args.format, findings, sys.stdout, color=reporters.use_color(sys.stdout), **options)


if __name__ == "__main__":
    sys.exit(main())
