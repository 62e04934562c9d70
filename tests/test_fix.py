"""``--fix`` as text: before/after pairs, idempotence, files that must come back byte for byte.

Each ``fixtures/fix/NAME.py`` is fixed by the real fixer and compared with ``NAME.fixed.py``
(its absence means the safe fix must change nothing) and, with ``--unsafe-fixes``, with
``NAME.unsafe.py`` (its absence means unsafe fixes add nothing). A first line
``# tmplint-config: KEY = VALUE`` is written to a pyproject.toml and loaded like a user's.
"""

import ast
import io
import re
import sys
from pathlib import Path

import pytest

import tmplint
from tmplint import cli
from tmplint.config import Config, load_config
from tmplint.diagnostics import SAFE
from tmplint.fix import fix_source, fix_text
from tmplint.source import SourceError

REPO = Path(__file__).resolve().parent.parent
FIX = REPO / "fixtures" / "fix"
RULES = REPO / "fixtures" / "rules"
BEFORE = sorted(p for p in FIX.glob("*.py") if not p.name.endswith((".fixed.py", ".unsafe.py")))
CONFIG_LINE = re.compile(r"^#\s*tmplint-config:(?P<toml>.*)$")


def config_for(text: str, tmp_path: Path) -> Config:
    lines = [m.group("toml") for m in map(CONFIG_LINE.match, text.splitlines()) if m]
    if not lines:
        return Config()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.tmplint]\n" + "\n".join(lines) + "\n")
    return load_config(str(pyproject))


def expected(before: Path, suffix: str, default: str) -> str:
    path = before.with_name(before.stem + suffix)
    return path.read_text() if path.exists() else default


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.stem)
def test_fix_pair(before, tmp_path):
    text = before.read_text()
    config = config_for(text, tmp_path)
    safe = fix_text(text, before.name, config)
    assert safe.text == expected(before, ".fixed.py", text)
    unsafe = fix_text(text, before.name, config, unsafe_fixes=True)
    assert unsafe.text == expected(before, ".unsafe.py", safe.text)
    for result, unsafe_fixes in ((safe, False), (unsafe, True)):
        ast.parse(result.text)
        again = fix_text(result.text, before.name, config, unsafe_fixes=unsafe_fixes)
        assert again.text == result.text and again.fixed == 0, "fixing twice changed the file"
        # Nothing fixable is left behind, and every removed finding is counted.
        assert not [d for d in result.remaining if d.fix_applicability == SAFE]
        reported = tmplint.check_source(text, before.name, config)
        assert result.fixed == len(reported) - len(result.remaining)


def test_every_pair_has_a_finding_or_is_a_declared_no_op():
    for before in BEFORE:
        fixed = before.with_name(before.stem + ".fixed.py").exists()
        unsafe = before.with_name(before.stem + ".unsafe.py").exists()
        assert fixed or unsafe or before.stem.startswith("noop_"), f"{before.name} has no expected output"
        assert not (before.stem.startswith("noop_") and (fixed or unsafe)), f"{before.name} is not a no-op"


@pytest.mark.parametrize("rules", sorted(RULES.glob("*.py")), ids=lambda p: p.stem)
def test_rule_fixtures_fix_cleanly(rules, tmp_path):
    """The rule fixtures are a wide sample: every fix parses, is idempotent, and leaves only the unfixable."""
    text = rules.read_text()
    config = config_for(text, tmp_path)
    result = fix_text(text, rules.name, config, unsafe_fixes=True)
    compile(result.text, rules.name, "exec", dont_inherit=True)
    assert fix_text(result.text, rules.name, config, unsafe_fixes=True).text == result.text
    assert all(d.fix_applicability is None for d in result.remaining)
    before = tmplint.check_source(text, rules.name, config)
    assert [d.code for d in result.remaining] == [d.code for d in before if d.fix_applicability is None]


# A save that writes its temp file and renames it: the shape the fixer rewrites.
SAVE_LINES = ["import os", "", "def save(d):", "    tmp = os.path.join(d, '.tmp')", "    open(tmp, 'w').close()",
              "    os.replace(tmp, d)", ""]


def test_fix_source_keeps_bytes_bom_and_crlf():
    source = b"\xef\xbb\xbf" + "\r\n".join(SAVE_LINES).encode()
    fixed = fix_source(source)
    assert isinstance(fixed, bytes) and fixed.startswith(b"\xef\xbb\xbfimport contextlib\r\nimport os\r\nimport uuid\r\n")
    assert b"f'.{uuid.uuid4().hex}.tmp'" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")
    assert fix_source(fixed) == fixed


def test_a_rename_of_a_file_written_elsewhere_is_reported_but_not_fixed():
    """Renaming a fresh unique name that nobody wrote would fail every time: no fix is offered."""
    source = "import os\n\ndef publish(d):\n    os.replace(os.path.join(d, 'state.tmp'), os.path.join(d, 'state'))\n"
    (finding,) = tmplint.check_source(source)
    assert finding.code == "TMP102" and finding.fix_applicability is None
    assert fix_source(source) == source


def test_latin1_cookie_file_keeps_its_encoding():
    source = "# -*- coding: latin-1 -*-\nimport os\nNOTE = 'café'\nopen('state.tmp', 'w').close()\nos.replace('state.tmp', 'state')\n"
    fixed = fix_source(source.encode("latin-1"))
    assert fixed.decode("latin-1").startswith(
        "# -*- coding: latin-1 -*-\nimport contextlib\nimport os\nimport uuid\nNOTE = 'café'")


def test_a_file_the_parser_cannot_round_trip_is_not_touched():
    lone_cr = "\r".join(SAVE_LINES)
    with pytest.raises(SourceError, match="byte for byte"):
        fix_text(lone_cr)
    assert fix_source(lone_cr) == lone_cr
    broken = "import os\nos.replace('.tmp', 'x')\ndef (:\n"
    assert fix_source(broken) == broken


# --- the command line ------------------------------------------------------------------------
def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


SEED = (FIX / "seed_helper.py").read_text()


def test_fix_rewrites_in_place_and_reports_what_it_fixed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ckpt.py").write_text(SEED)
    (tmp_path / "scratch.py").write_text("import tempfile\nNAME = tempfile.mktemp()\n")
    code, out, _ = run(capsys, "--fix", "--no-cache", ".")
    assert (tmp_path / "ckpt.py").read_text() == (FIX / "seed_helper.fixed.py").read_text()
    assert out.splitlines()[-1] == "Fixed 2 errors, 1 remaining."
    assert code == 1  # the TMP202 has no fix and remains
    assert [p.name for p in tmp_path.iterdir() if ".tmplint" in p.name] == []


def test_fix_exits_zero_when_everything_was_fixed(tmp_path, capsys):
    target = tmp_path / "ckpt.py"
    target.write_text(SEED)
    code, out, _ = run(capsys, "--fix", "--no-cache", str(target))
    assert code == 0 and out.splitlines()[-1] == "Fixed 2 errors, 0 remaining."


def test_diff_writes_nothing_and_exits_1(tmp_path, capsys):
    target = tmp_path / "ckpt.py"
    target.write_text(SEED)
    code, out, err = run(capsys, "--diff", "--no-cache", str(target))
    assert code == 1 and target.read_text() == SEED
    assert f"--- {target}\n+++ {target}\n" in out
    assert '+    tmp_path = os.path.join(checkpoint_dir, f"{tmp_file_name}.{uuid.uuid4().hex}")' in out
    assert "Would fix 2 errors in 1 file." in err
    target.write_text((FIX / "seed_helper.fixed.py").read_text())
    assert run(capsys, "--diff", "--no-cache", str(target))[0] == 0


def test_unsafe_fixes_need_the_flag(tmp_path, capsys):
    target = tmp_path / "logs.py"
    original = (FIX / "helper_logs.py").read_text()
    target.write_text(original)
    code, out, _ = run(capsys, "--fix", "--no-cache", str(target))
    assert code == 1 and target.read_text() == original
    assert "(1 hidden fix can be enabled with the `--unsafe-fixes` option)" in out
    code, out, _ = run(capsys, "--fix", "--unsafe-fixes", "--no-cache", str(target))
    assert code == 0 and target.read_text() == (FIX / "helper_logs.unsafe.py").read_text()


def test_fix_from_stdin_writes_the_fixed_source(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.encode())))
    code, out, err = run(capsys, "--fix", "-", "--stdin-filename", "ckpt.py")
    assert code == 0 and out == (FIX / "seed_helper.fixed.py").read_text()
    assert "Fixed 2 errors, 0 remaining." in err


def test_fix_reports_a_file_it_cannot_round_trip(tmp_path, capsys):
    target = tmp_path / "cr.py"
    data = "\r".join(SAVE_LINES).encode()
    target.write_bytes(data)
    code, _, err = run(capsys, "--fix", "--no-cache", str(target))
    assert code == 2 and target.read_bytes() == data
    assert f"{target}: cannot analyse: not fixed: LibCST does not reproduce this file" in err


def test_fix_keeps_the_file_mode(tmp_path, capsys):
    target = tmp_path / "tool.py"
    target.write_text(SEED)
    target.chmod(0o751)
    run(capsys, "--fix", "--no-cache", str(target))
    assert target.stat().st_mode & 0o777 == 0o751 and "uuid" in target.read_text()


SHAPE_CASES = ['f("a  b")\nf("a b")\nf(  "a b" )\n', "x = a + b\ny = a+b\nz = (a + b)\n",
               "p = os.path.join(d, 'x')\nq = os.path.join(d,'x')\nr = os.path.join(e, 'x')\n",
               "g(1, 2)\ng(1,\n  2)\ng(1, 2, 3)\n"]


@pytest.mark.parametrize("source", SHAPE_CASES + [path.read_text(encoding="utf-8")
                                                  for path in sorted(FIX.glob("*.py"))])
def test_nodes_of_one_code_have_one_shape(source):
    """The fixer compares a temp path's spellings by their code (whitespace runs made one), and first
    by ``planner._shape``, which must never tell apart two nodes whose code is the same: a spelling
    left out would keep its old name while the others get the unique one."""
    import libcst as cst

    from tmplint.fix.planner import _shape

    module = cst.parse_module(source)
    seen = {}

    class Collect(cst.CSTVisitor):
        def on_visit(self, node):
            if isinstance(node, cst.BaseExpression):
                code = " ".join(module.code_for_node(node).split())
                seen.setdefault((type(node), code), set()).add(repr(_shape(node)))
            return True

    module.visit(Collect())
    assert all(len(shapes) == 1 for shapes in seen.values())
    assert len(seen) > 3


@pytest.mark.parametrize("name", ["uuid", "_uuid2"])
def test_the_unique_part_is_the_tree_libcst_parses(name):
    """The fixer builds ``uuid.uuid4().hex`` (and its ``.encode()``) as nodes instead of parsing them:
    they must be the nodes the parser gives, so the fixed code and every comparison are the same."""
    import libcst as cst

    from tmplint.fix.spelling import UniquePart, append_to

    assert UniquePart(name).hex().deep_equals(cst.parse_expression(f"{name}.uuid4().hex"))
    built = append_to(cst.Name("path"), UniquePart(name), is_bytes=True)
    assert built.deep_equals(cst.parse_expression(f'path + b"." + {name}.uuid4().hex.encode()'))
