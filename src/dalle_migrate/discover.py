"""Which files a run looks at: Python sources under the given paths, minus the usual noise.

Explicit file arguments are always taken; folders are walked in sorted order without
following symbolic links, skipping virtualenvs, caches, build output and VCS folders.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence

SOURCE_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIXES = (".ipynb",)
# Configuration files where model ids live (DM106): by suffix, and `.env`, `.env.local`, `prod.env`.
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")


def file_kind(path: Path) -> Optional[str]:
    """python / notebook / config, or None for a file the tool does not read."""
    name = path.name
    if name.endswith(SOURCE_SUFFIXES):
        return "python"
    if name.endswith(NOTEBOOK_SUFFIXES):
        return "notebook"
    if name.endswith(CONFIG_SUFFIXES) or name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "config"
    return None

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
    seen = set()
    out: List[Path] = []
    for path in paths:
        for found in _walk(Path(path), tuple(excludes), explicit=True):
            key = os.path.normcase(os.path.abspath(found))
            if key not in seen:
                seen.add(key)
                out.append(found)
    return out


def _walk(path: Path, patterns: Sequence[str], explicit: bool) -> Iterator[Path]:
    if path.is_file():
        if explicit or file_kind(path) is not None:
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
            if not _excluded(entry.name, DEFAULT_EXCLUDES):  # folders only: `.env` the file is read
                yield from _walk(Path(entry.path), patterns, explicit=False)
        elif entry.is_file() and file_kind(Path(entry.name)) is not None:
            yield Path(entry.path)
