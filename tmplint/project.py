"""A run over many files with the project index: which files to parse, in rounds, and the resolution.

Every file is parsed at most once, in a worker, into an ``index.FileResult``; this module decides
which files that is and resolves the checks that need other files, in the main process:

1. **Stage one.** The named files go through the text screen (``tmplint.screen``) and the ones it
   passes are parsed: they may rename, so they define the helpers and hold the renames.
2. **Imports.** The files the named files import, under the project root, are added as *context*
   (transitively, ``MAX_IMPORT_DEPTH`` steps): they go through the same screen and are never
   reported. So a file's findings do not depend on how the file list is split (pre-commit), as far
   as the import graph reaches.
3. **Stage two.** A file the screen passed over can still call a helper of another file. Once the
   index knows which functions rename a parameter of theirs, every screened-out file that mentions
   one of their names as a word, and imports the helper's package (or lies in it), is read too; for
   a method, the name of its class or of a class known to inherit from it (``class_family``), with
   the method's name, or as a base of a class it defines, or renamed by an import. Its
   own functions may then be helpers (``save`` calls ``_atomic_save``), whose names are looked for
   next, until nothing new turns up. A file that names no helper cannot call one (the index resolves
   no call through an object of unknown class): the screens stay sound.
4. **Definitions.** When resolution needs a file the screens passed over (an imported constant, a
   re-exported name, a provisional finding's helper), that file is parsed for what it defines.
5. **Reduction.** A big file is parsed with the functions that cannot matter blanked
   (``tmplint.reduce``), and not at all when nothing in it can: it stays "screened", with its
   sketch, until the index asks for its definitions (``Job.define``). Which can matter depends on
   the helpers of other files: each parsed file's ``Sketch`` (from the standard parser) says which it
   defines and calls, and after each round a file read without a helper it calls is read again
   knowing it (``ProjectRun.refresh``).

Resolution (``index.Index``) then composes summaries across files and reports at the call sites.
It is cheap and runs every time; the per-file results are what a cache can keep.
"""

import os
from dataclasses import replace
from typing import AbstractSet, Callable, Dict, FrozenSet, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from tmplint import config as config_mod
from tmplint import engine, noqa
from tmplint import reduce as reduce_mod
from tmplint.analysis.index import FileResult, Index, Provisional, absolute_module
from tmplint.cache import fingerprint
from tmplint.config.model import AnalysisOptions, Config
from tmplint.diagnostics import Diagnostic
from tmplint.layout import Layout, ModuleInfo, module_info
from tmplint.screen import NameUses
from tmplint.source import SourceError, read_limit, read_source

MAX_IMPORT_DEPTH = 6
MAX_ROUNDS = 12

Mapper = Callable[[Callable, Sequence], Iterable]


def serial_map(function: Callable, items: Sequence) -> List:
    return [function(item) for item in items]


# --- what the import statements name ------------------------------------------------------------


def text_imports(text: str, info: ModuleInfo) -> Tuple[str, ...]:
    """The absolute names the import statements in ``text`` name (a superset: strings count too).

    ``from X import a`` gives ``X`` and ``X.a`` (``a`` may be a submodule); relative imports are
    made absolute against the file's package.
    """
    found: Set[str] = set()
    find = text.find
    i = find("import")
    while i >= 0:
        end = i + 6
        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and (
                end == len(text) or not (text[end].isalnum() or text[end] == "_")):
            start = text.rfind("\n", 0, i) + 1
            stop = _statement_end(text, end)
            head = text[start:i].strip()
            names = text[end:stop].replace("\\\n", " ").strip().strip("()")
            if head.startswith("from "):
                base = absolute_module(head[5:].strip().replace(" ", ""), info.package)
                if base:
                    found.add(base)
                for alias in names.split(","):
                    word = alias.split()[0] if alias.split() else ""
                    if word.isidentifier():
                        found.add(f"{base}.{word}" if base else word)
            elif not head or head.endswith(":") or head.endswith(";"):
                for alias in names.split(","):
                    words = alias.split()
                    if words and all(p.isidentifier() for p in words[0].split(".")):
                        found.add(words[0])
        i = find("import", end)
    return tuple(sorted(found))


def imports_digest(imports: Tuple[str, ...]) -> str:
    return fingerprint(imports)


def _statement_end(text: str, at: int) -> int:
    """Where the import statement that continues at ``at`` ends (brackets and backslashes followed)."""
    n = len(text)
    depth = 0
    i = at
    while i < n:
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth <= 0:
                return i + 1
        elif c == "\\" and text.startswith("\n", i + 1):
            i += 2
            continue
        elif c in "\n;#" and depth <= 0:
            return i
        i += 1
    return n


def source_roots(settings: Config) -> Tuple[str, ...]:
    """The ``src`` folders (first-party imports resolve from them), absolute, relative to the project root."""
    return tuple(os.path.normpath(os.path.join(os.path.abspath(settings.project_root), folder))
                 for folder in settings.src)


class Locator:
    """Module name -> the file that defines it, under the project root; searched from the asking file's
    root, the folders above it up to the project root, the ``src`` folders, then every root seen.
    What it looks at on disk goes through ``layout``."""

    def __init__(self, project_root: str, src: Sequence[str] = (), layout: Optional[Layout] = None):
        self.layout = Layout() if layout is None else layout
        self.project_root = os.path.abspath(project_root)
        self.src = [folder for folder in src if self.inside(folder)]
        self.known: Dict[str, List[str]] = {}  # module name -> display paths
        self.roots: List[str] = []
        self._cache: Dict[Tuple[str, str], Optional[str]] = {}
        self._full: Dict[str, str] = {}
        self._entries: Dict[str, Set[str]] = {}  # folder -> the module names a file or folder in it could hold
        self._bases: Dict[str, Tuple[List[str], Set[str]]] = {}  # root -> its search folders, all their names

    def add(self, result: FileResult) -> None:
        self.known.setdefault(result.module.name, []).append(result.path)
        self._full[result.path] = os.path.abspath(result.path)
        if result.module.root not in self.roots:
            self.roots.append(result.module.root)
            self._bases.clear()
        self._cache.clear()

    def __call__(self, module: str, root: str) -> Optional[str]:
        key = (module, root)
        if key not in self._cache:
            self._cache[key] = self._find(module, root)
        return self._cache[key]

    def _find(self, module: str, root: str) -> Optional[str]:
        known = self.known.get(module, [])
        for path in known:
            if module_info(path).root == root:
                return path
        parent, dot, _ = module.rpartition(".")
        if dot:
            found = self(parent, root)
            if found is not None and os.path.basename(found) != "__init__.py":
                # ``from m import f`` names m.f, and a plain module has no submodules: no stat for it
                # (these lookups were most of a run's 75,000 stats, 3 s of a warm run of the corpus).
                return known[0] if known else None
        head = module.split(".")[0]
        bases = self._bases.get(root)
        if bases is None:
            search = self._search_roots(root)
            bases = self._bases[root] = (search, set().union(*(self._names_in(b) for b in search)))
        if head not in bases[1]:
            return known[0] if known else None  # the standard library or an installed package: no stat for it
        for base in bases[0]:
            if head not in self._names_in(base):
                continue
            for candidate in (os.path.join(base, *module.split(".")) + ".py",
                              os.path.join(base, *module.split("."), "__init__.py")):
                if self.layout.isfile(candidate) and self.inside(candidate):
                    full = os.path.abspath(candidate)
                    for path in known:
                        if self._full.get(path) == full:
                            return path
                    return display_path(full)
        return known[0] if known else None

    def _names_in(self, folder: str) -> Set[str]:
        names = self._entries.get(folder)
        if names is None:
            names = self._entries[folder] = set(self.layout.importable(folder))
        return names

    def _search_roots(self, root: str) -> List[str]:
        out = [root]
        parent = os.path.dirname(root)  # namespace packages: the folders above, up to the project root
        while self.inside(parent) and parent not in out:
            out.append(parent)
            parent = os.path.dirname(parent)
        out += [r for r in self.src if r not in out]
        return out + [r for r in self.roots if r not in out]

    def inside(self, path: str) -> bool:
        full = os.path.abspath(path)
        return full == self.project_root or full.startswith(self.project_root.rstrip(os.sep) + os.sep)


def display_path(full: str) -> str:
    """A path as reports show it: relative to the current folder when under it."""
    try:
        rel = os.path.relpath(full)
    except ValueError:  # another drive
        return full
    return full if rel.startswith("..") else rel


# --- the per-file job (runs in a worker) -----------------------------------------------------------


class Job(NamedTuple):
    path: str
    options: AnalysisOptions
    force: bool = False  # parse even when the screen passes the file over
    relevant: Optional[Tuple[str, ...]] = None  # reduce, knowing these helpers of other files; None: whole
    sketch_only: bool = False  # stop before LibCST: the standard parser's sketch (tmplint.reduce)
    define: bool = False  # parse for what it defines, even when it holds no candidate (the index asks)
    weight: Optional[int] = None  # the bytes it may hand LibCST, as its sketch foresaw; None: the file's size
    plan: Optional[bytes] = None  # its first reading (``reduce.Plan``): reduce without reading it again


def job_weight(job: Job) -> Optional[int]:
    """What a job may hand LibCST (``runner``: big files run one at a time): a big file's first reading
    is the standard parser's alone, and a reduced one parses what its sketch foresaw."""
    return 0 if job.sketch_only else job.weight


def analyse_job(job: Job) -> FileResult:
    return analyse_file(job.path, job.options, job.force, job.relevant, job.sketch_only, job.define, job.plan)


def analyse_file(path: str, options: AnalysisOptions, force: bool = False,
                 relevant: Optional[Tuple[str, ...]] = None, sketch_only: bool = False,
                 define: bool = False, plan: Optional[bytes] = None) -> FileResult:
    """One file's result; never raises for bad input (its TMP000 is in the result)."""
    info = module_info(path)
    try:
        text, _ = read_source(path, read_limit(options.max_file_size))
    except SourceError as exc:
        return FileResult(path, info, "failed", (engine.cannot_analyse(path, str(exc)),))
    return analyse_source(text, path, options, info, force, relevant=relevant, sketch_only=sketch_only,
                          define=define, plan=plan)


def analyse_source(text: str, path: str, options: AnalysisOptions, info: ModuleInfo, force: bool = False,
                   apply_noqa: bool = True, relevant: Optional[Tuple[str, ...]] = None,
                   sketch_only: bool = False, define: bool = False, plan: Optional[bytes] = None) -> FileResult:
    """One file's result for the index; never raises for bad input (its TMP000 is in the result).
    ``relevant``: parse a big file reduced (``tmplint.reduce``), knowing these names of other files,
    and not at all when it holds no candidate (it comes back "screened", unless ``define``), from
    ``plan``, its sketch's reading, when it has one; ``sketch_only``: a file LibCST would parse comes
    back "sketched", with what the others need to know and the plan that reduces it later."""
    imports = text_imports(text, info)
    if not force and not engine.may_have_findings(text, options):
        return FileResult(path, info, "screened", imports=imports)
    sketch = reduced = tree = statements = None
    parse_text = None
    if reduce_mod.ENABLED and relevant is not None:
        sketch, parse_text, candidate, tree, statements = reduce_mod.sketch_and_reduce(
            text, options, relevant, info.name, info.package, plan)
        if not candidate and not define:  # a second screen, knowing the project: kept for a later refresh
            return FileResult(path, info, "screened", imports=imports, sketch=sketch, reduced=relevant)
        reduced = relevant if parse_text is not None else None
    elif reduce_mod.ENABLED and sketch_only:
        sketch, planned = reduce_mod.sketch_and_plan(text, options, info.name, info.package)
        if sketch is not None:  # (no sketch: parsed whole, next)
            return FileResult(path, info, "sketched", imports=imports, sketch=sketch, plan=planned)
    elif reduce_mod.ENABLED:
        sketch = reduce_mod.sketch(text, options, info.name, info.package)
    try:
        try:
            analysed = engine.analyse(text, path, options, apply_noqa=apply_noqa, project=info, force=True,
                                      parse_text=parse_text, tree=tree, statements=statements)
        except SourceError:
            if parse_text is None:
                raise
            reduced = None  # whatever the reduced text's trouble, the whole file decides
            analysed = engine.analyse(text, path, options, apply_noqa=apply_noqa, project=info, force=True)
        if analysed.module is None:
            return FileResult(path, info, "screened", imports=imports)
        from tmplint.analysis.exports import build_file_result
        from tmplint.fix.planner import Planner

        checker = analysed.checker
        planner = Planner(analysed.module, checker)  # one for the findings' fixes and the exported ones
        local, provisional = [], []
        for finding, diagnostic in engine.with_fixes(analysed, planner):
            callee = provisional_callee(checker, finding)
            if callee is None:
                local.append(diagnostic)
            else:
                provisional.append(Provisional(diagnostic, callee))
        silenced = apply_noqa and noqa.file_is_ignored(text.splitlines(True))
        result = FileResult(path, info, "parsed", tuple(sorted(set(local), key=Diagnostic.sort_key)),
                            tuple(provisional), imports=imports, file_noqa=silenced, sketch=sketch, reduced=reduced)
        return build_file_result(analysed.module, checker, path, text, result, planner, tree, analysed.groups,
                                 parse_text if reduced is not None else None)
    except SourceError as exc:
        return FileResult(path, info, "failed", (engine.cannot_analyse(path, str(exc)),), imports=imports)
    except RecursionError:  # past the analysis: placing findings walks the whole tree again
        return FileResult(path, info, "failed", (engine.cannot_analyse(path, "too deeply nested to analyse"),),
                          imports=imports)
    except SyntaxError as exc:  # past the analysis too: a literal LibCST takes and Python does not
        return FileResult(path, info, "failed", (engine.cannot_analyse(path, f"syntax error: {exc.msg}"),),
                          imports=imports)


def provisional_callee(checker, finding) -> Optional[Tuple[str, ...]]:
    """For a keyword-heuristic TMP101 at a helper of another file, the names that helper may have: the
    index keeps the finding only when it knows none of them (so the fixer leaves it alone otherwise)."""
    heuristic = checker.heuristic.get((finding.code, finding.node))
    if heuristic is None or checker.recorder is None:
        return None
    call, scope = heuristic
    callee = checker.recorder.callee_of(call, scope)
    return callee[0] if callee is not None else None


class Wanted(NamedTuple):
    """A name stage two looks for (``Index.helper_names``): a helper's, or a class's that has helper
    methods, with the top-level packages that reach it and, for such a class, the methods' names."""

    name: str
    tops: Tuple[str, ...]
    methods: Tuple[str, ...] = ()  # a file must also name one, or the class as a base or renamed


Helpers = Tuple[Wanted, ...]


def scan_job(job: Tuple[str, Helpers]) -> bool:
    """Stage two for a file on disk (see ``scan_text``)."""
    path, helpers = job
    try:
        text, _ = read_source(path)
    except SourceError:
        return False
    return scan_text(text, path, helpers)


def scan_text(text: str, path: str, helpers: Helpers) -> bool:
    """Stage two: can the file call one of the helpers? It imports from the top-level package of a
    module that defines or re-exports it, unless it lies in that package itself (relative imports:
    ``within_reach``), and names the helper as a word where the index could resolve it: in code,
    alone or on a name imported from one of the packages that reach it (``screen.NameUses``: imports
    are absolute, or relative ones, which the index resolves against the file's own package). A helper
    method is called through its class's name, or a subclass's (``Index.helper_names``), and by the
    method's name, or the file defines a subclass (names the class among a class's bases) or imports
    the class under another name (``Mid as Store``, which a subclass elsewhere may name). A package
    or a helper named only in prose or strings does not count: a tree of many projects mentions their
    names everywhere."""
    named = tuple(one for one in helpers if text.find(one.name) >= 0)  # the cheap test first
    if not named:
        return False
    info = module_info(path)
    reached = within_reach(named, info, lambda: text_imports(text, info))
    if not reached:
        return False
    uses = NameUses(text)
    for one in reached:
        positions = list(_words(text, one.name))
        if one.methods and not any(next(_words(text, method), None) is not None for method in one.methods) \
                and not (uses.among_bases(positions) or uses.renamed(one.name, positions)):
            continue  # the class is named, but none of its helper methods, nor as a base or renamed
        if uses.resolvable(positions, frozenset(one.tops)):
            return True
    return False


def within_reach(helpers: Helpers, info: ModuleInfo, imports: Callable[[], Iterable[str]]) -> Helpers:
    """The helpers whose top-level package the file lies in or imports (``imports``: asked only when
    the file lies in none of them)."""
    own = info.name.split(".")[0]
    if all(own in one.tops for one in helpers):
        return helpers
    return _reaching(helpers, {own} | {name.split(".")[0] for name in imports()})


def _reaching(helpers: Helpers, packages: AbstractSet[str]) -> Helpers:
    """The helpers that one of ``packages`` (the file's own and those it imports) reaches."""
    return tuple(one for one in helpers if not packages.isdisjoint(one.tops))


def quiet_still(text: str, path: str, options: AnalysisOptions, imports: str, scanned: Helpers) -> bool:
    """A file whose first reading found nothing (the text screen passed it over, stage two never
    admitted it) gives the same result with ``text``: the screen passes it over, it imports the same
    names (``imports``, digested) and names none of the helpers stage two looked for (``scanned``).
    Then it changes no answer (``tmplint.recall``)."""
    return (not engine.may_have_findings(text, options) and imports_digest(text_imports(text, module_info(path))) == imports
            and not scan_text(text, path, scanned))


def _words(text: str, name: str) -> Iterator[int]:
    """Where ``name`` stands in ``text`` as a whole word."""
    size = len(name)
    i = text.find(name)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + size] if i + size < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            yield i
        i = text.find(name, i + size)


# --- the run ---------------------------------------------------------------------------------------


class ProjectRun:
    """One run over the named files and whatever they need from the project on disk.

    ``texts`` holds the text of named files as an editor has it (unsaved, or piped to stdin): such a
    file is analysed from that text, in this process, and every other file from disk, through the
    mapper (and so the cache). A text equal to the file on disk goes through the mapper too.
    ``apply_noqa=False`` leaves the named files' noqa comments to the host (flake8's ``--disable-noqa``).
    """

    def __init__(self, settings: Config, mapper: Mapper, texts: Optional[Dict[str, str]] = None,
                 apply_noqa: bool = True, layout: Optional[Layout] = None):
        self.settings = settings
        self.options = settings.analysis
        self.mapper = mapper
        self.texts = dict(texts or {})
        self.apply_noqa = apply_noqa
        self.layout = layout
        self.locator = Locator(settings.project_root, source_roots(settings), layout)
        self.results: Dict[str, FileResult] = {}
        self.depth: Dict[str, int] = {}
        self.admitted: Set[str] = set()  # parsed for findings (stage one or two), so a TMP000 counts
        self.named: Set[str] = set()
        self._tops: Dict[str, Tuple[FileResult, FrozenSet[str]]] = {}  # ``_reach``
        self._helpers_for: Optional[Tuple[FrozenSet[int], Tuple[reduce_mod.ProjectHelpers, FrozenSet[str]],
                                          List[reduce_mod.Sketch]]] = None

    def _own_text(self, path: str) -> Optional[str]:
        """The text to analyse ``path`` from in this process; None: from disk, through the mapper."""
        text = self.texts.get(path)
        if text is None:
            return None
        if not self.apply_noqa and path in self.named:
            return text
        try:
            on_disk, _ = read_source(path, read_limit(self.options.max_file_size))
        except SourceError:
            return text
        if on_disk != text:
            return text
        del self.texts[path]  # the file on disk says the same: its cached result serves
        return None

    def _helpers(self, extra: Iterable[FileResult] = ()) -> Tuple[reduce_mod.ProjectHelpers, FrozenSet[str]]:
        """The project's helpers from every sketch so far; built again only when a sketch changed (the
        main process does this between rounds, on every file's sketch)."""
        results = {r.path: r for r in extra}
        results.update((p, r) for p, r in self.results.items() if p not in results)
        sketches = [r.sketch for r in results.values() if r.sketch is not None]
        key = frozenset(id(one) for one in sketches)
        if self._helpers_for is None or self._helpers_for[0] != key:
            found = reduce_mod.project_helpers(sketches), frozenset(c for one in sketches for c in one.constants)
            self._helpers_for = (key, found, sketches)  # (the sketches kept alive: their ids stay theirs)
        return self._helpers_for[1]

    def _run_jobs(self, paths: List[str], force: bool, define: AbstractSet[str]) -> List[FileResult]:
        """Big files are sketched first, so each is parsed (reduced) knowing every helper found so far;
        one that then holds no candidate is not parsed, unless in ``define``."""
        if not reduce_mod.ENABLED:
            return list(self.mapper(analyse_job, [Job(path, self.options, force) for path in paths]))
        first = list(self.mapper(analyse_job, [Job(path, self.options, force, None, True) for path in paths]))
        sketched = [r for r in first if r.status == "sketched"]
        if not sketched:
            return first
        helpers, constants = self._helpers(first)
        jobs, done = [], {}
        for r in sketched:
            if r.sketch is None:
                jobs.append(Job(r.path, self.options, True, define=r.path in define))
                continue
            relevant = reduce_mod.relevant_names(r.sketch, helpers, constants)
            if not relevant and not r.sketch.candidate and r.path not in define:
                # what the first reading decided stands: nothing of the project changes it
                done[r.path] = replace(r, status="screened", reduced=relevant, plan=None)
            else:
                jobs.append(Job(r.path, self.options, True, relevant, define=r.path in define,
                                weight=r.sketch.weight, plan=r.plan))
        sketches = {r.path: r.sketch for r in sketched}
        done.update((r.path, _keep_sketch(r, sketches.get(r.path))) for r in self.mapper(analyse_job, jobs))
        return [done.get(r.path, r) for r in first]

    def analyse(self, paths: Sequence[str], force: bool, define: AbstractSet[str] = frozenset()) -> List[FileResult]:
        own = {path: self._own_text(path) for path in paths}
        todo = [path for path in paths if own[path] is None]
        mapped = iter(self._run_jobs(todo, force, define) if todo else [])
        done = []
        for path in paths:
            text = own[path]
            done.append(next(mapped) if text is None else self._analyse_text(path, text, force))
        for result in done:
            known = result.path in self.results
            self.results[result.path] = result
            if not known:
                self.locator.add(result)
        return done

    def _analyse_text(self, path: str, text: str, force: bool) -> FileResult:
        apply_noqa = self.apply_noqa or path not in self.named
        result = analyse_source(text, path, self.options, module_info(path), force, apply_noqa=apply_noqa)
        return result if apply_noqa else replace(result, noqa={})

    def scan(self, paths: Sequence[str], wanted: Helpers) -> List[bool]:
        """Stage two's scan of each screened file: from its text here when it has one, else from disk.
        A file is read again only for the helpers whose package it imports or lies in, which its first
        reading kept (``FileResult.imports``): in a tree of many projects, that is few files."""
        jobs = {path: _reaching(wanted, self._reach(path)) for path in paths}
        on_disk = [path for path in paths if path not in self.texts and jobs[path]]
        hits = dict(zip(on_disk, self.mapper(scan_job, [(p, jobs[p]) for p in on_disk]) if on_disk else []))
        return [hits.get(path, False) if path not in self.texts else scan_text(self.texts[path], path, wanted)
                for path in paths]

    def _reach(self, path: str) -> FrozenSet[str]:
        """The top-level packages a file lies in or imports (``within_reach``), worked out once per
        result: a round of stage two asks it of thousands of files."""
        result = self.results[path]
        known = self._tops.get(path)
        if known is None or known[0] is not result:
            known = self._tops[path] = (result, frozenset([result.module.name.split(".")[0]]
                                                          + [name.split(".")[0] for name in result.imports]))
        return known[1]

    def follow_imports(self, new: Sequence[FileResult]) -> None:
        """Add the files ``new`` import (under the project root) as context, breadth first, bounded."""
        frontier = list(new)
        while frontier:
            wanted = []
            for result in frontier:
                depth = self.depth.get(result.path, 0)
                if depth >= MAX_IMPORT_DEPTH:
                    continue
                for name in result.imports:
                    path = self.locator(name, result.module.root)
                    if path is not None and path not in self.results and path not in self.depth:
                        self.depth[path] = depth + 1
                        wanted.append(path)
            frontier = self.analyse(wanted, force=False) if wanted else []

    def refresh(self) -> bool:
        """Parse again each reduced file that calls a helper of another file it was parsed without
        (``tmplint.reduce``); True when there was one. Helpers only grow, so this ends."""
        helpers, constants = self._helpers()
        stale: Dict[str, Tuple[str, ...]] = {}
        for path, result in self.results.items():
            if result.reduced is not None and result.sketch is not None:
                wanted = reduce_mod.relevant_names(result.sketch, helpers, constants)
                if not set(wanted) <= set(result.reduced):
                    stale[path] = tuple(sorted(set(wanted) | set(result.reduced)))
        if not stale:
            return False
        jobs = [Job(path, self.options, True, relevant, define=self.results[path].status == "parsed",
                    weight=self.results[path].sketch.weight)  # type: ignore[union-attr]
                for path, relevant in sorted(stale.items())]
        for result in self.mapper(analyse_job, jobs):
            self.results[result.path] = _keep_sketch(result, self.results[result.path].sketch)
        return True

    def run(self, files: Sequence[str]) -> List[Diagnostic]:
        self.named.update(files)
        for path in files:
            self.depth[path] = 0
        first = self.analyse(list(files), force=False)
        self.admitted.update(r.path for r in first)
        self.follow_imports(first)
        # (name, methods) -> the packages scanned for: a class with more helper methods is a new look
        scanned: Dict[Tuple[str, Tuple[str, ...]], FrozenSet[str]] = {}
        index = None
        for _ in range(MAX_ROUNDS):
            refreshed = self.refresh()
            index = Index(self.results, self.locator)
            for path in files:
                index.diagnostics(path)  # composes what the named files use; notes the files it needs
            names = {(name, methods): tops - scanned.get((name, methods), frozenset())
                     for name, (tops, methods) in index.helper_names().items()}
            names = {key: tops for key, tops in names.items() if tops}
            work: Dict[str, bool] = {path: False for path in index.needs}
            if names:
                for key, tops in names.items():
                    scanned[key] = scanned.get(key, frozenset()) | tops
                # a file reduction screened out was read knowing the helpers: ``refresh`` keeps it current
                screened = [p for p, r in self.results.items() if r.status == "screened" and r.sketch is None]
                wanted = tuple(sorted(Wanted(name, tuple(sorted(tops)), methods)
                                      for (name, methods), tops in names.items()))
                hits = self.scan(screened, wanted) if screened else []
                for path, hit in zip(screened, hits):
                    if hit:
                        work[path] = True
            work = {p: admit for p, admit in work.items()
                    if p not in self.results or self.results[p].status == "screened"}
            if not work:
                if refreshed:
                    continue  # the index changed: what it needs may have too
                break
            self.admitted.update(p for p, admit in work.items() if admit)
            parsed = self.analyse(sorted(work), force=True, define={p for p, admit in work.items() if not admit})
            self.follow_imports([r for r in parsed if r.path not in files])
        if self.layout is not None:
            self.layout.scanned = tuple(sorted(Wanted(name, tuple(sorted(tops)), methods)
                                               for (name, methods), tops in scanned.items()))
            self.layout.quiet = {os.path.abspath(p): imports_digest(r.imports) for p, r in self.results.items()
                                 if r.status == "screened" and r.sketch is None}
        return self.report(files, index)

    def report(self, files: Sequence[str], index: Optional[Index]) -> List[Diagnostic]:
        out: List[Diagnostic] = []
        named = {os.path.abspath(path) for path in files}
        for path in files:
            result = self.results[path]
            if result.status == "failed":
                if path in self.admitted:
                    out.extend(result.diagnostics)
                continue
            found = list(result.diagnostics)
            if index is not None:
                seen = {(d.code, d.line, d.col) for d in found}
                for diagnostic in index.diagnostics(path):
                    key = (diagnostic.code, diagnostic.line, diagnostic.col)
                    if key not in seen:
                        seen.add(key)
                        found.append(_where_fixed(diagnostic, named))
            found = engine.select(found, self.settings)
            out.extend(config_mod.apply_per_file_ignores(self.settings, found))
        return sorted(out, key=Diagnostic.sort_key)


def _keep_sketch(result: FileResult, sketch: Optional[reduce_mod.Sketch]) -> FileResult:
    """``result`` with ``sketch`` when it read the same again (a reduced parse after the sketch job):
    the project's helpers are built again only when a sketch object changes (``ProjectRun._helpers``),
    and a new object that says the same rebuilt them for nothing, once or twice a round."""
    if sketch is not None and result.sketch is not sketch and result.sketch == sketch:
        return replace(result, sketch=sketch)
    return result


def _where_fixed(diagnostic: Diagnostic, named: Set[str]) -> Diagnostic:
    """Only named files are written: a fix that lies in another file is shown as ``fix in path:line``
    (in the message, which every format shows) and is not offered, since ``--fix`` will not make it."""
    at = diagnostic.fix_at
    if at is None or os.path.abspath(at.path) in named:
        return diagnostic
    where = f"fix in {at.path}:{at.line}"
    return replace(diagnostic, message=f"{diagnostic.message}; {where}", fix_title=where, fix_applicability=None,
                   fix_at=None)


def check_project(files: Sequence[str], settings: Config, mapper: Mapper = serial_map,
                  texts: Optional[Dict[str, str]] = None, apply_noqa: bool = True,
                  layout: Optional[Layout] = None) -> List[Diagnostic]:
    """Check ``files`` (each reported) with the project index; ``mapper`` runs the per-file jobs.
    ``texts``: named files' text as an editor has it, and ``apply_noqa`` (see ``ProjectRun``);
    ``layout`` hears what the run looked at on disk."""
    unique = list(dict.fromkeys(files))
    return ProjectRun(settings, mapper, texts, apply_noqa, layout).run(unique)
