"""``--fix`` never writes an edit planned from content that changed after the check (issue 17 item 1).

A run plans some edits during its check, by position: the fix of a helper in another file, found by the
project index. Two ``tmplint --fix`` runs a fraction of a second apart both planned the helper's edit
from the unfixed file, and the second applied it to the file the first had fixed: the uuid twice.

* **One run at a time per project.** A writing run holds an advisory lock (``fcntl.flock``) on the
  project's root folder itself (where ``pyproject.toml`` is, else the current folder) from before its
  check until after its re-check, so a second run waits and then checks what the first wrote (it finds
  nothing left to fix). Locking the folder creates no file, so there is no lock file name to get wrong
  and ``--no-cache`` still writes nothing but the fixes. Where ``fcntl`` is missing (Windows) or the
  folder cannot be opened, the run goes on without the lock.
* **Content hashes.** Before its check the run hashes every file it may write; just before replacing a
  file (``write_atomically``, after its new content is on disk under a unique name) the file is read and
  hashed again, and if it changed since (an editor saved it, a run that holds no lock wrote it) nothing
  is written: ``path: cannot analyse: not fixed: it changed since tmplint checked it``. Run ``--fix``
  again to fix the new content.
"""

import os
import sys
from contextvars import ContextVar, Token
from typing import Dict, Optional, Sequence, Tuple

from tmplint.cache import content_hash
from tmplint.config import Config
from tmplint.source import SourceError, read_bytes, read_limit

# real path -> content hash before the check, while a guarded run fixes; None: not guarded
_BEFORE: "ContextVar[Optional[Dict[str, Optional[str]]]]" = ContextVar("tmplint_fix_before", default=None)
_LIMIT: "ContextVar[int]" = ContextVar("tmplint_fix_limit", default=0)


class Changed(SourceError):
    """The file is not what the check read: an edit planned from it would be stale."""


class FixGuard:
    """The lock of a writing run and the hashes of its files before the check; entered around the whole
    run (check, fixes, re-check). ``locked``: whether the lock is held."""

    def __init__(self, config: Config, paths: Sequence[str]) -> None:
        from tmplint.files import iter_python_files

        self.locked = False
        self._descriptor: Optional[int] = None
        self._token: "Optional[Tuple[Token[Optional[Dict[str, Optional[str]]]], Token[int]]]" = None
        self._limit = read_limit(config.analysis.max_file_size)
        self._lock(config.project_root)
        self.before = {os.path.realpath(path): _hash(path, self._limit) for path in iter_python_files(paths, config)}

    def _lock(self, folder: str) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: the content hashes still hold
            return
        try:
            self._descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return  # the hashes still hold
        try:
            fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("tmplint: waiting for another tmplint --fix on this project to finish", file=sys.stderr)
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        self.locked = True

    def __enter__(self) -> "FixGuard":
        self._token = (_BEFORE.set(self.before), _LIMIT.set(self._limit))
        return self

    def __exit__(self, *exc_info) -> None:
        if self._token is not None:
            _BEFORE.reset(self._token[0])
            _LIMIT.reset(self._token[1])
            self._token = None
        self.close()

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # releases the lock
            self._descriptor = None
            self.locked = False


def _hash(path: str, limit: int) -> Optional[str]:
    try:
        return content_hash(read_bytes(path, limit))
    except (OSError, SourceError):
        return None


def check_unchanged(target: str) -> None:
    """Changed unless the file at ``target`` (a real path) holds what it held before the check; nothing
    to check outside a guarded run (``tmplint.fix_source``, ``fix_file`` alone)."""
    before = _BEFORE.get()
    if before is None:
        return
    expected = before.get(target)
    if expected is None or _hash(target, _LIMIT.get()) != expected:
        raise Changed("it changed since tmplint checked it (another tmplint --fix, or an editor?); "
                      "run tmplint --fix again")

