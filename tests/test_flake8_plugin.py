"""The flake8 plugin, driven through the real ``flake8`` executable: flake8 owns selection and noqa."""

import re
import subprocess
import sys
from typing import List, NamedTuple, Optional, Sequence, Set, Tuple

import pytest

import tmplint
from tmplint.config import AnalysisOptions, Config
from tmplint.flake8_plugin import Plugin
from tmplint.registry import ALL_CODES

SHARED_TMP = 'open("/tmp/x", "w")\n'  # TMP201 on the literal: 1:6 as flake8 shows it
MKTEMP = "import tempfile\ntempfile.mktemp()\n"  # TMP202 on the call: 2:1
CONSTANT_NAME = (  # TMP102
    "import os\n"
    'with open(".tmp_state", "w") as f:\n'
    '    f.write("x")\n'
    'os.replace(".tmp_state", "state.json")\n'
)
WEAK_NAME = (  # TMP106, off by default
    "import os\n"
    'tmp = "state.%d.tmp" % os.getpid()\n'
    'with open(tmp, "w") as f:\n'
    '    f.write("x")\n'
    'os.replace(tmp, "state")\n'
)
# TMP101 only when mypkg.io.atomic_write is a configured save helper with temp-name parameter "scratch"
SAVE_HELPER_CALL = 'from mypkg.io import atomic_write\natomic_write(data, "out.json", scratch=".out.json.partial")\n'
SCRATCH_AND_TMP = 'a = open("/scratch/x", "w")\nb = open("/tmp/x", "w")\n'

REPORT = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) (?P<text>.*)$")


class Report(NamedTuple):
    path: str
    line: int
    col: int
    code: str
    text: str


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str

    @property
    def reports(self) -> List[Report]:
        found = []
        for line in self.stdout.splitlines():
            match = REPORT.match(line)
            if match:
                found.append(Report(match["path"], int(match["line"]), int(match["col"]), match["code"], match["text"]))
        return found

    def codes(self, path: Optional[str] = None) -> Set[Tuple[int, int, str]]:
        return {(r.line, r.col, r.code) for r in self.reports if path is None or r.path == path}


def flake8(cwd, *args: str, isolated: bool = True) -> Run:
    """Run the installed flake8 in ``cwd``; ``isolated`` ignores flake8's config files above the tmp folder."""
    argv = [sys.executable, "-m", "flake8", *(["--isolated"] if isolated else []), *args]
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), f"flake8 failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write(folder, name: str, source: str) -> str:
    (folder / name).write_text(source)
    return name


def engine(source: str, path: str, options: Optional[AnalysisOptions] = None) -> Set[Tuple[int, int, str]]:
    """What check_source finds (its columns are 1-based, as flake8 shows them), every code selected (as
    ``--select TMP``)."""
    config = Config(select=tuple(ALL_CODES), analysis=options or AnalysisOptions())
    diagnostics = tmplint.check_source(source, path, config)
    return {(d.line, d.col, d.code) for d in diagnostics}


def only(found: Set[Tuple[int, int, str]], code: str) -> Tuple[int, int, str]:
    matching = [f for f in found if f[2] == code]
    assert len(matching) == 1, f"expected one {code} from check_source, got {sorted(found)}"
    return matching[0]


def with_comment(source: str, line: int, comment: str) -> str:
    lines = source.splitlines(True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  " + comment + "\n"
    return "".join(lines)


def test_plugin_is_registered():
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"tmplint: {tmplint.__version__}" in proc.stdout


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(SHARED_TMP, {(1, 6, "TMP201")}, id="TMP201"),
        pytest.param(MKTEMP, {(2, 1, "TMP202")}, id="TMP202"),
        pytest.param(CONSTANT_NAME, None, id="TMP102"),
    ],
)
def test_reports_what_check_source_finds(tmp_path, source, expected):
    name = write(tmp_path, "sample.py", source)
    found = engine(source, name)
    if expected is not None:
        assert found == expected
    else:
        only(found, "TMP102")
    assert flake8(tmp_path, "--select", "TMP", name).codes() == found


def test_several_findings_and_files_in_one_run(tmp_path):
    sources = {"a.py": SHARED_TMP + MKTEMP, "b.py": CONSTANT_NAME, "clean.py": "import os\nos.replace(src, dst)\n"}
    for name, source in sources.items():
        write(tmp_path, name, source)
    run = flake8(tmp_path, "--select", "TMP", "--jobs", "2", *sources)
    assert run.returncode == 1
    for name, source in sources.items():
        assert run.codes(name) == engine(source, name), name
    assert run.codes("a.py") == {(1, 6, "TMP201"), (3, 1, "TMP202")}
    assert run.codes("clean.py") == set()


def test_message_is_code_then_engine_message(tmp_path):
    name = write(tmp_path, "sample.py", MKTEMP)
    [diagnostic] = tmplint.check_source(MKTEMP, name)
    [report] = flake8(tmp_path, "--select", "TMP", name).reports
    assert (report.code, report.text) == ("TMP202", diagnostic.message)


def test_plain_flake8_reports_tmp_codes(tmp_path):
    name = write(tmp_path, "sample.py", SHARED_TMP)
    assert (1, 6, "TMP201") in flake8(tmp_path, name).codes()


def test_off_by_default_code_needs_selecting(tmp_path):
    name = write(tmp_path, "sample.py", WEAK_NAME)
    found = engine(WEAK_NAME, name)
    only(found, "TMP106")
    assert {d.code for d in tmplint.check_source(WEAK_NAME, name)} == set()  # tmplint's default selection
    assert flake8(tmp_path, name).codes() & found == set()
    assert flake8(tmp_path, "--extend-select", "TMP106", name).codes() >= found
    assert flake8(tmp_path, "--select", "TMP106", name).codes() == found


def test_blanket_noqa(tmp_path):
    assert engine(SHARED_TMP, "sample.py") == {(1, 6, "TMP201")}
    name = write(tmp_path, "sample.py", with_comment(SHARED_TMP, 1, "# noqa"))
    assert flake8(tmp_path, "--select", "TMP", name).codes() == set()


def test_noqa_with_code_silences_only_that_code(tmp_path):
    source = CONSTANT_NAME + SHARED_TMP
    line, _, _ = only(engine(source, "sample.py"), "TMP102")
    silenced = write(tmp_path, "silenced.py", with_comment(source, line, "# noqa: TMP102"))
    by_prefix = write(tmp_path, "prefix.py", with_comment(source, line, "# NOQA:TMP1"))
    other_code = write(tmp_path, "other.py", with_comment(source, line, "# noqa: TMP201"))
    run = flake8(tmp_path, "--select", "TMP", silenced, by_prefix, other_code)
    assert {code for _, _, code in run.codes(silenced)} == {"TMP201"}
    assert {code for _, _, code in run.codes(by_prefix)} == {"TMP201"}
    assert {code for _, _, code in run.codes(other_code)} == {"TMP102", "TMP201"}


def test_disable_noqa_reports_silenced_findings(tmp_path):
    source = with_comment(SHARED_TMP, 1, "# noqa: TMP201")
    name = write(tmp_path, "sample.py", source)
    assert flake8(tmp_path, "--select", "TMP", name).codes() == set()
    assert flake8(tmp_path, "--select", "TMP", "--disable-noqa", name).codes() == {(1, 6, "TMP201")}


def test_file_level_noqa(tmp_path):
    assert engine(MKTEMP, "sample.py") == {(2, 1, "TMP202")}
    name = write(tmp_path, "sample.py", "# flake8: noqa\n" + MKTEMP)
    assert flake8(tmp_path, "--select", "TMP", name).codes() == set()


def test_extend_ignore(tmp_path):
    name = write(tmp_path, "sample.py", CONSTANT_NAME + SHARED_TMP)
    run = flake8(tmp_path, "--select", "TMP", "--extend-ignore", "TMP102", name)
    assert {code for _, _, code in run.codes()} == {"TMP201"}


def test_per_file_ignores(tmp_path):
    ignored = write(tmp_path, "ignored.py", CONSTANT_NAME)
    kept = write(tmp_path, "kept.py", CONSTANT_NAME)
    run = flake8(tmp_path, "--select", "TMP", "--per-file-ignores", f"{ignored}:TMP102", ignored, kept)
    assert run.codes(ignored) == set()
    assert {code for _, _, code in run.codes(kept)} == {"TMP102"}


def test_statistics(tmp_path):
    for name in ("a.py", "b.py"):
        write(tmp_path, name, MKTEMP)
    run = flake8(tmp_path, "--select", "TMP", "--statistics", "a.py", "b.py")
    assert re.search(r"^2\s+TMP202 ", run.stdout, re.MULTILINE), run.stdout


def test_show_source(tmp_path):
    name = write(tmp_path, "sample.py", SHARED_TMP)
    lines = flake8(tmp_path, "--select", "TMP", "--show-source", name).stdout.splitlines()
    assert lines[:3] == [lines[0], 'open("/tmp/x", "w")', "     ^"]
    assert lines[0].startswith("sample.py:1:6: TMP201 ")


def test_tmp_dirs_option_replaces_the_list(tmp_path):
    name = write(tmp_path, "sample.py", SCRATCH_AND_TMP)
    assert flake8(tmp_path, "--select", "TMP", name).codes() == {(2, 10, "TMP201")}
    run = flake8(tmp_path, "--select", "TMP", "--tmplint-tmp-dirs=/scratch", name)
    assert run.codes() == {(1, 10, "TMP201")}
    assert run.codes() == engine(SCRATCH_AND_TMP, name, AnalysisOptions(tmp_dirs=("/scratch",)))


@pytest.mark.parametrize("config_file", ["setup.cfg", ".flake8", "tox.ini"])
def test_tmp_dirs_from_config_file(tmp_path, config_file):
    (tmp_path / config_file).write_text("[flake8]\nselect = TMP\ntmplint-tmp-dirs =\n    /scratch,\n    /data/tmp\n")
    name = write(tmp_path, "sample.py", SCRATCH_AND_TMP + 'c = open("/data/tmp/y", "w")\n')
    assert flake8(tmp_path, name, isolated=False).codes() == {(1, 10, "TMP201"), (3, 10, "TMP201")}


def test_command_line_overrides_config_file(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = TMP\ntmplint-tmp-dirs = /scratch\n")
    name = write(tmp_path, "sample.py", SCRATCH_AND_TMP)
    assert flake8(tmp_path, "--tmplint-tmp-dirs=/tmp", name, isolated=False).codes() == {(2, 10, "TMP201")}


def test_save_helpers_option_reaches_the_engine(tmp_path):
    source = SAVE_HELPER_CALL
    name = write(tmp_path, "sample.py", source)
    options = AnalysisOptions(save_helpers=(("mypkg.io.atomic_write", "scratch"),))
    assert engine(source, name) == set()
    assert {code for _, _, code in engine(source, name, options)} == {"TMP101"}
    assert flake8(tmp_path, "--select", "TMP", name).codes() == set()
    run = flake8(tmp_path, "--select", "TMP", "--tmplint-save-helpers=mypkg.io.atomic_write:scratch", name)
    assert run.codes() == engine(source, name, options)


@pytest.mark.parametrize(
    "option", ["--tmplint-save-helpers=mypkg.io.atomic_write", "--tmplint-save-helpers=mypkg.io.atomic_write:a b"]
)
def test_malformed_save_helper_is_a_clean_error(tmp_path, option):
    name = write(tmp_path, "sample.py", MKTEMP)
    argv = [sys.executable, "-m", "flake8", "--isolated", option, name]
    proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "--tmplint-save-helpers" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_analysis_keys_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\ntmp-dirs = ["/scratch"]\n')
    name = write(tmp_path, "sample.py", SCRATCH_AND_TMP)
    assert flake8(tmp_path, "--select", "TMP", name, isolated=False).codes() == {(1, 10, "TMP201")}


def test_save_helpers_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\nsave-helpers = {"mypkg.io.atomic_write" = "scratch"}\n')
    name = write(tmp_path, "sample.py", SAVE_HELPER_CALL)
    options = AnalysisOptions(save_helpers=(("mypkg.io.atomic_write", "scratch"),))
    found = flake8(tmp_path, "--select", "TMP", name, isolated=False).codes()
    assert found == engine(SAVE_HELPER_CALL, name, options)
    assert {code for _, _, code in found} == {"TMP101"}


def test_flake8_options_override_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\ntmp-dirs = ["/scratch"]\n')
    name = write(tmp_path, "sample.py", SCRATCH_AND_TMP)
    run = flake8(tmp_path, "--select", "TMP", "--tmplint-tmp-dirs=/tmp", name, isolated=False)
    assert run.codes() == {(2, 10, "TMP201")}


def test_nearest_pyproject_applies_per_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.tmplint]\ntmp-dirs = ["/scratch"]\n')
    top = write(tmp_path, "top.py", SCRATCH_AND_TMP)
    sub = write(tmp_path, "sub/inner.py", SCRATCH_AND_TMP)
    run = flake8(tmp_path, "--select", "TMP", top, sub, isolated=False)
    assert run.codes(top) == {(2, 10, "TMP201")}
    assert run.codes(sub) == {(1, 10, "TMP201")}


def test_selection_in_pyproject_is_left_to_flake8(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\nignore = ["TMP201"]\n')
    name = write(tmp_path, "sample.py", SHARED_TMP)
    assert flake8(tmp_path, "--select", "TMP", name, isolated=False).codes() == {(1, 6, "TMP201")}


def test_broken_pyproject_is_reported_not_raised(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tmplint]\ntmp-dirz = ["/scratch"]\n')
    name = write(tmp_path, "sample.py", SHARED_TMP)
    run = flake8(tmp_path, "--select", "TMP", name, isolated=False)
    assert "tmp-dirz" in run.stderr
    assert run.codes() == {(1, 6, "TMP201")}


def test_syntax_error_is_flake8s_e999_not_tmp000(tmp_path):
    source = "import os\ndef f(:\n    os.replace('.tmp', 'x')\n"
    name = write(tmp_path, "broken.py", source)
    assert {d.code for d in tmplint.check_source(source, name)} == {"TMP000"}
    run = flake8(tmp_path, "--select", "E999,TMP", name)
    assert {code for _, _, code in run.codes()} == {"E999"}


def test_file_the_engine_cannot_analyse_yields_nothing(tmp_path):
    # Python parses it, but it is over max-file-size: the engine's TMP000 must not leak into flake8.
    source = "import os\nos.replace('a.tmp', 'a')\n# " + "x" * (2 * 1024 * 1024) + "\n"
    name = write(tmp_path, "huge.py", source)
    assert {d.code for d in tmplint.check_source(source, name)} == {"TMP000"}
    run = flake8(tmp_path, "--select", "E,TMP", name)
    assert run.reports == []
    assert run.returncode == 0


@pytest.fixture
def restore_plugin_options():
    saved = Plugin.tmp_dirs, Plugin.save_helpers
    yield
    Plugin.tmp_dirs, Plugin.save_helpers = saved


def parse_flake8_args(args: Sequence[str]):
    from flake8.options.manager import OptionManager

    manager = OptionManager(version="0", plugin_versions="", parents=[], formatter_names=[])
    Plugin.add_options(manager)
    options = manager.parse_args(list(args))
    Plugin.parse_options(options)
    return manager


def test_parse_options_with_a_real_option_manager(tmp_path, restore_plugin_options):
    manager = parse_flake8_args(
        ["--tmplint-tmp-dirs=/scratch, /data/tmp", "--tmplint-save-helpers=a.b.save:tmp_name,c.d:tmp"]
    )
    assert Plugin.analysis_options(str(tmp_path / "x.py")) == AnalysisOptions(
        tmp_dirs=("/scratch", "/data/tmp"), save_helpers=(("a.b.save", "tmp_name"), ("c.d", "tmp"))
    )
    assert {"tmplint_tmp_dirs", "tmplint_save_helpers"} <= set(manager.config_options_dict)
    assert "TMP106" in manager.extended_default_ignore


def test_parse_options_defaults_leave_tmplint_defaults(tmp_path, restore_plugin_options):
    parse_flake8_args([])
    assert Plugin.analysis_options(str(tmp_path / "x.py")) == AnalysisOptions()


def test_run_never_raises(monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("analysis bug")

    monkeypatch.setattr("tmplint.api.check_text", crash)
    assert list(Plugin(None, [MKTEMP], "x.py").run()) == []


def test_tmplint_runs_without_flake8():
    # Every tmplint module imports with flake8 unimportable: the CLI and the API never need it.
    code = (
        "import pkgutil, importlib, sys\n"
        "sys.modules['flake8'] = None\n"
        "import tmplint\n"
        "for module in pkgutil.walk_packages(tmplint.__path__, 'tmplint.'):\n"
        "    importlib.import_module(module.name)\n"
        "import tmplint.cli\n"
        "print(tmplint.check_source('import tempfile\\ntempfile.mktemp()\\n')[0].code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "TMP202"


HELPER = ('import os\n\n\ndef atomic_save(data, path, name):\n    tmp = os.path.join(os.path.dirname(path), name)\n'
          '    with open(tmp, "w") as f:\n        f.write(data)\n    os.replace(tmp, path)\n')
CALLER = "from pkg.helpers import atomic_save\n\n\ndef save(data, path):\n    atomic_save(data, path, name='.part')\n"


def test_findings_that_need_another_file(tmp_path):
    """Issue 14: the helper is in another module and its parameter is not called tmp_*, so the file
    alone has nothing to report; flake8 reports what ``tmplint FILE`` does, through the CLI's cache."""
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "helpers.py").write_text(HELPER)
    (tmp_path / "pkg" / "jobs.py").write_text(CALLER)
    run = flake8(tmp_path, "--select", "TMP", "pkg/jobs.py")
    assert run.codes() == {(5, 34, "TMP101")}
    (report,) = run.reports
    assert report.text.startswith('temp name ".part" passed to atomic_save(), which renames it into place')
    assert report.text.endswith("at pkg/helpers.py:8; concurrent saves collide; fix in pkg/helpers.py:5")
    assert (tmp_path / ".tmplint_cache").is_dir()  # the cache beside pyproject.toml, as the CLI keeps it
    # noqa on the call is flake8's to apply, also for a finding that needs the other file
    (tmp_path / "pkg" / "jobs.py").write_text(CALLER.replace("'.part')", "'.part')  # noqa: TMP101"))
    assert flake8(tmp_path, "--select", "TMP", "pkg/jobs.py").codes() == set()
    assert flake8(tmp_path, "--select", "TMP", "--disable-noqa", "pkg/jobs.py").codes() == {(5, 34, "TMP101")}
