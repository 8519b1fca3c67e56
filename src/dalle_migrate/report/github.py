"""GitHub Actions workflow commands: an annotation per finding on the pull request's diff."""

from __future__ import annotations

from typing import List

from ..findings import Severity
from .common import RunReport, display_path


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: RunReport) -> str:
    lines: List[str] = []
    for result in report.results:
        if not result.findings and not result.error:
            continue
        name = _property(display_path(result.path))
        for f in result.findings:
            command = "error" if f.severity is Severity.ERROR else "warning"
            where = f"cell {f.cell}: " if f.cell is not None else ""
            fix = " [fixable]" if f.fix is not None and f.fix.applies(report.unsafe_fixes) else ""
            lines.append(
                f"::{command} file={name},line={f.row},col={f.column},endLine={f.end_row},endColumn={f.end_column},"
                f"title={_property(f.code)}::{_data(where + f.message + fix)}"
            )
        if result.error:
            lines.append(f"::error file={name},title=dalle-migrate::{_data(result.error)}")
    return "\n".join(lines) + ("\n" if lines else "")
