"""``tmplint --fix``: make constant or derived temp names unique, and touch nothing else.

One pass parses the file, analyses it, plans an edit per fixable finding (``planner``), applies
the edits that do not overlap in one transform (``apply``), adds the one import, and checks the
result parses. Passes repeat until nothing fixable remains (bounded), so an edit held back by an
overlap is made in the next pass, and fixing twice changes nothing.
"""

import ast
import os
import warnings
from typing import List, NamedTuple, Optional, Union

import libcst as cst

from tmplint import config as config_mod
from tmplint.config import Config
from tmplint.diagnostics import SAFE, UNSAFE, Diagnostic
from tmplint.source import SourceError, decode_source

MAX_PASSES = 5


class FixResult(NamedTuple):
    text: str  # the fixed source (the input itself when nothing changed)
    fixed: int  # findings that the edits removed
    remaining: List[Diagnostic]  # what the fixed source still reports


def _wanted(config: Config, unsafe_fixes: bool):
    allowed = {SAFE, UNSAFE} if unsafe_fixes else {SAFE}
    return lambda diagnostic: diagnostic.fix_applicability in allowed


def fix_text(text: str, path: str = "<string>", config: Optional[Config] = None,
             unsafe_fixes: bool = False) -> FixResult:
    """Fix one decoded file. Raises SourceError for input it cannot analyse (or round-trip)."""
    from tmplint import engine

    config = config or Config()
    before = _diagnostics(text, path, config)
    wanted = _wanted(config, unsafe_fixes)
    if not any(wanted(d) for d in before):
        return FixResult(text, 0, before)
    parses_with_ast = _ast_parses(text)
    current = text
    for _ in range(MAX_PASSES):
        analysed = engine.analyse(current, path, config.analysis)
        if analysed.module is None:
            break
        if analysed.module.code != current:
            raise SourceError("LibCST does not reproduce this file byte for byte (lone CR line endings?); not fixed")
        fixed = _one_pass(analysed, config, path, wanted)
        if fixed is None or fixed == current:
            break
        if not _parses(fixed) or (parses_with_ast and not _ast_parses(fixed)):
            break  # never write code that does not parse: keep the last good text
        current = fixed
    after = _diagnostics(current, path, config) if current != text else before
    return FixResult(current, max(0, len(before) - len(after)), after)


def _diagnostics(text: str, path: str, config: Config) -> List[Diagnostic]:
    from tmplint import engine

    diagnostics = engine.select(engine.analyse_text(text, path, config.analysis), config)
    return config_mod.apply_per_file_ignores(config, diagnostics)


def _one_pass(analysed, config: Config, path: str, wanted) -> Optional[str]:
    from tmplint import engine
    from tmplint.fix.apply import add_import, apply_edits, choose_edits, choose_import_name, import_statement
    from tmplint.fix.planner import Planner
    from tmplint.fix.spelling import UniquePart

    module, checker = analysed.module, analysed.checker
    kept = set(config_mod.apply_per_file_ignores(config, engine.select([d for _, d in analysed.pairs], config)))
    findings = [f for f, d in analysed.pairs if d in kept]

    helper = _fix_helper(config)
    preferred, qualified = (helper[1], f"{helper[0]}.{helper[1]}") if helper else ("uuid", "uuid")

    def plan(local_name: str):
        unique = UniquePart(uuid_name=local_name) if helper is None else UniquePart(helper=local_name)
        planner = Planner(module, checker, unique)
        edits = []
        for finding in findings:
            edit = planner.plan(finding)
            if edit is not None and wanted(Diagnostic("", "", "", 0, 0, 0, 0, edit.title, edit.applicability)):
                edits.append(edit)
        return planner, edits

    planner, edits = plan(preferred)
    if not edits:
        return None
    scopes = list({id(s): s for e in edits for s in e.scopes}.values())
    if helper is not None and _is_module(path, helper[0]):
        local, needs_import = helper[1], False  # the helper's own module defines it
    else:
        local, needs_import = choose_import_name(preferred, qualified, scopes, checker.tables, checker.ev.lookup)
    if local != preferred:
        planner, edits = plan(local)
    edits = choose_edits(edits, planner.parents)
    result = apply_edits(module, edits)
    if needs_import:
        limit = _first_module_level_edit(module, edits, planner.parents)
        if helper is None:
            statement = import_statement("uuid", None, local)
        else:
            statement = import_statement(helper[0], helper[1], local)
        result = add_import(result, statement, limit)
    return result.code


def _fix_helper(config: Config):
    """``fix-helper = "pkg.mod:func"`` as (module, function), or None."""
    spec = config.analysis.fix_helper
    if not spec:
        return None
    module, _, function = spec.partition(":") if ":" in spec else spec.rpartition(".")
    return (module, function) if module and function else None


def _is_module(path: str, module: str) -> bool:
    stem = os.path.splitext(os.path.abspath(path))[0].replace(os.sep, "/")
    return stem.endswith("/" + module.replace(".", "/"))


def _first_module_level_edit(module: cst.Module, edits, parents) -> int:
    """Index of the first top-level statement that module-level code runs an edit in."""
    top = {id(s): i for i, s in enumerate(module.body)}
    first = len(module.body)
    for edit in edits:
        if edit.scopes[0].kind != "module":
            continue
        for node in list(edit.replace) + list(edit.insert):
            current = node
            while current is not None and id(current) not in top:
                current = parents.get(current)
            if current is not None:
                first = min(first, top[id(current)])
    return first


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except Exception:  # the native parser raises several types
        return False
    return True


def _ast_parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def fix_source(source: Union[str, bytes], path: str = "<string>", config: Optional[Config] = None,
               unsafe_fixes: bool = False) -> Union[str, bytes]:
    """The fixed source, of the type given (bytes keep their encoding and BOM).

    The input comes back unchanged when there is nothing to fix or it cannot be analysed;
    like ``check_source`` this never raises for bad input.
    """
    if isinstance(source, bytes):
        try:
            text, encoding = decode_source(source)
            fixed = fix_text(text, path, config, unsafe_fixes).text
            return source if fixed == text else fixed.encode(encoding)
        except (SourceError, UnicodeEncodeError):
            return source
    try:
        return fix_text(source, path, config, unsafe_fixes).text
    except SourceError:
        return source
