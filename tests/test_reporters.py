"""Reporters: golden files per format, SARIF schema validation, escaping, colour and summaries.

Regenerate the golden files with ``TMPLINT_UPDATE_GOLDEN=1 pytest tests/test_reporters.py``.
"""

import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from tmplint import __version__
from tmplint.diagnostics import Diagnostic
from tmplint.registry import RULES
from tmplint.reporters import FORMATS, format_error, sarif_log, use_color, write_report

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "fixtures" / "golden"
VENDORED_SCHEMA = REPO / "fixtures" / "sarif-schema-2.1.0.json"  # read by conftest.py's sarif_validator
# sha256 of the official SARIF 2.1.0 schema as the project's spec ships it (shared/data/sarif-schema-2.1.0.json,
# read 2026-12-07): the vendored copy must be that file, byte for byte, wherever the tests run.
OFFICIAL_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
UPDATE = bool(os.environ.get("TMPLINT_UPDATE_GOLDEN"))
FIX = "Use a uuid-based temporary name"


def diag(code="TMP102", message="constant name \".tmp_state\"", path="pkg/store.py", line=1, col=0,
         end_line=None, end_col=None, applicability=None):
    return Diagnostic(code, message, path, line, col, line if end_line is None else end_line,
                      col + 5 if end_col is None else end_col,
                      FIX if applicability else None, applicability)


# Deliberately unsorted: every reporter must sort.
SAMPLE = [
    diag("TMP102", 'constant name ".tmp_state" renamed into place by os.replace',
         "src/app/store.py", 12, 8, 12, 20, "safe"),
    diag("TMP101", '_atomic_save renames it unchanged at src/app/utils.py:415',
         "src/app/store.py", 4, 24, 4, 38, "unsafe"),
    diag("TMP201", 'hardcoded path "/tmp/cache.db" in a shared temp directory',
         "src/app/cache.py", 30, 15, 30, 30),
    diag("TMP202", "tempfile.mktemp(), whose name can be taken between its choice and its use",
         "src/app/cache.py", 7, 0, 8, 1),
    diag("TMP103", 'derived from destination "path"',
         "src/app/ünïcode dir/save.py", 3, 10, 3, 25, "safe"),
    diag("TMP106", 'weak name "%s.%d.tmp" % (path, os.getpid()): varies only by pid, not by thread',
         "src/app/store.py", 12, 30, 12, 60),
]
ERRORS = [diag("TMP000", "syntax error at line 3, column 7", "src/broken.py", 1, 0, 1, 0)]


def render(fmt, diagnostics=SAMPLE, **kwargs):
    out = io.StringIO()
    write_report(fmt, diagnostics, out, **kwargs)
    return out.getvalue()


def check_golden(name, actual):
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"missing golden file {path}; run with TMPLINT_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8")


def sarif(diagnostics=SAMPLE, **kwargs):
    return json.loads(render("sarif", diagnostics, **kwargs))


# --- golden files -------------------------------------------------------------------------------

GOLDEN_CASES = {
    "report.txt": ("text", {}),
    "report_unsafe_fixes.txt": ("text", {"unsafe_fixes": True}),
    "report_statistics.txt": ("text", {"statistics": True}),
    "report.json": ("json", {"errors": ERRORS}),
    "report.jsonl": ("json-lines", {"errors": ERRORS}),
    "report_statistics.json": ("json", {"statistics": True}),
    "report.junit.xml": ("junit", {"errors": ERRORS}),
    "report.gitlab.json": ("gitlab", {"errors": ERRORS}),
    "report.github": ("github", {"errors": ERRORS}),
    "report.sarif": ("sarif", {}),
    "report_errors.sarif": ("sarif", {"errors": ERRORS}),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name, tmp_path, monkeypatch):
    fmt, kwargs = GOLDEN_CASES[name]
    monkeypatch.chdir(tmp_path)
    actual = render(fmt, root=str(tmp_path), **kwargs)
    # the only machine-dependent value: where %SRCROOT% points
    actual = actual.replace(Path(tmp_path).as_uri() + "/", "file:///ROOT/")
    check_golden(name, actual)


def test_output_is_deterministic_and_order_independent(tmp_path):
    for fmt in FORMATS:
        first = render(fmt, SAMPLE, root=str(tmp_path), errors=ERRORS)
        assert render(fmt, list(reversed(SAMPLE)), root=str(tmp_path), errors=ERRORS) == first


def test_unknown_format():
    assert FORMATS == ("text", "concise", "full", "json", "json-lines", "junit", "gitlab", "sarif", "github")
    with pytest.raises(ValueError, match="unknown format"):
        render("xml")


# --- SARIF --------------------------------------------------------------------------------------

def test_vendored_schema_is_the_official_one():
    assert hashlib.sha256(VENDORED_SCHEMA.read_bytes()).hexdigest() == OFFICIAL_SCHEMA_SHA256


@pytest.mark.parametrize("scenario", ["findings", "errors", "outside-root", "empty", "docs-url"])
def test_sarif_validates_against_official_schema(scenario, sarif_validator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kwargs = {"root": str(tmp_path)}
    diagnostics = SAMPLE
    if scenario == "errors":
        kwargs["errors"] = ERRORS
    elif scenario == "outside-root":
        diagnostics = SAMPLE + [diag(path=str(tmp_path.parent / "elsewhere" / "x y.py"))]
        kwargs["errors"] = [diag("TMP000", "too large", path="/opt/other/big.py")]
    elif scenario == "empty":
        diagnostics = []
    elif scenario == "docs-url":
        kwargs["docs_url"] = "https://tmplint.example/rules/"
    log = sarif(diagnostics, **kwargs)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_validation_is_not_vacuous(sarif_validator):
    log = sarif()
    log["runs"][0]["columnKind"] = "bytes"
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["version"]
    assert len(list(sarif_validator.iter_errors(log))) >= 3


def test_sarif_header_and_driver():
    log = sarif()
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tmplint"
    assert driver["version"] == __version__
    assert driver["informationUri"] == "https://github.com/your-org/tmplint"
    assert [r["id"] for r in driver["rules"]] == sorted(RULES)
    for rule in driver["rules"]:
        assert rule["name"] == RULES[rule["id"]].name
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"] == {"enabled": RULES[rule["id"]].default, "level": "error"}
        assert rule["helpUri"] == f"https://github.com/your-org/tmplint/blob/main/docs/rules/{rule['id']}.md"
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_docs_url_overrides_help_uri():
    driver = sarif(docs_url="https://tmplint.example/rules")["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://tmplint.example/rules"
    assert driver["rules"][0]["helpUri"] == f"https://tmplint.example/rules/{sorted(RULES)[0]}"
    assert "](https://tmplint.example/rules/TMP106)" in driver["rules"][0]["help"]["markdown"]


def test_sarif_results_are_relative_one_based_and_indexed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = sarif(root=str(tmp_path))["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error"
    first = run["results"][0]
    assert first["ruleId"] == "TMP202"  # src/app/cache.py:7 sorts first
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app/cache.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 7, "startColumn": 1, "endLine": 8, "endColumn": 2}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert "src/app/%C3%BCn%C3%AFcode%20dir/save.py" in uris


def test_sarif_paths_relative_to_root_not_cwd(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    log = sarif([diag(path="a.py"), diag(path=str(tmp_path / "b:c.py"))], root=str(tmp_path))
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert {"uri": "b%3Ac.py", "uriBaseId": "%SRCROOT%"} in locations  # no scheme lookalike
    assert {"uri": "sub/a.py", "uriBaseId": "%SRCROOT%"} in locations


def test_sarif_path_outside_root_is_absolute_file_uri(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    outside = tmp_path / "other dir" / "x.py"
    log = sarif([diag(path=str(outside))], root=str(root))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}
    assert "%20" in artifact["uri"] and artifact["uri"].startswith("file:///")


def test_sarif_errors_are_execution_notifications(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = sarif(errors=ERRORS, root=str(tmp_path))["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["descriptor"]["id"] == "TMP000"
    assert note["message"]["text"] == "cannot analyse: syntax error at line 3, column 7"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "src/broken.py", "uriBaseId": "%SRCROOT%"}
    assert all(r["ruleId"] != "TMP000" for r in run["results"])
    assert sarif(root=str(tmp_path))["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_sarif_log_matches_written_report(tmp_path):
    assert sarif_log(SAMPLE, root=str(tmp_path)) == sarif(root=str(tmp_path))


# --- JSON ---------------------------------------------------------------------------------------

def test_json_fields_and_one_based_columns():
    items = json.loads(render("json", [diag(col=4, end_col=9, applicability="unsafe"), diag(line=2)],
                              errors=ERRORS))
    assert items[0] == {
        "code": "TMP102", "name": "constant-tmp-name", "message": 'constant name ".tmp_state"',
        "path": "pkg/store.py", "line": 1, "column": 5, "end_line": 1, "end_column": 10,
        "fixable": True, "fix": {"title": FIX, "message": FIX, "applicability": "unsafe", "edits": []},
        "url": "https://github.com/your-org/tmplint/blob/main/docs/rules/TMP102.md",
    }
    assert items[1]["fixable"] is False and items[1]["fix"] is None
    assert len(items) == 2  # errors are not findings
    assert render("json", []) == "[]\n"


def test_json_carries_the_edits_given():
    edit = {"content": "x", "location": {"row": 1, "column": 1}, "end_location": {"row": 1, "column": 3}}
    finding = diag(applicability="safe")
    (item,) = json.loads(render("json", [finding], edits={finding: [edit]}))
    assert item["fix"]["edits"] == [edit]


def test_junit_escapes_what_xml_cannot_hold():
    import xml.etree.ElementTree as ET

    hostile = diag(path="evil\x1b]0;owned\x07.py", message='name ".tmp_\x1b[2J\u202e" with \x00 in it')
    root = ET.fromstring(render("junit", [hostile], errors=[diag("TMP000", "bad \x0c", "b\x01.py")]).encode())
    assert root.find("testsuite").get("name") == "b\\x01.py"
    failure = root.find("testsuite[2]/testcase/failure")
    assert failure.get("message") == 'name ".tmp_\\x1b[2J\\u202e" with \\x00 in it'


def test_json_lines_is_one_json_object_a_line():
    out = render("json-lines", SAMPLE, errors=ERRORS)
    lines = out.splitlines()
    assert out.endswith("\n") and len(lines) == len(SAMPLE)
    assert [json.loads(line) for line in lines] == json.loads(render("json", SAMPLE))
    assert render("json-lines", []) == ""


def test_statistics_as_json_as_ruff_gives_them():
    findings = [diag(), diag(line=2, applicability="safe"), diag(code="TMP201", line=3),
                diag(code="TMP201", line=4), diag(code="TMP201", line=5)]
    assert json.loads(render("json", findings, statistics=True)) == [
        {"code": "TMP201", "name": "hardcoded-shared-tmp-path", "count": 3, "fixable": False, "fixable_count": 0},
        {"code": "TMP102", "name": "constant-tmp-name", "count": 2, "fixable": True, "fixable_count": 1},
    ]
    assert render("json", [], statistics=True) == "[]\n"
    # every other format gives ruff's table, never a silent list of findings
    for fmt in ("sarif", "github", "junit", "gitlab", "json-lines"):
        assert render(fmt, findings, statistics=True).splitlines()[0] == "3\tTMP201\t[ ] hardcoded-shared-tmp-path"


# --- GitHub -------------------------------------------------------------------------------------

def test_github_line_shape():
    assert render("github", [diag(line=3, col=4, end_line=3, end_col=9)]) == (
        '::error file=pkg/store.py,line=3,col=5,endLine=3,endColumn=10,title=tmplint (TMP102)'
        '::constant name ".tmp_state"\n')


def test_github_escapes_message():
    line = render("github", [diag(message="50% done,\r\nnext: a, b")])
    assert line.endswith("::50%25 done,%0D%0Anext: a, b\n")  # , and : stay in the message


def test_github_escapes_properties():
    line = render("github", [diag(code="TMP:1,2%", path="we,ird:%\r\nname.py")])
    props = line[len("::error "):line.index("::", 2)]
    assert props.startswith("file=we%2Cird%3A%25%0D%0Aname.py,line=1,")
    assert props.endswith(",title=tmplint (TMP%3A1%2C2%25)")
    assert line.count("\n") == 1


def test_github_annotates_errors_after_findings():
    lines = render("github", [diag()], errors=ERRORS).splitlines()
    assert lines[1] == ("::error file=src/broken.py,line=1,col=1,endLine=1,endColumn=1,title=tmplint (TMP000)"
                        "::cannot analyse: syntax error at line 3, column 7")


# --- text ---------------------------------------------------------------------------------------

def test_text_lines_sorted_one_based_with_fix_marker():
    out = render("text", [diag(path="b.py", line=2, col=0, applicability="safe"),
                          diag(path="a.py", line=10, col=7),
                          diag(path="a.py", line=9, col=3, code="TMP201", message="shared")])
    assert out.splitlines() == [
        "a.py:9:4: TMP201 shared",
        'a.py:10:8: TMP102 constant name ".tmp_state"',
        'b.py:2:1: TMP102 [*] constant name ".tmp_state"',
        "Found 3 errors (1 fixable with --fix).",
    ]


def test_unsafe_fix_marker_and_hint():
    findings = [diag(applicability="unsafe"), diag(line=2, applicability="unsafe"), diag(line=3, applicability="safe")]
    hidden = render("text", findings).splitlines()
    assert "[*]" not in hidden[0] and "[*]" not in hidden[1] and "[*]" in hidden[2]
    assert hidden[3:] == ["Found 3 errors (1 fixable with --fix).",
                          "(2 hidden fixes can be enabled with the `--unsafe-fixes` option)"]
    shown = render("text", findings, unsafe_fixes=True).splitlines()
    assert all("[*]" in line for line in shown[:3])
    assert shown[3:] == ["Found 3 errors (3 fixable with --fix)."]
    assert render("text", [diag(applicability="unsafe")]).splitlines()[1:] == [
        "Found 1 error.", "(1 hidden fix can be enabled with the `--unsafe-fixes` option)"]


@pytest.mark.parametrize("findings, kwargs, expected", [
    ([], {}, ["All checks passed!"]),
    ([diag()], {}, ["Found 1 error."]),
    ([diag(), diag(line=2)], {}, ["Found 2 errors."]),
    ([diag()], {"fixed": 2}, ["Fixed 2 errors, 1 remaining."]),
    ([], {"fixed": 1}, ["Fixed 1 error, 0 remaining."]),
    ([diag(applicability="unsafe")], {"fixed": 3}, [
        "Fixed 3 errors, 1 remaining.", "(1 hidden fix can be enabled with the `--unsafe-fixes` option)"]),
    ([], {"errors": ERRORS}, ["No errors found in the files analysed.", "1 file could not be analysed."]),
    ([diag()], {"errors": ERRORS + [diag("TMP000", "too large", "c.py")]},
     ["Found 1 error.", "2 files could not be analysed."]),
], ids=["clean", "one", "two", "fixed-some", "fixed-all", "fixed-hint", "only-errors", "errors"])
def test_summary_wording(findings, kwargs, expected):
    lines = render("text", findings, **kwargs).splitlines()
    assert lines[len(findings):] == expected


def test_statistics_replace_findings():
    out = render("text", [diag(), diag(line=2, applicability="safe"), diag(code="TMP201", line=3),
                          diag(code="TMP201", line=4), diag(code="TMP201", line=5), diag(code="TMP202", line=6)])
    assert len(out.splitlines()) == 7
    stats = render("text", [diag(), diag(line=2, applicability="safe"), diag(code="TMP201", line=3),
                            diag(code="TMP201", line=4), diag(code="TMP201", line=5), diag(code="TMP202", line=6)],
                   statistics=True)
    assert stats.splitlines() == [
        "3\tTMP201\t[ ] hardcoded-shared-tmp-path",
        "2\tTMP102\t[*] constant-tmp-name",
        "1\tTMP202\t[ ] tempfile-mktemp",
        "Found 6 errors (1 fixable with --fix).",
    ]


def test_statistics_without_fixes_have_no_marker_column():
    first = render("text", [diag(code="TMP201")], statistics=True).splitlines()[0]
    assert first == "1\tTMP201\thardcoded-shared-tmp-path"
    assert render("text", [], statistics=True) == "All checks passed!\n"


def test_colour_only_when_asked():
    plain = render("text", [diag(applicability="safe")])
    assert "\x1b" not in plain
    coloured = render("text", [diag(applicability="safe")], color=True)
    assert "\x1b[" in coloured
    assert "\x1b[1m\x1b[31mTMP102\x1b[0m" in coloured
    strip = re.compile(r"\x1b\[[0-9;]*m").sub
    assert strip("", coloured) == plain
    for fmt in ("json", "sarif", "github"):
        assert "\x1b" not in render(fmt, color=True)


class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty, no_color, expected", [
    (True, None, True),
    (False, None, False),
    (True, "1", False),
    (True, "", True),  # no-color.org: only a non-empty value disables colour
], ids=["tty", "pipe", "no-color", "empty-no-color"])
def test_use_color(tty, no_color, expected, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color(FakeStream(tty)) is expected


def test_use_color_without_isatty_or_closed(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(object()) is False
    closed = io.StringIO()
    closed.close()
    assert use_color(closed) is False


def test_format_error():
    assert format_error(ERRORS[0]) == "src/broken.py: cannot analyse: syntax error at line 3, column 7"
