"""tmplint.reduce: a reduced parse must give exactly the findings of a whole one.

Every fixture tree is checked twice in this process, once with every file parsed whole and once
with every file reduced (``MIN_SIZE = 0``), and the findings must be identical; the cases below pin
what each rule of the reduction keeps, so a reduction that drops too much fails here.
"""

import os
import textwrap

import pytest

from tmplint import project
from tmplint import reduce as reduce_mod
from tmplint.api import settings_for
from tmplint.config import AnalysisOptions
from tmplint.files import iter_python_files
from tmplint.source import statement_lines

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures")
TREES = ["fix", "project", "rules", "ray253", "srclayout", "project_fixed"]


def _findings(root, monkeypatch, enabled):
    monkeypatch.setattr(reduce_mod, "ENABLED", enabled)
    monkeypatch.setattr(reduce_mod, "MIN_SIZE", 0)
    settings = settings_for(root)
    files = sorted(iter_python_files([root], settings))
    found = project.check_project(files, settings, project.serial_map)
    return sorted((d.path, d.line, d.col, d.code, d.message) for d in found)


@pytest.mark.parametrize("tree", TREES)
def test_reduced_trees_report_what_whole_trees_report(tree, monkeypatch):
    root = os.path.normpath(os.path.join(FIXTURES, tree))
    whole = _findings(root, monkeypatch, False)
    reduced = _findings(root, monkeypatch, True)
    assert reduced == whole
    if tree != "project_fixed":
        assert whole  # the comparison means something only where there are findings


def _kept(source, relevant=()):
    text = textwrap.dedent(source)
    reduced = reduce_mod.reduce_source(text, AnalysisOptions(), relevant) if len(text) >= reduce_mod.MIN_SIZE \
        else None
    return text if reduced is None else reduced


@pytest.fixture(autouse=True)
def _small_files_reduce(monkeypatch):
    monkeypatch.setattr(reduce_mod, "MIN_SIZE", 0)


def test_a_function_that_cannot_report_is_blanked_and_lines_keep_their_numbers():
    text = _kept('''
        import os

        def moves(src, dst):
            helper_free = 1
            os.rename(src.path(), dst)

        def save(folder):
            tmp = os.path.join(folder, ".tmp")
            os.replace(tmp, os.path.join(folder, "x"))
        ''')
    lines = text.splitlines()
    assert "helper_free" not in text
    assert lines[8].strip() == 'tmp = os.path.join(folder, ".tmp")'  # the seed, on its own line


def test_a_rename_of_a_unique_name_is_blanked():
    text = _kept('''
        import os, tempfile

        def save(folder, data):
            fd, tmp = tempfile.mkstemp(dir=folder)
            os.replace(tmp, os.path.join(folder, "x"))
        ''')
    assert "mkstemp" not in text


def test_a_helper_and_its_caller_with_a_literal_are_kept_but_not_other_callers():
    text = _kept('''
        import os

        def atomic(tmp, dst):
            os.replace(tmp, dst)

        def caller():
            atomic(".tmp_x", "x")

        def other(a, b):
            unrelated = 1
            atomic.__name__
        ''')
    assert "os.replace(tmp, dst)" in text and 'atomic(".tmp_x", "x")' in text
    assert "unrelated" not in text


def test_another_files_helper_keeps_its_caller_only_when_named():
    source = '''
        from pkg import utils

        def caller(state):
            utils.save_state(state, ".tmp_state")
        '''
    assert "save_state" not in _kept(source)
    assert "save_state" in _kept(source, relevant=("pkg.utils.save_state:1",))
    assert "save_state" not in _kept(source, relevant=("other.save_state:1",))  # another module's


def test_what_a_seed_reads_is_kept():
    text = _kept('''
        import os

        class Saver:
            def __init__(self, folder):
                self.tmp = os.path.join(folder, ".tmp")

            def name(self):
                return self.tmp

            def save(self, final):
                os.replace(self.name(), final)

            def unrelated(self):
                nothing_here = 1
        ''')
    assert 'self.tmp = os.path.join(folder, ".tmp")' in text and "return self.tmp" in text
    assert "nothing_here" not in text


def test_project_helpers_follow_parameters_across_files():
    options = AnalysisOptions()
    helper = reduce_mod.sketch("import os\ndef atomic(tmp, dst):\n    os.replace(tmp, dst)\n", options, "pkg.u", "pkg")
    wrapper = reduce_mod.sketch("from .u import atomic\ndef save(path):\n    atomic(path + '.tmp', path)\n"
                                "def passes(name):\n    atomic(name, 'x')\n", options, "pkg.w", "pkg")
    init = reduce_mod.sketch("from pkg.w import passes\n", options, "pkg", "pkg")  # a re-export
    caller = reduce_mod.sketch("import pkg\nclass Base:\n    def run(self):\n        pkg.passes('.tmp_run')\n",
                               options, "app", "")
    sub = reduce_mod.sketch("from app import Base\nclass App(Base):\n    def go(self, name):\n        self.run()\n",
                            options, "sub", "")
    assert None not in (helper, wrapper, init, caller, sub)
    helpers = reduce_mod.project_helpers([helper, wrapper, init, caller, sub])  # type: ignore[list-item]
    assert set(helpers.helpers) == {"pkg.u.atomic", "pkg.w.passes", "pkg.w.save"}  # save's path + ".tmp" counts
    assert reduce_mod.relevant_names(caller, helpers, frozenset()) == ("pkg.passes:0", "pkg.passes:name")
    assert helpers.slots("app.atomic") == set()  # a name alone matches nothing
    assert helpers.through == {"pkg.passes"}  # the caller reaches pkg.w.passes through pkg's re-export
    assert reduce_mod.relevant_names(init, helpers, frozenset()) == ("^pkg.passes",)


def test_a_helper_imported_under_another_name_is_found_by_that_name():
    """Keys are looked up only when their last name is one a helper's can have: a helper imported
    under another name (``atomic as put``) gives that name too, through the worklist and after it."""
    options = AnalysisOptions()
    helper = reduce_mod.sketch("import os\ndef atomic(tmp, dst):\n    os.replace(tmp, dst)\n", options, "pkg.u", "pkg")
    wrapper = reduce_mod.sketch("from pkg.u import atomic as put\ndef keep(name):\n    put(name, 'x')\n",
                                options, "pkg.w", "pkg")
    again = reduce_mod.sketch("from pkg.w import keep as stash\n", options, "pkg.r", "pkg")
    caller = reduce_mod.sketch("from pkg.r import stash\ndef go():\n    stash('.tmp_go')\n", options, "app", "")
    assert None not in (helper, wrapper, again, caller)
    helpers = reduce_mod.project_helpers([helper, wrapper, again, caller])  # type: ignore[list-item]
    assert set(helpers.helpers) == {"pkg.u.atomic", "pkg.w.keep"}  # keep passes name on to put, which is atomic
    assert helpers.slots("pkg.r.stash") == {"0", "name"}
    assert reduce_mod.relevant_names(caller, helpers, frozenset()) == ("pkg.r.stash:0", "pkg.r.stash:name")


def test_a_method_reading_an_attribute_stored_with_a_tmp_path_is_kept():
    text = _kept('''
        import os

        class Runner:
            def __init__(self, key):
                if key:
                    path = "/tmp/runner_{}".format(key)
                else:
                    path = None
                self.control = path
                self.other = key

            def prepare(self):
                os.makedirs(self.control, exist_ok=True)

            def unrelated(self):
                os.makedirs(self.other, exist_ok=True)
        ''')
    assert "os.makedirs(self.control" in text  # TMP201 follows self.control into prepare
    assert "os.makedirs(self.other" not in text


def _candidate(source, relevant=()):
    text = textwrap.dedent(source)
    return reduce_mod.sketch_and_reduce(text, AnalysisOptions(), relevant, "pkg.mod", "pkg").candidate


def test_a_file_that_can_report_nothing_holds_no_candidate():
    assert _candidate('''
        import os

        def moves(src, dst):
            os.rename(src, dst)  # a helper: other files' calls need its summary
        ''')
    assert not _candidate('''
        from pkg import utils

        TIMEOUT = 3

        def caller(state):
            utils.save_state(state, ".tmp_state")
        ''', relevant=("pkg.utils.save_state:2",))  # the literal is not in a renamed slot
    assert not _candidate('''
        import shutil

        def archive(name):
            shutil.make_archive(name, "zip")

        RETRIES = archive.__name__
        ''')


def test_a_target_binds_the_names_the_analysis_binds():
    """A subscript or another object's attribute binds no name (``scopes._bind_target``): setting
    ``os.environ[...]`` leaves ``os`` the module, so the rename after it is still a rename, and
    ``q.series[0] = Queue()`` leaves ``q`` what ``repo.mq`` is, not an instance of this file's class."""
    assert _candidate('''
        import os

        def save(data, dst):
            os.environ["SAVING"] = "1"
            tmp = dst + ".tmp"
            os.replace(tmp, dst)
        ''')
    assert not _candidate('''
        from pkg import util

        class Queue:
            def join(self, *names):
                return ".tmp"

        def rename(repo, patch):
            q = repo.mq
            q.series[0] = Queue()
            util.rename(q.join(patch), patch)
        ''', relevant=("pkg.util.rename:0",))
    assert _candidate('''
        import os

        class Saver:
            def save(this, dst):
                this.tmp = ".tmp_state"
                os.replace(this.tmp, dst)
        ''')


def test_module_level_code_is_judged_like_a_function():
    source = '''
        from pkg import utils

        utils.save_state({}, ".tmp_state")
        '''
    assert not _candidate(source)
    assert _candidate(source, relevant=("pkg.utils.save_state:1",))
    assert _candidate("import os\nos.replace('.tmp_x', 'x')\n")
    assert _candidate("class Paths:\n    CACHE = '/tmp/app_cache'\n")
    assert _candidate("class Paths:\n    CACHE = f'/dev/shm/{USER}'\n")


def test_a_shared_temp_folder_named_where_no_literal_starts_with_it_holds_no_candidate():
    """TMP201 reports a literal whose leading text is the folder: a docstring or a message that
    mentions one cannot be reported, nor can a name that only ends like a catalogue word."""
    assert not _candidate('''
        """Run it as: trace(coverdir="/tmp")"""

        def describe(free):
            """Report free space, as in 'free space of /tmp drive'."""
            return f"free space of /tmp drive: {free}"

        class Schema:
            _schema = {"description": "Mbytes free space of /tmp drive"}
            watchers: "FileSystemWatcher" = None

        def rotate(logfile):
            return logfile
        ''')
    assert _candidate('''
        def describe(name):
            """Report free space."""
            return open("/tmp/" + name)
        ''')


def test_module_level_renames_are_judged_as_renames_not_by_their_method_names():
    """``str.replace`` at module or class level, a catalogue word in a string: nothing to report;
    ``os.replace`` at module level, or a reference to it that other files call, is."""
    assert not _candidate('''
        import sys

        class Spam:
            text = ("spam spam spam").replace(' ', '\\t')
            words = {'expand-gfile', 'moveTo'}

        if sys.platform == "win32":
            def path(p):
                return p.replace("/", "\\\\")
        ''')
    assert _candidate("import os\n\nif True:\n    os.replace('.tmp_x', 'x')\n")
    assert _candidate("import os\n\nreplace = retry(3)(os.replace)\n")
    assert _candidate("from tensorflow.io import gfile\n\nif True:\n    gfile.rename('.tmp_x', 'x')\n")


def test_a_file_other_files_reach_a_helper_through_holds_a_candidate():
    assert not _candidate("from pkg.io import save\n")
    assert not _candidate("from pkg.tree import replace\n\nclass Matcher:\n    kind = 'x'\n")
    assert _candidate("from pkg.tree import replace\n", relevant=("^pkg.mod.replace",))
    assert _candidate("from os import replace\n")  # a rename under this module's name: other files call it
    assert _candidate("from pkg.io import save\n", relevant=("^pkg.mod.save",))


def _write(root, files):
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


@pytest.mark.parametrize("case", ["reexport", "renamed", "inherited", "chain", "module_level", "constant",
                                  "rename_reexported"])
def test_files_screened_out_by_reduction_change_no_finding(case, tmp_path, monkeypatch):
    """A file the reduction finds no candidate in is not parsed; one other files reach a helper or a
    constant through still is (``define``, ``^name``), so the findings are the whole parse's."""
    files = {
        "pkg/__init__.py": "",
        "pkg/io.py": '''
            import os

            def save(tmp, dst):
                with open(tmp, "w") as handle:
                    handle.write("x")
                os.replace(tmp, dst)

            class Base:
                def store(self, tmp, dst):
                    os.replace(tmp, dst)
            ''',
        "pkg/names.py": 'NAME = ".tmp_names"\n\ndef unrelated():\n    return 1\n',
    }
    if case == "reexport":
        files["pkg/api.py"] = "from pkg.io import save\n\ndef other():\n    return 2\n"
        files["app.py"] = "from pkg import api\n\ndef run():\n    api.save('.tmp_run', 'out')\n"
    elif case == "renamed":
        files["pkg/api.py"] = "from pkg.io import save as store\n\ndef other():\n    return 2\n"
        files["app.py"] = "from pkg.api import store\n\ndef run():\n    store('.tmp_run', 'out')\n"
    elif case == "inherited":
        files["pkg/sub.py"] = "from pkg.io import Base\n\nclass Saver(Base):\n    pass\n"
        files["app.py"] = "from pkg.sub import Saver\n\nclass App(Saver):\n    def run(self):\n        self.store('.tmp_run', 'out')\n"
    elif case == "chain":  # a subclass, a renamed re-export of it, a subclass of that
        files["pkg/mid.py"] = "from pkg.io import Base\n\nclass Mid(Base):\n    pass\n"
        files["pkg/api.py"] = "from pkg.mid import Mid as Store\n"
        files["app.py"] = "from pkg.api import Store\n\nclass App(Store):\n    def run(self):\n        self.store('.tmp_run', 'out')\n"
    elif case == "rename_reexported":  # a wrapper of os.replace, re-exported
        files["pkg/compat.py"] = "import os\n\ndef retry(n):\n    return lambda f: f\n\nreplace = retry(3)(os.replace)\n"
        files["pkg/api.py"] = "from pkg.compat import replace\n\nclass Big:\n    size = 2\n"
        files["app.py"] = "from pkg.api import replace\n\ndef run():\n    replace('.tmp_run', 'out')\n"
    elif case == "module_level":
        files["app.py"] = "from pkg import io\n\nio.save('.tmp_run', 'out')\n"
    else:
        files["app.py"] = "import os\nfrom pkg.names import NAME\n\ndef run():\n    os.replace(NAME, 'out')\n"
    _write(tmp_path, files)
    whole = _findings(str(tmp_path), monkeypatch, False)
    reduced = _findings(str(tmp_path), monkeypatch, True)
    assert whole and reduced == whole


def _fixture_sources():
    for tree in TREES:
        root = os.path.normpath(os.path.join(FIXTURES, tree))
        for path in sorted(iter_python_files([root], settings_for(root))):
            with open(path, encoding="utf-8") as handle:
                yield os.path.relpath(path, FIXTURES), handle.read(), project.module_info(path)


SOURCES = list(_fixture_sources())


@pytest.mark.parametrize("name, text, info", SOURCES, ids=[name for name, _, _ in SOURCES])
def test_a_plan_reduces_as_reading_the_file_again_does(name, text, info, monkeypatch):
    """A sketched file's plan (``sketch_and_plan``) is what its reduced parse starts from, without the
    standard parser: knowing nothing of the project or every name it calls, the plan must blank the
    same functions and find the same candidate as a second reading of the file."""
    options = AnalysisOptions()
    found, plan = reduce_mod.sketch_and_plan(text, options, info.name, info.package)
    if found is None:
        return  # the standard parser rejects it: it has no plan, and is parsed whole
    names = {callee for callee, _ in found.calls} | {callee for callee, _, _, _ in found.passes}
    everything = tuple(sorted(f"{name}:{slot}" for name in names for slot in ("0", "1", "*"))) + found.loads
    for relevant in [(), everything]:
        again = reduce_mod.sketch_and_reduce(text, options, relevant, info.name, info.package)
        with monkeypatch.context() as patched:
            patched.setattr(reduce_mod, "_parse", None)  # the plan must not read the file again
            planned = reduce_mod.sketch_and_reduce(text, options, relevant, info.name, info.package, plan)
        assert (planned.text, planned.candidate) == (again.text, again.candidate), relevant
        assert planned.sketch == found and planned.tree is None
        assert list(planned.statements) == list(statement_lines(again.tree))
