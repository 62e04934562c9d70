"""Glob patterns (``exclude``, ``per-file-ignores``, ``.gitignore``) matched in time linear in the path.

Patterns come from files anyone may write: a checkout, a pull request, a restored CI cache. A glob
compiled to a backtracking regex takes time exponential in its number of wildcards: ``*a`` forty times
against a name of forty ``a`` and a ``b``, or eight ``**/`` against a path forty folders deep, ran for
minutes. ``fnmatch`` and ``pathspec`` compile to Python's ``re`` too (measured: pathspec 1.1.1 did not
finish ``*a`` x 40 in two minutes), so none of them is used for these.

Here a glob with at most one part of variable length (``*``, ``**/``) is still a regex: one such part
backtracks over at most the text's length, times the pattern's. Any other glob runs as a Thompson NFA:
the set of pattern positions alive after each character, so the work is at most the text's length
times the pattern's, whatever the text. The language is the one ``glob_to_regex`` spells as a regex:
``**/`` any number of folders (also none), a trailing ``**`` everything, ``?`` one character,
``[...]``/``[!...]`` a class, ``\\x`` a literal x; with ``slash_crossing`` (exclude and per-file-ignores,
like fnmatch and ruff) ``*`` and ``?`` may match ``/``, without it (``.gitignore``) they stay within one
path segment.
"""

import re
from typing import Any, FrozenSet, List, Optional, Tuple

# Token and NFA node kinds. A token is (kind, argument).
LIT = 0  # one given character
ONE = 1  # any character (argument: may it be "/")
CLASS = 2  # argument: (ranges, negated, may a negated class match "/")
STAR = 3  # any run of characters (argument: may they include "/")
DIRS = 4  # "**/": nothing, or anything that ends with "/"
NEVER = 5  # a class git cannot match either (a reversed range such as [z-a])
_SKIP = 6  # NFA only: epsilon to the next node or ``argument`` nodes on (DIRS's "nothing")

# The argument's type follows from the kind (str, bool, None, an int or a class's tuple), which a checker cannot
# see through an int tag: it is Any, and each kind's branch uses it as that kind's.
Token = Tuple[int, Any]


def tokenize(pattern: str, slash_crossing: bool = True) -> List[Token]:
    tokens: List[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            if j - i >= 2 and (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/"):
                if j == n:
                    tokens.append((STAR, True))
                else:
                    tokens.append((DIRS, None))
                    j += 1  # the "/" after "**" is part of "any number of folders"
            else:
                tokens.append((STAR, slash_crossing))
            i = j
        elif char == "?":
            tokens.append((ONE, slash_crossing))
            i += 1
        elif char == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal "["
                tokens.append((LIT, char))
                i += 1
                continue
            inner = pattern[i + 1:j]
            negated = inner[:1] in ("!", "^")
            ranges = _ranges(inner[1:] if negated else inner)
            tokens.append((NEVER, None) if ranges is None else (CLASS, (ranges, negated, slash_crossing)))
            i = j + 1
        elif char == "\\" and i + 1 < n:
            tokens.append((LIT, pattern[i + 1]))
            i += 2
        else:
            tokens.append((LIT, char))
            i += 1
    return tokens


def _ranges(inner: str) -> Optional[Tuple[Tuple[str, str], ...]]:
    """A class's characters as (first, last) ranges, read as ``re`` reads ``[...]`` whose ``\\``, ``[``,
    ``]`` and ``^`` are literal; None for a reversed range."""
    out: List[Tuple[str, str]] = []
    i = 0
    while i < len(inner):
        first = inner[i]
        if i + 2 < len(inner) and inner[i + 1] == "-":
            last = inner[i + 2]
            if last < first:
                return None
            out.append((first, last))
            i += 3
        else:
            out.append((first, first))
            i += 1
    return tuple(out)


def to_regex(tokens: List[Token]) -> str:
    out: List[str] = []
    for kind, arg in tokens:
        if kind == LIT:
            out.append(re.escape(arg))
        elif kind == ONE:
            out.append("." if arg else "[^/]")
        elif kind == CLASS:
            ranges, negated, crossing = arg
            inner = "".join(_class_char(a) if a == b else f"{_class_char(a)}-{_class_char(b)}" for a, b in ranges)
            out.append(f"[^{inner}{'' if crossing else '/'}]" if negated else f"[{inner}]")
        elif kind == STAR:
            out.append(".*" if arg else "[^/]*")
        elif kind == DIRS:
            out.append("(?:.*/)?")
        else:
            out.append("(?!)")
    return "".join(out)


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\[]^-" else char


def glob_to_regex(pattern: str, *, slash_crossing: bool = True) -> str:
    """A regex (no anchors) for a glob; see the module's docstring for the language. For inspection and
    tests: matching goes through :class:`Glob`, which does not backtrack."""
    return to_regex(tokenize(pattern, slash_crossing))


class Glob:
    """A glob matched against a whole text (``match``); ``prefix`` is literal text it must start with
    (the project root of a relative pattern). ``work`` counts the NFA's steps, for tests."""

    __slots__ = ("prefix", "suffix", "_regex", "_nodes", "_closures", "work")

    def __init__(self, pattern: str, slash_crossing: bool = True, prefix: str = "") -> None:
        tokens = tokenize(pattern, slash_crossing)
        start = 0
        while start < len(tokens) and tokens[start][0] == LIT:
            start += 1
        self.prefix = prefix + "".join(str(arg) for _, arg in tokens[:start])
        tokens = tokens[start:]
        end = len(tokens)
        while end > 0 and tokens[end - 1][0] == LIT:
            end -= 1
        self.suffix = "".join(str(arg) for _, arg in tokens[end:])  # checked first: most paths fail there
        self.work = 0
        self._regex = None
        self._nodes: List[Token] = []
        self._closures: List[FrozenSet[int]] = []
        if sum(1 for kind, _ in tokens if kind in (STAR, DIRS)) <= 1:
            self._regex = re.compile(f"(?s:{to_regex(tokens)})\\Z")
            return
        for kind, arg in tokens:
            if kind == DIRS:
                self._nodes.extend([(_SKIP, 3), (STAR, True), (LIT, "/")])
            else:
                self._nodes.append((kind, arg))
        self._closures = [self._closure(state) for state in range(len(self._nodes) + 1)]

    def _closure(self, state: int) -> FrozenSet[int]:
        """The states reachable from ``state`` without reading a character."""
        found, todo = set(), [state]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            if current < len(self._nodes):
                kind, arg = self._nodes[current]
                if kind == STAR:
                    todo.append(current + 1)
                elif kind == _SKIP:
                    todo.extend((current + 1, current + arg))
        return frozenset(s for s in found if s == len(self._nodes) or self._nodes[s][0] != _SKIP)

    def match(self, text: str) -> bool:
        if not text.startswith(self.prefix) or len(text) < len(self.prefix) + len(self.suffix):
            return False
        if self._regex is not None:
            return self._regex.match(text, len(self.prefix)) is not None
        if not text.endswith(self.suffix):
            return False
        nodes, closures, end = self._nodes, self._closures, len(self._nodes)
        states = closures[0]
        for index in range(len(self.prefix), len(text)):
            char = text[index]
            self.work += len(states)
            following: set = set()
            for state in states:
                if state == end:
                    continue
                kind, arg = nodes[state]
                if kind == LIT:
                    ok = char == arg
                elif kind == STAR or kind == ONE:
                    ok = arg or char != "/"
                elif kind == CLASS:
                    ranges, negated, crossing = arg
                    inside = any(a <= char <= b for a, b in ranges)
                    ok = (not inside and (crossing or char != "/")) if negated else inside
                else:
                    ok = False
                if ok:
                    following |= closures[state if kind == STAR else state + 1]
            if not following:
                return False
            states = following  # type: ignore[assignment]
        return end in states
