"""CI lints the project's own code with ruff and type-checks tmplint/ with mypy, under the configuration in
pyproject.toml."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def ruff(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=str(REPO), input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_ruff_check_is_clean_on_tmplint_and_its_tests():
    done = ruff("check", "--no-cache", "tmplint", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_configuration_is_the_one_applied():
    """Not vacuous: pyproject's selection is read (bugbear on; ruff's wider default, which rewrites
    ``List[int]`` annotations, off)."""
    code = "from typing import List\n\n\ndef f(x: List[int] = []) -> List[int]:\n    return x\n"
    done = ruff("check", "--no-cache", "--output-format", "concise", "--stdin-filename", "tmplint/x.py", "-", stdin=code)
    assert done.returncode == 1
    assert "B006" in done.stdout and "UP006" not in done.stdout
    assert "UP006" in ruff("check", "--no-cache", "--isolated", "--select", "UP006", "--target-version", "py39",
                           "--stdin-filename", "x.py", "-", stdin=code).stdout


def mypy(*args, cwd=REPO, tmp):
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp / "mypy_cache"), *args],
                          cwd=str(cwd), capture_output=True, text=True, timeout=600)


def test_mypy_is_clean_on_tmplint(tmp_path):
    done = mypy("tmplint", tmp=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_reads_the_configuration(tmp_path):
    """Not vacuous: pyproject's [tool.mypy] is read (Python 3.9 as the target, so ``X | Y`` at run time is an
    error), and an error in a checked module fails the run."""
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    (tmp_path / "tmplint").mkdir()
    (tmp_path / "tmplint" / "bad.py").write_text("x: int = 'a'\nY = int | None\n")
    done = mypy("tmplint", cwd=tmp_path, tmp=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bad.py:1: error" in done.stdout and "bad.py:2: error" in done.stdout, done.stdout
