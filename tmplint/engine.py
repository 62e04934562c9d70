"""Read, screen, parse once, analyse, filter: the one pipeline every front end shares.

LibCST is imported when the first file is parsed, not before: a run whose files the screen passes
over or the cache answers never pays its import (a third of a second)."""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from tmplint import noqa
from tmplint.analysis import Finding, analyze_module_with_tables
from tmplint.config.model import AnalysisOptions, Config
from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic
from tmplint.registry import resolve_selection
from tmplint.screen import may_have_findings
from tmplint.source import SourceError, read_limit, read_source, statement_lines

if TYPE_CHECKING:
    import libcst as cst

# Guard against inputs that crash or stall LibCST's native parser (see rules.md, "The parser guard").
MAX_OPERATOR_CHAIN = 3000
MAX_DEPTH = 1000
MAX_NESTING = 200
# LibCST's tree costs 2 to 4 KB of memory and 30 to 50 us per token (tokenize's tokens, comments and
# newlines included): measured in fresh processes on the benchmark corpus, 79,175 tokens (320 KB)
# peak at 226 MB, the 447 KB generated solver benchmark's 116,148 at 444 MB, 147,905 tokens at 597 MB.
# Every file of the corpus the screens send to LibCST has fewer than 80,000 tokens; a file with more
# than this is reported and skipped, so one file costs a worker at most about 400 MB and 5 s to parse.
MAX_TOKENS = 100_000


def cannot_analyse(path: str, reason: str) -> Diagnostic:
    return Diagnostic(CANNOT_ANALYSE, reason, path, 1, 0, 1, 0)


def _guard(text: str, options: AnalysisOptions, groups: Optional[noqa.LineGroups] = None,
           tree: Optional[ast.Module] = None, statements: Optional[Sequence[Tuple[int, int]]] = None
           ) -> Optional[str]:
    """A token-level check for what would crash or stall the parser; the reason, or None when safe.
    ``groups`` hears the runs of lines tokens join, for the noqa comments (``noqa.LineGroups``);
    ``tree``, the standard parser's tree of ``text`` when the caller has one, or the lines of its
    statements (``statement_lines``), can spare the tokenizing (``_surely_safe``), and then ``groups``
    hears where the statements lie instead.

    LibCST builds a left-recursive tree for ``a + b + c ...`` and for implicit string
    concatenation, so one long chain (counted between commas, like a binary-operator tree is
    deep) or deep bracket nesting can exhaust its stack. Strings and comments are tokens here,
    so a ``+`` inside them counts for nothing.

    Other chains make the tree as deep and crash it or stall it as surely: ``a and b``, ``not not
    a``, ``~~a``, ``x if c else y if d else z``, ``lambda: lambda: a``, ``await``, comprehension
    ``for``s, ``a.b(c)[d]``, a run of ``elif``, and any chain whose links hold commas in brackets
    (``f(a, b) + f(a, b) ...``). Their depth is estimated per bracket level as Python's precedence
    builds the tree (a ``+`` chain of ``*`` products is as deep as the ``+`` chain and its longest
    product), summed over the open brackets, and held to MAX_DEPTH, which the analysis could not
    recurse past anyway.

    What LibCST's tree costs grows with the number of tokens: over MAX_TOKENS the file is too large
    to analyse, whatever its size in bytes (``max-file-size`` counts bytes, mostly docstrings in big
    generated files).
    """
    if len(text.encode("utf-8", "surrogatepass")) > options.max_file_size:
        return f"too large (over {options.max_file_size} bytes)"
    if "\x00" in text:  # Python refuses it; LibCST takes it into strings, where evaluating them fails
        return "binary file (contains NUL bytes)"
    if tree is not None and statements is None:
        statements = list(statement_lines(tree))
    if statements is not None and _surely_safe(text, statements):
        if groups is not None:
            groups.tree, groups.statements, groups.by_statements = tree, list(statements), True
        return None
    depth = deepest = chain = 0
    previous = None
    previous_string = ""
    levels = [_Level()]  # the chains open in each pair of brackets, for the depth
    below = 0  # the depth of the levels outside the innermost
    elifs = [0]  # the run of ``elif`` at each indentation level
    line_start = True
    too_deep = f"expression too long to parse safely (over {MAX_DEPTH} levels deep)"
    tokens = 0
    spans = groups.spans if groups is not None else None
    first = 0  # the line where the current run of tokens began (0: at the next token)
    try:
        for kind, string, start, end, _ in tokenize.generate_tokens(io.StringIO(text).readline):
            tokens += 1
            if spans is not None:  # as noqa._token_line_groups, keeping only runs of several lines
                if not first:
                    first = start[0]
                if kind in _RUN_ENDS:
                    if end[0] > first:
                        spans.append((first, end[0]))
                    first = 0
            if kind in _SKIPPED:
                continue
            rank = None
            if kind == _NAME:
                if line_start:
                    if string == "elif":
                        elifs[-1] += 1
                        if elifs[-1] > MAX_DEPTH:
                            return f"too many elif branches in a row to parse safely (over {MAX_DEPTH})"
                    elif string != "else":
                        elifs[-1] = 0
                rank = _RANKS.get(string)
                if string == "lambda":
                    levels[-1].lambdas += 1
            elif kind == _OP:
                level = levels[-1]
                if string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                    if previous in _STRING_ENDS or previous_string in _CLOSERS \
                            or previous == _NAME and previous_string not in _KEYWORDS:
                        level.link(_TRAILER)  # a call or a subscript
                    below += level.depth
                    levels.append(_Level())
                    if below > MAX_DEPTH:
                        return too_deep
                elif string in _CLOSERS:
                    depth -= 1
                    if len(levels) > 1:
                        levels.pop()
                        below -= levels[-1].depth
                elif string == ":" and level.lambdas:
                    chain = 0
                    level.lambdas -= 1  # a lambda's colon: the body is one level deeper
                elif string in _CHAIN_RESETS:
                    chain = 0
                    if level.depth and not (level.lambdas and string in ",="):  # a lambda's parameters go on
                        levels[-1] = _Level()
                else:
                    if string in _BINARY_OPERATORS:
                        chain += 1
                        if chain > MAX_OPERATOR_CHAIN:
                            return f"expression too long to parse safely (over {MAX_OPERATOR_CHAIN} operators in a row)"
                    rank = _RANKS.get(string)
            elif kind in _STRING_STARTS and previous in _STRING_ENDS:
                chain += 1  # implicit concatenation
                if chain > MAX_OPERATOR_CHAIN:
                    return f"expression too long to parse safely (over {MAX_OPERATOR_CHAIN} operators in a row)"
                rank = _TRAILER
            elif kind == _NEWLINE:
                chain = below = 0
                if len(levels) > 1 or levels[0].depth or levels[0].lambdas:
                    levels = [_Level()]
            elif kind == _INDENT:
                elifs.append(0)
            elif kind == _DEDENT and len(elifs) > 1:
                elifs.pop()
            if rank is not None:
                level = levels[-1]
                level.link(rank)
                if below + level.depth > MAX_DEPTH:
                    return too_deep
            line_start = kind in _LINE_STARTS
            previous, previous_string = kind, string
    except (tokenize.TokenError, SyntaxError):
        # From 3.12 the tokenizer itself refuses a 201st open bracket, having reached 200;
        # any other error is LibCST's to report, with a position.
        if deepest < MAX_NESTING:
            return _too_many(tokens)
        deepest = MAX_NESTING + 1
    else:
        if groups is not None:
            groups.complete = True
    if deepest > MAX_NESTING:
        return f"too deeply nested to parse safely (over {MAX_NESTING} brackets)"
    return _too_many(tokens)


# A run of what may be tokens: digits, a name, one other visible character. Every token but the
# invisible ones (NEWLINE, NL, INDENT, DEDENT, ENDMARKER) and an f-string's text between braces holds
# at least one of these runs, and no run spans two tokens (``1if`` is two runs, as it is two tokens).
_VISIBLE = re.compile(r"\d+|[^\W\d]\w*|[^\w\s]")


def _surely_safe(text: str, statements: Sequence[Tuple[int, int]]) -> bool:
    """True when the guard could find nothing in ``text``, which the standard parser took (its
    statements' lines: ``statement_lines``), known without tokenizing it: this costs about a sixth
    of the tokenizer, and every big file LibCST parses has a tree from the reduction. An upper bound
    of the tokens stands in for each count the guard keeps.

    * Nesting: the standard parser takes no more than 200 brackets (``MAX_NESTING``).
    * Depth and chains: the guard counts them per logical line, at most one step per visible token, so
      a line with at most ``MAX_DEPTH`` visible runs is safe. Each statement's lines (a compound
      statement's header, from its decorators to its body's first line) hold its logical line.
    * ``elif`` runs: at most as many as the word's occurrences.
    * The file's tokens: at most its visible runs, plus an f-string's texts (at most one after each
      ``}`` or quote), plus three invisible tokens a line and the last ones.

    False means "tokenize and see", never that the file is unsafe."""
    if text.count("elif") > MAX_DEPTH or "\r" in text:
        return False
    lines = text.split("\n")
    before = [0]  # visible runs before each line
    total = 0
    for line in lines:
        total += len(_VISIBLE.findall(line))
        before.append(total)
    if total + text.count("}") + text.count('"') + text.count("'") + 3 * len(lines) + 2 > MAX_TOKENS:
        return False
    return all(before[last] - before[first - 1] <= MAX_DEPTH for first, last in statements)


def _too_many(tokens: int) -> Optional[str]:
    """The reason a file of ``tokens`` tokens is not parsed (the tokens up to an error, if it has one)."""
    return f"too large to analyse ({tokens} tokens, limit {MAX_TOKENS})" if tokens > MAX_TOKENS else None


_NAME, _OP, _NEWLINE, _INDENT, _DEDENT = tokenize.NAME, tokenize.OP, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT
_CLOSERS = frozenset({")", "]", "}"})
_KEYWORDS = frozenset(keyword.kwlist)
_CHAIN_RESETS = frozenset({",", ";", ":", "="})
_BINARY_OPERATORS = frozenset({"+", "-", "*", "/", "//", "%", "@", "|", "&", "^", "<<", ">>", "**"})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT})
_RUN_ENDS = frozenset({tokenize.NL, tokenize.NEWLINE})
_LINE_STARTS = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT})
# From 3.12 an f-string is several tokens (and from 3.14 a t-string).
_STRING_STARTS = frozenset({tokenize.STRING, getattr(tokenize, "FSTRING_START", -1),
                            getattr(tokenize, "TSTRING_START", -1)})
_STRING_ENDS = frozenset({tokenize.STRING, getattr(tokenize, "FSTRING_END", -1), getattr(tokenize, "TSTRING_END", -1)})
# What links a chain, by how tightly it binds, loosest first. A comparison chain is one flat node,
# but it ends the runs of what binds tighter; ``-`` and ``+`` count as binary also where unary.
_PRECEDENCE = (
    ("lambda", "for"), ("else",), ("or",), ("and",), ("not",), ("<", ">", "==", ">=", "<=", "!=", "in", "is"),
    ("|",), ("^",), ("&",), ("<<", ">>"), ("+", "-"), ("*", "/", "//", "%", "@"), ("~",), ("**",), ("await",),
)
_RANKS = {word: rank for rank, words in enumerate(_PRECEDENCE) for word in words}
_FLAT = _RANKS["in"]
_TRAILER = _RANKS["."] = len(_PRECEDENCE)  # ``.name``, a call, a subscript, a string after a string


class _Level:
    """The chains open in one pair of brackets: for each rank the current run and the longest run
    that a looser link ended; ``depth`` is the sum of the larger of each pair."""

    __slots__ = ("runs", "longest", "depth", "lambdas")

    def __init__(self) -> None:
        self.runs: Dict[int, int] = {}
        self.longest: Dict[int, int] = {}
        self.depth = 0
        self.lambdas = 0

    def link(self, rank: int) -> None:
        runs, longest = self.runs, self.longest
        for tighter in [r for r in runs if r > rank]:
            longest[tighter] = max(longest.get(tighter, 0), runs.pop(tighter))
        if rank != _FLAT:
            run = runs[rank] = runs.get(rank, 0) + 1
            if run > longest.get(rank, 0):
                self.depth += 1


def _parse(text: str) -> cst.Module:
    """LibCST's tree for the text, or SourceError. Each node validates itself as it is built, about a
    tenth of the parse's CPU time (measured on 30 files of the benchmark corpus, 1.1 MB: 1.72-1.83 s
    with validation, 1.45-1.62 s without); switching that off meant swapping ``CSTNode.__post_init__``
    for the whole process, which every other thread (and the fixer's check of the nodes it builds)
    shared, so the cost is accepted."""
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise SourceError(_syntax_error(text, exc)) from None
    except RecursionError:
        raise SourceError("too deeply nested to parse") from None
    except MemoryError:  # a worker's address space is limited (runner.WORKER_MEMORY)
        raise SourceError("out of memory while parsing") from None
    except Exception as exc:  # the native parser reports some inputs with other exception types
        raise SourceError(f"parser error: {exc}") from None


def _syntax_error(text: str, exc: cst.ParserSyntaxError) -> str:
    """Where and why the file does not parse: CPython's words when its parser rejects the file too,
    since LibCST's native parser can place an error lines away (Instagram/LibCST#1028, #1112)."""
    return _python_syntax_error(text) or f"syntax error at {exc.raw_line}:{exc.raw_column + 1}: {exc.message}"


def _python_syntax_error(text: str) -> Optional[str]:
    """CPython's parser's reason for rejecting the text, with its position; None if it takes it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text.lstrip("\ufeff"), "<file>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        if error.lineno:
            return f"syntax error at {error.lineno}:{error.offset or 1}: {error.msg}"
    except Exception:  # ValueError, MemoryError, RecursionError: no position to be had
        pass
    return None


class Analysed(NamedTuple):
    """One file's findings beside the diagnostics they became, with the tree and checker (for the fixer)."""

    module: Optional[cst.Module]
    checker: Any
    pairs: List[Tuple[Finding, Diagnostic]]
    groups: Optional[noqa.LineGroups] = None  # the guard's reading, for the noqa of what the file exports


NOTHING = Analysed(None, None, [])


def analyse(text: str, path: str, options: AnalysisOptions, *, apply_noqa: bool = True,
            project: Optional[Any] = None, force: bool = False, parse_text: Optional[str] = None,
            tree: Optional[ast.Module] = None, statements: Optional[Sequence[Tuple[int, int]]] = None) -> Analysed:
    """Screen, guard, parse once, analyse, position, noqa; raises SourceError for bad input.

    For the project index (``project``: the file's ``index.ModuleInfo``) the tree and checker come
    back even without findings, and a file-wide noqa silences the file but not what it exports;
    ``force`` parses a file the screen would pass over (it defines something another file uses);
    ``parse_text`` is what LibCST parses instead of ``text``: the same lines, with the functions that
    cannot matter blanked (``tmplint.reduce``), and ``tree`` the standard parser's tree of ``text``
    (or ``statements``, its statements' lines: what the guard reads of it).
    """
    if not force and not may_have_findings(text, options):
        return NOTHING
    silenced = apply_noqa and noqa.file_is_ignored(text.splitlines(True))
    if silenced and project is None:
        return NOTHING
    groups = noqa.LineGroups()
    reason = _guard(text, options, groups, tree, statements)
    if reason is not None:
        raise SourceError(reason)
    module = _parse(text if parse_text is None else parse_text)
    try:
        findings, checker = analyze_module_with_tables(module, options, project)
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    except SyntaxError as exc:  # evaluating a literal LibCST takes and Python does not: "\x4", b"caf\xe9"
        raise SourceError(_python_syntax_error(text) or f"syntax error: {exc.msg}") from None
    if silenced:
        findings = []
    if not findings:
        return NOTHING if project is None else Analysed(module, checker, [], groups)
    from tmplint.positions import positions

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
        mapping = noqa.noqa_line_mapping(text, lines, groups)
        pairs = [
            (f, d) for f, d in pairs
            if not noqa.is_ignored(d.code, mapping.get(d.line, lines[d.line - 1] if d.line <= len(lines) else None))
        ]
    return Analysed(module, checker, pairs, groups)


def analyse_text(text: str, path: str, options: AnalysisOptions, *, apply_noqa: bool = True) -> List[Diagnostic]:
    """All findings of every rule for one decoded file, before selection, each marked with its fix."""
    diagnostics = [diagnostic for _, diagnostic in with_fixes(analyse(text, path, options, apply_noqa=apply_noqa))]
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def with_fixes(analysed: Analysed, planner: Optional[Any] = None) -> List[Tuple[Finding, Diagnostic]]:
    """Each finding with its diagnostic marked with the fix the planner would make (``planner``: one
    the caller made on this tree, to plan more with)."""
    if not analysed.pairs or analysed.module is None:
        return []
    if planner is None:
        from tmplint.fix.planner import Planner

        planner = Planner(analysed.module, analysed.checker)
    pairs = []
    for finding, diagnostic in analysed.pairs:
        edit = planner.plan(finding)
        if edit is not None:
            diagnostic = replace(diagnostic, fix_title=edit.title, fix_applicability=edit.applicability)
        pairs.append((finding, diagnostic))
    return pairs


def select(diagnostics: Iterable[Diagnostic], config: Config) -> List[Diagnostic]:
    enabled = resolve_selection(config.select, config.ignore, config.extend_select)
    return [d for d in diagnostics if d.code == CANNOT_ANALYSE or d.code in enabled]


def check_file(path: str, config: Optional[Config] = None) -> List[Diagnostic]:
    """One file from disk without the project index, selected: the runner's per-file job for a build
    without ``tmplint.project``. Every front end goes through ``tmplint.api`` instead."""
    config = config or Config()
    try:
        text, _ = read_source(path, read_limit(config.analysis.max_file_size))
        return select(analyse_text(text, path, config.analysis), config)
    except SourceError as exc:
        return [cannot_analyse(path, str(exc))]
    except RecursionError:  # past the analysis: placing findings walks the whole tree again
        return [cannot_analyse(path, "too deeply nested to analyse")]
    except SyntaxError as exc:  # past the analysis too, as above
        return [cannot_analyse(path, f"syntax error: {exc.msg}")]
