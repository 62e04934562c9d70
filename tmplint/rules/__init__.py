"""The rules: one class per rule, one module per family.

A rule holds everything about itself: its code, name and one-line summary, its fix availability
and default, examples that run as tests (``tests/test_rule_examples.py``), its documentation (``tmplint/rule_docs/<CODE>.md``,
the source of ``--explain`` and ``docs/rules/``) and its decision over the facts the analysis
produces. The analysis (``tmplint.analysis``) finds facts; rules decide findings.

Families: renames into place (``renames.py``, TMP101-TMP106) and the shared temp folder
(``shared_tmp.py``, TMP201, TMP202). The in-file checker (``analysis/checker.py``) and the
project index (``analysis/index.py``) make the same facts and hand them to the same rules.

The text screen (``tmplint/screen.py``) is not yet read from the rules: it stays one module with
its own soundness tests. This package never imports LibCST: the main process reads the catalogue to select rules, print
docs and report, and parses nothing.
"""

from typing import Any, ClassVar, Dict, List, Optional, Tuple, Type, Union


class Examples:
    """Code the rule must report (``bad``) and must leave silent (``good``): each a whole module."""

    def __init__(self, bad: Tuple[str, ...] = (), good: Tuple[str, ...] = ()):
        self.bad = bad
        self.good = good


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    fix: ClassVar[Optional[str]] = None  # "safe", "sometimes", or None
    default: ClassVar[bool] = True
    examples: ClassVar[Examples] = Examples()
    fact: ClassVar[Union[type, Tuple[type, ...]]]  # the kind(s) of fact (tmplint/facts.py) the rule decides

    @classmethod
    def decide(cls, fact: Any) -> Optional[str]:
        """The finding's message for a fact, or None when the rule does not report it."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        """The rule's Markdown page (sections only), shipped as package data."""
        from importlib.resources import files

        text = files("tmplint.rule_docs").joinpath(f"{cls.code}.md").read_text(encoding="utf-8")
        return text.replace("\r\n", "\n")


def _all_rules() -> List[Type[Rule]]:
    from tmplint.rules import renames, shared_tmp

    return [*renames.RULES, *shared_tmp.RULES]


RULES: Dict[str, Type[Rule]] = {rule.code: rule for rule in _all_rules()}
_BY_FACT: Dict[type, List[Type[Rule]]] = {}
for _rule in RULES.values():
    for _kind in _rule.fact if isinstance(_rule.fact, tuple) else (_rule.fact,):
        _BY_FACT.setdefault(_kind, []).append(_rule)


def rules_for(fact: object) -> List[Type[Rule]]:
    """The rules that decide a fact of this kind."""
    return _BY_FACT.get(type(fact), [])


def decide(fact: object) -> Optional[Tuple[str, str]]:
    """The one finding (code, message) a fact makes, or None: a fact's rules never overlap."""
    for rule in rules_for(fact):
        message = rule.decide(fact)
        if message is not None:
            return rule.code, message
    return None
