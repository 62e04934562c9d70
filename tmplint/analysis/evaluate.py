"""Expression -> ``Value``: names, attributes, calls and string building followed as rules.md says."""

import contextlib
import re
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

from tmplint.analysis import knowledge as K
from tmplint.analysis import values as V
from tmplint.analysis.scopes import (
    ASSIGN, AUG, CLASS, DEF, FOR, IMPORT, PARAM, UNPACK, WITH, Binding, ModuleTables, Scope, Where, dotted_name,
    reaching,
)
from tmplint.config.model import AnalysisOptions

MAX_DEPTH = 40
_STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsab%]")
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class Evaluator:
    def __init__(self, module: cst.Module, tables: ModuleTables, options: AnalysisOptions):
        self.module = module
        self.tables = tables
        self.options = options
        self.depth = 0
        self._names: Dict[tuple, V.Value] = {}
        self._at: Optional[Tuple[Scope, Where]] = None  # the point being evaluated, for reaching values
        self._returns: Dict[int, Optional[V.Value]] = {}
        self._texts: Dict[cst.CSTNode, str] = {}
        fix_helper = options.fix_helper or ""
        self.fix_helper = fix_helper.replace(":", ".") if fix_helper else None

    # --- helpers -------------------------------------------------------------------------
    def text(self, node: cst.CSTNode) -> str:
        found = self._texts.get(node)
        if found is None:
            found = self._texts[node] = " ".join(self.module.code_for_node(node).split())
        return found

    def unknown(self, node: cst.CSTNode, scope: Scope) -> V.Value:
        return V.opaque(f"{scope.id}:{self.text(node)}")

    def lookup(self, name: str, scope: Scope) -> Optional[Tuple[Scope, List[Binding]]]:
        """Python's name resolution: local, enclosing functions (not classes), module."""
        if name in scope.globals:
            scope = self.tables.module_scope
        current: Optional[Scope] = scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return current, current.bindings[name]
            first = False
            current = current.parent
        return None

    def qualname(self, expr: cst.CSTNode, scope: Scope, _depth: int = 0) -> Optional[str]:
        """The imported or builtin name an expression refers to (``os.path.join``), else None."""
        dotted = dotted_name(expr)
        if dotted is None or _depth > 5:
            return None
        head, _, rest = dotted.partition(".")
        found = self.lookup(head, scope)
        if found is None:
            return dotted  # a builtin, or a name this file never binds
        owner, bindings = found
        binding = bindings[0]
        imported = binding.imported
        if imported is not None and all(b.kind == IMPORT and b.extra == imported for b in bindings):
            base = imported  # `import os` twice is still os
        elif len(bindings) != 1:
            return None
        elif binding.kind == ASSIGN and binding.value is not None and dotted_name(binding.value):
            through = self.qualname(binding.value, owner, _depth + 1)
            if through is None:
                return None
            base = through
        else:
            return None
        return f"{base}.{rest}" if rest else base

    # --- evaluation ----------------------------------------------------------------------
    def eval(self, expr: cst.CSTNode, scope: Scope) -> V.Value:
        if self.depth > MAX_DEPTH:
            return self.unknown(expr, scope)
        self.depth += 1
        try:
            return self._eval(expr, scope)
        finally:
            self.depth -= 1

    def _eval(self, expr: cst.CSTNode, scope: Scope) -> V.Value:
        if isinstance(expr, cst.SimpleString):
            value = V.string_value(expr)
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            return V.literal(text, expr, scope.id)
        if isinstance(expr, cst.ConcatenatedString):
            return self.eval(expr.left, scope) + self.eval(expr.right, scope)
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, scope)
        if isinstance(expr, cst.Name):
            return self.eval_name(expr.value, scope, expr)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope)
        if isinstance(expr, cst.IfExp):
            body, orelse = self.eval(expr.body, scope), self.eval(expr.orelse, scope)
            return body if V.shape(body) == V.shape(orelse) else self.unknown(expr, scope)
        return self.unknown(expr, scope)

    def _fstring(self, expr: cst.FormattedString, scope: Scope) -> V.Value:
        out = V.EMPTY
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out = out + V.literal(part.value.replace("{{", "{").replace("}}", "}"), expr, scope.id)
            elif isinstance(part, cst.FormattedStringExpression):  # (LibCST has no third kind of part)
                if part.format_spec:
                    inner = self.eval(part.expression, scope)
                    out = out + (inner if V.has_unique(inner) or V.WEAK in inner.segs else self.unknown(part, scope))
                else:
                    out = out + self.eval(part.expression, scope)
        return out

    def _binary(self, expr: cst.BinaryOperation, scope: Scope) -> V.Value:
        op = expr.operator
        if isinstance(op, cst.Add):
            return self.eval(expr.left, scope) + self.eval(expr.right, scope)
        if isinstance(op, cst.Modulo) and isinstance(expr.left, (cst.SimpleString, cst.ConcatenatedString)):
            args = expr.right.elements if isinstance(expr.right, cst.Tuple) else None
            values = [self.eval(e.value, scope) for e in args] if args is not None else [self.eval(expr.right, scope)]
            return self._template(expr.left, scope, _PERCENT, values, {})
        if not isinstance(op, (cst.Divide, cst.Multiply, cst.Subtract, cst.FloorDivide)):
            return self.unknown(expr, scope)
        left, right = self.eval(expr.left, scope), self.eval(expr.right, scope)
        if isinstance(op, cst.Divide) and (left.is_path or right.is_path):
            return V.join([left, right], is_path=True)
        if isinstance(op, cst.Divide) and (V.is_constant(right) or isinstance(expr.right, _STRING_NODES)):
            return V.join([left, right])  # x / "name": no number divides by text, so a path join
        if _is_weak(left) or _is_weak(right):
            return V.WEAK_VALUE  # time.time() * 1000000: still a time
        return self.unknown(expr, scope)

    def _template_node(self, receiver: cst.CSTNode, scope: Scope) -> Tuple[Optional[cst.CSTNode], Scope]:
        """The string literal a ``.format`` receiver is: written there, or a constant it names
        (``self.CKPT_FILE_TMPL.format(x)``), with the scope the literal sits in."""
        if isinstance(receiver, (cst.SimpleString, cst.ConcatenatedString)):
            return receiver, scope
        value = self.eval(receiver, scope)
        literals = {(seg.node, seg.scope) for seg in value.segs if isinstance(seg, V.Lit)}
        if V.is_constant(value) and len(literals) == 1:
            ((node, owner_id),) = literals
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and owner_id < len(self.tables.scopes):
                return node, self.tables.scopes[owner_id]
        return None, scope

    def _template(self, node: cst.CSTNode, scope: Scope, pattern: "re.Pattern[str]",
                  args: Sequence[V.Value], kwargs: Dict[str, V.Value]) -> V.Value:
        """``"%s.tmp" % x`` and ``"{}.part".format(x)``: literal pieces with the arguments spliced in."""
        template = (V.string_value(node) if isinstance(node, cst.SimpleString) else
                    node.evaluated_value if isinstance(node, cst.ConcatenatedString) else None)
        if not isinstance(template, (str, bytes)):
            return self.unknown(node, scope)
        if isinstance(template, bytes):
            template = template.decode("latin-1")
        out, pos, auto = V.EMPTY, 0, 0
        for match in pattern.finditer(template):
            out = out + V.literal(template[pos:match.start()], node, scope.id)
            pos = match.end()
            token = match.group(0)
            if token in ("%%", "{{", "}}"):
                out = out + V.literal(token[0], node, scope.id)
                continue
            if pattern is _PERCENT:
                key = token[2:token.index(")")] if token.startswith("%(") else None
                value = kwargs.get(key) if key else (args[auto] if auto < len(args) else None)
                auto += key is None
            else:
                field = re.split(r"[.\[!:]", match.group(1) or "", maxsplit=1)[0]
                if field.isdigit():
                    value = args[int(field)] if int(field) < len(args) else None
                elif field:
                    value = kwargs.get(field)
                else:
                    value = args[auto] if auto < len(args) else None
                    auto += 1
            out = out + (value if value is not None else self.unknown(node, scope))
        return out + V.literal(template[pos:], node, scope.id)

    def _subscript(self, expr: cst.Subscript, scope: Scope) -> V.Value:
        base_expr = expr.value
        index = expr.slice[0].slice if len(expr.slice) == 1 else None
        position = index.value.value if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) else None
        if isinstance(base_expr, cst.Call):
            qualified = self.qualname(base_expr.func, scope) or ""
            if qualified == "os.path.splitext" and position == "0" and base_expr.args:
                return self.eval(base_expr.args[0].value, scope)
            if qualified == "tempfile.mkstemp":
                return V.UNIQUE_VALUE if position == "1" else self.unknown(expr, scope)
        base = self.eval(base_expr, scope)
        if V.has_unique(base):
            return V.UNIQUE_VALUE
        if V.WEAK in base.segs and not V.roots(base):
            return V.WEAK_VALUE
        return self.unknown(expr, scope)

    # --- names and attributes --------------------------------------------------------------
    @contextlib.contextmanager
    def at(self, scope: Scope, where: Optional[Where]) -> Iterator[None]:
        """Evaluate names of ``scope`` as they are at ``where``: only their reaching bindings count."""
        saved = self._at
        self._at = (scope, where) if where is not None else None
        try:
            yield
        finally:
            self._at = saved

    def reaching_bindings(self, name: str, scope: Scope) -> Optional[Tuple[Scope, List[Binding]]]:
        found = self.lookup(name, scope)
        if found is None or self._at is None or self._at[0] is not found[0]:
            return found
        owner, bindings = found
        return owner, reaching(bindings, self._at[1]) or bindings

    def eval_name(self, name: str, scope: Scope, node: Optional[cst.CSTNode] = None) -> V.Value:
        found = self.reaching_bindings(name, scope)
        if found is None:
            return V.opaque(f"?:{name}")
        owner, bindings = found
        key = (owner.id, name, tuple(id(b) for b in bindings))
        cached = self._names.get(key)
        if cached is not None:
            return cached
        self._names[key] = V.opaque(f"{owner.id}:{name}")  # a cycle ends in an opaque value
        value = self._merge_bindings(bindings, owner, name)
        self._names[key] = value
        return value

    def alternatives(self, expr: cst.CSTNode, scope: Scope) -> List[V.Value]:
        """A name's reaching values one by one (each is classified on its own), else the value."""
        merged = self.eval(expr, scope)
        if not isinstance(expr, cst.Name):
            return [merged]
        found = self.reaching_bindings(expr.value, scope)
        if found is None or len(found[1]) < 2 and not _choice(found[1]) or any(b.kind == AUG for b in found[1]):
            return [merged]
        out = [merged]
        for binding in found[1]:
            arms = _choice([binding])
            if arms:  # name = a if test else b: each arm is a value the name can hold
                with self.at(binding.scope, binding.where):
                    out.extend(self.eval(arm, binding.scope) for arm in arms)
            else:
                out.append(self._binding(binding, expr.value))
        return out

    def _merge_bindings(self, bindings: List[Binding], owner: Scope, name: str) -> V.Value:
        """One binding is followed; several count only if they agree (or form a counter)."""
        me = V.opaque(f"{owner.id}:{name}")
        if any(b.kind == AUG for b in bindings):
            numeric = all(
                (b.kind == AUG and isinstance(b.value, cst.Integer))
                or (b.kind == ASSIGN and isinstance(b.value, cst.Integer))
                for b in bindings
            )
            return V.WEAK_VALUE if numeric else me
        values = [self._binding(b, name) for b in bindings]
        first = values[0]
        if all(V.shape(v) == V.shape(first) for v in values[1:]):
            return first if len(values) == 1 or V.has_unique(first) or V.is_constant(first) or V.WEAK in first.segs \
                else me
        weak = [v for v in values if V.WEAK in v.segs]
        if weak and not any(V.has_unique(v) for v in values) and len({V.roots(v) for v in values}) == 1:
            return weak[0]  # a probe loop: name = f"{path}.tmp"; while exists(name): n += 1; name = ...
        return V.Value(me.segs, all(v.is_path for v in values))  # paths in every branch: still a path

    def _binding(self, binding: Binding, name: str) -> V.Value:
        if binding.where is not None:
            with self.at(binding.scope, binding.where):
                return self._binding_value(binding, name)
        return self._binding_value(binding, name)

    def _binding_value(self, binding: Binding, name: str) -> V.Value:
        scope = binding.scope
        me = V.opaque(f"{scope.id}:{name}")
        kind = binding.kind
        if kind == PARAM:
            annotation = binding.param.annotation if binding.param is not None else None
            is_path = annotation is not None and (self.qualname(annotation.annotation, scope) or "") in K.PATH_TYPES
            return V.Value(me.segs, is_path)
        if kind == ASSIGN and binding.value is not None:  # (an assignment always has a value)
            value = self.eval(binding.value, scope)
            if not value.segs:
                return me
            is_path = value.is_path or self._annotated_path(binding, scope)
            return V.Value(value.segs, is_path)
        if kind == UNPACK:
            return self._unpack(binding, scope, me)
        if kind == WITH and binding.value is not None:
            value = self.eval(binding.value, scope)
            return V.UNIQUE_VALUE if V.has_unique(value) else me
        if kind == FOR:
            iterable = binding.value
            if isinstance(iterable, cst.Call) and (self.qualname(iterable.func, scope) or "") in (
                    "range", "itertools.count"):
                return V.WEAK_VALUE
            return me
        if kind == IMPORT:
            return V.opaque(f"import:{binding.extra}")
        return me

    def _annotated_path(self, binding: Binding, scope: Scope) -> bool:
        annotation = binding.extra
        return isinstance(annotation, cst.Annotation) and (
            self.qualname(annotation.annotation, scope) or "") in K.PATH_TYPES

    def _unpack(self, binding: Binding, scope: Scope, me: V.Value) -> V.Value:
        value = binding.value
        for i in binding.position:
            if isinstance(value, (cst.Tuple, cst.List)) and i < len(value.elements) and not any(
                    isinstance(e, cst.StarredElement) for e in value.elements):
                value = value.elements[i].value
            elif isinstance(value, cst.Call) and self.qualname(value.func, scope) == "tempfile.mkstemp":
                return V.UNIQUE_VALUE if i == 1 else me
            elif isinstance(value, cst.Call) and self.qualname(value.func, scope) in K.SPLITS \
                    and len(value.args) == 1 and i in (0, 1) and len(binding.position) == 1:
                path = self.eval(value.args[0].value, scope)  # dirname, basename = os.path.split(path)
                part = V.folder(path) if i == 0 else V.Value(V.basename(path))
                return part if part.segs else me
            elif isinstance(value, cst.Call) and len(binding.position) == 1:
                returned = self._returned_element(value, scope, i)  # final, tmp = paths(path)
                return returned if returned is not None and returned.segs else me
            else:
                return me
        if value is None:
            return me
        result = self.eval(value, scope)
        return result if result.segs else me

    def _returned_element(self, call: cst.Call, scope: Scope, index: int) -> Optional[V.Value]:
        """Element ``index`` of the tuple a function of this file returns, its arguments substituted."""
        target = self.resolve_function(call.func, scope)
        if target is None:
            return None
        function, skip_first, pre_args = target
        values = []
        for returned, where in zip(function.returns, function.return_sites):
            if not isinstance(returned, cst.Tuple) or len(returned.elements) <= index or any(
                    isinstance(e, cst.StarredElement) for e in returned.elements):
                return None
            with self.at(function, where):  # return final, tmp: the names as they are there
                values.append(self.eval(returned.elements[index].value, function))
        if not values or any(V.shape(v) != V.shape(values[0]) for v in values[1:]):
            return None
        mapping = self.bind_arguments(function, call, scope, skip_first, pre_args)
        return substitute(values[0], mapping, function)

    def _attribute(self, expr: cst.Attribute, scope: Scope) -> V.Value:
        attr = expr.attr.value
        qualified = self.qualname(expr, scope)
        if qualified in ("os.sep", "os.path.sep"):
            return V.Value((V.SEP,))
        base_expr = expr.value
        if isinstance(base_expr, cst.Name):
            member = self._class_member(base_expr.value, attr, scope)
            if member is not None:
                return member
            if attr == "name":
                opened = self._opened_path(base_expr.value, scope)
                if opened is not None:
                    return opened
        base = self.eval(base_expr, scope)
        if V.has_unique(base):
            return V.UNIQUE_VALUE if attr != "parent" else V.folder(base)
        if attr == "parent":
            return V.folder(base)
        if attr == "name" and V.SEP in base.segs:
            return V.Value(V.basename(base))
        if base.segs and all(isinstance(s, V.Var) for s in base.segs):
            return V.Value(tuple(V.attribute_of(s, attr) for s in base.segs))
        return self.unknown(expr, scope)

    def _opened_path(self, handle: str, scope: Scope) -> Optional[V.Value]:
        """``f.name`` after ``with open(path, ...) as f``: the path it was opened on."""
        found = self.reaching_bindings(handle, scope)
        if not found or len(found[1]) != 1 or found[1][0].kind != WITH:
            return None
        opener = found[1][0].value
        if isinstance(opener, cst.Call) and opener.args and not opener.args[0].keyword \
                and (self.qualname(opener.func, found[0]) or "") in K.OPENERS:
            return self.eval(opener.args[0].value, found[0])
        return None

    def _class_member(self, receiver: str, attr: str, scope: Scope) -> Optional[V.Value]:
        """``self.x``/``cls.x`` in a method, ``C.x`` for a class of this file: the member's value."""
        cls = self.class_for_receiver(receiver, scope)
        if cls is None:
            return None
        if attr in cls.self_attrs and receiver != cls.name:
            bindings = cls.self_attrs[attr] + cls.bindings.get(attr, [])
            key = (cls.id, "self." + attr)
            cached = self._names.get(key)
            if cached is None:
                self._names[key] = V.opaque(f"{cls.id}:self.{attr}")
                cached = self._names[key] = self._merge_bindings(bindings, cls, "self." + attr)
            return cached
        if attr in cls.bindings:
            return self.eval_name(attr, cls)
        inherited = self._imported_member(cls, attr)
        return inherited if inherited is not None else V.opaque(f"{cls.id}:self.{attr}")

    def _imported_member(self, cls: Scope, attr: str) -> Optional[V.Value]:
        """``self.TMP`` where the class inherits it from a base imported from another module: the
        base's member by its imported name, for the project index to resolve (silent if it cannot)."""
        if not isinstance(cls.node, cst.ClassDef) or cls.parent is None:
            return None
        for base in cls.node.bases:
            if base.keyword is not None or not isinstance(base.value, (cst.Name, cst.Attribute)):
                continue
            value = self.eval(base.value, cls.parent)
            found = V.roots(value)
            if len(value.segs) == 1 and found and all(r.startswith("import:") for r in found):
                return V.Value(tuple(V.attribute_of(s, attr) for s in value.segs))
            return None  # the first base decides (the method resolution order starts there)
        return None

    def class_for_receiver(self, receiver: str, scope: Scope) -> Optional[Scope]:
        method: Optional[Scope] = scope
        while method is not None and method.kind == "lambda":
            method = method.parent
        cls = method.enclosing_class if method is not None else None
        if cls is not None and method is not None and method.params and method.params[0][0] == receiver \
                and not method.is_static:
            return cls
        found = self.lookup(receiver, scope)
        if found and len(found[1]) == 1 and found[1][0].kind == CLASS:
            return found[0].classes.get(receiver)
        return None

    # --- calls ---------------------------------------------------------------------------
    def _call(self, call: cst.Call, scope: Scope) -> V.Value:
        func = call.func
        qualified = self.qualname(func, scope) or ""
        args = [a for a in call.args if a.keyword is None and not a.star]
        if self.fix_helper and qualified and (qualified == self.fix_helper or
                                              self.fix_helper.endswith("." + qualified)):
            return V.UNIQUE_VALUE
        if K.is_unique_call(qualified):
            return V.UNIQUE_VALUE
        if K.is_weak_call(qualified):
            return V.WEAK_VALUE
        if qualified in K.PASS_THROUGH and len(args) == 1:
            return V.Value(self.eval(args[0].value, scope).segs, False)
        if qualified in ("int", "round", "hex", "abs") and args and _is_weak(self.eval(args[0].value, scope)):
            return V.WEAK_VALUE  # int(time.time() * 1e6)
        if qualified in K.JOINS:
            return V.join([self.eval(a.value, scope) for a in args])
        if qualified in K.PATHLIB_CLASSES or qualified in ("Path", "PurePath"):
            return V.join([self.eval(a.value, scope) for a in args], is_path=True) if args else \
                V.literal(".", None, scope.id)._replace(is_path=True)
        if qualified == "os.path.dirname" and len(args) == 1:
            return V.folder(self.eval(args[0].value, scope))
        if qualified == "os.path.basename" and len(args) == 1:
            return V.Value(V.basename(self.eval(args[0].value, scope)))
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "format":
                template, owner = self._template_node(func.value, scope)
                if template is not None:
                    kwargs = {a.keyword.value: self.eval(a.value, scope) for a in call.args if a.keyword}
                    return self._template(template, owner, _BRACES, [self.eval(a.value, scope) for a in args],
                                          kwargs)
            if method in K.PATH_METHODS_NEW or method in K.PATH_METHODS_SAME:
                receiver = self.eval(func.value, scope)
                result = self._path_method(method, receiver, [self.eval(a.value, scope) for a in args])
                if result is not None:
                    return result
            receiver = self.eval(func.value, scope)
            if V.has_unique(receiver):
                return V.UNIQUE_VALUE  # uuid4().hex.upper(), str(uuid4()).replace("-", "")
            if V.WEAK in receiver.segs and not V.roots(receiver):
                return V.WEAK_VALUE  # datetime.now().strftime(...)
        target = self.resolve_function(func, scope)
        if target is not None:
            function, skip_first, pre_args = target
            returned = self.returns_of(function)
            if returned is not None:
                mapping = self.bind_arguments(function, call, scope, skip_first, pre_args)
                return substitute(returned, mapping, function)
        return self.unknown(call, scope)

    @staticmethod
    def _path_method(method: str, receiver: V.Value, args: List[V.Value]) -> Optional[V.Value]:
        if method in K.PATH_METHODS_SAME:
            return V.Value(receiver.segs, True)
        if method == "temporarySibling":
            return V.Value((V.UNIQUE,), True)  # twisted adds a random name
        if method in ("joinpath", "child"):
            return V.join([receiver] + args, is_path=True)
        if method == "sibling" and len(args) == 1:
            return V.join([V.folder(receiver), args[0]], is_path=True)
        if method == "siblingExtension" and len(args) == 1:
            return V.Value(receiver.segs + args[0].segs, True)
        if len(args) != 1:
            return None
        if method == "with_suffix":
            suffix = args[0].segs
            own = {f"{root}.suffix" for root in V.roots(receiver)}
            if suffix and isinstance(suffix[0], V.Var) and own and suffix[0].roots <= own:
                suffix = suffix[1:]  # p.with_suffix(p.suffix + ".new") keeps p's name whole: "{p}.new"
            return V.Value(receiver.segs + suffix, True)
        parent = V.folder(receiver)
        if method == "with_name":
            return V.join([parent, args[0]], is_path=True)
        # with_stem keeps the receiver's suffix
        suffix = tuple(V.attribute_of(s, "suffix") for s in receiver.segs if isinstance(s, V.Var))
        return V.join([parent, V.Value(args[0].segs + suffix)], is_path=True)

    def resolve_function(self, func: cst.CSTNode, scope: Scope):
        """A function of this file the call reaches: (scope, drops self/cls, pre-bound args) or None."""
        if isinstance(func, cst.Name):
            found = self.lookup(func.value, scope)
            if not found or len(found[1]) != 1:
                return None
            owner, (binding,) = found
            if binding.kind == DEF:
                return owner.functions.get(func.value), False, ()
            if binding.kind == CLASS:
                return None
            if binding.kind == ASSIGN and isinstance(binding.value, cst.Call):
                return self._partial(binding.value, owner)
            return None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            cls = self.class_for_receiver(func.value.value, scope)
            if cls is None:
                return None
            method = cls.functions.get(func.attr.value)
            if method is None:
                return None
            via_instance = func.value.value != cls.name
            return method, via_instance and not method.is_static, ()
        return None

    def _partial(self, call: cst.Call, scope: Scope):
        if self.qualname(call.func, scope) != "functools.partial" or not call.args:
            return None
        inner = self.resolve_function(call.args[0].value, scope)
        if inner is None:
            return None
        function, skip_first, pre = inner
        return function, skip_first, tuple(pre) + tuple((a, scope) for a in call.args[1:])

    def returns_of(self, function: Scope) -> Optional[V.Value]:
        """The function's return value over its parameters, when every return agrees."""
        if function.id in self._returns:
            return self._returns[function.id]
        self._returns[function.id] = None  # recursion yields unknown
        values = []
        for returned, where in zip(function.returns, function.return_sites):
            with self.at(function, where):
                values.append(self.eval(returned, function))
        result = None
        if values and all(V.shape(v) == V.shape(values[0]) for v in values[1:]):
            result = values[0]
        self._returns[function.id] = result
        return result

    def bind_arguments(self, function: Scope, call: cst.Call, scope: Scope, skip_first: bool,
                       pre_args: Sequence = ()) -> Dict[str, Tuple[V.Value, Optional[cst.Arg]]]:
        """Parameter root -> (argument value, the Arg node); parameters given no argument are left out."""
        params = function.params[1:] if skip_first else function.params
        positional = function.positional_count - (1 if skip_first else 0)
        mapping: Dict[str, Tuple[V.Value, Optional[cst.Arg]]] = {}
        args = [(a, s) for a, s in pre_args] + [(a, scope) for a in call.args]
        index = 0
        for arg, arg_scope in args:
            if arg.star:
                break
            if arg.keyword is not None:
                name = arg.keyword.value
                if any(p == name for p, _ in params):
                    mapping[f"{function.id}:{name}"] = (self.eval(arg.value, arg_scope), arg)
                continue
            if index < positional:
                mapping[f"{function.id}:{params[index][0]}"] = (self.eval(arg.value, arg_scope), arg)
            index += 1
        return mapping


def _is_weak(value: V.Value) -> bool:
    """Only a weak part (a time, a pid, a counter), nothing else."""
    return value.segs == (V.WEAK,)


def _choice(bindings: List[Binding]) -> Tuple[cst.BaseExpression, ...]:
    """The two arms of ``name = a if test else b``, for a single such binding."""
    if len(bindings) == 1 and bindings[0].kind == ASSIGN and isinstance(bindings[0].value, cst.IfExp):
        return bindings[0].value.body, bindings[0].value.orelse
    return ()


def substitute(value: V.Value, mapping: Mapping[str, Tuple[V.Value, object]], function: Scope) -> V.Value:
    """Replace a function's parameter parts with a call site's argument values.

    A parameter given no argument keeps an opaque part of its own, so its default is never read
    here: TMP104 reports defaults once, at the definition.
    """
    prefix = f"{function.id}:"
    segs: list = []
    is_path = value.is_path
    for seg in value.segs:
        if isinstance(seg, V.Var) and any(r.startswith(prefix) for r in seg.roots):
            if len(seg.roots) == 1:
                (root,) = seg.roots
                if root in mapping:
                    replacement = mapping[root][0]
                    segs.extend(replacement.segs)
                    is_path = is_path or replacement.is_path
                    continue
                head, dot, attr = root.partition(".")
                if not dot or head not in mapping:
                    segs.append(seg)
                    continue
                shown = V.argument_attribute(mapping[head][0], attr)
                if shown is not None:
                    segs.extend(shown.segs)
                    continue
            segs.append(V.Var(frozenset(f"call:{r}" for r in seg.roots)))
        else:
            segs.append(seg)
    return V.Value(tuple(segs), is_path)
