"""tmplint's public API, and the one way every front end checks a file.

Public (``tmplint.check_source``, ``check_paths``, ``fix_source``, re-exported by the package):
lines and columns are 1-based, as in every output format. A file's findings depend on its text, the
project on disk and the configuration, never on the entry point (rules.md, *One answer*): checking
one file indexes the project it belongs to, reading the other files from disk through the cache
``tmplint FILE`` uses, exactly as ``tmplint FILE`` does.

For tmplint's own front ends (the CLI, its stdin path, the flake8 plugin, the language server):
``check_text``, ``fix_text`` and ``run_checks`` return diagnostics as the reporters take them (column
0-based, as LibCST and flake8 count).
"""

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

from tmplint import runner
from tmplint.cache import Cache
from tmplint.config import Config, load_config_for
from tmplint.diagnostics import CANNOT_ANALYSE, SAFE, UNSAFE, Diagnostic, FixAt
from tmplint.source import SourceError, decode_source

if TYPE_CHECKING:  # tmplint.fix imports LibCST, which a run the cache answers never loads
    from tmplint.fix import FixResult, ProjectFixes

__all__ = ["check_paths", "check_source", "fix_source", "settings_for"]


# --- public: 1-based columns ------------------------------------------------------------------------


def settings_for(path: str, config_file: Optional[str] = None) -> Config:
    """The configuration ``tmplint PATH`` uses: ``config_file``, else the nearest ``pyproject.toml``
    with a ``[tool.tmplint]`` table above ``path``, else the defaults. Raises ``ConfigError``."""
    start = os.path.abspath(path)
    return load_config_for(start if os.path.isdir(start) else os.path.dirname(start), config_file)


def check_source(source: Union[str, bytes], path: str = "<string>", config: Optional[Config] = None, *,
                 apply_noqa: bool = True, use_cache: bool = True) -> List[Diagnostic]:
    """The findings of the file at ``path`` whose text is ``source`` (unsaved text wins over the file on
    disk), with the project on disk, as ``tmplint PATH`` reports them. ``config``: the settings (default:
    ``settings_for(path)``). Never raises for bad input: it becomes a TMP000 diagnostic."""
    config = settings_for(path) if config is None else config
    return [_one_based(d) for d in check_data(source, path, config, apply_noqa=apply_noqa, use_cache=use_cache)]


def check_paths(paths: Sequence[str], config: Optional[Config] = None, *, jobs: Optional[int] = None,
                use_cache: bool = True) -> List[Diagnostic]:
    """Check files and folders (recursively) as ``tmplint PATH ...`` does: the configuration of the
    first path (default), worker processes and the cache. TMP000 diagnostics stand for files that
    could not be analysed."""
    config = settings_for(paths[0] if paths else os.getcwd()) if config is None else config
    return [_one_based(d) for d in run_checks(paths, config, jobs=jobs, use_cache=use_cache)]


def fix_source(source: Union[str, bytes], path: str = "<string>", config: Optional[Config] = None,
               unsafe_fixes: bool = False) -> Union[str, bytes]:
    """The source with every fixable temp name made unique, of the type given (bytes keep their
    encoding and BOM); what ``tmplint --fix PATH`` would write for this text. The input comes back
    unchanged when there is nothing to fix or it cannot be analysed. Never raises for bad input."""
    from tmplint import fix

    config = settings_for(path) if config is None else config
    try:
        text = decode_source(source)[0] if isinstance(source, bytes) else source
    except SourceError:
        return source
    with fix.project_fixes(_plan(check_text(text, path, config), path, unsafe_fixes)):
        return fix.fix_source(source, path, config, unsafe_fixes)


def _one_based(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, col=diagnostic.col + 1, end_col=diagnostic.end_col + 1)


# --- for the front ends: 0-based columns --------------------------------------------------------------


def run_checks(paths: Sequence[str], config: Config, jobs: Optional[int] = None, use_cache: bool = True,
               progress: Optional[Callable[[int, int], None]] = None) -> List[Diagnostic]:
    """Files and folders in worker processes, through the cache (``tmplint PATH ...``); ``progress``
    hears (files done, files)."""
    return runner.run_checks(paths, config, jobs=jobs, use_cache=use_cache, progress=progress)


class _HereMapper(runner.Mapper):
    """The runner's mapper (the cache first) that runs what the cache cannot answer in this process:
    an editor's or flake8's one file needs a few files parsed, not a pool of workers started."""

    def _dispatch(self, function, items, kind):
        return [function(item) for item in items], []


def check_data(source: Union[str, bytes], path: str, config: Config, *, apply_noqa: bool = True,
               use_cache: bool = True) -> List[Diagnostic]:
    """``check_text`` for text or undecoded bytes (stdin): bytes that do not decode are a TMP000."""
    try:
        text = decode_source(source)[0] if isinstance(source, bytes) else source
    except SourceError as exc:
        from tmplint.engine import cannot_analyse

        return [cannot_analyse(path, str(exc))]
    return check_text(text, path, config, apply_noqa=apply_noqa, use_cache=use_cache)


def check_text(text: str, path: str, config: Config, *, apply_noqa: bool = True,
               use_cache: bool = True, cache: Optional[Cache] = None) -> List[Diagnostic]:
    """The one single-file path: ``text`` as the file at ``path``, the rest of the project from disk,
    as ``tmplint PATH`` reports it (selection, per-file-ignores; ``apply_noqa=False`` leaves noqa
    comments to a host that applies its own). Runs in this process, relying on the parser guard.

    ``cache``: the project's cache to use and keep (a host that checks many files of a project at
    once, as flake8 does, loads it once; it remembers each file's hash, so not across edits); saved
    when ``cache`` is not given, else the caller saves it."""
    own = Cache.for_project(config.project_root) if cache is None and use_cache else None
    from tmplint import project

    runner._project_jobs()  # registers the project's jobs with the mapper, for their cache keys
    mapper = _HereMapper(1, (cache or own) if use_cache else None)
    found = project.check_project([path], config, mapper, {path: text}, apply_noqa)
    if own is not None:
        own.save()
    return found


def fix_text(text: str, path: str, config: Config, unsafe_fixes: bool = False, *,
             use_cache: bool = True) -> "FixResult":
    """``text`` (the file at ``path``) as ``tmplint --fix PATH`` would write it, the number of findings
    the fixes removed and the findings that remain. Raises ``SourceError`` when it cannot be analysed
    or fixed."""
    from tmplint import fix

    before = check_text(text, path, config, use_cache=use_cache)
    failed = [d for d in before if d.code == CANNOT_ANALYSE]
    if failed:
        raise SourceError(failed[0].message)
    with fix.project_fixes(_plan(before, path, unsafe_fixes)):
        result = fix.fix_text(text, path, config, unsafe_fixes)
    if result.text == text:
        return fix.FixResult(text, 0, before)
    after = check_text(result.text, path, config, use_cache=use_cache)
    return fix.FixResult(result.text, max(0, len(before) - len(after)), after)


def _plan(found: Iterable[Diagnostic], path: str, unsafe_fixes: bool) -> "ProjectFixes":
    """What ``--fix`` makes of a project run's findings in one file: the index's fixes that lie in it
    (its others were shown as ``fix in path:line``) and the in-file findings it reported."""
    from tmplint.fix import ProjectFixes

    allowed = {SAFE, UNSAFE} if unsafe_fixes else {SAFE}
    targets: Dict[str, Iterable[FixAt]] = {}
    reported: Dict[str, Set[Tuple[str, int, int]]] = {}
    for diagnostic in found:
        if diagnostic.fix_applicability not in allowed:
            continue
        if diagnostic.fix_at is None:
            reported.setdefault(path, set()).add((diagnostic.code, diagnostic.line, diagnostic.col))
        else:
            targets[diagnostic.fix_at.path] = [*targets.get(diagnostic.fix_at.path, ()), diagnostic.fix_at]
    return ProjectFixes(targets, reported)
