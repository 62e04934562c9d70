"""Issue 6, check mode: every kind of bad input, through the command line and the API.

A file that cannot be analysed costs only that file: one stderr line ``path: cannot analyse:
reason``, the other files are still checked and their findings printed, the exit status is 2, and
no traceback is shown. Good but odd input is analysed normally, with findings on the right lines.

Covered elsewhere and not repeated here: a named ``missing.py`` (tests/test_cli.py,
test_bad_files_are_reported_and_the_rest_still_checked), and a FIFO met during a walk
(tests/test_files.py, test_fifo_named_like_python_is_not_opened).
"""

import ast
import inspect
import io
import os
import re
import sys
import time
import tokenize
import warnings

import pytest

import tmplint
from tmplint import engine, runner
from tmplint.cli import main
from tmplint.config import Config

SAVE = (
    "import os\n"
    "def save(data):\n"
    "    with open('.tmp_state', 'w') as f:\n"
    "        f.write(data)\n"
    "    os.replace('.tmp_state', 'state.json')\n"
)
GOOD = "good.py:5:16: TMP102"  # SAVE's finding, as the text report starts it
MB = 1024 * 1024

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                                    reason="symlinks need privileges on Windows")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with a pyproject of its own and a good file with one finding beside the bad ones."""
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    (tmp_path / "good.py").write_text(SAVE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv):
    code = main(["--no-cache", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def found(out):
    """The report's finding lines, cut to ``path:line:col: CODE``."""
    return [" ".join(line.split()[:2]) for line in out.splitlines() if re.match(r"\S+:\d+:\d+: TMP", line)]


def assert_only_this_file_failed(code, out, err, line):
    """Exit 2, exactly one stderr line (a string or a full-match regex), good.py still reported."""
    assert code == 2
    (error,) = err.splitlines()
    if isinstance(line, str):
        assert error == line
    else:
        assert line.fullmatch(error), error
    assert found(out) == [GOOD]
    assert "1 file could not be analysed." in out


# ---------------------------------------------------------------------------------------------------------
# Files that cannot be analysed


def ten_mb_module(with_candidate: bool) -> bytes:
    """A generated module over 10 MB; with a rename in its last line when asked."""
    row = "VALUE_{0:07d} = {0} * 2 + 1  # generated\n"
    body = "".join(row.format(i) for i in range(10 * MB // len(row.format(0)) + 1))
    tail = "import os\nos.replace('.tmp_table', 'table.py')\n" if with_candidate else ""
    return (body + tail).encode()


def generated_module(size: int, tail: str = "") -> bytes:
    """A generated module of ``size`` bytes, small functions after one with a finding (rules.md: LibCST
    took 37 s and 579 MB for 1 MB of this, 127 s and 1.07 GB for 1.83 MB, under max-file-size)."""
    rows = [SAVE]
    total = len(SAVE)
    while total < size:
        rows.append(f"\n\ndef f{len(rows)}(a, b):\n    return a * {len(rows)} + b - 7\n")
        total += len(rows[-1])
    return ("".join(rows) + tail).encode()


TOO_MANY_TOKENS = re.compile(rf"bad\.py: cannot analyse: too large to analyse \(\d+ tokens, limit {engine.MAX_TOKENS}\)")

BAD = {
    "syntax-error": (b"import os\ndef f(:\n    os.replace(a, b)\n",
                     "bad.py: cannot analyse: syntax error at 2:7: invalid syntax"),
    # CPython's own message; its column moved between 3.9 and 3.10
    "python2-print": (b'import os\nprint "saving"\nos.replace(a, b)\n',
                      re.compile(r"bad\.py: cannot analyse: syntax error at 2:\d+: "
                                 r"Missing parentheses in call to 'print'\. Did you mean print\(.*\)\?")),
    "python2-raise": (b"import os\ntry:\n    os.replace(a, b)\nexcept OSError:\n    raise IOError, 'failed'\n",
                      "bad.py: cannot analyse: syntax error at 5:18: invalid syntax"),
    "python2-backticks": (b"import os\nos.replace(`a`, b)\n", "bad.py: cannot analyse: syntax error at 2:12: invalid syntax"),
    "python2-octal": (b"import os\nmode = 0777\nos.replace(a, b)\n",
                      re.compile(r"bad\.py: cannot analyse: syntax error at 2:\d+: leading zeros in decimal integer "
                                 r"literals are not permitted; use an 0o prefix for octal integers")),
    "invalid-utf8": (b"import os\nx = '\xff'\nos.replace(a, b)\n",
                     "bad.py: cannot analyse: not valid utf-8: invalid start byte at byte 15"),
    "unknown-cookie": (b"# -*- coding: klingon -*-\nimport os\nos.replace(a, b)\n",
                       "bad.py: cannot analyse: bad encoding declaration: unknown encoding: klingon"),
    "wrong-cookie": ("# -*- coding: ascii -*-\nimport os\nx = 'caf\xe9'\nos.replace(a, b)\n".encode("utf-8"),
                     "bad.py: cannot analyse: not valid ascii: ordinal not in range(128) at byte 42"),
    "cookie-against-bom": (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\nimport os\nos.replace(a, b)\n",
                           "bad.py: cannot analyse: bad encoding declaration: "
                           "the coding cookie contradicts the UTF-8 BOM"),
    "nul-bytes": (b"import os\x00\nos.replace(a, b)\n", "bad.py: cannot analyse: binary file (contains NUL bytes)"),
    # LibCST takes these literals and Python does not; the analysis evaluates them (the column moved in 3.12)
    "bad-escape": (b"import os\ndef save(data, path, tmp='\\x4'):\n    os.replace(tmp, path)\n",
                   re.compile(r"bad\.py: cannot analyse: syntax error at 2:\d+: \(unicode error\) 'unicodeescape' "
                              r"codec can't decode bytes in position 0-2: truncated \\xXX escape")),
    "non-ascii-bytes": ("import os\ndef save(data, path, tmp=b'caf\xe9'):\n    os.replace(tmp, path)\n".encode(),
                        re.compile(r"bad\.py: cannot analyse: syntax error at 2:\d+: "
                                   r"bytes can only contain ASCII literal characters\.?")),
    "10mb-with-a-candidate": (ten_mb_module(True), "bad.py: cannot analyse: too large (over 2097152 bytes)"),
    "1mb-generated-module": (generated_module(MB), TOO_MANY_TOKENS),
    "1.9mb-generated-module": (generated_module(19 * MB // 10), TOO_MANY_TOKENS),
    "too-many-tokens-then-a-syntax-error": (generated_module(MB // 2, "X = (\n"), TOO_MANY_TOKENS),
    "deeply-nested": (b"import os\nos.replace(a, b)\nX = " + b"(" * 250 + b"1" + b")" * 250 + b"\n",
                      "bad.py: cannot analyse: too deeply nested to parse safely (over 200 brackets)"),
    # LibCST segfaults on a string concatenation of about 10,000 terms
    "long-plus-chain": (b"import os\nos.replace(a, b)\nX = " + b" + ".join([b"'a'"] * 20000) + b"\n",
                        f"bad.py: cannot analyse: expression too long to parse safely "
                        f"(over {engine.MAX_DEPTH} levels deep)"),
}


@pytest.mark.parametrize("content, line", list(BAD.values()), ids=list(BAD))
def test_a_file_that_cannot_be_analysed_costs_only_that_file(project, capsys, content, line):
    (project / "bad.py").write_bytes(content)
    started = time.perf_counter()
    assert_only_this_file_failed(*run(capsys, "."), line)
    assert time.perf_counter() - started < 60  # each takes well under a second; a stall takes minutes


def token_count(text):
    return sum(1 for _ in tokenize.generate_tokens(io.StringIO(text).readline))


def test_the_token_limit_counts_every_token(monkeypatch):
    """rules.md, "The parser guard": LibCST's tree costs 2-4 KB a token, so over engine.MAX_TOKENS
    (comments and newlines count) the file is reported and skipped; at the limit it is analysed."""
    source = SAVE + "# a comment\n" * 10
    limit = token_count(source)
    monkeypatch.setattr(engine, "MAX_TOKENS", limit)
    assert [d.code for d in tmplint.check_source(source)] == ["TMP102"]
    (d,) = tmplint.check_source(source + "\n")
    assert (d.code, d.message) == ("TMP000", f"too large to analyse ({limit + 1} tokens, limit {limit})")
    monkeypatch.undo()
    big = generated_module(MB // 4).decode()
    assert token_count(big) > engine.MAX_TOKENS
    started = time.perf_counter()
    (d,) = tmplint.check_source(big)
    assert time.perf_counter() - started < 30  # about a second here; LibCST's parse took 12 s and 200 MB
    assert d.message == f"too large to analyse ({token_count(big)} tokens, limit {engine.MAX_TOKENS})"


def test_the_exit_status_is_2_even_with_exit_zero(project, capsys):
    (project / "bad.py").write_bytes(BAD["syntax-error"][0])
    assert_only_this_file_failed(*run(capsys, "--exit-zero", "."), BAD["syntax-error"][1])


def test_a_large_file_without_a_candidate_is_skipped_silently(project, capsys):
    """rules.md, "Large files": only a file the screen passes is parsed, and then it is too large."""
    (project / "big.py").write_bytes(ten_mb_module(False))
    started = time.perf_counter()
    code, out, err = run(capsys, ".")
    assert time.perf_counter() - started < 60
    assert (code, err, found(out)) == (1, "", [GOOD])


def test_max_file_size_from_the_command_line(project, capsys):
    (project / "bad.py").write_text(SAVE)
    code, out, err = run(capsys, "--max-file-size", "100", "good.py", "bad.py")
    assert code == 2
    assert err.splitlines() == ["bad.py: cannot analyse: too large (over 100 bytes)",
                                "good.py: cannot analyse: too large (over 100 bytes)"]


# ---------------------------------------------------------------------------------------------------------
# Paths that are not what they seem


def test_a_path_that_does_not_exist(project, capsys):
    assert_only_this_file_failed(*run(capsys, ".", "nowhere"), "nowhere: cannot analyse: No such file or directory")


@needs_symlinks
def test_symlink_loops_and_dangling_links_in_a_folder_are_skipped(project, capsys):
    (project / "pkg").mkdir()
    os.symlink("..", str(project / "pkg" / "up"))  # a folder loop: symlinked folders are not followed
    os.symlink("b.py", str(project / "pkg" / "a.py"))  # a file loop
    os.symlink("a.py", str(project / "pkg" / "b.py"))
    os.symlink("gone.py", str(project / "pkg" / "dangling.py"))
    code, out, err = run(capsys, ".")
    assert (code, err, found(out)) == (1, "", [GOOD])


@needs_symlinks
def test_symlink_loops_and_dangling_links_named_on_the_command_line_are_reported(project, capsys):
    os.symlink("b.py", str(project / "a.py"))
    os.symlink("a.py", str(project / "b.py"))
    os.symlink("gone.py", str(project / "dangling.py"))
    code, out, err = run(capsys, "good.py", "a.py", "dangling.py")
    assert code == 2 and found(out) == [GOOD]
    assert err.splitlines() == ["a.py: cannot analyse: Too many levels of symbolic links",
                                "dangling.py: cannot analyse: No such file or directory"]


def test_a_folder_with_no_python_files(project, capsys):
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("os.replace('.tmp', 'x')\n")
    assert run(capsys, "docs") == (0, "All checks passed!\n", "")


def test_a_folder_named_like_a_python_file_is_walked(project, capsys):
    (project / "pkg.py").mkdir()
    (project / "pkg.py" / "inner.py").write_text(SAVE)
    for argv in ([".", "pkg.py"], ["pkg.py"]):
        code, out, err = run(capsys, *argv)
        assert (code, err) == (1, "")
        assert found(out) == ([GOOD] if "." in argv else []) + [os.path.join("pkg.py", "inner.py") + ":5:16: TMP102"]


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
def test_a_file_deleted_while_the_run_is_in_progress(project, capsys, monkeypatch, cache):
    """The walk lists the file, then it goes before it is read: as when an editor or a build step
    removes it during a run. Listing happens before checking (runner.run_checks), so the file is
    deleted right after the real listing."""
    (project / "vanishing.py").write_text(SAVE)
    listing = runner.iter_python_files

    def list_then_delete(paths, settings):
        files = list(listing(paths, settings))
        assert "vanishing.py" in files
        (project / "vanishing.py").unlink()
        return iter(files)

    monkeypatch.setattr(runner, "iter_python_files", list_then_delete)
    code = main([*cache, "."])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert_only_this_file_failed(code, out, err, "vanishing.py: cannot analyse: No such file or directory")


def test_a_file_that_cannot_be_read(project, capsys):
    """Permission denied where the tests can be denied it (not as root); as root, a file whose read
    fails after it opened: Linux's /proc/self/mem gives EIO at address 0."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        (project / "locked.py").write_text(SAVE)
        os.chmod(str(project / "locked.py"), 0)
        try:
            assert_only_this_file_failed(*run(capsys, "."), "locked.py: cannot analyse: Permission denied")
        finally:
            os.chmod(str(project / "locked.py"), 0o644)
    elif os.path.exists("/proc/self/mem"):
        assert_only_this_file_failed(*run(capsys, ".", "/proc/self/mem"),
                                     "/proc/self/mem: cannot analyse: Input/output error")
    else:
        pytest.skip("running as root without /proc: no file this test can fail to read")


# ---------------------------------------------------------------------------------------------------------
# Good but odd input: analysed normally


ODD = {
    "bom": (b"\xef\xbb\xbf" + SAVE.encode(), ["odd.py:5:16: TMP102"]),
    "bom-finding-on-line-1": (b"\xef\xbb\xbfimport os; os.replace('.tmp_x', 'x')\n", ["odd.py:1:23: TMP102"]),
    "crlf": (SAVE.replace("\n", "\r\n").encode(), ["odd.py:5:16: TMP102"]),
    "lone-cr": (SAVE.replace("\n", "\r").encode(), ["odd.py:5:16: TMP102"]),
    "mixed-endings": (SAVE.replace("\n", "\r\n", 2).replace("f.write(data)\n", "f.write(data)\r").encode(),
                      ["odd.py:5:16: TMP102"]),
    "form-feeds": (("\f\n# section\n\f" + SAVE.replace("def save", "\fdef save")).encode(), ["odd.py:7:16: TMP102"]),
    "tab-indentation": (SAVE.replace("    ", "\t").encode(), ["odd.py:5:13: TMP102"]),
    "latin-1-cookie": ("# -*- coding: latin-1 -*-\n# caf\xe9\n".encode("latin-1") + SAVE.encode(),
                       ["odd.py:7:16: TMP102"]),
    "empty": (b"", []),
    "only-comments": (b"# os.replace('.tmp_state', 'state.json')\n#\n# the end\n", []),
    "only-a-docstring": (b'"""os.replace(".tmp_state", "state.json")"""\n', []),
}


@pytest.mark.parametrize("content, findings", list(ODD.values()), ids=list(ODD))
def test_good_but_odd_input_is_analysed_normally(project, capsys, content, findings):
    (project / "odd.py").write_bytes(content)
    code, out, err = run(capsys, ".")
    assert (code, err) == (1, "")
    assert found(out) == [GOOD] + findings
    assert tmplint.check_source(content, "odd.py") == tmplint.check_source(content.decode(
        "latin-1" if b"latin-1" in content else "utf-8-sig"), "odd.py")


@pytest.mark.parametrize("source", [
    "import os\nos.replace('.tmp', p)\nx = '\x00'\n",
    "import os\x00\nos.replace('.tmp', p)\n",
], ids=["in-a-string", "in-code"])
def test_nul_in_a_str_is_a_binary_file_too(source):
    """As bytes, decoding stops it; as str it reached LibCST, which takes it inside a string, and
    evaluating that string raised (Python 3.13's tokenizer even raised SystemError on it)."""
    assert [(d.code, d.message) for d in tmplint.check_source(source)] == [
        ("TMP000", "binary file (contains NUL bytes)")]
    assert tmplint.fix_source(source) == source


def test_a_literal_python_rejects_is_a_syntax_error_for_check_and_fix():
    source = "import os\nX = '\\N{NO SUCH NAME}'\ndef save(data, path, tmp=X):\n    os.replace(tmp, path)\n"
    (d,) = tmplint.check_source(source)
    assert d.code == "TMP000" and d.message.startswith("syntax error at 2:") and "unicode error" in d.message
    assert tmplint.fix_source(source) == source


def test_stdin_gets_the_same_treatment(project, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BAD["invalid-utf8"][0])))
    code, out, err = run(capsys, "-", "--stdin-filename", "piped.py")
    assert (code, err) == (2, "piped.py: cannot analyse: not valid utf-8: invalid start byte at byte 15\n")


# ---------------------------------------------------------------------------------------------------------
# The parser guard (rules.md, "The parser guard"): shapes that crash LibCST, stall it for minutes or take
# gigabytes are stopped before it sees them. Each is just past the limit: without the guard each would be
# parsed (seconds each) and then fail to analyse ("too deeply nested to analyse"), or crash at larger sizes.

HEAD = "import os\nos.replace(a, b)\n"
N = engine.MAX_DEPTH + 5
CHAINS = {
    "and": "X = " + " and ".join(["a"] * N),
    "or": "X = " + " or ".join(["a"] * N),
    "not": "X = " + "not " * N + "a",
    "unary-minus": "X = " + "-" * N + "a",
    "invert": "X = " + "~" * N + "a",
    "attribute": "X = a" + ".b" * N,
    "call": "X = f" + "()" * N,
    "subscript": "X = a" + "[0]" * N,
    "slice": "X = a" + "[1:2]" * N,
    "keyword-call": "X = f" + "(a=1)" * N,
    "lambda": "X = " + "lambda: " * N + "0",
    "lambda-with-parameters": "X = " + "lambda a, b=1: " * N + "0",
    "conditional": "X = " + "a if b else " * N + "c",
    "await": "async def f():\n    return " + "await " * N + "a",
    "comprehension-for": "X = [a " + "for a in b " * N + "]",
    "power": "X = " + " ** ".join(["a"] * N),
    "implicit-concatenation-over-lines": "X = (\n" + "".join("    'a'  # part\n" for _ in range(N)) + ")",
    "f-string-concatenation": "X = " + " ".join(["f'{a}'", "'b'"] * (N // 2 + 1)),
    "calls-with-commas": "X = " + " + ".join(["f(a, b)"] * N),
    "dicts-with-colons": "X = " + " | ".join(["{a: b}"] * N),
    "lambdas-in-parentheses": "X = " + " + ".join(["(lambda a, b: a)"] * N),
    "chains-nested-in-brackets": "X = " + "[a + a + a + a + a + a + " * 180 + "a" + "]" * 180,
}


@pytest.mark.parametrize("body", list(CHAINS.values()), ids=list(CHAINS))
def test_the_guard_stops_every_chain_that_makes_the_tree_too_deep(body):
    started = time.perf_counter()
    (d,) = tmplint.check_source(HEAD + body + "\n", "deep.py")
    assert time.perf_counter() - started < 10
    assert (d.code, d.path, d.line) == ("TMP000", "deep.py", 1)
    assert d.message == f"expression too long to parse safely (over {engine.MAX_DEPTH} levels deep)"


def test_the_guard_stops_a_long_elif_run():
    body = "if a:\n    pass\n" + "elif a:\n    if b:\n        pass\n    elif c:\n        pass\n" * N
    (d,) = tmplint.check_source(HEAD + body)
    assert d.message == f"too many elif branches in a row to parse safely (over {engine.MAX_DEPTH})"


KEPT = {
    # as deep as the guard allows
    "plus": "X = " + " + ".join(["a"] * engine.MAX_DEPTH),
    "attribute": "X = a" + ".b" * (engine.MAX_DEPTH - 1),
    "elif": "if a:\n    pass\n" + "elif a:\n    pass\n" * engine.MAX_DEPTH,
    # a polynomial is as deep as its + chain plus its longest product, not its operator count
    "polynomial": "X = " + " + ".join(f"{i}*p**{i % 7}*q**2*r - 3*s" for i in range(350)),  # 2,800 operators
    # flat shapes: comparisons, lists, calls and statements of any length
    "comparison": "X = " + " < ".join(["a"] * 5000),
    "list": "X = [" + ", ".join(["a + b"] * 5000) + "]",
    "arguments": "X = f(" + ", ".join(["a.b.c(d)"] * 3000) + ")",
    "statements": "a = 1; " * 5000 + "b = 2",
    "ifs-in-sequence": "if a:\n    pass\nelse:\n    pass\n" * 3000,
    "lambdas-as-arguments": "X = f(" + ", ".join(["lambda a: a + 1"] * 2000) + ")",
    "nested-brackets": "X = " + "[" * 200 + "]" * 200,
    "chain-in-a-comment-and-a-string": "X = 'a' # " + " + a" * 5000 + "\nY = '" + "+ a " * 5000 + "'",
}


@pytest.mark.parametrize("body", list(KEPT.values()), ids=list(KEPT))
def test_the_guard_lets_through_what_is_only_long(body):
    assert engine._guard(HEAD + body + "\n" + SAVE, Config().analysis) is None


SHORTCUT_CASES = dict(
    [(f"stopped-{name}", HEAD + body + "\n") for name, body in CHAINS.items()]
    + [(f"kept-{name}", HEAD + body + "\n" + SAVE) for name, body in KEPT.items()]
    + [("elif-run", HEAD + "if a:\n    pass\n" + "elif a:\n    pass\n" * N),
       ("too-many-tokens", generated_module(MB // 4).decode()),
       ("one-if-runs", HEAD + "X = [" + ", ".join(["1if a else 2"] * 3000) + "]\n"),
       ("long-statement-after-a-decorator", HEAD + "@d\ndef f(a=" + " + ".join(["a"] * N) + "):\n    pass\n"),
       ("long-except-clause", HEAD + "try:\n    pass\nexcept (" + " + ".join(["E"] * N) + "):\n    pass\n"),
       ("f-string-spaces", HEAD + "X = f'" + "{a} " * 40000 + "'\n")])


def standard_tree(source):
    """The standard parser's tree, or None (then the reduction has none either)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 1if: "invalid decimal literal"
            return ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError):
        return None


TREES = {name: (source, standard_tree(source)) for name, source in SHORTCUT_CASES.items()}
TREES = {name: case for name, case in TREES.items() if case[1] is not None}


@pytest.mark.parametrize("source, tree", list(TREES.values()), ids=list(TREES))
def test_the_guard_answers_the_same_from_the_standard_parsers_tree(source, tree):
    """With the standard parser's tree (the reduction has one for every big file) the guard may
    answer without tokenizing (``engine._surely_safe``); its answer must be the tokenizer's."""
    options = Config().analysis
    assert engine._guard(source, options, tree=tree) == engine._guard(source, options)


def test_most_shortcut_cases_reach_the_shortcut():
    assert len(TREES) >= len(SHORTCUT_CASES) - 3
    stopped = [name for name, (source, _) in TREES.items() if engine._guard(source, Config().analysis)]
    assert len(stopped) >= 15  # the shortcut must say "tokenize" for each of these


def test_the_guard_spares_the_tokenizer_for_a_plain_file(monkeypatch):
    def no_tokenizing(readline):
        raise AssertionError("tokenized")

    monkeypatch.setattr(engine.tokenize, "generate_tokens", no_tokenizing)
    source = HEAD + SAVE * 200
    assert engine._guard(source, Config().analysis, tree=ast.parse(source)) is None
    with pytest.raises(AssertionError):
        engine._guard(source, Config().analysis)


def test_a_long_chain_inside_the_guard_is_analysed_normally():
    source = HEAD + "X = " + " + ".join(f"{i} * p ** 2" for i in range(150)) + "\n" + SAVE
    assert [(d.line, d.code) for d in tmplint.check_source(source)] == [(8, "TMP102")]


def test_check_source_never_raises_however_little_stack_is_left():
    """What passes the guard can still be too deep for the stack that is left: the analysis and the
    placing of findings recurse through the tree. Whichever runs out, the file is a TMP000 (or fully
    analysed), never a RecursionError."""
    source = HEAD + "X = " + " + ".join(["a"] * 250) + "\n" + SAVE
    base = len(inspect.stack())
    limit = sys.getrecursionlimit()
    outcomes = set()
    try:
        for room in range(100, 1000, 50):
            sys.setrecursionlimit(base + room)
            result = tmplint.check_source(source)
            outcomes.add(tuple((d.code, d.message) if d.code == "TMP000" else (d.line, d.code) for d in result))
    finally:
        sys.setrecursionlimit(limit)
    assert outcomes == {(("TMP000", "too deeply nested to analyse"),), ((8, "TMP102"),)}


DEEP_BUT_GUARDED = {
    # trees the analysis walks and the guard lets through, too deep for the stack that placing the
    # finding (LibCST's code generation, two frames a level) once had left: the finding was a TMP000
    "plus": " + ".join(["a"] * 600),
    "not": "not " * 600 + "a",
    "calls-on-attributes": "a" + ".b(c)" * 300,
}


@pytest.mark.parametrize("body", list(DEEP_BUT_GUARDED.values()), ids=list(DEEP_BUT_GUARDED))
def test_a_finding_in_a_deep_file_is_reported(project, capsys, body):
    source = HEAD + "def f():\n    return " + body + "\n" + SAVE
    assert engine._guard(source, Config().analysis) is None
    limit = sys.getrecursionlimit()
    assert [(d.line, d.code) for d in tmplint.check_source(source)] == [(9, "TMP102")]
    assert sys.getrecursionlimit() == limit
    (project / "deep.py").write_text(source)
    code, out, err = run(capsys, "deep.py", "good.py")
    assert (code, err) == (1, "")
    assert found(out) == ["deep.py:9:16: TMP102", GOOD]
