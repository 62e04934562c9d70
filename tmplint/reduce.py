"""What of a big module LibCST needs to see: the functions whose code can hold or feed a finding.

LibCST parses and analyses about a hundred times slower than the standard library's parser, and in a
big module that passes the screen the findings sit in a few functions, if any: mercurial's ``mq.py``
(147 KB) renames patches all over, and none of those renames has a temp name. So a big file goes
through the standard parser first, and each function (a top-level function, or a method of a
top-level class) is asked whether it can matter. The functions that cannot are blanked: each of
their lines keeps only its line ending (a method's first line becomes ``pass``, so its class keeps a
body), so every kept line keeps its number and columns, and every position the analysis reports is
the original's. Module-level statements, class headers and class-level statements always stay.

A function is a **seed** (it can hold a finding) when it holds

* a rename whose source can be reported: the source's value, followed through the function's own
  bindings (all of them, in any order: a superset of what reaches), has a part that is not surely
  unique or unknown to the analysis -- a literal, a name the function does not bind (a module
  constant), an attribute whose class may bind it to one, a call into code the analysis may follow;
* a call to a **helper** (a function whose parameter reaches a rename's source, in this file or,
  through ``relevant``, in another) with such an argument;
* a shape the screen keys on (``mktemp``, a shared temp folder, a temp-name keyword, a catalogue or
  configured name), or a module constant that names a shared temp folder.

Helpers are kept too (the project index reads their summaries), and so is everything a kept function
reads: the functions and classes it names, the methods and attribute stores of its own class family,
and the methods reading an attribute a method stores a shared temp folder's path in (TMP201 follows
``self.cache = "/tmp/app"`` into them). Module- and class-level code is judged as one more function
(``_Module.top``) and always kept.

A file with no seed, no helper and no module-level code that may report **holds no candidate**: it is
not parsed at all (``Reduction.candidate``), as if the text screen had passed it over, unless the
index asks for its definitions (an imported constant) or other files reach a helper through one of
its imports or classes (a re-export: the ``^name`` entries of ``relevant_names``).

``sketch`` gives what other files need to know (the helpers this file defines, the names it calls
with a reportable argument); ``tmplint.project`` joins them across the project and hands each file
the names that matter to it, so a file calling another file's helper keeps that call.

It must be sound: tests/test_reduce.py checks every fixture tree reduced and whole, and the stress,
benchmark and evaluation corpora gave identical findings both ways (``TMPLINT_REDUCE=off`` parses
every file the screens pass whole). A file that does not parse reduced is parsed whole, and the fixer
never writes a reduced text: ``--fix`` parses the whole file.
"""

import ast
import builtins
import os
import pickle
import zlib
from collections import deque
from typing import Deque, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

from tmplint.analysis.knowledge import PATH_METHODS, TMP_KEYWORD
from tmplint.config.model import AnalysisOptions
from tmplint.screen import (_RENAME_MODULES, RENAME_NAMES, literal_in_shared_dir, mentions_catalogue, names_catalogue,
                            quotes_shared_dir)
from tmplint.source import standard_tree, statement_lines

MIN_SIZE = 8 * 1024  # a smaller module is parsed whole when it holds a candidate: blanking saves little
# On unless TMPLINT_REDUCE=off (a switch for checking it, as TMPLINT_SCREEN=off for the screens, which
# turns this off too): identical findings on and off on the benchmark, stress and evaluation corpora.
ENABLED = os.environ.get("TMPLINT_SCREEN") != "off" and os.environ.get("TMPLINT_REDUCE") != "off"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes that bind nothing and that ``_Unit._read`` records nothing of (their children it still visits)
_PLAIN = frozenset({ast.Constant, ast.Expr, ast.BinOp, ast.Compare, ast.If, ast.Subscript, ast.Tuple, ast.List,
                    ast.Dict, ast.Set, ast.JoinedStr, ast.FormattedValue, ast.BoolOp, ast.UnaryOp, ast.IfExp,
                    ast.arguments, ast.arg, ast.Starred, ast.Slice, ast.Pass, ast.Break, ast.Continue, ast.Raise,
                    ast.Try, ast.While, ast.With, ast.AsyncWith, ast.Assert, ast.Await, ast.Yield, ast.YieldFrom,
                    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Delete, ast.alias}
                   | {c for base in (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
                      for c in base.__subclasses__()})
_MATCH_CAPTURES = tuple(getattr(ast, name) for name in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(ast, name))
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__", "__call__", "__enter__", "setUp"})
_RENAME_WORDS = RENAME_NAMES | frozenset({"mv", "moveTo"})
_BUILTINS = frozenset(dir(builtins)) - {"open"}
_WEAK_MODULES = frozenset({"time", "datetime", "threading", "_thread"})
_WEAK_NAMES = frozenset({"getpid", "getppid", "get_ident", "get_native_id", "current_thread", "id"})
_PATH_METHODS = frozenset(PATH_METHODS)
_UNIQUE = frozenset({"uuid1", "uuid4", "mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryDirectory",
                     "SpooledTemporaryFile", "TemporaryFile", "urandom", "token_hex", "token_urlsafe"})

PASSAGE = "^"  # a ``relevant`` entry: an import or class of this file that other files reach a helper through
# Fields that never hold a node ``_walk`` needs: names, flags, and the ``ctx``/``op`` markers
_LEAF_FIELDS = frozenset({"ctx", "op", "id", "attr", "arg", "name", "asname", "module", "level", "kind",
                          "type_comment", "conversion", "is_async", "simple", "tag"})
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _walk(root: ast.AST) -> Iterable[ast.AST]:
    """``ast.walk``'s nodes in its order, without its generators per node and the context and operator
    markers (a big module has millions of nodes: this reading is most of the reduction's cost)."""
    todo = deque([root])
    pop, push = todo.popleft, todo.append
    node_type = ast.AST
    while todo:
        node = pop()
        yield node
        kind = type(node)
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)


Verdict = FrozenSet[str]  # the parameters a value may hold, and OPEN when some part may be reported
OPEN = ""
NOTHING: Verdict = frozenset()
REPORTABLE: Verdict = frozenset({OPEN})


class Sketch(NamedTuple):
    """What one big file tells the others before any is reduced (plain data: it is cached)."""

    helpers: Tuple[Tuple[str, Tuple[str, ...]], ...]  # a function or method (qualified) -> the slots reaching a rename's source
    passes: Tuple[Tuple[str, Tuple[str, ...], str, Tuple[str, ...]], ...]  # (callee, its slots, caller, caller's slots)
    calls: Tuple[Tuple[str, Tuple[str, ...]], ...]  # a callee -> the slots it gets a reportable argument in
    loads: Tuple[str, ...]  # names its functions read without binding them
    constants: Tuple[str, ...]  # module-level names bound to a shared temp folder's path
    aliases: Tuple[Tuple[str, str], ...] = ()  # pkg.mod.util -> mercurial.util: what its imports bind
    classes: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # pkg.mod.Saver -> its bases, qualified
    weight: int = 0  # the bytes LibCST would parse knowing only this file (the runner's size for it)
    candidate: bool = True  # knowing only this file, it holds a candidate (see ``sketch_and_reduce``)


class _Param(NamedTuple):
    name: str


class _Unit:
    """One function or method: its bindings, what it reads and calls."""

    def __init__(self, node: ast.AST, lines: List[str], owner: Optional["_Class"]) -> None:
        self.node = node
        self.name: str = node.name  # type: ignore[attr-defined]
        self.owner = owner
        decorators = node.decorator_list  # type: ignore[attr-defined]
        self.start = min([node.lineno] + [d.lineno for d in decorators])  # type: ignore[attr-defined]
        self.end: int = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        self.indent = lines[node.lineno - 1][:node.col_offset] if owner else ""  # type: ignore[attr-defined]
        self.segment = "".join(lines[self.start - 1:self.end])
        self.slots = _slots(node, owner is not None)  # a parameter -> the call slots that fill it
        self.bindings: Dict[str, List[object]] = {}
        self.names: Set[str] = set()  # names read
        self.self_attrs: Set[str] = set()  # attributes read or called on self/cls
        self.attrs: Set[Tuple[str, str]] = set()  # (name, attribute) read on a name other than self/cls
        self.stores: Dict[str, List[ast.expr]] = {}  # self.x = value
        self.calls: List[ast.Call] = []
        self.returns: List[ast.expr] = []
        self.keyword = False  # a temp-name keyword argument
        self.rename_modules: Set[str] = set()  # import os inside the function
        self.imports: Dict[str, Tuple[int, str]] = {}  # a function-local import: name -> (level, target)
        self.callbacks: Set[str] = set()  # names read other than as a callee: retry(save), partial(f)
        self.consulted: List["_Unit"] = []  # units whose returns or stores its verdicts read
        self.write_callees: List["_Unit"] = []  # this file's callees given a value that may be reported
        self.memo_consults: Dict[int, Set[int]] = {}
        self.memo: Dict[int, Verdict] = {}
        self.seed = self.kept = False
        positional = node.args.posonlyargs + node.args.args  # type: ignore[attr-defined]
        self.receiver: Optional[str] = positional[0].arg if owner is not None and positional else None  # its self
        self.reaching: Set[str] = set()  # its parameters that reach a rename's source: it is a helper
        self.passes: List[Tuple[str, FrozenSet[str], Verdict]] = []  # (callee, slots, the argument's verdict)
        self._read(node)

    def key(self, module: str) -> str:
        """Its qualified name, as callers' keys spell it: ``pkg.mod.f``, ``pkg.mod.Saver.save``."""
        local = f"{self.owner.name}.{self.name}" if self.owner is not None else self.name
        return f"{module}.{local}" if module else local

    @property
    def helper_slots(self) -> Tuple[str, ...]:
        return tuple(sorted({slot for name in self.reaching for slot in self.slots.get(name, ())}))

    def _bind(self, name: str, value: object) -> None:
        self.bindings.setdefault(name, []).append(value)

    def _bind_target(self, target: ast.expr, value: object) -> None:
        """The names a target binds, as the analysis binds them (``scopes._bind_target``): a name, the
        parts of a tuple or list, ``self.x`` (a store); a subscript or another object's attribute binds
        nothing (``q.series[i] = entry`` leaves ``q`` what it was)."""
        kind = type(target)
        if kind is ast.Name:
            self._bind(target.id, value)  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List:
            for element in target.elts:  # type: ignore[attr-defined]
                self._bind_target(element, value)
        elif kind is ast.Starred:
            self._bind_target(target.value, value)  # type: ignore[attr-defined]
        elif kind is ast.Attribute and type(target.value) is ast.Name:  # type: ignore[attr-defined]
            owner = target.value.id  # type: ignore[attr-defined]
            if owner in ("self", "cls"):
                if isinstance(value, ast.expr):
                    self.stores.setdefault(target.attr, []).append(value)  # type: ignore[attr-defined]
            elif owner == self.receiver:  # def save(this): this.tmp = ...: the analysis's self
                self._bind(owner, value)

    def _read(self, root: ast.AST) -> None:
        callees: Set[int] = set()
        loads: List[ast.Name] = []
        for node in _walk(root):
            kind = type(node)
            if kind is ast.Name:  # the commonest first: a big file has millions of nodes
                if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                    self.names.add(node.id)  # type: ignore[attr-defined]
                    loads.append(node)  # type: ignore[arg-type]
                continue
            if kind in _PLAIN:
                continue
            if kind is ast.Attribute:
                value = node.value  # type: ignore[attr-defined]
                if _is_self(value):
                    self.self_attrs.add(node.attr)  # type: ignore[attr-defined]
                elif type(value) is ast.Name:
                    self.attrs.add((value.id, node.attr))  # type: ignore[attr-defined]  # Saver.make_name
                continue
            if kind is ast.Call:
                self.calls.append(node)  # type: ignore[arg-type]
                callees.add(id(node.func))  # type: ignore[attr-defined]
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                args = node.args
                positional = args.posonlyargs + args.args
                for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
                    self._bind(arg.arg, default)
                for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
                    if kw_default is not None:
                        self._bind(arg.arg, kw_default)
                for arg in positional + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
                    self._bind(arg.arg, _Param(arg.arg) if node is root else REPORTABLE)
                if node is not root and not isinstance(node, ast.Lambda):
                    self._bind(node.name, NOTHING)
            elif isinstance(node, ast.ClassDef):
                self._bind(node.name, NOTHING)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind_target(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)):
                self._bind_target(node.target, node.value if node.value is not None else NOTHING)
            elif isinstance(node, ast.AugAssign):
                self._bind_target(node.target, REPORTABLE)  # a counter, a concatenation
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind_target(node.target, node.iter)
            elif isinstance(node, ast.withitem):
                if node.optional_vars is not None:
                    self._bind_target(node.optional_vars, node.context_expr)
            elif isinstance(node, ast.ExceptHandler):
                if node.name:
                    self._bind(node.name, NOTHING)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = (alias.asname or alias.name).split(".")[0]
                    self._bind(bound, REPORTABLE)
                    self.imports[bound] = _import_target(node, alias)
                    if isinstance(node, ast.Import) and alias.name.split(".")[0] in _RENAME_MODULES:
                        self.rename_modules.add(bound)  # def save(): import os ... os.replace(...)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self._bind(name, REPORTABLE)
            elif isinstance(node, _MATCH_CAPTURES):  # case [x, *rest] / {**rest} / y as z (3.10+)
                for capture in (getattr(node, "name", None), getattr(node, "rest", None)):
                    if capture:
                        self._bind(capture, REPORTABLE)
            elif isinstance(node, ast.Return):
                if node.value is not None:
                    self.returns.append(node.value)
            elif isinstance(node, ast.keyword):
                if node.arg is not None and TMP_KEYWORD.match(node.arg):
                    self.keyword = True
        self.callbacks = {name.id for name in loads if id(name) not in callees}


def _slots(node: ast.AST, method: bool) -> Dict[str, Tuple[str, ...]]:
    """Each named parameter's call slots: its position (one less too for a method, called through an
    instance) and its name. A star parameter has none: ``evaluate.bind_arguments`` never binds it."""
    args = node.args  # type: ignore[attr-defined]
    out: Dict[str, Tuple[str, ...]] = {}
    positional = args.posonlyargs + args.args
    for index, arg in enumerate(positional):
        slots = [str(index), arg.arg]
        if method and index:
            slots.append(str(index - 1))
        out[arg.arg] = tuple(slots)
    for arg in args.kwonlyargs:
        out[arg.arg] = (arg.arg,)
    return out


def _call_slots(call: ast.Call) -> List[Tuple[FrozenSet[str], ast.expr]]:
    """Each argument with the slots it may fill, up to the first star argument (the analysis binds
    none from there on, as ``evaluate.bind_arguments``)."""
    stars = [(a.lineno, a.col_offset) for a in call.args if isinstance(a, ast.Starred)]
    stars += [(k.lineno, k.col_offset) for k in call.keywords if k.arg is None]
    first_star = min(stars) if stars else None
    out = []
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        out.append((frozenset({str(index)}), arg))
    for keyword in call.keywords:
        if keyword.arg is not None and (first_star is None or (keyword.lineno, keyword.col_offset) < first_star):
            out.append((frozenset({keyword.arg}), keyword.value))
    return out


def _fills(slots: FrozenSet[str], helper: Set[str]) -> bool:
    """Can an argument in one of ``slots`` reach one of a helper's renamed slots?"""
    return bool(helper) and ("*" in slots or "*" in helper or bool(slots & helper))


def _import_target(node: ast.stmt, alias: ast.alias) -> Tuple[int, str]:
    """What an import binds its name to: (relative level, dotted target)."""
    if isinstance(node, ast.ImportFrom):
        return node.level, ".".join(p for p in (node.module, alias.name) if p)
    return 0, alias.name if alias.asname else alias.name.split(".")[0]


class _Class:
    def __init__(self, node: ast.ClassDef) -> None:
        self.name = node.name
        self.bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
        self.base_refs = [b for b in node.bases if isinstance(b, (ast.Name, ast.Attribute))]
        self.foreign_bases = any(not (isinstance(b, ast.Name) and b.id == "object") for b in node.bases)
        self.methods: Dict[str, List[_Unit]] = {}
        self.class_values: Dict[str, List[ast.expr]] = {}  # class-level NAME = value


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def _callee(func: ast.expr) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _root(node: ast.expr) -> Optional[str]:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Module:
    """One parsed big module: its functions, classes and module-level bindings."""

    def __init__(self, tree: ast.Module, lines: List[str], options: AnalysisOptions, name: str = "",
                 package: str = "") -> None:
        self.name = name  # the module's dotted name: what other files' keys for its functions start with
        self.tree = tree
        self.package = package
        self.import_targets: Dict[str, str] = {}  # module-level import: name -> absolute target
        self.exported_wrappers: Set[str] = set()  # qualified
        self._alias_values: Dict[str, List[ast.expr]] = {}
        self.units: List[_Unit] = []
        self.functions: Dict[str, List[_Unit]] = {}
        self.classes: Dict[str, _Class] = {}
        self.module_values: Dict[str, List[ast.expr]] = {}  # module-level NAME = value
        self.module_stmts: List[Tuple[Set[str], Set[str], bool]] = []  # (binds, reads, holds a rename)
        self.imported: Set[str] = set()  # names module-level imports bind
        self.from_modules: Dict[str, str] = {}  # from time import time: time -> time
        self.rename_modules: Set[str] = set()  # names bound to os, shutil, tensorflow
        self.wrappers: Set[str] = set()  # module- or class-level names bound to a rename
        self.aliases: Dict[str, Set[str]] = {}  # save = partial(utils._atomic_save): save -> {"._atomic_save"}
        self.class_constants: Set[str] = set()  # class-level names bound to a shared temp folder's path
        self.tmp_dirs = tuple(options.tmp_dirs)
        self.special = {"mktemp"}  # and the catalogue's names (``_keyed``)
        self.special.update(q.rsplit(".", 1)[-1] for q, _ in options.save_helpers)
        renames = {q.rsplit(".", 1)[-1] for q, _ in options.rename_functions}
        self.special.update(renames)
        self.rename_words = set(_RENAME_WORDS) | renames
        self.configured_renames = renames
        self.catalogue = mentions_catalogue("".join(lines)) and names_catalogue(tree)  # fsspec: fs.mv(a, b)
        self.constants: Set[str] = set()
        self.by_id: Dict[int, _Unit] = {}
        self._consults: List[Set[int]] = [set()]  # the units the verdict under way has read
        for node in tree.body:
            if isinstance(node, _FUNCTIONS):
                unit = _Unit(node, lines, None)
                self.by_id[id(unit)] = unit
                self.units.append(unit)
                self.functions.setdefault(unit.name, []).append(unit)
            elif isinstance(node, ast.ClassDef):
                cls = self.classes[node.name] = _Class(node)
                for item in node.body:
                    if isinstance(item, _FUNCTIONS):
                        unit = _Unit(item, lines, cls)
                        self.by_id[id(unit)] = unit
                        cls.methods.setdefault(item.name, []).append(unit)
                        self.units.append(unit)
                    else:
                        self._module_statement(item, cls, lines)
            else:
                self._module_statement(node, None, lines)
        for alias, values in self._alias_values.items():  # once every function and import is known
            self.aliases[alias] = set().union(*(self._mentions(value) for value in values))
        self.top = self._top_unit(tree, lines)
        self.tmp_attrs = self._tmp_attrs()

    def _tmp_attrs(self) -> Set[str]:
        """The attributes a method stores a shared temp folder's path in (``self.cache =
        root or "/tmp/app"``, directly or through its own names): TMP201 follows them into the
        methods that read them, so those can report too."""
        out: Set[str] = set()
        for unit in self.units:
            if not unit.stores or not quotes_shared_dir(unit.segment, self.tmp_dirs):
                continue
            carrying: Set[str] = set()
            changed = True
            while changed:
                changed = False
                for name, values in unit.bindings.items():
                    if name not in carrying and any(isinstance(v, ast.expr) and self._carries_tmp_dir(v, carrying)
                                                    for v in values):
                        carrying.add(name)
                        changed = True
            out.update(attr for attr, values in unit.stores.items()
                       if any(self._carries_tmp_dir(v, carrying) for v in values))
        return out

    def _carries_tmp_dir(self, value: ast.expr, names: Set[str]) -> bool:
        return self._names_tmp_dir(value) or any(isinstance(c, ast.Name) and c.id in names for c in _walk(value))

    def _top_unit(self, tree: ast.Module, lines: List[str]) -> _Unit:
        """The module- and class-level code read as one function without bindings of its own (its names
        are the module's), so its calls and renames are judged as a function's are: a module-level
        ``utils.save(".tmp")`` makes the file hold a candidate and names the helper to other files."""
        body: List[ast.stmt] = []
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                body.extend(item for item in node.body if not isinstance(item, _FUNCTIONS))
            elif not isinstance(node, _FUNCTIONS):
                body.append(node)
        arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                                  defaults=[])
        root = ast.FunctionDef(name="<module>", args=arguments, body=body, decorator_list=[], returns=None,
                               type_comment=None, lineno=1, col_offset=0, end_lineno=1, end_col_offset=0)
        top = _Unit(root, lines, None)
        top.segment = ""  # its statements' words and keywords are ``module_stmts``' to judge
        top.bindings.clear()  # a module-level name is read through ``module_values``
        top.imports.clear()
        return top

    def _module_statement(self, node: ast.stmt, cls: Optional[_Class], lines: List[str]) -> None:
        binds: Set[str] = set()
        reads: Set[str] = set()
        renames = seed = False
        nodes = list(_walk(node))
        called = {id(c.func) for c in nodes if isinstance(c, ast.Call)}
        for child in nodes:
            if isinstance(child, ast.Name):
                (binds if isinstance(child.ctx, ast.Store) else reads).add(child.id)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    binds.add(name)
                    if cls is None:
                        self.imported.add(name)
                        self.import_targets[name] = self._absolute(*_import_target(child, alias))
                        if isinstance(child, ast.ImportFrom):
                            self.from_modules[name] = child.module or ""
                        if isinstance(child, ast.Import) and alias.name.split(".")[0] in _RENAME_MODULES:
                            self.rename_modules.add(name)
                    if self._imports_rename(child, alias):
                        renames = True
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                binds.add(child.name)
            elif isinstance(child, ast.Attribute) and child.attr in self.rename_words and id(child) not in called:
                renames = True  # replace = retry(3)(os.replace): a reference (a call is the top unit's to judge)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for bound in _walk(target):
                    if isinstance(bound, ast.Name):
                        (cls.class_values if cls else self.module_values).setdefault(bound.id, []).append(node.value)
                        if self._names_tmp_dir(node.value):
                            (self.class_constants if cls else self.constants).add(bound.id)
                        if cls is None:
                            self._alias_values.setdefault(bound.id, []).append(node.value)
        if renames:
            self.wrappers.update(binds)  # replace = retry(...)(os.replace); from os import replace as r
            self.exported_wrappers.update(self._qualified(cls.name + "." + b if cls else b) for b in binds)
        segment = "".join(lines[node.lineno - 1:node.end_lineno or node.lineno])
        seed = seed or renames or self._keyed(segment, node) \
            or any(isinstance(c, ast.keyword) and c.arg is not None and TMP_KEYWORD.match(c.arg) for c in nodes)
        self.module_stmts.append((binds, reads, seed))

    def _imports_rename(self, node: ast.stmt, alias: ast.alias) -> bool:
        """The import binds a rename (``from os import replace``, a configured rename function), so this
        file exports a wrapper. ``from pkg.tree import replace`` binds another module's function: the
        project's helpers resolve it through the import, as the index does, when it is one."""
        last = alias.name.rsplit(".", 1)[-1]
        if last not in self.rename_words:
            return False
        if last in self.configured_renames or not isinstance(node, ast.ImportFrom):
            return True
        return not node.level and (node.module or "").split(".")[0] in _RENAME_MODULES

    def _qualified(self, name: str) -> str:
        return f"{self.name}.{name}" if self.name else name

    def _absolute(self, level: int, target: str) -> str:
        if not level:
            return target
        parts = self.package.split(".") if self.package else []
        base = parts[:max(0, len(parts) - (level - 1))]
        return ".".join(base + ([target] if target else []))

    def reference(self, expr: ast.expr, unit: Optional[_Unit]) -> Optional[str]:
        """The qualified name a dotted expression refers to, as the project's keys spell it:
        ``util.rename`` after ``from mercurial import util`` is ``mercurial.util.rename``, ``f`` of
        this file ``pkg.mod.f``; None for a local variable or anything else."""
        parts: List[str] = []
        node = expr
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = node.id
        if unit is not None and head in unit.imports:
            base = self._absolute(*unit.imports[head])
        elif unit is not None and head in unit.bindings:
            return None
        elif head in self.import_targets:
            base = self.import_targets[head]
        elif head in self.functions or head in self.classes or head in self.module_values:
            base = self._qualified(head)
        else:
            return None
        return ".".join([base] + parts)

    def _mentions(self, value: ast.expr, unit: Optional[_Unit] = None) -> Set[str]:
        """The keys a value names: ``partial(utils._atomic_save)``, ``retry(...)(save)``."""
        out: Set[str] = set()
        for child in _walk(value):
            if isinstance(child, (ast.Name, ast.Attribute)):
                found = self.reference(child, unit)
                if found is not None:
                    out.add(found)
        return out

    def _names_tmp_dir(self, value: ast.AST) -> bool:
        return any(isinstance(c, ast.Constant) and literal_in_shared_dir(c.value, self.tmp_dirs) for c in _walk(value))

    def _keyed(self, segment: str, node: ast.AST) -> bool:
        """A shape the screen keys on in this code (``segment``, the text of ``node``): ``mktemp``, a
        configured name, the catalogue's, a literal that starts with a shared temp folder (a docstring
        that mentions one starts otherwise)."""
        return any(w in segment for w in self.special) or mentions_catalogue(segment) and names_catalogue(node) \
            or quotes_shared_dir(segment, self.tmp_dirs) and self._names_tmp_dir(node)

    # --- values ------------------------------------------------------------------------------------

    def verdict(self, expr: object, unit: Optional[_Unit], depth: int = 0) -> Verdict:
        """The parameters of ``unit`` that some part of ``expr`` may hold (the call site decides
        those), and OPEN when some part may be a value the rules report; empty when every part is
        surely unique or unknown to the analysis."""
        if isinstance(expr, frozenset):
            return expr
        if isinstance(expr, _Param):
            return frozenset({expr.name})
        if depth > 12:
            return REPORTABLE
        assert isinstance(expr, ast.AST)
        if unit is not None:
            key = id(expr)
            if key in unit.memo:
                self._consults[-1].update(unit.memo_consults.get(key, ()))
                return unit.memo[key]
            unit.memo[key] = NOTHING  # a cycle adds nothing
            self._consults.append(set())
            found = self._verdict(expr, unit, depth)
            consulted = self._consults.pop()
            unit.memo[key] = found
            unit.memo_consults[key] = consulted
            self._consults[-1].update(consulted)
            return found
        return self._verdict(expr, unit, depth)

    def _all(self, exprs: Iterable[object], unit: Optional[_Unit], depth: int) -> Verdict:
        found = NOTHING
        for expr in exprs:
            found = found | self.verdict(expr, unit, depth + 1)
        return found

    def _verdict(self, expr: ast.AST, unit: Optional[_Unit], depth: int) -> Verdict:
        if isinstance(expr, ast.Constant):
            return NOTHING if expr.value is None or isinstance(expr.value, bool) else REPORTABLE
        if isinstance(expr, ast.JoinedStr):
            return REPORTABLE
        if isinstance(expr, ast.Name):
            return self._name(expr.id, unit, depth)
        if isinstance(expr, ast.Attribute):
            if _is_self(expr.value):
                return self._self_attr(expr.attr, unit, depth)
            root = _root(expr)
            if root is not None and (unit is None or root not in unit.bindings) and root in self.imported:
                return REPORTABLE  # config.TMP_NAME
            return self.verdict(expr.value, unit, depth + 1)
        if isinstance(expr, ast.Call):
            return self._call(expr, unit, depth)
        found = self._all([c for c in ast.iter_child_nodes(expr)
                           if isinstance(c, (ast.expr, ast.comprehension, ast.keyword))], unit, depth)
        return found | REPORTABLE if isinstance(expr, ast.Lambda) else found

    def _name(self, name: str, unit: Optional[_Unit], depth: int) -> Verdict:
        if unit is not None and name in unit.bindings:
            return self._all(unit.bindings[name], unit, depth)
        if name in ("self", "cls"):
            return NOTHING
        if name in self.module_values:
            found = self._all(self.module_values[name], None, depth)
            return found | REPORTABLE if name in self.imported else found
        if name in _BUILTINS or name in self.functions or name in self.classes:
            return NOTHING
        return REPORTABLE  # imported, or bound where this reading does not look: a module constant, maybe

    def family(self, cls: Optional[_Class]) -> Tuple[List[_Class], bool]:
        """The class and its in-file bases; True when some base is not in the file."""
        if cls is None:
            return [], True
        seen: List[_Class] = []
        foreign = False
        todo = [cls]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.append(current)
            for base in current.bases:
                if base in self.classes:
                    todo.append(self.classes[base])
            in_file = [b for b in current.bases if b in self.classes]
            foreign = foreign or (current.foreign_bases and len(in_file) < len(current.bases)) \
                or (current.foreign_bases and not current.bases)
        return seen, foreign

    def _self_attr(self, attr: str, unit: Optional[_Unit], depth: int) -> Verdict:
        family, foreign = self.family(unit.owner if unit is not None else None)
        found = REPORTABLE if foreign else NOTHING
        for cls in family:
            for value in cls.class_values.get(attr, ()):
                found = found | (self.verdict(value, None, depth + 1) & REPORTABLE)
            for methods in cls.methods.values():
                for method in methods:
                    if attr in method.stores:
                        self._consults[-1].add(id(method))  # __init__ binds self.tmp
                    for value in method.stores.get(attr, ()):
                        found = found | (self.verdict(value, method, depth + 1) & REPORTABLE)
            for method in cls.methods.get(attr, ()):  # a property, or a bound method passed on
                found = found | self._returns([method], depth)
        return found

    def _call(self, call: ast.Call, unit: Optional[_Unit], depth: int) -> Verdict:
        """As ``evaluate._call`` reads a call: unique and weak calls, joins and conversions (their
        arguments), path methods and ``format`` (receiver and arguments), this file's functions and
        methods (their returns, with the call's arguments); anything else is unknown."""
        func = call.func
        name = _callee(func)
        if name in _UNIQUE:
            return NOTHING
        arguments = self._all([a for a in call.args] + [k.value for k in call.keywords], unit, depth)
        if isinstance(func, ast.Name):
            if unit is not None and func.id in unit.bindings:
                return arguments | self._name(func.id, unit, depth + 1)
            if func.id in self.functions:
                return arguments | self._returns(self.functions[func.id], depth)
            if func.id in self.classes:
                return arguments
            if func.id in self.imported:
                weak = self.from_modules.get(func.id, "").split(".")[0] in _WEAK_MODULES or func.id in _WEAK_NAMES
                return REPORTABLE if weak else arguments
            return REPORTABLE if func.id in _WEAK_NAMES else arguments
        if not isinstance(func, ast.Attribute):
            return NOTHING
        receiver = func.value
        if _is_self(receiver):
            family, _ = self.family(unit.owner if unit is not None else None)
            methods = [m for cls in family for m in cls.methods.get(func.attr, ())]
            return arguments | self._returns(methods, depth)
        root = _root(func)
        if root is not None and (unit is None or root not in unit.bindings) and root in self.imported:
            if root in _WEAK_MODULES or func.attr in _WEAK_NAMES:
                return REPORTABLE
            return arguments  # os.path.join(d, name); another module's function: unknown, but cheap to over-read
        if func.attr == "format" or func.attr in _PATH_METHODS:
            return arguments | self.verdict(receiver, unit, depth + 1)
        if isinstance(receiver, ast.Name) and receiver.id in self.classes:
            methods = self.classes[receiver.id].methods.get(func.attr, [])
            return arguments | self._returns(methods, depth)
        found = self.verdict(receiver, unit, depth + 1) & REPORTABLE  # uuid4().hex.upper(), now().strftime()
        if unit is not None and isinstance(receiver, ast.Name) and \
                any(isinstance(v, ast.Call) for v in unit.bindings.get(receiver.id, ())):
            methods = [m for cls in self.classes.values() for m in cls.methods.get(func.attr, ())]
            if methods:  # saver = Saver(...); saver.name(...): evaluate resolves an instance's method
                return found | arguments | self._returns(methods, depth)
        return found  # a method of an object the analysis cannot type: unknown

    def _returns(self, functions: Iterable[_Unit], depth: int) -> Verdict:
        """What a callee's returns may hold: only OPEN counts (what it builds from its parameters,
        the call site's arguments say)."""
        functions = list(functions)
        self._consults[-1].update(id(function) for function in functions)
        for function in functions:
            if any(OPEN in self.verdict(value, function, depth + 1) for value in function.returns):
                return REPORTABLE
        return NOTHING

    # --- renames and seeds ---------------------------------------------------------------------------

    def rename_sources(self, call: ast.Call, unit: _Unit) -> List[ast.expr]:
        """The expressions that may be the source of a rename this call makes."""
        func = call.func
        name = _callee(func)
        if name is None or not (name in self.rename_words or name in self.wrappers):
            return []
        if isinstance(func, ast.Attribute) and not _is_self(func.value):
            root = _root(func)
            on_module = root is not None and (root in unit.rename_modules or root not in unit.bindings and (
                root in self.rename_modules or root in self.wrappers))
            if not on_module and not (self.catalogue and name in ("mv", "move", "rename")):
                # Path(tmp).replace(dst): one argument, the receiver is the source
                return [func.value] if len(call.args) == 1 and not call.keywords else []
        return list(call.args[:1]) + [k.value for k in call.keywords]

    def call_keys(self, call: ast.Call, unit: _Unit) -> List[Tuple[str, FrozenSet[str]]]:
        """The qualified names a call may reach a function or method by, where the analysis can follow
        it (the project index resolves the same calls), each with extra slots: ``f(...)`` (this file's
        or an imported one), ``Saver(...)`` (``Saver.__init__``), ``util.rename(...)``, ``self.m(...)``
        (each class of its family here, and its bases elsewhere), ``Saver.m(...)``, ``saver.m(...)`` on
        an instance, and what an alias names (``save = partial(utils._atomic_save)``: any slot)."""
        func = call.func
        keys: List[str] = []
        anywhere: Set[str] = set()  # through an alias: the partial's own arguments shift the slots
        if isinstance(func, ast.Name):
            name = func.id
            if name in unit.bindings and name not in unit.imports:
                for value in unit.bindings[name]:
                    if isinstance(value, ast.Call):
                        anywhere.update(self._mentions(value, unit))
            else:
                found = self.reference(func, unit)
                if found is not None:
                    keys += [found, found + ".__init__"]
                anywhere.update(self.aliases.get(name, ()))
        elif isinstance(func, ast.Attribute):
            receiver = func.value
            if _is_self(receiver):
                family, _ = self.family(unit.owner)
                for cls in family:
                    keys.append(self._qualified(f"{cls.name}.{func.attr}"))
                    for base in cls.base_refs:
                        found = self.reference(base, None)
                        if found is not None and not (isinstance(base, ast.Name) and base.id in self.classes):
                            keys.append(f"{found}.{func.attr}")
            elif isinstance(receiver, ast.Name) and receiver.id in unit.bindings and receiver.id not in unit.imports:
                for value in unit.bindings[receiver.id]:  # saver = Saver(...); saver.save(...)
                    if isinstance(value, ast.Call):
                        found = self.reference(value.func, unit)
                        if found is not None:
                            keys.append(f"{found}.{func.attr}")
            else:
                found = self.reference(func, unit)
                if found is not None:
                    keys.append(found)
        out: List[Tuple[str, FrozenSet[str]]] = [(key, frozenset()) for key in dict.fromkeys(keys)]
        return out + [(key, frozenset({"*"})) for key in sorted(anywhere - set(keys))]

    def _local_targets(self, call: ast.Call, unit: _Unit) -> List[_Unit]:
        """This file's functions or methods a call may reach (as ``evaluate.resolve_function`` does)."""
        func = call.func
        if isinstance(func, ast.Name):
            if func.id in unit.bindings:
                return []
            if func.id in self.classes:  # Saver("/tmp/x"): its __init__ may pass it on
                return [m for cls in self.family(self.classes[func.id])[0] for n in _CONSTRUCTORS
                        for m in cls.methods.get(n, ())]
            return list(self.functions.get(func.id, ()))
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return []
        receiver = func.value.id
        if _is_self(func.value):
            family, _ = self.family(unit.owner)
            return [m for cls in family for m in cls.methods.get(func.attr, ())]
        if receiver in self.classes and receiver not in unit.bindings:
            return [m for cls in self.family(self.classes[receiver])[0] for m in cls.methods.get(func.attr, ())]
        if any(isinstance(v, ast.Call) for v in unit.bindings.get(receiver, ())):
            return [m for cls in self.classes.values() for m in cls.methods.get(func.attr, ())]
        return []

    def scan(self, unit: _Unit) -> None:
        """The unit's own verdict: a seed, the parameters reaching a rename, what it passes on, and
        what of this file its verdicts read (kept with it)."""
        self._consults.append(set())
        self._scan(unit)
        unit.consulted = [self.by_id[i] for i in sorted(self._consults.pop()) if i in self.by_id]

    def _scan(self, unit: _Unit) -> None:
        if unit.keyword or unit.names & self.constants or unit.self_attrs & (self.class_constants | self.tmp_attrs) \
                or {attr for _, attr in unit.attrs} & self.class_constants or self._keyed(unit.segment, unit.node):
            unit.seed = True
        for call in unit.calls:
            for source in self.rename_sources(call, unit):
                found = self.verdict(source, unit)
                if OPEN in found:
                    unit.seed = True
                unit.reaching.update(found - REPORTABLE)
            keys: Optional[List[Tuple[str, FrozenSet[str]]]] = None  # asked once an argument may matter
            given = False
            for slots, arg in _call_slots(call):
                found = self.verdict(arg, unit)
                if found:
                    given = True
                    if keys is None:
                        keys = self.call_keys(call, unit)
                    for name, extra in keys:
                        unit.passes.append((name, slots | extra, found))
            if given:  # its summary may say it writes the value: what it calls in turn matters too
                unit.write_callees.extend(self._local_targets(call, unit))


def _parse(text: str) -> Optional[ast.Module]:
    if "\r" in text or text.startswith("\ufeff"):
        return None
    return standard_tree(text)


Helpers = Dict[str, Set[str]]  # a helper's name -> the call slots reaching a rename's source


def _reached(key: str, local: Helpers, given: Helpers) -> Set[str]:
    """The renamed slots of the helper a call key names, in this file or (``given``) another."""
    return local.get(key, set()) | given.get(key, set())


def _spread(module: _Module, given: Helpers) -> Helpers:
    """This file's helpers: functions renaming a parameter, and those passing a parameter on to a
    helper's renamed slot (this file's or, in ``given``, another's), to a fixpoint."""
    local: Helpers = {}
    changed = True
    while changed:
        changed = False
        for unit in module.units:
            for callee, slots, found in unit.passes:
                if found - REPORTABLE and _fills(slots, _reached(callee, local, given)):
                    unit.reaching.update(found - REPORTABLE)
            if unit.reaching:
                own = set(unit.helper_slots)
                key = unit.key(module.name)
                if not own <= local.get(key, set()):
                    local.setdefault(key, set()).update(own)
                    changed = True
    return local


def _module(text: str, options: AnalysisOptions, name: str = "", package: str = "") -> Optional[_Module]:
    tree = _parse(text)
    if tree is None:
        return None
    module = _Module(tree, text.splitlines(True), options, name, package)
    for unit in module.units:
        module.scan(unit)
    module.scan(module.top)
    return module


def sketch(text: str, options: AnalysisOptions, module: str = "", package: str = "") -> Optional[Sketch]:
    """What this file tells the others (None: the standard parser rejects it; it is parsed whole).
    ``module`` and ``package``: its dotted name and package, which qualify its keys."""
    parsed = _module(text, options, module, package)
    return None if parsed is None else _sketched(parsed, text)


def _sketched(parsed: "_Module", text: str) -> Sketch:
    found, reduced, candidate = _reduction(parsed, text, ())
    if candidate:
        weight = len(reduced or text)
    else:  # what stays if other files' helpers make it a candidate after all: at least its module-level code
        weight = len(text) - sum(len(unit.segment) for unit in parsed.units)
    return found._replace(weight=weight, candidate=candidate)


def sketch_and_plan(text: str, options: AnalysisOptions, module: str = "", package: str = ""
                    ) -> Tuple[Optional[Sketch], Optional[bytes]]:
    """``sketch``, and the ``Plan`` that reduces the file later without reading it again (the
    reduced parse needs the project's helpers, known once every file is sketched): the standard
    parser and the reading of each function are most of a reduced parse's cost."""
    parsed = _module(text, options, module, package)
    if parsed is None:
        return None, None
    found = _sketched(parsed, text)
    lines = tuple(statement_lines(parsed.tree))
    return found, zlib.compress(pickle.dumps(Plan(found, _detached(parsed), lines), pickle.HIGHEST_PROTOCOL), 1)


class Plan(NamedTuple):
    """A file's first reading, kept for its reduced parse: its sketch, its module without the
    standard parser's tree (what ``_mark_seeds`` and ``_blank`` read), and the lines of every
    statement of the tree (the guard's shortcut: all of them, or it would judge too few)."""

    sketch: Sketch
    module: "_Module"
    statements: Tuple[Tuple[int, int], ...]


# What ``_mark_seeds``, ``_spread`` and ``_blank`` read of a module and its units: the rest holds the
# standard parser's nodes, which a plan leaves behind (a fifth of the text's size, pickled and packed).
_PLAN_MODULE = frozenset({"name", "units", "top", "functions", "classes", "module_stmts"})
_PLAN_UNIT = frozenset({"name", "owner", "start", "end", "indent", "slots", "names", "attrs", "passes", "reaching",
                        "consulted", "write_callees", "callbacks", "seed", "kept"})
_PLAN_CLASS = frozenset({"name", "methods"})


def _detached(module: "_Module") -> "_Module":
    """``module`` stripped to what a later reduction reads (in place: the caller is done with it).
    Seeds and helpers found so far stay (relevant names only add to them); what was kept is forgotten."""
    for unit in module.units + [module.top]:
        unit.kept = False
        unit.__dict__ = {name: value for name, value in vars(unit).items() if name in _PLAN_UNIT}
    for cls in module.classes.values():
        cls.__dict__ = {name: value for name, value in vars(cls).items() if name in _PLAN_CLASS}
    module.__dict__ = {name: value for name, value in vars(module).items() if name in _PLAN_MODULE}
    return module


class Reduction(NamedTuple):
    """One reading of a file that knows the project's helpers (see ``sketch_and_reduce``)."""

    sketch: Optional[Sketch]  # None: the standard parser rejects the file; parse it whole
    text: Optional[str]  # the text to parse, functions that cannot matter blanked; None: the whole file
    candidate: bool  # False: nothing in the file can be reported, and it defines no helper
    tree: Optional[ast.Module] = None  # the standard parser's tree of the whole text (the guard reads it)
    statements: Optional[Tuple[Tuple[int, int], ...]] = None  # or its statements' lines, from a plan


def sketch_and_reduce(text: str, options: AnalysisOptions, relevant: Iterable[str], module: str = "",
                      package: str = "", plan: Optional[bytes] = None) -> Reduction:
    """``sketch`` and ``reduce_source`` from one reading of the file, and whether it holds a candidate;
    from the file's ``plan`` (``sketch_and_plan``) when it has one, without reading it again."""
    if plan is not None:
        found, parsed, statements = pickle.loads(zlib.decompress(plan))
        candidate = _mark_seeds(parsed, relevant)
        return Reduction(found, _blank(parsed, text) if len(text) >= MIN_SIZE else None, candidate,
                         statements=statements)
    parsed = _module(text, options, module, package)
    if parsed is None:
        return Reduction(None, None, True)
    return Reduction(*_reduction(parsed, text, relevant), tree=parsed.tree)


def _reduction(parsed: "_Module", text: str, relevant: Iterable[str]) -> Tuple[Sketch, Optional[str], bool]:
    """The sketch, the text to parse (None: whole) and whether it holds a candidate, knowing ``relevant``."""
    found = _sketch(parsed)
    candidate = _mark_seeds(parsed, relevant)
    return found, _blank(parsed, text) if len(text) >= MIN_SIZE else None, candidate


def _sketch(parsed: "_Module") -> Sketch:
    helpers = _spread(parsed, {})
    for wrapper in parsed.exported_wrappers:  # replace_retrying = retry(3)(os.replace): a rename to other files
        helpers.setdefault(wrapper, set()).update(("0", "src"))  # its source
    passes = set()
    calls: Dict[str, Set[str]] = {}
    loads: Set[str] = set()
    for unit in parsed.units + [parsed.top]:
        for callee, slots, found in unit.passes:
            if OPEN in found:
                calls.setdefault(callee, set()).update(slots)
            own = {slot for name in found - REPORTABLE for slot in unit.slots.get(name, ())}
            if own:
                passes.add((callee, tuple(sorted(slots)), unit.key(parsed.name), tuple(sorted(own))))
        loads.update(n for n in unit.names if n not in unit.bindings)
        loads.update(attr for _, attr in unit.attrs)  # config.TMP_LOG, Spool.LOG
    aliases = tuple(sorted((parsed._qualified(name), target) for name, target in parsed.import_targets.items()))
    classes = tuple(sorted((parsed._qualified(name), tuple(sorted(filter(None, (
        parsed.reference(base, None) for base in cls.base_refs))))) for name, cls in parsed.classes.items()))
    return Sketch(tuple(sorted((n, tuple(sorted(s))) for n, s in helpers.items())), tuple(sorted(passes)),
                  tuple(sorted((n, tuple(sorted(s))) for n, s in calls.items())),
                  tuple(sorted(loads)), tuple(sorted(parsed.constants | parsed.class_constants)), aliases, classes)


class ProjectHelpers:
    """The helpers of the whole project, looked up by the keys files call them by: through imports
    and re-exports (``pkg.save`` -> ``pkg.io.save``) and base classes (``App.save`` -> ``Base.save``),
    as the project index resolves calls."""

    def __init__(self, sketches: Iterable[Sketch]) -> None:
        sketches = list(sketches)
        self._known: Optional[Dict[str, Set[str]]] = None
        self._last_names: Set[str] = set()
        self.helpers: Helpers = {}
        self.aliases: Dict[str, str] = {}
        self.bases: Dict[str, Tuple[str, ...]] = {}
        for one in sketches:
            for name, slots in one.helpers:
                self.helpers.setdefault(name, set()).update(slots)
            self.aliases.update(one.aliases)
            self.bases.update(one.classes)
        # A function passing its parameter on to a helper's renamed slot is one. Worklist: a callee is
        # resolved again only when a key its last resolution went through became a helper or grew, and
        # not at all while its last name is not one a helper's key can have (``_last_names``).
        passes: Dict[str, List[Tuple[Tuple[str, ...], str, Tuple[str, ...]]]] = {}
        for one in sketches:
            for callee, slots, caller, own in one.passes:
                passes.setdefault(callee, []).append((slots, caller, own))
        waiting: Dict[str, List[str]] = {}  # a last name -> the callees that have it
        for callee in sorted(passes):
            waiting.setdefault(_last(callee), []).append(callee)
        renamed = _renamings(self.aliases)
        names: Set[str] = set()
        readers: Dict[str, Set[str]] = {}  # a key -> the callees whose resolution went through it
        todo: Deque[str] = deque()
        queued: Set[str] = set()

        def admit(name: str) -> None:  # a last name a helper's key can have: its callees are looked up
            for one in _closure(name, renamed, names):
                for callee in waiting.pop(one, ()):
                    todo.append(callee)
                    queued.add(callee)

        for name in sorted(self.helpers):
            admit(_last(name))
        while todo:
            callee = todo.popleft()
            queued.discard(callee)
            visited: Set[str] = set()
            found = self._resolve(callee, 0, None, visited)
            for key in visited:
                readers.setdefault(key, set()).add(callee)
            if not found:
                continue
            for filled, caller, passed in passes[callee]:
                have = self.helpers.get(caller)
                if (have is None or not have.issuperset(passed)) and _fills(frozenset(filled), found):
                    if have is None:
                        have = self.helpers[caller] = set()
                        admit(_last(caller))
                    have.update(passed)
                    for reader in readers.get(caller, ()):
                        if reader not in queued:
                            todo.append(reader)
                            queued.add(reader)
        self._last_names = names
        # The imports and classes that calls reach a helper through (``pkg.save`` re-exporting
        # ``pkg.io.save``, ``App.save`` inheriting ``Base.save``): the index resolves such a call in
        # the file that binds them, so that file must be parsed even when it holds no candidate.
        self.through: Set[str] = set()
        callees = {callee for one in sketches for callee, _ in one.calls}
        callees.update(callee for one in sketches for callee, _, _, _ in one.passes)
        for callee in sorted(callees):
            if _last(callee) in self._last_names:
                self.slots(callee, trail=self.through)
        self._known = {}  # the helpers are final: so is each key's answer

    def __len__(self) -> int:
        return len(self.helpers)

    def slots(self, key: str, depth: int = 0, trail: Optional[Set[str]] = None) -> Set[str]:
        """The renamed slots of what ``key`` names (empty: no helper); ``trail`` collects the import
        and class names the lookup went through to find one."""
        known = self._known
        if known is not None and trail is None and not depth:
            found = known.get(key)
            if found is None:
                found = known[key] = self._resolve(key, 0, None) if _last(key) in self._last_names else set()
            return found
        return self._resolve(key, depth, trail)

    def _resolve(self, key: str, depth: int, trail: Optional[Set[str]], visited: Optional[Set[str]] = None) -> Set[str]:
        """``slots`` without the memo; ``visited`` collects every key the answer depends on."""
        if visited is not None:
            visited.add(key)
        found = self.helpers.get(key)
        if found is not None or depth > 8:
            return found or set()
        parts = key.split(".")
        for cut in range(len(parts), 0, -1):  # the longest prefix an import binds
            prefix = ".".join(parts[:cut])
            target = self.aliases.get(prefix)
            if target is not None and target != prefix:
                found = self._resolve(".".join([target] + parts[cut:]), depth + 1, trail, visited)
                if found and trail is not None:
                    trail.add(prefix)
                return found
        owner, _, method = key.rpartition(".")
        out: Set[str] = set()
        for base in self.bases.get(owner, ()):
            out |= self._resolve(f"{base}.{method}", depth + 1, trail, visited)
        if out and trail is not None:
            trail.add(owner)
        return out


def _last(key: str) -> str:
    return key.rpartition(".")[2]


def _renamings(aliases: Dict[str, str]) -> Dict[str, Set[str]]:
    """A last name -> the last names of the imports that bind it under another (``from pkg.io import
    save as store``: ``save`` -> ``store``). Resolving keeps a key's last name (``pkg.save`` ->
    ``pkg.io.save``, ``App.save`` -> ``Base.save``) except through such an import, so a key whose last
    name is neither a helper's nor one of these names no helper and is not looked up at all (most calls
    of a big project: ``os.path.join``, ``self.log``)."""
    renamed: Dict[str, Set[str]] = {}
    for alias, target in aliases.items():
        old, new = _last(target), _last(alias)
        if old != new:
            renamed.setdefault(old, set()).add(new)
    return renamed


def _closure(name: str, renamed: Dict[str, Set[str]], names: Set[str]) -> List[str]:
    """Add ``name`` and the names imports rename it to (``_renamings``) to ``names``; the ones that are new."""
    added = []
    todo = [name]
    while todo:
        one = todo.pop()
        if one not in names:
            names.add(one)
            added.append(one)
            todo.extend(renamed.get(one, ()))
    return added


def project_helpers(sketches: Iterable[Sketch]) -> ProjectHelpers:
    return ProjectHelpers(sketches)


def relevant_names(own: Sketch, helpers: ProjectHelpers, constants: FrozenSet[str]) -> Tuple[str, ...]:
    """What of the project matters to this file, as ``key:slot``, ``name`` and ``^name``: the helpers
    it calls with a reportable argument or a parameter in a renamed slot, the shared-temp-folder
    constants it reads, and its imports and classes through which other files call a helper."""
    out: Set[str] = set()
    callees = list(own.calls) + [(callee, slots) for callee, slots, _, _ in own.passes]
    for callee, slots in callees:
        found = helpers.slots(callee)
        if _fills(frozenset(slots), found):
            out.update(f"{callee}:{slot}" for slot in sorted(found))
    out.update(set(own.loads) & constants)
    out.update(PASSAGE + name for name in [n for n, _ in own.aliases] + [n for n, _ in own.classes]
               if name in helpers.through)
    # An import that gives a helper another name (``from pkg.io import save as store``): files calling
    # ``store`` do not mention ``save``, so stage two finds them only once the index knows this one.
    out.update(PASSAGE + alias for alias, target in own.aliases
               if _last(alias) != _last(target) and helpers.slots(target))
    return tuple(sorted(out))


def reduce_source(text: str, options: AnalysisOptions, relevant: Iterable[str] = (), module_name: str = "",
                  package: str = "") -> Optional[str]:
    """``text`` with the functions that cannot matter blanked, or None to parse it whole."""
    if len(text) < MIN_SIZE:
        return None
    module = _module(text, options, module_name, package)
    if module is None:
        return None
    _mark_seeds(module, relevant)
    return _blank(module, text)


def _mark_seeds(module: _Module, relevant: Iterable[str]) -> bool:
    """Mark the units that can hold a finding knowing ``relevant`` (other files' helpers and
    constants); True when the file holds a candidate: such a unit, module-level code that may
    rename or report, or a helper."""
    given: Helpers = {}
    constants = set()
    passage = False
    for item in relevant:
        if item.startswith(PASSAGE):
            passage = True
            continue
        name, _, slot = item.partition(":")
        if slot:
            given.setdefault(name, set()).add(slot)
        else:
            constants.add(name)
    local = _spread(module, given)
    for unit in module.units + [module.top]:
        if unit.reaching or unit.names & constants or {attr for _, attr in unit.attrs} & constants:
            unit.seed = True
        elif any(OPEN in found and _fills(slots, _reached(callee, local, given)) for callee, slots, found in unit.passes):
            unit.seed = True
    return passage or module.top.seed or any(unit.seed for unit in module.units) \
        or any(seed for _, _, seed in module.module_stmts)


def _blank(module: _Module, text: str) -> Optional[str]:
    """The text without the units that neither are seeds nor feed one."""
    kept_names: Set[str] = set()
    todo = [unit for unit in module.units + [module.top] if unit.seed]
    for unit in todo:
        unit.kept = True

    def want(units: Iterable[_Unit]) -> None:
        for other in units:
            if not other.kept:
                other.kept = True
                todo.append(other)

    def named(name: str) -> None:
        kept_names.add(name)
        want(module.functions.get(name, ()))
        cls = module.classes.get(name)
        if cls is not None:
            want(m for n in _CONSTRUCTORS for m in cls.methods.get(n, ()))

    statements = [s for s in module.module_stmts if not s[2]]
    for _, reads, seed in module.module_stmts:  # module-level code that renames: what it reads
        if seed:
            for name in reads:
                named(name)
    while todo:  # what a kept function's verdicts read, the callees it hands a value, its callbacks
        unit = todo.pop()
        want(unit.consulted)
        want(unit.write_callees)
        for name in unit.callbacks:
            named(name)
        for statement in list(statements):  # a module-level binding a kept function reads
            binds, reads, _ = statement
            if binds & unit.names:
                statements.remove(statement)
                for name in reads:
                    named(name)
    dropped = [unit for unit in module.units if not unit.kept]
    if not dropped:
        return None
    out = text.splitlines(True)
    for unit in dropped:
        for index in range(unit.start - 1, unit.end):
            line = out[index]
            out[index] = line[len(line.rstrip("\n")):]
        if unit.indent:
            out[unit.start - 1] = f"{unit.indent}pass{out[unit.start - 1]}"
    return "".join(out)
