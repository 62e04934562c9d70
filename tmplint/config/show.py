"""``--show-settings``: the settings in effect, printed as TOML a user could paste back."""

from typing import Any

from tmplint.config.model import SECTION, Config
from tmplint.config.validate import _quote
from tmplint.registry import resolve_selection

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
