"""GitHub Actions workflow commands: an annotation per finding on the pull request's diff."""

from __future__ import annotations

from typing import List

from ..findings import Severity
from .common import RunReport, in_cell, reported


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: RunReport) -> str:
    lines: List[str] = []
    for result, shown, place in reported(report):
        name = _property(shown)
        for f in result.findings:
            command = "error" if f.severity is Severity.ERROR else "warning"
            if f.cell is None:
                where, span = "", f"line={f.row},col={f.column},endLine={f.end_row},endColumn={f.end_column}"
            else:  # the .ipynb line holding the cell's line (the diff GitHub shows is the file's)
                line, column = place(f)
                where, span = f"{in_cell(f)}: ", f"line={line},col={column}"
            fix = " [fixable]" if f.fix is not None and f.fix.applies(report.unsafe_fixes) else ""
            lines.append(f"::{command} file={name},{span},title={_property(f.code)}::{_data(where + f.message + fix)}")
        if result.error:
            lines.append(f"::error file={name},title=dalle-migrate::{_data(result.error)}")
    return "\n".join(lines) + ("\n" if lines else "")
