"""`path:row:col: CODE [*] message` lines, then a summary (ruff's layout)."""

from __future__ import annotations

from typing import List

from .common import RunReport, display_path


def render(report: RunReport) -> str:
    lines: List[str] = []
    for result in report.results:
        if not result.findings and not result.error:
            continue
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
    scanned = sum(1 for r in report.results if not r.outside)  # not the project's other files it reports in
    files = f"{scanned} file{'' if scanned == 1 else 's'} scanned"
    safe = sum(1 for f in findings if f.fix is not None and f.fix.applies(False))
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.applies(False))
    fixed = report.fixed_count
    fixing = report.command == "fix" and not report.diff_only
    if fixing:
        total = count + fixed
        text = f"Found {total} {_noun(total)} ({fixed} fixed, {count} remaining) in {files}."
    elif count == 0 and not report.errors:
        text = f"All checks passed ({files})."
    elif count == 0:
        text = f"No findings in {files}."
    else:
        text = f"Found {count} {_noun(count)} in {files}."
    if count and (safe or unsafe) and not fixing:
        parts = []
        if safe:
            parts.append(f"[*] {safe} fixable with `dalle-migrate fix`")
        if unsafe:
            parts.append(f"[-] {unsafe} more with `dalle-migrate fix --unsafe-fixes`")
        text += "\n" + "\n".join(parts) + "."
    elif count and unsafe and fixing and not report.unsafe_fixes:
        text += f"\n[-] {unsafe} fixable with `--unsafe-fixes`."
    if report.errors:
        text += f"\n{len(report.errors)} file(s) could not be processed."
    return text


def _noun(count: int) -> str:
    return "finding" if count == 1 else "findings"


def statistics(report: RunReport) -> str:
    """Counts per rule, most frequent first (ruff's --statistics layout)."""
    from collections import Counter

    from ..rules import RULES_BY_CODE

    counts = Counter(f.code for _, f in report.findings)
    fixable = Counter(f.code for _, f in report.findings if f.fix is not None and f.fix.applies(report.unsafe_fixes))
    lines = []
    for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = RULES_BY_CODE.get(code)
        mark = "[*]" if fixable[code] == n else ("[-]" if fixable[code] else "   ")
        lines.append(f"{n:>5}\t{code}\t{mark} {rule.name if rule else ''}")
    return "\n".join(lines) + ("\n" if lines else "")
