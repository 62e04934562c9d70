"""Settings shared by every front end (CLI, flake8 plugin, API)."""

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

DEFAULT_TMP_DIRS: Tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", ".tox",
)
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True)
class AnalysisOptions:
    """What the analysis itself needs to know; part of every cache key."""

    tmp_dirs: Tuple[str, ...] = DEFAULT_TMP_DIRS
    # "pkg.mod.func" -> name of its temp-name parameter
    save_helpers: Tuple[Tuple[str, str], ...] = ()
    fix_helper: Optional[str] = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    @property
    def save_helper_map(self) -> Dict[str, str]:
        return dict(self.save_helpers)


@dataclass(frozen=True)
class Config:
    """Everything ``[tool.tmplint]`` and the command line can set."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
