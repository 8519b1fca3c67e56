"""`dalle-migrate server`: the findings and fixes in the editor, over the Language Server Protocol.

An editor starts it (stdio) and sends the files it opens and each edit; the server answers with
diagnostics from the same run a `check` of that one file makes (its configuration, per-file
ignores, ``noqa`` comments, and the findings other modules of the project place in it), and code
actions: each finding's fix (safe ones as preferred quick fixes, unsafe ones labelled so), a fix
of every safe finding of the file, and a ``noqa`` comment for a finding. Notebooks come cell by
cell (LSP's notebook document sync) and are analysed as the notebook file would be.

What the editor holds open is read from its buffers, saved or not (``source.BUFFERS``): a module
edited beside the one analysed is read as it is on screen. Everything else of the workspace is
read from disk, as a `check` reads it.

pygls and lsprotocol come with ``pip install 'dalle-migrate[server]'``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import unquote, urlparse

from . import __version__
from .add_noqa import noqa_line
from .config import Config, ConfigError, resolve
from .discover import NOTEBOOK_SUFFIXES, SOURCE_SUFFIXES, file_kind
from .findings import Applicability, FileResult, Finding, Severity
from .runner import run as run_files
from .selection import Selection
from .settings import Settings, SettingsError
from .source import BUFFERS, LineIndex, SourceError, SourceText

NAME = "dalle-migrate"
SOURCE = "dalle-migrate"
# Edits closer together than this are analysed once, after the last (typing is not a run each key).
SETTLE_SECONDS = 0.05
# Then the other open files and notebooks, whose findings may come from the one edited (a model
# set there, a wrapper called there): once the typing has paused.
OTHERS_SETTLE_SECONDS = 0.4
FIX_ALL_KIND = "source.fixAll.dalle-migrate"
# Files whose change on disk may change an open file's findings (the modules it reads, its
# configuration): the editor is asked to tell of them.
WATCHED = tuple(f"**/*{suffix}" for suffix in (*SOURCE_SUFFIXES, *NOTEBOOK_SUFFIXES)) + ("**/pyproject.toml",)


def _path_of(uri: str) -> Optional[str]:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return os.path.abspath(unquote(parsed.path))


@dataclasses.dataclass
class Placed:
    """A finding as the editor shows it: in which document (a file, or a notebook's cell), where
    (0-based line and column in code points), with its fix's edits placed the same way."""

    uri: str
    finding: Finding
    start: Tuple[int, int]
    end: Tuple[int, int]
    # (start, end, new text) in the same document, or None when the fix cannot be shown as
    # edits of this one document (it edits another file, or spans notebook cells).
    edits: Optional[List[Tuple[Tuple[int, int], Tuple[int, int], str]]]


class Analyst:
    """The engine's side: settings from the file's configuration, a run on one file."""

    def __init__(self, today: Optional[_dt.date] = None, isolated: bool = False) -> None:
        self.today = today
        self.isolated = isolated
        self._configs: Dict[Tuple[str, Optional[str], Optional[int]], Tuple[Settings, Selection]] = {}

    def setup_for(self, path: str) -> Tuple[Settings, Selection]:
        """The settings and rule selection a `check` run from the file's folder would use."""
        config = resolve(None, self.isolated, cwd=Path(path).parent)
        stamp = None
        if config.path is not None:
            try:
                stamp = os.stat(config.path).st_mtime_ns
            except OSError:
                pass
        key = (str(Path(path).parent), str(config.path) if config.path else None, stamp)
        if key not in self._configs:
            self._configs[key] = self._setup(config)
        return self._configs[key]

    def _setup(self, config: Config) -> Tuple[Settings, Selection]:
        """As `check` builds them (raises SettingsError for settings it would refuse)."""
        today = self.today.isoformat() if self.today else config.today
        settings, _ = Settings.checked(config.target, today, config.catalog, bool(config.unsafe_fixes), config.azure_deployments)
        selection = Selection(
            select=config.select or ("DM",),
            ignore=config.ignore,
            per_file_ignores=config.per_file_ignores,
            root=config.root,
        )
        return settings, selection

    def analyse(self, path: str) -> FileResult:
        """`check` of one file, read from the editor's buffer when it holds one."""
        settings, selection = self.setup_for(path)
        settings = dataclasses.replace(settings, base=str(Path(path).parent))
        results = run_files([path], settings, selection, fix=False, write=False, display=str, jobs=1)
        return results[0] if results else FileResult(Path(path))


def notebook_json(cells: Sequence[Tuple[str, str]]) -> bytes:
    """A notebook file holding ``cells`` ((kind, text): "code" or "markdown"), as the editor has
    them: what the notebook handler reads."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": text, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                for kind, text in cells
            ],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ).encode("utf-8")


def _decoded(data: bytes) -> str:
    try:
        return SourceText.decode(data).text
    except SourceError:
        return data.decode("utf-8", "replace")


def place_in_file(uri: str, text: str, path: str, findings: Sequence[Finding]) -> List[Placed]:
    """The findings of a Python file, placed in its text (the decoded text, newlines as "\\n")."""
    lines = LineIndex(text)
    placed = []
    for f in findings:
        edits: Optional[List[Tuple[Tuple[int, int], Tuple[int, int], str]]] = None
        if f.fix is not None and all(e.path in (None, path) for e in f.fix.edits):
            edits = [(_at(lines, e.start), _at(lines, e.end), e.content) for e in f.fix.edits]
        placed.append(Placed(uri, f, _at(lines, f.start), _at(lines, f.end), edits))
    return placed


def _at(lines: LineIndex, offset: int) -> Tuple[int, int]:
    row, column = lines.position(offset)
    return row - 1, column


def place_in_cells(cell_uris: Sequence[str], cell_texts: Sequence[str], path: str, findings: Sequence[Finding]) -> List[Placed]:
    """A notebook's findings, placed in the cell each is in (``finding.cell``: 1-based among all
    cells); a fix is offered when its edits all fall in that cell."""
    placed = []
    for f in findings:
        number = f.cell or 1
        if not 1 <= number <= len(cell_uris):
            continue
        lines = cell_texts[number - 1].split("\n")
        last = max(len(lines) - 1, 0)

        def at(row: int, column: int) -> Tuple[int, int]:
            line = min(max(row - 1, 0), last)
            return line, min(max(column, 0), len(lines[line]) if lines else 0)

        edits: Optional[List[Tuple[Tuple[int, int], Tuple[int, int], str]]] = None
        if f.fix is not None and len(f.fix_positions) == len(f.fix.edits):
            candidate = []
            for edit, (row, column, end_row, end_column) in zip(f.fix.edits, f.fix_positions):
                inside = edit.path in (None, path) and 1 <= row <= len(lines) and 1 <= end_row <= len(lines)
                if not inside:
                    candidate = None
                    break
                candidate.append((at(row, column), at(end_row, end_column), edit.content))
            edits = candidate
        placed.append(Placed(cell_uris[number - 1], f, at(f.row, f.column - 1), at(f.end_row, f.end_column - 1), edits))
    return placed


# Parsed modules kept between analyses: each edit re-reads the neighbours, which rarely change.
KEPT_MODULES = 64


def serve(today: Optional[_dt.date] = None, isolated: bool = False) -> None:  # pragma: no cover - run by an editor
    from .context import keep_parsed

    keep_parsed(KEPT_MODULES)
    build_server(Analyst(today, isolated)).start_io()


def build_server(analyst: Analyst):
    """The pygls server (imported here: the base install does without it)."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer

    from .rules import RULES_BY_CODE

    server = LanguageServer(
        NAME,
        __version__,
        text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        notebook_document_sync=types.NotebookDocumentSyncOptions(
            notebook_selector=[types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")])]
        ),
    )
    shown: Dict[str, List[Placed]] = {}  # document uri -> what its diagnostics show
    shown_on: Dict[str, Optional[str]] = {}  # document uri -> the text those were found in
    pending: Dict[str, asyncio.TimerHandle] = {}  # file or notebook uri -> the analysis to come
    notebook_cells: Dict[str, List[str]] = {}  # notebook uri -> its cells' uris, as last published

    def position(uri: str, at: Tuple[int, int]) -> Any:
        """An editor position: the column in the units the client counts (UTF-16 by default)."""
        document = server.workspace.get_text_document(uri)
        return document.position_codec.position_to_client_units(document.lines, types.Position(line=at[0], character=at[1]))

    def span(uri: str, start: Tuple[int, int], end: Tuple[int, int]) -> Any:
        return types.Range(start=position(uri, start), end=position(uri, end))

    def diagnostic(placed: Placed) -> Any:
        f = placed.finding
        rule = RULES_BY_CODE.get(f.code)
        message = f.message
        if f.fix is not None:
            message += " (unsafe fix available)" if f.fix.applicability is Applicability.UNSAFE else " (fix available)"
        return types.Diagnostic(
            range=span(placed.uri, placed.start, placed.end),
            message=message,
            severity=types.DiagnosticSeverity.Error if f.severity is Severity.ERROR else types.DiagnosticSeverity.Warning,
            code=f.code,
            code_description=types.CodeDescription(href=rule.url()) if rule is not None else None,
            source=SOURCE,
            data={"key": [f.code, f.start, f.end, f.message]},
        )

    def publish(uri: str, placed: List[Placed], version: Optional[int] = None, text: Optional[str] = None) -> None:
        shown[uri] = placed
        shown_on[uri] = text
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[diagnostic(p) for p in placed], version=version)
        )

    def analyse_file(uri: str) -> None:
        path = _path_of(uri)
        document = server.workspace.get_text_document(uri)
        if path is None or file_kind(Path(path)) != "python":
            return
        BUFFERS[path] = document.source.encode("utf-8")
        result = analyst.analyse(path)
        text = _decoded(BUFFERS[path])
        publish(uri, place_in_file(uri, text, path, result.findings), document.version, document.source)

    def analyse_notebook(uri: str) -> None:
        path = _path_of(uri)
        notebook = server.workspace.get_notebook_document(notebook_uri=uri)
        if path is None or notebook is None:
            return
        uris = [cell.document for cell in notebook.cells]
        texts = [server.workspace.get_text_document(u).source for u in uris]
        kinds = ["code" if cell.kind == types.NotebookCellKind.Code else "markdown" for cell in notebook.cells]
        BUFFERS[path] = notebook_json(list(zip(kinds, texts)))
        result = analyst.analyse(path)
        placed = place_in_cells(uris, texts, path, result.findings)
        for gone in set(notebook_cells.get(uri, ())) - set(uris):
            publish(gone, [])
        notebook_cells[uri] = uris
        for cell_uri, cell_text in zip(uris, texts):
            publish(cell_uri, [p for p in placed if p.uri == cell_uri], text=cell_text)

    def is_open(uri: str) -> bool:
        return server.workspace.get_notebook_document(notebook_uri=uri) is not None or unquote(uri) in server.workspace.text_documents

    def run_now(uri: str) -> None:
        pending.pop(uri, None)
        if not is_open(uri):  # closed while its analysis waited
            return
        try:
            if uri in notebook_cells or server.workspace.get_notebook_document(notebook_uri=uri) is not None:
                analyse_notebook(uri)
            else:
                analyse_file(uri)
        except (ConfigError, SettingsError) as exc:  # the configuration's fault: said to the user
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"{NAME}: {exc}"))
        except Exception:  # noqa: BLE001 - a bug of ours: said in the editor's log, the server goes on
            import traceback

            message = f"{NAME}: internal error, please report it:\n{traceback.format_exc()}"
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def soon(uri: str, delay: float = SETTLE_SECONDS) -> None:
        """Analyse once the edits have settled (each new edit moves the analysis later)."""
        waiting = pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        pending[uri] = asyncio.get_running_loop().call_later(delay, run_now, uri)

    def edited(uri: str) -> None:
        """A file or notebook changed in the editor: it soon, the other open ones later."""
        path = _path_of(uri)
        if path is not None and server.workspace.get_notebook_document(notebook_uri=uri) is None:
            BUFFERS[path] = server.workspace.get_text_document(uri).source.encode("utf-8")  # what the others read
        soon(uri)
        others_later(uri)

    def others_later(uri: Optional[str]) -> None:
        """The open files and notebooks but ``uri``, analysed again once the typing pauses."""
        notebooks = list(server.workspace.notebook_documents.values())
        cells = {cell.document for notebook in notebooks for cell in notebook.cells}
        # (the client's own spelling of each uri: the workspace keys them unquoted)
        others = [d.uri for d in server.workspace.text_documents.values() if d.uri not in cells] + [n.uri for n in notebooks]
        for other in others:
            if other != uri and _path_of(other) is not None:
                soon(other, OTHERS_SETTLE_SECONDS)

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        """Ask the editor to tell of Python files, notebooks and configuration changed on disk
        (a checkout, a formatter, another tool): the open files' findings may come from them."""
        workspace = server.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace is not None else None
        if watched is None or not watched.dynamic_registration:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registration = types.Registration(id=f"{NAME}-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
        server.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(params: types.DidChangeWatchedFilesParams) -> None:
        # Every read of a project file checks its stamp: analysing again reads what changed.
        others_later(None)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        if server.workspace.get_notebook_document(cell_uri=params.text_document.uri) is None:
            run_now(params.text_document.uri)  # the first diagnostics at once

    # A file edited or saved, a notebook's cells edited: each names the document its own way.
    edits = (
        (types.TEXT_DOCUMENT_DID_CHANGE, lambda params: params.text_document.uri),
        (types.TEXT_DOCUMENT_DID_SAVE, lambda params: params.text_document.uri),
        (types.NOTEBOOK_DOCUMENT_DID_CHANGE, lambda params: params.notebook_document.uri),
    )
    for method, document_of in edits:
        server.feature(method)(lambda params, document_of=document_of: edited(document_of(params)))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        path = _path_of(params.text_document.uri)
        if path is not None and server.workspace.get_notebook_document(cell_uri=params.text_document.uri) is None:
            BUFFERS.pop(path, None)  # read from disk again, by the others too
            publish(params.text_document.uri, [])
            others_later(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_open(params: types.DidOpenNotebookDocumentParams) -> None:
        run_now(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_close(params: types.DidCloseNotebookDocumentParams) -> None:
        path = _path_of(params.notebook_document.uri)
        if path is not None:
            BUFFERS.pop(path, None)
        for cell_uri in notebook_cells.pop(params.notebook_document.uri, []):
            publish(cell_uri, [])

    def text_edits(uri: str, edits: List[Tuple[Tuple[int, int], Tuple[int, int], str]]) -> List[Any]:
        return [types.TextEdit(range=span(uri, start, end), new_text=content) for start, end, content in edits]

    def workspace_edit(uri: str, edits: List[Any]) -> Any:
        return types.WorkspaceEdit(changes={uri: edits})

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]),
    )
    def code_actions(params: types.CodeActionParams) -> List[Any]:
        uri = params.text_document.uri
        wanted = params.context.only
        actions: List[Any] = []
        if shown_on.get(uri) != server.workspace.get_text_document(uri).source:
            # Edited since its analysis (which waits for the typing to settle): edits computed on
            # the old text would land in the wrong places. Analysed now, before any is offered.
            notebook = server.workspace.get_notebook_document(cell_uri=uri)
            run_now(notebook.uri if notebook is not None else uri)
        placed_here = shown.get(uri, []) if shown_on.get(uri) == server.workspace.get_text_document(uri).source else []
        asked = {tuple((d.data or {}).get("key", ())) for d in params.context.diagnostics if d.source == SOURCE}
        quick = not wanted or any(kind.startswith(types.CodeActionKind.QuickFix) for kind in wanted)
        if quick:
            for placed in placed_here:
                f = placed.finding
                if (f.code, f.start, f.end, f.message) not in asked and not _touches(placed, params.range):
                    continue
                shown_diagnostic = diagnostic(placed)
                if placed.edits is not None and f.fix is not None:
                    unsafe = f.fix.applicability is Applicability.UNSAFE
                    actions.append(
                        types.CodeAction(
                            title=f"{f.code}: {f.fix.message}" + (" (unsafe)" if unsafe else ""),
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[shown_diagnostic],
                            is_preferred=not unsafe,
                            edit=workspace_edit(placed.uri, text_edits(placed.uri, placed.edits)),
                        )
                    )
                line = placed.start[0]
                document = server.workspace.get_text_document(placed.uri)
                new_line = noqa_line(document.lines[line] if line < len(document.lines) else "", f.code)
                if new_line is not None:
                    old = document.lines[line]
                    body = old.rstrip("\r\n")
                    actions.append(
                        types.CodeAction(
                            title=f"{f.code}: add `# noqa: {f.code}` on this line",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[shown_diagnostic],
                            edit=workspace_edit(
                                placed.uri, text_edits(placed.uri, [((line, 0), (line, len(body)), new_line.rstrip("\r\n"))])
                            ),
                        )
                    )
        fix_all = not wanted or any(
            kind == types.CodeActionKind.Source or types.CodeActionKind.SourceFixAll.startswith(kind) or kind == FIX_ALL_KIND for kind in wanted
        )
        safe = [p for p in placed_here if p.finding.fix is not None and p.finding.fix.applicability is Applicability.SAFE and p.edits]
        if fix_all and safe:
            actions.append(
                types.CodeAction(
                    title=f"{NAME}: fix every safe finding in this file",
                    kind=types.CodeActionKind.SourceFixAll if wanted and types.CodeActionKind.SourceFixAll in wanted else FIX_ALL_KIND,
                    edit=workspace_edit(uri, text_edits(uri, _merged([e for p in safe for e in p.edits or ()]))),
                )
            )
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> Optional[Any]:
        at = (params.position.line, params.position.character)
        for placed in shown.get(params.text_document.uri, []):
            if _touches(placed, None, at):
                rule = RULES_BY_CODE.get(placed.finding.code)
                if rule is None:
                    continue
                page = f"**{rule.code} {rule.name}**: {placed.finding.message}\n\n{rule.summary}\n\n[{rule.code} page]({rule.url()})"
                return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=page))
        return None

    return server


def _touches(placed: Placed, range_: Any, at: Optional[Tuple[int, int]] = None) -> bool:
    if at is None:
        at_start = (range_.start.line, range_.start.character)
        at_end = (range_.end.line, range_.end.character)
    else:
        at_start = at_end = at
    return not (at_end < placed.start or placed.end < at_start)


def _merged(edits: List[Tuple[Tuple[int, int], Tuple[int, int], str]]) -> List[Tuple[Tuple[int, int], Tuple[int, int], str]]:
    """Each edit once, in order, none overlapping an earlier one (several findings share one fix
    of a shared definition; colliding fixes wait for the next round, as `fix` does)."""
    chosen: List[Tuple[Tuple[int, int], Tuple[int, int], str]] = []
    for edit in sorted(set(edits)):
        if chosen and edit[0] < chosen[-1][1]:
            continue
        chosen.append(edit)
    return chosen
