"""``tmplint --add-noqa``: every finding silenced where tmplint (and flake8) look, the files still parse,
and a second run changes nothing."""

import ast
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tmplint.noqa import add_noqa

REPO = Path(__file__).resolve().parent.parent


def tmplint(cwd, *args):
    return subprocess.run([sys.executable, "-m", "tmplint", "--no-cache", *args], cwd=str(cwd),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\nextend-select = [\"TMP106\"]\n")
    return tmp_path


def snapshot(folder):
    return {p: p.read_bytes() for p in sorted(folder.rglob("*.py"))}


def test_add_noqa_silences_every_finding_and_is_idempotent(project):
    shutil.copytree(REPO / "fixtures" / "rules", project / "rules")
    before = snapshot(project)
    first = tmplint(project, "rules")
    assert first.returncode == 1
    summary = next(line for line in first.stdout.splitlines() if line.startswith("Found "))
    findings = int(summary.split()[1])  # "Found N errors ..." (a hint about unsafe fixes may follow)
    lines = {tuple(line.split(":")[:2]) for line in first.stdout.splitlines() if ": TMP" in line}

    added = tmplint(project, "--add-noqa", "rules")
    assert added.returncode == 0, added.stderr
    count = int(added.stderr.strip().splitlines()[-1].split()[1])  # "Added N noqa directives."
    assert count == len(lines) and findings > count  # two findings on one line share a directive
    after = snapshot(project)
    changed_lines = 0
    for path, data in after.items():
        text = data.decode("utf-8")
        ast.parse(text)
        old, new = before[path].decode("utf-8").splitlines(), text.splitlines()
        assert len(old) == len(new)
        for a, b in zip(old, new):
            if a != b:
                changed_lines += 1
                assert b.startswith(a.rstrip()) and "# noqa: TMP" in b[len(a.rstrip()):]
    assert changed_lines == count

    clean = tmplint(project, "rules")
    assert clean.returncode == 0 and clean.stdout.strip() == "All checks passed!", clean.stdout
    again = tmplint(project, "--add-noqa", "rules")
    assert again.returncode == 0 and again.stderr.strip() == "Added 0 noqa directives."
    assert snapshot(project) == after


MULTILINE = textwrap.dedent('''\
    import shutil


    def clean():
        shutil.rmtree("""/tmp/work
    dir""")
        shutil.rmtree(
            "/tmp/cache"
            "/x",
        )
        x = 1 + \\
            open("/tmp/a.txt", "w").write("x")
        return x
    ''')

MULTILINE_SILENCED = textwrap.dedent('''\
    import shutil


    def clean():
        shutil.rmtree("""/tmp/work
    dir""")  # noqa: TMP201
        shutil.rmtree(
            "/tmp/cache"  # noqa: TMP201
            "/x",
        )
        x = 1 + \\
            open("/tmp/a.txt", "w").write("x")  # noqa: TMP201
        return x
    ''')


def test_placement_in_strings_and_continuations_as_ruff(project):
    """A line inside a multi-line string or a backslash continuation takes its directive at the end of
    the last line of that run; a line of a bracketed statement takes it on itself."""
    path = project / "m.py"
    path.write_text(MULTILINE)
    assert tmplint(project, "m.py").stdout.count("TMP201") == 3
    assert tmplint(project, "--add-noqa", "m.py").returncode == 0
    assert path.read_text() == MULTILINE_SILENCED
    assert tmplint(project, "m.py").returncode == 0


def test_merges_into_an_existing_directive_and_keeps_the_files_bytes(project):
    source = ('import os\r\n\r\n\r\ndef save(data):\r\n'
              '    with open(".tmp_state", "w") as f:  # keep me\r\n'
              '        f.write(data)\r\n'
              '    os.replace(".tmp_state", "state.json")  # noqa: E501 (long)\r\n'
              '    open("/tmp/café.txt", "w")\r\n')
    path = project / "m.py"
    path.write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    os.chmod(path, 0o640)
    assert tmplint(project, "--add-noqa", "m.py").returncode == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and oct(os.stat(path).st_mode & 0o777) == "0o640"
    assert data[3:].decode("utf-8") == source.replace(
        '"state.json")  # noqa: E501 (long)', '"state.json")  # noqa: E501, TMP102 (long)').replace(
        'open("/tmp/café.txt", "w")', 'open("/tmp/café.txt", "w")  # noqa: TMP201')
    assert tmplint(project, "m.py").returncode == 0


def test_refuses_stdin_and_fix(project):
    (project / "m.py").write_text("import tempfile\ntempfile.mktemp()\n")
    done = subprocess.run([sys.executable, "-m", "tmplint", "--add-noqa", "-"], cwd=str(project), input="x = 1\n",
                          capture_output=True, text=True)
    assert done.returncode == 2 and "--add-noqa" in done.stderr
    assert tmplint(project, "--add-noqa", "--fix", "m.py").returncode == 2
    assert (project / "m.py").read_text() == "import tempfile\ntempfile.mktemp()\n"


def test_never_writes_through_a_link_out_of_the_tree(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "victim.py"
    outside.write_text("import tempfile\ntempfile.mktemp()\n")
    (project / "src").mkdir()
    (project / "src" / "link.py").symlink_to(outside)
    done = tmplint(project, "--add-noqa", "src")
    assert done.returncode == 2 and "no noqa added" in done.stderr
    assert outside.read_text() == "import tempfile\ntempfile.mktemp()\n"


@pytest.mark.parametrize("source, findings, expected", [
    ("x = 1\n", [(1, "TMP102"), (1, "TMP101")], "x = 1  # noqa: TMP101, TMP102\n"),
    ("x = 1   \n", [(1, "TMP102")], "x = 1  # noqa: TMP102\n"),
    ("x = 1  # note\n", [(1, "TMP102")], "x = 1  # note  # noqa: TMP102\n"),
    ("x = 1  # NOQA:e501\n", [(1, "TMP102")], "x = 1  # noqa: e501, TMP102\n"),
    ("x = 1  # noqa: TMP1\n", [(1, "TMP102")], "x = 1  # noqa: TMP1\n"),  # a prefix covers it already
    ("x = 1  # noqa\n", [(1, "TMP102")], "x = 1  # noqa\n"),
    ("x = 1", [(1, "TMP102")], "x = 1  # noqa: TMP102"),
    ("a = 1\rb = 2\r", [(2, "TMP102")], "a = 1\rb = 2  # noqa: TMP102\r"),
    # a directive in a string is what flake8 reads first: nothing written can silence the line
    ('s = "# noqa: E1"; t = 1\n', [(1, "TMP102")], 's = "# noqa: E1"; t = 1\n'),
    ('s = "# noqa: E1"  # noqa: W2\n', [(1, "TMP102")], 's = "# noqa: E1"  # noqa: W2\n'),
    ("def f(\n    a='/tmp/x',\n):\n    pass\n", [(2, "TMP201")], "def f(\n    a='/tmp/x',  # noqa: TMP201\n):\n    pass\n"),
])
def test_add_noqa_text(source, findings, expected):
    assert add_noqa(source, findings)[0] == expected
    assert add_noqa(expected, findings)[0] == expected


def test_a_line_no_comment_can_silence_is_named_and_fails(project):
    (project / "m.py").write_text('import tempfile\nnote = "# noqa: E1"; tempfile.mktemp()\n')
    done = tmplint(project, "--add-noqa", "m.py")
    assert done.returncode == 1
    assert "m.py:2: no noqa added: a `# noqa` inside a string" in done.stderr
    assert (project / "m.py").read_text() == 'import tempfile\nnote = "# noqa: E1"; tempfile.mktemp()\n'
    assert tmplint(project, "--add-noqa", "--exit-zero", "m.py").returncode == 0
