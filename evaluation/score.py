#!/usr/bin/env python3
"""Score a tmplint build against the hand-judged labels of real packages.

usage: python evaluation/score.py DIR [--tmplint PATH] [--json] [--jobs N] [--findings FILE]

DIR is the corpus built by evaluation/fetch.py (one folder per package of packages.lock).
For each package of packages.lock, runs `tmplint --no-cache --format json --exit-zero
--extend-select TMP106 <name>` from inside DIR (so finding paths start with "<name>/"),
then matches findings to evaluation/labels.tsv:

  a finding matches a label when package, path and family agree and the finding's line
  is within 2 lines of the label's line (a multi-line call or statement).
  Families: TMP10x = TMP101-TMP105 (write-then-rename temp names, helpers, locks),
  TMP106 (weak-only names, off by default), TMP201, TMP202.

Per family it prints: true sites found / total true (recall), false sites reported /
total false, and for TMP201 the precision on labelled sites (true found / (true found +
false reported)). It then lists every miss (a true label with no finding), every false
positive (a false label with a finding), and findings on no label at all (unjudged: add
a label for them). --json prints the same as one JSON object. --findings FILE reuses
a JSON list saved by an earlier run (the "findings" key of --json output) instead of
running tmplint. Exit status 0 (scores are data, not a test).
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.tsv"
FAMILIES = ("TMP10x", "TMP106", "TMP201", "TMP202")
SLACK = 2


def family(code):
    if code in ("TMP101", "TMP102", "TMP103", "TMP104", "TMP105"):
        return "TMP10x"
    return code if code in FAMILIES else None


def read_labels(path=LABELS):
    labels = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("package\t"):
                continue
            cols = line.split("\t")
            if len(cols) != 6:
                raise SystemExit(f"{path}:{n}: expected 6 tab-separated columns, got {len(cols)}")
            pkg, rel, lineno, fam, verdict, reason = cols
            if fam not in FAMILIES or verdict not in ("true", "false"):
                raise SystemExit(f"{path}:{n}: bad family {fam!r} or verdict {verdict!r}")
            labels.append({"package": pkg, "path": rel, "line": int(lineno), "family": fam,
                           "verdict": verdict == "true", "reason": reason})
    return labels


def default_tmplint():
    repo_venv = HERE.parent / ".venv" / "bin" / "tmplint"
    if repo_venv.exists():
        return str(repo_venv)
    return shutil.which("tmplint") or "tmplint"


def run_package(tmplint, root, name):
    cmd = [tmplint, "--no-cache", "--format", "json", "--exit-zero", "--extend-select", "TMP106", name]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        raise SystemExit(f"{name}: tmplint printed no JSON (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    out = []
    for d in data:
        fam = family(d.get("code", ""))
        if fam is None:
            continue
        path = d["path"].replace(os.sep, "/")
        prefix = name + "/"
        if path.startswith(prefix):
            path = path[len(prefix):]
        out.append({"package": name, "path": path, "line": int(d["line"]), "code": d["code"],
                    "family": fam, "message": d.get("message", "")})
    return out


def seed_check(tmplint, root):
    """`tmplint ray/tune` inside each unpacked ray wheel, as issue 12 asks: 2.53.0 must
    report the seed sites, 2.60.0 must be silent."""
    out = {}
    for name in ("ray-2.53.0", "ray-2.60.0"):
        if not (root / name / "ray" / "tune").is_dir():
            continue
        cmd = [tmplint, "--no-cache", "--format", "json", "--exit-zero", "ray/tune"]
        proc = subprocess.run(cmd, cwd=root / name, capture_output=True, text=True)
        data = json.loads(proc.stdout or "[]")
        out[name] = sorted(f"{d['path']}:{d['line']} {d['code']}" for d in data
                           if d["code"].startswith("TMP1"))
    return out


def score(labels, findings):
    by_key = collections.defaultdict(list)
    for f in findings:
        by_key[(f["package"], f["path"], f["family"])].append(f)
    used = set()
    rows = {fam: {"true": 0, "found": 0, "false": 0, "reported": 0} for fam in FAMILIES}
    misses, false_positives, hits = [], [], []
    for lab in labels:
        cands = [f for f in by_key.get((lab["package"], lab["path"], lab["family"]), [])
                 if abs(f["line"] - lab["line"]) <= SLACK]
        for f in cands:
            used.add(id(f))
        row = rows[lab["family"]]
        if lab["verdict"]:
            row["true"] += 1
            if cands:
                row["found"] += 1
                hits.append(lab)
            else:
                misses.append(lab)
        else:
            row["false"] += 1
            if cands:
                row["reported"] += 1
                false_positives.append(dict(lab, codes=sorted({f["code"] for f in cands})))
    unjudged = [f for f in findings if id(f) not in used]
    for fam, row in rows.items():
        row["recall"] = row["found"] / row["true"] if row["true"] else None
        row["false_rate"] = row["reported"] / row["false"] if row["false"] else None
        flagged = row["found"] + row["reported"]
        row["precision"] = row["found"] / flagged if flagged else None
    total_true = sum(r["true"] for f, r in rows.items() if f != "TMP106")
    total_found = sum(r["found"] for f, r in rows.items() if f != "TMP106")
    total_false = sum(r["false"] for r in rows.values())
    total_reported = sum(r["reported"] for r in rows.values())
    overall = {
        "true": total_true, "found": total_found,
        "recall": total_found / total_true if total_true else None,
        "false": total_false, "reported": total_reported,
        "false_rate": total_reported / total_false if total_false else None,
    }
    return {"families": rows, "overall": overall, "misses": misses,
            "false_positives": false_positives, "unjudged": unjudged}


def pct(x):
    return "-" if x is None else f"{100 * x:5.1f}%"


def print_table(result, out=sys.stdout):
    w = out.write
    w(f"{'family':8} {'true found':>12} {'recall':>7} {'false reported':>15} {'false rate':>10} {'precision':>9}\n")
    for fam, r in result["families"].items():
        w(f"{fam:8} {r['found']:>5} / {r['true']:<4} {pct(r['recall']):>7} "
          f"{r['reported']:>7} / {r['false']:<5} {pct(r['false_rate']):>10} {pct(r['precision']):>9}\n")
    o = result["overall"]
    w(f"{'all*':8} {o['found']:>5} / {o['true']:<4} {pct(o['recall']):>7} "
      f"{o['reported']:>7} / {o['false']:<5} {pct(o['false_rate']):>10}\n")
    w("  * recall over TMP10x, TMP201, TMP202 (TMP106 is off by default); false sites over all families.\n")
    w(f"\nmisses ({len(result['misses'])}):\n")
    for m in result["misses"]:
        w(f"  {m['family']:7} {m['package']}/{m['path']}:{m['line']}  {m['reason']}\n")
    w(f"\nfalse positives ({len(result['false_positives'])}):\n")
    for m in result["false_positives"]:
        w(f"  {m['family']:7} {m['package']}/{m['path']}:{m['line']} [{','.join(m['codes'])}]  {m['reason']}\n")
    for name, found in result.get("seed", {}).items():
        want = "the seed sites reported" if name == "ray-2.53.0" else "silent"
        w(f"\nseed check, `tmplint ray/tune` inside {name} (want {want}): {len(found)} TMP1xx finding(s)\n")
        for f in found:
            w(f"  {f}\n")
    w(f"\nunjudged findings ({len(result['unjudged'])}; label them):\n")
    for f in result["unjudged"]:
        w(f"  {f['code']} {f['package']}/{f['path']}:{f['line']}  {f['message'][:110]}\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="corpus folder made by evaluation/fetch.py")
    ap.add_argument("--tmplint", default=None, help="tmplint executable (default: .venv/bin/tmplint, else PATH)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--jobs", type=int, default=4, help="packages checked at once (default 4)")
    ap.add_argument("--findings", type=Path, default=None, help="reuse findings saved by --json")
    ns = ap.parse_args(argv)
    labels = read_labels()
    sys.path.insert(0, str(HERE))
    from fetch import read_lock  # the package list is the lock's, labelled or not

    packages = [row[0] for row in read_lock()]
    root = ns.dir.resolve()
    if ns.findings:
        findings = json.loads(ns.findings.read_text())["findings"]
    else:
        missing = [p for p in packages if not (root / p).is_dir()]
        if missing:
            raise SystemExit(f"missing in {root}: {', '.join(missing)} (run evaluation/fetch.py {ns.dir})")
        tmplint = ns.tmplint or default_tmplint()
        with ThreadPoolExecutor(max_workers=max(1, ns.jobs)) as pool:
            parts = list(pool.map(lambda name: run_package(tmplint, root, name), packages))
        findings = [f for part in parts for f in part]
    result = score(labels, findings)
    if not ns.findings:
        result["seed"] = seed_check(tmplint, root)
    if ns.json:
        json.dump(dict(result, findings=findings, packages=packages), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
