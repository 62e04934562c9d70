"""The machine formats end to end, in a real ``tmplint`` process, each read by its consumer's parser:
JSON (and its fixes applied as another tool would apply them), JSON lines, JUnit XML, GitLab Code
Quality and SARIF as GitHub code scanning reads it."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tmplint import check_source
from tmplint.docs import RULE_PAGES_URL
from tmplint.edits import apply_edits, text_edits
from tmplint.registry import RULES
from tmplint.reporters import FINGERPRINT_KEY

REPO = Path(__file__).resolve().parent.parent
RULE_FIXTURES = REPO / "fixtures" / "rules"

SAVE = textwrap.dedent("""\
    import os


    def save(data):
        with open(".tmp_state", "w") as f:
            f.write(data)
        os.replace(".tmp_state", "state.json")
    """)

# A helper in the same file: its callers' TMP101 point to its rename (line 9), a second place.
HELPER = textwrap.dedent("""\
    import os
    import pickle


    def atomic_save(obj, folder, name, tmp_name):
        tmp = os.path.join(folder, tmp_name)
        with open(tmp, "wb") as f:
            pickle.dump(obj, f)
        os.replace(tmp, os.path.join(folder, name))


    def save_model(model, folder):
        atomic_save(model, folder, "model.pt", tmp_name=".tmp_model")
    """)

# The helper also logs its temp name: fixing it in the helper is unsafe.
UNSAFE = textwrap.dedent("""\
    import os


    def atomic_save(data, folder, tmp_name):
        tmp = os.path.join(folder, tmp_name)
        with open(tmp, "w") as f:
            f.write(data)
        print("saved through", tmp_name)
        os.replace(tmp, os.path.join(folder, "state"))


    def save(data, folder):
        atomic_save(data, folder, ".tmp_state")
    """)


def tmplint(cwd, *args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "tmplint", "--no-cache", *args], cwd=str(cwd), input=stdin,
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\nextend-select = [\"TMP106\"]\n")
    return tmp_path


@pytest.fixture
def rules_project(project):
    """Every rule's fixture, so each rule has findings."""
    shutil.copytree(RULE_FIXTURES, project / "rules")
    return project


@pytest.fixture(scope="module")
def rules_json(tmp_path_factory):
    """The JSON report of every rule's fixture (it fixes each finding alone, so it is worth running once)."""
    folder = tmp_path_factory.mktemp("rules_json")
    (folder / "pyproject.toml").write_text("[tool.tmplint]\nextend-select = [\"TMP106\"]\n")
    shutil.copytree(RULE_FIXTURES, folder / "rules")
    return json_findings(folder, "rules")


def json_findings(cwd, *paths):
    done = tmplint(cwd, "--format", "json", *paths)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


# --- JSON lines -----------------------------------------------------------------------------------

def test_json_lines_is_the_json_report_one_object_a_line(rules_project, rules_json):
    done = tmplint(rules_project, "--output-format", "json-lines", "rules")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) > 40 and done.stdout.endswith("\n")
    objects = [json.loads(line) for line in lines]  # each line parses alone
    assert objects == rules_json


# --- --statistics with JSON -----------------------------------------------------------------------

def test_statistics_with_json_are_json_counts_not_findings(rules_project, rules_json):
    findings = rules_json
    done = tmplint(rules_project, "--statistics", "--format", "json", "rules")
    assert done.returncode == 1
    stats = json.loads(done.stdout)
    assert {tuple(sorted(item)) for item in stats} == {("code", "count", "fixable", "fixable_count", "name")}
    counts = {}
    for finding in findings:
        counts[finding["code"]] = counts.get(finding["code"], 0) + 1
    assert {item["code"]: item["count"] for item in stats} == counts
    assert [item["count"] for item in stats] == sorted(counts.values(), reverse=True)
    assert all(item["name"] == RULES[item["code"]].name for item in stats)
    assert {item["code"] for item in stats if item["fixable"]} == {f["code"] for f in findings
                                                                  if f["fix"] and f["fix"]["applicability"] == "safe"}


# --- JUnit ------------------------------------------------------------------------------------------

def test_junit_parses_as_jenkins_and_gitlab_read_it(rules_project, rules_json):
    (rules_project / "rules" / "broken.py").write_text("import os\nos.replace('.tmp', 'x'\n")
    findings = rules_json  # the broken file adds an error, no finding
    done = tmplint(rules_project, "--output-format", "junit", "rules")
    assert done.returncode == 2  # the broken file
    root = ET.fromstring(done.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    cases = [case for suite in suites for case in suite.findall("testcase")]
    assert int(root.get("tests")) == len(cases) == len(findings) + 1
    assert int(root.get("failures")) == len(findings) and int(root.get("errors")) == 1
    assert {suite.get("name") for suite in suites} == {f["path"] for f in findings} | {"rules/broken.py"}
    for suite in suites:
        mine = suite.findall("testcase")
        assert int(suite.get("tests")) == len(mine)
        assert int(suite.get("failures")) == sum(1 for case in mine if case.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for case in mine if case.find("error") is not None)
    failures = sorted((case.get("classname") + ".py", int(case.get("line")), int(case.get("column")),
                       case.get("name"), case.find("failure").get("message"))
                      for case in cases if case.find("failure") is not None)
    assert failures == sorted((f["path"], f["line"], f["column"], f"tmplint.{f['code']}", f["message"])
                              for f in findings)
    (error,) = [case.find("error") for case in cases if case.find("error") is not None]
    assert error.get("message").startswith("cannot analyse: ")


def test_junit_of_a_clean_run_is_one_passing_case(project):
    (project / "ok.py").write_text("x = 1\n")
    done = tmplint(project, "--output-format", "junit", ".")
    assert done.returncode == 0
    root = ET.fromstring(done.stdout.encode("utf-8"))
    (case,) = root.iter("testcase")
    assert list(case) == [] and root.get("failures") == "0" and root.get("tests") == "1"


# --- GitLab Code Quality ----------------------------------------------------------------------------

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_code_quality_fields(rules_project, rules_json):
    findings = rules_json
    done = tmplint(rules_project, "--output-format", "gitlab", "rules")
    issues = json.loads(done.stdout)
    assert len(issues) == len(findings)
    for issue, finding in zip(issues, findings):
        assert issue["check_name"] == finding["code"]
        assert issue["description"] == f"{finding['code']}: {finding['message']}"
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["path"] == finding["path"] and not os.path.isabs(issue["location"]["path"])
        assert (rules_project / issue["location"]["path"]).is_file()
        assert issue["location"]["lines"] == {"begin": finding["line"], "end": finding["end_line"]}
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)  # GitLab tells issues apart by it
    assert {i["severity"] for i in issues if i["check_name"] in ("TMP201", "TMP202")} == {"critical"}


def test_gitlab_paths_are_relative_to_ci_project_dir(rules_project):
    env = dict(os.environ, CI_PROJECT_DIR=str(rules_project.parent))
    issues = json.loads(tmplint(rules_project / "rules", "--output-format", "gitlab", "TMP202.py", env=env).stdout)
    assert issues and {i["location"]["path"] for i in issues} == {f"{rules_project.name}/rules/TMP202.py"}


# --- JSON fixes -------------------------------------------------------------------------------------

def _findings_of(text, path):
    return [d for d in check_source(text, path=path) if d.code != "TMP000"]


@pytest.mark.parametrize("name", ["TMP101.py", "TMP102.py", "TMP103.py", "TMP104.py"])
def test_each_fix_applies_alone_as_another_tool_would(rules_project, name):
    """A finding's edits, applied to the file as it was, give code that parses and no longer has that
    finding (the file's other findings may remain)."""
    path = rules_project / "rules" / name
    original = path.read_text(encoding="utf-8")
    findings = json_findings(rules_project, f"rules/{name}")
    fixable = [f for f in findings if f["fixable"]]
    assert fixable
    before = _findings_of(original, str(path))
    for finding in fixable:
        fix = finding["fix"]
        assert fix["applicability"] in ("safe", "unsafe") and fix["message"] == fix["title"]
        assert finding["url"] == f"{RULE_PAGES_URL}{finding['code']}.md"
        assert fix["edits"], finding
        for edit in fix["edits"]:
            assert set(edit) == {"content", "location", "end_location"}
            assert (edit["location"]["row"], edit["location"]["column"]) <= (
                edit["end_location"]["row"], edit["end_location"]["column"])
        fixed = apply_edits(original, fix["edits"])
        ast.parse(fixed)
        after = _findings_of(fixed, str(path))
        assert len(after) < len(before), finding
        same = [d for d in after if d.code == finding["code"] and d.message == finding["message"]]
        assert len(same) < sum(1 for d in before if d.code == finding["code"] and d.message == finding["message"])


def test_a_files_only_fix_is_exactly_what_fix_writes(project):
    (project / "state.py").write_text(SAVE)
    (finding,) = json_findings(project, "state.py")
    edits = finding["fix"]["edits"]
    assert any("import uuid" in e["content"] for e in edits)  # the import is part of the fix
    done = tmplint(project, "--fix", "state.py")
    assert done.returncode == 0, done.stderr
    assert apply_edits(SAVE, edits) == (project / "state.py").read_text()


def test_unsafe_fix_is_given_with_its_applicability(project):
    (project / "unsafe.py").write_text(UNSAFE)
    (finding,) = [f for f in json_findings(project, "unsafe.py") if f["fixable"]]
    assert finding["fix"]["applicability"] == "unsafe"
    fixed = apply_edits(UNSAFE, finding["fix"]["edits"])
    assert "uuid" in fixed and not any(d.code == "TMP101" for d in _findings_of(fixed, "unsafe.py"))


def test_json_fixes_for_stdin(project):
    done = tmplint(project, "--format", "json", "-", "--stdin-filename", "state.py", stdin=SAVE)
    (finding,) = json.loads(done.stdout)
    assert "uuid" in apply_edits(SAVE, finding["fix"]["edits"])


@pytest.mark.parametrize("before, after", [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("a = 1\n", "import uuid\na = 1\n"),
    ("x = 'ab'\n", "x = 'aXb'\n"),
    ("one\ntwo", "one\ntwo\nthree\n"),
    ("p\nq\nr\n", "p\nr\n"),
    ("é = 'ü'\n", "é = 'üü'\n"),
    ("", "x\n"),
])
def test_text_edits_rebuild_the_new_text(before, after):
    edits = text_edits(before, after)
    assert apply_edits(before, edits) == after
    assert text_edits(before, before) == []


def test_text_edits_are_minimal_and_one_based():
    (edit,) = text_edits("x = 'ab'\n", "x = 'aXb'\n")
    assert edit == {"content": "X", "location": {"row": 1, "column": 7}, "end_location": {"row": 1, "column": 7}}


# --- SARIF for GitHub code scanning ------------------------------------------------------------------

def sarif_run(cwd, *paths):
    done = tmplint(cwd, "--format", "sarif", *paths)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_sarif_gives_code_scanning_what_it_shows_for_every_rule(rules_project, sarif_validator):
    log = sarif_run(rules_project, "rules")
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    (run,) = log["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(RULES)
    for code, rule in rules.items():
        assert rule["helpUri"] == f"{RULE_PAGES_URL}{code}.md"
        doc = RULES[code].documentation()
        assert rule["help"]["markdown"].startswith("## What it does")
        assert rule["help"]["markdown"] == re.sub(r"\]\((TMP\d{3})\.md\)", rf"]({RULE_PAGES_URL}\1.md)", doc)
        assert "](TMP" not in rule["help"]["markdown"]  # no link left relative to a page code scanning lacks
        assert rule["help"]["text"].strip() and "## " not in rule["help"]["text"]
        tags = rule["properties"]["tags"]
        assert "security" in tags and any(t.startswith("external/cwe/cwe-") for t in tags)
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
    results = run["results"]
    assert {r["ruleId"] for r in results} == set(RULES)  # each rule is exercised
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(prints)) == len(prints)
    related = 0
    for result in results:
        place = re.search(r"unique part at line (\d+);", result["message"]["text"])
        if place is None:
            assert "relatedLocations" not in result
            continue
        related += 1
        (where,) = result["relatedLocations"]
        location = result["locations"][0]["physicalLocation"]
        assert where["physicalLocation"]["artifactLocation"] == location["artifactLocation"]
        line = int(place.group(1))
        assert where["physicalLocation"]["region"] == {"startLine": line}
        text = (rules_project / location["artifactLocation"]["uri"]).read_text().splitlines()[line - 1]
        assert re.search(r"replace|rename|move", text), text  # the helper's rename into place
    assert related >= 10


def test_related_location_in_another_file(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "io.py").write_text(HELPER.split("\n\n\ndef save_model")[0] + "\n")
    (project / "pkg" / "model.py").write_text(
        "from pkg.io import atomic_save\n\n\ndef save_model(m, d):\n"
        "    atomic_save(m, d, 'model.pt', tmp_name='.tmp_model')\n")
    log = sarif_run(project, "pkg/model.py")
    (result,) = log["runs"][0]["results"]
    (where,) = result["relatedLocations"]
    assert where["physicalLocation"]["artifactLocation"] == {"uri": "pkg/io.py", "uriBaseId": "%SRCROOT%"}
    assert where["physicalLocation"]["region"] == {"startLine": 9}


def _prints(cwd, path):
    results = sarif_run(cwd, path)["runs"][0]["results"]
    return [(r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY], r["locations"][0]["physicalLocation"]
             ["region"]["startLine"]) for r in results]


def test_fingerprints_survive_unrelated_lines_moving(project):
    path = project / "m.py"
    path.write_text(HELPER + "\n\n" + SAVE.replace("import os\n", ""))
    before = _prints(project, "m.py")
    assert [code for code, _, _ in before] == ["TMP101", "TMP102"]
    # lines added above and between: every line number moves, and TMP101's message ("at line 9") changes
    path.write_text("# a header\n\"\"\"Docs.\"\"\"\n\n" + HELPER + "\n\nX = 1\n\n" + SAVE.replace("import os\n", ""))
    after = _prints(project, "m.py")
    assert [p for _, p, _ in after] == [p for _, p, _ in before]
    assert [line for _, _, line in after] != [line for _, _, line in before]
    gitlab = json.loads(tmplint(project, "--output-format", "gitlab", "m.py").stdout)
    assert [i["fingerprint"] for i in gitlab] == [p for _, p, _ in before]
    # the flagged line itself changing is another finding
    path.write_text(HELPER.replace(".tmp_model", ".tmp_weights"))
    assert _prints(project, "m.py")[0][1] != before[0][1]


def test_identical_findings_get_distinct_fingerprints(project):
    (project / "m.py").write_text(SAVE + "\n\n" + SAVE.replace("import os\n", "").replace("def save", "def save2"))
    prints = [p for _, p, _ in _prints(project, "m.py")]
    assert len(prints) == 2 and len(set(prints)) == 2


def test_fingerprints_do_not_depend_on_how_the_path_was_named(project):
    (project / "m.py").write_text(SAVE)
    (project / "sub").mkdir()
    named = [p for _, p, _ in _prints(project, "m.py")]
    assert [p for _, p, _ in _prints(project, str(project / "m.py"))] == named
    assert [p for _, p, _ in _prints(project / "sub", "../m.py")] == named


def test_docs_url_sends_every_link_to_your_own_pages(project):
    (project / "pyproject.toml").write_text('[tool.tmplint]\ndocs-url = "https://lint.example.com/rules/"\n')
    (project / "state.py").write_text(SAVE)
    (finding,) = json_findings(project, "state.py")
    assert finding["url"] == "https://lint.example.com/rules/TMP102"
    run = sarif_run(project, "state.py")["runs"][0]
    assert run["tool"]["driver"]["informationUri"] == "https://lint.example.com/rules/"
    assert {r["helpUri"] for r in run["tool"]["driver"]["rules"]} == {
        f"https://lint.example.com/rules/{code}" for code in RULES}
    assert 'docs-url = "https://lint.example.com/rules/"' in tmplint(project, "--show-settings").stdout
    (project / "pyproject.toml").write_text('[tool.tmplint]\ndocs-url = "lint.example.com"\n')
    done = tmplint(project, "state.py")
    assert done.returncode == 2 and "docs-url" in done.stderr and "http(s) URL" in done.stderr
