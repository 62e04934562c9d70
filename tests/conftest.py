"""Fixtures more than one test module uses."""

import json
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

REPO = Path(__file__).resolve().parent.parent
VENDORED_SCHEMA = REPO / "fixtures" / "sarif-schema-2.1.0.json"


@pytest.fixture
def sarif_validator():
    """A validator for the official SARIF 2.1.0 schema (vendored; tests/test_reporters.py pins its sha256)."""
    schema = json.loads(VENDORED_SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the file declares its own draft; do not assume one
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)
