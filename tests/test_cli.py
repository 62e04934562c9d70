"""The command line through main(argv): exit codes, selection, output, bad input."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tmplint.cli import main

SAVE = textwrap.dedent("""\
    import os
    def save(data):
        with open(".tmp_state", "w") as f:
            f.write(data)
        os.replace(".tmp_state", "state.json")
    """)
CLEAN = "import os, uuid\ndef save(d):\n    tmp = f'.{uuid.uuid4().hex}.tmp'\n    os.replace(tmp, 'x')\n"
WEAK = "import os\ndef save(path):\n    tmp = f'{path}.{os.getpid()}.tmp'\n    open(tmp, 'w').close()\n    os.replace(tmp, path)\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with a pyproject of its own, so this repository's config never leaks in."""
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_tree_exits_0(project, capsys):
    (project / "ok.py").write_text(CLEAN)
    code, out, err = run(capsys, ".")
    assert code == 0 and err == ""
    assert "All checks passed!" in out


def test_findings_exit_1_in_flake8_form(project, capsys):
    (project / "state.py").write_text(SAVE)
    code, out, _ = run(capsys, "state.py")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("state.py:5:16: TMP102 [*] ")
    assert out.splitlines()[-1] == "Found 1 error (1 fixable with --fix)."


def test_default_path_is_the_current_folder_and_output_is_sorted(project, capsys):
    (project / "b.py").write_text(SAVE)
    (project / "a.py").write_text(SAVE + "X = '/tmp/x'\nopen(X)\n")
    code, out, _ = run(capsys)
    lines = [line.split(" ")[0] for line in out.splitlines()[:-1]]
    assert code == 1
    assert lines == ["a.py:5:16:", "a.py:6:5:", "b.py:5:16:"]


def test_exit_zero_turns_only_findings_into_0(project, capsys):
    (project / "state.py").write_text(SAVE)
    assert run(capsys, "--exit-zero", "state.py")[0] == 0
    (project / "broken.py").write_text("def f(:\n    os.replace(a, b)\n")
    assert run(capsys, "--exit-zero", ".")[0] == 2


@pytest.mark.parametrize("argv, codes", [
    (["--select", "TMP201"], ["TMP201"]),
    (["--ignore", "TMP2"], ["TMP102"]),
    (["--select", "TMP1", "--ignore", "TMP102"], []),
    (["--extend-select", "TMP106"], ["TMP102", "TMP106", "TMP201"]),
    ([], ["TMP102", "TMP201"]),
])
def test_selection(project, capsys, argv, codes):
    (project / "m.py").write_text(SAVE + "X = '/tmp/x'\nopen(X)\n" + WEAK.replace("def save", "def save2"))
    _, out, _ = run(capsys, *argv, "m.py")
    assert sorted({line.split()[1] for line in out.splitlines()[:-1]}) == codes


def test_unknown_code_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, "--select", "XYZ1", ".")
    assert code == 2 and "not a tmplint rule code" in err


def test_config_file_selection_and_cli_override(project, capsys):
    (project / "pyproject.toml").write_text('[tool.tmplint]\nignore = ["TMP102"]\n')
    (project / "m.py").write_text(SAVE)
    assert run(capsys, "m.py")[0] == 0
    assert run(capsys, "--select", "TMP102", "m.py")[0] == 1


def test_bad_config_exits_2_naming_the_key(project, capsys):
    (project / "pyproject.toml").write_text('[tool.tmplint]\nselcet = ["TMP102"]\n')
    (project / "m.py").write_text(SAVE)
    code, out, err = run(capsys, "m.py")
    assert code == 2 and "selcet" in err and "Traceback" not in err


def test_bad_files_are_reported_and_the_rest_still_checked(project, capsys):
    (project / "broken.py").write_text("def f(:\n    os.replace(a, b)\n")
    (project / "latin.py").write_bytes(b"x = '\xff'\nos.replace(a, b)\n")
    (project / "binary.py").write_bytes(b"\x00\x01os.replace")
    (project / "good.py").write_text(SAVE)
    code, out, err = run(capsys, ".", "missing.py")
    assert code == 2
    assert "good.py:5:16: TMP102" in out
    reported = sorted(line.split(":")[0] for line in err.splitlines())
    assert reported == ["binary.py", "broken.py", "latin.py", "missing.py"]
    assert "missing.py: cannot analyse: No such file or directory" in err
    assert "Traceback" not in err


def test_default_excluded_folders_are_skipped(project, capsys):
    for folder in (".venv", "build", "node_modules", "__pycache__", ".tox"):
        (project / folder).mkdir()
        (project / folder / "m.py").write_text(SAVE)
    (project / "src").mkdir()
    (project / "src" / "m.py").write_text(SAVE)
    _, out, _ = run(capsys, ".")
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == [os.path.join("src", "m.py")]


def test_workers_give_the_same_report_as_one_process(project, capsys):
    for i in range(40):
        (project / f"m{i:02}.py").write_text(SAVE if i % 3 else CLEAN)
    serial = run(capsys, "--jobs", "1", ".")
    parallel = run(capsys, "--jobs", "2", ".")
    assert serial == parallel and serial[0] == 1
    assert len(serial[1].splitlines()) == 27  # 26 findings and the summary


def test_stdin_with_a_filename(project, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SAVE.encode())))
    code, out, _ = run(capsys, "-", "--stdin-filename", "pkg/state.py")
    assert code == 1 and out.startswith("pkg/state.py:5:16: TMP102")


def _stdin(monkeypatch, text):
    import io

    stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    return stdin


@pytest.mark.parametrize("flags", [[], ["--fix"], ["--diff"]])
def test_force_exclude_applies_to_stdin_filename(project, capsys, monkeypatch, flags):
    (project / "pyproject.toml").write_text('[tool.tmplint]\nexclude = ["gen"]\n')
    _stdin(monkeypatch, SAVE)
    forced = code, out, err = run(capsys, "--force-exclude", *flags, "-", "--stdin-filename", "gen/state.py")
    assert code == 0 and "TMP102" not in out + err and "uuid" not in out
    if flags == ["--fix"]:
        assert out == SAVE  # passed through unchanged, as ruff does
    _stdin(monkeypatch, SAVE)
    assert run(capsys, *flags, "-", "--stdin-filename", "gen/state.py") != forced  # excluded only when forced


HELPER_LOGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "fix", "helper_logs.py")


def test_diff_with_only_unsafe_fixes_gives_the_unsafe_fixes_hint(project, capsys, monkeypatch):
    """helper_logs.py's one fix is unsafe (the helper also logs its temp name)."""
    with open(HELPER_LOGS, encoding="utf-8") as handle:
        source = handle.read()
    (project / "helper_logs.py").write_text(source)
    hint = "(1 hidden fix can be enabled with the `--unsafe-fixes` option)"
    code, out, err = run(capsys, "--diff", "helper_logs.py")
    assert (code, out, err.splitlines()) == (0, "", ["No fixes to make.", hint])
    _stdin(monkeypatch, source)
    code, out, err = run(capsys, "--diff", "-", "--stdin-filename", "helper_logs.py")
    assert (code, out, err.splitlines()) == (0, "", ["No fixes to make.", hint])
    code, out, err = run(capsys, "--diff", "--unsafe-fixes", "helper_logs.py")
    assert code == 1 and "+import uuid" in out and err.splitlines() == ["Would fix 1 error in 1 file."]


def test_check_subcommand_is_the_same_as_no_subcommand(project, capsys):
    (project / "state.py").write_text(SAVE)
    plain = run(capsys, "--statistics", ".")
    assert plain[0] == 1
    assert run(capsys, "check", "--statistics", ".") == plain
    assert run(capsys, "check") == run(capsys)


def test_quiet_prints_the_findings_only(project, capsys, monkeypatch):
    (project / "state.py").write_text(SAVE)
    code, out, err = run(capsys, "--quiet", "state.py")
    assert code == 1 and err == "" and out.splitlines() == [run(capsys, "state.py")[1].splitlines()[0]]
    (project / "ok.py").write_text(CLEAN)
    assert run(capsys, "-q", "ok.py") == (0, "", "")
    code, out, err = run(capsys, "-q", "--diff", "state.py")
    assert code == 1 and "+import uuid" in out and err == ""
    with open(HELPER_LOGS, encoding="utf-8") as handle:
        unsafe_only = handle.read()
    _stdin(monkeypatch, unsafe_only)
    code, out, err = run(capsys, "-q", "--fix", "-", "--stdin-filename", "helper_logs.py")
    assert code == 1 and out == unsafe_only
    assert len(err.splitlines()) == 1 and err.startswith("helper_logs.py:17:55: TMP101 ")  # no summary, no hint


def test_verbose_says_settings_files_and_why_each_was_or_was_not_parsed(project, capsys):
    (project / "pyproject.toml").write_text('[tool.tmplint]\nexclude = ["gen"]\n')
    (project / "state.py").write_text(SAVE)
    (project / "plain.py").write_text("x = 1\n")
    (project / "ok.py").write_text(CLEAN)
    (project / "gen").mkdir()
    (project / "gen" / "made.py").write_text(SAVE)
    code, out, err = run(capsys, "--verbose", "--force-exclude", "--no-cache", ".", "gen/made.py")
    assert code == 1 and out == run(capsys, "--force-exclude", "--no-cache", ".", "gen/made.py")[1]
    said = [line[len("tmplint: "):] for line in err.splitlines()]
    assert said == [
        f"settings: {project / 'pyproject.toml'}",
        f"project root: {project}",
        "cache: off (--no-cache)",
        "gen/made.py: skipped: matches exclude (--force-exclude)",
        "3 files to check",
        "ok.py: analysed: no findings",
        "plain.py: screened out: no rename, temp directory, mktemp or temp-name keyword",
        "state.py: analysed: 1 finding",
    ]


def test_quiet_and_verbose_exclude_each_other(project, capsys):
    code, _, err = run(capsys, "-q", "-v", ".")
    assert code == 2 and "not allowed with" in err


def test_statistics_and_json(project, capsys):
    (project / "m.py").write_text(SAVE + "X = '/tmp/x'\nopen(X)\n")
    _, out, _ = run(capsys, "--statistics", "m.py")
    assert out.splitlines()[:2] == ["1\tTMP102\t[*] constant-tmp-name", "1\tTMP201\t[ ] hardcoded-shared-tmp-path"]
    _, out, _ = run(capsys, "--format", "json", "m.py")
    assert [(d["code"], d["line"], d["column"]) for d in json.loads(out)] == [("TMP102", 5, 16), ("TMP201", 6, 5)]


def test_output_file(project, capsys):
    (project / "m.py").write_text(SAVE)
    code, out, _ = run(capsys, "--output-file", "report.txt", "m.py")
    assert code == 1 and out == ""
    assert (project / "report.txt").read_text().startswith("m.py:5:16: TMP102")


def test_output_file_in_a_missing_folder_creates_the_folder(project, capsys):
    (project / "m.py").write_text(SAVE)
    code, out, err = run(capsys, "--output-file", "missing/dir/out.txt", "m.py")
    assert code == 1 and out == "" and err == ""
    assert (project / "missing" / "dir" / "out.txt").read_text().startswith("m.py:5:16: TMP102")


def test_output_file_that_cannot_be_written_is_a_clear_error(project, capsys):
    (project / "m.py").write_text(SAVE)
    (project / "taken").mkdir()
    code, _, err = run(capsys, "--output-file", "taken", "m.py")
    assert code == 2 and err.startswith("tmplint: error: cannot write taken: ")


def test_output_format_concise_is_text_and_full_shows_the_source_line(project, capsys, monkeypatch):
    (project / "state.py").write_text(SAVE)
    text = run(capsys, "--format", "text", "state.py")
    assert run(capsys, "--output-format", "concise", "state.py") == text
    code, out, _ = run(capsys, "--output-format=full", "state.py")
    finding = text[1].splitlines()[0]
    assert code == 1 and out.splitlines()[:6] == [
        finding,
        "  |",
        '5 |     os.replace(".tmp_state", "state.json")',
        "  |                ^^^^^^^^^^^^",
        "  |",
        "",
    ]
    assert out.splitlines()[6:] == text[1].splitlines()[1:]
    _stdin(monkeypatch, SAVE)  # stdin's own text, not a file of that name on disk
    code, out, _ = run(capsys, "--format", "full", "-", "--stdin-filename", "elsewhere/state.py")
    assert code == 1 and out.splitlines()[2] == '5 |     os.replace(".tmp_state", "state.json")'


def test_version_and_list_rules(capsys):
    from tmplint import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"tmplint {__version__}"
    code, out, _ = run(capsys, "--list-rules")
    assert code == 0 and "TMP101" in out and "TMP202" in out


@pytest.mark.parametrize("rule", ["TMP102", "tmp102", "constant-tmp-name", "constant_tmp_name"])
def test_explain_takes_a_code_or_a_rule_name(capsys, rule):
    code, out, _ = run(capsys, "--explain", rule)
    assert code == 0 and out.startswith("TMP102 (constant-tmp-name)\n")


def test_explain_unknown_rule_is_a_usage_error(capsys):
    code, out, err = run(capsys, "--explain", "no-such-rule")
    assert code == 2 and out == "" and "unknown rule code or name 'no-such-rule'" in err


def test_python_dash_m_runs_the_cli(project):
    (project / "m.py").write_text(SAVE)
    done = subprocess.run([sys.executable, "-m", "tmplint", "m.py"], capture_output=True, text=True, cwd=project)
    assert done.returncode == 1 and "m.py:5:16: TMP102" in done.stdout


def test_the_command_exits_at_once_with_its_output_and_code(project):
    """The ``tmplint`` command (``cli.run``) skips the interpreter's teardown: what it printed, to
    stdout or a file, must still all arrive, and the exit code be main's (the wheel's entry point:
    test_packaging)."""
    (project / "m.py").write_text(SAVE)
    command = [sys.executable, "-c", "from tmplint.cli import run; run()"]
    done = subprocess.run(command + ["m.py"], capture_output=True, text=True, cwd=project)
    assert done.returncode == 1 and "m.py:5:16: TMP102" in done.stdout and done.stdout.endswith("\n")
    done = subprocess.run(command + ["--format", "json", "--output-file", "out.json", "m.py"],
                          capture_output=True, text=True, cwd=project)
    assert done.returncode == 1 and json.loads((project / "out.json").read_text())[0]["code"] == "TMP102"
    assert subprocess.run(command + ["--exit-zero", "m.py"], capture_output=True, cwd=project).returncode == 0


def test_config_is_found_inside_a_named_folder(tmp_path, monkeypatch, capsys):
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.tmplint]\nignore = ["TMP102"]\n')
    (sub / "m.py").write_text(SAVE)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "proj")[0] == 0
