"""``tmplint server``: a Language Server over stdio, built on pygls.

* Diagnostics on open, change and save: the editor's text of the file (unsaved edits included) with the
  rest of the project read from disk, through the cache ``tmplint`` keeps (``tmplint.api.check_text``,
  so the server says what ``tmplint FILE`` says). Settings come from the ``[tool.tmplint]`` above the
  file; a configuration error is shown as a diagnostic on line 1.
* A quick fix per fixable finding (the edits ``tmplint --fix`` makes for that finding alone; unsafe ones
  say so in their title) and ``source.fixAll.tmplint`` (every safe fix, as ``tmplint --fix``).
* Hover on a finding: the rule's summary and a link to its page.

A check runs in a thread, one at a time per document: edits that arrive meanwhile are checked together
once it is done, so a burst of keystrokes costs one check more, not one per keystroke.

pygls and lsprotocol are imported only when the server starts (``pip install 'tmplint[server]'``).
"""

import asyncio
import sys
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Set

from tmplint import __version__, api
from tmplint.config import Config, ConfigError
from tmplint.diagnostics import CANNOT_ANALYSE, SAFE, UNSAFE, Diagnostic
from tmplint.project import display_path
from tmplint.registry import RULES

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from tmplint.edits import Edit

FIX_ALL = "source.fixAll.tmplint"
SOURCE = "tmplint"


class Checked(NamedTuple):
    """The last check of a document: what the editor showed was computed from ``text``."""

    version: Optional[int]
    text: str
    path: str
    config: Optional[Config]
    diagnostics: List[Diagnostic]  # as tmplint.api.check_text gives them (0-based columns)


def check(path: str, text: str, version: Optional[int]) -> Checked:
    """The findings of ``text`` as the file at ``path``; a configuration error becomes one TMP000."""
    try:
        config = api.settings_for(path)
    except ConfigError as exc:
        return Checked(version, text, path, None, [Diagnostic(CANNOT_ANALYSE, str(exc), path, 1, 0, 1, 0)])
    return Checked(version, text, path, config, api.check_text(text, path, config))


def build_server() -> "LanguageServer":
    """The pygls server with tmplint's features registered."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    server = LanguageServer("tmplint", __version__)
    checked: Dict[str, Checked] = {}
    running: Dict[str, "asyncio.Future[None]"] = {}
    again: Set[str] = set()

    def path_of(uri: str) -> Optional[str]:
        path = to_fs_path(uri) if uri.startswith("file:") else None
        return display_path(path) if path else None

    def lsp_range(document, line: int, col: int, end_line: int, end_col: int) -> "types.Range":
        """A range in the client's units from 1-based lines and 0-based code point columns."""
        return document.range_to_client_units(types.Range(
            start=types.Position(line=max(0, line - 1), character=max(0, col)),
            end=types.Position(line=max(0, end_line - 1), character=max(0, end_col))))

    def to_lsp(document, diagnostic: Diagnostic) -> "types.Diagnostic":
        rule = RULES.get(diagnostic.code)
        failed = diagnostic.code == CANNOT_ANALYSE
        message = f"cannot analyse: {diagnostic.message}" if failed else diagnostic.message
        return types.Diagnostic(
            range=lsp_range(document, diagnostic.line, diagnostic.col, diagnostic.end_line, diagnostic.end_col),
            message=message,
            severity=types.DiagnosticSeverity.Error if failed else types.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            code_description=types.CodeDescription(href=_url(diagnostic.code)) if rule is not None else None,
            source=SOURCE,
            data=list(_key(diagnostic)),
        )

    def publish(uri: str, result: Checked) -> None:
        checked[uri] = result
        document = server.workspace.get_text_document(uri)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=result.version, diagnostics=[to_lsp(document, d) for d in result.diagnostics]))

    async def lint(uri: str) -> None:
        """Check the document until no edit came in while it was being checked; publish each result."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                again.discard(uri)
                path = path_of(uri)
                if path is None or uri not in server.workspace.text_documents:
                    return
                document = server.workspace.get_text_document(uri)
                result = await loop.run_in_executor(None, check, path, document.source, document.version)
                if uri not in again and uri in server.workspace.text_documents:
                    publish(uri, result)
                if uri not in again:
                    return
        finally:
            running.pop(uri, None)

    def schedule(uri: str) -> None:
        if uri in running:
            again.add(uri)
        else:
            running[uri] = asyncio.ensure_future(lint(uri))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams) -> None:
        schedule(params.text_document.uri)  # other files may have changed on disk too

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        checked.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def current(uri: str) -> Optional[Checked]:
        """The check of the document as the editor has it now (checked again if it has changed)."""
        path = path_of(uri)
        if path is None:
            return None
        document = server.workspace.get_text_document(uri)
        result = checked.get(uri)
        if result is None or result.text != document.source:
            result = check(path, document.source, document.version)
            publish(uri, result)
        return result

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
    def code_actions(ls, params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        uri = params.text_document.uri
        result = current(uri)
        if result is None or result.config is None:
            return None
        document = server.workspace.get_text_document(uri)
        wanted = params.context.only
        actions: List[types.CodeAction] = []
        if _asks(wanted, types.CodeActionKind.QuickFix):
            actions.extend(quick_fixes(document, uri, result, params.context.diagnostics))
        if _asks(wanted, FIX_ALL):
            action = fix_all(document, uri, result)
            if action is not None:
                actions.append(action)
        return actions

    def quick_fixes(document, uri: str, result: Checked,
                    shown: Sequence["types.Diagnostic"]) -> List["types.CodeAction"]:
        from tmplint.edits import fix_edits

        keys = {tuple(d.data) for d in shown if d.source == SOURCE and isinstance(d.data, (list, tuple))}
        findings = [d for d in result.diagnostics if d.fixable and _key(d) in keys]
        if not findings:
            return []
        by_finding = fix_edits(findings, result.config, {result.path: result.text})
        actions = []
        for finding in findings:
            edits = by_finding.get(finding) or []
            if not edits:
                continue
            unsafe = finding.fix_applicability == UNSAFE
            title = f"tmplint: {finding.fix_title}" + (" (unsafe: check what else uses the name)" if unsafe else "")
            actions.append(types.CodeAction(
                title=title, kind=types.CodeActionKind.QuickFix,
                diagnostics=[to_lsp(document, finding)], is_preferred=not unsafe,
                edit=types.WorkspaceEdit(changes={uri: [text_edit(document, e) for e in edits]})))
        return actions

    def fix_all(document, uri: str, result: Checked) -> Optional["types.CodeAction"]:
        from tmplint.edits import text_edits
        from tmplint.source import SourceError

        if result.config is None or not any(d.fix_applicability == SAFE for d in result.diagnostics):
            return None
        try:
            fixed = api.fix_text(result.text, result.path, result.config).text
        except SourceError:
            return None
        if fixed == result.text:
            return None
        return types.CodeAction(
            title="tmplint: fix all safely fixable temp names", kind=FIX_ALL,
            edit=types.WorkspaceEdit(changes={uri: [text_edit(document, e) for e in text_edits(result.text, fixed)]}))

    def text_edit(document, edit: "Edit") -> "types.TextEdit":
        start, end = edit["location"], edit["end_location"]
        return types.TextEdit(range=lsp_range(document, start["row"], start["column"] - 1, end["row"], end["column"] - 1),
                              new_text=edit["content"])

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams) -> Optional[types.Hover]:
        result = checked.get(params.text_document.uri)
        if result is None:
            return None
        document = server.workspace.get_text_document(params.text_document.uri)
        for diagnostic in result.diagnostics:
            where = lsp_range(document, diagnostic.line, diagnostic.col, diagnostic.end_line, diagnostic.end_col)
            if diagnostic.code in RULES and _inside(params.position, where):
                return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                                value=hover_text(diagnostic.code)), range=where)
        return None

    return server


def hover_text(code: str) -> str:
    rule = RULES[code]
    return f"**{code}** `{rule.name}`: {rule.summary}\n\n[{code} documentation]({_url(code)})"


def _url(code: str) -> str:
    from tmplint.reporters import rule_url

    return rule_url(code) or ""


def _key(diagnostic: Diagnostic) -> tuple:
    """What identifies a finding in the document's last check (the LSP diagnostic's ``data``)."""
    return (diagnostic.code, diagnostic.line, diagnostic.col)


def _asks(only: Optional[Sequence[str]], kind: str) -> bool:
    """Whether a code action request for the kinds ``only`` (None: any) includes ``kind``."""
    kind = getattr(kind, "value", kind)
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in (getattr(k, "value", k) for k in only))


def _inside(position, where) -> bool:
    after_start = (position.line, position.character) >= (where.start.line, where.start.character)
    return after_start and (position.line, position.character) <= (where.end.line, where.end.character)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``tmplint server``: serve over stdin and stdout until the client says exit."""
    try:
        server = build_server()
    except ImportError as exc:
        print(f"tmplint: error: the language server needs pygls ({exc.name} is missing): "
              "pip install 'tmplint[server]'", file=sys.stderr)
        return 2
    server.start_io()
    return 0
