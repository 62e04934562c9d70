"""The result cache: hits, what makes a miss, damage, where it lives, shards, and the same findings either way."""

import multiprocessing
import os
import pickle
import subprocess
import sys
import textwrap
import time

import pytest

from tmplint import cache as cache_mod
from tmplint import runner
from tmplint.cache import CACHE_DIR, SHARDS, SUFFIX, Cache, shard_of
from tmplint.cli import main
from tmplint.config import load_config, merge_cli
from tmplint.diagnostics import Diagnostic

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
SAVE = textwrap.dedent("""\
    import os
    def save(data):
        with open(".tmp_state", "w") as f:
            f.write(data)
        os.replace(".tmp_state", "state.json")
    """)
PLAIN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    (tmp_path / "state.py").write_text(SAVE)
    (tmp_path / "plain.py").write_text(PLAIN)
    (tmp_path / "tmpdir.py").write_text("LOG = '/tmp/app.log'\nopen(LOG, 'a')\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings_for(root, **overrides):
    return merge_cli(load_config(str(root / "pyproject.toml")), **overrides)


def run_mapped(root, files=None, **overrides):
    """One run through the cache, as run_checks does it; the mapper tells what hit and what ran."""
    settings = settings_for(root, **overrides)
    cache = Cache.for_project(settings.project_root)
    mapper = runner.Mapper(2, cache)
    try:
        found = runner.check_files(files or sorted(str(p) for p in root.glob("*.py")), settings, mapper)
    finally:
        mapper.close()
    cache.save()
    return found, mapper


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_warm_run_hits_every_file_and_starts_no_worker(project):
    cold, first = run_mapped(project)
    warm, second = run_mapped(project)
    assert first.misses >= 3 and first.pool is not None
    assert second.hits == first.misses and second.misses == 0
    assert second.pool is None  # nothing to parse: no worker process at all
    assert warm == cold and [d.code for d in warm] == ["TMP102", "TMP201"]


def test_changed_content_is_a_miss_for_that_file_only(project):
    run_mapped(project)
    (project / "plain.py").write_text(PLAIN + "X = 1\n")
    _, mapper = run_mapped(project)
    assert mapper.misses == 1 and mapper.hits >= 2


def test_an_edit_that_keeps_size_and_mtime_is_seen(project):
    """The size and the mtime alone would miss this edit (same size, mtime set back): the content hash
    is taken again because the file's ctime moved."""
    run_mapped(project)
    target = project / "plain.py"
    before = os.stat(target)
    edited = PLAIN.replace("a + b", "a - b")
    assert len(edited) == len(PLAIN)
    target.write_text(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    _, mapper = run_mapped(project)
    assert mapper.misses == 1


def test_a_file_hashed_right_after_it_was_written_is_hashed_again(project, monkeypatch):
    """Git's racily clean rule: a write in the same clock tick as the hashing leaves the stat signature
    unchanged, so a hash taken that close to the file's mtime is not trusted next time."""
    run_mapped(project)
    calls = []
    real = cache_mod.content_hash
    monkeypatch.setattr(cache_mod, "content_hash", lambda data: calls.append(1) or real(data))
    run_mapped(project)
    assert len(calls) >= 3  # every file was written within RACY_SECONDS of the first run
    calls.clear()
    monkeypatch.setattr(cache_mod, "RACY_SECONDS", -1e9)  # as if long ago: the stored hashes are trusted
    run_mapped(project)
    assert len(calls) == len(_shards(project))  # each shard's own checksum only


def test_configuration_that_affects_analysis_is_part_of_the_key(project):
    run_mapped(project)
    found, mapper = run_mapped(project, tmp_dirs=("/scratch",))
    assert mapper.hits == 0 and mapper.misses >= 3
    assert [d.code for d in found] == ["TMP102"]  # /tmp is no shared dir under this configuration


def test_selection_and_per_file_ignores_come_out_right_through_the_cache(project, capsys):
    assert cli(capsys, ".")[0] == 1
    code, out, _ = cli(capsys, ".", "--select", "TMP2")
    assert code == 1 and "TMP201" in out and "TMP102" not in out
    (project / "pyproject.toml").write_text('[tool.tmplint]\nper-file-ignores = {"state.py" = ["TMP1"]}\n')
    code, out, _ = cli(capsys, ".")
    assert code == 1 and "TMP201" in out and "TMP102" not in out


@pytest.mark.parametrize("what", ["version", "libcst"])
def test_another_tmplint_or_libcst_version_ignores_the_shard(project, monkeypatch, what):
    _, first = run_mapped(project)
    if what == "version":
        monkeypatch.setattr(cache_mod, "__version__", "999.0")
    else:
        monkeypatch.setattr(cache_mod, "_libcst_version", lambda: "0.0.1")
    _, mapper = run_mapped(project)
    assert mapper.hits == 0 and mapper.misses == first.misses


def _shards(project):
    return sorted((project / CACHE_DIR / SHARDS).glob("*" + SUFFIX))


def _shard_of(root, path):
    return root / CACHE_DIR / SHARDS / (shard_of(str(path)) + SUFFIX)


def _in_shard(root, name, stem="m"):
    """A file path under ``root`` whose entries live in shard ``name``."""
    n = 0
    while shard_of(str(root / f"{stem}{n}.py")) != name:
        n += 1
    return root / f"{stem}{n}.py"


def _spread(root, count, taken=()):
    """``count`` new modules, each in a shard of its own and in none of the ``taken`` files' shards."""
    shards = {shard_of(str(path)) for path in taken}
    made = []
    n = 0
    while len(made) < count:
        path = root / f"mod{n}.py"
        n += 1
        if shard_of(str(path)) not in shards:
            shards.add(shard_of(str(path)))
            path.write_text(f"VALUE = {n}\n" + SAVE)
            made.append(path)
    return made


def _snapshot(root):
    return {path.name: (os.stat(path).st_ino, os.stat(path).st_mtime_ns) for path in _shards(root)}


def _backdate(root):
    """Files last written an hour ago, so no stored hash is racily clean and no shard rewritten for that."""
    past = time.time() - 3600
    for path in root.glob("*.py"):
        os.utime(path, (past, past))


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty", "foreign header"])
def test_a_damaged_shard_is_ignored_and_rebuilt(project, damage):
    cold, first = run_mapped(project)
    for shard in _shards(project):
        data = shard.read_bytes()
        damaged = {
            "truncated": data[: len(data) // 2],
            "flipped": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
            "garbage": os.urandom(256),
            "empty": b"",
            "foreign header": b"some other tool 3\n" + data,
        }[damage]
        shard.write_bytes(damaged)
    found, mapper = run_mapped(project)
    assert found == cold and mapper.hits == 0
    _, again = run_mapped(project)
    assert again.misses == 0  # rebuilt


def test_a_shard_that_would_run_code_is_refused(project, tmp_path):
    """A .tmplint_cache that came with a checkout is data, never code: a payload with a valid header
    and checksum that names os.system is not unpickled."""
    run_mapped(project)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps({"files": {}, "entries": {"k": ("/x", Exploit(), 0.0)}})
    header = cache_mod.MAGIC + f"{cache_mod.salt()} {cache_mod.content_hash(payload)}\n".encode()
    for shard in _shards(project):
        shard.write_bytes(header + payload)
    _, mapper = run_mapped(project)
    assert not marker.exists()
    assert mapper.hits == 0


def test_cache_folder_beside_pyproject_with_its_own_gitignore(project):
    (project / ".gitignore").write_text("build/\n")
    sub = project / "pkg"
    sub.mkdir()
    (sub / "m.py").write_text(SAVE)
    os.chdir(sub)
    assert main([str(sub / "m.py")]) == 1
    folder = project / CACHE_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert _shard_of(project, sub / "m.py").is_file()
    assert not (sub / CACHE_DIR).exists()
    assert (project / ".gitignore").read_text() == "build/\n"  # the project's own is never edited


def test_without_pyproject_the_cache_is_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(SAVE)
    assert main(["a.py"]) == 1
    assert _shard_of(tmp_path, tmp_path / "a.py").is_file()


def test_no_cache_reads_and_writes_nothing(project, capsys, monkeypatch):
    code, out, _ = cli(capsys, "--no-cache", ".")
    assert code == 1
    assert not (project / CACHE_DIR).exists()
    cli(capsys, ".")  # now there is a shard; --no-cache must not use it
    monkeypatch.setattr(Cache, "get", lambda self, key: pytest.fail("--no-cache read the cache"))
    assert cli(capsys, "--no-cache", ".")[1] == out


def test_writes_go_through_a_unique_temp_name_in_the_same_folder(tmp_path, monkeypatch):
    moves = []
    real_replace = os.replace

    def spy(src, dst):
        moves.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    target = tmp_path / "shard"
    cache_mod.write_atomic(str(target), b"one")
    cache_mod.write_atomic(str(target), b"two")
    (first, _), (second, _) = moves
    assert first != second
    assert os.path.dirname(first) == os.path.dirname(second) == str(tmp_path)
    assert target.read_bytes() == b"two"
    assert sorted(os.listdir(tmp_path)) == ["shard"]


def test_a_failed_write_leaves_the_old_shard_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "shard"
    target.write_bytes(b"old")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        cache_mod.write_atomic(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["shard"]


def test_an_unwritable_cache_folder_is_not_an_error(project, capsys):
    (project / CACHE_DIR).write_text("a file where the folder should be")
    code, out, err = cli(capsys, ".")
    assert code == 1 and err == "" and "TMP102" in out


def test_stale_entries_do_not_accumulate(project):
    run_mapped(project)
    count = len(Cache.for_project(str(project)).all_entries())
    for n in range(3):
        (project / "plain.py").write_text(PLAIN + f"X = {n}\n")
        run_mapped(project)
    assert len(Cache.for_project(str(project)).all_entries()) == count
    # a gone file's entries go when its shard is next loaded: here a neighbour in the same shard is checked
    neighbour = _in_shard(project, shard_of(str(project / "plain.py")))
    neighbour.write_text(PLAIN)
    (project / "plain.py").unlink()
    run_mapped(project)
    paths = {path for path, _, _ in Cache.for_project(str(project)).all_entries().values()}
    assert str(neighbour) in paths and str(project / "plain.py") not in paths


def test_entries_of_files_a_run_did_not_visit_are_kept(project):
    run_mapped(project)
    run_mapped(project, files=[str(project / "plain.py")])  # a pre-commit run names one file
    _, again = run_mapped(project)
    assert again.misses == 0


def test_same_findings_with_and_without_cache_on_the_fixtures(tmp_path, monkeypatch, capsys):
    """Byte for byte: a run without the cache, a cold run that fills it and a warm one."""
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    root = tmp_path / "cacheroot"
    root.mkdir()
    monkeypatch.setattr(cache_mod, "cache_folder", lambda project_root: str(root / CACHE_DIR))
    outputs = []
    for flags in (["--no-cache"], [], []):
        code, out, err = cli(capsys, *flags, "--format", "json", "--extend-select", "TMP106", "fixtures")
        outputs.append((code, out, err))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0] == 1 and outputs[0][1].count('"code"') > 20
    assert len(Cache(str(root / CACHE_DIR)).all_entries()) > 0


# --- shards -----------------------------------------------------------------------------------------


def test_a_lookup_reads_only_the_shard_of_its_path(project, monkeypatch):
    """A pre-commit run naming one file reads one shard: the others may be damaged, it does not care,
    and leaves them as they are."""
    others = _spread(project, 4, taken=[project / "plain.py"])
    _backdate(project)
    run_mapped(project)
    mine = _shard_of(project, project / "plain.py")
    for path in _shards(project):
        if path != mine:
            path.write_bytes(b"garbage")
    damaged = _snapshot(project)
    reads = []
    real = cache_mod._read
    monkeypatch.setattr(cache_mod, "_read", lambda path: reads.append(path) or real(path))
    _, mapper = run_mapped(project, files=[str(project / "plain.py")])
    assert mapper.hits == 1 and mapper.misses == 0
    assert reads == [str(mine)]
    assert _snapshot(project) == damaged  # nothing written: the damaged shards were never even read
    assert len(others) == 4 and all(_shard_of(project, path).read_bytes() == b"garbage" for path in others)


def test_a_corrupt_shard_costs_only_its_entries(project):
    _spread(project, 4, taken=[project / "plain.py"])
    _backdate(project)
    _, first = run_mapped(project)
    broken = _shard_of(project, project / "plain.py")
    lost = len(cache_mod._load(broken.read_bytes(), cache_mod.salt())["entries"])
    assert 0 < lost < first.misses
    broken.write_bytes(broken.read_bytes()[:-5])
    before = _snapshot(project)
    _, mapper = run_mapped(project)
    assert mapper.misses == lost and mapper.hits == first.misses - lost
    after = _snapshot(project)
    assert {name for name in after if after[name] != before[name]} == {broken.name}  # only it is rebuilt
    _, again = run_mapped(project)
    assert again.misses == 0


def test_save_writes_only_the_shards_that_changed(project):
    _spread(project, 4, taken=[project / "plain.py"])
    _backdate(project)
    run_mapped(project)
    written = _snapshot(project)
    assert len(written) >= 5
    run_mapped(project)
    assert _snapshot(project) == written  # nothing changed: nothing written
    (project / "plain.py").write_text(PLAIN + "X = 1\n")
    _, mapper = run_mapped(project)
    assert mapper.misses == 1
    now = _snapshot(project)
    assert {name for name in now if now[name] != written[name]} == {_shard_of(project, project / "plain.py").name}


def test_the_old_single_shard_goes_and_so_do_shards_no_run_wrote_for_max_age(project):
    old = project / CACHE_DIR / "results.v1.pickle"
    old.parent.mkdir()
    old.write_bytes(b"tmplint-cache 1\n...")
    stale, fresh = _spread(project, 2, taken=[project / "plain.py"])
    run_mapped(project)
    assert not old.exists()
    past = time.time() - cache_mod.MAX_AGE - 60
    os.utime(_shard_of(project, stale), (past, past))
    (project / "plain.py").write_text(PLAIN + "X = 1\n")  # so the next run writes
    run_mapped(project, files=[str(project / "plain.py")])
    assert not _shard_of(project, stale).exists()  # its entries were all older than MAX_AGE
    assert _shard_of(project, fresh).exists()


def _writer(root, files, tag, rounds):
    for n in range(rounds):
        cache = Cache.for_project(root)
        for path in files:
            key = cache.key(path, (tag, n))
            cache.put(key, path, [Diagnostic("TMP101", "x" * 20000, path, tag + 1, n, tag + 1, n + 1)])
        cache.save()


def test_concurrent_writers_never_leave_a_partial_shard(project):
    """Writers racing on the same shards: a reader only ever sees whole shards (or none), and at the
    end every shard is whole and no temp file is left."""
    files = [str(path) for path in _spread(project, 6)]
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_writer, args=(str(project), files, tag, 15)) for tag in range(3)]
    for writer in writers:
        writer.start()
    salt = cache_mod.salt()
    seen = 0
    while any(writer.is_alive() for writer in writers):
        for path in _shards(project):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            assert cache_mod._load(data, salt) is not None
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    shards = _shards(project)
    assert len(shards) == 6 and all(cache_mod._load(p.read_bytes(), salt) is not None for p in shards)
    assert sorted(os.listdir(project / CACHE_DIR / SHARDS)) == sorted(p.name for p in shards)  # no temp file


_REPORT_LIBCST = (
    "import sys\n"
    "from tmplint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('libcst loaded' if 'libcst' in sys.modules else 'libcst not loaded')\n"
)


def test_the_main_process_never_loads_libcst_to_check(project):
    """Parsing happens in workers; the main process screens, reads the cache and composes the index from
    plain records. Loading LibCST there would cost every run, warm or one file, a third of a second."""
    def run(*argv):
        done = subprocess.run([sys.executable, "-c", _REPORT_LIBCST, *argv], cwd=project,
                              capture_output=True, text=True, timeout=120)
        return done.stdout

    cold = run("state.py", "plain.py", "tmpdir.py")
    assert "state.py:5:16: TMP102" in cold and "tmpdir.py:1:7: TMP201" in cold
    assert cold.endswith("libcst not loaded\n")
    warm = run("state.py", "plain.py", "tmpdir.py")
    assert warm == cold
    assert run("--no-cache", "plain.py").endswith("libcst not loaded\n")


def test_the_salt_names_libcst_by_its_version_file_without_importing_metadata():
    """A pre-commit run naming one file paid 30 ms for importlib.metadata to learn LibCST's version:
    the salt reads LibCST's generated ``_version.py`` instead (a new LibCST rewrites it)."""
    import hashlib

    import libcst

    with open(os.path.join(libcst.__path__[0], "_version.py"), "rb") as handle:
        expected = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    assert cache_mod._libcst_version() == expected
    code = "import sys\nfrom tmplint import cache\ncache.salt()\nprint('importlib.metadata' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
