"""[tool.tmplint]: finding it, reading it strictly, laying the command line over it, per-file-ignores."""

import os
import re
import textwrap

import pytest

from tmplint.config import (
    DEFAULT_EXCLUDE,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_TMP_DIRS,
    AnalysisOptions,
    Config,
    ConfigError,
    apply_per_file_ignores,
    describe,
    find_config,
    glob_to_regex,
    ignored_codes_for,
    load_config,
    load_config_for,
    merge_cli,
)
from tmplint.diagnostics import Diagnostic
from tmplint.registry import resolve_selection


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def pyproject(folder, body, header="[tool.tmplint]\n"):
    return write(folder / "pyproject.toml", header + textwrap.dedent(body))


# ---------------------------------------------------------------------------------------------------------
# Reading every key


FULL = """\
select = ["TMP1", "TMP201"]
ignore = ["TMP105"]
extend-select = ["TMP106"]
exclude = ["gen", "tests/fixtures/*"]
extend-exclude = ["*_pb2.py"]
tmp-dirs = ["/scratch/", "/run/shm"]
extend-tmp-dirs = ["/var/tmp"]
fix-helper = "mypkg.fsutil:unique_tmp_name"
max-file-size = 1000

[tool.tmplint.per-file-ignores]
"tests/*.py" = ["TMP201", "TMP202"]
"__init__.py" = ["TMP1"]

[tool.tmplint.save-helpers]
"pkg.io.atomic_save" = "tmp_name"
"pkg.ckpt.Saver.save" = "temp"
"""


def test_every_key_parses(tmp_path):
    path = pyproject(tmp_path, FULL)
    config = load_config(str(path))
    assert config.select == ("TMP1", "TMP201")
    assert config.ignore == ("TMP105",)
    assert config.extend_select == ("TMP106",)
    assert config.exclude == ("gen", "tests/fixtures/*")
    assert config.extend_exclude == ("*_pb2.py",)
    assert config.per_file_ignores == (("tests/*.py", ("TMP201", "TMP202")), ("__init__.py", ("TMP1",)))
    # tmp-dirs replaces the defaults (a trailing slash is dropped), extend-tmp-dirs adds.
    assert config.analysis.tmp_dirs == ("/scratch", "/run/shm", "/var/tmp")
    assert config.extend_tmp_dirs == ("/var/tmp",)
    assert config.analysis.save_helpers == (("pkg.io.atomic_save", "tmp_name"), ("pkg.ckpt.Saver.save", "temp"))
    assert config.analysis.fix_helper == "mypkg.fsutil:unique_tmp_name"
    assert config.analysis.max_file_size == 1000
    assert config.config_path == str(path)
    assert config.root == str(tmp_path)
    assert config.respect_gitignore is True and config.force_exclude is False
    # The selection the engine will compute from it.
    assert resolve_selection(config.select, config.ignore, config.extend_select) == {
        "TMP101", "TMP102", "TMP103", "TMP104", "TMP106", "TMP201"}


def test_missing_keys_keep_defaults(tmp_path):
    config = load_config(str(pyproject(tmp_path, "")))
    assert config.select is None
    assert config.exclude == DEFAULT_EXCLUDE
    assert config.analysis == AnalysisOptions()
    assert config.analysis.tmp_dirs == DEFAULT_TMP_DIRS
    assert config.analysis.max_file_size == DEFAULT_MAX_FILE_SIZE
    assert config.src == (".", "src")  # ruff's default: a src layout resolves its own imports
    assert config.root == str(tmp_path)
    assert load_config(str(pyproject(tmp_path, 'src = ["lib", "src"]'))).src == ("lib", "src")


def test_no_file_means_defaults():
    assert load_config(None) == Config()
    assert Config().root is None
    assert Config().project_root == os.getcwd()


def test_extend_tmp_dirs_adds_to_the_defaults(tmp_path):
    config = load_config(str(pyproject(tmp_path, 'extend-tmp-dirs = ["/scratch", "/tmp"]\n')))
    assert config.analysis.tmp_dirs == DEFAULT_TMP_DIRS + ("/scratch",)


def test_fix_helper_dotted_form_is_accepted(tmp_path):
    config = load_config(str(pyproject(tmp_path, 'fix-helper = "mypkg.fsutil.unique_tmp_name"\n')))
    assert config.analysis.fix_helper == "mypkg.fsutil.unique_tmp_name"


def test_pyproject_without_table_gives_defaults_with_root(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    config = load_config(str(path))
    assert config.select is None and config.exclude == DEFAULT_EXCLUDE
    assert config.root == str(tmp_path)


def test_other_toml_file_holds_settings_at_top_level(tmp_path):
    path = write(tmp_path / "conf" / "tmplint.toml", 'select = ["TMP202"]\n')
    config = load_config(str(path))
    assert config.select == ("TMP202",)
    assert config.root == str(tmp_path / "conf")


def test_other_toml_file_rejects_unknown_top_level_key(tmp_path):
    path = write(tmp_path / "tmplint.toml", 'selct = ["TMP202"]\n')
    with pytest.raises(ConfigError, match=r'tmplint\.toml: unknown key "selct" \(did you mean "select"\?\)'):
        load_config(str(path))


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'\xef\xbb\xbf[tool.tmplint]\nselect = ["TMP202"]\n')
    assert load_config(str(path)).select == ("TMP202",)


# ---------------------------------------------------------------------------------------------------------
# Errors: one line naming the file, the key and what is expected


def test_error_message_names_file_key_and_expectation(tmp_path, monkeypatch):
    pyproject(tmp_path, 'select = ["TMP9"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config("pyproject.toml")
    message = str(info.value)
    assert message.startswith('pyproject.toml: [tool.tmplint] select: expected a list of rule codes')
    assert message.endswith('got "TMP9"')
    assert '"TMP101"' in message
    assert info.value.key == "select"
    assert info.value.path == str(tmp_path / "pyproject.toml")


BAD = [
    # (body, key named, fragment of what is expected / got)
    ('selct = ["TMP101"]', "selct", 'did you mean "select"?'),
    ('extend_select = ["TMP106"]', "extend_select", 'did you mean "extend-select"?'),
    ('bogus = 1', "bogus", "expected one of: select, ignore"),
    ('select = "TMP101"', "select", 'got the string "TMP101"'),
    ('select = ["TMP9"]', "select", 'got "TMP9"'),
    ('select = ["tmp101"]', "select", 'codes are upper case: "TMP101"'),
    ('select = ["TMP000"]', "select", "TMP000 is always shown"),
    ('select = ["E501"]', "select", 'got "E501"'),
    ('ignore = [101]', "ignore", "got the integer 101 in the list"),
    ('ignore = [""]', "ignore", "got an empty string"),
    ('extend-select = ["TMP3"]', "extend-select", 'got "TMP3"'),
    ('extend-select = true', "extend-select", "got the boolean true"),
    ('exclude = "build"', "exclude", 'expected a list of glob patterns'),
    ('exclude = [["build"]]', "exclude", "got a list in the list"),
    ('extend-exclude = {a = 1}', "extend-exclude", "got a table"),
    ('per-file-ignores = ["tests/*:TMP201"]', "per-file-ignores", "expected a table of glob pattern to rule codes"),
    ('per-file-ignores = {"tests/*" = "TMP201"}', 'per-file-ignores."tests/*"', 'got the string "TMP201"'),
    ('per-file-ignores = {"tests/*" = ["TMP2", "X1"]}', 'per-file-ignores."tests/*"', 'got "X1"'),
    ('per-file-ignores = {"" = ["TMP2"]}', "per-file-ignores", "empty glob"),
    ('tmp-dirs = "/tmp"', "tmp-dirs", 'expected a list of folder paths'),
    ('extend-tmp-dirs = [1]', "extend-tmp-dirs", "got the integer 1"),
    ('save-helpers = ["pkg.save:tmp"]', "save-helpers", 'expected a table of function to temp-name parameter'),
    ('save-helpers = {"pkg.save" = 1}', 'save-helpers."pkg.save"', "got the integer 1"),
    ('save-helpers = {"pkg.save" = "tmp name"}', 'save-helpers."pkg.save"', "not a Python identifier"),
    ('save-helpers = {"pkg.save" = "class"}', 'save-helpers."pkg.save"', "not a Python identifier"),
    ('save-helpers = {"pkg..save" = "tmp"}', "save-helpers", 'got the function name "pkg..save"'),
    ('save-helpers = {"pkg.save:fn" = "tmp"}', "save-helpers", 'got the function name "pkg.save:fn"'),
    ('rename-functions = ["hg.util.rename"]', "rename-functions", "expected a table of function to its two"),
    ('rename-functions = {"hg.util.rename" = "src"}', 'rename-functions."hg.util.rename"', 'got the string "src"'),
    ('rename-functions = {"hg.util.rename" = ["src"]}', 'rename-functions."hg.util.rename"', "source and destination"),
    ('rename-functions = {"hg..rename" = ["a", "b"]}', "rename-functions", 'got the function name "hg..rename"'),
    ('fix-helper = 3', "fix-helper", 'expected a function as "module.path:function"'),
    ('fix-helper = "unique_tmp_name"', "fix-helper", 'got "unique_tmp_name"'),
    ('fix-helper = "pkg.mod:"', "fix-helper", 'got "pkg.mod:"'),
    ('max-file-size = 0', "max-file-size", "expected a positive whole number of bytes, like 2097152, got the integer 0"),
    ('max-file-size = -5', "max-file-size", "got the integer -5"),
    ('max-file-size = "2MB"', "max-file-size", 'got the string "2MB"'),
    ('max-file-size = 1.5', "max-file-size", "got the number 1.5"),
    ('max-file-size = true', "max-file-size", "got the boolean true"),
    ('src = "src"', "src", 'expected a list of folders relative to the project root, like ["src"], got the string'),
    ('src = [1]', "src", "got the integer 1 in the list"),
]


@pytest.mark.parametrize("body,key,fragment", BAD, ids=[case[0] for case in BAD])
def test_bad_setting_is_a_config_error_naming_file_and_key(tmp_path, monkeypatch, body, key, fragment):
    pyproject(tmp_path, body + "\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config("pyproject.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("pyproject.toml: [tool.tmplint] ")
    if "unknown key" in message:
        assert f'unknown key "{key}"' in message
    else:
        assert f"] {key}: expected " in message
    assert fragment in message
    assert info.value.path == str(tmp_path / "pyproject.toml")


def test_tool_tmplint_that_is_not_a_table(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool]\ntmplint = 3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: \[tool\.tmplint\] must be a table, got the integer 3$"):
        load_config("pyproject.toml")


def test_invalid_toml_names_the_file(tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", "[tool.tmplint]\nselect = = 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config("pyproject.toml")
    assert str(info.value).startswith("pyproject.toml: invalid TOML: ")
    assert "line" in str(info.value)


def test_non_utf8_file(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.tmplint]\nselect = ["\xff"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^pyproject\.toml: cannot read configuration: not UTF-8"):
        load_config("pyproject.toml")


def test_unreadable_config_paths(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml: cannot read configuration: No such file"):
        load_config(str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"cannot read configuration: Is a directory"):
        load_config(str(tmp_path))


def test_error_path_outside_cwd_is_absolute(tmp_path, monkeypatch):
    path = pyproject(tmp_path / "proj", "select = 1\n")
    monkeypatch.chdir(tmp_path / "proj")
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value).startswith(f"{path}: [tool.tmplint] select: expected")


# ---------------------------------------------------------------------------------------------------------
# find_config


def test_find_config_nearest_with_table(tmp_path):
    outer = pyproject(tmp_path, 'select = ["TMP101"]\n')
    inner_no_table = write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    deeper = write(tmp_path / "pkg" / "sub" / "mod.py", "")
    assert inner_no_table.exists()
    # The pyproject in pkg/ has no [tool.tmplint] table, so it is passed over.
    assert find_config(str(deeper)) == str(outer)
    assert find_config(str(deeper.parent)) == str(outer)
    inner = pyproject(tmp_path / "pkg" / "sub", 'select = ["TMP202"]\n')
    assert find_config(str(deeper)) == str(inner)
    assert find_config(str(deeper.parent)) == str(inner)
    assert find_config(str(tmp_path / "pkg")) == str(outer)
    # A path that does not exist (yet) is looked up from its folder.
    assert find_config(str(tmp_path / "pkg" / "sub" / "new.py")) == str(inner)
    assert load_config_for(str(deeper)).select == ("TMP202",)
    assert load_config_for(str(deeper), config_file=str(outer)).select == ("TMP101",)


def test_find_config_mention_of_tmplint_elsewhere_is_not_a_table(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "tmplint-plugin"\n')
    assert find_config(str(tmp_path)) is None


def test_find_config_relative_start(tmp_path, monkeypatch):
    path = pyproject(tmp_path, "")
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    assert find_config(".") == str(path)
    assert find_config("x.py") == str(path)


def test_find_config_none(tmp_path):
    assert find_config(str(tmp_path)) is None
    assert load_config_for(str(tmp_path)) == Config()


def test_find_config_broken_pyproject_that_mentions_tmplint(tmp_path):
    pyproject(tmp_path, "select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(str(tmp_path / "x.py"))


def test_find_config_passes_over_broken_unrelated_pyproject(tmp_path):
    good = pyproject(tmp_path, "")
    write(tmp_path / "sub" / "pyproject.toml", "[project\nname = \n")
    assert find_config(str(tmp_path / "sub")) == str(good)


# ---------------------------------------------------------------------------------------------------------
# The command line over the file


def file_config(tmp_path, body):
    return load_config(str(pyproject(tmp_path, body)))


def enabled(config):
    return set(resolve_selection(config.select, config.ignore, config.extend_select))


def test_merge_cli_nothing_given_is_identity(tmp_path):
    config = file_config(tmp_path, FULL)
    assert merge_cli(config) == config
    assert merge_cli(config, select=None, ignore=None, exclude=None, max_file_size=None) == config


def test_cli_select_starts_afresh(tmp_path):
    config = file_config(tmp_path, 'select = ["TMP1"]\nignore = ["TMP101"]\nextend-select = ["TMP202"]\n')
    merged = merge_cli(config, select=["TMP101"])
    assert enabled(merged) == {"TMP101"}
    merged = merge_cli(config, select=["TMP1"], ignore=["TMP106"], extend_select=["TMP201"])
    assert enabled(merged) == {"TMP101", "TMP102", "TMP103", "TMP104", "TMP105", "TMP201"}


def test_cli_ignore_adds_to_file_ignore(tmp_path):
    config = file_config(tmp_path, 'ignore = ["TMP201"]\n')
    merged = merge_cli(config, ignore=["TMP202"])
    assert enabled(merged) == {"TMP101", "TMP102", "TMP103", "TMP104", "TMP105"}


def test_cli_extend_select_beats_file_ignore(tmp_path):
    config = file_config(tmp_path, 'ignore = ["TMP106"]\n')
    assert "TMP106" in enabled(merge_cli(config, extend_select=["TMP106"]))
    config = file_config(tmp_path, 'select = ["TMP2"]\n')
    assert enabled(merge_cli(config, extend_select="TMP101,TMP106")) == {"TMP101", "TMP106", "TMP201", "TMP202"}


def test_cli_ignore_beats_file_extend_select(tmp_path):
    config = file_config(tmp_path, 'extend-select = ["TMP106"]\n')
    assert "TMP106" in enabled(config)
    assert "TMP106" not in enabled(merge_cli(config, ignore=["TMP1"]))


def test_cli_exclude_and_extend_exclude(tmp_path):
    config = file_config(tmp_path, 'exclude = ["a"]\nextend-exclude = ["b"]\n')
    merged = merge_cli(config, exclude=["c"], extend_exclude=["d"])
    assert merged.exclude == ("c",)
    assert merged.extend_exclude == ("b", "d")
    assert merged.root == config.root and merged.config_path == config.config_path


def test_cli_tmp_dirs(tmp_path):
    config = file_config(tmp_path, 'tmp-dirs = ["/a"]\nextend-tmp-dirs = ["/b"]\n')
    assert config.analysis.tmp_dirs == ("/a", "/b")
    assert merge_cli(config, tmp_dirs=["/c"]).analysis.tmp_dirs == ("/c", "/b")
    assert merge_cli(config, extend_tmp_dirs=["/d"]).analysis.tmp_dirs == ("/a", "/b", "/d")
    assert merge_cli(config, tmp_dirs="/c,/e/", extend_tmp_dirs=["/d"]).analysis.tmp_dirs == ("/c", "/e", "/b", "/d")


def test_cli_analysis_options(tmp_path):
    config = file_config(tmp_path, FULL)
    merged = merge_cli(config, max_file_size=5, save_helpers=["a.b.save:tmp"], fix_helper="x.y:z")
    assert merged.analysis.max_file_size == 5
    assert merged.analysis.save_helpers == (("a.b.save", "tmp"),)
    assert merged.analysis.fix_helper == "x.y:z"
    # untouched settings stay
    assert merged.analysis.tmp_dirs == config.analysis.tmp_dirs
    assert merged.per_file_ignores == config.per_file_ignores
    assert merge_cli(config, save_helpers={"p.f": "n"}).analysis.save_helpers == (("p.f", "n"),)


def test_cli_switches(tmp_path):
    config = file_config(tmp_path, "")
    merged = merge_cli(config, respect_gitignore=False, force_exclude=True)
    assert merged.respect_gitignore is False and merged.force_exclude is True


def test_cli_per_file_ignores(tmp_path):
    config = file_config(tmp_path, FULL)
    merged = merge_cli(config, per_file_ignores=["tests/*:TMP201,TMP202", "a.py:TMP1"])
    assert merged.per_file_ignores == (("tests/*", ("TMP201", "TMP202")), ("a.py", ("TMP1",)))


@pytest.mark.parametrize("overrides,message", [
    ({"select": ["TMP9"]}, r'^--select: expected a list of rule codes .*got "TMP9"$'),
    ({"ignore": "TMP101,XYZ"}, r'^--ignore: expected .*got "XYZ"$'),
    ({"extend_select": ["tmp106"]}, r'^--extend-select: .*codes are upper case'),
    ({"max_file_size": 0}, r"^--max-file-size: expected a positive whole number of bytes, like 2097152, got the integer 0$"),
    ({"max_file_size": "big"}, r'^--max-file-size: expected a positive whole number .*got the string "big"$'),
    ({"save_helpers": ["nocolon"]}, r'^--save-helpers: expected entries like pkg\.mod\.save:tmp_name'),
    ({"save_helpers": ["pkg.f:not valid"]}, r"^--save-helpers\.\"pkg\.f\": .*not a Python identifier"),
    ({"fix_helper": "bare"}, r'^--fix-helper: expected a function as "module\.path:function"'),
    ({"respect_gitignore": "no"}, r"^--respect-gitignore: expected true or false"),
])
def test_cli_values_are_validated(overrides, message):
    with pytest.raises(ConfigError, match=message):
        merge_cli(Config(), **overrides)


def test_cli_unknown_setting_is_a_programming_error():
    with pytest.raises(TypeError, match="bogus"):
        merge_cli(Config(), bogus=1)


def test_cli_max_file_size_as_digits_string():
    assert merge_cli(Config(), max_file_size="123").analysis.max_file_size == 123


# ---------------------------------------------------------------------------------------------------------
# per-file-ignores


def pfi_config(tmp_path, table):
    lines = "\n".join(f'"{glob}" = {codes!r}'.replace("'", '"') for glob, codes in table.items())
    return load_config(str(pyproject(tmp_path, "[tool.tmplint.per-file-ignores]\n" + lines + "\n", header="")))


def test_per_file_ignores_relative_to_config_root(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    config = pfi_config(root, {"tests/*.py": ["TMP2"], "src/gen/**/*.py": ["TMP101"]})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # globs follow the config's folder, not the current one
    assert ignored_codes_for(config, str(root / "tests" / "test_a.py")) == {"TMP201", "TMP202"}
    # fnmatch: * crosses folders
    assert ignored_codes_for(config, str(root / "tests" / "deep" / "test_b.py")) == {"TMP201", "TMP202"}
    assert ignored_codes_for(config, str(root / "src" / "tests" / "test_a.py")) == set()
    # ** matches no folder too
    assert ignored_codes_for(config, str(root / "src" / "gen" / "a.py")) == {"TMP101"}
    assert ignored_codes_for(config, str(root / "src" / "gen" / "x" / "y" / "a.py")) == {"TMP101"}
    assert ignored_codes_for(config, str(root / "src" / "generated.py")) == set()
    # outside the project root a path glob does not match
    assert ignored_codes_for(config, str(tmp_path / "tests" / "test_a.py")) == set()


def test_per_file_ignores_relative_path_argument(tmp_path, monkeypatch):
    config = pfi_config(tmp_path, {"tests/*.py": ["TMP202"]})
    monkeypatch.chdir(tmp_path)
    assert ignored_codes_for(config, "tests/test_a.py") == {"TMP202"}
    assert ignored_codes_for(config, "./tests/test_a.py") == {"TMP202"}
    assert ignored_codes_for(config, "src/tests/test_a.py") == set()


def test_per_file_ignores_basename_globs_match_anywhere(tmp_path):
    config = pfi_config(tmp_path, {"__init__.py": ["TMP1"], "*_test.py": ["TMP201"]})
    assert ignored_codes_for(config, str(tmp_path / "a" / "b" / "__init__.py")) == {
        "TMP101", "TMP102", "TMP103", "TMP104", "TMP105", "TMP106"}
    assert ignored_codes_for(config, str(tmp_path / "x_test.py")) == {"TMP201"}
    assert ignored_codes_for(config, str(tmp_path / "x_test.pyi")) == set()
    # several globs add up
    config = pfi_config(tmp_path, {"*.py": ["TMP101"], "*_test.py": ["TMP201"]})
    assert ignored_codes_for(config, str(tmp_path / "x_test.py")) == {"TMP101", "TMP201"}


def test_per_file_ignores_negated_glob(tmp_path):
    config = pfi_config(tmp_path, {"!src/**": ["TMP201"]})
    assert ignored_codes_for(config, str(tmp_path / "scripts" / "run.py")) == {"TMP201"}
    assert ignored_codes_for(config, str(tmp_path / "src" / "lib.py")) == set()


def test_per_file_ignores_without_config_file_use_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config(per_file_ignores=(("tests/*", ("TMP202",)),))
    assert ignored_codes_for(config, "tests/a.py") == {"TMP202"}
    assert ignored_codes_for(config, str(tmp_path / "tests" / "a.py")) == {"TMP202"}
    assert ignored_codes_for(config, "src/a.py") == set()


def diag(code, path):
    return Diagnostic(code, "m", path, 1, 0, 1, 1)


def test_apply_per_file_ignores_keeps_cannot_analyse(tmp_path):
    config = pfi_config(tmp_path, {"tests/*": ["TMP"]})
    inside = str(tmp_path / "tests" / "a.py")
    outside = str(tmp_path / "src" / "a.py")
    results = [diag("TMP101", inside), diag("TMP000", inside), diag("TMP202", inside), diag("TMP101", outside)]
    kept = apply_per_file_ignores(config, results)
    assert [(d.code, d.path) for d in kept] == [("TMP000", inside), ("TMP101", outside)]
    assert apply_per_file_ignores(Config(), results) == results


# ---------------------------------------------------------------------------------------------------------
# Globs and --show-settings


@pytest.mark.parametrize("pattern,crossing,yes,no", [
    ("*.py", True, ["a.py", "d/a.py"], ["a.pyc"]),
    ("*.py", False, ["a.py"], ["d/a.py"]),
    ("**/x.py", False, ["x.py", "a/x.py", "a/b/x.py"], ["ax.py"]),
    ("a/**/b", False, ["a/b", "a/x/b", "a/x/y/b"], ["ab", "x/a/b"]),
    ("a/**", False, ["a/x", "a/x/y"], ["a", "b/x"]),
    ("file?.py", False, ["file1.py"], ["file10.py", "file/.py"]),
    ("[!a]b", False, ["xb"], ["ab", "/b"]),
    ("[ab]c", True, ["ac", "bc"], ["cc"]),
    ("\\#x", False, ["#x"], ["\\#x"]),
    ("a[b", False, ["a[b"], ["ab"]),
    ("a.b+c(d)", True, ["a.b+c(d)"], ["aXb+c(d)"]),
])
def test_glob_to_regex(pattern, crossing, yes, no):
    regex = re.compile(f"(?s:{glob_to_regex(pattern, slash_crossing=crossing)})\\Z")
    for text in yes:
        assert regex.match(text), (pattern, text)
    for text in no:
        assert not regex.match(text), (pattern, text)


def test_describe_round_trips(tmp_path):
    config = merge_cli(file_config(tmp_path, FULL), force_exclude=True)
    text = describe(config)
    assert "# enabled rules: TMP101, TMP102, TMP103, TMP104, TMP106, TMP201" in text
    assert f"# configuration file: {tmp_path / 'pyproject.toml'}" in text
    again = load_config(str(write(tmp_path / "again" / "pyproject.toml", text)))
    for name in ("select", "ignore", "extend_select", "exclude", "extend_exclude", "per_file_ignores"):
        assert getattr(again, name) == getattr(config, name), name
    assert again.analysis == config.analysis


def test_describe_defaults():
    text = describe(Config())
    assert "# configuration file: (none: defaults)" in text
    assert "select =" not in text.replace("extend-select =", "")
    assert 'exclude = [".git", ".venv", "venv", "build", "dist", "node_modules", "__pycache__", ".tox"]' in text
