"""Cheap screens that keep files which cannot hold a finding away from LibCST.

LibCST's parse costs about ten times the standard library's ``ast.parse``, and most files
never rename anything into place. Stage one is a regex over the text; stage two walks the
``ast`` for the shapes a finding needs. Both are sound: a file they reject has no finding,
which tests check on every fixture and the benchmark checks on the corpus.
"""

import ast
import re
import warnings
from typing import Dict

from tmplint.analysis.knowledge import TMP_KEYWORD
from tmplint.config import AnalysisOptions

RENAME_NAMES = frozenset({"replace", "rename", "move"})


def text_pattern(options: AnalysisOptions) -> "re.Pattern[str]":
    """Text every file with a possible finding contains.

    A rename (``replace``/``rename``/``move`` as a word: every alias and wrapper spells one),
    ``mktemp``, a shared temp dir, a ``tmp``/``temp`` keyword argument, a configured save helper.
    """
    parts = [r"\b(?:replace|rename|move)\b", r"mktemp", r"(?i:\b_*te?mp\w*\s*=)"]
    parts += [re.escape(d) for d in options.tmp_dirs]
    parts += [re.escape(helper.rsplit(".", 1)[-1]) for helper, _ in options.save_helpers]
    return re.compile("|".join(parts))


_PATTERNS: Dict[AnalysisOptions, "re.Pattern[str]"] = {}


def passes_text_screen(text: str, options: AnalysisOptions) -> bool:
    pattern = _PATTERNS.get(options)
    if pattern is None:
        pattern = _PATTERNS[options] = text_pattern(options)
    return pattern.search(text) is not None


def passes_ast_screen(tree: ast.AST, text: str, options: AnalysisOptions) -> bool:
    """True when the tree holds a shape some finding needs.

    ``<imported name>.replace/rename/move`` (called or passed around, as ``retry(...)(os.replace)``
    does), ``from os import replace``, a one-argument ``.replace(x)``/``.rename(x)`` (pathlib),
    a ``tmp``-named keyword argument, a configured save helper, ``mktemp``, a shared temp dir.
    ``str.replace(a, b)`` on a non-module is what this stage exists to drop.
    """
    if "mktemp" in text or any(d in text for d in options.tmp_dirs):
        return True
    helper_names = {helper.rsplit(".", 1)[-1] for helper, _ in options.save_helpers}
    imported = set()
    receivers = []  # names that .replace/.rename/.move is looked up on, with two or more arguments
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RENAME_NAMES:
            if len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred):
                return True  # Path.replace(dst) / Path.rename(dst)
        elif isinstance(node, ast.Attribute):
            if node.attr in helper_names:
                return True
            if node.attr in RENAME_NAMES:
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name):
                    receivers.append(root.id)
        elif isinstance(node, ast.alias):
            if node.name in RENAME_NAMES or node.name.split(".")[-1] in RENAME_NAMES:
                return True  # from os import replace [as r]
            imported.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.keyword):
            if node.arg is not None and TMP_KEYWORD.match(node.arg):
                return True
        elif isinstance(node, ast.Name) and node.id in helper_names:
            return True
    return any(name in imported for name in receivers)  # os.replace, sh.move, but not text.replace


def may_have_findings(text: str, options: AnalysisOptions) -> bool:
    """Both screens; a file the standard parser rejects goes on to LibCST, which says why."""
    if not passes_text_screen(text, options):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return passes_ast_screen(tree, text, options)
