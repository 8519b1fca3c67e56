"""`dalle-migrate server` driven end to end by a real LSP client over stdio (pytest-lsp):
diagnostics as files and notebooks are opened and edited, code actions that fix or silence them,
the project's configuration, and modules read from the editor's unsaved buffers."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import textwrap
from pathlib import Path
from typing import List, Optional

import pytest

if importlib.util.find_spec("pytest_lsp") is None or importlib.util.find_spec("pygls") is None:
    pytest.skip("pytest-lsp, which drives the server, is in the test extras from Python 3.10", allow_module_level=True)

import pytest_lsp  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from dalle_migrate.rules import RULES_BY_CODE  # noqa: E402

TODAY = "2026-11-25"
DIAGNOSTICS = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS

APP = textwrap.dedent(
    """\
    from openai import OpenAI

    client = OpenAI()


    def poster(prompt):
        return client.images.generate(model="dall-e-3", prompt=prompt, quality="hd")
    """
)


# One server for the module, as an editor keeps one: each test opens files of its own folder.
@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "dalle_migrate", "server", "--today", TODAY]))
async def client(lsp_client: LanguageClient):
    published: List[types.PublishDiagnosticsParams] = []

    features = lsp_client.protocol.fm.features
    default = features[DIAGNOSTICS]

    def keep(*args):  # every one, in order (the client keeps only each document's last)
        published.append(args[-1])
        return default(*args)

    features[DIAGNOSTICS] = keep

    lsp_client.published = published  # type: ignore[attr-defined]
    registrations: List[types.Registration] = []
    lsp_client.registrations = registrations  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:  # as an editor that watches files
        registrations.extend(params.registrations)

    watching = types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(did_change_watched_files=watching))
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


async def _published(client: LanguageClient, uri: str, version: Optional[int] = None, seen: int = 0) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``uri`` (at ``version``) after the ``seen`` first ones."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        for params in client.published[seen:]:  # type: ignore[attr-defined]
            if params.uri == uri and (version is None or params.version == version):
                return params
        assert asyncio.get_running_loop().time() < deadline, f"no diagnostics for {uri} (version {version})"
        await asyncio.sleep(0.005)


def _uri(path: Path) -> str:
    return path.resolve().as_uri()


async def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> List[types.Diagnostic]:
    uri = _uri(path)
    seen = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text))
    )
    return list((await _published(client, uri, version, seen)).diagnostics)


async def _replace(client: LanguageClient, path: Path, text: str, version: int) -> List[types.Diagnostic]:
    uri = _uri(path)
    seen = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return list((await _published(client, uri, version, seen)).diagnostics)


def _apply(text: str, edits: List[types.TextEdit]) -> str:
    """The edits applied as an editor applies them (ASCII text: columns are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(p: types.Position) -> int:
        return starts[p.line] + p.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def _text_at(text: str, r: types.Range) -> str:
    lines = text.splitlines(keepends=True)
    assert r.start.line == r.end.line
    return lines[r.start.line][r.start.character : r.end.character]


async def _actions(client: LanguageClient, path: Path, diagnostics: List[types.Diagnostic], only=None) -> List[types.CodeAction]:
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=10_000, character=0))
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=_uri(path)),
            range=diagnostics[0].range if diagnostics and only is None else whole,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )


@pytest.mark.asyncio(loop_scope="module")
async def test_opened_file_gets_the_findings_of_check_with_their_rule_pages(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(APP)
    diagnostics = await _open(client, path, APP)
    by_code = {d.code: d for d in diagnostics}
    assert set(by_code) == {"DM101", "DM202"}
    assert _text_at(APP, by_code["DM101"].range) == '"dall-e-3"'
    assert _text_at(APP, by_code["DM202"].range) == '"hd"'
    assert by_code["DM101"].severity == types.DiagnosticSeverity.Error
    assert by_code["DM101"].source == "dalle-migrate"
    assert by_code["DM101"].code_description.href == RULES_BY_CODE["DM101"].url()
    assert "dall-e-3" in by_code["DM101"].message and "(fix available)" in by_code["DM101"].message


@pytest.mark.asyncio(loop_scope="module")
async def test_quick_fix_noqa_and_fix_all(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(APP)
    diagnostics = await _open(client, path, APP)
    model = next(d for d in diagnostics if d.code == "DM101")
    actions = await _actions(client, path, [model])
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "noqa" not in a.title]
    assert len(fixes) == 1 and fixes[0].is_preferred and "(unsafe)" not in fixes[0].title
    fixed = _apply(APP, fixes[0].edit.changes[_uri(path)])
    assert 'model="gpt-image-2"' in fixed and 'quality="hd"' in fixed
    noqa = next(a for a in actions if "noqa" in a.title)
    silenced = _apply(APP, noqa.edit.changes[_uri(path)])
    assert silenced.splitlines()[6].endswith("  # noqa: DM101")
    assert [d.code for d in await _replace(client, path, silenced, 2)] == ["DM202"]  # the noqa is honoured

    all_actions = await _actions(client, path, [], only=[types.CodeActionKind.SourceFixAll])
    assert len(all_actions) == 1
    every = _apply(silenced, all_actions[0].edit.changes[_uri(path)])
    assert 'quality="high"' in every
    assert await _replace(client, path, every, 3) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_unsafe_fix_is_labelled_and_not_preferred(client: LanguageClient, tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        import requests
        from openai import OpenAI

        client = OpenAI()
        result = client.images.generate(model="gpt-image-2", prompt="a fox")
        png = requests.get(result.data[0].url).content
        """
    )
    path = tmp_path / "download.py"
    path.write_text(text)
    diagnostics = await _open(client, path, text)
    url = next(d for d in diagnostics if d.code == "DM301")
    actions = await _actions(client, path, [url])
    fixes = [a for a in actions if "noqa" not in a.title]
    assert fixes, actions
    assert all(a.title.endswith("(unsafe)") and not a.is_preferred for a in fixes if "unsafe" in url.message) or all(
        a.is_preferred for a in fixes
    )
    fix_all = await _actions(client, path, [], only=[types.CodeActionKind.SourceFixAll])
    safe_titles = [a.title for a in fix_all]
    assert all("safe" in t for t in safe_titles)


@pytest.mark.asyncio(loop_scope="module")
async def test_edits_are_analysed_and_the_configuration_is_read(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dalle-migrate]\nper-file-ignores = { "legacy/*.py" = ["DM202"] }\n')
    (tmp_path / "legacy").mkdir()
    path = tmp_path / "legacy" / "old.py"
    path.write_text(APP)
    assert [d.code for d in await _open(client, path, APP)] == ["DM101"]
    clean = APP.replace("dall-e-3", "gpt-image-2")
    assert await _replace(client, path, clean, 2) == []
    worse = clean.replace("prompt=prompt", 'prompt=prompt, style="vivid"')
    assert [d.code for d in await _replace(client, path, worse, 3)] == ["DM204"]


@pytest.mark.asyncio(loop_scope="module")
async def test_another_module_is_read_from_its_unsaved_buffer(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    settings = tmp_path / "settings.py"
    settings.write_text('IMAGE_MODEL = "gpt-image-2"\n')
    images = tmp_path / "images.py"
    images_text = textwrap.dedent(
        """\
        from openai import OpenAI

        import settings


        def banner(prompt):
            return OpenAI().images.generate(model=settings.IMAGE_MODEL, prompt=prompt)
        """
    )
    images.write_text(images_text)
    assert await _open(client, images, images_text) == []
    # settings.py is opened and changed in the editor, not saved: its value is what counts.
    unsaved = 'IMAGE_MODEL = "dall-e-2"\n'
    assert await _open(client, settings, settings.read_text()) == []
    placed = await _replace(client, settings, unsaved, 2)
    assert [d.code for d in placed] == ["DM101"], placed
    assert "images.py:7" in placed[0].message  # the call that uses it, in the other module
    assert settings.read_text() == 'IMAGE_MODEL = "gpt-image-2"\n'  # nothing written
    again = await _replace(client, images, images_text + "\n", 2)
    assert [d.code for d in again] == [], again  # the finding is the setting's, reported there
    # An edit of images.py that stops using the setting: settings.py's DM101 goes, once the
    # typing pauses (the other open files are analysed again then); the id is a DM105 now.
    seen = len(client.published)  # type: ignore[attr-defined]
    literal = images_text.replace("model=settings.IMAGE_MODEL", 'model="gpt-image-2"')
    assert await _replace(client, images, literal, 3) == []
    assert [d.code for d in (await _published(client, _uri(settings), 2, seen)).diagnostics] == ["DM105"]


@pytest.mark.asyncio(loop_scope="module")
async def test_notebook_cells_get_their_findings(client: LanguageClient, tmp_path: Path) -> None:
    notebook = tmp_path / "demo.ipynb"
    notebook.write_text("{}")
    cells = [
        ("code", "from openai import OpenAI\nclient = OpenAI()"),
        ("markdown", "# Posters\nWe used dall-e-3."),
        ("code", "%pip install openai\nresult = client.images.generate(model='dall-e-3', prompt='a fox')\nprint(result.data[0].url)"),
    ]
    nb_uri = _uri(notebook)
    cell_uris = [f"vscode-notebook-cell:{notebook.resolve().as_posix()}#C{i}" for i in range(len(cells))]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=nb_uri,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(
                        kind=types.NotebookCellKind.Code if kind == "code" else types.NotebookCellKind.Markup, document=uri
                    )
                    for (kind, _), uri in zip(cells, cell_uris)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(uri=uri, language_id="python" if kind == "code" else "markdown", version=1, text=text)
                for (kind, text), uri in zip(cells, cell_uris)
            ],
        )
    )
    seen = {uri: list((await _published(client, uri)).diagnostics) for uri in cell_uris}
    assert seen[cell_uris[0]] == [] and seen[cell_uris[1]] == []
    third = seen[cell_uris[2]]
    assert {d.code for d in third} == {"DM101", "DM301"}
    model = next(d for d in third if d.code == "DM101")
    assert _text_at(cells[2][1], model.range) == "'dall-e-3'"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=cell_uris[2]),
            range=model.range,
            context=types.CodeActionContext(diagnostics=[model]),
        )
    )
    fix = next(a for a in actions if a.is_preferred)
    fixed = _apply(cells[2][1], fix.edit.changes[cell_uris[2]])
    assert "model='gpt-image-2'" in fixed and fixed.startswith("%pip install openai\n")
    # The cell edited in the notebook: its diagnostics follow (the model fixed by hand).
    seen = len(client.published)  # type: ignore[attr-defined]
    edited = cells[2][1].replace("'dall-e-3'", "'gpt-image-2'")
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=nb_uri),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=cell_uris[2], version=2),
                            changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
                        )
                    ]
                )
            ),
        )
    )
    assert {d.code for d in (await _published(client, cell_uris[2], seen=seen)).diagnostics} == {"DM301"}


@pytest.mark.asyncio(loop_scope="module")
async def test_a_module_changed_on_disk_is_read_again(client: LanguageClient, tmp_path: Path) -> None:
    """The server asks the editor to watch Python files, notebooks and pyproject.toml; when one
    changes on disk (a checkout), the open files are analysed again with it. Here images.py,
    not open, stops using settings.py's model: the open settings.py's DM101 becomes a DM105."""
    deadline = asyncio.get_running_loop().time() + 30
    while not (watched := [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]):  # type: ignore[attr-defined]
        assert asyncio.get_running_loop().time() < deadline, "the server did not ask the editor to watch files"
        await asyncio.sleep(0.005)  # (asked once the session is initialized)
    patterns = {w["globPattern"] for w in watched[0].register_options["watchers"]}  # (options arrive as JSON)
    assert {"**/*.py", "**/*.ipynb", "**/pyproject.toml"} <= patterns
    (tmp_path / "pyproject.toml").write_text("")
    settings = tmp_path / "settings.py"
    settings.write_text('IMAGE_MODEL = "dall-e-3"\n')
    images = tmp_path / "images.py"
    images.write_text("from openai import OpenAI\n\nimport settings\n\nOpenAI().images.generate(model=settings.IMAGE_MODEL, prompt='p')\n")
    assert [d.code for d in await _open(client, settings, settings.read_text())] == ["DM101"]
    images.write_text("from openai import OpenAI\n\nOpenAI().images.generate(model='gpt-image-2', prompt='p')\n")
    seen = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=_uri(images), type=types.FileChangeType.Changed)])
    )
    assert [d.code for d in (await _published(client, _uri(settings), seen=seen)).diagnostics] == ["DM105"]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_closed_file_is_read_from_disk_again(client: LanguageClient, tmp_path: Path) -> None:
    """Closing drops the editor's text: its diagnostics are cleared, and the file is read from
    disk again (here by a module that uses its value)."""
    (tmp_path / "pyproject.toml").write_text("")
    settings = tmp_path / "settings.py"
    settings.write_text('IMAGE_MODEL = "gpt-image-2"\n')
    images = tmp_path / "images.py"
    images_text = "from openai import OpenAI\n\nimport settings\n\nOpenAI().images.generate(model=settings.IMAGE_MODEL, prompt='p')\n"
    images.write_text(images_text)
    assert [d.code for d in await _open(client, settings, 'IMAGE_MODEL = "dall-e-3"\n')] == ["DM101"]  # unsaved
    seen = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=_uri(settings))))
    assert list((await _published(client, _uri(settings), seen=seen)).diagnostics) == []
    assert await _open(client, images, images_text) == []  # settings.py as saved: gpt-image-2


@pytest.mark.asyncio(loop_scope="module")
async def test_actions_asked_right_after_an_edit_fit_the_edited_text(client: LanguageClient, tmp_path: Path) -> None:
    """An editor asks for code actions (a fix-all on save) before the edit's own analysis has
    run: the edits offered are computed on the text as it is now, never on the text before."""
    path = tmp_path / "app.py"
    path.write_text(APP)
    await _open(client, path, APP)
    shifted = "# a comment the edit adds above everything\n\n" + APP
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=_uri(path), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=shifted)],
        )
    )
    [action] = await _actions(client, path, [], only=[types.CodeActionKind.SourceFixAll])
    fixed = _apply(shifted, action.edit.changes[_uri(path)])
    assert fixed == shifted.replace('"dall-e-3"', '"gpt-image-2"').replace('quality="hd"', 'quality="high"')


@pytest.mark.asyncio(loop_scope="module")
async def test_a_configuration_check_refuses_is_said_in_the_editor(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dalle-migrate]\ntarget = "dall-e-3"\n')
    path = tmp_path / "app.py"
    path.write_text(APP)
    seen = len(client.messages)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=_uri(path), language_id="python", version=1, text=APP))
    )
    deadline = asyncio.get_running_loop().time() + 30
    while len(client.messages) == seen:
        assert asyncio.get_running_loop().time() < deadline, "no message"
        await asyncio.sleep(0.01)
    message = client.messages[seen]
    assert message.type == types.MessageType.Error and "dall-e-3" in message.message, message
