"""One pass over the module that records what the dataflow needs, per scope.

Bindings, parameters, calls in source order with the locks held around them, returns, nested
functions and classes, ``self.x = ...`` assignments, imports, and string literals for TMP201.
Nothing is decided here; ``evaluate`` and ``checker`` read these tables afterwards.
"""

import dataclasses
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import libcst as cst

# Binding kinds
ASSIGN, UNPACK, FOR, WITH, AUG, PARAM, IMPORT, DEF, CLASS, GLOBAL, OTHER = (
    "assign", "unpack", "for", "with", "aug", "param", "import", "def", "class", "global", "other",
)


class Where(NamedTuple):
    """A point in a scope, for reaching values: its order in the source, the blocks that hold it
    (outermost first) and the loops around it."""

    order: int
    blocks: Tuple[int, ...] = ()
    loops: Tuple[int, ...] = ()

    def dominated_by(self, other: "Where") -> bool:
        """``other`` comes first and runs whenever this point does (its blocks enclose ours)."""
        return other.order < self.order and self.blocks[:len(other.blocks)] == other.blocks

    def reached_from(self, other: "Where") -> bool:
        """A binding at ``other`` can be seen here: it comes first, or a loop holds both."""
        return other.order < self.order or bool(set(other.loops) & set(self.loops))


class Binding(NamedTuple):
    kind: str
    value: Optional[cst.CSTNode]  # the assigned expression, loop iterable, context manager, ...
    scope: "Scope"
    position: Tuple[int, ...] = ()  # where inside a tuple target (not ``index``: a tuple's method)
    extra: object = None  # import: the qualified name; param: the Param node; aug: the operator
    where: Optional[Where] = None  # None: seen everywhere in its scope

    @property
    def imported(self) -> Optional[str]:
        """An import's qualified name; None for any other binding."""
        return self.extra if isinstance(self.extra, str) else None

    @property
    def param(self) -> Optional[cst.Param]:
        """A parameter's node; None for any other binding."""
        return self.extra if isinstance(self.extra, cst.Param) else None


class CallSite(NamedTuple):
    node: cst.Call
    where: Where
    locks: Tuple[cst.CSTNode, ...]  # `with` items and acquire()/flock() calls held around the call
    guards: Tuple[Tuple[cst.BaseExpression, bool], ...] = ()  # `if` tests around the call, True in the body

    @property
    def order(self) -> int:
        return self.where.order


def reaching(bindings: List[Binding], at: Where) -> List[Binding]:
    """The bindings that can reach a use at ``at``: seen from there, and not overwritten on every
    path by a later binding before it (rules.md, *reaching values*)."""
    seen = [b for b in bindings if b.where is None or at.reached_from(b.where)]
    killers = [b.where for b in seen if b.where is not None and at.dominated_by(b.where)]
    if not killers:
        return seen
    last = max(killers, key=lambda where: where.order)

    def survives(where: Optional[Where]) -> bool:
        if where is None or where.order >= last.order and where.order < at.order:
            return True
        if where.order > at.order:  # carried round a loop: unless ``last`` runs first in that loop too
            return not set(where.loops) & set(at.loops) <= set(last.loops)
        return False

    return [b for b in seen if survives(b.where)]


class Scope:
    def __init__(self, kind: str, node: cst.CSTNode, parent: Optional["Scope"], ident: int, name: str = ""):
        self.kind = kind  # "module", "function", "class", "lambda"
        self.node = node
        self.parent = parent
        self.id = ident
        self.name = name
        self.bindings: Dict[str, List[Binding]] = {}
        self.params: List[Tuple[str, cst.Param]] = []  # positional order, then keyword-only
        self.positional_count = 0
        self.calls: List[CallSite] = []
        self.returns: List[cst.BaseExpression] = []
        self.return_sites: List[Where] = []  # where each of ``returns`` runs: its names' reaching values
        self.functions: Dict[str, "Scope"] = {}
        self.classes: Dict[str, "Scope"] = {}
        self.self_attrs: Dict[str, List[Binding]] = {}  # class scopes: self.x = ... in its methods
        self.globals: set = set()
        self.decorators: Tuple[str, ...] = ()

    @property
    def enclosing_class(self) -> Optional["Scope"]:
        return self.parent if self.kind == "function" and self.parent and self.parent.kind == "class" else None

    @property
    def is_static(self) -> bool:
        return "staticmethod" in self.decorators

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def __repr__(self) -> str:
        return f"<Scope {self.kind} {self.name} #{self.id}>"


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def _import_name(node: cst.CSTNode) -> str:
    return dotted_name(node) or ""


class ModuleTables(NamedTuple):
    module_scope: Scope
    scopes: List[Scope]
    imports: Dict[str, str]  # local name -> qualified name
    strings: List[Tuple[cst.CSTNode, bool]]  # top-level string nodes; bool: in an excluded context
    scope_of: Dict[cst.CSTNode, Scope]  # function/class/lambda node -> its scope


_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _child_fields(cls: type) -> Tuple[str, ...]:
    """The fields of a node class that can hold child nodes, in source order; whitespace left out."""
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        names = [f.name for f in dataclasses.fields(cls)
                 if not f.name.startswith("whitespace") and f.name not in ("lpar", "rpar", "comma", "semicolon",
                                                                         "leading_lines", "lines_after_decorators",
                                                                         "header", "footer", "newline")]
        if "decorators" in names:  # decorators come first in the source
            names.remove("decorators")
            names.insert(0, "decorators")
        fields = _CHILD_FIELDS[cls] = tuple(names)
    return fields


class Collector:
    """Builds ``ModuleTables`` in a single traversal.

    It walks the tree itself rather than through ``CSTNode.visit``, which rebuilds every node
    on the way back up and costs as much again as the parse; the ``visit_``/``leave_`` hooks
    keep LibCST's names.
    """

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        hooks = self._hooks.get(cls)
        if hooks is None:
            name = cls.__name__
            hooks = self._hooks[cls] = (getattr(self, "visit_" + name, None), getattr(self, "leave_" + name, None))
        visit, leave = hooks
        self.order += 1
        excluded = node in self.excluded
        if excluded:
            self.excluded_depth += 1
        if visit is None or visit(node) is not False:
            if node in self.excluded and not excluded:  # the hook itself excluded the node
                excluded = True
                self.excluded_depth += 1
            for field in _child_fields(cls):
                value = getattr(node, field)
                if isinstance(value, cst.CSTNode):
                    self.walk(value)
                elif isinstance(value, (list, tuple)):
                    for item in value:
                        if isinstance(item, cst.CSTNode):
                            self.walk(item)
        if leave is not None:
            leave(node)
        if excluded:
            self.excluded_depth -= 1

    def __init__(self) -> None:
        self.scopes: List[Scope] = []
        self.scope_of: Dict[cst.CSTNode, Scope] = {}
        self.stack: List[Scope] = []
        self.imports: Dict[str, str] = {}
        self.strings: List[Tuple[cst.CSTNode, bool]] = []
        self.order = 0
        self.locks: List[cst.CSTNode] = []
        self.lock_marks: List[int] = []
        self.saved_locks: List[tuple] = []  # the enclosing scope's locks, lock marks and guards
        self.excluded: set = set()  # string contexts where TMP201 never applies
        self.excluded_depth = 0
        self._hooks: Dict[type, tuple] = {}
        self.blocks: List[int] = []  # the blocks around the node being walked, outermost first
        self.loops: List[int] = []
        self.guards: List[Tuple[cst.BaseExpression, bool]] = []  # `if` tests held in this scope
        self.guarded: Dict[cst.CSTNode, Tuple[cst.BaseExpression, bool]] = {}  # a branch -> its test

    def _where(self) -> Where:
        return Where(self.order, tuple(self.blocks), tuple(self.loops))

    # --- scopes -------------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return self.stack[-1]

    def _push(self, kind: str, node: cst.CSTNode, name: str = "") -> Scope:
        parent = self.stack[-1] if self.stack else None
        scope = Scope(kind, node, parent, len(self.scopes), name)
        self.scopes.append(scope)
        self.scope_of[node] = scope
        self.stack.append(scope)
        self.saved_locks.append((self.locks, self.lock_marks, self.guards))
        self.locks, self.lock_marks, self.guards = [], [], []
        return scope

    def _pop(self) -> None:
        self.stack.pop()
        self.locks, self.lock_marks, self.guards = self.saved_locks.pop()

    def visit_Module(self, node: cst.Module) -> None:
        self._push("module", node)
        self._docstring(node.body)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value, Binding(CLASS, node, self.scope))
        outer = self.scope
        scope = self._push("class", node, node.name.value)
        outer.classes[node.name.value] = scope
        self._docstring(node.body.body if isinstance(node.body, cst.IndentedBlock) else ())

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        outer.bind(node.name.value, Binding(DEF, node, outer))
        scope = self._push("function", node, node.name.value)
        outer.functions[node.name.value] = scope
        scope.decorators = tuple(dotted_name(d.decorator) or "" for d in node.decorators)
        self._params(scope, node.params)
        self._docstring(node.body.body if isinstance(node.body, cst.IndentedBlock) else ())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        scope = self._push("lambda", node)
        self._params(scope, node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._pop()

    def _params(self, scope: Scope, params: cst.Parameters) -> None:
        positional = list(params.posonly_params) + list(params.params)
        scope.positional_count = len(positional)
        for param in positional + list(params.kwonly_params):
            scope.params.append((param.name.value, param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bind(star.name.value, Binding(OTHER, None, scope))
        where = self._where()
        for name, param in scope.params:
            scope.bind(name, Binding(PARAM, param.default, scope, extra=param, where=where))

    def _docstring(self, body: Sequence[cst.CSTNode]) -> None:
        if body and isinstance(body[0], cst.SimpleStatementLine) and body[0].body:
            first = body[0].body[0]
            if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
                self.excluded.add(first.value)

    # --- locks and excluded string contexts ---------------------------------------------
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.lock_marks.append(len(self.locks))
        self._enter_block(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        del self.locks[self.lock_marks.pop():]
        self._leave_block(original_node)

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_block(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave_block(original_node)

    def _enter_block(self, node: cst.CSTNode) -> None:
        self.blocks.append(self.order)
        guard = self.guarded.get(node)
        if guard is not None:
            self.guards.append(guard)

    def _leave_block(self, node: cst.CSTNode) -> None:
        self.blocks.pop()
        if node in self.guarded:
            self.guards.pop()

    # `if` tests: the body runs when the test holds, the else branch (and an elif) when it fails
    def visit_If(self, node: cst.If) -> None:
        if node in self.guarded:  # an elif: all of it runs only when the test before failed
            self.guards.append(self.guarded[node])
        self.guarded[node.body] = (node.test, True)
        if isinstance(node.orelse, cst.Else):
            self.guarded[node.orelse.body] = (node.test, False)
        elif isinstance(node.orelse, cst.If):
            self.guarded[node.orelse] = (node.test, False)

    def leave_If(self, original_node: cst.If) -> None:
        if original_node in self.guarded:
            self.guards.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(self.order)

    def leave_While(self, original_node: cst.While) -> None:
        self.loops.pop()

    def leave_For(self, original_node: cst.For) -> None:
        self.loops.pop()

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            self.locks.append(item.item)
            if item.asname is not None:
                self._bind_target(item.asname.name, Binding(WITH, item.item, self.scope, where=self._where()))

    def leave_With(self, original_node: cst.With) -> None:
        # items were pushed before the body's IndentedBlock mark, so they are still on top
        del self.locks[len(self.locks) - len(original_node.items):]

    def visit_Comparison(self, node: cst.Comparison) -> None:
        # a text compared (path == "/tmp/x", p in ("/tmp", "/var/tmp")) is no path in use; a call
        # inside a comparison (assert rmdir("/tmp/x") is True) still runs, and pathflow decides it
        for operand in [node.left] + [target.comparator for target in node.comparisons]:
            if isinstance(operand, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Tuple,
                                    cst.List, cst.Set, cst.Name, cst.Attribute)):
                self.excluded.add(operand)

    # --- bindings -------------------------------------------------------------------------
    def _bind_target(self, target: cst.CSTNode, binding: Binding, index: Tuple[int, ...] = ()) -> None:
        if isinstance(target, cst.Name):
            scope = self._owner(target.value)
            scope.bind(target.value, binding._replace(position=index) if index else binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for i, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    self._bind_target(element.value, Binding(OTHER, None, self.scope))
                else:
                    kind = UNPACK if binding.kind == ASSIGN else binding.kind
                    self._bind_target(element.value, binding._replace(kind=kind), index + (i,))
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            self._bind_self_attr(target, binding._replace(position=index) if index else binding)

    def _owner(self, name: str) -> Scope:
        if name in self.scope.globals:
            return self.stack[0]
        return self.scope

    def _bind_self_attr(self, target: cst.Attribute, binding: Binding) -> None:
        scope = self.scope
        cls = scope.enclosing_class
        if cls is None or not scope.params or scope.is_static:
            return
        if not isinstance(target.value, cst.Name) or target.value.value != scope.params[0][0]:
            return  # not self.x / cls.x
        cls.self_attrs.setdefault(target.attr.value, []).append(binding)

    # Assignments bind once their value is walked: a use inside the value still sees the old binding.
    def leave_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, Binding(ASSIGN, node.value, self.scope, where=self._where()))

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, Binding(ASSIGN, node.value, self.scope, extra=node.annotation,
                                                   where=self._where()))

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, Binding(AUG, node.value, self.scope, extra=node.operator,
                                               where=self._where()))

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, Binding(ASSIGN, node.value, self.scope, where=self._where()))

    def visit_For(self, node: cst.For) -> None:
        self.loops.append(self.order)
        self._bind_target(node.target, Binding(FOR, node.iter, self.scope, where=self._where()))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, Binding(FOR, node.iter, self.scope))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, Binding(OTHER, None, self.scope))

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.globals.add(item.name.value)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.scope.bind(item.name.value, Binding(GLOBAL, None, self.scope))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _import_name(alias.name)
            if alias.asname is not None:
                local = _import_name(alias.asname.name)
                self.imports[local] = full
            else:
                local = full.split(".")[0]
                self.imports[local] = local
            self.scope.bind(local, Binding(IMPORT, None, self.scope, extra=self.imports[local]))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = "." * len(node.relative) + (_import_name(node.module) if node.module is not None else "")
        for alias in node.names:
            name = _import_name(alias.name)
            local = _import_name(alias.asname.name) if alias.asname is not None else name
            full = f"{base}.{name}" if base and not base.endswith(".") else base + name
            self.imports[local] = full
            self.scope.bind(local, Binding(IMPORT, None, self.scope, extra=full))

    # --- calls, returns, strings ------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self.scope.calls.append(CallSite(node, self._where(), tuple(self.locks), tuple(self.guards)))
        self._exclude_call_strings(node)

    def visit_Expr(self, node: cst.Expr) -> None:
        # fcntl.flock(...), lock.acquire() as a statement: held for the rest of the enclosing block
        call = node.value
        if isinstance(call, cst.Call) and isinstance(call.func, (cst.Attribute, cst.Name)):
            name = call.func.attr.value if isinstance(call.func, cst.Attribute) else call.func.value
            if name in ("flock", "lockf", "acquire"):
                self.locks.append(call)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.scope.returns.append(node.value)
            self.scope.return_sites.append(self._where())

    def _exclude_call_strings(self, node: cst.Call) -> None:
        func = dotted_name(node.func) or ""
        last = node.func.attr.value if isinstance(node.func, cst.Attribute) else func
        if last in ("startswith", "endswith"):
            self.excluded.update(arg.value for arg in node.args)
        elif func.endswith("environ.get") or last == "getenv" or func.endswith("environ.setdefault"):
            self.excluded.update(arg.value for arg in node.args[1:2])
        qualified = self.imports.get(func.split(".")[0], "") + func[len(func.split(".")[0]):] if func else ""
        if qualified.startswith("tempfile.") or func.startswith("tempfile."):
            self.excluded.update(arg.value for arg in node.args if arg.keyword and arg.keyword.value == "dir")

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        self.strings.append((node, self.excluded_depth > 0))
        return False

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        self.strings.append((node, self.excluded_depth > 0))
        # descend only for the expressions inside f-strings (their calls and names matter)
        return True

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self.strings.append((node, self.excluded_depth > 0))
        return True


def collect(module: cst.Module) -> ModuleTables:
    collector = Collector()
    collector.walk(module)
    return ModuleTables(collector.scopes[0], collector.scopes, collector.imports, collector.strings,
                        collector.scope_of)
