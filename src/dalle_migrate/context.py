"""One parsed module and everything a rule may ask about it.

Only this module (its index is built by ``parsing``, or by ``reparse`` from an edited file's
last) and ``edits`` turn CST nodes into text positions; rules go through them.
Rules find nodes through ``nodes``/``inside`` (the index), never by visiting the whole module.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import libcst as cst

from .parsing import Indexed, UnfaithfulParse, indexed, parse  # noqa: F401  (re-exported)
from .reparse import reindexed
from .settings import Settings  # noqa: F401  (re-exported: rules and tests import it here)
from .source import LineIndex


def one_line(code: str, limit: int = 60) -> str:
    """Code on one line, cut at ``limit`` characters: for messages."""
    line = " ".join(code.split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


# Parsed files kept between runs of one process, by (path, text): none for a command-line run
# (each file is parsed once; the memory is better spent elsewhere), some for the language server,
# whose runs read the same unchanged neighbours on every edit. Keyed by path too: two files of the
# same text (empty `__init__.py`s) must not share nodes, whose owner is found by identity.
_KEPT: "OrderedDict[Tuple[str, str], Indexed]" = OrderedDict()
_KEEP = [0]


def keep_parsed(count: int) -> None:
    """Keep up to ``count`` parsed files between runs (least recently used dropped first)."""
    _KEEP[0] = count
    while len(_KEPT) > count:
        _drop_oldest()


def _drop_oldest() -> None:
    (path, text), _ = _KEPT.popitem(last=False)
    if _LAST.get(path) == text:
        del _LAST[path]


# The last text kept of each path: an edited file is re-parsed from it (``reparse``).
_LAST: Dict[str, str] = {}


def _indexed_kept(text: str, path: Optional[str], python_parses: bool = False) -> Indexed:
    if not _KEEP[0] or path is None:
        return indexed(text, python_parses)
    key = (path, text)
    kept = _KEPT.get(key)
    if kept is None:
        before = _LAST.get(path)
        earlier = _KEPT.get((path, before)) if before is not None else None
        found = reindexed(earlier, before, text) if earlier is not None else None
        kept = _KEPT[key] = found if found is not None else indexed(text, python_parses)
        if earlier is not None:  # a file has one text at a time: its earlier one is not read again
            del _KEPT[(path, before)]
        if len(_KEPT) > _KEEP[0]:
            _drop_oldest()
    else:
        _KEPT.move_to_end(key)
    _LAST[path] = text
    return kept


class ModuleContext:
    """A parsed module with positions, parents and node types indexed once; scopes on demand."""

    def __init__(
        self, text: str, settings: Settings, newline: str = "\n", path: Optional[str] = None, project=None, python_parses: bool = False
    ) -> None:
        """``python_parses``: CPython's parser accepted ``text`` (``parsing.parse``)."""
        self.text = text
        self.path = path  # the file, when known: imports are then resolved in its project
        self._project = project
        self.settings = settings
        self.catalog = settings.catalog
        self.newline = newline
        self.lines = LineIndex(text)
        found = _indexed_kept(text, path, python_parses)
        self.module = found.module
        self.spans = found.spans
        self.parents: Mapping[int, cst.CSTNode] = found.parents  # by id(node)
        self.children: Mapping[int, List[cst.CSTNode]] = found.children  # by id(node)
        self._by_type = found.by_type
        self._scopes = None
        self.memo: dict = {}  # per-module results shared by several rules
        # What the analyses that used this module read of the project (reads.Reads; recorded
        # runs only): its memo may hold any of it.
        self.reads = None

    def release(self) -> None:
        """Drops what this module's analysis built on it (scopes, memos): they refer back to it,
        so without this a dropped module waits for a full collection of the garbage collector,
        which walks every module still kept."""
        self.memo.clear()
        if self._scopes is not None:
            self._scopes.release()
            self._scopes = None

    @property
    def project(self):
        """The project this module belongs to (project.Project: given by whoever parsed the
        module, so this layer asks nothing of the layers above it), or None."""
        return self._project

    def owner(self, node: cst.CSTNode) -> "ModuleContext":
        """The module whose tree holds ``node``: this one, or one of the project's that a value
        or a client was followed into."""
        if id(node) in self.spans:
            return self
        project = self.project
        found = project.owner(node) if project is not None else None
        return found if found is not None else self

    def span(self, node: cst.CSTNode) -> Tuple[int, int]:
        """Offsets of ``node``'s own text (without surrounding whitespace)."""
        return self.spans[id(node)]

    def code(self, node: cst.CSTNode) -> str:
        start, end = self.spans[id(node)]
        return self.text[start:end]

    def excerpt(self, node: cst.CSTNode, limit: int = 60) -> str:
        """The node's code on one line, cut at ``limit`` characters: for messages."""
        return one_line(self.code(node), limit)

    def class_of_attribute(self, value: cst.CSTNode) -> Optional[cst.ClassDef]:
        """The class whose body assigns ``value`` directly (``NAME = value``), else None."""
        assign = self.parent(value)
        if not isinstance(assign, (cst.Assign, cst.AnnAssign)) or assign.value is not value:
            return None
        line = self.parent(assign)
        block = self.parent(line) if line is not None else None
        owner = self.parent(block) if block is not None else None
        return owner if isinstance(owner, cst.ClassDef) else None

    def nodes(self, *kinds: type) -> Sequence[cst.CSTNode]:
        """The module's nodes of exactly these types, in source order (outer before inner)."""
        if len(kinds) == 1:
            return self._by_type.get(kinds[0], ())
        found = [n for kind in kinds for n in self._by_type.get(kind, ())]
        spans = self.spans
        found.sort(key=lambda n: (spans[id(n)][0], -spans[id(n)][1]))
        return found

    def inside(self, node: cst.CSTNode, *kinds: type) -> List[cst.CSTNode]:
        """The nodes of these types within ``node`` (``node`` included), in source order."""
        found = []
        children = self.children
        stack = [node]
        while stack:
            current = stack.pop()
            if type(current) in kinds:
                found.append(current)
            below = children.get(id(current))
            if below:
                stack.extend(reversed(below))
        return found

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parents.get(id(node))

    def scope(self, node: cst.CSTNode):
        """The scope (scopes.Scope) a ``Name`` is read or bound in."""
        return self._scope_index().of(node)

    @property
    def module_scope(self):
        return self._scope_index().module_scope

    def _scope_index(self):
        if self._scopes is None:  # only modules where a name has to be looked up pay for it
            from .scopes import Scopes

            self._scopes = Scopes(self.module, self.children)
        return self._scopes
