"""The dataflow behind every TMP rule: scopes, values, summaries, findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Tuple

if TYPE_CHECKING:  # the records the cache and the index read must load without LibCST
    import libcst as cst

    # (and the rules, which the registry in tmplint.config loads, must load without tmplint.config)
    from tmplint.config.model import AnalysisOptions


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


def analyze_module_with_tables(module: cst.Module, options: AnalysisOptions,
                               project: Optional[Any] = None) -> Tuple[List[Finding], Any]:
    """The findings and the checker that made them (its tables and evaluator), which the fixer plans with.

    With ``project`` (an ``index.ModuleInfo``) the checker also records what the project index needs.
    """
    from tmplint.analysis.checker import ScopeChecker

    checker = ScopeChecker(module, options)
    if project is not None:
        from tmplint.analysis.exports import Recorder

        checker.recorder = Recorder(checker, project)
    return checker.run(), checker
