"""The project index: what one file tells the others, and the resolution of calls across files.

A worker parses each file once and turns what its analysis found into a plain, picklable
:class:`FileResult`: its own diagnostics, its *exports* (a summary of every module-level
function and method, module and class constants, import aliases, class bases) and its *pending
checks* (calls to functions of other modules, with their arguments as values, and renames whose
temp path reads an imported name). Values are the segment model of ``values``; a ``Var`` root is
``param:NAME`` for a parameter of the function it belongs to, ``import:pkg.mod.NAME`` for an
imported name, and ``module|...`` for anything else (opaque, and distinct between modules). No
CST node crosses a process: literal nodes become positions.

The main process puts the results into an :class:`Index`, which composes summaries across files
(bounded, recursion-safe), resolves the pending checks and produces the diagnostics at the call
sites. Resolution runs every time and is cheap; only the per-file results are worth caching.
"""

import dataclasses
import os
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from tmplint import noqa as noqa_mod
from tmplint.analysis import values as V
from tmplint.analysis.checker import _code, default_message, helper_message, rename_message
from tmplint.analysis.scopes import ASSIGN, CLASS, IMPORT, Scope, dotted_name
from tmplint.diagnostics import Diagnostic, FixAt

Pos = Tuple[int, int, int, int]  # line (1-based), col (0-based), end line, end col

MAX_COMPOSE_DEPTH = 6  # helper chains across files, like the in-file summaries
MAX_ALIAS_DEPTH = 8
_STRINGISH = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation, cst.Name,
              cst.Attribute, cst.Call)


class ModuleInfo(NamedTuple):
    """Where a file sits in the import system: ``pkg.utils``, its package, the folder above the top package."""

    name: str
    package: str
    root: str


class ArgInfo(NamedTuple):
    keyword: Optional[str]
    value: V.Value
    pos: Optional[Pos]
    text: str
    written: bool  # the caller wrote this path before the call
    write_locked: bool  # every such write held an inter-process lock
    fix: Optional[str] = None  # written: the applicability of the fix for a temp path spelled by it


class CallInfo(NamedTuple):
    """A call whose callee another file (or the index) knows: an imported function, an inherited
    method, or a function of this file whose summary may gain facts from other files."""

    owner: int  # the scope the call is made in
    callee: Tuple[str, ...]  # absolute qualified names to try; () for a function of this file
    target: Optional[int]  # that function's scope id
    via_instance: bool  # self.m(...): the callee's first parameter is bound
    skip_first: Optional[bool]  # known for a function of this file
    args: Tuple[ArgInfo, ...]  # a partial's arguments first
    locked: bool
    pos: Pos
    label: str


class FactInfo(NamedTuple):
    """A rename into place a function performs, as an exported summary holds it."""

    src: V.Value
    dst: V.Value
    written: bool
    locked: bool
    reported: bool  # reported where it is made, so callers stay silent
    direct: bool  # a rename in the body (or through a rename wrapper), not through a helper
    rename_at: Tuple[str, int]  # (path, line) of the innermost rename, for messages
    fix: Optional[Tuple[str, str, int]] = None  # direct, its basename a parameter: (title, applicability, line)


class FunctionInfo(NamedTuple):
    scope: int
    name: str  # "f" or "Class.method"; "" for a function other files cannot reach
    params: Tuple[str, ...]  # positional order, then keyword-only
    positional: int
    kind: str  # "function", "method", "staticmethod", "classmethod", "rename" (an alias of os.replace)
    facts: Tuple[FactInfo, ...]
    writes: FrozenSet[str]
    rename_params: Optional[Tuple[str, str]]
    defaults: Tuple[Tuple[str, V.Value, Pos], ...]  # constant defaults, for TMP104 through other files


class PendingFact(NamedTuple):
    """A rename whose temp path reads an imported name: decided once the name's value is known."""

    scope: int
    direct: bool
    src: V.Value
    dst: V.Value
    written: bool
    locked: bool
    pos: Pos  # the src expression (direct) or the argument that becomes the basename (helper)
    label: str
    dst_text: str
    rename_at: Tuple[str, int]
    fix: Optional[str] = None  # direct and written: the applicability of the fix of its temp path


class Provisional(NamedTuple):
    """A keyword-heuristic TMP101 at a helper this file cannot see: kept only when the index cannot either."""

    diagnostic: Diagnostic
    callee: Tuple[str, ...]


@dataclasses.dataclass
class FileResult:
    """Everything a run needs from one file; plain data (no CST), so it crosses processes and caches."""

    path: str
    module: ModuleInfo
    status: str = "screened"  # "parsed", "screened" (the text screen passed it over), "failed"
    diagnostics: Tuple[Diagnostic, ...] = ()  # this file's own, noqa applied, before selection
    provisional: Tuple[Provisional, ...] = ()
    functions: Dict[int, FunctionInfo] = dataclasses.field(default_factory=dict)
    names: Dict[str, int] = dataclasses.field(default_factory=dict)  # "f", "C.m" -> scope id
    classes: Dict[str, Tuple[str, ...]] = dataclasses.field(default_factory=dict)  # "C" -> base qualnames
    constants: Dict[str, V.Value] = dataclasses.field(default_factory=dict)  # "NAME", "C.NAME"
    aliases: Dict[str, str] = dataclasses.field(default_factory=dict)  # module-level name -> qualname
    calls: Tuple[CallInfo, ...] = ()
    facts: Tuple[PendingFact, ...] = ()
    imports: Tuple[str, ...] = ()  # absolute names this file imports (modules, or names in them)
    noqa: Dict[int, str] = dataclasses.field(default_factory=dict)  # line -> text that may hold a noqa
    file_noqa: bool = False

    def standalone(self) -> List[Diagnostic]:
        """The findings without an index: its own and every provisional one (``check_source``)."""
        return sorted(set(self.diagnostics) | {p.diagnostic for p in self.provisional}, key=Diagnostic.sort_key)


# --- the worker side: recording during the analysis ------------------------------------------------


def _absolute(name: str, package: str) -> str:
    """``.utils.f`` imported in package ``pkg.sub`` is ``pkg.sub.utils.f``."""
    if not name.startswith("."):
        return name
    dots = len(name) - len(name.lstrip("."))
    rest = name[dots:]
    parts = package.split(".") if package else []
    if dots - 1 > len(parts):
        return rest
    base = parts[:len(parts) - (dots - 1)]
    return ".".join(base + ([rest] if rest else []))


class Recorder:
    """Attached to a ``ScopeChecker``: notes the calls and renames the index resolves later."""

    def __init__(self, checker, info: ModuleInfo):
        self.checker = checker
        self.ev = checker.ev
        self.info = info
        self.calls: Dict[cst.Call, tuple] = {}
        self.facts: List[tuple] = []

    # --- names ---------------------------------------------------------------------------
    def absolute(self, name: str) -> str:
        return _absolute(name, self.info.package)

    def imported_qualname(self, expr: cst.CSTNode, scope: Scope, depth: int = 0) -> Optional[str]:
        """The absolute name an expression reaches through an import (``u._atomic_save``), else None."""
        dotted = dotted_name(expr)
        if dotted is None or depth > 5:
            return None
        head, _, rest = dotted.partition(".")
        found = self.ev.lookup(head, scope)
        if found is None:
            return None
        owner, bindings = found
        first = bindings[0]
        if all(b.kind == IMPORT and b.extra == first.extra for b in bindings):
            base = self.absolute(first.extra)
        elif len(bindings) == 1 and first.kind == ASSIGN and first.value is not None and dotted_name(first.value):
            base = self.imported_qualname(first.value, owner, depth + 1)
            if base is None:
                return None
        else:
            return None
        return f"{base}.{rest}" if rest else base

    def may_be_project(self, qualname: str) -> bool:
        """Could a file of this project define ``qualname``? Its top-level package is this file's own,
        or is found beside it (next to the top package, or a folder or two above, for namespace
        packages); the standard library and installed packages elsewhere are not."""
        top = qualname.split(".", 1)[0]
        return top == self.info.name.split(".", 1)[0] or _beside(self.info.root, top)

    def class_qualname(self, cls: Scope) -> Optional[str]:
        parts = []
        current: Optional[Scope] = cls
        while current is not None and current.kind == "class":
            parts.append(current.name)
            current = current.parent
        if current is None or current.kind != "module":
            return None
        return ".".join(reversed(parts))

    def function_qualname(self, function: Scope) -> Optional[str]:
        parent = function.parent
        if parent is None:
            return None
        if parent.kind == "module":
            return function.name
        if parent.kind == "class":
            cls = self.class_qualname(parent)
            return f"{cls}.{function.name}" if cls else None
        return None

    def class_ref(self, expr: cst.CSTNode, scope: Scope) -> Optional[str]:
        """A base class as an absolute name: imported, or a class of this file."""
        if isinstance(expr, cst.Name):
            found = self.ev.lookup(expr.value, scope)
            if found and len(found[1]) == 1 and found[1][0].kind == CLASS:
                cls = found[0].classes.get(expr.value)
                qual = self.class_qualname(cls) if cls is not None else None
                return f"{self.info.name}.{qual}" if qual else None
        return self.imported_qualname(expr, scope)

    def external_target(self, func: cst.CSTNode, scope: Scope, depth: int = 0):
        """(candidate names, via an instance, pre-bound args) for a callee defined elsewhere, or None."""
        if depth > 3:
            return None
        if isinstance(func, cst.Name):
            found = self.ev.lookup(func.value, scope)
            if found and len(found[1]) == 1 and found[1][0].kind == ASSIGN and isinstance(found[1][0].value, cst.Call):
                return self.partial_target(found[1][0].value, found[0], depth)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            receiver = func.value.value
            cls = self.ev.class_for_receiver(receiver, scope)
            if cls is not None:
                if func.attr.value in cls.functions or func.attr.value in cls.bindings:
                    return None
                qual = self.class_qualname(cls)
                if qual is None:
                    return None  # an inherited method of a class no other file can name
                return (f"{self.info.name}.{qual}.{func.attr.value}",), receiver != cls.name, ()
        qualified = self.imported_qualname(func, scope)
        return ((qualified,), False, ()) if qualified else None

    def callee_of(self, call: cst.Call, scope: Scope):
        """The helper a call reaches in another file: through ``functools.partial(helper, ...)`` or directly."""
        return self.partial_target(call, scope) or self.external_target(call.func, scope)

    def partial_target(self, call: cst.Call, scope: Scope, depth: int = 0):
        """``functools.partial(imported, ...)``: the imported callee, with the partial's arguments."""
        if self.ev.qualname(call.func, scope) != "functools.partial" or not call.args or call.args[0].keyword:
            return None
        inner = self.external_target(call.args[0].value, scope, depth + 1)
        if inner is None:
            return None
        names, via_instance, pre = inner
        return names, via_instance, tuple(pre) + tuple((a, scope) for a in call.args[1:])

    # --- hooks the checker calls ---------------------------------------------------------
    def on_call(self, site, scope: Scope, target, writes) -> None:
        """A call in ``scope`` that is no rename: ``target`` is the in-file callee (scope, skip, pre) or None."""
        call = site.node
        if call in self.calls:
            return
        if target is not None:
            function, skip_first, pre = target
            if function.kind != "function":
                return
            own = () if self.ev.qualname(call.func, scope) == "functools.partial" else call.args
            record = ((), function.id, False, skip_first, tuple(pre) + tuple((a, scope) for a in own))
        else:
            external = self.partial_target(call, scope)
            own = ()
            if external is None:
                external = self.external_target(call.func, scope)
                own = call.args
            if external is None:
                return
            names, via_instance, pre = external
            if not any(self.may_be_project(name) and not _is_class_name(name) for name in names):
                return
            record = (names, None, via_instance, None, tuple(pre) + tuple((a, scope) for a in own))
        names, target_id, via_instance, skip_first, args = record
        evaluated = []
        wrote_before = any(order < site.order for _, order, _ in writes)
        for arg, arg_scope in args:
            if arg.star:
                break
            if isinstance(arg.value, _EVALUATED):
                value = self.ev.eval(arg.value, arg_scope)
            else:  # a list, a number, a lambda...: opaque, and not worth writing out as its text
                value = V.opaque(f"{arg_scope.id}:#{id(arg.value)}")
            written, write_locked = self.checker._was_written(arg.value, scope, writes, site.order) \
                if wrote_before else (False, True)
            evaluated.append((arg, value, written, write_locked, arg_scope))
        if not _relevant([v for _, v, _, _, _ in evaluated], scope):
            return
        locked = self.checker.is_locked(site, scope)
        label = (names[0].rsplit(".", 1)[-1] if names else target[0].name) or "the helper"
        self.calls[call] = (scope, names, target_id, via_instance, skip_first, evaluated, locked, label)

    def on_fact(self, fact, scope: Scope) -> None:
        """A rename (direct or through an in-file helper) the file could not decide for an imported name."""
        if fact.inner is not None and fact.inner.reported:
            return
        if not any(r.startswith("import:") for r in V.roots(fact.src)):
            return
        if (fact.written or V.looks_temporary(fact.src)) and V.classify(fact.src, fact.dst) is not None:
            return  # decided and reported in the file itself
        if fact.inner is None:
            where = fact.src_node
        else:
            arg = self.checker._temp_argument(fact)
            if arg is None:
                return
            where = arg.value
        self.facts.append((scope, fact, where))


@lru_cache(maxsize=4096)
def _beside(root: str, top: str) -> bool:
    folder = root
    for _ in range(3):
        if os.path.isdir(os.path.join(folder, top)) or os.path.isfile(os.path.join(folder, top + ".py")):
            return True
        folder = os.path.dirname(folder)
    return False


# what Evaluator._eval looks into; any other expression is opaque
_EVALUATED = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Name, cst.Attribute,
              cst.BinaryOperation, cst.Call, cst.Subscript, cst.IfExp)


def _is_class_name(qualname: str) -> bool:
    """``Series``, ``HTTPServer``: CapWords names classes (PEP 8), and a class is never a helper here
    (the index resolves calls to functions and methods only)."""
    name = qualname.rsplit(".", 1)[-1]
    return name[:1].isupper() and any(c.islower() for c in name)


def _relevant(values: List[V.Value], scope: Scope) -> bool:
    """Could this call's arguments ever make a finding, or a caller's summary? Literal text, a weak part,
    an imported name, a parameter of the calling function, or one name in two arguments."""
    prefix = f"{scope.id}:" if scope.kind == "function" else None
    params = {name for name, _ in scope.params} if prefix else set()
    seen: Set[str] = set()
    for value in values:
        here = set()
        for seg in value.segs:
            if isinstance(seg, V.Lit) or seg is V.WEAK:
                return True
            if isinstance(seg, V.Var):
                for root in seg.roots:
                    if root.startswith("import:"):
                        return True
                    if prefix and root.startswith(prefix) and root[len(prefix):].split(".")[0] in params:
                        return True
                    here.add(root.split(".")[0])
        if here & seen:
            return True
        seen |= here
    return False


# --- building the FileResult from a finished analysis ----------------------------------------------


class _Builder:
    def __init__(self, module: cst.Module, checker, recorder: Recorder, path: str, text: Optional[str] = None,
                 planner=None):
        self.module = module
        self.planner = planner
        self.text = text
        self.checker = checker
        self.ev = checker.ev
        self.rec = recorder
        self.info = recorder.info
        self.path = path
        self.nodes: Dict[cst.CSTNode, Optional[Scope]] = {}  # node -> its scope
        # calls whose arguments' positions are wanted -> per argument, the literals wanted in it
        self.calls: Dict[Scope, Dict[cst.Call, Dict[int, List[cst.CSTNode]]]] = {}
        self.literals: Set[cst.CSTNode] = set()
        self.defaults: Dict[cst.CSTNode, str] = {}  # default -> parameter name
        self.where: Dict[cst.CSTNode, Pos] = {}
        self._scopes = {scope.id: scope for scope in checker.tables.scopes}

    def want(self, node: Optional[cst.CSTNode], scope: Optional[Scope]) -> None:
        if node is not None:
            self.nodes[node] = scope

    def want_call(self, call: cst.Call, scope: Scope) -> Dict[int, List[cst.CSTNode]]:
        self.want(call, scope)
        for arg in call.args:
            self.want(arg.value, scope)
        return self.calls.setdefault(scope, {}).setdefault(call, {})

    def want_literals(self, value: V.Value, scope: Scope) -> List[cst.CSTNode]:
        """The literals of the basename that lie in ``scope``: the only ones a report can sit on."""
        found = [seg.node for seg in V.basename(value)
                 if isinstance(seg, V.Lit) and seg.node is not None and seg.scope == scope.id]
        for node in found:
            self.want(node, scope)
            self.literals.add(node)
        return found

    def locate(self) -> Dict[cst.CSTNode, Pos]:
        """Positions from the ``ast`` tree where it matches for certain; code generation for the rest."""
        from tmplint.analysis.anchors import Anchors, flat_parts, string_parts_in_context
        from tmplint.positions import positions, positions_in_statements

        if not self.nodes:
            return {}
        if self.text is None:
            return positions(self.module, self.nodes)
        anchors = Anchors(self.module, self.text, self.checker.tables.scopes)
        where: Dict[cst.CSTNode, Optional[Pos]] = {}
        if anchors.ok:
            parts = string_parts_in_context(self.checker.tables.strings) if self.literals else {}
            for scope, calls in self.calls.items():
                for call, node in anchors.calls(scope, calls).items():
                    args = anchors.arguments(call, node)
                    if args is None:
                        continue
                    found = [anchors.checked(arg.value, other) for arg, other in zip(call.args, args)]
                    if any(pos is None for pos in found):
                        continue  # not the call we think it is
                    where[call] = anchors.position(node)
                    for arg, pos in zip(call.args, found):
                        where[arg.value] = pos
            rest = [node for node in self.literals if where.get(node) is None]
            if rest:
                strings = [node for node, _ in self.checker.tables.strings if node not in parts]
                wholes = {parts[node] for node in rest if parts.get(node) is not None}
                found = anchors.literals(strings, [n for n in rest if n not in parts] + list(wholes))
                for node, other in found.items():
                    if node in wholes:
                        where.update(anchors.concatenated(other, flat_parts(node)))
                    else:
                        where[node] = anchors.position(other)
            by_function: Dict[Scope, Dict[str, cst.CSTNode]] = {}
            for node, name in self.defaults.items():
                by_function.setdefault(self.nodes[node], {})[name] = node
            for function, wanted in by_function.items():
                theirs = anchors.defaults(function)
                for name, node in wanted.items():
                    if name in theirs:
                        where[node] = anchors.checked(node, theirs[name])
        located = {node: pos for node, pos in where.items() if pos is not None}
        rest = [node for node in self.nodes if node not in located]
        if rest:
            tree = anchors.tree if anchors.ok else None
            located.update(positions_in_statements(self.module, rest, self.text, self._statements(rest), tree))
        return located

    def _statements(self, nodes: Iterable[cst.CSTNode]) -> Set[int]:
        """The top-level statements that hold ``nodes``: a def's own, or every other statement."""
        body = {id(statement): i for i, statement in enumerate(self.module.body)}
        out: Set[int] = set()
        anywhere = False
        for node in nodes:
            scope = self.nodes[node]
            while scope is not None and scope.parent is not None and scope.parent.kind != "module":
                scope = scope.parent
            index = body.get(id(scope.node)) if scope is not None and scope.kind != "module" else None
            if index is None:
                anywhere = True  # module level, or a def inside a top-level if/try
            else:
                out.add(index)
        if anywhere:
            out.update(i for i, statement in enumerate(self.module.body)
                       if not isinstance(statement, (cst.FunctionDef, cst.ClassDef)))
        return out

    def portable(self, value: V.Value, owner: Optional[Scope], positions: bool) -> V.Value:
        prefix = f"{owner.id}:" if owner is not None and owner.kind == "function" else None
        params = {name for name, _ in owner.params} if prefix else set()
        segs = []
        for seg in value.segs:
            if isinstance(seg, V.Lit):
                node = self.where.get(seg.node) if positions and seg.node is not None else None
                segs.append(V.Lit(seg.text, node, seg.scope if positions else -1))
            elif isinstance(seg, V.Var):
                segs.append(V.Var(frozenset(self.root(r, prefix, params) for r in seg.roots)))
            else:
                segs.append(seg)
        return V.Value(tuple(segs), value.is_path)

    def root(self, root: str, prefix: Optional[str], params: Set[str]) -> str:
        if root.startswith("import:"):
            return "import:" + self.rec.absolute(root[len("import:"):])
        if prefix and root.startswith(prefix):
            name = root[len(prefix):]
            if name.split(".")[0] in params:
                return "param:" + name
        return f"{self.info.name}|{root}"

    def at(self, node: Optional[cst.CSTNode]) -> Optional[Pos]:
        return self.where.get(node) if node is not None else None

    def rename_at(self, node: cst.CSTNode) -> Tuple[str, int]:
        return (self.path, self.where[node][0])

    # --- what to export ------------------------------------------------------------------
    def exported_functions(self) -> Dict[int, Tuple[Scope, str]]:
        out = {}
        for scope in self.checker.tables.scopes:
            if scope.kind == "function":
                name = self.rec.function_qualname(scope)
                if name:
                    out[scope.id] = (scope, name)
        return out

    def build(self, result: FileResult) -> FileResult:
        checker, rec = self.checker, self.rec
        _drop_idle_internal_calls(rec.calls)
        exported = self.exported_functions()
        summaries = {sid: checker.summary(scope) for sid, (scope, _) in exported.items()}
        kept_facts = {sid: [f for f in summary.facts if _matters_to_callers(f, scope)]
                      for (sid, summary), (scope, _) in zip(summaries.items(), exported.values())}
        for sid, facts in kept_facts.items():
            for fact in facts:
                self.want_call(fact.rename, _rename_scope(fact, exported[sid][0]))
        helper_fixes = self.helper_fixes([exported[sid][0] for sid, facts in kept_facts.items() if facts],
                                         {id(f) for facts in kept_facts.values() for f in facts})
        owners = {}
        for call, (scope, names, target_id, via, skip, evaluated, locked, label) in rec.calls.items():
            literals = self.want_call(call, scope)
            owners.setdefault(scope.id, scope)
            own = {id(arg): i for i, arg in enumerate(call.args)}
            for arg, value, _, _, arg_scope in evaluated:
                if id(arg) in own:
                    literals[own[id(arg)]] = self.want_literals(value, scope)
                else:  # a partial's argument, in the partial's own call
                    self.want(arg.value, arg_scope)
                    self.want_literals(value, arg_scope)
        for scope, fact, where in rec.facts:
            self.want_call(fact.call, scope)
            self.want(where, scope)
            self.want_call(fact.rename, _rename_scope(fact, scope))
            self.want_literals(fact.src, scope)
        defaults = {}
        for sid, scope in owners.items():
            if scope.kind != "function":
                continue
            found = []
            for name, param in scope.params:
                if param.default is not None:
                    value = self.ev.eval(param.default, scope.parent or scope)
                    if V.is_constant(value):
                        found.append((name, value, param.default))
                        self.want(param.default, scope)
                        self.defaults[param.default] = name
            defaults[sid] = found
        aliases_of_rename: List[Tuple[str, cst.CSTNode]] = []
        self.export_module_names(result, aliases_of_rename)
        self.where = self.locate()

        functions: Dict[int, FunctionInfo] = {}
        names: Dict[str, int] = {}
        targets = {t for (_, _, t, *_rest) in rec.calls.values() if t is not None}
        scopes_by_id = {s.id: s for s in checker.tables.scopes}
        for sid in set(exported) | set(owners) | targets:
            scope = scopes_by_id[sid]
            if scope.kind != "function":
                continue
            name = exported[sid][1] if sid in exported else ""
            summary = summaries.get(sid)
            facts = tuple(FactInfo(self.portable(f.src, scope, False), self.portable(f.dst, scope, False),
                                   f.written, f.locked, f.reported, f.inner is None, self.rename_at(f.rename),
                                   self.fix_of(helper_fixes.get(id(f))))
                          for f in kept_facts.get(sid, ()))
            functions[sid] = FunctionInfo(
                sid, name, tuple(p for p, _ in scope.params), scope.positional_count, _kind(scope), facts,
                frozenset(summary.writes) if summary else frozenset(),
                summary.rename_params if summary else None,
                tuple((p, self.portable(v, None, False), self.where[node]) for p, v, node in defaults.get(sid, ())),
            )
            if name:
                names[name] = sid
        for number, (name, node) in enumerate(aliases_of_rename, 1):
            at = (self.path, self.where[node][0])
            functions[-number] = FunctionInfo(  # no scope of its own: a negative id
                -number, name, ("src", "dst"), 2, "rename",
                (FactInfo(V.opaque("param:src"), V.opaque("param:dst"), False, False, False, True, at),),
                frozenset(), ("src", "dst"), ())
            names[name] = -number

        calls = []
        for call, (scope, callee, target_id, via, skip, evaluated, locked, label) in rec.calls.items():
            args = tuple(ArgInfo(arg.keyword.value if arg.keyword is not None else None,
                                 self.portable(value, scope, True), self.at(arg.value),
                                 self.ev.text(arg.value) if V.roots(value) else "", written, write_locked,
                                 self.local_fix(arg.value, arg_scope) if written else None)
                         for arg, value, written, write_locked, arg_scope in evaluated)
            calls.append(CallInfo(scope.id, tuple(callee), target_id, via, skip, args, locked, self.where[call], label))
        facts_out = []
        for scope, fact, where in rec.facts:
            facts_out.append(PendingFact(
                scope.id, fact.inner is None, self.portable(fact.src, scope, True), self.portable(fact.dst, scope, True),
                fact.written, fact.locked, self.where[where], fact.label, self.ev.text(fact.dst_node),
                self.rename_at(fact.rename),
                self.local_fix(fact.src_node, scope) if fact.inner is None and fact.written else None))
        result.functions = functions
        result.names = names
        result.calls = tuple(calls)
        result.facts = tuple(facts_out)
        return result

    # --- the fixes other files' findings reach (planned here, where the tree is) -----------------
    def helper_fixes(self, scopes: List[Scope], kept: Set[int]) -> Dict[int, object]:
        """id(fact) -> the planner's edit for each exported rename (of ``scopes``, one of ``kept``) whose
        temp basename reads a parameter: the fix of the findings at its callers, which the index reports.
        Its nodes are located too."""
        if self.planner is None or not kept:
            return {}
        out = {}
        for scope, fact in self.planner.helper_renames(scopes):
            if id(fact) not in kept:
                continue
            edit = self.planner.plan_helper(scope, fact)
            if edit is not None:
                out[id(fact)] = edit
                for node in list(edit.replace) + list(edit.insert):
                    self.want(node, scope)
        return out

    def fix_of(self, edit) -> Optional[Tuple[str, str, int]]:
        if edit is None:
            return None
        lines = [self.where[n][0] for n in list(edit.replace) + list(edit.insert) if n in self.where]
        return (edit.title, edit.applicability, min(lines)) if lines else None

    def local_fix(self, node: cst.CSTNode, scope: Scope) -> Optional[str]:
        """The applicability of the fix of a temp path spelled ``node`` here, should the index find its
        rename (through a wrapper of another file, or reading an imported constant)."""
        if self.planner is None:
            return None
        edit = self.planner.plan_temp_path(node, scope)
        return edit.applicability if edit is not None else None

    def export_module_names(self, result: FileResult, renames: List[Tuple[str, cst.CSTNode]]) -> None:
        """Module and class constants, import aliases, class bases and aliases of ``os.replace``."""
        tables = self.checker.tables
        module_scope = tables.module_scope
        for scope in tables.scopes:
            if scope.kind == "class":
                qual = self.rec.class_qualname(scope)
                if qual is None:
                    continue
                bases = []
                for arg in scope.node.bases:
                    ref = self.rec.class_ref(arg.value, scope.parent)
                    if ref:
                        bases.append(ref)
                result.classes[qual] = tuple(bases)
                self._names_of(scope, qual + ".", result, renames)
        self._names_of(module_scope, "", result, renames)

    def _names_of(self, scope: Scope, prefix: str, result: FileResult, renames) -> None:
        for name, bindings in scope.bindings.items():
            binding = bindings[0]
            if prefix == "" and all(b.kind == IMPORT and b.extra == binding.extra for b in bindings):
                result.aliases[name] = self.rec.absolute(binding.extra)
                continue
            if len(bindings) != 1 or binding.kind != ASSIGN or not isinstance(binding.value, _STRINGISH):
                continue
            if self.checker.is_rename_callable(cst.Name(name), scope):
                renames.append((prefix + name, binding.value))
                self.want(binding.value, scope)
                continue
            if prefix == "":
                qualified = self.rec.imported_qualname(binding.value, scope) if dotted_name(binding.value) else None
                if qualified:
                    result.aliases[name] = qualified
                    continue
            value = self.ev.eval(binding.value, scope)
            if value.segs and all(r.startswith("import:") for r in V.roots(value)):
                result.constants[prefix + name] = self.portable(value, None, False)


def _rename_scope(fact, scope: Scope) -> Scope:
    """The scope of the innermost rename behind a fact (a helper's, for a fact made through one)."""
    while fact.inner is not None:
        scope, fact = fact.helper, fact.inner
    return scope


def _drop_idle_internal_calls(calls: Dict[cst.Call, tuple]) -> None:
    """Calls to functions of this file matter only when the callee reaches a call into another file."""
    active = {record[0].id for record in calls.values() if record[2] is None}
    changed = True
    while changed:
        changed = False
        for record in calls.values():
            if record[2] is not None and record[2] in active and record[0].id not in active:
                active.add(record[0].id)
                changed = True
    for call in [c for c, record in calls.items() if record[2] is not None and record[2] not in active]:
        del calls[call]


def _matters_to_callers(fact, function: Scope) -> bool:
    """A rename whose temp path reads a parameter (a caller's argument decides it) or an imported name."""
    prefix = f"{function.id}:"
    return any(r.startswith(prefix) or r.startswith("import:") for r in V.roots(fact.src))


def _kind(scope: Scope) -> str:
    if scope.enclosing_class is None:
        return "function"
    if "staticmethod" in scope.decorators:
        return "staticmethod"
    if "classmethod" in scope.decorators:
        return "classmethod"
    return "method"


def build_file_result(module: cst.Module, checker, path: str, text: str, result: FileResult,
                      planner=None) -> FileResult:
    """Fill ``result`` (which holds the file's own diagnostics) with its exports and pending checks;
    with ``planner`` (a ``fix.planner.Planner`` on this tree), also with the fixes they may need."""
    recorder: Recorder = checker.recorder
    result = _Builder(module, checker, recorder, path, text, planner).build(result)
    lines = text.splitlines(True)
    wanted: Set[int] = set()
    for call in result.calls:
        for arg in call.args:
            if arg.pos:
                wanted.add(arg.pos[0])
            for seg in arg.value.segs:
                if isinstance(seg, V.Lit) and seg.node:
                    wanted.add(seg.node[0])
    for fact in result.facts:
        wanted.add(fact.pos[0])
        for seg in fact.src.segs:
            if isinstance(seg, V.Lit) and seg.node:
                wanted.add(seg.node[0])
    for function in result.functions.values():
        wanted.update(pos[0] for _, _, pos in function.defaults)
    if wanted and any("noqa" in line.lower() for line in lines):
        mapping = noqa_mod.noqa_line_mapping(text, lines)
        for line in wanted:
            physical = mapping.get(line, lines[line - 1] if line <= len(lines) else "")
            if "noqa" in physical.lower():
                result.noqa[line] = physical
    return result


# --- the main process: composing and resolving ----------------------------------------------------


class Composed(NamedTuple):
    src: V.Value
    dst: V.Value
    written: bool
    locked: bool
    reported: bool  # reported somewhere already: callers further up stay silent
    inner_reported: bool  # reported inside the callee: this call site stays silent
    direct: bool
    rename_at: Tuple[str, int]
    temp_arg: Optional[ArgInfo]  # the call-site argument that becomes the basename (helper facts)
    src_arg: Optional[ArgInfo]  # the call-site src argument (renames through a wrapper)
    dst_text: str


class Found(NamedTuple):
    path: str
    function: FunctionInfo


class Index:
    """The results of a run, with module lookup, summary composition and the checks they resolve."""

    def __init__(self, results: Dict[str, FileResult], locate):
        """``locate(module, root)`` -> the path of that module's file (searched from ``root`` first), or None."""
        self.results = results
        self.locate = locate
        self.needs: Set[str] = set()  # files that must be parsed before a lookup can be answered
        self._external: Dict[Tuple[str, int], List[Composed]] = {}
        self._via: Dict[Tuple[str, int], List[Composed]] = {}
        self._in_progress: Set[Tuple[str, int]] = set()
        self._consts: Dict[str, Optional[V.Value]] = {}
        self._helper_fixes: Optional[Dict[Tuple[str, int], Tuple[str, str, int]]] = None

    # --- lookup --------------------------------------------------------------------------
    def lookup(self, qualname: str, root: str, force: bool = False, depth: int = 0):
        """What ``qualname`` names: Found, a Value (a constant), or None (unknown).

        A module the screens passed over defines no helper (stage two would have admitted it), so
        a call into it is simply unknown; with ``force`` (constants, provisional findings, aliases)
        such a file is asked for (``needs``) and the answer is None until it has been parsed.
        """
        if depth > MAX_ALIAS_DEPTH:
            return None
        parts = qualname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            path = self.locate(".".join(parts[:i]), root)
            if path is None:
                continue
            result = self.results.get(path)
            if result is None or result.status != "parsed":
                if force and (result is None or result.status == "screened"):
                    self.needs.add(path)
                return None
            return self._lookup_in(result, parts[i:], force, depth)
        return None

    def _lookup_in(self, result: FileResult, rest: List[str], force: bool, depth: int):
        name = ".".join(rest)
        sid = result.names.get(name)
        if sid is not None:
            return Found(result.path, result.functions[sid])
        if name in result.constants:
            return result.constants[name]
        if rest[0] in result.aliases:
            target = ".".join([result.aliases[rest[0]]] + rest[1:])
            return self.lookup(target, result.module.root, force, depth + 1)
        if len(rest) >= 2:
            cls = ".".join(rest[:-1])
            for base in result.classes.get(cls, ()):
                found = self.lookup(f"{base}.{rest[-1]}", result.module.root, force, depth + 1)
                if found is not None:
                    return found
        return None

    def function(self, names: Iterable[str], root: str, force: bool = False) -> Optional[Found]:
        for name in names:
            found = self.lookup(name, root, force)
            if isinstance(found, Found):
                return found
        return None

    # --- constants -----------------------------------------------------------------------
    def resolve(self, value: V.Value, root: str, depth: int = 0) -> V.Value:
        """``value`` with each imported name that is a known constant replaced by its value."""
        if depth > 5 or not any(isinstance(s, V.Var) and len(s.roots) == 1 and next(iter(s.roots)).startswith(
                "import:") for s in value.segs):
            return value
        segs: list = []
        is_path = value.is_path
        for seg in value.segs:
            if isinstance(seg, V.Var) and len(seg.roots) == 1:
                (name,) = seg.roots
                if name.startswith("import:"):
                    const = self._constant(name[len("import:"):], root, depth)
                    if const is not None:
                        segs.extend(const.segs)
                        is_path = is_path or const.is_path
                        continue
            segs.append(seg)
        return V.Value(tuple(segs), is_path)

    def _constant(self, qualname: str, root: str, depth: int) -> Optional[V.Value]:
        key = f"{root}\0{qualname}"
        if key in self._consts:
            return self._consts[key]
        self._consts[key] = None
        found = self.lookup(qualname, root, force=True)
        value = None
        if isinstance(found, V.Value):
            value = self.resolve(found, root, depth + 1)
        if value is None and self.needs:
            del self._consts[key]  # ask again once the file is parsed
            return None
        self._consts[key] = value
        return value

    # --- composition ---------------------------------------------------------------------
    def all_facts(self, path: str, function: FunctionInfo) -> List[Composed]:
        root = self.results[path].module.root
        out = []
        for fact in function.facts:
            reported = fact.reported
            if not reported and _has_import(fact.src):
                src, dst = self.resolve(fact.src, root), self.resolve(fact.dst, root)
                reported = (fact.written or V.looks_temporary(src)) and V.classify(src, dst) is not None
            out.append(Composed(fact.src, fact.dst, fact.written, fact.locked, reported, reported, fact.direct,
                                fact.rename_at, None, None, ""))
        return out + self.external_facts(path, function.scope)

    def external_facts(self, path: str, scope_id: int) -> List[Composed]:
        """The renames a function reaches through calls the file itself could not follow."""
        key = (path, scope_id)
        cached = self._external.get(key)
        if cached is not None:
            return cached
        if key in self._in_progress or len(self._in_progress) >= MAX_COMPOSE_DEPTH:
            return []  # recursion, or a chain deeper than the bound: nothing known
        self._in_progress.add(key)
        try:
            out = []
            for call in self.calls_of(path).get(scope_id, ()):
                out.extend(self.through(path, call))
        finally:
            self._in_progress.discard(key)
        self._external[key] = out
        return out

    def calls_of(self, path: str) -> Dict[int, List[CallInfo]]:
        result = self.results[path]
        grouped = getattr(result, "_by_owner", None)
        if grouped is None:
            grouped = {}
            for call in result.calls:
                grouped.setdefault(call.owner, []).append(call)
            result._by_owner = grouped  # type: ignore[attr-defined]
        return grouped

    def rename_params(self, path: str, function: FunctionInfo) -> Optional[Tuple[str, str]]:
        if function.rename_params is not None:
            return function.rename_params
        for fact in self.external_facts(path, function.scope):
            src, dst = _single_root(fact.src), _single_root(fact.dst)
            if fact.direct and not fact.written and src and dst and src.startswith("param:") \
                    and dst.startswith("param:"):
                return src[len("param:"):], dst[len("param:"):]
        return None

    def callee(self, path: str, call: CallInfo) -> Optional[Tuple[str, FunctionInfo, bool]]:
        """(path, function, whether the first parameter is bound) for a call, when the index knows it."""
        result = self.results[path]
        if call.target is not None:
            function = result.functions.get(call.target)
            return (path, function, bool(call.skip_first)) if function is not None else None
        found = self.function(call.callee, result.module.root)
        if found is None:
            return None
        kind = found.function.kind
        skip = kind == "classmethod" or (call.via_instance and kind == "method")
        return found.path, found.function, skip

    def through(self, path: str, call: CallInfo) -> List[Composed]:
        """The callee's renames as this call makes them: its arguments substituted (memoised per call)."""
        key = (path, id(call))
        cached = self._via.get(key)
        if cached is not None:
            return cached
        out: List[Composed] = []
        found = self.callee(path, call)
        if found is not None:
            callee_path, function, skip = found
            internal = call.target is not None
            mapping = _bind(function, call, skip)
            root = self.results[path].module.root
            # a wrapper of this file is a rename the file itself saw; one through another file is not
            wrapper = None if internal and function.rename_params else self.rename_params(callee_path, function)
            if wrapper is not None:
                src_arg, dst_arg = mapping.get(wrapper[0]), mapping.get(wrapper[1])
                if src_arg is not None and dst_arg is not None:
                    facts = function.facts or self.external_facts(callee_path, function.scope)
                    at = facts[0].rename_at if facts else (callee_path, 0)
                    src, dst = self.resolve(src_arg.value, root), self.resolve(dst_arg.value, root)
                    written = src_arg.written
                    reported = (written or V.looks_temporary(src)) and V.classify(src, dst) is not None
                    out.append(Composed(src_arg.value, dst_arg.value, written, call.locked and src_arg.write_locked,
                                        reported, False, True, at, None, src_arg, dst_arg.text))
            else:
                inner_facts = self.external_facts(callee_path, function.scope) if internal else \
                    self.all_facts(callee_path, function)
                prefix = call.label
                for inner in inner_facts:
                    src = _substitute(inner.src, mapping, prefix)
                    dst = _substitute(inner.dst, mapping, prefix)
                    written = inner.written
                    root_name = _single_root(inner.src)
                    temp_arg = _temp_argument(inner.src, mapping)
                    if not written and root_name and root_name.startswith("param:"):
                        arg = mapping.get(root_name[len("param:"):])
                        written = bool(arg and arg.written)
                    rs, rd = self.resolve(src, root), self.resolve(dst, root)
                    reported = inner.reported or (
                        (written or V.looks_temporary(rs)) and V.classify(rs, rd) is not None)
                    out.append(Composed(src, dst, written, inner.locked or call.locked, reported, inner.reported,
                                        False, inner.rename_at, temp_arg, None, ""))
        self._via[key] = out
        return out

    # --- which names matter for stage two ------------------------------------------------
    def helper_names(self) -> Dict[str, FrozenSet[str]]:
        """Names under which a function that renames one of its parameters can be called, each with
        the top-level packages a caller must name (or be in) to reach it; ``*`` for a method, which
        a subclass anywhere can call through ``self``."""
        names: Dict[str, Set[str]] = {}
        helpers: Set[Tuple[str, int]] = set()
        for path, result in self.results.items():
            if result.status != "parsed":
                continue
            for name, sid in result.names.items():
                function = result.functions[sid]
                if self.rename_params(path, function) or any(
                        not f.reported and any(r.startswith("param:") for r in V.roots(V.Value(V.basename(f.src))))
                        for f in self.all_facts(path, function)):
                    helpers.add((path, sid))
                    parts = name.split(".")
                    if len(parts) == 1:
                        names.setdefault(name, set()).add(result.module.name.split(".")[0])
                    else:
                        for part in parts:  # the method, and its class(es)
                            names.setdefault(part, set()).add("*")
        for path, result in self.results.items():  # re-exports: from .utils import save
            if result.status != "parsed":
                continue
            for local, target in result.aliases.items():
                found = self.lookup(target, result.module.root)
                if isinstance(found, Found) and (found.path, found.function.scope) in helpers:
                    names.setdefault(local, set()).add(result.module.name.split(".")[0])
        return {name: frozenset(tops) for name, tops in names.items()}

    # --- the diagnostics -----------------------------------------------------------------
    def diagnostics(self, path: str) -> List[Diagnostic]:
        """The findings in ``path`` that need the index; its provisional ones that the index cannot settle."""
        result = self.results[path]
        if result.status != "parsed" or result.file_noqa:
            return []
        out: List[Diagnostic] = []
        root = result.module.root
        for call in result.calls:
            for fact in self.through(path, call):
                found = self._check(result, call, fact, root)
                if found is not None:
                    out.append(found)
        for pending in result.facts:
            found = self._check_pending(result, pending, root)
            if found is not None:
                out.append(found)
        out.extend(self._defaults(path, result, root))
        for provisional in result.provisional:
            if self.function(provisional.callee, root, force=True) is None:
                out.append(provisional.diagnostic)
        return [d for d in out if not noqa_mod.is_ignored(d.code, result.noqa.get(d.line))]

    # --- the fixes -----------------------------------------------------------------------
    def _helper_fix(self, rename_at: Tuple[str, int]) -> Dict[str, object]:
        """The fix of a finding that reaches the helper rename at ``rename_at``: in the helper's file."""
        if self._helper_fixes is None:
            self._helper_fixes = {}
            for result in self.results.values():
                for function in result.functions.values():
                    for fact in function.facts:
                        if fact.fix is not None:
                            self._helper_fixes[fact.rename_at] = fact.fix
        found = self._helper_fixes.get(rename_at)
        if found is None:
            return {}
        title, applicability, line = found
        return dict(fix_title=title, fix_applicability=applicability,
                    fix_at=FixAt(rename_at[0], line, rename_line=rename_at[1]))

    @staticmethod
    def _local_fix(path: str, written: bool, fix: Optional[str], span: Optional[Pos]) -> Dict[str, object]:
        """The fix of a rename the index found in ``path`` itself: its temp path, spelled at ``span``."""
        if not written or fix is None or span is None:
            return {}
        return dict(fix_title="add a uuid to the temp name", fix_applicability=fix,
                    fix_at=FixAt(path, span[0], span=span))

    def _where(self, result: FileResult, at: Tuple[str, int]) -> str:
        return f"line {at[1]}" if at[0] == result.path else f"{at[0]}:{at[1]}"

    def _check(self, result: FileResult, call: CallInfo, fact: Composed, root: str) -> Optional[Diagnostic]:
        if fact.inner_reported:
            return None
        src, dst = self.resolve(fact.src, root), self.resolve(fact.dst, root)
        if not (fact.written or V.looks_temporary(src)):
            return None
        kind = V.classify(src, dst)
        if kind is None:
            return None
        if fact.direct:
            literal = V.first_literal(src, [call.owner])
            pos = literal.node if literal is not None else (fact.src_arg.pos if fact.src_arg else None)
            if pos is None:
                return None
            code = _code(kind, fact.locked, constant="TMP102", derived="TMP103")
            message = rename_message(kind, V.basename_text(src), call.label, fact.dst_text, fact.locked)
            arg = fact.src_arg
            fix = self._local_fix(result.path, fact.written, arg.fix, arg.pos) if arg is not None else {}
            return Diagnostic(code, message, result.path, *pos, **fix)
        if fact.temp_arg is None or fact.temp_arg.pos is None:
            return None
        code = _code(kind, fact.locked, constant="TMP101", derived="TMP101")
        message = helper_message(V.basename_text(src), call.label, self._where(result, fact.rename_at))
        return Diagnostic(code, message, result.path, *fact.temp_arg.pos, **self._helper_fix(fact.rename_at))

    def _check_pending(self, result: FileResult, pending: PendingFact, root: str) -> Optional[Diagnostic]:
        src, dst = self.resolve(pending.src, root), self.resolve(pending.dst, root)
        if not (pending.written or V.looks_temporary(src)):
            return None
        kind = V.classify(src, dst)
        if kind is None:
            return None
        spelled = V.basename_text(src)
        if pending.direct:
            literal = V.first_literal(src, [pending.scope])
            pos = literal.node if literal is not None else pending.pos
            code = _code(kind, pending.locked, constant="TMP102", derived="TMP103")
            fix = self._local_fix(result.path, pending.written, pending.fix, pending.pos)
            return Diagnostic(code, rename_message(kind, spelled, pending.label, pending.dst_text, pending.locked),
                              result.path, *pos, **fix)
        code = _code(kind, pending.locked, constant="TMP101", derived="TMP101")
        message = helper_message(spelled, pending.label, self._where(result, pending.rename_at))
        return Diagnostic(code, message, result.path, *pending.pos, **self._helper_fix(pending.rename_at))

    def _defaults(self, path: str, result: FileResult, root: str) -> List[Diagnostic]:
        """TMP104 for a constant default that reaches a rename in another file unchanged."""
        out = []
        for function in result.functions.values():
            if not function.defaults:
                continue
            facts = self.external_facts(path, function.scope)
            for name, default, pos in function.defaults:
                for fact in facts:
                    if fact.reported:
                        continue
                    base = [s for s in V.basename(fact.src) if isinstance(s, V.Var)]
                    if not any(s.roots == frozenset({f"param:{name}"}) for s in base):
                        continue
                    src = self.resolve(_substitute(fact.src, {name: ArgInfo(None, default, None, "", False, False)},
                                                   ""), root)
                    dst = self.resolve(fact.dst, root)
                    if not (fact.written or V.looks_temporary(src)):
                        continue
                    kind = V.classify(src, dst)
                    if kind is None:
                        continue
                    code = _code(kind, fact.locked, constant="TMP104", derived="TMP104")
                    message = default_message(V.basename_text(src), name, self._where(result, fact.rename_at))
                    out.append(Diagnostic(code, message, path, *pos, **self._helper_fix(fact.rename_at)))
                    break
        return out


def _has_import(value: V.Value) -> bool:
    return any(r.startswith("import:") for r in V.roots(value))


def _single_root(value: V.Value) -> Optional[str]:
    if len(value.segs) == 1 and isinstance(value.segs[0], V.Var) and len(value.segs[0].roots) == 1:
        return next(iter(value.segs[0].roots))
    return None


def _bind(function: FunctionInfo, call: CallInfo, skip_first: bool) -> Dict[str, ArgInfo]:
    """Parameter name -> the argument given for it (positional, then keywords); missing ones left out."""
    params = function.params[1:] if skip_first else function.params
    positional = function.positional - (1 if skip_first else 0)
    mapping: Dict[str, ArgInfo] = {}
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword in params:
                mapping[arg.keyword] = arg
            continue
        if index < positional:
            mapping[params[index]] = arg
        index += 1
    return mapping


def _substitute(value: V.Value, mapping: Dict[str, ArgInfo], callee: str) -> V.Value:
    """A callee's value with its parameters replaced by the call's arguments.

    A parameter given no argument becomes an opaque part of the callee's own (never the
    caller's parameter of the same name), so its default is not read here.
    """
    segs: list = []
    is_path = value.is_path
    for seg in value.segs:
        if isinstance(seg, V.Var) and any(r.startswith("param:") for r in seg.roots):
            if len(seg.roots) == 1:
                (root,) = seg.roots
                name = root[len("param:"):]
                head, dot, attr = name.partition(".")
                arg = mapping.get(name)
                if arg is not None:
                    segs.extend(arg.value.segs)
                    is_path = is_path or arg.value.is_path
                    continue
                arg = mapping.get(head) if dot else None
                if arg is not None and arg.value.segs and all(isinstance(s, V.Var) for s in arg.value.segs):
                    segs.extend(V.attribute_of(s, attr) for s in arg.value.segs)
                    continue
            segs.append(V.Var(frozenset(f"{callee}|{r}" if r.startswith("param:") else r for r in seg.roots)))
        else:
            segs.append(seg)
    return V.Value(tuple(segs), is_path)


def _temp_argument(src: V.Value, mapping: Dict[str, ArgInfo]) -> Optional[ArgInfo]:
    for seg in V.basename(src):
        if isinstance(seg, V.Var):
            for root in sorted(seg.roots):
                if root.startswith("param:"):
                    arg = mapping.get(root[len("param:"):])
                    if arg is not None:
                        return arg
    return None
