"""Facts for the shared temp folder family (rules/shared_tmp.py): literals naming something in a
shared temp folder, where they flow, and calls of tempfile.mktemp."""

from typing import Iterator, List, Optional, Sequence, Set

import libcst as cst

from tmplint.analysis.pathflow import PathFlow
from tmplint.analysis.scopes import ModuleTables
from tmplint.analysis.values import string_value
from tmplint.facts import MktempCall, SharedTmpLiteral


def leading_text(node: cst.CSTNode) -> Optional[str]:
    """The literal text a string expression starts with, up to its first interpolation."""
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.FormattedString):
        text: List[str] = []
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                return "".join(text) + "\0"  # \0 marks where the literal text stops
            text.append(part.value.replace("{{", "{").replace("}}", "}"))
        return "".join(text)
    if isinstance(node, cst.ConcatenatedString):
        left = leading_text(node.left)
        if left is None or left.endswith("\0"):
            return left
        right = leading_text(node.right)
        return left + (right or "")
    return None


def names_inside(text: str, tmp_dirs: Sequence[str]) -> bool:
    """A name inside a shared temp folder (``/tmp/x``, ``/tmp/{user}``), never the bare folder."""
    for folder in tmp_dirs:
        prefix = folder.rstrip("/") + "/"
        if text.startswith(prefix) and text[len(prefix):].strip("/"):
            return True
    return False


def shared_tmp_literals(module: cst.Module, tables: ModuleTables, evaluator,
                        tmp_dirs: Sequence[str]) -> Iterator[SharedTmpLiteral]:
    """Each literal naming something inside a shared temp folder (never in a docstring, a comparison,
    an environment default or a tempfile ``dir=``), and whether it reaches a filesystem operation."""
    parts: Set[cst.CSTNode] = set()
    for node, _ in tables.strings:
        if isinstance(node, cst.ConcatenatedString):
            parts.update((node.left, node.right))
    candidates = []
    for node, excluded in tables.strings:
        if excluded or node in parts:
            continue
        text = leading_text(node)
        if text is not None and names_inside(text, tmp_dirs):
            candidates.append((node, text))
    if not candidates:
        return
    flow = PathFlow(module, tables, evaluator)
    for node, text in candidates:
        yield SharedTmpLiteral(node, _spelling(node, text, evaluator), flow.reaches_filesystem(node))


def _spelling(node: cst.CSTNode, text: str, evaluator) -> str:
    """The literal as the program builds it: an f-string keeps its ``{...}`` parts."""
    if "\0" not in text or not isinstance(node, cst.FormattedString):
        return text.split("\0")[0]
    return "".join("{" + evaluator.text(part.expression) + "}" if isinstance(part, cst.FormattedStringExpression)
                   else cst.ensure_type(part, cst.FormattedStringText).value for part in node.parts)


def mktemp_calls(tables: ModuleTables, evaluator) -> Iterator[MktempCall]:
    for scope in tables.scopes:
        for site in scope.calls:
            if evaluator.qualname(site.node.func, scope) == "tempfile.mktemp":
                yield MktempCall(site.node)
