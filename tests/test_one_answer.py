"""rules.md, *One answer*: a file's findings depend on its content, the project on disk and the
configuration, never on the entry point (issue 14).

For every file of three multi-module projects (``fixtures/project``, the src layout
``fixtures/srclayout`` and sixteen real files of Ray 2.53.0, ``fixtures/ray253``), each copied to a
fresh folder: ``tmplint FILE``, ``tmplint - --stdin-filename FILE``, ``tmplint.check_source``, the
flake8 plugin (the real ``flake8``) and ``tmplint server`` (a real LSP client, pygls's) give the same
findings, and they are that file's lines in ``tmplint .``. Only the message's ending may differ from
``tmplint .``: a fix that lies in another file is shown as ``; fix in path:line`` when that file is not
among those checked (``tmplint .`` checks it, and fixes it there).
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

import tmplint

REPO = Path(__file__).resolve().parent.parent
PROJECTS = {
    "project": REPO / "fixtures" / "project",
    "srclayout": REPO / "fixtures" / "srclayout",
    "ray253": REPO / "fixtures" / "ray253",
}
# the findings each project must have, so that agreeing on nothing cannot pass
AT_LEAST = {"project": 15, "srclayout": 1, "ray253": 3}
FIX_ELSEWHERE = re.compile(r"; fix in \S+:\d+$")

Finding = Tuple[str, int, int, str]  # code, line, column (1-based), message
ByFile = Dict[str, Set[Finding]]


def run(cwd: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, input=stdin, capture_output=True, timeout=300)


def tmplint_json(cwd: Path, *args: str, stdin: bytes = b"") -> ByFile:
    proc = run(cwd, "-m", "tmplint", "--format", "json", "--exit-zero", *args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode()
    out: ByFile = {}
    for d in json.loads(proc.stdout):
        out.setdefault(d["path"], set()).add((d["code"], d["line"], d["column"], d["message"]))
    return out


def flake8(cwd: Path, files: List[str]) -> ByFile:
    # tmplint's default selection: every TMP code but TMP106, which is off by default
    proc = run(cwd, "-m", "flake8", "--select", "TMP", "--extend-ignore", "TMP106", "--format", "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s",
               *files)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    out: ByFile = {}
    for line in proc.stdout.decode().splitlines():
        path, row, col, code, text = line.split("\t")
        out.setdefault(os.path.normpath(path), set()).add((code, int(row), int(col), text))
    return out


async def language_server(cwd: Path, files: List[str]) -> ByFile:
    """Open each file in ``tmplint server`` and collect the diagnostics it publishes for it."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("one-answer-test", "1")
    published: Dict[str, "asyncio.Queue[List[types.Diagnostic]]"] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(ls, params: types.PublishDiagnosticsParams) -> None:
        published.setdefault(params.uri, asyncio.Queue()).put_nowait(params.diagnostics)

    await client.start_io(sys.executable, "-m", "tmplint", "server", cwd=str(cwd))
    out: ByFile = {}
    try:
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                             root_uri=cwd.as_uri()))
        client.initialized(types.InitializedParams())
        for name in files:
            uri = (cwd / name).as_uri()
            queue = published.setdefault(uri, asyncio.Queue())
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=(cwd / name).read_text(encoding="utf-8"))))
            found = await asyncio.wait_for(queue.get(), timeout=120)
            out[name] = {(d.code, d.range.start.line + 1, d.range.start.character + 1, d.message) for d in found}
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
    return out


def python_files(root: Path) -> List[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))


@pytest.fixture(params=sorted(PROJECTS))
def project(request, tmp_path, monkeypatch) -> Tuple[str, Path]:
    root = tmp_path / request.param
    shutil.copytree(PROJECTS[request.param], root)
    monkeypatch.chdir(root)
    return request.param, root


def test_every_entry_point_gives_the_same_findings(project):
    name, root = project
    files = python_files(root)
    whole = tmplint_json(root, ".")
    assert sum(len(found) for found in whole.values()) >= AT_LEAST[name]
    texts = {f: (root / f).read_bytes() for f in files}
    with ThreadPoolExecutor(4) as pool:
        single = dict(zip(files, pool.map(lambda f: tmplint_json(root, f).get(f, set()), files)))
        stdin = dict(zip(files, pool.map(
            lambda f: tmplint_json(root, "-", "--stdin-filename", f, stdin=texts[f]).get(f, set()), files)))
        by_flake8 = pool.submit(flake8, root, files)
        by_server = pool.submit(asyncio.run, language_server(root, files))
        by_flake8, by_server = by_flake8.result(), by_server.result()
    for f in files:
        expected = single[f]
        in_whole = {(code, line, col, FIX_ELSEWHERE.sub("", message)) for code, line, col, message in expected}
        assert {(c, ln, col, m) for c, ln, col, m in whole.get(f, set())} == in_whole, f"tmplint . on {f}"
        assert stdin[f] == expected, f"stdin for {f}"
        api = {(d.code, d.line, d.col, d.message) for d in tmplint.check_source(texts[f], f)}
        assert api == expected, f"check_source on {f}"
        assert by_flake8.get(f, set()) == expected, f"flake8 on {f}"
        assert by_server.get(f, set()) == expected, f"tmplint server on {f}"


def test_stdin_fix_leaves_a_call_the_project_says_is_safe(tmp_path):
    """Issue 14: ``--fix -`` rewrote a temp name passed to a helper in another module that adds a uuid
    itself; the project on disk says the call is safe, so the fixed source is the source."""
    root = tmp_path / "srclayout"
    shutil.copytree(PROJECTS["srclayout"], root)
    name = os.path.join("tests", "test_store.py")
    text = (root / name).read_bytes()
    proc = run(root, "-m", "tmplint", "--fix", "-", "--stdin-filename", name, stdin=text)
    assert proc.stdout == text, proc.stderr.decode()
    # what stays is the true TMP101 whose fix lies in the helper's file, which stdin cannot write
    assert proc.returncode == 1 and "test_store.py:13:" in proc.stderr.decode() and "write_plain" in proc.stderr.decode()
