"""The worker pool: a worker that dies or hangs costs one file, results keep their order, --jobs holds.

LibCST 1.9's native parser no longer crashes on the inputs the parser guard lets through: a
30,000-string implicit concatenation raises a Python exception, a 10,000-term ``+`` chain runs for
minutes (the guard stops both long before). So the tests make the parser crash on purpose: a
``sitecustomize`` module on ``PYTHONPATH`` replaces ``libcst.parse_module``, in every Python process
started from the test, with one that kills its own process with SIGSEGV, as a native crash does, when
the source holds a marker (or sleeps, for the time limit, or takes 1 GB, for the memory limit). Spawned workers load it from the
environment; forked ones inherit it from the test process, where the fixture installs it too. Nothing
in tmplint knows about it.
"""

import os
import sys
import textwrap
import time

import libcst
import pytest

from tmplint import runner
from tmplint.cli import main

SAVE = "import os\ndef save(data):\n    with open('.tmp_state', 'w') as f:\n        f.write(data)\n" \
       "    os.replace('.tmp_state', 'state.json')\n"
FILES = 16
SITECUSTOMIZE = textwrap.dedent("""\
    import os, signal, time
    import libcst

    real = libcst.parse_module

    def parse_module(text, *args, **kwargs):
        if "CRASH-ME" in text:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "HANG-ME" in text:
            time.sleep(60)
        if "HOG-ME" in text:
            hog = [bytearray(64 << 20) for _ in range(16)]  # 1 GB, as a pathological tree might take
        return real(text, *args, **kwargs)

    libcst.parse_module = parse_module
    """)


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.tmplint]\n")
    monkeypatch.chdir(root)
    for n in range(FILES):
        (root / f"m{n:02}.py").write_text(SAVE)
    return root


@pytest.fixture
def crashing_parser(tmp_path, monkeypatch):
    """Workers started from now on parse with a parser that crashes on CRASH-ME and hangs on HANG-ME:
    forked ones inherit it from this process, spawned ones load it through ``sitecustomize``."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site)] + sys.path))
    real = libcst.parse_module
    scope = {}
    exec(compile(SITECUSTOMIZE, "sitecustomize.py", "exec"), scope)  # defines parse_module and installs it
    libcst.parse_module = real
    monkeypatch.setattr(libcst, "parse_module", scope["parse_module"])


def run(capsys, *argv):
    code = main(["--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def use_check_job(monkeypatch, job):
    """The run checks each file with ``job`` (registered as the per-file check is), without the index."""
    monkeypatch.setitem(runner.KINDS, job, runner.KINDS[runner.check_job])
    monkeypatch.setattr(runner, "_project_jobs", lambda: None)
    monkeypatch.setattr(runner, "check_job", job)


def finding_paths(out):
    return [line.split(":")[0] for line in out.splitlines() if " TMP" in line]


@pytest.mark.parametrize("culprit, method", [("m00.py", "fork"), ("m15.py", "spawn")])
def test_a_crashing_file_costs_only_that_file(project, crashing_parser, capsys, monkeypatch, culprit, method):
    """Workers are forked while the main process is small, spawned once it has grown: both ways."""
    (project / culprit).write_text(SAVE + "# CRASH-ME\n")
    monkeypatch.setattr(runner.Pool, "start_method", lambda self: method)
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert code == 2
    assert err == f"{culprit}: cannot analyse: the parser crashed (worker process died)\n"
    assert "Traceback" not in out + err
    expected = sorted(f"m{n:02}.py" for n in range(FILES) if f"m{n:02}.py" != culprit)
    assert finding_paths(out) == expected  # every other file checked, in order


def test_two_crashing_files_in_one_run(project, crashing_parser, capsys):
    for name in ("m03.py", "m04.py"):
        (project / name).write_text(SAVE + "# CRASH-ME\n")
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert code == 2
    assert err.splitlines() == [f"{n}: cannot analyse: the parser crashed (worker process died)"
                                for n in ("m03.py", "m04.py")]
    assert len(finding_paths(out)) == FILES - 2


def test_a_crash_is_not_cached(project, crashing_parser, capsys, monkeypatch):
    (project / "m05.py").write_text(SAVE + "# CRASH-ME\n")
    assert main(["--jobs", "2", "."]) == 2
    monkeypatch.undo()  # the parser works again
    monkeypatch.chdir(project)
    capsys.readouterr()
    assert main(["--jobs", "2", "."]) == 1  # the crash may have come from outside: asked again
    assert len(finding_paths(capsys.readouterr()[0])) == FILES


def test_a_file_that_hangs_is_stopped(project, crashing_parser, capsys, monkeypatch):
    (project / "m07.py").write_text(SAVE + "# HANG-ME\n")
    monkeypatch.setattr(runner, "TIME_LIMIT", 5.0)
    started = time.monotonic()
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert time.monotonic() - started < 40
    assert code == 2
    assert err == "m07.py: cannot analyse: took longer than 5 s (worker stopped)\n"
    assert len(finding_paths(out)) == FILES - 1


REAL_CHECK = runner.check_job


def buggy_check(job):
    """The per-file job with a bug that shows on one file."""
    if job.path.endswith("m09.py"):
        raise ZeroDivisionError("a bug")
    return REAL_CHECK(job)


def test_a_bug_on_one_file_is_reported_for_that_file(project, capsys, monkeypatch):
    """An exception that escapes a job (the engine turns the parser's own into TMP000) is that file's
    TMP000, not the run's traceback. The workers run the job they are sent, so the test sends a
    buggy one."""
    (project / "m09.py").write_text(SAVE + "# BUG\n")
    use_check_job(monkeypatch, buggy_check)
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert code == 2
    assert err.startswith("m09.py: cannot analyse: internal error (ZeroDivisionError: a bug)")
    assert "Traceback" not in err
    assert len(finding_paths(out)) == FILES - 1


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_file_that_takes_too_much_memory_costs_only_that_file(project, crashing_parser, capsys, monkeypatch,
                                                                 method):
    """A worker's address space may grow by WORKER_MEMORY only: past it the file is a TMP000, not swap."""
    (project / "m06.py").write_text(SAVE + "# HOG-ME\n")
    monkeypatch.setattr(runner, "WORKER_MEMORY", 256 * 1024 * 1024)
    monkeypatch.setattr(runner.Pool, "start_method", lambda self: method)
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert code == 2
    assert err == "m06.py: cannot analyse: out of memory while parsing\n"
    assert len(finding_paths(out)) == FILES - 1


def hungry_check(job):
    """The per-file job running out of memory past the parser, on one file."""
    if job.path.endswith("m09.py"):
        raise MemoryError
    return REAL_CHECK(job)


def test_running_out_of_memory_past_the_parser_is_reported_for_that_file(project, capsys, monkeypatch):
    use_check_job(monkeypatch, hungry_check)
    code, out, err = run(capsys, "--jobs", "2", ".")
    assert code == 2
    assert err == f"m09.py: cannot analyse: out of memory (a worker may grow by {runner.WORKER_MEMORY >> 20} MB)\n"
    assert len(finding_paths(out)) == FILES - 1


def test_same_findings_in_the_same_order_whatever_the_jobs(project, capsys):
    (project / "big.py").write_text(SAVE + "X = 1\n" * 500)  # scheduled first: biggest first
    serial = run(capsys, "--jobs", "1", ".")
    assert finding_paths(serial[1])[0] == "big.py"
    for jobs in ("2", "3"):
        assert run(capsys, "--jobs", jobs, ".") == serial


def test_jobs_is_the_number_of_workers(project, monkeypatch):
    started = []
    real = runner.Pool.map

    def spy(self, *args):
        out = real(self, *args)
        started.append(self.started)
        return out

    monkeypatch.setattr(runner.Pool, "map", spy)
    assert main(["--no-cache", "--jobs", "1", "."]) == 1
    assert set(started) == {1}
    started.clear()
    assert main(["--no-cache", "--jobs", "2", "."]) == 1
    assert max(started) == 2


def test_workers_whose_memory_grew_are_replaced(project, capsys, monkeypatch):
    """After a file a worker that grew by RETIRE_GROWTH is stopped and a fresh one takes the next task, so a
    big tree's memory does not stay with the run."""
    pools = []
    real_init = runner.Pool.__init__

    def keep(self, jobs):
        real_init(self, jobs)
        pools.append(self)

    monkeypatch.setattr(runner.Pool, "__init__", keep)
    for path in sorted(project.glob("m*.py"))[6:]:
        path.unlink()
    expected = run(capsys, "--jobs", "2", ".")
    monkeypatch.setattr(runner, "RETIRE_GROWTH", -2 ** 62)
    assert run(capsys, "--jobs", "2", ".") == expected
    assert pools[0].started <= 2 < pools[-1].started


def pid_job(item):
    return os.getpid()


def test_idle_workers_that_kept_a_big_heap_are_stopped_between_maps(monkeypatch):
    """Between maps this process is at its largest; a worker that kept a big tree's heap is not kept
    idle beside it: the next map starts a fresh one."""
    pool = runner.Pool(2)

    def run_map():
        return set(pool.map(pid_job, list(range(8)), list(range(8)), runner._no_fallback, 0))

    monkeypatch.setattr(runner, "IDLE_GROWTH", 2 ** 62)
    try:
        first = run_map()
        assert run_map() <= first and pool.idle  # small workers wait for the next map
        monkeypatch.setattr(runner, "IDLE_GROWTH", -2 ** 62)
        last = run_map()
        assert pool.idle == []
        assert not run_map() & last
    finally:
        pool.close()


def test_workers_are_spawned_once_the_main_process_has_grown(monkeypatch):
    """A forked worker shares the main process's pages and RSS counts them once per process, so once
    the main process holds the results of many files, new workers start fresh instead."""
    size = [100 * 2 ** 20]
    monkeypatch.setattr(runner, "_rss", lambda: size[0])
    pool = runner.Pool(2)
    assert pool.start_method() == "fork"
    size[0] += runner.FORK_GROWTH + 1
    assert pool.start_method() == "spawn"


def timed_job(path):
    """Stays busy for a while and says when: the test below looks at which items ran side by side."""
    start = time.monotonic()
    time.sleep(0.3)
    return start, time.monotonic()


def _timed_spans(tmp_path, monkeypatch, files, weight=None, heavy=1000, room=0):
    """Run ``timed_job`` over ``files`` (name -> text) in two workers with a parse budget of 1,000 bytes
    (and tasks of their own above ``heavy``); when each ran, by name. ``weight``: a job's weight by
    its path (None: the file's size); ``room``: the bytes of RSS the processes leave under the ceiling."""
    monkeypatch.setattr(runner, "HEAVY_BYTES", heavy)
    monkeypatch.setattr(runner, "PARSE_BUDGET", 1000)
    monkeypatch.setattr(runner, "TREE_COST", 1)
    monkeypatch.setattr(runner.Pool, "_used", lambda self, busy: runner.MEMORY_CEILING - room)
    monkeypatch.setitem(runner.KINDS, timed_job, runner._Kind(key=lambda path: (path, ("timed",)),
                                                              failed=lambda path, reason: None,
                                                              safe=lambda path: False, weight=weight))
    paths = []
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text)
        paths.append(str(tmp_path / f"{name}.py"))
    mapper = runner.Mapper(2, None)
    try:
        return dict(zip(files, mapper(timed_job, paths)))
    finally:
        mapper.close()


def _overlap(spans, a, b):
    return spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]


def test_big_files_run_alone_and_the_rest_side_by_side(tmp_path, monkeypatch):
    """Two big trees at once took a run past its memory target: files above PARSE_BUDGET run one at a
    time with nothing beside them; the others still run in parallel."""
    big = {f"big{n}": "x = 1\n" * 400 for n in range(3)}  # 2,400 bytes
    small = {f"small{n}": "x = 1\n" for n in range(6)}
    spans = _timed_spans(tmp_path, monkeypatch, {**big, **small})
    for name in big:
        assert not any(_overlap(spans, name, other) for other in spans if other != name), name
    assert any(_overlap(spans, a, b) for a in small for b in small if a < b)


def test_a_big_file_that_hands_libcst_little_runs_side_by_side(tmp_path, monkeypatch):
    """What counts is what a job may hand LibCST (``project.job_weight``): a big file's first reading
    (the standard parser's sketch) or a reduced parse runs beside others; its whole parse does not."""
    spans = _timed_spans(tmp_path, monkeypatch, {name: "x = 1\n" * 400 for name in ("light0", "light1", "heavy0")},
                         weight=lambda path: 10 if "light" in path else None)  # 2,400 bytes each
    assert _overlap(spans, "light0", "light1")
    assert not any(_overlap(spans, "heavy0", light) for light in ("light0", "light1"))


def test_a_heavy_file_runs_beside_light_ones_while_the_budget_holds(tmp_path, monkeypatch):
    """The budget is what runs at once, summed: a job over HEAVY_BYTES but within PARSE_BUDGET runs
    beside a light one (a line per job had left the other core idle through every big parse), and two
    such jobs, whose sum is over the budget, never run side by side."""
    spans = _timed_spans(tmp_path, monkeypatch, {name: "x = 1\n" for name in ("heavy0", "heavy1", "light0", "light1")},
                         weight=lambda path: 10 if "light" in path else 600, heavy=500)
    assert not _overlap(spans, "heavy0", "heavy1")
    assert any(_overlap(spans, heavy, light) for heavy in ("heavy0", "heavy1") for light in ("light0", "light1"))


def test_heavy_files_run_side_by_side_while_memory_has_room(tmp_path, monkeypatch):
    """``PARSE_BUDGET`` is the budget when memory is short; while the processes' RSS leaves room under
    ``MEMORY_CEILING`` for both trees (at ``TREE_COST`` per byte), two heavy parses share the cores."""
    files = {name: "x = 1\n" * 400 for name in ("heavy0", "heavy1")}  # 2,400 bytes each
    spans = _timed_spans(tmp_path, monkeypatch, files, room=5000)
    assert _overlap(spans, "heavy0", "heavy1")
    spans = _timed_spans(tmp_path, monkeypatch, files, room=4000)
    assert not _overlap(spans, "heavy0", "heavy1")


def test_the_budget_counts_every_process_of_the_run(monkeypatch):
    """The room is the ceiling less this process, each worker (at least what the pool started at) and
    the workers still to start."""
    monkeypatch.setattr(runner, "_rss", lambda: 40 * 2 ** 20)
    pool = runner.Pool(2)
    assert pool._used({}) == 3 * 40 * 2 ** 20
    monkeypatch.setattr(runner, "MEMORY_CEILING", 120 * 2 ** 20 + 1000 * runner.TREE_COST)
    monkeypatch.setattr(runner, "PARSE_BUDGET", 10)
    assert pool._budget({}) == 1000
    monkeypatch.setattr(runner, "MEMORY_CEILING", 100 * 2 ** 20)
    assert pool._budget({}) == 10


def test_first_readings_start_with_the_biggest_files(tmp_path, monkeypatch):
    """A map whose jobs parse nothing (weight 0: the first readings) starts the biggest files first,
    so that no big file is left to start last while the other worker idles."""
    files = {f"small{n}": "x = 1\n" for n in range(4)}
    files.update({f"big{n}": "x = 1\n" * (100 + n) for n in range(2)})  # listed last
    spans = _timed_spans(tmp_path, monkeypatch, files, weight=lambda path: 0)
    first_two = sorted(spans, key=lambda name: spans[name][0])[:2]
    assert sorted(first_two) == ["big0", "big1"]


def test_project_jobs_weigh_what_reaches_libcst():
    from tmplint import project
    from tmplint.config import AnalysisOptions

    options = AnalysisOptions()
    assert project.job_weight(project.Job("big.py", options, sketch_only=True)) == 0
    assert project.job_weight(project.Job("big.py", options, relevant=(), weight=1234)) == 1234
    assert project.job_weight(project.Job("big.py", options)) is None  # whole: the file's size
