"""Azure Pipelines logging commands: `##vso[task.logissue ...]` per finding, shown on the run's
summary and, with the file and line, beside the code."""

from __future__ import annotations

from typing import List

from ..findings import Severity
from .common import RunReport, in_cell, reported


def _data(text: str) -> str:
    """A message: Azure ends a command at a line break, and reads `%` as its escape."""
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A property value: `;` ends it and `]` ends the properties."""
    return _data(text).replace(";", "%3B").replace("]", "%5D")


def render(report: RunReport) -> str:
    lines: List[str] = []
    for result, shown, place in reported(report):
        path = _property(shown)
        for finding in result.findings:
            line, column = place(finding)
            kind = "error" if finding.severity is Severity.ERROR else "warning"
            where = f"{in_cell(finding)}: " if finding.cell is not None else ""
            lines.append(
                f"##vso[task.logissue type={kind};sourcepath={path};linenumber={line};columnnumber={column};"
                f"code={_property(finding.code)};]{_data(where + finding.code + ' ' + finding.message)}"
            )
        if result.error:
            lines.append(f"##vso[task.logissue type=error;sourcepath={path};code=dalle-migrate;]{_data(result.error)}")
    return "\n".join(lines) + ("\n" if lines else "")
