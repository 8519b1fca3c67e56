"""Output formats for CI: SARIF (schema-valid), GitHub annotations, Markdown, statistics."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from dalle_migrate.cli import main
from dalle_migrate.rules import ALL_RULES

# The OASIS SARIF 2.1.0 schema (copied from shared/schemas, commit e0583813 of oasis-tcs/sarif-spec).
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
APP = '''\
from openai import OpenAI

client = OpenAI()
image = client.images.generate(model="dall-e-3", prompt="a fox, 100% vivid", quality="hd")
client.images.create_variation(image=open("a.png", "rb"))
print(image.data[0].revised_prompt)
'''


def run(tmp_path: Path, *args):
    (tmp_path / "app.py").write_text(APP)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, ["check", "--today", "2026-11-25", *map(str, args)], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA_FILE.read_text())


def test_sarif_is_valid_and_complete(tmp_path, schema):
    result = run(tmp_path, "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.output)
    jsonschema.validate(sarif, schema)
    (run_,) = sarif["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in ALL_RULES]
    for rule in rules:
        assert rule["fullDescription"]["text"] and rule["helpUri"].startswith("https://")
        assert "## Fix safety" in rule["help"]["markdown"]
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    assert set(by_rule) == {"DM101", "DM202", "DM402", "DM302"}
    dm101 = by_rule["DM101"]
    assert dm101["level"] == "error" and rules[dm101["ruleIndex"]]["id"] == "DM101"
    location = dm101["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app.py"
    assert location["region"] == {"startLine": 4, "startColumn": 38, "endLine": 4, "endColumn": 48}
    (replacement,) = dm101["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"]["text"] == '"gpt-image-2"'
    assert replacement["deletedRegion"] == location["region"]
    assert by_rule["DM302"]["level"] == "warning" and "fixes" not in by_rule["DM302"]


def test_sarif_with_notebook_and_errors_is_valid(tmp_path, schema):
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": ['import openai\n', 'openai.images.generate(model="dall-e-2", prompt="x")']}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    result = run(tmp_path, "--format", "sarif", "nb.ipynb", "missing.py")
    assert result.exit_code == 2
    assert "missing.py: error: cannot read" in result.stderr
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, schema)
    assert sarif["runs"][0]["results"][0]["properties"] == {"cell": 1, "cellLine": 2, "cellColumn": 30}
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_github_annotations(tmp_path):
    result = run(tmp_path, "--format", "github")
    lines = result.output.splitlines()
    assert lines[0].startswith("::error file=app.py,line=4,col=38,endLine=4,endColumn=48,title=DM101::Model 'dall-e-3' was shut down")
    assert lines[0].endswith("[fixable]")
    assert any(line.startswith("::warning file=app.py,line=6,") and "title=DM302::" in line for line in lines)
    # Workflow-command escaping: a '%' in a message is written %25.
    assert all("%" not in line.split("::", 2)[2].replace("%25", "").replace("%0A", "") for line in lines)


def test_markdown_report(tmp_path):
    result = run(tmp_path, "--format", "markdown")
    out = result.output
    assert out.startswith("## Migration to gpt-image-2 (dalle-migrate)")
    assert "### Fixable by `dalle-migrate fix`" in out and "**DM101 retired-model** (1)" in out
    assert "### Needs a person" in out and "- `app.py` line 6: GPT image models never return `revised_prompt`" in out


def test_markdown_after_fix_lists_what_was_migrated(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["fix", "--today", "2026-11-25", "--format", "markdown"])
    finally:
        os.chdir(old)
    assert "### Migrated" in result.output and "**DM202 unsupported-quality** (1)" in result.output
    assert "2 change(s) made; 2 finding(s) need a person" in result.output


def test_statistics(tmp_path):
    result = run(tmp_path, "--statistics")
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert [r[1] for r in rows] == ["DM101", "DM202", "DM302", "DM402"]
    assert rows[0][0].strip() == "1" and rows[0][2] == "[*] retired-model"
    assert rows[2][2].startswith("    ") or rows[2][2].startswith("   ")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown", "gitlab", "junit", "azure"])
def test_every_format_writes_to_a_file(tmp_path, fmt):
    result = run(tmp_path, "--format", fmt, "-o", "out.report")
    assert result.exit_code == 1 and result.output == ""
    assert "DM101" in (tmp_path / "out.report").read_text()


def test_text_summary_counts_files(tmp_path):
    (tmp_path / "other.py").write_text("print('no image api here')\n")
    result = run(tmp_path)
    assert "Found 4 findings in 2 files scanned." in result.output
    assert "[*] 2 fixable with `dalle-migrate fix`" in result.output
    assert "[-] 1 more with `dalle-migrate fix --unsafe-fixes`" in result.output


def _posters_notebook(tmp_path: Path, as_lines: bool = True) -> str:
    """A notebook whose third cell's second line calls the image API with dall-e-3; its text."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Posters\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "from openai import OpenAI\nclient = OpenAI()\n"},
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [],
            "source": ["# the poster\n", 'image = client.images.generate(model="dall-e-3", prompt="x")\n'],
        },
    ]
    if not as_lines:
        cells[2]["source"] = "".join(cells[2]["source"])
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    (tmp_path / "posters.ipynb").write_text(text)
    return text


def _check_posters(tmp_path: Path, fmt: str) -> str:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(main, ["check", "--today", "2026-11-25", "--format", fmt, "posters.ipynb"], catch_exceptions=False).output
    finally:
        os.chdir(old)


@pytest.mark.parametrize("as_lines", [True, False], ids=["source-as-lines", "source-as-one-string"])
def test_sarif_places_notebook_findings_on_the_lines_of_the_ipynb(tmp_path, schema, as_lines):
    text = _posters_notebook(tmp_path, as_lines)
    sarif = json.loads(_check_posters(tmp_path, "sarif"))
    jsonschema.validate(sarif, schema)
    (dm101,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "DM101"]
    assert dm101["properties"] == {"cell": 3, "cellLine": 2, "cellColumn": 38}
    region = dm101["locations"][0]["physicalLocation"]["region"]
    line = text.splitlines()[region["startLine"] - 1]
    if as_lines:
        assert line.strip().startswith('"image = client.images.generate(') and line.index('"') + 1 == region["startColumn"]
    else:
        assert '"# the poster\\nimage = client.images.generate(' in line


@pytest.mark.parametrize(
    "fmt, line_of",
    [
        ("github", lambda out: re.search(r"::error file=posters.ipynb,line=(\d+),col=\d+,title=DM101::cell 3, line 2: ", out)),
        ("azure", lambda out: re.search(r"sourcepath=posters.ipynb;linenumber=(\d+);.*code=DM101;\]cell 3, line 2: ", out)),
        ("gitlab", lambda out: re.search(r'"begin": (\d+)', json.dumps([i for i in json.loads(out) if i["check_name"] == "DM101"]))),
        ("junit", lambda out: re.search(r'name="DM101 at posters.ipynb:(\d+):\d+ \(cell 3, line 2\)"', out)),
    ],
)
def test_every_ci_format_places_a_notebook_finding_on_the_line_of_the_ipynb(tmp_path, fmt, line_of):
    """As SARIF does: the line of the .ipynb holding the cell's line (what a CI system shows
    beside the file), with the cell and its line in the message."""
    text = _posters_notebook(tmp_path)
    found = line_of(_check_posters(tmp_path, fmt))
    assert found is not None
    assert text.splitlines()[int(found.group(1)) - 1].strip().startswith('"image = client.images.generate(')


# -- the formats other CI systems read (GitLab, Jenkins / JUnit, Azure Pipelines) ------------------
GITLAB_SCHEMA = Path(__file__).resolve().parent / "data" / "gitlab-code-quality.schema.json"


def test_gitlab_code_quality_is_valid_and_its_fingerprints_are_stable(tmp_path):
    result = run(tmp_path, "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.output)
    jsonschema.validate(issues, json.loads(GITLAB_SCHEMA.read_text()))
    assert [i["check_name"] for i in issues] == ["DM101", "DM202", "DM402", "DM302"]
    assert issues[0]["location"] == {"path": "app.py", "lines": {"begin": 4, "end": 4}}
    assert issues[0]["severity"] == "major" and issues[3]["severity"] == "minor"  # DM302 is a warning
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    again = json.loads(run(tmp_path, "--format", "gitlab").output)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]
    # Code moved down: the same findings keep their fingerprints (GitLab keeps their history).
    (tmp_path / "app.py").write_text("# a comment\n\n" + APP)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        moved = json.loads(CliRunner().invoke(main, ["check", "--today", "2026-11-25", "--format", "gitlab", "app.py"]).output)
    finally:
        os.chdir(old)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert moved[0]["location"]["lines"]["begin"] == 6


def test_junit_is_read_by_a_junit_parser(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    result = run(tmp_path, "--output-format", "junit", "-o", "report.xml")
    assert result.exit_code == 1
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "report.xml"))
    suites = list(xml)
    assert [s.name for s in suites] == ["app.py"]
    cases = list(suites[0])
    assert len(cases) == 4 and suites[0].tests == 4 and suites[0].failures == 4
    failures = [case.result[0] for case in cases]
    assert [f.type for f in failures] == ["DM101", "DM202", "DM402", "DM302"]
    assert failures[0].message.startswith("Model 'dall-e-3' was shut down") and cases[0].classname == "app.py"
    assert cases[0].name == "DM101 at app.py:4:38"


def test_junit_without_findings_is_one_passing_case(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    (tmp_path / "chat.py").write_text("print('no image call')\n")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "junit", "chat.py", "-o", "r.xml"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0
    (suite,) = list(junitparser.JUnitXml.fromfile(str(tmp_path / "r.xml")))
    (case,) = list(suite)
    assert case.is_passed and suite.tests == 1


_LOGISSUE = re.compile(r"^##vso\[task\.logissue (?P<props>(?:[a-z]+=[^;\]\r\n]*;)+)\](?P<message>[^\r\n]*)$")


def test_azure_pipelines_logging_commands(tmp_path):
    result = run(tmp_path, "--output-format", "azure")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 4
    parsed = []
    for line in lines:
        match = _LOGISSUE.match(line)
        assert match is not None, line
        props = dict(p.split("=", 1) for p in match["props"].rstrip(";").split(";"))
        parsed.append((props, match["message"]))
    props, message = parsed[0]
    assert props == {"type": "error", "sourcepath": "app.py", "linenumber": "4", "columnnumber": "38", "code": "DM101"}
    assert message.startswith("DM101 Model 'dall-e-3'")
    assert parsed[3][0]["type"] == "warning"  # DM302


def test_azure_escapes_what_ends_a_command():
    from dalle_migrate.report import azure

    assert azure._data("100% done\nnext") == "100%AZP25 done%0Anext"
    assert azure._property("a;b]c") == "a%3Bb%5Dc"


@pytest.mark.parametrize("spelling", [["--output-format", "full"], ["--output-format", "concise"], ["--format", "text"]])
def test_output_format_as_ruff_spells_it(tmp_path, spelling):
    result = run(tmp_path, *spelling)
    assert result.exit_code == 1 and "Found 4 findings" in result.output
