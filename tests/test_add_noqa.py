"""`check --add-noqa`: today's findings accepted, so that the gate blocks only new ones."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from dalle_migrate.cli import main

TODAY = ("--today", "2026-11-25", "--no-progress")
APP = '''\
from openai import OpenAI
client = OpenAI()
r = client.images.generate(model="dall-e-3", prompt="x", quality="hd")  # noqa: E501
s = client.images.generate(
    model="dall-e-2",
    prompt="""a
long""", size="256x256")
total = 1 + \\
    len(client.images.generate(model="gpt-image-1", prompt="y").data)
print(r.data[0].url)
'''


def cli(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["check", *args, *TODAY], catch_exceptions=False)
    finally:
        os.chdir(old)


def _notebook(*sources: str) -> str:
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": s.splitlines(True)} for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def test_add_noqa_accepts_every_finding_and_a_later_check_is_clean(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / ".env").write_text("IMAGE_MODEL=dall-e-3\n")
    (tmp_path / "draw.ipynb").write_text(_notebook("!pip install openai\nfrom openai import OpenAI\n", 'img = OpenAI().images.generate(model="dall-e-3", prompt="x")\n'))
    assert cli(tmp_path).exit_code == 1
    result = cli(tmp_path, "--add-noqa")
    assert result.exit_code == 0, result.output
    assert "Added 7 noqa comment(s) in 3 file(s)." in result.output  # one per line: 5 in app.py
    app = (tmp_path / "app.py").read_text()
    assert '# noqa: E501, DM101, DM202\n' in app  # merged into the comment already there
    assert 'model="dall-e-2",  # noqa: DM101\n' in app
    assert 'long""", size="256x256")  # noqa: DM201\n' in app  # not inside the string
    assert "1 + \\\n" in app  # never after a continuation: the finding's first line is the next one
    assert 'len(client.images.generate(model="gpt-image-1", prompt="y").data)  # noqa: DM101\n' in app
    assert (tmp_path / ".env").read_text() == "IMAGE_MODEL=dall-e-3  # noqa: DM106\n"
    notebook = json.loads((tmp_path / "draw.ipynb").read_text())
    assert notebook["cells"][0]["source"] == ["!pip install openai\n", "from openai import OpenAI\n"]
    assert notebook["cells"][1]["source"] == ['img = OpenAI().images.generate(model="dall-e-3", prompt="x")  # noqa: DM101\n']
    assert cli(tmp_path).exit_code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    again = cli(tmp_path, "--add-noqa")
    assert "Added 0 noqa comment(s)" in again.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # idempotent


def test_json_findings_are_listed_with_their_per_file_ignores_entry(tmp_path):
    (tmp_path / "settings.json").write_text('{"model": "dall-e-3"}\n')
    result = cli(tmp_path, "--add-noqa")
    assert result.exit_code == 1
    assert "settings.json:1:12: DM106 (JSON has no comments)" in result.output
    assert 'per-file-ignores = { "settings.json" = ["DM106"] }' in result.output
    assert (tmp_path / "settings.json").read_text() == '{"model": "dall-e-3"}\n'
    (tmp_path / "pyproject.toml").write_text('[tool.dalle-migrate]\nper-file-ignores = { "settings.json" = ["DM106"] }\n')
    assert cli(tmp_path).exit_code == 0


def test_crlf_and_encoding_are_kept(tmp_path):
    path = tmp_path / "app.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\r\nfrom openai import OpenAI\r\nOpenAI().images.generate(model='dall-e-3', prompt='caf\xe9')\r\n")
    assert cli(tmp_path, "--add-noqa").exit_code == 0
    assert path.read_bytes().endswith(b"prompt='caf\xe9')  # noqa: DM101\r\n")


def test_rows_strings_and_ini_values_are_respected(tmp_path):
    (tmp_path / "f.py").write_text(
        'from openai import OpenAI\nclient = OpenAI()\n\x0c\nr = client.images.generate(prompt="""a\nb""", model="dall-e-3")\n'
        's = client.images.generate(prompt="# noqa: E501", model="dall-e-3")\n'
    )
    (tmp_path / "setup.cfg").write_text("[image]\nmodel = dall-e-3\n")
    result = cli(tmp_path, "--add-noqa")
    text = (tmp_path / "f.py").read_text()
    assert 'prompt="""a\n' in text  # a form feed is no line end: the string is untouched
    assert 'b""", model="dall-e-3")  # noqa: DM101\n' in text
    assert 's = client.images.generate(prompt="# noqa: E501", model="dall-e-3")  # noqa: DM101\n' in text
    assert (tmp_path / "setup.cfg").read_text() == "[image]\nmodel = dall-e-3\n"  # configparser would read the comment
    assert "setup.cfg:2:9: DM106 (an INI value would take the comment in)" in result.output
    assert [line for line in cli(tmp_path).output.splitlines() if line.startswith("f.py")] == []
