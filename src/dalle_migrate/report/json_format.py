"""A JSON list of findings shaped like ruff's `--output-format json` (rows and columns 1-based)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from ..findings import Finding
from .common import RunReport, display_path


def finding_dict(name: str, f: Finding) -> Dict[str, Any]:
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": f.fix.applicability.value,
            "message": f.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": {"row": pos[0], "column": pos[1] + 1},
                    "end_location": {"row": pos[2], "column": pos[3] + 1},
                    # An edit in another file of the project (a fix that spans modules) names it.
                    **({"filename": display_path(edit.path)} if edit.path and display_path(edit.path) != name else {}),
                }
                for edit, pos in zip(f.fix.edits, f.fix_positions)
            ],
        }
    from ..rules import RULES_BY_CODE  # only when there is a finding to describe

    rule = RULES_BY_CODE.get(f.code)
    return {
        "cell": f.cell,
        "code": f.code,
        "end_location": {"row": f.end_row, "column": f.end_column},
        "filename": name,
        "fix": fix,
        "location": {"row": f.row, "column": f.column},
        "message": f.message,
        "noqa_row": f.row,
        "severity": f.severity.value,
        "url": rule.url() if rule else None,
    }


def render(report: RunReport) -> str:
    items: List[Dict[str, Any]] = []
    for result in report.results:
        if not result.findings:
            continue
        name = display_path(result.path)
        items.extend(finding_dict(name, f) for f in result.findings)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
