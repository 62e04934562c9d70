"""What the flake8 plugin costs: ``flake8`` on a corpus without and with tmplint, alternating.

    python benchmarks/plugin_cost.py SMALL_CORPUS [RUNS]

flake8-bandit is left out of both, as in ``run.py``; the two commands alternate RUNS times (default 5)
so a shared machine's drift hits both alike. Prints medians and the plugin's share of flake8's time.
"""

import importlib.util
import os
import statistics
import sys

_SPEC = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.py"))
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def main() -> int:
    small = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    commands = {"flake8 alone": [sys.executable, "-c", bench.FLAKE8, "tmplint,flake8-bandit", "--exit-zero", small],
                "flake8 + tmplint": [sys.executable, "-c", bench.FLAKE8, "flake8-bandit", "--extend-select", "TMP",
                                     "--exit-zero", small]}
    walls = {label: [] for label in commands}
    cpus = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            wall, cpu, _, _, _ = bench.run(argv, os.getcwd())
            walls[label].append(wall)
            cpus[label].append(cpu)
            print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr, flush=True)
    for label in commands:
        print(f"{label}: {statistics.median(walls[label]):.2f} s wall, {statistics.median(cpus[label]):.2f} s CPU")
    alone, plugged = "flake8 alone", "flake8 + tmplint"
    print(f"the plugin adds {100 * (statistics.median(walls[plugged]) / statistics.median(walls[alone]) - 1):+.1f}% "
          f"wall, {100 * (statistics.median(cpus[plugged]) / statistics.median(cpus[alone]) - 1):+.1f}% CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
