"""DM106 and DM107: retired model ids, and ids with an announced shutdown, in configuration
files (.env, YAML, TOML, JSON, INI/CFG).

Snapshots of the report and of the unsafe-fixed file for each fixture of fixtures/DM106 and
fixtures/DM107 (the Python fixture test only globs *.py), then what must not fire, what must,
and what the fix must keep: line endings, the last newline, validity, idempotency; and the
command line. The scan is one for both rules: most cases are DM106's alone (``check`` selects
it), and DM107's own tests say where the two meet (an id's shutdown day).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalle_migrate import config_files
from dalle_migrate.cli import main
from dalle_migrate.config_files import check_config, fix_config, value_spans
from dalle_migrate.discover import discover, file_kind
from dalle_migrate.engine import FileResult, InternalError, Selection, process_file, run_text
from dalle_migrate.report.common import RunReport
from dalle_migrate.report.text import render
from dalle_migrate.rules import RULES_BY_CODE
from support import dedent, settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CODES = ("DM106", "DM107")
FIXTURE_DIR = ROOT / "fixtures" / "DM106"
FIXTURES = sorted(p for code in CODES for p in (ROOT / "fixtures" / code).iterdir() if p.is_file())  # `.env` too
SNAPSHOTS = Path(__file__).parent / "snapshots" / "config"
TODAY = ["--today", "2026-11-25"]


def _selection(select) -> Selection:
    return Selection(select=select) if select else Selection()  # None: every rule


def check(text: str, filename: str, select=("DM106",), **options):
    return run_text(text, filename, settings(**options), _selection(select)).findings


def fix(text: str, filename: str, unsafe: bool = True, select=("DM106",), **options):
    return run_text(text, filename, settings(unsafe_fixes=unsafe, **options), _selection(select), fix=True)


def reported(text: str, filename: str, select=("DM106",), **options):
    """(row, column, reported text) of every finding."""
    return [(f.row, f.column, text[f.start : f.end]) for f in check(text, filename, select, **options)]


def _snapshot_name(path: Path) -> str:
    return path.name.lstrip(".")  # `.env` -> `env`; no config suffix at the end (see below)


def _parses_as_its_format(path: Path, text: str) -> None:
    if path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".toml":
        tomllib.loads(text)


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_every_format_has_a_fixture():
    kinds = {p.suffix or p.name for p in FIXTURES if p.parent.name == "DM106"}
    assert {".env", ".yaml", ".toml", ".json", ".cfg"} <= kinds
    assert all(file_kind(p) == "config" for p in FIXTURES)
    assert {p.parent.name for p in FIXTURES} == set(CODES)


@pytest.mark.usefixtures("_at_repo_root")
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path, snapshot):
    # Snapshot files end in .report.txt / .unsafe-fixed, never in a config suffix, so that
    # running dalle-migrate on this repository does not report the snapshots themselves.
    code = path.parent.name
    snapshot.snapshot_dir = SNAPSHOTS / code
    source = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT))
    found = check(source, name, select=(code,))  # (DM106's fixtures hold retiring ids it leaves)
    assert found and {f.code for f in found} == {code}
    assert all(f.fix is not None and f.fix.applicability.value == "unsafe" for f in found)
    report = render(RunReport(command="check", results=[FileResult(path.relative_to(ROOT), findings=found)]))
    # The finding lines only: the summary line belongs to the text format, not to DM106.
    lines = [line for line in report.splitlines(keepends=True) if line.startswith(f"{name}:")]
    assert len(lines) == len(found)
    snapshot.assert_match("".join(lines), f"{_snapshot_name(path)}.report.txt")

    assert fix(source, name, unsafe=False, select=None).text == source  # nothing is safe to fix here
    result = fix(source, name, select=(code,))
    snapshot.assert_match(result.text, f"{_snapshot_name(path)}.unsafe-fixed")
    assert result.findings == [] and len(result.fixed) == len(found)
    _parses_as_its_format(path, result.text)
    assert fix(result.text, name, select=(code,)).text == result.text  # idempotent
    # Exactly the reported ids changed, nothing else.
    expected = source
    ids = {"DM106": {"dall-e-2", "dall-e-3", "gpt-image-1"}, "DM107": {"gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest"}}[code]
    for finding in sorted(found, key=lambda f: f.start, reverse=True):
        assert source[finding.start : finding.end] in ids
        expected = expected[: finding.start] + "gpt-image-2" + expected[finding.end :]
    assert result.text == expected


@pytest.mark.usefixtures("_at_repo_root")
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_through_the_file_pipeline(path: Path, tmp_path: Path):
    """process_file: the prefilter keeps the file, and fix writes exactly what run_text gives."""
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    checked = process_file(copy, settings(), Selection())
    assert not checked.skipped and checked.findings and checked.error is None
    fixed = process_file(copy, settings(unsafe_fixes=True), Selection(), fix=True)
    assert fixed.changed and fixed.error is None and fixed.findings == []
    assert copy.read_text(encoding="utf-8") == fix(path.read_text(encoding="utf-8"), path.name, select=None).text


# -- what must not fire -----------------------------------------------------------------------
NOOP = [
    # comments
    (".env", "# IMAGE_MODEL=dall-e-3\n   # IMAGE_MODEL=dall-e-2\n"),
    (".env", "IMAGE_MODEL=gpt-image-2  # was dall-e-3\n"),
    ("config.yaml", "# model: dall-e-3\nmodel: gpt-image-2  # dall-e-3 before\n"),
    ("config.yaml", "models: [gpt-image-2,  # dall-e-3\n  gpt-image-1.5]\n"),
    ("settings.toml", '# model = "dall-e-3"\nmodel = "gpt-image-2" # "dall-e-3"\n'),
    ("settings.toml", 'models = [\n  # "dall-e-3",\n  "gpt-image-2",\n]\n'),
    ("app.ini", "[image]\n; model = dall-e-3\n# model = dall-e-2\n  ; model = gpt-image-1\n"),
    ("tsconfig.json", '{\n  // "model": "dall-e-3",\n  /* "model": "dall-e-2" */\n  "model": "gpt-image-2"\n}\n'),
    # keys and section / table names
    (".env", "dall-e-3_QUOTA=100\n"),
    ("config.yaml", "dall-e-3:\n  size: 1024x1024\n'gpt-image-1': 1\n"),
    ("config.yaml", "quotas: {dall-e-3: 10, \"dall-e-2\": 20}\n"),
    ("settings.toml", '[models."dall-e-3"]\nquota = 1\n[[renderers.gpt-image-1]]\n"dall-e-2" = 1\n'),
    ("settings.toml", 'sizes = { "dall-e-2" = "512x512", dall-e-3 = "1024x1024" }\n'),
    ("settings.json", '{"dall-e-3": {"quota": 1}, "nested": {"gpt-image-1":\n  2}}\n'),
    ("setup.cfg", "[dall-e-3]\nquota = 50\n"),
    ("setup.cfg", "[limits]\ndall-e-3\n"),  # a key without value (allow_no_value)
    # look-alikes: other ids and names that contain an id
    (".env", "A=gpt-image-1.5\nB=gpt-image-1-mini\nC=gpt-image-1.5-2025-12-16\nD=my-dall-e-3-prod\n"),
    (".env", "E=dall-e-3-hd\nF=dall-e-3#beta\nG=DALL-E-3\nH=azure/dall-e-3\nI=dall-e-30\n"),
    ("config.yaml", "deployment: my-dall-e-3-prod\nmodel: gpt-image-1.5\nalias: gpt-image-1-mini\n"),
    ("settings.toml", 'model = "gpt-image-1.5"\nname = "dall-e-3-deployment"\nx = "dall-e-3 "\n'),
    ("settings.json", '{"model": "gpt-image-1-mini", "deployment": "dall-e-3-eu", "n": "IMAGE=dall-e-3x"}\n'),
    ("app.ini", "[image]\ndeployment = dall-e-3-prod\nmodel = gpt-image-1.5\n"),
    # prose
    (".env", 'NOTE="moved off dall-e-3 in May"\nPROMPT=a poster, dall-e-3 style\n'),
    ("config.yaml", "footer: Rendered with dall-e-2, then upscaled.\nnote: dall-e-3 is gone\n"),
    ("config.yaml", "description:\n  We moved away from\n  dall-e-3\n"),  # a folded plain scalar
    ("config.yaml", "prompt: |\n  dall-e-3\n  model: dall-e-2\n- hero: >-\n    dall-e-3\n"),
    ("config.yaml", "url: https://example.com/models/dall-e-3\n"),
    ("settings.toml", 'notes = """\ndall-e-3\n"""\nlit = \'\'\'\ndall-e-2\n\'\'\'\n'),
    ("settings.json", '{"prompt": "made with dall-e-3", "tag": "#dall-e-3"}\n'),
    ("app.ini", "[image]\ndescription = posters made with dall-e-3, now gpt-image-2\n"),
    # quotes that are not the whole value
    (".env", 'A="dall-e-3"suffix\n'),
    ("config.yaml", "a: 'it''s dall-e-3'\n"),
]


@pytest.mark.parametrize("filename,text", NOOP, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NOOP)])
def test_does_not_fire(filename, text):
    assert reported(text, filename) == []
    assert fix(text, filename).text == text


# -- what must fire ---------------------------------------------------------------------------
FIRE = [
    (".env", "IMAGE_MODEL=dall-e-3\n", [(1, 13, "dall-e-3")]),
    (".env", 'IMAGE_MODEL="dall-e-3"\n', [(1, 14, "dall-e-3")]),
    (".env", "export IMAGE_MODEL='dall-e-2'  # old\n", [(1, 21, "dall-e-2")]),
    (".env", "IMAGE_MODEL = gpt-image-1 # comment\n", [(1, 15, "gpt-image-1")]),
    (".env.local", "MODELS=dall-e-3,gpt-image-1.5, gpt-image-1\n", [(1, 8, "dall-e-3"), (1, 32, "gpt-image-1")]),
    ("prod.env", 'PROMPT="two\nlines"\nIMAGE_MODEL=dall-e-3\n', [(3, 13, "dall-e-3")]),
    ("config.yaml", "model: dall-e-3\n", [(1, 8, "dall-e-3")]),
    ("config.yml", "image:\n  model: 'dall-e-3'   # note\n", [(2, 11, "dall-e-3")]),
    ("config.yaml", "models:\n  - dall-e-2\n  - \"gpt-image-1\"\n", [(2, 5, "dall-e-2"), (3, 6, "gpt-image-1")]),
    ("config.yaml", "models: [dall-e-2, \"dall-e-3\"]\n", [(1, 10, "dall-e-2"), (1, 21, "dall-e-3")]),
    ("config.yaml", "m: {model: dall-e-3, size: 1024x1024}\n", [(1, 12, "dall-e-3")]),
    ("config.yaml", "env:\n  - IMAGE_MODEL=dall-e-3\n  - \"EDIT_MODEL=dall-e-2\"\n", [(2, 17, "dall-e-3"), (3, 17, "dall-e-2")]),
    ("config.yaml", "model:\n  dall-e-3\n", [(2, 3, "dall-e-3")]),
    ("config.yaml", "- prompt: |\n    text\n  model: dall-e-3\n", [(3, 10, "dall-e-3")]),
    ("config.yaml", "model: !!str dall-e-3\n", [(1, 14, "dall-e-3")]),
    ("config.yaml", "args: --model=gpt-image-1\n", [(1, 15, "gpt-image-1")]),
    ("settings.toml", 'model = "dall-e-3"\n', [(1, 10, "dall-e-3")]),
    ("settings.toml", "[a.b]\nmodel = 'dall-e-3' # x\n", [(2, 10, "dall-e-3")]),
    ("settings.toml", 'models = [\n  "dall-e-2", # a\n  \'dall-e-3\',\n]\n', [(2, 4, "dall-e-2"), (3, 4, "dall-e-3")]),
    ("settings.toml", 'style = { model = "dall-e-2", quality = "hd" }\n', [(1, 20, "dall-e-2")]),
    ("settings.toml", 'model = """dall-e-3"""\n', [(1, 12, "dall-e-3")]),
    ("settings.json", '{"model": "dall-e-3"}\n', [(1, 12, "dall-e-3")]),
    ("settings.json", '{"a":{"model":"dall-e-2","list":["gpt-image-1"]}}', [(1, 16, "dall-e-2"), (1, 35, "gpt-image-1")]),
    ("app.ini", "[image]\nmodel = dall-e-3\nedit: dall-e-2\n", [(2, 9, "dall-e-3"), (3, 7, "dall-e-2")]),
    ("setup.cfg", "[x]\nmodels =\n    dall-e-2\n    gpt-image-1.5\n", [(3, 5, "dall-e-2")]),
    ("setup.cfg", "[x]\nmodel = dall-e-3 ; legacy\n", [(2, 9, "dall-e-3")]),
    ("app.ini", "[x]\na = 'tis a value\nmodel = dall-e-3\n", [(3, 9, "dall-e-3")]),
]


@pytest.mark.parametrize("filename,text,expected", FIRE, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(FIRE)])
def test_fires_at_the_id(filename, text, expected):
    assert reported(text, filename) == expected
    result = fix(text, filename)
    assert result.findings == []
    expected_text = text
    for row, column, model in sorted(expected, reverse=True):
        lines = expected_text.splitlines(keepends=True)
        line = lines[row - 1]
        lines[row - 1] = line[: column - 1] + "gpt-image-2" + line[column - 1 + len(model) :]
        expected_text = "".join(lines)
    assert result.text == expected_text


def test_finding_shape():
    (finding,) = check("IMAGE_MODEL=dall-e-3\n", ".env")
    rule = RULES_BY_CODE["DM106"]
    assert finding.code == "DM106" and finding.severity == rule.severity
    assert (finding.row, finding.column, finding.end_row, finding.end_column) == (1, 13, 1, 21)
    assert finding.message == (
        "'dall-e-3' names a model shut down on 2026-05-12; programs reading this configuration send it "
        "to the API: use 'gpt-image-2' (check deployments and other readers first)."
    )
    assert finding.fix.applicability.value == "unsafe"
    assert finding.fix.message == "Replace 'dall-e-3' with 'gpt-image-2'"
    assert finding.fix_positions == ((1, 12, 1, 20),)


def test_status_follows_the_date_and_the_target():
    text = "A=gpt-image-1.5\nB=gpt-image-1\n"
    assert [m for _, _, m in reported(text, ".env", today="2026-11-25")] == ["gpt-image-1"]
    assert [m for _, _, m in reported(text, ".env", today="2026-12-01")] == ["gpt-image-1.5", "gpt-image-1"]
    assert reported(text, ".env", today="2026-10-22") == []
    assert fix(text, ".env", target="gpt-image-2.5-flare").text == "A=gpt-image-1.5\nB=gpt-image-2.5-flare\n"


def test_a_retiring_id_is_dm107_until_its_shutdown_day_then_dm106():
    text = "A=gpt-image-1.5\nB=gpt-image-1\n"
    both = ("DM106", "DM107")
    codes = lambda today: [(f.code, text[f.start : f.end]) for f in check(text, ".env", both, today=today)]  # noqa: E731
    assert codes("2026-10-22") == [("DM107", "gpt-image-1.5"), ("DM107", "gpt-image-1")]  # gpt-image-1 shut down on the 23rd
    assert codes("2026-11-30") == [("DM107", "gpt-image-1.5"), ("DM106", "gpt-image-1")]
    assert codes("2026-12-01") == [("DM106", "gpt-image-1.5"), ("DM106", "gpt-image-1")]
    finding = check(text, ".env", ("DM107",), today="2026-11-30")[0]
    assert "shuts down on 2026-12-01" in finding.message and finding.fix.applicability.value == "unsafe"
    # Each rule alone: selecting one leaves the other's ids as they are.
    assert fix(text, ".env", select=("DM107",), today="2026-11-30").text == "A=gpt-image-2\nB=gpt-image-1\n"
    assert fix(text, ".env", select=("DM106",), today="2026-11-30").text == "A=gpt-image-1.5\nB=gpt-image-2\n"
    assert check_config(text, settings(today="2026-11-30"), Selection(ignore=("DM106", "DM107"))).findings == []
    # A target that is itself retiring is not reported as the fix's own value.
    assert fix("A=gpt-image-1.5\n", ".env", select=("DM107",), today="2026-11-30", target="gpt-image-2").findings == []


def test_selection_is_respected():
    text = "IMAGE_MODEL=dall-e-3\n"
    for selection in (Selection(ignore=("DM106",)), Selection(select=("DM1",), ignore=("DM10",)), Selection(select=("DM2",))):
        assert check_config(text, settings(), selection).findings == []
        assert fix_config(text, settings(unsafe_fixes=True), selection).text == text
    assert check_config(text, settings(), Selection(select=("DM106",))).findings


def test_python_files_are_not_scanned_as_config():
    assert [f for f in check('MODEL = "dall-e-3"\n', "example.py") if f.code == "DM106"] == []


def test_value_spans_are_values_only():
    text = 'a = "b"  # c\n[s]\nd: e\n'
    assert [text[s:e] for s, e in value_spans(text)] == ["b", "e"]


# -- what the fix keeps -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "filename,text",
    [
        (".env", "# x\r\nIMAGE_MODEL=dall-e-3\r\nOTHER=1\r\n"),
        ("config.yaml", "image:\r\n  model: dall-e-3 # c\r\n  list:\r\n    - dall-e-2\r\n"),
        ("settings.toml", 'model = "dall-e-3"\r\nlist = [\r\n  "dall-e-2",\r\n]\r\n'),
        ("settings.json", '{\r\n  "model": "dall-e-3"\r\n}\r\n'),
        ("app.ini", "[x]\r\nmodels =\r\n    dall-e-2\r\n"),
    ],
)
def test_crlf_is_kept(filename, text):
    result = fix(text, filename).text
    assert "dall-e" not in result and "gpt-image-2" in result
    assert result.count("\r\n") == text.count("\r\n") and "\n" not in result.replace("\r\n", "")
    assert result.replace("gpt-image-2", "X") == text.replace("dall-e-3", "X").replace("dall-e-2", "X")


@pytest.mark.parametrize(
    "filename,text,expected",
    [
        (".env", "IMAGE_MODEL=dall-e-3", "IMAGE_MODEL=gpt-image-2"),
        (".env", 'IMAGE_MODEL="dall-e-3"', 'IMAGE_MODEL="gpt-image-2"'),
        ("config.yaml", "models:\n  - dall-e-2", "models:\n  - gpt-image-2"),
        ("settings.toml", "model = 'dall-e-3'", "model = 'gpt-image-2'"),
        ("settings.json", '{"model": "dall-e-3"}', '{"model": "gpt-image-2"}'),
        ("app.ini", "[x]\nmodel = dall-e-3", "[x]\nmodel = gpt-image-2"),
    ],
)
def test_no_trailing_newline_is_kept(filename, text, expected):
    assert fix(text, filename).text == expected


def test_json_and_toml_stay_valid_and_equal_but_for_the_ids():
    text = dedent(
        """
        {
          "model": "dall-e-3",
          "list": ["dall-e-2", "gpt-image-1.5"],
          "dall-e-3": {"model": "gpt-image-1", "escaped": "a \\" dall-e-3"}
        }
        """
    )
    result = fix(text, "settings.json").text
    data = json.loads(result)
    assert data == {
        "model": "gpt-image-2",
        "list": ["gpt-image-2", "gpt-image-1.5"],
        "dall-e-3": {"model": "gpt-image-2", "escaped": 'a " dall-e-3'},
    }
    text = dedent(
        '''
        model = "dall-e-3"
        "dall-e-2" = { model = 'dall-e-2' }
        list = ["dall-e-3", 'gpt-image-1', """gpt-image-1"""]
        [t."gpt-image-1"]
        m = "a \\" dall-e-3"
        '''
    )
    result = fix(text, "settings.toml").text
    assert tomllib.loads(result) == {
        "model": "gpt-image-2",
        "dall-e-2": {"model": "gpt-image-2"},
        "list": ["gpt-image-2", "gpt-image-2", "gpt-image-2"],
        "t": {"gpt-image-1": {"m": 'a " dall-e-3'}},
    }


@pytest.mark.parametrize(
    "filename,text,problem",
    [
        ("settings.json", '{"model": "dall-e-3",}\n', "not valid JSON"),  # trailing comma
        ("tsconfig.json", '{\n  // comment\n  "model": "dall-e-3"\n}\n', "not valid JSON"),  # JSONC
        ("settings.json", '{"model": "dall-e-3"\n', "not valid JSON"),  # truncated
        ("data.json", "[\"dall-e-3\", \n", "not valid JSON"),
    ],
)
def test_invalid_json_is_reported_not_fixed(filename, text, problem):
    (finding,) = check(text, filename)
    assert text[finding.start : finding.end] == "dall-e-3"
    assert finding.fix is None and f"Not fixed: the file is {problem}" in finding.message
    assert fix(text, filename).text == text


def test_invalid_toml_known_by_name_is_reported_not_fixed():
    text = 'model = "dall-e-3"\nbroken = \n'
    (finding,) = check_config(text, settings(), Selection(), filename="settings.toml").findings
    assert finding.fix is None and "Not fixed: the file is not valid TOML" in finding.message
    assert fix_config(text, settings(unsafe_fixes=True), Selection(), filename="settings.toml").text == text
    # Without a name, a file that is no valid TOML may be INI: the id alone is still replaced.
    assert fix_config(text, settings(unsafe_fixes=True), Selection()).text == text.replace("dall-e-3", "gpt-image-2")


@pytest.mark.parametrize(
    "filename,text",
    [("settings.json", '{"model": "dall-e-3"}\n'), ("settings.toml", 'model = "dall-e-3"\n')],
)
def test_a_fix_that_would_break_json_or_toml_is_never_applied(filename, text, monkeypatch):
    # A catalogue whose target is no plain word: reported, never fixed.
    (finding,) = check(text, filename, target='gpt"image')
    assert finding.fix is None and "would need quoting" in finding.message
    assert fix(text, filename, target='gpt"image').text == text
    # And should such a fix get through, the file is parsed again and nothing is written.
    monkeypatch.setattr(config_files, "_PLAIN_ID", re.compile(".*"))
    with pytest.raises(InternalError, match="nothing was written"):
        fix(text, filename, target='gpt"image')


def test_non_utf8_or_binary_json_is_reported_not_crashed(tmp_path: Path):
    latin = tmp_path / "settings.json"
    latin.write_bytes('{"model": "dall-e-3", "name": "caf\xe9"}\n'.encode("latin-1"))
    result = process_file(latin, settings(unsafe_fixes=True), Selection(), fix=True)
    assert result.error is None and not result.changed
    assert [f.code for f in result.findings] == ["DM900"]
    assert latin.read_bytes() == '{"model": "dall-e-3", "name": "caf\xe9"}\n'.encode("latin-1")

    garbage = tmp_path / "blob.json"
    garbage.write_bytes(b'\x00\x01{"model": "dall-e-3"\xff\xfe]]]\n')
    result = process_file(garbage, settings(unsafe_fixes=True), Selection(), fix=True)
    assert result.error is None and not result.changed

    broken = tmp_path / "broken.json"
    broken.write_text('{"model": "dall-e-3", "size": }\n', encoding="utf-8")
    result = process_file(broken, settings(unsafe_fixes=True), Selection(), fix=True)
    assert result.error is None and not result.changed
    assert [f.code for f in result.findings] == ["DM106"] and result.findings[0].fix is None


def test_second_fix_changes_nothing():
    for path in FIXTURES:
        once = fix(path.read_text(encoding="utf-8"), path.name)
        twice = fix(once.text, path.name)
        assert twice.text == once.text and twice.fixed == [] and twice.findings == []


def test_safe_fix_changes_nothing_and_keeps_the_findings():
    text = "IMAGE_MODEL=dall-e-3\n"
    result = fix(text, ".env", unsafe=False)
    assert result.text == text and result.fixed == [] and [f.code for f in result.findings] == ["DM106"]


# -- discovery and the command line -----------------------------------------------------------
def test_config_files_are_discovered(tmp_path: Path):
    names = [".env", ".env.local", "prod.env", "a.yaml", "b.yml", "c.toml", "d.json", "e.ini", "setup.cfg"]
    for name in names:
        (tmp_path / name).write_text("X=1\n")
    (tmp_path / "notes.txt").write_text("X=1\n")
    (tmp_path / ".env.d").mkdir()  # a folder named like a config file is walked, not read
    found = {p.name for p in discover([tmp_path])}
    assert found == set(names)


def _cli(args, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_cli_check_and_fix(tmp_path: Path):
    env = "# IMAGE_MODEL=dall-e-2\nIMAGE_MODEL=dall-e-3\n"
    yaml = "image:\n  model: gpt-image-1  # was dall-e-3\n  deployment: my-dall-e-3-prod\n"
    (tmp_path / ".env").write_text(env)
    (tmp_path / "app.yaml").write_text(yaml)

    result = _cli(["check", *TODAY], tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(".env:2:13: DM106 [-] 'dall-e-3' names a model shut down on 2026-05-12")
    assert lines[1].startswith("app.yaml:2:10: DM106 [-] 'gpt-image-1' names a model shut down on 2026-10-23")
    assert "Found 2 findings" in result.output

    result = _cli(["fix", *TODAY], tmp_path)
    assert result.exit_code == 1, result.output
    assert "[-] 2 fixable with `--unsafe-fixes`." in result.output
    assert (tmp_path / ".env").read_text() == env and (tmp_path / "app.yaml").read_text() == yaml

    result = _cli(["check", "--ignore", "DM106", *TODAY], tmp_path)
    assert result.exit_code == 0, result.output

    result = _cli(["fix", "--unsafe-fixes", *TODAY], tmp_path)
    assert result.exit_code == 0, result.output
    assert "(2 fixed, 0 remaining)" in result.output
    assert (tmp_path / ".env").read_text() == "# IMAGE_MODEL=dall-e-2\nIMAGE_MODEL=gpt-image-2\n"
    assert (tmp_path / "app.yaml").read_text() == yaml.replace("model: gpt-image-1", "model: gpt-image-2")

    result = _cli(["check", *TODAY], tmp_path)
    assert result.exit_code == 0 and "All checks passed" in result.output


def test_cli_json_output_and_rule_page(tmp_path: Path):
    (tmp_path / "settings.json").write_text('{\n  "model": "dall-e-3"\n}\n')
    result = _cli(["check", "--format", "json", *TODAY], tmp_path)
    assert result.exit_code == 1
    (item,) = json.loads(result.output)
    assert item["code"] == "DM106" and item["filename"] == "settings.json"
    assert item["location"] == {"row": 2, "column": 13} and item["end_location"] == {"row": 2, "column": 21}
    assert item["fix"]["applicability"] == "unsafe"
    assert item["fix"]["edits"] == [
        {"content": "gpt-image-2", "location": {"row": 2, "column": 13}, "end_location": {"row": 2, "column": 21}}
    ]

    page = _cli(["rules", "DM106"], tmp_path).output
    assert page.startswith("# retired-model-in-config (DM106)")
    assert "```dotenv\n# Image generation\nIMAGE_MODEL=dall-e-3" in page and "```python" not in page


# -- a valid JSON file is decided from its decoded document --------------------------------------
JSON_CASES = [
    (Path(__file__).resolve().parent.parent / "fixtures" / "DM106" / "config.json").read_text(),
    json.dumps({"model": "dall-e-3", "fallback": ["gpt-image-1", "gpt-image-2"], "dall-e-2": {"price": 1}}, indent=2),
    json.dumps({"env": ["IMAGE_MODEL=dall-e-3", "--model=gpt-image-1"], "list": "dall-e-2,gpt-image-1"}),
    json.dumps({"desc": "use dall-e-3 for posters", "id": "azure/gpt-image-1.5", "m": "gpt-image-1.5"}),
    json.dumps({"quoted": 'say "dall-e-3"', "esc": "dall\u002de-3", "keys": {"dall-e-3": "dall-e-3"}}),
    '{"a": "dall\\u002de-3", "b": "dall-e-3"}',
    '{"a": "x\\"dall-e-3", "b" : "dall-e-3" , "c":["dall-e-3" ,"dall-e-2"]}',
    json.dumps([{"model": "dall-e-3"}, "dall-e-3", {"dall-e-3": ["dall-e-3"]}], indent=4),
    json.dumps({"enum": ["dall-e-2", "dall-e-3", "gpt-image-1"], "nested": {"deep": [[["gpt-image-1"]]]}}),
    '{"model": "dall-e-3", "model": "gpt-image-2"}',  # a key twice: the decoder keeps one, the text both
]


@pytest.mark.parametrize("text", JSON_CASES, ids=[f"json-{i}" for i in range(len(JSON_CASES))])
def test_json_fast_path_finds_what_the_text_scan_finds(text, monkeypatch):
    from dalle_migrate.selection import Selection
    from support import settings

    options = settings()

    def report():
        result = config_files.check_config(text, options, Selection(select=("DM",)), filename="c.json")
        return [(f.row, f.column, f.message) for f in result.findings]

    fast = report()
    monkeypatch.setattr(config_files, "_json_values_holding", lambda document, ids: {"": 1})
    monkeypatch.setattr(config_files, "_json_value_spans", lambda text, held: None)
    assert fast == report()
