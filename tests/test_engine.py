"""The public API on awkward input: encodings, line endings, noqa, screens, positions."""

import os
import sys
import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

import tmplint
from tmplint import engine, noqa
from tmplint.config import AnalysisOptions, Config
from tmplint.positions import positions
from tmplint.source import statement_lines

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"

SAVE = (
    "import os\n"
    "def save(data):\n"
    "    with open('.tmp_state', 'w') as f:\n"
    "        f.write(data)\n"
    "    os.replace('.tmp_state', 'state.json')\n"
)


def found(source, **kwargs):
    return [(d.line, d.code) for d in tmplint.check_source(source, **kwargs)]


def test_str_and_bytes_give_the_same_findings():
    assert found(SAVE) == found(SAVE.encode()) == [(5, "TMP102")]


def test_diagnostic_fields_and_columns():
    (d,) = tmplint.check_source(SAVE, path="pkg/state.py")
    # 1-based columns, as every output format shows them (text: pkg/state.py:5:16)
    assert (d.path, d.line, d.col, d.end_line, d.end_col) == ("pkg/state.py", 5, 16, 5, 28)
    assert '".tmp_state"' in d.message


@pytest.mark.parametrize("source, reason", [
    ("def f(:\n    os.replace(a, b)\n", "syntax error"),
    (b"x = '\xff\xfe'\nos.replace(a, b)\n", "not valid utf-8"),
    (b"# -*- coding: klingon -*-\nos.replace(a, b)\n", "bad encoding declaration"),
    (b"import os\x00\nos.replace(a, b)\n", "binary file"),
    ("print 'hello'\nos.rename(a, b)\n", "syntax error"),
], ids=["syntax", "invalid-utf8", "unknown-cookie", "nul-byte", "python2"])
def test_bad_input_is_a_tmp000_not_an_exception(source, reason):
    (d,) = tmplint.check_source(source, path="bad.py")
    assert d.code == "TMP000" and d.line == 1
    assert reason in d.message


@pytest.mark.parametrize("transform", [
    lambda s: "\ufeff" + s,
    lambda s: s.replace("\n", "\r\n"),
    lambda s: s.replace("    ", "\t"),
    lambda s: "\f\n" + s.replace("def save", "\fdef save"),
], ids=["bom", "crlf", "tabs", "form-feed"])
def test_odd_but_valid_files_are_analysed_normally(transform):
    shift = 1 if transform(SAVE).startswith("\f\n") else 0
    assert found(transform(SAVE)) == [(5 + shift, "TMP102")]
    assert found(transform(SAVE).encode("utf-8")) == [(5 + shift, "TMP102")]


def test_latin1_cookie():
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + SAVE
    assert found(source.encode("latin-1")) == [(7, "TMP102")]


def test_the_linted_code_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').close()\nimport os\nos.replace('.tmp_x', 'x')\n" + SAVE
    tmplint.check_source(source)
    assert not marker.exists()


@pytest.mark.parametrize("comment, reported", [
    ("# noqa", False),
    ("# NOQA", False),
    ("# noqa: TMP102", False),
    ("# noqa:TMP102,TMP201", False),
    ("# noqa: TMP1", False),
    ("# noqa:TMP", False),  # flake8: a code with no digits is no code list, so this is a blanket noqa
    ("# noqa: TMP201", True),
    ("# noqa: E501", True),
    ("# no qa", True),
])
def test_noqa_like_flake8(comment, reported):
    source = SAVE.replace("'state.json')\n", "'state.json')  " + comment + "\n")
    assert bool(found(source)) is reported


def test_noqa_after_a_multiline_string_covers_its_lines():
    source = 'import os\nTMP = """/tmp/a\n/tmp/b"""  # noqa: TMP201\nOTHER = """/tmp/c\n"""\nos.remove(TMP)\nos.remove(OTHER)\n'
    assert found(source) == [(4, "TMP201")]


ODD_RUNS = [
    'x = """a\nb"""  # noqa\ny = 1\n',
    "x = 1 + \\\n    2  # noqa\n",
    "if x:\n    y = 1\n# noqa at the margin\nz = f'''{y}\n'''\n",
    "def f():\n    return (1,\n            2)\n\n\nclass C:\n    s = b'x' \\\n        b'y'",
    'a = f"{1}" f"""\n{2}\n"""  # noqa: TMP201\n',
]


@pytest.mark.parametrize("source", [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.py"))]
                         + ODD_RUNS)
def test_the_guard_hears_the_line_runs_noqa_reads(source):
    """The guard tokenizes every file LibCST parses; the runs of lines it hears (``noqa.LineGroups``)
    must map each line to the text flake8 searches for noqa, as tokenizing the file again would."""
    lines = source.splitlines(True)
    groups = noqa.LineGroups()
    assert engine._guard(source, AnalysisOptions(), groups) is None
    assert groups.complete
    heard = noqa.noqa_line_mapping(source, lines, groups)
    tokenized = noqa.noqa_line_mapping(source, lines)
    assert groups.spans or source not in ODD_RUNS  # each odd case has a run of several lines
    for number, line in enumerate(lines, 1):
        assert heard.get(number, line) == tokenized.get(number, line), number


@pytest.mark.parametrize("source", [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.py"))]
                         + ODD_RUNS + ["x = 1  # noqa\n", 'def f():\n    """a\n    b"""\n    return 1  # noqa\n',
                                       "try:\n    import x  # noqa\nexcept ImportError:\n    pass\n",
                                       'x = f(1,  # noqa\n      """a\n      b""")\n',
                                       'x = f(1,\n      """a  # noqa\n      b""", 2)\n',
                                       "x = f(1,  # noqa: E501\n      'a')\n"]
                         + (['x = f(1,\n      f"{1 +  # noqa\n      2}")\n'] if sys.version_info >= (3, 12) else []))
@pytest.mark.parametrize("reading", ["tree", "statements"])
def test_a_guard_spared_the_tokenizer_still_maps_noqa_as_flake8(source, reading):
    """Given the standard parser's tree, or only its statements' lines (a reduction's plan), the guard
    may not tokenize (``engine._surely_safe``): it then tells where the statements lie, and each line's
    noqa must still be read as flake8 reads it."""
    import ast

    lines = source.splitlines(True)
    groups = noqa.LineGroups()
    tree = ast.parse(source)
    if reading == "tree":
        assert engine._guard(source, AnalysisOptions(), groups, tree=tree) is None
    else:
        assert engine._guard(source, AnalysisOptions(), groups, statements=list(statement_lines(tree))) is None
    assert not groups.complete and groups.by_statements and (groups.tree is not None) == (reading == "tree")
    heard = noqa.noqa_line_mapping(source, lines, groups)
    tokenized = noqa.noqa_line_mapping(source, lines)
    for number, line in enumerate(lines, 1):
        for code in ("TMP101", "TMP102", "TMP201"):
            assert noqa.is_ignored(code, heard.get(number, line)) == \
                noqa.is_ignored(code, tokenized.get(number, line)), (number, code)


def test_a_mark_in_a_call_of_several_lines_costs_no_second_parse(monkeypatch):
    """A reduction's plan brings only the statements' lines: a noqa mark in a statement of several
    lines that quotes no string able to span lines is read without parsing the file again."""
    import ast

    source = "def f(path):\n    return g(path,  # noqa: E501\n             '.tmp')\n"
    lines = source.splitlines(True)
    groups = noqa.LineGroups()
    assert engine._guard(source, AnalysisOptions(), groups, statements=list(statement_lines(ast.parse(source)))) is None
    monkeypatch.setattr(noqa, "standard_tree", lambda text: pytest.fail("parsed again"))
    assert noqa.noqa_line_mapping(source, lines, groups) == {}  # each mark covers its own line


def test_flake8_noqa_for_the_whole_file_and_the_host_switch():
    assert found("# flake8: noqa\n" + SAVE) == []
    assert found(SAVE.replace("json')\n", "json')  # noqa\n"), apply_noqa=False) == [(5, "TMP102")]


def fixture_files():
    return sorted(FIXTURES.glob("*.py"))


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_screens_are_sound_on_every_fixture(path, monkeypatch):
    """Findings are the same with the screens on and off."""
    source = path.read_text(encoding="utf-8")
    config = Config(extend_select=("TMP106",))
    screened = tmplint.check_source(source, str(path), config)
    monkeypatch.setattr(engine, "may_have_findings", lambda text, options: True)
    assert tmplint.check_source(source, str(path), config) == screened
    assert screened, "every rule fixture has findings"


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_positions_match_libcst_position_provider(path):
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in expected if not isinstance(n, cst.Module)]
    ours = positions(module, nodes)
    for node in nodes:
        r = expected[node]
        assert ours[node] == (r.start.line, r.start.column, r.end.line, r.end.column), node


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_positions_of_a_few_nodes_match_though_generation_stops_after_them(path):
    """Code generation stops at the end of the last node asked for (the engine asks for a finding's
    few): what it gives for those nodes must be what the whole generation gives."""
    text = path.read_text(encoding="utf-8")
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in expected if not isinstance(n, cst.Module)]
    middle = len(nodes) // 2
    for few in (nodes[:len(nodes) // 3], nodes[middle:middle + 2], nodes[::97], nodes[-1:]):
        ours = positions(module, few)
        for node in few:
            r = expected[node]
            assert ours[node] == (r.start.line, r.start.column, r.end.line, r.end.column), node


def test_positions_of_a_few_nodes_after_form_feeds_match():
    """LibCST does not give a form feed back as it read it: lines are counted in what it generates."""
    text = "\f\n# section\n\f" + SAVE.replace("def save", "\fdef save") + "\fX = 1\n"
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in expected if not isinstance(n, cst.Module)]
    for few in ([n for n in nodes if isinstance(n, cst.SimpleString)][-1:], nodes[:5], nodes[-2:]):
        ours = positions(module, few)
        assert {n: ours[n] for n in few} == {
            n: (expected[n].start.line, expected[n].start.column, expected[n].end.line, expected[n].end.column)
            for n in few}


def test_check_paths_reports_unreadable_paths_and_goes_on(tmp_path):
    (tmp_path / "good.py").write_text(SAVE)
    (tmp_path / "broken.py").write_text("def f(:\n    os.replace(a, b)\n")
    missing = str(tmp_path / "missing.py")
    results = tmplint.check_paths([str(tmp_path), missing])
    assert [(os.path.basename(d.path), d.code) for d in results] == [
        ("broken.py", "TMP000"), ("good.py", "TMP102"), ("missing.py", "TMP000")]


def test_guard_stops_a_chain_the_parser_cannot_take_and_ignores_plus_in_strings():
    chain = "import os\nX = " + " + ".join(["'a'"] * (engine.MAX_OPERATOR_CHAIN + 5)) + "\nos.replace(a, b)\n"
    (d,) = tmplint.check_source(chain)
    assert d.code == "TMP000" and "too long" in d.message
    in_string = "import os\nX = '" + "+" * 10000 + "'  # " + "+" * 10000 + "\n" + SAVE
    assert found(in_string) == [(7, "TMP102")]
    nested = "import os\nX = " + "(" * (engine.MAX_NESTING + 1) + "1" + ")" * (engine.MAX_NESTING + 1) + "\nos.replace(a, b)\n"
    (d,) = tmplint.check_source(nested)
    assert d.code == "TMP000" and "nested" in d.message


@pytest.mark.parametrize("expression, spelled", [
    ("p.with_suffix(p.suffix + '.isorted')", '"{p}.isorted"'),  # the suffix is replaced, not appended
    ("p.with_suffix('.tmp')", '"{p}.tmp"'),
    ("p.with_name(p.name + '.tmp')", '"{p.name}.tmp"'),
])
def test_messages_spell_the_temp_name_as_the_program_builds_it(expression, spelled):
    source = (f"from pathlib import Path\n\ndef save(text, p: Path):\n    tmp = {expression}\n"
              "    tmp.write_text(text)\n    tmp.replace(p)\n")
    (diagnostic,) = tmplint.check_source(source, path="m.py")
    assert diagnostic.code == "TMP103" and f"name {spelled} derived" in diagnostic.message


def test_parsing_leaves_libcst_validating_nodes_in_other_threads():
    """Issue 14: the parse once turned LibCST's node validation off for the whole process while it ran,
    so a bad node built meanwhile on another thread (the fixer builds nodes) was accepted."""
    source = "".join(f"def f{n}(a, b):\n    x = a + b * {n}\n    return [x, (a, b)]\n" for n in range(3000))
    parsing = threading.Thread(target=engine._parse, args=(source,))
    accepted = tries = 0
    parsing.start()
    while parsing.is_alive():
        tries += 1
        try:
            cst.Name("not a name")
            accepted += 1
        except cst.CSTValidationError:
            pass
    parsing.join()
    assert tries > 10 and accepted == 0
