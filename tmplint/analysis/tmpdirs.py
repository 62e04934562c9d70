"""TMP201 (hardcoded paths in shared temp dirs) and TMP202 (tempfile.mktemp)."""

from typing import Iterator, Optional, Sequence

import libcst as cst

from tmplint.analysis import Finding
from tmplint.analysis.scopes import ModuleTables
from tmplint.analysis.values import string_value


def leading_text(node: cst.CSTNode) -> Optional[str]:
    """The literal text a string expression starts with, up to its first interpolation."""
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.FormattedString):
        text = []
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


def in_tmp_dir(text: str, tmp_dirs: Sequence[str]) -> bool:
    return any(text.rstrip("\0") == d or text.startswith(d.rstrip("/") + "/") for d in tmp_dirs)


def hardcoded_tmp_paths(tables: ModuleTables, tmp_dirs: Sequence[str]) -> Iterator[Finding]:
    parts = set()
    for node, _ in tables.strings:
        if isinstance(node, cst.ConcatenatedString):
            parts.update((node.left, node.right))
    for node, excluded in tables.strings:
        if excluded or node in parts:
            continue
        text = leading_text(node)
        if text is not None and in_tmp_dir(text, tmp_dirs):
            shown = text.split("\0")[0]
            yield Finding("TMP201", f'hardcoded path "{shown}" in a shared temp directory: other users and '
                                    f"processes can create or read it; use tempfile.mkstemp() or mkdtemp()", node)


def mktemp_calls(tables: ModuleTables, evaluator) -> Iterator[Finding]:
    for scope in tables.scopes:
        for site in scope.calls:
            if evaluator.qualname(site.node.func, scope) == "tempfile.mktemp":
                yield Finding("TMP202", "tempfile.mktemp() picks a name another process can take before it is "
                                        "used; use tempfile.mkstemp() or NamedTemporaryFile()", site.node)
