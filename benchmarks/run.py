"""Time tmplint against ruff, bandit and flake8 on one corpus or more, and check that every speed-up is sound.

    python benchmarks/run.py CORPUS [CORPUS ...] [--small SMALL_CORPUS] [--runs 3] [--jobs 2] [--skip bandit,...]

What it runs, each ``--runs`` times (bandit, flake8 with flake8-bandit and the screen check once: they
take minutes), reported as medians of wall time, with the CPU time of the whole process tree (user +
system, which a busy machine inflates less than wall time) and its peak memory:

* ``tmplint --no-cache`` (cold), a first run that fills an empty cache, warm runs (nothing changed);
* one changed file, twice: a file the screen passes over and a file with a finding; each is edited
  (a comment appended), then the whole corpus is checked with the cache warm, and then that file
  alone (as pre-commit runs it); the file is restored afterwards;
* ``ruff check --no-cache --isolated --select S108,S306`` (ruff's rules nearest to tmplint's: a
  hardcoded temp dir, ``mktemp``), ``bandit -r -t B108,B306``, and ``flake8 --select S108,S306`` with
  flake8-bandit;
* on the small corpus, ``flake8`` with its own plugins against ``flake8`` with tmplint added, taking
  turns: the plugin's cost as a share of flake8's own time (flake8-bandit is left out of both);
* each top-level folder of the corpus checked on its own, cold, once: their sum against the whole
  tree's cold median (a whole tree should cost at most 1.2x its parts; the project index must not make
  files pay for the size of the tree around them);
* checks: the findings of the cold run, the first run, the warm run and a run with the text screen
  turned off (``TMPLINT_SCREEN=off``, which turns the reduction off too: every file parsed whole) must
  be identical, byte for byte (for the screen, the finding lines: with it off, files that cannot be
  parsed are TMP000 on stderr and change the summary line).

With several corpora, each gets its table, and a last table puts each corpus's ratios side by side:
the README's speed table is that one, from one run.

tmplint runs from a copy of this checkout's ``tmplint`` package taken at the start, so edits made
while the benchmark runs neither change what is measured nor invalidate the cache (its key covers
tmplint's own source files). The cache lives in a scratch folder (the corpus has no pyproject.toml of
its own; one that has puts the cache beside it).

Peak memory is the largest sum of RSS over the process tree (the main process and its workers),
sampled from /proc every 20 ms, as rules.md defines the target; RSS counts pages that a forked worker
shares with its parent once per process, so the PSS sum (shared pages divided among their users) is
given next to it. Where /proc is missing, memory is not reported.

Nothing is installed: a tool that is not found is reported as missing, and its row left out.
"""

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Optional, Sequence, Set, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.dirname(sys.executable)
FLAKE8 = (
    "import sys\n"
    "import flake8.plugins.finder as finder\n"
    "drop = set(sys.argv.pop(1).split(','))\n"
    "found = finder._find_importlib_plugins\n"
    "finder._find_importlib_plugins = lambda: (p for p in found() if p.package not in drop)\n"
    "from flake8.main.cli import main\n"
    "sys.exit(main())\n"
)


# --- measuring ------------------------------------------------------------------------------------


def _children() -> Dict[int, List[int]]:
    tree: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _memory(pid: int) -> Tuple[int, int]:
    """(RSS, PSS) of one process in bytes; zeros when it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


class Sampler(threading.Thread):
    """Samples the memory of a process and its descendants until it ends."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self.processes = 0
        self.done = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self.done.is_set():
            tree = _children()
            todo, rss, pss, count = [self.pid], 0, 0, 0
            while todo:
                pid = todo.pop()
                r, p = _memory(pid)
                rss, pss, count = rss + r, pss + p, count + 1
                todo.extend(tree.get(pid, ()))
            if rss > self.peak_rss:
                self.peak_rss, self.peak_pss, self.processes = rss, pss, count
            self.done.wait(0.02)


class Result:
    def __init__(self, label: str, command: str) -> None:
        self.label = label
        self.command = command
        self.walls: List[float] = []
        self.cpus: List[float] = []  # user + system time of the whole process tree
        self.peak_rss = self.peak_pss = 0
        self.processes = 0
        self.output = b""
        self.status: Optional[int] = None

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: Sequence[str], cwd: str, env: Optional[Dict[str, str]] = None) -> Tuple[float, float, int, bytes, Sampler]:
    """Wall time, CPU time of the process and every descendant it waited for, status, stdout, memory."""
    cpu = _cpu()
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    sampler = Sampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    return wall, _cpu() - cpu, process.returncode, output, sampler


def measure(label: str, argv: Sequence[str], cwd: str, runs: int, env=None, before=None) -> Result:
    result = Result(label, " ".join(_short(a) for a in argv))
    for _ in range(runs):
        if before is not None:
            before()
        _record(result, argv, cwd, env)
    return result


def alternate(commands: Dict[str, Sequence[str]], cwd: str, runs: int, env=None) -> Dict[str, Result]:
    """Each command ``runs`` times, taking turns, so that a shared machine's drift hits them alike
    (sequential runs of flake8 drifted by a third within minutes here)."""
    results = {label: Result(label, " ".join(_short(a) for a in argv)) for label, argv in commands.items()}
    for _ in range(runs):
        for label, argv in commands.items():
            _record(results[label], argv, cwd, env)
    return results


def _record(result: Result, argv: Sequence[str], cwd: str, env) -> None:
    """One run of ``argv`` into ``result``: its times, status, output and peak memory."""
    wall, cpu, status, output, sampler = run(argv, cwd, env)
    result.walls.append(wall)
    result.cpus.append(cpu)
    result.status, result.output = status, output
    if sampler.peak_rss > result.peak_rss:
        result.peak_rss, result.peak_pss, result.processes = sampler.peak_rss, sampler.peak_pss, sampler.processes
    print(f"  {result.label}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr, flush=True)


def _short(arg: str) -> str:
    if arg == sys.executable:
        return "python"
    if arg.startswith(BIN + os.sep):
        return os.path.basename(arg)
    return arg if len(arg) < 60 else "<script>"


def tool(name: str) -> Optional[str]:
    for candidate in (os.path.join(BIN, name), shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def has_module(name: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True)
    return probe.returncode == 0


# --- the one changed file -------------------------------------------------------------------------


class Edit:
    """Appends a comment to a file before each run and puts the original back at the end."""

    def __init__(self, path: str) -> None:
        self.path = path
        with open(path, "rb") as handle:
            self.original = handle.read()
        self.info = os.stat(path)
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        with open(self.path, "ab") as handle:
            handle.write(f"\n# benchmark edit {self.count}\n".encode())

    def restore(self) -> None:
        with open(self.path, "wb") as handle:
            handle.write(self.original)
        os.utime(self.path, ns=(self.info.st_atime_ns, self.info.st_mtime_ns))


def finding_lines(output: bytes) -> List[str]:
    """The findings a run printed, byte for byte, without the summary line (stdout: TMP000 goes to stderr)."""
    return [line for line in output.decode(errors="replace").splitlines() if ": TMP" in line]


def pick_files(corpus: str, findings: bytes) -> Tuple[Optional[str], Optional[str]]:
    """A small file the screen passes over (no rename, no temp word), and a file with a finding."""
    flagged = None
    for line in findings.decode(errors="replace").splitlines():
        if ": TMP" in line and os.path.isfile(line.split(":")[0]):
            flagged = line.split(":")[0]
            break
    for folder, dirs, names in os.walk(corpus):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py") and name != "__init__.py":
                path = os.path.join(folder, name)
                with open(path, "rb") as handle:
                    data = handle.read()
                if 2000 < len(data) < 20000 and not any(w in data for w in (b"replace", b"rename", b"move",
                                                                             b"tmp", b"temp", b"TMP", b"Temp")):
                    return path, flagged
    return None, flagged


# --- the report -----------------------------------------------------------------------------------


def mb(size: int) -> str:
    return f"{size / 2 ** 20:.0f} MB" if size else "n/a"


def row(result: Result, note: str = "") -> str:
    memory = f"{mb(result.peak_rss)} ({mb(result.peak_pss)}), {result.processes} proc" if result.peak_rss else "n/a"
    return (f"| {result.label} | `{result.command}` | {result.median:.2f} s | {result.cpu:.2f} s | "
            f"{len(result.walls)} | {memory} | {note} |")


def verdict(value: float, limit: float, smaller: bool = True) -> str:
    good = value <= limit if smaller else value >= limit
    return "meets" if good else "misses"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--small", help="the small corpus for the flake8 plugin's cost (default: the first "
                                        "CORPUS-small)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median); default 3")
    parser.add_argument("--jobs", default="2", help="tmplint --jobs (the memory target is at 2)")
    parser.add_argument("--skip", default="",
                        help="comma-separated: changed,ruff,bandit,flake8,plugin,screen,folders")
    args = parser.parse_args(argv)
    corpora = [os.path.abspath(corpus) for corpus in args.corpus]
    for corpus in corpora:
        if not os.path.isdir(corpus):
            parser.error(f"{corpus} is not a folder")
    small = os.path.abspath(args.small or corpora[0].rstrip(os.sep) + "-small")
    skip = set(filter(None, args.skip.split(",")))
    scratch = tempfile.mkdtemp(prefix="tmplint-bench-")
    try:
        shutil.copytree(os.path.join(REPO, "tmplint"), os.path.join(scratch, "code", "tmplint"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        # as pip install does: byte-compiled, so no run pays for compiling tmplint (PYTHONDONTWRITEBYTECODE
        # would otherwise make every run compile it again, 0.2 s)
        compileall.compile_dir(os.path.join(scratch, "code", "tmplint"), quiet=1)
        env = dict(os.environ, PYTHONPATH=os.path.join(scratch, "code"))
        summary = []
        for number, corpus in enumerate(corpora):
            work = os.path.join(scratch, f"work{number}")
            os.mkdir(work)
            # the flake8 plugin's cost is measured once, on the small corpus
            plugin = skip if number == 0 else skip | {"plugin"}
            results, checks, missing = bench(corpus, small, args, env, work, plugin)
            report(results, checks, missing, corpus)
            summary.append((corpus, results, checks))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if len(summary) > 1:
        report_summary(summary)
    return 0


def bench(corpus: str, small: str, args, env: Dict[str, str], work: str,
          skip: Set[str]) -> Tuple[Dict[str, Result], List[str], List[str]]:
    """Every measurement on one corpus: the results, the checks' lines, the tools that are missing."""
    runs = max(1, args.runs)
    missing: List[str] = []
    tmplint = [sys.executable, "-m", "tmplint", "--exit-zero", "--jobs", args.jobs]
    results: Dict[str, Result] = {}
    checks: List[str] = []
    print(f"tmplint on {corpus} ({runs} runs each)", file=sys.stderr)
    results["cold"] = measure("tmplint, cold (`--no-cache`)", tmplint + ["--no-cache", corpus], work, runs, env)
    results["fill"] = measure("tmplint, first run (fills the cache)", tmplint + [corpus], work, 1, env)
    results["warm"] = measure("tmplint, warm (nothing changed)", tmplint + [corpus], work, runs, env)
    same = results["cold"].output == results["fill"].output == results["warm"].output
    checks.append(f"cold, first and warm runs: {'identical' if same else 'DIFFERENT'} findings "
                  f"({results['cold'].output.count(b': TMP')} lines)")
    if "changed" not in skip:
        plain, flagged = pick_files(corpus, results["cold"].output)
        for kind, path in (("screened out", plain), ("with a finding", flagged)):
            if path is None:
                continue
            edit = Edit(path)
            try:
                results[f"changed {kind}"] = measure(f"one changed file ({kind}), whole corpus",
                                                     tmplint + [corpus], work, runs, env, before=edit)
                results[f"alone {kind}"] = measure(f"one changed file ({kind}), that file alone",
                                                   tmplint + [path], work, runs, env, before=edit)
            finally:
                edit.restore()
            checks.append(f"the changed file {kind}: {os.path.relpath(path, corpus)}")
    if "ruff" not in skip:
        ruff = tool("ruff")
        if ruff is None:
            missing.append("ruff (pip install ruff)")
        else:
            results["ruff"] = measure("ruff (S108, S306)", [ruff, "check", "--no-cache", "--isolated",
                                                            "--select", "S108,S306", "--exit-zero", corpus],
                                      work, runs)
    if "bandit" not in skip:
        bandit = tool("bandit")
        if bandit is None:
            missing.append("bandit (pip install bandit)")
        else:
            results["bandit"] = measure("bandit (B108, B306)", [bandit, "-r", "-t", "B108,B306", "-q", corpus],
                                        work, 1)
    flake8_ok = has_module("flake8")
    if not flake8_ok and not {"flake8", "plugin"} <= skip:
        missing.append("flake8 (pip install flake8)")
    if "flake8" not in skip and flake8_ok:
        if not has_module("flake8_bandit"):
            missing.append("flake8-bandit (pip install flake8-bandit)")
        else:
            results["flake8"] = measure("flake8 + flake8-bandit (S108, S306)", [
                sys.executable, "-c", FLAKE8, "tmplint", "--select", "S108,S306", "--exit-zero", corpus],
                work, 1)
    if "plugin" not in skip and flake8_ok:
        if not os.path.isdir(small):
            missing.append(f"the small corpus {small} (see --small)")
        else:
            pair = alternate({
                "flake8 alone, small corpus": [
                    sys.executable, "-c", FLAKE8, "tmplint,flake8-bandit", "--exit-zero", small],
                "flake8 + tmplint plugin, small corpus": [
                    sys.executable, "-c", FLAKE8, "flake8-bandit", "--extend-select", "TMP", "--exit-zero", small],
            }, work, runs, env)
            results["flake8 alone"], results["flake8 + tmplint"] = pair.values()
    if "screen" not in skip:
        off = dict(env, TMPLINT_SCREEN="off")
        results["screen off"] = measure("tmplint, text screen off (soundness check)",
                                        tmplint + ["--no-cache", corpus], work, 1, off)
        on, off = finding_lines(results["cold"].output), finding_lines(results["screen off"].output)
        checks.append(f"screen on and off: {'identical' if on == off else 'DIFFERENT'} findings "
                      f"({len(on)} lines; the summary line may differ: with the screen off, files that "
                      f"cannot be parsed are reported as TMP000 on stderr, as rules.md allows)")
        for line in sorted(set(on) ^ set(off))[:20]:
            checks.append(f"  {'only with the screen on' if line in on else 'only with the screen off'}: {line}")
    if "folders" not in skip:
        results["folders"] = folder_sum(corpus, tmplint + ["--no-cache"], work, env)
    return results, checks, missing


def folder_sum(corpus: str, tmplint: List[str], work: str, env: Dict[str, str]) -> Result:
    """Each top-level folder checked alone, cold, once (the corpus's own top-level files as one more
    run): one Result whose single wall time is their sum, and whose memory is the largest of them."""
    entries = sorted(os.listdir(corpus))
    parts = [[os.path.join(corpus, e)] for e in entries if os.path.isdir(os.path.join(corpus, e))]
    loose = [os.path.join(corpus, e) for e in entries if e.endswith(".py") and os.path.isfile(os.path.join(corpus, e))]
    if loose:
        parts.append(loose)
    total = Result("tmplint, cold, each top-level folder alone (sum)", f"{len(parts)} runs")
    walls, cpus = [], []
    for paths in parts:
        wall, cpu, _, _, sampler = run(tmplint + paths, work, env)
        walls.append(wall)
        cpus.append(cpu)
        total.peak_rss = max(total.peak_rss, sampler.peak_rss)
        if sampler.peak_rss == total.peak_rss:
            total.peak_pss, total.processes = sampler.peak_pss, sampler.processes
    total.walls, total.cpus = [sum(walls)], [sum(cpus)]
    print(f"  {total.label}: {sum(walls):.2f} s wall over {len(parts)} folders", file=sys.stderr, flush=True)
    return total


def report(results: Dict[str, Result], checks: List[str], missing: List[str], corpus: str) -> None:
    get = results.get
    files = sum(len([n for n in names if n.endswith(".py")]) for _, _, names in os.walk(corpus))
    print(f"\nCorpus: `{corpus}` ({files} files); machine: {os.cpu_count()} cores, {_ram()}; "
          f"{time.strftime('%Y-%m-%d')}; Python {sys.version.split()[0]}; load average at the end: {_load()}.\n")
    print("| what | command | median wall | median CPU | runs | peak memory: RSS sum (PSS sum) | target |")
    print("|---|---|---|---|---|---|---|")
    cold, warm, ruff, bandit = get("cold"), get("warm"), get("ruff"), get("bandit")
    notes: Dict[str, str] = {}
    if cold and ruff:
        ratio = cold.median / ruff.median
        notes["cold"] = f"{ratio:.1f}x ruff: {verdict(ratio, 10)} <= 10x (aim 3x)"
    if cold and bandit:
        ratio = bandit.median / cold.median
        notes["bandit"] = f"tmplint cold is {ratio:.1f}x faster: {verdict(ratio, 10, smaller=False)} >= 10x"
    if warm and ruff:
        ratio = warm.median / ruff.median
        notes["warm"] = f"{ratio:.2f}x ruff cold: {verdict(ratio, 1)} <= 1x"
    for key in ("changed screened out", "changed with a finding", "alone screened out", "alone with a finding"):
        if get(key):
            notes[key] = f"{verdict(get(key).median, 0.5)} < 0.5 s"
    folders = get("folders")
    if cold and folders:
        ratio = cold.median / folders.median
        notes["folders"] = f"the whole tree costs {ratio:.2f}x this sum: {verdict(ratio, 1.2)} <= 1.2x"
    alone, plugged = get("flake8 alone"), get("flake8 + tmplint")
    if alone and plugged:
        extra = (plugged.median - alone.median) / alone.median * 100
        notes["flake8 + tmplint"] = f"+{extra:.0f}% over flake8 alone: {verdict(extra, 10)} <= 10%"
    for key in ("cold", "fill", "warm"):
        result = get(key)
        if result is not None and result.peak_rss:
            memory = f"memory {verdict(result.peak_rss, 300 * 2 ** 20)} < 300 MB"
            notes[key] = f"{notes[key]}; {memory}" if key in notes else memory
    for key, result in results.items():
        print(row(result, notes.get(key, "")))
    print()
    for line in checks:
        print(f"- {line}")
    for name in missing:
        print(f"- missing, not measured: {name}")


def report_summary(summary: List[Tuple[str, Dict[str, Result], List[str]]]) -> None:
    """One row per corpus, from this run: the ratios the targets are set on (the README's speed table)."""
    print("\n| corpus | files | tmplint cold | ruff | tmplint / ruff | whole tree / sum of its folders | "
          "peak memory (RSS sum) | findings, screens on and off |")
    print("|---|---|---|---|---|---|---|---|")
    for corpus, results, checks in summary:
        files = sum(len([n for n in names if n.endswith(".py")]) for _, _, names in os.walk(corpus))
        cold, ruff, folders = results.get("cold"), results.get("ruff"), results.get("folders")
        same = next((c.split(":")[1].split("(")[0].strip() for c in checks if c.startswith("screen on and off")),
                    "not checked")
        print(f"| `{os.path.basename(corpus)}` | {files} | {cold.median:.2f} s | "
              f"{f'{ruff.median:.2f} s' if ruff else 'n/a'} | "
              f"{f'{cold.median / ruff.median:.1f}x' if ruff else 'n/a'} | "
              f"{f'{cold.median / folders.median:.2f}x' if folders else 'n/a'} | {mb(cold.peak_rss)} | {same} |"
              if cold else f"| `{corpus}` | {files} | n/a | | | | | |")


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _ram() -> str:
    try:
        with open("/proc/meminfo") as handle:
            total = int(handle.readline().split()[1]) * 1024
        return f"{total / 2 ** 30:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        return "RAM unknown"


if __name__ == "__main__":
    sys.exit(main())
