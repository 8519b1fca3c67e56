"""Never break code: bytes outside the edits, encodings, BOM, line endings, mode, atomic writes."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from dalle_migrate.engine import Selection, process_file
from support import settings

CALL = 'from openai import OpenAI\nclient = OpenAI()\nclient.images.generate(model="dall-e-3", prompt="{prompt}", style="vivid")\n'
FIXED = 'from openai import OpenAI\nclient = OpenAI()\nclient.images.generate(model="gpt-image-2", prompt="{prompt}")\n'


def run_fix(path: Path, **kw):
    return process_file(path, settings(), Selection(), fix=True, **kw)


def test_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(codecs.BOM_UTF8 + CALL.format(prompt="café ☕").encode("utf-8"))
    result = run_fix(path)
    assert result.changed and not result.error
    assert path.read_bytes() == codecs.BOM_UTF8 + FIXED.format(prompt="café ☕").encode("utf-8")


def test_pep263_latin1_cookie_is_kept(tmp_path):
    path = tmp_path / "latin.py"
    source = "# -*- coding: latin-1 -*-\n" + CALL.format(prompt="crème brûlée")
    path.write_bytes(source.encode("latin-1"))
    run_fix(path)
    assert path.read_bytes() == ("# -*- coding: latin-1 -*-\n" + FIXED.format(prompt="crème brûlée")).encode("latin-1")


def test_crlf_line_endings_are_kept(tmp_path):
    path = tmp_path / "crlf.py"
    path.write_bytes(CALL.format(prompt="x").replace("\n", "\r\n").encode())
    run_fix(path)
    assert path.read_bytes() == FIXED.format(prompt="x").replace("\n", "\r\n").encode()


def test_mixed_line_endings_are_kept(tmp_path):
    path = tmp_path / "mixed.py"
    source = "from openai import OpenAI\r\nclient = OpenAI()\n" + 'client.images.generate(\r\n    model="dall-e-3",\n    prompt="x",\r\n)\n'
    path.write_bytes(source.encode())
    run_fix(path)
    assert path.read_bytes() == source.replace("dall-e-3", "gpt-image-2").encode()


def test_no_trailing_newline(tmp_path):
    path = tmp_path / "nonl.py"
    path.write_text(CALL.format(prompt="x").rstrip("\n"))
    run_fix(path)
    assert path.read_text() == FIXED.format(prompt="x").rstrip("\n")


def test_file_mode_is_kept(tmp_path):
    path = tmp_path / "script.py"
    path.write_text("#!/usr/bin/env python3\n" + CALL.format(prompt="x"))
    path.chmod(0o751)
    run_fix(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert "gpt-image-2" in path.read_text()


def test_no_temporary_file_left(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(CALL.format(prompt="x"))
    run_fix(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_unparsable_file_is_reported_and_untouched(tmp_path):
    path = tmp_path / "broken.py"
    data = b'from openai import OpenAI\nOpenAI().images.generate(model="dall-e-3", prompt="x"\n'
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    result = run_fix(path)
    assert [f.code for f in result.findings] == ["DM900"]
    assert path.read_bytes() == data and path.stat().st_mtime_ns == before


def test_undecodable_file_is_reported_and_untouched(tmp_path):
    path = tmp_path / "binary.py"
    data = b"import openai\nopenai.images.generate(model='dall-e-3')\n\xff\xfe\x00bad"
    path.write_bytes(data)
    result = run_fix(path)
    assert [f.code for f in result.findings] == ["DM900"]
    assert "decoded" in result.findings[0].message
    assert path.read_bytes() == data


def test_file_without_image_api_is_not_parsed(tmp_path):
    path = tmp_path / "other.py"
    path.write_text("this is not python at all (\n")
    result = run_fix(path)
    assert result.skipped and result.findings == []


def test_file_changed_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "race.py"
    path.write_text(CALL.format(prompt="x"))
    import dalle_migrate.engine as engine

    real = engine.atomic_write

    def edit_then_write(target, data, expected=None):
        Path(target).write_text("# edited by someone else\n")
        return real(target, data, expected)

    monkeypatch.setattr(engine, "atomic_write", edit_then_write)
    result = run_fix(path)
    assert result.error and "changed" in result.error
    assert path.read_text() == "# edited by someone else\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.py"]


def test_diff_mode_writes_nothing(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(CALL.format(prompt="x"))
    result = run_fix(path, write=False)
    assert result.changed and result.diff.startswith("--- ")
    assert path.read_text() == CALL.format(prompt="x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text(CALL.format(prompt="x"))
    path.chmod(0)
    result = run_fix(path)
    assert result.error and "cannot read" in result.error


def test_comments_inside_the_call_survive(tmp_path):
    path = tmp_path / "comments.py"
    source = (
        "from openai import OpenAI\n"
        "client = OpenAI()\n"
        "img = client.images.generate(  # make the banner\n"
        '    model="dall-e-3",  # the model\n'
        "    # the prompt comes next\n"
        '    prompt="x",\n'
        '    quality="hd",  # best\n'
        ")\n"
    )
    path.write_text(source)
    run_fix(path)
    assert path.read_text() == source.replace("dall-e-3", "gpt-image-2").replace('"hd"', '"high"')


def test_diff_marks_a_last_line_without_newline(tmp_path):
    path = tmp_path / "a.py"
    path.write_text(CALL.format(prompt="x").rstrip("\n"))
    result = run_fix(path, write=False)
    assert result.diff.endswith("\n\\ No newline at end of file\n")


def test_config_file_is_utf8_whatever_its_first_line_says(tmp_path):
    path = tmp_path / "video.yaml"
    path.write_text("# Video encoding: h264\nimage_model: dall-e-3\n")
    result = process_file(path, settings(), Selection())
    assert [f.code for f in result.findings] == ["DM106"]


def test_a_file_with_other_hard_links_is_not_replaced(tmp_path):
    """An atomic replace would give this name a new file and leave the other names with the old
    code: reported, not written; --diff still shows the change."""
    path = tmp_path / "a.py"
    path.write_text(CALL.format(prompt="x"))
    other = tmp_path / "same.py"
    os.link(path, other)
    result = run_fix(path)
    assert not result.changed and "hard link" in result.error
    assert path.read_text() == other.read_text() == CALL.format(prompt="x")
    assert os.stat(path).st_ino == os.stat(other).st_ino
    assert run_fix(path, write=False).diff.startswith("--- ")


def test_a_folder_read_as_a_file_is_an_error_naming_it(tmp_path):
    # (os.open opens a folder; reading it fails: the error names the path, as open() does)
    from dalle_migrate.source import read_bytes

    with pytest.raises(IsADirectoryError) as raised:
        read_bytes(tmp_path)
    assert str(tmp_path) in str(raised.value)
