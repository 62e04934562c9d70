#!/usr/bin/env python3
"""Fetch the real-world evaluation corpus (standard library + pip only).

usage: python evaluation/fetch.py DIR [--cache CACHE] [--only NAME ...]

Reads evaluation/packages.lock (one archive per line: name, requirement, exact file name,
sha256, extra pip download args), downloads each archive with
`pip download --no-deps --require-hashes` into CACHE (default DIR.downloads), checks its
sha256, and extracts only its *.py members into DIR/<name>/ (an sdist loses its top-level
"<name>-<version>/" folder; a wheel is kept as-is, so `cd DIR/ray-2.53.0 && tmplint ray/tune`
works). Idempotent: an archive already in the cache with the right hash is not fetched again,
and a folder whose .corpus-stamp names the same archive is not extracted again.
Nothing is installed and nothing is written outside DIR and CACHE.
"""
import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
LOCK = HERE / "packages.lock"


def read_lock(path=LOCK):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, req, file, sha, *rest = line.split("\t")
        rows.append((name, req, file, sha, shlex.split(rest[0]) if rest else []))
    return rows


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _safe(member):
    p = PurePosixPath(member)
    if p.is_absolute() or ".." in p.parts:
        raise SystemExit(f"refusing unsafe archive member {member!r}")
    return p


def extract(archive, dest):
    count = 0

    def write(rel, data):
        nonlocal count
        out = dest.joinpath(*rel.parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        count += 1

    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir() and info.filename.endswith(".py"):
                    write(_safe(info.filename), zf.read(info))
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if member.isfile() and member.name.endswith(".py"):
                    rel = _safe(member.name)
                    if len(rel.parts) < 2:
                        continue
                    write(PurePosixPath(*rel.parts[1:]), tf.extractfile(member).read())
    return count


def fetch_one(name, req, file, sha, args, cache):
    archive = cache / file
    if archive.is_file() and sha256(archive) == sha:
        return archive
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write(f"{req} --hash=sha256:{sha}\n")
        reqfile = fh.name
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--quiet",
             "--dest", str(cache), *args, "-r", reqfile],
            check=True,
        )
    finally:
        os.unlink(reqfile)
    if not archive.is_file():
        raise SystemExit(f"{name}: pip did not produce {file}")
    got = sha256(archive)
    if got != sha:
        raise SystemExit(f"{name}: sha256 mismatch for {file}: {got} != {sha}")
    return archive


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--only", nargs="*", default=None, help="fetch only these lock names")
    ns = ap.parse_args(argv)
    root = ns.dir.resolve()
    cache = (ns.cache or Path(str(root) + ".downloads")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    for name, req, file, sha, args in read_lock():
        if ns.only is not None and name not in ns.only:
            continue
        dest = root / name
        stamp = dest / ".corpus-stamp"
        if stamp.is_file() and stamp.read_text().strip() == f"{file} {sha}":
            print(f"ok      {name} ({file})")
            continue
        print(f"fetch   {name} ({file})", flush=True)
        archive = fetch_one(name, req, file, sha, args, cache)
        # a unique folder beside the final one, renamed into place once complete
        partial = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
        count = extract(archive, partial)
        (partial / ".corpus-stamp").write_text(f"{file} {sha}\n")
        shutil.rmtree(dest, ignore_errors=True)
        partial.rename(dest)
        print(f"extract {name}: {count} .py files", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
