"""`path:row:col: CODE [*] message` lines, then a summary (ruff's layout)."""

from __future__ import annotations

from typing import List

from .common import RunReport, display_path


def render(report: RunReport) -> str:
    lines: List[str] = []
    for result in report.results:
        name = display_path(result.path)
        for f in result.findings:
            where = f"{name}:cell {f.cell}:{f.row}:{f.column}" if f.cell is not None else f"{name}:{f.row}:{f.column}"
            mark = ""
            if f.fix is not None:
                mark = "[*] " if f.fix.applies(report.unsafe_fixes) else "[-] "
            lines.append(f"{where}: {f.code} {mark}{f.message}")
        if result.error:
            lines.append(f"{name}: error: {result.error}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: RunReport) -> str:
    findings = [f for _, f in report.findings]
    count = len(findings)
    noun = "finding" if count == 1 else "findings"
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applies(False))
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.applies(False))
    fixed = report.fixed_count
    if report.command == "fix" and not report.diff_only:
        text = f"Found {count + fixed} {('finding' if count + fixed == 1 else 'findings')} ({fixed} fixed, {count} remaining)."
    elif count == 0:
        text = "All checks passed."
    else:
        text = f"Found {count} {noun}."
    if count and (safe or unsafe) and not (report.command == "fix" and not report.diff_only):
        parts = []
        if safe:
            parts.append(f"[*] {safe} fixable with `dalle-migrate fix`")
        if unsafe:
            parts.append(f"[-] {unsafe} more with `dalle-migrate fix --unsafe-fixes`")
        text += "\n" + "\n".join(parts) + "."
    elif count and unsafe and report.command == "fix" and not report.unsafe_fixes:
        text += f"\n[-] {unsafe} fixable with `--unsafe-fixes`."
    if report.errors:
        text += f"\n{len(report.errors)} file(s) could not be processed."
    return text
