"""How long the language server takes to show diagnostics: the first after a file is opened, and
after each edit (from the edit sent to the diagnostics received, settling delay included).

    python bench/lsp_latency.py [--lines 2000] [--edits 20] [--file PATH]

It writes a project to a temporary folder: a settings module, and a module of ``--lines`` lines
(chat helpers, as real modules are) whose image call takes the settings' model; then it opens the
module, edits a line of it ``--edits`` times, and prints the median and worst time of each step.
``--file`` opens an existing file in its own project instead (nothing is written to it: the edits
are the editor's, unsaved).
Needs the test extras (pytest-lsp, as a plain LSP client).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig

HELPER = '''

def ask_{i}(client, question):
    """Ask the chat model about topic {i}."""
    reply = client.chat.completions.create(model=settings.CHAT_MODEL, messages=[{{"role": "user", "content": question}}])
    text = reply.choices[0].message.content
    return text.strip() if text else ""
'''


def module_of(lines: int) -> str:
    head = 'from openai import OpenAI\n\nimport settings\n\nclient = OpenAI()\n\n\ndef poster(prompt):\n    return client.images.generate(model=settings.IMAGE_MODEL, prompt=prompt, quality="hd")\n'
    body, i = [head], 0
    while sum(part.count("\n") for part in body) < lines:
        body.append(HELPER.format(i=i))
        i += 1
    return "".join(body)


async def measure(lines: int, edits: int, given: "Path | None" = None) -> None:
    if given is not None:
        path = given.resolve()
        folder = path.parent
        text = path.read_text(encoding="utf-8")
    else:
        folder = Path(tempfile.mkdtemp(prefix="lsp-latency-"))
        (folder / "pyproject.toml").write_text("")
        (folder / "settings.py").write_text('CHAT_MODEL = "gpt-4o"\nIMAGE_MODEL = "dall-e-3"\n')
        text = module_of(lines)
        path = folder / "app.py"
        path.write_text(text)
    uri = path.as_uri()
    config = ClientServerConfig(server_command=[sys.executable, "-m", "dalle_migrate", "server", "--today", "2026-11-25"])
    client = await config.start(devtools=None)
    published: list = []
    features = client.protocol.fm.features
    default = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def keep(*args):
        published.append((time.perf_counter(), args[-1]))
        return default(*args)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = keep
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=folder.as_uri()))

    async def wait(version: int, since: int) -> float:
        while True:
            for at, params in published[since:]:
                if params.uri == uri and params.version == version:
                    return at
            await asyncio.sleep(0.001)

    sent = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    first = await wait(1, 0) - sent
    codes = sorted(d.code for d in published[-1][1].diagnostics)
    times = []
    for version in range(2, edits + 2):
        since = len(published)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=8, character=0), end=types.Position(line=8, character=0)),
            text=f"    # edit {version}\n",
        )
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change])
        )
        times.append(await wait(version, since) - sent)
    await client.shutdown_session()
    await client.stop()
    print(f"{text.count(chr(10))}-line module ({len(text) // 1024} KB), findings {codes}")
    print(f"  first diagnostics after opening: {first * 1000:.0f} ms")
    print(f"  after an edit: median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms ({edits} edits)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--file", type=Path, help="an existing file to open instead (left unchanged on disk)")
    args = parser.parse_args()
    asyncio.run(measure(args.lines, args.edits, args.file))


if __name__ == "__main__":
    main()
