"""Abstract path values: a path is a sequence of segments, and its class follows from them.

A value is what an expression may hold, seen as text pieces: literal text, path separators,
unique parts (uuid, mkstemp), weak parts (pid, time, counter) and opaque parts (``Var``) that
stand for what the analysis cannot see into, identified by the names they read ("roots").
The basename is what follows the last separator; ``classify`` applies rules.md's order.
"""

from __future__ import annotations

import ast
import re
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple, Union

if TYPE_CHECKING:  # values reach the cache and the index, which run without LibCST
    import libcst as cst


def string_value(node: cst.SimpleString) -> Union[str, bytes]:
    """``node.evaluated_value``, which compiles the literal each time (``ast.literal_eval``): a
    fifth of the analysis of a big file went there. Most literals hold no escape: their text is
    their value."""
    return _literal_value(node.value)


@lru_cache(maxsize=4096)
def _literal_value(code: str) -> Union[str, bytes]:
    start = 0
    while code[start] not in "'\"":
        start += 1
    prefix = code[:start].lower()
    quote = code[start:start + 3] if code[start:start + 3] in ("'''", '"""') else code[start]
    body = code[start + len(quote):len(code) - len(quote)]
    if "\\" in body or "\r" in body or "f" in prefix or ("b" in prefix and not body.isascii()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an invalid escape is the linted code's business, not ours
            return ast.literal_eval(code)
    return body.encode("ascii") if "b" in prefix else body


Pos = Tuple[int, int, int, int]  # line (1-based), col (0-based), end line, end col


class Lit(NamedTuple):
    """Constant text; ``node`` is the string literal it was read from, ``scope`` that literal's scope id.
    In the values a file exports to the project index (``exports``), ``node`` is that literal's position."""

    text: str
    node: Union[cst.CSTNode, Pos, None]
    scope: int

    @property
    def cst_node(self) -> Optional[cst.CSTNode]:
        """The literal's node (a file's own values; None in exported ones)."""
        return None if isinstance(self.node, tuple) else self.node

    @property
    def pos(self) -> Optional[Pos]:
        """The literal's position (exported values; None in a file's own)."""
        return self.node if isinstance(self.node, tuple) else None


class Var(NamedTuple):
    """A part the analysis cannot see into, named by the roots it reads (``"3:path"``, ``"3:p.name"``)."""

    roots: FrozenSet[str]


class _Marker(NamedTuple):
    kind: str

    def __reduce__(self):  # unpickled markers are the singletons again: segments are tested with ``is``
        return (_marker, (self.kind,))


SEP = _Marker("sep")
UNIQUE = _Marker("unique")
WEAK = _Marker("weak")
_MARKERS = {m.kind: m for m in (SEP, UNIQUE, WEAK)}


def _marker(kind: str) -> _Marker:
    return _MARKERS[kind]

Segment = Union[Lit, Var, _Marker]


class Value(NamedTuple):
    segs: Tuple[Segment, ...]
    is_path: bool = False

    def __add__(self, other: "Value") -> "Value":  # type: ignore[override]
        return Value(self.segs + other.segs, self.is_path or other.is_path)


UNIQUE_VALUE = Value((UNIQUE,))
WEAK_VALUE = Value((WEAK,))
EMPTY = Value(())

CONSTANT = "constant"
DERIVED = "derived"
WEAKLY_UNIQUE = "weak"

TEMP_LOOKING = re.compile(r"(?i)(^|[._-])(tmp|temp|part|partial|new|incomplete|swp)([._-]|$)")


def opaque(*roots: str) -> Value:
    return Value((Var(frozenset(roots)),))


def literal(text: str, node: Optional[cst.CSTNode], scope: int) -> Value:
    """Literal text, split at ``/`` into separators so the basename can be found."""
    segs: List[Segment] = []
    for i, piece in enumerate(text.split("/")):
        if i:
            segs.append(SEP)
        if piece:
            segs.append(Lit(piece, node, scope))
    return Value(tuple(segs))


def join(parts: Iterable[Value], is_path: bool = False) -> Value:
    segs: List[Segment] = []
    for i, part in enumerate(parts):
        if i:
            segs.append(SEP)
        segs.extend(part.segs)
        is_path = is_path or part.is_path
    return Value(tuple(segs), is_path)


def basename(value: Value) -> Tuple[Segment, ...]:
    segs = value.segs
    for i in range(len(segs) - 1, -1, -1):
        if segs[i] is SEP:
            return segs[i + 1:]
    return segs


def folder(value: Value) -> Value:
    """The part before the basename; for an opaque path, an opaque ``.parent`` of it."""
    segs = value.segs
    for i in range(len(segs) - 1, -1, -1):
        if segs[i] is SEP:
            return Value(segs[:i], value.is_path)
    return Value(tuple(attribute_of(seg, "parent") for seg in segs if isinstance(seg, Var)), value.is_path)


def path_attribute(value: Value, attr: str) -> Optional[Value]:
    """``.name``, ``.suffix`` or ``.parent`` of a path value when its text shows it, else None
    (``f"{d}/{m}.py"`` has the suffix ".py"; ``d / name`` has no suffix one can read)."""
    if attr == "parent":
        return folder(value)
    base = basename(value)
    if attr == "name":
        return Value(base) if base else None
    if attr != "suffix" or not base or not isinstance(base[-1], Lit):
        return None
    text = base[-1].text
    dot = text.rfind(".")
    if dot < 0:  # no dot in the last text: no suffix when it is the whole name, else unknown
        return EMPTY if len(base) == 1 else None
    if dot == 0 and len(base) == 1:  # ".bashrc": a hidden name has no suffix
        return EMPTY
    return Value((Lit(text[dot:], None, base[-1].scope),))


def argument_attribute(argument: Value, attr: str) -> Optional[Value]:
    """``param.attr`` once a call gives ``argument`` for ``param``: an opaque argument's attribute, or
    what its text shows (``path_attribute``); None when neither can be told."""
    if argument.segs and all(isinstance(s, Var) for s in argument.segs):
        return Value(tuple(attribute_of(s, attr) for s in argument.segs))
    return path_attribute(argument, attr)


def attribute_of(seg: Segment, attr: str) -> Segment:
    if isinstance(seg, Var):
        return Var(frozenset(f"{root}.{attr}" for root in seg.roots))
    return seg


def roots(value: Value) -> FrozenSet[str]:
    found: Set[str] = set()
    for seg in value.segs:
        if isinstance(seg, Var):
            found |= seg.roots
    return frozenset(found)


def has_unique(value: Value) -> bool:
    return UNIQUE in value.segs


def is_constant(value: Value) -> bool:
    """Only literal text: what an unknown helper's temp-name keyword must hold to be reported."""
    return bool(value.segs) and all(isinstance(s, Lit) or s is SEP for s in value.segs)


def _covered(root: str, dst_roots: FrozenSet[str]) -> bool:
    return any(root == d or root.startswith(d + ".") for d in dst_roots)


def classify(src: Value, dst: Value) -> Optional[str]:
    """rules.md's order: unique, unknown (None), weak, derived, constant."""
    if has_unique(src):
        return None
    if len(dst.segs) > len(src.segs) and shape(dst)[:len(src.segs)] == shape(src):
        return None  # dst is src plus more (path -> path + ".bak"): moving a file aside, src is no temp file
    base = basename(src)
    if not base:
        return None
    dst_roots = roots(dst)
    derived = False
    for seg in base:
        if isinstance(seg, Var):
            if not all(_covered(r, dst_roots) for r in seg.roots):
                return None  # unknown: a name the destination is not built from
            derived = True
    if WEAK in src.segs:
        return WEAKLY_UNIQUE
    if derived and not any(isinstance(seg, Lit) for seg in base):
        return None  # no constant part: the destination itself, or a name the destination is built from
    return DERIVED if derived else CONSTANT


def looks_temporary(value: Value) -> bool:
    """A basename literal that says "temporary": ``.tmp``, ``-part``, ``.new``, a trailing ``~``."""
    base = basename(value)
    texts = [seg.text for seg in base if isinstance(seg, Lit)]
    joined = "".join(texts)
    return any(TEMP_LOOKING.search(t) for t in texts + [joined]) or joined.endswith("~")


def shape(value: Value) -> tuple:
    """What two bindings must share to count as "bound on every path to the same class"."""
    return tuple(seg.text if isinstance(seg, Lit) else seg for seg in value.segs)


def basename_text(value: Value) -> str:
    """The basename spelled with ``{...}`` for what is not constant, for messages."""
    out = []
    for seg in basename(value):
        if isinstance(seg, Lit):
            out.append(seg.text)
        elif isinstance(seg, Var):
            out.append("{" + ",".join(sorted(r.split(":", 1)[-1] for r in seg.roots)) + "}")
        else:  # WEAK or UNIQUE (a basename holds no SEP)
            out.append("{" + seg.kind + "}")
    return "".join(out)


def first_literal(value: Value, scope_ids: Iterable[int]) -> Optional[Lit]:
    """The first basename literal that lies in one of ``scope_ids``: where TMP102/103 sit."""
    wanted = set(scope_ids)
    for seg in basename(value):
        if isinstance(seg, Lit) and seg.scope in wanted and seg.node is not None:
            return seg
    return None
