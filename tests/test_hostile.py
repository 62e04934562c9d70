"""Hostile conditions (issue 17): links out of the tree, special and huge files, killed runs.

Each case runs the real ``tmplint`` command in a child process on files made for it.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "fixtures" / "fix" / "seed_helper.py").read_text()


def tmplint_argv(*args: str) -> List[str]:
    return [sys.executable, "-m", "tmplint", *args]


def test_fix_does_not_write_outside_the_tree_through_a_symlink(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text(SEED)
    (tree / "innocent.py").symlink_to(os.path.join("..", "outside", "victim.py"))
    (tree / "own.py").write_text(SEED)
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", "."), cwd=tree, capture_output=True, text=True,
                          timeout=300)
    assert victim.read_text() == SEED, "the file outside the tree was rewritten"
    assert (tree / "innocent.py").is_symlink()
    assert "uuid.uuid4().hex" in (tree / "own.py").read_text(), "the tree's own file is still fixed"
    assert proc.returncode == 2, proc
    assert f"innocent.py: cannot analyse: not fixed: a symlink to {victim.resolve()}, outside the folders named" \
        in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_fix_through_a_named_file_link_pointing_out_is_refused_too(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "victim.py").write_text(SEED)
    (tree / "innocent.py").symlink_to(outside / "victim.py")
    proc = subprocess.run(tmplint_argv("--fix", "--no-cache", "innocent.py"), cwd=tree, capture_output=True,
                          text=True, timeout=300)
    assert (outside / "victim.py").read_text() == SEED
    assert proc.returncode == 2 and "outside the folders named" in proc.stderr, proc
