"""A fixed save that fails leaves nothing behind (rules.md, *No leak*).

A unique temp name means a failed save's temp file is never overwritten by the next one: without cleanup,
every crash would leave one more. Each runnable fixture that writes with ``open`` is fixed by the real
fixer; then its ``open`` is swapped for one that creates the file, writes part of the data and raises
(an exception, then a KeyboardInterrupt). The save must raise that same exception and leave the folder
exactly as the last good save left it. Among the fixtures: a plain function (``constant_join``), a helper
fixed once for its callers (``seed_helper``) and a method writing through a callable (``method_save``).
"""

import builtins

import pytest

from test_fix_behaviour import RUNNABLE, fixed_variants, fixture_config, import_copy, payload, snapshot

WITH_OPEN = [p for p in RUNNABLE if "open(" in p.read_text() and not p.stem.startswith("noop_")]
# Fixes that leave a failed save's temp file, and say so: the setting, or the unsafe fix's title.
LEAKING = {"no_cleanup": "fix-cleanup = false", "cleanup_not_one_block": "write and rename not in one block",
           "swallowed_rename": "a failed rename is ignored"}


class Interrupted(Exception):
    pass


def failing_open(exception: type):
    """``open`` whose files for writing raise ``exception`` after their first write reached the disk."""

    def open_(file, mode="r", *args, **kwargs):
        handle = builtins.open(file, mode, *args, **kwargs)
        if not any(flag in mode for flag in "wax"):
            return handle

        class Failing:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()
                return False

            def write(self, data):
                handle.write(data[: len(data) // 2])
                handle.flush()
                raise exception("disk pulled mid-save")

            def close(self):
                handle.close()

            def fileno(self):  # a lock file: flock() needs it
                return handle.fileno()

        return Failing()

    return open_


def test_the_fixtures_cover_a_function_a_helper_and_a_method():
    assert {"constant_join", "seed_helper", "method_save"} <= {p.stem for p in WITH_OPEN}


@pytest.mark.parametrize("exception", [Interrupted, KeyboardInterrupt], ids=["exception", "ctrl-c"])
@pytest.mark.parametrize("before", WITH_OPEN, ids=lambda p: p.stem)
def test_a_failed_save_leaves_no_temp_file(before, exception, tmp_path):
    config = fixture_config(before.read_text(), tmp_path / "config")
    variants = fixed_variants(before)
    assert variants, f"{before.name}: nothing fixed"
    for label, text in variants:
        module = import_copy(text, tmp_path / f"{label}-module", config)
        folder = tmp_path / f"{label}-out"
        folder.mkdir()
        module.save(str(folder), payload("good"))
        good = snapshot(folder)
        module.open = failing_open(exception)  # module globals come before builtins
        try:
            with pytest.raises(exception):
                module.save(str(folder), payload("failing"))
        finally:
            del module.open
        left = sorted(set(snapshot(folder)) - set(good))
        if before.stem in LEAKING:
            assert left, f"{before.name} is said to leak ({LEAKING[before.stem]}), and does not"
        else:
            assert snapshot(folder) == good, f"{label} fix: a failed save left {left}"


def test_without_the_fix_a_failed_save_leaves_its_temp_file(tmp_path):
    """The leak the cleanup prevents is real: the original code leaves the partial temp file."""
    before = next(p for p in WITH_OPEN if p.stem == "constant_join")
    module = import_copy(before.read_text(), tmp_path / "module", fixture_config(before.read_text(), tmp_path))
    folder = tmp_path / "out"
    folder.mkdir()
    module.save(str(folder), payload("good"))
    good = snapshot(folder)
    module.open = failing_open(Interrupted)
    with pytest.raises(Interrupted):
        module.save(str(folder), payload("failing"))
    assert set(snapshot(folder)) - set(good), "the original code was expected to leave its temp file"
