"""Where a file sits in the import system, and what a run saw of the file system besides file contents.

Light on purpose: a warm run the kept answer serves (``tmplint.recall``) checks these and loads
nothing of the analysis.
"""

import os
from functools import lru_cache
from typing import Dict, NamedTuple, Tuple


class ModuleInfo(NamedTuple):
    """Where a file sits in the import system: ``pkg.utils``, its package, the folder above the top package."""

    name: str
    package: str
    root: str


@lru_cache(maxsize=4096)
def package_parts(folder: str) -> Tuple[Tuple[str, ...], str]:
    """The package names from the import root down to ``folder`` (while ``__init__.py`` exists), and the root."""
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        return (), folder
    parent = os.path.dirname(folder)
    if parent == folder:
        return (), folder
    parts, root = package_parts(parent)
    return parts + (os.path.basename(folder),), root


def module_info(path: str) -> ModuleInfo:
    full = os.path.abspath(path)
    folder, name = os.path.split(full)
    stem = name.rsplit(".", 1)[0]
    parts, root = package_parts(folder)
    if stem == "__init__":
        dotted = ".".join(parts) or stem
        return ModuleInfo(dotted, dotted, root)
    return ModuleInfo(".".join(parts + (stem,)), ".".join(parts), root)


class Layout:
    """What a run's answer rests on besides the content of the files it read: the folders it listed
    and the files it looked for (a kept answer, ``tmplint.recall``, holds only while these hold); and,
    filled in at its end, the files it found nothing in (the text screen passed them over and stage
    two never admitted them: path -> a digest of their imports) and the names stage two looked for."""

    def __init__(self) -> None:
        self.listings: Dict[str, Tuple[str, ...]] = {}  # folder -> what it holds that an import could name
        self.files: Dict[str, bool] = {}  # path -> it was a file
        self.quiet: Dict[str, str] = {}
        self.scanned: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...]], ...] = ()  # ``project.Wanted``

    def importable(self, folder: str) -> Tuple[str, ...]:
        found = self.listings.get(folder)
        if found is None:
            found = self.listings[folder] = importable(folder)
        return found

    def isfile(self, path: str) -> bool:
        found = self.files.get(path)
        if found is None:
            found = self.files[path] = os.path.isfile(path)
        return found


def importable(folder: str) -> Tuple[str, ...]:
    """The names an import could find in ``folder`` (``m`` for ``m.py``, packages and folders), sorted:
    a file or folder that no import can name (``.tmplint_cache``, ``notes.txt``) does not matter."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return ()
    names = (name[:-3] if name.endswith(".py") else name for name in entries)
    return tuple(sorted({name for name in names if name.isidentifier()}))
