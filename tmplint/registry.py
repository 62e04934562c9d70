"""The rule catalogue: one table that selection, docs, reporters and tests all read."""

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    fix: Optional[str]  # "safe", "sometimes", or None
    default: bool = True


RULES: Dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("TMP101", "non-unique-tmp-name-argument",
             "a temp name passed to a save helper that renames it into place without a unique part", "sometimes"),
        Rule("TMP102", "constant-tmp-name",
             "a rename into place whose temp path has a constant basename", "sometimes"),
        Rule("TMP103", "derived-tmp-name",
             "a rename into place whose temp path is derived from the destination", "sometimes"),
        Rule("TMP104", "constant-tmp-name-default",
             "a helper parameter with a constant default that the helper renames into place unchanged", "sometimes"),
        Rule("TMP105", "tmp-name-under-file-lock",
             "a non-unique temp name whose write and rename are held by an inter-process lock", "sometimes"),
        Rule("TMP106", "weakly-unique-tmp-name",
             "a temp name whose only varying parts are weak (pid, thread id, time, counter)", None, default=False),
        Rule("TMP201", "hardcoded-shared-tmp-path",
             "a hardcoded name in a shared temp directory (/tmp, /var/tmp, /dev/shm) used as a file or folder", None),
        Rule("TMP202", "tempfile-mktemp",
             "tempfile.mktemp(), whose name can be taken between its choice and its use", None),
    )
}

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
