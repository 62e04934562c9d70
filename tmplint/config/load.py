"""Where settings come from: the nearest ``pyproject.toml`` with ``[tool.tmplint]``, then the command line."""

import os
import sys
from dataclasses import replace
from typing import Any, Dict, Mapping, Optional, Tuple

from tmplint.config.model import CONFIG_FILE_NAME, SECTION, Config, ConfigError
from tmplint.config.validate import _Checker, _dedupe, _describe, config_from_table
from tmplint.registry import layer_selection, resolve_selection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib


def _display_path(path: str) -> str:
    """The path as users like to read it: relative to the current folder when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{_display_path(path)}: cannot read configuration: {reason}", path) from None


def _read_toml(path: str) -> Dict[str, Any]:
    return _parse_toml(_read_bytes(path), path)


def _parse_toml(data: bytes, path: str) -> Dict[str, Any]:
    shown = _display_path(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: cannot read configuration: not UTF-8 ({exc.reason} at byte {exc.start})",
                          path) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}", path) from None
    except Exception as exc:  # tomli/tomllib raise only TOMLDecodeError, but a message beats a traceback
        raise ConfigError(f"{shown}: invalid TOML: {exc}", path) from None


def _tool_table(document: Mapping[str, Any], path: str) -> Optional[Any]:
    """``document["tool"]["tmplint"]`` or None; the caller validates its type."""
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    return tool.get("tmplint")


def find_config(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file or a folder; it need not exist) that
    has a ``[tool.tmplint]`` table, as an absolute path; None when there is none up to the filesystem root.

    A ``pyproject.toml`` that does not mention tmplint is passed over without being parsed; one that does
    but is not valid TOML raises ``ConfigError`` (it may hold the table, so silently skipping it would
    apply the wrong settings).
    """
    current = os.path.abspath(start or os.curdir)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    while True:
        candidate = os.path.join(current, CONFIG_FILE_NAME)
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _has_tool_table(path: str) -> bool:
    data = _read_bytes(path)
    if b"tmplint" not in data:
        return False
    return _tool_table(_parse_toml(data, path), path) is not None


def load_config(path: Optional[str]) -> Config:
    """The settings in ``path`` (None: the defaults), validated strictly.

    For a file named ``pyproject.toml``, or any file with a ``[tool]`` table, the settings are its
    ``[tool.tmplint]`` table (absent: the defaults). Any other TOML file given with ``--config`` holds the
    settings at its top level (a ``tmplint.toml``). ``Config.root`` is the file's folder.
    """
    if path is None:
        return Config()
    path = os.path.abspath(path)
    document = _read_toml(path)
    if os.path.basename(path) == CONFIG_FILE_NAME or "tool" in document:
        table = _tool_table(document, path)
        section = SECTION
        if table is None:
            table = {}
    else:
        table = document
        section = ""
    where = f"{_display_path(path)}: {section + ' ' if section else ''}"
    if not isinstance(table, dict):
        raise ConfigError(f"{_display_path(path)}: {SECTION} must be a table, got {_describe(table)}",
                          path, "tool.tmplint")
    return config_from_table(table, path, where)


def load_config_for(start: str, config_file: Optional[str] = None) -> Config:
    """The configuration that applies to ``start``: ``config_file`` when given (``--config``), else the
    nearest ``pyproject.toml`` with a ``[tool.tmplint]`` table, else the defaults."""
    return load_config(config_file if config_file is not None else find_config(start))


CLI_KEYS: Tuple[str, ...] = (
    "select", "ignore", "extend_select", "exclude", "extend_exclude", "per_file_ignores",
    "tmp_dirs", "extend_tmp_dirs", "save_helpers", "fix_helper", "max_file_size",
    "respect_gitignore", "force_exclude",
)


def merge_cli(config: Config, **overrides: Any) -> Config:
    """``config`` with the command-line settings in ``overrides`` laid over it; a None value means the flag
    was not given. Values are validated (``ConfigError`` naming the flag); lists may be given as
    comma-separated strings.

    * ``select``/``ignore``/``extend_select`` work as ruff's layers: ``--select`` starts afresh (the file's
      select, ignore and extend-select are dropped); without it, ``--ignore`` and ``--extend-select`` act on
      the rules the file enables, so ``ignore = ["TMP201"]`` in the file plus ``--ignore TMP202`` turns
      both off, and ``--extend-select TMP106`` turns TMP106 on whatever the file ignores.
    * ``exclude``, ``per_file_ignores``, ``tmp_dirs``, ``save_helpers`` (a mapping, pairs, or
      ``"pkg.mod.func:tmp_name"`` strings), ``fix_helper``, ``max_file_size``, ``respect_gitignore`` and
      ``force_exclude`` replace the file's value.
    * ``extend_exclude`` and ``extend_tmp_dirs`` add to the file's lists (``--tmp-dirs`` replaces the base
      list and keeps the file's ``extend-tmp-dirs``).
    """
    unknown = sorted(set(overrides) - set(CLI_KEYS))
    if unknown:
        raise TypeError(f"merge_cli() got unknown setting(s): {', '.join(unknown)}")
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return config
    checker = _Checker("", None, flag_style=True)
    changes: Dict[str, Any] = {}

    def flag(key: str) -> str:
        return key.replace("_", "-")

    select = checker.selectors(flag("select"), given["select"]) if "select" in given else None
    ignore = checker.selectors(flag("ignore"), given["ignore"]) if "ignore" in given else ()
    extend = checker.selectors(flag("extend_select"), given["extend_select"]) if "extend_select" in given else ()
    if select is not None:
        changes.update(select=select, ignore=ignore, extend_select=extend)
    elif ignore or extend:
        enabled = resolve_selection(config.select, config.ignore, config.extend_select)
        final = layer_selection(enabled, ignore, extend)
        changes.update(select=tuple(sorted(final)), ignore=(), extend_select=())

    if "exclude" in given:
        changes["exclude"] = checker.globs(flag("exclude"), given["exclude"])
    if "extend_exclude" in given:
        changes["extend_exclude"] = _dedupe(
            config.extend_exclude + checker.globs(flag("extend_exclude"), given["extend_exclude"]))
    if "per_file_ignores" in given:
        changes["per_file_ignores"] = checker.per_file_ignores(flag("per_file_ignores"),
                                                               given["per_file_ignores"])
    if "respect_gitignore" in given:
        changes["respect_gitignore"] = checker.boolean(flag("respect_gitignore"), given["respect_gitignore"])
    if "force_exclude" in given:
        changes["force_exclude"] = checker.boolean(flag("force_exclude"), given["force_exclude"])

    analysis: Dict[str, Any] = {}
    if "tmp_dirs" in given or "extend_tmp_dirs" in given:
        extra = checker.dirs(flag("extend_tmp_dirs"), given["extend_tmp_dirs"]) \
            if "extend_tmp_dirs" in given else ()
        if "tmp_dirs" in given:
            base = checker.dirs(flag("tmp_dirs"), given["tmp_dirs"]) + config.extend_tmp_dirs
        else:
            base = config.analysis.tmp_dirs
        analysis["tmp_dirs"] = _dedupe(base + extra)
        changes["extend_tmp_dirs"] = _dedupe(config.extend_tmp_dirs + extra)
    if "save_helpers" in given:
        analysis["save_helpers"] = checker.save_helpers(flag("save_helpers"), given["save_helpers"])
    if "fix_helper" in given:
        analysis["fix_helper"] = checker.fix_helper(flag("fix_helper"), given["fix_helper"])
    if "max_file_size" in given:
        analysis["max_file_size"] = checker.positive_int(flag("max_file_size"), given["max_file_size"])
    if analysis:
        changes["analysis"] = replace(config.analysis, **analysis)
    return replace(config, **changes)
