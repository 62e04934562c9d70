"""``--fix`` as behaviour: the fixed code still saves what the original saved, and saves it safely.

A ``fixtures/fix/NAME.py`` that defines a module-level ``def save(folder, data)`` is runnable: calling it
writes ``data`` into a final file inside ``folder`` through the write-then-rename code under test. For each
such fixture the real fixer (``fix_text``, safe and with ``--unsafe-fixes``) produces the fixed module, and
the original and the fixed module are imported from their own temporary folders and run side by side. The
expected ``NAME.fixed.py`` is never read here: the point is the fixer's own output.
"""

import ast
import functools
import importlib.util
import re
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tmplint.config import Config, load_config
from tmplint.fix import fix_text

REPO = Path(__file__).resolve().parent.parent
FIX = REPO / "fixtures" / "fix"
CONFIG_LINE = re.compile(r"^#\s*tmplint-config:(?P<toml>.*)$")

# The contract of a configured fix-helper (rules.md): it returns a str that starts with its argument and
# is unique. The fixtures name a project helper that does not exist here; this stand-in keeps the contract.
HELPER_STAND_IN = '''import uuid


def {function}(name):
    return f"{{name}}.{{uuid.uuid4().hex}}"
'''


def defines_save(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text())
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "save":
            params = node.args.posonlyargs + node.args.args
            return [p.arg for p in params] == ["folder", "data"]
    return False


RUNNABLE = sorted(
    p for p in FIX.glob("*.py") if not p.name.endswith((".fixed.py", ".unsafe.py")) and defines_save(p)
)


def fixture_config(text: str, where: Path) -> Config:
    """The fixture's ``# tmplint-config:`` lines, loaded the way a user's pyproject.toml is."""
    lines = [m.group("toml") for m in map(CONFIG_LINE.match, text.splitlines()) if m]
    if not lines:
        return Config()
    where.mkdir(parents=True, exist_ok=True)
    pyproject = where / "pyproject.toml"
    pyproject.write_text("[tool.tmplint]\n" + "\n".join(lines) + "\n")
    return load_config(str(pyproject))


@functools.lru_cache(maxsize=None)
def fixed_variants(before: Path) -> Tuple[Tuple[str, str], ...]:
    """(label, text) for each distinct fixed text the real fixer makes, safe first, then unsafe."""
    text = before.read_text()
    with tempfile.TemporaryDirectory() as where:
        config = fixture_config(text, Path(where))
    variants: List[Tuple[str, str]] = []
    for label, unsafe in (("safe", False), ("unsafe", True)):
        fixed = fix_text(text, before.name, config, unsafe_fixes=unsafe).text
        if fixed != text and fixed not in [v for _, v in variants]:
            variants.append((label, fixed))
    return tuple(variants)


def import_copy(text: str, folder: Path, config: Config):
    """Write ``text`` as a module in its own folder and import it under a fresh name."""
    folder.mkdir(parents=True)
    path = folder / f"behaviour_{uuid.uuid4().hex}.py"
    path.write_text(text)
    helper = config.analysis.fix_helper
    added_path, top = None, None
    if helper:
        module, _, function = helper.partition(":") if ":" in helper else helper.rpartition(".")
        package = folder / "helper_modules"
        target = package.joinpath(*module.split(".")).with_suffix(".py")
        target.parent.mkdir(parents=True)
        for parent in target.relative_to(package).parents:
            if parent != Path("."):
                (package / parent / "__init__.py").touch()
        target.write_text(HELPER_STAND_IN.format(function=function))
        added_path, top = str(package), module.split(".")[0]
        sys.path.insert(0, added_path)
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module_object = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module_object  # dataclasses and the like look themselves up there
        spec.loader.exec_module(module_object)
    finally:
        sys.modules.pop(path.stem, None)
        if added_path is not None:  # the stand-in package must not leak into other tests
            sys.path.remove(added_path)
            for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                del sys.modules[name]
    return module_object


def snapshot(folder: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def payload(label: str) -> str:
    # Large enough that a write takes several system calls, so a shared temp name shows in the threads test.
    return f"{label}: " + "".join(f"{label}-{i:05d};" for i in range(5000))


def run_save(module, folder: Path, data: str) -> Dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    module.save(str(folder), data)
    return snapshot(folder)


@pytest.mark.parametrize("before", RUNNABLE, ids=lambda p: p.stem)
def test_fixed_code_saves_what_the_original_saves(before, tmp_path):
    variants = fixed_variants(before)
    if not variants:  # nothing to fix in either mode: only a declared no-op may be like that
        assert before.stem.startswith("noop_"), f"{before.name} defines save() but the fixer changes nothing"
        return
    config = fixture_config(before.read_text(), tmp_path / "config")
    original = import_copy(before.read_text(), tmp_path / "original-module", config)
    for label, text in variants:
        fixed = import_copy(text, tmp_path / f"{label}-module", config)
        for round_, data in enumerate((payload("first"), payload("second, overwriting"))):
            # Each module saves into its own folder; the second round overwrites the first round's files.
            want = run_save(original, tmp_path / f"{label}-original-out", data)
            got = run_save(fixed, tmp_path / f"{label}-fixed-out", data)
            assert sorted(got) == sorted(want), f"{label} fix, round {round_}: other files (a temp file left?)"
            assert got == want, f"{label} fix, round {round_}: the final files differ from the original's"
            assert any(data.encode() in content for content in got.values()), "save() did not write data"


@pytest.mark.parametrize("before", RUNNABLE, ids=lambda p: p.stem)
def test_fixed_code_saves_from_many_threads_at_once(before, tmp_path):
    """Concurrent saves into one folder: none fails, no temp file is left, every file is one save's whole."""
    variants = fixed_variants(before)
    if not variants:
        assert before.stem.startswith("noop_"), f"{before.name} defines save() but the fixer changes nothing"
        return
    config = fixture_config(before.read_text(), tmp_path / "config")
    original = import_copy(before.read_text(), tmp_path / "original-module", config)
    threads, saves = 8, 10
    datas = [payload(f"thread {t}") for t in range(threads)]
    # What one save of each thread's data leaves behind, by the original code, run alone.
    alone = [run_save(original, tmp_path / f"alone-{t}", data) for t, data in enumerate(datas)]
    for label, text in variants:
        fixed = import_copy(text, tmp_path / f"{label}-module", config)
        shared = tmp_path / f"{label}-shared"
        shared.mkdir()
        start = threading.Barrier(threads)
        errors: List[BaseException] = []

        def work(data: str, start=start, fixed=fixed, shared=shared, errors=errors) -> None:  # bound per pass
            start.wait()
            for _ in range(saves):
                try:
                    fixed.save(str(shared), data)
                except Exception as exc:  # collected: an exception in a thread would otherwise vanish
                    errors.append(exc)

        workers = [threading.Thread(target=work, args=(data,)) for data in datas]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == [], f"{label} fix: concurrent saves failed: {errors[:3]!r}"
        result = snapshot(shared)
        assert sorted(result) == sorted(alone[0]), f"{label} fix: other files after concurrent saves"
        for name, content in result.items():
            assert any(content == files[name] for files in alone), f"{label} fix: {name} is torn or mixed"
