"""``tmplint server`` end to end: a real LSP client (pytest-lsp) drives the real server process.

The project each test works on is written to disk; the editor's text of ``pkg/jobs.py`` is sent over
the protocol, unsaved, so the tests see the server judge unsaved text against the project on disk.
"""

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tmplint.cache import Cache, cache_folder

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "tmplint", "server"])

FSUTIL = '''\
import os
import uuid


def atomic_save(data, path, tmp_name):
    tmp = os.path.join(os.path.dirname(path), tmp_name)
    with open(tmp, "w") as f:
        f.write(data)
    os.replace(tmp, path)


def safe_save(data, path, tmp_name):
    tmp = os.path.join(os.path.dirname(path), f"{tmp_name}.{uuid.uuid4().hex}")
    with open(tmp, "w") as f:
        f.write(data)
    os.replace(tmp, path)
'''
JOBS = '''\
import os

from pkg.fsutil import atomic_save, safe_save


def save_state(state, path):
    safe_save(state, path, tmp_name=".tmp_state")


def save_log(log, path):
    atomic_save(log, path, tmp_name=".tmp_log")
'''
# a rename whose temp name is derived from the destination: TMP103, fixed in this file
SAVE_INDEX = '''

def save_index(index, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(index)
    os.replace(tmp, path)
'''

Found = Tuple[str, int, int, str]  # code, line, column (1-based, as the CLI prints them), message


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.tmplint]\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "fsutil.py").write_text(FSUTIL)
    (tmp_path / "pkg" / "jobs.py").write_text(JOBS)
    return tmp_path


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


def cli(path: Path) -> List[Found]:
    """What ``tmplint FILE`` reports, from its JSON output."""
    proc = subprocess.run([sys.executable, "-m", "tmplint", "--format", "json", "--exit-zero", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return sorted((d["code"], d["line"], d["column"], d["message"])
                  for d in json.loads(proc.stdout))


def shown(client: LanguageClient, uri: str) -> List[Found]:
    return sorted((d.code, d.range.start.line + 1, d.range.start.character + 1, d.message)
                  for d in client.diagnostics.get(uri, []))


class Editor:
    """One open document: sends what an editor sends, waits for the diagnostics of each version."""

    def __init__(self, client: LanguageClient, path: Path):
        self.client, self.path, self.uri = client, path, path.as_uri()
        self.version = 0
        self.text = ""

    async def published(self, send) -> List[Found]:
        """Send, then wait until the server has published diagnostics for this version."""
        send()
        for _ in range(50):
            params = await asyncio.wait_for(self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS),
                                            timeout=60)
            if params.uri == self.uri and params.version == self.version:
                return shown(self.client, self.uri)
        raise AssertionError("no diagnostics for this version")

    async def open(self) -> List[Found]:
        self.version, self.text = 1, self.path.read_text()
        return await self.published(lambda: self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=self.uri, language_id="python", version=1, text=self.text))))

    async def change(self, text: str) -> List[Found]:
        self.version += 1
        self.text = text
        return await self.published(lambda: self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            [types.TextDocumentContentChangeWholeDocument(text=text)])))

    async def save(self) -> List[Found]:
        return await self.published(lambda: self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=self.uri))))

    async def actions(self, only: Sequence[str] = ()) -> List[types.CodeAction]:
        context = types.CodeActionContext(diagnostics=list(self.client.diagnostics.get(self.uri, [])),
                                          only=list(only) or None)
        end = types.Position(line=len(self.text.splitlines()) + 1, character=0)
        found = await self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri=self.uri), types.Range(types.Position(0, 0), end), context))
        return list(found or [])

    async def apply(self, action: types.CodeAction) -> List[Found]:
        return await self.change(apply_edits(self.text, action.edit.changes[self.uri]))


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """What an editor does with a workspace edit (ASCII text: characters are UTF-16 units)."""
    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def codes(found: List[Found]) -> Dict[int, str]:
    return {line: code for code, line, _, _ in found}


@pytest.mark.asyncio
async def test_open_shows_what_tmplint_file_reports(client: LanguageClient, project):
    """The helper in fsutil.py decides: save_log's name is reported (its fix lies in fsutil.py),
    save_state's is not (safe_save adds a uuid); the file alone would guess both as TMP101."""
    jobs = project / "pkg" / "jobs.py"
    found = await Editor(client, jobs).open()
    assert found == cli(jobs)
    assert codes(found) == {11: "TMP101"}
    assert found[0][3].endswith(f"fix in {project / 'pkg' / 'fsutil.py'}:6")


@pytest.mark.asyncio
async def test_edit_then_quick_fix(client: LanguageClient, project):
    editor = Editor(client, project / "pkg" / "jobs.py")
    await editor.open()
    found = await editor.change(editor.text + SAVE_INDEX)  # unsaved: the file on disk has no save_index
    assert codes(found) == {11: "TMP101", 15: "TMP103"}
    (tmp103,) = [d for d in client.diagnostics[editor.uri] if d.code == "TMP103"]
    actions = await editor.actions([types.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["tmplint: add a uuid to the temp name"]  # the TMP101's fix is in fsutil.py
    (action,) = actions
    assert action.diagnostics[0].range == tmp103.range and action.is_preferred
    found = await editor.apply(action)
    assert 'tmp = path + f".{uuid.uuid4().hex}.tmp"' in editor.text and "import uuid\n" in editor.text
    # the TMP103 is gone; the TMP101 stays, wherever the added import moved its line
    moved = editor.text.splitlines().index("    atomic_save(log, path, tmp_name=\".tmp_log\")") + 1
    assert codes(found) == {moved: "TMP101"}
    compile(editor.text, "jobs.py", "exec")


@pytest.mark.asyncio
async def test_fix_all(client: LanguageClient, project):
    editor = Editor(client, project / "pkg" / "jobs.py")
    await editor.open()
    await editor.change(editor.text + SAVE_INDEX.replace("save_index", "save_a") + SAVE_INDEX.replace("save_index", "save_b"))
    assert sorted(codes(shown(client, editor.uri)).values()) == ["TMP101", "TMP103", "TMP103"]
    (action,) = await editor.actions([types.CodeActionKind.SourceFixAll])
    assert action.kind == "source.fixAll.tmplint"
    found = await editor.apply(action)
    assert [code for code, *_ in found] == ["TMP101"]
    assert await editor.actions(["source.fixAll.tmplint"]) == []  # nothing safe left to fix


@pytest.mark.asyncio
async def test_unsaved_text_against_the_project_on_disk(client: LanguageClient, project):
    jobs = project / "pkg" / "jobs.py"
    editor = Editor(client, jobs)
    assert codes(await editor.open()) == {11: "TMP101"}
    # the editor calls the safe helper now, not yet saved: the server judges the editor's text
    assert await editor.change(editor.text.replace("atomic_save(log", "safe_save(log")) == []
    assert codes(cli(jobs)) == {11: "TMP101"}  # the file on disk still has the bug
    # back to the unsafe helper, and the helper gains a uuid on disk (another editor, git pull)
    assert codes(await editor.change(jobs.read_text())) == {11: "TMP101"}
    fsutil = project / "pkg" / "fsutil.py"
    fsutil.write_text(FSUTIL.replace("tmp_name)\n    with", 'f"{tmp_name}.{uuid.uuid4().hex}")\n    with', 1))
    assert await editor.save() == [] == cli(jobs)


@pytest.mark.asyncio
async def test_hover_gives_the_rule_and_its_page(client: LanguageClient, project):
    editor = Editor(client, project / "pkg" / "jobs.py")
    await editor.open()
    (diagnostic,) = client.diagnostics[editor.uri]
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=editor.uri), diagnostic.range.start))
    assert hover.range == diagnostic.range
    assert hover.contents.value.startswith("**TMP101** `non-unique-tmp-name-argument`: a temp name passed to a save helper")
    assert "(https://github.com/your-org/tmplint/blob/main/docs/rules/TMP101.md)" in hover.contents.value
    elsewhere = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri=editor.uri), types.Position(line=0, character=0)))
    assert elsewhere is None


@pytest.mark.asyncio
async def test_settings_from_pyproject_and_a_config_error(client: LanguageClient, project):
    jobs = project / "pkg" / "jobs.py"
    (project / "pyproject.toml").write_text('[tool.tmplint]\nignore = ["TMP101"]\n')
    editor = Editor(client, jobs)
    assert await editor.open() == []
    (project / "pyproject.toml").write_text('[tool.tmplint]\nignore = "TMP101"\n')
    (found,) = await editor.save()
    assert found[:3] == ("TMP000", 1, 1) and 'pyproject.toml: [tool.tmplint] ignore: expected a list' in found[3]


@pytest.mark.asyncio
async def test_the_server_fills_the_cache_the_cli_reads(client: LanguageClient, project):
    await Editor(client, project / "pkg" / "jobs.py").open()
    entries = Cache(cache_folder(str(project))).all_entries()
    assert str(project / "pkg" / "fsutil.py") in {path for path, _, _ in entries.values()}
