"""What tmplint does on a terminal and off it: the progress line on stderr, and colour (``--color``,
``NO_COLOR``, ``FORCE_COLOR``), in real processes with a pseudo-terminal (``pty``) where a terminal is meant."""

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    shutil.copytree(REPO / "fixtures" / "rules", tmp_path / "rules")
    return tmp_path


def environment(**values):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env["TERM"] = "xterm"
    env.update(values)
    return env


def run(cwd, *args, tty=(), env=None):
    """Run tmplint; the streams named in ``tty`` ("stdout", "stderr") are a pseudo-terminal, the others
    pipes. Returns (exit status, stdout bytes, stderr bytes)."""
    terminals = {}
    for name in tty:
        terminals[name] = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tmplint", "--no-cache", *args], cwd=str(cwd),
                            env=env or environment(),
                            stdout=terminals["stdout"][1] if "stdout" in terminals else subprocess.PIPE,
                            stderr=terminals["stderr"][1] if "stderr" in terminals else subprocess.PIPE)
    for _, slave in terminals.values():
        os.close(slave)
    captured = {}
    for name, (master, _) in terminals.items():
        data = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            data += chunk
        os.close(master)
        captured[name] = data
    out, err = proc.communicate(timeout=300)
    return (proc.returncode, captured.get("stdout", out).replace(b"\r\n", b"\n"),
            captured.get("stderr", err))


PROGRESS = re.compile(rb"tmplint: (\d+)/(\d+) files")


def test_progress_on_a_terminal_only_and_erased(project):
    code, out, err = run(project, "rules", tty=("stderr",))
    assert code == 1
    counts = [(int(a), int(b)) for a, b in PROGRESS.findall(err)]
    assert counts and all(done <= total for done, total in counts)
    assert counts[-1][0] == counts[-1][1]  # it ends complete
    assert err.endswith(b"\r\x1b[2K")  # and is erased: the report alone stays on the screen
    piped_code, piped_out, piped_err = run(project, "rules")
    assert piped_code == 1 and piped_err == b"" and piped_out == out  # a pipe gets no progress
    assert not PROGRESS.search(out)


def test_no_progress_when_quiet_or_dumb(project):
    assert not PROGRESS.search(run(project, "--quiet", "rules", tty=("stderr",))[2])
    assert not PROGRESS.search(run(project, "rules", tty=("stderr",), env=environment(TERM="dumb"))[2])


@pytest.mark.parametrize("args, tty, env, coloured", [
    ((), (), {}, False),
    ((), ("stdout",), {}, True),
    ((), ("stdout",), {"NO_COLOR": "1"}, False),
    ((), (), {"FORCE_COLOR": "1"}, True),
    ((), (), {"FORCE_COLOR": ""}, False),  # an empty value means unset
    ((), (), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("--color", "always"), (), {}, True),
    (("--color", "always"), (), {"NO_COLOR": "1"}, True),  # the flag overrides the variables
    (("--color", "never"), ("stdout",), {}, False),
    (("--color", "never"), (), {"FORCE_COLOR": "1"}, False),
    (("--color=auto",), ("stdout",), {}, True),
], ids=["pipe", "tty", "tty-no-color", "force", "force-empty", "both", "always", "always-no-color",
        "never-tty", "never-force", "auto-tty"])
def test_colour(project, args, tty, env, coloured):
    code, out, _ = run(project, *args, "rules/TMP202.py", tty=tty, env=environment(**env))
    assert code == 1
    assert bool(ANSI.search(out.decode())) is coloured
    plain = run(project, "rules/TMP202.py")[1].decode()
    assert ANSI.sub("", out.decode()) == plain


def test_colour_is_for_the_text_formats_only(project):
    for fmt in ("json", "sarif", "github", "junit", "gitlab", "json-lines"):
        out = run(project, "--color", "always", "--format", fmt, "rules/TMP202.py")[1]
        assert b"\x1b" not in out, fmt


def test_output_file_is_plain_unless_always(project):
    run(project, "--output-file", "out.txt", "rules/TMP202.py", env=environment(FORCE_COLOR="1"))
    assert "\x1b" not in (project / "out.txt").read_text()
    run(project, "--color", "always", "--output-file", "out.txt", "rules/TMP202.py")
    assert "\x1b[" in (project / "out.txt").read_text()
