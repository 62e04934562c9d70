"""Which files a run checks: named files always, folders walked with the exclusions applied."""

import fnmatch
import os
from typing import Iterator, Sequence

from tmplint.config import Config

PYTHON_SUFFIXES = (".py", ".pyi")


def is_excluded(path: str, config: Config) -> bool:
    """True when an ``exclude``/``extend-exclude`` glob matches the path's name or, for globs with a
    ``/``, the whole path: walks prune excluded folders, so a name check per entry is enough."""
    normalized = os.path.normpath(path).replace(os.sep, "/")
    name = normalized.rsplit("/", 1)[-1]
    for pattern in tuple(config.exclude) + tuple(config.extend_exclude):
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            if fnmatch.fnmatchcase(normalized, pattern) or fnmatch.fnmatchcase(normalized, "*/" + pattern):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def iter_python_files(paths: Sequence[str], config: Config) -> Iterator[str]:
    """Yield each file to check once, in a stable order; a missing path is yielded so it gets reported."""
    seen = set()
    for root in paths:
        if os.path.isdir(root):
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(
                    d for d in dirnames if not is_excluded(os.path.join(dirpath, d), config)
                )
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if name.endswith(PYTHON_SUFFIXES) and not is_excluded(full, config) and full not in seen:
                        seen.add(full)
                        yield full
        elif root not in seen:
            seen.add(root)
            yield root
