"""``check --add-noqa``: accept today's findings, so that a gate blocks only new ones.

Each finding's first line (where ``# noqa`` silences it) gets ``# noqa: DMxxx``, merged into a
``noqa`` comment already there (``# noqa: E501`` -> ``# noqa: E501, DM101``). Python files,
notebook code cells (their source, written back as the notebook handler writes a fix) and the
configuration files with comments (`.env`, YAML, TOML) are edited; a line a comment cannot
end (inside a multi-line string, after a backslash) and files with no comment syntax (JSON) are
listed with the ``per-file-ignores`` entry that would silence them, and so are INI/CFG files
(configparser would read the comment as part of the value). The new text is parsed again
before it replaces the file, atomically; a second run adds nothing.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .cells import NotebookError, code_cells, parse_notebook, parses, render_source
from .discover import file_kind
from .findings import FileResult, Finding
from .noqa import codes_span, line_codes
from .source import FileChangedError, LineIndex, SourceError, SourceText, atomic_write, read_bytes

# JSON has no comments; configparser keeps a trailing comment in an INI value.
_NO_TRAILING_COMMENTS = (".json", ".ini", ".cfg")


@dataclass
class NoqaOutcome:
    added: int = 0  # comments written or extended
    files: int = 0
    left: List[Tuple[str, Finding, str]] = field(default_factory=list)  # (path, finding, why)


def add_noqa(results: Iterable[FileResult], display) -> NoqaOutcome:
    outcome = NoqaOutcome()
    for result in results:
        findings = [f for f in result.findings if f.code != "DM900" and f.path is None]
        if not findings:
            continue
        path = Path(result.path)
        kind = file_kind(path)
        if kind == "config" and path.suffix.lower() in _NO_TRAILING_COMMENTS:
            why = "JSON has no comments" if path.suffix.lower() == ".json" else "an INI value would take the comment in"
            for finding in findings:
                outcome.left.append((display(str(path)), finding, why))
            continue
        try:
            data = read_bytes(path)
            source = SourceText.decode(data, python=kind in ("python", None))
        except (OSError, SourceError) as exc:
            for finding in findings:
                outcome.left.append((display(str(path)), finding, f"cannot read the file ({exc})"))
            continue
        if kind == "notebook":
            new_text, added, left = _notebook(source.text, findings, source.newline)
        else:
            new_text, added, left = _lines(source.text, findings, python=kind in ("python", None))
        outcome.left += [(display(str(path)), f, why) for f, why in left]
        if not added or new_text == source.text:
            continue
        if kind in ("python", None) and not parses(new_text):
            outcome.left += [(display(str(path)), f, "the comment would break the code") for f in findings]
            continue
        try:
            atomic_write(path, source.encode(new_text), expected=data)
        except (OSError, FileChangedError) as exc:
            outcome.left += [(display(str(path)), f, f"not written: {exc}") for f in findings]
            continue
        outcome.added += added
        outcome.files += 1
    return outcome


def per_file_ignores(left: List[Tuple[str, Finding, str]]) -> Dict[str, List[str]]:
    """The ``per-file-ignores`` entries that would silence what could not get a comment."""
    entries: Dict[str, Set[str]] = {}
    for path, finding, _ in left:
        entries.setdefault(path, set()).add(finding.code)
    return {path: sorted(codes) for path, codes in sorted(entries.items())}


def _lines(
    text: str, findings: List[Finding], python: bool, code: Optional[str] = None
) -> Tuple[str, int, List[Tuple[Finding, str]]]:
    """``code``: the text as Python reads it, when ``text`` holds more (a cell's IPython lines)."""
    index = LineIndex(text)  # rows as the findings count them (not str.splitlines: "\x0c" is no line end)
    lines = [index.line_text(row) for row in range(1, len(index.starts) + 1)]
    if lines and lines[-1] == "":
        lines.pop()
    comments = _comments(code if code is not None else text) if python else None
    blocked = _rows_a_comment_cannot_end(code if code is not None else text) if python else set()
    by_row: Dict[int, List[Finding]] = {}
    for finding in findings:
        by_row.setdefault(finding.row, []).append(finding)
    added, left = 0, []
    for row, here in sorted(by_row.items()):
        if row < 1 or row > len(lines):
            left += [(f, "its line is not in the file") for f in here]
            continue
        if row in blocked:
            left += [(f, "its line ends inside a string or continues on the next") for f in here]
            continue
        new = _with_codes(lines[row - 1], sorted({f.code for f in here}), comments.get(row, -1) if comments is not None else None)
        if new != lines[row - 1]:
            lines[row - 1] = new
            added += 1
    return "".join(lines), added, left


def noqa_line(line: str, code: str) -> Optional[str]:
    """The line with ``# noqa: <code>`` added (merged into its ``noqa`` comment), or None when it
    silences the code already: the editor's "add noqa" action."""
    new = _with_codes(line, [code])
    return None if new == line else new


def _with_codes(line: str, codes: List[str], comment_at: Optional[int] = None) -> str:
    """The line with a ``noqa`` comment for ``codes`` (merged into one it already has).
    ``comment_at``: where the line's comment starts (-1: it has none), when the code was read
    by Python's tokenizer (a ``# noqa`` inside a string is text, not a comment)."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    present = line_codes(body if comment_at is None else body[comment_at:] if comment_at >= 0 else "")
    if present == ():
        return line  # a bare noqa silences everything already
    if present is not None:
        span = codes_span(body, max(comment_at or 0, 0))
        if span is not None:
            merged = list(present) + [c for c in codes if c not in present]
            return body[: span[0]] + ", ".join(merged) + body[span[1] :] + ending
    return body.rstrip(" \t") + "  # noqa: " + ", ".join(codes) + ending


def _comments(text: str) -> Dict[int, int]:
    """Row -> column where the row's comment starts, read by Python's tokenizer."""
    found: Dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return found


def _rows_a_comment_cannot_end(text: str) -> Set[int]:
    """Rows whose end is inside a string token or after a backslash continuation."""
    rows: Set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip(" \t").endswith("\\"):
            rows.add(number)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                rows.update(range(token.start[0], token.end[0]))
            elif getattr(tokenize, "FSTRING_MIDDLE", None) == token.type and token.end[0] > token.start[0]:
                rows.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return rows


def _notebook(text: str, findings: List[Finding], newline: str) -> Tuple[str, int, List[Tuple[Finding, str]]]:
    try:
        cells = {cell.number: cell for cell in code_cells(parse_notebook(text))}
    except NotebookError as exc:
        return text, 0, [(f, f"cannot read the notebook ({exc})") for f in findings]
    by_cell: Dict[Optional[int], List[Finding]] = {}
    for finding in findings:
        by_cell.setdefault(finding.cell, []).append(finding)
    edits, added, left = [], 0, []
    for number, here in by_cell.items():
        cell = cells.get(number) if number is not None else None
        if cell is None:
            left += [(f, "not in a code cell") for f in here]
            continue
        new, count, not_added = _lines(cell.text, here, python=True, code=cell.python)
        left += not_added
        if count and new != cell.text:
            edits.append((cell.source.start, cell.source.end, render_source(new, text, cell.source, newline)))
            added += count
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    if edits:
        parse_notebook(text)  # still a notebook (raises before anything is written)
    return text, added, left
