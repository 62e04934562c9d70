"""The settings themselves: plain frozen data every front end passes around, and their defaults."""

import os
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

DEFAULT_TMP_DIRS: Tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")  # noqa: TMP201 (the list of shared dirs itself, not a path)
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".git", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", ".tox",
)
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
# Folders, relative to the project root, that hold first-party packages (ruff's ``src``): a test in
# ``tests/`` resolves ``import pkg`` from ``src/pkg`` when only the test is named.
DEFAULT_SRC: Tuple[str, ...] = (".", "src")
CONFIG_FILE_NAME = "pyproject.toml"
SECTION = "[tool.tmplint]"


@dataclass(frozen=True)
class AnalysisOptions:
    """What the analysis itself needs to know; part of every cache key."""

    tmp_dirs: Tuple[str, ...] = DEFAULT_TMP_DIRS
    # "pkg.mod.func" -> name of its temp-name parameter
    save_helpers: Tuple[Tuple[str, str], ...] = ()
    # "pkg.mod.rename" -> (its source parameter, its destination parameter): renames into place
    rename_functions: Tuple[Tuple[str, Tuple[str, str]], ...] = ()
    fix_helper: Optional[str] = None
    fix_cleanup: bool = True  # --fix wraps a fixed save so that a failure removes its temp file
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    @property
    def rename_function_map(self) -> Dict[str, Tuple[str, str]]:
        return dict(self.rename_functions)


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
    # Folders are walked with .gitignore honoured unless --no-respect-gitignore.
    respect_gitignore: bool = True
    # --force-exclude: exclude/extend-exclude also apply to paths named on the command line.
    force_exclude: bool = False
    # The file the settings came from (absolute), and its folder: globs are relative to ``root``.
    config_path: Optional[str] = None
    root: Optional[str] = None
    # ``extend-tmp-dirs`` as given; already part of ``analysis.tmp_dirs``, kept so that a ``--tmp-dirs``
    # on the command line replaces the base list and still keeps the file's extension.
    extend_tmp_dirs: Tuple[str, ...] = ()
    src: Tuple[str, ...] = DEFAULT_SRC
    # where the reports link each rule (``docs-url``/CODE); None: its page in tmplint's repository
    docs_url: Optional[str] = None

    @property
    def project_root(self) -> str:
        """The folder globs are relative to: the configuration file's folder, else the current folder."""
        return self.root or os.getcwd()


class ConfigError(Exception):
    """A configuration (or command-line setting) that cannot be used; ``str()`` is one line for the user.

    ``path`` is the configuration file (None for the command line), ``key`` the setting at fault
    (None when the file itself cannot be read or parsed).
    """

    def __init__(self, message: str, path: Optional[str] = None, key: Optional[str] = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key
