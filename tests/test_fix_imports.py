"""The import a fix adds sits where isort puts it: a file whose imports ruff's isort rules accepted
before ``--fix`` still passes them after (rules.md, *The uuid module*). Runs the real ``ruff``."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tmplint.fix import fix_text

REPO = Path(__file__).resolve().parent.parent
SAVE = 'def save(data, path):\n    with open(path + ".tmp", "w") as f:\n        f.write(data)\n    os.replace(path + ".tmp", path)\n'
INNER = SAVE.replace(":\n", ":\n    import os\n", 1)  # no top-level stdlib import
# Sorted by ruff's defaults before the fix; each places the new import differently.
SORTED = {
    "stdlib group, uuid last of the straight imports": "import os\nfrom pathlib import Path\n\nimport numpy\n\n\n" + SAVE,
    "stdlib group, uuid between": "import os\nimport zipfile\n\n\n" + SAVE,
    "only a from import in the stdlib group": "from os import replace\n\nimport numpy\n\n\n" + SAVE.replace("os.", ""),
    "no stdlib group: one before third-party": '"""Doc."""\nfrom __future__ import annotations\n\nimport numpy\n\n\n' + INNER,
    "no stdlib group, first-party after": "import numpy\n\nfrom . import helpers\n\n\n" + INNER,
    "no imports, docstring, a def next": '"""Doc."""\n\n\n' + INNER,
    "future import only, class next": ("from __future__ import annotations\n\n\nclass Store:\n"
                                       + "".join("    " + line + "\n" for line in SAVE.splitlines())),
    "comments kept with their imports": "import os\n\n# numerics\nimport numpy\n\n\n" + SAVE,
}


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert exe, "ruff is in the test extra"
    return subprocess.run([exe, "check", "--isolated", "--select", "I", "--no-cache", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", sorted(SORTED))
def test_sorted_imports_stay_sorted(name, tmp_path):
    source = SORTED[name]
    (tmp_path / "before.py").write_text(source)
    assert ruff("before.py", cwd=tmp_path).returncode == 0, "the case must be sorted before the fix"
    fixed = fix_text(source, "before.py", unsafe_fixes=True)
    assert fixed.fixed and "uuid.uuid4().hex" in fixed.text
    (tmp_path / "after.py").write_text(fixed.text)
    after = ruff("after.py", cwd=tmp_path)
    assert after.returncode == 0, f"{name}:\n{fixed.text}\n{after.stdout}"


FIXTURES = sorted(p for folder in ("fix", "rules") for p in (REPO / "fixtures" / folder).glob("*.py")
                  if not p.name.endswith((".fixed.py", ".unsafe.py")))


def test_fixtures_sorted_before_are_sorted_after(tmp_path):
    """Every fixture ruff accepts and --fix changes stays accepted (a wrong place fails several)."""
    checked = []
    for index, fixture in enumerate(FIXTURES):
        before = tmp_path / f"b{index}.py"
        before.write_text(fixture.read_text())
        if ruff(before.name, cwd=tmp_path).returncode != 0:
            continue
        fixed = fix_text(fixture.read_text(), fixture.name, unsafe_fixes=True)
        if "import uuid" not in fixed.text or "import uuid" in fixture.read_text():
            continue
        after = tmp_path / f"a{index}.py"
        after.write_text(fixed.text)
        result = ruff(after.name, cwd=tmp_path)
        assert result.returncode == 0, f"{fixture.name}:\n{result.stdout}"
        checked.append(fixture.name)
    assert len(checked) >= 5, checked


def test_the_standard_library_is_known_without_stdlib_module_names(monkeypatch):
    """Python 3.9 has no ``sys.stdlib_module_names``: the library folders (with lib-dynload's extension
    modules such as fcntl) stand in for it, and installed packages are not mistaken for it."""
    from tmplint.fix import imports

    monkeypatch.delattr(sys, "stdlib_module_names", raising=False)
    imports.stdlib_modules.cache_clear()
    try:
        found = imports.stdlib_modules()
        assert {"os", "fcntl", "json", "contextlib", "uuid", "sqlite3", "winreg"} <= found
        assert not {"pytest", "libcst", "ruff", "site-packages"} & found
    finally:
        imports.stdlib_modules.cache_clear()
