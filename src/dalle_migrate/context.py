"""One parsed module and everything a rule may ask about it.

Only this module and ``edits`` turn CST nodes into text positions; rules go through them.
Rules find nodes through ``nodes``/``inside`` (the index), never by visiting the whole module.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from .settings import Settings  # noqa: F401  (re-exported: rules and tests import it here)
from .source import LineIndex


class UnfaithfulParse(Exception):
    """LibCST parsed the file but does not reproduce it byte for byte (a LibCST limitation)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"LibCST does not reproduce line {line} of the file exactly")
        self.line = line


def _first_difference(produced: str, original: str) -> int:
    for index, (a, b) in enumerate(zip(produced, original)):
        if a != b:
            return original.count("\n", 0, index) + 1
    return original.count("\n", 0, min(len(produced), len(original))) + 1


def _token_as_read(node: cst.CSTNode) -> None:
    """A whitespace, newline or comment token's check of its own text, for a token the parser
    read (see ``parse``)."""


# Tokens whose check (a regular expression over their text, one call per token: half of what a
# parse spends checking its nodes) holds of any text LibCST's tokenizer hands them. Every other
# node is checked as LibCST checks it: that check refuses code CPython refuses too (a str and a
# bytes literal joined).
_TOKENS_AS_READ = (cst.SimpleWhitespace, cst.Newline, cst.Comment)


def parse(text: str) -> cst.Module:
    """``cst.parse_module``, without the tokens' check of their own text (``_TOKENS_AS_READ``):
    it guards tokens that code builds by hand. For the length of the parse only; this process
    parses in one thread."""
    checks = [(kind, kind.__dict__["_validate"]) for kind in _TOKENS_AS_READ]
    for kind, _ in checks:
        kind._validate = _token_as_read  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        for kind, check in checks:
            kind._validate = check  # type: ignore[method-assign]


def one_line(code: str, limit: int = 60) -> str:
    """Code on one line, cut at ``limit`` characters: for messages."""
    line = " ".join(code.split())
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


class _IndexingState(CodegenState):
    """LibCST's code generation, recording on the way what a rule may ask about every node.

    One pass gives the module's text back (proof that LibCST reproduces the file), each node's
    offsets (the same ranges as LibCST's PositionProvider, as offsets into the text), each
    node's parent, and the nodes of each type in source order. LibCST's metadata providers do
    this in several visitor passes that cost ten times a parse.
    """

    __slots__ = ("offset", "spans", "parents", "children", "by_type", "_stack")

    def __init__(self, module: cst.Module) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.offset = 0
        # Keyed by id(node): LibCST nodes hash in Python code, ids in C.
        self.spans: Dict[int, Tuple[int, int]] = {}
        self.parents: Dict[int, cst.CSTNode] = {}
        self.children: Dict[int, List[cst.CSTNode]] = {}  # in source order
        self.by_type: Dict[type, List[cst.CSTNode]] = {}
        # The nodes being generated, outermost first: (node, its start, its children so far).
        self._stack: List[Tuple[Optional[cst.CSTNode], int, List[cst.CSTNode]]] = [(None, 0, [])]

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.tokens.append(token)
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.offset += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        stack = self._stack
        parent, _, siblings = stack[-1]
        if parent is not None:
            self.parents[id(node)] = parent
            siblings.append(node)
        stack.append((node, self.offset, []))
        nodes = self.by_type.get(type(node))
        if nodes is None:
            self.by_type[type(node)] = [node]
        else:
            nodes.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        _, start, children = self._stack.pop()
        key = id(node)
        if children:
            self.children[key] = children
        if key not in self.spans:  # a syntactic range recorded inside wins, as in LibCST
            self.spans[key] = (start, self.offset)

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> "_SyntacticRange":
        return _SyntacticRange(self, node, start_node, end_node)


class _SyntacticRange:
    """``with state.record_syntactic_position(node)``: a node's range without its parentheses.
    A class rather than a generator-based context manager: LibCST enters one for nearly every
    expression, and the generator's machinery was a sixth of indexing a module."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _IndexingState, node: cst.CSTNode, start_node: Optional[cst.CSTNode], end_node: Optional[cst.CSTNode]) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = self.state.offset

    def __exit__(self, *exc_info: object) -> None:
        state = self.state
        start, end = self.start, state.offset
        if self.start_node is not None:
            start = state.spans[id(self.start_node)][0]
        if self.end_node is not None:
            end = state.spans[id(self.end_node)][1]
        state.spans[id(self.node)] = (start, end)


class _Indexed(NamedTuple):
    """What parsing and indexing a text gives: a function of the text alone (LibCST's trees are
    immutable), so it may be kept for the next run that reads the same file unchanged."""

    module: cst.Module
    spans: Dict[int, Tuple[int, int]]
    parents: Dict[int, cst.CSTNode]
    children: Dict[int, List[cst.CSTNode]]
    by_type: Dict[type, Tuple[cst.CSTNode, ...]]


# Parsed files kept between runs of one process, by (path, text): none for a command-line run
# (each file is parsed once; the memory is better spent elsewhere), some for the language server,
# whose runs read the same unchanged neighbours on every edit. Keyed by path too: two files of the
# same text (empty `__init__.py`s) must not share nodes, whose owner is found by identity.
_KEPT: "OrderedDict[Tuple[str, str], _Indexed]" = OrderedDict()
_KEEP = [0]


def keep_parsed(count: int) -> None:
    """Keep up to ``count`` parsed files between runs (least recently used dropped first)."""
    _KEEP[0] = count
    while len(_KEPT) > count:
        _KEPT.popitem(last=False)


def _indexed(text: str) -> _Indexed:
    module = parse(text)
    state = _IndexingState(module)
    module._codegen(state)
    produced = "".join(state.tokens)
    if produced != text:
        # Positions would be off from the first difference: nothing here can be trusted.
        raise UnfaithfulParse(_first_difference(produced, text))
    # Tuples: a run may share them with the next (``keep_parsed``), so no caller may change them.
    by_type = {kind: tuple(found) for kind, found in state.by_type.items()}
    return _Indexed(module, state.spans, state.parents, state.children, by_type)


def _indexed_kept(text: str, path: Optional[str]) -> _Indexed:
    if not _KEEP[0] or path is None:
        return _indexed(text)
    key = (path, text)
    kept = _KEPT.get(key)
    if kept is None:
        kept = _KEPT[key] = _indexed(text)
        if len(_KEPT) > _KEEP[0]:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    return kept


class ModuleContext:
    """A parsed module with positions, parents and node types indexed once; scopes on demand."""

    def __init__(self, text: str, settings: Settings, newline: str = "\n", path: Optional[str] = None, project=None) -> None:
        self.text = text
        self.path = path  # the file, when known: imports are then resolved in its project
        self._project = project
        self.settings = settings
        self.catalog = settings.catalog
        self.newline = newline
        self.lines = LineIndex(text)
        indexed = _indexed_kept(text, path)
        self.module = indexed.module
        self.spans = indexed.spans
        self.parents: Mapping[int, cst.CSTNode] = indexed.parents  # by id(node)
        self.children: Mapping[int, List[cst.CSTNode]] = indexed.children  # by id(node)
        self._by_type = indexed.by_type
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
