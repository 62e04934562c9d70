"""Guarded renames: a helper that renames only under a test of its parameter.

``if name.endswith(".tmpl"): os.replace(name, name[:-5])`` renames only template files: a call
passing ``"example.py"`` renames nothing, and reporting it (or "fixing" it) would rename a final
file. A summary keeps such tests as ``Guard``s over the parameters; a call site substitutes its
arguments and decides each one (rules.md, *Summaries*). Plain data: guards travel in the index.
"""

from typing import Callable, Iterable, NamedTuple, Optional, Tuple

from tmplint.analysis import values as V

TESTS = ("endswith", "startswith", "==", "!=", "in", "not in")


class Guard(NamedTuple):
    test: str  # one of TESTS: subject.endswith(operand), subject == operand, subject in operand
    subject: V.Value
    operand: V.Value
    holds: bool  # the rename runs when the test holds (True) or when it fails (False)


def text_of(value: V.Value) -> Optional[str]:
    """The text of a constant value, else None."""
    if not V.is_constant(value):
        return None
    return "".join("/" if seg is V.SEP else seg.text for seg in value.segs)


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


def reading(guards: Iterable[Guard], roots: Iterable[str]) -> Tuple[Guard, ...]:
    """The guards that test one of ``roots`` (the parameters): the others are the helper's own
    business, and the call site cannot decide them."""
    wanted = set(roots)

    def tests_one(root: str) -> bool:  # the parameter, or its .suffix/.name
        return root in wanted or root.split(".", 1)[0] in wanted

    return tuple(g for g in guards if any(tests_one(r) for r in V.roots(g.subject) | V.roots(g.operand)))
