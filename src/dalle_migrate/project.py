"""The project layer: which file an import names, and that module parsed, read-only.

A file is analysed as a module of the project it belongs to. Its imports are resolved the way
Python would find them when the project runs: relative imports from the file's package, absolute
ones from the file's own folder (a script's or notebook's ``sys.path[0]``), from the folder that
holds its top-level package, and from the project root and its ``src/`` folder (the root is the
nearest folder with ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``). A module found
there is parsed on demand, once per process (checked again by its ``stat``), and only read:
facts flow from it (a constant, a client, a class default) and findings on its code travel back
as *foreign* findings, which the runner reports in that file and fixes there only when the run
was given that file.

Only modules that an analysed file actually imports are ever read; nothing here walks the tree.
An import this layer cannot place in the project (a third-party package, a module that does not
parse) resolves to nothing, as before.
"""

from __future__ import annotations

import ast
import os
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Tuple

from . import reads as reads_module
from .cells import NOTEBOOK_SUFFIX, NotebookError, notebook_module
from .index import (
    MAX_MODULE_BYTES,
    MAX_NOTEBOOK_BYTES,
    Entry,
    ProjectIndex,
    Resolved,
    Stamp,
    Statement,
    build_index,
    cache_file,
    candidates_digest,
    cache_key,
    file_stamp,
    listing_digest,
    load_by_stamp,
    load_resolved,
    names_module,
    read_entry,
    save_by_stamp,
    save_resolved,
)
from .prefilter import syntax_tree
from .reads import Reads
from .settings import Settings
from .source import SourceError, SourceText, buffered, read_bytes

if TYPE_CHECKING:
    import libcst as cst

    from .context import ModuleContext
    from .scopes import Assignment


class _Later:
    """A module imported when first asked for a name: LibCST and the modules built on it cost a
    tenth of a second to import, and a run of a few files whose neighbours' analyses are all kept
    (reads.py) answers its questions about the project without parsing anything."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        value = getattr(importlib.import_module(self._name, __package__), attr)
        setattr(self, attr, value)  # (asked again, it is found here: thousands of times a run)
        return value


cst = _Later("libcst")  # type: ignore[no-redef]  # noqa: F811
_context = _Later(".context")
_scopes = _Later(".scopes")

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
SOURCE_SUFFIX = ".py"
PACKAGE_FILE = "__init__.py"
# How many re-imports or attribute hops a name is followed through.
MAX_HOPS = 12
# How many parsed modules a process keeps from one file to the next, and how much source they
# may hold together (a parsed and indexed module takes about a hundred times its size).
MAX_KEPT_MODULES = 32
MAX_KEPT_TEXT = 512 << 10


def _module_bound(node: cst.Import, name: str) -> Optional[str]:
    """The module an ``import`` statement binds to ``name``: ``import a.b`` binds ``a`` (the
    package), ``import a.b as c`` binds ``c`` to ``a.b``."""
    for alias in node.names:
        dotted = _scopes.dotted_name(alias.name) or ""
        module = dotted if alias.asname else dotted.split(".")[0]
        if (alias.asname.name.value if alias.asname is not None else module) == name:  # type: ignore[union-attr]
            return module
    return None


@dataclass(frozen=True)
class Imported:
    """What an import binds: a module of the project (``name`` None) or a name bound at the
    top level of one (``from config import MODEL``)."""

    ctx: ModuleContext
    name: Optional[str] = None


_UNKNOWN = object()  # a lookup not made yet (None is an answer: no such module)


class Project:
    """The project modules reachable from the analysed files, parsed on demand (one per process
    and settings: see ``project_for``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._contexts: Dict[str, Tuple[Stamp, Optional[ModuleContext]]] = {}
        self._roots: Dict[str, Tuple[Tuple[str, ...], str]] = {}  # folder -> (roots, project root)
        self._markerless: set = set()  # project roots found without a marker (their roots depend on the base)
        self._resolving: set = set()  # (file, name) pairs being resolved: import cycles end here
        self._indexes: Dict[str, ProjectIndex] = {}  # root -> who imports whom
        self._reach: Dict[Tuple[str, int], FrozenSet[str]] = {}  # (file, hops) -> the files it imports
        # (file, function, text) -> (its calls elsewhere, the files looked at for them)
        self._callers: Dict[Tuple[str, str, str], Tuple[List[Tuple[ModuleContext, cst.Call]], Tuple[str, ...]]] = {}
        self._pins: Dict[str, object] = {}  # root -> pins.Pin or None
        self._found: Dict[Tuple[str, str, int], Optional[str]] = {}  # (folder, module, level) -> file
        self._listings: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {}  # folder -> its files', its folders' names
        self._module_files: Dict[Tuple[str, Tuple[str, ...]], Optional[str]] = {}  # (root, parts) -> file
        self._offered: Optional[Tuple[str, ModuleContext]] = None  # the analysed file's own module
        self._file_imports: Dict[str, List[str]] = {}  # file -> the project files it imports (this run)
        self._importers: Dict[str, List[str]] = {}  # file -> the project files importing it (this run)
        self._resolved: Dict[str, Tuple[str, Resolved]] = {}  # root -> (its file, where imports resolved)
        self._resolved_changed: set = set()  # roots whose resolutions this run added to
        # root -> (its file, file -> (stamp, _only_bindings), [whether this run added to it])
        self._bindings: Dict[str, Tuple[str, Dict[str, Tuple[Stamp, object]], List[bool]]] = {}
        # file -> (stat, {name: (module, name, level)} of names only a from-import binds, or None)
        self._reimports: Dict[str, Tuple[Stamp, Optional[Dict[str, Optional[Tuple[str, str, int]]]]]] = {}
        # What the analysis in progress reads of the project, when the run records it (reads.py),
        # and the modules it used (each keeps the reads of every analysis that used it).
        self.log: Optional[Reads] = None
        self._used: Dict[int, ModuleContext] = {}

    # -- what an analysis reads (reads.py) -------------------------------------------------------
    def begin(self) -> None:
        """An analysis starts: what it reads is recorded, if the run records."""
        self.log = Reads() if reads_module.RECORDING else None
        self._used = {}

    def end(self) -> Optional[Reads]:
        """The analysis is over: what it read (None when not recorded). Every module it used
        keeps it: what the module's resolvers remember may come from any of it."""
        log, self.log = self.log, None
        if log is not None:
            for ctx in self._used.values():
                if ctx.reads is None:
                    ctx.reads = Reads()
                ctx.reads.merge(log)
        self._used = {}
        return log

    def _note_file(self, path: str, stamp: Optional[Stamp]) -> None:
        if self.log is not None:
            self.log.files[path] = stamp

    def _note(self, question: tuple, answer: object) -> None:
        if self.log is not None:
            self.log.answers[question] = answer

    def _use(self, ctx: ModuleContext) -> None:
        log = self.log
        if log is None or ctx.path is None:
            return
        log.parsed.add(ctx.path)
        if id(ctx) not in self._used:
            self._used[id(ctx)] = ctx
            if ctx.reads is not None:
                log.merge(ctx.reads)

    def still(self, reads: Reads) -> bool:
        """Whether the project answers every question ``reads`` recorded as it did then."""
        log, self.log = self.log, None  # asking again records nothing
        try:
            for path, stamp in reads.files.items():
                if file_stamp(path) != stamp:
                    return False
            for question, answer in reads.answers.items():
                if question[0] == "reimport":
                    stamp, answer = answer
                    now = file_stamp(question[1])
                    if now == stamp:
                        continue
                    if self._answer(question) != answer:
                        return False
                    reads.answers[question] = (now, answer)  # the next run need not ask again
                    reads.refreshed = True
                elif self._answer(question) != answer:
                    return False
            return True
        finally:
            self.log = log

    def _answer(self, question: tuple) -> object:
        kind = question[0]
        if kind == "module":
            return self._module_in(question[1], question[2], question[3])
        if kind == "file":
            return self._module_file(question[1], list(question[2]))
        if kind == "package":
            return self._package_file(question[1])
        if kind == "root":
            return self._layout(question[1])[1]
        if kind == "mentions":
            return self._mentioning(question[1], question[2], question[3])
        if kind == "pin":
            return repr(self._pin(question[1]))
        if kind == "reimport":
            return self._reimport(question[1], question[2])  # (still: when the stamp differs)
        return _UNKNOWN  # a question this version does not ask: never the same answer

    def read(self, path: str) -> Optional[bytes]:
        """A project file's bytes (None when it cannot be read), noted as read."""
        self._note_file(os.path.abspath(path), file_stamp(path))
        try:
            return read_bytes(path)
        except OSError:
            return None

    # -- files -----------------------------------------------------------------------------------
    def context(self, path: str) -> Optional[ModuleContext]:
        """The module in ``path``, parsed; None when it cannot be read, decoded or parsed."""
        path = os.path.abspath(path)
        self._take_offered(path)
        stamp = file_stamp(path)
        self._note_file(path, stamp)
        if stamp is None:
            return None
        known = self._contexts.get(path)
        if known is not None and known[0] == stamp:
            if known[1] is not None:
                self._use(known[1])
            return known[1]
        ctx = None
        notebook = path.endswith(NOTEBOOK_SUFFIX)
        if stamp[2] <= (MAX_NOTEBOOK_BYTES if notebook else MAX_MODULE_BYTES):
            try:
                source = SourceText.decode(read_bytes(path), python=not notebook)
                text = source.text
                if notebook:  # its code cells, joined as the notebook handler joins them
                    text = notebook_module(text)[0]
                ctx = _context.ModuleContext(text, self.settings, path=path, project=self)
            except (OSError, SourceError, NotebookError, cst.ParserSyntaxError, cst.CSTValidationError, _context.UnfaithfulParse, RecursionError):
                ctx = None
        self._contexts[path] = (stamp, ctx)
        if ctx is not None:
            self._use(ctx)
        return ctx

    def adopt(self, path: str, ctx: ModuleContext) -> None:
        """Offers the module a file's own analysis parsed as the project's module of that file
        (its analysis may read it from there too: a second parse of the file being analysed
        was most of the cost of a large one). Taken when asked for, if the file holds it."""
        self._offered = (path, ctx)
        self._note_file(path, file_stamp(path))
        self._use(ctx)

    def _take_offered(self, path: str) -> None:
        if self._offered is None or self._offered[0] != path:
            return
        ctx = self._offered[1]
        self._offered = None
        if path.endswith(NOTEBOOK_SUFFIX) or path in self._contexts:
            return
        stamp = file_stamp(path)
        try:
            data = buffered(path)
            if data is None:
                with open(path, "rb") as handle:
                    data = _read_at_most(handle, MAX_MODULE_BYTES)
        except OSError:
            return
        if stamp is None or len(data) > MAX_MODULE_BYTES:
            return
        try:
            text = SourceText.decode(data, python=True).text
        except SourceError:
            return
        if text == ctx.text:
            self._contexts[path] = (stamp, ctx)

    def trim(self, keep: int = MAX_KEPT_MODULES) -> int:
        """Between two files: forget all but the modules read last (a parsed module is tens of
        times its size in memory; within one file's analysis every module read is kept, since
        findings point into it). Returns how many were forgotten."""
        if self._offered is not None:  # the file's own module, never asked for: untied, freed at once
            self._offered[1].release()
        self._offered = None
        dropped = 0
        kept = sum(len(ctx.text) for _, ctx in self._contexts.values() if ctx is not None)
        while self._contexts and (len(self._contexts) > keep or kept > MAX_KEPT_TEXT):
            _, ctx = self._contexts.pop(next(iter(self._contexts)))
            if ctx is not None:
                kept -= len(ctx.text)
                ctx.release()
            dropped += 1
        self._callers.clear()  # its entries hold modules
        return dropped

    def owner(self, node: cst.CSTNode) -> Optional[ModuleContext]:
        """The loaded module whose tree holds ``node``."""
        key = id(node)
        for _, ctx in self._contexts.values():
            if ctx is not None and key in ctx.spans:
                return ctx
        return None

    # -- where a module lives ------------------------------------------------------------------
    def roots(self, importer: str) -> Tuple[str, ...]:
        """The folders absolute imports are looked up in, for a file in folder ``importer``,
        nearest first: the folder itself (a script's or notebook's ``sys.path[0]``), the folder
        holding its top-level package, then every folder up to the project root (a sub-folder
        without ``__init__.py`` is a namespace package, and an app in a sub-folder of a
        repository runs from there) and the root's ``src/``. Without a project marker, every
        folder up to the one the run was given (``Settings.base``), then the folder above the
        file's own (Streamlit's ``pages/``)."""
        return self._layout(importer)[0]

    def _layout(self, importer: str) -> Tuple[Tuple[str, ...], str]:
        """(roots, project root) for a file in folder ``importer``. (From folder listings
        only, as every answer about where a module lives: ``index.Resolved``.)"""
        known = self._roots.get(importer)
        if known is not None:
            return known
        found: List[str] = [importer]
        top = importer
        while PACKAGE_FILE in self._listing(top)[0]:
            parent = os.path.dirname(top)
            if parent == top:
                break
            top = parent
        found.append(top)
        root = top  # without a marker: the folder holding the top-level package
        ancestors: List[str] = []
        folder = importer
        while True:
            ancestors.append(folder)
            files, folders = self._listing(folder)
            if any(marker in files or marker in folders for marker in PROJECT_MARKERS):
                found += ancestors + ([os.path.join(folder, "src")] if "src" in folders else [])
                root = folder
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                # No marker (a downloaded archive, a copied folder): the program may run from
                # any folder up to the one the run was given (`python -m src.app.main`).
                found += self._up_to_base(importer)
                found.append(os.path.dirname(importer))
                self._markerless.add(root)
                break
            folder = parent
        # Every one is a folder: the file's own, its ancestors, and `src` when listed. (Asking
        # the folder above the root would make that folder's listing part of what the kept
        # resolutions depend on: a sibling project created there would drop them.)
        layout = (tuple(dict.fromkeys(found)), root)
        self._roots[importer] = layout
        return layout

    def _up_to_base(self, importer: str) -> List[str]:
        """The folders from ``importer`` up to the run's base folder, when it holds ``importer``."""
        base = self.settings.base
        if not base or os.path.commonpath([base, importer]) != base:
            return []
        folders = []
        folder = importer
        while True:
            folders.append(folder)
            if folder == base:
                return folders
            parent = os.path.dirname(folder)
            if parent == folder:
                return []
            folder = parent

    def find_module(self, importer_file: str, module: str, level: int = 0) -> Optional[str]:
        """The file of module ``module`` as imported from ``importer_file`` (``level`` dots)."""
        folder = os.path.dirname(os.path.abspath(importer_file))
        found = self._module_in(folder, module, level)
        if self.log is not None:
            self.log.answers[("module", folder, module, level)] = found
        return found

    def _module_in(self, folder: str, module: str, level: int) -> Optional[str]:
        key = (folder, module, level)
        if key not in self._found:  # the same imports recur in every module of a package
            self._found[key] = self._find_module(folder, module, level)
        return self._found[key]

    def _module_file(self, root: str, parts: List[str]) -> Optional[str]:
        if not parts:
            return None
        key = (root, tuple(parts))
        found = self._module_files.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._module_files[key] = self._locate(root, parts)
        if self.log is not None:
            self.log.answers[("file",) + key] = found
        return found  # type: ignore[return-value]

    def _locate(self, root: str, parts: List[str]) -> Optional[str]:
        # Down the folders' listings: a folder that is not there is never listed (each root of
        # a file is tried for every absolute import; most do not hold its package).
        folder = root
        for part in parts[:-1]:
            if part not in self._listing(folder)[1]:
                return None
            folder = os.path.join(folder, part)
        files, folders = self._listing(folder)
        name = parts[-1]
        if name + SOURCE_SUFFIX in files:
            return os.path.join(folder, name + SOURCE_SUFFIX)
        if name in folders and PACKAGE_FILE in self._listing(os.path.join(folder, name))[0]:
            return os.path.join(folder, name, PACKAGE_FILE)
        return None

    def _package_file(self, folder: str) -> Optional[str]:
        found = os.path.join(folder, PACKAGE_FILE) if PACKAGE_FILE in self._listing(folder)[0] else None
        self._note(("package", folder), found)
        return found

    def _listing(self, folder: str) -> Tuple[FrozenSet[str], FrozenSet[str]]:
        """The names of a folder's files and of its folders, listed once per run: an import is
        resolved by looking them up (three hops of imports from a module of a large package
        resolve tens of thousands of names, each a few stat calls otherwise)."""
        known = self._listings.get(folder)
        if known is None:
            files, folders = [], []
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        try:
                            if entry.is_file():
                                files.append(entry.name)
                            elif entry.is_dir():
                                folders.append(entry.name)
                        except OSError:
                            continue
            except OSError:
                pass
            known = self._listings[folder] = (frozenset(files), frozenset(folders))
        return known

    def _find_module(self, folder: str, module: str, level: int) -> Optional[str]:
        parts = [p for p in module.split(".") if p] if module else []
        if level:
            base = folder
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return self._module_file(base, parts) if parts else self._package_file(base)
        for root in self.roots(folder):
            found = self._module_file(root, parts)
            if found is not None:
                return found
        return None

    # -- what an import binds ------------------------------------------------------------------
    def imported(self, ctx: ModuleContext, assignment: Assignment) -> Optional[Imported]:
        """What the import behind ``assignment`` binds to its name, when it is in the project."""
        if not isinstance(assignment, _scopes.ImportAssignment) or ctx.path is None:
            return None
        node = assignment.node
        if isinstance(node, cst.Import):
            module = _module_bound(node, assignment.name)
            path = self.find_module(ctx.path, module) if module is not None else None
            target = self.context(path) if path is not None else None
            return Imported(target) if target is not None else None
        if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            module = _scopes.dotted_name(node.module) if node.module is not None else ""
            level = len(node.relative)
            for alias in node.names:
                name = _scopes.dotted_name(alias.name) or ""
                bound = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
                if bound != assignment.name:
                    continue
                path = self.find_module(ctx.path, module or "", level)
                if path is None:
                    return None
                return self.member(path, name)
        return None

    def member(self, module_path: str, name: str, hops: int = 0) -> Optional[Imported]:
        """``module.name``: a top-level binding of the module, else its submodule ``name``.

        A module that only re-imports ``name`` from another module of the project (``from
        .core import convert`` in a package's ``__init__`` or a ``utils`` module of thousands of
        lines) is passed through without parsing it: what it binds is what that module binds
        (the callers follow such a binding to the same place)."""
        if hops < MAX_HOPS:
            source = self.reimport(module_path, name)
            if source is not None:
                module, original, level = source
                path = self.find_module(module_path, module, level)
                if path is not None and path != module_path:
                    found = self.member(path, original, hops + 1)
                    if found is not None:
                        return found
        target = self.context(module_path)
        bindings = target.module_scope.assignments.get(name) if target is not None else None
        is_package = os.path.basename(module_path) == PACKAGE_FILE
        if bindings and not (is_package and all(isinstance(b, _scopes.ImportAssignment) for b in bindings) and self._submodule(module_path, name)):
            return Imported(target, name)  # type: ignore[arg-type]
        if is_package:
            sub = self._module_file(os.path.dirname(module_path), [name])
            sub_ctx = self.context(sub) if sub is not None else None
            if sub_ctx is not None:
                return Imported(sub_ctx)
        return None

    def reimport(self, module_path: str, name: str) -> Optional[Tuple[str, str, int]]:
        """(module, name, level) of the ``from ... import`` that is the only binding of ``name``
        in the module's top-level scope, read from CPython's syntax tree (a tenth of LibCST's
        parse); None when the name is bound otherwise, or twice, or may be a submodule."""
        found = self._reimport(module_path, name)
        # The answer is what an analysis depends on, not the whole file (a staged utils.py of
        # thousands of lines that still re-imports the name leaves it as it was); asked again
        # only when the file changed.
        if self.log is not None:
            self.log.answers[("reimport", os.path.abspath(module_path), name)] = (file_stamp(module_path), found)
        return found

    def _reimport(self, module_path: str, name: str) -> Optional[Tuple[str, str, int]]:
        if os.path.basename(module_path) == PACKAGE_FILE and self._submodule(module_path, name):
            return None
        stamp = file_stamp(module_path)
        if stamp is None:
            return None
        known = self._reimports.get(module_path)
        if known is None or known[0] != stamp:
            known = self._reimports[module_path] = (stamp, self._bindings_of(module_path, stamp))
        table = known[1]
        return table.get(name) if table is not None else None

    def _bindings_of(self, path: str, stamp: Stamp) -> Optional[Dict[str, Optional[Tuple[str, str, int]]]]:
        """``_only_bindings`` of a file, kept between runs by its stamp (CPython's parse of a
        module of thousands of lines that a call's module imports from was a third of its
        analysis)."""
        path = os.path.abspath(path)
        if not self.settings.cache:
            return _only_bindings(path, stamp[2])
        kept = self._kept_bindings(self.root(path))
        known = kept[1].get(path)
        if known is not None and known[0] == stamp:
            table = known[1]
            if table is None:
                return None
            return {name: tuple(source) if source is not None else None for name, source in table.items()}  # type: ignore[union-attr,misc]
        found = _only_bindings(path, stamp[2])
        kept[1][path] = (stamp, found)
        kept[2][0] = True
        return found

    def _kept_bindings(self, root: str) -> Tuple[str, Dict[str, Tuple[Stamp, object]], List[bool]]:
        kept = self._bindings.get(root)
        if kept is None:
            at = cache_file(root, cache_key("bindings", ("index.py", "project.py")), "bindings")
            kept = self._bindings[root] = (at, load_by_stamp(at, root), [False])
        return kept

    def bindings_read_before(self, path: str) -> bool:
        """Whether a former run read what the file re-imports (its answer is kept, for another
        stamp maybe): an analysis will likely ask again after an edit of it."""
        return bool(self.settings.cache) and os.path.abspath(path) in self._kept_bindings(self.root(path))[1]

    def offer_bindings(self, path: str, stamp: Stamp, found: Optional[Dict[str, Optional[Tuple[str, str, int]]]]) -> None:
        """``only_bindings`` of the file as it was at ``stamp``, read by another process of the
        run: kept as if read here."""
        kept = self._kept_bindings(self.root(path))
        kept[1][os.path.abspath(path)] = (stamp, found)
        kept[2][0] = True

    def imports_of(self, ctx: ModuleContext) -> List[str]:
        """The files of the project modules ``ctx``'s module imports (submodules named by
        ``from package import module`` too), in the order of the imports."""
        if ctx.path is None:
            return []
        found: Dict[str, None] = {}
        for node in ctx.nodes(cst.Import, cst.ImportFrom):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    path = self.find_module(ctx.path, _scopes.dotted_name(alias.name) or "")
                    if path is not None:
                        found[path] = None
                continue
            module = _scopes.dotted_name(node.module) if node.module is not None else ""
            path = self.find_module(ctx.path, module or "", len(node.relative))
            if path is None:
                continue
            found[path] = None
            if os.path.basename(path) == PACKAGE_FILE and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    sub = self._module_file(os.path.dirname(path), [_scopes.dotted_name(alias.name) or ""])
                    if sub is not None:
                        found[sub] = None
        found.pop(ctx.path, None)
        return list(found)

    def imports_of_file(self, path: str) -> List[str]:
        """``imports_of`` for a module the run only passes through, read from its text: the
        import statements' lines are matched, nothing is parsed (following imports three hops
        from one file of a large package reaches most of it). A match inside a string only adds
        a module to look at. Asked by an analysis (its reads recorded), every resolution is made
        and noted afresh."""
        path = os.path.abspath(path)
        noting = self.log is not None
        known = self._file_imports.get(path) if not noting else None
        if known is not None:
            return known
        entry = self._entry(path)
        if entry is None:
            if not path.endswith(NOTEBOOK_SUFFIX):
                return []
            ctx = self.context(path)
            return self.imports_of(ctx) if ctx is not None else []
        stamp = entry.stamp
        resolved = self._resolved_in(self.root(path)) if not noting else None
        kept = resolved.imports.get(path) if resolved is not None else None
        if kept is not None and kept[0] == stamp:  # (its statements never read from its lines)
            imports = self._file_imports[path] = list(kept[1])
            return imports
        found: Dict[str, None] = {}
        for statement in entry.statements:
            found.update(dict.fromkeys(self._resolve(path, statement)))
        found.pop(path, None)
        imports = self._file_imports[path] = list(found)
        if resolved is not None and stamp is not None:
            resolved.imports[path] = (stamp, imports)
            self._resolved_changed.add(self.root(path))
        return imports

    def _resolved_in(self, root: str) -> Optional[Resolved]:
        """Where the root's files' imports resolved in a former run, if every folder listing
        that resolution looked at is the same now (``index.Resolved``); a fresh one if not;
        None without the cache."""
        if not self.settings.cache:
            return None
        if root not in self._resolved:
            from .prefilter import prefilter_for

            # Without a marker, where imports resolve depends on the folder the run was given.
            base = f" {self.settings.base}" if root in self._markerless else ""
            at = cache_file(root, cache_key(prefilter_for(self.settings.catalog).signature() + base, ("index.py", "project.py")), "resolved")
            kept = load_resolved(at, root)
            if kept is None or any(listing_digest(self._listing(folder)) != digest for folder, digest in kept.listings.items()):
                kept = Resolved({}, {})
            self._resolved[root] = (at, kept)
        return self._resolved[root][1]

    def keep_resolved(self) -> None:
        """Keeps, for the next run, where imports resolved in this one and what modules
        re-import (the roots it added to)."""
        for root in sorted(self._resolved_changed):
            at, resolved = self._resolved[root]
            listings = {folder: listing_digest(listing) for folder, listing in self._listings.items()}
            # Another process of the run may have kept its own since these were loaded: kept too
            # when every folder both looked at lists the same (then its resolutions hold here).
            other = load_resolved(at, root)
            if other is not None and all(listings.get(folder, digest) == digest for folder, digest in other.listings.items()):
                resolved.imports = {**other.imports, **resolved.imports}
                resolved.importers = {**other.importers, **resolved.importers}
                listings = {**other.listings, **listings}
            resolved.listings = listings
            save_resolved(at, root, resolved)
        self._resolved_changed.clear()
        for root, (at, readings, changed) in sorted(self._bindings.items()):
            if changed[0]:
                # Another process of the run (the few files' neighbour search, forked) may have
                # kept readings of its own since these were loaded: they are kept too (each is
                # checked against its file's stamp when used).
                save_by_stamp(at, root, {**load_by_stamp(at, root), **readings})
                changed[0] = False

    def _entry(self, path: str) -> Optional[Entry]:
        """A file's index entry: the project's index's, read this run (its stamp is the file's
        now), else read from the file (None: it cannot be). Too large a file has no imports."""
        index = self._indexes.get(self.root(path))
        entry = index.entries.get(path) if index is not None else None
        if entry is not None:
            return entry
        stamp = file_stamp(path)
        if stamp is None:
            return None
        entry = read_entry(path, stamp, lambda data, notebook: False)
        if entry is not None and stamp[2] > (MAX_NOTEBOOK_BYTES if path.endswith(NOTEBOOK_SUFFIX) else MAX_MODULE_BYTES):
            return None
        return entry

    def _resolve(self, path: str, statement: Statement) -> List[str]:
        """The project files an import statement of ``path`` names: the module, and for
        ``from package import a`` the submodule ``a`` when there is one."""
        level, module, names = statement
        if level < 0:
            located = self.find_module(path, module)
            return [located] if located is not None else []
        located = self.find_module(path, module, level)
        if located is None:
            return []
        found = [located]
        if os.path.basename(located) == PACKAGE_FILE:
            for name in names:
                sub = self._module_file(os.path.dirname(located), [name])
                if sub is not None:
                    found.append(sub)
        return found

    def sdk_pin(self, path: str):
        """What the project of ``path`` pins for the SDK (pins.Pin), or None."""
        root = self.root(path)
        pin = self._pin(root)
        if self.log is not None:
            self.log.answers[("pin", root)] = repr(pin)
        return pin

    def _pin(self, root: str):
        if root not in self._pins:
            from .pins import project_pin

            self._pins[root] = project_pin(root, self.settings.catalog.sdk.package)
        return self._pins[root]

    # -- who calls a function -----------------------------------------------------------------
    def root(self, path: str) -> str:
        """The project's root for a file: the nearest folder with a project marker, else the
        folder holding its top-level package."""
        folder = os.path.dirname(os.path.abspath(path))
        root = self._layout(folder)[1]
        self._note(("root", folder), root)
        return root

    def callers(self, ctx: ModuleContext, func: cst.FunctionDef) -> List[Tuple[ModuleContext, cst.Call]]:
        """The calls of ``func`` (a top-level function of ``ctx``'s module) in the project's other
        modules: ``f(...)`` after ``from m import f``, ``m.f(...)`` after ``import m``.

        The project's files are read once per process for the names their imports mention (a
        byte scan); only the files that import the function's name or its module's are parsed."""
        if ctx.path is None or ctx.module_scope.assignments.get(func.name.value) is None:
            return []
        key = (ctx.path, func.name.value, ctx.text)  # the same text: the same callers
        name = func.name.value
        stem = os.path.splitext(os.path.basename(ctx.path))[0]
        if stem == "__init__":
            stem = os.path.basename(os.path.dirname(ctx.path))
        root = self.root(ctx.path)
        known = self._callers.get(key)
        if known is not None:
            if self.log is not None:  # asked again: the same reads as the first time
                self._note(("mentions", root, (name, stem), ctx.path), known[1])
                for path in known[1]:
                    self._note_file(path, file_stamp(path))
                for other, _ in known[0]:
                    self._use(other)
            return known[0]
        found: List[Tuple[ModuleContext, cst.Call]] = []
        called = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*\(")  # `name(`, `module.name(`
        candidates = self._mentioning(root, (name, stem), ctx.path)
        self._note(("mentions", root, (name, stem), ctx.path), candidates)
        entries = self.index(root).entries
        for path in candidates:
            data = self.read(path)
            if data is None:
                continue
            # Parsed only when it may call it: by its name, or under an alias its imports give.
            if called.search(data) is None and not (b" as " in data and entries[path].mentions(name)):
                continue
            other = self.context(path)
            if other is None:
                continue
            found.extend((other, call) for call in _calls_of(self, other, ctx, name))
        self._callers[key] = (found, candidates)
        return found

    def _mentioning(self, root: str, words: Tuple[str, ...], but: str) -> Tuple[str, ...]:
        """The root's files, ``but`` one, whose import lines mention one of ``words`` (in the
        index's order)."""
        index = self.index(root)
        if len(words) == 1:
            return tuple(path for path in index.mentioning(words[0]) if path != but)
        found = set()
        for word in words:
            found.update(index.mentioning(word))
        return tuple(path for path in index.entries if path in found and path != but)

    def importers(self, path: str) -> List[str]:
        """The project's files whose imports resolve to the module in ``path``: of those whose
        imports name its stem, only those statements are resolved."""
        path = os.path.abspath(path)
        if self.log is None and path in self._importers:
            return self._importers[path]  # (asked twice by a run of a few files)
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem == "__init__":
            stem = os.path.basename(os.path.dirname(path))
        found = []
        root = self.root(path)
        candidates = self._mentioning(root, (stem,), path)
        self._note(("mentions", root, (stem,), path), candidates)
        entries = self.index(root).entries
        # Where a former run resolved each file's imports, when nothing they depend on changed
        # (not for an analysis's own question: its reads are noted as they are made).
        resolved = self._resolved_in(root) if self.log is None else None
        digest = None
        if resolved is not None:
            # The whole answer of a former run, when the same files name the stem, unchanged:
            # resolving their statements again was a fifth of a hook run on litellm's utils.py.
            digest = candidates_digest([(other, entries[other].stamp) for other in candidates], time.time_ns())
            known = resolved.importers.get(path)
            if digest is not None and known is not None and known[0] == digest:
                self._importers[path] = list(known[1])
                return self._importers[path]
        for other in candidates:
            kept = resolved.imports.get(other) if resolved is not None else None
            if kept is not None and kept[0] == entries[other].stamp:
                if path in kept[1]:
                    found.append(other)
            elif any(path in self._resolve(other, s) for s in entries[other].statements if names_module(s, stem)):
                found.append(other)
        if self.log is None:  # (an analysis's own question is answered afresh: its reads are noted)
            self._importers[path] = found
        if resolved is not None and digest is not None:
            resolved.importers[path] = (digest, list(found))
            self._resolved_changed.add(root)
        return found

    def image_callers_importing(self, path: str, hops: int) -> List[str]:
        """The project's files that may make an image request (``index.Entry.calls_images``)
        and reach the module in ``path`` within ``hops`` imports: the only modules whose
        analysis can raise a finding in it through what they import (settings.py <- config.py
        re-exporting it <- images.py). Followed forwards from those few files."""
        path = os.path.abspath(path)
        # Met in the middle: a caller reaches the module in ``hops`` imports when it imports,
        # within one import fewer, the module or one of the module's importers (a closure
        # three imports deep from each caller of a large package is most of the package).
        targets = set(self.importers(path))
        targets.add(path)
        return [
            other for other in self.index(self.root(path)).image_callers()
            if other != path and (other in targets or not targets.isdisjoint(self._reached(other, hops - 1)))
        ]

    def _reached(self, path: str, hops: int) -> FrozenSet[str]:
        """The project files ``path`` imports, directly or through up to ``hops`` imports."""
        key = (path, hops)
        known = self._reach.get(key)
        if known is not None:
            return known
        reached: Dict[str, None] = {}
        frontier = [path]
        for _ in range(hops):
            following = []
            for module in frontier:
                for imported in self.imports_of_file(module):
                    if imported not in reached and imported != path:
                        reached[imported] = None
                        following.append(imported)
            frontier = following
        found = self._reach[key] = frozenset(reached)
        return found

    def indexed(self, path: str) -> Optional[Entry]:
        """The file's entry in its project's index, when this run has read that index (its
        entries are the files as the run found them)."""
        index = self._indexes.get(self.root(path))
        return index.entries.get(os.path.abspath(path)) if index is not None else None

    def index(self, root: str) -> ProjectIndex:
        """Who imports whom among the root's files, and which may make an image request: read
        once per run (kept between runs in the cache, unless ``Settings.cache`` is off)."""
        known = self._indexes.get(root) or INDEXES.get(root)
        if known is not None:
            self._indexes[root] = known
            return known
        from pathlib import Path

        from .discover import Discovery
        from .prefilter import prefilter_for

        # The files a run of the tool on the root would read (default folders and what git
        # ignores left out: a vendored tree or a download cache calls nothing of the project).
        walk = Discovery()
        try:
            files = walk.files([Path(root)])
        finally:
            walk.close()
        prefilter = prefilter_for(self.settings.catalog)
        key = cache_key(prefilter.signature()) if self.settings.cache else None
        paths = [os.path.abspath(f) for f in files if f.endswith((SOURCE_SUFFIX, NOTEBOOK_SUFFIX))]
        built = self._indexes[root] = INDEXES[root] = build_index(root, paths, prefilter.may_make_image_request, key)
        return built

    def elsewhere(self, ctx: ModuleContext, node: cst.CSTNode, depth: int = 0) -> Optional[Imported]:
        """What an expression of ``ctx``'s module names in another module of the project: a
        module (``settings``, ``app.settings``) or one of its top-level names; None otherwise."""
        if depth > MAX_HOPS:
            return None
        if isinstance(node, cst.Name):
            scope = ctx.scope(node)
            bindings = scope[node.value] if scope is not None else []
            if len(bindings) != 1 or not isinstance(bindings[0], _scopes.ImportAssignment):
                return None
            return self.reexported(self.imported(ctx, bindings[0]))
        if isinstance(node, cst.Attribute):
            path = self.module_imported_as(ctx, node.value)
            if path is not None:
                # `import pkg` then `pkg.name`: the member is looked up by the module's path, so
                # a package that only re-imports it is passed through unparsed, as `from pkg
                # import name` is (litellm's `__init__`, 100 KB, read for `litellm.<function>`).
                return self.reexported(self.member(path, node.attr.value))
            inner = self.elsewhere(ctx, node.value, depth + 1)
            if inner is None or inner.name is not None or inner.ctx.path is None:
                return None
            return self.reexported(self.member(inner.ctx.path, node.attr.value))
        return None

    def module_imported_as(self, ctx: ModuleContext, node: cst.CSTNode) -> Optional[str]:
        """The file of the project module that ``node`` names through ``import a.b`` (binding
        ``a``) or ``import a.b as c``, found without parsing it; None otherwise."""
        if not isinstance(node, cst.Name) or ctx.path is None:
            return None
        scope = ctx.scope(node)
        bindings = scope[node.value] if scope is not None else []
        if len(bindings) != 1 or not isinstance(bindings[0], _scopes.ImportAssignment) or not isinstance(bindings[0].node, cst.Import):
            return None
        module = _module_bound(bindings[0].node, node.value)
        return self.find_module(ctx.path, module) if module is not None else None

    def reexported(self, imported: Optional[Imported]) -> Optional[Imported]:
        """Follows a name a module only re-imports (``from .settings import settings`` in a
        package's ``__init__``) to the module that binds it."""
        for _ in range(MAX_HOPS):
            if imported is None or imported.name is None:
                return imported
            bindings = imported.ctx.module_scope.assignments.get(imported.name) or []
            if len(bindings) != 1 or not isinstance(bindings[0], _scopes.ImportAssignment):
                return imported
            further = self.imported(imported.ctx, bindings[0])
            if further is None or further == imported:
                return imported
            imported = further
        return imported

    def _submodule(self, package_file: str, name: str) -> bool:
        """Whether the package has a submodule ``name`` (its ``__init__`` may import it: ``from .
        import settings``; the submodule is what that name is)."""
        return self._module_file(os.path.dirname(package_file), [name]) is not None

    def entering(self, ctx: ModuleContext, name: str) -> bool:
        """Marks ``name`` of ``ctx``'s module as being resolved; False when it already is (an
        import cycle: ``a`` imports from ``b``, which imports from ``a``)."""
        key = (ctx.path, name)
        if key in self._resolving:
            return False
        self._resolving.add(key)
        return True

    def leaving(self, ctx: ModuleContext, name: str) -> None:
        self._resolving.discard((ctx.path, name))


# The names an import statement mentions: `from a.b import (c, d)`, `import a.b as c`.
def _calls_of(project: "Project", ctx: ModuleContext, home: ModuleContext, name: str) -> List[cst.Call]:
    """Calls in ``ctx`` of the function ``name`` that ``home``'s module defines: ``name(...)``,
    ``alias(...)`` after ``from m import name as alias``, ``m.name(...)``."""
    local = {name}
    for node in ctx.nodes(cst.ImportFrom):
        if not isinstance(node.names, cst.ImportStar):
            local.update(a.asname.name.value for a in node.names if a.asname is not None and _scopes.dotted_name(a.name) == name)  # type: ignore[union-attr]
    found = []
    for call in ctx.nodes(cst.Call):
        func = call.func
        if isinstance(func, cst.Name) and func.value in local:
            imported = project.elsewhere(ctx, func)
        elif isinstance(func, cst.Attribute) and func.attr.value == name:
            module = project.elsewhere(ctx, func.value)
            imported = project.reexported(project.member(module.ctx.path, name)) if module is not None and module.name is None and module.ctx.path else None
        else:
            continue
        if imported is not None and imported.ctx.path == home.path and imported.name == name:
            found.append(call)
    return found


# The index of each project root, for this run: built by a process when its analysis first asks
# who calls a function (each worker on its own core, in parallel; from the cache when there is
# one), kept for the rest of the run. ``new_run`` empties it.
INDEXES: Dict[str, ProjectIndex] = {}


def new_run() -> None:
    """Forget what a previous run in this process learnt of the files (they may have changed)."""
    INDEXES.clear()
    _CURRENT.clear()


_CURRENT: List[Project] = []


def project_for(settings: Settings) -> Project:
    """This process's project for ``settings`` (a run uses one settings object throughout)."""
    if not _CURRENT or _CURRENT[0].settings is not settings:
        _CURRENT[:] = [Project(settings)]
    return _CURRENT[0]


# -- names a module only re-imports, without LibCST ----------------------------------------------
_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try) + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _only_bindings(path: str, size: int) -> Optional[Dict[str, Optional[Tuple[str, str, int]]]]:
    """``only_bindings`` of the file (None when it cannot be read)."""
    if size > MAX_MODULE_BYTES:
        return None  # (not read at all)
    try:
        data = read_bytes(path)
    except OSError:
        return None
    return only_bindings(data, size)


def only_bindings(data: bytes, size: int) -> Optional[Dict[str, Optional[Tuple[str, str, int]]]]:
    """For each name bound in the top-level scope of the module ``data`` holds (a file of
    ``size`` bytes when its stamp was taken): (module, name, level) when its one binding is a
    ``from ... import``, else None. None for the whole module when a binding this reading could
    miss is possible (``import *``, ``global``, ``:=``, ``match``), when it cannot be parsed, or
    when the module is too large to analyse (as ``context`` gives none): the module is then
    parsed with LibCST as before, or not followed."""
    if size > MAX_MODULE_BYTES:
        return None
    tree = syntax_tree(data)
    if tree is None:
        return None
    table: Dict[str, Optional[Tuple[str, str, int]]] = {}
    counts: Dict[str, int] = {}
    # A function's `global x` binds the module's x: never a name only an import binds.
    for names in _GLOBAL.findall(data):
        for name in names.replace(b"\\", b" ").replace(b",", b" ").split():
            counts[name.decode("ascii", "replace")] = 2
            table[name.decode("ascii", "replace")] = None

    def bound(name: str, source: Optional[Tuple[str, str, int]] = None) -> None:
        counts[name] = counts.get(name, 0) + 1
        table[name] = source if counts[name] == 1 else None

    def targets(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            bound(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                targets(element)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    walrus = b":=" in data
    statements = list(tree.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                if alias.name == "*":
                    return None
                bound(alias.asname or alias.name, (statement.module or "", alias.name, statement.level or 0))
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                bound(alias.asname or alias.name.split(".")[0])
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound(statement.name)
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                targets(target)
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
            targets(statement.target)
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                targets(target)
        elif isinstance(statement, _BLOCKS):
            if isinstance(statement, (ast.For, ast.AsyncFor)):
                targets(statement.target)
            if isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
            for handler in getattr(statement, "handlers", ()):
                if handler.name:
                    bound(handler.name)
                statements.extend(handler.body)
            for field in ("body", "orelse", "finalbody"):
                statements.extend(getattr(statement, field, ()))
        elif type(statement).__name__ in ("Match", "TypeAlias"):
            return None
        if walrus and not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # `(x := ...)` in a top-level expression (a comprehension's too) binds the module's x.
            for node in ast.walk(statement):
                if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    bound(node.target.id)
    return table


_GLOBAL = re.compile(rb"(?m)(?:^|[;:])[ \t]*global[ \t]+([\w \t,\\]+)")  # `def f(): global X` too


def _read_at_most(handle, limit: int) -> bytes:
    """The file's bytes, or ``limit + 1`` of them when it is larger (the caller skips it). Not
    ``read(limit + 1)``: that allocates the whole limit (32 MB for a notebook) on every call."""
    size = os.fstat(handle.fileno()).st_size
    return handle.read(limit + 1) if size > limit else handle.read()
