"""``tmplint --add-noqa``: silence every current finding in place, so that a large code base adopts
tmplint and CI fails only on new findings (ruff's ``--add-noqa``).

Each file with findings is rewritten as ``--fix`` writes (``tmplint.fix.files.rewrite_file``: atomic,
its encoding, mode and line endings kept); the comments go where ``tmplint.noqa.add_noqa`` places them.
A file that parsed before and would not parse after is left as it was and reported.
"""

from typing import Dict, List, Sequence, Tuple

from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic


def add_noqa_files(results: Sequence[Diagnostic], settings, paths: Sequence[str]
                   ) -> Tuple[int, List[Diagnostic], List[Tuple[str, int]]]:
    """Add the directives for ``results`` (a run's findings) to their files: (directives added, a TMP000
    diagnostic for each file that could not be changed, and the (path, line) of each line no comment
    can silence)."""
    from tmplint.engine import cannot_analyse
    from tmplint.fix import _ast_parses
    from tmplint.fix.files import allowed_roots, rewrite_file
    from tmplint.noqa import NoqaAdded, add_noqa
    from tmplint.source import SourceError

    by_path: Dict[str, List[Diagnostic]] = {}
    for d in results:
        by_path.setdefault(d.path, []).append(d)
    inside = allowed_roots(paths)
    added = 0
    errors: List[Diagnostic] = []
    unsilenced: List[Tuple[str, int]] = []
    for path, found in sorted(by_path.items()):
        if any(d.code == CANNOT_ANALYSE for d in found):
            continue

        outcome: List[NoqaAdded] = []

        def change(text: str, found=found, outcome=outcome) -> str:
            result = add_noqa(text, [(d.line, d.code) for d in found])
            if result.text != text and _ast_parses(text) and not _ast_parses(result.text):
                raise SourceError("the noqa comments would break the file")
            outcome.append(result)
            return result.text

        try:
            rewrite_file(path, settings, change, inside=inside)
        except SourceError as exc:
            errors.append(cannot_analyse(path, f"no noqa added: {exc}"))
            continue
        added += outcome[0].added
        unsilenced += [(path, line) for line in outcome[0].unsilenced]
    return added, errors, unsilenced

