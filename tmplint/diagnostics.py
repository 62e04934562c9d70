"""Plain-data findings: no CST nodes, so they cross processes and live in caches."""

from dataclasses import dataclass, replace
from typing import Optional, Tuple

SAFE = "safe"
UNSAFE = "unsafe"


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

    @property
    def fixable(self) -> bool:
        return self.fix_applicability is not None

    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)

    def with_path(self, path: str) -> "Diagnostic":
        return replace(self, path=path)


CANNOT_ANALYSE = "TMP000"
