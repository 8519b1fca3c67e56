"""One bad fix must not cost the others (issue 20).

When a fix produces code that does not parse, that fix is dropped and reported (with the
finding it belongs to, exit 2), and the file gets its other fixes: it is migrated as far as it
safely can be. A rule is made to write a broken edit here (no rule of the tool is known to):
the guard, not the rule, is under test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalle_migrate.cli import main
from dalle_migrate.engine import Selection, fix_text
from dalle_migrate.findings import Edit
from dalle_migrate.rules import RULES_BY_CODE
from support import dedent, settings

SOURCE = dedent(
    """
    from openai import OpenAI
    client = OpenAI()
    image = client.images.generate(model="dall-e-3", prompt="a red fox", style="vivid", quality="hd")
    """
)


@pytest.fixture
def broken_style_fix(monkeypatch):
    """DM204's fix writes `style=(` instead of deleting the keyword: code that does not parse."""
    rule = RULES_BY_CODE["DM204"]
    original = type(rule).check_call

    def check_call(self, call, ctx):
        for finding in original(self, call, ctx):
            if finding.fix is not None:
                start, end = finding.fix.edits[0].start, finding.fix.edits[0].end
                finding = dataclasses.replace(finding, fix=dataclasses.replace(finding.fix, edits=(Edit(start, end, "style=("),)))
            yield finding

    monkeypatch.setattr(type(rule), "check_call", check_call)


def test_the_broken_fix_is_dropped_and_the_others_applied(broken_style_fix):
    result = fix_text(SOURCE, settings(), Selection())
    assert 'model="gpt-image-2"' in result.text and 'quality="high"' in result.text  # DM101, DM202
    assert 'style="vivid"' in result.text  # DM204's broken fix was not applied
    compile(result.text, "<fixed>", "exec")
    assert len(result.failed) == 1 and "DM204 at 3:" in result.failed[0], result.failed
    left = [f for f in result.findings if f.code == "DM204"]
    assert left and left[0].fix is None  # still reported, without its fix


def test_fix_writes_what_it_can_and_exits_2(broken_style_fix, tmp_path: Path, monkeypatch):
    target = tmp_path / "app.py"
    target.write_text(SOURCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["fix", "app.py", "--isolated", "--no-progress", "--today", "2026-11-25", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert "produced code that does not parse" in result.output and "DM204" in result.output
    written = target.read_text(encoding="utf-8")
    assert 'model="gpt-image-2"' in written and 'quality="high"' in written and 'style="vivid"' in written


def test_without_a_broken_fix_nothing_is_reported():
    result = fix_text(SOURCE, settings(), Selection())
    assert result.failed == [] and "style" not in result.text
