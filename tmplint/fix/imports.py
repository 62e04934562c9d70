"""Where a fix's new import goes: isort's place, so a file whose imports were sorted stays sorted.

rules.md (*The uuid module*): a standard-library import joins the module's standard-library group
at its sorted place (isort and ruff's defaults: ``import x`` lines sorted by name, before the
``from x import y`` lines); with no such group it becomes a group of its own before the first
third-party or first-party import; with no imports at all it follows the docstring and the
``from __future__`` imports, with the blank lines isort puts after an import block. Any other
import (a project's ``fix-helper``) follows the last top-level import.
"""

import os
import sys
import sysconfig
from functools import lru_cache
from typing import FrozenSet, List, Optional, Sequence, Tuple, Union

import libcst as cst

from tmplint.analysis.scopes import dotted_name

# A module's statement, as ``Module.body`` holds it (LibCST's BaseStatement lacks ``leading_lines``)
Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]

STDLIB, FUTURE, OTHER = "stdlib", "future", "other"
# Standard-library modules of other platforms, which no folder of this interpreter shows
_OTHER_PLATFORMS = frozenset({"msvcrt", "nt", "winreg", "winsound", "_winapi", "msilib", "_msi", "_overlapped",
                              "_scproxy", "_dbm", "_gdbm"})


@lru_cache(maxsize=1)
def stdlib_modules() -> FrozenSet[str]:
    """The standard library's top-level names: ``sys.stdlib_module_names`` (3.10+), else the
    names in the running interpreter's library folder (read, never imported)."""
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    found = set(sys.builtin_module_names) | _OTHER_PLATFORMS
    paths = sysconfig.get_paths()
    folders = {paths["stdlib"], paths["platstdlib"]}  # in a venv, platstdlib is the venv's own
    folders |= {os.path.join(folder, "lib-dynload") for folder in list(folders)}
    for folder in folders:  # lib-dynload: the extension modules (fcntl, _ssl, ...)
        for entry in (os.listdir(folder) if os.path.isdir(folder) else ()):
            name = entry.split(".", 1)[0]
            if name.isidentifier() and entry != "site-packages":
                found.add(name)
    return frozenset(found)


def _module_of(statement: cst.CSTNode) -> Optional[str]:
    """The module a one-import line imports (its first name), or None for any other statement."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name) or ""
    if isinstance(small, cst.ImportFrom):
        module = dotted_name(small.module) if small.module is not None else None
        return "." * len(small.relative) + (module or "")
    return None


def _section(module: str) -> str:
    top = module.split(".", 1)[0]
    if top == "__future__":
        return FUTURE
    return STDLIB if top and top in stdlib_modules() else OTHER


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _blank_prefix(lines: Sequence[cst.EmptyLine]) -> int:
    """How many blank lines (no comment) open ``lines``."""
    count = 0
    for line in lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _with_blanks(statement: Statement, wanted: int) -> Statement:
    """``statement`` with at least ``wanted`` blank lines before it (and before its comments)."""
    lines = list(statement.leading_lines)
    missing = wanted - _blank_prefix(lines)
    if missing <= 0:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * missing + lines)


def _insert_before(body: List[Statement], index: int, statement: Statement) -> None:
    """Insert at ``index``; the blank lines that opened the statement there now open the new one
    (the comments stay with the statement they describe)."""
    if index < len(body):
        old = body[index]
        blanks = _blank_prefix(old.leading_lines)
        statement = statement.with_changes(leading_lines=list(old.leading_lines[:blanks]))
        body[index] = old.with_changes(leading_lines=list(old.leading_lines[blanks:]))
    body.insert(index, statement)


def add_import(module: cst.Module, statement: cst.SimpleStatementLine, limit: int) -> cst.Module:
    """``module`` with ``statement`` (a one-name import) inserted before top-level statement ``limit``."""
    body = list(module.body)
    limit = min(limit, len(body))
    new_module = _module_of(statement) or ""
    start = 1 if body and _is_docstring(body[0]) else 0
    block: List[Tuple[int, str, str]] = []  # the first top-level import block: (index, module, section)
    for index in range(start, limit):
        imported = _module_of(body[index])
        if imported is None:
            if block:
                break
            continue
        block.append((index, imported, _section(imported)))
    if _section(new_module) != STDLIB:
        return _after_last_import(module, body, statement, limit)
    key = new_module.lower()
    stdlib = [(i, m, _is_straight(body[i])) for i, m, s in block if s == STDLIB]
    if stdlib:
        straight = [(i, m) for i, m, is_straight in stdlib if is_straight]
        later = [i for i, m in straight if m.lower() > key]
        if later:
            _insert_before(body, later[0], statement)
        elif straight:
            body.insert(straight[-1][0] + 1, statement)
        else:
            _insert_before(body, stdlib[0][0], statement)
        return module.with_changes(body=body)
    others = [i for i, _, section in block if section == OTHER]
    futures = [i for i, _, section in block if section == FUTURE]
    if others:  # a group of its own before the third- and first-party imports
        first = others[0]
        _insert_before(body, first, statement)
        if futures:
            body[first] = _with_blanks(body[first], 1)
        body[first + 1] = _with_blanks(body[first + 1], 1)
        return module.with_changes(body=body)
    # no imports but __future__ ones: after them and the docstring, with isort's blank lines after
    index = futures[-1] + 1 if futures else min(start, limit)
    if index < len(body):
        following = body[index]
        wanted = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
        body[index] = _with_blanks(following, wanted)
    body.insert(index, _with_blanks(statement, 1) if futures else statement)
    return module.with_changes(body=body)


def _is_straight(statement: Statement) -> bool:
    """An ``import x`` line (not ``from x import y``)."""
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Import)


def _after_last_import(module: cst.Module, body: List[Statement], statement: cst.SimpleStatementLine,
                       limit: int) -> cst.Module:
    position = None
    for index in range(limit):
        line = body[index]
        if isinstance(line, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body):
            position = index + 1
    if position is None:
        position = 1 if body and _is_docstring(body[0]) and limit > 0 else 0
    body.insert(position, statement)
    return module.with_changes(body=body)
