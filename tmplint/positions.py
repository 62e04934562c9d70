"""Node positions at a fraction of ``PositionProvider``'s cost.

LibCST's provider tracks line and column on every token (a regex split each time) and builds a
``CodeRange`` for every node; a finding needs a handful. Here code generation only counts
characters, syntactic extents are kept as offsets, and the few nodes asked for are turned into
(line, column) at the end. Same semantics as ``PositionProvider`` (parentheses and surrounding
whitespace excluded), checked against it by the tests.
"""

import ast
import bisect
import re
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Collection, Dict, Iterable, Iterator, List, Optional, Tuple, TypeVar

import libcst as cst
from libcst._nodes.internal import CodegenState
from tmplint.source import standard_tree

Position = Tuple[int, int, int, int]  # start line (1-based), start col (0-based), end line, end col
_LINE_END = re.compile(r"\r\n|\r|\n")


class _Enough(Exception):
    """Every node asked for has its extent: the rest of the module need not be generated."""


class _OffsetState(CodegenState):
    def __init__(self, module: cst.Module, wanted: Collection[cst.CSTNode] = (), keep_text: bool = False):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.last = 0
        self.spans: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self.starts: List[int] = []
        self.wanted = set(wanted)  # code generation stops once these are all done (see _positions)
        self.pieces: Optional[List[str]] = [] if keep_text else None  # the text generated so far

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # the syntactic extent, recorded inside, wins
            self.spans[node] = (start, self.offset)
        if node in self.wanted:
            self.wanted.discard(node)
            if not self.wanted:
                raise _Enough

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self.last = len(value)
        if self.pieces is not None:
            self.pieces.append(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self.last
        if self.pieces:
            self.pieces.pop()

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        start = self.offset
        yield  # when generation stops early (_Enough) this extent is not needed: nothing below runs
        end = self.offset
        if start_node is not None:
            start = self.spans[start_node][0]
        if end_node is not None:
            end = self.spans[end_node][1]
        self.spans[node] = (start, end)


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[cst.CSTNode, Position]:
    """(line, col, end_line, end_col) for each node, as ``PositionProvider`` would give them.

    LibCST's code generation recurses through the tree, about two frames a level: a tree the
    analysis walked (a ``+`` chain of 500, ``a.b(c)`` 300 times) can still overrun the stack here,
    and the file's findings became a TMP000. Then it runs again on a thread of its own with room
    for any tree the parser guard lets through (see :func:`deep_stack`).
    """
    nodes = list(nodes)
    try:
        return _positions(module, nodes)
    except RecursionError:
        return deep_stack(_positions, module, nodes)


# Room for the deepest tree the parser guard (engine.MAX_DEPTH levels of operators, MAX_NESTING
# brackets, Python's 100 levels of indentation) lets LibCST build. Measured on the deepest shapes
# it takes (a + chain of 1,000, 500 times .b(c), lambda: 998 deep, 99 ifs round 190 brackets round
# a chain of 800): code generation needs under 3,000 frames and under 2 MB of stack on Python 3.9,
# the hungriest for C stack (3.11 and 3.13 under 1 MB). The limit stops a recursion well before
# the stack is used up; the stack is address space reserved, not memory used.
DEEP_RECURSION_LIMIT = 20_000
DEEP_STACK_SIZE = 64 * 1024 * 1024

_T = TypeVar("_T")


def deep_stack(function: Callable[..., _T], *args: Any) -> _T:
    """``function(*args)`` on a new thread with a large stack and a recursion limit to match.

    The recursion limit is the interpreter's: it is raised only while the thread runs (the caller
    waits for it) and put back after. What the function raises is raised here.
    """
    outcome: List[Any] = []

    def run() -> None:
        try:
            outcome.append((True, function(*args)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    with _DEEP_LOCK:
        limit = sys.getrecursionlimit()
        thread = threading.Thread(target=run, name="tmplint-deep-stack", daemon=True)
        size = threading.stack_size(DEEP_STACK_SIZE)  # taken when the thread starts
        sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
        try:
            try:
                thread.start()
            finally:
                threading.stack_size(size)
            thread.join()
        finally:
            sys.setrecursionlimit(limit)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


_DEEP_LOCK = threading.RLock()


def _positions(module: cst.Module, nodes: List[cst.CSTNode]) -> Dict[cst.CSTNode, Position]:
    """Generates the module only up to the end of the last node asked for (a finding near the top of
    a big file costs a fraction of the whole). Lines are counted in the generated text, not the
    source: LibCST does not give every source back character for character (form feeds)."""
    state = _OffsetState(module, nodes, keep_text=True)
    try:
        module._codegen(state)
    except _Enough:
        pass
    line_starts = [0] + [m.end() for m in _LINE_END.finditer("".join(state.pieces or ()))]

    def where(offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(line_starts, offset) - 1
        return index + 1, offset - line_starts[index]

    result = {}
    for node in nodes:
        start, end = state.spans[node]
        result[node] = where(start) + where(end)
    return result


def positions_in_statements(module: cst.Module, nodes: Iterable[cst.CSTNode], code: str,
                            statements: Collection[int], tree: Optional[ast.Module] = None
                            ) -> Dict[cst.CSTNode, Position]:
    """As :func:`positions`, for nodes that lie in the top-level statements numbered ``statements``.

    Only those statements are generated: where each one starts comes from the standard library's
    parser (about a tenth of LibCST's cost), checked against the generated lengths. Any
    disagreement, or a node outside those statements, falls back to :func:`positions`. A tree too
    deep for the stack left is done again on :func:`deep_stack`, as there.
    """
    nodes = list(nodes)
    try:
        return _positions_in_statements(module, nodes, code, statements, tree)
    except RecursionError:
        return deep_stack(_positions_in_statements, module, nodes, code, statements, tree)


def _positions_in_statements(module: cst.Module, nodes: List[cst.CSTNode], code: str,
                             statements: Collection[int], tree: Optional[ast.Module]
                             ) -> Dict[cst.CSTNode, Position]:
    starts = _statement_starts(module, code, tree)
    if starts is None:
        return _positions(module, nodes)
    state = _OffsetState(module)
    for header in module.header:
        header._codegen(state)
    if state.offset != (starts[0] if starts else len(code)):
        return _positions(module, nodes)
    for i in sorted(statements):
        state.offset = starts[i]
        module.body[i]._codegen(state)
        if state.offset != (starts[i + 1] if i + 1 < len(starts) else state.offset) or state.offset > len(code):
            return _positions(module, nodes)
    if any(node not in state.spans for node in nodes):
        return _positions(module, nodes)
    line_starts = [0] + [m.end() for m in _LINE_END.finditer(code)]

    def where(offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(line_starts, offset) - 1
        return index + 1, offset - line_starts[index]

    return {node: where(state.spans[node][0]) + where(state.spans[node][1]) for node in nodes}


def _statement_starts(module: cst.Module, code: str, tree: Optional[ast.Module] = None) -> Optional[List[int]]:
    """The offset in ``code`` where each top-level statement's text (its leading lines first) starts;
    ``tree`` is ``ast.parse(code)`` when the caller has it."""
    if "\r" in code.replace("\r\n", ""):
        return None  # lone CR: the two parsers need not count lines alike
    if tree is None:
        tree = standard_tree(code)
        if tree is None:
            return None
    body = tree.body
    line_starts = [0] + [m.end() for m in _LINE_END.finditer(code)]
    starts = []
    k = 0
    for statement in module.body:
        if k >= len(body):
            return None
        first = body[k]
        line = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", ())])
        line -= len(statement.leading_lines)
        if not 0 < line <= len(line_starts):
            return None
        starts.append(line_starts[line - 1])
        k += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts if k == len(body) else None
