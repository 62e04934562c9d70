"""Globs match in time linear in the path (issue 17 item 6): the same answers as the regex they spell,
without its backtracking, in the real command and by the matcher's own count of its work."""

import re
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings, strategies as st

from tmplint.globs import Glob, glob_to_regex

REPO = Path(__file__).resolve().parent.parent
SEED = (REPO / "fixtures" / "fix" / "seed_helper.py").read_text()
DEEP_DIRS = "**/" * 8 + "zz"
MANY_STARS = "*a" * 40


@settings(max_examples=600, deadline=None)
@given(pattern=st.text(alphabet="ab/*?[]!-\\", max_size=9), text=st.text(alphabet="ab/-", max_size=8),
       crossing=st.booleans())
def test_the_matcher_answers_as_the_regex_it_spells(pattern, text, crossing):
    try:
        regex = re.compile(f"(?s:{glob_to_regex(pattern, slash_crossing=crossing)})\\Z")
    except re.error:
        return
    assert Glob(pattern, crossing).match(text) == bool(regex.match(text)), (pattern, text, crossing)


@given(pattern=st.text(alphabet="ab/*?", max_size=9), text=st.text(alphabet="ab/", max_size=8))
def test_a_prefix_is_literal_text_before_the_glob(pattern, text):
    regex = re.compile(f"(?s:{re.escape('/r[o]ot/')}{glob_to_regex(pattern)})\\Z")
    assert Glob(pattern, prefix="/r[o]ot/").match("/r[o]ot/" + text) == bool(regex.match("/r[o]ot/" + text))


def _work(pattern: str, text: str, crossing: bool = True) -> int:
    glob = Glob(pattern, crossing)
    assert not glob.match(text)
    return glob.work


def test_the_work_is_at_most_the_path_times_the_pattern():
    """A backtracking matcher tries every way to split the text among the wildcards: C(80, 40) for
    forty ``*a`` against forty ``a``. This one steps each character once over at most every position of
    the pattern (a ``**/`` is three), whatever the text."""
    cases = [(MANY_STARS + "*", crossing, ("a" + "b" * run) * 39) for crossing in (True, False) for run in (1, 10, 100)]
    cases += [(DEEP_DIRS, True, "d/" * depth + "azz") for depth in (40, 400, 4000)]
    for pattern, crossing, text in cases:
        assert 0 < _work(pattern, text, crossing) <= len(text) * (len(pattern) + 17), (pattern, len(text))


def test_dirs_and_names_still_match():
    assert Glob(DEEP_DIRS).match("d/" * 40 + "zz")
    assert Glob(DEEP_DIRS).match("zz")
    assert not Glob(DEEP_DIRS).match("d/" * 40 + "zzz")
    assert Glob(MANY_STARS).match("a" * 40)
    assert Glob(MANY_STARS, False).match("ba" * 40)
    assert not Glob(MANY_STARS, False).match("a" * 39 + "/a")
    assert not Glob("[z-a]*").match("zz")  # a reversed range matches nothing, as in git


def _run(tree: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command; a backtracking matcher would run for minutes here (measured: over one and over
    two), so the generous bound still fails it."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "tmplint", "--no-cache", *args], cwd=tree, capture_output=True,
                          text=True, timeout=120)
    assert time.monotonic() - started < 30, "a glob took more than linear time"
    return proc


def test_extend_exclude_with_many_double_stars_on_a_deep_tree(tmp_path):
    deep = tmp_path.joinpath(*["d"] * 40)
    deep.mkdir(parents=True)
    (deep / "kept.py").write_text(SEED)
    (deep / "zz").mkdir()
    (deep / "zz" / "excluded.py").write_text(SEED)
    (tmp_path / "pyproject.toml").write_text(f'[tool.tmplint]\nextend-exclude = ["{DEEP_DIRS}"]\n')
    proc = _run(tmp_path, ".")
    assert proc.returncode == 1, proc.stderr
    assert "kept.py" in proc.stdout and "excluded.py" not in proc.stdout


def test_per_file_ignores_and_gitignore_with_many_stars(tmp_path):
    name = "a" * 39 + "b.py"
    (tmp_path / name).write_text(SEED)
    (tmp_path / ("a" * 40 + ".py")).write_text(SEED)
    (tmp_path / ".gitignore").write_text(f"{MANY_STARS}.py\n")  # ignores the second file only
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.tmplint]\nper-file-ignores = {{"{MANY_STARS}" = ["TMP"], "{"*a" * 20}b.py" = ["TMP104"]}}\n')
    proc = _run(tmp_path, ".")
    assert proc.returncode == 1, proc.stderr
    reported = {line.split(":")[0] for line in proc.stdout.splitlines() if ": TMP" in line}
    assert reported == {name}
    assert ": TMP104 " not in proc.stdout and ": TMP101 " in proc.stdout
