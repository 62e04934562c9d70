"""A whole run's answer, kept while nothing it rests on has changed: a warm run then starts no job.

The per-file cache (``tmplint.cache``) spares the parsing, but a warm run still rebuilt every file's
result from its shard and composed the project index: 9.3 s for the 18,917 files of the evaluation
corpus, 4.7 times ruff's cold run, and 788 MB. A run's findings depend on nothing but

* tmplint, LibCST and Python (the cache's salt), the settings, the files named, in order, and the
  folder the run is started from (reports show paths relative to it): these make the answer's key;
* the content of every file the run read: the named files, the files they import, the files stage two
  scanned (each one's stat signature and content hash, as the per-file cache keeps them);
* where each of those sits in the import system (the ``__init__.py`` files above it: its module);
* what the run's locator saw on disk: the names an import could find in the folders it listed, the
  files it looked for (``project.Layout``).

So the last answer for a key is kept beside the shards, ``runs/KEY.json``, with all of the above, and
a run whose key has one returns it once every file, module, listing and lookup is checked to be as it
was: a stat per file (a file whose stat changed is hashed again: a touched file costs a read, not a
miss), a listing per folder. Anything else, and the run goes the usual way and keeps its new answer.

An edit to a file the run found nothing in (most files: the text screen passed it over and stage two
never admitted it) keeps the answer too, when the new text is passed over as well, imports the same
names and names none of the helpers stage two looked for (``project.quiet_still``): that file's
result is then what it was, and so is every other file's.

It is kept only from a run that is complete: every file could be hashed and no worker was lost (a
timeout or a crash is not a property of the files). Like a shard, it starts with a magic line, the
salt and a checksum, is read only up to a size (one that grows with the files named: ``size_limit``),
is JSON, and its findings are rebuilt through ``tmplint.plain`` with every path checked to be a named
file's: a forged one can cost a wrong answer about the named files, as a forged shard can, never a
crash. At most ``KEPT`` answers are kept (one per way of naming files: a pre-commit run names a few),
the least recently used go first.
"""

import json
import os
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from tmplint import plain
from tmplint.cache import (MAX_SHARD_BYTES, RACY_SECONDS, STALE_TEMP, Cache, Signature, content_hash, fingerprint,
                           stat_signature, write_atomic)
from tmplint.config.model import Config
from tmplint.diagnostics import Diagnostic
from tmplint.layout import Layout, importable, module_info, package_parts
from tmplint.source import SourceError, decode_source, read_bytes, read_limit

FOLDER = "runs"
MAGIC = b"tmplint-run 1\n"
KEPT = 8
SWITCHES = ("TMPLINT_SCREEN", "TMPLINT_REDUCE")  # a run checking the screens asks for a fresh answer
# An answer is read only up to a size, as a shard is (a planted one costs a bounded read and parse), but
# the bound grows with the files named: an answer takes about 430 bytes a file (8 MB for the 18,917 files
# of the evaluation corpus), and a fixed 16 MB would have stopped recalling trees past about 38,000 files.
BYTES_PER_FILE = 1024


def size_limit(files: Sequence[str]) -> int:
    return MAX_SHARD_BYTES + BYTES_PER_FILE * len(files)


def run_key(cache: Cache, files: Sequence[str], settings: Config) -> str:
    """What names one answer: tmplint (the salt), the settings, the files in order, where the run stands."""
    switches = tuple(os.environ.get(name, "") for name in SWITCHES)
    return fingerprint((cache.salt, settings, os.getcwd(), switches, tuple(files)))


def _path(cache: Cache, key: str) -> str:
    return os.path.join(cache.folder, FOLDER, key + ".json")


def recall(cache: Cache, key: str, files: Sequence[str], settings: Config) -> Optional[List[Diagnostic]]:
    """The kept answer for ``key`` when everything it rests on is as it was, or the files that changed
    were quiet and still are (``project.quiet_still``); None otherwise."""
    path = _path(cache, key)
    try:
        data = read_bytes(path, size_limit(files))
    except SourceError:
        return None
    kept = _load(data, cache.salt)
    changed = None if kept is None else _changed(kept)
    if kept is None or changed is None:
        return None
    rows = _still_quiet(kept, changed, settings) if changed else {}
    if rows is None:
        return None
    named = {os.path.abspath(name) for name in files}

    def check_path(found: str, kind: str) -> None:
        if os.path.abspath(found) not in named:
            raise plain.Invalid(f"a path that is not a named file's: {found!r}")

    try:
        found = plain.decode(kept["found"], check_path)
    except Exception:  # plain.Invalid, or whatever a forged record makes a constructor raise
        return None
    if not (type(found) is list and all(type(d) is Diagnostic for d in found)):
        return None
    if rows:  # kept again with those files as they are now, so the next run reads none of them
        _write(cache, key, size_limit(files), {**kept, "files": [rows.get(row[0], row) for row in kept["files"]]})
        return found
    try:
        os.utime(path)  # used: the last to go when answers are pruned
    except OSError:
        pass
    return found


def keep(cache: Cache, key: str, files: Sequence[str], found: List[Diagnostic], layout: Layout) -> None:
    """Keep ``found`` as the answer for ``key``, with what it rests on (the files ``cache`` hashed this
    run); nothing when a file could not be hashed or the answer cannot be encoded."""
    inputs = cache.hashed_files()
    encoded = plain.encode(list(found))
    if inputs is None or encoded is None:
        return
    _write(cache, key, size_limit(files), {
        "files": [[path, list(signature), digest, hashed_at, list(module_info(path))]
                  for path, signature, digest, hashed_at in inputs],
        "listings": [[folder, _digest(names)] for folder, names in layout.listings.items()],
        "lookups": [[path, was] for path, was in layout.files.items()],
        "quiet": sorted([path, imports] for path, imports in layout.quiet.items()),
        "scanned": [[name, list(tops), list(methods)] for name, tops, methods in layout.scanned],
        "found": encoded,
    })


def _write(cache: Cache, key: str, limit: int, kept: Dict[str, Any]) -> None:
    """Write a kept answer (atomically, as a shard is) and prune the oldest; a failed write is no error,
    and an answer over ``limit`` is not written (no run would read it)."""
    payload = json.dumps(kept, separators=(",", ":")).encode("ascii")
    header = MAGIC + f"{cache.salt} {content_hash(payload)}\n".encode("ascii")
    if len(header) + len(payload) > limit:
        return
    folder = os.path.join(cache.folder, FOLDER)
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomic(_path(cache, key), header + payload)
    except OSError:
        return
    _prune(folder)


def _digest(names: Tuple[str, ...]) -> str:
    return content_hash("\0".join(names).encode("utf-8", "surrogatepass"))


def _load(data: bytes, salt: str) -> Optional[Dict[str, Any]]:
    """The kept answer's parts, or None for a damaged, foreign or malformed one."""
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    try:
        found_salt, checksum = data[len(MAGIC):end].decode("ascii").split()
        payload = data[end + 1:]
        if found_salt != salt or content_hash(payload) != checksum or end < 0:
            return None
        kept = json.loads(payload)
        parts = [kept[name] for name in ("files", "listings", "lookups", "quiet", "scanned")]
    except (UnicodeDecodeError, ValueError, TypeError, KeyError, RecursionError):
        return None
    if not all(type(part) is list and all(type(row) is list for row in part) for part in parts):
        return None
    return kept


class _Now(NamedTuple):
    """What a file that changed holds now, read once: its stat when read, when, its bytes and their
    hash (``data`` None: it cannot be read)."""

    signature: Signature
    hashed_at: float
    data: Optional[bytes]
    digest: str


def _changed(kept: Dict[str, Any]) -> Optional[Dict[str, _Now]]:
    """The files whose content changed, with what they hold now (a file that is gone cannot be read:
    ``_still_quiet`` refuses it), when every module, listing and lookup the answer rests on is as it
    was; None otherwise (anything malformed too)."""
    package_parts.cache_clear()  # this process may have seen another layout
    changed = {}
    try:
        for path, signature, digest, hashed_at, module in kept["files"]:
            if list(module_info(path)) != module:
                return None
            now = _now(path, tuple(signature), digest, hashed_at)
            if now is not None:
                changed[path] = now
        for folder, names in kept["listings"]:
            if _digest(importable(folder)) != names:
                return None
        for path, was in kept["lookups"]:
            if os.path.isfile(path) is not was:
                return None
    except (TypeError, ValueError, OSError):
        return None
    return changed


def _still_quiet(kept: Dict[str, Any], changed: Dict[str, _Now], settings: Config) -> Optional[Dict[str, List[Any]]]:
    """Each changed file was one the run found nothing in, and with its new text still is: their rows
    as they are now (the content hashed is the content checked); None otherwise."""
    from tmplint.project import Wanted, quiet_still  # loads the screens: only when a file changed

    rows = {row[0]: row for row in kept["files"]}
    out = {}
    try:
        quiet = dict((path, imports) for path, imports in kept["quiet"])
        scanned = tuple(Wanted(name, tuple(tops), tuple(methods)) for name, tops, methods in kept["scanned"])
        for path, now in changed.items():
            if path not in quiet or now.data is None or len(now.data) > read_limit(settings.analysis.max_file_size):
                return None  # (a file the analysis would not read is not quiet)
            if not quiet_still(decode_source(now.data)[0], path, settings.analysis, quiet[path], scanned):
                return None
            out[path] = [path, list(now.signature), now.digest, now.hashed_at, rows[path][4]]
    except (TypeError, ValueError, OSError, SourceError):
        return None
    return out


def _now(path: str, signature: Signature, digest: str, hashed_at: float) -> Optional[_Now]:
    """None when the file at ``path`` holds what hashed to ``digest``: its stat is as then (and it was
    not written within ``RACY_SECONDS`` of the hashing, the cache's rule), or its content hashes the
    same; else what it holds now."""
    try:
        info = os.stat(path)
    except OSError:
        return _Now(signature, 0.0, None, "")
    if stat_signature(info) == signature and info.st_mtime_ns / 1e9 + RACY_SECONDS < hashed_at:
        return None
    now = time.time()
    try:
        data = read_bytes(path)
    except SourceError:
        return _Now(signature, now, None, "")
    found = content_hash(data)
    return None if found == digest else _Now(stat_signature(info), now, data, found)


def _prune(folder: str) -> None:
    """Keep the ``KEPT`` most recently used answers (and no temp file of a write killed midway)."""
    found: List[Tuple[float, str]] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        full = os.path.join(folder, name)
        try:
            found.append((os.stat(full).st_mtime, full))
        except OSError:
            continue
    answers = sorted((f for f in found if not os.path.basename(f[1]).startswith(".")), reverse=True)
    stale = [full for _, full in answers[KEPT:]]
    stale += [full for at, full in found if os.path.basename(full).startswith(".") and at < time.time() - STALE_TEMP]
    for full in stale:
        try:
            os.unlink(full)
        except OSError:
            pass


