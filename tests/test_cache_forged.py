"""A forged cache (issue 17 item 5): entries are plain JSON checked against their types and their file.

Anyone who can write ``.tmplint_cache/`` (a shared checkout, a restored CI cache) can write a shard with
a valid header and checksum. Such entries used to crash every later run (``AttributeError``, exit 1,
never repaired), plant a ``fix_at`` outside the project, or cost 30 s and 1 GB per run. Each case here
forges the shards a real run wrote, then runs the real command again: its findings must be a cold run's,
the forged entries must be gone from the shard (rewritten), and the next run must find it whole.
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import pytest

from tmplint import cache as cache_mod, plain, recall
from tmplint.analysis.index import FileResult
from tmplint.config import Config
from tmplint.diagnostics import Diagnostic
from tmplint.project import analyse_file

REPO = Path(__file__).resolve().parent.parent
FIELD = {f.name: n for n, f in enumerate(dataclasses.fields(FileResult))}
DIAGNOSTIC = {f.name: n for n, f in enumerate(dataclasses.fields(Diagnostic))}


def tmplint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tmplint", "--format", "json", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """fixtures/project (helpers in one file, callers in others) and what a cold run reports."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "fixtures" / "project", root)
    (root / "pyproject.toml").write_text("[tool.tmplint]\n")
    return root


def shards(root: Path) -> List[Path]:
    return sorted((root / cache_mod.CACHE_DIR / cache_mod.SHARDS).glob("*" + cache_mod.SUFFIX))


def read_shard(path: Path):
    data = path.read_bytes()
    end = data.index(b"\n", len(cache_mod.MAGIC))
    return data[:end], json.loads(data[end + 1:])


def forget_answers(root: Path) -> None:
    """Remove the whole runs' kept answers (``tmplint.recall``), so the next run reads the shards."""
    shutil.rmtree(root / cache_mod.CACHE_DIR / recall.FOLDER)


def forge(root: Path, change: Callable[[list], bool]) -> int:
    """Rewrite every shard with ``change`` applied to each entry's result (``[root name, data]``), under
    a valid header and checksum, as anyone could; the number of entries it changed. The kept answers
    go (``forget_answers``): this is about the shards."""
    forget_answers(root)
    changed = 0
    for path in shards(root):
        header, payload = read_shard(path)
        hits = sum(1 for result in payload["entries"][3] if change(result))
        if hits:
            body = json.dumps(payload).encode("ascii")
            salt = header[len(cache_mod.MAGIC):].split()[0].decode()
            path.write_bytes(cache_mod.MAGIC + f"{salt} {cache_mod.content_hash(body)}\n".encode() + body)
            changed += hits
    return changed


def all_entries_valid(root: Path) -> List[list]:
    """Every entry of every shard, each checked as a run in ``root`` checks it; the results as stored."""
    found = []
    here = os.getcwd()
    os.chdir(root)  # the paths in the results are relative to where the run was
    try:
        for path in shards(root):
            _, payload = read_shard(path)
            for owner, result in zip(payload["entries"][1], payload["entries"][3]):
                plain.decode(result, plain.own_file(owner))
                found.append(result)
    finally:
        os.chdir(here)
    return found


def parsed_with_findings(result: list) -> bool:
    return result[0] == "FileResult" and result[1][FIELD["status"]] == "parsed" and bool(result[1][FIELD["diagnostics"]])


def wrong_types(result: list) -> bool:
    if result[0] != "FileResult" or result[1][FIELD["status"]] != "parsed":
        return False
    result[1][FIELD["functions"]] = ["x"]  # a list of str where (scope id, FunctionInfo) pairs belong
    result[1][FIELD["status"]] = 5
    return True


def fix_at_outside(result: list) -> bool:
    if not parsed_with_findings(result):
        return False
    for diagnostic in result[1][FIELD["diagnostics"]]:
        diagnostic[DIAGNOSTIC["fix_at"]] = [os.path.join(os.sep, "outside", "victim.py"), 1, 1, None]
    return True


def path_of_another_file(result: list) -> bool:
    if not parsed_with_findings(result):
        return False
    for diagnostic in result[1][FIELD["diagnostics"]]:
        diagnostic[DIAGNOSTIC["path"]] = "ckpt/consts.py"  # inside the project, but not this entry's file
    return True


@pytest.mark.parametrize("change", [wrong_types, fix_at_outside, path_of_another_file])
def test_a_forged_entry_is_dropped_and_rewritten(project, change):
    cold = tmplint(project, "--no-cache", ".")
    assert cold.returncode == 1 and cold.stdout.count('"code"') > 10
    assert tmplint(project, ".").stdout == cold.stdout  # fills the cache
    assert forge(project, change) > 0
    warm = tmplint(project, ".")
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    results = all_entries_valid(project)  # the forged entries were replaced by good ones
    assert all(r[1][FIELD["status"]] in ("parsed", "screened", "sketched", "failed") for r in results if r[0] == "FileResult")
    assert outside_paths(results, project) == []
    assert all(d[DIAGNOSTIC["path"]] == r[1][FIELD["path"]] for r in results if r[0] == "FileResult"
               for d in r[1][FIELD["diagnostics"]])
    assert tmplint(project, ".").stdout == cold.stdout


def outside_paths(results: List[list], root: Path) -> List[str]:
    """Paths in the results that do not lie in ``root``."""
    found = []
    for result in results:
        if result[0] != "FileResult":
            continue
        for diagnostic in result[1][FIELD["diagnostics"]]:
            fix_at = diagnostic[DIAGNOSTIC["fix_at"]]
            for path in [diagnostic[DIAGNOSTIC["path"]]] + ([fix_at[0]] if fix_at else []):
                if not os.path.abspath(os.path.join(root, path)).startswith(str(root) + os.sep):
                    found.append(path)
    return found


def test_a_planted_fix_at_never_reaches_fix(project, tmp_path):
    """The fix of a forged entry would lie outside the project: --fix fixes what a cold --fix fixes."""
    victim = tmp_path / "outside" / "victim.py"
    victim.parent.mkdir()
    victim.write_text((REPO / "fixtures" / "fix" / "seed_helper.py").read_text())
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    tmplint(project, ".")
    assert forge(project, lambda r: parsed_with_findings(r) and fix_at_outside_at(r, str(victim))) > 0
    fixed = tmplint(project, "--fix", ".")
    expected = tmplint(reference, "--no-cache", "--fix", ".")
    assert (fixed.returncode, fixed.stdout) == (expected.returncode, expected.stdout)
    assert victim.read_text() == (REPO / "fixtures" / "fix" / "seed_helper.py").read_text()
    for path in reference.rglob("*.py"):
        assert (project / path.relative_to(reference)).read_text() == path.read_text(), path


def fix_at_outside_at(result: list, victim: str) -> bool:
    for diagnostic in result[1][FIELD["diagnostics"]]:
        diagnostic[DIAGNOSTIC["fix_at"]] = [victim, 10, 10, None]
    return True


_PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    "sys.stdout.write(done.stdout)\n"
)


def test_a_huge_shard_costs_a_bounded_read(project):
    """A shard over MAX_SHARD_BYTES is not read at all: this one, with a valid checksum, is 60 MB of
    twenty million empty lists, which take 1.5 GB to parse. One within the limit that is nested too
    deep to parse costs one failed parse. Both are rebuilt, and the findings are a cold run's."""
    cold = tmplint(project, "--no-cache", ".")
    tmplint(project, ".")
    big, nested = shards(project)[:2]
    header = read_shard(big)[0]
    salt = header[len(cache_mod.MAGIC):].split()[0].decode()
    huge = b'{"files":[' + b"[]," * 20_000_000 + b'[]],"entries":[[],[],[],[]]}'
    deep = b"[" * 100_000 + b"]" * 100_000
    for path, payload in ((big, huge), (nested, deep)):
        path.write_bytes(cache_mod.MAGIC + f"{salt} {cache_mod.content_hash(payload)}\n".encode() + payload)
    forget_answers(project)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _PEAK, sys.executable, "-m", "tmplint", "--format", "json", "."],
                          cwd=project, capture_output=True, text=True, timeout=300)
    peak_kb, code = map(int, done.stdout.split("\n", 1)[0].split())
    assert time.monotonic() - started < 60
    assert peak_kb < 400_000, f"{peak_kb} KB"
    assert (code, done.stdout.split("\n", 1)[1]) == (cold.returncode, cold.stdout)
    assert big.stat().st_size < 1_000_000 and nested.stat().st_size < 100_000
    all_entries_valid(project)


def test_a_run_never_writes_a_shard_it_would_not_read(tmp_path):
    cache = cache_mod.Cache(str(tmp_path / cache_mod.CACHE_DIR))
    path = str(tmp_path / "m.py")
    Path(path).write_text("x = 1\n")
    for n in range(40):  # one shard, entries of 1 MB each
        cache.put("00" + f"{n:030d}", path, [Diagnostic("TMP101", "x" * 1_000_000, path, n + 1, 0, n + 1, 1)])
    cache.save()
    (written,) = shards(tmp_path)
    assert cache_mod.MAX_SHARD_BYTES // 2 < written.stat().st_size <= cache_mod.MAX_SHARD_BYTES
    assert 8 <= len(cache_mod.Cache(str(tmp_path / cache_mod.CACHE_DIR)).all_entries()) < 40


@pytest.mark.parametrize("folder", ["project", "srclayout", "rules", "fix", "ray253"])
def test_every_result_of_the_fixtures_comes_back_as_it_was(folder):
    """The cache keeps what the analysis makes, through its annotations: a field whose annotation does not
    say what it holds would make every entry of such files a miss (and this test fail)."""
    paths = sorted((REPO / "fixtures" / folder).rglob("*.py"))
    assert paths
    for path in paths:
        for force in (False, True):
            result = analyse_file(str(path), Config().analysis, force=force)
            data = plain.encode(result)
            assert data is not None, path
            back = plain.decode(json.loads(json.dumps(data)), plain.own_file(str(path)))
            assert back == result, path
    assert plain.decode(json.loads(json.dumps(plain.encode(True))), plain.own_file("/x")) is True
