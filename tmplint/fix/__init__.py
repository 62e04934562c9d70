"""``tmplint --fix``: make constant or derived temp names unique, and touch nothing else.

One pass parses the file, analyses it, plans an edit per fixable finding (``planner``), applies
the edits that do not overlap in one transform (``apply``), adds the one import, and checks the
result parses. Passes repeat until nothing fixable remains (bounded), so an edit held back by an
overlap is made in the next pass, and fixing twice changes nothing.

With the project index (``tmplint --fix`` on files), some findings are fixed in another file (a
helper's) or need the index to be seen at all (a rename through another file's wrapper). The run's
diagnostics carry where each such fix lies (``Diagnostic.fix_at``, plain data); the CLI gathers them
per file into ``ProjectFixes`` and fixes each file under ``project_fixes(...)``, and ``fix_text``
plans those edits again, here, on the file's own tree, in its first pass (the positions are the
file's as it was checked).
"""

import contextlib
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from tmplint import config as config_mod
from tmplint.config import Config
from tmplint.diagnostics import SAFE, UNSAFE, Diagnostic, FixAt
from tmplint.source import SourceError, decode_source, standard_tree

if TYPE_CHECKING:
    from tmplint.analysis.checker import Fact
    from tmplint.analysis.scopes import Scope

MAX_PASSES = 5


class FixResult(NamedTuple):
    text: str  # the fixed source (the input itself when nothing changed)
    fixed: int  # findings that the edits removed
    remaining: List[Diagnostic]  # what the fixed source still reports


class ProjectFixes:
    """What a project run asks of the files ``--fix`` writes (keyed by absolute path): the fixes of the
    index's findings that lie in each (``targets``), and the in-file findings it reported
    (``reported``: a keyword-heuristic TMP101 at a helper the index knows is the index's to fix, in
    the helper); after fixing, which targets were made (``applied``)."""

    def __init__(self, targets: Dict[str, Iterable[FixAt]], reported: Dict[str, Set[Tuple[str, int, int]]]):
        self.targets = {os.path.abspath(path): tuple(dict.fromkeys(found)) for path, found in targets.items()}
        self.reported = {os.path.abspath(path): set(keys) for path, keys in reported.items()}
        self.applied: Set[FixAt] = set()


_PROJECT: "ContextVar[Optional[ProjectFixes]]" = ContextVar("tmplint_project_fixes", default=None)


@contextlib.contextmanager
def project_fixes(fixes: ProjectFixes):
    """Files fixed inside this block (``fix_text``, and so ``fix_file``) are fixed for that project run."""
    token = _PROJECT.set(fixes)
    try:
        yield fixes
    finally:
        _PROJECT.reset(token)


def _wanted(config: Config, unsafe_fixes: bool):
    allowed = {SAFE, UNSAFE} if unsafe_fixes else {SAFE}
    return lambda diagnostic: diagnostic.fix_applicability in allowed


def fix_text(text: str, path: str = "<string>", config: Optional[Config] = None,
             unsafe_fixes: bool = False) -> FixResult:
    """Fix one decoded file. Raises SourceError for input it cannot analyse (or round-trip)."""
    from tmplint import engine

    config = config or Config()
    project = _PROJECT.get()
    targets = project.targets.get(os.path.abspath(path), ()) if project is not None else ()
    before = _diagnostics(text, path, config)
    wanted = _wanted(config, unsafe_fixes)
    if not any(wanted(d) for d in before) and not targets:
        return FixResult(text, 0, before)
    info = None
    if project is not None:
        from tmplint.layout import module_info

        info = module_info(path)  # the analysis records what tells a finding the index settles
    parses_with_ast = _ast_parses(text)
    current = text
    for number in range(MAX_PASSES):
        analysed = engine.analyse(current, path, config.analysis, project=info, force=info is not None)
        if analysed.module is None:
            break
        if analysed.module.code != current:
            raise SourceError(_round_trip_failure(current, analysed.module.code))
        first = number == 0 and current == text
        fixed, applied = _one_pass(analysed, config, path, wanted, project, targets if first else (), first)
        if fixed is None or fixed == current:
            break
        if not _parses(fixed) or (parses_with_ast and not _ast_parses(fixed)):
            break  # never write code that does not parse: keep the last good text
        current = fixed
        if project is not None:
            project.applied.update(applied)
    after = _diagnostics(current, path, config) if current != text else before
    return FixResult(current, max(0, len(before) - len(after)), after)


def fix_each(text: str, path: str, config: Optional[Config], findings: Sequence[Diagnostic]) -> Dict[Diagnostic, str]:
    """Each fixable finding's fix made alone on ``text`` (unsafe ones too): the fixed text per finding
    whose fix has an edit in this file and parses. One analysis of the file plans them all (the
    JSON output's edits, ``tmplint.edits``); a finding of the project index (``fix_at``) is planned
    as ``--fix`` plans it, on an analysis with the index. Raises SourceError as ``fix_text`` does."""
    from tmplint import engine

    config = config or Config()
    wanted = _wanted(config, True)
    parses_with_ast = _ast_parses(text)
    out: Dict[Diagnostic, str] = {}
    local = [d for d in findings if d.fixable and d.fix_at is None]
    indexed = [d for d in findings if d.fixable and d.fix_at is not None]
    for group in (local, indexed):
        if not group:
            continue
        project, info = None, None
        if group is indexed:
            from tmplint.layout import module_info

            targets = [d.fix_at for d in group if d.fix_at is not None]
            project, info = ProjectFixes({path: targets}, {}), module_info(path)
        analysed = engine.analyse(text, path, config.analysis, project=info, force=True)
        if analysed.module is None:
            continue
        if analysed.module.code != text:
            raise SourceError(_round_trip_failure(text, analysed.module.code))
        for d in group:
            if project is None or d.fix_at is None:
                fixed, _ = _one_pass(analysed, config, path, wanted, only=_same_place(d))
            else:
                fixed, _ = _one_pass(analysed, config, path, wanted, project, (d.fix_at,), True, only=lambda o: False)
            if fixed is not None and fixed != text and _parses(fixed) and (_ast_parses(fixed) or not parses_with_ast):
                out[d] = fixed
    return out


def _round_trip_failure(text: str, code: str) -> str:
    """Why LibCST's code for ``text`` differs from it: the first line that differs, and what LibCST
    is known to lose there (a form feed starting an indented line, a lone CR line ending)."""
    ours, theirs = text.split("\n"), code.split("\n")
    number = next((n for n, (a, b) in enumerate(zip(ours, theirs), 1) if a != b), min(len(ours), len(theirs)))
    line = ours[number - 1] if number <= len(ours) else ""
    if "\f" in line[:len(line) - len(line.lstrip(" \t\f"))]:
        cause = "a form feed in the indentation of"
    elif "\r" in line.rstrip("\r"):
        cause = "lone CR line endings in"
    else:
        cause = "at"
    return f"LibCST does not reproduce this file byte for byte ({cause} line {number})"


def _diagnostics(text: str, path: str, config: Config) -> List[Diagnostic]:
    from tmplint import engine

    diagnostics = engine.select(engine.analyse_text(text, path, config.analysis), config)
    return config_mod.apply_per_file_ignores(config, diagnostics)


def _one_pass(analysed, config: Config, path: str, wanted, project: Optional[ProjectFixes] = None,
              targets: Tuple[FixAt, ...] = (), first: bool = True,
              only: Optional[Callable[[Diagnostic], bool]] = None) -> Tuple[Optional[str], List[FixAt]]:
    """The fixed text (None when there is nothing to do) and the targets whose edits it made."""
    from tmplint import engine
    from tmplint.fix.apply import apply_edits, choose_edits, choose_import_name, import_statement
    from tmplint.fix.imports import add_import
    from tmplint.fix.planner import Planner
    from tmplint.fix.spelling import UniquePart

    module, checker = analysed.module, analysed.checker
    kept = set(config_mod.apply_per_file_ignores(config, engine.select([d for _, d in analysed.pairs], config)))
    findings = [f for f, d in analysed.pairs if d in kept and (only is None or only(d))]
    if project is not None:
        from tmplint.project import provisional_callee

        reported = project.reported.get(os.path.abspath(path), set()) if first else set()
        by_finding = {id(f): d for f, d in analysed.pairs}
        findings = [f for f in findings if provisional_callee(checker, f) is None
                    or (f.code, by_finding[id(f)].line, by_finding[id(f)].col) in reported]
    located = _locate(module, checker, targets) if targets else []

    helper = _fix_helper(config)
    preferred, qualified = (helper[1], f"{helper[0]}.{helper[1]}") if helper else ("uuid", "uuid")

    def plan(local_name: str):
        unique = UniquePart(uuid_name=local_name) if helper is None else UniquePart(helper=local_name)
        planner = Planner(module, checker, unique, cleanup=config.analysis.fix_cleanup)
        edits, made = [], []
        for finding in findings:
            edit = planner.plan(finding)
            if edit is not None and wanted(Diagnostic("", "", "", 0, 0, 0, 0, edit.title, edit.applicability)):
                edits.append(edit)
        for target, scope, fact, node in located:
            if fact is not None:
                edit = planner.plan_helper(scope, fact)
            elif node is not None:  # (a target is a helper's rename or a temp path)
                edit = planner.plan_temp_path(node, scope)
            else:
                continue
            if edit is not None and wanted(Diagnostic("", "", "", 0, 0, 0, 0, edit.title, edit.applicability)):
                edits.append(edit)
                made.append((target, edit))
        return planner, edits, made

    planner, edits, made = plan(preferred)
    if not edits:
        return None, []
    scopes = list({id(s): s for e in edits for s in e.scopes}.values())
    if helper is not None and _is_module(path, helper[0]):
        local, needs_import = helper[1], False  # the helper's own module defines it
    else:
        local, needs_import = choose_import_name(preferred, qualified, scopes, checker.tables, checker.ev.lookup)
    if local != preferred:
        planner, edits, made = plan(local)
    edits = choose_edits(edits, planner.parents)
    applied = _applied(made, edits)
    imports = []  # (statement, the first top-level statement it must precede)
    limit = _first_module_level_edit(module, edits, planner.parents)
    if needs_import:
        imports.append(import_statement("uuid", None, local) if helper is None
                       else import_statement(helper[0], helper[1], local))
    names = {}
    cleaning = [s for e in edits if e.cleanup for s in e.scopes]
    removing = [s for e in edits if any(not c.is_path for c in e.cleanup) for s in e.scopes]
    for standard, scopes_using in (("contextlib", cleaning), ("os", removing)):  # what the cleanup handler calls
        if scopes_using:
            names[standard], missing = choose_import_name(standard, standard, scopes_using, checker.tables,
                                                          checker.ev.lookup)
            if missing:
                imports.append(import_statement(standard, None, names[standard]))
    result = apply_edits(module, edits, os_name=names.get("os", "os"),
                         contextlib_name=names.get("contextlib", "contextlib"))
    for statement in imports:
        result = add_import(result, statement, limit)
    return result.code, applied


def _same_place(finding: Diagnostic) -> Callable[[Diagnostic], bool]:
    """Whether another finding is ``finding``'s: its code at its place."""
    key = (finding.code, finding.line, finding.col)
    return lambda other: (other.code, other.line, other.col) == key


def _locate(module: cst.Module, checker, targets: Tuple[FixAt, ...]
            ) -> "List[Tuple[FixAt, Scope, Optional[Fact], Optional[cst.CSTNode]]]":
    """(target, scope, helper rename fact or None, temp path node or None) for each target found in
    this tree: a helper's rename by its line, a temp path by its span."""
    from tmplint.fix.planner import Planner
    from tmplint.positions import positions

    finder = Planner(module, checker)
    helpers = [t for t in targets if t.span is None]
    temps = [t for t in targets if t.span is not None]
    renames = finder.helper_renames() if helpers else []
    nodes = list(finder.parents) if temps else [fact.rename for _, fact in renames]
    where = positions(module, nodes) if nodes else {}
    out: "List[Tuple[FixAt, Scope, Optional[Fact], Optional[cst.CSTNode]]]" = []
    for target in helpers:
        for scope, fact in renames:
            if where[fact.rename][0] == target.rename_line:
                out.append((target, scope, fact, None))
    if temps:
        by_span: Dict[Tuple[int, int, int, int], List[cst.CSTNode]] = {}
        for node in nodes:
            if isinstance(node, cst.BaseExpression):
                by_span.setdefault(where[node], []).append(node)
        for target in temps:
            # the outermost of nodes with one span: the argument
            found = by_span.get(target.span, []) if target.span is not None else []
            outer = [n for n in found if not any(finder.parents.get(n) is other for other in found)]
            owner = finder.scope_of(outer[0]) if len(outer) == 1 else None
            if owner is not None:
                out.append((target, owner, None, outer[0]))
    return out


def _applied(made, chosen) -> List[FixAt]:
    """The targets whose edit went in (itself, or the same edit planned for another finding)."""
    def _code(node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)

    taken = {node: _code(new) for edit in chosen for node, new in edit.replace.items()}
    return [target for target, edit in made
            if any(edit is c for c in chosen)
            or all(node in taken and taken[node] == _code(new) for node, new in edit.replace.items())]


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
    return standard_tree(text) is not None


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
