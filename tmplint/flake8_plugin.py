"""flake8 entry point ``TMP``: the engine's findings for one file; selection and noqa stay with flake8.

The analysis keys (``tmp-dirs``, ``save-helpers``, ...) come from the ``[tool.tmplint]`` that applies to
the file, with ``--tmplint-tmp-dirs``/``--tmplint-save-helpers`` laid over them; ``select``, ``ignore``
and ``per-file-ignores`` come from flake8 alone. Nothing here imports flake8, so the CLI runs without it.
"""

import ast
import logging
import os
from functools import lru_cache
from typing import Any, Iterator, List, Optional, Set, Tuple, Type

from tmplint.config import AnalysisOptions, Config, ConfigError, load_config_for, merge_cli
from tmplint.diagnostics import CANNOT_ANALYSE
from tmplint.project import check_alone
from tmplint.registry import ALL_CODES, RULES

LOG = logging.getLogger(__name__)

# flake8 selects and ignores codes itself, so the engine reports every code.
_REPORT_ALL = tuple(ALL_CODES)
# Codes that tmplint leaves off by default are off in flake8 too, until selected (bugbear's B9xx).
_OFF_BY_DEFAULT = [code for code in ALL_CODES if not RULES[code].default]

_reported_config_errors: Set[str] = set()


@lru_cache(maxsize=None)
def _project_config(folder: str) -> Config:
    """The ``[tool.tmplint]`` settings for files in ``folder``; the defaults when it cannot be used."""
    try:
        return load_config_for(folder)
    except ConfigError as exc:
        # run() must not raise, and flake8 has no channel for it: say it once on stderr.
        if str(exc) not in _reported_config_errors:
            _reported_config_errors.add(str(exc))
            LOG.error("tmplint: %s (using tmplint's default settings)", exc)
        return Config()


def _flake8_option_error(exc: ConfigError) -> Exception:
    from flake8.exceptions import ExecutionError  # only flake8 calls parse_options

    message = str(exc)
    if message.startswith("--"):  # merge_cli names its own flags; ours carry a tmplint- prefix
        message = "--tmplint-" + message[2:]
    return ExecutionError(message)


class Plugin:
    """Runs the tmplint engine on the file flake8 is checking."""

    # Set by parse_options: the flake8 options laid over [tool.tmplint]; None where not given.
    tmp_dirs: Optional[Tuple[str, ...]] = None
    save_helpers: Optional[Tuple[str, ...]] = None

    def __init__(self, tree: ast.AST, lines: List[str], filename: str) -> None:
        # ``tree`` is only here so flake8 classifies this as a tree plugin; LibCST needs its own parse.
        self.lines = lines
        self.filename = filename

    @staticmethod
    def add_options(option_manager: Any) -> None:
        option_manager.add_option(
            "--tmplint-save-helpers",
            default=None,
            parse_from_config=True,
            comma_separated_list=True,
            metavar="pkg.mod.func:tmp_name,...",
            help="Functions that rename their temp-name parameter into place, each as "
            "pkg.mod.func:parameter (replaces save-helpers from [tool.tmplint]).",
        )
        option_manager.add_option(
            "--tmplint-tmp-dirs",
            default=None,
            parse_from_config=True,
            comma_separated_list=True,
            metavar="DIR,...",
            help="Shared temp directories that TMP201 reports (replaces tmp-dirs from [tool.tmplint]; "
            "default: /tmp,/var/tmp,/dev/shm).",
        )
        option_manager.extend_default_ignore(_OFF_BY_DEFAULT)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        tmp_dirs = getattr(options, "tmplint_tmp_dirs", None)
        save_helpers = getattr(options, "tmplint_save_helpers", None)
        cls.tmp_dirs = None if tmp_dirs is None else tuple(tmp_dirs)
        cls.save_helpers = None if save_helpers is None else tuple(save_helpers)
        try:
            cls._merge(Config())  # bad values are a usage error now, not a failure per file later
        except ConfigError as exc:
            raise _flake8_option_error(exc) from None

    @classmethod
    def _merge(cls, config: Config) -> Config:
        return merge_cli(config, tmp_dirs=cls.tmp_dirs, save_helpers=cls.save_helpers)

    @classmethod
    def analysis_options(cls, filename: str) -> AnalysisOptions:
        return cls._merge(_project_config(os.path.dirname(os.path.abspath(filename)))).analysis

    def run(self) -> Iterator[Tuple[int, int, str, Type["Plugin"]]]:
        try:
            project = _project_config(os.path.dirname(os.path.abspath(self.filename)))
            config = Config(select=_REPORT_ALL, analysis=self.analysis_options(self.filename), root=project.root)
            # one file alone: no helper of another file is known, so a guess about one that a file
            # under the project root may define is left to tmplint, which sees that file
            diagnostics = check_alone("".join(self.lines), self.filename, config, apply_noqa=False)
        except Exception:  # a crash on one file must not stop flake8's run over the others
            LOG.exception("tmplint: failed on %s", self.filename)
            return
        for diagnostic in diagnostics:
            if diagnostic.code == CANNOT_ANALYSE:
                # flake8 reports its own E999 for files it cannot parse, and has no code for a file that it
                # parses but tmplint cannot analyse (too large, too deep): say so on stderr, as the CLI does
                LOG.warning("tmplint: %s: cannot analyse: %s", self.filename, diagnostic.message)
                continue
            yield diagnostic.line, diagnostic.col, f"{diagnostic.code} {diagnostic.message}", type(self)
