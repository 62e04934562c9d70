"""The README's two opening commands are the ones a newcomer pastes, and CI runs the second."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def opening_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)[:2]


def test_readme_opens_with_install_and_run_then_test():
    run, test = opening_commands()
    assert "pip install ." in run and "tmplint fixtures/" in run
    assert "pip install -e '.[test]'" in test and "pytest" in test


def test_ci_runs_exactly_the_readme_test_command():
    _, test = opening_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in script.splitlines()
