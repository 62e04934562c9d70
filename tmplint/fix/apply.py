"""Applying planned edits in one LibCST transform, and the one import the new code needs."""

from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, cast

import libcst as cst

from tmplint.analysis.scopes import IMPORT, ModuleTables, Scope
from tmplint.fix.imports import Statement
from tmplint.fix.planner import Cleanup, Edit


class _Apply(cst.CSTTransformer):
    """Replaces nodes by identity, inserts hoisted statements before their anchors and wraps the
    statements of a cleanup in ``try``/``except BaseException``."""

    def __init__(self, replace: Dict[cst.CSTNode, cst.CSTNode], insert: Dict[cst.CSTNode, List[Statement]],
                 cleanups: Dict[cst.CSTNode, Cleanup], handler: Callable[[Cleanup], cst.Try]):
        super().__init__()
        self.replace = replace
        self.insert = insert
        self.cleanups = cleanups
        self.handler = handler

    def on_leave(self, original_node, updated_node):
        new = self.replace.get(original_node)
        if new is not None:
            return new
        if isinstance(updated_node, (cst.IndentedBlock, cst.Module)) and any(
                s in self.insert or s in self.cleanups for s in original_node.body):
            body: List[Statement] = []
            wrapping: Optional[Tuple[Cleanup, List[Statement]]] = None
            for before, statement in zip(original_node.body, updated_node.body):
                after = cast(Statement, statement)  # a block's body holds statements of these two kinds
                added = self.insert.get(before)
                if added:
                    # Comments and blank lines above the anchor now sit above the new first line.
                    body.append(added[0].with_changes(leading_lines=after.leading_lines))
                    body.extend(added[1:])
                    after = after.with_changes(leading_lines=[])
                cleanup = self.cleanups.get(before)
                if cleanup is not None and wrapping is None:
                    wrapping = (cleanup, [])
                if wrapping is None:
                    body.append(after)
                    continue
                wrapping[1].append(after)
                if before is wrapping[0].last:
                    body.append(self._wrapped(wrapping[0], wrapping[1]))
                    wrapping = None
            if wrapping is not None:  # pragma: no cover - the planner ends a cleanup in its own block
                body.extend(wrapping[1])
            return updated_node.with_changes(body=body)
        return updated_node

    def _wrapped(self, cleanup: Cleanup, statements: List[Statement]) -> cst.Try:
        """``try:`` the statements ``except BaseException:`` remove the temp file, re-raise. The ``try``
        takes the first statement's comments and blank lines."""
        first = statements[0]
        statements = [first.with_changes(leading_lines=[]), *statements[1:]]
        return self.handler(cleanup).with_changes(body=cst.IndentedBlock(body=statements),
                                                           leading_lines=first.leading_lines)


def choose_edits(edits: Iterable[Edit], parents: Dict[cst.CSTNode, cst.CSTNode]) -> List[Edit]:
    """Edits that touch disjoint nodes; an identical edit planned twice (one helper, many callers) counts once."""
    chosen: List[Edit] = []
    taken: Dict[cst.CSTNode, str] = {}
    covered: set = set()  # every ancestor of a taken node
    wrapped: Dict[cst.CSTNode, Cleanup] = {}  # statement -> the cleanup whose try takes it
    for edit in edits:
        nodes = list(edit.replace)
        if all(n in taken and taken[n] == _code(edit.replace[n]) for n in nodes) and not edit.insert:
            continue  # already planned by an earlier finding
        ranges = {cleanup: _cleanup_statements(cleanup, parents) for cleanup in edit.cleanup}
        if any(wrapped.get(statement, cleanup) != cleanup for cleanup, statements in ranges.items()
               for statement in statements):
            continue  # two cleanups over one statement: the next pass wraps the second inside the first
        ancestors = set()
        for node in nodes:
            current = parents.get(node)
            while current is not None:
                ancestors.add(current)
                current = parents.get(current)
        if any(n in taken or n in covered for n in nodes) or ancestors & set(taken):
            continue  # overlaps: the next pass takes it
        chosen.append(edit)
        for node in nodes:
            taken[node] = _code(edit.replace[node])
        covered |= ancestors
        for cleanup, statements in ranges.items():
            wrapped.update(dict.fromkeys(statements, cleanup))
    return chosen


def _cleanup_statements(cleanup: Cleanup, parents: Dict[cst.CSTNode, cst.CSTNode]) -> List[cst.CSTNode]:
    block = parents[cleanup.first]
    if not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return []  # (a statement the planner cleans up after sits in a block or the module)
    body: List[cst.CSTNode] = list(block.body)
    return body[body.index(cleanup.first):body.index(cleanup.last) + 1]


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def apply_edits(module: cst.Module, edits: Sequence[Edit], os_name: str = "os",
                contextlib_name: str = "contextlib") -> cst.Module:
    replace: Dict[cst.CSTNode, cst.CSTNode] = {}
    insert: Dict[cst.CSTNode, List[Statement]] = {}
    cleanups: Dict[cst.CSTNode, Cleanup] = {}
    for edit in edits:
        replace.update(edit.replace)
        for anchor, statements in edit.insert.items():
            insert.setdefault(anchor, []).extend(statements)
        for cleanup in edit.cleanup:
            cleanups.setdefault(cleanup.first, cleanup)

    def handler(cleanup: Cleanup) -> cst.Try:
        remove = f"{cleanup.variable}.unlink()" if cleanup.is_path else f"{os_name}.remove({cleanup.variable})"
        code = (f"try:\n    pass\nexcept BaseException:\n    with {contextlib_name}.suppress(FileNotFoundError):\n"
                f"        {remove}\n    raise\n")
        try:
            config = module.config_for_parsing
        except ValueError:  # an indent LibCST reads but will not take back, such as a form feed (test_fuzz)
            config = cst.PartialParserConfig(default_newline=module.default_newline)
        return cst.parse_statement(code, config=config)  # type: ignore[return-value]

    return module.visit(_Apply(replace, insert, cleanups, handler))


# --- the uuid module (or the project's helper) ---------------------------------------------
def _resolves_to(name: str, qualified: str, scope: Scope, lookup) -> bool:
    found = lookup(name, scope)
    return bool(found) and all(b.kind == IMPORT and b.extra == qualified for b in found[1])


def _bound_anywhere(name: str, tables: ModuleTables) -> bool:
    return any(name in scope.bindings for scope in tables.scopes)


def choose_import_name(preferred: str, qualified: str, scopes: Sequence[Scope], tables: ModuleTables,
                       lookup) -> Tuple[str, bool]:
    """The local name to use for ``qualified`` in every touched scope, and whether it must be imported.

    rules.md: ``uuid`` is used if in every scope an edit touches it resolves to the uuid module,
    or it is unbound module-wide; otherwise ``import uuid as _uuid`` (first free name).
    """
    candidates = [preferred, f"_{preferred}"] + [f"_{preferred}{n}" for n in range(2, 100)]
    for name in candidates:
        if scopes and all(_resolves_to(name, qualified, s, lookup) for s in scopes):
            return name, False
        if not _bound_anywhere(name, tables):
            return name, True
    raise ValueError("no free name")  # pragma: no cover - a hundred shadowed names


def import_statement(module_name: str, attribute: Optional[str], local: str) -> cst.SimpleStatementLine:
    if attribute is None:
        code = f"import {module_name}" + (f" as {local}" if local != module_name.rsplit('.', 1)[-1] else "")
    else:
        code = f"from {module_name} import {attribute}" + (f" as {local}" if local != attribute else "")
    return cst.parse_statement(code)  # type: ignore[return-value]
