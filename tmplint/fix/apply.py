"""Applying planned edits in one LibCST transform, and the one import the new code needs."""

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from tmplint.analysis.scopes import IMPORT, ModuleTables, Scope
from tmplint.fix.planner import Edit


class _Apply(cst.CSTTransformer):
    """Replaces nodes by identity and inserts hoisted statements before their anchors."""

    def __init__(self, replace: Dict[cst.CSTNode, cst.CSTNode], insert: Dict[cst.CSTNode, List[cst.BaseStatement]]):
        super().__init__()
        self.replace = replace
        self.insert = insert

    def on_leave(self, original_node, updated_node):
        new = self.replace.get(original_node)
        if new is not None:
            return new
        if isinstance(updated_node, (cst.IndentedBlock, cst.Module)) and any(
                s in self.insert for s in original_node.body):
            body = []
            for before, after in zip(original_node.body, updated_node.body):
                added = self.insert.get(before)
                if added:
                    # Comments and blank lines above the anchor now sit above the new first line.
                    body.append(added[0].with_changes(leading_lines=after.leading_lines))
                    body.extend(added[1:])
                    after = after.with_changes(leading_lines=[])
                body.append(after)
            return updated_node.with_changes(body=body)
        return updated_node


def choose_edits(edits: Iterable[Edit], parents: Dict[cst.CSTNode, cst.CSTNode]) -> List[Edit]:
    """Edits that touch disjoint nodes; an identical edit planned twice (one helper, many callers) counts once."""
    chosen: List[Edit] = []
    taken: Dict[cst.CSTNode, str] = {}
    covered: set = set()  # every ancestor of a taken node
    for edit in edits:
        nodes = list(edit.replace)
        if all(n in taken and taken[n] == _code(edit.replace[n]) for n in nodes) and not edit.insert:
            continue  # already planned by an earlier finding
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
    return chosen


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def apply_edits(module: cst.Module, edits: Sequence[Edit]) -> cst.Module:
    replace: Dict[cst.CSTNode, cst.CSTNode] = {}
    insert: Dict[cst.CSTNode, List[cst.BaseStatement]] = {}
    for edit in edits:
        replace.update(edit.replace)
        for anchor, statements in edit.insert.items():
            insert.setdefault(anchor, []).extend(statements)
    return module.visit(_Apply(replace, insert))


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
