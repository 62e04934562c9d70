"""The text screen is sound: every file the ast screen passes, it passes too.

``tmplint.screen.passes_ast_screen`` (parse, then walk for the shapes a finding needs) is the
definition; ``passes_text_screen`` only reads the text and must never reject a file the walk
passes. Checked here on every rule fixture, on each of their statements, on hand-written tricky
snippets, on generated variants (comments, newlines and continuations between tokens) and on
seeded random programs. Files the standard parser rejects are left out: the definition says
nothing about them.
"""

import ast
import io
import os
import random
import re
import subprocess
import sys
import textwrap
import tokenize
from itertools import product
from pathlib import Path

import pytest

import tmplint.engine
from tmplint import screen
from tmplint.config import AnalysisOptions
from tmplint.screen import may_have_findings, passes_ast_reference, passes_ast_screen, passes_text_screen
from tmplint.source import standard_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures" / "rules").glob("*.py"))
DEFAULT = AnalysisOptions()
HELPERS = AnalysisOptions(save_helpers=(("ckptkit.io.atomic_write", "scratch_name"),), tmp_dirs=("/scratch",))


parse = standard_tree


def ast_passes(text, options=DEFAULT):
    tree = parse(text)
    return tree is not None and passes_ast_screen(tree, text, options)


def assert_sound(text, options=DEFAULT):
    if ast_passes(text, options):
        assert passes_text_screen(text, options), f"the ast screen passes, the text screen does not:\n{text}"


def fixture_options(text):
    """The fixture's own ``# tmplint-config:`` lines, as the analysis options they set."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("# tmplint-config:"):
            break
        lines.append(line.split(":", 1)[1])
    table = tomllib.loads("\n".join(lines))
    dirs = tuple(table.get("tmp-dirs", DEFAULT.tmp_dirs)) + tuple(table.get("extend-tmp-dirs", ()))
    return AnalysisOptions(tmp_dirs=dirs, save_helpers=tuple(sorted(table.get("save-helpers", {}).items())))


def statements(text):
    """Each statement of ``text`` (at any depth) on its own, dedented, and again after the file's imports."""
    tree = parse(text)
    lines = text.splitlines(True)
    imports = "".join(
        "".join(lines[n.lineno - 1:n.end_lineno]) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.end_lineno - node.lineno < 40:
            chunk = textwrap.dedent("".join(lines[node.lineno - 1:node.end_lineno]))
            yield chunk
            yield imports + chunk


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_passes(path):
    text = path.read_text(encoding="utf-8")
    for options in (fixture_options(text), DEFAULT):
        assert passes_ast_reference(text, options)
        assert may_have_findings(text, options)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_sound_on_each_fixture_statement(path):
    text = path.read_text(encoding="utf-8")
    options = fixture_options(text)
    checked = 0
    for chunk in statements(text):
        assert_sound(chunk, options)
        checked += ast_passes(chunk, options)
    assert checked > 5


# Shapes the ast screen passes, written the awkward ways the text screen has to see through.
PASSING = [
    "import os\nos.replace(a, b)\n",
    "import os as o\no.replace(a, b)\n",
    "import os\nf = os.replace\n",
    "import os\nfs = [os.rename, os.replace]\n",
    "import retry, os\nretry(3)(os.replace)\n",
    "import os\nclass A:\n    def f(self):\n        os.path.replace(a, b)\n",
    "def f():\n    import os\nx = os.replace(a, b)\n",
    "if x: import os\nos.replace(a, b)\n",
    "try: import os\nexcept ImportError: pass\nos.replace(a, b)\n",
    "import sys; import os\nos.replace(a, b)\n",
    "import sys\\\n, shutil as sh\nsh.move(a, b)\n",
    "import \\\n   shutil as sh\nsh.move(a, b)\n",
    "import a, \\\n  shutil as sh\nsh.move(a, b)\n",
    "import shutil as x  # from y import z\nx.move(a, b)\n",
    "x = 1; import shutil as sh\nsh.move(a, b)\n",
    "if a: import os as sh\nsh.replace(a, b)\n",
    "import os\nos .replace(a, b)\n",
    "import os\n(os\n .replace(a, b))\n",
    "import os\n(os  # c\n .replace(a, b))\n",
    "import os\n(os  # c\n\n  # d\n .replace(a, b))\n",
    "import os\n(os.path  # c\n .x\n .replace(a, b))\n",
    "import os\nx = os.\\\nreplace\n",
    "import os\n(os).replace(a, b)\n",
    "import os\n((os.path)).replace(a, b)\n",
    "import os\n(  # c\n os).replace(a, b)\n",
    "import os\ndef f():\n    return (os).replace(a, b)\n",
    "import os\n@os.replace\ndef f(): pass\n",
    "import os\ndel os.replace\n",
    "import os\nx = ['#', os.replace(a, b)]\n",
    "import os\nx = '#'; os.replace(a, b)\n",
    "import os\nx = '''#'''\nos.replace(a, b)\n",
    "x = '''\n'''; import os\nos.replace(a, b)\n",
    "x = '\\\n'; import os\nos.replace(a, b)\n",
    "'''doc\n''' ; import os; os.replace(a, b)\n",
    "x = f'{a}' ; import os\nos.replace(a, b)\n",
    "x = f'''{a}\n'''\nimport os\nos.replace(a, b)\n",
    "s = 'it''s'\nimport os\nos.replace(a, b)\n",
    "s = r'\\\\'\nimport os\nos.replace(a, b)\n",
    "x = a if'b'else'c'\nimport os\nos.replace(a, b)\n",
    "print(f'{a!r:>10}')\nimport os\nos.replace(a, b)\n",
    "import os\nx = f'{os.replace(a, b)}'\n",
    "from os import (\n    path,\n    replace as r,\n)\n",
    "from os import (path,  # comment\n    replace)\n",
    "from shutil import move\n",
    "import shutil.move\n",
    "import x.y.rename as q\n",
    "from . import replace\n",
    "import pathlib\npathlib.Path(x).replace(y)\n",
    "from pathlib import Path\nPath(x).rename(y)\n",
    "f(tmp=1)\n",
    "f(a, tmp_path=1)\n",
    "f(a,\n  # c, d\n  temp_file_name=1)\n",
    "f(a,  # c\n  TMP=1)\n",
    "f(a, \\\n  tmp=1)\n",
    "f(tmp\n  =1)\n",
    "f(tmp  # c\n  = 1)\n",
    "f(_Temporary_File=1)\n",
    "class A(B, temp=1): pass\n",
    "@d(tmp=1)\ndef f(): pass\n",
    "x = [f(tmp=1)]\n",
    "x = f'{g(tmp=1)}'\n",
    "x = f'{g(a, tmp=1)}'\n",
    "def f(tmp=None): g(tmp=tmp)\n",
    "def f(a, tmp=None): pass\nf(1, tmp=2)\n",
    "x = g(lambda: f(tmp=1))\n",
    "x = mktemp\n",
    "x = '/tmp/x'\n",
    "x = '/tmp' '/x'\n",
    "x = f\"/dev/shm/{name}\"\n",
    "x = rb'/var/tmp/x'\n",
    'x = """/tmp/x"""\n',
    "from tensorflow.io import gfile\n",
    "x = tf.io.gfile.rename\n",
    "def f(fs: AbstractFileSystem): pass\n",
    "import os\r\nos.replace(a,\r\n b)\r\n",
    "import ｏｓ\nos.replace(a, b)\n",
    "f(ｔｍｐ=1)\n",
    "from os import ｒｅｐｌａｃｅ\n",
    "f(tmp_fİle=1)\n",
]

# What the screen exists to drop; none of these can hold a finding.
REJECTED = [
    "s.replace('a', 'b')\n",
    "s.replace(\"a\", 'b').replace(old, new)\n",
    "text = text.replace(os.sep, '/')\n",
    "x = s.replace(a[0] * 2, a[0])\n",
    "x = s.replace('{' + name + '}', value)\n",
    "x = s.replace(printer.doprint(d), m)\n",
    "x = e.replace(lambda a, b: a, lambda p: p.base)\n",
    "x = e.replace(lambda a=1: a, f)\n",
    "x = d.replace(tzinfo=None)\n",
    "x = df.rename(columns={'a': 'b'})\n",
    "x = df.rename(**kw)\n",
    "x = df.rename(*args)\n",
    "x = df.rename()\n",
    "import os\nx = str(os).replace(a, b)\n",
    "import os\nx = os.path.basename(p).replace(a, b)\n",
    "import os\nx = (a + os).replace(b, c)\n",
    "import os\n'''\nos.replace(a)\n'''\n",
    "import os\n# os.rename(a)\n",
    "x = 'Use DataFrame.rename(...) instead'\n",
    "x = f'Use DataArray.rename({fmt}) instead'\n",
    "'''\n>>> from sympy.abc import x\n'''\ny = x.replace(a, b)\n",
    "def f(self, tmp=None): pass\n",
    "async def f(\n    self,\n    tmp_path=None,\n): pass\n",
    "out, tmp = m.rref()\n",
    "tmp = 1\n",
    "g = lambda a, tmp=1: a\n",
    "x = f(tmp == 1)\n",
    "x = '(tmp=1)'\n",
    "def replace(a, b): pass\n",
    "x = remove(a)\n",
    "# replace the file\n",
    "# /dev/shm\n",
    "x = 'Mbytes free space of /tmp drive'\n",
    "logfile = open_logfile(name)\n",
    "watchers: Sequence['FileSystemWatcher'] = f()\n",
    "KEYWORDS = {'expand-gfile', 'moveTo', 'fsspec'}  # gfile\n",
]


# One-argument ``.replace(x)``/``.rename(x)``: a rename only on a pathlib path, so the shapes pass
# where the file can make one (a pathlib class, a path method) and are dropped where it cannot.
ONE_ARGUMENT = [
    "x.ｒｅｐｌａｃｅ(a)\n",
    "p.replace(x)\n",
    "p.rename(x)\n",
    "p.move(x)\n",
    "p.replace(f(a, b))\n",
    "p.replace((a, b))\n",
    "p.replace([a, b])\n",
    "p.replace(\n    x,\n)\n",
    "p.replace(\n    # a, b\n    x\n)\n",
    "p.replace('a, b')\n",
    'p.replace("""a", "b""")\n',
    "p.replace('''a', 'b''')\n",
    "p.replace(lambda a, b: a)\n",
    "p.replace(lambda a=(1, 2), b=3: a)\n",
    "p.replace(lambda: (lambda x, y: x))\n",
    "p.replace(lambda a=lambda: 0, b=1: a)\n",
    "p.replace(lambda: lambda x, y: 0)\n",
    "p.replace(x if a else y)\n",
    "p.replace(x for x in y)\n",
    "p.replace(a == b)\n",
    "p.replace(a <= b)\n",
    "p.replace(a != b)\n",
    "p.replace((a := b))\n",
    "p.replace(f'{a, b}')\n",
    "p.replace(f\"{x['a']}, {y}\")\n",
    "p.replace(f'{x:>{w}}, {y}')\n",
    "p.replace(f'{x:,}')\n",
    "p.replace(rb'a\\', b')\n",
    "p.replace(r'a\\', b')\n",
    "p.replace('a\\\n, b')\n",
    "p \\\n .replace(x)\n",
    "(p\n .replace(x))\n",
    "(p.  # c\n replace(x))\n",
    "(p  # c\n .replace  # d\n (x))\n",
    "(p  # c, d\n .replace(  # e, f\n x))\n",
    "p.replace  (x)\n",
    "p.replace(x, )\n",
    "p.replace(x,  # c\n )\n",
    "p.replace(x  # c, d\n )\n",
    "p.replace(x)[0]\n",
    "x = [p.replace(a) for a in b]\n",
    "x = {p.replace(a): 1}\n",
    "x = p.replace(a) or p.replace(b, c)\n",
    "x = p.replace(a)if x else 1\n",
    "x = 'a'.replace(b)\n",
    "x = 'a'.replace('b', 'c').replace(d)\n",
    "x = p.replace('a' 'b')\n",
    "x = p.replace('a'\n 'b')\n",
    "x = p.replace('a' # c, d\n 'b')\n",
    "x = p.replace('a'[0])\n",
    "x = p.replace('a' % b)\n",
    "x = p.replace('a'.join(b))\n",
    "x = p.replace(a.b.c)\n",
    "x = p.replace(a\n.b)\n",
    "x = p.replace(1)\n",
    "x = p.replace(-1)\n",
    "x = p.replace(f'{a[1:2]}')\n",
    "x = p.replace(f'{a}' f'{b}')\n",
    "x = p.replace(f'''{a}\n, b''')\n",
    "x = p.replace(e)\n",
    "x = p.replace('a',\n)\n",
    "x = p.replace('a'\n,\n)\n",
    "x = p.replace('\\\\')\n",
    "x = (\n  p\n  # .\n  .replace(y)\n)\n",
    "x = p.  replace(y)\n",
    "x = p\t.replace\t(y)\n",
    "x = p\f.replace(y)\n",
    "x = p .replace(y,  # c\n)\n",
    "async def f():\n    await p.replace(x)\n",
]
PATH_MAKERS = ["from pathlib import Path\n", "import pathlib as pl\nq = pl.PurePath\n", "q = r.with_suffix('.x')\n",
               "q = (r  # c\n  .resolve())\n", "def f(p: 'Path'): pass\n"]


# Only a name bound to os or shutil themselves can receive a rename: a from-import binds none
# (``x.replace`` is ``m.x.replace``), nor does ``import m as x`` for another module. ``os`` and
# ``shutil`` count anyway, and importing the function itself passes.
NOT_RENAME_MODULES = [
    "from x import \\\n   sh\nsh.move(a, b)\n",
    "from x import (a,\n  b as sh)\nsh.move(a, b)\n",
    "from x import (a,  # c, d\n  # e\n  b as sh,\n)\nsh.move(a, b)\n",
    "from .x import sh\nsh.move(a, b)\n",
    "from . import sh\nsh.move(a, b)\n",
    "from.x import sh\nsh.move(a, b)\n",
    "from x \\\n  import sh\nsh.move(a, b)\n",
    "if a: from x import sh\nsh.move(a, b)\n",
    "from sympy.abc import (a, i)\ny = [i.replace(\n    lambda x: x, lambda x: 2 * x)]\n",
    "import os.path as p\np.replace(a, b)\n",
    "import sh\nsh.move(a, b)\n",
    "import dask.array as da\nda.rename(x, y)\n",
    "import a, \\\n  b as sh\nsh.move(a, b)\n",
    "import os\\\n, sys\nsys.replace(a, b)\n",
    "import shutil.x as sh\nsh.move(a, b)\n",
]


@pytest.mark.parametrize("text", NOT_RENAME_MODULES)
def test_receivers_not_bound_to_os_or_shutil_do_not_pass(text):
    assert not passes_ast_reference(text, DEFAULT)
    assert not passes_text_screen(text, DEFAULT)
    if "import sh\n" in text or "import (" in text:
        return  # no same shape with a plain import
    bound = re.sub(r"(from [.\w]+ (\\\n  )?import|import \S+ as|import a, \\\n  b as) ", "import shutil as ", text, count=1)
    bound = bound.replace("import os\\\n, sys", "import shutil as sys")
    assert passes_ast_reference(bound, DEFAULT), bound  # the same shape, bound to shutil: passes
    assert passes_text_screen(bound, DEFAULT), bound


@pytest.mark.parametrize("text", ONE_ARGUMENT)
def test_one_argument_renames_pass_only_where_a_path_can_be_made(text):
    for maker in PATH_MAKERS:
        with_path = maker + text
        tree = parse(with_path)
        assert tree is not None
        assert passes_ast_screen(tree, with_path, DEFAULT), maker
        assert passes_text_screen(with_path, DEFAULT), maker
    assert not passes_ast_reference(text, DEFAULT)
    assert not passes_text_screen(text, DEFAULT)
    look_alike = "class TestPaths: pass\nx: os.PathLike = MyPath.resolved\n" + text  # no class name, no method
    assert not passes_ast_reference(look_alike, DEFAULT)
    assert not passes_text_screen(look_alike, DEFAULT)


@pytest.mark.parametrize("text", PASSING)
def test_passing_shapes(text):
    tree = parse(text)
    if tree is None:
        pytest.skip("this Python cannot parse it")
    assert passes_ast_screen(tree, text, DEFAULT)
    assert passes_text_screen(text, DEFAULT)


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_shapes(text):
    assert parse(text) is not None
    assert not passes_ast_reference(text, DEFAULT)
    assert not passes_text_screen(text, DEFAULT)


def test_save_helpers_are_substrings_and_dirs_start_a_literal():
    assert passes_text_screen("x = 1  # atomic_write\n", HELPERS)
    assert passes_text_screen("x = '/scratch/a'\n", HELPERS)
    assert not passes_text_screen("x = 'see /scratch/a'  # /scratch/b\n", HELPERS)
    assert not passes_text_screen("x = 1\n", HELPERS)
    assert not passes_text_screen("x = '/scratch'\n", DEFAULT)


def test_files_that_do_not_parse_still_reach_libcst_for_a_rename_on_os():
    """LibCST then reports TMP000; the ast screen passed every file it could not parse."""
    assert passes_text_screen("def f(:\n    os.replace(a, b)\n", DEFAULT)
    assert passes_text_screen("print 'hello'\nos.rename(a, b)\n", DEFAULT)
    assert passes_text_screen("print 'hello'\nshutil.move(a, b)\n", DEFAULT)
    assert passes_text_screen("\ufeffimport os\nos.replace(a, b)\n", DEFAULT)  # LibCST reads past a BOM


def test_the_engine_uses_this_screen():
    assert tmplint.engine.may_have_findings is may_have_findings


# Generated variants: every combination of what may stand between the tokens of a shape.
GLUE_IN_BRACKETS = ["", " ", "\n", "  # c, (d) 'e' \"f\n", " \\\n", "\n  # .replace(a, b)\n\n", "\t"]
GLUE_OUTSIDE = ["", " ", " \\\n"]
SHAPES = [
    # (shape, glue slots are inside brackets)
    ("import os\nx = (os{0}.{1}replace{2}({3}a{4},{5}b{6}))\n", True),
    ("import os as o\nx = (o{0}.{1}rename{2}({3}a{4}){5}{6})\n", True),
    ("import shutil\nx = [shutil{0}.{1}move{2},{3}1{4},{5}2{6}]\n", True),
    ("x = (p{0}.{1}replace{2}({3}dst{4}){5}{6})\n", True),
    ("x = (p{0}.{1}replace{2}({3}f(a, b){4}){5}{6})\n", True),
    ("x = (p{0}.{1}rename{2}({3}lambda a, b: a{4}){5}{6})\n", True),
    ("x = (p{0}.{1}replace{2}({3}'a, b'{4},{5}){6})\n", True),
    ("f({0}x{1},{2}tmp_path{3}={4}1{5}){6}\n", True),
    ("class A({0}B{1},{2}temp{3}={4}1{5}):{6} pass\n", True),
    ("from os import ({0}path{1},{2}replace{3} as {4}r{5},{6})\n", True),
    ("from x import ({0}a{1},{2}b{3} as {4}sh{5}){6}\nsh.move(a, b)\n", True),
    ("import os\nx = os{0}.{1}replace{2}(a, b){3}{4}{5}{6}\n", False),
    ("x = p{0}.{1}replace{2}(dst){3}{4}{5}{6}\n", False),
    ("from os import{0} replace{1}{2}{3}{4}{5}{6}\n", False),
    ("import{0} os{1}.{2}path{3},{4} x{5}{6}\nos.replace(a, b)\n", False),
]
CONTEXTS = [
    "{}",
    "def f():\n{}",
    "class C:\n    def m(self):\n{}",
    "'''docstring: os.replace(a, b), f(tmp=1), \"quotes\" # hash'''\n{}",
    "s = 'x.replace(a)  # \\'' + \"it's\"  # tmp=1\n{}",
    "t = f'{{a!r}} {{b[\"k\"] if 0 else 1:>{{w}}}}'\n{}",
]


def generated(count, seed):
    rng = random.Random(seed)
    cases = []
    for shape, inside in SHAPES:
        glue = GLUE_IN_BRACKETS if inside else GLUE_OUTSIDE
        combos = list(product(range(len(glue)), repeat=7))
        for combo in rng.sample(combos, min(count, len(combos))):
            body = shape.format(*(glue[k] for k in combo))
            context = rng.choice(CONTEXTS)
            if context != "{}" and "\n{}" in context:
                indent = "        " if "class" in context else "    "
                body = textwrap.indent(body, indent)
            cases.append(context.format(body) if context != "{}" else body)
    return cases


def test_generated_variants_are_sound():
    passed = 0
    for text in generated(150, seed=20240601):
        assert_sound(text)
        passed += ast_passes(text)
    assert passed > 600  # the path-less one-argument shapes no longer pass


# Seeded random programs: statements that matter mixed with strings, comments and look-alikes.
FRAGMENTS = [
    "import os", "import os.path as osp", "from shutil import move as mv", "import shutil as sh",
    "from pathlib import Path", "from x import (\n    a,\n    b as c,  # d\n)", "import a.b.c",
    "os.replace(a, b)", "osp.rename(a, b)", "sh.move(a, b)", "c.replace(a, b)", "a.b.c.rename(d, e)",
    "Path(p).replace(q)", "p.rename(q)", "(p\n .replace(q))", "retry(3)(os.replace)", "f = sh.move",
    "s.replace('a', 'b')", "s.replace(x, y)", "s.replace(lambda a, b: a, c)", "d.replace(tzinfo=z)",
    "f(tmp_path=1)", "f(a,\n  tmp=1)", "def g(tmp=None):\n    return tmp", "x, tmp = f()", "tmp = 3",
    "x = '''\nos.replace(a)\nimport sh\n'''", "# os.replace(a)\n# import c", "s = 'p.rename(q)'",
    "s = \"it's # not a comment\"", "s = f'{a[\"k\"]} {b!r:>5} {{c}}'", "s = f\"{'#'}\"", "s = rb'\\'' ",
    "x = [\n    1,  # ]\n    2,\n]", "if a:\n    pass\nelse:\n    b = (\n        1\n    )", "y = a if b else'c'",
    "class K(Base, metaclass=M):\n    attr = 1", "@decorator(arg=1)\ndef h():\n    '''doc'''",
    "s = '''a\\\n'''", "z = {'replace': 1, 'tmp': 2}", "print(x, end='')", "w = x.remove(y)",
]


def test_random_programs_are_sound():
    rng = random.Random(7)
    passed = 0
    for _ in range(1500):
        text = "\n".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 6))) + "\n"
        assert_sound(text)
        passed += ast_passes(text)
    assert passed > 400  # the path-less one-argument shapes no longer pass


def python_sources():
    return sorted(ROOT.glob("tmplint/**/*.py")) + sorted(ROOT.glob("tests/*.py")) + FIXTURES


@pytest.mark.parametrize("path", python_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_string_reader_agrees_with_tokenize(path):
    """Code is never taken for a string or a comment, and the brackets open at each name match."""
    text = path.read_text(encoding="utf-8")
    starts = [0]
    for line in text.splitlines(True):
        starts.append(starts[-1] + len(line))
    strings = screen._Strings(text)
    stack = []
    fstring_depth = 0
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    for number, token in enumerate(tokens):
        at = starts[token.start[0] - 1] + token.start[1]
        kind = token.type
        if kind == getattr(tokenize, "FSTRING_START", None):
            fstring_depth += 1
        elif kind == getattr(tokenize, "FSTRING_END", None):
            fstring_depth -= 1
        elif kind in (tokenize.NAME, tokenize.NUMBER):
            assert not strings.hides(at), (token, text[at:at + 40])
            keyword_like = tokens[number + 1].string == "="
            opener = strings.opener(at) if keyword_like or number % 23 == 0 else None
            if opener is not None:
                assert opener == (stack[-1] if stack else -1), token
        elif kind == tokenize.OP:
            assert not strings.hides(at), token
            if token.string in "([{":
                stack.append(at)
            elif token.string in ")]}":
                stack.pop()
        elif kind == tokenize.COMMENT or kind == tokenize.STRING and not fstring_depth:
            if not screen._is_fstring(text, at + len(token.string) - len(token.string.lstrip("rRbBuUfFtT"))):
                assert strings.hides(at + len(token.string) - 1) or at >= strings.unsure_from, token
    assert strings.unsure_from > len(text), "no f-string here is too hard to read"


def test_the_screen_can_be_turned_off_to_check_it(tmp_path):
    """benchmarks/run.py compares a corpus's findings with TMPLINT_SCREEN=off: every file is parsed,
    so a syntax error in a file with nothing to find is reported only then."""
    (tmp_path / "broken.py").write_text("def f(:\n    pass\n")
    argv = [sys.executable, "-m", "tmplint", "--no-cache", "broken.py"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    screened = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (screened.returncode, screened.stderr) == (0, "")
    env["TMPLINT_SCREEN"] = "off"
    parsed = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert parsed.returncode == 2 and parsed.stderr.startswith("broken.py: cannot analyse: syntax error")


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_long_line_of_hashes_costs_linear_time_and_memory(tmp_path):
    """Reading backwards past a comment line tries each ``#`` as the comment's start. It once sliced
    the line at each one: 280 KB of ``#`` took 16 s and 5.4 GB, in the process that screens (before
    the size check). Bounds, not timings: 1 GB of address space and a minute, which the quadratic
    version overruns by orders of magnitude; the linear one needs 0.2 s and a few MB for the screen."""
    finding = 'import os\nwith open(".tmp_x", "w") as f:\n    f.write("x")\nos.replace(".tmp_x", "x")\n'
    hashes = "#" * 280_000
    (tmp_path / "m.py").write_text(finding + "print(\n" + hashes + "\n    tmp=1)\nf(x\n" + hashes + "\n  .replace(y))\n")
    argv = [sys.executable, "-m", "tmplint", "--no-cache", "m.py"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                          preexec_fn=_limit_memory)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("m.py:4:12: TMP102 ")


@pytest.mark.parametrize("ascii_class, non_ascii, spelled_with_the_range", [
    ("[0-9A-Za-z_]", True, "[0-9A-Za-z_\\x80-\\U0010ffff]"),
    ("[A-Za-z_]", True, "[A-Za-z_\\x80-\\U0010ffff]"),
    ("[^\\s#\\\\'\"()\\[\\]{},:=A-Za-z_]", False, "[^\\s#\\\\'\"()\\[\\]{},:=A-Za-z_\\x80-\\U0010ffff]"),
])
def test_character_classes_match_what_the_range_spells(ascii_class, non_ascii, spelled_with_the_range):
    """The screen spells its classes by their ASCII complement (cheap to compile): the same characters."""
    cheap, plain = re.compile(screen._class(ascii_class, non_ascii)), re.compile(spelled_with_the_range)
    for code in list(range(0x800)) + [0x2028, 0x3000, 0xFEFF, 0xFFFF, 0x10000, 0x1D400, 0x10FFFF]:
        assert bool(cheap.match(chr(code))) == bool(plain.match(chr(code))), hex(code)
