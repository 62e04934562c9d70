"""The result cache: ``.tmplint_cache/`` beside the nearest ``pyproject.toml`` (else the current folder).

What is stored is whatever a per-file job returns (today an ``index.FileResult``, or a scan's bool), under a
key that names everything the result depends on: the file's content hash, the job and its settings (the
caller's ``parts``), and the *salt*: tmplint's version and source files, LibCST's version and the Python
version. Per-file-ignores and selection are applied after the cache, in the main process.

Layout and choices, and why:

* **One shard per project**, ``results.v1.pickle``, read once at the start and written once at the end.
  A warm run over 11,000 files reads one file instead of 11,000, and a run writes nothing when nothing
  changed. The shard holds only what the last runs used: an entry whose file was visited is kept only if
  this run used it, so a changed file's old entries go at once; entries of files a run did not visit (a
  pre-commit run names a few files) are kept, unless their file is gone or they were last used more than
  ``MAX_AGE`` ago. So the cache cannot grow beyond the files the project has.
* **Content hashes without reading.** For each file the shard keeps its ``stat`` signature (size, mtime,
  ctime, inode) next to its content hash. When the signature is unchanged, and the file had not been
  modified within ``RACY_SECONDS`` of the moment it was hashed (git's "racily clean" rule: a write in the
  same clock tick would leave the signature unchanged), the hash is reused. Anything else reads and hashes.
* **Never trusted blindly.** The shard starts with a magic line, the salt and a BLAKE2 checksum of the
  payload; a shard that is truncated, corrupt, from another version or another tool is ignored (and
  rebuilt by this run). It is unpickled with a loader that only builds plain data and the classes of
  tmplint's own modules that are plain records (NamedTuples and dataclasses), so a ``.tmplint_cache`` that
  came with a checkout cannot run code.
* **Written atomically**, to a unique temp name in the same folder and moved into place with
  ``os.replace``; a failed write leaves the old shard and no temp file. Two runs at once each write a
  whole shard; the last one wins, which costs at most some cache misses.
* The folder holds a ``.gitignore`` with ``*``, as ruff's does; the project's own is never edited.
"""

import dataclasses
import hashlib
import importlib
import io
import os
import pickle
import sys
import tempfile
import time
from typing import Any, Dict, Optional, Set, Tuple

from tmplint import __version__

CACHE_DIR = ".tmplint_cache"
SHARD = "results.v1.pickle"
MAGIC = b"tmplint-cache 1\n"
MAX_AGE = 30 * 24 * 3600  # seconds an entry of a file no run visits is kept
REFRESH = 24 * 3600  # a used entry's date is brought forward (and the shard rewritten) at most this often
RACY_SECONDS = 2.0  # a file modified this close to its hashing is hashed again next time

MISS = object()

# stat signature: size, mtime_ns, ctime_ns, inode
Signature = Tuple[int, int, int, int]


def _signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _libcst_version() -> str:
    try:
        from importlib.metadata import version

        return version("libcst")
    except Exception:  # not installed as a distribution (a source checkout): the package knows
        try:
            return importlib.import_module("libcst._version").__version__
        except Exception:
            return "unknown"


def salt() -> str:
    """What every entry depends on besides its own key: versions, and tmplint's own source files, so a
    changed checkout never reads results an older analysis made."""
    package = os.path.dirname(os.path.abspath(__file__))
    sources = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                sources.append(f"{os.path.relpath(os.path.join(folder, name), package)}:{info.st_size}:"
                               f"{info.st_mtime_ns}")
    text = "\n".join([__version__, _libcst_version(), sys.version] + sources)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def fingerprint(parts: Any) -> str:
    """A stable digest of plain data (tuples, strings, numbers, NamedTuples, frozen dataclasses):
    ``repr`` of such values does not depend on the process, unlike ``hash``."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def cache_folder(project_root: str) -> str:
    return os.path.join(project_root, CACHE_DIR)


# --- loading without running code -----------------------------------------------------------------

_SAFE_BUILTINS = frozenset({"set", "frozenset", "complex", "bytearray", "slice", "range"})
# Functions a record's ``__reduce__`` names: they only look up or build a record.
_FACTORIES = frozenset({("tmplint.analysis.values", "_marker")})


def _is_record(obj: Any) -> bool:
    return isinstance(obj, type) and (
        dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields")))


class _Loader(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if (module == "copyreg" and name == "_reconstructor") or (module, name) in _FACTORIES:
            return super().find_class(module, name)
        if (module == "tmplint" or module.startswith("tmplint.")) and "." not in name:
            found = getattr(importlib.import_module(module), name, None)
            if _is_record(found):
                return found
        raise pickle.UnpicklingError(f"not a tmplint record: {module}.{name}")


def _load(data: bytes, expected_salt: str) -> Optional[dict]:
    if not data.startswith(MAGIC):
        return None
    header_end = data.find(b"\n", len(MAGIC))
    if header_end < 0:
        return None
    try:
        found_salt, checksum = data[len(MAGIC):header_end].decode("ascii").split()
    except (UnicodeDecodeError, ValueError):
        return None
    payload = data[header_end + 1:]
    if found_salt != expected_salt or content_hash(payload) != checksum:
        return None
    try:
        shard = _Loader(io.BytesIO(payload)).load()
    except Exception:  # whatever a damaged or foreign payload raises, the answer is: no cache
        return None
    if not (isinstance(shard, dict) and isinstance(shard.get("files"), dict) and isinstance(shard.get("entries"), dict)):
        return None
    return shard


# --- the cache ------------------------------------------------------------------------------------


class Cache:
    """Results of per-file jobs for one project, loaded at the start of a run and saved at its end."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.salt = salt()
        # path (absolute) -> (signature, content hash, when it was hashed)
        self.files: Dict[str, Tuple[Signature, str, float]] = {}
        # key -> (path, result, last used)
        self.entries: Dict[str, Tuple[str, Any, float]] = {}
        self._used: Set[str] = set()
        self._visited: Set[str] = set()
        self._hashes: Dict[str, Optional[str]] = {}
        self._dirty = False
        self._now = time.time()
        self._load()

    @classmethod
    def for_project(cls, project_root: str) -> "Cache":
        return cls(cache_folder(project_root))

    @property
    def shard_path(self) -> str:
        return os.path.join(self.folder, SHARD)

    def _load(self) -> None:
        try:
            with open(self.shard_path, "rb") as handle:
                data = handle.read()
        except OSError:
            return
        shard = _load(data, self.salt)
        if shard is None:
            self._dirty = True  # rewrite it, so the damage does not cost every run a read
            return
        self.files = shard["files"]
        self.entries = shard["entries"]

    # --- keys ---------------------------------------------------------------------------------
    def content_key(self, path: str) -> Optional[str]:
        """The content hash of the file at ``path``, from the shard when its stat is unchanged; None
        when the file cannot be read (the job itself then reports why, uncached)."""
        full = os.path.abspath(path)
        if full in self._hashes:
            return self._hashes[full]
        self._visited.add(full)
        found = None
        try:
            info = os.stat(full)
            signature = _signature(info)
            known = self.files.get(full)
            if known is not None and known[0] == signature and info.st_mtime_ns / 1e9 + RACY_SECONDS < known[2]:
                found = known[1]
            else:
                hashed_at = time.time()
                with open(full, "rb") as handle:
                    data = handle.read()
                found = content_hash(data)
                after = os.stat(full)
                if _signature(after) == signature:  # not written to while we read it
                    self.files[full] = (signature, found, hashed_at)
                    self._dirty = True
                else:
                    self.files.pop(full, None)
                    found = None
        except OSError:
            self.files.pop(full, None)
        self._hashes[full] = found
        return found

    def key(self, path: str, parts: Any) -> Optional[str]:
        """The entry key of a job on ``path`` described by ``parts`` (plain data); None: do not cache."""
        digest = self.content_key(path)
        if digest is None:
            return None
        return fingerprint((self.salt, digest, parts))

    # --- entries ------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        entry = self.entries.get(key)
        if entry is None:
            return MISS
        self._used.add(key)
        return entry[1]

    def put(self, key: str, path: str, result: Any) -> None:
        self.entries[key] = (os.path.abspath(path), result, self._now)
        self._used.add(key)
        self._dirty = True

    # --- saving -------------------------------------------------------------------------------
    def _prune(self) -> None:
        """Drop what no run will ask for again: entries of visited files this run did not use, and
        entries of unvisited files that are gone or were not used for ``MAX_AGE``."""
        kept: Dict[str, Tuple[str, Any, float]] = {}
        exists: Dict[str, bool] = {}
        for key, (path, result, used) in self.entries.items():
            if key in self._used:
                if self._now - used > REFRESH:
                    used = self._now
                    self._dirty = True
                kept[key] = (path, result, used)
            elif path not in self._visited and self._now - used < MAX_AGE:
                if path not in exists:
                    exists[path] = os.path.exists(path)
                if exists[path]:
                    kept[key] = (path, result, used)
        if len(kept) != len(self.entries):
            self._dirty = True
        self.entries = kept
        paths = {path for path, _, _ in kept.values()} | self._visited
        files = {path: known for path, known in self.files.items() if path in paths}
        if len(files) != len(self.files):
            self._dirty = True
        self.files = files

    def save(self) -> None:
        """Write the shard if anything changed; a cache that cannot be written is not an error."""
        self._prune()
        if not self._dirty:
            return
        payload = pickle.dumps({"files": self.files, "entries": self.entries}, protocol=pickle.HIGHEST_PROTOCOL)
        header = MAGIC + f"{self.salt} {content_hash(payload)}\n".encode("ascii")
        try:
            _ensure_folder(self.folder)
            write_atomic(self.shard_path, header + payload)
        except OSError:
            return
        self._dirty = False


def _ensure_folder(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    ignore = os.path.join(folder, ".gitignore")
    if not os.path.exists(ignore):
        write_atomic(ignore, b"# Automatically created by tmplint.\n*\n")


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temp file in the same folder and ``os.replace``."""
    folder, name = os.path.split(path)
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
