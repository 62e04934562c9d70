"""Where a path literal goes: does it reach a filesystem operation (TMP201)?

A literal is followed up through what builds a path from it (``+``, ``/``, ``%``, f-strings,
``os.path.join``, ``Path(...)``, ``.format``, ``with_suffix``), through the names and attributes
it is bound to (locals, module and class constants, ``self.x``, a parameter's default) to each
of their uses, until it meets a call. The call decides: a filesystem operation (open, load, save,
mkdir, remove, a socket's bind, a keyword that names a path) or not (anything else: compared,
logged, formatted into a message, an unknown call). Built only for files holding a candidate.
"""

import re
from typing import Dict, List, Optional, Set

import libcst as cst

from tmplint.analysis import knowledge as K
from tmplint.analysis.scopes import CLASS, Scope, _child_fields, dotted_name

MAX_HOPS = 4  # name -> use -> name ...: how far a literal is followed

FS_CALLS = K.OPENERS | K.RENAMES | K.COPIES | frozenset({
    "os.open", "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.mkdir", "os.makedirs", "os.symlink",
    "os.link", "os.chmod", "os.chown", "os.lchown", "os.truncate", "os.utime", "os.mkfifo", "os.mknod",
    "os.listdir", "os.scandir", "os.walk", "os.chdir", "shutil.rmtree", "shutil.copyfileobj", "shutil.make_archive",
    "shutil.unpack_archive", "sqlite3.connect", "logging.FileHandler", "logging.handlers.RotatingFileHandler",
    "logging.handlers.TimedRotatingFileHandler", "logging.handlers.WatchedFileHandler", "tarfile.open",
    "zipfile.ZipFile", "shelve.open", "dbm.open", "socket.socket.bind", "glob.glob", "fcntl.flock",
    "filelock.FileLock", "filelock.SoftFileLock", "filelock.UnixFileLock", "portalocker.Lock",  # open the lock file
})
FS_METHODS = frozenset({
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "touch", "mkdir", "makedirs", "unlink",
    "rmdir", "rename", "replace", "symlink_to", "hardlink_to", "link_to", "iterdir", "glob", "rglob", "chmod",
    "bind", "remove", "rmtree", "symlink", "link",
})
# calls that build a new path from an argument: follow their result
PATH_BUILDERS = K.JOINS | K.PASS_THROUGH | K.PATH_TYPES
PATH_METHODS = K.PATH_METHODS_SAME | K.PATH_METHODS_NEW | frozenset({"format", "encode", "decode"})
FS_WORDS = re.compile(r"^_*(load|read|save|dump|write|store|export|to_)|open$", re.IGNORECASE)
PATH_KEYWORD = re.compile(r"(?i)^(path|file|filename|filepath|.*_path|.*_file|.*dir)$")
NOT_FS = K.PATH_QUERIES | frozenset({"join", "split", "splitext", "get", "getenv"})


class PathFlow:
    """Answers ``reaches_filesystem(literal)`` for one module, over a parent map built once."""

    def __init__(self, module: cst.Module, tables, evaluator):
        self.tables = tables
        self.ev = evaluator
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.names: Dict[str, List[cst.Name]] = {}
        self.attributes: Dict[str, List[cst.Attribute]] = {}
        self._index(module)

    def _index(self, root: cst.CSTNode) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                self.names.setdefault(node.value, []).append(node)
            elif isinstance(node, cst.Attribute):
                self.attributes.setdefault(node.attr.value, []).append(node)
            for field in _child_fields(type(node)):
                value = getattr(node, field)
                children = value if isinstance(value, (list, tuple)) else (value,)
                for child in children:
                    if isinstance(child, cst.CSTNode):
                        self.parent[child] = node
                        stack.append(child)

    # --- where a node sits -------------------------------------------------------------------
    def scope_of(self, node: cst.CSTNode) -> Scope:
        current: Optional[cst.CSTNode] = self.parent.get(node)
        while current is not None:
            scope = self.tables.scope_of.get(current)
            if scope is not None:
                return scope
            current = self.parent.get(current)
        return self.tables.module_scope

    # --- following a value ------------------------------------------------------------------
    def reaches_filesystem(self, literal: cst.CSTNode) -> bool:
        return self._reaches(literal, MAX_HOPS, set())

    def _reaches(self, node: cst.CSTNode, hops: int, seen: Set[cst.CSTNode]) -> bool:
        if node in seen:
            return False
        seen.add(node)
        in_container = False  # an element of a list or tuple: no longer the value of a path keyword
        while True:
            parent = self.parent.get(node)
            if parent is None:
                return False
            if isinstance(parent, (cst.BinaryOperation, cst.ConcatenatedString, cst.FormattedString,
                                   cst.FormattedStringExpression, cst.Element, cst.Tuple, cst.List,
                                   cst.IfExp, cst.BooleanOperation)):
                in_container = in_container or isinstance(parent, (cst.Element, cst.Tuple, cst.List))
                node = parent
                continue
            if isinstance(parent, cst.Arg):
                call = self.parent.get(parent)
                if not isinstance(call, cst.Call):
                    return False
                verdict = self._call(call, parent, in_container)
                if verdict is None:  # the call builds a path from it: follow the result
                    node = call
                    continue
                if not verdict and hops > 0 and not in_container:
                    return any(self._reaches(use, hops - 1, seen) for use in self._parameter_uses(call, parent))
                return verdict
            if isinstance(parent, cst.Attribute) and parent.value is node:
                call = self.parent.get(parent)
                if not isinstance(call, cst.Call) or call.func is not parent:
                    return False
                method = parent.attr.value
                if method in ("replace", "rename") and len(call.args) != 1:
                    return False  # str.replace(old, new), not a path's rename
                if method in FS_METHODS:
                    return True
                if method in PATH_METHODS:
                    node = call
                    continue
                return False
            if hops <= 0:
                return False
            if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AssignTarget)) or \
                    isinstance(parent, cst.NamedExpr) and parent.value is node:
                return any(self._reaches(use, hops - 1, seen) for use in self._uses_of_targets(parent))
            if isinstance(parent, cst.Param) and parent.default is node:
                parameters = self.parent.get(parent)
                function = self.parent.get(parameters) if parameters is not None else None  # Param -> Parameters -> def
                return any(self._reaches(use, hops - 1, seen)
                           for use in self._name_uses(parent.name.value, function))
            return False

    def _call(self, call: cst.Call, arg: cst.Arg, in_container: bool = False) -> Optional[bool]:
        """True: a filesystem operation takes the path; None: it builds a new path; False: neither."""
        scope = self.scope_of(call)
        qualified = self.ev.qualname(call.func, scope) or dotted_name(call.func) or ""
        last = call.func.attr.value if isinstance(call.func, cst.Attribute) else qualified.rsplit(".", 1)[-1]
        if qualified in PATH_BUILDERS or last in K.PATH_CLASS_NAMES or last == "joinpath":
            return None
        if qualified.startswith("tempfile."):
            return False  # dir= and prefix= name where tempfile makes a unique name
        if arg.keyword is not None and PATH_KEYWORD.match(arg.keyword.value) and not in_container:
            return True
        if qualified in FS_CALLS or last in FS_METHODS:
            return last not in NOT_FS
        if last in NOT_FS or qualified.startswith(("os.path.", "os.environ")):
            return False
        return bool(FS_WORDS.search(last))

    def _parameter_uses(self, call: cst.Call, arg: cst.Arg) -> List[cst.CSTNode]:
        """A call of a function (or a class's ``__init__``) of this file: the uses, inside it, of the
        parameter the argument binds (bound as the evaluator binds a helper's arguments)."""
        scope = self.scope_of(call)
        target = self.ev.resolve_function(call.func, scope) or self._constructor(call.func, scope)
        if target is None:
            return []
        function, skip_first, pre_args = target
        for root, (_, bound) in self.ev.bind_arguments(function, call, scope, skip_first, pre_args).items():
            if bound is arg:
                return self._name_uses(root.split(":", 1)[1], function.node)
        return []

    def _constructor(self, func: cst.CSTNode, scope: Scope):
        """``C(...)`` for a class ``C`` of this file: its ``__init__``, ``self`` bound."""
        if not isinstance(func, cst.Name):
            return None
        found = self.ev.lookup(func.value, scope)
        if not found or len(found[1]) != 1 or found[1][0].kind != CLASS:
            return None
        cls = found[0].classes.get(func.value)
        init = cls.functions.get("__init__") if cls is not None else None
        return (init, True, ()) if init is not None else None

    def _uses_of_targets(self, statement: cst.CSTNode) -> List[cst.CSTNode]:
        """The uses of what an assignment binds: a function's local in that function; a module or
        class constant anywhere in the module, also as an attribute (``self.LOG``, ``Spool.LOG``)."""
        if isinstance(statement, cst.AssignTarget):
            assign = self.parent.get(statement)
            if assign is None:
                return []
            statement = assign
        targets: List[cst.CSTNode] = []
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
        elif isinstance(statement, (cst.AnnAssign, cst.NamedExpr)):
            targets = [statement.target]
        scope = self.scope_of(statement)
        local = scope.kind in ("function", "lambda")
        uses: List[cst.CSTNode] = []
        for target in targets:
            if isinstance(target, cst.Name):
                uses.extend(self._name_uses(target.value, scope.node if local else None))
                if not local:
                    uses.extend(self._attribute_uses(target.value))
            elif isinstance(target, cst.Attribute):
                uses.extend(self._attribute_uses(target.attr.value))
        return uses

    def _name_uses(self, name: str, within: Optional[cst.CSTNode]) -> List[cst.CSTNode]:
        """Loads of ``name`` inside ``within`` (a function), or anywhere in the module when None."""
        uses: List[cst.CSTNode] = []
        for node in self.names.get(name, ()):
            parent = self.parent.get(node)
            if isinstance(parent, (cst.AssignTarget, cst.Param)) or \
                    isinstance(parent, cst.Attribute) and parent.attr is node:
                continue
            if within is not None and not self._inside(node, within):
                continue
            uses.append(node)
        return uses

    def _attribute_uses(self, attr: str) -> List[cst.CSTNode]:
        return [node for node in self.attributes.get(attr, ())
                if not isinstance(self.parent.get(node), cst.AssignTarget)]

    def _inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current = self.parent.get(node)
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent.get(current)
        return False
