"""Render findings as text, JSON, SARIF 2.1.0 or GitHub Actions annotations.

Every reporter sorts its input and writes nothing time- or machine-dependent apart from the
SARIF ``%SRCROOT%`` location, so golden files stay stable.
"""

import json
import os
import pathlib
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, TextIO
from urllib.parse import quote

from tmplint import __version__
from tmplint.diagnostics import CANNOT_ANALYSE, SAFE, UNSAFE, Diagnostic
from tmplint.registry import RULES

# ``concise`` is ``text`` by ruff's name; ``full`` is ``text`` with each finding's source line under it.
FORMATS = ("text", "concise", "full", "json", "sarif", "github")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set to a non-empty value (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts colour, title and
# cursor sequences; a newline forges a line), DEL, the line and paragraph separators, and the bidi
# controls that reorder what is shown (CVE-2021-42574). File names and string literals reach the text
# output, so a linted file must not be able to drive the terminal that shows its findings.
_UNPRINTABLE = {c: f"\\x{c:02x}" for c in list(range(0x20)) + list(range(0x7f, 0xa0))}
_UNPRINTABLE.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2066, 0x206a))})
_UNPRINTABLE.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
_UNPRINTABLE_BUT_TABS = {c: escape for c, escape in _UNPRINTABLE.items() if c != ord("\t")}


def printable(text: str, keep_tabs: bool = False) -> str:
    """``text`` with every character a terminal would act on spelled as an escape (``\\x1b``, ``\\n``)."""
    return text.translate(_UNPRINTABLE_BUT_TABS if keep_tabs else _UNPRINTABLE)


def format_error(d: Diagnostic) -> str:
    """The stderr line for a TMP000 diagnostic: ``path: cannot analyse: reason``."""
    return f"{printable(d.path)}: cannot analyse: {printable(d.message)}"


def write_report(
    fmt: str,
    diagnostics: Sequence[Diagnostic],
    stream: TextIO,
    *,
    color: bool = False,
    statistics: bool = False,
    unsafe_fixes: bool = False,
    fixed: int = 0,
    errors: Sequence[Diagnostic] = (),
    root: str = ".",
    docs_url: Optional[str] = None,
    summary: bool = True,
    sources: Optional[Dict[str, str]] = None,
) -> None:
    """Write ``diagnostics`` (the findings that remain) to ``stream`` in format ``fmt``.

    ``errors`` are TMP000 diagnostics for files that could not be analysed: the text summary counts
    them, SARIF lists them as tool execution notifications, GitHub annotates them, JSON leaves them
    out (the CLI prints them on stderr with :func:`format_error`). ``fixed`` is how many findings
    ``--fix`` fixed. ``color`` and ``statistics`` apply to the text format only. ``root`` is the
    folder SARIF URIs are relative to. ``docs_url``, when configured, becomes the SARIF
    ``informationUri``, and ``docs_url/CODE`` each rule's ``helpUri``. Without ``summary`` (``--quiet``)
    the text format leaves out its closing lines. ``full`` reads each file's lines from ``sources`` (path ->
    text, for stdin) or else from disk; a file it cannot read is shown without its source.
    """
    findings = sorted(diagnostics, key=Diagnostic.sort_key)
    failures = sorted(errors, key=Diagnostic.sort_key)
    if fmt in ("text", "concise", "full"):
        _write_text(findings, stream, color=color, statistics=statistics,
                    unsafe_fixes=unsafe_fixes, fixed=fixed, errors=failures, summary=summary,
                    source=_SourceLines(sources or {}) if fmt == "full" else None)
    elif fmt == "json":
        stream.write(json.dumps([_json_item(d) for d in findings], indent=2) + "\n")
    elif fmt == "sarif":
        log = sarif_log(findings, errors=failures, root=root, docs_url=docs_url)
        stream.write(json.dumps(log, indent=2) + "\n")
    elif fmt == "github":
        for d in findings + failures:
            stream.write(_github_line(d) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- text -------------------------------------------------------------------------------------

def _shows_fix(d: Diagnostic, unsafe_fixes: bool) -> bool:
    return d.fix_applicability == SAFE or (d.fix_applicability == UNSAFE and unsafe_fixes)


def _plural(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def _text_line(d: Diagnostic, color: bool, unsafe_fixes: bool) -> str:
    sep = _paint(":", _CYAN, color)
    marker = _paint("[*]", _CYAN, color) + " " if _shows_fix(d, unsafe_fixes) else ""
    return (f"{_paint(printable(d.path), _BOLD, color)}{sep}{d.line}{sep}{d.col + 1}{sep} "
            f"{_paint(d.code, _BOLD + _RED, color)} {marker}{printable(d.message)}")


def _statistics_lines(findings: Sequence[Diagnostic], color: bool, unsafe_fixes: bool) -> List[str]:
    counts = Counter(d.code for d in findings)
    fixable = {d.code for d in findings if _shows_fix(d, unsafe_fixes)}
    count_width = max(len(str(n)) for n in counts.values())
    code_width = max(len(code) for code in counts)
    lines = []
    for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = ""
        if fixable:  # as ruff: the column only appears when something is fixable
            marker = (_paint("[*]", _CYAN, color) if code in fixable else "[ ]") + " "
        name = RULES[code].name if code in RULES else ""
        lines.append(f"{n:>{count_width}}\t{_paint(code.ljust(code_width), _BOLD + _RED, color)}\t{marker}{name}")
    return lines


def summary_lines(
    findings: Sequence[Diagnostic],
    *,
    unsafe_fixes: bool = False,
    fixed: int = 0,
    errors: Sequence[Diagnostic] = (),
) -> List[str]:
    """The closing lines of the text report (also usable by the CLI for ``--diff`` and friends)."""
    remaining = len(findings)
    fixable = sum(1 for d in findings if _shows_fix(d, unsafe_fixes))
    if remaining == 0 and fixed == 0:
        head = "No errors found in the files analysed." if errors else "All checks passed!"
    else:
        if fixed:
            head = f"Fixed {_plural(fixed, 'error')}, {remaining} remaining"
        else:
            head = f"Found {_plural(remaining, 'error')}"
        if fixable:
            head += f" ({fixable} fixable with --fix)"
        head += "."
    lines = [head] + unsafe_fixes_hint(findings, unsafe_fixes=unsafe_fixes)
    if errors:
        files = len({d.path for d in errors})
        lines.append(f"{_plural(files, 'file')} could not be analysed.")
    return lines


def unsafe_fixes_hint(findings: Sequence[Diagnostic], *, unsafe_fixes: bool = False) -> List[str]:
    """The line telling how many fixes only ``--unsafe-fixes`` applies (none when it is given or none is)."""
    hidden = 0 if unsafe_fixes else sum(1 for d in findings if d.fix_applicability == UNSAFE)
    if not hidden:
        return []
    return [f"({_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with the `--unsafe-fixes` option)"]


class _SourceLines:
    """A file's lines for ``--format full``, read once per file."""

    def __init__(self, sources: Dict[str, str]) -> None:
        self._lines: Dict[str, List[str]] = {path: text.splitlines() for path, text in sources.items()}

    def line(self, path: str, number: int) -> Optional[str]:
        if path not in self._lines:
            from tmplint.source import SourceError, read_source

            try:
                self._lines[path] = read_source(path)[0].splitlines()
            except (SourceError, OSError):
                self._lines[path] = []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


def _source_block(d: Diagnostic, source: _SourceLines, color: bool) -> List[str]:
    """As ruff's full format: the finding's line under a gutter, and carets under its span."""
    text = source.line(d.path, d.line)
    if text is None:
        return []
    end = d.end_col if d.end_line == d.line else len(text)
    width = max(1, len(printable(text[d.col:min(end, len(text))], keep_tabs=True)))
    gutter = " " * len(str(d.line))
    # tabs stay tabs, so the carets line up; an escaped control takes the width of its escape
    pad = "".join(c if c == "\t" else " " for c in printable(text[:d.col], keep_tabs=True))
    bar = _paint("|", _CYAN, color)
    return [f"{gutter} {bar}", f"{_paint(str(d.line), _CYAN, color)} {bar} {printable(text, keep_tabs=True)}",
            f"{gutter} {bar} {pad}{_paint('^' * width, _BOLD + _RED, color)}", f"{gutter} {bar}", ""]


def _write_text(findings, stream, *, color, statistics, unsafe_fixes, fixed, errors, summary=True,
                source: Optional[_SourceLines] = None) -> None:
    if statistics:
        body = _statistics_lines(findings, color, unsafe_fixes) if findings else []
    else:
        body = []
        for d in findings:
            body.append(_text_line(d, color, unsafe_fixes))
            if source is not None:
                body += _source_block(d, source, color)
    if summary:
        body += summary_lines(findings, unsafe_fixes=unsafe_fixes, fixed=fixed, errors=errors)
    for line in body:
        stream.write(line + "\n")


# --- json -------------------------------------------------------------------------------------

def _json_item(d: Diagnostic) -> Dict[str, Any]:
    fix = None
    if d.fixable:
        fix = {"title": d.fix_title, "applicability": d.fix_applicability}
    return {
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.col + 1,
        "end_line": d.end_line,
        "end_column": d.end_col + 1,
        "fixable": d.fixable,
        "fix": fix,
    }


# --- github -----------------------------------------------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_line(d: Diagnostic) -> str:
    props = [
        ("file", d.path), ("line", d.line), ("col", d.col + 1),
        ("endLine", d.end_line), ("endColumn", d.end_col + 1), ("title", f"tmplint ({d.code})"),
    ]
    rendered = ",".join(f"{key}={_escape_property(str(value))}" for key, value in props)
    message = f"cannot analyse: {d.message}" if d.code == CANNOT_ANALYSE else d.message
    return f"::error {rendered}::{_escape_data(message)}"


# --- sarif ------------------------------------------------------------------------------------

def _root_uri(root: str) -> str:
    uri = pathlib.Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact_location(path: str, root: str) -> Dict[str, str]:
    """A URI relative to ``root`` with ``uriBaseId``, or an absolute ``file://`` URI when outside it."""
    absolute = os.path.abspath(path)
    for base, target in ((os.path.abspath(root), absolute),
                         (os.path.realpath(root), os.path.realpath(path))):
        try:
            rel = os.path.relpath(target, base)
        except ValueError:  # another drive on Windows
            continue
        if rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            rel = rel.replace(os.sep, "/")
            return {"uri": quote(os.fsencode(rel), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": pathlib.Path(absolute).as_uri()}


def _region(d: Diagnostic) -> Dict[str, int]:
    return {"startLine": d.line, "startColumn": d.col + 1, "endLine": d.end_line, "endColumn": d.end_col + 1}


_FIX_HELP = {
    "safe": "Fixable with `--fix`.",
    "sometimes": "Sometimes fixable with `--fix`.",
    None: "No automatic fix.",
}


def _sentence(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():  # leave code such as "tempfile.mktemp()" as spelled
        text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _sarif_rule(code: str, docs_url: Optional[str]) -> Dict[str, Any]:
    rule = RULES[code]
    description = _sentence(rule.summary)
    entry: Dict[str, Any] = {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description},
        "help": {"text": f"{description} {_FIX_HELP.get(rule.fix, '')} Run `tmplint --explain {code}` for details."},
        "defaultConfiguration": {"enabled": rule.default, "level": "error"},
    }
    if docs_url:
        entry["helpUri"] = f"{docs_url.rstrip('/')}/{code}"
    return entry


def sarif_log(
    diagnostics: Sequence[Diagnostic],
    *,
    errors: Sequence[Diagnostic] = (),
    root: str = ".",
    docs_url: Optional[str] = None,
) -> Dict[str, Any]:
    """The SARIF 2.1.0 log as a dict (one run, every rule in the driver)."""
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    driver: Dict[str, Any] = {"name": "tmplint", "version": __version__}
    if docs_url:
        driver["informationUri"] = docs_url
    driver["rules"] = [_sarif_rule(code, docs_url) for code in codes]
    driver["notifications"] = [{
        "id": CANNOT_ANALYSE,
        "name": "cannot-analyse",
        "shortDescription": {"text": "the file could not be analysed"},
        "defaultConfiguration": {"level": "error"},
    }]
    results = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        result: Dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        result["level"] = "error"
        result["message"] = {"text": d.message}
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": _artifact_location(d.path, root),
            "region": _region(d),
        }}]
        results.append(result)
    notifications = [{
        "descriptor": {"id": CANNOT_ANALYSE, "index": 0},
        "level": "error",
        "message": {"text": f"cannot analyse: {d.message}"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(d.path, root)}}],
    } for d in sorted(errors, key=Diagnostic.sort_key)]
    invocation: Dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
