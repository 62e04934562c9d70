"""flake8 entry point ``TMP``: what ``tmplint FILE`` finds in the file; selection and noqa stay with flake8.

flake8 hands over one file at a time; the plugin still indexes the project the file belongs to, through
the cache the CLI shares (``tmplint.api.check_text``), so a finding that needs another file is reported
here as by ``tmplint FILE``. The analysis keys (``tmp-dirs``, ``save-helpers``, ``src``, ...) come from
the ``[tool.tmplint]`` that applies to the file, with ``--tmplint-tmp-dirs``/``--tmplint-save-helpers``
laid over them; ``select``, ``ignore`` and ``per-file-ignores`` come from flake8 alone. Nothing here
imports flake8, so the CLI runs without it.
"""

import ast
import logging
import os
from dataclasses import replace
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple, Type

from tmplint import api
from tmplint.cache import Cache
from tmplint.config import AnalysisOptions, Config, ConfigError, load_config_for, merge_cli
from tmplint.diagnostics import CANNOT_ANALYSE
from tmplint.registry import ALL_CODES, RULES

LOG = logging.getLogger(__name__)

# flake8 selects and ignores codes itself, so the engine reports every code.
_REPORT_ALL = tuple(ALL_CODES)
# Codes that tmplint leaves off by default are off in flake8 too, until selected (bugbear's B9xx).
_OFF_BY_DEFAULT = [code for code in ALL_CODES if not RULES[code].default]

_reported_config_errors: Set[str] = set()
# One cache per project root for the whole flake8 run in this process: loaded once, not once per file
# (flake8's files do not change during its run), and saved when the process ends.
_caches: Dict[str, Cache] = {}


def _cache_for(root: str) -> Cache:
    cache = _caches.get(root)
    if cache is None:
        from multiprocessing import util

        cache = _caches[root] = Cache.for_project(root)
        # runs at exit in flake8's main process and in its worker processes (which skip atexit)
        util.Finalize(cache, _save, args=(cache,), exitpriority=10)
    return cache


def _save(cache: Cache) -> None:
    try:
        cache.save()
    except Exception:  # a cache that cannot be written is no error of the run
        LOG.debug("tmplint: cache not saved", exc_info=True)


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
    # flake8 --disable-noqa: the file's noqa comments are not applied (the others' still are, as by tmplint)
    disable_noqa = False

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
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))
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

    def settings(self) -> Config:
        """The file's ``[tool.tmplint]`` with the flake8 options over it, every code selected and no
        per-file-ignores: flake8 applies its own."""
        merged = self._merge(_project_config(os.path.dirname(os.path.abspath(self.filename))))
        return replace(merged, select=_REPORT_ALL, ignore=(), extend_select=(), per_file_ignores=())

    def run(self) -> Iterator[Tuple[int, int, str, Type["Plugin"]]]:
        try:
            # flake8 applies noqa itself, the same way: leaving it to flake8 only matters for
            # --disable-noqa, and costs the cache's answer for the file (it is parsed again)
            settings = self.settings()
            diagnostics = api.check_text("".join(self.lines), self.filename, settings,
                                         apply_noqa=not self.disable_noqa, cache=_cache_for(settings.project_root))
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
