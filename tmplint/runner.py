"""Checking many files: cached results first, the rest in worker processes that may die, results in order.

``run_checks`` runs per-file jobs through a *mapper*: a function that runs a job over a list of items and
returns the results in the same order (``tmplint.project`` takes it, for its rounds). The mapper here

* answers from the cache (``tmplint.cache``) in this process before anything is dispatched, so a warm run
  parses nothing and starts no worker;
* runs what is left in worker processes (``--jobs``, default all cores), biggest files first, each
  result sent back as soon as it is done; a worker that dies (LibCST's native parser can crash the
  process) or overruns ``TIME_LIMIT`` on one file costs that file only: the worker knows which file it
  was on, the file is tried once more alone in a fresh worker, and if that dies too it becomes
  ``TMP000 cannot analyse: the parser crashed (worker process died)``; the rest of the work goes on;
* retires a worker whose memory grew by ``RETIRE_GROWTH`` after a file, since the allocator keeps what a
  big tree took: whole-run memory stays near the sum of the workers' baselines.

Even one file goes to a worker when its job may reach LibCST: the parser guard (``engine``) keeps known
crashes away from the parser, and a worker keeps the unknown ones away from the run. A small batch (a
pre-commit run, a warm run after a few edits) runs in this process only what cannot reach the parser:
files the text screen passes over, files that cannot be read, text scans.

A job is a module-level function of one picklable item; ``register`` tells the mapper how to key its
results in the cache, what stands for an item whose worker died, and which items cannot reach the
parser. A job that is not registered still runs in workers, uncached.
"""

import faulthandler
import gc
import os
import signal
import sys
import time
import traceback
from collections import deque
from functools import lru_cache
from multiprocessing import get_context
from multiprocessing.connection import wait
from typing import Any, Callable, Deque, Dict, List, NamedTuple, Optional, Sequence, Tuple

from tmplint import config as config_mod
from tmplint import recall
from tmplint.cache import MISS, Cache, fingerprint
from tmplint.config.model import Config
from tmplint.diagnostics import Diagnostic
from tmplint.files import iter_python_files
from tmplint.layout import Layout
from tmplint.source import SourceError, read_limit, read_source

# A worker that grew this far past the pool's starting size after a file is replaced by a fresh one.
# Growth, not RSS: a forked worker's RSS counts the pages it shares with its parent, so under a big
# parent (pytest on Python 3.9) an absolute line retired every worker after every task. In a CLI run
# the pool starts near 40 MB: this is the 160 MB line it always was.
RETIRE_GROWTH = 120 * 1024 * 1024
# Between maps (the project run's rounds) the workers wait while this process scans and composes, and
# this process is then at its largest: a worker that grew past the pool's starting size by this much
# (a forked worker's RSS counts the pages it shares) kept the heap of a big tree, and is stopped rather
# than kept idle. The run that fills the cache peaked at 284-301 MB (RSS summed) with an idle worker
# holding 116 MB (the pool started at 41 MB); a fresh worker costs about 0.4 s of CPU, a few times a run.
IDLE_GROWTH = 56 * 1024 * 1024
# What the jobs running at once may hand LibCST, summed: LibCST's tree of a 335 KB test module takes
# 200 MB, and two such parses at once (plus the main process and the other worker's baseline) took the
# run past 300 MB. A job's weight is what it may parse (``project.job_weight``: a big file read by the
# standard parser alone, or reduced, weighs little). Two reduced parses of up to 64 KB each side by side
# took the benchmark corpus to 311 MB; of up to 32 KB each, 280 MB: 64 KB in flight. A job heavier than
# the budget runs with nothing beside it; a lighter one runs beside whatever fits (a 50 KB parse beside
# small ones, where a line per job at 32 KB had left the other core idle through every parse above it).
PARSE_BUDGET = 64 * 1024
# That is the budget when memory is short (a big tree's results in this process). While the processes'
# RSS, summed, leaves room under MEMORY_CEILING, the budget is that room at TREE_COST bytes of RSS per
# byte parsed (a worker grew by 358-530 bytes per byte analysing stress-corpus files of 22-178 KB): on
# the stress corpus, where this process stays small, the three 39-52 KB reduced parses had run one
# after another with the other core idle, the map's wall time that of their sum.
MEMORY_CEILING = 256 * 1024 * 1024
TREE_COST = 450
HEAVY_BYTES = 32 * 1024  # a job this heavy is a task of its own, started before the rest
TIME_LIMIT = 300.0  # seconds one file may take in a worker
MAX_CHUNK = 64
# Bytes the main process may grow by and still fork its workers. Small: a worker that replaces one
# stopped between maps would otherwise be forked from a main process twice its starting size. Forking
# saves only tmplint's own imports (0.1 s): LibCST is imported in the worker either way.
FORK_GROWTH = 16 * 1024 * 1024
SMALL = 32  # a batch this small runs here what cannot reach the parser: no worker starts for it
CRASHED = "the parser crashed (worker process died)"
# Address space a worker may add to what it starts with (Linux): past it an allocation fails, and the
# file becomes a TMP000 instead of pushing the machine into swap. The parser guard's token limit keeps
# every file well under it (engine.MAX_TOKENS: LibCST's tree peaks near 400 MB at the limit, 226 MB for
# the largest file of the benchmark corpus); this is for whatever the guard does not foresee.
WORKER_MEMORY = 1536 * 1024 * 1024
_NO_MEMORY = "MemoryError"  # what the worker sends for a file that ran out of memory
# Net container allocations during one item above which the worker collects cycles right away. A full
# collection costs milliseconds even in a fresh worker, so one per file (most files are screened out in
# well under a millisecond) made a cold run several times slower; a parsed file allocates far more.
COLLECT_AFTER = 20000

# --- jobs and what the mapper knows about them ----------------------------------------------------


class _Kind(NamedTuple):
    key: Callable[[Any], Tuple[str, Any]]  # item -> (the file's path, the rest of its cache key: plain data)
    failed: Callable[[Any, str], Any]  # (item, reason) -> the result for a file that could not be done
    safe: Callable[[Any], bool]  # item -> True when it cannot reach the parser, so it may run here
    parses: bool = True  # some items may reach the parser: big files then run one at a time
    weight: Optional[Callable[[Any], Optional[int]]] = None  # item -> the bytes it may hand LibCST (None: its size)


KINDS: Dict[Callable, _Kind] = {}


def register(job: Callable, key: Callable[[Any], Tuple[str, Any]], failed: Callable[[Any, str], Any],
             safe: Callable[[Any], bool], parses: bool = True,
             weight: Optional[Callable[[Any], Optional[int]]] = None) -> None:
    KINDS[job] = _Kind(key, failed, safe, parses, weight)


@lru_cache(maxsize=64)
def digest(value: Any) -> str:
    """The settings every item of a batch shares, digested once, not once per file."""
    return fingerprint(value)


def screened_out(path: str, options) -> bool:
    """True when checking the file cannot reach LibCST: it cannot be read, or the screen passes it over."""
    try:
        text, _ = read_source(path, read_limit(options.max_file_size))
    except SourceError:
        return True
    from tmplint.screen import may_have_findings

    return not may_have_findings(text, options)


class FileJob(NamedTuple):
    path: str
    config: Config


def check_job(job: FileJob) -> List[Diagnostic]:
    """One file's findings, selected; per-file-ignores come after the cache."""
    from tmplint import engine

    return engine.check_file(job.path, job.config)


def _cannot_analyse(path: str, reason: str) -> Diagnostic:
    from tmplint import engine

    return engine.cannot_analyse(path, reason)


def _selection(config: Config) -> Tuple[Any, ...]:
    return (config.analysis, config.select, config.ignore, config.extend_select)


register(
    check_job,
    key=lambda job: (job.path, ("check", job.path, digest(_selection(job.config)))),
    failed=lambda job, reason: [_cannot_analyse(job.path, reason)],
    safe=lambda job: screened_out(job.path, job.config.analysis),
)

# --- the worker side ------------------------------------------------------------------------------


def _rss() -> int:
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _out_of_memory() -> str:
    return f"out of memory (a worker may grow by {WORKER_MEMORY >> 20} MB)"


def _limit_address_space(extra: int) -> None:
    """Hold this process to ``extra`` bytes of address space more than it has now (Linux only: elsewhere
    RLIMIT_AS is not enforced or not there); a lower limit already set is kept."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import resource

        with open("/proc/self/statm", "rb") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError, IndexError):
        pass


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies, even by SIGKILL: on Linux the kernel
    sends it SIGKILL then (``PR_SET_PDEATHSIG``; a worker in the middle of a long parse would not read
    its pipe's end-of-file for minutes), and a parent already gone ends it now. Elsewhere the pipe's
    end-of-file ends it between tasks."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (ImportError, OSError, AttributeError):  # no ctypes (a process that may not read it): EOF only
            pass
    if os.getppid() != parent:
        os._exit(0)


def _worker(conn, memory: Optional[int] = None, parent: Optional[int] = None, parent_end=None) -> None:
    """Run ``(task, function, items)`` messages until ``None``; send ``(task, index, ok, result, rss)``
    for each item as it is done. ``memory``: the address space it may add (``WORKER_MEMORY``).

    ``parent`` is the main process's pid, and ``parent_end`` (forked workers) the main process's end of
    this worker's pipe, inherited by the fork: closed here, so the main process's death is end-of-file.
    Ctrl-C reaches the whole process group: workers ignore it, the main process stops them.
    """
    if parent_end is not None:
        parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _die_with_parent(parent)
    faulthandler.disable()  # a crash is reported as a TMP000 by the parent, not as a traceback dump
    if memory:
        _limit_address_space(memory)
    gc.freeze()  # what the worker starts with is never garbage: collections skip it
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        task, function, items = message
        for index, item in enumerate(items):
            gc.disable()  # a tree is millions of objects; the cyclic collector would scan them again and again
            try:
                result, ok = function(item), True
            except MemoryError:
                result, ok = _NO_MEMORY, False
            except Exception as exc:  # a bug on one file must not lose the others: the parent says so
                result, ok = traceback.format_exception_only(type(exc), exc)[-1].strip(), False
            finally:
                gc.enable()
            if gc.get_count()[0] > COLLECT_AFTER:
                gc.collect()  # a parsed tree's cycles: freed before the RSS that decides retirement
            conn.send((task, index, ok, result, _rss()))


# --- the pool -------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        inherited = self.conn if context.get_start_method() == "fork" else None  # spawn passes only ``child``
        self.process = context.Process(target=_worker, args=(child, WORKER_MEMORY, os.getpid(), inherited),
                                       daemon=True)
        self.process.start()
        child.close()
        self.task: Optional["_Task"] = None
        self.since = 0.0  # when the item in flight started
        self.rss = 0  # its memory after the last item

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Task:
    def __init__(self, ident: int, indices: List[int], alone: bool = False, weight: int = 0) -> None:
        self.ident = ident
        self.indices = indices  # positions in the mapped list
        self.done = 0  # how many of them have come back
        self.alone = alone  # a retry of one file after its worker died
        self.weight = weight  # the most one of its items may hand LibCST (``PARSE_BUDGET``)


class Pool:
    """Worker processes that outlive one ``map`` (a run maps several times) and survive a dead worker."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.base_rss = _rss()
        self.idle: List[_Worker] = []
        self.started = 0  # workers started in this run, for the tests and the benchmark
        self.lost: List[Any] = []  # items whose worker died or overran: their results are not cached

    def close(self) -> None:
        for worker in self.idle:
            worker.stop()
        self.idle = []

    def _worker(self) -> _Worker:
        if self.idle:
            return self.idle.pop()
        self.started += 1
        return _Worker(get_context(self.start_method()))

    def start_method(self) -> str:
        """``fork`` while this process is about as small as when the pool started: the worker starts in
        milliseconds with everything imported. Once it has grown (it holds the results of every file
        so far), ``spawn``: a forked worker would share those pages, and RSS counts shared pages once
        per process. ``spawn`` wherever ``fork`` is not the safe default (macOS, Windows)."""
        if sys.platform.startswith("linux") and _rss() <= self.base_rss + FORK_GROWTH:
            return "fork"
        return "spawn"

    def map(self, function: Callable, items: Sequence[Any], order: Sequence[int],
            failed: Callable[[Any, str], Any], heavy: int = 0,
            progress: Optional[Callable[[int], None]] = None, weights: Sequence[int] = ()) -> List[Any]:
        """``function`` over ``items``; ``order`` lists the positions to start with first, of which the
        first ``heavy`` are tasks of their own; ``weights``, what each item may hand LibCST: tasks run
        side by side while their weights fit ``PARSE_BUDGET``. ``progress`` hears how many items are
        done, as results arrive."""
        results: List[Any] = [None] * len(items)
        finished = 0

        def weight(positions: Sequence[int]) -> int:
            return max((weights[p] for p in positions), default=0) if weights else 0

        pending: Deque[_Task] = deque(_Task(i, [position], weight=weight([position]))
                                      for i, position in enumerate(order[:heavy]))
        rest = order[heavy:]
        chunk = max(1, min(MAX_CHUNK, len(rest) // (self.jobs * 8)))
        for start in range(0, len(rest), chunk):
            indices = list(rest[start:start + chunk])
            pending.append(_Task(heavy + start, indices, weight=weight(indices)))
        next_id = len(order)
        busy: Dict[Any, _Worker] = {}
        try:
            while pending or busy:
                while pending and len(busy) < self.jobs:
                    task = self._next(pending, busy, self._budget(busy))
                    if task is None:
                        break  # nothing waiting fits beside what runs
                    worker = self._worker()
                    worker.task, worker.since = task, time.monotonic()
                    try:
                        worker.conn.send((task.ident, function, [items[i] for i in task.indices]))
                    except OSError:  # it died between tasks: start another
                        worker.kill()
                        pending.appendleft(task)
                        continue
                    busy[worker.conn] = worker
                timeout = min(w.since for w in busy.values()) + TIME_LIMIT - time.monotonic()
                wait(list(busy) + [w.process.sentinel for w in busy.values()], timeout=max(0.0, timeout))
                for worker in list(busy.values()):
                    before = worker.task.done if worker.task is not None else 0
                    alive = self._receive(worker, results, items, failed)
                    current = worker.task
                    if current is None:  # (a busy worker always has a task)
                        continue
                    if progress is not None and current.done > before:
                        finished += current.done - before
                        progress(finished)
                    if alive and current.done == len(current.indices):
                        del busy[worker.conn]
                        worker.task = None
                        self._release(worker)
                    elif not alive or time.monotonic() - worker.since > TIME_LIMIT:
                        del busy[worker.conn]
                        overran = alive
                        worker.kill()
                        next_id = self._lost(current, items, results, pending, failed, next_id, overran)
        except BaseException:
            for worker in busy.values():
                worker.kill()
            raise
        for worker in [w for w in self.idle if self._grew(w, IDLE_GROWTH)]:
            self.idle.remove(worker)
            worker.stop()
        return results

    def _budget(self, busy: Dict[Any, _Worker]) -> int:
        """What the jobs running at once may hand LibCST: ``PARSE_BUDGET``, or the room the processes'
        memory leaves under ``MEMORY_CEILING`` (a worker counts at least what the pool started at)."""
        return max(PARSE_BUDGET, (MEMORY_CEILING - self._used(busy)) // TREE_COST)

    def _used(self, busy: Dict[Any, _Worker]) -> int:
        """The RSS of this process and its workers, those still to start counted at the pool's start."""
        workers = list(busy.values()) + self.idle
        return _rss() + sum(max(w.rss, self.base_rss) for w in workers) \
            + max(0, self.jobs - len(workers)) * self.base_rss

    @staticmethod
    def _next(pending: Deque[_Task], busy: Dict[Any, _Worker], budget: int) -> Optional[_Task]:
        """The first waiting task that fits the parse budget beside the busy ones (taken off the queue);
        with nothing busy, the first. A task over the budget alone: nothing fits beside it."""
        if not busy:
            return pending.popleft()
        in_flight = sum(w.task.weight for w in busy.values() if w.task is not None)
        for index, task in enumerate(pending):
            if in_flight + task.weight <= budget:
                del pending[index]
                return task
        return None

    def _grew(self, worker: _Worker, growth: int) -> bool:
        """Past the pool's starting size by ``growth``: a forked worker's RSS counts shared pages too."""
        return worker.rss > self.base_rss + growth

    @staticmethod
    def _receive(worker: _Worker, results: List[Any], items: Sequence[Any], failed) -> bool:
        """Take every result the worker has sent; False when it has died."""
        task = worker.task
        if task is None:  # (a busy worker always has a task)
            return worker.process.is_alive()
        try:
            while worker.conn.poll():
                _, index, ok, result, worker.rss = worker.conn.recv()
                position = task.indices[index]
                if not ok:  # the job raised: ``result`` is the exception's last line
                    reason = _out_of_memory() if result == _NO_MEMORY else f"internal error ({result})"
                    result = failed(items[position], reason)
                results[position] = result
                task.done = index + 1
                worker.since = time.monotonic()
        except (EOFError, OSError):
            return False
        return worker.process.is_alive() or task.done == len(task.indices)

    def _release(self, worker: _Worker) -> None:
        if self._grew(worker, RETIRE_GROWTH):
            worker.stop()
        else:
            self.idle.append(worker)

    def _lost(self, task: _Task, items, results, pending: Deque[_Task], failed, next_id: int, overran: bool) -> int:
        """The worker died (or overran) on ``task.indices[task.done]``: that file alone gets a second
        try, or its failure result; the rest of the task goes back to the queue."""
        culprit = task.indices[task.done]
        rest = task.indices[task.done + 1:]
        if task.alone or overran:
            reason = CRASHED if not overran else f"took longer than {TIME_LIMIT:.0f} s (worker stopped)"
            results[culprit] = failed(items[culprit], reason)
            self.lost.append(items[culprit])
        else:
            pending.appendleft(_Task(next_id, [culprit], alone=True, weight=task.weight))
            next_id += 1
        if rest:
            pending.append(_Task(next_id, rest, weight=task.weight))
            next_id += 1
        return next_id


# --- the mapper -----------------------------------------------------------------------------------


class Mapper:
    """Runs a job over items: answers from the cache, runs the rest in this process or the pool."""

    def __init__(self, jobs: int, cache: Optional[Cache],
                 progress: Optional[Callable[[int, int], None]] = None) -> None:
        self.jobs = jobs
        self.cache = cache
        self.progress = progress  # (items done, items) of each map: the CLI's progress line
        self._tick: Optional[Callable[[int], None]] = None  # the pool's share of the map under way
        self.pool: Optional[Pool] = None
        self.hits = self.misses = 0
        self.complete = True  # every item had a key and no worker was lost on one (``tmplint.recall``)

    def __call__(self, function: Callable, items: Sequence[Any]) -> List[Any]:
        items = list(items)
        kind = KINDS.get(function)
        results: List[Any] = [MISS] * len(items)
        keys: List[Optional[str]] = [None] * len(items)
        if kind is not None and self.cache is not None:
            for i, item in enumerate(items):
                path, parts = kind.key(item)
                keys[i] = key = self.cache.key(path, parts)
                if key is not None:
                    results[i] = self.cache.get(key)
                else:
                    self.complete = False
        todo = [i for i, found in enumerate(results) if found is MISS]
        self.hits += len(items) - len(todo)
        self.misses += len(todo)
        answered = len(items) - len(todo)
        if self.progress is not None and items:
            self.progress(answered, len(items))
        if not todo:
            return results
        lost: List[Any] = []
        done: Dict[int, Any] = {}
        if kind is not None and len(todo) <= SMALL:
            done = {i: function(items[i]) for i in todo if kind.safe(items[i])}
        rest = [i for i in todo if i not in done]
        if rest:
            base, total, report = answered + len(done), len(items), self.progress
            self._tick = None if report is None else (lambda n: report(base + n, total))
            parallel, lost = self._dispatch(function, [items[i] for i in rest], kind)
            done.update(zip(rest, parallel))
            self.complete = self.complete and not lost
        for i, result in done.items():
            results[i] = result
            key = keys[i]  # (a key only with a kind and a cache)
            if key is not None and kind is not None and self.cache is not None \
                    and not any(items[i] is item for item in lost):
                self.cache.put(key, kind.key(items[i])[0], result)
        if self.progress is not None:
            self.progress(len(items), len(items))
        return results

    def _dispatch(self, function: Callable, items: List[Any], kind: Optional[_Kind]) -> Tuple[List[Any], List[Any]]:
        """The results, and the items a worker died on (a crash may come from outside: not cached)."""
        if self.pool is None:
            self.pool = Pool(self.jobs)
        sizes = [_weight(kind, item) if kind is not None else 0 for item in items]
        # The longest first, so that no big file starts last while the other workers idle: by weight,
        # or where every weight is nil (first readings, which parse nothing) by the file's size.
        costs = sizes if kind is None or any(sizes) else [_size(kind.key(item)[0]) for item in items]
        order = sorted(range(len(items)), key=lambda i: -costs[i])
        parses = kind is not None and kind.parses
        heavy = sum(1 for size in sizes if size > HEAVY_BYTES) if parses else 0
        failed = kind.failed if kind is not None else _no_fallback
        self.pool.lost = []
        return self.pool.map(function, items, order, failed, heavy, self._tick, sizes if parses else ()), \
            self.pool.lost

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def _no_fallback(item: Any, reason: str) -> Any:
    raise RuntimeError(f"tmplint worker: {reason}")


def _weight(kind: _Kind, item: Any) -> int:
    """What an item may hand LibCST, in bytes: a big file read reduced, or only sketched, is light."""
    found = kind.weight(item) if kind.weight is not None else None
    return _size(kind.key(item)[0]) if found is None else found


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _project_jobs():
    """The project index's jobs (``tmplint.project``), registered on first use; None without it."""
    try:
        from tmplint import project
    except ImportError:
        return None
    if project.analyse_job not in KINDS:
        def analyse_key(job):
            return job.path, ("analyse", job.path, project.module_info(job.path), digest(job.options), job.force,
                              job.relevant, job.sketch_only, job.define)

        def analyse_failed(job, reason):
            from tmplint.analysis.index import FileResult

            return FileResult(job.path, project.module_info(job.path), "failed",
                              (_cannot_analyse(job.path, reason),))

        register(project.analyse_job, analyse_key, analyse_failed,
                 safe=lambda job: not job.force and screened_out(job.path, job.options), weight=project.job_weight)
        register(project.scan_job, key=lambda job: (job[0], ("scan", digest(job[1]))),
                 failed=lambda job, reason: True, safe=lambda job: True, parses=False)  # a failed scan admits the file
    return project


def check_files(files: Sequence[str], settings: Config, mapper: Callable, layout=None) -> List[Diagnostic]:
    """The findings for ``files``, through ``mapper``: with the project index when it is there (and
    ``layout``, a ``project.Layout``, hears what it looked at on disk)."""
    project = _project_jobs()
    if project is not None:
        return project.check_project(files, settings, mapper, layout=layout)
    found = mapper(check_job, [FileJob(path, settings) for path in files])
    diagnostics = config_mod.apply_per_file_ignores(settings, [d for result in found for d in result])
    return sorted(diagnostics, key=Diagnostic.sort_key)


def run_checks(paths: Sequence[str], settings, jobs: Optional[int] = None, use_cache: bool = True,
               progress: Optional[Callable[[int, int], None]] = None) -> List[Diagnostic]:
    """Check files and folders through the cache and the worker pool; TMP000 diagnostics stand for
    files that could not be analysed. ``progress`` hears (files done, files) through each stage."""
    collecting = gc.isenabled()
    gc.disable()  # the run builds objects that live to its end: collections would find no garbage
    try:
        files = list(iter_python_files(paths, settings))
        cache = Cache.for_project(settings.project_root) if use_cache else None
        key = recall.run_key(cache, files, settings) if cache is not None else ""
        if cache is not None:
            kept = recall.recall(cache, key, files, settings)
            if kept is not None:  # nothing it rests on changed: no job, no index
                if progress is not None:
                    progress(len(files), len(files))
                return kept
        layout = Layout()
        mapper = Mapper(jobs or os.cpu_count() or 1, cache, progress)
        try:
            results = check_files(files, settings, mapper, layout)
        finally:
            mapper.close()
        if cache is not None:
            cache.save()
            if mapper.complete:
                recall.keep(cache, key, files, results, layout)
        return results
    finally:
        if collecting:
            gc.enable()
