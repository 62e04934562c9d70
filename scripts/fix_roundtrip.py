"""Run ``tmplint --fix`` on a copy of a corpus and check that it changed only what it should.

    python scripts/fix_roundtrip.py CORPUS [--unsafe-fixes]

It copies CORPUS to a temporary folder, records the findings, runs ``--fix``, and reports:
files changed; original lines changed that carry a finding vs. other lines (the hoisted
spellings of a temp path spelled twice); every changed file still parses and compiles;
outside the statements that changed, every top-level statement has an identical ``ast.dump``;
a second ``--fix`` changes nothing; and how many files could not be analysed, and why.
It never imports or runs the corpus code.
"""

import argparse
import ast
import collections
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings


def tmplint(*args):
    return subprocess.run([sys.executable, "-m", "tmplint", "--no-cache", *args],
                          capture_output=True, text=True, check=False)


def snapshot(root):
    hashes = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    with open(path, "rb") as handle:
                        hashes[path] = hashlib.sha256(handle.read()).hexdigest()
    return hashes


def statement_dumps(source):
    """(first line, last line, ast.dump) of each top-level statement, or None when it does not parse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return None
    return [(node.lineno, node.end_lineno, ast.dump(node)) for node in tree.body]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--unsafe-fixes", action="store_true")
    args = parser.parse_args()
    extra = ["--unsafe-fixes"] if args.unsafe_fixes else []
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "corpus")
        shutil.copytree(args.corpus, copy, symlinks=True)
        check = tmplint("--format", "json", "--exit-zero", *extra, copy)
        findings = json.loads(check.stdout or "[]")
        errors = [line for line in check.stderr.splitlines() if ": cannot analyse: " in line]
        reasons = collections.Counter(line.split(": cannot analyse: ", 1)[1].split(" at ")[0] for line in errors)
        reported = collections.defaultdict(set)
        for item in findings:
            reported[os.path.realpath(item["path"])].add(item["line"])
        fixable = sum(1 for item in findings if item["fixable"])
        before = snapshot(copy)
        originals = {}
        for path in reported:
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                originals[path] = handle.read()
        fix = tmplint("--fix", *extra, copy)
        after = snapshot(copy)
        changed = sorted(p for p in before if before[p] != after.get(p))
        stray = sorted(p for p in after if p not in before)
        on_reported = other_lines = not_parsing = ast_mismatch = 0
        for path in changed:
            original = originals.get(os.path.realpath(path))
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                fixed = handle.read()
            if original is None:
                print(f"changed without a finding: {path}")
                continue
            old_lines, new_lines = original.splitlines(), fixed.splitlines()
            touched = set()
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes():
                if tag in ("replace", "delete"):
                    touched.update(range(i1 + 1, i2 + 1))
            on_reported += len(touched & reported[os.path.realpath(path)])
            other_lines += len(touched - reported[os.path.realpath(path)])
            try:
                compile(fixed, path, "exec", dont_inherit=True)
            except SyntaxError:
                not_parsing += 1
            old, new = statement_dumps(original), statement_dumps(fixed)
            if old is not None and new is not None:
                untouched_old = [d for first, last, d in old if not any(first <= n <= last for n in touched)]
                new_dumps = collections.Counter(d for _, _, d in new)
                if any(new_dumps[d] < untouched_old.count(d) for d in set(untouched_old)):
                    ast_mismatch += 1
                    print(f"statements outside the fix differ: {path}")
        again = tmplint("--fix", *extra, copy)
        changed_again = sum(1 for p, h in snapshot(copy).items() if after.get(p) != h)
    files = len(before)
    print(f"files: {files}; could not be analysed: {len(errors)} {dict(reasons)}")
    print(f"findings: {len(findings)} ({fixable} fixable); fix exit status {fix.returncode}: "
          f"{(fix.stdout.strip().splitlines() or [''])[-1]}")
    print(f"files changed: {len(changed)}; stray files: {len(stray)}")
    print(f"original lines changed: {on_reported} on reported lines, {other_lines} other "
          f"(in the helper a call site points to, or other spellings of a hoisted temp path)")
    print(f"changed files not compiling: {not_parsing}; with statements changed outside the fix: {ast_mismatch}")
    print(f"second --fix changed {changed_again} files (exit status {again.returncode})")
    return 1 if (not_parsing or ast_mismatch or changed_again or stray) else 0


if __name__ == "__main__":
    sys.exit(main())
