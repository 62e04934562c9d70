"""What the project index costs: ``tmplint --no-cache --jobs 2`` on a corpus with and without it.

    python benchmarks/index_cost.py CORPUS [RUNS]

Without the index means per-file checks only (``runner._project_jobs`` patched to return None, as if
``tmplint.project`` were missing), so findings that need another file's summary are not made. The two
runs alternate, RUNS times each (default 3), so a shared machine's drift hits both alike; medians of wall
and CPU time and the peak RSS summed over the process tree are printed (measured as ``run.py`` does).
"""

import importlib.util
import os
import sys

_SPEC = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.py"))
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)

WITHOUT_INDEX = ("import sys, tmplint.runner as r; r._project_jobs = lambda: None; "
                 "from tmplint.cli import main; sys.exit(main(sys.argv[1:]))")


def main() -> int:
    corpus = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    args = ["--no-cache", "--jobs", "2", "--exit-zero", corpus]
    results = bench.alternate({"with the index": [sys.executable, "-m", "tmplint", *args],
                               "without it": [sys.executable, "-c", WITHOUT_INDEX, *args]}, os.getcwd(), runs)
    for result in results.values():
        print(f"{result.label}: {result.median:.2f} s wall, {result.cpu:.2f} s CPU, "
              f"peak {result.peak_rss / 2 ** 20:.0f} MB")
    with_, without = results["with the index"], results["without it"]
    print(f"the index costs x{with_.median / without.median:.2f} wall, x{with_.cpu / without.cpu:.2f} CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
