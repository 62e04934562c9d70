"""Checking each ``[tool.tmplint]`` value or command-line flag, so a bad one is a one-line ``ConfigError``."""

import difflib
import json
import keyword
import os
import re
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Set, Tuple

from tmplint.config.model import DEFAULT_TMP_DIRS, AnalysisOptions, Config, ConfigError
from tmplint.registry import ALL_CODES, is_valid_selector

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

    def function_key(self, key: str, function: str, expected: str, example: str) -> str:
        """A table key naming a function (save-helpers, rename-functions): the sub-key to report its
        value under; a key that is no dotted Python name is an error."""
        if not _is_dotted_name(function):
            raise ConfigError(
                f"{self.where}{self.name(key)}: expected {expected}, got the function name "
                f"{_quote(function)} (a dotted Python name like \"{example}\" is expected)", self.path, key)
        return f"{key}.{_key_name(function)}"

    def save_helpers(self, key: str, value: Any) -> Tuple[Tuple[str, str], ...]:
        if isinstance(value, (list, tuple)) and self.flag_style:
            value = _pairs_to_table(key, value, self)
        if not isinstance(value, dict):
            raise self.fail(key, _HELPERS_EXPECTED, value)
        helpers = []
        for function, parameter in value.items():
            sub = self.function_key(key, function, _HELPERS_EXPECTED, "pkg.mod.save")
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
            sub = self.function_key(key, function, _RENAMES_EXPECTED, "pkg.util.rename")
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
