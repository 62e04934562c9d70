"""Every rule fixture reports exactly the findings its `# error: CODE` markers name.

A fixture under ``fixtures/rules`` is real-looking Python in ``# error`` and ``# ok`` sections. Each line where a
finding must start carries a trailing marker ``# error: TMP101`` (several codes: ``# error: TMP102, TMP201``; a
code written twice means two findings on that line). The reported (line, code) pairs must equal the marked ones
exactly, so a false positive fails as surely as a miss.

A fixture may start with ``# tmplint-config: <TOML>`` lines; their TOML uses the ``[tool.tmplint]`` keys.
"""

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tmplint import check_source
from tmplint.config import Config, ConfigError, config_from_table
from tmplint.registry import RULES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "rules"
FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))

CONFIG_LINE = re.compile(r"^#\s*tmplint-config:(?P<toml>.*)$")
SECTION = re.compile(r"^\s*#\s*(?P<kind>ok|error)\s*$")
MARKER = re.compile(r"#\s*error:\s*(?P<codes>TMP\d{3}(?:\s*,\s*TMP\d{3})*)\s*$")
LOOKS_LIKE_MARKER = re.compile(r"#\s*error\b")

Finding = Tuple[int, str]


class FixtureError(Exception):
    """The fixture itself is malformed (not a finding mismatch)."""


def read_config(lines: List[str]) -> Config:
    toml_lines = []
    for number, line in enumerate(lines, 1):
        match = CONFIG_LINE.match(line)
        if match is None:
            continue
        if number != len(toml_lines) + 1:
            raise FixtureError(f"line {number}: tmplint-config lines must open the file")
        toml_lines.append(match.group("toml").strip())
    try:
        table = tomllib.loads("\n".join(toml_lines))
    except tomllib.TOMLDecodeError as exc:
        raise FixtureError(f"tmplint-config is not valid TOML: {exc}") from None
    try:  # the loader pyproject.toml goes through: the same keys, checks and defaults
        return config_from_table(table, "<fixture>", "tmplint-config: ")
    except ConfigError as exc:
        raise FixtureError(str(exc)) from None


def read_markers(lines: List[str]) -> List[Finding]:
    """The marked (line, code) pairs, checking that markers sit in `# error` sections on code lines."""
    expected: List[Finding] = []
    section = None
    error_sections = 0
    for number, line in enumerate(lines, 1):
        header = SECTION.match(line)
        if header:
            section = header.group("kind")
            error_sections += section == "error"
            continue
        marker = MARKER.search(line)
        if marker is None:
            if LOOKS_LIKE_MARKER.search(line):
                raise FixtureError(f"line {number}: malformed marker (want `# error: TMP101[, ...]`): {line.strip()}")
            continue
        if not line[: marker.start()].strip():
            raise FixtureError(f"line {number}: a marker must trail the code it marks, not stand alone")
        if section != "error":
            raise FixtureError(f"line {number}: marker outside an `# error` section: {line.strip()}")
        for code in re.split(r"\s*,\s*", marker.group("codes")):
            if code not in RULES:
                raise FixtureError(f"line {number}: unknown code {code}")
            expected.append((number, code))
    if not error_sections:
        raise FixtureError("no `# error` section")
    if not expected:
        raise FixtureError("no `# error: CODE` markers: the fixture would pass with an analysis that finds nothing")
    return sorted(expected)


def describe_mismatch(rel: str, lines: List[str], expected: List[Finding], diagnostics) -> str:
    actual = sorted((d.line, d.code) for d in diagnostics)
    missing = Counter(expected) - Counter(actual)
    unexpected = Counter(actual) - Counter(expected)

    def source(line: int) -> str:
        return lines[line - 1].strip() if 0 < line <= len(lines) else "<no such line>"

    out = [f"{rel}: reported findings differ from the `# error:` markers"]
    if missing:
        out.append("  missing (marked, not reported):")
        for (line, code), count in sorted(missing.items()):
            times = f" x{count}" if count > 1 else ""
            out.append(f"    {rel}:{line}: {code}{times}    | {source(line)}")
    if unexpected:
        out.append("  unexpected (reported, not marked):")
        by_key: Dict[Finding, list] = {}
        for d in diagnostics:
            by_key.setdefault((d.line, d.code), []).append(d)
        for (line, code), count in sorted(unexpected.items()):
            for d in by_key[(line, code)][-count:]:
                out.append(f"    {rel}:{line}:{d.col + 1}: {code} {d.message}    | {source(line)}")
    return "\n".join(out)


def test_every_rule_has_a_fixture():
    stems = {path.stem for path in FIXTURE_FILES}
    missing = sorted(code for code in RULES if code not in stems)
    assert not missing, f"rules without a fixture in {FIXTURES}: {missing}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[path.stem for path in FIXTURE_FILES])
def test_rule_fixture(path: Path):
    rel = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        config = read_config(lines)
        expected = read_markers(lines)
    except FixtureError as exc:
        pytest.fail(f"{rel}: malformed fixture: {exc}", pytrace=False)
    if path.stem in RULES and path.stem not in {code for _, code in expected}:
        pytest.fail(f"{rel}: no `# error: {path.stem}` marker in the fixture named after it", pytrace=False)

    diagnostics = check_source(text, path=rel, config=config)
    actual = sorted((d.line, d.code) for d in diagnostics)
    if actual != expected:
        pytest.fail(describe_mismatch(rel, lines, expected, diagnostics), pytrace=False)
