"""Which files a run looks at: Python sources under the given paths, minus the usual noise.

Explicit file arguments are always taken; folders are walked in sorted order without
following symbolic links, skipping virtualenvs, caches, build output and VCS folders.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Iterator, List, Sequence

SOURCE_SUFFIXES = (".py", ".pyi")

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr",
    ".venv", "venv", ".env", "env", "virtualenv", "__pypackages__", "site-packages",
    "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".hypothesis",
    ".ipynb_checkpoints",
    "build", "dist", ".eggs", "*.egg-info",
)


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def discover(paths: Iterable[Path], excludes: Sequence[str] = ()) -> List[Path]:
    """Files to check, each once, in a stable order."""
    patterns = tuple(DEFAULT_EXCLUDES) + tuple(excludes)
    seen = set()
    out: List[Path] = []
    for path in paths:
        for found in _walk(Path(path), patterns, explicit=True):
            key = os.path.normcase(os.path.abspath(found))
            if key not in seen:
                seen.add(key)
                out.append(found)
    return out


def _walk(path: Path, patterns: Sequence[str], explicit: bool) -> Iterator[Path]:
    if path.is_file():
        if explicit or path.suffix in SOURCE_SUFFIXES:
            yield path
        return
    if not path.is_dir():
        if explicit:
            yield path  # reported as unreadable by the engine
        return
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if _excluded(entry.name, patterns):
            continue
        if entry.is_symlink():
            continue  # never followed: it may point out of the tree
        if entry.is_dir():
            yield from _walk(Path(entry.path), patterns, explicit=False)
        elif entry.is_file() and entry.name.endswith(SOURCE_SUFFIXES):
            yield Path(entry.path)
