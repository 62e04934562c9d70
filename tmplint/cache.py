"""The result cache: ``.tmplint_cache/`` beside the nearest ``pyproject.toml`` (else the current folder).

What is stored is whatever a per-file job returns (today an ``index.FileResult``, or a scan's bool), under a
key that names everything the result depends on: the file's content hash, the job and its settings (the
caller's ``parts``), and the *salt*: tmplint's version and source files, LibCST's version and the Python
version. Per-file-ignores and selection are applied after the cache, in the main process.

Layout and choices, and why:

* **256 shards, by a hash of the file's path**, ``results.v3/xx.json``, each loaded when a path of
  it is first asked about and written at the end of the run only if it changed. Why: one shard for the
  whole project (``results.v1.pickle`` until now) held 31,000 entries, 16 MB, for the 11,000 files of the
  benchmark corpus, and took 0.40 s to load: a pre-commit run naming one file took 1.1 s, mostly that
  load and imports. Now it reads one shard of 60 KB. A warm run over the whole corpus reads 256 files
  instead of one, and decodes no more than before (no slower, measured); a run writes nothing when
  nothing changed, and only the shards of the files that changed when some did. More shards would not
  make one file faster (the load is already a few milliseconds) and would cost whole runs more files.
* **Only what the last runs used.** An entry whose file was visited is kept only if this run used it,
  so a changed file's old entries go at once; entries of files a run did not visit (a pre-commit run
  names a few files) are kept, unless their file is gone or they were last used more than ``MAX_AGE``
  ago. A visited file's shard is always loaded, so this holds per shard; the entries of unvisited files
  are checked when their shard is next loaded. A shard no run loads is never rewritten, and once it has
  not been written for ``MAX_AGE`` every entry in it is that old: a run that writes deletes it, and the
  old ``results.v1.pickle`` too. So the cache cannot grow beyond the files the project has (had, for a
  shard nobody touches, for at most ``MAX_AGE``).
* **Content hashes without reading.** For each file the shard keeps its ``stat`` signature (size, mtime,
  ctime, inode) next to its content hash. When the signature is unchanged, and the file had not been
  modified within ``RACY_SECONDS`` of the moment it was hashed (git's "racily clean" rule: a write in the
  same clock tick would leave the signature unchanged), the hash is reused. Anything else reads and hashes.
* **Never trusted blindly.** Each shard starts with a magic line, the salt and a BLAKE2 checksum of its
  payload; a shard that is truncated, corrupt, larger than ``MAX_SHARD_BYTES``, from another version or
  another tool is ignored (and rebuilt by this run, if it loads it): that costs the entries of that
  shard only. The checksum finds damage, not forgery (anyone can compute it), so the payload is JSON,
  plain data that cannot run code, and each entry is rebuilt only through its type (``tmplint.plain``):
  a field of the wrong type, or a path that is not the entry's own file (the one its key was made
  from, so inside the tree being checked), and the entry is dropped, its job runs again and the shard
  is rewritten. Forged entries can cost misses, never a crash or a fix elsewhere.
* **Written atomically**, each shard to a unique temp name in its folder and moved into place with
  ``os.replace``; a failed write leaves the old shard and no temp file. Two runs at once each write
  whole shards; for each shard the last one wins, which costs at most some cache misses (a shard holds
  a file's stat signature with its entries, so a shard is consistent on its own).
* The folder holds a ``.gitignore`` with ``*``, as ruff's does; the project's own is never edited.
* Beside the shards, ``runs/`` keeps whole runs' answers, each with the stat signature and content hash
  of every file it read (``tmplint.recall``): a run in which nothing changed decodes no entry at all.
"""

import hashlib
import importlib.util
import itertools
import json
import os
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from tmplint import __version__, plain
from tmplint.source import SourceError, read_bytes

CACHE_DIR = ".tmplint_cache"
SHARDS = "results.v3"  # the folder of the shards, ``xx.json``
SUFFIX = ".json"
SHARD_COUNT = 256  # names are two hex digits: at most 256
OLD_SHARD = "results.v1.pickle"  # the single shard of earlier versions: removed by a run that writes
OLD_SHARDS = "results.v2"  # the pickled shards of earlier versions: removed by a run that writes
MAGIC = b"tmplint-cache 3\n"
# A shard is read only up to this size, so a planted one costs a bounded time and memory; a run never
# writes a bigger one (it leaves out its biggest entries). The benchmark corpus's largest is 0.2 MB.
MAX_SHARD_BYTES = 16 * 1024 * 1024
MAX_AGE = 30 * 24 * 3600  # seconds an entry of a file no run visits is kept
# A temp file of ``write_atomic`` this old belongs to a write that was killed (a shard is written in
# well under a second): the next run that writes removes it. Younger ones may be another run's.
STALE_TEMP = 3600
REFRESH = 24 * 3600  # a used entry's date is brought forward (and the shard rewritten) at most this often
RACY_SECONDS = 2.0  # a file modified this close to its hashing is hashed again next time

MISS = object()

# stat signature: size, mtime_ns, ctime_ns, inode
Signature = Tuple[int, int, int, int]


def stat_signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _libcst_version() -> str:
    """What names the installed LibCST: a hash of its generated ``_version.py``, found without importing
    LibCST. importlib.metadata cost a pre-commit run naming one file 30 ms of its 250 (the import, and
    a scan of every distribution's metadata)."""
    try:
        spec = importlib.util.find_spec("libcst")
        folders = spec.submodule_search_locations if spec is not None else None
        if folders:
            path = os.path.join(list(folders)[0], "_version.py")
            with open(path, "rb") as handle:
                return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except (ImportError, ValueError, OSError):
        pass
    try:  # no _version.py beside it: the distribution's metadata knows
        from importlib.metadata import version

        return version("libcst")
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


# --- loading plain data, checked -----------------------------------------------------------------


def _load(data: bytes, expected_salt: str) -> Optional[dict]:
    """A shard's files and entries (results still encoded, as ``tmplint.plain`` wrote them), or None for
    a damaged, foreign or malformed shard."""
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
        shard = json.loads(payload)
    except (ValueError, RecursionError):  # whatever a damaged or foreign payload holds: no cache
        return None
    # Columns, checked by C loops (``set(map(type, ...))``): a warm run over 11,000 files loads 32,000
    # entries. The results themselves are checked when they are asked for (``Cache.get``).
    try:
        (paths, signatures, digests, hashed_at), (keys, owners, used, results) = shard["files"], shard["entries"]
    except (TypeError, KeyError, ValueError):
        return None
    columns = (paths, signatures, digests, hashed_at, keys, owners, used, results)
    if not (all(type(column) is list for column in columns)
            and len(paths) == len(signatures) == len(digests) == len(hashed_at)
            and len(keys) == len(owners) == len(used) == len(results)
            and set(map(type, paths + digests + keys + owners)) <= {str} and set(map(type, hashed_at + used)) <= _NUMBERS
            and set(map(type, signatures)) <= {list} and set(map(len, signatures)) <= {4}
            and set(map(type, itertools.chain.from_iterable(signatures))) <= {int}
            and min(map(len, keys), default=3) > 2):
        return None
    files = dict(zip(paths, zip(map(tuple, signatures), digests, hashed_at)))
    return {"files": files, "entries": dict(zip(keys, zip(owners, results, used)))}


_NUMBERS = {int, float}


# --- the cache ------------------------------------------------------------------------------------


def shard_of(path: str) -> str:
    """The name of the shard that holds the entries of the file at ``path`` (absolute): two hex digits
    of a hash of the path, so any process puts a file in the same shard."""
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return format(int.from_bytes(digest, "big") % SHARD_COUNT, "02x")


class _Shard:
    """One shard's files and entries, as loaded; ``dirty``: to be written by ``save``."""

    __slots__ = ("name", "files", "entries", "dirty")

    def __init__(self, name: str) -> None:
        self.name = name
        # path (absolute) -> (signature, content hash, when it was hashed)
        self.files: Dict[str, Tuple[Signature, str, float]] = {}
        # key -> (path, result as tmplint.plain encodes it, last used)
        self.entries: Dict[str, Tuple[str, Any, float]] = {}
        self.dirty = False


def _read(path: str) -> Optional[bytes]:
    """A shard's bytes; None when there is none, ``b""`` when it cannot be used (too large, not a
    regular file): a damaged shard, rewritten by this run."""
    try:
        return read_bytes(path, MAX_SHARD_BYTES)
    except SourceError:
        return None if not os.path.lexists(path) else b""


class Cache:
    """Results of per-file jobs for one project; a shard is loaded when a path of it is first asked
    about, and the shards that changed are written by ``save`` at the end of the run."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.salt = salt()
        self._owners: Dict[str, str] = {}  # key -> the file it was made from (absolute)
        self._resolved: Dict[str, str] = {}  # a path in an entry -> its absolute path
        self._decoded: Dict[str, Any] = {}  # key -> the result, rebuilt and checked (or put) by this run
        self._shards: Dict[str, _Shard] = {}
        self._used: Set[str] = set()
        self._visited: Set[str] = set()
        self._hashes: Dict[str, Tuple[str, Optional[str]]] = {}  # path as given -> (shard, content hash)
        self._now = time.time()

    @classmethod
    def for_project(cls, project_root: str) -> "Cache":
        return cls(cache_folder(project_root))

    @property
    def shard_folder(self) -> str:
        return os.path.join(self.folder, SHARDS)

    def shard_path(self, name: str) -> str:
        return os.path.join(self.shard_folder, name + SUFFIX)

    def _shard(self, name: str) -> _Shard:
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        shard = self._shards[name] = _Shard(name)
        data = _read(self.shard_path(name))
        if data is None:
            return shard
        loaded = _load(data, self.salt)
        if loaded is None:
            shard.dirty = True  # rewrite it, so the damage does not cost every run a read
            return shard
        shard.files = loaded["files"]
        shard.entries = loaded["entries"]
        return shard

    def all_entries(self) -> Dict[str, Tuple[str, Any, float]]:
        """Every entry of every shard on disk (loads them all: for tests and inspection, not runs)."""
        try:
            names = os.listdir(self.shard_folder)
        except OSError:
            names = []
        found: Dict[str, Tuple[str, Any, float]] = {}
        for name in sorted(names):
            if name.endswith(SUFFIX) and not name.startswith("."):
                for key, (path, _, used) in list(self._shard(name[: -len(SUFFIX)]).entries.items()):
                    result = self.get(key)
                    if result is not MISS:
                        found[key] = (path, result, used)
        return found

    # --- keys ---------------------------------------------------------------------------------
    def _content(self, path: str) -> Tuple[str, Optional[str]]:
        """The name of the shard of ``path``, and its content hash: from its shard when its stat is
        unchanged; None when the file cannot be read (the job itself then reports why, uncached)."""
        memo = self._hashes.get(path)
        if memo is not None:
            return memo
        full = os.path.abspath(path)
        self._visited.add(full)
        shard = self._shard(shard_of(full))
        found = None
        try:
            info = os.stat(full)
            signature = stat_signature(info)
            known = shard.files.get(full)
            if known is not None and known[0] == signature and info.st_mtime_ns / 1e9 + RACY_SECONDS < known[2]:
                found = known[1]
            else:
                hashed_at = time.time()
                data = read_bytes(full)  # a FIFO, a device or a huge file: no key, the job reports it
                found = content_hash(data)
                after = os.stat(full)
                if stat_signature(after) == signature:  # not written to while we read it
                    shard.files[full] = (signature, found, hashed_at)
                    shard.dirty = True
                else:
                    shard.files.pop(full, None)
                    found = None
        except (OSError, SourceError):
            shard.files.pop(full, None)
        self._hashes[path] = (shard.name, found)
        return shard.name, found

    def hashed_files(self) -> Optional[List[Tuple[str, Signature, str, float]]]:
        """Every file this run keyed (absolute), with its signature, content hash and when it was hashed;
        None when one of them could not be hashed."""
        out = []
        for path, (name, digest) in self._hashes.items():
            full = self._resolved.get(path) or os.path.abspath(path)  # (``key`` resolved it)
            known = self._shard(name).files.get(full)
            if digest is None or known is None:
                return None
            out.append((full, known[0], known[1], known[2]))
        return out

    def key(self, path: str, parts: Any) -> Optional[str]:
        """The entry key of a job on ``path`` described by ``parts`` (plain data); None: do not cache.
        It starts with the name of the path's shard, so ``get`` and ``put`` know where it lives."""
        name, digest = self._content(path)
        if digest is None:
            return None
        key = name + fingerprint((self.salt, digest, parts))
        full = self._resolved.get(path)
        if full is None:
            full = self._resolved[path] = os.path.abspath(path)
        self._owners[key] = full
        return key

    # --- entries ------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """The result stored under ``key``, rebuilt and checked (``tmplint.plain``); MISS when there is
        none, or when the entry is not what its type says or names a file other than the one the key was
        made from: then it is dropped, and the shard rewritten with what the job gives this time."""
        if key in self._decoded:  # put, or already rebuilt, by this run
            self._used.add(key)
            return self._decoded[key]
        shard = self._shard(key[:2])
        entry = shard.entries.get(key)
        if entry is None:
            return MISS
        # The file the key was made from: every path in the result must be it. (Not the entry's own
        # word: a scan's key names no path, so files of one content and shard share its entry.)
        own = self._owners.get(key, entry[0])
        try:
            result = plain.decode(entry[1], plain.own_file(own, self._resolved))
        except Exception:  # plain.Invalid, or whatever a forged entry makes a record's constructor raise
            del shard.entries[key]
            shard.dirty = True
            return MISS
        shard.entries[key] = (entry[0], _Kept(result), entry[2])  # the JSON can go: save encodes it again
        self._decoded[key] = result
        self._used.add(key)
        return result

    def put(self, key: str, path: str, result: Any) -> None:
        """Store ``result``; a value ``tmplint.plain`` cannot encode is left out when the shard is written."""
        shard = self._shard(key[:2])
        shard.entries[key] = (os.path.abspath(path), _Kept(result), self._now)
        self._decoded[key] = result
        self._used.add(key)
        shard.dirty = True

    # --- saving -------------------------------------------------------------------------------
    def _prune(self, shard: _Shard, exists: Dict[str, bool]) -> None:
        """Drop what no run will ask for again: entries of visited files this run did not use, and
        entries of unvisited files that are gone or were not used for ``MAX_AGE``. Every visited
        file's shard is loaded (``_content`` loads it), so pruning the loaded shards sees them all."""
        kept: Dict[str, Tuple[str, Any, float]] = {}
        for key, (path, result, used) in shard.entries.items():
            if key in self._used:
                if self._now - used > REFRESH:
                    used = self._now
                    shard.dirty = True
                kept[key] = (path, result, used)
            elif path not in self._visited and self._now - used < MAX_AGE:
                if path not in exists:
                    exists[path] = os.path.exists(path)
                if exists[path]:
                    kept[key] = (path, result, used)
        if len(kept) != len(shard.entries):
            shard.dirty = True
        shard.entries = kept
        paths = {path for path, _, _ in kept.values()}
        files = {path: known for path, known in shard.files.items() if path in paths or path in self._visited}
        if len(files) != len(shard.files):
            shard.dirty = True
        shard.files = files

    def save(self) -> None:
        """Write the shards that changed, each on its own; a cache that cannot be written is no error."""
        exists: Dict[str, bool] = {}
        changed = []
        for name in sorted(self._shards):
            shard = self._shards[name]
            self._prune(shard, exists)
            if shard.dirty:
                changed.append(shard)
        if not changed:
            return
        try:
            _ensure_folder(self.folder)
            os.makedirs(self.shard_folder, exist_ok=True)
        except OSError:
            return
        for shard in changed:
            payload = _payload(shard)
            header = MAGIC + f"{self.salt} {content_hash(payload)}\n".encode("ascii")
            try:
                write_atomic(self.shard_path(shard.name), header + payload)
            except OSError:
                continue
            shard.dirty = False
        self._sweep()

    def _sweep(self) -> None:
        """Remove what no run will read: the old single shard of earlier versions (``results.v1.pickle``),
        and shards this run did not load that no run has written for ``MAX_AGE``: every entry in them
        was last used before that, so loading one would prune it empty; and the temp files of writes
        killed midway (``.NAME.XXXX.tmp``, older than ``STALE_TEMP``). Only runs that write sweep."""
        stale = [os.path.join(self.folder, OLD_SHARD)]
        old_shards = os.path.join(self.folder, OLD_SHARDS)
        stale += [os.path.join(old_shards, name) for name in _listing(old_shards)]
        names = _listing(self.shard_folder)
        for folder, temps in ((self.folder, _listing(self.folder)), (self.shard_folder, names)):
            for name in temps:
                if name.startswith(".") and name.endswith(".tmp"):
                    path = os.path.join(folder, name)
                    try:
                        if os.stat(path).st_mtime < self._now - STALE_TEMP:
                            stale.append(path)
                    except OSError:
                        pass
        for name in names:
            if name.endswith(SUFFIX) and not name.startswith(".") and name[: -len(SUFFIX)] not in self._shards:
                path = os.path.join(self.shard_folder, name)
                try:
                    if os.stat(path).st_mtime < self._now - MAX_AGE:
                        stale.append(path)
                except OSError:
                    pass
        for path in stale:
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            os.rmdir(old_shards)
        except OSError:
            pass


class _Kept:
    """An entry's result as this run holds it (put, or rebuilt from the JSON, which is then let go)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _payload(shard: _Shard) -> bytes:
    """The shard as JSON (ASCII: a path that is not valid UTF-8 keeps its escapes), under
    ``MAX_SHARD_BYTES``: when it would be bigger, its biggest entries are left out, as are results
    ``tmplint.plain`` cannot encode."""
    files = [list(column) for column in zip(*((path, list(signature), digest, at)
                                              for path, (signature, digest, at) in shard.files.items()))] or [[]] * 4
    entries = []
    for key, (path, result, used) in shard.entries.items():
        data = plain.encode(result.value) if isinstance(result, _Kept) else result
        if data is not None:
            entries.append((key, path, used, data))
    while True:
        columns = [list(column) for column in zip(*entries)] or [[]] * 4
        payload = json.dumps({"files": files, "entries": columns}, separators=(",", ":")).encode("ascii")
        if len(payload) + 200 <= MAX_SHARD_BYTES or not entries:
            return payload
        entries.sort(key=lambda entry: len(json.dumps(entry[3])))
        entries = entries[: len(entries) // 2]


def _listing(folder: str) -> List[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


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
