"""Helpers shared by the tests: run the engine on a snippet with a fixed date."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import textwrap
from pathlib import Path
from typing import List, Optional

from dalle_migrate.settings import Settings
from dalle_migrate.engine import Selection, run_text
from dalle_migrate.findings import Finding

TODAY = dt.date(2026, 11, 25)
# A snippet is a file of a project of its own: an empty folder with a marker, so the project
# layer reads nothing else (a snippet named relative to the current folder was a module of this
# repository, whose own sources were parsed as its neighbours by every test that ran one).
SNIPPETS = tempfile.mkdtemp(prefix="dalle-migrate-snippets-")
Path(SNIPPETS, "pyproject.toml").write_text("")


def snippet_path(filename: str) -> str:
    """Where a snippet named ``filename`` lives (an absolute name is kept)."""
    return filename if os.path.isabs(filename) else os.path.join(SNIPPETS, filename)


def settings(**overrides) -> Settings:
    options = {"today": TODAY}
    options.update(overrides)
    if isinstance(options["today"], str):
        options["today"] = dt.date.fromisoformat(options["today"])
    return Settings(**options)


def dedent(code: str) -> str:
    return textwrap.dedent(code).lstrip("\n")


def findings(code: str, select: Optional[str] = None, filename: str = "example.py", **options) -> List[Finding]:
    selection = Selection(select=(select,)) if select else Selection()
    return run_text(dedent(code), snippet_path(filename), settings(**options), selection).findings


def codes(code: str, **options) -> List[str]:
    return [f.code for f in findings(code, **options)]


def fixed(code: str, unsafe: bool = False, select: Optional[str] = None, filename: str = "example.py", **options) -> str:
    selection = Selection(select=(select,)) if select else Selection()
    return run_text(dedent(code), snippet_path(filename), settings(unsafe_fixes=unsafe, **options), selection, fix=True).text
