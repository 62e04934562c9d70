"""Node positions at a fraction of ``PositionProvider``'s cost.

LibCST's provider tracks line and column on every token (a regex split each time) and builds a
``CodeRange`` for every node; a finding needs a handful. Here code generation only counts
characters, syntactic extents are kept as offsets, and the few nodes asked for are turned into
(line, column) at the end. Same semantics as ``PositionProvider`` (parentheses and surrounding
whitespace excluded), checked against it by the tests.
"""

import bisect
import re
from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

Position = Tuple[int, int, int, int]  # start line (1-based), start col (0-based), end line, end col
_LINE_END = re.compile(r"\r\n|\r|\n")


class _OffsetState(CodegenState):
    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        self.last = 0
        self.spans: Dict[cst.CSTNode, Tuple[int, int]] = {}
        self.starts = []

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # the syntactic extent, recorded inside, wins
            self.spans[node] = (start, self.offset)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)
            self.last = len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self.last = len(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self.last

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[cst.CSTNode, Position]:
    """(line, col, end_line, end_col) for each node, as ``PositionProvider`` would give them."""
    state = _OffsetState(module)
    module._codegen(state)
    code = module.code
    line_starts = [0] + [m.end() for m in _LINE_END.finditer(code)]

    def where(offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(line_starts, offset) - 1
        return index + 1, offset - line_starts[index]

    result = {}
    for node in nodes:
        start, end = state.spans[node]
        result[node] = where(start) + where(end)
    return result
