"""Hostile inputs (issue 7, part 2): no crash, a clear finding or message, nothing written that
should not be.

Every file here mentions the image API (``import openai`` / ``dall-e-3``), so it passes the byte
prefilter and reaches the decoder and the parser. Each kind goes through the command line
(``check`` then ``fix``, ``--today 2026-11-25``, in process with click's runner unless a real
process matters) and, where the API is the point, through ``engine.process_file``. The
expectations, unless a test says otherwise:

- exit code 0 or 1 (2 only for a real I/O error, with a message naming the file), never a
  traceback;
- normal findings, or a DM900 finding whose message says what is wrong;
- the file's bytes (and modification time) unchanged unless a fix legitimately applied.

Product bugs are ``xfail(strict=True)`` tests whose reason names the code at fault.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict

import pytest
from click.testing import CliRunner

import dalle_migrate.engine as engine
import dalle_migrate.runner as runner
from dalle_migrate.cli import main
from dalle_migrate.discover import Discovery
from dalle_migrate.engine import Selection, process_file
from support import settings

TODAY = "2026-11-25"
OLD_MTIME_NS = 1_000_000_000 * 1_000_000_000

HEAD = "from openai import OpenAI\nclient = OpenAI()\n"
CALL = 'client.images.generate(model="dall-e-3", prompt="x", style="vivid")\n'
FIXED_CALL = 'client.images.generate(model="gpt-image-2", prompt="x")\n'


# -- helpers ---------------------------------------------------------------------------------
def cli(command: str, *paths: Path, cwd: Path, extra=()):
    """The command line in this process; ``cwd`` is where it runs."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(
            main, [command, "--isolated", "--today", TODAY, "--no-progress", *extra, *map(str, paths)]
        )
    finally:
        os.chdir(old)


def handled(result, codes=(0, 1)) -> str:
    """No exception escaped, no traceback printed, an allowed exit code; returns the output."""
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output}"
    )
    assert "Traceback" not in output, output
    assert result.exit_code in codes, f"exit {result.exit_code}\n{output}"
    return output


def write(path: Path, data: bytes) -> bytes:
    path.write_bytes(data)
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return data


def untouched(path: Path, data: bytes) -> None:
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == OLD_MTIME_NS
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def assert_dm900(path: Path, data: bytes, *words: str) -> str:
    """``check`` reports one DM900 naming the problem; ``fix`` leaves the file alone."""
    out = handled(cli("check", path, cwd=path.parent), codes=(1,))
    lines = [line for line in out.splitlines() if " DM900 " in line]
    assert len(lines) == 1 and lines[0].startswith(path.name + ":"), out
    for word in words:
        assert word in lines[0], lines[0]
    handled(cli("fix", path, cwd=path.parent), codes=(1,))
    untouched(path, data)
    result = process_file(path, settings(), Selection(), fix=True)
    assert [f.code for f in result.findings] == ["DM900"] and not result.error and not result.changed
    untouched(path, data)
    return lines[0]


def assert_fixed(path: Path, data: bytes, expected: bytes) -> None:
    handled(cli("check", path, cwd=path.parent), codes=(1,))
    untouched(path, data)  # check writes nothing
    handled(cli("fix", path, cwd=path.parent), codes=(0,))
    assert path.read_bytes() == expected
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


# -- binary data, NUL bytes, encodings ------------------------------------------------------
def test_binary_data(tmp_path):
    path = tmp_path / "blob.py"
    data = write(path, b"import openai\n" + b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + b"dall-e-3\n")
    assert_dm900(path, data, "cannot be decoded", "left untouched")


def test_nul_byte_in_code(tmp_path):
    path = tmp_path / "nul.py"
    data = write(path, (HEAD + "x = 1\x00\n" + CALL).encode())
    assert_dm900(path, data, "Syntax error", "left untouched")


def test_nul_byte_in_a_comment_is_kept(tmp_path):
    """A NUL inside a comment: the call is still fixed and the NUL byte survives."""
    path = tmp_path / "nulcomment.py"
    data = write(path, (HEAD + "# a\x00b\n" + CALL).encode())
    assert_fixed(path, data, (HEAD + "# a\x00b\n" + FIXED_CALL).encode())


# Files CPython itself rejects but LibCST parses: the rules evaluate literals (LibCST's
# ``evaluated_value`` is ast.literal_eval), which raises on these.
INVALID_LITERALS = {
    "nul-in-string": 'x = "a\x00b"\n',
    "unknown-N-escape": 'x = "\\N{NO SUCH CHARACTER NAME}"\n',
    "truncated-x-escape": 'x = "\\x4"\n',
    "truncated-u-escape-in-prompt": 'y = 1\n',  # the escape is in the call's prompt, below
    "non-ascii-bytes": 'x = b"caf\u00e9"\n',
    "5000-digit-int": "n = " + "1" * 5000 + "\n",
}


@pytest.mark.parametrize("kind", sorted(INVALID_LITERALS))
def test_literal_python_rejects_never_crashes(tmp_path, kind):
    """A NUL in a string, a bad escape, a non-ASCII bytes literal, a 5000-digit integer: a
    DM900 finding or the normal findings, never an exception or an 'internal error'; when the
    call is fixed, the odd literal is kept byte for byte. (Before the fix in values.literal
    these raised SyntaxError/ValueError out of engine.process_file.)"""
    call = CALL
    if kind == "truncated-u-escape-in-prompt":
        call = CALL.replace('prompt="x"', 'prompt="\\u12"')
    if kind == "5000-digit-int":
        call = CALL.replace('prompt="x"', 'prompt="x", n=n')
    path = tmp_path / "literal.py"
    literal = INVALID_LITERALS[kind]
    data = write(path, (HEAD + literal + call).encode())
    result = process_file(path, settings(), Selection())
    assert result.findings and not result.error, result.error
    codes = [f.code for f in result.findings]
    out = handled(cli("check", path, cwd=tmp_path), codes=(1,))
    assert "internal error" not in out
    out = handled(cli("fix", path, cwd=tmp_path), codes=(0, 1))
    assert "internal error" not in out
    if codes == ["DM900"]:
        untouched(path, data)
    else:
        after = path.read_bytes()
        assert after.startswith((HEAD + literal).encode()) and b'model="gpt-image-2"' in after


def test_size_with_huge_numbers_is_an_unsupported_size(tmp_path):
    """A valid program whose size has numbers over 4300 digits: a DM201 finding, not an
    'internal error' (int() refuses such strings: catalog.py once raised ValueError here)."""
    path = tmp_path / "size.py"
    size = "9" * 5000 + "x" + "9" * 5000
    write(path, (HEAD + CALL.replace('prompt="x"', f'prompt="x", size="{size}"')).encode())
    result = process_file(path, settings(), Selection())
    assert "DM201" in [f.code for f in result.findings] and not result.error
    out = handled(cli("fix", path, cwd=tmp_path), codes=(0, 1))
    assert "internal error" not in out


def test_invalid_utf8_without_a_coding_cookie(tmp_path):
    path = tmp_path / "latin_bytes.py"
    data = write(path, (HEAD + CALL.replace('"x"', '"caf\u00e9"')).encode("latin-1"))
    assert_dm900(path, data, "cannot be decoded", "utf-8", "left untouched")


def test_latin1_cookie_is_honoured_and_kept(tmp_path):
    path = tmp_path / "latin.py"
    cookie = "# -*- coding: latin-1 -*-\n"
    source = cookie + HEAD + CALL.replace('"x"', '"cr\u00e8me br\u00fbl\u00e9e"')
    data = write(path, source.encode("latin-1"))
    expected = (cookie + HEAD + FIXED_CALL.replace('"x"', '"cr\u00e8me br\u00fbl\u00e9e"')).encode("latin-1")
    assert_fixed(path, data, expected)


def test_vim_style_cookie_on_the_second_line(tmp_path):
    path = tmp_path / "vim.py"
    head = "#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n"
    data = write(path, (head + HEAD + CALL.replace('"x"', '"\u00e9t\u00e9"')).encode("latin-1"))
    assert_fixed(path, data, (head + HEAD + FIXED_CALL.replace('"x"', '"\u00e9t\u00e9"')).encode("latin-1"))


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("unknown.py", b"# -*- coding: klingon -*-\n" + (HEAD + CALL).encode(), ["unknown encoding: klingon"]),
        ("lying.py", b"# coding: utf-8\n" + (HEAD + CALL.replace('"x"', '"\u00e9"')).encode("latin-1"), ["cannot decode as utf-8"]),
        ("bom_and_cookie.py", codecs.BOM_UTF8 + b"# coding: latin-1\n" + (HEAD + CALL).encode(), ["encoding problem"]),
        ("utf16_cookie.py", b"# coding: utf-16\n" + (HEAD + CALL).encode(), []),
    ],
)
def test_cookie_that_does_not_decode(tmp_path, name, data, words):
    path = tmp_path / name
    assert_dm900(path, write(path, data), *words)


def test_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    data = write(path, codecs.BOM_UTF8 + (HEAD + CALL.replace('"x"', '"\u2615"')).encode())
    assert_fixed(path, data, codecs.BOM_UTF8 + (HEAD + FIXED_CALL.replace('"x"', '"\u2615"')).encode())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_skipped_untouched(tmp_path, encoding):
    """Decided behaviour: in UTF-16/32 no ASCII substring of the prefilter (`openai`,
    `dall-e-`) appears in the bytes, so the file is skipped as one without the image API:
    exit 0, nothing written. CPython cannot run such a file either ("source code cannot
    contain null bytes"), so no call in it can be failing."""
    path = tmp_path / "wide.py"
    data = write(path, (HEAD + CALL).encode(encoding))
    out = handled(cli("check", path, cwd=tmp_path), codes=(0,))
    assert "All checks passed (1 file scanned)" in out
    handled(cli("fix", path, cwd=tmp_path), codes=(0,))
    untouched(path, data)


@pytest.mark.parametrize("name", ["empty.py", "empty.pyi", "empty.ipynb", ".env", "empty.json", "empty.toml", "blank.py"])
def test_empty_files(tmp_path, name):
    path = tmp_path / name
    data = write(path, b"\n\n  \n" if name == "blank.py" else b"")
    out = handled(cli("check", path, cwd=tmp_path), codes=(0,))
    assert "All checks passed" in out
    handled(cli("fix", path, cwd=tmp_path), codes=(0,))
    untouched(path, data)


def test_comment_only_file_mentioning_the_api(tmp_path):
    path = tmp_path / "notes.py"
    data = write(path, b"# we used to call openai with dall-e-3 here\n")
    handled(cli("check", path, cwd=tmp_path), codes=(0,))
    handled(cli("fix", path, cwd=tmp_path), codes=(0,))
    untouched(path, data)


# -- size and depth -------------------------------------------------------------------------
def test_ten_megabyte_file(tmp_path):
    """10 MB: forty image calls around a 10 MB base64 literal (a generated module embedding
    an image). `fix` rewrites every call, keeps the literal byte for byte, and finishes well
    within the bound. (Measured on 2 busy cores: about 1-3 s for fix. Ten megabytes of dense
    call code instead takes LibCST about 70 s per megabyte to check: see the report.)"""
    calls = "".join(
        f'def make_{i}():\n    return client.images.generate(model="dall-e-3", prompt="p{i}", quality="hd", style="vivid")\n\n'
        for i in range(20)
    )
    blob = 'IMAGE_B64 = "' + "iVBORw0KGgoAAAANSUhEUgAA" * (10 * 1024 * 1024 // 24) + '"\n\n'
    source = HEAD + calls + blob + calls.replace("def make_", "def again_")
    path = tmp_path / "huge.py"
    data = write(path, source.encode())
    assert len(data) >= 10 * 1024 * 1024
    started = time.monotonic()
    out = handled(cli("fix", path, cwd=tmp_path), codes=(0,))
    elapsed = time.monotonic() - started
    print(f"10 MB fix: {elapsed:.1f}s")
    assert "120 fixed" in out
    expected = source.replace('model="dall-e-3"', 'model="gpt-image-2"').replace('quality="hd", style="vivid"', 'quality="high"')
    assert path.read_bytes() == expected.encode()
    assert elapsed < 60, f"fix of a 10 MB file took {elapsed:.0f}s"


def test_line_of_100000_characters(tmp_path):
    """A 100,000-character call line and a 100,000-character comment line. (A long line of
    *code* - 30,000 list items, 90,000 characters - works too but takes LibCST ~40 s for check
    plus fix on 2 busy cores: see the report.)"""
    path = tmp_path / "long.py"
    prompt = "a" * 100_000
    long_line = f'image = client.images.generate(model="dall-e-3", prompt="{prompt}", style="vivid"); x = 1\n'
    comment = "# " + "dall-e-3 " * 11_112 + "\n"
    data = write(path, (HEAD + comment + long_line).encode())
    expected = HEAD + comment + f'image = client.images.generate(model="gpt-image-2", prompt="{prompt}"); x = 1\n'
    assert_fixed(path, data, expected.encode())


# Nested 1200 levels in the syntax tree: LibCST's visitors recurse once per level and hit
# Python's recursion limit (these shapes parse fast; nested brackets take LibCST ~4 s per
# 1000 levels to parse, so they are left out).
DEEP = {
    "unary": "-" * 1200 + "1",
    "binary": "1 + " * 1200 + "1",
    "not": "not " * 1200 + "x",
    "conditional": "1 if x else " * 1200 + "1",
    "lambda": "lambda: " * 1200 + "1",
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deeply_nested_expression_is_a_dm900_finding(tmp_path, shape):
    """The RecursionError becomes a DM900 finding that says why; nothing is written."""
    path = tmp_path / "deep.py"
    data = write(path, (HEAD + "value = " + DEEP[shape] + "\n" + CALL).encode())
    assert_dm900(path, data, "nested too deeply", "left untouched")


def test_1200_nested_parentheses_are_analysed(tmp_path):
    """Redundant parentheses are not nesting for LibCST (CPython stops at 200 levels): the
    call is fixed and the rest kept."""
    path = tmp_path / "parens.py"
    data = write(path, (HEAD + "value = " + "(" * 1200 + "1" + ")" * 1200 + "\n" + CALL).encode())
    assert_fixed(path, data, (HEAD + "value = " + "(" * 1200 + "1" + ")" * 1200 + "\n" + FIXED_CALL).encode())


def test_valid_python_the_parser_cannot_read_is_not_called_a_syntax_error(tmp_path):
    """Valid Python that LibCST cannot parse (5000 implicitly concatenated string lines, which
    CPython compiles): DM900 says the tool cannot read it, never that the code is broken."""
    path = tmp_path / "strings.py"
    source = HEAD + "TEXT = (\n" + '    "abc"\n' * 5000 + ")\n" + CALL
    compile(source, str(path), "exec")  # valid Python (compiled, never run)
    data = write(path, source.encode())
    line = assert_dm900(path, data, "valid Python", "left untouched")
    assert "Syntax error" not in line


# -- Python 2 -------------------------------------------------------------------------------
# LibCST tokenizer errors carry no position: the line comes from Python's own parser.
TOKENIZER_LOCATION = ()
PY2 = [
    pytest.param('print "generating"\n', id="print"),
    pytest.param('exec "x = 1"\n', id="exec"),
    pytest.param('def f():\n    raise ValueError, "bad"\n', id="raise-comma"),
    pytest.param('x = ur"raw"\n', id="ur-string"),
    pytest.param("x = `1`\n", id="backticks", marks=TOKENIZER_LOCATION),
    pytest.param("mode = 0777\n", id="octal", marks=TOKENIZER_LOCATION),
]


@pytest.mark.parametrize("code", PY2)
def test_python2_code(tmp_path, code):
    """DM900 on the Python 2 line; nothing written."""
    path = tmp_path / "legacy.py"
    source = "import openai\n" + code + 'openai.Image.create(model="dall-e-3", prompt="x")\n'
    data = write(path, source.encode())
    line = assert_dm900(path, data, "Syntax error at line", "left untouched")
    row = int(line.split(":")[1])
    assert 2 <= row <= 1 + code.count("\n"), line  # on the Python 2 line


def test_python2_except_comma_that_the_parser_accepts(tmp_path):
    """LibCST parses `except E, e:` (CPython 3 does not): the file is then migrated like any
    other, and the Python 2 lines are kept byte for byte."""
    path = tmp_path / "legacy.py"
    py2 = "try:\n    pass\nexcept ValueError, e:\n    pass\n"
    data = write(path, (HEAD + py2 + CALL).encode())
    assert_fixed(path, data, (HEAD + py2 + FIXED_CALL).encode())


# -- notebooks ------------------------------------------------------------------------------
def _cell(source) -> Dict:
    return {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [], "source": source}


def _notebook(cells, **top) -> str:
    body = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    body.update(top)
    return json.dumps(body, indent=1) + "\n"


NB_CODE = HEAD + CALL


def test_truncated_notebook(tmp_path):
    path = tmp_path / "cut.ipynb"
    text = _notebook([_cell(NB_CODE.splitlines(True))])
    after_api = text.index(".images.generate") + len(".images.generate")  # cut after the call's name: past the prefilter
    for cut in (after_api, after_api + 20, (after_api + len(text)) // 2, len(text) - 3):
        data = write(path, text[:cut].encode())
        assert_dm900(path, data, "cannot be read", "left untouched")


def test_notebook_with_source_as_a_string(tmp_path):
    path = tmp_path / "string_source.ipynb"
    data = write(path, _notebook([_cell(NB_CODE)]).encode())
    assert_fixed(path, data, _notebook([_cell(HEAD + FIXED_CALL)]).encode())
    assert isinstance(json.loads(path.read_text())["cells"][0]["source"], str)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"metadata": {"note": "openai dall-e-3"}, "nbformat": 4, "nbformat_minor": 5}),  # no cells key
        json.dumps({"cells": {"a": NB_CODE}, "nbformat": 4}),  # cells not a list
        json.dumps([NB_CODE]),  # not an object
    ],
    ids=["no-cells-key", "cells-not-a-list", "top-level-list"],
)
def test_notebook_without_a_cells_list(tmp_path, text):
    path = tmp_path / "nocells.ipynb"
    data = write(path, text.encode())
    assert_dm900(path, data, "'cells'", "left untouched")


def test_notebook_with_no_cells(tmp_path):
    path = tmp_path / "empty_cells.ipynb"
    data = write(path, _notebook([], metadata={"note": "import openai; dall-e-3"}).encode())
    handled(cli("check", path, cwd=tmp_path), codes=(0,))
    handled(cli("fix", path, cwd=tmp_path), codes=(0,))
    untouched(path, data)


def test_notebook_cells_missing_source_or_malformed(tmp_path):
    """Cells without `source`, with a number as source, that are not objects: skipped; the
    well-formed cell is fixed and every other byte is kept."""
    no_source = _cell(None)
    del no_source["source"]
    cells = [no_source, _cell(42), "import openai", _cell(NB_CODE.splitlines(True))]
    path = tmp_path / "odd_cells.ipynb"
    data = write(path, _notebook(cells).encode())
    expected = _notebook(cells[:3] + [_cell((HEAD + FIXED_CALL).splitlines(True))])
    assert_fixed(path, data, expected.encode())


def test_notebook_dm900_messages_are_accurate(tmp_path):
    text = _notebook([_cell(NB_CODE)])
    path = tmp_path / "cut.ipynb"
    cut = text.index("client.images.generate") + len("client.images.generate") + 3  # inside the source string
    write(path, text[:cut].encode())
    (finding,) = process_file(path, settings(), Selection()).findings
    assert "at at" not in finding.message, finding.message
    path.write_text(json.dumps({"metadata": {"note": "openai client.images.generate"}, "nbformat": 4}))
    (finding,) = process_file(path, settings(), Selection()).findings
    assert "not valid JSON" not in finding.message, finding.message


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"\x00"], ids=["invalid-utf8", "nul"])
def test_notebook_with_undecodable_bytes(tmp_path, bad):
    path = tmp_path / "bad.ipynb"
    data = write(path, _notebook([_cell(NB_CODE.replace("x", "QQ"))]).encode().replace(b"QQ", bad))
    assert_dm900(path, data, "left untouched")


# -- unreadable, vanishing and changing files -----------------------------------------------
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its mode: see the simulated test below")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text(HEAD + CALL)
    path.chmod(0)
    try:
        out = handled(cli("fix", path, cwd=tmp_path), codes=(2,))
    finally:
        path.chmod(0o644)
    assert "secret.py: error: cannot read: Permission denied" in out
    assert path.read_text() == HEAD + CALL


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """EACCES on open, as a non-root user gets it (simulated, so the test also runs as root)."""
    secret = tmp_path / "secret.py"
    secret.write_text(HEAD + CALL)
    other = tmp_path / "other.py"
    other.write_text(HEAD + CALL)

    if hasattr(runner, "read_file"):  # how the runner reads files
        real_read = runner.read_file

        def guarded_read(path, *args, **kwargs):
            if Path(path).name == "secret.py":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_read(path, *args, **kwargs)

        monkeypatch.setattr(runner, "read_file", guarded_read)
    else:

        def guarded_open(file, *args, **kwargs):
            if Path(file).name == "secret.py":
                raise PermissionError(errno.EACCES, "Permission denied", str(file))
            return open(file, *args, **kwargs)

        monkeypatch.setattr(runner, "open", guarded_open, raising=False)
    out = handled(cli("fix", tmp_path, cwd=tmp_path), codes=(2,))
    assert "secret.py: error: cannot read: Permission denied" in out
    assert secret.read_text() == HEAD + CALL
    assert other.read_text() == HEAD + FIXED_CALL  # the rest of the run goes on


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    """A folder that cannot be listed is an error naming it (exit 2), not a silent skip (once,
    discover._walk swallowed the OSError: 'All checks passed (0 files scanned)', exit 0)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "app.py").write_text(HEAD + CALL)
    if os.geteuid() == 0:  # root lists every folder: simulate EACCES
        real_scandir = os.scandir

        def scandir(path="."):
            if Path(path).name == "locked":
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        folder.chmod(0)
    try:
        result = cli("check", tmp_path, cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    out = handled(result, codes=(2,))
    assert "locked" in out and "Permission denied" in out, out
    assert "All checks passed" not in out


def test_file_deleted_between_discovery_and_reading(tmp_path, monkeypatch):
    gone = tmp_path / "gone.py"
    gone.write_text(HEAD + CALL)
    kept = tmp_path / "kept.py"
    kept.write_text(HEAD + CALL)
    real = Discovery.files

    def files_then_delete(self, paths):
        found = real(self, paths)
        if gone.exists():  # the first walk (the project layer walks the project too)
            gone.unlink()
        return found

    monkeypatch.setattr(Discovery, "files", files_then_delete)
    out = handled(cli("fix", tmp_path, cwd=tmp_path), codes=(2,))
    assert "gone.py: error: cannot read: No such file or directory" in out
    assert not gone.exists()  # never recreated
    assert kept.read_text() == HEAD + FIXED_CALL


def _during_analysis(monkeypatch, action):
    """Run ``action(path)`` after the file was read and analysed, before it is written."""
    real = engine.run_text

    def run_text(text, filename, *args, **kwargs):
        outcome = real(text, filename, *args, **kwargs)
        action(Path(filename))
        return outcome

    monkeypatch.setattr(engine, "run_text", run_text)


def test_file_deleted_between_reading_and_writing(tmp_path, monkeypatch):
    path = tmp_path / "vanishing.py"
    path.write_text(HEAD + CALL)
    _during_analysis(monkeypatch, lambda p: p.unlink())
    out = handled(cli("fix", path, cwd=tmp_path), codes=(2,))
    assert "vanishing.py: error: not written" in out
    assert list(tmp_path.iterdir()) == []  # not recreated, no temporary file


def test_file_changed_between_reading_and_writing(tmp_path, monkeypatch):
    """Someone saves the file while it is analysed: their version wins, the tool says so."""
    path = tmp_path / "race.py"
    path.write_text(HEAD + CALL)
    theirs = HEAD + CALL.replace('prompt="x"', 'prompt="edited meanwhile"')
    _during_analysis(monkeypatch, lambda p: p.write_text(theirs))
    out = handled(cli("fix", path, cwd=tmp_path), codes=(2,))
    assert "race.py: error: not written:" in out and "changed while it was being fixed" in out
    assert path.read_text() == theirs
    assert [p.name for p in tmp_path.iterdir()] == ["race.py"]


def test_file_replaced_by_a_folder_between_reading_and_writing(tmp_path, monkeypatch):
    path = tmp_path / "morph.py"
    path.write_text(HEAD + CALL)

    def to_folder(p: Path) -> None:
        p.unlink()
        p.mkdir()

    _during_analysis(monkeypatch, to_folder)
    out = handled(cli("fix", path, cwd=tmp_path), codes=(2,))
    assert "morph.py: error: not written" in out
    assert path.is_dir() and list(path.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["morph.py"]


def test_missing_path(tmp_path):
    out = handled(cli("check", tmp_path / "nowhere.py", cwd=tmp_path), codes=(2,))
    assert "nowhere.py: error: cannot read: No such file or directory" in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "markdown"])
def test_machine_formats_name_the_file_that_failed(tmp_path, fmt):
    """With a machine format, a file that could not be read is still named (on standard error
    at least): once, `--format json` printed `[]` and exited 2 without a word."""
    result = cli("check", tmp_path / "nowhere.py", cwd=tmp_path, extra=("--format", fmt))
    handled(result, codes=(2,))
    assert "nowhere.py" in result.output and "No such file" in result.output


def test_summary_does_not_say_all_checks_passed_when_a_file_failed(tmp_path):
    (tmp_path / "clean.py").write_text("import openai\n")
    out = handled(cli("check", tmp_path / "clean.py", tmp_path / "nowhere.py", cwd=tmp_path), codes=(2,))
    assert "All checks passed" not in out
    assert "1 file(s) could not be processed" in out


# -- all of it at once, in a real process ---------------------------------------------------
def test_hostile_tree_in_a_real_process(tmp_path):
    """Every kind above in one folder, through `python -m dalle_migrate` (with worker
    processes: more than 8 files survive the prefilter): no traceback, no error, DM900 for the
    unreadable kinds, and only the fixable files change."""
    tree = tmp_path / "tree"
    tree.mkdir()
    dm900 = {
        "binary.py": b"import openai\nclient.images.generate\n" + bytes(range(256)) * 4,
        "nul.py": (HEAD + "x = 1\x00\n" + CALL).encode(),
        "latin_bytes.py": (HEAD + CALL.replace('"x"', '"\u00e9"')).encode("latin-1"),
        "unknown_cookie.py": b"# coding: klingon\n" + (HEAD + CALL).encode(),
        "py2.py": ("import openai\nprint 'x'\n" + CALL).encode(),
        "deep.py": (HEAD + "v = " + "-" * 1200 + "1\n" + CALL).encode(),
        "truncated.ipynb": _notebook([_cell(NB_CODE)]).encode().split(b".images.generate")[0] + b".images.generate",
        "no_cells.ipynb": b'{"metadata": {"m": "dall-e-3"}}',
    }
    skipped = {"utf16.py": (HEAD + CALL).encode("utf-16"), "empty.py": b""}
    fixable = {
        "bom.py": (codecs.BOM_UTF8 + (HEAD + CALL).encode(), codecs.BOM_UTF8 + (HEAD + FIXED_CALL).encode()),
        "latin.py": (
            ("# coding: latin-1\n" + HEAD + CALL.replace('"x"', '"\u00e9"')).encode("latin-1"),
            ("# coding: latin-1\n" + HEAD + FIXED_CALL.replace('"x"', '"\u00e9"')).encode("latin-1"),
        ),
        "string_source.ipynb": (_notebook([_cell(NB_CODE)]).encode(), _notebook([_cell(HEAD + FIXED_CALL)]).encode()),
        "plain.py": ((HEAD + CALL).encode(), (HEAD + FIXED_CALL).encode()),
        "nul_string.py": ((HEAD + 'x = "a\x00b"\n' + CALL).encode(), (HEAD + 'x = "a\x00b"\n' + FIXED_CALL).encode()),
    }
    for name, data in {**dm900, **skipped}.items():
        write(tree / name, data)
    for name, (data, _) in fixable.items():
        write(tree / name, data)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for command in ("check", "fix"):
        proc = subprocess.run(
            [sys.executable, "-m", "dalle_migrate", command, "--isolated", "--today", TODAY, "--no-progress", "tree"],
            cwd=str(tmp_path), capture_output=True, text=True, timeout=120, env=env,
        )
        output = proc.stdout + proc.stderr
        assert "Traceback" not in output and "error:" not in output, output
        assert proc.returncode == 1, output
        for name in dm900:
            lines = [line for line in proc.stdout.splitlines() if line.startswith(f"tree/{name}:")]
            assert len(lines) == 1 and " DM900 " in lines[0], (name, output)
        for name, data in {**dm900, **skipped}.items():
            untouched(tree / name, data)
    for name, (_, expected) in fixable.items():
        assert (tree / name).read_bytes() == expected, name


# -- DM900 is placed where CPython's parser places the error (issue 15) --------------------------
def _python_position(source: str):
    try:
        compile(source, "x.py", "exec")
    except SyntaxError as exc:
        return exc.lineno, exc.offset
    raise AssertionError("the source parses")


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n" + HEAD + CALL,  # at the start
        HEAD + "def f(:\n    pass\n" + CALL,  # in the middle
        HEAD + CALL + "x = (1,\n",  # at the end: never closed
        HEAD + CALL + "print 'x'\n",  # Python 2
        HEAD + "if True:\n  x = 1\n    y = 2\n" + CALL,  # indentation
    ],
    ids=["start", "middle", "end", "python2", "indent"],
)
def test_dm900_is_where_cpython_places_the_error(tmp_path, source):
    path = tmp_path / "broken.py"
    path.write_text(source)
    (finding,) = process_file(path, settings(), Selection()).findings
    row, column = _python_position(source)
    assert (finding.code, finding.row, finding.column) == ("DM900", row, column), finding.message
    assert f"line {row}, column {column}" in finding.message


def test_dm900_in_a_notebook_cell_is_where_cpython_places_it_in_the_cell(tmp_path):
    broken = "x = 1\ndef f(:\n    pass\n"
    path = tmp_path / "broken.ipynb"
    path.write_text(_notebook([_cell(HEAD), _cell(CALL), _cell(broken)]))
    findings = process_file(path, settings(), Selection()).findings
    (finding,) = [f for f in findings if f.code == "DM900"]
    row, column = _python_position(broken)
    assert (finding.cell, finding.row, finding.column) == (3, row, column), finding.message
    assert "DM101" in [f.code for f in findings]  # the other cells are analysed


# -- notebooks as Jupyter runs them (issue 15, item 7) -------------------------------------------
@pytest.mark.parametrize(
    "first_cell",
    [
        "pip install openai requests\n",  # automagic: IPython runs it as %pip
        "cd data\n",
        "Image generation with DALL-E 3\n",  # a title typed into a code cell
        "def half_finished(:\n",
    ],
    ids=["pip", "cd", "title", "half-finished"],
)
def test_a_cell_jupyter_would_not_run_as_python_does_not_stop_the_others(tmp_path, first_cell):
    path = tmp_path / "course.ipynb"
    text = _notebook([_cell(first_cell), _cell(NB_CODE)])
    path.write_text(text)
    result = process_file(path, settings(), Selection(), fix=True)
    assert result.error is None
    fixed = json.loads(path.read_text())
    assert fixed["cells"][0]["source"] == first_cell  # kept verbatim
    assert fixed["cells"][1]["source"] == HEAD + FIXED_CALL  # migrated
    automagic = first_cell.startswith(("pip ", "cd "))
    dm900 = [f for f in result.findings if f.code == "DM900"]
    assert (dm900 == []) if automagic else ([f.cell for f in dm900] == [1])
    # a second run changes nothing
    again = process_file(path, settings(), Selection(), fix=True)
    assert path.read_text() == json.dumps(fixed, indent=1) + "\n" or not again.changed


def test_a_name_only_a_broken_cell_defines_is_unknown(tmp_path):
    path = tmp_path / "nb.ipynb"
    cells = [_cell('MODEL = "dall-e-3"\nthis cell sets the model\n'), _cell(HEAD + 'client.images.generate(model=MODEL, prompt="x")\n')]
    path.write_text(_notebook(cells))
    codes = sorted(f.code for f in process_file(path, settings(), Selection()).findings)
    assert codes == ["DM104", "DM900"]  # MODEL cannot be resolved: the cell that sets it does not run


def test_a_valid_cell_whose_lines_start_with_magic_names_is_python(tmp_path):
    """`config = {` starts with a magic's name and does not parse alone: the cell is Python."""
    path = tmp_path / "nb.ipynb"
    cell = HEAD + 'config = {\n    "model": "dall-e-3",\n}\npage = client.images.generate(\n    prompt="x", **config)\n'
    path.write_text(_notebook([_cell(cell)]))
    codes = [f.code for f in process_file(path, settings(), Selection()).findings]
    assert codes == ["DM101"], codes
