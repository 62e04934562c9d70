"""Issue 6, property-based: no input makes ``check_source`` raise, and ``fix_source`` either returns
code that parses and is idempotent, or returns its input unchanged.

The inputs are Python programs generated from the grammar and from LibCST's node types
(hypothesmith), the same with a rename added so that they pass the screen and are really parsed and
analysed, and the rule and fix fixtures broken by byte flips, truncation, inserted bytes, deleted
and repeated spans. CI runs a few hundred examples, derandomized so every run is the same;
scripts/fuzz.py runs the same properties for as long as it is asked to.
"""

import ast
import warnings
from pathlib import Path
from typing import List, Tuple, Union

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tmplint
from tmplint.diagnostics import CANNOT_ANALYSE, Diagnostic

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures" / "rules").glob("*.py")) + sorted(
    p for p in (ROOT / "fixtures" / "fix").glob("*.py") if ".fixed." not in p.name and ".unsafe." not in p.name)
SMALL = [i for i, path in enumerate(FIXTURES) if path.stat().st_size < 3000]  # CI's share: fast to fix twice
SAVE = (
    "\nimport os\n"
    "def save(data, path):\n"
    "    with open('.tmp_state', 'w') as f:\n"
    "        f.write(data)\n"
    "    os.replace('.tmp_state', path)\n"
)

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it makes

CI = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # explain traces lines: slow, and 3.13.0 breaks under it
    suppress_health_check=list(HealthCheck),
)


# ---------------------------------------------------------------------------------------------------------
# The properties, shared with scripts/fuzz.py


def check_never_raises(source: Union[str, bytes]) -> List[Diagnostic]:
    """``check_source`` returns well-formed diagnostics: sorted findings on lines of the file, or
    one TMP000 with a reason."""
    result = tmplint.check_source(source, "fuzz.py")
    assert isinstance(result, list) and all(isinstance(d, Diagnostic) for d in result)
    if any(d.code == CANNOT_ANALYSE for d in result):
        (d,) = result
        assert d.message and (d.path, d.line, d.col) == ("fuzz.py", 1, 1)  # the API's columns are 1-based
        return result
    lines = max(1, len(source.splitlines()) + 1)
    for d in result:
        assert d.code.startswith("TMP") and d.path == "fuzz.py" and d.message
        assert 1 <= d.line <= d.end_line <= lines and d.col >= 1, d
    assert result == sorted(result, key=Diagnostic.sort_key)
    return result


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, cst.ParserSyntaxError):
        return False
    return True


def check_fix(source: Union[str, bytes]) -> bool:
    """``fix_source`` gives back the input, or code that parses and that a second fix leaves as it is.
    True when it changed something."""
    fixed = tmplint.fix_source(source, "fuzz.py")
    assert type(fixed) is type(source)
    if fixed == source:
        return False
    text = tmplint.source.decode_source(fixed)[0] if isinstance(fixed, bytes) else fixed
    assert _parses(text), fixed
    assert tmplint.fix_source(fixed, "fuzz.py") == fixed, "not idempotent"
    return True


def check_program(program: str) -> None:
    """A generated program as it is (most are screened out), then with a rename so it is parsed and
    analysed, as str and as bytes, and fixed."""
    check_never_raises(program)
    baited = program + SAVE
    check_never_raises(baited)
    check_never_raises(baited.encode("utf-8", "surrogatepass"))
    check_fix(baited)


Mutation = Tuple[str, int, int, bytes]

INTERESTING = [b"\x00", b"\xff", b"\xfe", b"\r", b"\r\n", b"\n", b"\t", b"\f", b"\\", b"\xef\xbb\xbf", b"(", b")",
               b"[", b"'", b'"', b'"""', b"#", b"# noqa\n", b"# -*- coding: latin-1 -*-\n", b"# coding: bogus\n",
               b" + ", b"lambda: ", b"    ", b"\t\t", b"uuid", b"tmp", b".tmp", b"os.replace", b"import uuid\n",
               b"\xe2\x80\xa8", b"\xc3\xa9", b"\xed\xa0\x80", b"if x:\n", b"async ", b"f'{", b"}'"]


def mutations(max_size: int = 6) -> st.SearchStrategy:
    position = st.integers(min_value=0, max_value=1 << 20)
    inserted = st.one_of(st.sampled_from(INTERESTING), st.binary(min_size=1, max_size=8))
    operation = st.one_of(
        st.tuples(st.just("flip"), position, st.integers(0, 7), st.just(b"")),
        st.tuples(st.just("truncate"), position, st.just(0), st.just(b"")),
        st.tuples(st.just("insert"), position, st.just(0), inserted),
        st.tuples(st.just("delete"), position, st.integers(1, 64), st.just(b"")),
        st.tuples(st.just("repeat"), position, st.integers(1, 200), st.just(b"")),
    )
    return st.lists(operation, min_size=1, max_size=max_size)


def mutate(data: bytes, operations: List[Mutation]) -> bytes:
    for kind, at, amount, inserted in operations:
        at = at % (len(data) + 1)
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << amount)]) + data[at + 1:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + inserted + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + amount:]
        elif kind == "repeat":
            data = data[:at + amount] + data[at:]
    return data


def check_mutant(fixture: int, operations: List[Mutation]) -> None:
    data = mutate(FIXTURES[fixture].read_bytes(), operations)
    check_never_raises(data)
    check_fix(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    check_never_raises(text)
    check_fix(text)


# ---------------------------------------------------------------------------------------------------------
# The bounded CI run


@settings(CI, max_examples=60)
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(program):
    check_program(program)


@settings(CI, max_examples=25)
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(program):
    check_program(program)


@settings(CI, max_examples=100)
@given(st.sampled_from(SMALL), mutations())
def test_broken_fixtures(fixture, operations):
    check_mutant(fixture, operations)


def test_the_properties_see_real_findings_and_fixes():
    """The fixtures the mutants start from have findings and fixes, so a mutant that still parses is
    really analysed and fixed, not screened out."""
    assert len(FIXTURES) >= 8
    assert all(check_never_raises(path.read_bytes()) for path in FIXTURES[:8])
    assert check_fix(FIXTURES[0].read_bytes())
    assert check_fix("x = 1\n" + SAVE)


def test_a_form_feed_indent_does_not_crash_the_cleanup():
    """hypothesmith found a module whose default indent is a form feed and a space: LibCST reads it
    but will not take it back as a parser config, which crashed the fixer's cleanup."""
    source = "import os\ndef save(d):\n\x0c tmp = os.path.join(d, '.tmp')\n\x0c open(tmp, 'w').write('x')\n" \
             "\x0c os.replace(tmp, os.path.join(d, 'x'))\n"
    fixed = tmplint.fix_source(source, "fuzz.py")
    compile(fixed, "fuzz.py", "exec")
