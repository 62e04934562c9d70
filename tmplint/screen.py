"""A cheap screen that keeps files which cannot hold a finding away from LibCST.

LibCST's parse costs about ten times the standard library's ``ast.parse``, and most files never
rename anything into place. A regex and then ``ast.parse`` with a walk did this job first, but on a
corpus of 11,000 files (200 MB) they took 12 s and 48 s, more than a whole run may take: ``replace``
is in one file of eight, as ``str.replace``. The screen now reads the text only. Plain substring
searches find the words a finding needs (``"replace" in text`` runs at memory speed, a regex
alternation or ``(?i)`` does not), and each occurrence gets a short look: about 1.6 s for the
corpus, passing the same 159 files the walk passed.

It is sound: :func:`passes_ast_screen`, the walk, stays here as the definition, and a file it passes
the text screen passes too. tests/test_screen.py checks that on the fixtures, each of their
statements, tricky and generated snippets; the benchmark checked every file of the corpus and
90,000 statements cut from it. When in doubt, the screen passes. A finding needs one of:

* ``mktemp`` or a configured save helper's name: a substring anywhere.
* a shared temp dir right after a quote: a literal TMP201 reports starts with the folder (rules.md),
  so its text does, unless escapes or an implicit concatenation split the folder's own name.
* a name of the wider catalogue in code, not in a comment or a string (``fsspec``,
  ``AbstractFileSystem``, ``moveTo``, and ``gfile`` as a word: ``tf.io.gfile`` is reached through it,
  and ``logfile`` is not it); the AST screen asks for it among the identifiers.
* a keyword argument named like ``tmp_path`` (any case): the name, then ``=`` (not ``==``), where the
  token before may be ``(`` or ``,``, unless no bracket is open there (``a, tmp = f()``, a lambda's
  default), only ``[``/``{``, or a def's ``(``.
* ``replace``/``rename``/``move`` after a ``.``, called with one argument (``Path(p).replace(q)``).
  It is dropped only when the call visibly has none, a keyword or star first, or a second
  argument: its first argument is read bracket by bracket (strings whole, a lambda's parameters up
  to its colon) to a comma that something other than ``)`` follows.
* the same after a ``.``, on a dotted name (brackets round it too) whose first part an import
  statement binds: ``os.replace``, ``sh.move`` after ``import shutil as sh``, ``(os).replace``,
  ``retry(...)(os.replace)``. ``os`` and ``shutil`` count as bound anyway, so that LibCST still
  reports (TMP000) a file the parser rejects for other reasons.
* an import of the function itself: ``from os import replace [as r]``, ``import x.move``.

Between tokens there may be spaces, backslash continuations and, inside brackets, newlines and
comments; reading backwards, each ``#`` on an earlier line may start its comment, so each is tried.
A word inside a comment or a string (not an f-string's fields) does not count; strings are read from
the top as the tokenizer reads them, and past an f-string that Pythons before and after 3.12 could
read differently, nothing counts as inside one. Import statements are read wherever ``import`` is a
word in code, over several lines too. Identifiers are what the parser makes of them: non-ASCII ones
are NFKC-normalised first, so ``ｏｓ.ｒｅｐｌａｃｅ`` is ``os.replace``. A file with a syntax error and
none of these is now screened out instead of reported as TMP000.
"""

import ast
import bisect
import keyword
import os
import re
import unicodedata
from typing import AbstractSet, Dict, Iterable, Iterator, List, NamedTuple, Optional, Set, Tuple

from tmplint.analysis.knowledge import PATH_CLASS_NAMES, PATH_METHODS, RENAMES, TMP_KEYWORD
from tmplint.config.model import AnalysisOptions
from tmplint.source import standard_tree

RENAME_NAMES = frozenset({"replace", "rename", "move"})
_RENAME_WORDS = tuple(sorted(RENAME_NAMES))
_SOFT_KEYWORDS = frozenset({"match", "case", "type"})
_RENAME_MODULES = frozenset(name.split(".")[0] for name in RENAMES)


def _class(ascii_class: str, non_ascii: bool) -> str:
    """A character class that matches what ``ascii_class`` matches among ASCII characters, and every
    non-ASCII character when ``non_ascii``. Spelled by its ASCII complement, because a class holding
    the range ``\\x80-\\U0010ffff`` costs about 6 ms to compile and the screen is imported on every run."""
    one = re.compile(ascii_class)
    keep = [code for code in range(128) if bool(one.fullmatch(chr(code))) != non_ascii]
    return ("[^" if non_ascii else "[") + "".join(f"\\x{code:02x}" for code in keep) + "]"


# The tokenizer reads an identifier as a run of ASCII letters, digits and underscores and of any
# non-ASCII character; a word is found only where such a run starts and ends.
_IDENT_CHAR = _class("[0-9A-Za-z_]", non_ascii=True)
_IDENT_START = _class("[A-Za-z_]", non_ascii=True)
_NON_ASCII_CHAR = "[^\\x00-\\x7f]"
_IDENT_RUN = re.compile(f"{_IDENT_CHAR}*")
_NAME = re.compile(f"{_IDENT_START}{_IDENT_CHAR}*")
_AS = re.compile(f"as(?!{_IDENT_CHAR})")
_NON_ASCII = re.compile(f"{_NON_ASCII_CHAR}+")

# Between two tokens: spaces, backslash continuations, and inside brackets newlines and comments
# (a comment always runs to the end of its line, so a regex cannot stop inside one).
_HWS = re.compile(r"(?:[ \t\f]|\\\n)*")
_WS = r"(?:[ \t\f\n]|\\\n|#[^\n]*(?![^\n]))*"
_BWS = re.compile(_WS)


def _skip(run: "re.Pattern[str]", text: str, i: int) -> int:
    """Where ``run``, a pattern that also matches nothing (``_HWS``, ``_BWS``, ``_IDENT_RUN``), ends from ``i``."""
    found = run.match(text, i)
    assert found is not None
    return found.end()
_KEYWORD_EQUALS = re.compile(_WS + r"=(?!=)")

# A string literal's full extent: prefix, then triple or single quotes (an f-string is never one).
_STRING = (
    r"(?:[rRuUbB]|[rR][bB]|[bB][rR])?"
    r"(?:\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r"|\"(?!\"\")[^\"\\\n]*(?:\\.[^\"\\\n]*)*\""
    r"|'(?!'')[^'\\\n]*(?:\\.[^'\\\n]*)*')"
)
_ASCII_NAME = f"[A-Za-z_][0-9A-Za-z_]*(?!{_NON_ASCII_CHAR})"
_SIMPLE_ARG = f"(?:{_STRING}(?:{_WS}{_STRING})*|{_ASCII_NAME}(?:{_WS}\\.{_WS}{_ASCII_NAME})*)"
# After ``.replace``: not a call, a call without arguments, or one whose first argument is simple
# and followed by a comma and more. None of these is a one-argument call.
_NOT_ONE_ARG_CALL = re.compile(
    f"{_WS}(?:[^(\\s#\\\\]|\\({_WS}(?:\\)|\\*|{_ASCII_NAME}{_WS}=(?!=)|{_SIMPLE_ARG}{_WS},{_WS}[^)\\s#\\\\]))",
    re.DOTALL,
)
_CALL = re.compile(_WS + r"\(")


def _is_ident(char: str) -> bool:
    return char == "_" or char.isalnum() if char.isascii() else True


def _non_ascii_runs(text: str) -> "Iterator[re.Match[str]]":
    """The runs of non-ASCII characters (one may come in two pieces); ``isascii`` skips the rest fast."""
    step = 4096
    for at in range(0, len(text), step):
        if not text[at:at + step].isascii():
            yield from _NON_ASCII.finditer(text, at, at + step)


def _normalise_identifiers(text: str) -> str:
    """``text`` with each identifier-like run NFKC-normalised, as the parser names identifiers.

    Only runs whose normal form is still identifier characters change: a real identifier's is (the
    identifier characters are closed under NFKC), so punctuation never appears from a string's
    full-width ``（``. A normalised text is returned as it is.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    pieces: List[str] = []
    last = covered = 0
    for match in _non_ascii_runs(text):
        start = match.start()
        if start < covered:
            continue
        while start > covered and _is_ident(text[start - 1]):
            start -= 1
        end = _skip(_IDENT_RUN, text, match.end())
        covered = end
        run = text[start:end]
        if unicodedata.is_normalized("NFKC", run):
            continue
        normal = unicodedata.normalize("NFKC", run)
        if _IDENT_RUN.fullmatch(normal):
            pieces += [text[last:start], normal]
            last = end
    return "".join(pieces + [text[last:]]) if pieces else text


def _previous(text: str, pos: int) -> List[int]:
    """Where the significant character before ``pos`` may be: the real one is in the list.

    On the same line it is the last non-blank character. Before that, on each earlier line the code
    may end before any ``#`` (one starts the comment unless it is in a string) or at the end of the
    line (less a continuation backslash); a line blank up to its first ``#`` is passed over.
    """
    i = pos - 1
    while i >= 0 and text[i] in " \t\f":
        i -= 1
    if i < 0:
        return []
    if text[i] != "\n":
        return [i]
    found: List[int] = []
    end = i
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        # One pass over the line, remembering its last non-blank character so far: the code before
        # each ``#`` ends there (a line of many ``#`` once cost a slice per ``#``, quadratic).
        stop = end - 1 if end > start and text[end - 1] == "\\" else end  # less a continuation
        last = start - 1
        at = start
        hash_at = text.find("#", start, end)
        first = hash_at if hash_at >= 0 else stop
        while hash_at >= 0:
            last = _last_non_blank(text, at, hash_at, last)
            if last >= start:
                found.append(last)
            last, at = hash_at, hash_at + 1
            hash_at = text.find("#", at, end)
        last = _last_non_blank(text, at, stop, last)
        if last >= start:
            found.append(last)
        if _last_non_blank(text, start, first, start - 1) >= start:
            break  # the line holds code (or ends a string): the token is on it
        end = start - 1
    return found


def _last_non_blank(text: str, start: int, stop: int, default: int) -> int:
    """The last character of ``text[start:stop]`` that is not a space, tab or form feed, or ``default``."""
    kept = len(text[start:stop].rstrip(" \t\f"))
    return start + kept - 1 if kept else default


def _follows_word(text: str, pos: int, word: str) -> bool:
    """The word ``word`` ends at ``pos`` (inclusive)."""
    start = pos - len(word) + 1
    return start >= 0 and text.startswith(word, start) and (start == 0 or not _is_ident(text[start - 1]))


def _grouped_names(text: str, close: int) -> Optional[Set[str]]:
    """The names in brackets closing at ``close`` when they may hold just a dotted name, as in
    ``(self.pdf).replace``; none for a call's brackets or for anything else inside; None when unsure.
    """
    level = 0
    i = close
    limit = max(-1, close - 2000)
    while i > limit:
        c = text[i]
        if c == ")":
            level += 1
        elif c == "(":
            level -= 1
            if level == 0:
                break
        elif c == "\n":
            if "#" in text[text.rfind("\n", 0, i) + 1:i]:
                return None  # a comment on the line before: no telling where it starts
        elif c not in " \t\f.\\" and not _is_ident(c):
            return set()  # an operator, a comma, a string: not a name in brackets
        i -= 1
    else:
        return None
    before = _previous(text, i)
    if before and all(
        (text[b] in ")]" or _is_ident(text[b]) and not _ends_keyword(text, b)) and "\n" not in text[b:i]
        for b in before
    ):
        return set()  # f(x).replace, x[0](y).replace: the brackets are a call's
    return {match.group() for match in _NAME.finditer(text, i, close)}


def _ends_keyword(text: str, end: int) -> bool:
    """The word ending at ``end`` is a keyword (``return (x).y``): brackets after it group."""
    start = end
    while start > 0 and _is_ident(text[start - 1]):
        start -= 1
    word = text[start:end + 1]
    return keyword.iskeyword(word) or word in _SOFT_KEYWORDS


def _roots(text: str, dot: int, depth: int = 0) -> Optional[Set[str]]:
    """Names a ``.attr`` whose dot is at ``dot`` may be looked up on first (``os`` in ``os.path.x``).

    None when the chain is too long to follow, which the caller takes as a match.
    """
    if depth > 40:
        return None
    roots: Set[str] = set()
    for end in _previous(text, dot):
        if text[end] == ")":
            grouped = _grouped_names(text, end)
            if grouped is None:
                return None
            roots |= grouped
            continue
        if not _is_ident(text[end]):
            continue  # "]", a quote: the value is not a name
        start = end
        while start > 0 and _is_ident(text[start - 1]):
            start -= 1
        before = _previous(text, start)
        if not before or any(text[b] != "." for b in before):
            roots.add(text[start:end + 1])
        for b in before:
            if text[b] == ".":
                deeper = _roots(text, b, depth + 1)
                if deeper is None:
                    return None
                roots |= deeper
    return roots


_PREFIXES = frozenset({"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"})
_SINGLE_QUOTED = {q: re.compile(f"[^{q}\\\\\n]*(?:\\\\.[^{q}\\\\\n]*)*{q}", re.DOTALL) for q in "'\""}
_OTHER = re.compile(_class(r"[^\s#\\'\"()\[\]{},:=A-Za-z_]", non_ascii=False) + "+")


def _string_end(text: str, i: int) -> Optional[int]:
    """The end of the string whose opening quote is at ``i`` (not an f-string); None if unterminated.

    A backslash keeps the next character in the string, raw or not; that is all the extent needs.
    """
    quote = text[i]
    if text.startswith(quote * 3, i):
        first = j = i + 3
        while True:
            k = text.find(quote * 3, j)
            if k < 0:
                return None
            b = k
            while b > first and text[b - 1] == "\\":
                b -= 1
            if (k - b) % 2 == 0:
                return k + 3
            j = k + 1
    match = _SINGLE_QUOTED[quote].match(text, i + 1)
    return match.end() if match else None


def _fstring_end(text: str, i: int, literal: Optional[List[Tuple[int, int]]] = None) -> Optional[int]:
    """The end of the f-string (or t-string) whose opening quote is at ``i``; None when unsure.

    ``literal`` gets the spans outside its replacement fields. A field may hold strings of the
    other quote; whatever the tokenizers before and after Python 3.12 read differently (the same
    quote in a field, a comment or a backslash in one, a quote or a bracket in a format spec) makes
    it unsure.
    """
    q = text[i]
    quote = q * 3 if text.startswith(q * 3, i) else q
    single = len(quote) == 1
    part = i
    i += len(quote)
    depth = inner = 0
    spec = False
    n = len(text)
    while i < n:
        c = text[i]
        if depth == 0:
            if c == "\\":
                if text.startswith("{", i + 1) or text.startswith("N{", i + 1):
                    return None  # a field or a named character: the versions disagree
                i += 2
            elif c == q and text.startswith(quote, i):
                if literal is not None:
                    literal.append((part, i + len(quote)))
                return i + len(quote)
            elif c == "\n" and single:
                return None
            elif c == "{":
                if text.startswith("{{", i):
                    i += 2
                else:
                    if literal is not None:
                        literal.append((part, i))
                    depth, inner, spec = 1, 0, False
                    i += 1
            else:
                i += 1
            continue
        if c in "'\"":
            if spec or c == q and (single or text.startswith(quote, i)) or _is_fstring(text, i):
                return None
            end = _string_end(text, i)
            if end is None or q in text[i:end]:
                return None
            i = end
            continue
        if c in "\\#" or c == "\n" and single:
            return None
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            part = i + 1
        elif c in "()[]":
            if spec and depth == 1:
                return None
            inner += 1 if c in "([" else -1
        elif c == ":" and depth == 1 and inner == 0:
            spec = True
        i += 1
    return None


def _is_fstring(text: str, i: int) -> bool:
    """The quote at ``i`` opens an f-string (or a t-string): its prefix, the letters before, says so.

    Letters that are no prefix are a keyword (``if"x"``) or not valid Python.
    """
    if i == 0 or not text[i - 1].isalpha():
        return False
    start = i
    while start > 0 and i - start < 2 and text[start - 1].isascii() and text[start - 1].isalpha():
        start -= 1
    if start > 0 and _is_ident(text[start - 1]):
        return False
    prefix = text[start:i].lower()
    return prefix in _PREFIXES and ("f" in prefix or "t" in prefix)


def _open_string(text: str, i: int) -> Optional[int]:
    """The end of the string opening with the quote at ``i``; None if unsure or unterminated."""
    return _fstring_end(text, i) if _is_fstring(text, i) else _string_end(text, i)


_COMMENT_OR_QUOTE = re.compile("[#'\"]")
_BRACKET = re.compile(r"[()\[\]{}]")
_OPENING = {")": "(", "]": "[", "}": "{"}


class _Strings:
    """Where comments and strings other than f-strings are, read from the start as the tokenizer does.

    Read only as far as asked. Past an f-string it cannot be sure of, nothing counts as hidden.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.starts: List[int] = []
        self.ends: List[int] = []
        self.unsure_from = len(text) + 1

    def hides(self, pos: int) -> bool:
        """True only when ``pos`` is surely inside a comment or a string (not an f-string)."""
        self._read_to(pos)
        if pos >= self.unsure_from:
            return False
        k = bisect.bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]

    def opener(self, pos: int) -> Optional[int]:
        """Where the innermost bracket open at ``pos`` (which is code) opens: -1 for none, None if unsure."""
        self._read_to(pos)
        if pos >= self.unsure_from:
            return None
        text, starts, ends = self.text, self.starts, self.ends
        stack: List[int] = []
        start, k = 0, 0
        while start < pos:
            stop = min(starts[k] if k < len(starts) else pos, pos)
            for match in _BRACKET.finditer(text, start, stop):
                c = match.group()
                if c in "([{":
                    stack.append(match.start())
                elif not stack or text[stack.pop()] != _OPENING[c]:
                    return None
            if k >= len(starts):
                break
            start = ends[k]
            k += 1
        return stack[-1] if stack else -1

    def _read_to(self, pos: int) -> None:
        text = self.text
        search = _COMMENT_OR_QUOTE.search
        while self.pos <= pos and self.pos < self.unsure_from:
            match = search(text, self.pos)
            if match is None:
                self.pos = len(text) + 1
                return
            at = match.start()
            if match.group() == "#":
                end = text.find("\n", at)
                end = len(text) if end < 0 else end
                self.starts.append(at)
                self.ends.append(end)
            else:
                literal: List[Tuple[int, int]] = []
                closing = _fstring_end(text, at, literal) if _is_fstring(text, at) else _string_end(text, at)
                if closing is None:
                    self.unsure_from = at
                    return
                end = closing
                for start, stop in literal or [(at, end)]:  # an f-string's fields are code
                    if start < stop:
                        self.starts.append(start)
                        self.ends.append(stop)
            self.pos = end


def _visibly_not_one_argument(text: str, i: int) -> bool:
    """True when the call whose ``(`` ends at ``i`` visibly has no argument, or a keyword or a star
    first, or more than one: its first argument ends at a comma that something other than ``)``
    follows. Outside brackets only a lambda's parameters hold commas; they run to its colon.
    """
    n = len(text)
    i = _skip(_BWS, text, i)
    if text.startswith("*", i):
        return True  # *args or **kwargs first
    limit = i + 20000
    depth = lambdas = 0  # brackets open; lambdas whose parameters (commas, defaults) are still going
    while i < limit:
        i = _skip(_BWS, text, i)
        if i >= n:
            return False
        c = text[i]
        if c in "([{":
            depth += 1
            i += 1
        elif c in ")]}":
            if depth == 0:
                return False
            depth -= 1
            i += 1
        elif c == ",":
            if depth == 0 and not lambdas:
                j = _skip(_BWS, text, i + 1)
                return j < n and text[j] != ")"
            i += 1
        elif c == ":":
            if depth == 0 and lambdas and not text.startswith(":=", i):
                lambdas -= 1
            i += 1
        elif c == "=":
            if depth == 0 and not lambdas and text[i - 1] not in "=<>!:" and not text.startswith("==", i):
                return True  # name=value: a keyword argument
            i += 2 if text.startswith("==", i) else 1
        elif c in "'\"":
            end = _open_string(text, i)
            if end is None:
                return False
            i = end
        elif c == "\\":
            return False
        else:
            match = _NAME.match(text, i)
            if match is None:
                match = _OTHER.match(text, i)
                i = match.end() if match else i + 1
                continue
            if depth == 0 and match.group() == "lambda":
                lambdas += 1
            i = match.end()
    return False


_DOTTED = r"[A-Za-z_][0-9A-Za-z_]*(?:\.[A-Za-z_][0-9A-Za-z_]*)*"
_SIMPLE_ALIAS = f"{_DOTTED}(?:[ \t]+as[ \t]+[A-Za-z_][0-9A-Za-z_]*)?"
_SIMPLE_IMPORT = re.compile(f"[ \t]+({_SIMPLE_ALIAS}(?:[ \t]*,[ \t]*{_SIMPLE_ALIAS})*)[ \t]*(?=[\n#;]|\\Z)")


def _from_package(text: str, at: int) -> Optional[str]:
    """The top-level package of ``from <module>`` when the ``import`` at ``at`` ends one (the words
    before it on its logical line, spaces and backslash continuations between them, are ``from`` and
    then dots and names only), ``"."`` for a relative one; None for an ``import`` statement."""
    start = at
    while start > 0:
        char = text[start - 1]
        if char == "\n" and start >= 2 and text[start - 2] == "\\":
            start -= 2
        elif char in " \t\f." or _is_ident(char):
            start -= 1
        else:
            break
    words = text[start:at].replace("\\\n", " ").replace(".", " . ").split()
    if len(words) >= 2 and words[0] == "from" and all(w == "." or w.isidentifier() for w in words[1:]):
        return words[1]
    return None


class _Imports:
    """The names import statements bind to ``os`` or ``shutil`` (a superset), each with where its
    ``import`` stands; every name they bind, each with the top-level packages it may be bound from
    (``tops``; ``"."`` for a relative import); where one imports a rename function itself.
    """

    def __init__(self, text: str) -> None:
        self.where: Dict[str, List[int]] = {}
        self.tops: Dict[str, Set[str]] = {}  # a bound name -> the top-level packages it is imported from
        self.renames: List[int] = []
        find = text.find
        i = find("import")
        while i >= 0:
            after = i + 6
            if (i == 0 or not _is_ident(text[i - 1])) and (after == len(text) or not _is_ident(text[after])):
                self._read_aliases(text, i, after)
            i = find("import", after)

    def _read_aliases(self, text: str, at: int, i: int) -> None:
        # Only a name bound to ``os`` or ``shutil`` themselves can be a rename's receiver: ``x.replace``
        # is ``m.x.replace`` after ``from m import x``, and ``m.replace`` after ``import m as x``, and
        # the analysis knows no rename there (``os``/``shutil`` count anyway, see _File.imported).
        # ``from os import replace`` is still recorded, as a rename import.
        package = _from_package(text, at)
        where = {} if package is not None else self.where
        simple = _SIMPLE_IMPORT.match(text, i)
        if simple is not None:  # the usual one-line statement
            for alias in simple.group(1).split(","):
                words = alias.split()
                parts = words[0].split(".")
                self._bind(words[-1] if len(words) == 3 else parts[0], package or parts[0])
                if parts[-1] in RENAME_NAMES:
                    self.renames.append(at)
                if (words[0] if len(words) == 3 else parts[0]) in _RENAME_MODULES:
                    where.setdefault(words[-1] if len(words) == 3 else parts[0], []).append(at)
            return
        ws = _HWS
        i = _skip(ws, text, i)
        if text.startswith("(", i):
            ws = _BWS
            i += 1
        while True:
            i = _skip(ws, text, i)
            name = _NAME.match(text, i)
            if name is None:
                return
            parts = [name.group()]
            i = name.end()
            while True:
                j = _skip(ws, text, i)
                if not text.startswith(".", j):
                    break
                name = _NAME.match(text, _skip(ws, text, j + 1))
                if name is None:
                    break
                parts.append(name.group())
                i = name.end()
            bound, module = parts[0], parts[0]
            as_ = _AS.match(text, _skip(ws, text, i))
            if as_ is not None:
                name = _NAME.match(text, _skip(ws, text, as_.end()))
                if name is not None:
                    bound, module = name.group(), ".".join(parts)
                    i = name.end()
            self._bind(bound, package or parts[0])
            if parts[-1] in RENAME_NAMES:
                self.renames.append(at)
            if module in _RENAME_MODULES:
                where.setdefault(bound, []).append(at)
            i = _skip(ws, text, i)
            if not text.startswith(",", i):
                return
            i += 1


    def _bind(self, name: str, package: str) -> None:
        self.tops.setdefault(name, set()).add(package)


class _File:
    """What the word checks learn about one file, each part worked out once and only when asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._strings: Optional[_Strings] = None
        self._imports: Optional[_Imports] = None

    @property
    def strings(self) -> _Strings:
        if self._strings is None:
            self._strings = _Strings(self.text)
        return self._strings

    @property
    def imports(self) -> _Imports:
        if self._imports is None:
            self._imports = _Imports(self.text)
        return self._imports

    def in_code(self, pos: int) -> bool:
        return not self.strings.hides(pos)

    def imported(self, roots: Optional[Set[str]]) -> bool:
        """An import statement outside strings and comments binds one of ``roots`` (None: any name).

        ``os`` and ``shutil`` count as imported anyway: the parser may reject the file, and then
        LibCST should still say so (TMP000) for ``os.replace(a, b)`` under a broken import list.
        """
        if roots is None or not roots.isdisjoint(_RENAME_MODULES):
            return True
        if not roots:
            return False
        where = self.imports.where
        return any(self.in_code(at) for root in roots for at in where.get(root, ()))

    def imports_rename(self) -> bool:
        """An import statement outside strings and comments imports ``replace``, ``rename`` or ``move``."""
        return any(self.in_code(at) for at in self.imports.renames)


class NameUses:
    """Where a file's words may name another file's function or class, as the project index resolves
    calls (stage two, ``project.scan_text``): in code, not in a comment or a string, not as the name
    a ``def`` or ``class`` statement defines, and alone (``save(...)``, ``class Sub(Saver)``) or after
    a dot on a chain whose first name an import statement may bind from one of the helper's packages
    (``utils.save``, ``pkg.io.Saver``). ``repo.vfs.rename(a, b)``, ``os.unlink(p)`` (for a helper
    ``unlink`` of another package) and ``"a".replace(b, c)`` reach no helper of another file: a
    value's method is no module's function, and a module of another package holds none."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._file = _File(text)

    def resolvable(self, positions: Iterable[int], packages: Optional[AbstractSet[str]] = None) -> bool:
        """One of the word's ``positions`` is such a use; ``packages``: the top-level packages that reach
        the helper (None: any import will do). A relative import is taken to reach it."""
        text = self.text
        imports = self._file.imports
        for at in positions:
            if not self._file.in_code(at):
                continue
            before = _previous(text, at)
            dots = [b for b in before if text[b] == "."]
            if len(dots) < len(before) or not before:
                if not (len(before) == 1 and (_follows_word(text, before[0], "def")
                                              or _follows_word(text, before[0], "class"))):
                    return True
                continue
            for dot in dots:
                roots = _roots(text, dot)
                if roots is None:
                    return True
                for root in roots & imports.tops.keys():
                    tops = imports.tops[root]
                    if packages is None or "." in tops or not tops.isdisjoint(packages):
                        return True
        return False

    def among_bases(self, positions: Iterable[int]) -> bool:
        """One of ``positions`` lies right in the parentheses of a ``class`` statement (``class
        Mine(Saver)``), how a subclass that inherits a helper method names its base. Where the bracket
        around it cannot be told (``_Strings.opener``), it counts: missing a base would miss a
        finding, and one too many only reads one more file."""
        text, strings = self.text, self._file.strings
        for at in positions:
            if strings.hides(at):
                continue
            opener = strings.opener(at)
            if opener is None:
                return True
            if opener >= 0 and text[opener] == "(" and _CLASS_HEADER.fullmatch(
                    text, text.rfind("\n", 0, opener) + 1, opener + 1):
                return True
        return False

    def renamed(self, name: str, positions: Iterable[int]) -> bool:
        """One of ``positions`` (of ``name``) is followed by ``as``: an import that gives it another
        name (``from pkg.mid import Mid as Store``), which a subclass elsewhere may use as its base."""
        return any(_RENAMED.match(self.text, at + len(name)) for at in positions)


_RENAMED = re.compile(r"[ \t]+as[ \t]")
_CLASS_HEADER = re.compile(r"[ \t]*class[ \t]+\w+[ \t]*\(")  # up to its opening parenthesis


def _may_make_paths(text: str) -> bool:
    """A value can become a pathlib path (knowledge.PATH_CLASS_NAMES, PATH_METHODS): a class's name as
    a word, or a path method's after a dot. Without one, a one-argument ``.replace(x)`` renames nothing.
    Substring searches first: a regex for this took half the screen's time."""
    find = text.find
    i = find("Path")  # in every class name
    while i >= 0:
        start, end = i, i + 4
        while start > 0 and _is_ident(text[start - 1]):
            start -= 1
        while end < len(text) and _is_ident(text[end]):
            end += 1
        if text[start:end] in PATH_CLASS_NAMES:
            return True
        i = find("Path", end)
    for method in PATH_METHODS:
        i = find(method)
        while i >= 0:
            after = i + len(method)
            if (i == 0 or not _is_ident(text[i - 1])) and (after == len(text) or not _is_ident(text[after])) \
                    and any(text[b] == "." for b in _previous(text, i)):
                return True
            i = find(method, after)
    return False


def _rename_may_matter(text: str) -> bool:
    """Some ``replace``/``rename``/``move`` word may be a shape the analysis needs."""
    file = _File(text)
    find = text.find
    paths: Optional[bool] = None  # can the file make a Path, else no receiver is one (asked once, if needed)
    for word in _RENAME_WORDS:
        size = len(word)
        i = find(word)
        while i >= 0:
            after = i + size
            if (i == 0 or not _is_ident(text[i - 1])) and (after == len(text) or not _is_ident(text[after])):
                before = _previous(text, i)
                dots = [b for b in before if text[b] == "."]
                if dots:
                    if not _NOT_ONE_ARG_CALL.match(text, after):
                        call = _CALL.match(text, after)
                        if (call is None or not _visibly_not_one_argument(text, call.end())) and file.in_code(i):
                            if paths is None:
                                paths = _may_make_paths(text)
                            if paths:
                                return True  # may be Path.replace(dst)
                    for dot in dots:
                        if file.imported(_roots(text, dot)) and file.in_code(i):
                            return True  # os.replace, shutil.move, retry(...)(os.replace)
                if any(text[b] in "(,." or _follows_word(text, b, "import") for b in before):
                    if file.imports_rename():
                        return True  # from os import replace
            i = find(word, after)
    return False


def _surely_no_keyword(text: str, strings: _Strings, pos: int) -> bool:
    """``name =`` at ``pos`` is no keyword argument: no bracket is open there (``a, tmp = f()``,
    a lambda's default), or only ``[``/``{`` (a lambda's default at most), or a def's ``(``.
    """
    opener = strings.opener(pos)
    if opener is None:
        return False
    if opener < 0 or text[opener] != "(":
        return True
    before = _previous(text, opener)
    if len(before) != 1 or not _is_ident(text[before[0]]):
        return False
    start = before[0]
    while start > 0 and _is_ident(text[start - 1]):
        start -= 1
    before = _previous(text, start)
    return len(before) == 1 and _follows_word(text, before[0], "def")


def _keyword_may_matter(text: str, lowered: str, found: Dict[str, int]) -> bool:
    """Some ``tmp``/``temp`` name may be a keyword argument: ``f(x, tmp_path=...)``.

    ``found`` holds where each stem is first in ``lowered`` (the text, ASCII letters lowered).
    """
    file: Optional[_File] = None
    for stem, i in found.items():
        while i >= 0:
            start = i
            while start > 0 and text[start - 1] == "_":
                start -= 1
            if start == 0 or not _is_ident(text[start - 1]):
                end = _skip(_IDENT_RUN, text, i)
                if TMP_KEYWORD.match(text[start:end]) and _KEYWORD_EQUALS.match(text, end):
                    if any(text[b] in "(," for b in _previous(text, start)):
                        file = file or _File(text)
                        if file.in_code(start) and not _surely_no_keyword(text, file.strings, start):
                            return True
            i = lowered.find(stem, i + len(stem))
    return False


class _Plan(NamedTuple):
    """The options as the screen uses them: each shared dir with the stems it holds, helper names."""

    dirs: Tuple[Tuple[str, bool, bool], ...]
    helpers: Tuple[str, ...]


_PLANS: Dict[AnalysisOptions, _Plan] = {}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _plan(options: AnalysisOptions) -> _Plan:
    plan = _PLANS.get(options)
    if plan is None:
        dirs = []
        for tmp_dir in options.tmp_dirs:
            low = tmp_dir.translate(_ASCII_LOWER)
            dirs.append((tmp_dir, "tmp" in low, "temp" in low))
        plan = _PLANS[options] = _Plan(tuple(dirs), _configured_names(options))
    return plan


def _configured_names(options: AnalysisOptions) -> Tuple[str, ...]:
    """The last names of the configured save helpers and rename functions: a file that says one passes."""
    functions = [helper for helper, _ in options.save_helpers] + [rename for rename, _ in options.rename_functions]
    return tuple(sorted({function.rsplit(".", 1)[-1] for function in functions}))


# Renames of the wider catalogue whose receiver is no module: an fsspec filesystem (made by fsspec,
# or annotated as an AbstractFileSystem: the analysis takes a type whose name ends so, and no other),
# twisted's FilePath.moveTo, tf.io.gfile.rename.
CATALOGUE_WORDS = ("fsspec", "AbstractFileSystem", "moveTo", "gfile")
# ``gfile`` only as a word: the analysis reaches it as a dotted name's whole part, and ``logfile`` is not it
_CATALOGUE = re.compile(r"fsspec|AbstractFileSystem|moveTo|\bgfile\b")


def mentions_catalogue(text: str) -> bool:
    """A name of the wider catalogue in ``text`` (substring searches first: they run at memory speed)."""
    return any(word in text for word in CATALOGUE_WORDS) and _CATALOGUE.search(text) is not None


def catalogue_in_code(text: str) -> bool:
    """A name of the wider catalogue outside comments and strings (an f-string's fields are code)."""
    if not mentions_catalogue(text):
        return False
    file = _File(text)
    return any(file.in_code(match.start()) for match in _CATALOGUE.finditer(text))


def names_catalogue(node: ast.AST) -> bool:
    """A name of the wider catalogue among the names the code of ``node`` spells (``identifiers``): the
    analysis resolves ``fsspec``, ``AbstractFileSystem``, ``moveTo`` and ``gfile`` as names, never in a
    string (a string annotation included)."""
    return mentions_catalogue(" ".join(identifiers(node)))


def identifiers(node: ast.AST) -> Iterator[str]:
    """Every name the code of ``node`` spells: names, attributes, imports, definitions, parameters."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr
        elif isinstance(child, ast.alias):
            yield child.name
            if child.asname:
                yield child.asname
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield child.name
        elif isinstance(child, ast.arg):
            yield child.arg


def quotes_shared_dir(text: str, tmp_dirs: Tuple[str, ...]) -> bool:
    """A shared temp folder right after a quote: how each literal that TMP201 can report is spelled,
    since its leading text is the folder and a name (``"/tmp/x"``, ``f'/tmp/{u}'``, ``"/tmp" "/x"``)."""
    return any(quote + folder.rstrip("/") in text for folder in tmp_dirs for quote in "'\"")


def literal_in_shared_dir(value: object, tmp_dirs: Tuple[str, ...]) -> bool:
    """An ``ast.Constant``'s value that may start a literal TMP201 reports (see ``quotes_shared_dir``)."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return isinstance(value, str) and any(value.startswith(folder.rstrip("/")) for folder in tmp_dirs)


def passes_text_screen(text: str, options: AnalysisOptions) -> bool:
    """True unless the text shows that no finding is possible (see the module docstring)."""
    plan = _plan(options)
    source = text
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    if source.startswith("\ufeff"):
        source = source[1:]
    source = _normalise_identifiers(source)
    lowered = source.lower()
    if len(lowered) != len(source):  # a character that lowers to two: keep positions in step
        lowered = source.translate(_ASCII_LOWER)
    found = {stem: lowered.find(stem) for stem in ("tmp", "temp")}
    # A stem not in the ASCII-lowered text is not in the text in any case: a shared dir or mktemp
    # holding it cannot be there.
    gate = source is text
    if (found["temp"] >= 0 or not gate) and "mktemp" in text:
        return True
    for tmp_dir, has_tmp, has_temp in plan.dirs:
        if gate and (has_tmp and found["tmp"] < 0 or has_temp and found["temp"] < 0):
            continue
        if quotes_shared_dir(text, (tmp_dir,)):
            return True
    if any(helper in source for helper in plan.helpers) or catalogue_in_code(source):
        return True
    found = {stem: at for stem, at in found.items() if at >= 0}
    if found and _keyword_may_matter(source, lowered, found):
        return True
    return _rename_may_matter(source)


def passes_ast_screen(tree: ast.AST, text: str, options: AnalysisOptions) -> bool:
    """The definition the text screen is checked against: true when the tree holds a shape some
    finding needs.

    ``<imported name>.replace/rename/move`` (called or passed around, as ``retry(...)(os.replace)``
    does), ``from os import replace``, a one-argument ``.replace(x)``/``.rename(x)`` (pathlib),
    a ``tmp``-named keyword argument, a configured save helper, ``mktemp``, a shared temp dir.
    ``str.replace(a, b)`` on a non-module is what it exists to drop.
    """
    if "mktemp" in text or quotes_shared_dir(text, options.tmp_dirs):
        return True
    if names_catalogue(tree):
        return True
    helper_names = set(_configured_names(options))
    imported = set()
    receivers = []  # names that .replace/.rename/.move is looked up on, with two or more arguments
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RENAME_NAMES:
            if len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred) \
                    and _may_make_paths(_normalise_identifiers(text)):
                return True  # Path.replace(dst) / Path.rename(dst), where some value can be a Path
        elif isinstance(node, ast.Attribute):
            if node.attr in helper_names:
                return True
            if node.attr in RENAME_NAMES:
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name):
                    receivers.append(root.id)
        elif isinstance(node, ast.Import) or isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in RENAME_NAMES or alias.name.split(".")[-1] in RENAME_NAMES:
                    return True  # from os import replace [as r]
                module = alias.name if alias.asname else alias.name.split(".")[0]
                if isinstance(node, ast.Import) and module in _RENAME_MODULES:
                    imported.add(alias.asname or module)  # import shutil as sh; not from m import x
        elif isinstance(node, ast.keyword):
            if node.arg is not None and TMP_KEYWORD.match(node.arg):
                return True
        elif isinstance(node, ast.Name) and node.id in helper_names:
            return True
    return any(name in imported for name in receivers)  # os.replace, sh.move, but not text.replace


def passes_ast_reference(text: str, options: AnalysisOptions) -> bool:
    """The old two-step screen's second step on its own: parse, then :func:`passes_ast_screen`.

    A file the standard parser rejects passes. Not used when linting; the tests and the benchmark
    compare :func:`passes_text_screen` with it.
    """
    tree = standard_tree(text)
    return True if tree is None else passes_ast_screen(tree, text, options)


# For checking soundness only (benchmarks/run.py): TMPLINT_SCREEN=off passes every file.
_SCREEN_OFF = os.environ.get("TMPLINT_SCREEN") == "off"


def may_have_findings(text: str, options: AnalysisOptions) -> bool:
    """False only for a file that cannot hold a finding; the engine skips LibCST for it."""
    return _SCREEN_OFF or passes_text_screen(text, options)
