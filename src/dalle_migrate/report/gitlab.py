"""GitLab Code Quality JSON (a subset of the Code Climate spec): an issue per finding for the
merge request widget, with a fingerprint that stays the same across runs while the finding does."""

from __future__ import annotations

import collections
import hashlib
import json
import re
from typing import Any, Dict, List

from ..findings import Finding, Severity
from .common import RunReport, in_cell, reported

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}
# Positions a message may quote (`set at line 12`, `settings.py:4`): not part of what the finding is.
_POSITIONS = re.compile(r"\bline \d+|:\d+(?::\d+)?\b")


def _fingerprint(path: str, finding: Finding, occurrence: int) -> str:
    """The file, the rule and the message without the positions it quotes, and which of the
    file's identical findings this is: moving code leaves it as it was, GitLab keeps its history."""
    what = f"{path}\0{finding.code}\0{_POSITIONS.sub('', finding.message)}\0{occurrence}"
    return hashlib.blake2b(what.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def render(report: RunReport) -> str:
    issues: List[Dict[str, Any]] = []
    for result, path, place in reported(report):
        seen: Dict[tuple, int] = collections.Counter()
        for finding in result.findings:
            line, _ = place(finding)
            same = (finding.code, _POSITIONS.sub("", finding.message))
            seen[same] += 1
            where = f" ({in_cell(finding)})" if finding.cell is not None else ""
            end = max(line, line + finding.end_row - finding.row) if finding.cell is None else line
            issues.append({
                "description": f"{finding.code} {finding.message}{where}",
                "check_name": finding.code,
                "fingerprint": _fingerprint(path, finding, seen[same]),
                "severity": _SEVERITY[finding.severity],
                "location": {"path": path, "lines": {"begin": line, "end": end}},
            })
        if result.error:
            issues.append({
                "description": f"dalle-migrate could not process the file: {result.error}",
                "check_name": "dalle-migrate/error",
                "fingerprint": hashlib.blake2b(f"{path}\0error".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(),
                "severity": "critical",
                "location": {"path": path, "lines": {"begin": 1}},
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
