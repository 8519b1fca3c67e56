"""Which files a run looks at.

Folders are walked in sorted order without following symbolic links, skipping virtualenvs,
caches, build output and VCS folders (``exclude`` in the configuration replaces that list,
``extend-exclude`` and ``--exclude`` add to it). Inside a git repository, what git ignores
(``.gitignore``, ``.git/info/exclude``, the global excludes file) is skipped too: git itself is
asked, so its rules apply exactly. Explicit file arguments are always checked, unless the
configuration excludes them and ``--force-exclude`` is given (as ruff, for pre-commit).
"""

from __future__ import annotations

import fnmatch
import operator
from glob import escape as glob_escape
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from .source import TEMP_SUFFIX, is_stale_temp

SOURCE_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIXES = (".ipynb",)
# Configuration files where model ids live (DM106, DM107): by suffix, and `.env`, `.env.local`, `prod.env`.
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".ini", ".cfg")

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr",
    ".venv", "venv", ".env", "env", "virtualenv", "__pypackages__", "site-packages",
    "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".dalle_migrate_cache", ".tox", ".nox", ".hypothesis",
    ".ipynb_checkpoints",
    "build", "dist", ".eggs", "*.egg-info",
)  # folder names


def file_kind(path: Path) -> Optional[str]:
    """python / notebook / config, or None for a file the tool does not read."""
    return _kind_of_name(path.name)


# What ``_kind_of_name`` accepts, as one suffix test for the walk (plus names starting ``.env.``).
_READ_SUFFIXES = SOURCE_SUFFIXES + NOTEBOOK_SUFFIXES + CONFIG_SUFFIXES + (".env",)
_by_name = operator.attrgetter("name")


def _kind_of_name(name: str) -> Optional[str]:
    if name.endswith(SOURCE_SUFFIXES):
        return "python"
    if name.endswith(NOTEBOOK_SUFFIXES):
        return "notebook"
    if name.endswith(CONFIG_SUFFIXES) or name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "config"
    return None


def matches(path: Path, pattern: str, root: Optional[Path] = None) -> bool:
    """Whether a glob (``tests/**``, ``*.ipynb``, ``legacy``) names this path: matched against
    the path relative to ``root``, and against each of its file or folder names."""
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root)) if root is not None else Path.cwd()
    try:
        relative = absolute.relative_to(base).as_posix()
    except ValueError:
        relative = absolute.as_posix()
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.replace("/**", "/*")):
        return True
    parts = relative.split("/")
    if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in parts):
        return True
    # `legacy/**` or `src/legacy` name a folder: everything below it matches.
    prefix = pattern[:-3] if pattern.endswith("/**") else pattern
    return any(fnmatch.fnmatch("/".join(parts[:i]), prefix) for i in range(1, len(parts)))


@dataclass
class Discovery:
    folder_excludes: Sequence[str] = DEFAULT_EXCLUDES  # folder names never entered
    excludes: Sequence[str] = ()  # globs for files and folders (configuration, --exclude)
    root: Optional[Path] = None  # relative globs are matched from here
    force_exclude: bool = False
    respect_gitignore: bool = True
    _git: Dict[str, Optional[Set[str]]] = field(default_factory=dict)
    _asked: Dict[str, Any] = field(default_factory=dict)  # work tree -> git process still answering
    errors: List[Tuple[str, str]] = field(default_factory=list)  # (folder, why it was not read)
    stale_temp_files: List[str] = field(default_factory=list)  # left by a killed `fix`

    def __post_init__(self) -> None:
        self._folder_re = _any_of(fnmatch.translate(p) for p in self.folder_excludes)
        # Globs without '/' name a file or folder anywhere; the others a path from the root
        # (`legacy/**` also names the folder itself, so it is never entered).
        names = [p.rstrip("/") for p in self.excludes if "/" not in p.rstrip("/")]
        paths = [p.rstrip("/") for p in self.excludes if "/" in p.rstrip("/")]
        self._name_re = _any_of(fnmatch.translate(p) for p in names)
        self._path_re = _any_of(
            fnmatch.translate(q)
            for p in paths
            for q in {p, p.replace("/**", "/*"), p[:-3] if p.endswith("/**") else p}
        )

    def files(self, paths: Iterable[Path]) -> List[str]:
        """Files to check, each once, in a stable order. Strings, not ``Path`` objects: most of
        a large tree is skipped by the prefilter, and building thousands of paths costs more
        than reading the files they name."""
        paths = list(paths)
        if len(paths) == 1:  # nothing to count twice
            return list(self._start(Path(paths[0])))
        seen = set()
        out: List[str] = []
        for path in paths:
            for found in self._start(Path(path)):
                key = os.path.normcase(os.path.abspath(found))
                if key not in seen:
                    seen.add(key)
                    out.append(found)
        return out

    def excluded(self, path: Path, is_dir: bool) -> bool:
        if is_dir and self._folder_re.match(path.name):
            return True
        return bool(self.excludes) and any(matches(path, p, self.root) for p in self.excludes)

    def excludes_file(self, path: str) -> bool:
        """Whether a walk would leave this file out (configuration, default folders, git): a file
        the project layer reaches outside the run gets no finding then."""
        file = Path(path)
        if self.excluded(file, False) or self._explicit_ignored(file):
            return True
        try:
            parts = file.resolve().relative_to(Path(self.root).resolve() if self.root else Path.cwd().resolve()).parts[:-1]
        except ValueError:
            parts = file.parts[:-1]
        folder = Path(self.root) if self.root else Path.cwd()
        for part in parts:
            folder = folder / part
            if self.excluded(folder, True):
                return True
        return False

    def _excluded_entry(self, name: str, rel_from_root: Optional[str]) -> bool:
        """The walk's fast path of ``excluded``: compiled globs on strings."""
        if self._name_re.match(name):
            return True
        return rel_from_root is not None and self._path_re.match(rel_from_root) is not None

    def _start(self, path: Path) -> Iterator[str]:
        if path.is_file():
            if not (self.force_exclude and (self.excluded(path, False) or self._explicit_ignored(path))):
                yield str(path)
                # A killed run may have left this file's temporary copy next to it.
                self.stale_temp_files.extend(str(p) for p in path.parent.glob(f".{glob_escape(path.name)}.*{TEMP_SUFFIX}"))
            return
        if not path.is_dir():
            yield str(path)  # reported as unreadable by the engine
            return
        # A run walks its tree, and then its project's index walks the same folder as a run
        # with no configuration would (a worker each, without the cache): walked once a run.
        plain = _RUN_WALKS is not None and self.respect_gitignore and not self.excludes and tuple(self.folder_excludes) == DEFAULT_EXCLUDES
        if plain:
            walked = _RUN_WALKS.get(os.path.abspath(path))
            if walked is not None:
                given, found = walked
                spelled = str(path)
                if spelled == given:
                    yield from found
                else:  # each file is the folder as given, a separator and its path below it
                    cut, join = len(os.path.join(given, "")), os.path.join(spelled, "")
                    yield from [join + file[cut:] for file in found]
                return
        top = _git_top(path) if self.respect_gitignore else None
        ignored: Set[str] = set()
        prefix = ""
        if top is not None:
            ignored = self._ignored_set(top)
            prefix = _relative_prefix(path, top) or ""
        root_prefix = _relative_prefix(path, self.root or Path.cwd())
        found = self._walk(str(path), prefix, root_prefix, ignored)
        if plain and _RUN_WALKS is not None:
            _RUN_WALKS[os.path.abspath(path)] = (str(path), found)
        yield from found

    def _walk(self, folder: str, relative: str, from_root: Optional[str], ignored: Set[str]) -> List[str]:
        """Walk with strings only: a large tree is mostly skipped, so every step must be cheap.
        ``relative`` is the folder's path from the git work tree, ``from_root`` from the root
        the exclude globs are written for (None when the folder is outside it).

        Depth-first in name order, as a recursive walk would go, but with a stack of folder
        iterators: nested generators would pass every file up through each level above it."""
        check_excludes = bool(self.excludes)
        folder_re = self._folder_re.match
        found: List[str] = []
        stack = [(self._entries(folder), relative, from_root)]
        while stack:
            entries, relative, from_root = stack[-1]
            for entry in entries:
                name = entry.name
                if entry.is_symlink():
                    continue  # never followed: it may point out of the tree
                rel = relative + name
                rooted = from_root + name if from_root is not None else None
                if entry.is_dir():
                    if folder_re(name) or (rel + "/") in ignored:
                        continue
                    if check_excludes and self._excluded_entry(name, rooted):
                        continue
                    stack.append((self._entries(entry.path), rel + "/", rooted + "/" if rooted is not None else None))
                    break  # this folder first; the loop comes back to the rest of its parent
                elif name.endswith(TEMP_SUFFIX) and is_stale_temp(name):
                    self.stale_temp_files.append(entry.path)
                elif (name.endswith(_READ_SUFFIXES) or name.startswith(".env.")) and entry.is_file():
                    if rel in ignored or (check_excludes and self._excluded_entry(name, rooted)):
                        continue
                    found.append(entry.path)
            else:
                stack.pop()  # this folder is done
        return found

    def _entries(self, folder: str) -> Iterator["os.DirEntry[str]"]:
        try:
            return iter(sorted(os.scandir(folder), key=_by_name))
        except OSError as exc:
            self.errors.append((folder, f"cannot list the folder: {exc.strerror or exc}"))
            return iter(())

    # -- git ---------------------------------------------------------------------------------
    def ask_git(self, paths: Iterable[Path]) -> None:
        """Start asking git what it ignores in the work trees of ``paths``; the answers are read
        when the walk needs them. git takes tens of milliseconds, which the caller can spend
        loading the catalogue meanwhile. ``close`` ends what was asked and never read."""
        if not self.respect_gitignore:
            return
        for path in map(Path, paths):
            folder = path if path.is_dir() else path.parent if self.force_exclude and path.is_file() else None
            if folder is None:
                continue  # a file named on the command line is read whatever git says, unless --force-exclude
            top = _git_top(folder)
            if top is not None and str(top) not in self._git and str(top) not in self._asked:
                self._asked[str(top)] = _ask_git(top)

    def close(self) -> None:
        for process in self._asked.values():
            if process is not None:
                process.kill()
                process.communicate()
        self._asked.clear()

    def _ignored_set(self, top: Path) -> Set[str]:
        key = str(top)
        if key not in self._git:
            if key in _RUN_ANSWERS:  # another walk of this run asked already (the project's index)
                self._git[key] = _RUN_ANSWERS[key]
            else:
                asked = self._asked.pop(key, None) or _take_prefetched(key)
                self._git[key] = _RUN_ANSWERS[key] = _git_answer(asked if asked is not None else _ask_git(top))
        return self._git[key] or set()

    def _explicit_ignored(self, path: Path) -> bool:
        """Whether git ignores a file named on the command line (or a folder above it)."""
        if not self.respect_gitignore:
            return False
        top = _git_top(path.parent)
        if top is None:
            return False
        ignored = self._ignored_set(top)
        try:
            parts = Path(os.path.abspath(path)).relative_to(top).parts
        except ValueError:
            return False
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(p in ignored or p + "/" in ignored for p in prefixes)


def _any_of(patterns: Iterable[str]) -> "re.Pattern[str]":
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(joined or "(?!)")


def _relative_prefix(path: Path, base: Path) -> Optional[str]:
    """``path`` relative to ``base`` as 'a/b/' ('' for base itself); None when outside it."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    if relative == ".":
        return ""
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/") + "/"


def discover(paths: Iterable[Path], excludes: Sequence[str] = ()) -> List[Path]:
    """Files under ``paths`` with the default excludes plus ``excludes``."""
    return [Path(found) for found in Discovery(excludes=tuple(excludes)).files(paths)]


_TOPS: Dict[Path, Optional[Path]] = {}

# What git ignores in each work tree, as read in this run (the run's walk and the project
# index's walk of a file's project ask the same), and what was asked ahead of a walk.
_RUN_ANSWERS: Dict[str, Optional[Set[str]]] = {}
_PREFETCHED: Dict[str, Any] = {}
# The files of each folder a walk with no excludes of its own found (absolute folder -> the
# folder as given, its files): kept from ``begin_run`` to ``end_run`` only.
_RUN_WALKS: Optional[Dict[str, Tuple[str, List[str]]]] = None


def begin_run() -> None:
    """Files and ``.gitignore`` may have changed since another run in this process."""
    global _RUN_WALKS
    end_run()
    _RUN_ANSWERS.clear()
    _RUN_WALKS = {}


def end_run() -> None:
    """Ends what was asked ahead and never read."""
    global _RUN_WALKS
    for owner, process in _PREFETCHED.values():
        if process is not None and owner == os.getpid():
            process.kill()
            process.communicate()
    _PREFETCHED.clear()
    _RUN_WALKS = None


def prefetch_git(folder: Path) -> None:
    """Starts asking git what it ignores in ``folder``'s work tree, for a walk later in the run
    (a run given a few files walks their project for its index: git answers meanwhile)."""
    top = _git_top(folder)
    if top is not None and str(top) not in _RUN_ANSWERS and str(top) not in _PREFETCHED:
        _PREFETCHED[str(top)] = (os.getpid(), _ask_git(top))


def settle_prefetched() -> None:
    """Reads what was asked ahead into the run's answers (before a fork: a forked process never
    reads its parent's pipe, and would ask git again)."""
    for key in list(_PREFETCHED):
        process = _take_prefetched(key)
        if process is not None:
            _RUN_ANSWERS[key] = _git_answer(process)


def _take_prefetched(key: str):
    """The git process asked ahead for this work tree, if this process asked it (a forked
    worker holds its parent's: never read from there, the parent may read the same pipe)."""
    owner, process = _PREFETCHED.pop(key, (None, None))
    return process if owner == os.getpid() else None


def _git_top(folder: Path) -> Optional[Path]:
    """The work tree that holds ``folder``, found by looking for ``.git`` upwards."""
    folder = Path(os.path.abspath(folder))
    if folder in _TOPS:
        return _TOPS[folder]
    top = None
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            top = candidate
            break
    _TOPS[folder] = top
    return top


def _ask_git(top: Path):
    """Start ``git ls-files`` for what git ignores in the work tree; None without git."""
    import subprocess

    try:
        return subprocess.Popen(
            ["git", "-c", "core.fsmonitor=false", "-C", str(top), "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError:
        return None


def _git_answer(process) -> Optional[Set[str]]:
    """Every path git ignores in the work tree (folders end with '/'); None if git failed."""
    import subprocess

    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    if process.returncode != 0:
        return None
    return {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}

