"""Per-rule fixtures: snapshots of the report and of the fixed file; every fixed file parses and
a second fix changes nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest

from dalle_migrate.engine import FileResult, Selection, check_text, fix_text
from dalle_migrate.report.common import RunReport
from dalle_migrate.report.text import render
from support import settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("DM*/*.py"))
SNAPSHOTS = Path(__file__).parent / "snapshots" / "fixtures"


def _report(path: Path, findings) -> str:
    result = FileResult(path.relative_to(ROOT), findings=findings)
    return render(RunReport(command="check", results=[result]))


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path, snapshot):
    snapshot.snapshot_dir = SNAPSHOTS / path.parent.name
    source = path.read_text(encoding="utf-8")
    report = check_text(source, settings(), Selection())
    if path.parent.name == "DM900" and sys.version_info < (3, 10):
        # DM900 quotes CPython's own syntax error, which says it otherwise before 3.10.
        assert [f.code for f in report.findings] == ["DM900"] and fix_text(source, settings(), Selection()).text == source
        return
    snapshot.assert_match(_report(path, report.findings), f"{path.stem}.report.txt")

    result = fix_text(source, settings(), Selection())
    snapshot.assert_match(result.text, f"{path.stem}.fixed.py")
    if result.text != source:
        cst.parse_module(result.text)  # a rewritten file always parses
    assert fix_text(result.text, settings(), Selection()).text == result.text  # idempotent
    if path.parent.name != "DM900":
        assert path.parent.name in {f.code for f in report.findings} or path.stem.startswith("noop")


@pytest.mark.parametrize("path", [p for p in FIXTURES if p.stem.startswith("noop")], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_noop_fixture_has_no_finding_of_its_code(path: Path):
    source = path.read_text(encoding="utf-8")
    report = check_text(source, settings(), Selection())
    assert [f for f in report.findings if f.code == path.parent.name] == []


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_unsafe_fixes(path: Path, snapshot):
    """With --unsafe-fixes: a snapshot where it differs from the safe result; stable, parses."""
    source = path.read_text(encoding="utf-8")
    safe = fix_text(source, settings(), Selection()).text
    once = fix_text(source, settings(unsafe_fixes=True), Selection()).text
    if once != safe:
        snapshot.snapshot_dir = SNAPSHOTS / path.parent.name
        snapshot.assert_match(once, f"{path.stem}.unsafe-fixed.py")
        cst.parse_module(once)
    assert fix_text(once, settings(unsafe_fixes=True), Selection()).text == once


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prefilter_keeps_every_file_with_a_finding(path: Path):
    """The byte prefilter may skip a file only when it has no finding at all."""
    from dalle_migrate.prefilter import Prefilter

    source = path.read_text(encoding="utf-8")
    if check_text(source, settings(), Selection()).findings:
        assert Prefilter(settings().catalog).may_have_findings(path.read_bytes())


def _placed(findings):
    return [(f.code, f.row, f.column, f.end_row, f.end_column, f.message, f.fix_positions) for f in findings]


E2E_PROGRAMS = sorted((ROOT / "tests" / "e2e" / "programs").glob("*.py"))
REGRESSIONS = sorted((ROOT / "fixtures" / "regressions").glob("*.py"))


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize(
    "path", FIXTURES + E2E_PROGRAMS + REGRESSIONS, ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_findings_left_by_fix_are_what_check_reports_on_its_result(path: Path, unsafe: bool):
    """``fix`` reports what is left without analysing its result again when no fix can have
    changed it: what it reports must be exactly what a fresh ``check`` of the result says."""
    source = path.read_text(encoding="utf-8")
    result = fix_text(source, settings(unsafe_fixes=unsafe), Selection())
    fresh = check_text(result.text, settings(unsafe_fixes=unsafe), Selection())
    assert _placed(result.findings) == _placed(fresh.findings)
