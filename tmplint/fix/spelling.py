"""How a unique part is spelled into a temp name: the new expressions, built as LibCST nodes.

rules.md: the unique part goes right before the literal's last dot-suffix, so ``*.tmp`` globs and
``.gitignore`` entries keep matching; when the literal cannot take it (bytes, ``u``-prefixed, a
``%``/``.format`` template, escapes, not the last part of the basename) it is appended to the
whole basename expression instead.
"""

from typing import Optional

import libcst as cst

# Nodes that bind at least as tightly as ``+`` on its left: no parentheses needed around them.
_TIGHT = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
          cst.FormattedString, cst.Integer)


class UniquePart:
    """The expression that yields a fresh unique text: ``uuid.uuid4().hex`` or ``helper(...)``."""

    def __init__(self, uuid_name: str = "uuid", helper: Optional[str] = None):
        self.uuid_name = uuid_name
        self.helper = helper  # the local name of the configured fix-helper, if any

    def hex(self) -> cst.BaseExpression:
        """``uuid.uuid4().hex``, built rather than parsed: every exported helper's fix is planned in each
        file that parses, and the parser's start-up cost most of it."""
        return uuid_hex(self.uuid_name)

    def wrap(self, expr: cst.BaseExpression) -> cst.BaseExpression:
        """``fix-helper``: the helper returns its argument made unique."""
        assert self.helper is not None, "only with a fix-helper"
        return cst.Call(func=cst.Name(self.helper), args=[cst.Arg(expr.with_changes(lpar=[], rpar=[]))])


def uuid_hex(uuid_name: str) -> cst.Attribute:
    """``<uuid_name>.uuid4().hex`` as LibCST parses it, a new node each time (a tree holds each once)."""
    return cst.Attribute(value=cst.Call(func=cst.Attribute(value=cst.Name(uuid_name), attr=cst.Name("uuid4"))),
                         attr=cst.Name("hex"))


def string_prefix(node: cst.SimpleString) -> str:
    return node.prefix.lower()


def literal_takes_insert(node: cst.CSTNode) -> bool:
    """A str literal whose source text can be split around a new ``{uuid}`` field."""
    if isinstance(node, cst.SimpleString):
        prefix = string_prefix(node)
        if "b" in prefix or "u" in prefix:
            return False
        return "r" in prefix or "\\" not in node.raw_value
    if isinstance(node, cst.FormattedString):
        last = node.parts[-1] if node.parts else None
        return isinstance(last, cst.FormattedStringText) and ("r" in node.prefix.lower() or "\\" not in last.value)
    return False


def _split_point(text: str) -> int:
    """Where the unique part goes: before the last dot-suffix of the basename, else at the end."""
    base_start = text.rfind("/") + 1
    dot = text.rfind(".", base_start)
    return dot if dot >= 0 else len(text)


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def insert_into_literal(node: cst.CSTNode, unique: UniquePart) -> cst.BaseExpression:
    """``".tmp_state.json"`` -> ``f".tmp_state.{uuid.uuid4().hex}.json"``; f-strings gain a field."""
    assert isinstance(node, (cst.SimpleString, cst.FormattedString)), node
    if unique.helper is not None:
        return unique.wrap(node)
    field = cst.FormattedStringExpression(expression=unique.hex())
    if isinstance(node, cst.SimpleString):
        body = node.raw_value
        at = _split_point(body)
        parts = [cst.FormattedStringText(_escape_braces(body[:at]) + "."), field]
        if body[at:]:
            parts.append(cst.FormattedStringText(_escape_braces(body[at:])))
        prefix = node.prefix + "f"
        return cst.FormattedString(parts=parts, start=prefix + node.quote, end=node.quote,
                                   lpar=node.lpar, rpar=node.rpar)
    last = node.parts[-1]
    assert isinstance(last, cst.FormattedStringText)
    at = _split_point(last.value)
    tail = [cst.FormattedStringText(last.value[:at] + "."), field]
    if last.value[at:]:
        tail.append(cst.FormattedStringText(last.value[at:]))
    return node.with_changes(parts=list(node.parts[:-1]) + tail)


def append_to(expr: cst.BaseExpression, unique: UniquePart, is_bytes: bool = False) -> cst.BaseExpression:
    """The unique part after a whole basename expression.

    A plain name or attribute becomes ``f"{name}.{uuid.uuid4().hex}"`` (it works for str and
    path-like values alike); anything else ``(expr) + f".{uuid.uuid4().hex}"``; bytes gain
    ``b"." + uuid.uuid4().hex.encode()``.
    """
    if unique.helper is not None:
        return unique.wrap(expr)
    bare = expr.with_changes(lpar=[], rpar=[]) if isinstance(expr, _TIGHT) else expr
    if is_bytes:
        dot = cst.BinaryOperation(left=_tight(bare), operator=cst.Add(), right=cst.SimpleString('b"."'))
        return cst.BinaryOperation(left=dot, operator=cst.Add(),
                                   right=cst.Call(func=cst.Attribute(value=unique.hex(), attr=cst.Name("encode"))))
    if isinstance(bare, (cst.Name, cst.Attribute)):
        return cst.FormattedString(parts=[
            cst.FormattedStringExpression(expression=bare),
            cst.FormattedStringText("."),
            cst.FormattedStringExpression(expression=unique.hex()),
        ], start='f"', end='"')
    suffix = cst.FormattedString(parts=[cst.FormattedStringText("."),
                                        cst.FormattedStringExpression(expression=unique.hex())],
                                 start='f"', end='"')
    return cst.BinaryOperation(left=_tight(bare), operator=cst.Add(), right=suffix)


def _tight(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``expr`` safe as the left operand of ``+``: parenthesised unless it binds tighter."""
    if isinstance(expr, _TIGHT) or expr.lpar:
        return expr
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        return expr  # ``a + b + f"..."`` reads as ``(a + b) + f"..."``
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def parenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    if expr.lpar or isinstance(expr, _TIGHT):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
