"""A migration report for a pull request description: what changed, what needs a person."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, List, Tuple

from .common import RunReport, display_path


def _where(f) -> str:
    return f"cell {f.cell}, line {f.row}" if f.cell is not None else f"line {f.row}"


def render(report: RunReport) -> str:
    fixed = [(display_path(r.path), f) for r in report.results for f in r.fixed]
    remaining = [(display_path(r.path), f) for r in report.results for f in r.findings]
    fixable = [(n, f) for n, f in remaining if f.fix is not None and f.fix.applies(report.unsafe_fixes)]
    person = [(n, f) for n, f in remaining if not (f.fix is not None and f.fix.applies(report.unsafe_fixes))]
    out = ["## Migration to gpt-image-2 (dalle-migrate)", ""]
    files = sum(1 for r in report.results if not r.outside)
    if report.command == "fix" and not report.diff_only:
        out.append(f"{len(fixed)} change(s) made; {len(person)} finding(s) need a person; {files} file(s) scanned.")
    else:
        out.append(f"{len(remaining)} finding(s): {len(fixable)} fixable by `dalle-migrate fix`, {len(person)} need a person; {files} file(s) scanned.")
    out.append("")
    if fixed:
        out += ["### Migrated", ""] + _by_rule(fixed, with_message=False)
    if fixable:
        out += ["### Fixable by `dalle-migrate fix`", ""] + _by_rule(fixable, with_message=False)
    if person:
        out += ["### Needs a person", ""] + _by_rule(person, with_message=True)
    if report.errors:
        out += ["### Not processed", ""] + [f"- `{display_path(r.path)}`: {r.error}" for r in report.errors] + [""]
    if not (fixed or remaining or report.errors):
        out += ["Nothing to migrate.", ""]
    return "\n".join(out).rstrip() + "\n"


def _by_rule(items: List[Tuple[str, object]], with_message: bool) -> List[str]:
    from ..rules import RULES_BY_CODE  # only when there is a finding to describe

    groups: Dict[str, List[Tuple[str, object]]] = defaultdict(list)
    for name, f in items:
        groups[f.code].append((name, f))
    out: List[str] = []
    for code in sorted(groups):
        rule = RULES_BY_CODE.get(code)
        title = f"{code} {rule.name}" if rule else code
        out.append(f"**{title}** ({len(groups[code])})")
        out.append("")
        if with_message:
            out += [f"- `{name}` {_where(f)}: {f.message}" for name, f in groups[code]]
        else:
            counts = Counter(name for name, _ in groups[code])
            out += [f"- `{name}`: {n}" for name, n in sorted(counts.items())]
        out.append("")
    return out
