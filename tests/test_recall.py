"""A whole run's kept answer (tmplint.recall): given back only while everything it rests on holds."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tmplint import recall, runner
from tmplint.cache import CACHE_DIR, Cache, content_hash
from tmplint.config import load_config, merge_cli

HELPERS = textwrap.dedent("""\
    import os

    def _atomic_save(data, path, tmp_file_name):
        tmp = os.path.join(os.path.dirname(path), tmp_file_name)
        with open(tmp, "w") as f:
            f.write(data)
        os.replace(tmp, path)
    """)
UNIQUE_HELPERS = HELPERS.replace("tmp_file_name)\n    with", "tmp_file_name + str(uuid.uuid4()))\n    with") \
    .replace("import os", "import os\nimport uuid")
MAIN = textwrap.dedent("""\
    from pkg.helpers import _atomic_save

    def checkpoint(data, path):
        _atomic_save(data, path, tmp_file_name=".tmp_generator")
    """)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text(HELPERS)
    (package / "main.py").write_text(MAIN)
    (tmp_path / "tmpdir.py").write_text("LOG = '/tmp/app.log'\nopen(LOG, 'a')\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def checks(monkeypatch):
    """How many runs went through the per-file jobs and the index (the rest were answered as kept)."""
    real = runner.check_files
    count = {"runs": 0}

    def counted(*args, **kwargs):
        count["runs"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "check_files", counted)
    return count


def run(root, paths=("pkg", "tmpdir.py"), **overrides):
    settings = merge_cli(load_config(str(root / "pyproject.toml")), **overrides)
    return [(d.path, d.line, d.code) for d in runner.run_checks(list(paths), settings, jobs=1)]


def answers(root):
    folder = root / CACHE_DIR / recall.FOLDER
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def test_an_unchanged_project_is_answered_without_a_check(project, checks):
    cold = run(project)
    assert checks["runs"] == 1 and len(answers(project)) == 1
    assert run(project) == cold
    assert checks["runs"] == 1
    assert {code for _, _, code in cold} == {"TMP101", "TMP201"}


def test_a_changed_named_file_is_checked_again(project, checks):
    run(project)
    (project / "tmpdir.py").write_text("LOG = 'app.log'\nopen(LOG, 'a')\n")
    assert {code for _, _, code in run(project)} == {"TMP101"}
    assert checks["runs"] == 2


def test_a_changed_imported_file_that_is_not_named_is_checked_again(project, checks):
    named = [os.path.join("pkg", "main.py")]
    assert [code for _, _, code in run(project, named)] == ["TMP101"]
    (project / "pkg" / "helpers.py").write_text(UNIQUE_HELPERS)
    assert run(project, named) == []
    assert checks["runs"] == 2


def test_a_touched_file_with_the_same_content_is_still_answered(project, checks):
    cold = run(project)
    path = project / "tmpdir.py"
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    assert run(project) == cold
    assert checks["runs"] == 1


def test_a_new_package_marker_above_a_named_file_is_checked_again(project, checks):
    (project / "pkg" / "__init__.py").unlink()
    run(project, [os.path.join("pkg", "main.py")])
    (project / "pkg" / "__init__.py").write_text("")
    run(project, [os.path.join("pkg", "main.py")])
    assert checks["runs"] == 2


def test_a_module_the_run_looked_for_and_did_not_find_is_seen_when_it_appears(project, checks):
    (project / "pkg" / "caller.py").write_text("from pkg.store import put\n\ndef keep(data, path):\n"
                                               "    put(data, path, '.part')\n")
    named = [os.path.join("pkg", "caller.py")]
    assert run(project, named) == []  # no ``pkg.store``: nothing to report
    (project / "pkg" / "store.py").write_text(HELPERS.replace("_atomic_save", "put"))
    assert run(project, named) == [(named[0], 4, "TMP101")]
    assert checks["runs"] == 2


def test_other_settings_or_other_files_named_are_other_answers(project, checks):
    run(project)
    assert {code for _, _, code in run(project, ignore=("TMP2",))} == {"TMP101"}
    run(project, ["tmpdir.py"])
    assert checks["runs"] == 3 and len(answers(project)) == 3
    run(project)
    assert checks["runs"] == 3


def test_a_damaged_answer_is_not_used(project, checks):
    cold = run(project)
    (name,) = answers(project)
    path = project / CACHE_DIR / recall.FOLDER / name
    data = path.read_bytes()
    path.write_bytes(data[:-20])
    assert run(project) == cold
    assert checks["runs"] == 2


def test_a_forged_answer_naming_another_file_is_not_used(project, checks):
    cold = run(project)
    (name,) = answers(project)
    path = project / CACHE_DIR / recall.FOLDER / name
    magic, header, payload = path.read_bytes().split(b"\n", 2)
    forged = json.dumps(json.loads(payload)).replace('"tmpdir.py"', '"elsewhere.py"').encode("ascii")
    assert magic + b"\n" == recall.MAGIC and forged != payload
    salt = Cache.for_project(str(project)).salt
    path.write_bytes(recall.MAGIC + f"{salt} {content_hash(forged)}\n".encode("ascii") + forged)
    assert run(project) == cold
    assert checks["runs"] == 2


def test_a_run_that_could_not_hash_a_file_keeps_no_answer(project, checks):
    os.mkfifo(project / "pipe.py")
    found = run(project, ["pkg", "tmpdir.py", "pipe.py"])
    assert ("pipe.py", 1, "TMP000") in found
    assert answers(project) == []
    run(project, ["pkg", "tmpdir.py", "pipe.py"])
    assert checks["runs"] == 2


def test_no_cache_neither_reads_nor_keeps_answers(project, checks):
    settings = merge_cli(load_config(str(project / "pyproject.toml")))
    runner.run_checks(["pkg"], settings, jobs=1, use_cache=False)
    assert answers(project) == []
    run(project, ["pkg"])
    runner.run_checks(["pkg"], settings, jobs=1, use_cache=False)
    assert checks["runs"] == 3


def test_only_the_most_recently_used_answers_are_kept(project, monkeypatch, checks):
    monkeypatch.setattr(recall, "KEPT", 2)
    run(project, ["tmpdir.py"])
    first = answers(project)
    run(project, ["pkg"])
    later = os.path.join(project, CACHE_DIR, recall.FOLDER, first[0])
    os.utime(later, (os.stat(later).st_atime + 100, os.stat(later).st_mtime + 100))  # the newest
    run(project, [os.path.join("pkg", "main.py")])
    kept = answers(project)
    assert len(kept) == 2 and first[0] in kept


_REPORT_MODULES = (
    "import sys\n"
    "from tmplint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(sorted(m for m in ('libcst', 'tmplint.analysis.index', 'tmplint.engine', 'tmplint.project',\n"
    "                         'tmplint.reduce', 'tmplint.screen') if m in sys.modules))\n"
)


def test_a_warm_run_answered_as_kept_loads_nothing_of_the_analysis(project):
    """Its cost is the start of Python, the walk of the tree, a stat per file: the analysis's modules
    take longer to load than that (0.1 s), so they stay unloaded."""
    def run():
        done = subprocess.run([sys.executable, "-c", _REPORT_MODULES, "pkg", "tmpdir.py"], cwd=project,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.splitlines()

    cold = run()
    assert cold[-1] != "[]" and "pkg/main.py:4:" in "\n".join(cold)
    warm = run()
    assert warm[:-1] == cold[:-1] and warm[-1] == "[]"


QUIET = "def keep(data, path):\n    return data\n"


def test_an_edit_that_keeps_a_quiet_file_quiet_keeps_the_answer(project, checks):
    """A file the run found nothing in (passed over by the screen, never admitted by stage two) that
    is still passed over, imports the same and names no helper: every answer stays what it was."""
    (project / "pkg" / "quiet.py").write_text(QUIET)
    cold = run(project)
    (project / "pkg" / "quiet.py").write_text(QUIET + "\n\ndef more(x):\n    return [x, x]  # a comment\n")
    assert run(project) == cold
    assert checks["runs"] == 1
    assert run(project) == cold and checks["runs"] == 1  # kept with the new content: no reading now


def test_an_edit_that_makes_a_quiet_file_call_a_helper_is_checked_again(project, checks):
    """Same imports, still passed over by the screen, but it now names a helper stage two looked for."""
    (project / "pkg" / "store.py").write_text(HELPERS.replace("_atomic_save", "put"))
    (project / "pkg" / "quiet.py").write_text("from pkg import store\n\n" + QUIET)
    assert "pkg/quiet.py" not in {path for path, _, _ in run(project)}
    (project / "pkg" / "quiet.py").write_text("from pkg import store\n\ndef keep(data, path):\n"
                                             "    store.put(data, path, 'name.part')\n")
    assert (os.path.join("pkg", "quiet.py"), 4, "TMP101") in run(project)
    assert checks["runs"] == 2


def test_an_edit_that_makes_a_quiet_file_rename_or_import_more_is_checked_again(project, checks):
    (project / "pkg" / "quiet.py").write_text(QUIET)
    run(project)
    (project / "pkg" / "quiet.py").write_text("import pkg.helpers\n\n" + QUIET)  # imports more: context may change
    run(project)
    assert checks["runs"] == 2
    (project / "pkg" / "quiet.py").write_text("import pkg.helpers\nimport os\n\ndef keep(data, path):\n"
                                             "    return os.path.join(path, data)\n")
    run(project)  # still quiet, its imports changed again
    assert checks["runs"] == 3
    (project / "pkg" / "quiet.py").write_text("import pkg.helpers\nimport os\n\ndef keep(data, path):\n"
                                             "    with open('.tmp_q', 'w') as f:\n        f.write(data)\n"
                                             "    os.replace('.tmp_q', path)\n")  # the same imports
    assert (os.path.join("pkg", "quiet.py"), 7, "TMP102") in run(project)
    assert checks["runs"] == 4


def test_an_answer_over_its_size_limit_is_neither_written_nor_read(project, monkeypatch, checks):
    """The limit grows with the files named (a big tree's answer is big); past it, no answer is kept,
    and a planted one that big is not read."""
    monkeypatch.setattr(recall, "MAX_SHARD_BYTES", 0)
    monkeypatch.setattr(recall, "BYTES_PER_FILE", 10)
    run(project)
    assert answers(project) == []
    monkeypatch.setattr(recall, "BYTES_PER_FILE", 1_000_000)
    cold = run(project)
    (name,) = answers(project)
    assert run(project) == cold and checks["runs"] == 2
    size = os.path.getsize(project / CACHE_DIR / recall.FOLDER / name)
    monkeypatch.setattr(recall, "BYTES_PER_FILE", size // 4 - 1)  # four files named: just under its size
    assert run(project) == cold and checks["runs"] == 3
