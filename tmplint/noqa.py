"""``# noqa`` exactly as flake8 reads it (flake8/defaults.py, processor.py, violation.py)."""

import io
import re
import tokenize
from typing import Dict, List, Optional

NOQA_INLINE = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]")


def file_is_ignored(lines: List[str]) -> bool:
    return any(NOQA_FILE.match(line) for line in lines)


def noqa_line_mapping(source: str, lines: List[str]) -> Dict[int, str]:
    """Map each line to the text searched for noqa: a multi-line string's lines share its whole text."""
    mapping: Dict[int, str] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return mapping
    min_line, max_line = len(lines) + 2, -1
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        min_line = min(min_line, tok.start[0])
        max_line = max(max_line, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[min_line - 1:max_line])
            for number in range(min_line, max_line + 1):
                mapping[number] = joined
            min_line, max_line = len(lines) + 2, -1
    return mapping


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
