"""Positions of calls, their arguments, string literals and parameter defaults, from the standard
library's ``ast`` instead of a LibCST code generation.

The project index needs the position of every argument of every call it may report, in files
where such calls are everywhere (a test module passes literals to its package's functions on
most lines). Generating the code to count characters costs more than LibCST's parse; ``ast``
reads the same text in a tenth of that and knows every node's line and column. The two trees
are matched scope by scope (functions, classes and lambdas are scopes in both, with decorators,
defaults and annotations inside the function, as ``scopes.Collector`` has them), calls by their
callee's text and order, arguments by position in the call, literals by their exact text where
it is unique in the scope, and each pair is checked against the source text. What cannot be
matched with certainty is left out, and the caller generates code for it instead.
"""

import ast
import bisect
import io
import re
import tokenize
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from tmplint.analysis.scopes import Scope, dotted_name
from tmplint.source import standard_tree

Pos = Tuple[int, int, int, int]
_LINE_END = re.compile(r"\r\n|\r|\n")
_CONTINUATION = re.compile(r"(\r\n|\r|\n)[ \t\f]*")
_SCOPE_KINDS = {ast.FunctionDef: "function", ast.AsyncFunctionDef: "function", ast.ClassDef: "class",
                ast.Lambda: "lambda"}


def _children(node: ast.AST) -> List[ast.AST]:
    out: List[ast.AST] = []
    for name in node._fields:
        if name == "ctx":
            continue
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


class _AstScope:
    def __init__(self, node: ast.AST):
        self.node = node
        # where a function, class or lambda starts (the module: 0, 0)
        self.start: Tuple[int, int] = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        self.children: Dict[Tuple[str, str], List["_AstScope"]] = {}
        self.calls: List[ast.Call] = []
        self.strings: List[ast.expr] = []  # string constants and f-strings


class Anchors:
    """Finds CST nodes' positions through the ``ast`` tree of ``text``; None where unsure."""

    def __init__(self, module: cst.Module, text: str, scopes: Sequence[Scope], tree: Optional[ast.Module] = None):
        """``tree``: ``ast.parse(text)``, when the caller has it."""
        self.module = module
        self.text = text
        self.ok = False
        self.siblings: Dict[Tuple[int, str, str], List[Scope]] = {}  # CST scopes in the order they were made
        for scope in scopes:
            if scope.parent is not None:
                self.siblings.setdefault((scope.parent.id, scope.kind, scope.name), []).append(scope)
        if "\r" in text.replace("\r\n", ""):
            return  # lone CR: the two parsers need not count lines alike
        tree = tree or standard_tree(text)
        if tree is None:
            return
        self.tree = tree
        self.lines = text.splitlines(True)
        self.line_starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
        self.root = _AstScope(tree)
        self._collect(tree, self.root)
        for scope_calls in self._all_scopes(self.root):
            scope_calls.calls.sort(
                key=lambda c: (c.lineno, c.col_offset, -(c.end_lineno or 0), -(c.end_col_offset or 0)))
        self._scopes: Dict[int, Optional[_AstScope]] = {}
        self.ok = True

    # --- the ast side ----------------------------------------------------------------------
    def _collect(self, tree: ast.AST, top: _AstScope) -> None:
        """Each scope's calls, strings (not inside f-strings) and child scopes; one pass, no recursion."""
        stack = [(child, top) for child in _children(tree)]
        while stack:
            node, scope = stack.pop()
            kind = type(node)
            if kind in _SCOPE_KINDS:
                inner = _AstScope(node)
                scope.children.setdefault((_SCOPE_KINDS[kind], getattr(node, "name", "")), []).append(inner)
                stack.extend((child, inner) for child in _children(node))
                continue
            if isinstance(node, ast.Call):
                scope.calls.append(node)
            elif isinstance(node, ast.JoinedStr):
                scope.strings.append(node)
                continue  # inside f-strings, positions differ between Python versions: not used
            elif isinstance(node, ast.Constant):
                if isinstance(node.value, (str, bytes)):
                    scope.strings.append(node)
                continue
            elif isinstance(node, ast.Name):
                continue
            stack.extend((child, scope) for child in _children(node))

    def _ast_scope(self, scope: Scope) -> Optional[_AstScope]:
        if scope.id in self._scopes:
            return self._scopes[scope.id]
        found: Optional[_AstScope] = None
        if scope.parent is None:
            found = self.root
        else:  # the k-th function, class or lambda of that name in the enclosing scope
            parent = self._ast_scope(scope.parent)
            if parent is not None:
                siblings = self.siblings.get((scope.parent.id, scope.kind, scope.name), [])
                candidates = sorted(parent.children.get((scope.kind, scope.name), []), key=lambda s: s.start)
                if len(siblings) == len(candidates):
                    found = candidates[siblings.index(scope)]
        self._scopes[scope.id] = found
        return found

    def segment(self, node: ast.expr) -> Optional[str]:
        span = self.offsets(node)
        return self.text[span[0]:span[1]] if span is not None else None

    def offsets(self, node: ast.expr) -> Optional[Tuple[int, int]]:
        if node.end_lineno is None or node.end_col_offset is None:
            return None
        try:
            return (self._offset(node.lineno, node.col_offset), self._offset(node.end_lineno, node.end_col_offset))
        except (AttributeError, IndexError, TypeError):
            return None

    def _offset(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1]
        if not text.isascii():
            byte_col = len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return self.line_starts[line - 1] + byte_col

    def position(self, node: ast.expr) -> Optional[Pos]:
        span = self.offsets(node)
        if span is None:
            return None
        return self._where(span[0]) + self._where(span[1])

    def _where(self, offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index]

    # --- matching --------------------------------------------------------------------------
    def code(self, node: cst.CSTNode) -> str:
        """The node's source, its own parentheses (and the blanks inside them) left out."""
        code = self.module.code_for_node(node)
        for _ in getattr(node, "lpar", ()):
            code = code[1:].lstrip(" \t\n\r\\") if code.startswith("(") else code
        for _ in getattr(node, "rpar", ()):
            code = code[:-1].rstrip(" \t\n\r\\") if code.endswith(")") else code
        return code

    def calls(self, scope: Scope, wanted: Iterable[cst.Call]) -> Dict[cst.Call, ast.Call]:
        """CST calls of ``scope`` -> their ast calls: the k-th call of a callee (the caller checks
        the arguments' texts)."""
        found: Dict[cst.Call, ast.Call] = {}
        target = self._ast_scope(scope) if self.ok else None
        if target is None:
            return found
        wanted = list(wanted)
        keys = {self._callee(c.func) for c in wanted}
        ours: Dict[str, List[cst.Call]] = {}
        for site in scope.calls:
            key = self._callee(site.node.func)
            if key in keys:
                ours.setdefault(key, []).append(site.node)
        theirs: Dict[str, List[ast.Call]] = {}
        for node in target.calls:  # in source order
            text = self.segment(node.func)
            if text is not None and text in keys:
                theirs.setdefault(text, []).append(node)
        for call in wanted:
            key = self._callee(call.func)
            mine, other = ours.get(key, []), theirs.get(key, [])
            if len(mine) != len(other) or call not in mine:
                continue
            found[call] = other[mine.index(call)]
        return found

    def _callee(self, func: cst.CSTNode) -> str:
        dotted = None if getattr(func, "lpar", None) else dotted_name(func)
        return dotted or self.code(func)

    @staticmethod
    def arguments(call: cst.Call, node: ast.Call) -> Optional[List[ast.expr]]:
        """The ast node of each CST argument's value, in order; None when they do not line up."""
        theirs = sorted(list(node.args) + list(node.keywords), key=lambda a: (a.lineno, a.col_offset))
        if len(theirs) != len(call.args):
            return None
        out: List[ast.expr] = []
        for arg, other in zip(call.args, theirs):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if isinstance(other, ast.keyword):
                if other.arg != keyword or (other.arg is None) != (arg.star == "**"):
                    return None
                out.append(other.value)
            elif isinstance(other, ast.Starred):
                if arg.star != "*":
                    return None
                out.append(other.value)
            else:
                if keyword is not None or arg.star:
                    return None
                out.append(other)
        return out

    def checked(self, node: cst.CSTNode, other: ast.expr) -> Optional[Pos]:
        """``other``'s position if its text is ``node``'s; ast counts a tuple's or a generator's
        parentheses in, LibCST's positions leave them out."""
        span = self.offsets(other)
        if span is None:
            return None
        start, end = span
        code = self.code(node)
        text = self.text[start:end]
        if text != code and _CONTINUATION.sub("\n", text) == _CONTINUATION.sub("\n", code):
            code = text  # LibCST writes a lone node's continuation lines without the block's indentation
        if text != code:
            at = text.find(code)
            if at < 0 or text[:at].strip(" \t(") or text[at + len(code):].strip(" \t)"):
                return None
            start, end = start + at, start + at + len(code)
        return self._where(start) + self._where(end)

    def literal(self, scope: Scope, node: cst.CSTNode, within: Optional[ast.AST] = None) -> Optional[Pos]:
        """A literal's position when its exact text is written once in ``within`` (else in the scope)."""
        candidates: List[ast.expr]
        if within is not None:
            candidates = [n for n in ast.walk(within) if isinstance(n, ast.expr) and _is_string(n)]
        else:
            target = self._ast_scope(scope) if self.ok else None
            if target is None:
                return None
            candidates = target.strings
        text = self.code(node)
        matches = [s for s in candidates if self.segment(s) == text]
        return self.position(matches[0]) if len(matches) == 1 else None

    def literals(self, strings: Sequence[cst.CSTNode], wanted: Iterable[cst.CSTNode]) -> Dict[cst.CSTNode, ast.expr]:
        """Literals by order: the k-th string of a text in the file is the k-th of that text in ``ast``.

        ``strings`` are the file's string nodes in source order, without the parts ``ast`` has no
        node for (see ``string_parts_in_context``); when the two lists differ in length, nothing.
        """
        theirs: List[ast.expr] = []
        self._all_strings(self.root, theirs)
        if len(theirs) != len(strings):
            return {}
        theirs.sort(key=lambda n: (n.lineno, n.col_offset))
        wanted = list(wanted)
        texts = {self._text_of(n) for n in wanted}
        others = any(not isinstance(n, cst.SimpleString) for n in wanted)  # f-strings, concatenations
        mine: Dict[str, List[cst.CSTNode]] = {}
        for node in strings:
            if others or isinstance(node, cst.SimpleString):  # a token's text is never another kind's
                key = self._text_of(node)
                if key in texts:
                    mine.setdefault(key, []).append(node)
        other: Dict[str, List[ast.expr]] = {}
        for string in theirs:
            text = self.segment(string)
            spelled = _CONTINUATION.sub("\n", text) if text is not None else None
            if spelled is not None and spelled in texts:
                other.setdefault(spelled, []).append(string)
        out: Dict[cst.CSTNode, ast.expr] = {}
        for node in wanted:
            key = self._text_of(node)
            ours, found = mine.get(key, []), other.get(key, [])
            if len(ours) == len(found) and node in ours:
                out[node] = found[ours.index(node)]
        return out

    def concatenated(self, whole: ast.expr, parts: Sequence[cst.CSTNode]) -> Dict[cst.CSTNode, Pos]:
        """The parts of an implicit concatenation (``ast`` has one node for all), from its tokens."""
        span = self.offsets(whole)
        if span is None:
            return {}
        start, end = span
        segment = self.text[start:end]
        spans = []  # (start, end) offsets in ``segment`` of each string, an f-string's pieces as one
        starts = [0] + [m.end() for m in _LINE_END.finditer("(" + segment + ")")]
        depth = 0
        try:
            for token in tokenize.generate_tokens(io.StringIO("(" + segment + ")").readline):
                name = tokenize.tok_name.get(token.type, "")
                if token.type != tokenize.STRING and not name.startswith("FSTRING_"):
                    continue
                at = starts[token.start[0] - 1] + token.start[1] - 1, starts[token.end[0] - 1] + token.end[1] - 1
                if name == "FSTRING_START":
                    depth += 1
                    if depth == 1:
                        first = at[0]
                elif name == "FSTRING_END":
                    depth -= 1
                    if depth == 0:
                        spans.append((first, at[1]))
                elif token.type == tokenize.STRING and depth == 0:
                    spans.append(at)
        except (tokenize.TokenError, SyntaxError, IndexError):
            return {}
        if len(spans) != len(parts):
            return {}
        out = {}
        for part, (a, b) in zip(parts, spans):
            if _CONTINUATION.sub("\n", segment[a:b]) != self._text_of(part):
                return {}
            out[part] = self._where(start + a) + self._where(start + b)
        return out

    def _text_of(self, node: cst.CSTNode) -> str:
        """A string node's text to group by; continuation lines without their indentation, which
        LibCST leaves out when it writes a lone node."""
        return _CONTINUATION.sub("\n", node.value if isinstance(node, cst.SimpleString) else self.code(node))

    def _all_scopes(self, scope: _AstScope) -> Iterable[_AstScope]:
        yield scope
        for children in scope.children.values():
            for child in children:
                yield from self._all_scopes(child)

    def _all_strings(self, scope: _AstScope, out: List[ast.expr]) -> None:
        out.extend(scope.strings)
        for children in scope.children.values():
            for child in children:
                self._all_strings(child, out)

    def defaults(self, function: Scope) -> Dict[str, ast.expr]:
        target = self._ast_scope(function) if self.ok else None
        if target is None or not isinstance(target.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return {}
        args = target.node.args
        positional = list(args.posonlyargs) + list(args.args)
        out = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults):], args.defaults)}
        out.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        return out


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def string_parts_in_context(strings: Sequence[Tuple[cst.CSTNode, bool]]
                            ) -> Dict[cst.CSTNode, Optional[cst.ConcatenatedString]]:
    """String nodes ``ast`` has no node of its own for: each part of an implicit concatenation
    (-> the whole concatenation) and each string inside an f-string's fields (-> None).
    ``strings`` are in source order, so a concatenation comes before the ones nested in it."""
    out: Dict[cst.CSTNode, Optional[cst.ConcatenatedString]] = {}
    for node, _ in strings:
        if isinstance(node, cst.ConcatenatedString):
            whole = out.get(node, node)
            for part in (node.left, node.right):
                out.setdefault(part, whole)
        elif isinstance(node, cst.FormattedString):
            stack: List[cst.CSTNode] = [part.expression for part in node.parts
                                        if isinstance(part, cst.FormattedStringExpression)]
            while stack:
                current = stack.pop()
                if isinstance(current, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
                    out[current] = None
                stack.extend(current.children)
    return out


def flat_parts(node: cst.ConcatenatedString) -> List[cst.CSTNode]:
    """A concatenation's strings, in order."""
    out: List[cst.CSTNode] = []
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.ConcatenatedString):
            stack += [current.right, current.left]
        else:
            out.append(current)
    return out
