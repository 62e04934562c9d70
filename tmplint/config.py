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
"""

import difflib
import json
import keyword
import os
import posixpath
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from tmplint.globs import Glob, glob_to_regex
from tmplint.registry import ALL_CODES, is_valid_selector, resolve_selection, selector_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

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


# ---------------------------------------------------------------------------------------------------------
# Finding and reading the file


def _display_path(path: str) -> str:
    """The path as users like to read it: relative to the current folder when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def _read_toml(path: str) -> Dict[str, Any]:
    shown = _display_path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{shown}: cannot read configuration: {reason}", path) from None
    return _parse_toml(data, path)


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
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{_display_path(path)}: cannot read configuration: {reason}", path) from None
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


# ---------------------------------------------------------------------------------------------------------
# Validation

_CODE_EXAMPLE = '"TMP101"'
_SELECTOR_EXPECTED = (f"a list of rule codes or prefixes like {_CODE_EXAMPLE} or \"TMP1\" "
                      f"(known codes: {', '.join(ALL_CODES)})")
_GLOBS_EXPECTED = 'a list of glob patterns like "build" or "tests/fixtures/*"'
_DIRS_EXPECTED = 'a list of folder paths like "/tmp"'
_SRC_EXPECTED = 'a list of folders relative to the project root, like ["src"]'
_HELPERS_EXPECTED = 'a table of function to temp-name parameter, like {"pkg.mod.save" = "tmp_name"}'
_RENAMES_EXPECTED = 'a table of function to its two parameters, like {"mercurial.util.rename" = ["src", "dst"]}'
_FIX_HELPER_EXPECTED = 'a function as "module.path:function", like "mypkg.fsutil:unique_tmp_name"'
_SIZE_EXPECTED = "a positive whole number of bytes, like 2097152"
_PFI_EXPECTED = 'a table of glob pattern to rule codes, like {"tests/*.py" = ["TMP201"]}'

KNOWN_KEYS: Tuple[str, ...] = (
    "select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores",
    "tmp-dirs", "extend-tmp-dirs", "save-helpers", "rename-functions", "fix-helper", "fix-cleanup",
    "max-file-size", "src", "docs-url",
)


def _describe(value: Any) -> str:
    """A value as users wrote it in TOML, with its kind: ``the string "TMP9"``, ``the integer 3``."""
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"the string {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__} value"  # dates and times


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _key_name(key: str) -> str:
    """A TOML key as it would be written: bare when possible, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _quote(key)


class _Checker:
    """Validates values for one source (a file's table, or the command line) and words the errors."""

    def __init__(self, where: str, path: Optional[str], flag_style: bool = False) -> None:
        self.where = where  # "pyproject.toml: [tool.tmplint] " or "" for the command line
        self.path = path
        self.flag_style = flag_style

    def name(self, key: str) -> str:
        return "--" + key if self.flag_style else key

    def fail(self, key: str, expected: str, got: Any, detail: str = "") -> "ConfigError":
        return ConfigError(f"{self.where}{self.name(key)}: expected {expected}, got {_describe(got)}{detail}",
                           self.path, key)

    def string_list(self, key: str, value: Any, expected: str) -> Tuple[str, ...]:
        if isinstance(value, str) and self.flag_style:
            value = [part for part in value.split(",")]
        if not isinstance(value, (list, tuple)):
            raise self.fail(key, expected, value)
        items = []
        for item in value:
            if not isinstance(item, str):
                raise self.fail(key, expected, item, " in the list")
            item = item.strip()
            if not item:
                if self.flag_style:
                    continue
                raise ConfigError(f"{self.where}{self.name(key)}: expected {expected}, got an empty string "
                                  "in the list", self.path, key)
            items.append(item)
        return tuple(items)

    def selectors(self, key: str, value: Any) -> Tuple[str, ...]:
        codes = self.string_list(key, value, _SELECTOR_EXPECTED)
        for code in codes:
            if not is_valid_selector(code):
                hint = ""
                if is_valid_selector(code.upper()):
                    hint = f' (codes are upper case: "{code.upper()}")'
                elif code.startswith("TMP000") or code == "TMP0":
                    hint = " (TMP000 is always shown and cannot be selected or ignored)"
                raise ConfigError(f"{self.where}{self.name(key)}: expected {_SELECTOR_EXPECTED}, "
                                  f"got {_quote(code)}{hint}", self.path, key)
        return codes

    def globs(self, key: str, value: Any) -> Tuple[str, ...]:
        return self.string_list(key, value, _GLOBS_EXPECTED)

    def dirs(self, key: str, value: Any) -> Tuple[str, ...]:
        folders = self.string_list(key, value, _DIRS_EXPECTED)
        # "/scratch/" and "/scratch" are the same folder; TMP201 matches the folder alone or followed by "/".
        return tuple(folder.rstrip("/") or folder for folder in folders)

    def per_file_ignores(self, key: str, value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        if isinstance(value, (list, tuple)) and self.flag_style:
            value = _pairs_to_table(key, value, self)
        if not isinstance(value, dict):
            raise self.fail(key, _PFI_EXPECTED, value)
        entries = []
        for glob, codes in value.items():
            if not glob.strip():
                raise ConfigError(f"{self.where}{self.name(key)}: expected {_PFI_EXPECTED}, got an empty "
                                  "glob pattern", self.path, key)
            entries.append((glob, self.selectors(f"{key}.{_key_name(glob)}", codes)))
        return tuple(entries)

    def save_helpers(self, key: str, value: Any) -> Tuple[Tuple[str, str], ...]:
        if isinstance(value, (list, tuple)) and self.flag_style:
            value = _pairs_to_table(key, value, self)
        if not isinstance(value, dict):
            raise self.fail(key, _HELPERS_EXPECTED, value)
        helpers = []
        for function, parameter in value.items():
            if not _is_dotted_name(function):
                raise ConfigError(
                    f"{self.where}{self.name(key)}: expected {_HELPERS_EXPECTED}, got the function name "
                    f"{_quote(function)} (a dotted Python name like \"pkg.mod.save\" is expected)",
                    self.path, key)
            sub = f"{key}.{_key_name(function)}"
            expected = 'the name of the function\'s temp-name parameter, like "tmp_name"'
            if not isinstance(parameter, str):
                raise self.fail(sub, expected, parameter)
            if not _is_identifier(parameter.strip()):
                raise ConfigError(f"{self.where}{self.name(sub)}: expected {expected}, got {_quote(parameter)} "
                                  "(not a Python identifier)", self.path, sub)
            helpers.append((function, parameter.strip()))
        return tuple(helpers)

    def rename_functions(self, key: str, value: Any) -> Tuple[Tuple[str, Tuple[str, str]], ...]:
        if not isinstance(value, dict):
            raise self.fail(key, _RENAMES_EXPECTED, value)
        functions = []
        for function, parameters in value.items():
            if not _is_dotted_name(function):
                raise ConfigError(
                    f"{self.where}{self.name(key)}: expected {_RENAMES_EXPECTED}, got the function name "
                    f"{_quote(function)} (a dotted Python name like \"pkg.util.rename\" is expected)",
                    self.path, key)
            sub = f"{key}.{_key_name(function)}"
            if not (isinstance(parameters, (list, tuple)) and len(parameters) == 2
                    and all(isinstance(p, str) and _is_identifier(p.strip()) for p in parameters)):
                raise self.fail(sub, 'the names of its source and destination parameters, like ["src", "dst"]',
                                parameters)
            functions.append((function, (parameters[0].strip(), parameters[1].strip())))
        return tuple(functions)

    def fix_helper(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, _FIX_HELPER_EXPECTED, value)
        text = value.strip()
        module, sep, function = text.partition(":")
        valid = (_is_dotted_name(module) and _is_dotted_name(function)) if sep else (
            _is_dotted_name(text) and "." in text)
        if not valid:
            raise ConfigError(f"{self.where}{self.name(key)}: expected {_FIX_HELPER_EXPECTED}, "
                              f"got {_quote(value)}", self.path, key)
        return text

    def url(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value.strip()):
            raise self.fail(key, 'an http(s) URL, like "https://example.com/tmplint/rules"', value)
        return value.strip()

    def positive_int(self, key: str, value: Any) -> int:
        if isinstance(value, str) and self.flag_style and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, _SIZE_EXPECTED, value)
        if value <= 0:
            raise self.fail(key, _SIZE_EXPECTED, value)
        return value

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value


def _pairs_to_table(key: str, value: Sequence[Any], checker: _Checker) -> Dict[str, Any]:
    """Command-line forms: ``["pkg.mod.func:tmp_name", ...]`` or ``[("glob", ["TMP1"]), ...]``."""
    table: Dict[str, Any] = {}
    for item in value:
        if isinstance(item, str):
            first, sep, second = item.rpartition(":") if key == "save-helpers" else item.partition(":")
            if not sep:
                raise ConfigError(f"{checker.name(key)}: expected entries like "
                                  f"{'pkg.mod.save:tmp_name' if key == 'save-helpers' else 'tests/*.py:TMP201'}"
                                  f", got {_quote(item)}", checker.path, key)
            if key == "per-file-ignores":
                table.setdefault(first, []).extend(second.split(","))
            else:
                table[first] = second
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            table[item[0]] = list(item[1]) if key == "per-file-ignores" and not isinstance(item[1], str) \
                else item[1]
        else:
            raise checker.fail(key, "a list of pairs", item)
    return table


def _is_identifier(text: str) -> bool:
    return text.isidentifier() and not keyword.iskeyword(text)


def _is_dotted_name(text: str) -> bool:
    return bool(text) and all(_is_identifier(part) for part in text.split("."))


def _dedupe(items: Iterable[str]) -> Tuple[str, ...]:
    seen: Set[str] = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return tuple(result)


def _unknown_key_message(where: str, key: str) -> str:
    suggestion = ""
    normalized = key.replace("_", "-").lower()
    if normalized in KNOWN_KEYS:
        suggestion = f' (did you mean "{normalized}"?)'
    else:
        close = difflib.get_close_matches(normalized, KNOWN_KEYS, n=1)
        if close:
            suggestion = f' (did you mean "{close[0]}"?)'
    return (f"{where}unknown key {_quote(key)}{suggestion}; expected one of: {', '.join(KNOWN_KEYS)}")


def config_from_table(table: Mapping[str, Any], path: str, where: str) -> Config:
    checker = _Checker(where, path)
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(_unknown_key_message(where, key), path, key)
    values: Dict[str, Any] = {}
    if "select" in table:
        values["select"] = checker.selectors("select", table["select"])
    if "ignore" in table:
        values["ignore"] = checker.selectors("ignore", table["ignore"])
    if "extend-select" in table:
        values["extend_select"] = checker.selectors("extend-select", table["extend-select"])
    if "exclude" in table:
        values["exclude"] = checker.globs("exclude", table["exclude"])
    if "extend-exclude" in table:
        values["extend_exclude"] = checker.globs("extend-exclude", table["extend-exclude"])
    if "per-file-ignores" in table:
        values["per_file_ignores"] = checker.per_file_ignores("per-file-ignores", table["per-file-ignores"])
    if "src" in table:
        values["src"] = checker.string_list("src", table["src"], _SRC_EXPECTED)
    if "docs-url" in table:
        values["docs_url"] = checker.url("docs-url", table["docs-url"])
    base_dirs = DEFAULT_TMP_DIRS
    if "tmp-dirs" in table:
        base_dirs = checker.dirs("tmp-dirs", table["tmp-dirs"])
    extend_dirs: Tuple[str, ...] = ()
    if "extend-tmp-dirs" in table:
        extend_dirs = checker.dirs("extend-tmp-dirs", table["extend-tmp-dirs"])
    analysis: Dict[str, Any] = {"tmp_dirs": _dedupe(base_dirs + extend_dirs)}
    if "save-helpers" in table:
        analysis["save_helpers"] = checker.save_helpers("save-helpers", table["save-helpers"])
    if "rename-functions" in table:
        analysis["rename_functions"] = checker.rename_functions("rename-functions", table["rename-functions"])
    if "fix-helper" in table:
        analysis["fix_helper"] = checker.fix_helper("fix-helper", table["fix-helper"])
    if "fix-cleanup" in table:
        analysis["fix_cleanup"] = checker.boolean("fix-cleanup", table["fix-cleanup"])
    if "max-file-size" in table:
        analysis["max_file_size"] = checker.positive_int("max-file-size", table["max-file-size"])
    return Config(
        analysis=AnalysisOptions(**analysis),
        config_path=path,
        root=os.path.dirname(path),
        extend_tmp_dirs=extend_dirs,
        **values,
    )


# ---------------------------------------------------------------------------------------------------------
# The command line over the file

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
        final = set()
        for code in ALL_CODES:
            on = code in enabled
            best = -1
            for selector in extend:
                if selector_names(selector, code) and len(selector) >= best:
                    best, on = len(selector), True
            for selector in ignore:
                if code.startswith(selector) and len(selector) >= best:
                    best, on = len(selector), False
            if on:
                final.add(code)
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


# ---------------------------------------------------------------------------------------------------------
# Globs relative to the project root


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _absolute(path: str) -> str:
    return _posix(os.path.normpath(os.path.abspath(path)))


@lru_cache(maxsize=256)
def compile_patterns(patterns: Tuple[str, ...], root: str) -> Tuple[Tuple[Glob, Glob], ...]:
    """For each glob: (one for a name alone, one for an absolute path) with the glob joined to ``root``;
    both match in time linear in the path (``tmplint.globs``).

    A trailing ``/`` is dropped (folders and files are matched alike) and a leading ``./`` is relative.
    """
    root = _posix(os.path.normpath(os.path.abspath(root)))
    compiled = []
    for pattern in patterns:
        pattern = _posix(pattern).rstrip("/")
        if not pattern:
            continue
        while pattern.startswith("./"):
            pattern = pattern[2:]
        base = ""
        if not (pattern.startswith("/") or os.path.isabs(pattern)):
            base = root
            while pattern.startswith("../"):
                base, pattern = posixpath.dirname(base), pattern[3:]
            base = base.rstrip("/") + "/"
        compiled.append((Glob(pattern), Glob(pattern, prefix=base)))
    return tuple(compiled)


def matches_any(path: str, patterns: Tuple[str, ...], root: str) -> bool:
    """True when a glob in ``patterns`` matches the path's name or its absolute path (globs relative to
    ``root``)."""
    full = _absolute(path)
    name = full.rsplit("/", 1)[-1]
    for name_glob, full_glob in compile_patterns(tuple(patterns), root):
        if name_glob.match(name) or full_glob.match(full):
            return True
    return False


def ignored_codes_for(config: Config, path: str) -> Set[str]:
    """The rule codes ``per-file-ignores`` turns off for ``path``: every code under a selector whose glob
    matches the file's name or its path relative to the project root (``fnmatch``-style: ``*`` crosses
    ``/``; ``**/`` is any number of folders). A glob starting with ``!`` applies to the files it does *not*
    match, as in ruff."""
    ignored: Set[str] = set()
    root = config.project_root
    for glob, selectors in config.per_file_ignores:
        negated = glob.startswith("!")
        pattern = glob[1:] if negated else glob
        if matches_any(path, (pattern,), root) != negated:
            ignored.update(code for code in ALL_CODES if any(code.startswith(s) for s in selectors))
    return ignored


def apply_per_file_ignores(config: Config, diagnostics: Iterable[Any]) -> List[Any]:
    """``diagnostics`` without the findings ``per-file-ignores`` turns off for their file. TMP000 (cannot
    analyse) is always kept: it is never selectable, so it cannot be ignored either."""
    diagnostics = list(diagnostics)
    if not config.per_file_ignores:
        return diagnostics
    by_path: Dict[str, Set[str]] = {}
    kept = []
    for diagnostic in diagnostics:
        if diagnostic.code != "TMP000":
            ignored = by_path.get(diagnostic.path)
            if ignored is None:
                ignored = by_path[diagnostic.path] = ignored_codes_for(config, diagnostic.path)
            if diagnostic.code in ignored:
                continue
        kept.append(diagnostic)
    return kept


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if value is None:
        return '""'
    raise TypeError(type(value))


def describe(config: Config) -> str:
    """The settings in effect, as TOML a user could paste into ``[tool.tmplint]`` (``--show-settings``),
    with where they came from and the resulting rule selection in comments."""
    enabled = sorted(resolve_selection(config.select, config.ignore, config.extend_select))
    lines = [
        f"# configuration file: {config.config_path or '(none: defaults)'}",
        f"# project root: {config.project_root}",
        f"# enabled rules: {', '.join(enabled) if enabled else '(none)'}",
        f"# respect-gitignore: {_toml_value(config.respect_gitignore)}",
        f"# force-exclude: {_toml_value(config.force_exclude)}",
        SECTION,
    ]
    if config.select is not None:
        lines.append(f"select = {_toml_value(config.select)}")
    lines.append(f"ignore = {_toml_value(config.ignore)}")
    lines.append(f"extend-select = {_toml_value(config.extend_select)}")
    lines.append(f"exclude = {_toml_value(config.exclude)}")
    lines.append(f"extend-exclude = {_toml_value(config.extend_exclude)}")
    lines.append(f"tmp-dirs = {_toml_value(config.analysis.tmp_dirs)}")
    lines.append(f"src = {_toml_value(config.src)}")
    if config.analysis.fix_helper is not None:
        lines.append(f"fix-helper = {_toml_value(config.analysis.fix_helper)}")
    lines.append(f"fix-cleanup = {_toml_value(config.analysis.fix_cleanup)}")
    lines.append(f"max-file-size = {config.analysis.max_file_size}")
    if config.docs_url is not None:
        lines.append(f"docs-url = {_quote(config.docs_url)}")
    lines.append("")
    lines.append(f"{SECTION[:-1]}.per-file-ignores]")
    for glob, codes in config.per_file_ignores:
        lines.append(f"{_quote(glob)} = {_toml_value(codes)}")
    lines.append("")
    lines.append(f"{SECTION[:-1]}.save-helpers]")
    for function, parameter in config.analysis.save_helpers:
        lines.append(f"{_quote(function)} = {_quote(parameter)}")
    lines.append("")
    lines.append(f"{SECTION[:-1]}.rename-functions]")
    for function, parameters in config.analysis.rename_functions:
        lines.append(f"{_quote(function)} = {_toml_value(parameters)}")
    return "\n".join(lines).rstrip("\n")


def load_config_for(start: str, config_file: Optional[str] = None) -> Config:
    """The configuration that applies to ``start``: ``config_file`` when given (``--config``), else the
    nearest ``pyproject.toml`` with a ``[tool.tmplint]`` table, else the defaults."""
    return load_config(config_file if config_file is not None else find_config(start))


__all__ = [
    "AnalysisOptions", "Config", "ConfigError", "apply_per_file_ignores", "describe", "DEFAULT_EXCLUDE", "DEFAULT_MAX_FILE_SIZE", "DEFAULT_TMP_DIRS",
    "KNOWN_KEYS", "find_config", "glob_to_regex", "ignored_codes_for", "load_config", "load_config_for",
    "matches_any", "merge_cli",
]
