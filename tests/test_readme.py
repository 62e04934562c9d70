"""The README's two opening commands are the ones a newcomer pastes, and CI runs the second."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def opening_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)[:2]


def test_readme_opens_with_install_and_run_then_test():
    run, test = opening_commands()
    assert "pip install ." in run and "tmplint fixtures/" in run
    assert "pip install -e '.[test]'" in test and "pytest" in test


def test_ci_runs_exactly_the_readme_test_command():
    _, test = opening_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in script.splitlines()


def readme_section(title):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_github_sarif_upload_runs_even_when_tmplint_exits_2():
    """A file that cannot be analysed exits 2 even with --exit-zero; the upload step must still run."""
    blocks = re.findall(r"```yaml\n(.+?)\n```", readme_section("In GitHub Actions"), re.DOTALL)
    steps = [step for block in blocks for step in yaml.safe_load(block)]
    uploads = [step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and all(step.get("if") == "always()" for step in uploads)


def test_ruff_section_names_the_rules_that_delete_unknown_noqa_codes():
    """ruff's RUF100 (unused-noqa) reports and --fix deletes codes it does not know, as RUF102 does;
    `lint.external` keeps them."""
    section = readme_section("With ruff")
    assert "`RUF100` rule (unused-noqa)" in section and "`RUF102` (invalid-rule-code)" in section
    assert '[tool.ruff.lint]\nexternal = ["TMP"]' in section
