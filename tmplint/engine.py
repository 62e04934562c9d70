"""Read, screen, parse once, analyse, filter: the one pipeline every front end shares."""

import io
import tokenize
from dataclasses import replace
from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

import libcst as cst

from tmplint import noqa
from tmplint.analysis import Finding, analyze_module_with_tables
from tmplint.config import AnalysisOptions, Config
from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic
from tmplint.positions import positions
from tmplint.registry import resolve_selection
from tmplint.screen import may_have_findings
from tmplint.source import SourceError, decode_source, read_source

# Guard against inputs that crash or stall LibCST's native parser (see rules.md, "The parser guard").
MAX_OPERATOR_CHAIN = 3000
MAX_NESTING = 200


def cannot_analyse(path: str, reason: str) -> Diagnostic:
    return Diagnostic(CANNOT_ANALYSE, reason, path, 1, 0, 1, 0)


def _guard(text: str, options: AnalysisOptions) -> Optional[str]:
    """A token-level check for what would crash or stall the parser; the reason, or None when safe.

    LibCST builds a left-recursive tree for ``a + b + c ...`` and for implicit string
    concatenation, so one long chain (counted between commas, like a binary-operator tree is
    deep) or deep bracket nesting can exhaust its stack. Strings and comments are tokens here,
    so a ``+`` inside them counts for nothing.
    """
    if len(text.encode("utf-8", "surrogatepass")) > options.max_file_size:
        return f"too large (over {options.max_file_size} bytes)"
    depth = deepest = chain = 0
    previous = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string = token.type, token.string
            if kind == tokenize.OP:
                if string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                elif string in ")]}":
                    depth -= 1
                elif string in _CHAIN_RESETS:
                    chain = 0
                elif string in _BINARY_OPERATORS:
                    chain += 1
            elif kind == tokenize.STRING and previous == tokenize.STRING:
                chain += 1  # implicit concatenation
            elif kind == tokenize.NEWLINE:
                chain = 0
            if chain > MAX_OPERATOR_CHAIN:
                return f"expression too long to parse safely (over {MAX_OPERATOR_CHAIN} operators in a row)"
            previous = kind
    except (tokenize.TokenError, SyntaxError):
        # From 3.12 the tokenizer itself refuses a 201st open bracket, having reached 200;
        # any other error is LibCST's to report, with a position.
        if deepest < MAX_NESTING:
            return None
        deepest = MAX_NESTING + 1
    if deepest > MAX_NESTING:
        return f"too deeply nested to parse safely (over {MAX_NESTING} brackets)"
    return None


_CHAIN_RESETS = frozenset({",", ";", ":", "=", "lambda"})
_BINARY_OPERATORS = frozenset({"+", "-", "*", "/", "//", "%", "@", "|", "&", "^", "<<", ">>", "**"})


def _parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(f"syntax error at {exc.raw_line}:{exc.raw_column + 1}: {exc.message}") from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None
    except Exception as exc:  # the native parser reports some inputs with other exception types
        raise SourceError(f"parser error: {exc}") from None


class Analysed(NamedTuple):
    """One file's findings beside the diagnostics they became, with the tree and checker (for the fixer)."""

    module: Optional[cst.Module]
    checker: Any
    pairs: List[Tuple[Finding, Diagnostic]]


NOTHING = Analysed(None, None, [])


def analyse(text: str, path: str, options: AnalysisOptions, *, apply_noqa: bool = True) -> Analysed:
    """Screen, guard, parse once, analyse, position, noqa; raises SourceError for bad input."""
    if not may_have_findings(text, options):
        return NOTHING
    if apply_noqa and noqa.file_is_ignored(text.splitlines(True)):
        return NOTHING
    reason = _guard(text, options)
    if reason is not None:
        raise SourceError(reason)
    module = _parse(text)
    try:
        findings, checker = analyze_module_with_tables(module, options)
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    if not findings:
        return NOTHING
    wanted = [f.node for f in findings] + [f.ref for f in findings if f.ref is not None]
    where = positions(module, wanted)
    pairs = []
    for finding in findings:
        message = finding.message
        if finding.ref is not None:
            message = message.replace("{ref}", f"line {where[finding.ref][0]}")
        pairs.append((finding, Diagnostic(finding.code, message, path, *where[finding.node],
                                          finding.fix_title, finding.fix_applicability)))
    if apply_noqa:
        lines = text.splitlines(True)
        mapping = noqa.noqa_line_mapping(text, lines)
        pairs = [
            (f, d) for f, d in pairs
            if not noqa.is_ignored(d.code, mapping.get(d.line, lines[d.line - 1] if d.line <= len(lines) else None))
        ]
    return Analysed(module, checker, pairs)


def analyse_text(text: str, path: str, options: AnalysisOptions, *, apply_noqa: bool = True) -> List[Diagnostic]:
    """All findings of every rule for one decoded file, before selection, each marked with its fix."""
    analysed = analyse(text, path, options, apply_noqa=apply_noqa)
    if not analysed.pairs:
        return []
    from tmplint.fix.planner import Planner

    planner = Planner(analysed.module, analysed.checker)
    diagnostics = []
    for finding, diagnostic in analysed.pairs:
        edit = planner.plan(finding)
        if edit is not None:
            diagnostic = replace(diagnostic, fix_title=edit.title, fix_applicability=edit.applicability)
        diagnostics.append(diagnostic)
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
