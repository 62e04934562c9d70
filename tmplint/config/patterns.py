"""``exclude`` and ``per-file-ignores`` globs: relative to the project root, not the current folder."""

import os
import posixpath
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from tmplint.config.model import Config
from tmplint.globs import LIT, Glob, tokenize
from tmplint.registry import ALL_CODES

def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _absolute(path: str) -> str:
    return _posix(os.path.normpath(os.path.abspath(path)))


def _normalized(pattern: str) -> str:
    """A trailing ``/`` dropped (folders and files are matched alike), a leading ``./`` too (relative)."""
    pattern = _posix(pattern).rstrip("/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


@lru_cache(maxsize=256)
def compile_patterns(patterns: Tuple[str, ...], root: str) -> Tuple[Tuple[Glob, Glob], ...]:
    """For each glob: (one for a name alone, one for an absolute path) with the glob joined to ``root``;
    both match in time linear in the path (``tmplint.globs``).

    A trailing ``/`` is dropped (folders and files are matched alike) and a leading ``./`` is relative.
    """
    root = _posix(os.path.normpath(os.path.abspath(root)))
    compiled = []
    for pattern in patterns:
        if not _posix(pattern).rstrip("/"):
            continue
        pattern = _normalized(pattern)
        base = ""
        if not (pattern.startswith("/") or os.path.isabs(pattern)):
            base = root
            while pattern.startswith("../"):
                base, pattern = posixpath.dirname(base), pattern[3:]
            base = base.rstrip("/") + "/"
        compiled.append((Glob(pattern), Glob(pattern, prefix=base)))
    return tuple(compiled)


def _plain_name(pattern: str) -> Optional[str]:
    """The one name ``pattern`` matches when it is a plain name (no ``/``, no wildcard, as the glob
    tokenizer reads it, escapes and all); None otherwise."""
    tokens = tokenize(_normalized(pattern))
    if not tokens or any(kind != LIT for kind, _ in tokens):
        return None
    name = "".join(char for _, char in tokens)
    return None if "/" in name or name in (".", "..") else name


@lru_cache(maxsize=256)
def _split_patterns(patterns: Tuple[str, ...], root: str) -> Tuple[FrozenSet[str], Tuple[Tuple[Glob, Glob], ...]]:
    """The plain names among ``patterns`` (every default exclude), which match a path exactly when its
    name is one, and the other globs compiled (``compile_patterns``)."""
    plain = [_plain_name(p) for p in patterns]
    rest = tuple(p for p, name in zip(patterns, plain) if name is None)
    return frozenset(name for name in plain if name is not None), compile_patterns(rest, root)


def matches_any(path: str, patterns: Tuple[str, ...], root: str) -> bool:
    """True when a glob in ``patterns`` matches the path's name or its absolute path (globs relative to
    ``root``). A walk asks this of every folder and file: a plain name is a set lookup, and the path is
    made absolute only for the other globs."""
    names, globs = _split_patterns(tuple(patterns), root)
    name = os.path.basename(path)
    if name in ("", ".", ".."):  # ``dir/``, ``.``: the name is the absolute path's
        name = _absolute(path).rsplit("/", 1)[-1]
    if name in names:
        return True
    if not globs:
        return False
    full = _absolute(path)
    for name_glob, full_glob in globs:
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
