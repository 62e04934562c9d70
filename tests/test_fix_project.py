"""``tmplint --fix`` for the findings of the project index (fixtures/project -> fixtures/project_fixed).

A save helper in one file, its callers in others: the fix is one edit in the helper, where it builds
the temp path, and every call site is clean on the re-check. Renames through another file's wrapper,
or of a temp name imported from another file, are fixed in the file itself. Everything runs through
the real command in a subprocess, on a copy of the fixture.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "fixtures" / "project"
FIXED = REPO / "fixtures" / "project_fixed"
MARKER = re.compile(r"  # error: TMP\d+$", re.M)
# every finding in fixtures/project is marked, and every one is fixable there
MARKED = sum(len(MARKER.findall(p.read_text())) for p in PROJECT.rglob("*.py"))
# the files --fix changes: those that differ from fixtures/project_fixed (the package docstring aside)
CHANGED_FILES = sum(1 for p in PROJECT.rglob("*.py") if p.name != "__init__.py" and MARKER.sub("", p.read_text())
                    != (REPO / "fixtures" / "project_fixed" / p.relative_to(PROJECT)).read_text())


def tmplint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tmplint", "--no-cache", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=300)


def tree(root: Path) -> Dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


def expected() -> Dict[str, str]:
    return tree(FIXED)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "project")
    return tmp_path / "project"


def test_fix_makes_fixtures_project_fixed(copy):
    before = tmplint(copy, ".")
    assert before.returncode == 1
    assert f"Found {MARKED} errors ({MARKED} fixable with --fix)." in before.stdout
    assert before.stdout.count("[*]") == MARKED

    result = tmplint(copy, "--fix", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Fixed {MARKED} errors, 0 remaining." in result.stdout
    got, want = tree(copy), expected()
    assert sorted(got) == sorted(want)
    for name in want:
        text = MARKER.sub("", got[name])  # the fixture's "# error:" markers are not the fixer's to remove
        if name == "ckpt/__init__.py":  # only its docstring says which fixture it is
            text, want[name] = text.split("\n", 1)[1], want[name].split("\n", 1)[1]
        assert text == want[name], name

    again = tmplint(copy, "--fix", ".")
    assert again.returncode == 0
    assert tree(copy) == got
    check = tmplint(copy, ".")
    assert (check.returncode, check.stdout) == (0, "All checks passed!\n")


def test_diff_shows_the_helper_edit_and_writes_nothing(copy):
    result = tmplint(copy, "--diff", ".")
    assert result.returncode == 1
    assert tree(copy) == tree(PROJECT)
    assert "-    tmp_path = os.path.join(checkpoint_dir, tmp_file_name)\n" in result.stdout
    assert ('+    tmp_path = os.path.join(checkpoint_dir, f"{tmp_file_name}.{uuid.uuid4().hex}")\n'
            "+    try:\n") in result.stdout
    assert "--- ckpt/utils.py" in result.stdout
    assert "--- ckpt/generator.py" not in result.stdout  # the callers stay as they are
    assert f"Would fix {MARKED} errors in {CHANGED_FILES} files." in result.stderr


def test_a_fix_in_a_file_not_named_is_shown_not_made(copy):
    result = tmplint(copy, "ckpt/generator.py")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "TMP101" in line]
    assert len(lines) == 6
    assert all(line.endswith("; fix in ckpt/utils.py:9") and "[*]" not in line for line in lines)
    assert "Found 6 errors." in result.stdout

    as_json = json.loads(tmplint(copy, "--format", "json", "ckpt/generator.py").stdout)
    assert {(d["fixable"], d["fix"]) for d in as_json} == {(False, None)}

    fixed = tmplint(copy, "--fix", "ckpt/generator.py")
    assert fixed.returncode == 1
    assert "Found 6 errors." in fixed.stdout
    assert tree(copy) == tree(PROJECT)  # utils.py is untouched, and so is the caller

    both = tmplint(copy, "--fix", "ckpt/generator.py", "ckpt/utils.py")
    assert both.returncode == 0, both.stdout
    assert "Fixed 6 errors, 0 remaining." in both.stdout
    # only the helper these findings reach: Saver's methods serve trainer.py, which is not named
    helper = tree(copy)["ckpt/utils.py"]
    assert 'tmp_path = os.path.join(checkpoint_dir, f"{tmp_file_name}.{uuid.uuid4().hex}")' in helper
    assert helper.count("except BaseException:") == 1  # the helper's save cleans up after a failure
    assert "tmp = os.path.join(self.checkpoint_dir, tmp_name)\n" in helper  # Saver's method: untouched
    assert tree(copy)["ckpt/generator.py"] == tree(PROJECT)["ckpt/generator.py"]


UNSAFE_HELPER = {
    "pkg/__init__.py": "",
    "pkg/store.py": (
        "import logging\n"
        "import os\n"
        "\n"
        "\n"
        "def save(data, folder, tmp_name):\n"
        "    tmp = os.path.join(folder, tmp_name)\n"
        "    with open(tmp, \"w\") as handle:\n"
        "        handle.write(data)\n"
        "    logging.info(\"saved through %s\", tmp_name)\n"
        "    os.replace(tmp, os.path.join(folder, \"data.txt\"))\n"
    ),
    "pkg/caller.py": (
        "from pkg.store import save\n"
        "\n"
        "\n"
        "def run(folder):\n"
        "    save(\"x\", folder, \".tmp_data\")\n"
    ),
}


def test_a_helper_that_reads_its_temp_name_elsewhere_is_fixed_only_with_unsafe_fixes(tmp_path):
    for name, text in UNSAFE_HELPER.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    check = tmplint(tmp_path, ".")
    assert check.returncode == 1
    assert "pkg/caller.py:5:23: TMP101 temp name" in check.stdout  # no [*]: the fix is unsafe
    assert "(1 hidden fix can be enabled with the `--unsafe-fixes` option)" in check.stdout
    assert "pkg/caller.py:5:23: TMP101 [*] temp name" in tmplint(tmp_path, "--unsafe-fixes", ".").stdout

    safe_only = tmplint(tmp_path, "--fix", ".")
    assert safe_only.returncode == 1
    assert tree(tmp_path) == UNSAFE_HELPER

    unsafe = tmplint(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert unsafe.returncode == 0, unsafe.stdout
    assert "Fixed 1 error, 0 remaining." in unsafe.stdout
    store = (tmp_path / "pkg/store.py").read_text()
    assert '    tmp = os.path.join(folder, f"{tmp_name}.{uuid.uuid4().hex}")\n' in store
    assert "import os\nimport uuid\n" in store
    assert (tmp_path / "pkg/caller.py").read_text() == UNSAFE_HELPER["pkg/caller.py"]


TORCH = """\
import pickle


def save(obj, path):
    with open(path, "wb") as handle:
        pickle.dump(obj, handle)
"""

SAVE_EVERYTHING = """\
import os
import pickle
import sys
import types

# ckpt.recursive and ckpt.mirror import each other by name (a cycle for the analysis to stop on), so
# neither imports first: recursive gets a stand-in, then the real mirror_save.
sys.modules["ckpt.mirror"] = types.ModuleType("ckpt.mirror")
sys.modules["ckpt.mirror"].mirror_save = None
import ckpt.recursive  # noqa: E402
del sys.modules["ckpt.mirror"]
import ckpt.mirror  # noqa: E402
ckpt.recursive.mirror_save = ckpt.mirror.mirror_save

from ckpt import chain, generator, partials, searcher, trainer  # noqa: E402

out = sys.argv[1]
folders = {}


def folder(name):
    path = os.path.join(out, name)
    os.makedirs(path)
    folders[name] = path
    return path


class Node:
    def __init__(self, name, state, children=()):
        self.name, self.state, self.children, self.mirrored = name, state, list(children), False


generator.save_generator({"g": 1}, folder("generator"))
generator.save_discriminator({"d": 1}, folder("discriminator"))
generator.save_ema({"e": 1}, folder("ema"), "ema.pt")
generator.save_generator_from_constant({"c": 1}, folder("constant"))
generator.save_through_chain({"chain": 1}, folder("chain"))
generator.save_all(Node("root.pt", {"root": 1}, [Node("leaf.pt", {"leaf": 1})]), folder("tree"))
chain.save_generator_default({"default": 1}, folder("default"))
partials.save_via_partial({"p": 1}, folder("partials"))
searcher.save_searcher({"s": 1}, folder("searcher"))
searcher.save_searcher_keyword({"k": 1}, folder("keyword"))
searcher.save_index(b"index", folder("index"))
trainer.Trainer(folder("trainer")).save_last({"last": 1})
trainer.Trainer(folder("blob")).save_blob(b"blob")
trainer.save_trainer({"t": 1}, folder("save_trainer"))
trainer.save_via_partial({"vp": 1}, folder("via_partial"))
publish = folder("publish")
trainer.publish(b"published", os.path.join(publish, "final.bin"))
trainer.publish_retrying(b"retried", folder("retrying"))
"""

SAVED = {
    "generator": ("generator.pt", {"g": 1}), "discriminator": ("discriminator.pt", {"d": 1}),
    "ema": ("ema.pt", {"e": 1}), "constant": ("generator.pt", {"c": 1}), "chain": ("chain.pt", {"chain": 1}),
    "default": ("generator.pt", {"default": 1}), "partials": ("partial.pt", {"p": 1}),
    "searcher": ("searcher.pkl", {"s": 1}), "keyword": ("searcher.pkl", {"k": 1}), "index": ("index.json", b"index"),
    "trainer": ("last.ckpt", {"last": 1}), "blob": ("blob.bin", b"blob"), "save_trainer": ("trainer.pt", {"t": 1}),
    "via_partial": ("gen.pt", {"vp": 1}), "publish": ("final.bin", b"published"),
    "retrying": ("published", b"retried"),
}


def test_the_fixed_package_still_saves(copy, tmp_path):
    assert tmplint(copy, "--fix", ".").returncode == 0
    (copy / "torch.py").write_text(TORCH)  # the fixtures save with torch, which is not installed here
    (copy / "save_everything.py").write_text(SAVE_EVERYTHING)
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run([sys.executable, "save_everything.py", str(out)], cwd=str(copy), capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    import pickle

    for name, (file_name, state) in SAVED.items():
        folder = out / name
        assert sorted(p.name for p in folder.iterdir()) == [file_name], name  # no temp file left behind
        data = (folder / file_name).read_bytes()
        assert (data if isinstance(state, bytes) else pickle.loads(data)) == state, name
    saved = {p.name: pickle.loads(p.read_bytes()) for p in (out / "tree").iterdir()}
    assert saved == {"root.pt": {"root": 1}, "leaf.pt": {"leaf": 1}}
