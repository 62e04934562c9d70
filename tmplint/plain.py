"""Cache entries as plain JSON, checked against the records' own annotations before use (issue 17 item 5).

A cache folder is data anyone who can write the project can forge: a shared checkout, a restored CI
cache. Its entries are therefore JSON (never pickle), and an entry is rebuilt only through the type
its annotations spell, from the few root types a job returns (``_roots``): every field of every record
must have the annotated type (``int`` is not ``bool``, a tuple has its length, a union names its arm),
every path a record holds must be the file the entry is for (a job's result speaks of its own file
only; a module's root must be a folder above it), and anything else makes the whole entry ``Invalid``:
the cache drops it and the job runs again. So a forged entry can cost a cache miss, never a crash, a
finding in another file, or a fix elsewhere. The walk follows the annotations, not the data, so its
depth is the records' and its work is linear in the entry's size.

The encoding is positional: a record is the list of its fields in order, a tuple or set a list, a dict
a list of ``[key, value]`` pairs, an ``Optional`` value itself or ``null``, and any other union
``[arm, value]``; a field whose metadata says ``cached: False`` is left out (and decodes to its
default). The records are the analysis's own (``index.FileResult`` and what it holds): a field
added there is picked up from its annotation, and ``tests/test_cache_forged.py`` round-trips every
result of the fixtures so an annotation that does not say what the field holds shows at once.
"""

import dataclasses
import os
import types
import typing
from typing import Any, Callable, Dict, List, Optional, Tuple

Encoder = Callable[[Any], Any]
PathCheck = Callable[[str, str], None]  # (path, FILE or FOLDER): raises Invalid
Decoder = Callable[[Any, PathCheck], Any]  # (json, check_path) -> value

FILE, FOLDER = "file", "folder"
# Fields that hold paths: (record, field) -> (where in the field's value: None the value itself, 0 the first
# element of a tuple; and what it names). A module's root is checked too: imports are looked up there.
PATH_FIELDS: Dict[Tuple[str, str], Tuple[Optional[int], str]] = {
    ("FileResult", "path"): (None, FILE), ("Diagnostic", "path"): (None, FILE), ("FixAt", "path"): (None, FILE),
    ("FactInfo", "rename_at"): (0, FILE), ("PendingFact", "rename_at"): (0, FILE), ("ModuleInfo", "root"): (None, FOLDER),
}


class Invalid(ValueError):
    """An entry that is not what its type says: dropped, and the job runs again."""


def _root(name: str) -> Any:
    """The type of the root ``name``, None for no root; each is imported when first asked for, so a run
    that decodes findings alone (``tmplint.recall``) does not load the analysis's records."""
    if name == "FileResult":
        from tmplint.analysis.index import FileResult

        return FileResult
    if name == "diagnostics":
        from tmplint.diagnostics import Diagnostic

        return List[Diagnostic]
    return bool if name == "bool" else None


ROOT_NAMES = ("FileResult", "diagnostics", "bool")


_CODECS: Dict[Any, Tuple[Encoder, Decoder]] = {}
_SCALARS: Dict[Any, type] = {str: str, int: int, bool: bool}  # decoded by a type test alone
# An empty list where a variadic tuple, a set or a dict belongs, made without a call (a fresh one if mutable).
_EMPTY: Dict[Any, Callable[[], Any]] = {tuple: tuple, frozenset: frozenset, dict: dict, list: list, set: set}
_ROOTS: Dict[str, Any] = {}


def encode(value: Any) -> Optional[list]:
    """``[root name, data]`` for a value of a root type; None for anything else (it is not cached)."""
    for name in ROOT_NAMES:
        hint = _hint(name)
        if _is(value, hint):
            try:
                return [name, _codec(hint)[0](value)]
            except (Invalid, TypeError):  # not of its annotations, or a type with no plain encoding
                return None
    return None


def decode(data: Any, check_path: PathCheck) -> Any:
    """The value ``encode`` gave ``data`` for; Invalid when it does not follow its type, or
    ``check_path`` (which raises Invalid) refuses a path in it."""
    if not (type(data) is list and len(data) == 2 and type(data[0]) is str and data[0] in ROOT_NAMES):
        raise Invalid("not a cache entry")
    return _codec(_hint(data[0]))[1](data[1], check_path)


def _hint(name: str) -> Any:
    found = _ROOTS.get(name)
    if found is None:
        found = _ROOTS[name] = _root(name)
    return found


def _is(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the outer type of ``hint`` (to pick a root or a union's arm)."""
    origin = typing.get_origin(hint)
    if origin is not None:
        return isinstance(value, origin)
    if hint is bool or hint is int:
        return type(value) is hint
    return isinstance(value, hint)


def _fail(what: str) -> Invalid:
    return Invalid(f"expected {what}")


def _codec(hint: Any) -> Tuple[Encoder, Decoder]:
    found = _CODECS.get(hint)
    if found is None:
        found = _CODECS[hint] = _build(hint)
    return found


def _scalar(kind: type) -> Tuple[Encoder, Decoder]:
    def enc(value):
        if type(value) is not kind:
            raise _fail(kind.__name__)
        return value

    def dec(data, check):
        if type(data) is not kind:
            raise _fail(kind.__name__)
        return data

    return enc, dec


def _float() -> Tuple[Encoder, Decoder]:
    def enc(value):
        if type(value) not in (int, float):
            raise _fail("a number")
        return value

    def dec(data, check):
        if type(data) not in (int, float):
            raise _fail("a number")
        return float(data)

    return enc, dec


def _none() -> Tuple[Encoder, Decoder]:
    def enc(value):
        if value is not None:
            raise _fail("None")
        return None

    def dec(data, check):
        if data is not None:
            raise _fail("null")
        return None

    return enc, dec


def _build(hint: Any) -> Tuple[Encoder, Decoder]:
    if hint is type(None) or hint is None:
        return _none()
    if hint in (str, int, bool):
        return _scalar(hint)
    if hint is float:
        return _float()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return _union(args)
    if origin in (tuple, list, frozenset, set):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return _fixed_tuple(args)
        return _sequence(origin, args[0])
    if origin is dict:
        return _mapping(args[0], args[1])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = [f.name for f in dataclasses.fields(hint) if f.init and f.metadata.get("cached", True)]
        return _record(hint, fields)
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return _record(hint, list(hint._fields))
    raise TypeError(f"no plain encoding for {hint!r}")


def _sequence(origin: type, item_hint: Any) -> Tuple[Encoder, Decoder]:
    item: List[Tuple[Encoder, Decoder]] = []  # filled on first use: a record may hold itself

    def enc(value: Any) -> List[Any]:
        if not isinstance(value, origin):
            raise _fail(origin.__name__)
        if not item:
            item.append(_codec(item_hint))
        encode_item = item[0][0]
        items: Any = value  # a list or a tuple: iterable, which isinstance(value, origin) does not tell mypy
        return [encode_item(x) for x in items]

    scalar = _SCALARS.get(item_hint)

    def dec(data, check):
        if type(data) is not list:
            raise _fail("a list")
        if scalar is not None:  # the common case, checked without a call per item
            for x in data:
                if type(x) is not scalar:
                    raise _fail(scalar.__name__)
            return data if origin is list else origin(data)
        if not item:
            item.append(_codec(item_hint))
        decode_item = item[0][1]
        values = [decode_item(x, check) for x in data]
        return values if origin is list else origin(values)

    return enc, dec


def _fixed_tuple(hints: Tuple[Any, ...]) -> Tuple[Encoder, Decoder]:
    parts: List[Tuple[Encoder, Decoder]] = []

    def codecs():
        if not parts and hints:
            parts.extend(_codec(h) for h in hints)
        return parts

    def enc(value):
        if not isinstance(value, tuple) or len(value) != len(hints):
            raise _fail(f"a tuple of {len(hints)}")
        return [c[0](x) for c, x in zip(codecs(), value)]

    scalars = [_SCALARS.get(h) for h in hints]
    all_scalars = all(kind is not None for kind in scalars)  # a position (int, int, int, int), a (path, line)

    def dec(data, check):
        if type(data) is not list or len(data) != len(hints):
            raise _fail(f"a list of {len(hints)}")
        if all_scalars:
            for x, kind in zip(data, scalars):
                if type(x) is not kind:
                    raise _fail(getattr(kind, "__name__", str(kind)))
            return tuple(data)
        return tuple([c[1](x, check) for c, x in zip(codecs(), data)])

    return enc, dec


def _mapping(key_hint: Any, value_hint: Any) -> Tuple[Encoder, Decoder]:
    parts: List[Tuple[Encoder, Decoder]] = []

    def codecs():
        if not parts:
            parts.extend((_codec(key_hint), _codec(value_hint)))
        return parts

    def enc(value):
        if not isinstance(value, dict):
            raise _fail("a dict")
        (ek, _), (ev, _) = codecs()
        return [[ek(k), ev(v)] for k, v in value.items()]

    def dec(data, check):
        if type(data) is not list:
            raise _fail("a list of pairs")
        (_, dk), (_, dv) = codecs()
        out = {}
        for pair in data:
            if type(pair) is not list or len(pair) != 2:
                raise _fail("a pair")
            out[dk(pair[0], check)] = dv(pair[1], check)
        return out

    return enc, dec


def _union(arms: Tuple[Any, ...]) -> Tuple[Encoder, Decoder]:
    others = [a for a in arms if a is not type(None)]
    if len(others) == 1 and len(arms) == 2:  # Optional[X]: the value itself, or null
        inner: List[Tuple[Encoder, Decoder]] = []

        def enc_optional(value):
            if value is None:
                return None
            if not inner:
                inner.append(_codec(others[0]))
            return inner[0][0](value)

        def dec_optional(data, check):
            if data is None:
                return None
            if not inner:
                inner.append(_codec(others[0]))
            return inner[0][1](data, check)

        return enc_optional, dec_optional

    decoders: List[Decoder] = []

    def enc(value):
        for index, arm in enumerate(arms):
            if _is(value, arm):
                return [index, _codec(arm)[0](value)]
        raise _fail(" or ".join(map(str, arms)))

    def dec(data, check):
        if type(data) is not list or len(data) != 2 or type(data[0]) is not int or not 0 <= data[0] < len(arms):
            raise _fail("[arm, value]")
        if not decoders:
            decoders.extend(_codec(arm)[1] for arm in arms)
        return decoders[data[0]](data[1], check)

    return enc, dec


def _record(cls: type, fields: List[str]) -> Tuple[Encoder, Decoder]:
    parts: List[Tuple[str, Encoder, Decoder, Optional[Tuple[Optional[int], str]]]] = []

    def codecs():
        if not parts:
            hints = typing.get_type_hints(cls, localns={"cst": _NO_NODES})
            spelled: Dict[str, Any] = {}
            for klass in reversed(cls.__mro__):
                spelled.update(getattr(klass, "__annotations__", {}))
            for name in fields:
                if "cst." in str(spelled.get(name, "")):  # a LibCST node where it is made: a position here
                    encoder, decoder = _codec(Optional[Tuple[int, int, int, int]])
                else:
                    encoder, decoder = _codec(hints[name])
                parts.append((name, encoder, decoder, PATH_FIELDS.get((cls.__name__, name))))
        return parts

    factory = _FACTORIES.get((cls.__module__, cls.__name__))
    named_tuple = factory is None and issubclass(cls, tuple)
    # A plain dataclass (every field in __init__, no __post_init__, no slots) is filled in directly:
    # what its __init__ would do, at a third of the cost, for the 11,000 results of a warm run.
    direct = (factory is None and dataclasses.is_dataclass(cls) and not hasattr(cls, "__post_init__")
              and "__slots__" not in cls.__dict__ and all(f.init for f in dataclasses.fields(cls)))

    def enc(value):
        if type(value) is not cls:
            raise _fail(cls.__name__)
        return [encoder(getattr(value, name)) for name, encoder, _, _ in codecs()]

    compiled: List[Decoder] = []

    def dec(data, check):
        if not compiled:
            steps = [(None if where else _SCALARS.get(hint), decoder, where, _empty(hint))
                     for (_, _, decoder, where), hint in zip(codecs(), _hints(cls, fields))]
            compiled.append(_compile_record(cls, fields, steps, factory, named_tuple, direct))
        return compiled[0](data, check)

    return enc, dec


def _compile_record(cls: type, fields: List[str], steps, factory, named_tuple: bool, direct: bool) -> Decoder:
    """The decoder of one record type as straight-line code, as ``dataclasses`` writes ``__init__``: a
    warm run rebuilds 60,000 records, and a loop over their fields cost twice as much. Only field
    names and positions go into the code, never data."""
    names: Dict[str, Any] = {"_fail": _fail, "Invalid": Invalid, "cls": cls, "factory": factory or cls,
                             "_tuple_new": tuple.__new__, "_object_new": object.__new__}
    count = len(fields)
    values = ", ".join("v%d" % i for i in range(count))
    packed = "(" + values + ("," if count == 1 else "") + ")"  # a tuple, also of one
    lines = ["def dec(data, check):",
             "    if type(data) is not list or len(data) != %d:" % count,
             "        raise _fail(%r)" % ("%s (%d fields)" % (cls.__name__, count))]
    if count:
        lines.append("    %s, = data" % values)
    for i, (scalar, decoder, where, empty) in enumerate(steps):
        if scalar is not None:  # a str, int or bool: a type test, no call
            names["S%d" % i] = scalar
            lines.append("    if type(v%d) is not S%d:" % (i, i))
            lines.append("        raise _fail(%r)" % ("%s in %s" % (scalar.__name__, cls.__name__)))
            continue
        names["D%d" % i] = decoder
        if empty is not None:  # most fields of most results are empty
            names["E%d" % i] = empty
            lines.append("    v{0} = E{0}() if type(v{0}) is list and not v{0} else D{0}(v{0}, check)".format(i))
        else:
            lines.append("    v{0} = D{0}(v{0}, check)".format(i))
        if where is not None:
            names["W%d" % i] = where[1]
            item = "" if where[0] is None else "[%d]" % where[0]
            lines.append("    check(v%d%s, W%d)" % (i, item, i))
    if named_tuple:
        lines.append("    return _tuple_new(cls, %s)" % packed)
    elif direct:
        pairs = ", ".join("(%r, v%d)" % (name, i) for i, name in enumerate(fields))
        lines.append("    made = _object_new(cls)")
        lines.append("    made.__dict__.update((%s%s))" % (pairs, "," if count == 1 else ""))
        lines.append("    return made")
    else:
        lines.append("    try:")
        lines.append("        return factory(%s)" % values)
        lines.append("    except Exception as exc:  # a record's own checks (a marker of an unknown kind)")
        lines.append("        raise Invalid(%r + repr(exc)) from None" % ("not a %s: " % cls.__name__))
    exec("\n".join(lines), names)  # noqa: S102 - code from the record's own field names, see above
    return names["dec"]


def _empty(hint: Any) -> Optional[Callable[[], Any]]:
    """What makes an empty value of ``hint``, for a variadic tuple, a set, a list or a dict; else None."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return None  # a tuple of fixed length: [] is not one
    return _EMPTY.get(origin)


def _hints(cls: type, fields: List[str]) -> List[Any]:
    hints = typing.get_type_hints(cls, localns={"cst": _NO_NODES})
    return [hints[name] for name in fields]


# Records whose instances are singletons: rebuilt by their module's own lookup (``values._marker``).
def _marker(kind: str) -> Any:
    from tmplint.analysis import values

    return values._marker(kind)


_FACTORIES: Dict[Tuple[str, str], Callable[..., Any]] = {("tmplint.analysis.values", "_Marker"): _marker}
# Annotations may name LibCST nodes (``Lit.node``): the exports replace them with their positions
# (line, col, end line, end col), which is what the cache keeps (a node left in is not cached).
_NO_NODES = types.SimpleNamespace(CSTNode=type(None))


def own_file(path: str, resolved: Optional[Dict[str, str]] = None) -> PathCheck:
    """A ``check_path`` for the entry of the file at ``path`` (absolute): a FILE must be that file
    (absolute, or relative to the current folder), a FOLDER one that holds it. ``resolved`` remembers
    absolute paths across calls (a run's)."""
    resolved = {} if resolved is None else resolved

    def check(found: str, kind: str) -> None:
        full = resolved.get(found)
        if full is None:
            full = resolved[found] = os.path.abspath(found) if found else ""
        if not (full == path if kind == FILE else bool(full) and path.startswith(full.rstrip(os.sep) + os.sep)):
            raise Invalid(f"a path that is not its file's: {found!r}")

    return check


__all__ = ["FILE", "FOLDER", "Invalid", "PATH_FIELDS", "decode", "encode", "own_file"]
