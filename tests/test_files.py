"""Which files a run checks: walking, excludes, .gitignore, --force-exclude, symlinks."""

import os
import textwrap

import pytest

from tmplint.config import DEFAULT_EXCLUDE, Config, load_config, merge_cli
from tmplint.files import is_excluded, iter_python_files, parse_gitignore

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")


def touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def files(root, config=None, paths=None):
    """The walk's output relative to ``root``, with ``/`` separators."""
    config = config or Config(root=str(root))
    found = list(iter_python_files(paths or [str(root)], config))
    return [os.path.relpath(path, str(root)).replace(os.sep, "/") for path in found]


# ---------------------------------------------------------------------------------------------------------
# Walking and excludes


def test_walk_finds_python_files_sorted_and_once(tmp_path):
    touch(tmp_path, "b.py", "a.pyi", "a/z.py", "a/b/c.py", "notes.txt", "setup.cfg", "x.pyc")
    assert files(tmp_path) == ["a/b/c.py", "a/z.py", "a.pyi", "b.py"]
    # overlapping named paths: each file once, in command-line order of the named paths
    assert files(tmp_path, paths=[str(tmp_path / "a"), str(tmp_path), str(tmp_path / "b.py")]) == [
        "a/b/c.py", "a/z.py", "a.pyi", "b.py"]
    assert files(tmp_path, paths=[str(tmp_path / "b.py"), str(tmp_path / "a" / ".." / "b.py")]) == ["b.py"]


def test_walk_of_current_folder_has_no_dot_prefix(tmp_path, monkeypatch):
    touch(tmp_path, "a.py", "pkg/b.py")
    monkeypatch.chdir(tmp_path)
    assert list(iter_python_files(["."], Config())) == ["a.py", os.path.join("pkg", "b.py")]
    assert list(iter_python_files(["pkg"], Config())) == [os.path.join("pkg", "b.py")]


def test_default_excludes(tmp_path):
    for folder in DEFAULT_EXCLUDE:
        touch(tmp_path, f"{folder}/mod.py", f"src/{folder}/mod.py")
    touch(tmp_path, "src/keep.py", "src/builder/ok.py", "distutils_ext.py")
    assert files(tmp_path) == ["distutils_ext.py", "src/builder/ok.py", "src/keep.py"]


def test_named_files_are_checked_even_when_excluded_or_not_python(tmp_path):
    touch(tmp_path, "build/gen.py", "script")
    named = [str(tmp_path / "build" / "gen.py"), str(tmp_path / "script")]
    assert files(tmp_path, paths=named) == ["build/gen.py", "script"]
    # a named excluded folder is walked too (its contents are still filtered)
    touch(tmp_path, "build/dist/x.py")
    assert files(tmp_path, paths=[str(tmp_path / "build")]) == ["build/gen.py"]


def test_missing_named_path_is_yielded(tmp_path):
    missing = str(tmp_path / "nope.py")
    assert list(iter_python_files([missing], Config())) == [missing]


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path):
    touch(tmp_path, "build/a.py", "gen/b.py", "src/c_pb2.py", "src/d.py")
    write(tmp_path / "pyproject.toml", '[tool.tmplint]\nexclude = ["gen"]\nextend-exclude = ["*_pb2.py"]\n')
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert files(tmp_path, config) == ["build/a.py", "src/d.py"]


def test_exclude_path_glob_is_relative_to_config_root(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    touch(root, "pkg/gen/a.py", "other/pkg/gen/b.py", "pkg/keep.py")
    write(root / "pyproject.toml", '[tool.tmplint]\nextend-exclude = ["pkg/gen"]\n')
    config = load_config(str(root / "pyproject.toml"))
    monkeypatch.chdir(tmp_path)  # the current folder does not matter
    assert files(root, config) == ["other/pkg/gen/b.py", "pkg/keep.py"]
    # ** and * in path globs
    config = merge_cli(config, extend_exclude=["**/gen/*.py"])
    assert files(root, config) == ["pkg/keep.py"]


def test_is_excluded_with_parents(tmp_path):
    config = Config(root=str(tmp_path), extend_exclude=("vendored/*",))
    assert is_excluded(str(tmp_path / "build"), config)
    assert not is_excluded(str(tmp_path / "build" / "x.py"), config)
    assert is_excluded(str(tmp_path / "build" / "x.py"), config, parents=True)
    assert is_excluded(str(tmp_path / "vendored" / "lib" / "x.py"), config)
    assert not is_excluded(str(tmp_path / "src" / "x.py"), config, parents=True)
    # folders at or above the project root never exclude it
    project = tmp_path / "build" / "proj"
    config = Config(root=str(project))
    assert not is_excluded(str(project / "pkg" / "x.py"), config, parents=True)
    assert not is_excluded(str(project), config, parents=True)
    assert is_excluded(str(project / "dist" / "x.py"), config, parents=True)


def test_force_exclude_applies_to_named_paths(tmp_path):
    touch(tmp_path, "build/gen.py", "src/a.py", "src/vendored/v.py", "build/pkg/b.py")
    named = [str(tmp_path / "build" / "gen.py"), str(tmp_path / "src" / "a.py"),
             str(tmp_path / "src" / "vendored" / "v.py"), str(tmp_path / "build"), str(tmp_path / "build" / "pkg")]
    config = Config(root=str(tmp_path), extend_exclude=("src/vendored",))
    assert files(tmp_path, config, named) == ["build/gen.py", "src/a.py", "src/vendored/v.py", "build/pkg/b.py"]
    forced = merge_cli(config, force_exclude=True)
    assert files(tmp_path, forced, named) == ["src/a.py"]


def test_force_exclude_in_project_inside_folder_named_build(tmp_path):
    project = tmp_path / "build"
    touch(project, "pkg/a.py")
    write(project / "pyproject.toml", "[tool.tmplint]\n")
    config = merge_cli(load_config(str(project / "pyproject.toml")), force_exclude=True)
    assert files(project, config, [str(project / "pkg" / "a.py")]) == ["pkg/a.py"]
    assert files(project, config, [str(project)]) == ["pkg/a.py"]


def test_force_exclude_relative_named_path(tmp_path, monkeypatch):
    touch(tmp_path, "build/gen.py", "a.py")
    monkeypatch.chdir(tmp_path)
    config = Config(force_exclude=True)
    assert list(iter_python_files(["build/gen.py", "a.py"], config)) == ["a.py"]


# ---------------------------------------------------------------------------------------------------------
# .gitignore


def test_gitignore_patterns(tmp_path):
    write(tmp_path / ".gitignore", r"""
        # a comment, then patterns
        *.gen.py
        !keep.gen.py
        /top.py
        data/
        gen.py/
        docs/**/conf.py
        **/scratch_*.py
        \#hash.py
        trailing.py   
        """)
    touch(tmp_path, "a.gen.py", "sub/b.gen.py", "keep.gen.py", "top.py", "sub/top.py", "data/x.py",
          "sub/data/y.py", "gen.py", "docs/conf.py", "docs/a/b/conf.py", "docs/other.py",
          "scratch_1.py", "deep/er/scratch_2.py", "#hash.py", "trailing.py", "ok.py")
    assert files(tmp_path) == [
        "docs/other.py", "gen.py", "keep.gen.py", "ok.py", "sub/top.py"]


def test_gitignore_dir_only_pattern_keeps_same_named_file(tmp_path):
    write(tmp_path / ".gitignore", "cache.py/\nmod\n")
    touch(tmp_path, "cache.py", "x/cache.py/inner.py", "mod/a.py", "mod.py")
    assert files(tmp_path) == ["cache.py", "mod.py"]


def test_gitignore_star_does_not_cross_folders(tmp_path):
    write(tmp_path / ".gitignore", "src/*.py\n")
    touch(tmp_path, "src/a.py", "src/sub/b.py")
    assert files(tmp_path) == ["src/sub/b.py"]


def test_nested_gitignore_overrides_parent(tmp_path):
    write(tmp_path / ".gitignore", "*_gen.py\nlocal.py\n")
    write(tmp_path / "pkg" / ".gitignore", "!api_gen.py\n/only_here.py\n")
    touch(tmp_path, "a_gen.py", "pkg/api_gen.py", "pkg/b_gen.py", "pkg/local.py", "pkg/only_here.py",
          "pkg/sub/only_here.py", "other/api_gen.py")
    assert files(tmp_path) == ["pkg/api_gen.py", "pkg/sub/only_here.py"]


def test_negation_cannot_reinclude_inside_ignored_folder(tmp_path):
    write(tmp_path / ".gitignore", "out/\n!out/keep.py\n")
    touch(tmp_path, "out/keep.py", "out/x.py", "a.py")
    assert files(tmp_path) == ["a.py"]
    # but ignoring the contents (not the folder) lets a negation bring a file back
    write(tmp_path / ".gitignore", "out/*\n!out/keep.py\n")
    assert files(tmp_path) == ["a.py", "out/keep.py"]


def test_gitignore_of_repo_root_applies_to_walked_subfolder(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    write(tmp_path / ".gitignore", "/src/gen/\n*_local.py\n")
    write(tmp_path / "src" / ".gitignore", "skip_me.py\n")
    write(tmp_path / ".git" / "info" / "exclude", "private.py\n")
    touch(tmp_path, "src/gen/a.py", "src/pkg/b_local.py", "src/pkg/skip_me.py", "src/pkg/private.py",
          "src/pkg/c.py")
    assert files(tmp_path, paths=[str(tmp_path / "src" / "pkg")]) == ["src/pkg/c.py"]
    assert files(tmp_path, paths=[str(tmp_path / "src")]) == ["src/pkg/c.py"]


def test_ancestor_gitignore_outside_a_repository_is_not_read(tmp_path):
    write(tmp_path / ".gitignore", "*.py\n")
    touch(tmp_path, "src/a.py")
    # no .git anywhere above: only the walked folder's own .gitignore files count
    assert files(tmp_path, paths=[str(tmp_path / "src")]) == ["src/a.py"]
    assert files(tmp_path, paths=[str(tmp_path)]) == []


def test_no_respect_gitignore(tmp_path):
    write(tmp_path / ".gitignore", "*.py\n")
    touch(tmp_path, "a.py", "b/c.py")
    assert files(tmp_path) == []
    config = merge_cli(Config(root=str(tmp_path)), respect_gitignore=False)
    assert files(tmp_path, config) == ["a.py", "b/c.py"]


def test_named_file_is_checked_even_when_gitignored(tmp_path):
    write(tmp_path / ".gitignore", "*.py\n")
    touch(tmp_path, "a.py")
    assert files(tmp_path, paths=[str(tmp_path / "a.py")]) == ["a.py"]
    config = Config(root=str(tmp_path), force_exclude=True)
    assert files(tmp_path, config, [str(tmp_path / "a.py")]) == ["a.py"]


def test_parse_gitignore_rules():
    rules = parse_gitignore("# c\n\n!a\nb/\n/c/d\ne\\ \n")
    assert [(r.negated, r.dir_only, r.anchored) for r in rules] == [
        (True, False, False), (False, True, False), (False, False, True), (False, False, False)]
    assert rules[3].glob.match("e ")


# ---------------------------------------------------------------------------------------------------------
# Symlinks


@needs_symlinks
def test_symlink_loop_terminates(tmp_path):
    touch(tmp_path, "a/x.py", "b/y.py")
    os.symlink("..", str(tmp_path / "a" / "up"))
    os.symlink(str(tmp_path / "b"), str(tmp_path / "b" / "self"))
    os.symlink(str(tmp_path / "loop2"), str(tmp_path / "loop1"))
    os.symlink(str(tmp_path / "loop1"), str(tmp_path / "loop2"))
    assert files(tmp_path) == ["a/x.py", "b/y.py"]


@needs_symlinks
def test_named_symlinked_folder_is_walked_but_inner_links_are_not(tmp_path):
    touch(tmp_path, "real/x.py", "real/sub/y.py")
    os.symlink(str(tmp_path / "real"), str(tmp_path / "link"))
    os.symlink(str(tmp_path / "real" / "sub"), str(tmp_path / "real" / "sublink"))
    assert files(tmp_path, paths=[str(tmp_path / "link")]) == ["link/sub/y.py", "link/x.py"]


@needs_symlinks
def test_symlinked_files(tmp_path):
    outside = tmp_path / "outside"
    touch(outside, "shared.py")
    project = tmp_path / "proj"
    touch(project, "real.py")
    os.symlink(str(outside / "shared.py"), str(project / "linked.py"))
    # "a_alias.py" sorts before "real.py": the real file still wins
    os.symlink(str(project / "real.py"), str(project / "a_alias.py"))
    assert files(project) == ["linked.py", "real.py"]


@needs_symlinks
def test_dangling_symlinks(tmp_path):
    touch(tmp_path, "a.py")
    os.symlink("user@host.1234:1700000000", str(tmp_path / ".#a.py"))  # an Emacs lock file
    os.symlink(str(tmp_path / "gone.py"), str(tmp_path / "broken.py"))
    # skipped silently in a walk ...
    assert files(tmp_path) == ["a.py"]
    # ... but yielded when named, so the engine reports it
    named = str(tmp_path / "broken.py")
    assert list(iter_python_files([named], Config())) == [named]


def test_fifo_named_like_python_is_yielded_for_the_run_to_report(tmp_path):
    """The walk does not open it; the run reports it as not a regular file (tests/test_hostile.py)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    touch(tmp_path, "a.py")
    os.mkfifo(str(tmp_path / "pipe.py"))
    assert files(tmp_path) == ["a.py", "pipe.py"]


@pytest.mark.parametrize("patterns", [("build", "./dist/", ".git"), ("build", "src/gen", "*.pyi"), ("b?ild", "[bd]ist"),
                                      ("/abs/build", "../up", "build/"), ("bu\\ild", "d\\*st", "[")])
def test_plain_name_excludes_match_as_their_globs_do(patterns, tmp_path, monkeypatch):
    """A plain-name exclude is a set lookup (the walk asks every folder and file): it must match what
    its glob matches, on the name or on the path under the root, and nothing else."""
    from tmplint.config.patterns import _absolute, compile_patterns, matches_any

    monkeypatch.chdir(tmp_path)
    root = str(tmp_path / "proj")
    paths = ["proj/build", "proj/a/build", "proj/build/x.py", "proj/dist", "proj/src/gen", "proj/a/src/gen",
             "proj/x.pyi", "proj/.git", "proj/builds", "proj/b/", "proj/build/.", "build", "/abs/build", "up",
             str(tmp_path / "up"), "proj/bxild", ".", "proj/d*st", "proj/["]

    def by_globs(path):
        full = _absolute(path)
        name = full.rsplit("/", 1)[-1]
        return any(n.match(name) or f.match(full) for n, f in compile_patterns(patterns, root))

    assert [matches_any(p, patterns, root) for p in paths] == [by_globs(p) for p in paths]
    assert any(by_globs(p) for p in paths) and not all(by_globs(p) for p in paths)
