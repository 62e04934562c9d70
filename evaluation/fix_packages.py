#!/usr/bin/env python3
"""Run `tmplint --fix` on real packages and check that their own tests still pass.

usage: python evaluation/fix_packages.py WORK [--tmplint PATH] [--ruff PATH] [--only NAME ...]
                                         [--python PY] [--timeout SECONDS] [--show-diff]

For each package of evaluation/fix-packages.lock (pinned sdists that ship their tests):
 1. download the sdist into WORK/downloads (`pip download --no-deps --require-hashes`,
    sha256 checked) and unpack it afresh into WORK/<name>/src;
 2. create WORK/<name>/venv (kept between runs while the lock line is unchanged) and install
    the unpacked source editable, with its test dependencies, so the tests import the code
    that --fix edits;
 3. run the package's tests for the modules the fix changes (pytest -p no:cacheprovider,
    pytest-timeout) and `ruff check --isolated --select I` on the fixed folders;
 4. run `tmplint --no-cache --fix` on the package's source folders, measure the diff
    (files changed, lines +/-, saved as WORK/<name>/fix.diff), py_compile the changed files;
 5. run the same tests and ruff again, then `tmplint --fix` a second time, which must change
    nothing.
It prints one table (markdown) and writes everything to WORK/results.json. The exit status
is 0 whatever it finds (this is data, not a test); any problem is listed under PROBLEMS at
the end of the output.

Lock columns (tab-separated): name, requirement, sdist file, sha256, fix folders (comma-
separated, relative to the unpacked sdist), pip install arguments (steps joined by " && ";
"." is the unpacked sdist, "./PATH" a file in it, "--drop=NAME" leaves NAME out of the step's
-r files), pytest arguments (test files or node ids, -k ...), and the modules the tests cover
(comma-separated, relative to the sdist; a changed file outside them is reported).
"""
import argparse
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fetch import _safe, fetch_one  # noqa: E402

LOCK = HERE / "fix-packages.lock"
REPO = HERE.parent
DEFAULT_TMPLINT = str(REPO / ".venv" / "bin" / "tmplint")
TEST_TOOLS = ["pytest", "pytest-timeout"]
SUMMARY_WORDS = ("passed", "failed", "error", "errors", "skipped", "xfailed", "xpassed", "deselected")


def read_lock(path=LOCK):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 8:
            raise SystemExit(f"{path.name}: expected 8 tab-separated columns, got {len(cols)}: {line!r}")
        name, req, file, sha, fix, install, tests, covers = cols
        rows.append({
            "name": name, "requirement": req, "file": file, "sha256": sha,
            "fix": [p for p in fix.split(",") if p],
            "install": [shlex.split(step) for step in install.split(" && ")],
            "tests": shlex.split(tests), "covers": [p for p in covers.split(",") if p],
            "line": line,
        })
    return rows


def run(cmd, cwd=None, env=None, timeout=None):
    """Run cmd; return (returncode, stdout+stderr). A timeout gives returncode None."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.output or b""
        return None, out.decode("utf-8", "replace") + f"\n[timed out after {timeout} s]"
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def unpack(archive, dest):
    """Unpack an sdist into dest without its top-level "<name>-<version>/" folder."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            rel = _safe(member.name)
            if len(rel.parts) < 2 or not (member.isfile() or member.isdir()):
                continue
            out = dest.joinpath(*rel.parts[1:])
            if member.isdir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(tf.extractfile(member).read())
            if member.mode & 0o111:
                out.chmod(0o755)


def ensure_venv(pkg, home, src, python):
    venv = home / "venv"
    stamp = venv / ".fix-packages-stamp"
    want = pkg["line"] + "\n" + str(src) + "\n"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == want:
        return venv, None
    shutil.rmtree(venv, ignore_errors=True)
    rc, out = run([python, "-m", "venv", str(venv)])
    if rc != 0:
        return venv, "venv: " + out[-2000:]
    vpy = str(venv / "bin" / "python")
    log = []
    for i, step in enumerate(pkg["install"]):
        if i == len(pkg["install"]) - 1:
            step = step + TEST_TOOLS
        rc, out = run([vpy, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                       *install_args(step, src, home)], timeout=3600)
        log.append(out)
        (home / "install.log").write_text("\n".join(log), encoding="utf-8")
        if rc != 0:
            return venv, f"pip install failed (see {home / 'install.log'}): " + out[-2000:]
    stamp.write_text(want, encoding="utf-8")
    return venv, None


def install_args(step, src, home):
    """One pip install step of the lock: "." and ".[extra]" name the unpacked sdist, "./PATH" a
    file in it; "--drop=NAME" removes NAME's lines from the requirement files (-r) of the step,
    for a floor the package index cannot satisfy yet."""
    drop = [a.split("=", 1)[1].lower() for a in step if a.startswith("--drop=")]
    args = []
    for a in step:
        if a.startswith("--drop="):
            continue
        if a == "." or a.startswith(".["):
            a = str(src) + a[1:]
        elif a.startswith("./"):
            a = str(src / a[2:])
        if drop and args and args[-1] == "-r":
            kept = [line for line in Path(a).read_text(encoding="utf-8").splitlines()
                    if re.split(r"[\s<>=!~;\[]", line.strip(), maxsplit=1)[0].lower() not in drop]
            a = str(home / ("filtered-" + Path(a).name))
            Path(a).write_text("\n".join(kept) + "\n", encoding="utf-8")
        args.append(a)
    return args


def snapshot(root, folders):
    files = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and (path.suffix == ".py" or path.name.endswith(".tmplint")):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def digest(files):
    return {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}


def parse_pytest(rc, out):
    counts = {}
    text = re.sub(r"\x1b\[[0-9;]*m", "", out)
    for line in reversed(text.splitlines()):
        found = re.findall(r"(\d+) (%s)\b" % "|".join(SUMMARY_WORDS), line)
        if found and re.search(r"\bin [\d.]+s\b", line):
            for n, word in found:
                counts["errors" if word == "error" else word] = int(n)
            break
        if "no tests ran" in line:
            break
    passed, failed = counts.get("passed", 0), counts.get("failed", 0) + counts.get("errors", 0)
    ok = rc == 0 and passed > 0 and failed == 0
    return {"rc": rc, "ok": ok, "counts": counts, "passed": passed, "failed": failed}


def tree(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def remove_new(root, baseline):
    """Remove what a test run left in the unpacked sdist (twisted's test_chdir creates
    ./releaseCh and fails if it exists), so both runs start from the same tree."""
    gone = []
    for rel in sorted(tree(root) - baseline):
        path = root / rel
        if not os.path.lexists(path):
            continue  # inside a folder already removed
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        gone.append(rel)
    return gone


def run_tests(venv, src, pkg, timeout, home, label):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    tmp = home / ("tmp-" + label)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    env["TMPDIR"] = str(tmp)
    cmd = [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q",
           "--color=no", "--timeout=300", *pkg["tests"]]
    started = time.time()
    rc, out = run(cmd, cwd=str(src), env=env, timeout=timeout)
    (home / f"tests-{label}.log").write_text(" ".join(cmd) + "\n\n" + out, encoding="utf-8")
    result = parse_pytest(rc, out)
    result["seconds"] = round(time.time() - started, 1)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def ruff_isort(ruff, src, folders):
    rc, out = run([ruff, "check", "--isolated", "--select", "I", "--output-format", "json",
                   "--exit-zero", "--no-cache", *folders], cwd=str(src))
    if rc != 0:
        return None, out[-2000:]
    per_file = {}
    for item in json.loads(out or "[]"):
        rel = Path(item["filename"]).resolve().relative_to(src.resolve()).as_posix()
        per_file[rel] = per_file.get(rel, 0) + 1
    return per_file, None


def tmplint_findings(tmplint, src, folders):
    rc, out = run([tmplint, "--no-cache", "--format", "json", "--exit-zero", *folders], cwd=str(src))
    try:
        items = json.loads(out)
    except ValueError:
        return None, f"tmplint exit {rc}: {out[-2000:]}"
    return items, None


def is_safe_fix(finding):
    """A fix that plain --fix applies (JSON "fixable" is also true for --unsafe-fixes ones)."""
    return bool(finding.get("fixable")) and (finding.get("fix") or {}).get("applicability", "safe") == "safe"


def diff_stats(before, after, src):
    changed = sorted(k for k in after if k.endswith(".py") and before.get(k) != after[k])
    plus = minus = 0
    chunks = []
    for rel in changed:
        old = before.get(rel, b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = after[rel].decode("utf-8", "replace").splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, "a/" + rel, "b/" + rel):
            chunks.append(line if line.endswith("\n") else line + "\n")
            if line.startswith("+") and not line.startswith("+++"):
                plus += 1
            elif line.startswith("-") and not line.startswith("---"):
                minus += 1
    return changed, plus, minus, "".join(chunks)


def imported_from(venv, src, folder):
    """Where the venv imports the fixed folder's top-level package from."""
    mod = Path(folder).name
    rc, out = run([str(venv / "bin" / "python"), "-c",
                   f"import {mod}, os; print(os.path.realpath({mod}.__file__))"], cwd="/")
    where = out.strip().splitlines()[-1] if out.strip() else ""
    return rc == 0 and where.startswith(str(src.resolve()) + os.sep), where


def check_package(pkg, ns, work):
    name = pkg["name"]
    home = work / name
    home.mkdir(parents=True, exist_ok=True)
    res = {"name": name, "requirement": pkg["requirement"], "problems": []}
    problems = res["problems"]

    def say(msg):
        print(f"[{name}] {msg}", flush=True)

    archive = fetch_one(name, pkg["requirement"], pkg["file"], pkg["sha256"],
                        ["--no-binary=:all:"], work / "downloads")
    src = home / "src"
    unpack(archive, src)
    say(f"unpacked {archive.name}")
    venv, err = ensure_venv(pkg, home, src, ns.python)
    if err:
        problems.append(err)
        return res
    for folder in pkg["fix"]:
        ok, where = imported_from(venv, src, folder)
        if not ok:
            problems.append(f"the venv imports {Path(folder).name} from {where or '?'}, not the unpacked source")
    if problems:
        return res

    findings, err = tmplint_findings(ns.tmplint, src, pkg["fix"])
    if err:
        problems.append("tmplint (check) " + err)
        return res
    res["findings_before"] = len(findings)
    res["fixable_before"] = sum(1 for f in findings if is_safe_fix(f))
    res["unsafe_before"] = sum(1 for f in findings if f.get("fixable") and not is_safe_fix(f))
    say(f"{res['findings_before']} findings, {res['fixable_before']} with a safe fix, "
        f"{res['unsafe_before']} with an unsafe one")

    ruff_before, err = ruff_isort(ns.ruff, src, pkg["fix"])
    if err:
        problems.append("ruff before: " + err)
    say("tests before ...")
    baseline = tree(src)
    res["tests_before"] = run_tests(venv, src, pkg, ns.timeout, home, "before")
    say(f"tests before: {res['tests_before']['counts']} rc={res['tests_before']['rc']}")
    res["left_by_tests"] = [p for p in remove_new(src, baseline) if "__pycache__" not in p]

    before = snapshot(src, pkg["fix"])
    rc, out = run([ns.tmplint, "--no-cache", "--fix", "--exit-zero", *pkg["fix"]], cwd=str(src))
    (home / "fix.log").write_text(out, encoding="utf-8")
    res["fix_exit"] = rc
    if rc != 0:
        problems.append(f"tmplint --fix exited {rc}: {out[-1000:]}")
    after = snapshot(src, pkg["fix"])
    leftovers = [k for k in after if k.endswith(".tmplint")]
    if leftovers:
        problems.append(f"tmplint left temp files: {leftovers}")
    changed, plus, minus, diff = diff_stats(before, after, src)
    (home / "fix.diff").write_text(diff, encoding="utf-8")
    res.update(changed=changed, plus=plus, minus=minus)
    say(f"--fix changed {len(changed)} files (+{plus} -{minus}); diff in {home / 'fix.diff'}")
    if ns.show_diff:
        print(diff, flush=True)
    if not changed:
        problems.append("--fix changed nothing")
    outside = [c for c in changed if c not in pkg["covers"]]
    if outside:
        problems.append(f"--fix changed files the chosen tests do not cover: {outside}")

    findings_after, err = tmplint_findings(ns.tmplint, src, pkg["fix"])
    if err:
        problems.append("tmplint (re-check) " + err)
    else:
        res["findings_after"] = len(findings_after)
        res["fixable_after"] = sum(1 for f in findings_after if is_safe_fix(f))
        res["fixed"] = res["findings_before"] - len(findings_after)
        if res["fixable_after"]:
            problems.append(f"{res['fixable_after']} findings with a safe fix remain after --fix")

    if changed:
        rc, out = run([str(venv / "bin" / "python"), "-m", "py_compile", *changed], cwd=str(src))
        res["compiles"] = rc == 0
        if rc != 0:
            problems.append("py_compile failed: " + out[-2000:])

    say("tests after ...")
    res["tests_after"] = run_tests(venv, src, pkg, ns.timeout, home, "after")
    say(f"tests after: {res['tests_after']['counts']} rc={res['tests_after']['rc']}")
    for label in ("tests_before", "tests_after"):
        if not res[label]["ok"]:
            problems.append(f"{label.replace('_', ' ')} did not pass: {res[label]['counts']} "
                            f"(exit {res[label]['rc']}), log {home / (label.replace('_', '-') + '.log')}")
    if res["tests_before"]["counts"] != res["tests_after"]["counts"]:
        problems.append(f"test counts differ: {res['tests_before']['counts']} -> {res['tests_after']['counts']}")

    ruff_after, err = ruff_isort(ns.ruff, src, pkg["fix"])
    if err:
        problems.append("ruff after: " + err)
    if ruff_before is not None and ruff_after is not None:
        rb = {c: ruff_before.get(c, 0) for c in changed}
        ra = {c: ruff_after.get(c, 0) for c in changed}
        res["ruff_before"], res["ruff_after"] = rb, ra
        res["ruff_total_before"] = sum(ruff_before.values())
        res["ruff_total_after"] = sum(ruff_after.values())
        if rb != ra:
            problems.append(f"ruff --select I differs on the changed files: {rb} -> {ra}")

    rc, out = run([ns.tmplint, "--no-cache", "--fix", "--exit-zero", *pkg["fix"]], cwd=str(src))
    again = snapshot(src, pkg["fix"])
    second = sorted(k for k in set(after) | set(again) if after.get(k) != again.get(k))
    res["second_fix_changes"] = second
    if second or rc != 0:
        problems.append(f"second --fix (exit {rc}) changed {second}")
    return res


def fmt_tests(t):
    if not t:
        return "-"
    c = t["counts"]
    extra = "".join(f", {c[k]} {k}" for k in ("skipped", "xfailed", "deselected") if c.get(k))
    status = "pass" if t["ok"] else "FAIL"
    return f"{status}: {t['passed']} passed, {t['failed']} failed{extra}"


def fmt_ruff(d):
    if d is None:
        return "?"
    n = sum(d.values())
    return "clean" if n == 0 else f"{n} I001"


def table(results):
    head = ["package", "version", "findings fixed", "files changed", "+/- lines",
            "tests before", "tests after", "ruff I, changed files before / after", "2nd --fix"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        fixed = r.get("fixed")
        if fixed is not None:
            unsafe = f", unsafe: {r['unsafe_before']}" if r.get("unsafe_before") else ""
            fixed = f"{fixed} of {r['findings_before']} (safe fix: {r['fixable_before']}{unsafe})"
        else:
            fixed = "-"
        second = r.get("second_fix_changes")
        second = "-" if second is None else ("no change" if not second else f"CHANGED {len(second)}")
        changed = r.get("changed")
        rows.append("| " + " | ".join([
            r["name"], r["requirement"].split("==")[-1], fixed,
            "-" if changed is None else str(len(changed)),
            "-" if changed is None else f"+{r['plus']} -{r['minus']}",
            fmt_tests(r.get("tests_before")), fmt_tests(r.get("tests_after")),
            f"{fmt_ruff(r.get('ruff_before'))} / {fmt_ruff(r.get('ruff_after'))} "
            f"({r.get('ruff_total_before', '?')} / {r.get('ruff_total_after', '?')} in the folders)", second,
        ]) + " |")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", type=Path, help="work folder (downloads, unpacked sources, venvs)")
    ap.add_argument("--tmplint", default=DEFAULT_TMPLINT,
                    help="the tmplint under test (default: the repository's .venv, so its working tree)")
    ap.add_argument("--ruff", default=str(REPO / ".venv" / "bin" / "ruff"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the venvs")
    ap.add_argument("--only", nargs="*", default=None, help="only these lock names")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds for one test run")
    ap.add_argument("--show-diff", action="store_true", help="print each package's diff")
    ns = ap.parse_args(argv)
    work = ns.work.resolve()
    (work / "downloads").mkdir(parents=True, exist_ok=True)
    rc, version = run([ns.tmplint, "--version"])
    print(f"tmplint: {ns.tmplint} ({version.strip()}), ruff: {ns.ruff}", flush=True)
    rc, head = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    rc2, dirty = run(["git", "-C", str(REPO), "status", "--porcelain", "--", "tmplint"])
    if rc == 0 and rc2 == 0 and ns.tmplint == DEFAULT_TMPLINT:
        state = "equal to it" if not dirty.strip() else f"{len(dirty.splitlines())} changed paths"
        print(f"repository: commit {head.strip()}, tmplint/ in the working tree: {state}", flush=True)
    results = []
    for pkg in read_lock():
        if ns.only is not None and pkg["name"] not in ns.only:
            continue
        try:
            res = check_package(pkg, ns, work)
        except Exception as exc:  # one package's crash must not hide the others
            res = {"name": pkg["name"], "requirement": pkg["requirement"],
                   "problems": [f"{type(exc).__name__}: {exc}"]}
        results.append(res)
    (work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print()
    print(table(results))
    problems = [(r["name"], p) for r in results for p in r["problems"]]
    print()
    if problems:
        print(f"PROBLEMS ({len(problems)}):")
        for name, p in problems:
            print(f"  {name}: {p}")
    else:
        print("no problems: every package's tests passed before and after --fix, ruff I unchanged, "
              "the second --fix changed nothing")
    print(f"details: {work / 'results.json'}, per package: {work}/<name>/fix.diff, tests-*.log")
    return 0


if __name__ == "__main__":
    sys.exit(main())
