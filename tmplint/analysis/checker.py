"""Renames, writes, helper summaries and locks, scope by scope, turned into TMP1xx findings."""

from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Set, Tuple, Union

import libcst as cst

from tmplint.analysis import Finding
from tmplint.analysis import knowledge as K
from tmplint.analysis import values as V
from tmplint.analysis.evaluate import Evaluator, substitute
from tmplint.analysis.guards import Guard, callers_decide, decide, reading
from tmplint.analysis.scopes import ASSIGN, PARAM, UNPACK, CallSite, Scope, collect, dotted_name
from tmplint.analysis.tmpdirs import mktemp_calls, shared_tmp_literals
from tmplint.config.model import AnalysisOptions
from tmplint.facts import DEFAULT, HELPER, RENAME, MktempCall, SharedTmpLiteral, TempNameKeyword, TempRename
from tmplint.rules import decide as rule_decides
from tmplint.rules.renames import temp_kind

if TYPE_CHECKING:
    from tmplint.analysis.exports import Recorder

MAX_HELPER_DEPTH = 6


class Fact(NamedTuple):
    """A rename into place that a scope performs, directly or through a helper it calls."""

    src: V.Value
    dst: V.Value
    src_node: cst.CSTNode  # the src expression as written in this scope
    dst_node: cst.CSTNode
    written: bool
    locked: bool
    call: cst.Call  # the call in this scope: the rename itself, or the helper call
    rename: cst.Call  # the innermost rename, for messages
    label: str  # "os.replace", or the helper's name
    reported: bool  # already reported where it is defined (so callers stay silent)
    helper: Optional[Scope] = None
    inner: Optional["Fact"] = None
    mapping: Optional[Dict[str, Tuple[V.Value, Optional[cst.Arg]]]] = None
    guards: Tuple[Guard, ...] = ()  # tests of the scope's parameters the rename runs under


class Summary(NamedTuple):
    facts: List[Fact]
    writes: Set[str]  # parameter names the function writes
    rename_params: Optional[Tuple[str, str]]  # the function is itself a rename of src param onto dst param


class ScopeChecker:
    def __init__(self, module: cst.Module, options: AnalysisOptions):
        self.tables = collect(module)
        self.ev = Evaluator(module, self.tables, options)
        self.options = options
        self._summaries: Dict[int, Summary] = {}
        self._in_progress: Set[int] = set()
        self.findings: Dict[Tuple[str, cst.CSTNode], Finding] = {}
        # findings of the unknown-helper keyword heuristic -> (the call, its scope)
        self.heuristic: Dict[Tuple[str, cst.CSTNode], Tuple[cst.Call, Scope]] = {}
        self.recorder: "Optional[Recorder]" = None  # an index.Recorder when the project index is built

    # --- call shapes ---------------------------------------------------------------------
    def qualname(self, func: cst.CSTNode, scope: Scope) -> str:
        return self.ev.qualname(func, scope) or ""

    @staticmethod
    def _arg(call: cst.Call, index: int, keyword: str) -> Optional[cst.BaseExpression]:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in positional[:index + 1]):
            return None
        return positional[index].value if index < len(positional) else None

    def is_rename_callable(self, func: cst.CSTNode, scope: Scope, depth: int = 0) -> bool:
        """``os.replace`` and its aliases: ``r = os.replace``, ``retry(...)(os.replace)``, ``staticmethod(...)``."""
        if depth > 4:
            return False
        if self.rename_parameters(func, scope) is not None:
            return True
        binding_value, owner = self._single_assignment(func, scope)
        if binding_value is None:
            # a rename chosen per platform: `rename = os.rename` in one branch, a def in the other
            found = self.ev.lookup(func.value, scope) if isinstance(func, cst.Name) else None
            return found is not None and len(found[1]) > 1 and any(
                b.kind == ASSIGN and b.value is not None and dotted_name(b.value)
                and self.is_rename_callable(b.value, found[0], depth + 1) for b in found[1])
        if dotted_name(binding_value):
            return self.is_rename_callable(binding_value, owner, depth + 1)
        call = binding_value
        while isinstance(call, cst.Call):
            if any(self.is_rename_callable(a.value, owner, depth + 1) for a in call.args if a.keyword is None):
                return True
            call = call.func
        return False

    def _single_assignment(self, func: cst.CSTNode, scope: Scope):
        if isinstance(func, cst.Name):
            found = self.ev.lookup(func.value, scope)
            if found and len(found[1]) == 1 and found[1][0].kind == ASSIGN:
                return found[1][0].value, found[0]
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            cls = self.ev.class_for_receiver(func.value.value, scope)
            if cls is not None:
                bindings = cls.bindings.get(func.attr.value, [])
                if len(bindings) == 1 and bindings[0].kind == ASSIGN:
                    return bindings[0].value, cls
        return None, None

    def rename_parameters(self, func: cst.CSTNode, scope: Scope) -> Optional[Tuple[str, str]]:
        """The (src, dst) parameter names of a known rename function (rules.md's catalogue and the
        configured ``rename-functions``), else None."""
        qualified = self.qualname(func, scope)
        if qualified in K.RENAMES:
            return ("src", "dst")
        return self.options.rename_function_map.get(qualified or "")

    def rename_args(self, call: cst.Call, scope: Scope):
        """(src, dst, label) when the call renames into place, else None."""
        func = call.func
        if self.is_rename_callable(func, scope):
            names = self.rename_parameters(func, scope) or ("src", "dst")
            src, dst = self._arg(call, 0, names[0]), self._arg(call, 1, names[1])
            if src is not None and dst is not None:
                return src, dst, dotted_name(func) or "os.replace"
            return None
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        one_arg = len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star
        if one_arg and method in ("replace", "rename", K.MOVE_TO):
            if self.ev.eval(func.value, scope).is_path:
                return func.value, call.args[0].value, f"{'FilePath' if method == K.MOVE_TO else 'Path'}.{method}"
        if method in K.FSSPEC_MOVES and self._is_filesystem(func.value, scope):
            src, dst = self._arg(call, 0, "path1"), self._arg(call, 1, "path2")
            if src is not None and dst is not None:
                return src, dst, f"fs.{method}"
        return None

    def _is_filesystem(self, expr: cst.CSTNode, scope: Scope) -> bool:
        """An fsspec filesystem: made by ``fsspec.filesystem(...)``/``url_to_fs``, or annotated as one."""
        if isinstance(expr, cst.Call):
            return self.qualname(expr.func, scope) in K.FSSPEC_MAKERS
        if not isinstance(expr, cst.Name):
            return False
        found = self.ev.lookup(expr.value, scope)
        if not found:
            return False
        owner, bindings = found
        for binding in bindings:
            value = binding.value
            if binding.kind == ASSIGN and isinstance(value, cst.Call) and not binding.position:
                if self.qualname(value.func, owner) in K.FSSPEC_MAKERS:
                    return True
            elif binding.kind == UNPACK and binding.position[:1] == (0,) and isinstance(value, cst.Call):
                if self.qualname(value.func, owner) in K.FSSPEC_MAKERS:
                    return True  # fs, path = url_to_fs(url)
            elif binding.kind == PARAM and binding.param is not None and binding.param.annotation is not None:
                annotation = self.qualname(binding.param.annotation.annotation, owner) or ""
                if annotation in K.FSSPEC_TYPES or annotation.endswith("AbstractFileSystem"):
                    return True
        return False

    def written_exprs(self, site: CallSite, scope: Scope) -> List[cst.CSTNode]:
        """The paths a call writes (rules.md "written")."""
        call = site.node
        func = call.func
        qualified = self.qualname(func, scope)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if qualified in K.OPENERS:
            mode = self._arg(call, 1, "mode")
            file = self._arg(call, 0, "file")  # (there when there is a positional argument)
            if positional and file is not None and isinstance(mode, cst.SimpleString) \
                    and K.write_mode(str(V.string_value(mode))):
                return [file]
            return []
        if qualified == "os.open":
            flags = self._arg(call, 1, "flags")
            if positional and flags is not None and any(
                    f in self.ev.text(flags) for f in ("O_CREAT", "O_WRONLY", "O_RDWR")):
                return [positional[0]]
            return []
        if qualified in K.COPIES:
            dst = self._arg(call, 1, "dst")
            return [dst] if dst is not None else []
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in K.PATH_WRITERS:
                return [func.value]
            if method == "open":
                mode = self._arg(call, 0, "mode")
                if isinstance(mode, cst.SimpleString) and K.write_mode(str(V.string_value(mode))):
                    return [func.value]
                return []
        target = self.ev.resolve_function(func, scope)
        if target is not None:
            function, skip_first, pre = target
            summary = self.summary(function)
            if summary.writes:
                mapping = self.ev.bind_arguments(function, call, scope, skip_first, pre)
                return [arg.value for root, (_, arg) in mapping.items()
                        if arg is not None and root.split(":", 1)[1] in summary.writes]
            return []
        name = (dotted_name(func) or "").rsplit(".", 1)[-1]
        if name and K.WRITING_WORDS.search(name):
            return [a.value for a in call.args if not a.star]
        return []

    def keys(self, expr: cst.CSTNode, scope: Scope) -> Set[str]:
        """Spellings under which a path may have been written: its text, and a name's one value."""
        keys = {self.ev.text(expr)}
        if isinstance(expr, cst.Name):
            found = self.ev.lookup(expr.value, scope)
            value = found[1][0].value if found and len(found[1]) == 1 and found[1][0].kind == ASSIGN else None
            if value is not None:
                keys.add(self.ev.text(value))
        return keys

    def is_locked(self, site: CallSite, scope: Scope) -> bool:
        return any(self._lock_qualifies(lock, scope) for lock in site.locks)

    def _lock_qualifies(self, lock: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(lock, cst.Call):
            qualified = self.qualname(lock.func, scope)
            if qualified in K.LOCK_CALLS or qualified.startswith(K.LOCK_MODULES):
                return True
            if qualified.startswith(K.NON_LOCK_MODULES):
                return False
            if isinstance(lock.func, cst.Attribute) and lock.func.attr.value == "acquire":
                return self._lock_qualifies(lock.func.value, scope) or not self._is_thread_lock(lock.func.value, scope)
            name = (dotted_name(lock.func) or "").rsplit(".", 1)[-1]
            return bool(K.LOCK_NAME_STRICT.search(name)) and name not in ("flock", "lockf")
        name = (dotted_name(lock) or "").rsplit(".", 1)[-1]
        if not name or not K.LOCK_NAME_STRICT.search(name):
            return False
        return not self._is_thread_lock(lock, scope)

    def _is_thread_lock(self, expr: cst.CSTNode, scope: Scope) -> bool:
        value = None
        if isinstance(expr, cst.Name):
            value, owner = self._single_assignment(expr, scope)
        elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            cls = self.ev.class_for_receiver(expr.value.value, scope)
            bindings = (cls.self_attrs.get(expr.attr.value, []) + cls.bindings.get(expr.attr.value, [])) if cls else []
            if len(bindings) == 1 and bindings[0].kind == ASSIGN:
                value, owner = bindings[0].value, bindings[0].scope
        if isinstance(value, cst.Call):
            return self.qualname(value.func, owner).startswith(K.NON_LOCK_MODULES)
        return False

    # --- facts and summaries -------------------------------------------------------------
    def summary(self, function: Scope) -> Summary:
        cached = self._summaries.get(function.id)
        if cached is not None:
            return cached
        if function.id in self._in_progress or len(self._in_progress) >= MAX_HELPER_DEPTH:
            return Summary([], set(), None)  # recursion or a deep chain: nothing known
        self._in_progress.add(function.id)
        try:
            facts, written = self.scope_facts(function)
        finally:
            self._in_progress.discard(function.id)
        params = {f"{function.id}:{name}": name for name, _ in function.params}
        writes = {name for root, name in params.items() if name in written}
        rename_params = None
        for fact in facts:
            src_root = _single_root(fact.src)
            dst_root = _single_root(fact.dst)
            if fact.inner is None and not fact.written and not fact.guards and src_root in params \
                    and dst_root in params:
                rename_params = (params[src_root], params[dst_root])
        summary = Summary(facts, writes, rename_params)
        self._summaries[function.id] = summary
        return summary

    def scope_facts(self, scope: Scope) -> Tuple[List[Fact], Set[str]]:
        """Every rename into place in the scope, and the texts of every path it writes."""
        writes: List[Tuple[Set[str], int, bool]] = []
        facts: List[Fact] = []
        for site in scope.calls:
            with self.ev.at(scope, site.where):
                self._site_facts(site, scope, writes, facts)
        return facts, set().union(*(k for k, _, _ in writes)) if writes else set()

    def _site_facts(self, site: CallSite, scope: Scope, writes, facts: List[Fact]) -> None:
        """The renames one call performs, directly or through a helper, and what it writes."""
        call = site.node
        locked = self.is_locked(site, scope)
        for expr in self.written_exprs(site, scope):
            if expr is not None:
                writes.append((self.keys(expr, scope), site.order, locked))
        renamed = self.rename_args(call, scope)
        if renamed is None:
            renamed = self._wrapper_rename(call, scope)
        if renamed is not None:
            src_expr, dst_expr, label = renamed
            facts.append(self._direct_fact(src_expr, dst_expr, label, site, scope, writes))
            return
        target = self.ev.resolve_function(call.func, scope)
        if target is not None:
            facts.extend(self._helper_facts(target, site, scope, writes))
        else:
            target = self.ev._partial(call, scope)  # functools.partial(helper, ...): its summary decides
            if target is not None:
                facts.extend(self._helper_facts(target, site, scope, writes, own_args=False))
            else:
                self._check_unknown_helper(site, scope)
        if self.recorder is not None:
            self.recorder.on_call(site, scope, target, writes)

    def _wrapper_rename(self, call: cst.Call, scope: Scope):
        target = self.ev.resolve_function(call.func, scope)
        if target is None:
            return None
        function, skip_first, pre = target
        rename_params = self.summary(function).rename_params
        if rename_params is None or pre:
            return None
        mapping = self.ev.bind_arguments(function, call, scope, skip_first)
        src = mapping.get(f"{function.id}:{rename_params[0]}")
        dst = mapping.get(f"{function.id}:{rename_params[1]}")
        src_arg, dst_arg = src[1] if src else None, dst[1] if dst else None
        if src_arg is None or dst_arg is None:
            return None
        return src_arg.value, dst_arg.value, function.name

    def _was_written(self, expr: cst.CSTNode, scope: Scope, writes, before: int) -> Tuple[bool, bool]:
        """(written before `before`, every such write under a lock)."""
        keys = self.keys(expr, scope)
        hits = [locked for k, order, locked in writes if order < before and k & keys]
        return bool(hits), all(hits)

    def _direct_fact(self, src_expr, dst_expr, label, site: CallSite, scope: Scope, writes) -> Fact:
        dst = self.ev.eval(dst_expr, scope)
        written, write_locked = self._was_written(src_expr, scope, writes, site.order)
        locked = self.is_locked(site, scope) and write_locked

        def reportable(value: V.Value) -> bool:  # never the destination itself (write in place)
            return temp_kind(value, dst, written) is not None and V.shape(value) != V.shape(dst)

        candidates = self.ev.alternatives(src_expr, scope)
        src = next((value for value in candidates if reportable(value)), candidates[0])
        reported = reportable(src)
        return Fact(src, dst, src_expr, dst_expr, written, locked, site.node, site.node, label, reported,
                    guards=self._guards(site, scope))

    def _guards(self, site: CallSite, scope: Scope) -> Tuple[Guard, ...]:
        """The ``if`` tests of the scope's parameters that a call runs under."""
        found = [guard for guard in (self._guard(test, holds, scope) for test, holds in site.guards) if guard]
        return reading(found, _parameter_roots(scope).__contains__)

    def _guard(self, test: cst.BaseExpression, holds: bool, scope: Scope) -> Optional[Guard]:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._guard(test.expression, not holds, scope)
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and len(test.args) == 1 \
                and test.func.attr.value in ("endswith", "startswith") and not test.args[0].keyword \
                and not isinstance(test.args[0].value, cst.Tuple):
            return Guard(test.func.attr.value, self.ev.eval(test.func.value, scope),
                         self.ev.eval(test.args[0].value, scope), holds)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            operator = test.comparisons[0].operator
            name = {cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in"}.get(type(operator))
            if name is not None:
                return Guard(name, self.ev.eval(test.left, scope),
                             self.ev.eval(test.comparisons[0].comparator, scope), holds)
        return None

    def _helper_facts(self, target, site: CallSite, scope: Scope, writes, own_args: bool = True) -> List[Fact]:
        function, skip_first, pre = target
        summary = self.summary(function)
        if not summary.facts:
            return []
        call = site.node if own_args else site.node.with_changes(args=())  # a partial binds only its own args
        mapping = self.ev.bind_arguments(function, call, scope, skip_first, pre)
        call_locked = self.is_locked(site, scope)
        out = []
        own_parameter = _parameter_roots(scope).__contains__
        for inner in summary.facts:
            holds, undecided = decide(inner.guards, lambda value: substitute(value, mapping, function))
            if not holds or not callers_decide(undecided, own_parameter):
                continue  # renames nothing for these arguments, or cannot be told: silent
            src = substitute(inner.src, mapping, function)
            dst = substitute(inner.dst, mapping, function)
            written = inner.written
            root = _single_root(inner.src)
            arg = mapping.get(root) if root else None
            if not written and arg is not None and arg[1] is not None:
                written = self._was_written(arg[1].value, scope, writes, site.order)[0]
            reported = inner.reported or temp_kind(src, dst, written) is not None
            out.append(Fact(src, dst, site.node, site.node, written, inner.locked or call_locked, site.node, inner.rename,
                            function.name, reported, function, inner, mapping, undecided))
        return out

    # --- findings ------------------------------------------------------------------------
    def report(self, code: str, message: str, node: cst.CSTNode, ref: Optional[cst.CSTNode] = None,
               scope: Optional[Scope] = None, fact: Optional[Fact] = None) -> None:
        key = (code, node)
        if key not in self.findings:
            self.findings[key] = Finding(code, message, node, ref=ref, scope=scope, fact=fact)

    def check_scope(self, scope: Scope) -> None:
        facts = self.summary(scope).facts if scope.kind == "function" else self.scope_facts(scope)[0]
        for fact in facts:
            if fact.inner is None:
                self._check_direct(fact, scope)
            else:
                self._check_helper_call(fact, scope)
            if self.recorder is not None:
                self.recorder.on_fact(fact, scope)
        if scope.kind == "function":
            self._check_defaults(scope, facts)

    def decide(self, fact, node: cst.CSTNode, ref: Optional[cst.CSTNode] = None, scope: Optional[Scope] = None,
               origin: Optional[Fact] = None) -> bool:
        """Hand a fact to the rules (tmplint/rules) and report what they decide at ``node``."""
        decided = rule_decides(fact)
        if decided is not None:
            self.report(*decided, node, ref=ref, scope=scope, fact=origin)
        return decided is not None

    def _check_direct(self, fact: Fact, scope: Scope) -> None:
        where = self._anchor(fact, scope)
        rename = TempRename(fact.src, fact.dst, fact.written, fact.locked, RENAME, fact.label,
                            dst_text=self.ev.text(fact.dst_node))
        self.decide(rename, where, scope=scope, origin=fact)

    def _anchor(self, fact: Fact, scope: Scope) -> cst.CSTNode:
        """Where a rename's finding sits: the first literal of its temp basename written in this scope,
        unless another rename's finding already sits there (``tmp + ".heap"`` after ``tmp`` itself
        was renamed): then its own next literal, else its temp path as written."""
        taken = {node for (_, node), found in self.findings.items()
                 if found.fact is not None and found.fact.rename is not fact.rename}
        literals = [seg.cst_node for seg in V.basename(fact.src)
                    if isinstance(seg, V.Lit) and seg.scope == scope.id and seg.cst_node is not None]
        free = [node for node in literals if node not in taken]
        if free:
            return free[0]
        return fact.src_node

    def _check_helper_call(self, fact: Fact, scope: Scope) -> None:
        if fact.inner is None or fact.inner.reported or fact.guards:
            return  # (with guards left, whether it renames at all is for this scope's callers)
        arg = self._temp_argument(fact)
        if arg is None:
            return
        rename = TempRename(fact.src, fact.dst, fact.written, fact.locked, HELPER, fact.label, where="{ref}")
        self.decide(rename, arg.value, ref=fact.rename, scope=scope, origin=fact)

    @staticmethod
    def _temp_argument(fact: Fact) -> Optional[cst.Arg]:
        """The argument that becomes the temp name's basename in the helper."""
        if fact.inner is None or fact.mapping is None:
            return None  # a direct rename
        for seg in V.basename(fact.inner.src):
            if isinstance(seg, V.Var):
                for root in sorted(seg.roots):
                    found = fact.mapping.get(root)
                    if found is not None and found[1] is not None:
                        return found[1]
        return None

    def _check_unknown_helper(self, site: CallSite, scope: Scope) -> None:
        """TMP101 for a helper with no summary: a constant for a temp-name keyword or a save-helpers entry."""
        call = site.node
        configured = None
        qualified = self.qualname(call.func, scope)
        if qualified:
            for helper, parameter in self.options.save_helpers:
                if qualified == helper or helper.endswith("." + qualified) or qualified.endswith("." + helper):
                    configured = parameter
        label = dotted_name(call.func) or "the helper"
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None or not (keyword == configured or K.TMP_KEYWORD.match(keyword)):
                continue
            known = ("TMP101", arg.value) in self.findings
            if self.decide(TempNameKeyword(self.ev.eval(arg.value, scope), keyword, label), arg.value,
                           scope=scope) and not known:
                self.heuristic[("TMP101", arg.value)] = (call, scope)

    def _check_defaults(self, function: Scope, facts: List[Fact]) -> None:
        """TMP104: a temp-name parameter whose constant default is renamed into place unchanged."""
        defaults = {f"{function.id}:{name}": param for name, param in function.params if param.default is not None}
        if not defaults:
            return
        for fact in facts:
            if fact.reported:
                continue
            for seg in V.basename(fact.src):
                if not isinstance(seg, V.Var) or len(seg.roots) != 1:
                    continue
                (root,) = seg.roots
                param = defaults.get(root)
                if param is None or param.default is None:
                    continue
                default = self.ev.eval(param.default, function.parent or function)
                if not V.is_constant(default):
                    continue
                src = substitute(fact.src, {root: (default, None)}, function)
                rename = TempRename(src, fact.dst, fact.written, fact.locked, DEFAULT, fact.label, where="{ref}",
                                    parameter=param.name.value)
                self.decide(rename, param.default, ref=fact.rename, scope=function, origin=fact)

    def run(self) -> List[Finding]:
        for scope in self.tables.scopes:
            if scope.kind != "class":
                self.check_scope(scope)
        facts: List[Union[MktempCall, SharedTmpLiteral]] = [
            *mktemp_calls(self.tables, self.ev),
            *shared_tmp_literals(self.ev.module, self.tables, self.ev, self.options.tmp_dirs)]
        for fact in facts:
            self.decide(fact, fact.node)
        return list(self.findings.values())


def _parameter_roots(scope: Scope) -> Set[str]:
    """How a scope's parameters appear as roots of its values (``"3:path"``)."""
    return {f"{scope.id}:{name}" for name, _ in scope.params}


def _single_root(value: V.Value) -> Optional[str]:
    if len(value.segs) == 1 and isinstance(value.segs[0], V.Var) and len(value.segs[0].roots) == 1:
        return next(iter(value.segs[0].roots))
    return None
