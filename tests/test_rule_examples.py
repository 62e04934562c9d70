"""Each rule's own examples (tmplint/rules): its bad code is reported under its code, its good code is not.

They are the short cases the rule's class shows a reader; the fixtures under fixtures/rules hold the long ones.
"""

import pytest

from tmplint import check_source
from tmplint.config import Config
from tmplint.registry import RULES

EVERY_RULE = Config(select=tuple(RULES))  # TMP106 is off by default
CASES = [(code, kind, i, source) for code, rule in sorted(RULES.items())
         for kind, sources in (("bad", rule.examples.bad), ("good", rule.examples.good))
         for i, source in enumerate(sources)]


def test_every_rule_shows_code_it_reports():
    assert all(RULES[code].examples.bad for code in RULES)


@pytest.mark.parametrize("code, kind, i, source", CASES, ids=[f"{c[0]}-{c[1]}{c[2]}" for c in CASES])
def test_rule_example(code, kind, i, source):
    compile(source, f"{code}-{kind}{i}.py", "exec")  # an example is valid Python
    reported = [d.code for d in check_source(source, path="example.py", config=EVERY_RULE)]
    if kind == "bad":
        assert code in reported, f"{code} misses its own example:\n{source}"
    else:
        assert code not in reported, f"{code} reports its own good example:\n{source}"
