"""CI lints the project's own code with ruff, under the configuration in pyproject.toml."""

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
