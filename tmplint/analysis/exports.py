"""What one file tells the project index, built in the worker from the file's one LibCST parse.

The :class:`Recorder` rides along the checker and notes calls and renames; :func:`build_file_result`
turns them, with the module's summaries, constants and imports, into the plain, picklable
:class:`~tmplint.analysis.index.FileResult` that the cache keeps and the main process indexes. No
CST node leaves this module: literal nodes become positions.
"""

import ast
import os
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Set, Tuple

import libcst as cst

from tmplint import noqa as noqa_mod
from tmplint.analysis import values as V
from tmplint.analysis.guards import Guard
from tmplint.analysis.index import (
    ArgInfo, CallInfo, FactInfo, FileResult, FunctionInfo, ModuleInfo, PendingFact, Pos, absolute_module,
)
from tmplint.analysis.scopes import ASSIGN, CLASS, IMPORT, Scope, dotted_name
from tmplint.rules.renames import temp_kind

_STRINGISH = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation, cst.Name,
              cst.Attribute, cst.Call)


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
        return absolute_module(name, self.info.package)

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
        imported = first.imported
        if imported is not None and all(b.kind == IMPORT and b.extra == imported for b in bindings):
            base = self.absolute(imported)
        elif len(bindings) == 1 and first.kind == ASSIGN and first.value is not None and dotted_name(first.value):
            through = self.imported_qualname(first.value, owner, depth + 1)
            if through is None:
                return None
            base = through
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
        if fact.inner is not None and fact.inner.reported or fact.guards:
            return
        if not any(r.startswith("import:") for r in V.roots(fact.src)):
            return
        if temp_kind(fact.src, fact.dst, fact.written) is not None:
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
    """``top`` is a package or module next to ``root`` or a folder or two above, or in a ``src``
    folder there (the src layout: ``tests/test_x.py`` importing ``src/pkg``)."""
    folder = root
    for _ in range(3):
        for base in (folder, os.path.join(folder, "src")):
            if os.path.isdir(os.path.join(base, top)) or os.path.isfile(os.path.join(base, top + ".py")):
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
                 planner=None, tree: Optional[ast.Module] = None, parsed: Optional[str] = None):
        self.module = module
        self.planner = planner
        self.text = text
        self.tree = tree
        self.parsed = parsed  # the reduced text the module was parsed from; None: ``text``
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
        found = [seg.cst_node for seg in V.basename(value)
                 if isinstance(seg, V.Lit) and seg.cst_node is not None and seg.scope == scope.id]
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
        # A reduced module lacks the blanked functions (and their decorators' and defaults' strings): the
        # anchors match its nodes to the standard parser's reading of the reduced text, which has the
        # same statements on the same lines, or they would give up on every scope that held one.
        code, tree = (self.text, self.tree) if self.parsed is None else (self.parsed, None)
        anchors = Anchors(self.module, code, self.checker.tables.scopes, tree)
        where: Dict[cst.CSTNode, Optional[Pos]] = {}
        if anchors.ok:
            parts = string_parts_in_context(self.checker.tables.strings) if self.literals else {}
            for scope, calls in self.calls.items():
                for call, ast_call in anchors.calls(scope, calls).items():
                    args = anchors.arguments(call, ast_call)
                    if args is None:
                        continue
                    found = [anchors.checked(arg.value, other) for arg, other in zip(call.args, args)]
                    if any(pos is None for pos in found):
                        continue  # not the call we think it is
                    where[call] = anchors.position(ast_call)
                    for arg, pos in zip(call.args, found):
                        where[arg.value] = pos
            rest = [node for node in self.literals if where.get(node) is None]
            if rest:
                strings = [node for node, _ in self.checker.tables.strings if node not in parts]
                wholes = {whole for whole in (parts.get(node) for node in rest) if whole is not None}
                matched = anchors.literals(strings, [n for n in rest if n not in parts] + list(wholes))
                for node, other in matched.items():
                    if isinstance(node, cst.ConcatenatedString) and node in wholes:
                        where.update(anchors.concatenated(other, flat_parts(node)))
                    else:
                        where[node] = anchors.position(other)
            by_function: Dict[Scope, Dict[str, cst.CSTNode]] = {}
            for default, name in self.defaults.items():
                function = self.nodes[default]
                if function is not None:  # (a default is always wanted with its function)
                    by_function.setdefault(function, {})[name] = default
            for function, wanted in by_function.items():
                theirs = anchors.defaults(function)
                for name, default in wanted.items():
                    if name in theirs:
                        where[default] = anchors.checked(default, theirs[name])
        located = {node: pos for node, pos in where.items() if pos is not None}
        rest = [node for node in self.nodes if node not in located]
        if rest:
            tree = anchors.tree if anchors.ok else None
            located.update(positions_in_statements(self.module, rest, code, self._statements(rest), tree))
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
        params = {name for name, _ in owner.params} if owner is not None and prefix else set()
        segs: List[V.Segment] = []
        for seg in value.segs:
            if isinstance(seg, V.Lit):
                node = seg.cst_node
                pos = self.where.get(node) if positions and node is not None else None
                segs.append(V.Lit(seg.text, pos, seg.scope if positions else -1))
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
        owners: Dict[int, Scope] = {}
        for call, (scope, _names, _target, _via, _skip, evaluated, _locked, _label) in rec.calls.items():
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
            fact_infos = tuple(
                FactInfo(self.portable(f.src, scope, False), self.portable(f.dst, scope, False),
                         f.written, f.locked, f.reported, f.inner is None, self.rename_at(f.rename),
                         self.fix_of(helper_fixes.get(id(f))),
                         tuple(Guard(g.test, self.portable(g.subject, scope, False),
                                     self.portable(g.operand, scope, False), g.holds) for g in f.guards))
                for f in kept_facts.get(sid, ()))
            functions[sid] = FunctionInfo(
                sid, name, tuple(p for p, _ in scope.params), scope.positional_count, _kind(scope), fact_infos,
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
            imported = binding.imported
            if prefix == "" and imported is not None and all(
                    b.kind == IMPORT and b.extra == imported for b in bindings):
                node = _import_alias(self.module, name) if self.checker.is_rename_callable(cst.Name(name), scope) \
                    else None
                if node is not None:  # from os import replace: a rename to the files importing it, as
                    renames.append((name, node))  # ``replace = os.replace`` is (the index resolves no os)
                    self.want(node, scope)
                    continue
                result.aliases[name] = self.rec.absolute(imported)
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
                      planner=None, tree: Optional[ast.Module] = None,
                      groups: Optional[noqa_mod.LineGroups] = None, parsed: Optional[str] = None) -> FileResult:
    """Fill ``result`` (which holds the file's own diagnostics) with its exports and pending checks;
    with ``planner`` (a ``fix.planner.Planner`` on this tree), also with the fixes they may need.
    ``tree`` (``ast.parse(text)``) and ``groups`` (``noqa.LineGroups``): readings the caller has;
    ``parsed``: the reduced text ``module`` was parsed from, when it was (``tmplint.reduce``)."""
    recorder: Recorder = checker.recorder
    result = _Builder(module, checker, recorder, path, text, planner, tree, parsed).build(result)
    lines = text.splitlines(True)
    wanted: Set[int] = set()
    for call in result.calls:
        for arg in call.args:
            if arg.pos:
                wanted.add(arg.pos[0])
            for seg in arg.value.segs:
                if isinstance(seg, V.Lit) and seg.pos:
                    wanted.add(seg.pos[0])
    for fact in result.facts:
        wanted.add(fact.pos[0])
        for seg in fact.src.segs:
            if isinstance(seg, V.Lit) and seg.pos:
                wanted.add(seg.pos[0])
    for function in result.functions.values():
        wanted.update(pos[0] for _, _, pos in function.defaults)
    if wanted and any("noqa" in line.lower() for line in lines):
        mapping = noqa_mod.noqa_line_mapping(text, lines, groups)
        for line in wanted:
            physical = mapping.get(line, lines[line - 1] if line <= len(lines) else "")
            if "noqa" in physical.lower():
                result.noqa[line] = physical
    return result


def _import_alias(module: cst.Module, name: str) -> Optional[cst.ImportAlias]:
    """The alias of a module-level import statement that binds ``name`` (the first), else None."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(bound, cst.Name) and bound.value == name:
                        return alias
    return None
