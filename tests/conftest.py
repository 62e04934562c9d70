"""Fixtures more than one test module uses."""

import json
import sys
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

REPO = Path(__file__).resolve().parent.parent
VENDORED_SCHEMA = REPO / "fixtures" / "sarif-schema-2.1.0.json"

# The language server's end-to-end tests drive it with pytest-lsp, whose 1.x releases need Python 3.10;
# on 3.9 (pyproject.toml does not install it there) they are not collected. The server runs on 3.9.
collect_ignore = [] if sys.version_info >= (3, 10) else ["test_server.py"]


@pytest.fixture
def sarif_validator():
    """A validator for the official SARIF 2.1.0 schema (vendored; tests/test_reporters.py pins its sha256)."""
    schema = json.loads(VENDORED_SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the file declares its own draft; do not assume one
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)
