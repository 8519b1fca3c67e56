"""Inline suppressions: ``# noqa`` / ``# noqa: DM101, DM2`` on a finding's first line, and a
file-level ``# dalle-migrate: skip-file``."""

from __future__ import annotations

import re
from typing import Optional, Tuple

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*))?", re.IGNORECASE)
_SKIP_FILE = re.compile(rb"#\s*dalle-migrate\s*:\s*skip-file\b", re.IGNORECASE)


def line_codes(line: str) -> Optional[Tuple[str, ...]]:
    """None: no noqa on the line; (): a bare noqa (everything); else the codes or prefixes."""
    found = None
    for match in _NOQA.finditer(line):  # every one: the first may be text in a string
        codes = match.group("codes")
        if not codes:
            return ()
        found = (found or ()) + tuple(c.strip().upper() for c in codes.split(","))
    return found


def codes_span(line: str, start: int = 0) -> Optional[Tuple[int, int]]:
    """Where the code list of the first ``# noqa: ...`` from ``start`` is (to extend it)."""
    for match in _NOQA.finditer(line, start):
        if match.group("codes"):
            return match.span("codes")
    return None


def suppressed(line: str, code: str) -> bool:
    codes = line_codes(line)
    if codes is None:
        return False
    return not codes or any(code.startswith(c) for c in codes)


def skips_file(data: bytes) -> bool:
    """``# dalle-migrate: skip-file`` anywhere in the raw bytes of a file."""
    return b"skip-file" in data and _SKIP_FILE.search(data) is not None
