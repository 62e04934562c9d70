"""Render findings as text, JSON (and JSON lines), SARIF 2.1.0, GitHub Actions annotations, JUnit XML or
a GitLab Code Quality report, in the shapes ruff gives them.

Every reporter sorts its input and writes nothing time- or machine-dependent apart from the
SARIF ``%SRCROOT%`` location, so golden files stay stable.
"""

import hashlib
import json
import os
import pathlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple
from urllib.parse import quote

from tmplint import __version__
from tmplint.diagnostics import CANNOT_ANALYSE, SAFE, UNSAFE, Diagnostic
from tmplint.edits import Edit
from tmplint.registry import RULES

# ``concise`` is ``text`` by ruff's name; ``full`` is ``text`` with each finding's source line under it.
FORMATS = ("text", "concise", "full", "json", "json-lines", "junit", "gitlab", "sarif", "github")
TEXT_FORMATS = ("text", "concise", "full")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def use_color(stream: TextIO, when: str = "auto") -> bool:
    """``--color``: ``always``, ``never``, or ``auto``: never when ``NO_COLOR`` is set to a non-empty value
    (no-color.org), always when ``FORCE_COLOR`` is (force-color.org; NO_COLOR wins over it), else only
    on a terminal. The flag overrides both variables, as no-color.org asks."""
    if when in ("always", "never"):
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
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
    edits: Optional[Dict[Diagnostic, List[Edit]]] = None,
) -> None:
    """Write ``diagnostics`` (the findings that remain) to ``stream`` in format ``fmt``.

    ``errors`` are TMP000 diagnostics for files that could not be analysed: the text summary counts
    them, SARIF lists them as tool execution notifications, GitHub annotates them, JUnit reports them
    as ``<error>``, GitLab as issues; JSON leaves them out (the CLI prints them on stderr with
    :func:`format_error`). ``fixed`` is how many findings ``--fix`` fixed. ``color`` applies to the text
    formats only. ``statistics`` counts findings per code: as JSON for ``json``, as ruff's table for
    every other format (as ruff does). ``root`` is the folder SARIF URIs are relative to.
    ``docs_url``, when configured, becomes the SARIF ``informationUri``, and ``docs_url/CODE`` each
    rule's ``helpUri`` and JSON ``url`` (else the rule's page in the repository). Without ``summary``
    (``--quiet``) the text format leaves out its closing lines. ``full``, SARIF and GitLab read each
    file's lines (the source line; the fingerprints) from ``sources`` (path -> text, for stdin) or else
    from disk; a file it cannot read is shown without its source. ``edits`` gives each fixable
    finding's fix as ruff's JSON edits (``tmplint.edits``); without it JSON gives the fix's title and
    applicability only.
    """
    findings = sorted(diagnostics, key=Diagnostic.sort_key)
    failures = sorted(errors, key=Diagnostic.sort_key)
    lines = _SourceLines(sources or {})
    if statistics and fmt == "json":
        stream.write(json.dumps(statistics_items(findings, unsafe_fixes), indent=2) + "\n")
    elif fmt in TEXT_FORMATS or statistics:
        _write_text(findings, stream, color=color and fmt in TEXT_FORMATS, statistics=statistics,
                    unsafe_fixes=unsafe_fixes, fixed=fixed, errors=failures, summary=summary,
                    source=lines if fmt == "full" else None)
    elif fmt in ("json", "json-lines"):
        items = [_json_item(d, docs_url, (edits or {}).get(d)) for d in findings]
        if fmt == "json":
            stream.write(json.dumps(items, indent=2) + "\n")
        for item in items if fmt == "json-lines" else ():
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")
    elif fmt == "junit":
        stream.write(junit_xml(findings, errors=failures))
    elif fmt == "gitlab":
        stream.write(json.dumps(gitlab_issues(findings, errors=failures, source=lines), indent=2) + "\n")
    elif fmt == "sarif":
        log = sarif_log(findings, errors=failures, root=root, docs_url=docs_url, source=lines)
        stream.write(json.dumps(log, indent=2) + "\n")
    elif fmt == "github":
        for d in findings + failures:
            stream.write(_github_line(d) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def rule_url(code: str, docs_url: Optional[str] = None) -> Optional[str]:
    """The rule's documentation page: ``docs_url/CODE`` when configured, else its page in the repository."""
    if code not in RULES:
        return None
    if docs_url:
        return f"{docs_url.rstrip('/')}/{code}"
    from tmplint.docs import RULE_PAGES_URL

    return f"{RULE_PAGES_URL}{code}.md"


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


def statistics_items(findings: Sequence[Diagnostic], unsafe_fixes: bool = False) -> List[Dict[str, Any]]:
    """``--statistics --format json``: ruff's objects (code, name, count, fixable, fixable_count), most frequent first."""
    counts = Counter(d.code for d in findings)
    fixable = Counter(d.code for d in findings if _shows_fix(d, unsafe_fixes))
    return [{"code": code, "name": RULES[code].name if code in RULES else None, "count": n,
             "fixable": fixable[code] > 0, "fixable_count": fixable[code]}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


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

def _json_item(d: Diagnostic, docs_url: Optional[str] = None, edits: Optional[List[Edit]] = None) -> Dict[str, Any]:
    """Our fields, and ruff's ``name``, ``url`` and ``fix`` shape: ``message``, ``applicability`` and ``edits``
    (empty when the edits were not computed, or lie in another file: the message then says where)."""
    fix = None
    if d.fixable:
        fix = {"title": d.fix_title, "message": d.fix_title, "applicability": d.fix_applicability,
               "edits": list(edits or [])}
    return {
        "code": d.code,
        "name": RULES[d.code].name if d.code in RULES else None,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.col + 1,
        "end_line": d.end_line,
        "end_column": d.end_col + 1,
        "fixable": d.fixable,
        "fix": fix,
        "url": rule_url(d.code, docs_url),
    }


# --- junit ------------------------------------------------------------------------------------

def junit_xml(findings: Sequence[Diagnostic], *, errors: Sequence[Diagnostic] = ()) -> str:
    """JUnit XML as ruff writes it (what Jenkins and GitLab read): ``testsuites`` > one ``testsuite`` per
    file > one ``testcase`` per finding holding a ``failure``; a file that could not be analysed is a
    test case holding an ``error``; a clean run is one passing test case."""
    suites = ET.Element("testsuites", name="tmplint")
    by_path: Dict[str, List[Diagnostic]] = {}
    for d in list(findings) + list(errors):
        by_path.setdefault(d.path, []).append(d)
    if not by_path:
        suite = ET.SubElement(suites, "testsuite", name="tmplint", tests="1", skipped="0", failures="0",
                              errors="0", package="tmplint")
        ET.SubElement(suite, "testcase", name="No errors found", classname="tmplint")
    for path in sorted(by_path):
        cases = by_path[path]
        failed = sum(1 for d in cases if d.code != CANNOT_ANALYSE)
        suite = ET.SubElement(suites, "testsuite", name=printable(path), tests=str(len(cases)), skipped="0",
                              failures=str(failed), errors=str(len(cases) - failed), package="tmplint")
        classname = printable(os.path.splitext(path)[0])
        for d in cases:
            case = ET.SubElement(suite, "testcase", name=f"tmplint.{d.code}", classname=classname,
                                 line=str(d.line), column=str(d.col + 1))
            message = printable(d.message)
            if d.code == CANNOT_ANALYSE:
                outcome = ET.SubElement(case, "error", message=f"cannot analyse: {message}")
                outcome.text = f"cannot analyse: {message}"
            else:
                outcome = ET.SubElement(case, "failure", message=message)
                outcome.text = f"line {d.line}, col {d.col + 1}, {message}"
    total = sum(len(cases) for cases in by_path.values()) or 1
    suites.set("tests", str(total))
    suites.set("failures", str(len(findings)))
    suites.set("errors", str(len(errors)))
    ET.indent(suites, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# --- gitlab -----------------------------------------------------------------------------------

# GitHub code scanning's security-severity (0-10) per rule, and what GitLab's Code Quality calls it. A temp
# name in a shared folder (symlink and pre-creation attacks by other users) and mktemp rank highest; a
# name two writers of one program share tears data; a lock or a weak part (pid, time) narrows the race.
SECURITY_SEVERITY = {
    "TMP101": 5.5, "TMP102": 5.5, "TMP103": 5.5, "TMP104": 5.5, "TMP105": 3.0, "TMP106": 3.0,
    "TMP201": 7.0, "TMP202": 7.0,
}
RULE_TAGS = {
    "TMP201": ("security", "external/cwe/cwe-377", "external/cwe/cwe-379"),
    "TMP202": ("security", "external/cwe/cwe-377"),
}
_RACE_TAGS = ("security", "correctness", "concurrency", "external/cwe/cwe-367", "external/cwe/cwe-377")


def rule_tags(code: str) -> List[str]:
    return list(RULE_TAGS.get(code, _RACE_TAGS))


def _gitlab_severity(code: str) -> str:
    score = SECURITY_SEVERITY.get(code)
    if score is None:  # TMP000: the file was not checked at all
        return "critical"
    return "critical" if score >= 7 else "major" if score >= 4 else "minor"


def _gitlab_path(path: str) -> str:
    """Relative to the repository (``CI_PROJECT_DIR`` in a GitLab job, else the current folder), as GitLab needs."""
    base = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:
        return path
    return path if rel.startswith(os.pardir) else rel.replace(os.sep, "/")


def gitlab_issues(findings: Sequence[Diagnostic], *, errors: Sequence[Diagnostic] = (),
                  source: Optional["_SourceLines"] = None) -> List[Dict[str, Any]]:
    """GitLab Code Quality issues (description, check_name, fingerprint, severity, location.path,
    location.lines.begin/end). The fingerprint is the SARIF one: it survives unrelated lines moving."""
    prints = fingerprints(list(findings) + list(errors), source or _SourceLines({}), lambda d: _gitlab_path(d.path))
    issues = []
    for d in list(findings) + list(errors):
        message = f"cannot analyse: {d.message}" if d.code == CANNOT_ANALYSE else d.message
        issues.append({
            "description": f"{d.code}: {message}",  # GitLab does not show check_name: ruff prepends it too
            "check_name": d.code,
            "fingerprint": prints[d],
            "severity": _gitlab_severity(d.code),
            "location": {"path": _gitlab_path(d.path), "lines": {"begin": d.line, "end": d.end_line}},
        })
    return issues


def _normalized_context(d: Diagnostic, source: "_SourceLines") -> str:
    """The flagged lines with runs of white space made one space: what identifies a finding when lines
    above it are added or removed, or it is re-indented."""
    lines = [source.line(d.path, number) for number in range(d.line, max(d.line, d.end_line) + 1)]
    return " ".join(" ".join(line.split()) for line in lines if line is not None)


def fingerprints(diagnostics: Sequence[Diagnostic], source: "_SourceLines",
                 path_of: Callable[[Diagnostic], str]) -> Dict[Diagnostic, str]:
    """A stable identity per finding: sha256 of the code, the path (as ``path_of`` gives it: relative to
    the repository, so that how tmplint was invoked does not matter) and the normalized text of the
    flagged lines (never the line number, nor the message, which can name a line), with ``:N``
    counting findings that share all three, in file order."""
    seen: Counter = Counter()
    out: Dict[Diagnostic, str] = {}
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        path = path_of(d)
        digest = hashlib.sha256("\0".join((d.code, path, _normalized_context(d, source))).encode()).hexdigest()
        seen[digest] += 1
        out[d] = f"{digest[:32]}:{seen[digest]}"
    return out


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


def _absolute_links(markdown: str, docs_url: Optional[str]) -> str:
    """A rule page's links to its sibling pages (``[TMP106](TMP106.md)``), made absolute for code scanning."""
    return re.sub(r"\]\((TMP\d{3})\.md\)", lambda m: f"]({rule_url(m.group(1), docs_url)})", markdown)


def _sarif_rule(code: str, docs_url: Optional[str]) -> Dict[str, Any]:
    from tmplint.docs import split_sections

    rule = RULES[code]
    description = _sentence(rule.summary)
    documentation = rule.documentation()
    what = split_sections(documentation).get("What it does", description)
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description},
        "helpUri": rule_url(code, docs_url),
        "help": {
            "text": f"{what}\n\n{_FIX_HELP.get(rule.fix, '')} Run `tmplint --explain {code}` for the whole page.",
            "markdown": _absolute_links(documentation, docs_url),
        },
        "defaultConfiguration": {"enabled": rule.default, "level": "error"},
        "properties": {
            "tags": rule_tags(code),
            "precision": "high",
            "security-severity": f"{SECURITY_SEVERITY[code]:.1f}",
        },
    }


# "... renames it into place without a unique part at line 23; ..." (a helper in the same file) or
# "... at ckpt/utils.py:415; ..." (one in another file): the second place a TMP101 or TMP104 finding has.
_RENAMED_AT = re.compile(r" without a unique part at (?:line (\d+)|(.+?):(\d+)); ")


def related_location(d: Diagnostic) -> Optional[Tuple[str, int]]:
    """(path, line) of the rename a finding's message points to (a helper's), or None."""
    match = _RENAMED_AT.search(d.message)
    if match is None:
        return None
    if match.group(1):
        return d.path, int(match.group(1))
    return match.group(2), int(match.group(3))


FINGERPRINT_KEY = "tmplintContextHash/v1"


def sarif_log(
    diagnostics: Sequence[Diagnostic],
    *,
    errors: Sequence[Diagnostic] = (),
    root: str = ".",
    docs_url: Optional[str] = None,
    source: Optional[_SourceLines] = None,
) -> Dict[str, Any]:
    """The SARIF 2.1.0 log as a dict (one run, every rule in the driver). ``source`` reads the flagged
    lines for the fingerprints (from disk by default)."""
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    driver: Dict[str, Any] = {"name": "tmplint", "version": __version__}
    if docs_url:
        driver["informationUri"] = docs_url
    else:
        from tmplint.docs import REPOSITORY_URL

        driver["informationUri"] = REPOSITORY_URL
    driver["rules"] = [_sarif_rule(code, docs_url) for code in codes]
    driver["notifications"] = [{
        "id": CANNOT_ANALYSE,
        "name": "cannot-analyse",
        "shortDescription": {"text": "the file could not be analysed"},
        "defaultConfiguration": {"level": "error"},
    }]
    findings = sorted(diagnostics, key=Diagnostic.sort_key)
    prints = fingerprints(findings, source or _SourceLines({}),
                          lambda d: _artifact_location(d.path, root)["uri"])
    results = []
    for d in findings:
        result: Dict[str, Any] = {"ruleId": d.code}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        result["level"] = "error"
        result["message"] = {"text": d.message}
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": _artifact_location(d.path, root),
            "region": _region(d),
        }}]
        related = related_location(d)
        if related is not None:
            result["relatedLocations"] = [{
                "id": 1,
                "physicalLocation": {"artifactLocation": _artifact_location(related[0], root),
                                     "region": {"startLine": related[1]}},
                "message": {"text": "the rename into place"},
            }]
        result["partialFingerprints"] = {FINGERPRINT_KEY: prints[d]}
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
