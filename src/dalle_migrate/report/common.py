"""What every format needs: the run's results and how paths are shown."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Union

from ..findings import FileResult


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
