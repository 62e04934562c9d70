"""From a finding to the edits that make its temp name unique (rules.md, "The fix").

The planner works on the very tree and analysis that produced the findings: each finding
carries its scope and its rename ``Fact``. An ``Edit`` is a set of node replacements plus, when
one temp path is spelled out more than once in a scope, an assignment hoisted before the first
use so that every use shares one unique name.
"""

import dataclasses
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, NamedTuple, Optional, Set, Tuple, Union

import libcst as cst

from tmplint.analysis import Finding
from tmplint.analysis import knowledge as K
from tmplint.analysis import values as V
from tmplint.analysis.scopes import ASSIGN, Scope
from tmplint.diagnostics import SAFE, UNSAFE
from tmplint.fix.imports import Statement
from tmplint.fix.spelling import UniquePart, append_to, insert_into_literal, literal_takes_insert, parenthesize

if TYPE_CHECKING:
    from tmplint.analysis.checker import Fact

FIXABLE = frozenset({"TMP101", "TMP102", "TMP103", "TMP104", "TMP105"})
HOISTED_NAME = "tmp_path"

# Calls that name what they do to a file: a cleanup removes it, a check only looks at it.
_REMOVING = frozenset({"remove", "unlink", "rmtree", "rmdir", "delete", "rm"})
_LOOKING = K.PATH_QUERIES | frozenset({"getmtime", "stat", "lstat", "access", "str", "repr", "len", "fspath", "debug",
                                       "info", "warning", "warn", "error", "exception", "critical", "log"})
# Why a fix adds no cleanup; such a fix is unsafe, and its title says why (rules.md, *No leak*).
NOT_ONE_BLOCK = " (no cleanup: its write and rename are not in one block, so a failed save leaves the temp file)"
RESTORES = " (no cleanup: the rename restores a backup when a write fails, and a failed save keeps it)"
SWALLOWED = " (no cleanup: a failed rename is caught and ignored, so each failure leaves a temp file)"
FOLDER = " (no cleanup: the temp path is a folder, so a failed save leaves it)"
_MAKES_FOLDERS = frozenset({"mkdir", "makedirs", "copytree", "mkdtemp"})

# Parents under which a new ``a + b`` needs no parentheses.
_OPEN_CONTEXTS = (cst.Arg, cst.Assign, cst.AnnAssign, cst.Return, cst.Expr, cst.Element,
                  cst.FormattedStringExpression, cst.WithItem)
Block = Union[cst.IndentedBlock, cst.Module]  # what holds statements, as the fixer walks scopes
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)


class Cleanup(NamedTuple):
    """Statements ``first`` to ``last`` of one block, wrapped so a failed save removes its temp file
    (rules.md, *No leak*): ``try: ... except BaseException: remove variable; raise``."""

    first: cst.CSTNode
    last: cst.CSTNode
    variable: str
    is_path: bool  # a pathlib path: ``variable.unlink()`` needs no import of os


@dataclasses.dataclass
class Edit:
    title: str
    applicability: str
    replace: Dict[cst.CSTNode, cst.CSTNode]  # original node (by identity) -> new node
    insert: Dict[cst.CSTNode, List[Statement]]  # statement -> new statements before it
    scopes: Tuple[Scope, ...]
    cleanup: Tuple[Cleanup, ...] = ()


class _Use(NamedTuple):
    node: cst.CSTNode
    order: int
    path: Tuple[Tuple[Block, int], ...]  # (block, statement index) from the scope's body inward
    nested: bool  # inside a lambda or a comprehension
    in_test: bool  # inside the test of an ``if``/``while`` header


class Planner:
    def __init__(self, module: cst.Module, checker, unique: Optional[UniquePart] = None, cleanup: bool = True):
        self.module = module
        self.cleanup = cleanup  # fix-cleanup: wrap a fixed save so that a failure removes its temp file
        self.checker = checker
        self.ev = checker.ev
        self.tables = checker.tables
        self.unique = unique or UniquePart()
        self._parents: Optional[Dict[cst.CSTNode, cst.CSTNode]] = None
        self._scope_parents: Dict[int, Dict[cst.CSTNode, cst.CSTNode]] = {}
        self._scans: Dict[int, List[_Use]] = {}
        self.taken_names: Set[Tuple[int, str]] = set()
        self._names_in: Dict[int, Set[str]] = {}  # scope id -> every name its code holds (a tree never changes)
        self._renames: Dict[tuple, object] = {}
        self._uses: Dict[tuple, Tuple[Optional[_Use], List[_Use], Optional[str]]] = {}

    # --- the public step -------------------------------------------------------------------
    def plan(self, finding: Finding) -> Optional[Edit]:
        if finding.code not in FIXABLE or finding.scope is None:
            return None
        fact = finding.fact
        if fact is None:  # TMP101 at a helper it cannot see: the argument itself gains the unique part
            value = self.ev.eval(finding.node, finding.scope)
            edit = self._unique_edit(finding.node, value, finding.scope, hoist=False)
            return self._edit("add a uuid to the temp name passed to the helper", SAFE, edit, finding.scope)
        scope, inner = finding.scope, fact
        through_helper = inner.inner is not None
        while inner.inner is not None:
            scope, inner = inner.helper, inner.inner
        if through_helper or finding.code == "TMP104":
            return self.plan_helper(scope, inner)
        if not self._written(scope, inner):
            return None  # the temp file is made elsewhere: renaming a new name would find no file
        return self._with_cleanup("add a uuid to the temp name", SAFE, self._rename_edit(scope, inner), scope, inner)

    def plan_helper(self, scope: Scope, fact) -> Optional[Edit]:
        """The fix of the findings that reach a helper's rename ``fact``, made directly in ``scope``
        (rules.md, "Fix the helper, not every caller"): the unique part where the helper builds the
        temp path, unsafe when it reads its temp-name parameter elsewhere. The project index asks
        this for helpers that other files call."""
        if not self._written(scope, fact):
            return None  # the temp file is made elsewhere: renaming a new name would find no file
        edit = self._rename_edit(scope, fact)
        if edit is None:
            return None
        safe = not self._parameters_read_elsewhere(scope, fact, edit)
        title = f"add a uuid where {scope.name or 'the helper'}() builds the temp name"
        return self._with_cleanup(title, SAFE if safe else UNSAFE, edit, scope, fact)

    def plan_temp_path(self, node: cst.CSTNode, scope: Scope) -> Optional[Edit]:
        """The fix of a rename's temp path spelled ``node`` in ``scope`` that only the project index
        sees as a finding (a rename wrapper of another file, a temp name imported from one): the
        same edit as for a rename this file makes itself. The caller checks that the file is written."""
        value = self.ev.eval(node, scope)
        return self._edit("add a uuid to the temp name", SAFE, self._unique_edit(node, value, scope, hoist=True), scope)

    def helper_renames(self, scopes: Optional[Iterable[Scope]] = None) -> List[Tuple[Scope, "Fact"]]:
        """(function, rename fact) for each rename a function (of ``scopes``, else of the file) makes
        itself whose temp basename reads one of its parameters: where the fix for its callers' findings goes."""
        out: List[Tuple[Scope, "Fact"]] = []
        for scope in self.tables.scopes if scopes is None else scopes:
            if scope.kind != "function":
                continue
            params = {name for name, _ in scope.params}
            for fact in self.checker.summary(scope).facts:
                if fact.inner is None and self._basename_params(scope, fact) & params:
                    out.append((scope, fact))
        return out

    def scope_of(self, node: cst.CSTNode) -> Optional[Scope]:
        """The scope whose code ``node`` is (a def's body, not its defaults or decorators)."""
        scopes = {id(s.node): s for s in self.tables.scopes}
        child, current = node, self.parents.get(node)
        while current is not None:
            scope = scopes.get(id(current))
            if scope is not None and (isinstance(current, cst.Module) or getattr(current, "body", None) is child):
                return scope
            child, current = current, self.parents.get(current)
        return None

    @staticmethod
    def _edit(title: str, applicability: str, planned, scope: Scope) -> Optional[Edit]:
        if planned is None:
            return None
        replace, insert = planned
        return Edit(title, applicability, replace, insert, (scope,))

    # --- renames ---------------------------------------------------------------------------
    def _rename_edit(self, scope: Scope, fact):
        """The edit for the temp path of a rename made directly in ``scope`` (planned once per rename);
        none when the path is also a final name (rules.md, *Never a final name*)."""
        key = (scope.id, fact.src_node)
        if key not in self._renames:
            final = self._is_final_name(scope, fact)
            self._renames[key] = None if final else self._unique_edit(fact.src_node, fact.src, scope, hoist=True)
        return self._renames[key]

    def _uses_of(self, scope: Scope, fact) -> Tuple[Optional[_Use], List[_Use], Optional[str]]:
        """The rename's own use, every read of its temp path (the variable holding it, or each spelling
        of it) and that variable's name, in source order. Asked by the written, final-name and cleanup
        checks of one rename alike: computed once."""
        key = (scope.id, id(fact.rename), id(fact.src_node))
        if key not in self._uses:
            self._uses[key] = self._find_uses(scope, fact)
        return self._uses[key]

    def _find_uses(self, scope: Scope, fact) -> Tuple[Optional[_Use], List[_Use], Optional[str]]:
        scan = self._scan(scope)
        rename = next((u for u in scan if u.node is fact.rename), None)
        definition, holder = self._definition(fact.src_node, scope)
        parents = self._parents_in(scope)
        if holder is not None or isinstance(fact.src_node, cst.Name):
            name = holder or fact.src_node.value
            reads = [u for u in scan if isinstance(u.node, cst.Name) and u.node.value == name
                     and _is_read(u.node, parents.get(u.node))]
            return rename, reads, name
        text, kind = self.ev.text(definition), type(definition)
        return rename, [u for u in scan if type(u.node) is kind and self.ev.text(u.node) == text], None

    def _written(self, scope: Scope, fact) -> bool:
        """The analysis saw the temp path written, or (rules.md, *Written through any call*) the variable
        holding it is handed to a call before the rename: ``self.save(tmp)``, ``torch.save(obj, tmp)``."""
        if fact.written:
            return True
        rename, reads, name = self._uses_of(scope, fact)
        if rename is None or name is None:
            return False
        parents = self._parents_in(scope)
        for use in reads:
            arg = parents.get(use.node)
            call = parents.get(arg) if arg is not None else None
            if use.order < rename.order and isinstance(arg, cst.Arg) and isinstance(call, cst.Call) \
                    and call is not fact.rename and _last_name(call.func) not in _LOOKING:
                return True
        return False

    def _is_final_name(self, scope: Scope, fact) -> bool:
        """The temp path is also used as a final file: returned, stored, read after the rename, or the
        destination of another rename. Making it unique would rename the program's output. So is a
        name that a function of this file builds for other code too (jupyter-server's
        ``path_to_intermediate``: the loader restores a crashed save's backup by that name)."""
        rename, reads, _ = self._uses_of(scope, fact)
        if rename is None:
            return False
        if self._built_for_others_too(scope, fact):
            return True
        parents = self._parents_in(scope)
        for use in reads:
            parent = parents.get(use.node)
            if isinstance(parent, cst.Return) or (isinstance(parent, cst.Assign) and any(
                    isinstance(t.target, (cst.Attribute, cst.Subscript)) for t in parent.targets)):
                return True
            if isinstance(parent, cst.Arg):
                call = parents.get(parent)
                if isinstance(call, cst.Call) and call is not fact.rename:
                    renamed = self.checker.rename_args(call, scope)  # what the analysis counts as a rename
                    if renamed is not None and renamed[1] is use.node:
                        return True  # the destination of another rename
            if use.order > rename.order and not self._is_within(use.node, fact.rename, scope) \
                    and not self._in_cleanup(use.node, scope):
                return True
        return False

    def _built_for_others_too(self, scope: Scope, fact) -> bool:
        """The temp path comes from a call of a function of this file that another scope calls too."""
        definition, _ = self._definition(fact.src_node, scope)
        builders = {_last_name(n.func) for n in _walk(definition) if isinstance(n, cst.Call)}
        builders &= {s.name for s in self.tables.scopes if s.kind == "function" and s.name}
        if not builders:
            return False
        for other in self.tables.scopes:  # the call sites the analysis recorded, scope by scope
            outer = other
            while outer is not None and outer is not scope:
                outer = outer.parent
            if outer is None and any(_last_name(site.node.func) in builders for site in other.calls):
                return True
        return False

    def _in_cleanup(self, node: cst.CSTNode, scope: Scope) -> bool:
        """A read of the temp path that only removes it or asks whether it is there (after a rename
        that may have failed)."""
        parents = self._parents_in(scope)
        current = parents.get(node)
        while current is not None and not isinstance(current, cst.BaseStatement):
            if isinstance(current, cst.Call):
                return _last_name(current.func) in _REMOVING or _last_name(current.func) in _LOOKING
            current = parents.get(current)
        return False

    # --- no leak -----------------------------------------------------------------------------
    def _with_cleanup(self, title: str, applicability: str, planned, scope: Scope, fact) -> Optional[Edit]:
        """The edit, with the statements from the temp path's first use to its rename wrapped so a
        failed save removes the unique temp file (rules.md, *No leak*); unsafe where they are not
        statements of one block."""
        edit = self._edit(title, applicability, planned, scope)
        if edit is None or not self.cleanup:
            return edit
        wrap = self._cleanup_range(scope, fact, edit)
        if wrap is None:
            return edit  # the code removes the temp file itself
        if isinstance(wrap, str):
            return dataclasses.replace(edit, title=title + wrap, applicability=UNSAFE)
        return dataclasses.replace(edit, cleanup=(wrap,))

    def _cleanup_range(self, scope: Scope, fact, edit: Edit):
        """The statements to wrap; None when the code cleans up itself; else why no cleanup fits."""
        rename, reads, name = self._uses_of(scope, fact)
        if rename is None:
            return NOT_ONE_BLOCK
        hoisted = [s for statements in edit.insert.values() for s in statements]
        if hoisted:  # the new variable: its uses are the replaced spellings
            name = _assigned_name(hoisted[0])
            scan = self._scan(scope)
            reads = [u for u in scan if u.node in edit.replace]
        if name is None:
            return NOT_ONE_BLOCK
        if self._cleaned_up(fact.rename, name, edit.replace, scope):
            return None
        before = [u for u in reads if u.order <= rename.order]
        if not before:
            return NOT_ONE_BLOCK
        first = before[0]
        depth = 0
        while depth < min(len(first.path), len(rename.path)) and first.path[depth][0] is rename.path[depth][0]:
            depth += 1
        if depth == 0:
            return NOT_ONE_BLOCK
        block = first.path[depth - 1][0]
        start, end = first.path[depth - 1][1], rename.path[depth - 1][1]
        statements = _statements(block)
        if start > end or any(self._binds_any(statements[i], {name}) for i in range(start, end + 1)) \
                and not hoisted:
            return NOT_ONE_BLOCK  # the variable is bound inside: a failure before may find it unbound
        handled = self._handled(fact.rename, block, scope)
        if handled is not None:
            return handled
        if self._made_as_folder(reads, scope):
            return FOLDER
        return Cleanup(statements[start], statements[end], name, fact.src.is_path)

    def _made_as_folder(self, reads: List[_Use], scope: Scope) -> bool:
        """The temp path is made as a folder (``os.makedirs(tmp)``, ``tmp.mkdir()``, ``copytree(src, tmp)``):
        ``os.remove`` cannot take it away."""
        parents = self._parents_in(scope)
        for use in reads:
            parent = parents.get(use.node)
            call = parents.get(parent) if isinstance(parent, (cst.Arg, cst.Attribute)) else None
            if isinstance(call, cst.Call) and _last_name(call.func) in _MAKES_FOLDERS:
                return True
        return False

    def _handled(self, rename: cst.CSTNode, block: cst.CSTNode, scope: Scope) -> Optional[str]:
        """Why a cleanup of the statements of ``block`` that hold the rename would do harm: inside them,
        the rename runs in an ``except`` handler (it puts a backup back; removing it on failure would
        lose the only whole copy), or a ``try`` swallows its failure (the cleanup would never run). A
        ``try`` around the whole block is no matter: the cleanup runs before its handler."""
        parents = self._parents_in(scope)
        child, current = rename, parents.get(rename)
        while current is not None and current is not block:
            if isinstance(current, cst.ExceptHandler):
                return RESTORES
            if isinstance(current, (cst.Try, cst.TryStar)) and child is current.body and any(
                    not any(isinstance(n, cst.Raise) for n in _walk(handler.body)) for handler in current.handlers):
                return SWALLOWED
            child, current = current, parents.get(current)
        return None

    def _cleaned_up(self, rename: cst.CSTNode, name: str, replaced, scope: Scope) -> bool:
        """The rename sits in a ``try`` whose handler or ``finally`` already removes the temp path:
        it removes a file and reads the variable (or a spelling of the path the fix rewrites)."""
        parents = self._parents_in(scope)
        child, current = rename, parents.get(rename)
        while current is not None and current is not scope.node:
            if isinstance(current, (cst.Try, cst.TryStar)) and child is current.body:
                for part in [*current.handlers, *([current.finalbody] if current.finalbody else [])]:
                    nodes = list(_walk(part))
                    removes = any(isinstance(n, cst.Call) and _last_name(n.func) in _REMOVING for n in nodes)
                    reads = any(n in replaced or isinstance(n, cst.Name) and n.value == name for n in nodes)
                    if removes and reads:
                        return True
            child, current = current, parents.get(current)
        return False

    def _definition(self, expr: cst.CSTNode, scope: Scope) -> Tuple[cst.CSTNode, Optional[str]]:
        """Follow a name bound once in this same scope to the expression it holds."""
        holder = None
        for _ in range(10):
            if not isinstance(expr, cst.Name):
                break
            found = self.ev.lookup(expr.value, scope)
            if not found or found[0] is not scope or len(found[1]) != 1 or found[1][0].kind != ASSIGN:
                break
            binding = found[1][0]
            if binding.value is None or not self._assigned_to_plain_name(binding.value, expr.value, scope):
                break
            holder, expr = expr.value, binding.value
        return expr, holder

    def _assigned_to_plain_name(self, value: cst.CSTNode, name: str, scope: Scope) -> bool:
        parent = self._parents_in(scope).get(value)
        return (isinstance(parent, cst.Assign) and len(parent.targets) == 1
                and isinstance(parent.targets[0].target, cst.Name) and parent.targets[0].target.value == name)

    def _unique_edit(self, expr: cst.CSTNode, value: V.Value, scope: Scope, hoist: bool):
        """(replacements, inserts) that give the temp path ``expr`` a unique part, or None."""
        definition, holder = self._definition(expr, scope) if hoist else (expr, None)
        target = self._target(definition, value, scope)
        if target is None:
            return None
        old, new = target
        if not hoist or scope.kind == "lambda":
            return {old: new}, {}
        fixed = new if old is definition else definition.deep_replace(old, new)
        uses = self._copies(definition, scope)
        if uses is None:
            return None
        if len(uses) <= 1:
            return {old: new}, {}
        return self._hoisted(definition, fixed, holder, uses, scope)

    def _target(self, definition: cst.CSTNode, value: V.Value, scope: Scope):
        """(node to replace, its replacement): a literal gains a field, else the basename gains a suffix."""
        literal = self._insertion_literal(value, scope)
        if literal is not None and self._is_within(literal, definition, scope):
            return literal, insert_into_literal(literal, self.unique)
        base = self._basename_expr(definition, scope)
        if base is definition and value.is_path:
            return None  # a whole Path object: no text to append to
        if isinstance(base, (cst.SimpleString, cst.FormattedString)) and literal_takes_insert(base) \
                and not self._is_template(base, scope):
            return base, insert_into_literal(base, self.unique)
        if not isinstance(base, cst.BaseExpression):
            return None  # (a basename is always an expression)
        new = append_to(base, self.unique, is_bytes=self._is_bytes(value))
        if isinstance(new, cst.BinaryOperation) and not isinstance(self._parents_in(scope).get(base), _OPEN_CONTEXTS):
            new = parenthesize(new)
        return base, new

    def _insertion_literal(self, value: V.Value, scope: Scope) -> Optional[cst.CSTNode]:
        """The literal of the basename's trailing text that holds its last dot (or its very end)."""
        segs = V.basename(value)
        tail: List[V.Lit] = []
        for seg in reversed(segs):
            if not isinstance(seg, V.Lit):
                break
            tail.append(seg)
        if not tail:
            return None
        chosen = next((lit for lit in tail if "." in lit.text), tail[-1])
        node = chosen.cst_node
        if node is None or chosen.scope != scope.id or not literal_takes_insert(node):
            return None
        if isinstance(node, cst.SimpleString):
            text = V.string_value(node)
            if not isinstance(text, str) or text.rsplit("/", 1)[-1] != chosen.text or self._is_template(node, scope):
                return None
        else:  # an f-string (literal_takes_insert): only its last text part can take the field
            last_part = cst.ensure_type(cst.ensure_type(node, cst.FormattedString).parts[-1], cst.FormattedStringText)
            last = last_part.value.replace("{{", "{").replace("}}", "}")
            if last.rsplit("/", 1)[-1] != chosen.text or chosen is not tail[0]:
                return None
        return node

    def _is_template(self, node: cst.CSTNode, scope: Scope) -> bool:
        parent = self._parents_in(scope).get(node)
        if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Modulo) and parent.left is node:
            return True
        return isinstance(parent, cst.Attribute) and parent.attr.value == "format"

    @staticmethod
    def _is_bytes(value: V.Value) -> bool:
        return any(isinstance(seg, V.Lit) and isinstance(seg.node, cst.SimpleString)
                   and "b" in seg.node.prefix.lower() for seg in V.basename(value))

    def _basename_expr(self, expr: cst.CSTNode, scope: Scope) -> cst.CSTNode:
        """The sub-expression that spells the basename: the last ``join`` argument, the right of ``/``."""
        for _ in range(20):
            if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
                expr = expr.right
                continue
            if isinstance(expr, cst.Call):
                args = [a for a in expr.args if a.keyword is None]
                if not args or any(a.star for a in args) or len(args) != len(expr.args):
                    return expr
                qualified = self.ev.qualname(expr.func, scope) or ""
                method = expr.func.attr.value if isinstance(expr.func, cst.Attribute) else ""
                if qualified in K.JOINS or qualified in K.PATH_TYPES or method == "joinpath":
                    expr = args[-1].value
                    continue
                if method in ("with_name", "with_suffix", "with_stem") and len(args) == 1:
                    expr = args[0].value
                    continue
            return expr
        return expr

    # --- one temp path, one name -----------------------------------------------------------
    def _copies(self, definition: cst.CSTNode, scope: Scope) -> Optional[List[_Use]]:
        """Every spelling of ``definition`` in its scope, or None when they cannot share one name."""
        text = self.ev.text(definition)
        kind, shape = type(definition), _shape(definition)
        uses = [u for u in self._scan(scope)
                if type(u.node) is kind and _shape(u.node) == shape and self.ev.text(u.node) == text]
        if not any(u.node is definition for u in uses):
            return None
        if len(uses) > 1:
            if any(u.nested for u in uses):
                return None
            for name in self._names_read(definition):
                found = self.ev.lookup(name, scope)
                if found and found[0] is scope and len(found[1]) > 1:
                    return None  # rebound: the spellings may not be the same path
        return uses

    def _hoisted(self, definition, fixed, holder: Optional[str], uses: List[_Use], scope: Scope):
        first = min(uses, key=lambda u: u.order)
        own = next(u for u in uses if u.node is definition)
        if holder is not None and own is first and all(self._visible_after(own, u) for u in uses if u is not own):
            replace = {u.node: cst.Name(holder) for u in uses if u is not own}
            replace[definition] = fixed
            return replace, {}
        depth = 0
        while all(len(u.path) > depth and u.path[depth][0] is first.path[depth][0] for u in uses):
            depth += 1
        if depth == 0:
            return None
        block, _ = first.path[depth - 1]
        index = min(u.path[depth - 1][1] for u in uses)
        anchor = _statements(block)[index]
        if first.in_test:
            return None  # rules.md: a first use in a condition gets no fix
        names = self._names_read(definition)
        if self._binds_any(anchor, names):
            return None
        variable = self._free_name(scope)
        assignment = cst.SimpleStatementLine(
            body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(variable))], value=fixed.with_changes(lpar=[], rpar=[])
                             if isinstance(fixed, cst.BinaryOperation) else fixed)],
        )
        return {u.node: cst.Name(variable) for u in uses}, {anchor: [assignment]}

    @staticmethod
    def _visible_after(own: _Use, use: _Use) -> bool:
        """``use`` runs after the assignment ``own`` sits in, in the same or an inner block."""
        block, index = own.path[-1]
        return any(b is block and i > index for b, i in use.path)

    def _free_name(self, scope: Scope) -> str:
        """The first of tmp_path, tmp_path_2... that no code of the scope (or, at module level, the file) reads."""
        used = self._names_in.get(scope.id)
        if used is None:  # one walk per scope: a module plans a fix for each exported temp path
            root = self.module if scope.kind == "module" else scope.node
            used = self._names_in[scope.id] = {n.value for n in _walk(root) if isinstance(n, cst.Name)}
        n = 1
        while True:
            name = HOISTED_NAME if n == 1 else f"{HOISTED_NAME}_{n}"
            if name not in used and (scope.id, name) not in self.taken_names:
                self.taken_names.add((scope.id, name))
                return name
            n += 1

    @staticmethod
    def _names_read(expr: cst.CSTNode) -> Set[str]:
        out = set()
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                out.add(node.value)
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
            else:
                stack.extend(node.children)
        return out

    @staticmethod
    def _binds_any(statement: cst.CSTNode, names: Set[str]) -> bool:
        """A compound statement whose header or body binds a name the hoisted expression reads."""
        for node in _walk(statement):
            targets: Tuple[cst.CSTNode, ...] = ()
            if isinstance(node, cst.AssignTarget):
                targets = (node.target,)
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
                targets = (node.target,)
            elif isinstance(node, cst.AsName):
                targets = (node.name,)
            for target in targets:
                if any(isinstance(n, cst.Name) and n.value in names for n in _walk(target)):
                    return True
        return False

    @staticmethod
    def _basename_params(scope: Scope, fact) -> Set[str]:
        """The temp-name parameter: what the basename reads beyond the destination (``path + tmp_suffix``)."""
        basename_roots = V.roots(V.Value(V.basename(fact.src))) - V.roots(fact.dst)
        params = {root.split(":", 1)[1] for root in basename_roots if root.startswith(f"{scope.id}:")}
        return {p.split(".", 1)[0] for p in params}

    def _parameters_read_elsewhere(self, scope: Scope, fact, edit) -> bool:
        """The helper uses its temp-name parameter for more than building the temp path (cleanup, logs)."""
        params = self._basename_params(scope, fact)
        if not params:
            return False
        replaced, _ = edit
        covered: Set[int] = set()
        for old in replaced:
            covered.update(id(n) for n in _walk(old))
        for use in self._scan(scope):
            if isinstance(use.node, cst.Name) and use.node.value in params and id(use.node) not in covered:
                return True
        return False

    # --- the scope's statements --------------------------------------------------------------
    def _scan(self, scope: Scope) -> List[_Use]:
        found = self._scans.get(scope.id)
        if found is None:
            found = self._scans[scope.id] = list(_scan_scope(scope.node))
        return found

    @property
    def parents(self) -> Dict[cst.CSTNode, cst.CSTNode]:
        """Every node's parent in the module (what applying edits needs)."""
        if self._parents is None:
            self._parents = _parent_map(self.module)
        return self._parents

    def _parents_in(self, scope: Scope) -> Dict[cst.CSTNode, cst.CSTNode]:
        """The parents of the nodes of ``scope``'s subtree: planning looks only there, and a map of the
        whole module cost the check run a third of a second per file it planned a fix in."""
        if self._parents is not None:
            return self._parents
        found = self._scope_parents.get(scope.id)
        if found is None:
            found = self._scope_parents[scope.id] = _parent_map(scope.node)
        return found

    def _is_within(self, node: cst.CSTNode, ancestor: cst.CSTNode, scope: Scope) -> bool:
        parents = self._parents_in(scope)
        current: Optional[cst.CSTNode] = node
        while current is not None:
            if current is ancestor:
                return True
            current = parents.get(current)
        return False


def _shape(node: cst.CSTNode, depth: int = 3) -> object:
    """A few of a node's words, cheap to take: two nodes whose code is the same (``Evaluator.text``:
    whitespace runs made one) have the same shape, so comparing shapes first spares generating the
    code of every call or sum of a big scope. A string counts with its whitespace made one, as its code."""
    kind = type(node)
    if kind is cst.Name:
        return node.value  # type: ignore[attr-defined]
    if kind is cst.SimpleString:
        return " ".join(node.value.split())  # type: ignore[attr-defined]
    if depth == 0:
        return kind
    if kind is cst.Attribute:
        return kind, node.attr.value, _shape(node.value, depth - 1)  # type: ignore[attr-defined]
    if kind is cst.Call:
        return kind, len(node.args), _shape(node.func, depth - 1)  # type: ignore[attr-defined]
    if kind is cst.BinaryOperation:
        return (kind, type(node.operator), _shape(node.left, depth - 1),  # type: ignore[attr-defined]
                _shape(node.right, depth - 1))  # type: ignore[attr-defined]
    return kind


def _last_name(func: cst.CSTNode) -> str:
    """``remove`` of ``os.remove``, ``self.fs.remove`` or ``remove``."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _parent_map(root: cst.CSTNode) -> Dict[cst.CSTNode, cst.CSTNode]:
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            parents[child] = node
            stack.append(child)
    return parents


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _statements(block: Block) -> List[cst.CSTNode]:
    return list(block.body)


def _is_read(name: cst.Name, parent: Optional[cst.CSTNode]) -> bool:
    """A name whose parent does not bind it (a target, a parameter) or hold it as an attribute's name."""
    if isinstance(parent, (cst.AssignTarget, cst.Param)):
        return False
    return not (isinstance(parent, cst.Attribute) and parent.attr is name)


def _assigned_name(statement: Statement) -> str:
    """The name a hoisted ``name = ...`` line binds."""
    assign = cst.ensure_type(cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign)
    return cst.ensure_type(assign.targets[0].target, cst.Name).value


def _scan_scope(scope_node: cst.CSTNode) -> Iterator[_Use]:
    """Every node of one scope in source order with its block path; nested defs and classes left out."""
    order = [0]

    def block(owner: Block, statements, path) -> Iterator[_Use]:
        for index, statement in enumerate(statements):
            yield from node(statement, path + ((owner, index),), False, False)

    def node(current: cst.CSTNode, path, nested: bool, in_test: bool) -> Iterator[_Use]:
        order[0] += 1
        yield _Use(current, order[0], path, nested, in_test)
        if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            return
        nested = nested or isinstance(current, _COMPREHENSIONS)
        for child in current.children:
            if isinstance(child, cst.IndentedBlock):
                yield from block(child, child.body, path)
            else:
                test = in_test or (isinstance(current, (cst.If, cst.While)) and child is current.test)
                yield from node(child, path, nested, test)

    if isinstance(scope_node, cst.Module):
        yield from block(scope_node, scope_node.body, ())
    elif isinstance(scope_node, cst.FunctionDef):
        body = scope_node.body
        if isinstance(body, cst.IndentedBlock):
            yield from block(body, body.body, ())
        else:
            yield from node(body, (), False, False)
    else:
        yield from node(scope_node, (), False, False)
