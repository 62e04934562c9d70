"""Selecting rules: the catalogue (``tmplint/rules``) read as selection, docs, reporters and tests need it."""

from typing import Dict, Iterable, List, Optional, Sequence, Type

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
    chosen = {}
    base = DEFAULT_CODES if select is None else [c for c in ALL_CODES if any(selector_names(s, c) for s in select)]
    for code in ALL_CODES:
        best = (-1, False)
        if code in base:
            best = (0 if select is None else max(len(s) for s in select if selector_names(s, code)), True)
        for s in extend_select:
            if selector_names(s, code) and len(s) >= best[0]:
                best = (len(s), True)
        for s in ignore:
            if code.startswith(s) and len(s) >= best[0]:
                best = (len(s), False)
        chosen[code] = best[1]
    return frozenset(code for code, on in chosen.items() if on)
