"""Read, screen, parse once, analyse, filter: the one pipeline every front end shares."""

import re
from typing import Iterable, List, Optional, Sequence, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from tmplint import noqa
from tmplint.analysis import analyze_module
from tmplint.config import AnalysisOptions, Config
from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic
from tmplint.registry import resolve_selection
from tmplint.source import SourceError, decode_source, read_source

# Guard against inputs that crash or stall LibCST's native parser (see rules.md, "The parser guard").
MAX_OPERATOR_CHAIN = 3000
MAX_NESTING = 200


def screen_pattern(options: AnalysisOptions) -> "re.Pattern[str]":
    """Text that every file with a possible finding contains; files without it are never parsed.

    Renames (``replace``/``rename``/``move``, which every wrapper and alias also spells out),
    ``mktemp``, the shared temp dirs, a ``tmp``/``temp`` keyword argument, configured save helpers.
    """
    parts = [r"replace", r"rename", r"move", r"mktemp", r"(?i:\b_*te?mp\w*\s*=)"]
    parts += [re.escape(d) for d in options.tmp_dirs]
    parts += [re.escape(helper.rsplit(".", 1)[-1]) for helper, _ in options.save_helpers]
    return re.compile("|".join(parts))


_SCREENS = {}


def may_have_findings(text: str, options: AnalysisOptions) -> bool:
    pattern = _SCREENS.get(options)
    if pattern is None:
        pattern = _SCREENS[options] = screen_pattern(options)
    return pattern.search(text) is not None


def cannot_analyse(path: str, reason: str) -> Diagnostic:
    return Diagnostic(CANNOT_ANALYSE, reason, path, 1, 0, 1, 0)


def _guard(text: str, options: AnalysisOptions) -> Optional[str]:
    """A cheap check for what would crash or stall the parser; the reason, or None when safe."""
    if len(text.encode("utf-8", "surrogatepass")) > options.max_file_size:
        return f"too large (over {options.max_file_size} bytes)"
    depth = longest = chain = 0
    for char in text:
        if char in "([{":
            depth += 1
            longest = max(longest, depth)
        elif char in ")]}":
            depth -= 1
        elif char == "+":
            chain += 1
        elif char == "\n":
            chain = 0 if depth == 0 else chain
    if longest > MAX_NESTING:
        return f"too deeply nested (over {MAX_NESTING} brackets)"
    if chain > MAX_OPERATOR_CHAIN:
        return f"expression too long (over {MAX_OPERATOR_CHAIN} operators)"
    return None


def _parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"syntax error at {exc.raw_line}:{exc.raw_column + 1}: {exc.message}") from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None
    except Exception as exc:  # the native parser reports some inputs with other exception types
        raise SourceError(f"parser error: {exc}") from None


def analyse_text(text: str, path: str, options: AnalysisOptions, *, apply_noqa: bool = True) -> List[Diagnostic]:
    """All findings of every rule for one decoded file, before selection."""
    if not may_have_findings(text, options):
        return []
    if apply_noqa and noqa.file_is_ignored(text.splitlines(True)):
        return []
    reason = _guard(text, options)
    if reason is not None:
        raise SourceError(reason)
    module = _parse(text)
    try:
        findings = analyze_module(module, options)
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    if not findings:
        return []
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    diagnostics = []
    for finding in findings:
        where = positions[finding.node]
        diagnostics.append(Diagnostic(
            finding.code, finding.message, path,
            where.start.line, where.start.column, where.end.line, where.end.column,
            finding.fix_title, finding.fix_applicability,
        ))
    if apply_noqa:
        lines = text.splitlines(True)
        mapping = noqa.noqa_line_mapping(text, lines)
        diagnostics = [
            d for d in diagnostics
            if not noqa.is_ignored(d.code, mapping.get(d.line, lines[d.line - 1] if d.line <= len(lines) else None))
        ]
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def select(diagnostics: Iterable[Diagnostic], config: Config) -> List[Diagnostic]:
    enabled = resolve_selection(config.select, config.ignore, config.extend_select)
    return [d for d in diagnostics if d.code == CANNOT_ANALYSE or d.code in enabled]


def check_source(
    source: Union[str, bytes],
    path: str = "<string>",
    config: Optional[Config] = None,
    *,
    apply_noqa: bool = True,
) -> List[Diagnostic]:
    """Check one file's source. Never raises for bad input: it becomes a TMP000 diagnostic."""
    config = config or Config()
    try:
        text = decode_source(source)[0] if isinstance(source, bytes) else source
        return select(analyse_text(text, path, config.analysis, apply_noqa=apply_noqa), config)
    except SourceError as exc:
        return [cannot_analyse(path, str(exc))]


def check_file(path: str, config: Optional[Config] = None) -> List[Diagnostic]:
    config = config or Config()
    try:
        text, _ = read_source(path)
    except SourceError as exc:
        return [cannot_analyse(path, str(exc))]
    return check_source(text, path, config)


def check_paths(paths: Sequence[str], config: Optional[Config] = None) -> List[Diagnostic]:
    """Check files and folders (recursively); TMP000 diagnostics stand for files that could not be read."""
    from tmplint.files import iter_python_files

    config = config or Config()
    diagnostics: List[Diagnostic] = []
    for path in iter_python_files(paths, config):
        diagnostics.extend(check_file(path, config))
    return sorted(diagnostics, key=Diagnostic.sort_key)
