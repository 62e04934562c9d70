"""The dataflow behind every TMP rule: scopes, values, summaries, findings."""

from typing import Any, List, NamedTuple, Optional, Tuple

import libcst as cst

from tmplint.config import AnalysisOptions


class Finding(NamedTuple):
    """A finding still tied to its CST node; the engine turns it into a plain Diagnostic."""

    code: str
    message: str
    node: cst.CSTNode
    fix_title: Optional[str] = None
    fix_applicability: Optional[str] = None
    ref: Optional[cst.CSTNode] = None  # a node whose line replaces "{ref}" in the message
    scope: Optional[Any] = None  # the scope the finding was made in, for the fixer
    fact: Optional[Any] = None  # the rename (checker.Fact) behind a TMP10x finding, for the fixer


def analyze_module(module: cst.Module, options: AnalysisOptions) -> List[Finding]:
    return analyze_module_with_tables(module, options)[0]


def analyze_module_with_tables(module: cst.Module, options: AnalysisOptions,
                               project: Optional[Any] = None) -> Tuple[List[Finding], Any]:
    """The findings and the checker that made them (its tables and evaluator), which the fixer plans with.

    With ``project`` (an ``index.ModuleInfo``) the checker also records what the project index needs.
    """
    from tmplint.analysis.checker import ScopeChecker

    checker = ScopeChecker(module, options)
    if project is not None:
        from tmplint.analysis.index import Recorder

        checker.recorder = Recorder(checker, project)
    return checker.run(), checker
