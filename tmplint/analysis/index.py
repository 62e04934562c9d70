"""The project index: what one file tells the others, and the resolution of calls across files.

A worker parses each file once and turns what its analysis found into a plain, picklable
:class:`FileResult` (``exports``): its own diagnostics, its *exports* (a summary of every module-level
function and method, module and class constants, import aliases, class bases) and its *pending
checks* (calls to functions of other modules, with their arguments as values, and renames whose
temp path reads an imported name). Values are the segment model of ``values``; a ``Var`` root is
``param:NAME`` for a parameter of the function it belongs to, ``import:pkg.mod.NAME`` for an
imported name, and ``module|...`` for anything else (opaque, and distinct between modules). No
CST node crosses a process: literal nodes become positions.

Nothing here imports LibCST, so a run whose files all come from the cache never loads it.
The main process puts the results into an :class:`Index`, which composes summaries across files
(bounded, recursion-safe), resolves the pending checks and produces the diagnostics at the call
sites. Resolution runs every time and is cheap; only the per-file results are worth caching.
"""

import dataclasses
from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

from tmplint import noqa as noqa_mod
from tmplint.analysis import values as V
from tmplint.analysis.guards import Guard, callers_decide, decide
from tmplint.diagnostics import Diagnostic, FixAt
from tmplint.facts import DEFAULT, HELPER, RENAME, TempRename
from tmplint.layout import ModuleInfo
from tmplint.reduce import Sketch
from tmplint.rules import decide as rule_decides
from tmplint.rules.renames import temp_kind

Pos = Tuple[int, int, int, int]  # line (1-based), col (0-based), end line, end col

MAX_COMPOSE_DEPTH = 6  # helper chains across files, like the in-file summaries
MAX_ALIAS_DEPTH = 8


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
    guards: Tuple[Guard, ...] = ()  # tests of the parameters the rename runs under (guards.py)


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
    sketch: Optional[Sketch] = None  # what the standard parser saw (tmplint.reduce): its helpers
    reduced: Optional[Tuple[str, ...]] = None  # parsed reduced, knowing these names of other files
    # A sketched file's first reading, for its reduced parse later in the run (``reduce.Plan``): pickled,
    # so never cached (``plain`` skips it: the cache holds plain data only), and dropped once used.
    plan: Optional[bytes] = dataclasses.field(default=None, compare=False, repr=False, metadata={"cached": False})


def class_family(results: Iterable[FileResult], owners: Dict[Tuple[str, str], Set[str]]
                 ) -> Dict[Tuple[str, str], Set[str]]:
    """``owners`` (a class's last name, the top-level package of its module: the names of its helper
    methods) and the classes that may inherit from one of them, matched by last name (a superset),
    through every class the parsed and sketched files define and every import that gives one of them
    another name (``from .io import Saver as Store``), each with its own package and the helper
    methods it inherits. A subclass in a file not read yet names its base: stage two admits that
    file, and its class counts from the next round."""
    below: Dict[str, Set[Tuple[str, str]]] = {}  # a last name -> its subclasses and renamings, with their package
    for result in results:
        pairs: List[Tuple[str, str]] = []
        if result.status == "parsed":
            pairs += [(base, cls) for cls, bases in result.classes.items() for base in bases]
            pairs += [(target, local) for local, target in result.aliases.items()]
        if result.sketch is not None:
            pairs += [(base, cls) for cls, bases in result.sketch.classes for base in bases]
            pairs += [(target, alias) for alias, target in result.sketch.aliases]
        top = result.module.name.split(".")[0]
        for upper, lower in pairs:
            upper, lower = upper.rpartition(".")[2], lower.rpartition(".")[2]
            if upper != lower:
                below.setdefault(upper, set()).add((lower, top))
    family: Dict[Tuple[str, str], Set[str]] = {}
    passed: Dict[str, Set[str]] = {}  # a last name -> the methods handed on to its subclasses so far
    todo = [(one, set(methods)) for one, methods in owners.items()]
    while todo:
        one, methods = todo.pop()
        family.setdefault(one, set()).update(methods)
        handed = passed.setdefault(one[0], set())
        new = methods - handed
        if new:
            handed |= new
            todo.extend((lower, new) for lower in below.get(one[0], ()))
    return family


def _method_words(methods: Set[str]) -> Tuple[str, ...]:
    """The words beside a class's name that a call of one of its helper ``methods`` needs: none when
    one is special (``__init__`` by ``Saver(...)``, ``__call__``, ``__enter__`` by ``with``)."""
    if not methods or any(m.startswith("__") and m.endswith("__") for m in methods):
        return ()
    return tuple(sorted(methods))


class _Fix(NamedTuple):
    """A finding's fix, where the index knows it: its title, applicability and place."""

    title: str
    applicability: str
    at: FixAt


def absolute_module(name: str, package: str) -> str:
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
    guards: Tuple[Guard, ...] = ()  # still undecided: the rename may not run, callers decide


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
                reported = temp_kind(src, dst, fact.written) is not None
            out.append(Composed(fact.src, fact.dst, fact.written, fact.locked, reported, reported, fact.direct,
                                fact.rename_at, None, None, "", fact.guards))
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
            if fact.direct and not fact.written and not fact.guards and src and dst and src.startswith("param:") \
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
                    reported = temp_kind(src, dst, written) is not None
                    out.append(Composed(src_arg.value, dst_arg.value, written, call.locked and src_arg.write_locked,
                                        reported, False, True, at, None, src_arg, dst_arg.text))
            else:
                inner_facts = self.external_facts(callee_path, function.scope) if internal else \
                    self.all_facts(callee_path, function)
                prefix = call.label
                for inner in inner_facts:
                    holds, undecided = decide(inner.guards, lambda value: _substitute(value, mapping, prefix))
                    if not holds or not callers_decide(undecided, lambda root: root.startswith("param:")):
                        continue  # renames nothing for these arguments, or cannot be told: silent
                    src = _substitute(inner.src, mapping, prefix)
                    dst = _substitute(inner.dst, mapping, prefix)
                    written = inner.written
                    root_name = _single_root(inner.src)
                    temp_arg = _temp_argument(inner.src, mapping)
                    if not written and root_name and root_name.startswith("param:"):
                        arg = mapping.get(root_name[len("param:"):])
                        written = bool(arg and arg.written)
                    rs, rd = self.resolve(src, root), self.resolve(dst, root)
                    reported = inner.reported or temp_kind(rs, rd, written) is not None
                    out.append(Composed(src, dst, written, inner.locked or call.locked, reported, inner.reported,
                                        False, inner.rename_at, temp_arg, None, "", undecided))
        self._via[key] = out
        return out

    # --- which names matter for stage two ------------------------------------------------
    def helper_names(self) -> Dict[str, Tuple[FrozenSet[str], Tuple[str, ...]]]:
        """Names under which a function that renames one of its parameters can be called, each with
        the top-level packages a caller must import (or be in) to reach it, and ``()``; for a method,
        the names of its class and of every class known to inherit from it (``Saver(...)``, ``class
        Mine(Saver)``, ``class Sub(Mine)``), each with its own package and the names of the helper
        methods it has (``("save",)``). A file calls a method of another file only through a class it
        names (``mod.Saver.save``) or defines (``self.save`` in a subclass, which names its base), and
        by the method's name, unless the method is a special one (``Saver(...)``: ``__init__``; then
        the class's name alone, ``()``): the method's own name alone admits nothing (``x.write``,
        ``s.replace`` are in every other file), nor a class's alone (``Path`` for ``Path.rename``)."""
        names: Dict[str, Set[str]] = {}
        owners: Dict[Tuple[str, str], Set[str]] = {}  # (a class that defines helper methods, its package) -> their names
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
                        top = result.module.name.split(".")[0]
                        for part in parts[:-1]:  # its class(es)
                            owners.setdefault((part, top), set()).add(parts[-1])
        for result in self.results.values():  # re-exports: from .utils import save
            if result.status != "parsed":
                continue
            for local, target in result.aliases.items():
                found = self.lookup(target, result.module.root)
                if isinstance(found, Found) and (found.path, found.function.scope) in helpers:
                    names.setdefault(local, set()).add(result.module.name.split(".")[0])
        methods: Dict[str, Set[str]] = {}  # a class's name -> its helper methods (a function's name: none)
        for (name, top), inherited in class_family(self.results.values(), owners).items():
            if name not in names or name in methods:
                methods.setdefault(name, set()).update(inherited)
            names.setdefault(name, set()).add(top)
        return {name: (frozenset(tops), _method_words(methods.get(name, set()))) for name, tops in names.items()}

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
    def _helper_fix(self, rename_at: Tuple[str, int]) -> Optional["_Fix"]:
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
            return None
        title, applicability, line = found
        return _Fix(title, applicability, FixAt(rename_at[0], line, rename_line=rename_at[1]))

    @staticmethod
    def _local_fix(path: str, written: bool, fix: Optional[str], span: Optional[Pos]) -> Optional["_Fix"]:
        """The fix of a rename the index found in ``path`` itself: its temp path, spelled at ``span``."""
        if not written or fix is None or span is None:
            return None
        return _Fix("add a uuid to the temp name", fix, FixAt(path, span[0], span=span))

    def _where(self, result: FileResult, at: Tuple[str, int]) -> str:
        return f"line {at[1]}" if at[0] == result.path else f"{at[0]}:{at[1]}"

    @staticmethod
    def _decided(rename: TempRename, path: str, pos: Pos, fix: Optional["_Fix"]) -> Optional[Diagnostic]:
        """What the rules (tmplint/rules) decide of a rename, reported at ``pos``."""
        decided = rule_decides(rename)
        if decided is None:
            return None
        if fix is None:
            return Diagnostic(*decided, path, *pos)
        return Diagnostic(*decided, path, *pos, fix_title=fix.title, fix_applicability=fix.applicability, fix_at=fix.at)

    def _check(self, result: FileResult, call: CallInfo, fact: Composed, root: str) -> Optional[Diagnostic]:
        if fact.inner_reported or fact.guards:
            return None
        src, dst = self.resolve(fact.src, root), self.resolve(fact.dst, root)
        if fact.direct:
            literal = V.first_literal(src, [call.owner])
            pos = literal.pos if literal is not None else (fact.src_arg.pos if fact.src_arg else None)
            if pos is None:
                return None
            rename = TempRename(src, dst, fact.written, fact.locked, RENAME, call.label, dst_text=fact.dst_text)
            arg = fact.src_arg
            fix = self._local_fix(result.path, fact.written, arg.fix, arg.pos) if arg is not None else None
            return self._decided(rename, result.path, pos, fix)
        if fact.temp_arg is None or fact.temp_arg.pos is None:
            return None
        rename = TempRename(src, dst, fact.written, fact.locked, HELPER, call.label,
                            where=self._where(result, fact.rename_at))
        return self._decided(rename, result.path, fact.temp_arg.pos, self._helper_fix(fact.rename_at))

    def _check_pending(self, result: FileResult, pending: PendingFact, root: str) -> Optional[Diagnostic]:
        src, dst = self.resolve(pending.src, root), self.resolve(pending.dst, root)
        if pending.direct:
            literal = V.first_literal(src, [pending.scope])
            pos = (literal.pos if literal is not None else None) or pending.pos
            rename = TempRename(src, dst, pending.written, pending.locked, RENAME, pending.label,
                                dst_text=pending.dst_text)
            return self._decided(rename, result.path, pos,
                                 self._local_fix(result.path, pending.written, pending.fix, pending.pos))
        rename = TempRename(src, dst, pending.written, pending.locked, HELPER, pending.label,
                            where=self._where(result, pending.rename_at))
        return self._decided(rename, result.path, pending.pos, self._helper_fix(pending.rename_at))

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
                    rename = TempRename(src, self.resolve(fact.dst, root), fact.written, fact.locked, DEFAULT, "",
                                        where=self._where(result, fact.rename_at), parameter=name)
                    found = self._decided(rename, path, pos, self._helper_fix(fact.rename_at))
                    if found is not None:
                        out.append(found)
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
                shown = V.argument_attribute(arg.value, attr) if arg is not None else None
                if shown is not None:
                    segs.extend(shown.segs)
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
