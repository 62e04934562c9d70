"""Each rule's own examples (tmplint/rules): its bad code is reported under its code, its good code is not.

They are the short cases the rule's class shows a reader; the fixtures under fixtures/rules hold the long ones.
"""

import pytest

from tmplint import check_source
from tmplint.analysis import values as V
from tmplint.config import Config
from tmplint.facts import DEFAULT, HELPER, RENAME, TempRename
from tmplint.registry import RULES
from tmplint.rules import decide, rules_for

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


# --- the rename family's decision over its facts -------------------------------------------------

PATH = V.opaque("1:path")
SRC = {V.CONSTANT: V.literal(".tmp_state", None, 1), V.DERIVED: PATH + V.literal(".tmp", None, 1),
       V.WEAKLY_UNIQUE: PATH + V.literal(".", None, 1) + V.WEAK_VALUE}
DST = PATH
EXPECTED = {  # (kind, via, locked) -> the one code; written in full so a rule that widens or narrows fails
    **{(kind, via, True): "TMP105" for kind in (V.CONSTANT, V.DERIVED) for via in (RENAME, HELPER, DEFAULT)},
    **{(V.WEAKLY_UNIQUE, via, locked): "TMP106" for via in (RENAME, HELPER, DEFAULT) for locked in (True, False)},
    (V.CONSTANT, RENAME, False): "TMP102", (V.DERIVED, RENAME, False): "TMP103",
    (V.CONSTANT, HELPER, False): "TMP101", (V.DERIVED, HELPER, False): "TMP101",
    (V.CONSTANT, DEFAULT, False): "TMP104", (V.DERIVED, DEFAULT, False): "TMP104",
}


@pytest.mark.parametrize("kind, via, locked", sorted(EXPECTED))
def test_exactly_one_rename_rule_decides_each_rename(kind, via, locked):
    assert V.classify(SRC[kind], DST) == kind  # the values stand for what they claim
    fact = TempRename(SRC[kind], DST, True, locked, via, "save", dst_text="path", where="line 3", parameter="tmp")
    deciding = [code for code, rule in sorted(RULES.items()) if rule in rules_for(fact) and rule.decide(fact)]
    assert deciding == [EXPECTED[kind, via, locked]]
    assert decide(fact)[0] == EXPECTED[kind, via, locked]


def test_a_unique_name_or_a_move_of_an_unwritten_file_is_no_finding():
    unique = PATH + V.literal(".", None, 1) + V.UNIQUE_VALUE
    assert decide(TempRename(unique, DST, True, False, RENAME, "os.replace")) is None
    backup = PATH + V.literal(".bak", None, 1)  # nobody wrote it, and it is no temp name
    assert decide(TempRename(backup, DST, False, False, RENAME, "os.replace")) is None
    assert decide(TempRename(backup, DST, True, False, RENAME, "os.replace"))[0] == "TMP103"
