"""Rule docs: every rule documented in the fixed sections, examples that behave as claimed, generated pages fresh."""

import os
import re

import pytest

import tmplint
from tmplint import docs
from tmplint.config import Config
from tmplint.registry import ALL_CODES, RULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULE_DOCS = os.path.join(ROOT, "tmplint", "rule_docs")
PAGES = os.path.join(ROOT, "docs", "rules")
REFERENCES = (
    "CWE-377",
    "CWE-367",
    "https://cwe.mitre.org/data/definitions/377.html",
    "https://cwe.mitre.org/data/definitions/367.html",
    "https://docs.python.org/3/library/os.html#os.replace",
    "https://docs.python.org/3/library/tempfile.html",
)
EVERY_RULE = Config(select=tuple(ALL_CODES))


def codes_found(source, name):
    return [d.code for d in tmplint.check_source(source, name, EVERY_RULE)]


def sections(code):
    return docs.split_sections(docs.rule_doc(code))


@pytest.mark.parametrize("code", ALL_CODES)
def test_sections_in_order(code):
    assert list(sections(code)) == list(docs.SECTIONS)
    assert all(body.strip() for body in sections(code).values())


@pytest.mark.parametrize("code", ALL_CODES)
def test_references(code):
    refs = sections(code)["References"]
    assert [ref for ref in REFERENCES if ref not in refs] == []


@pytest.mark.parametrize("code", ALL_CODES)
def test_example_is_reported(code):
    blocks = docs.python_blocks(sections(code)["Example"])
    assert blocks, "Example has no ```python block"
    for i, block in enumerate(blocks):
        assert set(codes_found(block, f"{code}_example_{i}.py")) == {code}


@pytest.mark.parametrize("code", ALL_CODES)
def test_use_instead_is_silent(code):
    blocks = docs.python_blocks(sections(code)["Use instead"])
    assert blocks, "Use instead has no ```python block"
    for i, block in enumerate(blocks):
        assert codes_found(block, f"{code}_use_instead_{i}.py") == []


@pytest.mark.parametrize("code", ALL_CODES)
def test_other_snippets_compile_and_are_silent(code):
    for title in ("What it does", "Why is this bad?", "Fix safety", "Options", "References"):
        for i, block in enumerate(docs.python_blocks(sections(code)[title])):
            name = f"{code}_{title}_{i}.py"
            compile(block, name, "exec")
            assert codes_found(block, name) == []


def test_example_of_a_rule_off_by_default_is_silent_by_default():
    for code in ALL_CODES:
        if not RULES[code].default:
            block = docs.python_blocks(sections(code)["Example"])[0]
            assert tmplint.check_source(block, "off.py") == []


def test_one_doc_file_per_rule():
    names = sorted(n for n in os.listdir(RULE_DOCS) if n.endswith(".md"))
    assert names == [f"{code}.md" for code in ALL_CODES]


def test_unknown_code():
    for code in ("TMP000", "TMP999", "tmp101", ""):
        with pytest.raises(KeyError):
            docs.rule_doc(code)
        with pytest.raises(KeyError):
            docs.explain(code)


def test_explain():
    text = docs.explain("TMP101")
    assert text.splitlines()[0] == "TMP101 (non-unique-tmp-name-argument)"
    assert docs.rule_doc("TMP101").strip() in text


def test_list_rules():
    lines = docs.list_rules().splitlines()
    assert lines[0].split() == ["code", "name", "fix", "default"]
    rows = {line.split()[0]: line.split() for line in lines[1:len(ALL_CODES) + 1]}
    assert list(rows) == ALL_CODES
    for code, rule in RULES.items():
        assert rows[code] == [code, rule.name, rule.fix or "—", "on" if rule.default else "off"]


@pytest.mark.parametrize("code", ALL_CODES)
def test_page_is_up_to_date(code):
    with open(os.path.join(PAGES, f"{code}.md"), encoding="utf-8", newline="") as handle:
        assert handle.read() == docs.rule_page(code), "stale page: run python -m tmplint.docs"


def test_index_is_up_to_date():
    with open(os.path.join(PAGES, "index.md"), encoding="utf-8", newline="") as handle:
        assert handle.read() == docs.index_page(), "stale index: run python -m tmplint.docs"


def test_no_stray_page():
    expected = {f"{code}.md" for code in ALL_CODES} | {"index.md"}
    assert set(os.listdir(PAGES)) == expected
    assert docs.stale_pages(PAGES) == []


def test_regenerate_and_check(tmp_path):
    folder = str(tmp_path / "rules")
    assert docs.main(["--check", folder]) == 1
    assert docs.main([folder]) == 0
    (tmp_path / "rules" / "TMP999.md").write_text("old\n")
    assert docs.main(["--check", folder]) == 1
    assert docs.main([folder]) == 0
    assert docs.main(["--check", folder]) == 0
    assert sorted(os.listdir(folder)) == sorted(docs.expected_pages())


def test_readme_table_matches_registry():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    table = docs.readme_table_text(readme)
    assert table is not None, f"README.md lacks {docs.README_TABLE_START} ... {docs.README_TABLE_END}"
    assert table == docs.readme_rule_table(), "README rule table is stale: paste docs.readme_rule_table()"


def test_readme_table_lists_every_rule():
    rows = docs.readme_rule_table().splitlines()[2:]
    assert [row.split("](")[0].lstrip("| [") for row in rows] == ALL_CODES


def test_readme_links_are_absolute():
    """The README is the package's long description, and a package index resolves no relative link."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        targets = re.findall(r"\]\(([^)\s]+)\)", handle.read())
    assert f"{docs.RULE_PAGES_URL}TMP101.md" in targets
    assert [t for t in targets if not re.match(r"https?://", t)] == []
