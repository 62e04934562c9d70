"""Selecting rules: the catalogue (``tmplint/rules``) read as selection, docs, reporters and tests need it."""

from typing import Dict, Iterable, List, Optional, Sequence, Set, Type

from tmplint.rules import RULES as _RULE_CLASSES
from tmplint.rules import Rule

# The catalogue: each rule is a class in tmplint/rules (code, name, summary, fix, default, docs).
RULES: Dict[str, Type[Rule]] = dict(sorted(_RULE_CLASSES.items()))

# TMP000 (file could not be analysed) is always shown and never selectable, so it is not a rule.
ALL_CODES: List[str] = sorted(RULES)
DEFAULT_CODES: List[str] = [code for code in ALL_CODES if RULES[code].default]


def rule_code(key: str) -> Optional[str]:
    """The code of the rule ``key`` names, by code (``tmp102``) or by name (``constant-tmp-name``, as ruff's
    ``--explain`` takes either); None when it names no rule."""
    wanted = key.strip().lower().replace("_", "-")
    for code, rule in RULES.items():
        if wanted in (code.lower(), rule.name):
            return code
    return None


def is_valid_selector(selector: str) -> bool:
    """A selector is a code or a code prefix (``TMP``, ``TMP1``, ``TMP101``) naming at least one rule."""
    return selector.startswith("TMP") and any(code.startswith(selector) for code in ALL_CODES)


def selector_names(selector: str, code: str) -> bool:
    """A prefix selects every default rule under it; a rule that is off by default only by its full code."""
    return code == selector or (code.startswith(selector) and RULES[code].default)


def resolve_selection(
    select: Optional[Sequence[str]] = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset:
    """The enabled codes: ``select`` (default: the default set) plus ``extend_select`` minus ``ignore``.

    A more specific selector wins over a shorter one, as in ruff: ``--ignore TMP1 --select TMP101``
    keeps TMP101. Rules that are off by default (TMP106) are only selected by their full code.
    """
    base = DEFAULT_CODES if select is None else [c for c in ALL_CODES if any(selector_names(s, c) for s in select)]
    chosen: Set[str] = set()
    for code in ALL_CODES:
        rank = -1
        if code in base:
            rank = 0 if select is None else max(len(s) for s in select if selector_names(s, code))
        if _layered(code, code in base, rank, extend_select, ignore):
            chosen.add(code)
    return frozenset(chosen)


def layer_selection(
    enabled: Iterable[str], ignore: Sequence[str] = (), extend_select: Sequence[str] = (),
) -> frozenset:
    """``enabled`` with ``extend_select`` turned on and ``ignore`` turned off over it, whatever selected it:
    how ``--ignore``/``--extend-select`` act on the rules a configuration file enables."""
    on = set(enabled)
    return frozenset(code for code in ALL_CODES if _layered(code, code in on, -1, extend_select, ignore))


def _layered(code: str, on: bool, rank: int, extend_select: Iterable[str], ignore: Iterable[str]) -> bool:
    """Whether ``code`` is on after ``extend_select`` then ``ignore``, each selector overriding when at least
    as long as the one that decided so far (``rank``)."""
    for s in extend_select:
        if selector_names(s, code) and len(s) >= rank:
            rank, on = len(s), True
    for s in ignore:
        if code.startswith(s) and len(s) >= rank:
            rank, on = len(s), False
    return on
