"""What every format needs: the run's results and how paths are shown."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, List, Tuple, Union

from ..findings import FileResult, Finding


@dataclass
class RunReport:
    command: str  # check | fix
    results: List[FileResult] = field(default_factory=list)
    unsafe_fixes: bool = False
    diff_only: bool = False

    @property
    def findings(self):
        return [(r, f) for r in self.results for f in r.findings]

    @property
    def errors(self):
        return [r for r in self.results if r.error]

    @property
    def fixed_count(self) -> int:
        return sum(len(r.fixed) for r in self.results)


def display_path(path: Union[Path, str]) -> str:
    """Relative to the current folder when inside it, else absolute; always with '/'."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        rel = absolute
    shown = absolute if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")


def file_lines(result: FileResult) -> Callable[[Finding], Tuple[int, int]]:
    """Where each finding of a file result is in the file's own lines, as (line, column) from 1:
    its own row and column, or for a notebook cell's line where the .ipynb holds it (the JSON
    string of that source line: what a CI system shows beside the file)."""
    from ..cells import file_position

    notebook = None
    if any(f.cell is not None for f in result.findings):
        from ..source import SourceError, SourceText

        try:
            notebook = SourceText.decode(Path(result.path).read_bytes(), python=False).text
        except (OSError, SourceError):
            notebook = None

    def place(finding) -> Tuple[int, int]:
        placed = file_position(notebook, finding.cell, finding.row) if notebook is not None and finding.cell is not None else None
        return placed if placed is not None else (finding.row, finding.column)

    return place


def reported(report: RunReport) -> Iterator[Tuple[FileResult, str, Callable[[Finding], Tuple[int, int]]]]:
    """Each file result with something to report (a finding, an error): its display path, and
    where each of its findings is in the file's own lines (``file_lines``). What every CI format
    walks."""
    for result in report.results:
        if result.findings or result.error:
            yield result, display_path(result.path), file_lines(result)


def in_cell(finding: Finding) -> str:
    """Where Jupyter shows a notebook cell's finding ("cell 3, line 2"); "" for a file's."""
    return f"cell {finding.cell}, line {finding.row}" if finding.cell is not None else ""
