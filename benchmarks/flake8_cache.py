"""What the flake8 plugin costs over flake8 alone, on a warm and on a cold tmplint cache.

    python benchmarks/flake8_cache.py [SMALL_CORPUS] [--runs 5]

Three commands take turns, ``--runs`` times, in a scratch folder (the project root when the corpus has
no ``[tool.tmplint]``, so the cache lives there): flake8 with its own plugins and without tmplint;
flake8 with tmplint on a warm cache (``tmplint CORPUS`` filled it, untimed, as a CLI run or pre-commit
leaves it); and flake8 with tmplint after the cache was removed (cold: the plugin parses what the
screen lets through and indexes the imports, as ``tmplint FILE`` does). flake8-bandit is left out.

Why the CLI fills the cache for the warm runs: flake8's worker processes each save the cache's shards
when they end, and for a shard both wrote the last one wins (``tmplint.cache``), so a cold flake8 run
leaves about half of its results behind and each later run adds most of the rest. Prints each one's median wall and CPU
time (the process tree's user and system time) and the plugin's share over flake8 alone; the target
is within 10 % on a warm cache.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from run import FLAKE8, Result, _record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="/tmp/perf-corpus-small")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"{corpus} is missing: ../shared/bench/fetch_perf_corpus.sh makes it beside the corpus",
              file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="tmplint-flake8-")
    cache = os.path.join(scratch, ".tmplint_cache")
    alone = [sys.executable, "-c", FLAKE8, "tmplint,flake8-bandit", "--exit-zero", corpus]
    plugged = [sys.executable, "-c", FLAKE8, "flake8-bandit", "--extend-select", "TMP", "--exit-zero", corpus]
    results = {label: Result(label, "") for label in ("flake8 alone", "with tmplint, warm cache",
                                                      "with tmplint, cold cache")}
    fill = [sys.executable, "-m", "tmplint", "--exit-zero", "-q", corpus]
    try:
        for _ in range(args.runs):
            subprocess.run(fill, cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            _record(results["flake8 alone"], alone, scratch, None)
            _record(results["with tmplint, warm cache"], plugged, scratch, None)
            shutil.rmtree(cache, ignore_errors=True)
            _record(results["with tmplint, cold cache"], plugged, scratch, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    base = results["flake8 alone"]
    for result in results.values():
        print(f"{result.label}: median {result.median:.2f} s wall ({100 * (result.median / base.median - 1):+.1f} %), "
              f"{result.cpu:.2f} s CPU ({100 * (result.cpu / base.cpu - 1):+.1f} %), {len(result.walls)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
