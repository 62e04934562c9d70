"""The long run of tests/test_fuzz.py's properties: many examples, a fresh seed, counts at the end.

    python scripts/fuzz.py --examples 20000            # each property
    python scripts/fuzz.py --examples 2000 --only mutants --seed 7

For each property it prints how many examples ran, how long they took, what they came to (findings,
TMP000, nothing, fixed), and the falsifying example of a failure, then goes on with the next. The exit
status is 1 when any property failed. CI runs the same properties with a few hundred examples.
"""

import argparse
import collections
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz as props  # noqa: E402

PROPERTIES = ("grammar", "node", "mutants")


class Counting:
    """Wraps the checks so each example's outcome is counted."""

    def __init__(self) -> None:
        self.counts = collections.Counter()
        self.check, self.fix = props.check_never_raises, props.check_fix

    def __enter__(self):
        def check(source):
            result = self.check(source)
            self.counts["checks"] += 1
            if any(d.code == "TMP000" for d in result):
                self.counts["TMP000"] += 1
            elif result:
                self.counts["with findings"] += 1
            return result

        def fix(source):
            changed = self.fix(source)
            self.counts["fixes"] += 1
            self.counts["fixed (changed)"] += changed
            return changed

        props.check_never_raises, props.check_fix = check, fix
        return self

    def __exit__(self, *exc):
        props.check_never_raises, props.check_fix = self.check, self.fix


def strategy_and_property(name: str):
    if name == "grammar":
        return (hypothesmith.from_grammar(),), props.check_program
    if name == "node":
        return (hypothesmith.from_node(),), props.check_program
    everything = st.integers(min_value=0, max_value=len(props.FIXTURES) - 1)
    return (everything, props.mutations()), props.check_mutant


def run(name: str, examples: int, seed_value: int, every: int) -> bool:
    strategies, prop = strategy_and_property(name)
    calls = collections.Counter()
    started = time.perf_counter()

    def progress() -> None:
        calls["examples"] += 1
        if every and calls["examples"] % every == 0:
            print(f"  {name}: {calls['examples']} examples, {time.perf_counter() - started:.0f} s", flush=True)

    if len(strategies) == 1:
        def counted(program):
            progress()
            prop(program)
    else:
        def counted(fixture, operations):
            progress()
            prop(fixture, operations)

    test = seed(seed_value)(settings(
        max_examples=examples, deadline=None, database=None, derandomize=False, print_blob=True,
        suppress_health_check=list(HealthCheck),
    )(given(*strategies)(counted)))
    failed = False
    with Counting() as counting:
        try:
            test()
        except Exception:  # hypothesis has shrunk it and printed the falsifying example
            failed = True
            traceback.print_exc()
    seconds = time.perf_counter() - started
    outcomes = ", ".join(f"{key} {value}" for key, value in sorted(counting.counts.items()))
    print(f"{name}: {calls['examples']} examples in {seconds:.0f} s, {'FAILED' if failed else 'passed'}; {outcomes}",
          flush=True)
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default: 2000)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="hypothesis seed (default: the time)")
    parser.add_argument("--only", default=",".join(PROPERTIES), help=f"comma-separated, of {', '.join(PROPERTIES)}")
    parser.add_argument("--progress", type=int, default=500, metavar="N", help="a line every N examples (0: none)")
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name]
    unknown = set(names) - set(PROPERTIES)
    if unknown:
        parser.error(f"unknown properties: {', '.join(sorted(unknown))}")
    print(f"seed {args.seed}, {args.examples} examples per property", flush=True)
    results = [run(name, args.examples, args.seed, args.progress) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
