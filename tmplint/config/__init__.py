"""Settings shared by every front end (CLI, flake8 plugin, API), and reading them from ``[tool.tmplint]``.

Where settings come from:

* ``find_config(start)`` finds the nearest ``pyproject.toml`` at or above ``start`` that has a
  ``[tool.tmplint]`` table (a ``pyproject.toml`` without one is passed over, as ruff and Fixit do).
* ``load_config(path)`` reads and strictly validates that table; any problem (unknown key, wrong type,
  bad rule code, unreadable or invalid TOML) is a ``ConfigError`` whose text is one line naming the file,
  the key and what was expected. It never lets a traceback through for bad input.
* ``merge_cli(config, **overrides)`` lays command-line flags over the file's settings.

Glob patterns in ``exclude``/``extend-exclude``/``per-file-ignores`` are relative to the folder holding the
configuration file (``Config.root``; the current folder when there is none), and a pattern also matches a
file's or folder's name alone, as in ruff. ``*`` may cross ``/`` and ``**/`` matches any number of folders.

One module for each part: ``model`` (the data and defaults), ``load`` (files and the command line),
``validate`` (checking values), ``patterns`` (globs and per-file-ignores), ``show`` (``--show-settings``).
"""

from tmplint.config.load import CLI_KEYS, find_config, load_config, load_config_for, merge_cli
from tmplint.config.model import (
    CONFIG_FILE_NAME,
    DEFAULT_EXCLUDE,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_SRC,
    DEFAULT_TMP_DIRS,
    SECTION,
    AnalysisOptions,
    Config,
    ConfigError,
)
from tmplint.config.patterns import apply_per_file_ignores, compile_patterns, ignored_codes_for, matches_any
from tmplint.config.show import describe
from tmplint.config.validate import KNOWN_KEYS, config_from_table
from tmplint.globs import glob_to_regex

__all__ = [
    "AnalysisOptions", "CLI_KEYS", "CONFIG_FILE_NAME", "Config", "ConfigError", "DEFAULT_EXCLUDE",
    "DEFAULT_MAX_FILE_SIZE", "DEFAULT_SRC", "DEFAULT_TMP_DIRS", "KNOWN_KEYS", "SECTION", "apply_per_file_ignores",
    "compile_patterns", "config_from_table", "describe", "find_config", "glob_to_regex", "ignored_codes_for",
    "load_config", "load_config_for", "matches_any", "merge_cli",
]
