"""The hooks of .pre-commit-hooks.yaml (``tmplint``, ``tmplint-fix``), installed and run by the real pre-commit.

pre-commit builds the hook's environment from this checkout (uncommitted changes to tracked files
included) and needs PyPI for that. Without network these tests fail with pre-commit's output: a
hook nobody could install is a broken hook, not a skipped test.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tmplint.fix import fix_text

REPO_ROOT = Path(__file__).resolve().parent.parent

# pre-commit try-repo clones a git repository: an unpacked sdist is none.
pytestmark = pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="needs a git checkout, not an sdist")

CONSTANT_NAME = (
    "import os\n"
    'with open(".tmp_state", "w") as f:\n'
    '    f.write("x")\n'
    'os.replace(".tmp_state", "state.json")\n'
)
CLEAN = (
    "import os\n"
    "import tempfile\n"
    'fd, tmp = tempfile.mkstemp(dir=".")\n'
    'with os.fdopen(fd, "w") as f:\n'
    '    f.write("x")\n'
    'os.replace(tmp, "state.json")\n'
)


def clean_env(**extra: str) -> dict:
    # GIT_DIR/GIT_INDEX_FILE from a surrounding git hook would point git at the wrong repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    """One PRE_COMMIT_HOME for the module, so the hook environment is built once per checkout state."""
    return tmp_path_factory.mktemp("pre-commit-home")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=clean_env(), check=True, capture_output=True, text=True)


def make_repo(path: Path, files: dict) -> Path:
    path.mkdir()
    git(path, "init", "-q")
    git(path, "config", "user.email", "tmplint-tests@example.invalid")
    git(path, "config", "user.name", "tmplint tests")
    git(path, "config", "commit.gpgsign", "false")
    for name, source in files.items():
        (path / name).write_text(source)
    git(path, "add", "--", *files)
    git(path, "commit", "-q", "--no-verify", "-m", "sample")
    return path


def try_repo(repo: Path, home: Path, hook: str = "tmplint") -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO_ROOT), hook]
    argv += ["--all-files", "--color", "never"]
    return subprocess.run(
        argv, cwd=repo, env=clean_env(PRE_COMMIT_HOME=str(home)), capture_output=True, text=True, timeout=1200
    )


def explain(proc: subprocess.CompletedProcess, home: Path) -> str:
    log = home / "pre-commit.log"
    logged = log.read_text() if log.exists() else "(no pre-commit.log)"
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}\n--- pre-commit.log\n{logged}"


def test_hook_fails_and_reports_a_constant_temp_name(tmp_path, pre_commit_home):
    repo = make_repo(tmp_path / "repo", {"save_state.py": CONSTANT_NAME, "clean.py": CLEAN})
    proc = try_repo(repo, pre_commit_home)
    assert proc.returncode == 1, explain(proc, pre_commit_home)
    assert re.search(r"^save_state\.py:\d+:\d+: TMP102 ", proc.stdout, re.MULTILINE), explain(proc, pre_commit_home)
    assert "clean.py:" not in proc.stdout, explain(proc, pre_commit_home)


def test_hook_passes_on_clean_files(tmp_path, pre_commit_home):
    repo = make_repo(tmp_path / "repo", {"clean.py": CLEAN})
    proc = try_repo(repo, pre_commit_home)
    assert proc.returncode == 0, explain(proc, pre_commit_home)
    assert re.search(r"^tmplint\.+Passed$", proc.stdout, re.MULTILINE), explain(proc, pre_commit_home)


def test_fix_hook_rewrites_the_file_and_stops_the_commit_then_passes(tmp_path, pre_commit_home):
    repo = make_repo(tmp_path / "repo", {"save_state.py": CONSTANT_NAME, "clean.py": CLEAN})
    proc = try_repo(repo, pre_commit_home, "tmplint-fix")
    assert proc.returncode == 1, explain(proc, pre_commit_home)
    assert "- files were modified by this hook" in proc.stdout, explain(proc, pre_commit_home)
    fixed = (repo / "save_state.py").read_text()
    assert "uuid.uuid4().hex" in fixed and fixed == fix_text(CONSTANT_NAME, "save_state.py").text
    assert (repo / "clean.py").read_text() == CLEAN
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, env=clean_env(), capture_output=True,
                            text=True, check=True).stdout
    assert status == " M save_state.py\n", status  # the fix, and no temp file beside it
    again = try_repo(repo, pre_commit_home, "tmplint-fix")
    assert again.returncode == 0, explain(again, pre_commit_home)
    assert re.search(r"^tmplint \(fix\)\.+Passed$", again.stdout, re.MULTILINE), explain(again, pre_commit_home)
