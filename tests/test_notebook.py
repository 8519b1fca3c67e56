"""Notebooks: code cells as one module, IPython syntax untouched, every other byte kept."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dalle_migrate.engine import Selection, process_file
from dalle_migrate.notebook import parse_notebook
from support import settings

import warm_python


def code(*lines):
    return {"cell_type": "code", "execution_count": None, "id": f"c{abs(hash(lines)) % 10**6}", "metadata": {}, "outputs": [], "source": list(lines)}


def markdown(*lines):
    return {"cell_type": "markdown", "id": "md", "metadata": {}, "source": list(lines)}


def notebook(*cells, **dump):
    nb = {"cells": list(cells), "metadata": {"kernelspec": {"display_name": "Python 3", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    options = {"indent": 1, "ensure_ascii": False}
    options.update(dump)
    return json.dumps(nb, **options)


CELLS = (
    markdown("# Make a poster ☕\n", "With `dall-e-3`."),
    code("%pip install -q openai\n", "!echo ready\n", "from openai import OpenAI\n", "client = OpenAI()"),
    code("%%time\n", "result = client.images.generate(\n", "    model=\"dall-e-3\",\n", "    prompt=\"a poster\",\n", "    style=\"vivid\",\n", ")"),
    {**code("print('big output')"), "outputs": [{"output_type": "stream", "name": "stdout", "text": ["x" * 5000 + "\n"] * 50}], "execution_count": 3},
    code("import requests\n", "poster = requests.get(result.data[0].url).content\n", "client?\n", "len(poster)"),
    code("%%bash\n", "echo model=dall-e-3\n"),
)


def fix(tmp_path: Path, text: str, name="poster.ipynb", **kw):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    result = process_file(path, settings(**kw), Selection(), fix=True)
    return path, result


def outside_sources(text: str) -> str:
    """The file with every code cell's source span cut out."""
    root = parse_notebook(text)
    spans = [c.children["source"] for c in root.children["cells"].children]
    out, last = [], 0
    for span in spans:
        out.append(text[last : span.start])
        last = span.end
    return "".join(out) + text[last:]


def test_cells_are_one_module_and_everything_else_is_kept(tmp_path):
    before = notebook(*CELLS) + "\n"
    path, result = fix(tmp_path, before)
    after = path.read_text(encoding="utf-8")
    assert not result.error and result.changed
    assert outside_sources(after) == outside_sources(before)
    cells = json.loads(after)["cells"]
    assert cells[1]["source"][:3] == ["%pip install -q openai\n", "!echo ready\n", "from openai import OpenAI\n"]
    assert cells[2]["source"] == ["%%time\n", "result = client.images.generate(\n", "    model=\"gpt-image-2\",\n", "    prompt=\"a poster\",\n", ")"]
    # The URL read in a later cell than the call is followed there.
    assert cells[4]["source"][1] == "poster = base64.b64decode(result.data[0].b64_json)\n"
    assert "client?\n" in cells[4]["source"]
    assert cells[5]["source"] == ["%%bash\n", "echo model=dall-e-3\n"]  # not Python: never touched
    assert "import base64\n" in "".join(cells[1]["source"]) + "".join(cells[4]["source"])
    assert after.endswith("}\n")
    # Idempotent.
    again = process_file(path, settings(), Selection(), fix=True)
    assert not again.changed and path.read_text(encoding="utf-8") == after


def test_findings_carry_the_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(*CELLS))
    result = process_file(path, settings(), Selection())
    located = {(f.code, f.cell, f.row, f.column) for f in result.findings}
    assert ("DM101", 3, 3, 11) in located
    assert ("DM204", 3, 5, 5) in located
    assert ("DM301", 5, 2, 23) in located


@pytest.mark.parametrize(
    "dump",
    [{"indent": 1}, {"indent": 2}, {"indent": 4, "ensure_ascii": True}, {"indent": None, "separators": (",", ":")}, {"indent": None}],
    ids=["indent1", "indent2", "ascii-escaped", "compact", "one-line"],
)
def test_json_layouts_are_kept(tmp_path, dump):
    before = notebook(*CELLS, **dump)
    path, result = fix(tmp_path, before)
    after = path.read_text(encoding="utf-8")
    assert result.changed
    assert outside_sources(after) == outside_sources(before)
    assert ("\\u2615" in after) == ("\\u2615" in before)  # escaping style of the file
    assert json.loads(after)["cells"][2]["source"][2] == "    model=\"gpt-image-2\",\n"


def test_crlf_and_no_trailing_newline(tmp_path):
    before = notebook(*CELLS).replace("\n", "\r\n")  # no final newline
    path, _ = fix(tmp_path, before)
    after = path.read_bytes().decode("utf-8")
    assert "\n" not in after.replace("\r\n", "")
    assert not after.endswith("\n")
    assert outside_sources(after) == outside_sources(before)


def test_source_written_as_a_string_stays_a_string(tmp_path):
    cell = code()
    cell["source"] = 'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-2", prompt="x")'
    path, _ = fix(tmp_path, notebook(cell))
    assert json.loads(path.read_text())["cells"][0]["source"] == 'from openai import OpenAI\nOpenAI().images.generate(model="gpt-image-2", prompt="x")'


@pytest.mark.parametrize(
    "text",
    ['{"cells": [', '{"cells": "dall-e-3"}', "not json at all: openai.images.generate", '{"cells": []} trailing'],
    ids=["truncated", "cells-not-a-list", "not-json", "extra-data"],
)
def test_invalid_notebook_is_dm900_and_untouched(tmp_path, text):
    text = text if "openai.images" in text or "dall-e" in text else text + " import openai; client.images.generate"
    path, result = fix(tmp_path, text)
    assert [f.code for f in result.findings] == ["DM900"]
    assert path.read_text() == text


def test_syntax_error_in_a_cell_names_the_cell(tmp_path):
    path, result = fix(tmp_path, notebook(code("from openai import OpenAI\n"), code("OpenAI().images.generate(model='dall-e-3', prompt='x'\n")))
    assert [(f.code, f.cell) for f in result.findings] == [("DM900", 2)]
    assert not result.changed


def test_python_export_of_a_notebook_is_explained(tmp_path):
    path = tmp_path / "export.py"
    path.write_text('!pip install openai\nfrom openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x")\n')
    result = process_file(path, settings(), Selection(), fix=True)
    assert [f.code for f in result.findings] == ["DM900"]
    assert "notebook exported to Python" in result.findings[0].message and "`!pip install openai`" in result.findings[0].message


def test_text_and_json_reports_name_the_cell(tmp_path):
    (tmp_path / "nb.ipynb").write_text(notebook(*CELLS))
    out = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", "check", "nb.ipynb", "--today", "2026-11-25"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "nb.ipynb:cell 3:3:11: DM101" in out.stdout
    out = subprocess.run(
        [sys.executable, "-m", "dalle_migrate", "check", "nb.ipynb", "--format", "json", "--today", "2026-11-25"], cwd=tmp_path, capture_output=True, text=True
    )
    assert {(i["code"], i["cell"]) for i in json.loads(out.stdout)} >= {("DM101", 3), ("DM301", 5)}


def notebook_code(path: Path) -> str:
    """A notebook's code cells in order, as a plain-Python kernel would run them: IPython-only
    lines are skipped, cell magics that wrap Python run their body."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if source.startswith("%%") and not source.startswith("%%time"):
            continue
        lines += [line for line in source.splitlines() if not line.strip().startswith(("%", "!")) and not line.strip().endswith("?")]
    return "\n".join(lines) + "\n"


def run_cells(path: Path, base_url: str, out_dir: Path) -> subprocess.CompletedProcess:
    """Run a notebook's code cells in order, as a kernel would."""
    script = path.with_suffix(".cells.py")
    script.write_text(notebook_code(path), encoding="utf-8")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key", OUT_DIR=str(out_dir), NO_PROXY="127.0.0.1,localhost")
    return warm_python.run([str(script)], Path.cwd(), env)


E2E_CELLS = (
    markdown("# Storyboard\n", "Generates frames with DALL·E 3."),
    code("%pip install -q openai\n", "import base64, os, pathlib, urllib.request\n", "from openai import OpenAI\n", "client = OpenAI()\n", "FRAME_MODEL = \"dall-e-3\""),
    code("%%time\n", "frames = client.images.generate(\n", "    model=FRAME_MODEL,\n", "    prompt=\"storyboard frame: a lighthouse keeper\",\n", "    size=\"1792x1024\",\n", "    quality=\"hd\",\n", "    response_format=\"url\",\n", ")"),
    code("out = pathlib.Path(os.environ[\"OUT_DIR\"]) / \"frame.png\"\n", "urllib.request.urlretrieve(frames.data[0].url, out)\n", "print(\"saved\", out.stat().st_size, out.read_bytes()[:4])"),
    code("print(frames.data[0].revised_prompt)"),
)


def test_migrated_notebook_runs_against_the_stand_in(tmp_path, images_api):
    pytest.importorskip("openai")
    path = tmp_path / "storyboard.ipynb"
    path.write_text(notebook(*E2E_CELLS) + "\n", encoding="utf-8")
    before = run_cells(path, images_api.base_url, tmp_path)
    assert before.returncode != 0 and "The model 'dall-e-3' does not exist." in before.stderr
    out = warm_python.cli(["fix", str(path), "--today", "2026-11-25"], Path.cwd())
    assert out.returncode == 1, out.stdout + out.stderr  # DM302 (revised_prompt) needs a person
    assert "DM302" in out.stdout and "cell 5:1:7" in out.stdout, out.stdout
    after = run_cells(path, images_api.base_url, tmp_path)
    assert after.returncode == 0, after.stderr
    assert "saved" in after.stdout and "b'\\x89PNG'" in after.stdout


# -- a notebook calling a wrapper in a module of its project, end to end --------------------------
HELPERS = '''\
import base64

from openai import OpenAI

client = OpenAI()
IMAGE_MODEL = "dall-e-3"


def poster(prompt, size="1024x1024", model=IMAGE_MODEL):
    result = client.images.generate(model=model, prompt=prompt, size=size, response_format="b64_json")
    return base64.b64decode(result.data[0].b64_json)
'''

POSTER_CALL = 'png = poster("a lighthouse at dusk", size="512x512", model="dall-e-2")'
# An output from an earlier run (an image) and cell metadata: kept byte for byte by `fix`.
EARLIER_OUTPUT = {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=\n", "text/plain": ["<Image>"]}, "metadata": {"image/png": {"width": 512}}}
EXPLORE_CELLS = (
    markdown("# Explore\n", "Posters with DALL·E, via `helpers.poster`."),
    {**code("%pip install openai"), "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Requirement already satisfied: openai\n"]}]},
    {**code("from helpers import poster"), "metadata": {"tags": ["setup"]}},
    {**code(POSTER_CALL), "execution_count": 3, "outputs": [EARLIER_OUTPUT], "metadata": {"collapsed": False, "scrolled": True}},
    code("import os, pathlib\n", 'out = pathlib.Path(os.environ["IMAGE_OUT_DIR"]) / "lighthouse.png"\n', "out.write_bytes(png)\n", 'print("saved", out.stat().st_size)'),
)


def run_cells_in_folder(path: Path, base_url: str, out_dir: Path) -> subprocess.CompletedProcess:
    """``run_cells``, with the kernel's working directory and ``sys.path[0]`` the notebook's folder
    (a notebook imports its neighbours) and the script kept outside the project."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key", IMAGE_OUT_DIR=str(out_dir), NO_PROXY="127.0.0.1,localhost")
    env.pop("PYTHONPATH", None)
    # `python -c` puts '' (the working directory) first on sys.path, as a kernel does.
    return warm_python.run(["-c", notebook_code(path)], path.parent, env)


def project_files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_notebook_calling_a_project_wrapper_runs_against_the_stand_in(tmp_path, images_api, api_log):
    pytest.importorskip("openai")
    project = tmp_path / "project"
    project.mkdir()
    (project / "helpers.py").write_text(HELPERS, encoding="utf-8")
    path = project / "explore.ipynb"
    before = notebook(*EXPLORE_CELLS) + "\n"
    path.write_bytes(before.encode("utf-8"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def dm(*args):
        return warm_python.cli([*args, "--today", "2026-11-25"], project)

    # Before: the notebook's call reaches the API with dall-e-2 and 512x512, and is rejected.
    failed = run_cells_in_folder(path, images_api.base_url, out_dir)
    assert failed.returncode != 0 and "The model 'dall-e-2' does not exist." in failed.stderr, failed.stderr
    assert [(r.model, r.params.get("size"), r.ok) for r in api_log] == [("dall-e-2", "512x512", False)]
    assert not (out_dir / "lighthouse.png").exists()

    # check: the notebook's arguments are reported in its cell, the module's default in helpers.py.
    checked = dm("check", ".", "--format", "json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    items = json.loads(checked.stdout)
    located = {(i["filename"], i["cell"], i["code"], i["location"]["row"], i["location"]["column"]) for i in items}
    size_column = POSTER_CALL.index('"512x512"') + 1
    model_column = POSTER_CALL.index('"dall-e-2"') + 1
    assert ("explore.ipynb", 4, "DM201", 1, size_column) in located
    assert ("explore.ipynb", 4, "DM101", 1, model_column) in located
    assert ("helpers.py", None, "DM101", 6, 15) in located
    in_cell = [i for i in items if i["filename"] == "explore.ipynb"]
    assert all(i["message"].endswith("Used by the image call at helpers.py:10:14.") for i in in_cell), in_cell
    default = next(i for i in items if i["filename"] == "helpers.py" and i["code"] == "DM101")
    assert "'dall-e-3'" in default["message"] and "gpt-image-2" in default["message"]
    # helpers.py's own call (response_format) is its own finding; nothing else is reported.
    assert {(i["filename"], i["code"]) for i in items} == {("explore.ipynb", "DM201"), ("explore.ipynb", "DM101"), ("helpers.py", "DM101"), ("helpers.py", "DM203")}
    text = dm("check", ".")
    assert f"explore.ipynb:cell 4:1:{model_column}: DM101" in text.stdout and f"explore.ipynb:cell 4:1:{size_column}: DM201" in text.stdout, text.stdout

    # fix: both files are written; the notebook's only change is its call's cell source.
    fixed = dm("fix", ".")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = path.read_bytes().decode("utf-8")
    assert outside_sources(after) == outside_sources(before)
    cells_before, cells_after = json.loads(before)["cells"], json.loads(after)["cells"]
    assert [c["source"] for c in cells_after] == [
        *[c["source"] for c in cells_before[:3]],
        ['png = poster("a lighthouse at dusk", size="1024x1024", model="gpt-image-2")'],
        cells_before[4]["source"],
    ]
    assert [{k: v for k, v in c.items() if k != "source"} for c in cells_after] == [{k: v for k, v in c.items() if k != "source"} for c in cells_before]
    helpers = (project / "helpers.py").read_text(encoding="utf-8")
    assert 'IMAGE_MODEL = "gpt-image-2"' in helpers and "dall-e" not in helpers
    assert "response_format" not in helpers and "client.images.generate(model=model, prompt=prompt, size=size)" in helpers

    # After: the cells run, every request is accepted on gpt-image-2 and a PNG is written.
    api_log.clear()
    ran = run_cells_in_folder(path, images_api.base_url, out_dir)
    assert ran.returncode == 0, ran.stderr
    assert "saved" in ran.stdout
    assert api_log and all(r.ok and r.model == "gpt-image-2" for r in api_log), [r.line() for r in api_log]
    png = (out_dir / "lighthouse.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR" and png[-8:-4] == b"IEND"

    # A second fix finds nothing and writes nothing.
    settled = project_files(project)
    again = dm("fix", ".")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Found 0 findings" in again.stdout
    assert project_files(project) == settled


@pytest.mark.parametrize(
    "text",
    [
        notebook(*CELLS),
        notebook(*CELLS, indent=None),
        notebook(*CELLS).replace("\n", "\r\n"),
        notebook(code("ls\n", "cd data\n", "x = 1"), code("config = {\n", "  'a': 1}\n"), code("def f(:\n"), code("%%capture\n", "y = 2")),
        notebook({**code(), "source": "pwd\nimport os\n"}, markdown("text"), {"cell_type": "raw", "source": ["x"]}),
    ],
    ids=["cells", "one-line-json", "crlf", "automagics-and-a-broken-cell", "a-string-source"],
)
def test_a_checks_cells_are_the_ones_a_fix_reads(text):
    # A check takes the cells from the C decoder; a fix from the reader that keeps every place:
    # the same cells, numbers, placeholders and text, but for where a fix writes them back.
    from dalle_migrate.cells import code_cells, decoded_code_cells

    read = code_cells(parse_notebook(text))
    assert read and all(cell.source is not None for cell in read)
    assert decoded_code_cells(json.loads(text)) == [dataclasses.replace(cell, source=None) for cell in read]


def test_each_cell_is_parsed_by_python_once(monkeypatch):
    # A cell with a line that starts with a magic's name (`history = []`) is parsed to decide
    # whether it is Python: that verdict is what `runnable_cells` keeps, not a second parse.
    import ast

    from dalle_migrate import cells

    text = notebook(code("history = []\n", "ls -la\n"), code("system = 'be brief'\n"), code("x = 1"), code("cd ~/data\n"), code("def f(:\n"))
    parsed = []
    real = ast.parse

    def counted(source, *args, **kwargs):
        parsed.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(cells.ast, "parse", counted)
    runnable = cells.runnable_cells(cells.decoded_code_cells(json.loads(text)))
    assert [c.number for c in runnable.cells] == [1, 2, 3, 4] and [c.number for c, _ in runnable.broken] == [5]
    assert runnable.python_parses
    python = [cell.python for cell in runnable.cells] + [runnable.broken[0][0].python]
    assert python[3] != "cd ~/data\n"  # an automagic, swapped for its placeholder
    # That cell is parsed as it is, then its line alone, then with the automagic swapped.
    assert sorted(parsed) == sorted(python + ["cd ~/data\n", "cd ~/data"])


@pytest.mark.parametrize("refused", [None, ValueError("source code string cannot contain null bytes")])
def test_a_notebooks_module_is_parsed_unchecked_only_when_python_parsed_each_cell(tmp_path, monkeypatch, refused):
    import ast

    from dalle_migrate import cells, context

    real_parse, real_indexed = ast.parse, context.indexed
    seen = []

    def parse(source, *args, **kwargs):
        if refused is not None and "poster" in source:
            raise refused
        return real_parse(source, *args, **kwargs)

    def indexed(text, python_parses=False):
        seen.append(python_parses)
        return real_indexed(text, python_parses)

    monkeypatch.setattr(cells.ast, "parse", parse)
    monkeypatch.setattr(context, "indexed", indexed)
    path = tmp_path / "poster.ipynb"
    path.write_text(notebook(*CELLS), encoding="utf-8")
    result = process_file(path, settings(), Selection(), fix=False)
    assert any(f.code == "DM101" for f in result.findings)
    # A cell CPython did not say yes to (a null byte: ValueError, not SyntaxError) is analysed,
    # and the module holding it parsed with every node's check.
    assert seen == [refused is None]
