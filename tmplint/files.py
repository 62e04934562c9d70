"""Which files a run checks: named files always, folders walked with the exclusions applied.

What a walk does, and why:

* Folders are walked for ``*.py`` and ``*.pyi`` files; output is sorted within each named path, named paths
  keep their command-line order, and each file comes out once (also when two named paths overlap, or a
  symlink and its target are both in the walk: the real file wins).
* ``exclude``/``extend-exclude`` prune folders and files during a walk (``DEFAULT_EXCLUDE`` skips ``.git``,
  ``.venv``, ``venv``, ``build``, ``dist``, ``node_modules``, ``__pycache__``, ``.tox``). A path named on the
  command line is always checked unless ``config.force_exclude`` is set (``--force-exclude``, which
  pre-commit needs): then the path and each of its folders below the project root are matched too.
* ``.gitignore`` is honoured unless ``config.respect_gitignore`` is false: the ``.gitignore`` of every
  walked folder, those of the folders between the enclosing git repository's root and the walked folder,
  and the repository's ``.git/info/exclude``. Outside a git repository only the walked folders' own
  ``.gitignore`` files count. The global ``core.excludesFile`` is not read. Named paths are never
  filtered by ``.gitignore`` (git itself tracks a named file whatever the ignore files say).
* Symlinked folders met during a walk are not followed (like git, ruff and flake8), so a link loop cannot
  trap the walk and nothing outside the tree is pulled in; a symlinked folder named on the command line is
  walked. Symlinked files are checked as the files they point to.
* A path named on the command line that does not exist (or cannot be read) is yielded anyway so the engine
  reports it. A dangling symlink met during a walk is skipped silently: these are mostly editor lock files
  (Emacs keeps ``.#name.py`` links to nowhere while a file is being edited), and failing the whole run for
  one was ruff's behaviour that its users asked to change (astral-sh/ruff#19421). A folder that cannot be
  listed is skipped with a warning on the ``tmplint`` logger. A ``.py`` name that is not a regular file (a
  FIFO, a socket, a link to a device) is yielded, so the run reports it as not a regular file (it is never
  opened for a blocking read).
"""

import logging
import os
import posixpath
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from tmplint.config import Config, matches_any
from tmplint.globs import Glob

PYTHON_SUFFIXES = (".py", ".pyi")
LOG = logging.getLogger("tmplint")


def _excludes(config: Config) -> Tuple[str, ...]:
    return tuple(config.exclude) + tuple(config.extend_exclude)


def is_excluded(path: str, config: Config, *, parents: bool = False) -> bool:
    """True when an ``exclude``/``extend-exclude`` glob matches the path's name, or its path relative to
    the project root (``config.root``, else the current folder).

    Walks prune excluded folders, so for an entry met in a walk the entry itself is enough. With
    ``parents`` (``--force-exclude`` on a named path) each folder between the project root and the path is
    matched too, so ``build/gen/x.py`` is excluded by ``build``; folders at or above the root are not, so
    a project that lives in a folder called ``build`` is still checked.
    """
    patterns = _excludes(config)
    if not patterns:
        return False
    root = config.project_root
    if not parents:
        return matches_any(path, patterns, root)
    full = os.path.normpath(os.path.abspath(path))
    base = os.path.normpath(os.path.abspath(root))
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive on Windows
        rel = os.pardir
    if rel == os.curdir:
        return False  # the project root itself
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return matches_any(path, patterns, root)  # outside the project: the path alone
    parts = rel.split(os.sep)
    return any(matches_any(os.path.join(base, *parts[:depth]), patterns, root)
               for depth in range(1, len(parts) + 1))


# ---------------------------------------------------------------------------------------------------------
# .gitignore


class _Rule:
    __slots__ = ("glob", "negated", "dir_only", "anchored")

    def __init__(self, glob: Glob, negated: bool, dir_only: bool, anchored: bool) -> None:
        self.glob = glob
        self.negated = negated
        self.dir_only = dir_only
        self.anchored = anchored


def parse_gitignore(text: str) -> List[_Rule]:
    """The rules of one ignore file, in order (the last matching rule decides).

    Supported: blank lines and ``#`` comments, trailing spaces (unless escaped with ``\\``), ``!``
    negation, ``\\!``/``\\#`` for a literal first character, a trailing ``/`` for folders only, a ``/`` at
    the start or in the middle anchoring the pattern to the ignore file's folder (otherwise it matches a
    name at any depth), ``*``/``?``/``[...]`` within one path segment, and ``**/``, ``/**/``, ``/**``.
    Not supported: POSIX character classes (``[[:alpha:]]``), ``core.ignorecase``.
    """
    rules = []
    for line in text.splitlines():
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        dir_only = line.endswith("/") and not line.endswith("\\/")
        line = line.rstrip("/") if dir_only else line
        if not line:
            continue
        anchored = "/" in line
        if line.startswith("/"):
            line = line[1:]
        # matched in time linear in the path (tmplint.globs); a reversed range [z-a] matches nothing, as in git
        rules.append(_Rule(Glob(line, slash_crossing=False), negated, dir_only, anchored))
    return rules


class _IgnoreFile:
    """The rules of one ignore file and the folder they are relative to."""

    def __init__(self, base: str, rules: List[_Rule]) -> None:
        self.base = base
        self.rules = rules

    def decide(self, full: str, name: str, is_dir: bool) -> Optional[bool]:
        """True (ignored), False (re-included by ``!``) or None (no rule matches)."""
        rel = None
        for rule in reversed(self.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.anchored:
                if rel is None:
                    rel = posixpath.relpath(full, self.base) if self.base != "/" else full.lstrip("/")
                target = rel
            else:
                target = name
            if rule.glob.match(target):
                return not rule.negated
        return None


class _GitIgnores:
    """Reads each ignore file once per run."""

    def __init__(self) -> None:
        self._files: Dict[str, Optional[_IgnoreFile]] = {}

    def _load(self, folder: str, file_path: str) -> Optional[_IgnoreFile]:
        key = file_path
        if key not in self._files:
            rules: List[_Rule] = []
            try:
                with open(file_path, "rb") as handle:
                    rules = parse_gitignore(handle.read().decode("utf-8", "replace"))
            except OSError:
                pass
            self._files[key] = _IgnoreFile(_posix_abs(folder), rules) if rules else None
        return self._files[key]

    def for_folder(self, folder: str) -> Optional[_IgnoreFile]:
        """The folder's own ``.gitignore`` (``folder`` absolute)."""
        return self._load(folder, os.path.join(folder, ".gitignore"))

    def above(self, folder: str) -> List[_IgnoreFile]:
        """The ignore files that reach into ``folder`` from above, shallowest first: the repository's
        ``.git/info/exclude`` and the ``.gitignore`` of each folder from the repository root down to (not
        including) ``folder``. Empty outside a git repository."""
        chain = []
        current = folder
        repo_root = None
        while True:
            if os.path.exists(os.path.join(current, ".git")):
                repo_root = current
                break
            chain.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        if repo_root is None:
            return []
        found = []
        exclude = self._load(repo_root, os.path.join(repo_root, ".git", "info", "exclude"))
        if exclude is not None:
            found.append(exclude)
        # ``chain`` runs from ``folder`` up to just below the repository root.
        for directory in [repo_root] + list(reversed(chain[1:])):
            if directory == folder:
                continue
            ignore = self.for_folder(directory)
            if ignore is not None:
                found.append(ignore)
        return found


def _posix_abs(path: str) -> str:
    full = os.path.normpath(os.path.abspath(path))
    return full.replace(os.sep, "/") if os.sep != "/" else full


def _is_ignored(files: Sequence[_IgnoreFile], full: str, name: str, is_dir: bool) -> bool:
    """The deepest ignore file with a matching rule decides."""
    posix_full = full.replace(os.sep, "/") if os.sep != "/" else full
    for ignore in reversed(files):
        decision = ignore.decide(posix_full, name, is_dir)
        if decision is not None:
            return decision
    return False


# ---------------------------------------------------------------------------------------------------------
# Walking


def _walk(top: str, config: Config, ignores: Optional[_GitIgnores]) -> Iterator[Tuple[str, bool]]:
    """``(path, is_symlink)`` for each Python file under the folder ``top``, in no particular order."""
    top_full = os.path.normpath(os.path.abspath(top))
    shown_top = "" if os.path.normpath(top) == os.curdir else top
    inherited = ignores.above(top_full) if ignores is not None else []
    stack: List[Tuple[str, str, List[_IgnoreFile]]] = [(shown_top, top_full, inherited)]
    while stack:
        shown, full, rule_files = stack.pop()
        if ignores is not None:
            own = ignores.for_folder(full)
            if own is not None:
                rule_files = rule_files + [own]
        try:
            with os.scandir(full) as listing:
                entries = list(listing)
        except OSError as exc:
            LOG.warning("%s: cannot list folder: %s", shown or os.curdir, exc.strerror or exc)
            continue
        for entry in entries:
            entry_shown = os.path.join(shown, entry.name) if shown else entry.name
            entry_full = os.path.join(full, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()  # follows symlinks
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if is_link:
                    continue  # symlinked folders are not followed
                if is_excluded(entry_full, config):
                    continue
                if rule_files and _is_ignored(rule_files, entry_full, entry.name, True):
                    continue
                stack.append((entry_shown, entry_full, rule_files))
            elif entry.name.endswith(PYTHON_SUFFIXES):
                if not is_file and (is_link and not os.path.exists(entry_full)):
                    continue  # dangling symlinks (editor lock files)
                if is_excluded(entry_full, config):
                    continue
                if rule_files and _is_ignored(rule_files, entry_full, entry.name, False):
                    continue
                yield entry_shown, is_link


def _sort_key(path: str) -> Tuple[str, ...]:
    return tuple(path.split(os.sep))


def _identity(path: str) -> Optional[Tuple[int, int]]:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def iter_python_files(paths: Sequence[str], config: Config) -> Iterator[str]:
    """Yield each file to check once, in a stable order; a missing path is yielded so it gets reported."""
    seen_paths: Set[str] = set()
    seen_files: Set[Tuple[int, int]] = set()
    ignores = _GitIgnores() if config.respect_gitignore else None

    def first_time(path: str, identity: Optional[Tuple[int, int]]) -> bool:
        key = os.path.normcase(os.path.normpath(os.path.abspath(path)))
        if key in seen_paths or (identity is not None and identity in seen_files):
            return False
        seen_paths.add(key)
        if identity is not None:
            seen_files.add(identity)
        return True

    for given in paths:
        if config.force_exclude and is_excluded(given, config, parents=True):
            continue
        if not os.path.isdir(given):
            if first_time(given, _identity(given)):
                yield given
            continue
        found = sorted(_walk(given, config, ignores), key=lambda item: _sort_key(item[0]))
        # A file reached both directly and through a symlink is checked under its real name.
        preferred: Dict[Tuple[int, int], Tuple[str, bool]] = {}
        identities: Dict[str, Optional[Tuple[int, int]]] = {}
        for path, is_link in found:
            identity = identities[path] = _identity(path)
            if identity is not None and (identity not in preferred or (not is_link and preferred[identity][1])):
                preferred[identity] = (path, is_link)
        for path, _ in found:
            identity = identities[path]
            if identity is not None and preferred[identity][0] != path:
                continue
            if first_time(path, identity):
                yield path
