"""The project index: helper summaries and constants across files (fixtures/project, fixtures/project_fixed).

Each reported line in ``fixtures/project`` carries a trailing ``# error: TMP101`` marker, as in the rule
fixtures; the reported (file, line, code) triples must equal the marked ones exactly, whether the whole
package is named or each file alone (pre-commit names only the changed files). ``fixtures/project_fixed``
is the same package after the fix (the helpers add a uuid) and must be silent.
"""

import json
import pickle
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import List, Set, Tuple

import pytest

import tmplint
from tmplint import engine, project
from tmplint.analysis.index import FileResult
from tmplint.config import AnalysisOptions, Config
from tmplint.diagnostics import FixAt
from tmplint.project import Wanted, check_project, module_info, text_imports
from tmplint.runner import run_checks

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "fixtures" / "project" / "ckpt"
FIXED = REPO / "fixtures" / "project_fixed" / "ckpt"
MARKER = re.compile(r"#\s*error:\s*(?P<codes>TMP\d{3}(?:\s*,\s*TMP\d{3})*)\s*$")

Triple = Tuple[str, int, str]


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def files(folder: Path) -> List[str]:
    return sorted(rel(p) for p in folder.glob("*.py"))


def marked(paths: List[str]) -> Set[Triple]:
    out = set()
    for path in paths:
        for number, line in enumerate((REPO / path).read_text().splitlines(), 1):
            match = MARKER.search(line)
            if match:
                out.update((path, number, code.strip()) for code in match.group("codes").split(","))
    return out


def found(diagnostics) -> Set[Triple]:
    return {(Path(d.path).as_posix(), d.line, d.code) for d in diagnostics}


@pytest.fixture(autouse=True)
def at_repo(monkeypatch):
    monkeypatch.chdir(REPO)  # paths are reported relative to the current folder, as given


def test_whole_package():
    names = files(PACKAGE)
    expected = marked(names)
    assert len(expected) >= 15
    assert found(check_project(names, Config())) == expected


@pytest.mark.parametrize("name", files(PACKAGE))
def test_each_file_named_alone(name):
    assert found(check_project([name], Config())) == marked([name])


def test_fixed_package_is_silent():
    names = files(FIXED)
    assert check_project(names, Config()) == []
    for name in names:
        assert check_project([name], Config()) == [], name


def test_the_message_names_the_helper_and_where_it_renames():
    (diagnostic,) = [d for d in check_project([rel(PACKAGE / "trainer.py")], Config()) if d.line == 18]
    assert diagnostic.message == (
        'temp name ".tmp_trainer" passed to _atomic_save(), which renames it into place without a unique '
        "part at fixtures/project/ckpt/utils.py:11; concurrent saves collide; fix in fixtures/project/ckpt/utils.py:9")
    assert (diagnostic.line, diagnostic.col) == (18, 60)  # 0-based, like every Diagnostic
    # the fix lies in utils.py, which is not named: shown where, not offered (--fix would not make it)
    assert (diagnostic.fix_title, diagnostic.fix_applicability, diagnostic.fix_at) == (
        "fix in fixtures/project/ckpt/utils.py:9", None, None)
    (named,) = [d for d in check_project([rel(PACKAGE / "trainer.py"), rel(PACKAGE / "utils.py")], Config())
                if d.line == 18]
    assert named.message.endswith("concurrent saves collide")
    assert (named.fix_title, named.fix_applicability) == ("add a uuid where _atomic_save() builds the temp name", "safe")
    assert named.fix_at == FixAt(rel(PACKAGE / "utils.py"), 9, rename_line=11)


def test_check_paths_and_the_cli_runner_use_the_index():
    expected = marked(files(PACKAGE))
    assert found(tmplint.check_paths([rel(PACKAGE)])) == expected
    assert found(run_checks([rel(PACKAGE)], Config(), jobs=1)) == expected


def test_worker_processes_give_the_same_findings():
    names = files(PACKAGE)
    with ProcessPoolExecutor(max_workers=2) as pool:
        diagnostics = check_project(names, Config(), lambda f, items: pool.map(f, items))
    assert found(diagnostics) == marked(names)


def test_through_the_cache_a_changed_helper_changes_its_callers_findings(tmp_path, monkeypatch):
    """The cache keeps each file's own result; the summaries are composed again every run, so an edit
    to the helper's file alone (cache warm for its callers) settles or reopens the callers' findings."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(PACKAGE, root / "ckpt")
    (root / "pyproject.toml").write_text("[tool.tmplint]\n")
    monkeypatch.chdir(root)
    helper = root / "ckpt" / "utils.py"
    original = helper.read_text()

    def callers_flagged():
        diagnostics = run_checks(["ckpt"], Config(root=str(root)), jobs=1)
        return sorted((Path(d.path).name, d.line) for d in diagnostics if Path(d.path).name == "generator.py")

    before = callers_flagged()
    assert len(before) == 6
    assert (root / ".tmplint_cache").is_dir()
    helper.write_text((FIXED / "utils.py").read_text())  # the helper adds a uuid itself
    assert callers_flagged() == []
    helper.write_text(original)
    assert callers_flagged() == before


def test_file_results_are_plain_data():
    result = project.analyse_file(rel(PACKAGE / "utils.py"), AnalysisOptions())
    assert result.status == "parsed" and "_atomic_save" in result.names
    copy = pickle.loads(pickle.dumps(result))
    assert isinstance(copy, FileResult) and copy.functions == result.functions


def test_screens_on_and_off_agree(monkeypatch):
    names = files(PACKAGE)
    with_screens = found(check_project(names, Config()))
    monkeypatch.setattr(engine, "may_have_findings", lambda text, options: True)
    assert found(check_project(names, Config())) == with_screens
    for name in names:
        assert found(check_project([name], Config())) == marked([name])


@pytest.mark.parametrize("name", files(PACKAGE) + files(FIXED))
def test_check_source_indexes_the_project_as_tmplint_file_does(name):
    """rules.md, *One answer*: the API reads the other files from disk, as ``tmplint FILE`` does."""
    text = (REPO / name).read_text()
    assert found(tmplint.check_source(text, name)) == found(check_project([name], Config())) == marked([name])


def test_check_source_resolves_the_helper_it_cannot_see_in_the_file():
    # partials.py:7 passes tmp= to utils.py's helper: the keyword guess of the file alone is settled by it
    text = (PACKAGE / "partials.py").read_text()
    assert {(d.line, d.code) for d in tmplint.check_source(text, rel(PACKAGE / "partials.py"))} == {(6, "TMP101")}
    assert {(d.line, d.code) for d in tmplint.check_source(text, "partials.py")} == {(6, "TMP101"), (7, "TMP101")}


def test_module_names_and_imports():
    info = module_info(rel(PACKAGE / "searcher.py"))
    assert (info.name, info.package) == ("ckpt.searcher", "ckpt")
    assert module_info(rel(PACKAGE / "__init__.py"))[:2] == ("ckpt", "ckpt")
    text = "import os, ckpt.utils as u\nfrom .consts import (\n    A,\n    B as C,\n)\nfrom .. import x\n"
    assert set(text_imports(text, info)) == {"os", "ckpt.utils", "ckpt.consts", "ckpt.consts.A", "ckpt.consts.B",
                                            "x"}


def write(folder: Path, files_: dict) -> None:
    for name, text in files_.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


HELPER = (
    "import os\n"
    "def save(data, folder, tmp_name):\n"
    "    tmp = os.path.join(folder, tmp_name)\n"
    "    with open(tmp, 'w') as f:\n"
    "        f.write(data)\n"
    "    os.replace(tmp, os.path.join(folder, 'data.json'))\n"
)


def test_noqa_and_per_file_ignores_apply_to_index_findings(tmp_path, monkeypatch):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/io.py": HELPER,
        "pkg/a.py": "from .io import save\nsave('x', 'd', '.tmp_a')  # noqa: TMP101\nsave('x', 'd', '.tmp_b')\n",
        "pkg/b.py": "# flake8: noqa\nfrom .io import save\nsave('x', 'd', '.tmp_c')\n",
    })
    monkeypatch.chdir(tmp_path)
    diagnostics = check_project(["pkg/a.py", "pkg/b.py"], Config())
    assert found(diagnostics) == {("pkg/a.py", 3, "TMP101")}
    ignored = Config(per_file_ignores=(("pkg/a.py", ("TMP101",)),), root=str(tmp_path))
    assert check_project(["pkg/a.py"], ignored) == []
    assert check_project(["pkg/a.py"], Config(ignore=("TMP1",))) == []


def test_a_helper_in_a_silenced_file_still_counts(tmp_path, monkeypatch):
    write(tmp_path, {"a.py": "from helpers import save\nsave('x', 'd', '.tmp_a')\n",
                     "helpers.py": "# flake8: noqa\n" + HELPER})
    monkeypatch.chdir(tmp_path)
    assert found(check_project(["a.py", "helpers.py"], Config())) == {("a.py", 2, "TMP101")}


def test_star_args_stay_unknown_and_unknown_helpers_keep_the_heuristic(tmp_path, monkeypatch):
    write(tmp_path, {
        "helpers.py": HELPER,
        "a.py": ("from helpers import save\nfrom vendor import upload\n"
                 "def f(args):\n    save(*args)\n    save('x', 'd', *args)\n"
                 "    upload('x', tmp_name='.up.tmp')\n"),
    })
    monkeypatch.chdir(tmp_path)
    assert found(check_project(["a.py"], Config())) == {("a.py", 6, "TMP101")}


def test_a_helper_outside_the_project_root_is_not_followed(tmp_path, monkeypatch):
    inside = tmp_path / "proj"
    write(tmp_path, {"helpers.py": HELPER, "proj/a.py": "from helpers import save\nsave('x', 'd', '.tmp_a')\n"})
    monkeypatch.chdir(inside)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert check_project(["a.py"], Config(root=str(inside))) == []


def test_a_helper_method_reached_through_a_chain_of_subclasses_in_other_files(tmp_path, monkeypatch):
    """Stage two admits a file by the name of the helper's class or of a class known to inherit it:
    the chain (a subclass, a renamed re-export of it, a subclass of that) is learnt round by round."""
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/io.py": ("import os\n\nclass Saver:\n    def save(self, tmp, dst):\n"
                      "        with open(tmp, 'w') as handle:\n            handle.write('x')\n        os.replace(tmp, dst)\n"),
        "pkg/mid.py": "from pkg.io import Saver\n\nclass Mid(Saver):\n    pass\n",
        "pkg/store.py": "from pkg.mid import Mid as Store\n",
        "app.py": ("from pkg.store import Store\n\nclass App(Store):\n    def run(self):\n"
                   "        self.save('.tmp_run', 'out')\n"),
        "other.py": "def f(stream, text):\n    stream.write(text)\n    return text.replace('a', 'b')\n",
    })
    monkeypatch.chdir(tmp_path)
    names = ["app.py", "other.py", "pkg/__init__.py", "pkg/io.py", "pkg/mid.py", "pkg/store.py"]
    assert found(check_project(names, Config())) == {("app.py", 5, "TMP101")}
    assert found(check_project(["app.py"], Config())) == {("app.py", 5, "TMP101")}


def test_recursion_across_files_terminates(tmp_path, monkeypatch):
    write(tmp_path, {
        "ping.py": "import pong\ndef ping(d, tmp, n):\n    pong.pong(d, tmp, n)\n",
        "pong.py": ("import os, ping\ndef pong(d, tmp, n):\n    ping.ping(d, tmp, n - 1)\n"
                    "    with open(tmp, 'w'):\n        pass\n    os.replace(tmp, d)\n"),
        "main.py": "import ping\nping.ping('d', '.tmp_ping', 3)\n",
    })
    monkeypatch.chdir(tmp_path)
    assert found(check_project(["main.py"], Config())) == {("main.py", 2, "TMP101")}


SRC_LAYOUT = REPO / "fixtures" / "srclayout"


def test_src_layout_resolves_the_package_from_a_test_named_alone(monkeypatch):
    """``src`` (default [".", "src"]): ``tmplint tests/test_store.py`` (pre-commit, only the test changed)
    finds ``statekeeper`` in src/ as ``tmplint .`` does, so its guesses about the helpers are settled."""
    from dataclasses import replace

    from tmplint.config import load_config_for

    monkeypatch.chdir(SRC_LAYOUT)
    config = load_config_for(".")
    assert config.src == (".", "src")
    everything = [str(p.relative_to(SRC_LAYOUT)) for p in sorted(SRC_LAYOUT.rglob("*.py"))]
    whole = found(check_project(everything, config))
    assert whole == {("src/statekeeper/store.py", 9, "TMP101"), ("tests/test_store.py", 13, "TMP101")}
    for name in everything:
        assert found(check_project([name], config)) == {t for t in whole if t[0] == name}, name
    # without src/ among the roots the package is not found and the keyword guesses stay
    alone = found(check_project(["tests/test_store.py"], replace(config, src=(".",))))
    assert alone == {("tests/test_store.py", 8, "TMP101"), ("tests/test_store.py", 13, "TMP101")}


def test_check_paths_reads_pyproject_and_counts_columns_from_one(tmp_path, monkeypatch):
    """Issue 14: check_paths ignored [tool.tmplint] (a TMP106 that extend-select turns on was missing),
    and the API's columns were 0-based while every output format's are 1-based."""
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\nextend-select = ["TMP106"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "weak.py").write_text(
        'import os\ntmp = "state.%d.tmp" % os.getpid()\nwith open(tmp, "w") as f:\n    f.write("x")\n'
        'os.replace(tmp, "state")\n')
    monkeypatch.chdir(tmp_path)
    (found,) = tmplint.check_paths(["src"])
    assert (found.code, found.line) == ("TMP106", 2)
    cli = subprocess.run([sys.executable, "-m", "tmplint", "--format", "json", "--exit-zero", "src"],
                         capture_output=True, text=True, check=True)
    (shown,) = json.loads(cli.stdout)
    assert (found.col, found.end_col) == (shown["column"], shown["end_column"])
    assert [d.col for d in tmplint.check_source((tmp_path / "src" / "weak.py").read_text(), "src/weak.py")] == [
        found.col]


def test_stage_two_admits_a_file_that_imports_the_helpers_package_not_one_that_names_it(tmp_path):
    """In a tree of many projects a package's name is an everyday word ("ray", "pip", "salt"): a file
    can call another package's helper only through an import, so only an import admits it."""
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "__init__.py").write_text("")
    helpers = (Wanted("save", ("pkg",)),)
    prose = tmp_path / "other" / "prose.py"
    prose.write_text("# pkg has a save() we do not use\ndef save(x):\n    return x\n")
    importer = tmp_path / "other" / "importer.py"
    importer.write_text("from pkg.io import save\n\ndef run():\n    save('.tmp_x', 'x')\n")
    assert not project.scan_text(prose.read_text(), str(prose), helpers)
    assert project.scan_text(importer.read_text(), str(importer), helpers)
    inside = tmp_path / "pkg"
    inside.mkdir()
    (inside / "__init__.py").write_text("")
    (inside / "user.py").write_text("from .io import save\n")
    assert project.scan_text("from .io import save\n", str(inside / "user.py"), helpers)


def test_stage_two_counts_a_name_only_where_the_index_could_resolve_it():
    """In code, alone or on a chain that starts at a name an import binds: a helper's name in a
    comment, a docstring or as some value's method (``repo.vfs.rename``) admits nothing."""
    helpers = (Wanted("rename", ("pkg",)),)
    head = "from pkg import util\n"
    assert project.scan_text(head + "util.rename(a, b)\n", "m.py", helpers)
    assert project.scan_text("from pkg.util import rename\nrename(a, b)\n", "m.py", helpers)
    assert project.scan_text("from pkg import (\n    util as u,\n)\nu.rename(a, b)\n", "m.py", helpers)
    assert project.scan_text("import pkg.util\npkg.util.rename(a, b)\n", "m.py", helpers)
    assert project.scan_text(head + "save = retry(3)(util\n    .rename)\n", "m.py", helpers)
    assert not project.scan_text(head + "repo.vfs.rename(a, b)\n", "m.py", helpers)
    assert not project.scan_text(head + "# util.rename would race here\n", "m.py", helpers)
    assert not project.scan_text(head + '"""Calls util.rename."""\n', "m.py", helpers)
    assert not project.scan_text(head + "x = 'a'.rename\n", "m.py", helpers)


def test_stage_two_counts_a_chain_only_from_an_import_of_the_helpers_package(tmp_path):
    """``os.unlink(p)`` cannot call a helper ``unlink`` of package ``pkg``: the chain's first name must
    be bound by an import from a package that reaches the helper (or a relative one), inside such a
    package too; and a ``def`` or ``class`` of the helper's name is no use of it."""
    helpers = (Wanted("unlink", ("pkg",)),)
    head = "from pkg import util\nimport os\n"
    assert not project.scan_text(head + "os.unlink(p)\n", "m.py", helpers)
    assert project.scan_text(head + "util.unlink(p)\n", "m.py", helpers)
    assert project.scan_text("import os as util\nfrom pkg import util\nutil.unlink(p)\n", "m.py", helpers)
    assert project.scan_text("import pkg\nfrom . import util\nutil.unlink(p)\n", "m.py", helpers)
    assert not project.scan_text(head + "class A:\n    def unlink(self, p):\n        pass\n", "m.py", helpers)
    assert not project.scan_text(head + "async def unlink(p):\n    pass\n", "m.py", helpers)
    assert project.scan_text(head + "def f(p):\n    unlink(p)\n", "m.py", helpers)
    inside = tmp_path / "pkg"
    inside.mkdir()
    (inside / "__init__.py").write_text("")
    assert not project.scan_text("import os\nos.unlink(p)\n", str(inside / "user.py"), helpers)
    assert project.scan_text("from . import util\nutil.unlink(p)\n", str(inside / "user.py"), helpers)


def test_stage_two_reads_again_only_files_that_import_a_helpers_package(tmp_path):
    """The first reading kept each file's imports, so a file that imports none of the helpers'
    packages is not read again, and one that does is read for those helpers only."""
    files = {"other/prose.py": "import json\n\ndef save(x):\n    return json.dumps(x)\n",
             "other/user.py": "from pkg.io import save\n\nsave('.tmp_x', 'x')\n",
             "pkg/near.py": "from .io import save\n"}
    for name, source in list(files.items()) + [("other/__init__.py", ""), ("pkg/__init__.py", "")]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    results = {name: FileResult(str(tmp_path / name), module_info(str(tmp_path / name)),
                                imports=text_imports(source, module_info(str(tmp_path / name))))
               for name, source in files.items()}
    helpers = (Wanted("save", ("pkg",)), Wanted("Store", ("vendor",)))
    assert project.within_reach(helpers, results["other/prose.py"].module, lambda: results["other/prose.py"].imports) == ()
    assert project.within_reach(helpers, results["other/user.py"].module, lambda: results["other/user.py"].imports) == (Wanted("save", ("pkg",)),)
    assert project.within_reach(helpers, results["pkg/near.py"].module, lambda: results["pkg/near.py"].imports) == (Wanted("save", ("pkg",)),)
    sent: List[Tuple[str, tuple]] = []

    def recording_map(function, jobs):
        sent.extend(jobs)
        return [function(job) for job in jobs]

    from tmplint.api import settings_for

    run = project.ProjectRun(settings_for(str(tmp_path)), recording_map)
    run.results = {result.path: result for result in results.values()}
    paths = [result.path for result in results.values()]
    assert run.scan(paths, helpers) == [False, True, True]
    assert sorted(path for path, _ in sent) == sorted(paths[1:])
    assert all(wanted == (Wanted("save", ("pkg",)),) for _, wanted in sent)


def test_a_helper_class_admits_a_file_that_names_it_and_imports_its_package():
    """A method is reached through a class the file names (``Saver(...)``, ``mod.Saver.save``,
    ``class Mine(Saver)``), imported from its package; the method's own name admits nothing."""
    saver = (Wanted("Saver", ("app",)),)  # (``__init__`` is a helper: the class's name alone calls it)
    assert project.scan_text("from app import Saver\nSaver('.tmp')\n", "m.py", saver)
    assert not project.scan_text("def f(saver):\n    saver.save('.tmp')\n", "m.py", saver)
    assert not project.scan_text("class Saver:\n    pass\n", "m.py", saver)  # another class of that name


def test_a_class_whose_helpers_are_named_methods_needs_one_of_their_names_too():
    """``Path`` for ``Path.rename`` is in a third of a tree's files: a file naming the class calls a
    helper method only by the method's name; without it, it still matters when it defines a
    subclass (``class Mine(Saver)``, the only way the index learns ``Mine``) or renames the class in
    an import (``Saver as Store``, which a subclass elsewhere may name)."""
    saver = (Wanted("Saver", ("app",), ("save", "store")),)
    head = "from app import Saver\n"
    assert not project.scan_text(head + "x = Saver()\nx.load()\n", "m.py", saver)
    assert not project.scan_text(head + "def f(s: Saver):\n    return s.close()\n", "m.py", saver)
    assert project.scan_text(head + "Saver().save('.tmp', 'x')\n", "m.py", saver)
    assert project.scan_text(head + "s = Saver()\nstore = s.store\n", "m.py", saver)
    assert project.scan_text(head + "class Mine(Saver):\n    pass\n", "m.py", saver)
    assert project.scan_text(head + "class Mine(\n    Base,\n    Saver,\n):\n    pass\n", "m.py", saver)
    assert project.scan_text(head + "class Mine(meta('x', ')'), Saver):\n    pass\n", "m.py", saver)
    assert not project.scan_text(head + "class Mine(Base, metaclass=meta('x')):\n    x = Saver\n", "m.py", saver)
    assert not project.scan_text(head + "class Mine(Base):\n    kind = Saver\n", "m.py", saver)
    assert not project.scan_text(head + "x = make(Base, Saver)\n", "m.py", saver)
    assert project.scan_text("from app import Saver as Store\n", "m.py", saver)
    assert project.scan_text("from app import (\n    Saver as Store,\n)\n", "m.py", saver)


def test_helper_names_give_a_methods_class_and_its_subclasses_by_name(tmp_path):
    from tmplint.analysis.index import Index
    from tmplint.api import settings_for
    from tmplint.files import iter_python_files

    (tmp_path / "app.py").write_text(
        "import os\n\nclass Saver:\n    def __init__(self, tmp):\n        os.replace(tmp, 'x')\n\n"
        "    def save(self, tmp, dst):\n        os.replace(tmp, dst)\n")
    settings = settings_for(str(tmp_path))
    files = sorted(iter_python_files([str(tmp_path)], settings))
    run = project.ProjectRun(settings, project.serial_map)
    run.run(files)
    names = Index(run.results, run.locator).helper_names()
    assert names["Saver"] == ({"app"}, ()) and "save" not in names and "__init__" not in names
    (tmp_path / "app.py").write_text(
        "import os\n\nclass Saver:\n    def save(self, tmp, dst):\n        os.replace(tmp, dst)\n\n"
        "    def keep(self, tmp):\n        os.replace(tmp, 'x')\n")
    (tmp_path / "mine.py").write_text("from app import Saver\n\nclass Mine(Saver):\n    pass\n")
    files = sorted(iter_python_files([str(tmp_path)], settings))
    run = project.ProjectRun(settings, project.serial_map)
    run.run(files)
    names = Index(run.results, run.locator).helper_names()
    assert names["Saver"] == ({"app"}, ("keep", "save")) and names["Mine"] == ({"mine"}, ("keep", "save"))


def test_the_projects_helpers_are_built_once_per_change_of_what_files_say(tmp_path, monkeypatch):
    """A reduced parse reads the sketch its first reading gave: the result keeps that sketch object,
    so the project's helpers (built whenever a sketch object changes) are not built again for a
    sketch that says the same; and the findings stay those of a run without the reduction."""
    from tmplint import reduce as reduce_mod

    filler = "".join(f"def f{n}(x):\n    return x + {n}\n\n" for n in range(400))  # past reduce.MIN_SIZE
    write(tmp_path, {"pkg/__init__.py": "", "pkg/io.py": HELPER,
                     "pkg/a.py": "from .io import save\n" + filler + "def go():\n    save('x', 'd', '.tmp_a')\n"})
    monkeypatch.chdir(tmp_path)
    built = []
    real = reduce_mod.project_helpers
    monkeypatch.setattr(reduce_mod, "project_helpers", lambda sketches: built.append(1) or real(sketches))
    run = project.ProjectRun(Config(), project.serial_map)
    found = run.run(["pkg/a.py", "pkg/io.py"])
    assert [(d.path, d.line, d.code) for d in found] == [("pkg/a.py", 1203, "TMP101")]
    assert run.results["pkg/a.py"].reduced is not None  # it was reduced, after its sketch
    assert len(built) == 2  # io.py's sketch (stage one), then a.py's too (stage two admits it)
