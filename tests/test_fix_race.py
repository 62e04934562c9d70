"""The race itself: concurrent saves through the code ``tmplint --fix`` wrote neither fail nor tear.

The seed case (``fixtures/fix/seed_helper.py``: ``_atomic_save(state, checkpoint_dir, file_name,
tmp_file_name)`` called with ``tmp_file_name=".tmp_generator"``) is fixed by the real fixer, and
``examples/race.py`` runs the load: writer processes save many states into one folder while a reader
process reads the final file over and over. The same load on the original code shows the bug, which is
what makes the zeros on the fixed code mean something.
"""

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("tmplint_example_race", REPO / "examples" / "race.py")
race = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(race)

PROCESSES, SAVES, ITEMS = 4, 50, 2000


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """label -> path of the original seed module and of the one the real fixer produced."""
    return race.prepare(str(tmp_path_factory.mktemp("seed")))


def test_fixed_seed_survives_concurrent_saves_and_reads(seed, tmp_path):
    result = race.run_load(seed["fixed"], str(tmp_path), PROCESSES, SAVES, ITEMS)
    assert result.saves == PROCESSES * SAVES
    assert result.failed == {}, f"saves failed through the fixed code: {result}"
    assert result.reads > 0, "the reader never read the file: the load proved nothing"
    assert result.torn == 0, f"torn reads through the fixed code: {result}"
    assert result.missing == 0, f"the final file was missing: {result}"
    assert result.leftover == [], f"temp files left behind: {result}"


def test_the_same_load_shows_the_bug_in_the_original(seed, tmp_path):
    """Without this the zeros above could come from a load too light to collide."""
    results = []
    for attempt in range(3):  # the bug shows on the first try in practice; retries absorb a freak quiet run
        work = tmp_path / f"attempt-{attempt}"
        work.mkdir()
        result = race.run_load(seed["original"], str(work), PROCESSES, SAVES // 2, ITEMS)
        results.append(result)
        if result.failed.get("FileNotFoundError") and result.torn:
            break
    assert results[-1].failed.get("FileNotFoundError") and results[-1].torn, f"no collision seen: {results}"
