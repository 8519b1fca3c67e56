"""SARIF 2.1.0 for code scanning: one run, every rule described, results with their fixes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

from .. import __version__
from ..findings import Finding, Severity
from ..rules import ALL_RULES
from ..rules.base import _sections
from .common import RunReport, display_path, reported

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _rule(rule) -> Dict[str, Any]:
    sections = _sections(rule.doc())
    full = "\n\n".join(sections[t] for t in ("What it does", "Why") if t in sections)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule.page(), "markdown": rule.page()},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "fix": rule.fix_applicability.value if rule.fix_applicability else "none",
            "tags": ["openai", "migration", "gpt-image-2"],
        },
    }


def _region(row: int, column: int, end_row: int, end_column: int) -> Dict[str, int]:
    return {"startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column}


def _result(name: str, finding: Finding, index: Dict[str, int], place) -> Dict[str, Any]:
    artifact = {"uri": name, "uriBaseId": "%SRCROOT%"}
    end_row, end_column = max(finding.end_row, finding.row), finding.end_column
    if (end_row, end_column) < (finding.row, finding.column):
        end_row, end_column = finding.row, finding.column
    region = _region(finding.row, finding.column, end_row, end_column)
    placed = place(finding) if finding.cell is not None else None
    if placed is not None and placed != (finding.row, finding.column):
        # Code scanning shows the lines of the file the result names: in a notebook, the line of
        # the .ipynb that holds the JSON string of that source line (a one-string source: its start).
        region = {"startLine": placed[0], "startColumn": placed[1], "endLine": placed[0], "endColumn": placed[1]}
    result: Dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
    }
    if finding.cell is not None:
        # Where Jupyter shows it: the cell, and the line and column in the cell.
        result["properties"] = {"cell": finding.cell, "cellLine": finding.row, "cellColumn": finding.column}
    if finding.fix is not None and finding.cell is None:  # a cell's edits are not offsets of the .ipynb
        # One change per file: a fix may also edit other files of the project.
        changes: Dict[str, Dict[str, Any]] = {}
        for edit, pos in zip(finding.fix.edits, finding.fix_positions):
            where = display_path(edit.path) if edit.path else artifact["uri"]
            change = changes.setdefault(where, {"artifactLocation": {**artifact, "uri": where}, "replacements": []})
            change["replacements"].append(
                {"deletedRegion": _region(pos[0], pos[1] + 1, pos[2], pos[3] + 1), "insertedContent": {"text": edit.content}}
            )
        result["fixes"] = [
            {
                "description": {"text": f"{finding.fix.message} ({finding.fix.applicability.value} fix)"},
                "artifactChanges": list(changes.values()),
            }
        ]
    return result


def render(report: RunReport) -> str:
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    results: List[Dict[str, Any]] = []
    for file_result, name, place in reported(report):
        results.extend(_result(name, f, index, place) for f in file_result.findings)
    root = Path(os.getcwd()).as_uri() + "/"
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dalle-migrate",
                        "version": __version__,
                        "informationUri": "https://github.com/dalle-migrate/dalle-migrate",
                        "rules": [_rule(rule) for rule in ALL_RULES],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{display_path(r.path)}: {r.error}"}} for r in report.errors
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
