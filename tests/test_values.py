"""values.string_value: the fast reading of a string literal agrees with ``ast.literal_eval``."""

import ast
import warnings

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmplint.analysis.values import string_value

PREFIXES = ["", "r", "R", "u", "U", "b", "B", "br", "Rb", "rB"]
QUOTES = ["'", '"', "'''", '"""']


def literal_codes(body: str):
    for prefix in PREFIXES:
        for quote in QUOTES:
            code = f"{prefix}{quote}{body}{quote}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    expected = ast.literal_eval(code)
            except (SyntaxError, ValueError):
                continue
            yield code, expected


@pytest.mark.parametrize("body", [
    "", "a", ".tmp_generator", "\\n", "\\\\", "it's", 'say "hi"', "\\x41\\u00e9", "é", "\\N{BULLET}",
    "{}", "%s.tmp", "a\\\nb", "'", '"', "tab\there", "\\'",
])
def test_agrees_with_literal_eval(body):
    seen = 0
    for code, expected in literal_codes(body):
        node = cst.parse_expression(code)
        assert isinstance(node, cst.SimpleString)
        value = string_value(node)
        assert value == expected and type(value) is type(expected), code
        seen += 1
    assert seen > 0


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
def test_agrees_on_any_text(body):
    for code, expected in literal_codes(body):
        try:
            node = cst.parse_expression(code)
        except cst.ParserSyntaxError:
            continue
        if isinstance(node, cst.SimpleString):
            value = string_value(node)
            assert value == expected and type(value) is type(expected), code
