"""``# noqa`` exactly as flake8 reads it (flake8/defaults.py, processor.py, violation.py)."""

import ast
import bisect
import io
import re
import sys
import tokenize
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from tmplint.source import standard_tree

NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")


def file_is_ignored(lines: List[str]) -> bool:
    return any(NOQA_FILE.match(line) for line in lines)


class LineGroups:
    """The runs of lines that tokens join (a multi-line string, a backslash continuation), gathered
    by a reader that tokenizes the whole file anyway (``engine._guard``), so that the noqa lines of a
    file with findings cost no second tokenization. ``complete``: the whole file was read."""

    def __init__(self) -> None:
        self.spans: List[Tuple[int, int]] = []
        self.complete = False
        # Or, untokenized, the standard parser's tree and the lines of each statement (and more:
        # ``source.statement_lines``): a run of several lines lies within one (``_alone``).
        self.tree: Optional[ast.Module] = None  # (a reduction's plan has the lines without the tree)
        self.statements: List[Tuple[int, int]] = []
        self.by_statements = False  # the guard read ``statements`` instead of tokenizing


def noqa_line_mapping(source: str, lines: List[str], groups: Optional[LineGroups] = None) -> Dict[int, str]:
    """Map each line to the text searched for noqa: a multi-line string's lines share its whole text.
    A line of its own maps to itself, or is left out (callers fall back on the line)."""
    mapping: Dict[int, str] = {}
    if groups is not None and not groups.complete and groups.by_statements and _alone(source, lines, groups):
        return mapping  # every noqa comment covers its own line alone
    spans = groups.spans if groups is not None and groups.complete else _token_line_groups(source, len(lines))
    for first, last in spans:
        joined = "".join(lines[first - 1:last])
        for number in range(first, last + 1):
            mapping[number] = joined
    return mapping


def _alone(source: str, lines: List[str], groups: LineGroups) -> bool:
    """No line that mentions noqa shares a run with another line, known without tokenizing: it lies
    in no statement of several lines, or, when no backslash ends a line (then only a string token
    spans lines), in no string of several lines."""
    marked = [number for number, line in enumerate(lines, 1) if "noqa" in line.lower()]

    def holds_a_mark(first: int, last: int) -> bool:
        return last > first and bisect.bisect_right(marked, last) > bisect.bisect_left(marked, first)

    holding = [(first, last) for first, last in groups.statements if holds_a_mark(first, last)]
    if not holding:
        return True
    if "\\\n" in source:
        return False
    # Only a string token spans lines now, and it lies within its statement's lines: a statement whose
    # lines quote no triple quote (nor, from Python 3.12, an f-string, whose fields may span lines)
    # holds none. Most marks in a statement of several lines silence a long line of a call.
    if not any(_may_span_lines("".join(lines[first - 1:last])) for first, last in holding):
        return True
    # Without the tree (a reduction's plan brings only the statements' lines), parsing again costs a
    # tenth of tokenizing: the tokenizer is Python, the parser C.
    tree = groups.tree or standard_tree(source)
    if tree is None:
        return False
    return not any(holds_a_mark(node.lineno, node.end_lineno or node.lineno) for node in ast.walk(tree)
                   if isinstance(node, (ast.Constant, ast.JoinedStr)))


_SPANNING_QUOTE = re.compile(r'"""|\'\'\'' + (r'|(?<![\w])(?:[fFtT][rR]?|[rR][fFtT])["\']' if sys.version_info >= (3, 12) else ""))


def _may_span_lines(text: str) -> bool:
    """The text may hold a string token of several lines."""
    return _SPANNING_QUOTE.search(text) is not None


def _tokens(source: str) -> List[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def _token_line_groups(source: str, count: int, tokens: Optional[List[tokenize.TokenInfo]] = None
                       ) -> List[Tuple[int, int]]:
    """(first, last) line of each run of tokens up to a NEWLINE or NL token, as flake8 groups them:
    one line, or the lines a multi-line string (or a backslash continuation) spans. Empty when the
    source does not tokenize."""
    groups = []
    min_line, max_line = count + 2, -1
    for tok in _tokens(source) if tokens is None else tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        min_line = min(min_line, tok.start[0])
        max_line = max(max_line, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            groups.append((min_line, max_line))
            min_line, max_line = count + 2, -1
    return groups


def is_ignored(code: str, physical_line: Optional[str]) -> bool:
    if physical_line is None:
        return False
    match = NOQA_INLINE.search(physical_line)
    if match is None:
        return False
    codes_str = match.groupdict()["codes"]
    if codes_str is None:
        return True
    codes = {c.strip() for c in _SPLIT.split(codes_str) if c.strip()}
    return code in codes or code.startswith(tuple(codes))


# --- --add-noqa ---------------------------------------------------------------------------------

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


def _python_lines(text: str) -> List[Tuple[str, str]]:
    """(content, line ending) per line as Python counts lines: only CR LF, CR and LF end one."""
    out = [(m.group(1), m.group(2)) for m in _LINE.finditer(text)]
    if out and out[-1] == ("", ""):
        out.pop()  # the empty match after the last line ending
    return out


class NoqaAdded(NamedTuple):
    text: str  # the source with the directives
    added: int  # lines that gained or changed a directive
    unsilenced: List[int]  # lines where no comment can silence a finding (a directive in a string comes first)


def add_noqa(source: str, findings: Iterable[Tuple[int, str]]) -> NoqaAdded:
    """``source`` with ``# noqa: CODE`` for each (line, code) finding, as ruff's ``--add-noqa`` writes it:
    on the line itself, or, for a line inside a multi-line string or a backslash continuation, at the
    end of the last line of that run (where flake8, and so tmplint, looks); codes are merged into a
    ``# noqa: X`` already there. A finding already silenced (a bare ``# noqa``, a code listed) adds
    nothing."""
    lines = _python_lines(source)
    tokens = _tokens(source)
    comments = {tok.start[0]: tok.start[1] for tok in tokens if tok.type == tokenize.COMMENT}
    group = {}
    for first, last in _token_line_groups(source, len(lines), tokens):
        for number in range(first, last + 1):
            group[number] = (first, last)
    wanted: Dict[int, List[str]] = {}
    for line, code in findings:
        first, last = group.get(line, (line, line))
        if 0 < last <= len(lines):
            wanted.setdefault(last, []).append(code)
    changed = 0
    unsilenced = []
    for target, codes in sorted(wanted.items()):
        first = group.get(target, (target, target))[0]
        before = lines[first - 1:target - 1]
        content, ending = lines[target - 1]
        searched = "".join(c + e for c, e in before) + content  # the text the engine searches
        missing = sorted({code for code in codes if not is_ignored(code, searched)})
        if not missing:
            continue
        new = _with_codes(content, comments.get(target), missing)
        searched = "".join(c + e for c, e in before) + new
        if not all(is_ignored(code, searched) for code in missing):
            unsilenced.append(target)  # an earlier directive inside a string is the one flake8 reads
            continue
        lines[target - 1] = (new, ending)
        changed += 1
    return NoqaAdded("".join(c + e for c, e in lines), changed, unsilenced)


def _with_codes(content: str, comment_at: Optional[int], codes: List[str]) -> str:
    """The line with ``codes`` added to its comment's ``# noqa: X`` (never to a string's), or with a new
    ``  # noqa: CODES`` at its end."""
    match = NOQA_INLINE.search(content, comment_at) if comment_at is not None else None
    if match is None or not match.group("codes"):
        return content.rstrip() + "  # noqa: " + ", ".join(codes)
    listed = [c for c in _SPLIT.split(match.group("codes")) if c]
    rest = content[match.end():]
    return (content[:match.start()] + "# noqa: " + ", ".join(listed + codes)
            + (" " + rest.lstrip() if rest.strip() else ""))
