"""The release artefacts: `python -m build` gives an sdist and a wheel with full metadata, a LICENSE and
py.typed; the sdist carries everything the test suite reads, so the suite runs from an unpacked sdist;
the long description (the README) has no relative link, which a package index cannot resolve."""

import email
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import tmplint
from tmplint.docs import REPOSITORY_URL

ROOT = Path(__file__).resolve().parent.parent
# What the tests read besides tmplint/ itself.
TEST_INPUTS = ("tests", "fixtures", "docs", "examples", "scripts", "benchmarks")
SKIP = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                              ".tmplint_cache", ".pytest_cache", ".hypothesis")


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """Build from a copy, so the checkout gets no build/ or egg-info of ours."""
    base = tmp_path_factory.mktemp("dist")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(base / "out"), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    sdist, = (base / "out").glob("tmplint-*.tar.gz")
    wheel, = (base / "out").glob("tmplint-*.whl")
    return sdist, wheel, source


def source_files(source: Path, folder: str):
    return {str(p.relative_to(source)) for p in (source / folder).rglob("*") if p.is_file()}


def test_wheel_metadata_license_and_py_typed(dists):
    _, wheel, _ = dists
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(archive.read(meta_name))
        license_text = archive.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))).decode()
        scripts = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "tmplint/py.typed" in names and "tmplint/rule_docs/TMP101.md" in names
    assert license_text.startswith("MIT License")
    assert meta["Version"] == tmplint.__version__
    assert "tmplint = tmplint.cli:run" in scripts.splitlines()  # the command that exits without teardown
    assert meta["License-Expression"] == "MIT"
    assert meta["Author"] == "tmplint developers"
    assert "linter" in meta["Keywords"].split(",")
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and "Programming Language :: Python :: 3.9" in classifiers
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith(REPOSITORY_URL) for url in urls.values())


def test_sdist_carries_what_the_test_suite_reads(dists):
    sdist, _, source = dists
    with tarfile.open(sdist) as archive:
        top = f"tmplint-{tmplint.__version__}/"
        names = {name[len(top):] for name in archive.getnames() if name.startswith(top)}
    assert {"LICENSE", "CHANGELOG.md", "README.md", ".ci/run", ".pre-commit-hooks.yaml", "tmplint/py.typed"} <= names
    for folder in TEST_INPUTS:
        assert source_files(source, folder) <= names, f"{folder}/ is missing from the sdist"


def test_long_description_has_no_relative_links(dists):
    sdist, _, _ = dists
    with tarfile.open(sdist) as archive:
        info = archive.extractfile(f"tmplint-{tmplint.__version__}/PKG-INFO").read()
    description = email.message_from_bytes(info).get_payload()
    targets = re.findall(r"\]\(([^)\s]+)\)", description)
    assert targets and all(re.match(r"https?://", target) for target in targets), targets


def test_changelog_starts_at_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[?(\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert first and first.group(1) == tmplint.__version__


def _modules():
    import pkgutil

    return sorted(info.name for info in pkgutil.walk_packages(tmplint.__path__, "tmplint.")
                  if info.name != "tmplint.__main__")


@pytest.mark.parametrize("module", _modules())
def test_every_module_imports_first_in_a_fresh_interpreter(module):
    """``python -c 'import tmplint.docs'`` or ``pytest tests/test_docs.py`` alone once failed: the registry
    loaded the rules, the rules the analysis, the analysis ``tmplint.config``, and that the registry again."""
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
