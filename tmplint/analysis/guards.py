"""Guarded renames: a helper that renames only under a test of its parameter.

``if name.endswith(".tmpl"): os.replace(name, name[:-5])`` renames only template files: a call
passing ``"example.py"`` renames nothing, and reporting it (or "fixing" it) would rename a final
file. A summary keeps such tests as ``Guard``s over the parameters; a call site substitutes its
arguments and decides each one (rules.md, *Summaries*). Plain data: guards travel in the index.
"""

from typing import Callable, Iterable, NamedTuple, Optional, Tuple

from tmplint.analysis import values as V

class Guard(NamedTuple):
    test: str  # "endswith", "startswith", "==", "!=", "in" or "not in": subject.endswith(operand), subject in operand
    subject: V.Value
    operand: V.Value
    holds: bool  # the rename runs when the test holds (True) or when it fails (False)


def text_of(value: V.Value) -> Optional[str]:
    """The text of a constant value (``""`` for no text: a name without a suffix), else None."""
    if not value.segs:
        return ""
    if not V.is_constant(value):
        return None
    return "".join(seg.text if isinstance(seg, V.Lit) else "/" for seg in value.segs)  # Lit or SEP only


def _evaluate(test: str, subject: V.Value, operand: V.Value) -> Optional[bool]:
    if test in ("==", "!="):
        if V.shape(subject) == V.shape(operand):
            equal: Optional[bool] = True
        else:
            left, right = text_of(subject), text_of(operand)
            equal = None if left is None or right is None else left == right
        return equal if equal is None or test == "==" else not equal
    left, right = text_of(subject), text_of(operand)
    if left is None or right is None:
        return None
    if test == "endswith":
        return left.endswith(right)
    if test == "startswith":
        return left.startswith(right)
    return (left in right) if test == "in" else (left not in right)


def decide(guards: Iterable[Guard], substitute: Callable[[V.Value], V.Value]
           ) -> Tuple[bool, Tuple[Guard, ...]]:
    """The helper's guards for a call's arguments: (False, ()) when one surely fails, else (True,
    the guards still undecided, rewritten over the caller's names for its own callers to decide)."""
    undecided = []
    for guard in guards:
        subject, operand = substitute(guard.subject), substitute(guard.operand)
        result = _evaluate(guard.test, subject, operand)
        if result is None:
            undecided.append(Guard(guard.test, subject, operand, guard.holds))
        elif result != guard.holds:
            return False, ()
    return True, tuple(undecided)


def _parameter_of(root: str, is_parameter: Callable[[str], bool]) -> bool:
    """A root that is a parameter, or an attribute of one (``path.suffix``)."""
    return is_parameter(root) or is_parameter(root.split(".", 1)[0])


def reading(guards: Iterable[Guard], is_parameter: Callable[[str], bool]) -> Tuple[Guard, ...]:
    """The guards that test a parameter (or its ``.suffix``/``.name``): the others are the helper's own
    business, and the call site cannot decide them."""
    return tuple(g for g in guards
                 if any(_parameter_of(r, is_parameter) for r in V.roots(g.subject) | V.roots(g.operand)))


def callers_decide(undecided: Iterable[Guard], is_parameter: Callable[[str], bool]) -> bool:
    """Every guard a call left undecided tests only the caller's own parameters, so the caller's callers
    can decide it; otherwise it can never be told, and the call stays silent."""
    return all(_parameter_of(r, is_parameter) for g in undecided for r in V.roots(g.subject) | V.roots(g.operand))
