"""The bug and its fix, measured: concurrent checkpoint saves through a shared temp name, then through the fix.

Runs the seed case (``fixtures/fix/seed_helper.py``: ``_atomic_save(state, checkpoint_dir, file_name,
tmp_file_name)`` called with ``tmp_file_name=".tmp_generator"``) as written and as ``tmplint --fix`` rewrites
it. For each, several writer processes save the generator state many times into one folder while a reader
process reads ``generator.json`` over and over, and the script counts:

* failed saves: a save that raised (the shared temp name's ``FileNotFoundError`` from ``os.replace``);
* torn reads: a read of ``generator.json`` that is not, as JSON, exactly one of the states written;
* missing reads: a read that found no ``generator.json`` at all;
* leftover files: anything in the folder besides ``generator.json`` once every writer is done.

    python examples/race.py [--processes N] [--saves M] [--items K] [--source FILE]

``tests/test_fix_race.py`` runs the same load (smaller) on the fixed code and asserts zeros.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from typing import Dict, List, NamedTuple, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = os.path.join(REPO, "fixtures", "fix", "seed_helper.py")
FINAL = "generator.json"
STOP = "stop.marker"  # the parent creates it (outside the save folder) when every writer is done


class LoadResult(NamedTuple):
    saves: int  # saves attempted
    failed: Dict[str, int]  # exception type name -> saves that raised it
    reads: int  # reads that found the file
    torn: int  # reads that were not exactly one written state
    missing: int  # reads that found no file
    leftover: List[str]  # files in the folder besides the final one, after the load

    @property
    def failed_saves(self) -> int:
        return sum(self.failed.values())


def state(writer: int, save: int, items: int) -> dict:
    """The state a writer saves; every one differs, and a reader can tell which one it read."""
    return {"writer": writer, "save": save, "weights": [writer * 1_000_003 + save * 7 + i for i in range(items)]}


def is_whole(data: bytes, items: int) -> bool:
    try:
        value = json.loads(data)
        return value == state(value["writer"], value["save"], items)
    except (ValueError, KeyError, TypeError):
        return False


def load_module(path: str):
    name = f"race_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(folder: str, source: str = SEED) -> Dict[str, str]:
    """Write the original and the ``tmplint --fix`` version of ``source`` into ``folder``: label -> path."""
    try:
        from tmplint.fix import fix_text
    except ImportError:  # run from a checkout without installing
        sys.path.insert(0, REPO)
        from tmplint.fix import fix_text
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    fixed = fix_text(text, source).text
    if fixed == text:
        raise SystemExit(f"tmplint --fix changes nothing in {source}")
    paths = {}
    for label, code in (("original", text), ("fixed", fixed)):
        paths[label] = os.path.join(folder, f"{label}_seed.py")
        with open(paths[label], "w", encoding="utf-8") as handle:
            handle.write(code)
    return paths


def _worker(argv: List[str]) -> None:
    """One writer or the reader, in its own process; it says "ready", waits for "go", reports JSON."""
    kind, module_path, folder, writer, saves, items = argv
    writer, saves, items = int(writer), int(saves), int(items)
    if kind == "writer":
        module = load_module(module_path)
        states = [state(writer, i, items) for i in range(saves)]
        print("ready", flush=True)
        sys.stdin.readline()
        failed: Counter = Counter()
        for one in states:
            try:
                module.save_generator(one, folder)
            except Exception as exc:
                failed[type(exc).__name__] += 1
        print(json.dumps({"failed": failed}), flush=True)
        return
    final, stop = os.path.join(folder, FINAL), os.path.join(os.path.dirname(folder), STOP)
    reads = torn = missing = 0
    print("ready", flush=True)
    sys.stdin.readline()
    while not os.path.exists(stop):
        try:
            with open(final, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            missing += 1
            continue
        reads += 1
        torn += not is_whole(data, items)
    print(json.dumps({"reads": reads, "torn": torn, "missing": missing}), flush=True)


def _start(kind: str, module_path: str, folder: str, writer: int, saves: int, items: int) -> subprocess.Popen:
    argv = [sys.executable, os.path.abspath(__file__), "--worker", kind, module_path, folder]
    argv += [str(writer), str(saves), str(items)]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _ready_then_go(processes: List[subprocess.Popen]) -> None:
    """Wait until every process is loaded and waiting, then start them together."""
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            for other in processes:
                other.kill()
            raise RuntimeError(f"a worker did not start: {process.communicate()}")
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()


def _report(process: subprocess.Popen, kind: str) -> dict:
    out, _ = process.communicate(timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"{kind} exited {process.returncode}: {out}")
    return json.loads(out.strip().splitlines()[-1])


def run_load(module_path: str, work_dir: str, processes: int = 4, saves: int = 100, items: int = 5000) -> LoadResult:
    """``processes`` writers each save ``saves`` states through ``module_path`` into one folder under
    ``work_dir`` (which must be empty) while one reader reads the final file until they are all done."""
    folder = os.path.join(work_dir, "checkpoints")
    os.mkdir(folder)
    load_module(module_path).save_generator(state(-1, 0, items), folder)  # the file exists before the load
    reader = _start("reader", module_path, folder, -1, 0, items)
    writers = [_start("writer", module_path, folder, w, saves, items) for w in range(processes)]
    _ready_then_go([reader] + writers)
    failed: Counter = Counter()
    for writer in writers:
        failed.update(_report(writer, "writer")["failed"])
    with open(os.path.join(work_dir, STOP), "w"):
        pass
    read = _report(reader, "reader")
    leftover = sorted(name for name in os.listdir(folder) if name != FINAL)
    return LoadResult(processes * saves, dict(failed), read["reads"], read["torn"], read["missing"], leftover)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4, help="writer processes (default: 4)")
    parser.add_argument("--saves", type=int, default=100, help="saves per writer (default: 100)")
    parser.add_argument("--items", type=int, default=5000, help="numbers in each saved state (default: 5000)")
    parser.add_argument("--source", default=SEED, help="the module whose save_generator(state, folder) is run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        paths = prepare(work, args.source)
        size = len(json.dumps(state(0, 0, args.items)))
        print(f"{args.processes} processes x {args.saves} saves of a {size // 1024} KB state into one folder, "
              f"1 reader, {os.cpu_count()} cores")
        print(f"{'code':9} {'saves':>6} {'failed saves':>13} {'reads':>7} {'torn reads':>11} {'missing':>8}  leftover")
        for label, path in paths.items():
            run_dir = os.path.join(work, label)
            os.mkdir(run_dir)
            began = time.monotonic()
            result = run_load(path, run_dir, args.processes, args.saves, args.items)
            took = time.monotonic() - began
            failures = ", ".join(f"{n} {name}" for name, n in sorted(result.failed.items())) or "-"
            print(f"{label:9} {result.saves:>6} {result.failed_saves:>13} {result.reads:>7} {result.torn:>11} "
                  f"{result.missing:>8}  {len(result.leftover)}   ({took:.1f} s; failures: {failures})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
