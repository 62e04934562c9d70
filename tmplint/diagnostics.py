"""Plain-data findings: no CST nodes, so they cross processes and live in caches."""

from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Tuple

SAFE = "safe"
UNSAFE = "unsafe"


class FixAt(NamedTuple):
    """Where the fix of a finding the project index made lies, as plain data; the fixer plans the edit
    again in the process that fixes that file (``tmplint.fix``)."""

    path: str  # the file the edit is made in: the finding's own, or the helper's
    line: int  # the first line the edit changes, for "fix in path:line"
    rename_line: int = 0  # a helper fix: the line of the helper's rename whose temp path gains the unique part
    span: Optional[Tuple[int, int, int, int]] = None  # a local fix: the rename's src expression, as Diagnostic


@dataclass(frozen=True)
class Diagnostic:
    """One finding.

    ``line`` is 1-based and ``col`` 0-based (LibCST's and flake8's convention); reporters
    that show 1-based columns add 1 themselves.
    """

    code: str
    message: str
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    fix_title: Optional[str] = None
    fix_applicability: Optional[str] = None  # SAFE, UNSAFE, or None when there is no fix
    # for a finding of the project index: where its fix lies (not part of the finding's identity)
    fix_at: Optional[FixAt] = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix_applicability is not None

    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


CANNOT_ANALYSE = "TMP000"
